"""The convolution cell of the demo course in headless Chromium: picking an output cell
shows its window, the products and their sum (checked against values computed here by
hand), Run checks tf.conv2d against the reference, and verify catches a wrong reference."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser-convolution")]

PAGE = "course/convolution/"
CELL = "mlp-course-convolution-sharpen"
IMAGE = [
    [2, 2, 2, 2, 2, 2],
    [2, 2, 2, 2, 2, 2],
    [2, 2, 8, 8, 2, 2],
    [2, 2, 8, 8, 2, 2],
    [2, 2, 2, 2, 2, 2],
    [2, 2, 2, 2, 2, 2],
]
KERNELS = {
    "sharpen": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
    "edge": [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]],
}


def window(r: int, c: int) -> list[float | None]:
    """The 3×3 window of output (r, c) with 'same' padding (one zero row/column around):
    None marks a padding cell."""
    out = []
    for i in range(3):
        for j in range(3):
            y, x = r + i - 1, c + j - 1
            out.append(IMAGE[y][x] if 0 <= y < 6 and 0 <= x < 6 else None)
    return out


def number(text: str) -> float:
    return float(text.replace("−", "-"))


@pytest.fixture(scope="module")
def page(demo_site, browser):
    from conftest import serve

    url, stop = serve(demo_site)
    browser.get(url.rstrip("/") + "/" + PAGE)
    browser.execute_async_script("const done = arguments[0]; window.mlpages.ready.then(() => done(true));")
    yield browser
    stop()


def cell(driver):
    return driver.find_element(By.ID, CELL)


def pick(driver, r: int, c: int) -> None:
    cell(driver).find_element(By.CSS_SELECTOR, f'button[data-row="{r}"][data-col="{c}"]').click()


def explanation(driver) -> tuple[list[list[str]], str, str]:
    box = cell(driver).find_element(By.CSS_SELECTOR, ".mlpages-conv-explain")
    rows = [[td.text for td in tr.find_elements(By.TAG_NAME, "td")]
            for tr in box.find_elements(By.CSS_SELECTOR, "tbody tr")]
    return rows, box.find_element(By.CSS_SELECTOR, ".mlpages-conv-sum").text, box.text


@pytest.mark.parametrize(("r", "c"), [(0, 0), (2, 2), (1, 2), (5, 3)])
def test_an_output_cell_shows_its_window_products_and_sum(page, r, c):
    pick(page, r, c)
    kernel = [w for row in KERNELS["sharpen"] for w in row]
    inputs = window(r, c)
    highlighted = cell(page).find_elements(By.CSS_SELECTOR, "table.mlpages-conv-input td.mlpages-conv-window")
    assert [td.text for td in highlighted] == ["0" if v is None else str(v) for v in inputs]
    padded = [td for td in highlighted if "mlpages-conv-pad" in td.get_attribute("class")]
    assert len(padded) == sum(v is None for v in inputs)
    rows, total, _ = explanation(page)
    assert len(rows) == 9
    expected_sum = 0
    for row, v, w in zip(rows, inputs, kernel, strict=True):
        assert row[0] == ("0 (padding)" if v is None else str(v))
        assert number(row[2]) == w
        assert number(row[4]) == (v or 0) * w
        expected_sum += (v or 0) * w
    assert total == f"sum of products = {expected_sum}"
    button = cell(page).find_element(By.CSS_SELECTOR, '[aria-pressed="true"]')
    assert (button.get_attribute("data-row"), button.get_attribute("data-col")) == (str(r), str(c))
    assert number(button.text) == expected_sum


def test_arrow_keys_move_the_selection_and_the_focus(page):
    pick(page, 2, 2)
    page.switch_to.active_element.send_keys(Keys.ARROW_RIGHT)
    page.switch_to.active_element.send_keys(Keys.ARROW_DOWN)
    focused = page.switch_to.active_element
    assert (focused.get_attribute("data-row"), focused.get_attribute("data-col")) == ("3", "3")
    assert focused.get_attribute("aria-pressed") == "true"
    assert focused.get_attribute("tabindex") == "0"
    _, total, _ = explanation(page)
    assert total == "sum of products = 20"  # 5·8 − (8 + 8 + 2 + 2)


def test_run_checks_every_kernel_with_tf_conv2d_and_frees_its_tensors(page):
    before = page.execute_script("return window.mlpages.memory().numTensors")
    results = page.execute_async_script(
        "const done = arguments[0];"
        f"window.mlpages.run('{CELL}').then(r => done(r), e => done(String(e)));"
    )
    assert results["status"] == "ok", results
    assert page.execute_script("return window.mlpages.memory().numTensors") == before
    sharpen, edge, blur = results["outputs"]
    assert sharpen["shape"] == [6, 6] and sharpen["data"][14] == 20  # computed by TF.js
    check = cell(page).find_element(By.CSS_SELECTOR, ".mlpages-conv-check").text
    assert "all 36 outputs match the NumPy reference" in check and "✓" in check
    # The reader switches to the edge kernel: the view and the check follow.
    menu = Select(cell(page).find_element(By.CSS_SELECTOR, "select.mlpages-conv-select"))
    menu.select_by_visible_text("edge")
    # Switching re-runs the check: wait for that run to end before reading the view.
    WebDriverWait(page, 60, ignored_exceptions=(StaleElementReferenceException,)).until(
        lambda d: cell(d).find_element(By.CSS_SELECTOR, ".mlpages-status").text == "done")
    kernel = cell(page).find_element(By.CSS_SELECTOR, ".mlpages-live table.mlpages-conv-kernel")
    assert kernel.text.startswith("edge kernel (3×3)")
    pick(page, 2, 2)
    rows, total, text = explanation(page)
    assert [number(r[2]) for r in rows] == [w for row in KERNELS["edge"] for w in row]
    assert total == "sum of products = 30"  # 8·8 − (2 + 2 + 2 + 2 + 8 + 2 + 8 + 8)
    assert "TF.js (webgl): 30 ✓" in text
    assert page.execute_script(f"return window.mlpages.results['{CELL}'].status") == "ok"


MLPAGES = [sys.executable, "-m", "mlpages.cli"]


def test_verify_passes_the_cell_and_catches_a_wrong_reference(demo_site, tmp_path):
    site = tmp_path / "site"
    shutil.copytree(demo_site / "assets", site / "assets")
    target = site / PAGE / "index.html"
    target.parent.mkdir(parents=True)
    html = (demo_site / PAGE / "index.html").read_text()
    target.write_text(html)
    run = [*MLPAGES, "verify", str(site), "--artifacts", str(tmp_path / "art")]
    ok = subprocess.run(run, capture_output=True, text=True, timeout=600)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "0 mismatched, 0 errors" in ok.stdout and "sharpen" in ok.stdout

    pattern = re.compile(rf'(<div class="mlpages-cell mlpages-convolution" id="{CELL}".*?'
                         r'class="mlpages-spec">)(.*?)(</script>)', re.S)
    match = pattern.search(html)
    spec = json.loads(match.group(2))
    output = spec[0]["kernels"][0]["output"]["data"]
    assert output[14] == 20
    output[14] = 21.0
    target.write_text(html[: match.start(2)] + json.dumps(spec, separators=(",", ":")) + html[match.end(2):])
    bad = subprocess.run(run, capture_output=True, text=True, timeout=600)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    line = next(ln for ln in bad.stdout.splitlines() if "index 14 (2, 2)" in ln)
    assert "course/convolution/index.html" in line and "sharpen" in line
    assert "browser 20, reference 21" in line
    assert "1 mismatched" in bad.stdout


def test_the_page_reads_without_javascript(demo_site):
    html = (Path(demo_site) / PAGE / "index.html").read_text()
    static = html[html.index(f'id="{CELL}"'):]
    assert "<caption>input image (6×6)</caption>" in static
    assert "<caption>sharpen kernel (3×3)</caption>" in static


def test_instant_navigation_and_the_dark_palette(demo_site, browser):
    from conftest import serve

    url, stop = serve(demo_site)
    try:
        browser.get(url)
        browser.get_log("browser")  # drop what loading the first page logged
        link = browser.find_element(By.CSS_SELECTOR, 'a[href$="course/convolution/"]')
        browser.execute_script("arguments[0].click()", link)
        WebDriverWait(browser, 30).until(lambda d: "course/convolution" in d.current_url)
        assert browser.execute_script("return performance.getEntriesByType('navigation').length") == 1
        results = browser.execute_async_script(
            "const done = arguments[0]; window.mlpages.ready.then(() => window.mlpages.runAll())"
            ".then(r => done(r.map(c => [c.id, c.status])), e => done(String(e)));")
        assert results == [[CELL, "ok"], ["mlp-course-convolution-digits", "ok"],
                           ["mlp-course-convolution-digit-edges", "ok"]]
        assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []
        browser.execute_script("document.body.setAttribute('data-md-color-scheme', 'slate')")
        pick(browser, 1, 1)
        colors = browser.execute_script(
            "const b = document.querySelector('#" + CELL + " [aria-pressed=\"true\"]');"
            "const w = document.querySelector('#" + CELL + " td.mlpages-conv-window');"
            "const s = getComputedStyle(b), t = getComputedStyle(w);"
            "return [s.color, s.backgroundColor, t.color, getComputedStyle(document.body).backgroundColor];")
        pressed_fg, pressed_bg, window_fg, page_bg = colors
        assert pressed_fg != pressed_bg and window_fg != page_bg
    finally:
        stop()


SHOWN_CODE = """
const [id] = arguments;
const done = arguments[arguments.length - 1];
(async () => {
  await window.mlpages.ready;
  const tf = window.tf;
  const code = document.querySelector(`#${id} .mlpages-code code`).textContent;
  const AsyncFunction = (async () => {}).constructor;
  const body = code + '\\nconst values = Array.from(await output.data());'
    + '\\ntf.dispose([image, kernel, output]);\\nreturn values;';
  const shown = await new AsyncFunction('tf', body)(tf);
  const result = await window.mlpages.run(id);
  return {shown, runtime: result.outputs[0].data, status: result.status};
})().then(done, (e) => done({error: String(e)}));
"""


@pytest.mark.parametrize("cell_id", [CELL, "mlp-course-convolution-digit-edges"])
def test_the_displayed_code_computes_the_runtime_output(page, cell_id):
    out = page.execute_async_script(SHOWN_CODE, cell_id)
    assert "error" not in out, out
    assert out["status"] == "ok"
    assert len(out["shown"]) == 36 and out["shown"] == out["runtime"]
