"""Seeded initializers against the real TF.js 4.22: every value equal, in float32.

The expected values are computed on the spot by the vendored TF.js bundle under Node (its
CPU backend; tests/js/tfjs_initializers.mjs). TF.js draws the random values in JavaScript,
not on the backend, so these are also WebGL's values (tests/browser/
test_seeded_initializers_browser.py checks that in Chromium).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from mlpages.engine import EngineError, Sequential
from mlpages.engine.alea import js_string, random_uniform, truncated_normal
from mlpages.engine.initializers import NOT_REPRODUCED, get_initializer, tfjs_identifier, tfjs_values
from mlpages.engine.jsmath import log as js_log

# One xdist worker runs the whole module: its module fixture is made once.
pytestmark = pytest.mark.xdist_group("engine-seeded-initializers")

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tests" / "js" / "tfjs_initializers.mjs"

SEEDED = ["glorotUniform", "glorotNormal", "heUniform", "heNormal", "leCunUniform", "leCunNormal"]
# A dense kernel, a conv2d kernel [kh, kw, in, out], a 1-D weight (fans √n) and a wide kernel.
SHAPES = [(7, 5), (3, 3, 2, 8), (10,), (40, 33)]
SEEDS = [42, 7]
# Initializers with their arguments, as tf.initializers.<name>(args).
ARGS: list[tuple[str, dict[str, Any]]] = [
    *[(name, {"seed": seed}) for name in SEEDED for seed in SEEDS],
    ("glorotUniform", {"seed": 1.5}),  # String(1.5) seeds alea
    ("heNormal", {"seed": -3}),
    ("varianceScaling", {"scale": 2, "mode": "fanOut", "distribution": "normal", "seed": 42}),
    ("varianceScaling", {"scale": 0.5, "mode": "fanAvg", "distribution": "uniform", "seed": 7}),
    ("varianceScaling", {"seed": 11}),
    ("randomUniform", {"seed": 42}),
    ("randomUniform", {"minval": -1, "maxval": 2, "seed": 7}),
    ("randomUniform", {"minval": 0, "maxval": 1, "seed": 0}),  # minval 0 → -0.05; seed 0 seeds
    ("randomNormal", {"seed": 42}),
    ("randomNormal", {"mean": 1, "stddev": 2, "seed": 7}),
    ("truncatedNormal", {"seed": 42}),
    ("truncatedNormal", {"mean": -1, "stddev": 0.5, "seed": 7}),
    ("truncatedNormal", {"stddev": 0, "seed": 3}),  # stddev 0 → the default 0.05
    ("constant", {"value": 0.1}),
    ("zeros", {}),
    ("ones", {}),
]
OPS = [
    {"op": "truncatedNormal", "shape": [20000], "mean": 0.5, "stdDev": 3, "seed": 12345},
    {"op": "randomNormal", "shape": [20000], "mean": 0, "stdDev": 1, "seed": 99},
    {"op": "randomUniform", "shape": [5000], "min": -2, "max": 3, "seed": 8},
]
LAYERS = [
    {"type": "conv2d", "config": {
        "filters": 4, "kernelSize": 3, "inputShape": [6, 6, 2],
        "kernelInitializer": {"className": "HeNormal", "config": {"seed": 3}},
        "biasInitializer": {"className": "RandomUniform", "config": {"seed": 4}}}},
    {"type": "separableConv2d", "config": {
        "filters": 3, "kernelSize": 2,
        "depthwiseInitializer": {"className": "GlorotUniform", "config": {"seed": 5}}}},
    {"type": "flatten", "config": {}},
    {"type": "dense", "config": {
        "units": 3, "kernelInitializer": {"className": "VarianceScaling",
                                          "config": {"scale": 3, "mode": "fanAvg", "seed": 6}},
        "biasInitializer": {"className": "Constant", "config": {"value": -0.25}}}},
    {"type": "dense", "config": {
        "units": 3, "kernelInitializer": {"className": "Identity", "config": {"gain": 0.5}},
        "biasInitializer": {"className": "TruncatedNormal", "config": {"stddev": 1, "seed": 9}}}},
]
STRINGS = [42, 7, 1.5, -3, 1e-7, 1.5e-7, 0.000001, 1e21, 2.5e22, 2**60, 0.1 + 0.2]


def _log_inputs() -> list[float]:
    rng = np.random.default_rng(3)
    return [
        *rng.random(3000).tolist(),
        *(rng.random(500) * 1e6).tolist(),
        *(1 + rng.standard_normal(500) * 1e-7).tolist(),  # |f| < 2^-20: fdlibm's short path
        *np.exp(rng.uniform(-700, 700, 500)).tolist(),
        5e-324, 2.2e-308, 1.0, 2.0, 0.5, 1e-300, 1.7976931348623157e308,
    ]


def _cases() -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = []
    for name, args in ARGS:
        for shape in SHAPES:
            cases.append({"initializer": name, "args": args, "shape": list(shape)})
    cases.append({"initializer": "identity", "args": {"gain": -2}, "shape": [4, 4]})
    # Without a seed (and with seed 0 for a normal) TF.js takes Math.random: two calls differ.
    for args in ({}, {}, {"seed": 0}, {"seed": 0}):
        cases.append({"initializer": "glorotNormal", "args": args, "shape": [20]})
    cases.extend(OPS)
    cases.append({"layers": LAYERS})
    cases.append({"log": [np.float64(x).view(np.uint64).item().to_bytes(8, "big").hex()
                          for x in _log_inputs()]})
    cases.append({"string": STRINGS})
    cases.append({"census": True})
    return cases


@pytest.fixture(scope="module")
def tfjs() -> list[Any]:
    """What TF.js computed, one entry per case of ``_cases()``."""
    node = shutil.which("node")
    assert node, "these tests need Node.js (make dev installs the TF.js they run)"
    assert (ROOT / "runtime" / "vendor" / "tf.fesm.min.js").is_file(), "run `make dev` first"
    run = subprocess.run([node, str(SCRIPT)], input=json.dumps(_cases()), capture_output=True,
                         text=True, cwd=ROOT, timeout=300, check=False)
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    assert out["version"] == "4.22.0" and out["backend"] == "cpu"
    return [r.get("ok", r) for r in out["results"]]


def _index(predicate: Any) -> list[int]:
    return [i for i, c in enumerate(_cases()) if predicate(c)]


def _same(ours: np.ndarray, theirs: list[float]) -> None:
    expected = np.array(theirs, dtype=np.float32)
    assert ours.dtype == np.float32
    np.testing.assert_array_equal(ours.ravel(), expected)  # exact: no tolerance


@pytest.mark.parametrize(("name", "args"), ARGS, ids=[f"{n}-{a}" for n, a in ARGS])
def test_initializer_equals_tfjs(tfjs: list[Any], name: str, args: dict[str, Any]) -> None:
    found = _index(lambda c: c.get("initializer") == name and c.get("args") == args)
    assert len(found) == len(SHAPES)
    for i in found:
        shape = tuple(_cases()[i]["shape"])
        _same(tfjs_values({name: args}, shape), tfjs[i])


def test_every_initializer_tfjs_seeds_is_compared(tfjs: list[Any]) -> None:
    """The initializers of TF.js's API that take a seed are exactly those compared above (and
    orthogonal, which the engine refuses with its reason)."""
    (i,) = _index(lambda c: "census" in c)
    seeded = set(tfjs[i])
    compared = {name for name, args in ARGS if "seed" in args}
    assert seeded == compared | {"orthogonal"}, seeded ^ (compared | {"orthogonal"})
    assert "orthogonal" in NOT_REPRODUCED


def test_identity_and_class_name_forms(tfjs: list[Any]) -> None:
    (i,) = _index(lambda c: c.get("initializer") == "identity")
    _same(tfjs_values({"className": "Identity", "config": {"gain": -2}}, (4, 4)), tfjs[i])
    (j,) = _index(lambda c: c.get("args") == {"seed": 42} and c.get("initializer") == "heNormal"
                  and c["shape"] == [3, 3, 2, 8])
    _same(tfjs_values({"className": "HeNormal", "config": {"seed": 42}}, (3, 3, 2, 8)), tfjs[j])


def test_seeded_ops_equal_tfjs(tfjs: list[Any]) -> None:
    """Long streams: many rejections of the polar method and of the truncation."""
    for i in _index(lambda c: "op" in c):
        c = _cases()[i]
        shape = tuple(c["shape"])
        if c["op"] == "randomUniform":
            ours = random_uniform(shape, c["seed"], c["min"], c["max"])
        elif c["op"] == "truncatedNormal":
            ours = truncated_normal(shape, c["seed"], c["mean"], c["stdDev"])
        else:
            from mlpages.engine.alea import random_normal

            ours = random_normal(shape, c["seed"], c["mean"], c["stdDev"])
        _same(ours, tfjs[i])


def test_a_models_initial_weights_equal_tfjs(tfjs: list[Any]) -> None:
    """TF.js's own layers draw these (getWeights before any setWeights): the engine's layer
    shapes, weight order and initializers, including separableConv2d drawing its pointwise
    kernel with the depthwise initializer (same seed, so the same stream)."""
    (i,) = _index(lambda c: "layers" in c)
    model = Sequential(LAYERS)
    assert model.initial_weights_exact
    ours = model.init_weights(0)
    assert len(ours) == len(tfjs[i])
    for weight, theirs in zip(ours, tfjs[i], strict=True):
        _same(weight, theirs)
    again = Sequential(LAYERS).init_weights(1)  # another NumPy seed: no NumPy draw involved
    assert all(np.array_equal(a, b) for a, b in zip(ours, again, strict=True))


def test_unseeded_draws_are_not_reproducible(tfjs: list[Any]) -> None:
    unseeded = _index(lambda c: c.get("initializer") == "glorotNormal" and c["shape"] == [20])
    values = [tfjs[i] for i in unseeded]
    assert values[0] != values[1] and values[2] != values[3]  # Math.random, every call
    for args in ({}, {"seed": 0}):
        with pytest.raises(EngineError, match="Math.random"):
            tfjs_values({"glorotNormal": args}, (20,))
    assert not get_initializer("glorotUniform").exact
    assert get_initializer({"glorotUniform": {"seed": 0}}).exact  # uniform draws take seed "0"
    model = Sequential([{"type": "dense", "config": {"units": 2, "inputShape": [3]}}])
    assert not model.initial_weights_exact  # glorotNormal without a seed


def test_math_log_is_v8s(tfjs: list[Any]) -> None:
    (i,) = _index(lambda c: "log" in c)
    inputs = np.array(_log_inputs(), dtype=np.float64)
    expected = np.array([int(h, 16) for h in tfjs[i]], dtype=np.uint64)
    assert np.array_equal(js_log(inputs).view(np.uint64), expected)
    # glibc's log differs from V8's in the last bit now and then: why jsmath exists.
    assert not np.array_equal(np.log(inputs).view(np.uint64), expected)


def test_seed_strings_are_javascripts(tfjs: list[Any]) -> None:
    (i,) = _index(lambda c: "string" in c)
    assert [js_string(x) for x in STRINGS] == tfjs[i]


def test_shorthand_becomes_tfjs_class_name_form() -> None:
    assert tfjs_identifier({"glorotUniform": {"seed": 7}}) == {
        "className": "GlorotUniform", "config": {"seed": 7}}
    assert tfjs_identifier("heNormal") == "heNormal"
    assert tfjs_identifier({"className": "Zeros", "config": {}}) == {"className": "Zeros", "config": {}}


@pytest.mark.parametrize(
    ("identifier", "message"),
    [
        ({"glorotUniform": {"seed": 7, "scale": 2}}, "unknown parameter"),
        ({"className": "glorotUniform", "config": {}}, "did you mean 'GlorotUniform'"),
        ({"className": "Zeros"}, "needs a config"),
        ("orthogonal", "not reproduced"),
        ({"orthogonal": {"seed": 1}}, "not reproduced"),
        ({"varianceScaling": {"distribution": "truncatedNormal"}}, "draws uniform"),
        ({"glorotUniform": {"seed": True}}, "must be a number"),
        ({"glorotUniform": {"seed": 10**400}}, "must be a number"),
        ({"randomNormal": {"stddev": float("nan"), "seed": 1}}, "must be a number"),
        ({"glorotUniform": 7}, "must be a mapping"),
        ({"glorotUniform": {}, "heNormal": {}}, "one name"),
    ],
)
def test_bad_initializers_are_refused(identifier: Any, message: str) -> None:
    with pytest.raises(EngineError, match=message):
        get_initializer(identifier)
