"""The `quiz-progress` block and the course quiz index the MkDocs plugin writes for it."""

from __future__ import annotations

import json

from mdhelpers import convert
from sitebuild import build, write_project

VIEW = "# Progress\n\n```quiz-progress\n```\n"


def test_progress_block_renders_a_note_readable_without_javascript():
    html = convert(VIEW, script="assets/mlpages/mlpages.js")
    assert ('<div class="mlpages-quiz-progress" id="mlp-page-quiz-progress-1" '
            "data-mlpages-quiz-progress") in html
    assert "this table shows your score on every page that has a quiz" in html
    assert "data-mlpages-kind" not in html  # not a cell: verify and runAll ignore it
    assert html.endswith('<script type="module" src="assets/mlpages/mlpages.js"></script>')


def test_progress_block_unknown_key_is_an_author_error(caplog):
    html = convert("# P\n\n```quiz-progress\npages: all\n```\n")
    assert "mlpages-error" in html
    assert "docs/page.md:4: quiz-progress 'quiz-progress-1': unknown key 'pages'" in caplog.text


PAGES = {
    "index.md": "# Home\n\n```quiz-progress\n```\n",
    "b.md": "# Second\n\n```quiz\nname: q\nquestions:\n"
            "  - {id: one, question: One, answers: [x, {text: y, correct: true}]}\n"
            "  - {id: two, question: In order, type: order, answers: [a, b, c]}\n```\n",
    "a.md": "# First\n\n```quiz\nquestion: Pick.\nmultiple: true\nanswers: [{text: x, correct: true}, "
            "{text: y, correct: true}, z]\n```\n",
    "plain.md": "# No quiz\n",
    "broken.md": "# Broken\n\n```quiz\nquestion: No answers\n```\n",
    "extra.md": "# Outside the nav\n\n```quiz\nquestion: Extra?\n"
                "answers: [{text: a, correct: true}, b]\n```\n",
}


def test_build_writes_every_quiz_page_in_nav_order(tmp_path):
    write_project(tmp_path, PAGES, site_name="s", extra="nav: [index.md, a.md, b.md, plain.md, broken.md]\n")
    result = build(tmp_path, strict=False)  # broken.md's quiz is an author error
    assert result.returncode == 0, result.stderr
    index = json.loads((tmp_path / "site" / "assets" / "mlpages" / "quizzes.json").read_text())
    assert index == {"schema": 1, "pages": [
        {"page": "a", "url": "a/", "title": "First",
         "questions": [{"id": "quiz-1-1", "type": "multiple", "answers": 3, "correct": [0, 1]}]},
        {"page": "b", "url": "b/", "title": "Second",
         "questions": [{"id": "one", "type": "single", "answers": 2, "correct": [1]},
                       {"id": "two", "type": "order", "answers": 3}]},
        {"page": "extra", "url": "extra/", "title": "Outside the nav",
         "questions": [{"id": "quiz-1-1", "type": "single", "answers": 2, "correct": [0]}]},
    ]}
    home = (tmp_path / "site" / "index.html").read_text()
    assert "data-mlpages-quiz-progress" in home and "assets/mlpages/mlpages.js" in home


def test_a_dirty_build_keeps_the_pages_it_did_not_render(tmp_path):
    import os
    import subprocess
    import sys

    docs = write_project(tmp_path, {name: PAGES[name] for name in ("index.md", "a.md", "b.md")},
                         site_name="s", extra="nav: [index.md, a.md, b.md]\n") / "docs"
    assert build(tmp_path).returncode == 0
    index = tmp_path / "site" / "assets" / "mlpages" / "quizzes.json"
    before = json.loads(index.read_text())
    assert [p["page"] for p in before["pages"]] == ["a", "b"]
    # Only a.md changes (a new title); b.md is not rendered again.
    (docs / "a.md").write_text(PAGES["a.md"].replace("# First", "# First, again"))
    future = (tmp_path / "site" / "b" / "index.html").stat().st_mtime + 10
    os.utime(docs / "a.md", (future, future))
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--dirty", "-d", "site"], cwd=tmp_path,
                            capture_output=True, text=True, env=dict(os.environ, NO_MKDOCS_2_WARNING="1"))
    assert result.returncode == 0, result.stderr
    after = json.loads(index.read_text())
    assert [p["title"] for p in after["pages"]] == ["First, again", "Second"]
    assert after["pages"][1] == before["pages"][1]
