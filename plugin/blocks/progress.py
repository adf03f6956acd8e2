"""The `quiz-progress` block: the reader's quiz progress across the whole course.

The table is drawn in the browser by runtime/progress.js, from the course's quiz index
(`assets/mlpages/quizzes.json`, written by the MkDocs plugin after every page is built:
the page holding the view may be built before the quiz pages) and the reader's stored
answers. Without JavaScript the element says what it would show.
"""

from __future__ import annotations

from typing import Any

from ..html import esc, json_script
from ..page import PageState
from .common import check_keys

KIND = "quiz-progress"
INDEX = "quizzes.json"  # next to the runtime: assets/mlpages/quizzes.json
NOTE = ("Your answers to the course's quizzes are kept in this browser; "
        "with JavaScript on, this table shows your score on every page that has a quiz.")


def build(data: dict[str, Any], page: PageState, name: str) -> tuple[dict[str, Any], str]:
    check_keys(data, ["name"])
    page.progress_views += 1
    spec = {"schema": 1, "kind": KIND, "name": name, "id": page.cell_id(name), "index": INDEX}
    return spec, f'<p class="mlpages-quiz-progress-note">{esc(NOTE)}</p>'


def element(spec: dict[str, Any], body: str) -> str:
    return (
        f'<div class="mlpages-quiz-progress" id="{esc(spec["id"])}" data-mlpages-quiz-progress '
        f'data-mlpages-name="{esc(spec["name"])}">'
        f'{json_script(spec, css_class="mlpages-quiz-progress-spec")}{body}</div>'
    )


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
