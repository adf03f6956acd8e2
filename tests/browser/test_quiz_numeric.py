"""Numeric quiz questions in headless Chromium: the reference before a run, the reader's run after."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import serving
from mdhelpers import XOR_CELLS
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from sitebuild import build_pages

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser-quiz-numeric")]

PAGE = "# Numbers\n\n" + XOR_CELLS + """
```quiz
name: check
question: What is the loss after the last epoch of `fit-xor`?
answer_from: {cell: fit-xor, quantity: loss}
```
"""
QUESTION = "#mlp-index-check-check-1"
TRAIN = "mlp-index-fit-xor"


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Any:
    site = build_pages(tmp_path_factory.mktemp("quiz-numeric"), {"index.md": PAGE}, site_name="numeric",
                       extra="site_url: http://127.0.0.1/\n")
    with serving(site) as url:
        yield url


def call(driver: Any, body: str) -> Any:
    """Run an async JS function body in the page; its return value comes back."""
    out = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "(async () => {" + body + "})().then((value) => done({value}),"
        " (err) => done({error: String(err && err.stack || err)}));")
    assert "error" not in out, out["error"]
    return out.get("value")


def spec(browser) -> dict:
    text = browser.find_element(By.CSS_SELECTOR, "#mlp-index-check script.mlpages-quiz-spec")
    return json.loads(text.get_attribute("textContent"))[0]["questions"][0]


def el(browser, css: str):
    return browser.find_element(By.CSS_SELECTOR, f"{QUESTION} {css}")


def button(browser, label: str):
    for b in browser.find_elements(By.CSS_SELECTOR, f"{QUESTION} button"):
        if b.text == label:
            return b
    raise AssertionError(f"no {label!r} button")


def click(browser, element) -> None:
    browser.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", element)
    element.click()


def answer(browser, value: float) -> tuple[str, str]:
    """Type a number and Check; the verdict (right | wrong) and the feedback text."""
    box = el(browser, 'input[type="text"]')
    box.clear()
    box.send_keys(repr(value))
    click(browser, button(browser, "Check"))
    verdict = el(browser, ".mlpages-quiz-feedback p")
    return verdict.get_attribute("data-verdict"), verdict.text


def test_reference_before_a_run_then_the_readers_run(served, browser):
    browser.get(served)
    browser.execute_script("localStorage.clear()")
    browser.refresh()
    call(browser, "await window.mlpages.ready;")
    WebDriverWait(browser, 10).until(
        lambda d: d.execute_script("return !!document.querySelector('[data-mlpages-quiz-ready]')"))
    q = spec(browser)
    assert q["type"] == "number" and q["from"]["cell"] == TRAIN
    # Without a run: the reference for this backend's epsilon (else the WebGL one).
    epsilon = browser.execute_script("return window.mlpages.environment().epsilon")
    ref = next((r["value"] for r in q["references"] if r["epsilon"] == epsilon), q["references"][0]["value"])
    verdict, text = answer(browser, ref * 1.1)
    assert verdict == "wrong", text
    assert "from the NumPy reference" in text
    assert browser.find_element(By.CSS_SELECTOR, ".mlpages-quiz-total").text == "0 / 1"
    click(browser, button(browser, "Retry"))
    verdict, text = answer(browser, round(ref, 4))  # a reader types a rounded number
    assert verdict == "right", text
    assert "from the NumPy reference" in text
    assert browser.find_element(By.CSS_SELECTOR, ".mlpages-quiz-total").text == "1 / 1"
    stored = browser.execute_script(
        "return Object.entries(localStorage).filter(([k]) => k.startsWith('mlpages:quiz:'))[0][1]")
    assert json.loads(stored)["pages"]["index"]["check-1"] == {"value": round(ref, 4), "score": 1}

    # After the reader's own run: its value is the one checked, and the feedback says so.
    result = call(browser, f"return await window.mlpages.run('{TRAIN}');")
    assert result["status"] == "ok" and result["comparable"], result
    own = result["history"]["loss"][-1]
    click(browser, button(browser, "Retry"))
    verdict, text = answer(browser, own)
    assert verdict == "right", text
    assert "from your run of fit-xor" in text
    click(browser, button(browser, "Retry"))
    verdict, text = answer(browser, own * 0.9)
    assert verdict == "wrong" and "from your run of fit-xor" in text, text


def test_without_javascript_the_answer_is_in_closed_details(served, browser):
    browser.get(served)
    html = browser.execute_script("return document.documentElement.outerHTML")
    q = spec(browser)
    webgl = next(r["value"] for r in q["references"] if r["epsilon"] == 1e-4)
    solution = browser.find_element(By.CSS_SELECTOR, f"{QUESTION} details.mlpages-quiz-solution")
    assert solution.get_attribute("open") is None
    value = solution.find_element(By.CSS_SELECTOR, ".mlpages-quiz-value").get_attribute("textContent")
    assert float(value) == pytest.approx(webgl, rel=1e-5)
    assert "the loss after epoch 3 of" in html
