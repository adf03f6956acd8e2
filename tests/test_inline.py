"""Inline values (`{mlpages …}` in prose) and convolution outputs bound by results rows and
numeric questions: the syntax, the values, and author mistakes with the sentence's file:line."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import pytest
from mdhelpers import XOR_CELLS, convert, specs_by_name
from mlpages.assets import site_errors
from mlpages.inline import tokens
from sitebuild import ROOT, build, write_project
from test_errors import HEAD

CONV = """\
```convolution
name: conv
image:
  - [0, 1, 2, 3]
  - [4, 5, 6, 7]
  - [8, 9, 10, 11]
  - [12, 13, 14, 15]
kernel:
  - [0, -1, 0]
  - [-1, 5, -1]
  - [0, -1, 0]
```

"""
# conv's output (valid padding, 2×2): 5 × x − (the four sides) at each centre.
CONV_OUT = [5 * 5 - (1 + 4 + 6 + 9), 5 * 6 - (2 + 5 + 7 + 10), 5 * 9 - (5 + 8 + 10 + 13),
            5 * 10 - (6 + 9 + 11 + 14)]

TRAIN = """\
```train
name: fit
model: net
dataset: xor
epochs: 3
batchSize: 2
```

```predict
name: guess
model: net
x: [[0, 1], [1, 1]]
```

"""

VALUE = re.compile(r'<span class="mlpages-value" id="([^"]+)" data-mlpages-value="([^"]*)" '
                   r'title="([^"]*)"><span class="mlpages-value-reference">([^<]*)</span></span>')


def values(html: str) -> list[dict]:
    """Each inline value: its spec, title and shown text."""
    return [{**json.loads(unescape(data)), "title": unescape(title), "shown": shown, "element": el}
            for el, data, title, shown in VALUE.findall(html)]


def webgl(spec: dict) -> float:
    return next(r["value"] for r in spec["references"] if r["epsilon"] == 1e-4)


def test_a_convolution_output_by_row_and_column_or_flat_index():
    html = convert(HEAD + CONV + "Centre: {mlpages conv.output[1, 1]}, first {mlpages conv[0]}, "
                   "third {mlpages cell: conv, index: [1, 0]}.\n")
    found = values(html)
    assert [v["shown"] for v in found] == [str(CONV_OUT[3]), str(CONV_OUT[0]), str(CONV_OUT[2])]
    first = found[0]
    assert first["kind"] == "value" and first["id"] == "mlp-page-value-1"
    assert first["from"] == {"cell": "mlp-page-conv", "name": "conv", "quantity": "output", "index": 3}
    # The same reference for every backend: a convolution's does not depend on the epsilon.
    assert [r["value"] for r in first["references"]] == [CONV_OUT[3]] * 2
    assert first["tolerance"] == specs_by_name(html)["conv"]["tolerance"] and first["digits"] == 6
    assert first["title"].startswith("conv, output [1, 1]: the NumPy reference")
    assert "<p>Centre: <span" in html


def test_train_and_predict_values_read_the_cells_references():
    html = convert(HEAD + TRAIN + "Loss {mlpages fit.loss@2}, last {mlpages fit.loss}, "
                   "guess {mlpages guess[1]} and {mlpages guess.prediction[0]}.\n")
    found = values(html)
    cells = specs_by_name(html)
    ref = next(r for r in cells["fit"]["references"] if r["epsilon"] == 1e-4)
    pred = next(r for r in cells["guess"]["references"] if r["epsilon"] == 1e-4)["predictions"]["data"]
    loss = ref["history"]["loss"]
    assert [webgl(v) for v in found] == [loss[1], loss[2], pred[1], pred[0]]
    assert found[0]["from"] == {"cell": "mlp-page-fit", "name": "fit", "quantity": "loss", "epoch": 1}
    assert found[0]["title"].startswith("fit loss, epoch 2: ")


def test_fewer_digits_are_shown_the_value_is_kept():
    html = convert(HEAD + TRAIN + "Loss {mlpages fit.loss, 2 digits}, {mlpages cell: guess, digits: 1}.\n")
    loss, guess = values(html)
    assert loss["digits"] == 2 and guess["digits"] == 1
    assert loss["shown"] == f"{webgl(loss):.2g}" and guess["shown"] == f"{webgl(guess):.1g}"
    assert len(str(webgl(loss))) > 4  # the reference itself is not rounded


def test_an_accuracy_matches_within_one_sample_and_knobs_are_refused(caplog):
    html = convert("# A\n\n" + XOR_CELLS + "\nAccuracy {mlpages fit-xor.acc}.\n")
    (value,) = values(html)
    assert value["tolerance"] == {"rtol": 0.0, "atol": pytest.approx(1 / 16 + 1e-6)}
    knobs = XOR_CELLS.replace("batchSize: 8\n", "batchSize: 8\nknobs:\n  epochs: [3, 4]\n")
    predict = "```predict\nname: p\nmodel: net\nx: [[0, 1]]\n```\n"
    convert("# A\n\n" + knobs + "\n" + predict + "\nLoss {mlpages fit-xor.loss}, {mlpages p[0]}.\n")
    messages = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert len(messages) == 2 and all("a reader's knobs change" in m for m in messages), messages


def test_code_and_fences_keep_the_syntax_as_written():
    text = (HEAD + CONV + "Write `{mlpages conv[0]}` for a value.\n\n"
            "```text\n{mlpages conv[1]}\n```\n\n    indented {mlpages conv[2]}\n")
    html = convert(text)
    assert "<code>{mlpages conv[0]}</code>" in html
    assert "{mlpages conv[1]}" in html
    assert len(values(html)) == 1  # an indented line may be a list's or an admonition's: read


def test_tokens_give_each_values_line():
    text = "a\n\nb {mlpages x[0]}\nc `{mlpages y}` {mlpages z.loss}\n```\n{mlpages w}\n```\n{mlpages v}"
    assert [(t.expression, t.line) for t in tokens(text)] == [("x[0]", 3), ("z.loss", 4), ("v", 8)]


def test_results_rows_and_numeric_questions_bind_a_convolution_output():
    table = ("```results\nname: t\nrows:\n  - {cell: conv, quantity: output, index: [1, 1]}\n"
             "  - {label: flat, cell: conv, index: 2}\n```\n\n")
    quiz = ("```quiz\nname: q\nquestion: The centre?\n"
            "answer_from: {cell: conv, quantity: output, index: [0, 1]}\n```\n")
    html = convert(HEAD + CONV + table + quiz)
    (raw,) = re.findall(r'class="mlpages-results-spec">(.*?)</script>', html)
    rows = json.loads(unescape(raw))[0]["rows"]
    assert [r["label"] for r in rows] == ["conv, output [1, 1]", "flat"]
    assert [webgl(r) for r in rows] == [CONV_OUT[3], CONV_OUT[2]]
    assert rows[0]["tolerance"] == {"rtol": 1e-3, "atol": 1e-5}
    (qraw,) = re.findall(r'class="mlpages-quiz-spec">(.*?)</script>', html)
    question = json.loads(unescape(qraw))[0]["questions"][0]
    assert question["from"]["index"] == 1 and webgl(question) == CONV_OUT[1]


HEAD_LINES = HEAD.count("\n")
CONV_LINES = CONV.count("\n")
SENTENCE = HEAD_LINES + CONV_LINES + 2  # the second line of the paragraph after CONV

ERRORS = [
    ("unknown cell", "{mlpages conf.output[0, 0]}",
     f"docs/ch1.md:{SENTENCE}: value 'conf.output[0, 0]': no train, predict, convolution or tfjs cell "
     "named 'conf' above this sentence (did you mean 'conv'?)"),
    ("row out of range", "{mlpages conv.output[2, 0]}",
     f"docs/ch1.md:{SENTENCE}: value 'conv.output[2, 0]': index [2, 0] is out of range: 'conv' "
     "outputs 2×2 values (index [row, column] with rows 0 to 1 and columns 0 to 1, or a flat index 0 to 3)"),
    ("flat out of range", "{mlpages conv[4]}",
     f"docs/ch1.md:{SENTENCE}: value 'conv[4]': index 4 is out of range"),
    ("three numbers", "{mlpages conv[1, 1, 1]}",
     f"docs/ch1.md:{SENTENCE}: value 'conv[1, 1, 1]': index [1, 1, 1] is out of range: 'conv' "
     "outputs 2×2 values"),
    ("not a number", "{mlpages conv[1, x]}",
     f"docs/ch1.md:{SENTENCE}: value 'conv[1, x]': the index [1, x] must be one whole number"),
    ("an epoch of a convolution", "{mlpages conv.output@1}",
     f"docs/ch1.md:{SENTENCE}: value 'conv.output@1': 'epoch' is for a train cell; 'conv' is a "
     "convolution cell"),
    ("wrong quantity", "{mlpages conv.outputs[0]}",
     f"docs/ch1.md:{SENTENCE}: value 'conv.outputs[0]': quantity 'outputs' is not one of a "
     "convolution cell 'conv': use output"),
    ("not a cell", "{mlpages digits[0]}",
     f"docs/ch1.md:{SENTENCE}: value 'digits[0]': 'digits' is a dataset block, not a train, "
     "predict, convolution or tfjs cell"),
    ("unreadable", "{mlpages conv output}",
     f"docs/ch1.md:{SENTENCE}: value 'conv output': write CELL.QUANTITY"),
    ("unknown mapping key", "{mlpages cell: conv, idx: 1}",
     f"docs/ch1.md:{SENTENCE}: value 'cell: conv, idx: 1': unknown key 'idx'"),
    ("too many digits", "{mlpages conv[0], 12 digits}",
     f"docs/ch1.md:{SENTENCE}: value 'conv[0], 12 digits': digits must be a whole number from 1 to 9"),
]


@pytest.mark.parametrize("case", [c[0] for c in ERRORS])
def test_mistakes_name_the_file_and_the_sentences_line(case, caplog):
    _, token, want = next(c for c in ERRORS if c[0] == case)
    dataset = "```dataset\nname: digits\ngenerate: digits\nn: 2\n```\n"
    html = convert(HEAD + CONV + f"A sentence\nwith {token} in it.\n\n" + dataset, path="docs/ch1.md")
    messages = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert len(messages) == 1 and messages[0].startswith(want), messages
    assert 'class="mlpages-value mlpages-value-error" role="alert"' in html


def test_a_cell_below_the_sentence_is_named_with_its_line(caplog):
    text = HEAD + "The centre is {mlpages conv.output[1, 1]}.\n\n" + CONV
    convert(text, path="docs/ch1.md")
    (message,) = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert message == (f"docs/ch1.md:{HEAD_LINES + 1}: value 'conv.output[1, 1]': the convolution "
                       f"cell 'conv' is below this sentence (line {HEAD_LINES + 3}); a sentence can "
                       "use only cells defined above it")


def test_a_strict_build_fails_with_the_line_after_front_matter(tmp_path):
    page = "---\ntitle: Front\n---\n\n# T\n\n" + CONV + "Its centre\nis {mlpages conv.output[5, 5]}.\n"
    project = write_project(tmp_path, {"index.md": page})
    strict = build(project)
    assert strict.returncode != 0
    line = 6 + CONV_LINES + 2
    message = f"docs/index.md:{line}: value 'conv.output[5, 5]': index [5, 5] is out of range"
    assert message in strict.stderr
    assert "Traceback" not in strict.stderr
    # Built anyway, the page holds the message where the number would be, and the site's
    # author errors (verify, `mlpages assets`) list it like a block's.
    assert build(project, strict=False).returncode == 0
    (error,) = site_errors(project / "site")
    assert error.startswith(message)


def test_the_demo_sentences_follow_the_kernel_in_the_markdown(tmp_path):
    """Build the convolution page twice in one project (its reference cache kept): a heavier
    centre weight in the Markdown changes the worked numbers in the sentences."""
    text = (ROOT / "docs" / "course" / "convolution.md").read_text(encoding="utf-8")
    heavier = text.replace("  - [-1, 5, -1]\n", "  - [-1, 6, -1]\n", 1)
    assert heavier != text
    project = write_project(tmp_path, {"convolution.md": text, "cnn-digits.md": "# Next\n"})
    shown = []
    for page in (text, heavier):
        (project / "docs" / "convolution.md").write_text(page, encoding="utf-8")
        result = build(project)
        assert result.returncode == 0, result.stderr
        html = (project / "site" / "convolution" / "index.html").read_text(encoding="utf-8")
        shown.append([v["shown"] for v in values(html)])
    # Each output gains one more times its centre pixel: 8, 2, 2 and 2.
    assert shown == [["20", "-4", "2", "6"], ["28", "-2", "4", "8"]]


def test_inline_values_are_documented():
    authoring = (ROOT / "docs" / "reference" / "authoring.md").read_text(encoding="utf-8")
    assert "{mlpages conv.output[1, 1]}" in authoring
    assert Path(ROOT / "runtime" / "inline.js").is_file()
