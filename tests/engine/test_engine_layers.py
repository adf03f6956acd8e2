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


def _one(kind: str, input_shape: list[int], **config: object) -> Sequential:
    return Sequential([{"type": kind, "config": {"inputShape": input_shape, **config}}])


def _pass(model: Sequential, x: np.ndarray, dy: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The single layer's output and, for ``dy`` (ones by default), its input gradient."""
    layer, weights = model.layers[0], model.get_weights()
    y, cache = layer.forward(weights, x.astype(np.float32), training=True)
    dx, _ = layer.backward(weights, np.ones_like(y) if dy is None else dy, cache)
    return y, dx


# A 3x3 image 1..9 in channel 0 and ones in channel 1.
IMAGE = np.stack([np.arange(1, 10).reshape(3, 3), np.ones((3, 3))], axis=-1)[None]


@pytest.mark.parametrize(
    ("config", "sums", "corners", "ones"),
    [
        # valid: the four 2x2 windows of the image
        ({}, [[12, 16], [24, 28]], [[1, 2], [4, 5]], [[10, 10], [10, 10]]),
        # stride 2, 'same': ceil(3/2) = 2 outputs, one padding row and column at the
        # bottom/right, so the right and bottom windows hold one column or row of the image
        ({"strides": 2, "padding": "same"}, [[12, 9], [15, 9]], [[1, 3], [7, 9]], [[10, 4], [3, 1]]),
    ],
)
def test_depthwise_conv2d_by_hand(config: dict, sums: list, corners: list, ones: list) -> None:
    model = _one("depthwiseConv2d", [3, 3, 2], kernelSize=2, depthMultiplier=2, **config)
    assert model.weight_shapes() == [
        ("depthwise_conv2d_1/depthwise_kernel", (2, 2, 2, 2)),
        ("depthwise_conv2d_1/bias", (4,)),
    ]
    kernel = np.zeros((2, 2, 2, 2))
    kernel[:, :, 0, 0] = 1  # channel 0, filter 0: the window's sum
    kernel[0, 0, 0, 1] = 1  # channel 0, filter 1: the window's top-left cell
    kernel[:, :, 1, 0] = [[1, 2], [3, 4]]  # channel 1 (ones): the taps inside the image
    model.set_weights([kernel, np.array([0.5, 0, 0, -1])])
    y, _ = _pass(model, IMAGE)
    # Output channels are ordered c·M + m: (c0, m0), (c0, m1), (c1, m0), (c1, m1).
    assert y[0, :, :, 0].tolist() == (np.array(sums) + 0.5).tolist()
    assert y[0, :, :, 1].tolist() == corners
    assert y[0, :, :, 2].tolist() == ones
    assert y[0, :, :, 3].tolist() == [[-1.0, -1.0], [-1.0, -1.0]]


def test_depthwise_conv2d_input_gradient_by_hand() -> None:
    """Every output of a 2x2 window of ones sends its dy to each of its four cells: the
    centre of a 3x3 input lies in four windows, the corners in one."""
    model = _one("depthwiseConv2d", [3, 3, 1], kernelSize=2, useBias=False, depthwiseInitializer="ones")
    model.init_weights(0)
    _, dx = _pass(model, np.zeros((1, 3, 3, 1)))
    assert dx[0, :, :, 0].tolist() == [[1, 2, 1], [2, 4, 2], [1, 2, 1]]


def test_separable_conv2d_by_hand() -> None:
    model = _one("separableConv2d", [2, 2, 2], filters=1, kernelSize=1)
    assert model.weight_shapes() == [
        ("separable_conv2d_1/depthwise_kernel", (1, 1, 2, 1)),
        ("separable_conv2d_1/pointwise_kernel", (1, 1, 2, 1)),
        ("separable_conv2d_1/bias", (1,)),
    ]
    # Depthwise scales channel 0 by 2 and channel 1 by 3; pointwise adds them with weights 1, 10.
    model.set_weights(
        [np.array([2.0, 3.0]).reshape(1, 1, 2, 1), np.array([1.0, 10.0]).reshape(1, 1, 2, 1), [0.5]]
    )
    x = np.stack([[[1, 2], [3, 4]], [[0, 1], [0, 1]]], axis=-1)[None]
    y, dx = _pass(model, x)
    assert y[0, :, :, 0].tolist() == [[2.5, 34.5], [6.5, 38.5]]  # 2·x0 + 30·x1 + 0.5
    assert dx[0, 0, 0].tolist() == [2.0, 30.0]


def test_separable_conv2d_pointwise_kernel_uses_the_depthwise_initializer() -> None:
    """TF.js 4.22 draws the pointwise kernel with ``depthwiseInitializer`` when it is given."""
    model = _one(
        "separableConv2d",
        [3, 3, 2],
        filters=3,
        kernelSize=2,
        depthwiseInitializer="ones",
        pointwiseInitializer="zeros",
    )
    depthwise, pointwise, bias = model.init_weights(0)
    assert depthwise.min() == pointwise.min() == 1.0 and bias.tolist() == [0, 0, 0]


def test_separable_initial_weights_are_the_ones_tfjs_drew() -> None:
    """The case's initial weights were drawn by TF.js from deterministic initializers."""
    case = cases(CONV)["separable-initializers"]
    drawn = Sequential(case["layers"]).init_weights(0)
    assert [w.ravel().tolist() for w in drawn] == [w["data"] for w in case["weights"]]


def test_depthwise_and_separable_default_initializers() -> None:
    """depthwiseConv2d draws glorotNormal (truncated at 2σ, so beyond the glorotUniform
    limit √3·σ), separableConv2d glorotUniform for both kernels."""
    fans = 3 * 3 * 64 + 3 * 3  # fanIn + fanOut of a [3, 3, 64, 1] kernel
    sigma = math.sqrt(2 / fans)
    depthwise = _one("depthwiseConv2d", [5, 5, 64], kernelSize=3).init_weights(0)[0]
    assert sigma * math.sqrt(3) < np.abs(depthwise).max() <= 2 * sigma
    separable = _one("separableConv2d", [5, 5, 64], filters=8, kernelSize=3).init_weights(0)
    assert np.abs(separable[0]).max() <= sigma * math.sqrt(3)
    assert np.abs(separable[1]).max() <= math.sqrt(6 / (64 + 8))


@pytest.mark.parametrize(
    ("padding", "shape", "rows"),
    [
        ([[1, 0], [0, 2]], (2, 4), [[0, 0, 0, 0], [1, 2, 0, 0]]),
        ([0, 1], (1, 4), [[0, 1, 2, 0]]),
        (None, (3, 4), [[0, 0, 0, 0], [0, 1, 2, 0], [0, 0, 0, 0]]),
    ],
)
def test_zero_padding2d_by_hand(padding: object, shape: tuple[int, int], rows: list) -> None:
    config = {} if padding is None else {"padding": padding}
    model = _one("zeroPadding2d", [1, 2, 1], **config)
    assert model.summary()[0]["outputShape"] == [None, *shape, 1]
    assert model.summary()[0]["layer"] == "zero_padding2d_1"
    dy = np.arange(1, 1 + shape[0] * shape[1], dtype=np.float32).reshape(1, *shape, 1)
    y, dx = _pass(model, np.array([[[[1], [2]]]]), dy)
    assert y[0, :, :, 0].tolist() == rows
    # The input gradient is dy at the two cells the input landed on.
    assert dx[0, 0, :, 0].tolist() == [
        dy[0, r, c, 0] for r, c in zip(*np.nonzero(y[0, :, :, 0]), strict=True)
    ]


def test_global_pooling_by_hand() -> None:
    x = np.stack([[[1, 2], [3, 6]], [[-1, -1], [-1, -1]]], axis=-1)[None]
    mean, dmean = _pass(_one("globalAveragePooling2d", [2, 2, 2]), x, np.array([[4.0, 8.0]]))
    assert mean.tolist() == [[3.0, -1.0]]
    assert dmean[0].tolist() == [[[1.0, 2.0]] * 2] * 2
    top, dtop = _pass(_one("globalMaxPooling2d", [2, 2, 2]), x, np.array([[4.0, 8.0]]))
    assert top.tolist() == [[6.0, -1.0]]
    # Max's gradient goes to every cell equal to the maximum: all four cells of channel 1 tie.
    assert dtop[0, :, :, 0].tolist() == [[0, 0], [0, 4]]
    assert dtop[0, :, :, 1].tolist() == [[8, 8], [8, 8]]


@pytest.mark.parametrize(
    ("config", "outputs", "grads"),
    [
        ({}, [0, 0, 0.5, 6, 7.5], [0, 0, 1, 1, 1]),
        ({"maxValue": 6}, [0, 0, 0.5, 6, 6], [0, 0, 1, 1, 0]),  # relu's step(0) = 0; clip passes 6
        ({"maxValue": None}, [0, 0, 0.5, 6, 7.5], [0, 0, 1, 1, 1]),
    ],
)
def test_relu_layer_by_hand(config: dict, outputs: list[float], grads: list[float]) -> None:
    model = _one("reLU", [5], **config)
    assert model.summary()[0]["layer"] == "re_lu_1"
    y, dx = _pass(model, np.array([[-1, 0, 0.5, 6, 7.5]]))
    assert y[0].tolist() == outputs
    assert dx[0].tolist() == grads


@pytest.mark.parametrize(
    ("layer", "message"),
    [
        (
            {
                "type": "separableConv2d",
                "config": {"filters": 2, "kernelSize": 3, "kernelInitializer": "ones"},
            },
            "'kernelInitializer'",
        ),
        ({"type": "separableConv2d", "config": {"kernelSize": 3}}, "filters must be"),
        ({"type": "depthwiseConv2d", "config": {"kernelSize": 3, "depthMultiplier": 0}}, "depthMultiplier"),
        ({"type": "depthwiseConv2d", "config": {"kernelSize": 3, "dilationRate": 2}}, "dilationRate 1"),
        ({"type": "depthwiseConv2d", "config": {"kernelSize": 5}}, "larger than the input"),
        ({"type": "zeroPadding2d", "config": {"padding": -1}}, "non-negative integer"),
        ({"type": "zeroPadding2d", "config": {"padding": [1, 2, 3]}}, "[[top, bottom], [left, right]]"),
        ({"type": "reLU", "config": {"maxValue": -1}}, "maxValue must be"),
        ({"type": "globalMaxPooling2d", "config": {"dataFormat": "channelsFirst"}}, "channelsLast"),
    ],
)
def test_mobilenet_layer_errors(layer: dict, message: str) -> None:
    with pytest.raises(EngineError) as info:
        Sequential([{"type": "dense", "config": {"units": 2, "inputShape": [4, 4, 1]}}, layer])
    assert message in str(info.value)
    assert "layer 2" in str(info.value)
