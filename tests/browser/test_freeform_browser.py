"""Free-form `tfjs` cells in headless Chromium, on WebGL and on the CPU backend: every cell
of the demo page matches its NumPy reference, printed output shows under its cell, an
exception names its Markdown line and leaves the other cells working, re-running a cell
leaks no tensors, and a cell reads a model block above it."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from sitebuild import ROOT, build_pages

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser-freeform")]

DEMO = ROOT / "docs" / "course" / "freeform.md"
DEMO_CELLS = ["hello-line", "perceptron", "conv", "loop", "use-loop"]

# Makes every WebGL context request fail before the runtime loads (the CPU copy of a page).
NO_WEBGL = """<script>
(() => {
  const deny = (proto) => {
    const original = proto.getContext;
    proto.getContext = function (type, ...rest) {
      return /webgl/i.test(type) ? null : original.call(this, type, ...rest);
    };
  };
  deny(HTMLCanvasElement.prototype);
  if (typeof OffscreenCanvas !== 'undefined') deny(OffscreenCanvas.prototype);
})();
</script>"""

ERRORS_PAGE = """# Errors

```tfjs
// name: first
console.log('hello from', 'first');
return {one: 1};
```

```reference
return {"one": 1}
```

```tfjs
// name: throws
const t = tf.tensor1d([1, 2, 3]);
print('before the error');
const bad = t.notAMethod();
return {bad};
```

```reference
return {"bad": 0}
```

```tfjs
// name: syntax
const ok = 1;
const broken = (ok + ;
return {ok};
```

```tfjs
// name: after
return {two: values.one + 1, ws: [tf.tensor1d([1, 2]), tf.tensor1d([3, 4])]};
```

```reference
return {"two": 2, "ws": [[1, 2], [3, 4]]}
```

```dataset
name: pts
x: [[0], [1], [2], [3]]
y: [[1], [3], [5], [7]]
```

```model
name: line
layers:
  - dense: {units: 1, inputShape: [1], kernelInitializer: zeros}
compile: {optimizer: sgd, loss: meanSquaredError}
```

```tfjs
// name: block-model
const model = await mlpages.model('line');
const {x} = mlpages.dataset('pts');
const out = model.predict(x);
return {out, weights: model.getWeights().length};
```

```reference
import numpy as np
x, y = dataset("pts")
return {"out": model("line").predict(x), "weights": 2}
```
"""


STOP_PAGE = """# Stop

```tfjs
// name: forever
const w = tf.variable(tf.zeros([4]));
let step = 0;
while (true) {
  w.assign(w.add(tf.ones([4])));
  step += 1;
  if (step % 5 === 0) await tf.nextFrame();
}
```

```tfjs
// name: next
return {ok: 1};
```
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    project = tmp_path_factory.mktemp("freeform")
    site = build_pages(project, {"index.md": DEMO.read_text(encoding="utf-8"), "errors.md": ERRORS_PAGE,
                                 "stop.md": STOP_PAGE})
    for page in ("index.html", "errors/index.html"):
        html = (site / page).read_text(encoding="utf-8")
        cpu = site / "cpu" / page
        cpu.parent.mkdir(parents=True, exist_ok=True)
        cpu.write_text(html.replace("<head>", "<head>\n" + NO_WEBGL, 1), encoding="utf-8")
    # the CPU copies load the runtime and array files from the same relative places
    shutil.copytree(site / "assets", site / "cpu" / "assets")
    shutil.copytree(site / "assets", site / "cpu" / "errors" / "assets", dirs_exist_ok=True)
    return site


@pytest.fixture(scope="module")
def url(site, browser):
    from conftest import serve

    root, stop = serve(site)
    yield root
    stop()


def open_page(driver: Any, address: str) -> dict[str, Any]:
    driver.get(address)
    driver.execute_async_script("const done = arguments[0]; window.mlpages.ready.then(() => done(true));")
    return driver.execute_script("return window.mlpages.environment();")


def run_all(driver: Any) -> dict[str, Any]:
    return driver.execute_async_script(
        "const done = arguments[0]; window.mlpages.runAll().then(() => done(window.mlpages.results));")


def run_cell(driver: Any, cell_id: str) -> dict[str, Any]:
    return driver.execute_async_script(
        "const [id, done] = arguments; window.mlpages.run(id).then(done, (e) => done(String(e)));",
        cell_id)


def checks(driver: Any, cell_id: str) -> list[str]:
    cell = driver.find_element(By.ID, cell_id)
    return [td.text for td in cell.find_elements(By.CSS_SELECTOR, ".mlpages-live tbody tr td:last-child")]


@pytest.mark.parametrize("backend", ["webgl", "cpu"])
def test_every_demo_cell_matches_its_reference(url, browser, backend):
    env = open_page(browser, url + ("" if backend == "webgl" else "cpu/"))
    assert env["backend"] == backend
    results = run_all(browser)
    for name in DEMO_CELLS:
        result = results[f"mlp-index-{name}"]
        assert result["status"] == "ok", (name, result.get("error"))
        assert result["values"], name
        marks = checks(browser, f"mlp-index-{name}")
        assert marks and all(m.startswith("✓") for m in marks), (name, marks)
    line = results["mlp-index-hello-line"]
    assert set(line["values"]) == {"prediction", "loss", "kernel"}
    assert line["values"]["loss"]["shape"] == [30]
    # prediction.print() shows under its cell
    out = browser.find_element(By.CSS_SELECTOR, "#mlp-index-hello-line .mlpages-output").text
    assert "Tensor" in out and "18." in out, out
    loop = browser.find_element(By.CSS_SELECTOR, "#mlp-index-loop .mlpages-output").text
    assert loop.startswith("a = 2.00"), loop
    # The convolution's centre, bound into a sentence: the reference, then the reader's own run.
    mine = results["mlp-index-conv"]["values"]["output"]["data"]
    assert mine[4] == pytest.approx(5 * 30 - 4 * 8, abs=1e-3)
    assert browser.find_element(By.ID, "mlp-index-value-1").text == "118"
    own = browser.find_element(By.CSS_SELECTOR, "#mlp-index-value-1 + .mlpages-value-own").text
    assert own == f"(your run: {mine[4]:.6g} ✓)", own
    if backend == "webgl":  # the question bound to it grades with the reader's run
        question = "#mlp-index-sharpen-centre [data-mlpages-question]"
        WebDriverWait(browser, 10).until(
            lambda d: d.execute_script("return !!document.querySelector('[data-mlpages-quiz-ready]')"))
        box = browser.find_element(By.CSS_SELECTOR, f'{question} input[type="text"]')
        box.send_keys(f"{mine[4]:.6g}")
        check = next(b for b in browser.find_elements(By.CSS_SELECTOR, f"{question} button")
                     if b.text == "Check")
        browser.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", check)
        check.click()
        verdict = browser.find_element(By.CSS_SELECTOR, f"{question} .mlpages-quiz-feedback p")
        assert verdict.get_attribute("data-verdict") == "right", verdict.text
        assert "from your run of conv" in verdict.text


@pytest.mark.parametrize("backend", ["webgl", "cpu"])
def test_rerunning_a_cell_leaks_no_tensors(url, browser, backend):
    env = open_page(browser, url + ("" if backend == "webgl" else "cpu/"))
    assert env["backend"] == backend
    run_all(browser)
    for name in DEMO_CELLS:
        run_cell(browser, f"mlp-index-{name}")
        before = browser.execute_script("return window.mlpages.memory().numTensors;")
        result = run_cell(browser, f"mlp-index-{name}")
        assert result["status"] == "ok", result
        after = browser.execute_script("return window.mlpages.memory().numTensors;")
        assert after == before, (name, before, after)


@pytest.mark.parametrize("backend", ["webgl", "cpu"])
def test_an_exception_names_its_line_and_other_cells_still_run(url, browser, backend):
    open_page(browser, url + ("errors/" if backend == "webgl" else "cpu/errors/"))
    results = run_all(browser)
    line = ERRORS_PAGE.split("\n").index("const bad = t.notAMethod();") + 1
    throws = results["mlp-errors-throws"]
    assert throws["status"] == "error"
    assert throws["error"].startswith(f"docs/errors.md:{line}: TypeError"), throws["error"]
    cell = browser.find_element(By.ID, "mlp-errors-throws")
    assert f"docs/errors.md:{line}" in cell.find_element(By.CSS_SELECTOR, ".mlpages-cell-error").text
    assert "before the error" in cell.find_element(By.CSS_SELECTOR, ".mlpages-output").text
    syntax = results["mlp-errors-syntax"]
    line = ERRORS_PAGE.split("\n").index("const broken = (ok + ;") + 1
    assert syntax["status"] == "error"
    assert syntax["error"].startswith(f"docs/errors.md:{line}: SyntaxError"), syntax["error"]
    first = browser.find_element(By.CSS_SELECTOR, "#mlp-errors-first .mlpages-output").text
    assert first == "hello from first"
    # a list of tensors of one shape is one value, stacked as np.asarray stacks a list
    assert results["mlp-errors-after"]["values"]["ws"] == {"shape": [2, 2], "data": [1, 2, 3, 4]}
    for name in ("first", "after", "block-model"):
        assert results[f"mlp-errors-{name}"]["status"] == "ok", results[f"mlp-errors-{name}"]
        assert all(m.startswith("✓") for m in checks(browser, f"mlp-errors-{name}")), name
    # the error left no tensor behind: running the failing cell again changes nothing
    before = browser.execute_script("return window.mlpages.memory().numTensors;")
    run_cell(browser, "mlp-errors-throws")
    assert browser.execute_script("return window.mlpages.memory().numTensors;") == before


MLPAGES = [sys.executable, "-m", "mlpages.cli"]
SPEC = re.compile(r'(<div class="mlpages-cell mlpages-tfjs" id="(?P<id>[^"]+)".*?class="mlpages-spec">)'
                  r'(?P<spec>.*?)(</script>)', re.S)


def _edit_references(html: str, edits: dict[str, Any]) -> str:
    """The page with each named cell's reference values changed by `edits[cell id](values)`."""
    out, end = [], 0
    for m in SPEC.finditer(html):
        out.append(html[end:m.start("spec")])
        spec = json.loads(m.group("spec"))
        edit = edits.get(m.group("id"))
        if edit is not None:
            for ref in spec[0]["references"]:
                edit(ref["values"])
        out.append(json.dumps(spec, separators=(",", ":")))
        end = m.end("spec")
    return "".join(out) + html[end:]


def _verify(site: Path, tmp_path: Path, pages: dict[str, str]) -> subprocess.CompletedProcess:
    copy = tmp_path / "verify-site"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(site / "assets", copy / "assets")
    for rel, html in pages.items():
        (copy / rel).parent.mkdir(parents=True, exist_ok=True)
        (copy / rel).write_text(html, encoding="utf-8")
    run = [*MLPAGES, "verify", str(copy), "--artifacts", str(tmp_path / "art")]
    return subprocess.run(run, capture_output=True, text=True, timeout=600)


def test_verify_passes_the_demo_and_names_each_wrong_value(site, tmp_path):
    html = (site / "index.html").read_text(encoding="utf-8")
    ok = _verify(site, tmp_path, {"index.html": html})
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "0 mismatched, 0 errors" in ok.stdout

    def nudge(values):
        values["z"]["data"][3] = 0.75  # the page computes 0.5

    def extra(values):
        values["c"] = {"shape": [], "data": [1.0]}

    def reshape(values):
        values["kernel"]["shape"] = [1]

    def drop(values):
        del values["y"]

    def brighter(values):
        values["output"]["data"][4] = 119.0  # the centre the sentence and the question show

    bad = _verify(site, tmp_path, {"index.html": _edit_references(html, {
        "mlp-index-perceptron": nudge, "mlp-index-loop": extra,
        "mlp-index-hello-line": reshape, "mlp-index-use-loop": drop, "mlp-index-conv": brighter})})
    assert bad.returncode == 1, bad.stdout + bad.stderr
    lines = bad.stdout.splitlines()

    def line_of(*parts: str) -> str:
        found = [ln for ln in lines if all(p in ln for p in parts)]
        assert found, (parts, bad.stdout)
        return found[0]

    assert "browser 0.5, reference 0.75" in line_of("index.html", "perceptron", "z index 3")
    assert "the page's code does not return it" in line_of("index.html", "loop", ": c:")
    assert "browser shape [1, 1], reference shape [1]" in line_of("index.html", "hello-line", "kernel")
    assert "the reference has none of that name" in line_of("index.html", "use-loop", ": y:")
    assert "browser 118, reference 119" in line_of("index.html", "cell conv (", "output index 4")
    # The sentence and the question still show the build's 118: no longer the cell's reference.
    assert "stores 118" in line_of("index.html", "conv.output[1, 1]", "stored value")
    assert "stores 118" in line_of("index.html", "sharpen-centre", "stored value")
    assert "7 mismatched" in bad.stdout


def test_verify_reports_a_cell_that_throws_and_runs_the_others(site, tmp_path):
    html = (site / "errors" / "index.html").read_text(encoding="utf-8")
    result = _verify(site, tmp_path, {"errors/index.html": html})
    assert result.returncode == 4, result.stdout + result.stderr  # cells that failed, no mismatch
    throws = next(ln for ln in result.stdout.splitlines() if "throws" in ln and "TypeError" in ln)
    assert "docs/errors.md:" in throws and "notAMethod" in throws
    assert any("syntax" in ln and "SyntaxError" in ln for ln in result.stdout.splitlines())
    assert "0 mismatched, 2 errors" in result.stdout, result.stdout


def test_stop_ends_a_loop_at_its_next_frame_and_frees_what_it_made(url, browser):
    open_page(browser, url + "stop/")
    before = browser.execute_script("return window.mlpages.memory().numTensors;")
    browser.execute_script("window.__run = window.mlpages.run('mlp-stop-forever');")
    stop = browser.find_element(By.CSS_SELECTOR, '#mlp-stop-forever button[aria-label="Stop forever"]')
    WebDriverWait(browser, 30).until(lambda d: stop.is_enabled())
    time.sleep(0.5)  # a few hundred steps
    stop.click()
    result = browser.execute_async_script("const done = arguments[0]; window.__run.then(done);")
    assert result["status"] == "stopped" and result["comparable"] is False
    status = browser.find_element(By.CSS_SELECTOR, "#mlp-stop-forever .mlpages-status").text
    assert status == "stopped"
    nxt = run_cell(browser, "mlp-stop-next")
    assert nxt["status"] == "ok"
    # the variable the stopped run made lives until the cell runs again; then it is freed
    browser.execute_script("window.__run = window.mlpages.run('mlp-stop-forever');")
    WebDriverWait(browser, 30).until(lambda d: stop.is_enabled())
    stop.click()
    browser.execute_async_script("const done = arguments[0]; window.__run.then(done);")
    after = browser.execute_script("return window.mlpages.memory().numTensors;")
    assert after == before + 1, (before, after)  # one variable: the last run's `w`


def test_a_cell_run_before_the_cells_above_says_which_value_is_missing(url, browser):
    open_page(browser, url + "errors/")
    result = run_cell(browser, "mlp-errors-after")
    line = ERRORS_PAGE.split("\n").index("return {two: values.one + 1, ws: [tf.tensor1d([1, 2]), "
                                         "tf.tensor1d([3, 4])]};") + 1
    assert result["status"] == "error"
    assert result["error"].startswith(f"docs/errors.md:{line}: Error: values.one: no tfjs cell above has "
                                      "returned 'one'"), result["error"]
    run_cell(browser, "mlp-errors-first")
    assert run_cell(browser, "mlp-errors-after")["status"] == "ok"
