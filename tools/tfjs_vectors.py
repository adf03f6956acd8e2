"""Compute the TF.js test vectors (tests/engine/vectors/*.json) in a real browser.

Each vector file lists cases: a model (TF.js layer factories and configs), its initial
weights, a compile step, training data, a fit and an input to predict. This tool runs every
case with the vendored TensorFlow.js (runtime/vendor/tf.fesm.min.js, with every kernel of
both backends loaded: ``tf.loadAllKernels()``) in headless Chromium,
once per variant -- ``webgl`` (TF.js defaults), ``webgl_unpacked`` (``WEBGL_PACK`` off
before the backend starts) and ``cpu`` -- and stores what TF.js computed under each case's
``results``. The engine tests (tests/engine/test_engine_vectors.py and
test_engine_conv_vectors.py) compare the NumPy engine with those values.

    .venv/bin/python tools/tfjs_vectors.py tests/engine/vectors/tfjs-4.22-dense.json          # rewrite
    .venv/bin/python tools/tfjs_vectors.py tests/engine/vectors/tfjs-4.22-dense.json --check  # compare
    .venv/bin/python tools/tfjs_vectors.py FILE --case forward-relu --case momentum-mse --check
    .venv/bin/python tools/tfjs_vectors.py FILE --check --bundle   # only the bundle's kernels

A new case is added by writing its inputs (no ``results``) into a file and running the tool
on it; a case without ``weights`` gets its initial weights drawn once by TF.js's own
initializers (CPU backend), stored with the results. ``--check`` recomputes without
writing, names every quantity outside rtol 1e-3, atol 1e-5 of the stored values
(accuracies: one sample), prints the largest absolute difference and exits 1 when any
quantity is outside. Run it with the repository's
``.venv/bin/python`` after ``make dev`` (which vendors TF.js); it needs Chromium and
chromedriver like ``mlpages verify``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mlpages.verify.browser import make_driver
from mlpages.verify.server import serve_background

ROOT = Path(__file__).resolve().parent.parent

VENDOR = ROOT / "runtime" / "vendor"
TFJS = VENDOR / "tf.fesm.min.js"
VARIANTS = ("webgl", "webgl_unpacked", "cpu")
RTOL, ATOL = 1e-3, 1e-5

# The page: loads TF.js, sets the variant's flags before any backend starts, and exposes
# runCases(cases) for Selenium. Optimizer arguments are positional in TF.js, in this order.
PAGE = """<!doctype html>
<meta charset="utf-8">
<script type="module">
import * as tf from './tf.fesm.min.js';

const ARGS = {
  sgd: ['learningRate'],
  momentum: ['learningRate', 'momentum', 'useNesterov'],
  adam: ['learningRate', 'beta1', 'beta2', 'epsilon'],
  rmsprop: ['learningRate', 'decay', 'momentum', 'epsilon', 'centered'],
  adagrad: ['learningRate', 'initialAccumulatorValue'],
  adadelta: ['learningRate', 'rho', 'epsilon'],
  adamax: ['learningRate', 'beta1', 'beta2', 'epsilon', 'decay'],
};

const tensor = (a) => tf.tensor(a.data.map((v) => (v === null ? NaN : v)), a.shape, 'float32');
const values = async (t) => Array.from(await t.data(), Number);

function build(c) {
  const model = tf.sequential();
  for (const layer of c.layers) model.add(tf.layers[layer.type](structuredClone(layer.config)));
  return model;
}

async function runCase(c) {
  const model = build(c);
  if (c.weights) model.setWeights(c.weights.map(tensor));
  const o = c.compile.optimizer;
  const optimizer = typeof o === 'string'
    ? o : tf.train[o.name](...ARGS[o.name].map((key) => o.args?.[key]));
  model.compile({ optimizer, loss: c.compile.loss, metrics: c.compile.metrics });
  const result = { epsilon: tf.backend().epsilon() };
  if (c.fit) {
    const options = { epochs: c.fit.epochs, batchSize: c.fit.batchSize, shuffle: false, verbose: 0 };
    if (c.fit.validationSplit) options.validationSplit = c.fit.validationSplit;
    if (c.val) options.validationData = [tensor(c.val.x), tensor(c.val.y)];
    const history = await model.fit(tensor(c.x), tensor(c.y), options);
    result.history = history.history;
    result.weights = await Promise.all(model.getWeights().map(values));
  }
  result.predict = await values(model.predict(tensor(c.predict)));
  model.dispose();
  return result;
}

// `bundle`: only the kernels a page gets (the entry's, the convolution chunk's, the CPU
// backend's) instead of every kernel.
window.runCases = async (variant, cases, bundle) => {
  if (variant === 'webgl_unpacked') tf.env().set('WEBGL_PACK', false);
  if (bundle) {
    await tf.loadConvKernels();
    if (variant === 'cpu') await tf.loadCpuBackend();
  } else {
    await tf.loadAllKernels();
  }
  await tf.setBackend(variant === 'cpu' ? 'cpu' : 'webgl');
  await tf.ready();
  const out = {};
  for (const c of cases) out[c.name] = await runCase(c);
  return { backend: tf.getBackend(), version: tf.version.tfjs, results: out };
};
window.initialWeights = async (cases) => {
  await tf.loadAllKernels();
  await tf.setBackend('cpu');
  await tf.ready();
  const out = {};
  for (const c of cases) {
    const model = build(c);
    out[c.name] = await Promise.all(
      model.getWeights().map(async (w) => ({ shape: w.shape, data: await values(w) })));
    model.dispose();
  }
  return out;
};
window.pageReady = true;
</script>
"""

# Calls window[name](...args) once the page's module has run; resolves to its JSON.
CALL = """
const [name, args, done] = arguments;
const wait = () => (window.pageReady
  ? window[name](...args)
  : new Promise((r) => setTimeout(r, 50)).then(wait));
wait().then((v) => done(JSON.stringify(v)), (e) => done(JSON.stringify({error: String(e && e.stack || e)})));
"""


@contextlib.contextmanager
def tfjs_page(page: str) -> Iterator[tuple[Any, str]]:
    """``(driver, url)``: headless Chromium and the URL of ``page`` served next to the
    vendored TF.js modules (every file of runtime/vendor/) on 127.0.0.1, both closed on exit."""
    if not TFJS.is_file():
        raise SystemExit(f"{TFJS.relative_to(ROOT)} is missing: run `make dev` first")
    with tempfile.TemporaryDirectory(prefix="mlpages-tfjs-") as tmp:
        for path in VENDOR.glob("*.js"):
            shutil.copy(path, Path(tmp) / path.name)
        (Path(tmp) / "index.html").write_text(page, encoding="utf-8")
        url, stop = serve_background(tmp)
        driver = make_driver()
        driver.set_script_timeout(1800)
        try:
            yield driver, url + "index.html"
        finally:
            driver.quit()
            stop()


def call(driver: Any, name: str, *args: Any) -> Any:
    """The JSON result of ``window[name](...args)`` on the loaded page.

    Raises:
        RuntimeError: With the page's error if the call threw.
    """
    out = json.loads(driver.execute_async_script(CALL, name, list(args)))
    if isinstance(out, dict) and "error" in out:
        raise RuntimeError(f"{name}: {out['error']}")
    return out


def inputs(case: dict[str, Any]) -> dict[str, Any]:
    """The case without its results (what the browser needs)."""
    return {key: value for key, value in case.items() if key != "results"}


def run_variant(driver: Any, url: str, variant: str, cases: list[dict[str, Any]],
                bundle: bool = False) -> dict[str, Any]:
    """Every case on a freshly loaded page (flags must be set before the backend starts)."""
    driver.get(url)
    out = call(driver, "runCases", variant, [inputs(c) for c in cases], bundle)
    backend = "cpu" if variant == "cpu" else "webgl"
    if out["backend"] != backend:
        raise RuntimeError(f"{variant}: the page ran on {out['backend']}, not {backend} (no WebGL?)")
    return out


def compute(cases: list[dict[str, Any]], bundle: bool = False) -> dict[str, dict[str, Any]]:
    """``{case name: {variant: result}}`` from TF.js in headless Chromium (``bundle``: with
    only the kernels a page gets, not every kernel)."""
    results: dict[str, dict[str, Any]] = {c["name"]: {} for c in cases}
    with tfjs_page(PAGE) as (driver, url):
        draw = [c for c in cases if "weights" not in c]
        if draw:
            # TF.js's own initializers draw the weights once (CPU backend); every variant
            # then starts from those.
            driver.get(url)
            drawn = call(driver, "initialWeights", [inputs(c) for c in draw])
            for case in draw:
                case["weights"] = drawn[case["name"]]
            print(f"drew the initial weights of {len(draw)} cases", file=sys.stderr)
        for variant in VARIANTS:
            out = run_variant(driver, url, variant, cases, bundle)
            print(f"{variant}: {len(cases)} cases on TF.js {out['version']} ({out['backend']})",
                  file=sys.stderr)
            for name, result in out["results"].items():
                results[name][variant] = result
    return results


def flat(values: Any) -> list[float]:
    """Nested lists of numbers (``null`` for NaN) as one flat list."""
    if isinstance(values, list):
        return [v for item in values for v in flat(item)]
    return [math.nan if values is None else float(values)]


def pairs(stored: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """(label, stored values, fresh values or None) for every quantity of one variant."""
    new_weights = new.get("weights") or []
    out = [("predict", stored["predict"], new.get("predict"))]
    out += [(f"history.{key}", values, (new.get("history") or {}).get(key))
            for key, values in (stored.get("history") or {}).items()]
    out += [(f"weights[{i}]", values, new_weights[i] if i < len(new_weights) else None)
            for i, values in enumerate(stored.get("weights") or [])]
    return out


def differences(case: dict[str, Any], fresh: dict[str, Any]) -> tuple[list[str], float]:
    """Quantities of one case whose fresh values leave the stored ones' tolerance, and the
    largest absolute difference seen."""
    problems: list[str] = []
    largest = 0.0
    n = case["y"]["shape"][0] if "y" in case else 1
    for variant, stored in case.get("results", {}).items():
        for label, want, got in pairs(stored, fresh[variant]):
            where = f"{case['name']} {variant} {label}"
            if got is None:
                problems.append(f"{where}: missing")
                continue
            want_flat, got_flat = flat(want), flat(got)
            if len(want_flat) != len(got_flat):
                problems.append(f"{where}: {len(got_flat)} values, stored {len(want_flat)}")
                continue
            for w, g in zip(want_flat, got_flat, strict=True):
                if math.isnan(w) or math.isnan(g):
                    ok = math.isnan(w) and math.isnan(g)
                else:
                    largest = max(largest, abs(g - w))
                    slack = 1 / n + 1e-9 if label.endswith("acc") else ATOL + RTOL * abs(w)
                    ok = abs(g - w) <= slack
                if not ok:
                    problems.append(f"{where}: {g} vs stored {w}")
                    break
    return problems, largest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file", type=Path, help="a vector file (JSON with a 'cases' list)")
    parser.add_argument("--case", action="append", default=[], help="only this case (repeatable)")
    parser.add_argument("--bundle", action="store_true",
                        help="with only the kernels a page gets (tools/vendor.py's lists), with --check")
    parser.add_argument("--check", action="store_true",
                        help="compare with the stored results instead of writing them")
    args = parser.parse_args(argv)
    document = json.loads(args.file.read_text(encoding="utf-8"))
    cases = [c for c in document["cases"] if not args.case or c["name"] in args.case]
    unknown = set(args.case) - {c["name"] for c in cases}
    if unknown:
        parser.error(f"no case {', '.join(sorted(unknown))} in {args.file}")
    if args.bundle and not args.check:
        parser.error("--bundle only checks (the stored values come from every kernel)")
    fresh = compute(cases, args.bundle)
    if args.check:
        problems: list[str] = []
        largest = 0.0
        for case in cases:
            found, diff = differences(case, fresh[case["name"]])
            problems += found
            largest = max(largest, diff)
        for problem in problems:
            print(problem)
        print(f"{len(cases)} cases checked: {len(problems)} quantities outside rtol {RTOL}, atol {ATOL}; "
              f"largest absolute difference {largest:.3g}")
        return 1 if problems else 0
    for case in cases:
        case["results"] = fresh[case["name"]]
    args.file.write_text(json.dumps(document, separators=(",", ":"), allow_nan=False), encoding="utf-8")
    print(f"wrote {len(cases)} cases to {args.file}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
