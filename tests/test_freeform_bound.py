"""Named values of free-form (`tfjs`) cells bound like any cell's number: in a sentence
(`{mlpages grid.out[1, 0]}`), a results row and a numeric question's `answer_from`; the
author's mistakes with the file:line and a did-you-mean; verify reads the browser's value."""

from __future__ import annotations

import json
import logging
import re
from html import unescape

import pytest
from mdhelpers import convert, specs_by_name
from mlpages.verify.compare import check_bound_value, check_number_question
from sitebuild import ROOT, build, write_project
from test_inline import values

HEAD = "# Bound\n\n"
CELL = """```tfjs
// name: grid
const m = tf.tensor2d([[1, 2, 3], [4, 5, 6]]);
return {out: m.mul(10), half: tf.scalar(0.5), eps: tf.backend().epsilon(), none: []};
```

```reference
import numpy as np
return {"out": np.array([[1, 2, 3], [4, 5, 6]]) * 10, "half": 0.5, "eps": epsilon,
        "none": np.zeros(0)}
```

"""
CELL_LINES = CELL.count("\n")


def page(text: str, caplog=None) -> tuple[str, list[str]]:
    html = convert(HEAD + CELL + text, path="docs/ff.md")
    found = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] if caplog else []
    return html, found


def by_epsilon(spec: dict) -> dict[float, float]:
    return {r["epsilon"]: r["value"] for r in spec["references"]}


def test_a_sentence_shows_a_named_value_by_index_flat_index_or_alone():
    html, _ = page("Row two: {mlpages grid.out[1, 0]}, flat {mlpages grid.out[5]}, half "
                   "{mlpages grid.half}, eps {mlpages cell: grid, quantity: eps}.\n")
    found = values(html)
    assert [v["shown"] for v in found] == ["40", "60", "0.5", "0.0001"]
    first = found[0]
    assert first["from"] == {"cell": "mlp-ff-grid", "name": "grid", "quantity": "out", "value": "out",
                             "index": 3}
    assert first["title"].startswith("grid, out[1, 0]: ")
    assert found[2]["title"].startswith("grid, half: ")
    # One reference per backend epsilon, each from the reference run for it.
    assert by_epsilon(found[3]) == {1e-4: 1e-4, 1e-7: 1e-7}


def test_results_rows_and_numeric_questions_read_named_values():
    table = ("```results\nname: t\nrows:\n  - {cell: grid, quantity: out, index: [0, 2]}\n"
             "  - {label: eps, cell: grid, quantity: eps}\n```\n\n")
    quiz = ("```quiz\nname: q\nquestion: The last number?\n"
            "answer_from: {cell: grid, quantity: out, index: 5}\n```\n")
    html, _ = page(table + quiz)
    (raw,) = re.findall(r'class="mlpages-results-spec">(.*?)</script>', html)
    rows = json.loads(unescape(raw))[0]["rows"]
    assert [r["label"] for r in rows] == ["grid, out[0, 2]", "eps"]
    assert [by_epsilon(r) for r in rows] == [{1e-4: 30.0, 1e-7: 30.0}, {1e-4: 1e-4, 1e-7: 1e-7}]
    assert "<td><code>out</code></td>" in html
    (qraw,) = re.findall(r'class="mlpages-quiz-spec">(.*?)</script>', html)
    question = json.loads(unescape(qraw))[0]["questions"][0]
    assert question["from"]["value"] == "out" and question["from"]["index"] == 5
    assert by_epsilon(question) == {1e-4: 60.0, 1e-7: 60.0}


SENTENCE = 2 + CELL_LINES + 1  # the sentence's line in docs/ff.md

MISTAKES = [
    ("unknown cell", "{mlpages gird.m[0]}",
     "value 'gird.m[0]': no train, predict, convolution or tfjs cell named 'gird' above this "
     "sentence (did you mean 'grid'?)"),
    ("unknown value", "{mlpages grid.uot[0]}",
     "value 'grid.uot[0]': the tfjs cell 'grid' returns no value 'uot' (did you mean 'out'?); it "
     "returns: out, half, eps, none"),
    ("not one number", "{mlpages grid.out}",
     "value 'grid.out': 'out' of 'grid' is an array of 6 numbers (shape 2×3): name one with an index, "
     "e.g. grid.out[0, 0] (or a flat index 0 to 5)"),
    ("out of range", "{mlpages grid.out[2, 0]}",
     "value 'grid.out[2, 0]': index [2, 0] is out of range: 'out' of 'grid' has shape 2×3 (one index "
     "per dimension, [0, 0] to [1, 2], or a flat index 0 to 5)"),
    ("flat out of range", "{mlpages grid.out[6]}", "value 'grid.out[6]': index 6 is out of range"),
    ("wrong rank", "{mlpages grid.out[0, 0, 0]}",
     "value 'grid.out[0, 0, 0]': index [0, 0, 0] is out of range"),
    ("an epoch", "{mlpages grid.half@1}",
     "value 'grid.half@1': 'epoch' is for a train cell; 'grid' is a tfjs cell"),
    ("empty", "{mlpages grid.none}", "value 'grid.none': 'none' of 'grid' is empty (shape 0)"),
    ("no value named", "{mlpages grid}",
     "value 'grid': name one of the values 'grid' returns: out, half, eps, none"),
]


@pytest.mark.parametrize("case", [c[0] for c in MISTAKES])
def test_mistakes_name_the_sentences_line_and_a_close_name(case, caplog):
    _, token, want = next(c for c in MISTAKES if c[0] == case)
    html, messages = page(f"See {token}.\n", caplog)
    assert len(messages) == 1 and messages[0].startswith(f"docs/ff.md:{SENTENCE}: {want}"), messages
    assert "mlpages-value-error" in html


def test_a_cell_without_a_reference_cannot_be_bound(caplog):
    bare = "```tfjs\n// name: bare\nreturn {x: 1};\n```\n\n"
    html, messages = page(bare + "```results\nname: t\nrows:\n  - {cell: bare, quantity: x}\n```\n", caplog)
    assert len(messages) == 1 and "results 't': row 1: the tfjs cell 'bare' has no reference" in messages[0]
    assert messages[0].startswith("docs/ff.md:"), messages


def test_a_question_names_the_unknown_value_at_its_line(caplog):
    quiz = "```quiz\nname: q\nquestion: Which?\nanswer_from: {cell: grid, quantity: outs, index: 0}\n```\n"
    _, messages = page(quiz, caplog)
    line = 2 + CELL_LINES + 4
    assert messages == [f"docs/ff.md:{line}: quiz 'q': answer_from: the tfjs cell 'grid' returns no "
                        "value 'outs' (did you mean 'out'?); it returns: out, half, eps, none"], messages


def test_verify_reads_the_browsers_named_value():
    html, _ = page("Row two: {mlpages grid.out[1, 0]}.\n```quiz\nname: q\nquestion: How many?\n"
                   "answer_from: {cell: grid, quantity: out, index: [1, 0]}\n```\n")
    (value,) = values(html)
    (qraw,) = re.findall(r'class="mlpages-quiz-spec">(.*?)</script>', html)
    quiz = json.loads(unescape(qraw))[0]
    cell = specs_by_name(html)["grid"]

    def result(x: float) -> dict:
        m = [10.0, 20.0, 30.0, x, 50.0, 60.0]
        return {"status": "ok", "values": {"out": {"shape": [2, 3], "data": m}}}

    ok = check_bound_value(value, "grid.out[1, 0]", value["id"], "inline value", cell, result(40.0), 1e-4)
    assert not ok.mismatches and ok.compared == 2
    bad = check_bound_value(value, "grid.out[1, 0]", value["id"], "inline value", cell, result(41.0), 1e-4)
    assert [m.quantity for m in bad.mismatches] == ["your run (grid value out index 3)"]
    assert not check_number_question(quiz, quiz["questions"][0], cell, result(40.0), 1e-4).mismatches
    wrong = check_number_question(quiz, quiz["questions"][0], cell, result(39.0), 1e-4)
    assert len(wrong.mismatches) == 1


def test_the_demo_sentence_and_question_follow_the_kernel(tmp_path):
    """Build the free-form demo twice in one project: a heavier centre weight in both fences of
    the convolution changes the number in the sentence and the question's answer."""
    text = (ROOT / "docs" / "course" / "freeform.md").read_text(encoding="utf-8")
    heavier = text.replace("[-1, 5, -1]", "[-1, 6, -1]")
    assert heavier.count("[-1, 6, -1]") == 2  # the TF.js code's kernel and the reference's
    project = write_project(tmp_path, {"freeform.md": text})
    shown, answers = [], []
    for page in (text, heavier):
        (project / "docs" / "freeform.md").write_text(page, encoding="utf-8")
        result = build(project)
        assert result.returncode == 0, result.stderr
        html = (project / "site" / "freeform" / "index.html").read_text(encoding="utf-8")
        shown.append([v["shown"] for v in values(html) if v["from"]["name"] == "conv"])
        (qraw,) = re.findall(r'class="mlpages-quiz-spec">(.*?)</script>', html)
        answers.append(by_epsilon(json.loads(unescape(qraw))[0]["questions"][0]))
    # The centre gains one more 30, the top left one more 8.
    assert shown == [["118", "18"], ["148", "26"]]
    assert answers == [{1e-4: 118.0, 1e-7: 118.0}, {1e-4: 148.0, 1e-7: 148.0}]


def _section(text: str, heading: str) -> str:
    start = text.index(heading)
    return text[start:text.index("\n## ", start + len(heading))]


def _markdown_examples(section: str) -> list[str]:
    return re.findall(r"^`````markdown\n(.*?)^`````$", section, re.S | re.M)


def test_the_authoring_reference_documents_free_form_cells_with_examples_that_build(caplog):
    """The free-form section of docs/reference/authoring.md: its complete example builds with a
    reference (seeded, unshuffled), it says what makes a training loop checkable, and its
    binding example builds under the demo's cells."""
    authoring = (ROOT / "docs" / "reference" / "authoring.md").read_text(encoding="utf-8")
    section = _section(authoring, "## `tfjs` and `reference`")
    complete, binding = _markdown_examples(section)
    assert "glorotUniform({seed: 7})" in complete and "shuffle: false" in complete
    spec = specs_by_name(convert("# Example\n\n" + complete, path="docs/ex.md"))["hello-line"]
    assert set(spec["references"][0]["values"]) == {"prediction", "loss", "kernel"}
    for words in ("seed every initializer", "`shuffle: false`", "no\ndropout without a seed",
                  "[Seeded initialisation](#seeded-initialisation)"):
        assert words in section, words
    assert "{mlpages conv.output[1, 1]}" in binding and "answer_from: {cell: conv" in binding
    demo = (ROOT / "docs" / "course" / "freeform.md").read_text(encoding="utf-8")
    html = convert(demo.rstrip("\n") + "\n\n" + binding.replace("name: sharpen-centre", "name: again"),
                   path="docs/ex.md")
    assert not [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert "mlpages-value-error" not in html
    assert "{mlpages loop.a}" in _section(authoring, "### Inline values")
