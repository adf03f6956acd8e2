"""The new layer types: alea, dropout, batch-norm weight order, shapes, initializers and errors."""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest
from mlpages.engine import EngineError, Sequential
from mlpages.engine.alea import Alea, js_string, random_uniform
from mlpages.engine.initializers import get_initializer
from tfjs_vectors import cases, excess, quantities

CONV = "tfjs-4.22-conv.json"


def test_alea_reproduces_seedrandom() -> None:
    assert Alea("hello.").next() == 0.4783254903741181  # seedrandom's README example
    first = Alea("42")
    again = Alea("42")
    assert [first.next() for _ in range(5)] == [again.next() for _ in range(5)]


def test_random_uniform_reproduces_tfjs_glorot_uniform_seed_42() -> None:
    """``glorotUniform({seed: 42})`` on a [12, 4] kernel, as TF.js 4.22 draws it."""
    limit = math.sqrt(3 / 8)
    values = random_uniform((12, 4), 42, -limit, limit)
    assert values.dtype == np.float32
    # The notes print 8 decimals: agreement to half a unit of the last one.
    np.testing.assert_allclose(values.ravel()[:3], [0.22641061, 0.05673565, 0.42326364], rtol=0, atol=5e-9)


def test_js_string() -> None:
    assert [js_string(42), js_string(42.0), js_string(1.5), js_string("abc")] == ["42", "42", "1.5", "abc"]


def test_seeded_dropout_reuses_one_alea_mask() -> None:
    model = Sequential([{"type": "dropout", "config": {"rate": 0.3, "seed": 42, "inputShape": [16]}}])
    x = np.ones((10, 16), dtype=np.float32)
    first, _ = model._forward([], x, training=True)
    second, _ = model._forward([], x, training=True)
    keep = np.float32(0.7)
    mask = np.floor(random_uniform((10, 16), 42) + keep) / keep
    assert np.array_equal(first, second) and np.array_equal(first, mask)
    assert set(np.unique(first).tolist()) == {0.0, float(np.float32(1) / keep)}
    assert np.array_equal(model.predict(x), x)  # inference: identity
    assert not model.has_unseeded_dropout


def test_the_vectors_pin_the_dropout_mask() -> None:
    """With another seed the seeded-dropout case no longer matches TF.js."""
    case = copy.deepcopy(cases(CONV)["dropout-seeded"])
    case["layers"][1]["config"]["seed"] = 43
    result = case["results"]["cpu"]
    worst = max(float(np.max(excess(g, e, label, 20))) for label, g, e in quantities(case, result, 1e-7))
    assert worst > 0


def test_unseeded_dropout_is_flagged_and_deterministic_per_noise_seed() -> None:
    layers = [{"type": "dropout", "config": {"rate": 0.5, "inputShape": [8]}}]
    x = np.ones((4, 8), dtype=np.float32)
    a, b, c = Sequential(layers), Sequential(layers), Sequential(layers, noise_seed=1)
    assert a.has_unseeded_dropout
    out_a, _ = a._forward([], x, training=True)
    out_b, _ = b._forward([], x, training=True)
    out_c, _ = c._forward([], x, training=True)
    assert np.array_equal(out_a, out_b) and not np.array_equal(out_a, out_c)
    assert not Sequential(
        [{"type": "dropout", "config": {"rate": 0, "inputShape": [8]}}]
    ).has_unseeded_dropout


def test_batch_norm_weight_order_and_summary() -> None:
    model = Sequential(cases(CONV)["batchnorm-dense"]["layers"])
    assert model.weight_shapes() == [
        ("dense_1/kernel", (16, 6)),
        ("dense_1/bias", (6,)),
        ("batch_normalization_1/gamma", (6,)),
        ("batch_normalization_1/beta", (6,)),
        ("dense_2/kernel", (6, 1)),
        ("dense_2/bias", (1,)),
        ("batch_normalization_1/movingMean", (6,)),
        ("batch_normalization_1/movingVariance", (6,)),
    ]
    weights = model.init_weights(0)
    assert [w.tolist() for w in weights[2:4]] == [[1.0] * 6, [0.0] * 6]
    assert [w.tolist() for w in weights[6:]] == [[0.0] * 6, [1.0] * 6]
    assert [row["params"] for row in model.summary()] == [102, 24, 0, 7]


def test_conv_shapes_and_summary() -> None:
    model = Sequential(
        [
            {
                "type": "conv2d",
                "config": {"filters": 3, "kernelSize": 3, "padding": "same", "inputShape": [7, 5, 2]},
            },
            {"type": "maxPooling2d", "config": {"padding": "same"}},
            {"type": "conv2d", "config": {"filters": 2, "kernelSize": [2, 1], "strides": 2}},
            {"type": "averagePooling2d", "config": {"poolSize": 1}},
            {"type": "flatten"},
            {"type": "reshape", "config": {"targetShape": [-1, 2]}},
        ]
    )
    assert [row["outputShape"] for row in model.summary()] == [
        [None, 7, 5, 3],
        [None, 4, 3, 3],
        [None, 2, 2, 2],
        [None, 2, 2, 2],
        [None, 8],
        [None, 4, 2],
    ]
    assert model.weight_shapes()[0] == ("conv2d_1/kernel", (3, 3, 2, 3))
    model.init_weights(0)
    assert model.predict(np.zeros((3, 7, 5, 2))).shape == (3, 4, 2)
    assert Sequential([{"type": "flatten", "config": {"inputShape": [2, 2]}}]).predict(
        np.ones((1, 2, 2))
    ).shape == (
        1,
        4,
    )


def test_initializers_by_name_and_config() -> None:
    rng = np.random.default_rng(0)
    shape = (3, 3, 4, 8)
    assert np.abs(get_initializer("heUniform")(rng, shape)).max() <= math.sqrt(6 / 36)
    assert np.abs(get_initializer("leCunNormal")(rng, shape)).max() <= np.float32(2 / 6)
    assert np.abs(get_initializer("randomUniform")(rng, shape)).max() <= 0.05
    assert np.abs(get_initializer("truncatedNormal")(rng, shape)).max() <= np.float32(0.1)
    assert abs(float(get_initializer("randomNormal")(rng, (4000,)).std()) - 0.05) < 0.003
    constant = get_initializer({"className": "Constant", "config": {"value": 0.5}})
    assert constant(rng, (2,)).tolist() == [0.5, 0.5]
    wide = get_initializer({"className": "RandomUniform", "config": {"minval": 1, "maxval": 2, "seed": 3}})
    assert wide(rng, (100,)).min() >= 1
    model = Sequential(
        [
            {
                "type": "conv2d",
                "config": {
                    "filters": 2,
                    "kernelSize": 1,
                    "inputShape": [2, 2, 1],
                    "kernelInitializer": "ones",
                    "biasInitializer": "ones",
                },
            }
        ]
    )
    assert [w.ravel().tolist() for w in model.init_weights(0)] == [[1.0, 1.0], [1.0, 1.0]]


@pytest.mark.parametrize(
    ("layers", "message"),
    [
        ([{"type": "conv2d", "config": {"filters": 2, "inputShape": [4, 4, 1]}}], "needs kernelSize"),
        (
            [
                {
                    "type": "conv2d",
                    "config": {"filters": 2, "kernelSize": 3, "padding": "Same", "inputShape": [4, 4, 1]},
                }
            ],
            "did you mean 'same'?",
        ),
        (
            [{"type": "conv2d", "config": {"filters": 2, "kernelSize": 5, "inputShape": [4, 4, 1]}}],
            "larger than the input",
        ),
        (
            [{"type": "conv2d", "config": {"filters": 2, "kernelSize": 3, "inputShape": [16]}}],
            "add a reshape",
        ),
        (
            [{"type": "maxPooling2d", "config": {"poolSize": [2, 2, 2], "inputShape": [4, 4, 1]}}],
            "[height, width]",
        ),
        ([{"type": "reshape", "config": {"targetShape": [3, 5], "inputShape": [16]}}], "has 15 elements"),
        ([{"type": "dropout", "config": {"rate": 1, "inputShape": [4]}}], "rate must be"),
        ([{"type": "batchNormalization", "config": {"axis": 1, "inputShape": [4, 3]}}], "only the last axis"),
        (
            [{"type": "dense", "config": {"units": 2, "inputShape": [2], "kernelInitializer": "constant"}}],
            "needs a value",
        ),
        (
            [
                {
                    "type": "dense",
                    "config": {"units": 2, "inputShape": [2], "kernelInitializer": "glorotnormal"},
                }
            ],
            "did you mean 'glorotNormal'?",
        ),
        (
            [{"type": "activation", "config": {"activation": "reluu", "inputShape": [2]}}],
            "did you mean 'relu'?",
        ),
    ],
)
def test_layer_errors(layers: list[dict], message: str) -> None:
    with pytest.raises(EngineError) as info:
        Sequential(layers)
    assert message in str(info.value)
