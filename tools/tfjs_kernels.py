"""The kernel census: which TF.js kernels mlpages' pages run, and whether the bundle has them.

runtime/vendor/tf.fesm.min.js registers only the kernels listed in tools/vendor.py
(``KERNELS``; ``CONV_KERNELS`` come with tf-conv.js to a page with a convolution cell or a
layer in ``CONV_LAYERS``). This tool builds one small case per thing a model block accepts -- every layer
type (with its spatial options), activation, loss (with the 'accuracy' metric and validation
data), optimizer and initializer of the NumPy engine's registries -- plus the runtime's own ops
(the convolution cell, the decision boundary's predict), and runs each one (build, fit two
epochs, predict) in headless Chromium on WebGL (the runtime's flags and TF.js's defaults) and on
the CPU backend, recording every kernel TF.js's engine dispatches.

    .venv/bin/python tools/tfjs_kernels.py --record   # on every kernel: print the lists for vendor.py
    .venv/bin/python tools/tfjs_kernels.py            # on the slim bundle: exit 1 on a missing kernel
    .venv/bin/python tools/tfjs_kernels.py --site SITE_DIR   # a built site's pages, through the runtime

``--site`` opens every page with cells of a built site (the demo course, a test course), loads
every kernel, runs all its cells through ``window.mlpages.runAll()`` and names the kernels they
dispatch that the lists lack: a check of the census against real pages.

tests/browser/test_tfjs_kernels.py runs the check. A layer, loss or op added to the engine's
registries joins the census by itself (a layer needs a config in ``LAYER_CONFIGS``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from mlpages.engine.activations import ACTIVATIONS  # noqa: E402
from mlpages.engine.initializers import INITIALIZERS  # noqa: E402
from mlpages.engine.layers import LAYERS  # noqa: E402
from mlpages.engine.losses import LOSSES  # noqa: E402
from mlpages.engine.optimizers import OPTIMIZERS  # noqa: E402
from tfjs_vectors import call, tfjs_page  # noqa: E402
from vendor import CONV_KERNELS, CONV_LAYERS, KERNELS  # noqa: E402

VARIANTS = ("webgl", "webgl_packed", "cpu")
SPATIAL = [6, 6, 2]

# Configs that exercise each layer type's kernels (forward and gradient); a spatial layer
# runs on a 6x6x2 input, the others on 4 features.
LAYER_CONFIGS: dict[str, list[dict[str, Any]]] = {
    "dense": [{"units": 3, "activation": "relu"}, {"units": 2, "useBias": False}],
    "conv2d": [{"filters": 2, "kernelSize": 3, "padding": "same", "activation": "relu"},
               {"filters": 2, "kernelSize": 2, "strides": 2, "padding": "valid", "useBias": False}],
    "maxPooling2d": [{"poolSize": 2}, {"poolSize": 3, "strides": 1, "padding": "same"}],
    "averagePooling2d": [{"poolSize": 2}, {"poolSize": 3, "strides": 1, "padding": "same"}],
    "flatten": [{}],
    "reshape": [{"targetShape": [2, 2]}],
    "activation": [{"activation": "tanh"}],
    "leakyReLU": [{"alpha": 0.2}],
    "dropout": [{"rate": 0.5, "seed": 1}],
    "batchNormalization": [{}, {"momentum": 0.5, "epsilon": 0.01}, {"center": False}, {"scale": False}],
    "depthwiseConv2d": [{"kernelSize": 3, "depthMultiplier": 2, "padding": "same", "activation": "relu"},
                        {"kernelSize": 2, "strides": 2, "useBias": False}],
    "separableConv2d": [{"filters": 3, "kernelSize": 3, "padding": "same", "activation": "relu"},
                        {"filters": 2, "kernelSize": 2, "strides": 2, "useBias": False}],
    "zeroPadding2d": [{"padding": 1}],
    "globalAveragePooling2d": [{}],
    "globalMaxPooling2d": [{}],
    "reLU": [{}, {"maxValue": 6}],
}
# TF.js 4.22's fit fails on every backend, whatever kernels are registered, for a batch
# normalization without offset or without scale (its gradient reads the missing one): those
# configs run predict only.
PREDICT_ONLY = [{"center": False}, {"scale": False}]
SPATIAL_LAYERS = {"conv2d", "maxPooling2d", "averagePooling2d", "depthwiseConv2d", "separableConv2d",
                  "zeroPadding2d", "globalAveragePooling2d", "globalMaxPooling2d"}
CLASSES = 3


def _data(n: int, width: int, kind: str) -> tuple[list[float], list[float]]:
    """Deterministic inputs (n x width) and targets of ``kind``."""
    x = [((i * 7 + j * 3) % 11) / 10 - 0.5 for i in range(n) for j in range(width)]
    if kind == "binary":
        y = [float(i % 2) for i in range(n)]
    elif kind == "sparse":
        y = [float(i % CLASSES) for i in range(n)]
    elif kind == "onehot":
        y = [1.0 if j == i % CLASSES else 0.0 for i in range(n) for j in range(CLASSES)]
    elif kind == "sign":
        y = [1.0 if i % 2 else -1.0 for i in range(n)]
    else:
        y = [((i * 5) % 7) / 7 + 0.1 for i in range(n)]
    return x, y


def _case(name: str, layers: list[dict[str, Any]], input_shape: list[int], loss: str = "meanSquaredError",
          target: str = "regression", optimizer: Any = "sgd") -> dict[str, Any]:
    # More rows than predict's batch of 32 (its batches are concatenated), and than fit's
    # batches of 8 (the last one partial).
    n, width = 37, 1
    for d in input_shape:
        width *= d
    units = {"binary": 1, "sparse": CLASSES, "onehot": CLASSES}.get(target, 1)
    x, y = _data(n, width, target)
    y_width = CLASSES if target == "onehot" else 1
    layers = [{**layers[0], "config": {**layers[0]["config"], "inputShape": input_shape}}, *layers[1:]]
    return {
        "name": name, "layers": layers,
        "compile": {"optimizer": optimizer, "loss": loss, "metrics": ["accuracy"]},
        "x": {"shape": [n, *input_shape], "data": x}, "y": {"shape": [n, y_width], "data": y},
        "units": units,
    }


def _head(target: str, activation: str) -> list[dict[str, Any]]:
    units = CLASSES if target in ("sparse", "onehot") else 1
    return [{"type": "dense", "config": {"units": units, "activation": activation}}]


def cases() -> list[dict[str, Any]]:
    """One case per layer config, activation, loss, optimizer and initializer."""
    out = []
    for kind in LAYERS:
        spatial = kind in SPATIAL_LAYERS or kind in ("flatten", "batchNormalization")
        for i, config in enumerate(LAYER_CONFIGS[kind]):
            # A trainable layer first, so that the gradient runs through the layer under test.
            first = ({"type": "conv2d", "config": {"filters": 2, "kernelSize": 1}} if spatial
                     else {"type": "dense", "config": {"units": 4}})
            layers = [first, {"type": kind, "config": config}]
            if spatial and not kind.startswith("global") and kind != "flatten":
                layers.append({"type": "flatten", "config": {}})
            elif kind == "reshape":
                layers.append({"type": "flatten", "config": {}})
            out.append(_case(f"layer-{kind}-{i}", layers + _head("regression", "linear"),
                             SPATIAL if spatial else [4]))
            if kind == "batchNormalization":
                flat = [{"type": "dense", "config": {"units": 4}}, {"type": kind, "config": config}]
                out.append(_case(f"layer-{kind}-{i}-flat", flat + _head("regression", "linear"), [4]))
            if config in PREDICT_ONLY:
                for case in out[-2:]:
                    case["fit"] = False
        if kind == "dense":  # on a 6x6x2 input, applied to its last axis
            layers = [{"type": "dense", "config": {"units": 2}}, {"type": "flatten", "config": {}}]
            out.append(_case("layer-dense-spatial", layers + _head("regression", "linear"), SPATIAL))
    for act in ACTIVATIONS:
        out.append(_case(f"activation-{act}", [{"type": "dense", "config": {"units": 3, "activation": act}}]
                         + _head("regression", "linear"), [4]))
    targets = {"binaryCrossentropy": ("binary", "sigmoid"),
               "sparseCategoricalCrossentropy": ("sparse", "softmax"),
               "categoricalCrossentropy": ("onehot", "softmax"),
               "kullbackLeiblerDivergence": ("onehot", "softmax"),
               "categoricalHinge": ("onehot", "softmax"), "poisson": ("onehot", "softmax"),
               "hinge": ("sign", "tanh"), "squaredHinge": ("sign", "tanh")}
    for loss in LOSSES:
        target, act = targets.get(loss, ("regression", "linear"))
        hidden = [{"type": "dense", "config": {"units": 3, "activation": "tanh"}}]
        out.append(_case(f"loss-{loss}", hidden + _head(target, act), [4], loss=loss, target=target))
    for opt in OPTIMIZERS:
        out.append(_case(f"optimizer-{opt}", [{"type": "dense", "config": {"units": 3, "activation": "tanh"}}]
                         + _head("regression", "linear"), [4], optimizer={"name": opt}))
    for init in INITIALIZERS:
        if init == "identity":  # square 2-D kernels only, and no bias: a layer of its own
            config = {"units": 4, "kernelInitializer": init}
            out.append(_case(f"initializer-{init}", [{"type": "dense", "config": config}]
                             + _head("regression", "linear"), [4]))
            continue
        config = {"units": 3, "kernelInitializer": init, "biasInitializer": init}
        out.append(_case(f"initializer-{init}", [{"type": "dense", "config": config}]
                         + _head("regression", "linear"), [4]))
    return out


# The page: the slim entry; in record mode every kernel is loaded first. Each case builds,
# compiles, fits two epochs with validation data and the accuracy metric, predicts, and reads
# the weights back; then the runtime's own ops: the convolution cell's conv2d + bias +
# activation, and a decision-boundary predict on a grid, in tidy.
PAGE = """<!doctype html>
<meta charset="utf-8">
<script type="module">
import * as tf from './tf.fesm.min.js';

const seen = new Set();
const tensor = (a) => tf.tensor(a.data, a.shape, 'float32');

async function runCase(c) {
  const model = tf.sequential();
  for (const layer of c.layers) model.add(tf.layers[layer.type](structuredClone(layer.config)));
  const o = c.compile.optimizer;
  const args = o.name === 'momentum' ? [0.01, 0.9] : [0.01];
  const optimizer = typeof o === 'string' ? o : tf.train[o.name](...args);
  model.compile({ optimizer, loss: c.compile.loss, metrics: c.compile.metrics });
  const [x, y] = [tensor(c.x), tensor(c.y)];
  const options = { epochs: 2, batchSize: 8, shuffle: false, validationData: [x, y], yieldEvery: 'never' };
  if (c.fit !== false) await model.fit(x, y, options);
  const p = model.predict(x);
  await p.data();
  const rows = c.x.shape[0];
  const values = tf.tidy(() => model.predict(
    tf.reshape(tf.tensor2d(c.x.data, [rows, c.x.data.length / rows]), c.x.shape)).dataSync());
  const ws = model.getWeights();
  model.setWeights(ws);
  await Promise.all(ws.map((w) => w.data()));
  tf.dispose([x, y, p]);
  model.dispose();
  if (typeof optimizer !== 'string') optimizer.dispose();
  return values.length;
}

function convolutionCell() {
  for (const [strides, padding] of [[1, 'same'], [2, 'valid']]) {
    for (const activation of ['linear', 'relu', 'sigmoid', 'tanh']) {
      const y = tf.tidy(() => {
        const image = tf.tensor([...Array(25).keys()].map((v) => v / 25), [1, 5, 5, 1], 'float32');
        const kernel = tf.tensor([1, 0, -1, 2, 0, -2, 1, 0, -1], [3, 3, 1, 1], 'float32');
        const z = tf.add(tf.conv2d(image, kernel, strides, padding), tf.scalar(0.5));
        const a = activation === 'linear' ? z : tf.layers.activation({ activation }).apply(z);
        return tf.reshape(a, [a.shape[1], a.shape[2]]);
      });
      y.dataSync();
      y.dispose();
    }
  }
}

// Dense cases first, on the entry's own kernels; then convolution and pooling cases and the
// convolution cell, after loadConvKernels() (as runtime/tfjs.js does for such a page).
window.census = async (variant, dense, conv, all) => {
  if (variant === 'webgl') tf.env().set('WEBGL_PACK', false);
  if (all) await tf.loadAllKernels();
  if (variant === 'cpu') await tf.loadCpuBackend();
  if (!(await tf.setBackend(variant === 'cpu' ? 'cpu' : 'webgl'))) throw new Error('no ' + variant);
  await tf.ready();
  const engine = tf.engine();
  const runKernel = engine.runKernel;
  engine.runKernel = function (name, ...rest) { seen.add(name); return runKernel.call(this, name, ...rest); };
  const errors = {};
  for (const c of dense) {
    try { await runCase(c); } catch (e) { errors[c.name] = String(e && e.message || e); }
  }
  const denseKernels = [...seen].sort();
  if (variant !== 'cpu') await tf.loadConvKernels();
  for (const c of conv) {
    try { await runCase(c); } catch (e) { errors[c.name] = String(e && e.message || e); }
  }
  try { convolutionCell(); } catch (e) { errors['convolution-cell'] = String(e && e.message || e); }
  engine.runKernel = runKernel;
  return { backend: tf.getBackend(), dense: denseKernels, kernels: [...seen].sort(), errors };
};
window.pageReady = true;
</script>
"""


def census(record: bool) -> tuple[list[str], list[str], dict[str, dict[str, str]]]:
    """(kernels the dense cases dispatch, kernels all cases dispatch, {variant: {case: error}})
    over all variants."""
    every = cases()
    conv = [c for c in every if any(layer["type"] in CONV_LAYERS for layer in c["layers"])]
    dense = [c for c in every if c not in conv]
    dense_kernels: set[str] = set()
    kernels: set[str] = set()
    errors: dict[str, dict[str, str]] = {}
    with tfjs_page(PAGE) as (driver, url):
        for variant in VARIANTS:
            driver.get(url)
            out = call(driver, "census", variant, dense, conv, record)
            want = "cpu" if variant == "cpu" else "webgl"
            if out["backend"] != want:
                raise SystemExit(f"{variant}: the page ran on {out['backend']} (no WebGL?)")
            dense_kernels |= set(out["dense"])
            kernels |= set(out["kernels"])
            errors[variant] = out["errors"]
            print(f"{variant}: {len(every)} cases, {len(out['kernels'])} kernels, "
                  f"{len(out['errors'])} errors", file=sys.stderr)
    return sorted(dense_kernels), sorted(kernels), errors


def _listing(name: str, kernels: list[str]) -> str:
    lines, line = [f"{name} = ["], "   "
    for kernel in kernels:
        item = f' "{kernel}",'
        if len(line) + len(item) > 92:
            lines.append(line)
            line = "   "
        line += item
    return "\n".join([*lines, line, "]"])


SITE_RUN = """
const done = arguments[arguments.length - 1];
(async () => {
  await window.mlpages.ready;
  const tf = window.tf;
  await tf.loadAllKernels();
  const seen = new Set();
  const engine = tf.engine();
  const runKernel = engine.runKernel;
  engine.runKernel = function (name, ...rest) { seen.add(name); return runKernel.call(this, name, ...rest); };
  const results = await window.mlpages.runAll();
  engine.runKernel = runKernel;
  const errors = results.filter((r) => r.status === 'error').map((r) => r.id + ': ' + r.error);
  return {kernels: [...seen], errors};
})().then(done, (e) => done({kernels: [], errors: [String(e)]}));
"""


def site_census(site: Path) -> tuple[list[str], list[str]]:
    """(kernels the cells of ``site``'s pages dispatch, cell errors)."""
    from mlpages.verify.browser import make_driver
    from mlpages.verify.discover import find_pages_in_dir
    from mlpages.verify.server import serve_background

    kernels: set[str] = set()
    errors: list[str] = []
    url, stop = serve_background(site)
    driver = make_driver()
    driver.set_script_timeout(900)
    try:
        for page in find_pages_in_dir(site):
            driver.get(url + page.name)
            out = driver.execute_async_script(SITE_RUN)
            kernels |= set(out["kernels"])
            errors += [f"{page.name} {e}" for e in out["errors"]]
            print(f"{page.name}: {len(out['kernels'])} kernels", file=sys.stderr)
    finally:
        driver.quit()
        stop()
    return sorted(kernels), errors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--record", action="store_true",
                        help="load every kernel first and print the lists for tools/vendor.py")
    parser.add_argument("--site", type=Path, help="a built site: run its pages' cells instead")
    args = parser.parse_args(argv)
    if args.site:
        kernels, problems = site_census(args.site)
        for problem in problems:
            print(problem, file=sys.stderr)
        missing = sorted(set(kernels) - set(KERNELS) - set(CONV_KERNELS))
        print(f"{len(kernels)} kernels; not in tools/vendor.py's lists: {missing or 'none'}")
        return 1 if missing else 0
    dense, kernels, errors = census(args.record)
    failed = {f"{variant} {case}": error
              for variant, found in errors.items() for case, error in found.items()}
    for where, error in failed.items():
        print(f"{where}: {error}", file=sys.stderr)
    if args.record:
        print(_listing("KERNELS", dense))
        print(_listing("CONV_KERNELS", [k for k in kernels if k not in dense]))
        return 1 if failed else 0
    missing = sorted(set(kernels) - set(KERNELS) - set(CONV_KERNELS))
    if missing:
        print(f"dispatched but not in tools/vendor.py's lists: {missing}", file=sys.stderr)
    return 1 if failed or missing else 0


if __name__ == "__main__":
    sys.exit(main())
