"""The demo course in Material for MkDocs: instant navigation mounts the new page's
cells without console errors, and the cells render in the light and the dark palette."""

from __future__ import annotations

import time

import pytest
from conftest import serve
from selenium.webdriver.common.by import By

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser-demo")]

RUN_ALL = """
const done = arguments[arguments.length - 1];
window.mlpages.ready.then(() => window.mlpages.runAll())
  .then((r) => done(r.map((c) => [c.id, c.status])), (e) => done(String(e)));
"""


def severe(driver) -> list[str]:
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def test_instant_navigation_mounts_cells_without_console_errors(demo_site, browser):
    url, stop = serve(demo_site)
    try:
        browser.get(url)
        assert browser.execute_script("return typeof window.document$") == "object"
        severe(browser)  # drop what loading the first page logged
        link = browser.find_element(By.CSS_SELECTOR, 'a[href$="course/xor/"]')
        browser.execute_script("arguments[0].click()", link)
        deadline = time.time() + 30
        while time.time() < deadline and "course/xor" not in browser.current_url:
            time.sleep(0.2)
        # Instant navigation replaced the content without a page load.
        assert browser.execute_script("return performance.getEntriesByType('navigation').length") == 1
        results = browser.execute_async_script(RUN_ALL)
        assert [r[0] for r in results] == [
            "mlp-course-xor-xor", "mlp-course-xor-xor-net", "mlp-course-xor-fit-xor",
            "mlp-course-xor-xor-answers", "mlp-course-xor-any-point"]
        assert all(status == "ok" for _, status in results), results
        assert severe(browser) == []
    finally:
        stop()


def test_instant_navigation_loads_array_files_relative_to_the_new_page(demo_site, browser):
    url, stop = serve(demo_site)
    try:
        browser.get(url)  # the home page: array files resolved against it would be 404s
        link = browser.find_element(By.CSS_SELECTOR, 'a[href$="course/cnn-digits/"]')
        browser.execute_script("arguments[0].click()", link)
        deadline = time.time() + 30
        while time.time() < deadline and "course/cnn-digits" not in browser.current_url:
            time.sleep(0.2)
        assert browser.execute_script("return performance.getEntriesByType('navigation').length") == 1
        results = browser.execute_async_script(RUN_ALL)
        assert results and all(status == "ok" for _, status in results), results
    finally:
        stop()


@pytest.mark.parametrize("scheme", ["default", "slate"])
def test_cells_render_in_both_palettes(demo_site, browser, scheme, tmp_path):
    url, stop = serve(demo_site)
    try:
        browser.get(url + "course/xor/")
        browser.execute_script(f"document.body.setAttribute('data-md-color-scheme', '{scheme}')")
        browser.execute_async_script(RUN_ALL)
        fg = browser.execute_script(
            "return getComputedStyle(document.querySelector('.mlpages-cell')).color")
        bg = browser.execute_script("return getComputedStyle(document.body).backgroundColor")
        assert fg != bg
        canvas_painted = browser.execute_script("""
            const c = document.querySelector('canvas.mlpages-boundary');
            if (!c) return 0;
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
            return n / (d.length / 4);""")
        assert canvas_painted > 0.5
        browser.save_screenshot(str(tmp_path / f"playground-{scheme}.png"))
    finally:
        stop()


def test_quiz_static_answers_are_hidden_once_the_runtime_runs_under_material(demo_site, browser):
    url, stop = serve(demo_site)
    try:
        browser.get(url + "course/playground/")
        browser.execute_async_script(
            "window.mlpages.ready.then(arguments[arguments.length - 1])")
        solutions = browser.find_elements(By.CSS_SELECTOR, ".mlpages-quiz details")
        assert solutions and not any(s.is_displayed() for s in solutions)
        checks = [b for b in browser.find_elements(By.CSS_SELECTOR, ".mlpages-quiz button")
                  if b.text == "Check"]
        assert checks and all(b.is_displayed() for b in checks)
    finally:
        stop()
