"""What a page downloads: only the TF.js it needs (tools/vendor.py, runtime/tfjs.js).

A page of dense layers loads the slim TF.js entry and its shared chunks, uPlot and the
runtime's modules, within the page-weight budget; the convolution kernels come only to a page
with a convolution layer or cell, the CPU backend only when WebGL is unavailable, and every
other kernel only on request (``tf.loadAllKernels()``)."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from conftest import serving
from sitebuild import build_pages

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser-bundle")]

# The JavaScript (gzip -9, file by file) that a page with cells may download from the
# site's assets/mlpages/: TF.js, uPlot and the runtime's modules (the theme's own scripts,
# Material's bundle or MkDocs', are not counted): the 250 kB target, which a page of dense
# layers meets with the runtime's modules minified (tools/vendor.py; README, "Measured").
BUDGET_BYTES = 250_000

DENSE = """# Dense

```dataset
name: spiral
generate: spiral
n: 96
noise: 0.1
seed: 1
```

```model
name: net
seed: 1
layers:
  - dense: {units: 16, activation: tanh, inputShape: [2]}
  - dense: {units: 16, activation: relu}
  - dense: {units: 1, activation: sigmoid}
compile:
  optimizer: {adam: {learningRate: 0.02}}
  loss: binaryCrossentropy
  metrics: [accuracy]
```

```train
name: fit
model: net
dataset: spiral
epochs: 5
batchSize: 16
```

```predict
name: guess
model: net
dataset: spiral
split: train
```
"""

CONV = """# Conv

```dataset
name: images
x:
  - [0, 1, 0, 1, 0, 1, 0, 1, 0]
  - [1, 0, 1, 0, 1, 0, 1, 0, 1]
  - [0, 0, 1, 1, 0, 0, 1, 1, 0]
  - [1, 1, 0, 0, 1, 1, 0, 0, 1]
y: [[0], [1], [0], [1]]
```

```model
name: cnn
seed: 2
layers:
  - reshape: {targetShape: [3, 3, 1], inputShape: [9]}
  - conv2d: {filters: 2, kernelSize: 2, activation: relu}
  - maxPooling2d: {poolSize: 2}
  - flatten: {}
  - dense: {units: 1, activation: sigmoid}
compile: {optimizer: sgd, loss: binaryCrossentropy}
```

```train
name: fit-cnn
model: cnn
dataset: images
epochs: 2
batchSize: 2
```
"""

NO_WEBGL = """<script>
for (const proto of [HTMLCanvasElement.prototype, globalThis.OffscreenCanvas?.prototype]) {
  if (!proto) continue;
  const original = proto.getContext;
  proto.getContext = function (type, ...rest) {
    return /webgl/i.test(type) ? null : original.call(this, type, ...rest);
  };
}
</script>"""

# A stand-in for Material's `document$` (instant navigation), as in test_runtime.py.
DOCUMENT_SUBJECT = """<script>
(() => {
  const subscribers = [];
  let last = null;
  window.document$ = {
    subscribe(fn) { subscribers.push(fn); if (last) fn(last); },
    next(doc) { last = doc; for (const fn of subscribers) fn(doc); },
  };
  document.addEventListener('DOMContentLoaded', () => window.document$.next(document));
})();
</script>"""

RUN_ALL = """
const done = arguments[arguments.length - 1];
(async () => {
  await window.mlpages.ready;
  const results = await window.mlpages.runAll();
  return {backend: window.mlpages.environment().backend,
          statuses: results.map((r) => r.status + (r.error ? ': ' + r.error : '')),
          scripts: performance.getEntriesByType('resource').map((e) => e.name)
            .filter((n) => new URL(n).pathname.endsWith('.js'))};
})().then(done, (e) => done({error: String(e && e.stack || e)}));
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    site = build_pages(tmp_path_factory.mktemp("bundle"), {"index.md": DENSE, "conv.md": CONV},
                       site_name="bundle")
    dense = (site / "index.html").read_text()
    (site / "cpu.html").write_text(dense.replace("<head>", "<head>" + NO_WEBGL, 1))
    (site / "instant.html").write_text(dense.replace("<head>", "<head>" + DOCUMENT_SUBJECT, 1))
    return site


@pytest.fixture(scope="module")
def pages(site: Path, browser: Any) -> dict[str, dict[str, Any]]:
    """Each page opened in a fresh tab state, all its cells run: backend, statuses, scripts."""
    out = {}
    with serving(site) as url:
        for name in ("index.html", "conv/index.html", "cpu.html"):
            browser.get("about:blank")
            browser.get(url + name)
            result = browser.execute_async_script(RUN_ALL)
            assert "error" not in result, result
            result["paths"] = sorted({urlparse(s).path.lstrip("/") for s in result["scripts"]})
            out[name] = result
    return out


def vendor(paths: list[str]) -> set[str]:
    return {p.rsplit("/", 1)[1] for p in paths if p.startswith("assets/mlpages/vendor/")}


def gzip_total(site: Path, paths: list[str]) -> int:
    ours = [p for p in paths if p.startswith("assets/mlpages/")]
    return sum(len(gzip.compress((site / p).read_bytes(), 9)) for p in ours)


def test_a_dense_page_runs_on_the_slim_bundle_within_the_budget(site: Path, pages: dict) -> None:
    page = pages["index.html"]
    assert page["backend"] == "webgl"
    assert set(page["statuses"]) == {"ok"}, page["statuses"]
    loaded = vendor(page["paths"])
    assert "tf.fesm.min.js" in loaded and "uPlot.esm.min.js" in loaded, loaded
    assert any(name.startswith("chunk-") for name in loaded), loaded
    # Neither the convolution kernels, nor the CPU backend, nor the rest of TF.js.
    assert not loaded & {"tf-conv.js", "tf-cpu.js", "tf-all.js"}, loaded
    total = gzip_total(site, page["paths"])
    assert total <= BUDGET_BYTES, f"{total} bytes gzip > {BUDGET_BYTES}: {page['paths']}"


def test_a_convolution_page_adds_the_convolution_kernels_only(site: Path, pages: dict) -> None:
    page = pages["conv/index.html"]
    assert page["backend"] == "webgl"
    assert set(page["statuses"]) == {"ok"}, page["statuses"]
    loaded = vendor(page["paths"])
    assert "tf-conv.js" in loaded, loaded
    assert not loaded & {"tf-cpu.js", "tf-all.js"}, loaded


def test_the_cpu_backend_is_downloaded_only_without_webgl(pages: dict) -> None:
    page = pages["cpu.html"]
    assert page["backend"] == "cpu"
    assert set(page["statuses"]) == {"ok"}, page["statuses"]
    assert "tf-cpu.js" in vendor(page["paths"])
    assert all("tf-cpu.js" not in vendor(pages[name]["paths"]) for name in ("index.html", "conv/index.html"))


LOAD_ALL = """
const done = arguments[arguments.length - 1];
(async () => {
  await window.mlpages.ready;
  const tf = window.tf;
  const cos = () => tf.tidy(() => Array.from(
    tf.engine().runKernel('Cos', {x: tf.tensor1d([0])}).dataSync()));
  let before;
  try { before = cos(); } catch (e) { before = String(e.message); }
  await tf.loadAllKernels();
  return {before, after: cos(), backend: tf.getBackend()};
})().then(done, (e) => done({error: String(e && e.stack || e)}));
"""


def test_every_other_kernel_comes_with_load_all_kernels(site: Path, browser: Any) -> None:
    with serving(site) as url:
        browser.get(url + "index.html")
        out = browser.execute_async_script(LOAD_ALL)
    assert out["before"] == "Kernel 'Cos' not registered for backend 'webgl'", out
    assert out["after"] == [1], out
    assert out["backend"] == "webgl"


# The dense page, then the convolution page's body swapped in as instant navigation does.
NAVIGATE = """
const done = arguments[arguments.length - 1];
const conv = () => performance.getEntriesByType('resource').some((e) => e.name.endsWith('/tf-conv.js'));
(async () => {
  await window.mlpages.ready;
  const before = conv();
  const html = await (await fetch('conv/')).text();
  const next = new DOMParser().parseFromString(html, 'text/html');
  document.body.replaceWith(document.importNode(next.body, true));
  window.document$.next(document);
  await window.mlpages.ready;
  const results = await window.mlpages.runAll();
  return {before, after: conv(), statuses: results.map((r) => r.status + (r.error ? ': ' + r.error : ''))};
})().then(done, (e) => done({error: String(e && e.stack || e)}));
"""


def test_instant_navigation_to_a_convolution_page_loads_its_kernels(site: Path, browser: Any) -> None:
    with serving(site) as url:
        browser.get(url + "instant.html")
        out = browser.execute_async_script(NAVIGATE)
    assert "error" not in out, out
    assert out["before"] is False and out["after"] is True, out
    assert out["statuses"] and set(out["statuses"]) == {"ok"}, out
