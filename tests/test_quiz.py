"""The `quiz` block: rendering without JavaScript, the spec, banks and author mistakes."""

from __future__ import annotations

import json
import re
import shutil
from html import unescape
from pathlib import Path

import pytest
from mdhelpers import ROOT, XOR_CELLS, convert, specs_by_name
from mlpages.blocks.quiz import scramble
from sitebuild import build, write_project

HEAD = "# Quiz\n\n"  # a block appended to HEAD opens on line 3

ONE = """\
```quiz
name: q
question: Is `x` **big**?
hint: Think of $x^2$.
answers:
  - Yes
  - text: No
    correct: true
    feedback: Right, `x` is small.
  - 42
explanation: Because it is.
```
"""


def spec_of(html: str) -> dict:
    match = re.search(r'<script type="application/json" class="mlpages-quiz-spec">(.*?)</script>', html)
    assert match, html
    value = json.loads(match.group(1))
    assert isinstance(value, list) and len(value) == 1
    return value[0]


def one_error(text: str, warnings_log, **config) -> str:
    html = convert(HEAD + text, path="docs/ch1.md", **config)
    messages = warnings_log()
    assert len(messages) == 1, messages
    assert 'class="mlpages-error' in html
    assert messages[0] in unescape(html)
    return messages[0]


def test_single_question_renders_as_a_form(warnings_log):
    html = convert(HEAD + ONE, path="docs/ch1.md")
    assert warnings_log() == []
    assert '<div class="mlpages-quiz" id="mlp-ch1-q" data-mlpages-quiz data-mlpages-name="q">' in html
    assert "data-mlpages-kind" not in html  # a quiz is not an ML cell
    assert 'id="mlpages-page"' not in html  # the page meta belongs to pages with cells
    assert "<legend>Is <code>x</code> <strong>big</strong>?</legend>" in html
    assert html.count('type="radio"') == 3 and 'type="checkbox"' not in html
    labels = re.findall(r'<label for="([^"]+)">(.*?)</label>', html)
    assert [text for _, text in labels] == ["Yes", "No", "42"]  # YAML 1.2: Yes stays a string
    for target, _ in labels:
        assert f'id="{target}"' in html
    assert '<details class="mlpages-quiz-hint"><summary data-mlpages-nosearch>Hint</summary>' in html
    assert ('<details class="mlpages-quiz-solution"><summary data-mlpages-nosearch>Show the answer'
            '</summary>') in html
    assert "<details open" not in html.replace("mlpages-details", "")
    assert '<span class="arithmatex">\\(x^2\\)</span>' in html  # inline math survives


def test_spec_holds_grading_data():
    spec = spec_of(convert(HEAD + ONE, path="docs/ch1.md"))
    assert spec["schema"] == 1 and spec["kind"] == "quiz"
    assert spec["id"] == "mlp-ch1-q" and spec["page"] == "ch1"
    (q,) = spec["questions"]
    assert q["id"] == "q-1" and q["type"] == "single" and q["answers"] == 3
    assert q["correct"] == [1]
    assert q["feedback"][0] is None and q["feedback"][2] is None
    assert "<code>x</code>" in q["feedback"][1]
    assert "arithmatex" in q["hint"] and q["explanation"] == "<p>Because it is.</p>"


def test_list_of_questions_and_multiple_choice():
    html = convert(HEAD + """\
```quiz
questions:
  - question: Pick the even numbers.
    id: evens
    multiple: true
    answers:
      - {text: 2, correct: true}
      - {text: 3}
      - {text: 4, correct: true}
  - question: "no: is this a string?"
    answers: [no, {text: yes, correct: true}]
```
""")
    spec = spec_of(html)
    assert [q["id"] for q in spec["questions"]] == ["evens", "quiz-1-2"]
    assert spec["questions"][0]["type"] == "multiple" and spec["questions"][0]["correct"] == [0, 2]
    assert html.count('type="checkbox"') == 3 and html.count('type="radio"') == 2
    assert ">no</label>" in html and ">yes</label>" in html


def test_include_bank_and_pick_questions(warnings_log):
    html = convert(HEAD + "```quiz\ninclude: quizzes/neural-networks.yml\n"
                   "questions: [xor-hidden, overfitting-signs]\n```\n", path="docs/ch1.md")
    assert warnings_log() == []
    spec = spec_of(html)
    assert [q["id"] for q in spec["questions"]] == ["xor-hidden", "overfitting-signs"]
    whole = spec_of(convert(HEAD + "```quiz\ninclude: quizzes/neural-networks.yml\n```\n"))
    assert len(whole["questions"]) >= 3


def test_quizzes_dir_option(tmp_path, warnings_log):
    (tmp_path / "bank.yml").write_text("- id: a\n  question: Q?\n  answers: [x, {text: y, correct: true}]\n")
    spec = spec_of(convert(HEAD + "```quiz\ninclude: quizzes/bank.yml\n```\n", quizzes_dir=str(tmp_path)))
    assert warnings_log() == []
    assert spec["questions"][0]["correct"] == [1]


def test_quiz_only_page_gets_the_script():
    html = convert(HEAD + ONE, script="/assets/mlpages/mlpages.js")
    assert '<script type="module" src="/assets/mlpages/mlpages.js"></script>' in html


ORDER = """\
```quiz
name: o
question: Put the steps of training in order.
type: order
answers:
  - forward pass
  - text: compute the **loss**
    feedback: After the forward pass.
  - backward pass
  - update the weights
explanation: Forward, loss, backward, update.
```
"""


def test_ordering_question_renders_scrambled_with_position_selects(warnings_log):
    html = convert(HEAD + ORDER, path="docs/ch1.md")
    assert warnings_log() == []
    (q,) = spec_of(html)["questions"]
    assert q["type"] == "order" and q["answers"] == 4 and "correct" not in q
    assert sorted(q["shown"]) == [0, 1, 2, 3] and q["shown"] != [0, 1, 2, 3]
    assert q["feedback"][0] is None and q["feedback"][1] == "<p>After the forward pass.</p>"
    assert 'data-mlpages-type="order"' in html and 'type="radio"' not in html
    items = ["forward pass", "compute the <strong>loss</strong>", "backward pass", "update the weights"]
    form, solution = html.split('<details class="mlpages-quiz-solution">')
    # The page shows the items in the spec's `shown` order, each with a labelled select of positions.
    selects = re.findall(r'<select id="([^"]+)" name="[^"]+" data-mlpages-item="(\d)" '
                         r'aria-label="([^"]+)">(.*?)</select> <label for="([^"]+)">(.*?)</label>', form)
    assert [int(item) for _, item, *_ in selects] == q["shown"]
    for sid, item, aria, options, target, label in selects:
        assert sid == target and label == items[int(item)]
        assert aria == "Position of " + re.sub(r"</?strong>", "", items[int(item)])
        assert re.findall(r'<option value="(\d*)"', options) == ["", "1", "2", "3", "4"]
    assert "Put the items in order" in form
    # "Show the answer" (closed) lists the right order, with the feedback.
    assert "<details open" not in html.replace("mlpages-details", "")
    feedback = r'(?:<div class="mlpages-quiz-feedback-text" data-mlpages-answer="\d+"><p>.*?</p></div>)?'
    assert re.findall(rf"<li>(.*?){feedback}</li>", solution.split("<ol>")[1].split("</ol>")[0]) == items
    assert "<p>After the forward pass.</p>" in solution
    assert "<p>Forward, loss, backward, update.</p>" in solution


@pytest.mark.parametrize("n", [2, 3, 5, 8])
def test_scramble_is_fixed_and_never_the_right_order(n):
    for i in range(300):
        shown = scramble(f"q-{i}", n)
        assert sorted(shown) == list(range(n)) and shown != list(range(n))
        assert scramble(f"q-{i}", n) == shown
    assert len({tuple(scramble(f"q-{i}", 5)) for i in range(50)}) > 10  # it does depend on the id


def test_ordering_question_in_a_bank(tmp_path, warnings_log):
    (tmp_path / "bank.yml").write_text("- id: steps\n  type: order\n  answers: [a, b, c]\n"
                                       "  question: Order them.\n")
    spec = spec_of(convert(HEAD + "```quiz\ninclude: quizzes/bank.yml\n```\n", quizzes_dir=str(tmp_path)))
    assert warnings_log() == []
    (q,) = spec["questions"]
    assert q["type"] == "order" and q["shown"] == scramble("steps", 3)


def _answers(*lines: str) -> str:
    return "answers:\n" + "".join(f"  - {line}\n" for line in lines)


CASES = [
    ("no correct answer",
     "```quiz\nname: q\nquestion: Q?\n" + _answers("a", "b") + "```\n",
     "docs/ch1.md:6: quiz 'q': no answer is marked 'correct: true'"),
    ("two correct, single choice",
     "```quiz\nname: q\nquestion: Q?\n" + _answers("{text: a, correct: true}", "{text: b, correct: true}")
     + "```\n",
     "docs/ch1.md:6: quiz 'q': 2 answers are marked correct; a single-choice question has exactly one "
     "(add 'multiple: true' for several)"),
    ("empty question",
     "```quiz\nname: q\nquestion: '  '\n" + _answers("{text: a, correct: true}", "b") + "```\n",
     "docs/ch1.md:5: quiz 'q': 'question' is empty"),
    ("empty answer text",
     "```quiz\nname: q\nquestion: Q?\n" + _answers("{text: a, correct: true}", "''") + "```\n",
     "docs/ch1.md:8: quiz 'q': answer 2 is empty"),
    ("one answer only",
     "```quiz\nname: q\nquestion: Q?\n" + _answers("{text: a, correct: true}") + "```\n",
     "docs/ch1.md:6: quiz 'q': 'answers' must be a list of at least two answers"),
    ("unknown key",
     "```quiz\nname: q\nquestion: Q?\nexplenation: x\n" + _answers("{text: a, correct: true}", "b")
     + "```\n",
     "docs/ch1.md:6: quiz 'q': unknown key 'explenation' (did you mean 'explanation'?)"),
    ("unknown answer key",
     "```quiz\nname: q\nquestion: Q?\n" + _answers("{text: a, corect: true}", "b") + "```\n",
     "docs/ch1.md:7: quiz 'q': answer 1: unknown key 'corect' (did you mean 'correct'?)"),
    ("question in a list",
     "```quiz\nname: q\nquestions:\n  - question: Q?\n    answers: [a, b]\n```\n",
     "docs/ch1.md:7: quiz 'q': question 1: no answer is marked 'correct: true'"),
    ("duplicate ids in a quiz",
     "```quiz\nname: q\nquestions:\n  - {id: a, question: Q, answers: [x, {text: y, correct: true}]}\n"
     "  - {id: a, question: R, answers: [x, {text: y, correct: true}]}\n```\n",
     "docs/ch1.md:7: quiz 'q': question id 'a' is already used by this quiz"),
    ("missing bank",
     "```quiz\nname: q\ninclude: quizzes/nope.yml\n```\n",
     "docs/ch1.md:5: quiz 'q': quiz bank 'quizzes/nope.yml' not found"),
    ("bank escape",
     "```quiz\nname: q\ninclude: quizzes/../mkdocs.yml\n```\n",
     "docs/ch1.md:5: quiz 'q': 'include' must be a path inside quizzes/"),
    ("unknown bank id",
     "```quiz\nname: q\ninclude: quizzes/neural-networks.yml\nquestions: [xor-hiden]\n```\n",
     "docs/ch1.md:6: quiz 'q': quizzes/neural-networks.yml has no question with id 'xor-hiden' "
     "(did you mean 'xor-hidden'?)"),
    ("no content",
     "```quiz\nname: q\n```\n",
     "docs/ch1.md:3: quiz 'q': a quiz needs 'question' (one question), 'questions' (a list) or 'include'"),
    ("ordering: one item",
     "```quiz\nname: q\nquestion: Q?\ntype: order\n" + _answers("a") + "```\n",
     "docs/ch1.md:7: quiz 'q': 'answers' of an ordering question must be a list of at least two items"),
    ("ordering: empty item",
     "```quiz\nname: q\nquestion: Q?\ntype: order\n" + _answers("a", "''", "c") + "```\n",
     "docs/ch1.md:9: quiz 'q': item 2 is empty"),
    ("ordering: correct key",
     "```quiz\nname: q\nquestion: Q?\ntype: order\n" + _answers("a", "{text: b, correct: true}") + "```\n",
     "docs/ch1.md:9: quiz 'q': item 2: an ordering question has no 'correct' (list its items in the right "
     "order)"),
    ("ordering: multiple key",
     "```quiz\nname: q\nquestion: Q?\ntype: order\nmultiple: false\n" + _answers("a", "b") + "```\n",
     "docs/ch1.md:7: quiz 'q': an ordering question has no 'multiple'"),
    ("ordering: repeated item",
     "```quiz\nname: q\nquestion: Q?\ntype: order\n" + _answers("a", "b", "a") + "```\n",
     "docs/ch1.md:10: quiz 'q': item 3 repeats item 1 ('a')"),
    ("ordering: in a list",
     "```quiz\nname: q\nquestions:\n  - question: Q?\n    type: order\n    answers: [a]\n```\n",
     "docs/ch1.md:8: quiz 'q': question 1: 'answers' of an ordering question must be a list"),
    ("unknown type",
     "```quiz\nname: q\nquestion: Q?\ntype: sort\n" + _answers("a", "b") + "```\n",
     "docs/ch1.md:6: quiz 'q': 'type' must be 'order' (an ordering question), got 'sort'"),
    ("multiple not a bool",
     "```quiz\nname: q\nquestion: Q?\nmultiple: yes\n" + _answers("{text: a, correct: true}", "b")
     + "```\n",
     "docs/ch1.md:6: quiz 'q': 'multiple' must be true or false, got 'yes'"),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_mistakes(text, expected, warnings_log):
    assert one_error(text, warnings_log).startswith(expected)


def test_duplicate_id_across_quizzes(warnings_log):
    block = "```quiz\nid: same\nquestion: Q?\n" + _answers("{text: a, correct: true}", "b") + "```\n\n"
    message = one_error(block + block, warnings_log)
    assert message == ("docs/ch1.md:12: quiz 'quiz-2': question id 'same' is already used by "
                       "quiz 'quiz-1' on this page; question ids are unique per page")


BANK_CASES = [
    ("- id: a\n  question: Q?\n  answers: [x, {text: y, correct: true}]\n"
     "- id: a\n  question: R?\n  answers: [x, {text: y, correct: true}]\n",
     "quizzes/bank.yml: question 2: duplicate id 'a' (ids are unique within a bank)"),
    ("- question: Q?\n  answers: [x, {text: y, correct: true}]\n",
     "quizzes/bank.yml: question 1: a question in a bank needs an 'id'"),
    ("- id: a\n  question: Q?\n  answers: [x, y]\n",
     "quizzes/bank.yml: question 1: no answer is marked 'correct: true'"),
    ("questions: [\n", "quizzes/bank.yml:2: invalid YAML"),
]


@pytest.mark.parametrize(("bank", "expected"), BANK_CASES)
def test_bank_mistakes(tmp_path, bank, expected, warnings_log):
    (tmp_path / "bank.yml").write_text(bank)
    message = one_error("```quiz\nname: q\ninclude: quizzes/bank.yml\n```\n", warnings_log,
                        quizzes_dir=str(tmp_path))
    assert message.startswith(f"docs/ch1.md:5: quiz 'q': {expected}"), message


def test_names_are_shared_with_cells(warnings_log):
    message = one_error(ONE + "\n" + ONE.replace("Is `x`", "Again"), warnings_log)
    assert message.startswith("docs/ch1.md:17: quiz 'q': the name 'q' is already used by a quiz block")


def test_demo_bank_is_valid(warnings_log):
    bank = ROOT / "quizzes" / "neural-networks.yml"
    assert bank.is_file()
    convert(HEAD + "```quiz\ninclude: quizzes/neural-networks.yml\n```\n")
    assert warnings_log() == []


def _project(tmp_path: Path, page: str) -> Path:
    (tmp_path / "quizzes").mkdir(parents=True)
    (tmp_path / "quizzes" / "bank.yml").write_text(
        "- id: a\n  question: Q?\n  answers: [x, {text: y, correct: true}]\n")
    return write_project(tmp_path, {"index.md": page}, site_name="quiz")


def test_mkdocs_build_includes_bank_and_fails_strict_on_a_mistake(tmp_path):
    good = _project(tmp_path / "good", "# Q\n\n```quiz\ninclude: quizzes/bank.yml\n```\n")
    result = build(good)
    assert result.returncode == 0, result.stderr
    html = (good / "site" / "index.html").read_text()
    assert "data-mlpages-quiz" in html and "mlpages.js" in html
    bad = _project(tmp_path / "bad", "# Q\n\n```quiz\ninclude: quizzes/bank.yml\nquestions: [b]\n```\n")
    result = build(bad)
    assert result.returncode != 0
    assert "docs/index.md:5: quiz 'quiz-1': quizzes/bank.yml has no question with id 'b'" in result.stderr


# Numeric questions: `answer_from` a train or predict cell above the quiz ------------------

CELLS = XOR_CELLS + """
```predict
name: after
model: net
dataset: xor
split: train
```

"""
CELLS_LINES = CELLS.count("\n")  # a quiz appended to HEAD + CELLS opens on line 3 + CELLS_LINES


def _numeric(answer_from: str, extra: str = "") -> str:
    return f"```quiz\nname: n\nquestion: What is it?\nanswer_from: {answer_from}\n{extra}```\n"


def test_numeric_question_spec_and_form(warnings_log):
    html = convert(HEAD + CELLS + _numeric("{cell: fit-xor, quantity: loss}")
                   + "\n" + _numeric("{cell: after, index: 2}", "tolerance: {rtol: 0.05}\n")
                   .replace("name: n", "name: m"), path="docs/ch1.md")
    assert warnings_log() == []
    specs = [json.loads(m) for m in re.findall(
        r'<script type="application/json" class="mlpages-quiz-spec">(.*?)</script>', html)]
    cells = specs_by_name(html)
    (q,) = specs[0][0]["questions"]
    assert q["type"] == "number" and "answers" not in q and "correct" not in q
    assert q["from"] == {"cell": "mlp-ch1-fit-xor", "name": "fit-xor", "quantity": "loss", "epoch": 2}
    assert q["tolerance"] == {"rtol": 1e-2, "atol": 1e-4}
    train_refs = cells["fit-xor"]["references"]
    assert q["references"] == [{"epsilon": r["epsilon"], "value": r["history"]["loss"][2]}
                               for r in train_refs]
    assert [r["epsilon"] for r in q["references"]] == [1e-4, 1e-7]
    (p,) = specs[1][0]["questions"]
    assert p["from"] == {"cell": "mlp-ch1-after", "name": "after", "quantity": "prediction", "index": 2}
    assert p["tolerance"] == {"rtol": 0.05, "atol": 1e-4}
    assert p["references"][0]["value"] == cells["after"]["references"][0]["predictions"]["data"][2]
    # Without JavaScript: a text box, and the WebGL reference value in the closed answer.
    assert 'data-mlpages-type="number"' in html
    assert 'id="mlp-ch1-n-n-1-value"' in html and 'inputmode="decimal"' in html
    webgl = train_refs[0]["history"]["loss"][2]
    assert f'<strong class="mlpages-quiz-value">{webgl:.6g}</strong>' in html
    assert "the loss after epoch 3 of <code>fit-xor</code>" in html
    assert ('<details class="mlpages-quiz-solution"><summary data-mlpages-nosearch>Show the answer'
            '</summary>') in html


QUIZ_LINE = 3 + CELLS_LINES + 3  # the `answer_from:` line of a quiz appended to HEAD + CELLS

NUMERIC_CASES = [
    ("unknown cell", CELLS + _numeric("{cell: fit-xr, quantity: loss}"),
     f"docs/ch1.md:{QUIZ_LINE}: quiz 'n': answer_from: no train, predict, convolution or tfjs cell "
     "named 'fit-xr' above this quiz (did you mean 'fit-xor'?); a quiz can use only cells defined above it "
     "(above: fit-xor, after)"),
    ("cell below the quiz", _numeric("{cell: fit-xor, quantity: loss}") + "\n" + CELLS,
     "docs/ch1.md:6: quiz 'n': answer_from: no train, predict, convolution or tfjs cell named 'fit-xor' "
     "above this quiz; a quiz can use only cells defined above it (above: none)"),
    ("wrong quantity", CELLS + _numeric("{cell: fit-xor, quantity: val_loss}"),
     f"docs/ch1.md:{QUIZ_LINE}: quiz 'n': answer_from: quantity 'val_loss' is not in the history of "
     "'fit-xor'"),
    ("epoch out of range", CELLS + _numeric("{cell: fit-xor, quantity: acc, epoch: 4}"),
     f"docs/ch1.md:{QUIZ_LINE}: quiz 'n': answer_from: epoch 4 is out of range: 'fit-xor' trains "
     "3 epochs (1 to 3, or last)"),
    ("epoch zero", CELLS + _numeric("{cell: fit-xor, quantity: acc, epoch: 0}"),
     f"docs/ch1.md:{QUIZ_LINE}: quiz 'n': answer_from: epoch 0 is out of range"),
    ("index out of range", CELLS + _numeric("{cell: after, index: 16}"),
     f"docs/ch1.md:{QUIZ_LINE}: quiz 'n': answer_from: index 16 is out of range: 'after' predicts "
     "16 values"),
    ("not a cell", CELLS + _numeric("{cell: net, quantity: loss}"),
     f"docs/ch1.md:{QUIZ_LINE}: quiz 'n': answer_from: 'net' is a model block, not a train, "
     "predict, convolution or tfjs"),
    ("answers too", CELLS + _numeric("{cell: fit-xor, quantity: loss}", "answers: [a, b]\n"),
     f"docs/ch1.md:{QUIZ_LINE + 1}: quiz 'n': a numeric question ('answer_from') has no 'answers'"),
    ("bad tolerance", CELLS + _numeric("{cell: fit-xor, quantity: loss}", "tolerance: {rtol: -1}\n"),
     f"docs/ch1.md:{QUIZ_LINE + 1}: quiz 'n': tolerance: 'rtol' must be a number >= 0, got -1"),
    ("tolerance without answer_from",
     "```quiz\nname: n\nquestion: Q?\ntolerance: {rtol: 1}\n" + _answers("{text: a, correct: true}", "b")
     + "```\n",
     "docs/ch1.md:6: quiz 'n': 'tolerance' belongs to a numeric question (one with 'answer_from')"),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in NUMERIC_CASES],
                         ids=[c[0] for c in NUMERIC_CASES])
def test_numeric_mistakes(text, expected, warnings_log):
    assert one_error(text, warnings_log).startswith(expected)


def test_every_validation_rule_fails_a_strict_mkdocs_build_with_its_message(tmp_path):
    # One real `mkdocs build --strict` over a page per rule: each message appears with its
    # file:line, and the build fails.
    write_project(tmp_path, {"index.md": "# Rules\n"}, site_name="rules")
    shutil.copytree(ROOT / "quizzes", tmp_path / "quizzes")
    expected = []
    for k, (_, text, message) in enumerate(CASES + NUMERIC_CASES):
        (tmp_path / "docs" / f"rule-{k}").mkdir()
        (tmp_path / "docs" / f"rule-{k}" / "ch1.md").write_text(HEAD + text)
        expected.append(message.replace("docs/ch1.md:", f"docs/rule-{k}/ch1.md:"))
    for k, (bank, message) in enumerate(BANK_CASES):
        (tmp_path / "quizzes" / f"bank-{k}.yml").write_text(bank)
        (tmp_path / "docs" / f"bank-{k}.md").write_text(
            HEAD + f"```quiz\nname: q\ninclude: quizzes/bank-{k}.yml\n```\n")
        expected.append(f"docs/bank-{k}.md:5: quiz 'q': " + message.replace("bank.yml", f"bank-{k}.yml"))
    duplicate = "```quiz\nid: same\nquestion: Q?\n" + _answers("{text: a, correct: true}", "b") + "```\n\n"
    (tmp_path / "docs" / "duplicate.md").write_text(HEAD + duplicate + duplicate)
    expected.append("docs/duplicate.md:12: quiz 'quiz-2': question id 'same' is already used by "
                    "quiz 'quiz-1'")
    result = build(tmp_path)
    assert result.returncode != 0
    warnings = [line for line in result.stderr.splitlines() if line.startswith("WARNING")]
    assert len(warnings) == len(expected), warnings
    for message in expected:
        assert any(message in line for line in warnings), message
    assert f"Aborted with {len(expected)} warnings in strict mode!" in result.stdout + result.stderr


def test_quiz_texts_share_one_markdown_instance_and_each_text_is_converted_once(monkeypatch):
    import markdown
    from mlpages.text import TextRenderer

    made: list[int] = []
    converted: list[str] = []
    real_init, real_convert = markdown.Markdown.__init__, markdown.Markdown.convert

    def init(self, *args, **kwargs):
        made.append(1)
        real_init(self, *args, **kwargs)

    def convert(self, text):
        converted.append(text)
        return real_convert(self, text)

    monkeypatch.setattr(markdown.Markdown, "__init__", init)
    monkeypatch.setattr(markdown.Markdown, "convert", convert)
    texts = TextRenderer()
    assert texts.block("*a*") == "<p><em>a</em></p>"
    assert texts.inline("*a*") == "<em>a</em>"
    assert texts.block("b") == "<p>b</p>"
    assert (len(made), converted) == (1, ["*a*", "b"])
