"""Quizzes in headless Chromium: grading, hints, explanations, stored progress, no TF.js."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import serving
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait
from sitebuild import build_pages

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser-quiz")]

PAGE = """\
# Quiz page

No ML cells here: only quizzes.

```quiz
name: basics
questions:
  - id: single
    question: Which gate can one neuron **not** learn?
    hint: Think of straight lines.
    answers:
      - text: AND
        feedback: One line separates AND's classes.
      - text: XOR
        correct: true
        feedback: Right, XOR needs two lines.
      - OR
    explanation: One neuron draws one straight line.
  - id: evens
    question: Pick the even numbers.
    multiple: true
    answers:
      - {text: 2, correct: true}
      - {text: 3}
      - {text: 4, correct: true}
      - {text: 6, correct: true}
    explanation: Even numbers divide by two.
```

```quiz
include: quizzes/bank.yml
```
"""
BANK = "- id: banked\n  question: Yes or no?\n  answers: [No, {text: Yes, correct: true}]\n"
# A second page: one ordering question (the first page's scores stay "… / 3").
ORDER_PAGE = """\
# Ordering

```quiz
name: steps
question: Put the steps of a training step in order.
type: order
answers:
  - forward pass
  - text: compute the loss
    feedback: The loss needs the forward pass's output.
  - backward pass
  - update the weights
explanation: Forward, loss, backward, update.
```
"""
STEPS = "#mlp-order-steps-steps-1"
# A third page: an explanation with content tabs (radio inputs and labels by id), and
# feedback with an id of its own.
TEXTS_PAGE = """\
# Texts

```quiz
name: q
question: Which one?
hint: Look closely.
answers:
  - {text: this one, correct: true, feedback: '<span id="why-this">Because it is.</span>'}
  - that one
explanation: |
  === "Short"
      the short answer

  === "Long"
      the long answer
```
"""
TEXTS = "#mlp-texts-q-q-1"

SINGLE = "#mlp-index-basics-single"
EVENS = "#mlp-index-basics-evens"


@pytest.fixture(scope="module")
def quiz_site(tmp_path_factory) -> Path:
    project = tmp_path_factory.mktemp("quiz")
    (project / "quizzes").mkdir()
    (project / "quizzes" / "bank.yml").write_text(BANK)
    return build_pages(project, {"index.md": PAGE, "order.md": ORDER_PAGE, "texts.md": TEXTS_PAGE},
                       site_name="quiz", extra="site_url: http://127.0.0.1/\n",
                       extensions=("pymdownx.superfences", "pymdownx.tabbed"))


@pytest.fixture(scope="module")
def served(quiz_site) -> Any:
    with serving(quiz_site) as url:
        yield url


@pytest.fixture
def page(served, browser) -> Any:
    """The quiz page with no stored progress: every test starts from the same state."""
    browser.get(served)
    browser.execute_script("localStorage.clear()")
    browser.refresh()
    return served


def ready(browser, quizzes: int = 2) -> None:
    browser.execute_async_script("window.mlpages.ready.then(arguments[0])")
    WebDriverWait(browser, 10).until(
        lambda d: d.execute_script(
            "return document.querySelectorAll('[data-mlpages-quiz-ready]').length") == quizzes)


def q(browser, question: str, css: str):
    return browser.find_element(By.CSS_SELECTOR, f"{question} {css}")


def click(browser, element) -> None:
    """A real click, with the element scrolled clear of the theme's fixed header."""
    browser.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", element)
    element.click()


def button(browser, question: str, label: str):
    for b in browser.find_elements(By.CSS_SELECTOR, f"{question} button"):
        if b.text == label:
            return b
    raise AssertionError(f"no {label!r} button in {question}")


def choose(browser, question: str, *indices: int) -> None:
    for i in indices:
        click(browser, q(browser, question, f'input[value="{i}"]'))
    click(browser, button(browser, question, "Check"))


def feedback(browser, question: str) -> str:
    return q(browser, question, ".mlpages-quiz-feedback").text


def score(browser) -> str:
    return browser.find_element(By.CSS_SELECTOR, ".mlpages-quiz-total").text


def test_quiz_page_loads_no_tfjs(page, browser):
    ready(browser)
    resources = browser.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)")
    assert any(r.endswith("/quiz.js") for r in resources), resources
    assert not any("/vendor/" in r or "/page.js" in r for r in resources), resources
    # Without JavaScript the answers sit in a closed <details>; the runtime hides it.
    assert not q(browser, SINGLE, "details.mlpages-quiz-solution").is_displayed()
    assert score(browser) == "0 / 3"


def test_single_choice_wrong_then_right(page, browser):
    ready(browser)
    explanation = q(browser, SINGLE, ".mlpages-quiz-explanation")
    assert not explanation.is_displayed()
    hint = q(browser, SINGLE, ".mlpages-quiz-hint-text")
    assert not hint.is_displayed()
    click(browser, button(browser, SINGLE, "Show hint"))
    assert hint.is_displayed() and "straight lines" in hint.text
    assert not explanation.is_displayed()  # a hint is not the answer
    click(browser, button(browser, SINGLE, "Check"))
    assert "Choose an answer first" in feedback(browser, SINGLE)
    assert not explanation.is_displayed()
    choose(browser, SINGLE, 0)
    assert "Not quite." in feedback(browser, SINGLE)
    assert "One line separates AND's classes." in feedback(browser, SINGLE)
    assert explanation.is_displayed() and "one straight line" in explanation.text
    assert q(browser, SINGLE, ".mlpages-quiz-feedback").get_attribute("aria-live") == "polite"
    assert score(browser) == "0 / 3"
    click(browser, button(browser, SINGLE, "Retry"))
    assert not explanation.is_displayed()
    choose(browser, SINGLE, 1)
    assert "Correct." in feedback(browser, SINGLE)
    assert "XOR needs two lines" in feedback(browser, SINGLE)
    assert score(browser) == "1 / 3"


def test_multiple_choice_partial_credit(page, browser):
    ready(browser)
    choose(browser, SINGLE, 1)
    choose(browser, EVENS, 0, 1, 2)  # 2 of 3 right, 1 wrong: (2 − 1) / 3
    assert "Not quite. 2 of 3 correct choices, 1 wrong." in feedback(browser, EVENS)
    total = float(browser.find_element(By.CSS_SELECTOR, ".mlpages-quiz-total").get_attribute("data-score"))
    assert total == pytest.approx(1 + 1 / 3)
    assert score(browser) == "1.33 / 3"
    click(browser, button(browser, EVENS, "Retry"))
    choose(browser, EVENS, 0, 2, 3)
    assert "Correct." in feedback(browser, EVENS)
    assert score(browser) == "2 / 3"


def test_score_survives_reload_and_reset(page, browser):
    ready(browser)
    choose(browser, SINGLE, 1)
    choose(browser, EVENS, 0, 2, 3)
    browser.refresh()
    ready(browser)
    assert score(browser) == "2 / 3"
    assert "Correct." in feedback(browser, EVENS)
    assert q(browser, SINGLE, ".mlpages-quiz-explanation").is_displayed()
    assert q(browser, SINGLE, 'input[value="1"]').is_selected()
    click(browser, button(browser, ".mlpages-quiz-score", "Reset quiz progress"))
    assert score(browser) == "0 / 3"
    assert not q(browser, SINGLE, ".mlpages-quiz-explanation").is_displayed()
    browser.refresh()
    ready(browser)
    assert score(browser) == "0 / 3"


@pytest.mark.parametrize("content", ["{not json", '{"v": 1, "pages": []}', "[1, 2]",
                                     '{"v": 1, "pages": {"index": {"single": {"chosen": [7]}}}}'])
def test_corrupt_storage_resets_cleanly(page, browser, content):
    browser.execute_script(
        "for (const k of Object.keys(localStorage)) if (k.startsWith('mlpages:quiz:'))"
        " localStorage.setItem(k, arguments[0]);"
        "localStorage.setItem('mlpages:quiz:' + location.origin + '/', arguments[0]);", content)
    browser.refresh()
    ready(browser)
    assert score(browser) == "0 / 3"
    choose(browser, SINGLE, 1)
    assert score(browser) == "1 / 3"
    browser.refresh()
    ready(browser)
    assert score(browser) == "1 / 3"
    click(browser, button(browser, ".mlpages-quiz-score", "Reset quiz progress"))


def order_in(browser, positions: dict[str, int]) -> None:
    """Give each item (by its text) a position (1-based) with the keyboard-usable selects, then Check."""
    for item, position in positions.items():
        select = q(browser, STEPS, f'select[aria-label="Position of {item}"]')
        browser.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", select)
        Select(select).select_by_value(str(position))
    click(browser, button(browser, STEPS, "Check"))


RIGHT = {"forward pass": 1, "compute the loss": 2, "backward pass": 3, "update the weights": 4}


def test_ordering_question(served, browser):
    browser.get(served + "order/")
    browser.execute_script("localStorage.clear()")
    browser.refresh()
    ready(browser, 1)
    assert score(browser) == "0 / 1"
    shown = [s.get_attribute("aria-label") for s in browser.find_elements(By.CSS_SELECTOR, f"{STEPS} select")]
    assert sorted(shown) == sorted(f"Position of {item}" for item in RIGHT)
    assert shown != [f"Position of {item}" for item in RIGHT]  # scrambled
    explanation = q(browser, STEPS, ".mlpages-quiz-explanation")
    click(browser, button(browser, STEPS, "Check"))
    assert "Give every item a position first." in feedback(browser, STEPS)
    order_in(browser, {**RIGHT, "backward pass": 1})  # two items at position 1
    assert "Give each item a different position." in feedback(browser, STEPS)
    assert not explanation.is_displayed()
    # Loss and backward pass swapped: 2 of 4 in the right place.
    order_in(browser, {**RIGHT, "compute the loss": 3, "backward pass": 2})
    assert "Not quite. 2 of 4 in the right place." in feedback(browser, STEPS)
    assert "needs the forward pass's output" in feedback(browser, STEPS)
    assert explanation.is_displayed() and "Forward, loss, backward" in explanation.text
    assert score(browser) == "0.5 / 1"
    browser.refresh()
    ready(browser, 1)
    assert score(browser) == "0.5 / 1"
    assert "2 of 4 in the right place." in feedback(browser, STEPS)
    loss = q(browser, STEPS, 'select[aria-label="Position of compute the loss"]')
    assert loss.get_attribute("value") == "3" and not loss.is_enabled()
    click(browser, button(browser, STEPS, "Retry"))
    assert loss.get_attribute("value") == "" and loss.is_enabled()
    assert score(browser) == "0 / 1"
    order_in(browser, RIGHT)
    assert feedback(browser, STEPS).startswith("Correct.")
    assert score(browser) == "1 / 1"
    browser.refresh()
    ready(browser, 1)
    assert score(browser) == "1 / 1" and feedback(browser, STEPS).startswith("Correct.")


@pytest.mark.parametrize(("chosen", "restored"), [
    ("[1, 0, 2, 3]", "0.5 / 1"),  # a valid stored answer (the control): restored as it was
    ("[0, 1, 2]", None), ("[0, 1, 2, 2]", None), ("[0, 1, 2, 4]", None), ("[0, 1.5, 2, 3]", None),
    ('"x"', None),
])
def test_ordering_stored_answer_is_checked_on_restore(served, browser, chosen, restored):
    browser.get(served + "order/")
    browser.execute_script(
        "localStorage.clear();"
        "const answer = {chosen: JSON.parse(arguments[0]), score: 1};"
        "localStorage.setItem('mlpages:quiz:' + location.origin + '/',"
        " JSON.stringify({v: 1, pages: {order: {'steps-1': answer}}}));",
        chosen)
    browser.refresh()
    ready(browser, 1)
    if restored:  # graded again from the positions, not from the stored score
        assert score(browser) == restored and "2 of 4 in the right place." in feedback(browser, STEPS)
        click(browser, button(browser, STEPS, "Retry"))
    assert score(browser) == "0 / 1"
    assert q(browser, STEPS, 'select[aria-label="Position of forward pass"]').is_enabled()
    order_in(browser, RIGHT)
    assert score(browser) == "1 / 1"


DUPLICATE_IDS = """
const ids = Array.from(document.querySelectorAll('[id]'), (e) => e.id);
return ids.filter((id, i) => ids.indexOf(id) !== i);"""


def test_hint_and_explanation_are_on_the_page_once_and_their_controls_work(served, browser):
    browser.get(served + "texts/")
    browser.execute_script("localStorage.clear()")
    browser.refresh()
    ready(browser, 1)
    hint = q(browser, TEXTS, ".mlpages-quiz-hint-text")
    for shown in (True, False, True):  # one click, one toggle
        click(browser, button(browser, TEXTS, "Show hint" if shown else "Hide hint"))
        assert hint.is_displayed() is shown and (not shown or "Look closely." in hint.text)
    explanation = q(browser, TEXTS, ".mlpages-quiz-explanation")
    for attempt in range(2):  # answered, then again after Retry
        choose(browser, TEXTS, 0)
        # Graded on the answers alone (the tabs' radios are not answers).
        assert feedback(browser, TEXTS).startswith("Correct.") and score(browser) == "1 / 1"
        assert "Because it is." in feedback(browser, TEXTS)
        assert explanation.is_displayed() and "the short answer" in explanation.text
        assert browser.execute_script(DUPLICATE_IDS) == []
        for tab in ("Long", "Short"):  # a tab's label selects the tab shown, not a hidden copy
            label = [lab for lab in explanation.find_elements(By.CSS_SELECTOR, "label") if lab.text == tab][0]
            click(browser, label)
            radio = explanation.find_element(By.ID, label.get_attribute("for"))
            assert radio.is_selected(), (attempt, tab)
        click(browser, button(browser, TEXTS, "Retry"))
        assert not explanation.is_displayed()
