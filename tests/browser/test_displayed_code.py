"""The TF.js code a page shows is the code the runtime runs: evaluated verbatim, it gives
the runtime's results."""

from __future__ import annotations

import math

import pytest
from conftest import serve

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser-demo")]

# Runs the page's displayed model and fit code as written, with the page's data as
# xs/ys and the model's initial weights set as the model cell says, then the same cell
# through the runtime.
SCRIPT = """
const [modelId, trainId, datasetId, modelVar] = arguments;
const done = arguments[arguments.length - 1];
(async () => {
  await window.mlpages.ready;
  const tf = window.tf;
  const spec = (id) => JSON.parse(document.querySelector(`#${id} script`).textContent)[0];
  const code = (id) => document.querySelector(`#${id} .mlpages-code code`).textContent;
  const ds = spec(datasetId), m = spec(modelId);
  const xs = tf.tensor(ds.x.data, ds.x.shape), ys = tf.tensor(ds.y.data, ds.y.shape);
  const AsyncFunction = (async () => {}).constructor;
  const body = code(modelId) + `\\n${modelVar}.setWeights(weights);\\n` + code(trainId)
    + `\\nreturn history.history;`;
  const weights = m.weights.map((w) => tf.tensor(w.data, w.shape));
  const shown = await new AsyncFunction('tf', 'xs', 'ys', 'weights', body)(tf, xs, ys, weights);
  tf.dispose([xs, ys, ...weights]);
  const result = await window.mlpages.run(trainId);
  return {shown, runtime: result.history, status: result.status};
})().then(done, (e) => done({error: String(e)}));
"""


def test_displayed_code_reproduces_the_runtime(demo_site, browser):
    url, stop = serve(demo_site)
    try:
        browser.get(url + "course/xor/")
        out = browser.execute_async_script(
            SCRIPT, "mlp-course-xor-xor-net", "mlp-course-xor-fit-xor", "mlp-course-xor-xor", "xorNet")
    finally:
        stop()
    assert "error" not in out, out
    assert out["status"] == "ok"
    assert set(out["shown"]) == set(out["runtime"]) == {"loss", "acc"}
    for key, values in out["shown"].items():
        assert len(values) == 150
        for a, b in zip(values, out["runtime"][key], strict=True):
            assert math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-7), (key, a, b)
