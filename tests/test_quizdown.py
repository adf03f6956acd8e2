"""Hugo quizdown blocks: parsing, rendering as quizzes, YAML round trip, `mlpages quiz convert`."""

from __future__ import annotations

import json
import re
import stat
import subprocess
import sys
from html import unescape

import pytest
from mdhelpers import convert
from mlpages import quizdown
from mlpages.cli import main
from mlpages.yaml12 import load

HEAD = "# Neural networks\n\nSome prose first.\n\n"  # a block appended to HEAD opens on line 5

# Ten questions in our own words, written with every construct found in published quizdown
# blocks (quizdown-js's docs and Hugo course pages): options headers for the block (snake_case)
# and for one question (camelCase, blank lines inside), headings of levels 1 to 4 (one with
# closing hashes), `1. [x]` radios, `- [x]` / `-   [X]` / `* [ ]` checkboxes (one with a single
# right answer), feedback indented under answers, hints before the answers (with a link and
# math), explanations after them (a bold label; two paragraphs), a fenced code block with a
# `#` comment, display math, an image, a loose list, two blank lines between questions, and a
# sequence numbered 1. 2. 3. 4.
TEN = """\
{{< quizdown >}}

---
primary_color: steelblue
secondary_color: '#f2f2f2'
text_color: black
shuffle_answers: false
shuffle_questions: false
locale: en
---

### Which gate can a single neuron not learn?

> Think of a single straight line through the unit square.

1. [ ] AND
1. [x] XOR
    > Right: its two classes sit on opposite corners.
1. [ ] OR
    > OR is linearly separable: one line does it.

> One line cannot separate XOR's corners; a hidden layer bends the boundary.


## Pick the activation functions that are nonlinear (select all that apply)

-   [X] `relu`
-   [ ] `linear`
    > A stack of linear layers is still one linear map.
-   [x] `tanh`
-   [x] `sigmoid`

#### What does this code print?

---
shuffleAnswers: false
---

```python
# the mean of three integers
import numpy as np
x = np.array([1, 2, 3])
print(x.mean())
```

1. [x] `2.0`
1. [ ] `2`
    > NumPy's mean is a float.
1. [ ] `6`

### Which loss fits a binary classifier with a sigmoid output?

- [ ] mean squared error
- [x] binary cross-entropy
- [ ] categorical hinge

> **Explanation:** Cross-entropy is the negative log-likelihood of a Bernoulli output.

### Which of these are **hyperparameters**?

> They are chosen before training, not learned; see [the XOR chapter](xor.md).

* [x] the learning rate

* [ ] the weights
    > Weights are what training learns.

* [x] the batch size

* [ ] the biases

# Gradient descent moves the weights ... #

---

shuffle_answers: false

---

Think of the sign of the update.

1. [ ] along the gradient
1. [x] against the gradient
1. [ ] at random

### What is the logistic sigmoid at zero?

The sigmoid is
$$
\\sigma(z) = \\frac{1}{1 + e^{-z}}
$$

> Recall that $e^0 = 1$.

1. [ ] $\\sigma(0) = 0$
1. [x] $\\sigma(0) = 0.5$, *exactly* one half
1. [ ] $\\sigma(0) = 1$

### Overfitting shows as

![Training and validation loss](img/curves.png)

- [x] a training loss far below the validation loss
- [ ] a validation loss far below the training loss
- [ ] both losses equal

> Watch `val_loss` during `fit`.
>
> Early stopping ends training when it turns up.

### How many parameters has `Dense(3)` on 4 inputs?

1. [ ] 12
1. [x] 15
    > 4 × 3 weights plus 3 biases.
1. [ ] 7

### Put one training step in order

Each step needs the one before it.

> The loss needs a prediction first.

1. forward pass
2. compute the loss
3. backward pass
4. update the weights
{{< /quizdown >}}
"""

CORRECT = [[1], [0, 2, 3], [0], [1], [0, 2], [1], [1], [0], [1], None]


def spec_of(html: str) -> dict:
    match = re.search(r'<script type="application/json" class="mlpages-quiz-spec">(.*?)</script>', html)
    assert match, html
    value = json.loads(match.group(1))
    assert isinstance(value, list) and len(value) == 1
    return value[0]


def one_error(text: str, warnings_log) -> str:
    html = convert(HEAD + text, path="docs/ch1.md")
    messages = warnings_log()
    assert len(messages) == 1, messages
    assert 'class="mlpages-error' in html and messages[0] in unescape(html)
    return messages[0]


def test_ten_questions_render_with_the_boxed_answers_correct(warnings_log):
    html = convert(HEAD + TEN, path="docs/ch1.md")
    assert warnings_log() == []
    assert "quizdown" not in html and "shuffle" not in html  # the options headers are gone
    spec = spec_of(html)
    assert len(spec["questions"]) == 10
    assert [q.get("correct") for q in spec["questions"]] == CORRECT
    assert [q["type"] for q in spec["questions"]] == [
        "single", "multiple", "single", "multiple", "multiple", "single", "single", "multiple", "single",
        "order"]
    first = spec["questions"][0]
    assert "single straight line" in first["hint"]
    assert "opposite corners" in first["feedback"][1] and first["feedback"][0] is None
    assert "hidden layer" in first["explanation"]
    assert "weights plus 3 biases" in spec["questions"][8]["feedback"][1]
    assert '<code class="language-python">' in html or "highlight" in html  # code in a question
    assert "# the mean of three integers" in unescape(html)  # a comment, not a heading
    assert "<code>relu</code>" in html
    assert "<strong>Explanation:</strong>" in spec["questions"][3]["explanation"]
    assert '<a href="xor.md">the XOR chapter</a>' in spec["questions"][4]["hint"]
    assert '<img alt="Training and validation loss" src="img/curves.png"' in html
    assert spec["questions"][7]["explanation"].count("<p>") == 2
    assert "<em>exactly</em>" in html and "\\frac{1}{1 + e^{-z}}" in html
    assert "Gradient descent moves the weights ..." in html and "#</legend>" not in html
    assert html.count("<select ") == 4 and 'aria-label="Position of compute the loss"' in html


def test_parse_shape():
    questions = quizdown.parse(TEN.split("\n", 1)[1].rsplit("{{<", 1)[0])
    assert len(questions) == 10
    assert questions[0] == {
        "question": "Which gate can a single neuron not learn?",
        "hint": "Think of a single straight line through the unit square.",
        "answers": [
            {"text": "AND", "correct": False},
            {"text": "XOR", "correct": True, "feedback": "Right: its two classes sit on opposite corners."},
            {"text": "OR", "correct": False, "feedback": "OR is linearly separable: one line does it."},
        ],
        "explanation": "One line cannot separate XOR's corners; a hidden layer bends the boundary.",
    }
    assert questions[1]["multiple"] is True and "multiple" not in questions[0]
    assert questions[1]["question"] == ("Pick the activation functions that are nonlinear "
                                        "(select all that apply)")
    assert questions[1]["answers"][0] == {"text": "`relu`", "correct": True}  # [X]
    assert questions[1]["answers"][1]["feedback"] == "A stack of linear layers is still one linear map."
    assert questions[2]["question"].startswith("What does this code print?\n\n```python\n# the mean")
    # checkboxes with a single right answer stay checkboxes, as in quizdown-js
    assert questions[3]["multiple"] is True and [a["correct"] for a in questions[3]["answers"]] == [
        False, True, False]
    assert [a["text"] for a in questions[4]["answers"]] == [
        "the learning rate", "the weights", "the batch size", "the biases"]  # a loose list
    assert questions[4]["answers"][1]["feedback"] == "Weights are what training learns."
    assert questions[5]["question"] == ("Gradient descent moves the weights ...\n\n"
                                        "Think of the sign of the update.")
    assert "$$\n\\sigma(z)" in questions[6]["question"] and questions[6]["hint"] == "Recall that $e^0 = 1$."
    assert questions[7]["question"].endswith("![Training and validation loss](img/curves.png)")
    assert questions[7]["explanation"] == (
        "Watch `val_loss` during `fit`.\n\nEarly stopping ends training when it turns up.")
    assert questions[9] == {
        "question": "Put one training step in order\n\nEach step needs the one before it.",
        "type": "order", "hint": "The loss needs a prediction first.",
        "answers": ["forward pass", "compute the loss", "backward pass", "update the weights"]}


@pytest.mark.parametrize("text, expected", [
    # quizdown-js's own camelCase option names, in the block's header
    ("---\nprimaryColor: '#FF851B'\nsecondaryColor: '#DDD'\ntextColor: black\nlocale: de\n"
     "shuffleQuestions: true\nnQuestions: 2\n---\n\n#### Q\n\n1. [x] a\n1. [ ] b\n", "Q"),
    ("### Title ###\n1. [x] a\n1. [ ] b\n", "Title"),  # closing hashes
    ("### Is C# typed?\n1. [x] a\n1. [ ] b\n", "Is C# typed?"),  # a hash inside is text
    ("### Q\n\n---\nshuffle_answers: true\n---\n1. [x] a\n1. [ ] b\n", "Q"),  # a question's header
    # the true-or-false form of published course pages: two checkboxes, a bold-labelled explanation
    ("### True or False: one neuron learns XOR.\n\n- [ ] True\n- [x] False\n\n"
     "> **Explanation:** one line cannot split its corners.\n", "True or False: one neuron learns XOR."),
])
def test_quizdown_variants(text, expected):
    (q,) = quizdown.parse(text)
    assert q["question"] == expected and sorted(a["correct"] for a in q["answers"]) == [False, True]


def test_a_misspelt_option_is_an_error_with_a_suggestion():
    misspelt = r"'shuffleAnsers'.*did you mean 'shuffleAnswers'"
    with pytest.raises(quizdown.QuizdownError, match=misspelt) as exc:
        quizdown.parse("### Q\n\n---\nshuffleAnsers: false\n---\n\n- [x] a\n- [ ] b\n")
    assert exc.value.line == 3


def test_yaml_round_trip_is_lossless():
    (block,) = quizdown.find_blocks(TEN)
    questions = quizdown.parse(block.content)
    assert load(quizdown.to_yaml(questions))["questions"] == questions
    tricky = [{"question": "yes", "answers": [{"text": "1e3", "correct": True},
                                              {"text": "on: off", "correct": False},
                                              {"text": "a\nb", "correct": False, "feedback": "null"}]}]
    assert load(quizdown.to_yaml(tricky))["questions"] == tricky


def test_converted_markdown_renders_the_same_quiz():
    converted = quizdown.convert_markdown(HEAD + TEN)
    assert "{{<" not in converted and "```quiz" in converted
    assert spec_of(convert(converted, path="docs/ch1.md")) == spec_of(convert(HEAD + TEN, path="docs/ch1.md"))


def test_blocks_inside_code_fences_stay_examples():
    text = "````markdown\n{{< quizdown >}}\n### Q\n1. [x] a\n1. [ ] b\n{{< /quizdown >}}\n````\n"
    assert quizdown.find_blocks(text) == []
    assert "{{&lt; quizdown &gt;}}" in convert(text) or "{{< quizdown >}}" in unescape(convert(text))


ORDERING = "{{< quizdown >}}\n### Put the steps in order\n1. forward pass\n2. loss\n3. backward pass\n" \
           "{{< /quizdown >}}\n"


def test_ordering_question_parses_and_renders(warnings_log):
    (q,) = quizdown.parse(ORDERING.split("\n", 1)[1].rsplit("{{<", 1)[0])
    assert q == {"question": "Put the steps in order", "type": "order",
                 "answers": ["forward pass", "loss", "backward pass"]}
    html = convert(HEAD + ORDERING, path="docs/ch1.md")
    assert warnings_log() == []
    assert "not supported" not in html and 'class="mlpages-error' not in html
    (spec,) = spec_of(html)["questions"]
    assert spec["type"] == "order" and spec["answers"] == 3 and spec["shown"] != [0, 1, 2]
    assert html.count("<select ") == 3 and 'aria-label="Position of loss"' in html


def test_converted_ordering_question_still_renders(tmp_path, warnings_log):
    page = tmp_path / "page.md"
    page.write_text(HEAD + ORDERING, encoding="utf-8")
    assert main(["quiz", "convert", str(page)]) == 0
    text = page.read_text(encoding="utf-8")
    assert "{{<" not in text and "type: order" in text
    converted = convert(text, path="docs/ch1.md")
    assert warnings_log() == []
    assert spec_of(converted) == spec_of(convert(HEAD + ORDERING, path="docs/ch1.md"))


def test_error_in_a_block_points_at_the_block(warnings_log):
    text = TEN.replace("1. [x] 15", "1. [ ] 15")
    message = one_error(text, warnings_log)
    assert message.startswith("docs/ch1.md:5: quiz ")
    assert "question 9: no answer is marked" in message


def test_unreadable_block_points_at_its_line(warnings_log):
    text = "{{< quizdown >}}\n---\ncolour: red\n---\n### Q\n1. [x] a\n1. [ ] b\n{{< /quizdown >}}\n"
    message = one_error(text, warnings_log)
    assert message.startswith("docs/ch1.md:7: quiz ")  # the option's line
    assert "unknown quizdown option 'colour'" in message


def test_lines_after_a_converted_block_stay_right(warnings_log):
    text = TEN + "\n```quiz\nquestion: Q\nanswers: [a, b]\n```\n"
    message = one_error(text, warnings_log)
    line = (HEAD + text).split("\n").index("answers: [a, b]") + 1
    assert message.startswith(f"docs/ch1.md:{line}: ")


@pytest.mark.parametrize("bad, fragment", [
    ("### Q\n- a\n- b\n", "answers need a box"),
    ("### Q\n- [x] a\n1. [ ] b\n", "mixes"),
    ("### Q\nno answers here\n", "has no answers"),
    ("stray\n### Q\n1. [x] a\n", "text before the first question"),
    ("### Q\n1. [x] a\n1. [ ] b\n\ntrailing words\n", "explanation"),
])
def test_parse_errors(bad, fragment):
    with pytest.raises(quizdown.QuizdownError, match=fragment):
        quizdown.parse(bad)


def test_cli_convert_and_check(tmp_path, capsys):
    page = tmp_path / "page.md"
    page.write_text(HEAD + TEN, encoding="utf-8")
    assert main(["quiz", "convert", "--check", str(page)]) == 1
    assert page.read_text(encoding="utf-8") == HEAD + TEN  # --check writes nothing
    assert main(["quiz", "convert", str(page)]) == 0
    text = page.read_text(encoding="utf-8")
    # a question holds a ``` code block, so the fence is longer
    assert "{{<" not in text and text.startswith(HEAD + "````quiz\nquestions:\n")
    assert main(["quiz", "convert", "--check", str(page)]) == 0
    assert "would convert 1 quizdown block" in capsys.readouterr().out
    (block,) = quizdown.find_blocks(TEN)
    body = text[len(HEAD):].split("\n", 1)[1].split("\n````\n", 1)[0]
    assert load(body)["questions"] == quizdown.parse(block.content)


def test_cli_reports_unreadable_blocks(tmp_path, capsys):
    page = tmp_path / "page.md"
    original = HEAD + "{{< quizdown >}}\n### Q\n- a\n- b\n{{< /quizdown >}}\n"
    page.write_text(original, encoding="utf-8")
    assert main(["quiz", "convert", str(page)]) == 2
    assert f"{page}:7: quizdown: question 1" in capsys.readouterr().err
    assert page.read_text(encoding="utf-8") == original


# A Python that runs `mlpages quiz convert` with files limited to `limit` bytes: writing past
# the limit fails with EFBIG (SIGXFSZ ignored) the way a full disk fails a write halfway.
_LIMITED_CONVERT = """\
import resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
limit = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
from mlpages.cli import main
raise SystemExit(main(["quiz", "convert", *sys.argv[2:]]))
"""


def test_a_failed_write_leaves_the_original_untouched(tmp_path):
    page = tmp_path / "page.md"
    original = (HEAD + TEN).encode("utf-8")
    page.write_bytes(original)
    limit = len(original) // 2  # the converted page is longer than this
    done = subprocess.run([sys.executable, "-c", _LIMITED_CONVERT, str(limit), str(page)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert page.read_bytes() == original
    assert f"mlpages quiz convert: {page}: could not write the converted file" in done.stderr
    assert "left unchanged" in done.stderr and "Traceback" not in done.stderr
    assert "converted" not in done.stdout
    assert [p.name for p in tmp_path.iterdir()] == ["page.md"]  # no temporary file left behind


def test_convert_keeps_the_file_mode(tmp_path):
    page = tmp_path / "page.md"
    page.write_text(HEAD + ORDERING, encoding="utf-8")
    page.chmod(0o640)
    assert main(["quiz", "convert", str(page)]) == 0
    assert "```quiz" in page.read_text(encoding="utf-8")
    assert stat.S_IMODE(page.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["page.md"]


def test_convert_through_a_symbolic_link_rewrites_its_target(tmp_path):
    target = tmp_path / "real.md"
    target.write_text(HEAD + ORDERING, encoding="utf-8")
    link = tmp_path / "page.md"
    link.symlink_to(target)
    assert main(["quiz", "convert", str(link)]) == 0
    assert link.is_symlink() and "```quiz" in target.read_text(encoding="utf-8")


def test_convert_sees_a_block_after_a_byte_order_mark_and_keeps_the_mark(tmp_path, warnings_log):
    page = tmp_path / "page.md"
    page.write_bytes(b"\xef\xbb\xbf" + ORDERING.encode("utf-8"))
    assert main(["quiz", "convert", str(page)]) == 0
    data = page.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf```quiz\n") and b"{{<" not in data
    text = data.decode("utf-8-sig")
    assert spec_of(convert(text, path="docs/ch1.md")) == spec_of(convert(ORDERING, path="docs/ch1.md"))
    assert warnings_log() == []


def test_convert_says_nothing_untrue_about_ordering_questions(tmp_path, capsys):
    page = tmp_path / "page.md"
    page.write_text(HEAD + ORDERING, encoding="utf-8")
    assert main(["quiz", "convert", str(page)]) == 0
    out = capsys.readouterr()
    assert "not supported" not in out.err + out.out
    assert out.out.strip() == f"{page}: converted 1 quizdown block"


QUIZDOWN_EXAMPLE = "{{< quizdown >}}\n### Q\n1. [x] a\n1. [ ] b\n{{< /quizdown >}}"
HIDDEN = {
    "indented code": "Write a quiz like this:\n\n" + "\n".join(
        "    " + ln for ln in QUIZDOWN_EXAMPLE.split("\n")) + "\n\nand it becomes a quiz.\n",
    "HTML comment": "Soon:\n\n<!-- a quiz for later\n" + QUIZDOWN_EXAMPLE + "\n-->\n\nThe end.\n",
    "one-line comment": "<!-- " + QUIZDOWN_EXAMPLE.replace("\n", " ") + " -->\n",
}


@pytest.mark.parametrize("where", sorted(HIDDEN))
def test_blocks_in_indented_code_and_comments_are_left_alone(where, tmp_path, capsys, warnings_log):
    text = HEAD + HIDDEN[where]
    assert quizdown.find_blocks(text) == []
    assert quizdown.convert_markdown(text) == text
    html = convert(text, path="docs/ch1.md")
    assert "mlpages-quiz" not in html and warnings_log() == []
    page = tmp_path / "page.md"
    page.write_text(text, encoding="utf-8")
    assert main(["quiz", "convert", str(page)]) == 0
    assert page.read_text(encoding="utf-8") == text
    assert capsys.readouterr().out == ""


def test_an_indented_block_inside_a_list_item_or_admonition_is_still_quizdown():
    nested = "\n".join("    " + ln for ln in QUIZDOWN_EXAMPLE.split("\n"))
    for opener in ("- a list item", "!!! note"):
        assert len(quizdown.find_blocks(f"{opener}\n\n{nested}\n")) == 1, opener
