"""The program a train or predict cell shows is complete: pasted into a blank page that
loads TF.js and nothing of mlpages, it gives the cell's reference numbers; its standalone
HTML file, opened from disk (file://), prints them."""

from __future__ import annotations

import math
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import serving

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser-demo")]

# Every train and predict cell of the demo course: on TF.js's CPU backend (software WebGL
# takes several times longer: about 3 minutes), and the cells of one page also on WebGL.
WEBGL_PAGE = "course/xor/"
CELL = re.compile(r'data-mlpages-kind="(?:train|predict)" data-mlpages-name="([^"]+)"')
BLANK = "mlpages-test-blank.html"

# The shown program and the spec of each cell of `ids`, read from the course page once its
# runtime is ready.
READ = """
const [ids] = arguments;
const done = arguments[arguments.length - 1];
(async () => {
  await window.mlpages.ready;
  return ids.map((id) => {
    const cell = document.getElementById(id);
    const spec = JSON.parse(cell.querySelector('script').textContent);
    const program = cell.querySelector('.mlpages-program code').textContent;
    return {program, spec: Array.isArray(spec) ? spec[0] : spec};
  });
})().then(done, (e) => done({error: String(e)}));
"""

# Runs a program as a module script of the blank page, then reads what it left in
# `history` or `prediction` (lines added after the program, which stays as shown).
RUN = """
const [program, kind, backend] = arguments;
const done = arguments[arguments.length - 1];
window.__result = undefined;
const fail = (e) => done({error: String(e.message ?? e.reason ?? e)});
window.addEventListener('error', fail);
window.addEventListener('unhandledrejection', fail);
const keep = kind === 'train'
  ? 'window.__result = {history: history.history};'
  : 'window.__result = {prediction: Array.from(await prediction.data())};';
const script = document.createElement('script');
script.type = 'module';
script.textContent = `${program}\\n${keep}\\nwindow.__result.epsilon = tf.backend().epsilon();`;
tf.setBackend(backend).then(() => document.body.append(script), fail);
const wait = () => (window.__result ? done(window.__result) : setTimeout(wait, 50));
wait();
"""

# Presses a cell's Standalone button (the second, or the third: TF.js inside) and returns
# the file it saves (the download itself is held back).
STANDALONE = """
const [id, inside] = arguments;
const done = arguments[arguments.length - 1];
const saved = [];
URL.createObjectURL = (blob) => { saved.push(blob); return 'about:blank'; };
HTMLAnchorElement.prototype.click = function () {};
const buttons = document.querySelectorAll(`#${id} .mlpages-code-tools button`);
buttons[inside ? 2 : 1].click();
const wait = () => (saved.length ? saved[0].text().then(done) : setTimeout(wait, 50));
wait();
"""


def close(a: float, b: float, tol: dict[str, float]) -> bool:
    return math.isclose(a, b, rel_tol=tol["rtol"], abs_tol=tol["atol"])


def reference(spec: dict[str, Any], epsilon: float) -> dict[str, Any]:
    found = [r for r in spec["references"] if abs(r["epsilon"] - epsilon) <= 1e-12 * abs(epsilon)]
    assert found, (spec["id"], epsilon)
    return found[0]


def cell_id(page: str, name: str) -> str:
    return "mlp-" + page.strip("/").replace("/", "-") + "-" + name


def read_cells(browser: Any, url: str, page: str, names: list[str]) -> list[tuple[str, dict[str, Any]]]:
    """The shown program and the spec of each cell `names` of the page (one page load)."""
    browser.get(url + page)
    out = browser.execute_async_script(READ, [cell_id(page, name) for name in names])
    assert isinstance(out, list), out
    return [(cell["program"], cell["spec"]) for cell in out]


@pytest.fixture
def blank_page(demo_site: Path) -> Iterator[str]:
    """BLANK in the demo site while the test runs (the built site is shared: it goes after)."""
    (demo_site / BLANK).write_text('<!doctype html><html><head><meta charset="utf-8">'
                                   '<script src="assets/mlpages/vendor/tf.min.js"></script>'
                                   "</head><body></body></html>")
    yield BLANK
    (demo_site / BLANK).unlink()


def test_each_shown_program_gives_the_reference_in_a_blank_page_with_tfjs(demo_site, blank_page, browser):
    cells = {f"{p.parent.relative_to(demo_site).as_posix()}/": CELL.findall(p.read_text(encoding="utf-8"))
             for p in sorted((demo_site / "course").glob("*/index.html"))}
    assert sum(len(names) for names in cells.values()) >= 25, cells
    with serving(demo_site) as url:
        for page, names in cells.items():
            for name, (program, spec) in zip(names, read_cells(browser, url, page, names), strict=True):
                assert "mlpages" not in program.replace("mlpages-data/", ""), program
                assert "'../" not in program and "loadArray('http" in program or "loadArray(" not in program
                for backend in ("cpu", "webgl") if page == WEBGL_PAGE else ("cpu",):
                    browser.get(url + blank_page)
                    out = browser.execute_async_script(RUN, program, spec["kind"], backend)
                    assert "error" not in out, (name, backend, out)
                    check(name, spec, out)


def check(name: str, spec: dict[str, Any], out: dict[str, Any]) -> None:
    """The program's history or prediction equals the reference of the backend it ran on."""
    ref = reference(spec, out["epsilon"])
    tol = spec["tolerance"]
    if spec["kind"] == "train":
        assert set(out["history"]) == set(ref["history"]), name
        for key, values in out["history"].items():
            assert len(values) == len(ref["history"][key]) == spec["fit"]["epochs"]
            for a, b in zip(values, ref["history"][key], strict=True):
                assert close(a, b, tol), (name, key, a, b)
    else:
        expected = ref["predictions"]["data"]
        assert len(out["prediction"]) == len(expected), name
        for a, b in zip(out["prediction"], expected, strict=True):
            assert close(a, b, tol), (name, a, b)


def printed(text: str) -> dict[str, float]:
    """`quantity value` lines the program logged."""
    return {m.group(1): float(m.group(2)) for m in re.finditer(r"^(\w+) (\S+)$", text, re.M)}


@pytest.mark.parametrize("page, name, inside", [
    ("course/xor/", "fit-xor", False),  # TF.js by a script tag from the site
    ("course/colours/", "fit-colours", True),  # TF.js and the data files inside the file
])
def test_the_standalone_file_runs_from_disk_and_prints_the_reference(demo_site, browser, tmp_path: Path,
                                                                    page, name, inside):
    with serving(demo_site) as url:
        [(program, spec)] = read_cells(browser, url, page, [name])
        html = browser.execute_async_script(STANDALONE, cell_id(page, name), inside)
        assert isinstance(html, str), html
        assert ("assets/mlpages/vendor/tf.min.js" in html) is not inside
        assert "mlpages-data/" not in html  # the data files are inside
        assert "const history = await" in html and program.splitlines()[-1] in html
        path = tmp_path / f"{name}.html"
        path.write_text(html, encoding="utf-8")
        browser.get(path.as_uri())
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            state = browser.execute_script(
                "return [document.body.dataset.done, document.getElementById('output').textContent,"
                " typeof tf === 'undefined' ? null : tf.backend().epsilon()]")
            if state[0] == "true" or "Error" in state[1]:
                break
            time.sleep(0.2)
    assert state[0] == "true", state
    values = printed(state[1])
    ref = reference(spec, state[2])
    assert set(values) == set(ref["history"]), state[1]
    for key, value in values.items():
        assert close(value, ref["history"][key][-1], spec["tolerance"]), (key, value)


# The program box of every train and predict cell on a page: lines wrap (nothing wider than
# the box), a long program scrolls in a box of bounded height; Copy copies the whole text.
BOX = """
const done = arguments[arguments.length - 1];
(async () => {
  await window.mlpages.ready;
  const copied = [];
  Object.defineProperty(navigator, 'clipboard', {value: {writeText: async (text) => { copied.push(text); }}});
  const out = [];
  for (const block of document.querySelectorAll('.mlpages-program')) {
    const code = block.querySelector('code');
    const style = getComputedStyle(code);
    block.nextElementSibling.querySelector('button').click();
    await new Promise((r) => setTimeout(r, 0));
    out.push({wide: code.scrollWidth - code.clientWidth, high: code.scrollHeight > code.clientHeight,
              overflowY: style.overflowY, maxHeight: style.maxHeight, whiteSpace: style.whiteSpace,
              copiedWhole: copied.at(-1) === code.textContent, text: code.textContent.length});
  }
  return out;
})().then(done, (e) => done({error: String(e)}));
"""


@pytest.mark.parametrize("scheme", ["default", "slate"])
def test_material_program_boxes_wrap_scroll_and_copy_whole(demo_site, browser, scheme):
    with serving(demo_site) as url:
        browser.get(url + "course/cnn-digits/")
        browser.execute_script(f"document.body.setAttribute('data-md-color-scheme', '{scheme}')")
        boxes = browser.execute_async_script(BOX)
    assert isinstance(boxes, list) and len(boxes) == 5, boxes
    for box in boxes:
        assert box["wide"] <= 0 and box["whiteSpace"] == "pre-wrap", box
        assert box["overflowY"] == "scroll" and box["maxHeight"] != "none", box
        assert box["copiedWhole"] and box["text"] > 1000, box
    assert any(box["high"] for box in boxes)  # a long program scrolls in its box


def test_default_theme_program_boxes_wrap_and_copy_whole(spec_site, browser):
    with serving(spec_site) as url:
        browser.get(url + "optimizers/")
        boxes = browser.execute_async_script(BOX)
    assert isinstance(boxes, list) and boxes, boxes
    for box in boxes:
        assert box["wide"] <= 0 and box["whiteSpace"] == "pre-wrap" and box["copiedWhole"], box
