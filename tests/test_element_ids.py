"""Element ids and quiz storage keys are unique: names that would share one are errors."""

from __future__ import annotations

import json
import re
from collections import Counter

from mdhelpers import convert
from sitebuild import build, write_project

QUIZ = "```quiz\nname: check\nquestion: Which?\nanswers:\n  - {text: a, correct: true}\n  - b\n```\n"

# Two datasets whose names differ only in a character that ids do not keep: a cell that reads
# the second by its element id must never get the first.
TWO_DATASETS = """\
# Data

```dataset
name: d a
x: [[0, 0], [0, 1], [1, 0], [1, 1]]
y: [[0], [1], [1], [0]]
```

```dataset
name: d.a
x: [[0, 0], [0, 1], [1, 0], [1, 1]]
y: [[1], [1], [1], [0]]
```
"""


def _ids(html: str) -> Counter[str]:
    return Counter(re.findall(r'\bid="([^"]+)"', html))


def _quiz_pages(html: str) -> list[str]:
    specs = re.findall(r'<script type="application/json" class="mlpages-quiz-spec">(.*?)</script>', html)
    return [json.loads(s)[0]["page"] for s in specs]


def test_block_names_that_give_the_same_id_are_an_error_at_the_later_block(tmp_path):
    project = write_project(tmp_path, {"p.md": TWO_DATASETS})
    strict = build(project)
    assert strict.returncode != 0
    line = TWO_DATASETS.split("\n").index("name: d.a") + 1
    assert (f"docs/p.md:{line}: dataset 'd.a': the name 'd.a' gives the element id 'mlp-p-d-a', "
            "already that of dataset 'd a' (line 3)") in strict.stderr
    assert "Traceback" not in strict.stderr
    lenient = build(project, strict=False)
    assert lenient.returncode == 0
    html = (project / "site" / "p" / "index.html").read_text(encoding="utf-8")
    assert [i for i, n in _ids(html).items() if n > 1] == []
    assert html.count('data-mlpages-kind="dataset"') == 2 and "mlpages-error" in html


def test_pages_whose_paths_give_the_same_id_are_an_error(tmp_path):
    project = write_project(tmp_path, {"x.y.md": "# Dots\n\n" + QUIZ, "x-y.md": "# Dash\n\n" + QUIZ,
                                       "x/y.md": "# Folder\n\nNo blocks: no id needed.\n"})
    strict = build(project)
    assert strict.returncode != 0
    assert ("docs/x.y.md:3: quiz 'check': this page's id 'x-y' (its element ids start with it and "
            "its quiz progress is stored under it) is already that of docs/x-y.md") in strict.stderr
    lenient = build(project, strict=False)
    assert lenient.returncode == 0
    keys = [key for page in ("x.y", "x-y") for key in
            _quiz_pages((project / "site" / page / "index.html").read_text(encoding="utf-8"))]
    assert keys == ["x-y"]  # one page keeps the key; the other's quiz is an error box


def test_question_ids_that_give_an_element_id_already_on_the_page_are_an_error(warnings_log):
    same = "```quiz\nname: q\nquestions:\n" + "".join(
        f"  - id: {qid}\n    question: Q\n    answers: [{{text: a, correct: true}}, b]\n"
        for qid in ("a.b", "a-b")) + "```\n"
    html = convert(same, path="docs/ch1.md")
    (message,) = warnings_log()
    assert message.startswith("docs/ch1.md:3: quiz 'q': question 'a-b' gives the element id "
                              "'mlp-ch1-q-a-b', already that of question 'a.b' of quiz 'q'")
    assert [i for i, n in _ids(html).items() if n > 1] == []
    # The runtime's hint box of one question and another question's fieldset.
    hint = "```quiz\nname: q\nquestions:\n" + "".join(
        f"  - id: {qid}\n    question: Q\n    answers: [{{text: a, correct: true}}, b]\n"
        for qid in ("x", "x-hint")) + "```\n"
    convert(hint, path="docs/ch1.md")
    assert "question 'x-hint' gives the element id 'mlp-ch1-q-x-hint', already that of the hint box " \
           "of question 'x' of quiz 'q'" in warnings_log()[-1]
    # An answer's id (`<question's id>-a1`) and another question's fieldset.
    answer = QUIZ.replace("name: check", "name: q\nid: x") + QUIZ.replace("name: check", "name: q-x-a1")
    convert(answer, path="docs/ch1.md")
    assert "quiz 'q-x-a1': the name 'q-x-a1' gives the element id 'mlp-ch1-q-x-a1', already that " \
           "of answer 1 of question 'x' of quiz 'q'" in warnings_log()[-1]
