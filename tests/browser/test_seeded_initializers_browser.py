"""Seeded initializers in Chromium on WebGL: TF.js's values equal the engine's, for every
initializer TF.js seeds.

A tiny page loads the vendored TF.js (runtime/vendor/, its whole API), starts the WebGL
backend, and (1) applies seeded initializers, reading their values back through a WebGL op,
and (2) builds the layers a model block hands the page (their initializers in TF.js's
``{className, config}`` form) and reads ``getWeights()`` before any ``setWeights``: the
weights TF.js draws itself must be the ones the block ships.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from mdhelpers import convert, specs_by_name
from mlpages.engine.initializers import tfjs_values
from mlpages.verify.server import serve_background

pytestmark = [pytest.mark.browser]

ROOT = Path(__file__).resolve().parents[2]
TFJS = ROOT / "runtime" / "vendor" / "tf.fesm.min.js"

PAGE = """<!doctype html>
<meta charset="utf-8">
<script type="module">
import * as slim from './tf.fesm.min.js';

// The initializers are TF.js's whole API, which the slim entry loads on request.
const tf = await slim.loadAllKernels();

// Each value goes through a WebGL op (x + 0 on the GPU) before it is read back.
const read = async (t) => {
  const out = tf.add(t, 0);
  const values = Array.from(await out.data(), Number);
  tf.dispose([t, out]);
  return values;
};

window.run = async (cases, layers) => {
  await tf.setBackend('webgl');
  await tf.ready();
  const init = [];
  for (const c of cases) init.push(await read(tf.initializers[c.name](c.args).apply(c.shape)));
  const model = tf.sequential();
  for (const layer of layers) model.add(tf.layers[layer.type](structuredClone(layer.config)));
  const weights = [];
  for (const w of model.getWeights()) weights.push(Array.from(await w.data(), Number));
  model.dispose();
  return { backend: tf.getBackend(), version: slim.version.tfjs, init, weights };
};
window.pageReady = true;
</script>
"""

CALL = """
const [cases, layers, done] = arguments;
const wait = () => (window.pageReady ? window.run(cases, layers)
                                     : new Promise((r) => setTimeout(r, 50)).then(wait));
wait().then((v) => done(JSON.stringify(v)), (e) => done(JSON.stringify({error: String(e && e.stack || e)})));
"""

# Every initializer TF.js seeds (tests/engine/test_engine_seeded_initializers.py takes their
# census from TF.js itself), orthogonal aside: the engine refuses it.
SEEDED = ("glorotUniform", "glorotNormal", "heUniform", "heNormal", "leCunUniform", "leCunNormal",
          "varianceScaling", "randomUniform", "randomNormal", "truncatedNormal")
CASES = [
    {"name": name, "args": {"seed": seed}, "shape": shape}
    for name in SEEDED
    for seed in (42, 7)
    for shape in ([6, 5], [3, 3, 2, 4])
]

BLOCK = """\
```model
name: net
layers:
  - conv2d: {filters: 3, kernelSize: 2, inputShape: [4, 4, 2], kernelInitializer: {glorotUniform: {seed: 11}}}
  - flatten: {}
  - dense:
      units: 2
      kernelInitializer: {truncatedNormal: {stddev: 0.2, seed: 12}}
      biasInitializer: {randomNormal: {seed: 13}}
compile: {optimizer: sgd, loss: meanSquaredError}
```
"""


@pytest.fixture(scope="module")
def page_url() -> Iterator[str]:
    assert TFJS.is_file(), "runtime/vendor/tf.fesm.min.js is missing: run `make dev`"
    with tempfile.TemporaryDirectory(prefix="mlpages-seeded-") as tmp:
        for module in TFJS.parent.glob("*.js"):  # the entry and the chunks it loads
            shutil.copy(module, Path(tmp) / module.name)
        (Path(tmp) / "index.html").write_text(PAGE, encoding="utf-8")
        url, stop = serve_background(tmp)
        try:
            yield url + "index.html"
        finally:
            stop()


def test_webgl_tfjs_draws_the_engines_values(browser: Any, page_url: str) -> None:
    spec = specs_by_name(convert(BLOCK))["net"]
    browser.get(page_url)
    out = json.loads(browser.execute_async_script(CALL, CASES, spec["layers"]))
    assert "error" not in out, out.get("error")
    assert out["backend"] == "webgl" and out["version"] == "4.22.0"
    for case, theirs in zip(CASES, out["init"], strict=True):
        ours = tfjs_values({case["name"]: case["args"]}, tuple(case["shape"]))
        np.testing.assert_array_equal(ours.ravel(), np.array(theirs, dtype=np.float32), err_msg=str(case))
    shipped = [np.asarray(w["data"], dtype=np.float32) for w in spec["weights"]]
    assert len(out["weights"]) == len(shipped) == 4
    for ours, theirs in zip(shipped, out["weights"], strict=True):
        np.testing.assert_array_equal(ours, np.array(theirs, dtype=np.float32))
    assert shipped[1].tolist() == [0.0, 0.0, 0.0]  # the conv bias: zeros
