"""The `quiz-progress` block: the reader's quiz progress across the whole course.

The table is drawn in the browser by runtime/progress.js, from the course's quiz index
(`assets/mlpages/quizzes.json`, which the MkDocs plugin writes with plugin/quizindex.py
after every page is built: the page holding the view may be built before the quiz pages)
and the reader's stored answers. Without JavaScript the element says what it would show.
"""

from __future__ import annotations

from typing import Any

from ..contract import spec_header
from ..html import NO_SEARCH, esc, json_script
from ..i18n import current
from ..page import PageState
from ..quizindex import INDEX
from .common import check_keys

KIND = "quiz-progress"


def build(data: dict[str, Any], page: PageState, name: str) -> tuple[dict[str, Any], str]:
    check_keys(data, ["name"])
    page.progress_views += 1
    spec = {**spec_header(KIND, name, page.cell_id(name)), "index": INDEX}
    return spec, f'<p class="mlpages-quiz-progress-note">{esc(current().t("progress_note"))}</p>'


def element(spec: dict[str, Any], body: str) -> str:
    return (
        f'<div class="mlpages-quiz-progress" id="{esc(spec["id"])}" data-mlpages-quiz-progress '
        f'data-mlpages-name="{esc(spec["name"])}" {NO_SEARCH}>'
        f'{json_script(spec, css_class="mlpages-quiz-progress-spec")}{body}</div>'
    )
