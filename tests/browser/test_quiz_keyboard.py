"""Quizzes with the keyboard alone, in headless Chromium: a sensible focus order (hint,
answers, Check), arrow keys and Space to choose, Enter on the buttons, and the verdict in
the aria-live region."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import serving
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait
from sitebuild import build_pages

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser-quiz-keyboard")]

PAGE = """\
# Keys

[Start here](#start){ #start }

```quiz
name: keys
questions:
  - id: gate
    question: Which gate needs a hidden layer?
    hint: Think of straight lines.
    answers:
      - AND
      - text: XOR
        correct: true
      - OR
  - id: evens
    question: Pick the even numbers.
    multiple: true
    answers:
      - {text: "2", correct: true}
      - {text: "3"}
      - {text: "4", correct: true}
```
"""
GATE = "mlp-index-keys-gate"
EVENS = "mlp-index-keys-evens"

# What has the focus, in words: "button:Check@<fieldset id>", "radio:<input id>:checked", …
FOCUSED = """
const el = document.activeElement;
if (!el || el === document.body) return 'body';
const where = el.closest('fieldset') ? '@' + el.closest('fieldset').id : '';
if (el.tagName === 'BUTTON') return 'button:' + el.textContent.trim() + where;
if (el.tagName === 'INPUT') return el.type + ':' + el.id + (el.checked ? ':checked' : '');
if (el.tagName === 'A') return 'link:' + el.textContent.trim();
return el.tagName.toLowerCase() + ':' + el.id;
"""


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Any:
    site = build_pages(tmp_path_factory.mktemp("quiz-keys"), {"index.md": PAGE}, site_name="keys",
                       extensions=("attr_list", "pymdownx.superfences"), extra="site_url: http://127.0.0.1/\n")
    with serving(site) as url:
        yield url


@pytest.fixture
def page(served, browser) -> Any:
    browser.get(served)
    browser.execute_script("localStorage.clear()")
    browser.refresh()
    browser.execute_async_script("window.mlpages.ready.then(arguments[0])")
    WebDriverWait(browser, 10).until(
        lambda d: d.execute_script("return document.querySelector('[data-mlpages-quiz-ready]') !== null"))
    # The starting point: the link just above the quiz (everything after it is keys only).
    browser.execute_script("document.getElementById('start').focus()")
    return browser


def press(browser, *keys: str) -> str:
    """Press keys on whatever has the focus; returns what has it afterwards."""
    actions = ActionChains(browser)
    for key in keys:
        actions.send_keys(key)
    actions.perform()
    return browser.execute_script(FOCUSED)


def shift_tab(browser) -> str:
    ActionChains(browser).key_down(Keys.SHIFT).send_keys(Keys.TAB).key_up(Keys.SHIFT).perform()
    return browser.execute_script(FOCUSED)


def live(browser, fieldset: str) -> Any:
    region = browser.find_element(By.CSS_SELECTOR, f"#{fieldset} [aria-live]")
    assert region.get_attribute("aria-live") == "polite" and region.get_attribute("role") == "status"
    return region


def test_single_choice_with_the_keyboard(page):
    b = page
    assert b.execute_script(FOCUSED) == "link:Start here"
    assert press(b, Keys.TAB) == "button:Reset quiz progress"
    # The hint comes before the answers: a reader meets it before choosing.
    assert press(b, Keys.TAB) == f"button:Show hint@{GATE}"
    hint = b.find_element(By.CSS_SELECTOR, f"#{GATE} .mlpages-quiz-hint-text")
    assert not hint.is_displayed()
    # A disclosure: Enter opens it and the focus stays on its button, which now hides it.
    assert press(b, Keys.ENTER) == f"button:Hide hint@{GATE}"
    assert hint.is_displayed() and "straight lines" in hint.text
    toggle = b.switch_to.active_element
    assert toggle.get_attribute("aria-expanded") == "true"
    assert toggle.get_attribute("aria-controls") == hint.get_attribute("id")
    assert press(b, Keys.SPACE) == f"button:Show hint@{GATE}" and not hint.is_displayed()
    assert press(b, Keys.ENTER) == f"button:Hide hint@{GATE}" and hint.is_displayed()
    # Entering the radio group focuses its first answer; the arrow key moves and picks.
    assert press(b, Keys.TAB) == f"radio:{GATE}-a1"
    assert press(b, Keys.ARROW_DOWN) == f"radio:{GATE}-a2:checked"
    assert press(b, Keys.TAB) == f"button:Check@{GATE}"
    assert shift_tab(b) == f"radio:{GATE}-a2:checked"  # back into the group, at the checked answer
    assert press(b, Keys.TAB) == f"button:Check@{GATE}"
    # Enter on Check: the verdict is announced and the focus lands on Retry.
    assert press(b, Keys.ENTER) == f"button:Retry@{GATE}"
    assert live(b, GATE).text.startswith("Correct.")
    assert b.find_element(By.CSS_SELECTOR, ".mlpages-quiz-total").text == "1 / 2"
    # Retry with Enter: the answers are free again and the focus is back on the first one.
    assert press(b, Keys.ENTER) == f"radio:{GATE}-a1"
    assert live(b, GATE).text == ""
    assert press(b, Keys.SPACE) == f"radio:{GATE}-a1:checked"
    assert press(b, Keys.TAB, Keys.ENTER) == f"button:Retry@{GATE}"
    assert live(b, GATE).text.startswith("Not quite.")


def test_multiple_choice_with_the_keyboard(page):
    b = page
    press(b, Keys.TAB, Keys.TAB, Keys.TAB, Keys.TAB)  # reset, hint, the radio group, Check
    assert b.execute_script(FOCUSED) == f"button:Check@{GATE}"
    # Each checkbox is a stop of its own (the question has no hint); Space toggles it.
    assert press(b, Keys.TAB) == f"checkbox:{EVENS}-a1"
    assert press(b, Keys.SPACE) == f"checkbox:{EVENS}-a1:checked"
    assert press(b, Keys.TAB) == f"checkbox:{EVENS}-a2"
    assert press(b, Keys.SPACE) == f"checkbox:{EVENS}-a2:checked"
    assert press(b, Keys.TAB) == f"checkbox:{EVENS}-a3"
    assert press(b, Keys.TAB) == f"button:Check@{EVENS}"
    assert press(b, Keys.ENTER) == f"button:Retry@{EVENS}"
    assert live(b, EVENS).text.startswith("Not quite. 1 of 2 correct choices, 1 wrong.")
    assert press(b, Keys.ENTER) == f"checkbox:{EVENS}-a1"
    press(b, Keys.SPACE, Keys.TAB, Keys.TAB, Keys.SPACE)  # 2 and 4
    assert b.execute_script(FOCUSED) == f"checkbox:{EVENS}-a3:checked"
    # Shift+Tab walks back the same way.
    assert shift_tab(b) == f"checkbox:{EVENS}-a2"
    assert shift_tab(b) == f"checkbox:{EVENS}-a1:checked"
    press(b, Keys.TAB, Keys.TAB, Keys.TAB)
    assert b.execute_script(FOCUSED) == f"button:Check@{EVENS}"
    assert press(b, Keys.ENTER) == f"button:Retry@{EVENS}"
    assert live(b, EVENS).text.startswith("Correct.")
    assert b.find_element(By.CSS_SELECTOR, ".mlpages-quiz-total").text == "1 / 2"
