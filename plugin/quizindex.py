"""The course's quiz index, `assets/mlpages/quizzes.json`: every page with a quiz and how
its questions are graded, which the `quiz-progress` view (plugin/blocks/progress.py,
runtime/progress.js) reads to score the reader's stored answers across the course.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .contract import SCHEMA, QuizIndexFile

INDEX = "quizzes.json"  # next to the runtime: assets/mlpages/quizzes.json


def index_entry(url: str, title: str, slug: str, quizzes: list[dict[str, Any]]) -> dict[str, Any]:
    """One page of the course index: where it is and how its questions are graded.

    The grading fields (`type`, `answers`, `correct`, `shown`) let the view score stored
    answers the way the page does; texts and feedback stay on the page.
    """
    questions = []
    for quiz in quizzes:
        for q in quiz["questions"]:
            questions.append({k: q[k] for k in ("id", "type", "answers", "correct") if k in q})
    return {"page": slug, "url": url, "title": title, "questions": questions}


@dataclass
class QuizIndex:
    """The course's quiz pages as a build finds them, written after the last page.

    A `--dirty` build renders only the pages that changed: a page it did not render keeps
    its entry from the index already in the site.
    """

    pages: dict[str, dict[str, Any]] = field(default_factory=dict)  # src_uri -> index entry
    rendered: set[str] = field(default_factory=set)

    def record(self, src_uri: str, url: str, title: str, quizzes: list[dict[str, Any]]) -> None:
        """A rendered page and its working quizzes (none: the page is not in the index)."""
        self.rendered.add(src_uri)
        if quizzes:
            self.pages[src_uri] = index_entry(url, title, quizzes[0]["page"], quizzes)

    def write(self, target: Path, documents: dict[str, str], nav_order: dict[str, int]) -> None:
        """Write the index to `target`. `documents`: every page of the build, src_uri -> url;
        `nav_order`: src_uri -> position in the nav (pages outside it go last, by url)."""
        try:
            previous = {e["url"]: e for e in json.loads(target.read_text(encoding="utf-8"))["pages"]}
        except (OSError, ValueError, KeyError, TypeError):
            previous = {}
        for src_uri, url in documents.items():
            if src_uri not in self.rendered and url in previous:
                self.pages[src_uri] = previous[url]
        last = len(nav_order)
        order = sorted((item for item in self.pages.items() if item[0] in documents),
                       key=lambda item: (nav_order.get(item[0], last), item[1]["url"]))
        target.parent.mkdir(parents=True, exist_ok=True)
        payload: QuizIndexFile = {"schema": SCHEMA, "pages": [entry for _, entry in order]}
        target.write_text(json.dumps(payload, separators=(",", ":")), encoding="utf-8")
        self.pages.clear()
        self.rendered.clear()
