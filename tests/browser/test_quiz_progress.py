"""The course-wide quiz progress view of the demo course, in headless Chromium: scores that
pages stored, kept across reloads, a reset-all button, and storage it cannot read."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import serving
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser-quiz-progress")]

NEURON = "course/single-neuron/"
PLAYGROUND = "course/playground/"
AND_OR = "#mlp-course-single-neuron-neuron-check-and-or"
XOR_LOSS = "#mlp-course-single-neuron-neuron-check-xor-loss"
HIDDEN_UNITS = "#mlp-course-playground-course-check-hidden-units"


@pytest.fixture(scope="module")
def served(demo_site: Path) -> Any:
    with serving(demo_site) as url:
        yield url


@pytest.fixture(scope="module")
def n(demo_site: Path) -> int:
    """How many quiz questions the demo course has, by the build's course index."""
    index = json.loads((demo_site / "assets" / "mlpages" / "quizzes.json").read_text())
    return sum(len(p["questions"]) for p in index["pages"])


@pytest.fixture
def fresh(served, browser) -> str:
    browser.get(served + "progress/")
    browser.execute_script("localStorage.clear()")
    return served


def wait_ready(browser, selector: str) -> None:
    browser.execute_async_script("window.mlpages.ready.then(arguments[0])")
    WebDriverWait(browser, 20).until(
        lambda d: d.execute_script(f"return document.querySelectorAll('{selector}').length") > 0)


def open_progress(browser, url: str) -> dict[str, list[str]]:
    """The view's rows: page (or "Course" for the total) -> [title, answered, correct, score]."""
    browser.get(url + "progress/")
    wait_ready(browser, "[data-mlpages-quiz-progress-ready]")
    return rows(browser)


def rows(browser) -> dict[str, list[str]]:
    out = {}
    for tr in browser.find_elements(By.CSS_SELECTOR, ".mlpages-quiz-progress-table tr[data-mlpages-page]"):
        key = tr.get_attribute("data-mlpages-page") or "Course"
        out[key] = [c.text for c in tr.find_elements(By.CSS_SELECTOR, "th, td")]
    return out


def click(browser, element) -> None:
    browser.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", element)
    element.click()


def answer(browser, question: str, *indices: int) -> None:
    for i in indices:
        click(browser, browser.find_element(By.CSS_SELECTOR, f'{question} input[value="{i}"]'))
    check = [b for b in browser.find_elements(By.CSS_SELECTOR, f"{question} button") if b.text == "Check"]
    click(browser, check[0])


def page_score(browser) -> str:
    return browser.find_element(By.CSS_SELECTOR, ".mlpages-quiz-total").text


def test_progress_view_without_answers_lists_every_quiz_page_at_zero(fresh, browser, demo_site):
    index = json.loads((demo_site / "assets" / "mlpages" / "quizzes.json").read_text())
    view = open_progress(browser, fresh)
    expected = {p["page"]: len(p["questions"]) for p in index["pages"]}
    assert set(view) == {*expected, "Course"} and len(expected) >= 3
    for page, n in expected.items():
        assert view[page][1:] == [f"0 of {n}", f"0 of {n}", f"0 / {n}"]
    total = sum(expected.values())
    assert view["Course"] == ["Course", f"0 of {total}", f"0 of {total}", f"0 / {total}"]
    # Rows link to their pages, titled as in the nav.
    link = browser.find_element(By.CSS_SELECTOR, 'tr[data-mlpages-page="course-xor"] a')
    assert link.text == "XOR needs a hidden layer" and link.get_attribute("href") == fresh + "course/xor/"
    assert not browser.find_element(By.CSS_SELECTOR, ".mlpages-quiz-progress-note").is_displayed()


def test_progress_view_shows_what_two_pages_stored_and_survives_reload_and_reset(fresh, browser, n):
    browser.get(fresh + NEURON)
    wait_ready(browser, "[data-mlpages-quiz-ready]")
    answer(browser, XOR_LOSS, 0)  # right
    answer(browser, AND_OR, 0, 2)  # AND right, XOR wrong: (1 − 1) / 2 = 0
    assert page_score(browser) == "1 / 2"
    browser.get(fresh + PLAYGROUND)
    wait_ready(browser, "[data-mlpages-quiz-ready]")
    answer(browser, HIDDEN_UNITS, 1)  # right
    assert page_score(browser) == "1 / 3"

    view = open_progress(browser, fresh)
    assert view["course-single-neuron"][1:] == ["2 of 2", "1 of 2", "1 / 2"]
    assert view["course-playground"][1:] == ["1 of 3", "1 of 3", "1 / 3"]
    assert view["course-xor"][1:] == ["0 of 2", "0 of 2", "0 / 2"]  # never visited
    assert view["Course"][1:] == [f"3 of {n}", f"2 of {n}", f"2 / {n}"]

    browser.refresh()
    wait_ready(browser, "[data-mlpages-quiz-progress-ready]")
    assert rows(browser) == view

    reset = [b for b in browser.find_elements(By.CSS_SELECTOR, ".mlpages-quiz-progress button")
             if b.text == "Reset all quiz progress"]
    click(browser, reset[0])
    assert rows(browser)["Course"][1:] == [f"0 of {n}", f"0 of {n}", f"0 / {n}"]
    assert "reset" in browser.find_element(By.CSS_SELECTOR, ".mlpages-quiz-progress-status").text
    browser.refresh()
    wait_ready(browser, "[data-mlpages-quiz-progress-ready]")
    assert rows(browser)["course-single-neuron"][1:] == ["0 of 2", "0 of 2", "0 / 2"]
    browser.get(fresh + NEURON)
    wait_ready(browser, "[data-mlpages-quiz-ready]")
    assert page_score(browser) == "0 / 2"


def test_partial_credit_is_graded_again_not_read_from_the_stored_score(fresh, browser, n):
    """A stored score that disagrees with the stored choices is not believed."""
    browser.execute_script(
        "localStorage.setItem('mlpages:quiz:' + location.origin + '/', JSON.stringify({v: 1, pages: {"
        " 'course-single-neuron': {'and-or': {chosen: [0], score: 1}, 'gone': {chosen: [0], score: 1}},"
        " 'not-a-page': {'q': {chosen: [0], score: 1}}}}))")
    view = open_progress(browser, fresh)
    assert view["course-single-neuron"][1:] == ["1 of 2", "0 of 2", "0.5 / 2"]
    assert view["Course"][1:] == [f"1 of {n}", f"0 of {n}", f"0.5 / {n}"]


@pytest.mark.parametrize("content", [
    "{not json", "[1, 2]", '{"v": 1, "pages": []}', '{"v": 99, "pages": {}}',
    '{"v": 1, "pages": {"course-xor": "x", "course-playground": {"hidden-units": {"chosen": [9]}}}}',
])
def test_corrupt_or_foreign_storage_shows_zero_and_keeps_working(fresh, browser, content, n):
    browser.execute_script("localStorage.setItem('mlpages:quiz:' + location.origin + '/', arguments[0])",
                           content)
    view = open_progress(browser, fresh)
    assert view["Course"][1:] == [f"0 of {n}", f"0 of {n}", f"0 / {n}"]
    browser.get(fresh + PLAYGROUND)
    wait_ready(browser, "[data-mlpages-quiz-ready]")
    answer(browser, HIDDEN_UNITS, 1)
    assert open_progress(browser, fresh)["course-playground"][1:] == ["1 of 3", "1 of 3", "1 / 3"]
    errors = [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []
