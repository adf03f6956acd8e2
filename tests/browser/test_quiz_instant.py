"""Quizzes under Material for MkDocs' instant navigation (the demo course): pages reached by
clicking nav links, without a reload, mount their quizzes once, grade once per Check, show
stored progress, and the progress view follows."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import serving
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser-quiz-instant")]

XOR_LOSS = "mlp-course-single-neuron-neuron-check-xor-loss"
HIDDEN_UNITS = "mlp-course-playground-course-check-hidden-units"
# Counts localStorage writes: a handler mounted twice would write twice per Check.
COUNT_WRITES = """
if (!window.__writes) {
  window.__writes = 0;
  const set = Storage.prototype.setItem;
  Storage.prototype.setItem = function (k, v) { window.__writes += 1; return set.call(this, k, v); };
}
window.__writes = 0;
"""


@pytest.fixture(scope="module")
def served(demo_site: Path) -> Any:
    with serving(demo_site) as url:
        yield url


def go(browser, path: str) -> None:
    """Click the nav link to `path` and wait for Material to swap the page in."""
    link = browser.find_element(By.CSS_SELECTOR, f'.md-nav a[href$="{path}"]')
    browser.execute_script("arguments[0].click()", link)
    WebDriverWait(browser, 30).until(lambda d: d.current_url.endswith(path))


def quiz_ready(browser, fieldset: str) -> None:
    WebDriverWait(browser, 30).until(lambda d: d.execute_script(
        "const f = document.getElementById(arguments[0]);"
        "return !!f && !!f.closest('[data-mlpages-quiz-ready]')"
        " && !!f.querySelector('.mlpages-quiz-controls')",
        fieldset))


def mounted_once(browser) -> None:
    """One score bar on the page and one set of controls per question."""
    counts = browser.execute_script("""
        return {bars: document.querySelectorAll('.mlpages-quiz-score').length,
                questions: document.querySelectorAll('fieldset[data-mlpages-question]').length,
                controls: document.querySelectorAll(
                  'fieldset[data-mlpages-question] .mlpages-quiz-controls').length,
                hints: document.querySelectorAll('.mlpages-quiz-hint-box').length,
                feedback: document.querySelectorAll('.mlpages-quiz-feedback').length}""")
    assert counts["bars"] == 1, counts
    assert counts["controls"] == counts["questions"] == counts["hints"] == counts["feedback"], counts


def check(browser, fieldset: str, index: int) -> None:
    browser.execute_script(COUNT_WRITES)
    el = browser.find_element(By.CSS_SELECTOR, f'#{fieldset} input[value="{index}"]')
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click()", el)
    browser.execute_script("arguments[0].click()", button(browser, fieldset, "Check"))
    assert browser.execute_script("return window.__writes") == 1  # graded and stored once
    assert len(browser.find_elements(By.CSS_SELECTOR, f"#{fieldset} [data-verdict]")) == 1


def button(browser, fieldset: str, label: str) -> Any:
    return [b for b in browser.find_elements(By.CSS_SELECTOR, f"#{fieldset} button") if b.text == label][0]


def score(browser) -> str:
    return browser.find_element(By.CSS_SELECTOR, ".mlpages-quiz-total").get_attribute("textContent")


def reloads(browser) -> int:
    return browser.execute_script("return performance.getEntriesByType('navigation').length")


def test_quizzes_mount_once_and_keep_progress_across_instant_navigation(served, browser, demo_site):
    browser.get(served)
    browser.execute_script("localStorage.clear()")
    browser.refresh()
    assert browser.execute_script("return typeof window.document$") == "object"

    go(browser, "course/single-neuron/")
    quiz_ready(browser, XOR_LOSS)
    mounted_once(browser)
    assert score(browser) == "0 / 2"
    check(browser, XOR_LOSS, 0)
    assert score(browser) == "1 / 2"

    # Away and back, twice: the page is mounted afresh each time, never twice.
    for _ in range(2):
        go(browser, "course/playground/")
        quiz_ready(browser, HIDDEN_UNITS)
        mounted_once(browser)
        go(browser, "course/single-neuron/")
        quiz_ready(browser, XOR_LOSS)
        mounted_once(browser)
        assert score(browser) == "1 / 2"  # stored progress, restored
        verdict = browser.find_element(By.CSS_SELECTOR, f"#{XOR_LOSS} [data-verdict]")
        assert verdict.get_attribute("textContent").startswith("Correct.")
    assert reloads(browser) == 1  # every step was an instant navigation

    # Retry and answer again: one write, one verdict, the score moves once.
    browser.execute_script("arguments[0].click()", button(browser, XOR_LOSS, "Retry"))
    assert score(browser) == "0 / 2"
    check(browser, XOR_LOSS, 1)
    assert score(browser) == "0 / 2"
    browser.execute_script("arguments[0].click()", button(browser, XOR_LOSS, "Retry"))
    check(browser, XOR_LOSS, 0)
    assert score(browser) == "1 / 2"

    go(browser, "course/playground/")
    quiz_ready(browser, HIDDEN_UNITS)
    check(browser, HIDDEN_UNITS, 1)
    assert score(browser) == "1 / 3"

    # The progress view, reached the same way, shows both pages.
    go(browser, "progress/")
    WebDriverWait(browser, 30).until(lambda d: d.execute_script(
        "return !!document.querySelector('[data-mlpages-quiz-progress-ready] tfoot')"))
    cells = browser.execute_script("""
        const row = (p) => Array.from(document.querySelectorAll(
          `tr[data-mlpages-page="${p}"] > *`)).slice(1).map((c) => c.textContent);
        return {neuron: row('course-single-neuron'), playground: row('course-playground'),
                total: row('')};""")
    assert cells["neuron"] == ["1 of 2", "1 of 2", "1 / 2"]
    assert cells["playground"] == ["1 of 3", "1 of 3", "1 / 3"]
    index = json.loads((demo_site / "assets" / "mlpages" / "quizzes.json").read_text())
    n = sum(len(p["questions"]) for p in index["pages"])
    assert cells["total"] == [f"2 of {n}", f"2 of {n}", f"2 / {n}"]
    # Back through history (Material handles it without a reload): the quiz is live again.
    browser.back()
    WebDriverWait(browser, 30).until(lambda d: d.current_url.endswith("course/playground/"))
    quiz_ready(browser, HIDDEN_UNITS)
    mounted_once(browser)
    assert score(browser) == "1 / 3"
    assert reloads(browser) == 1
    severe = [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert severe == []
