"""Benchmarks (b) and (c): the runtime's `fit` against hand-written TF.js, and page weight.

(b) One training cell run through `window.mlpages.run(id)` against the same `fit`
written by hand in plain TF.js, in the same page and browser (so the same TF.js module,
flags and backend), from the same initial weights on the same data. After one warm-up
each (shader compilation), at least five interleaved pairs; the table gives the median
ratio, on WebGL and on the CPU backend (WebGL refused before the runtime starts). Also
the cost of the runtime's WebGL flag (WEBGL_PACK off) on the same cell, measured on a
hand-written fit in two fresh pages.

(c) The JavaScript a reader downloads for a page with cells (dense layers), one with a
convolution layer, one with cells where WebGL is unavailable, and one without cells: every
script the page loaded (Resource Timing), raw and gzip-compressed (gzip -9, file by file);
then mlpages' own part of it (assets/mlpages/: TF.js's chunks, uPlot, the runtime's modules)
against the 250 KB target, the theme's scripts (MkDocs' default theme here) being the rest.

    .venv/bin/python bench/browser_bench.py           # (b) and (c)
    .venv/bin/python bench/browser_bench.py --bytes   # (c) only
"""

from __future__ import annotations

import gzip
import re
import shutil
import statistics
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlparse

from mlpages.verify.browser import make_driver
from mlpages.verify.server import serve_background

ROOT = Path(__file__).resolve().parent.parent
TARGET_KB = 250  # mlpages' JavaScript for a page with cells, gzip, in kB (1000 bytes)

PAGE = """# Bench

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
  - dense: {units: 16, activation: sigmoid}
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
epochs: 30
batchSize: 16
```
"""

CONV_PAGE = """# Conv

```dataset
name: bars
x:
  - [0, 1, 0, 0, 1, 0, 0, 1, 0]
  - [0, 0, 0, 1, 1, 1, 0, 0, 0]
  - [1, 0, 0, 1, 0, 0, 1, 0, 0]
  - [1, 1, 1, 0, 0, 0, 0, 0, 0]
y: [[1], [0], [1], [0]]
```

```model
name: cnn
seed: 1
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
dataset: bars
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

# The same fit, written by hand: build, set weights, compile, fit, dispose.
HAND = """<script type="module">
import * as tf from '../assets/mlpages/vendor/tf.fesm.min.js';
const spec = (id) => JSON.parse(document.querySelector(`#${id} script`).textContent)[0];
window.handFit = async () => {
  const m = spec('mlp-index-net'), d = spec('mlp-index-spiral'), t = spec('mlp-index-fit');
  const start = performance.now();
  const model = tf.sequential();
  for (const l of m.layers) model.add(tf.layers[l.type](l.config));
  const ws = m.weights.map((w) => tf.tensor(w.data, w.shape));
  model.setWeights(ws);
  tf.dispose(ws);
  const a = m.compile.optimizer.args;
  const optimizer = tf.train.adam(a.learningRate, a.beta1, a.beta2);
  model.compile({optimizer, loss: m.compile.loss, metrics: m.compile.metrics});
  const xs = tf.tensor(d.x.data, d.x.shape), ys = tf.tensor(d.y.data, d.y.shape);
  const fitStart = performance.now();
  const h = await model.fit(xs, ys, {epochs: t.fit.epochs, batchSize: t.fit.batchSize, shuffle: false});
  const fitMs = performance.now() - fitStart;
  tf.dispose([xs, ys]); model.dispose(); optimizer.dispose();
  return {ms: performance.now() - start, fitMs, loss: h.history.loss.at(-1)};
};
</script>"""

# The same fit on a page without the runtime, with TF.js's default WebGL flags or with
# packing off as the runtime sets it (flags must be set before the backend starts).
PACK = """<script type="module">
import * as tf from '../assets/mlpages/vendor/tf.fesm.min.js';
const pack = new URLSearchParams(location.search).get('pack') === '1';
if (!pack) tf.env().set('WEBGL_PACK', false);
window.mlpages = {ready: tf.setBackend('webgl').then(() => tf.ready())};
window.tf = tf;
</script>"""

TIMED_RUN = """
const done = arguments[arguments.length - 1];
(async () => {
  await window.mlpages.ready;
  const start = performance.now();
  const r = await window.mlpages.run('mlp-index-fit');
  return {ms: performance.now() - start, fitMs: r.timings.fitMs, loss: r.history.loss.at(-1),
          backend: r.backend};
})().then(done, (e) => done({error: String(e)}));
"""
TIMED_HAND = """
const done = arguments[arguments.length - 1];
(async () => { await window.mlpages.ready; return await window.handFit(); })()
  .then(done, (e) => done({error: String(e)}));
"""
PAGE_SCRIPTS = """
return performance.getEntriesByType('resource').map((e) => e.name)
  .concat([...document.scripts].map((s) => s.src)).filter((n) => n.endsWith('.js'));
"""


def _site(tmp: Path) -> Path:
    (tmp / "docs").mkdir()
    (tmp / "docs" / "index.md").write_text(PAGE)
    (tmp / "docs" / "plain.md").write_text("# Plain\n\nNo cells here.\n")
    (tmp / "docs" / "conv.md").write_text(CONV_PAGE)
    (tmp / "mkdocs.yml").write_text(
        "site_name: bench\nplugins: [mlpages]\nmarkdown_extensions: [pymdownx.superfences]\n"
    )
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    build(load_config(str(tmp / "mkdocs.yml"), site_dir=str(tmp / "site")))
    site = tmp / "site"
    index = (site / "index.html").read_text()
    (site / "bench-webgl.html").write_text(index.replace("</body>", HAND + "</body>"))
    plain = re.sub(r'<script[^>]*mlpages\.js[^>]*></script>', "", index)
    (site / "bench-pack.html").write_text(plain.replace("</body>", PACK + HAND + "</body>"))
    (site / "bench-cpu.html").write_text(
        index.replace("<head>", "<head>" + NO_WEBGL, 1).replace("</body>", HAND + "</body>"))
    return site


def _pairs(driver, url: str, pairs: int) -> dict:
    driver.get(url)
    driver.set_script_timeout(600)
    warm_run = driver.execute_async_script(TIMED_RUN)
    warm_hand = driver.execute_async_script(TIMED_HAND)
    if "error" in warm_run or "error" in warm_hand:
        raise RuntimeError(f"bench page failed: {warm_run} {warm_hand}")
    fits, runs, hands, hand_fits = [], [], [], []
    for i in range(pairs):
        order = (TIMED_RUN, TIMED_HAND) if i % 2 == 0 else (TIMED_HAND, TIMED_RUN)
        first, second = (driver.execute_async_script(s) for s in order)
        run, hand = (first, second) if i % 2 == 0 else (second, first)
        runs.append(run["ms"])
        hands.append(hand["ms"])
        fits.append(run["fitMs"])
        hand_fits.append(hand["fitMs"])
    median = statistics.median
    return {"backend": warm_run["backend"], "run": median(runs), "hand": median(hands),
            "fit": median(fits), "hand_fit": median(hand_fits),
            "ratio": median([a / b for a, b in zip(runs, hands, strict=True)]),
            "fit_ratio": median([a / b for a, b in zip(fits, hand_fits, strict=True)]),
            "fit_ratios": [a / b for a, b in zip(fits, hand_fits, strict=True)],
            "same_loss": abs(warm_run["loss"] - warm_hand["loss"]) <= 1e-6 + 1e-3 * abs(warm_hand["loss"])}


def _packing(driver, url: str, pairs: int) -> tuple[float, float, float]:
    """Median hand-written fit time with packing on and off, fresh pages, interleaved."""
    times: dict[str, list[float]] = {"1": [], "0": []}
    for i in range(pairs):
        for pack in ("1", "0") if i % 2 == 0 else ("0", "1"):
            driver.get(f"{url}bench-pack.html?pack={pack}")
            driver.execute_async_script(TIMED_HAND)  # shader compilation
            times[pack].append(driver.execute_async_script(TIMED_HAND)["ms"])
    on, off = statistics.median(times["1"]), statistics.median(times["0"])
    ratio = statistics.median([b / a for a, b in zip(times["1"], times["0"], strict=True)])
    return on, off, ratio


def _bytes(driver, url: str, site: Path, base: str) -> tuple[int, int, int, int]:
    """(scripts, raw bytes, gzip bytes, gzip bytes of mlpages' own) of the JavaScript a page
    loaded from the site, once its cells are mounted."""
    driver.get(url)
    driver.execute_async_script(
        "const done = arguments[arguments.length - 1]; "
        "(window.mlpages ? window.mlpages.ready : Promise.resolve()).then(() => done(1));")
    names = set(driver.execute_script(PAGE_SCRIPTS))
    raw = gz = ours = 0
    for name in names:
        path = site / urlparse(name).path.lstrip("/")
        if name.startswith(base) and path.is_file():
            data = path.read_bytes()
            size = len(gzip.compress(data, 9))
            raw += len(data)
            gz += size
            if urlparse(name).path.lstrip("/").startswith("assets/mlpages/"):
                ours += size
    return len(names), raw, gz, ours


def page_weight(driver, url: str, site: Path) -> list[tuple[str, str]]:
    """Table (c): the JavaScript per page, and mlpages' part against the target."""
    rows = []
    pages = (("index.html", "page with cells"), ("conv/index.html", "page with a convolution layer"),
             ("bench-cpu.html", "page with cells, no WebGL"), ("plain/index.html", "page without cells"))
    for page, label in pages:
        n, raw, gz, ours = _bytes(driver, url + page, site, url)
        rows.append((f"JavaScript for a {label}: {n} files", f"{raw / 1024:.0f} KiB raw, "
                     f"{gz / 1024:.0f} KiB gzip"))
        verdict = "" if label == "page without cells" else (
            f" (target <= {TARGET_KB} kB: {'met' if ours <= TARGET_KB * 1000 else 'MISSED'})")
        rows.append((f"  of it mlpages' (TF.js, uPlot, runtime); the theme's: {(gz - ours) / 1000:.0f} kB",
                     f"{ours / 1000:.1f} kB gzip{verdict}"))
    return rows


def run(pairs: int = 9, timings: bool = True) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    tmp = Path(tempfile.mkdtemp(prefix="mlpages-bench-"))
    try:
        site = _site(tmp)
        url, stop = serve_background(site)
        driver = make_driver()
        try:
            for page in ("bench-webgl.html", "bench-cpu.html") if timings else ():
                r = _pairs(driver, url + page, pairs)
                b = r["backend"]
                rows.append((f"{b}: model.fit, runtime (live chart, boundary, progress) / by hand",
                             f"{r['fit']:.0f} / {r['hand_fit']:.0f} ms"))
                rows.append((f"{b}: fit ratio, median of {pairs} pairs (target <= 1.10)",
                             f"{r['fit_ratio']:.3f}x"))
                rows.append((f"{b}: whole cell run() / build+compile+fit by hand",
                             f"{r['run']:.0f} / {r['hand']:.0f} ms"))
                rows.append((f"{b}: whole-cell ratio, median of {pairs} pairs", f"{r['ratio']:.3f}x"))
                rows.append((f"{r['backend']}: same final loss on both sides", str(r["same_loss"])))
            if timings:
                on, off, ratio = _packing(driver, url, 3)
                rows.append(("webgl: hand-written fit, TF.js default flags (median)", f"{on:.0f} ms"))
                rows.append(("webgl: hand-written fit, WEBGL_PACK off as the runtime sets it",
                             f"{off:.0f} ms"))
                rows.append(("webgl: cost of WEBGL_PACK off (median of 3 paired ratios)", f"{ratio:.2f}x"))
            rows += page_weight(driver, url, site)
        finally:
            driver.quit()
            stop()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return rows


if __name__ == "__main__":
    for name, value in run(timings="--bytes" not in sys.argv[1:]):
        print(f"{name:<72} {value}")
