"""Hugo quizdown blocks: parsing, rendering as quizzes, YAML round trip, `mlpages quiz convert`."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest
from mdhelpers import convert
from mlpages import quizdown
from mlpages.cli import main
from mlpages.yaml12 import load

HEAD = "# Neural networks\n\nSome prose first.\n\n"  # a block appended to HEAD opens on line 5

TEN = """\
{{< quizdown >}}
---
primary_color: steelblue
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

### Pick the activation functions that are nonlinear

- [x] `relu`
- [ ] `linear`
- [x] `tanh`
- [x] `sigmoid`

### What does this code print?

```python
import numpy as np
x = np.array([1, 2, 3])
print(x.mean())
```

1. [x] `2.0`
1. [ ] `2`
    > NumPy's mean is a float.
1. [ ] `6`

### Which loss fits a binary classifier with a sigmoid output?

1. [ ] mean squared error
1. [x] binary cross-entropy
1. [ ] categorical hinge

> Cross-entropy is the negative log-likelihood of a Bernoulli output.

### Which of these are **hyperparameters**?

> They are chosen before training, not learned.

- [x] the learning rate
- [ ] the weights
    > Weights are what training learns.
- [x] the batch size
- [ ] the biases

### Gradient descent moves the weights ...

1. [ ] along the gradient
1. [x] against the gradient
1. [ ] at random

### What is $\\sigma(0)$ for the logistic sigmoid?

1. [ ] 0
1. [x] 0.5
1. [ ] 1

### Overfitting shows as

- [x] a training loss far below the validation loss
- [ ] a validation loss far below the training loss
- [ ] both losses equal

> Watch `val_loss` during `fit`.

### How many parameters has `Dense(3)` on 4 inputs?

1. [ ] 12
1. [x] 15
    > 4 × 3 weights plus 3 biases.
1. [ ] 7

### One epoch is

1. [x] one pass over the training set
1. [ ] one batch
1. [ ] one weight update
{{< /quizdown >}}
"""

CORRECT = [[1], [0, 2, 3], [0], [1], [0, 2], [1], [1], [0], [1], [0]]


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
    assert "quizdown" not in html
    spec = spec_of(html)
    assert len(spec["questions"]) == 10
    assert [q["correct"] for q in spec["questions"]] == CORRECT
    assert [q["type"] for q in spec["questions"]] == [
        "single", "multiple", "single", "single", "multiple", "single", "single", "multiple", "single",
        "single"]
    first = spec["questions"][0]
    assert "single straight line" in first["hint"]
    assert "opposite corners" in first["feedback"][1] and first["feedback"][0] is None
    assert "hidden layer" in first["explanation"]
    assert "weights plus 3 biases" in spec["questions"][8]["feedback"][1]
    assert '<code class="language-python">' in html or "highlight" in html  # code in a question
    assert "<code>relu</code>" in html


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
    assert questions[2]["question"].startswith("What does this code print?\n\n```python\nimport numpy")


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
