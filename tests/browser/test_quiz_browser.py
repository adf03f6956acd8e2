"""Quizzes in headless Chromium: grading, hints, explanations, stored progress, no TF.js."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import serve
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from sitebuild import build

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
SINGLE = "#mlp-index-basics-single"
EVENS = "#mlp-index-basics-evens"


@pytest.fixture(scope="module")
def quiz_site(tmp_path_factory) -> Path:
    project = tmp_path_factory.mktemp("quiz")
    (project / "docs").mkdir()
    (project / "quizzes").mkdir()
    (project / "docs" / "index.md").write_text(PAGE)
    (project / "quizzes" / "bank.yml").write_text(BANK)
    (project / "mkdocs.yml").write_text(
        "site_name: quiz\nsite_url: http://127.0.0.1/\nplugins: [mlpages]\n"
        "markdown_extensions: [pymdownx.superfences]\n")
    result = build(project)
    assert result.returncode == 0, result.stderr
    return project / "site"


@pytest.fixture(scope="module")
def served(quiz_site) -> Any:
    url, stop = serve(quiz_site)
    try:
        yield url
    finally:
        stop()


@pytest.fixture
def page(served, browser) -> Any:
    """The quiz page with no stored progress: every test starts from the same state."""
    browser.get(served)
    browser.execute_script("localStorage.clear()")
    browser.refresh()
    return served


def ready(browser) -> None:
    browser.execute_async_script("window.mlpages.ready.then(arguments[0])")
    WebDriverWait(browser, 10).until(
        lambda d: d.execute_script(
            "return document.querySelectorAll('[data-mlpages-quiz-ready]').length") == 2)


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
    assert not any("tf.fesm" in r or "/page.js" in r for r in resources), resources
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
