"""Finite-difference checks of the conv, pooling, batch-norm and reshape backward passes."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from mlpages.engine import Sequential

H = 1e-6


def _numeric(f: Any, x: np.ndarray) -> np.ndarray:
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[i] += H
        down[i] -= H
        grad[i] = (f(up) - f(down)) / (2 * H)
    return grad


def _check(layers: list[dict[str, Any]], x_shape: tuple[int, ...], units: int = 2) -> None:
    """Compares the analytic gradients of every weight and of the input with central differences."""
    model = Sequential([*layers, {"type": "flatten"}, {"type": "dense", "config": {"units": units}}])
    model.compile("sgd", "meanSquaredError")
    rng = np.random.default_rng(3)
    weights = [w.astype(np.float64) + rng.normal(0, 0.1, w.shape) for w in model.init_weights(4)]
    x = rng.normal(size=x_shape)
    y = rng.normal(size=(x_shape[0], units))
    loss = model._loss
    assert loss is not None

    def mean_loss(ws: list[np.ndarray], xs: np.ndarray) -> float:
        out, _ = model._forward(ws, xs, training=True)
        return float(np.mean(loss.values(y, out)))

    out, caches = model._forward(weights, x, training=True)
    assert out.dtype == np.float64
    dy = loss.grad(y, out)
    analytic = model._backward(weights, dy, caches)
    assert len(analytic) == model._n_trainable
    for i in range(model._n_trainable):

        def perturbed(v: np.ndarray, i: int = i) -> float:
            return mean_loss([v if j == i else u for j, u in enumerate(weights)], x)

        name = model.weight_shapes()[i][0]
        np.testing.assert_allclose(
            analytic[i], _numeric(perturbed, weights[i]), rtol=1e-5, atol=1e-8, err_msg=name
        )
    dx = dy
    for layer_index in reversed(range(len(model.layers))):
        dx, _ = model.layers[layer_index].backward(
            model._layer_weights(weights, layer_index), dx, caches[layer_index]
        )
    np.testing.assert_allclose(dx, _numeric(lambda v: mean_loss(weights, v), x), rtol=1e-5, atol=1e-8)


def _conv(**config: Any) -> dict[str, Any]:
    return {"type": "conv2d", "config": {"filters": 2, "activation": "tanh", **config}}


@pytest.mark.parametrize(
    ("config", "x_shape"),
    [
        ({"kernelSize": 3, "padding": "same"}, (2, 5, 5, 2)),
        ({"kernelSize": 3, "padding": "valid"}, (2, 5, 6, 1)),
        ({"kernelSize": 2, "strides": 2, "padding": "same"}, (2, 5, 5, 2)),  # odd remainder
        ({"kernelSize": 2, "strides": 2, "padding": "valid"}, (2, 5, 5, 2)),  # last row unused
        ({"kernelSize": [2, 3], "strides": [2, 1], "padding": "same"}, (2, 4, 5, 2)),
        ({"kernelSize": 4, "strides": 3, "padding": "same", "useBias": False}, (1, 7, 7, 1)),
    ],
)
def test_conv2d_backward(config: dict[str, Any], x_shape: tuple[int, ...]) -> None:
    _check([_conv(inputShape=list(x_shape[1:]), **config)], x_shape)


@pytest.mark.parametrize(
    ("kind", "config", "x_shape"),
    [
        ("maxPooling2d", {}, (2, 4, 4, 2)),
        ("maxPooling2d", {"poolSize": 3, "strides": 2}, (2, 5, 5, 1)),
        ("maxPooling2d", {"poolSize": 2, "padding": "same"}, (2, 5, 5, 2)),
        ("maxPooling2d", {"poolSize": [2, 3], "strides": 1, "padding": "same"}, (1, 4, 5, 1)),
        ("averagePooling2d", {}, (2, 5, 5, 2)),
        ("averagePooling2d", {"poolSize": 3, "strides": 1}, (2, 5, 4, 1)),
        ("averagePooling2d", {"poolSize": 2, "padding": "same"}, (2, 4, 4, 1)),  # no padding needed
    ],
)
def test_pooling_backward(kind: str, config: dict[str, Any], x_shape: tuple[int, ...]) -> None:
    layers = [_conv(kernelSize=1, inputShape=list(x_shape[1:])), {"type": kind, "config": config}]
    _check(layers, x_shape)


def test_average_pooling_same_gradient_is_tfjs_not_the_derivative() -> None:
    """TF.js's AvgPoolGrad spreads dy with 1/(poolH·poolW) even where the forward averaged fewer."""
    model = Sequential([{"type": "averagePooling2d", "config": {"padding": "same", "inputShape": [3, 3, 1]}}])
    layer = model.layers[0]
    x = np.arange(9, dtype=np.float32).reshape(1, 3, 3, 1)
    y, cache = layer.forward([], x, training=True)
    assert y[0, :, :, 0].tolist() == [[2.0, 3.5], [6.5, 8.0]]  # means over the valid cells only
    dx, _ = layer.backward([], np.ones_like(y), cache)
    assert dx[0, :, :, 0].tolist() == [[0.25] * 3] * 3  # the derivative would give 1 at [2, 2]


def test_max_pooling_ties_go_to_the_first_maximum() -> None:
    model = Sequential([{"type": "maxPooling2d", "config": {"inputShape": [2, 2, 1]}}])
    layer = model.layers[0]
    y, cache = layer.forward([], np.ones((1, 2, 2, 1), dtype=np.float32), training=True)
    dx, _ = layer.backward([], np.ones_like(y), cache)
    assert dx[0, :, :, 0].tolist() == [[1.0, 0.0], [0.0, 0.0]]


@pytest.mark.parametrize("config", [{}, {"center": False}, {"scale": False, "epsilon": 0.1}])
def test_batch_normalization_backward_in_training_mode(config: dict[str, Any]) -> None:
    layers = [
        {"type": "dense", "config": {"units": 4, "inputShape": [3]}},
        {"type": "batchNormalization", "config": config},
        {"type": "activation", "config": {"activation": "tanh"}},
    ]
    _check(layers, (5, 3))


def test_batch_normalization_over_conv_channels() -> None:
    _check([_conv(kernelSize=2, inputShape=[3, 3, 1]), {"type": "batchNormalization"}], (2, 3, 3, 1))


def test_reshape_flatten_leaky_relu_backward() -> None:
    layers = [
        {"type": "reshape", "config": {"targetShape": [2, -1, 2], "inputShape": [12]}},
        _conv(kernelSize=2, padding="same"),
        {"type": "leakyReLU", "config": {"alpha": 0.2}},
        {"type": "reshape", "config": {"targetShape": [6, 2]}},
    ]
    _check(layers, (3, 12))


@pytest.mark.parametrize(
    ("kind", "config", "x_shape"),
    [
        ("depthwiseConv2d", {"kernelSize": 3, "padding": "same"}, (2, 5, 5, 2)),
        ("depthwiseConv2d", {"kernelSize": 2, "depthMultiplier": 3, "activation": "relu6"}, (2, 4, 5, 2)),
        ("depthwiseConv2d", {"kernelSize": [3, 2], "strides": 2, "padding": "same"}, (2, 5, 5, 3)),
        ("depthwiseConv2d", {"kernelSize": 3, "strides": [1, 2], "useBias": False}, (1, 5, 6, 2)),
        ("separableConv2d", {"filters": 3, "kernelSize": 3, "padding": "same"}, (2, 4, 4, 2)),
        (
            "separableConv2d",
            {"filters": 2, "kernelSize": 2, "strides": 2, "depthMultiplier": 2, "activation": "tanh"},
            (2, 5, 5, 2),
        ),
        (
            "separableConv2d",
            {"filters": 2, "kernelSize": 3, "padding": "same", "useBias": False},
            (1, 3, 4, 1),
        ),
    ],
)
def test_depthwise_and_separable_backward(
    kind: str, config: dict[str, Any], x_shape: tuple[int, ...]
) -> None:
    _check([{"type": kind, "config": {"inputShape": list(x_shape[1:]), **config}}], x_shape)


@pytest.mark.parametrize(
    ("kind", "config"),
    [
        ("zeroPadding2d", {}),
        ("zeroPadding2d", {"padding": [[0, 2], [1, 0]]}),
        ("globalAveragePooling2d", {}),
        ("globalMaxPooling2d", {}),
        ("reLU", {}),
        ("reLU", {"maxValue": 0.3}),  # inputs on both sides of 0 and of 0.3
    ],
)
def test_padding_global_pooling_and_relu_backward(kind: str, config: dict[str, Any]) -> None:
    layers = [_conv(kernelSize=2, inputShape=[4, 5, 2]), {"type": kind, "config": config}]
    _check(layers, (2, 4, 5, 2))


def test_a_mobilenet_block_backward() -> None:
    """zeroPadding, a stride-2 depthwise conv, batch norm, ReLU6, a 1x1 conv, global pooling."""
    layers = [
        {"type": "zeroPadding2d", "config": {"padding": [[0, 1], [0, 1]], "inputShape": [5, 5, 2]}},
        {"type": "depthwiseConv2d", "config": {"kernelSize": 3, "strides": 2, "useBias": False}},
        {"type": "batchNormalization"},
        {"type": "reLU", "config": {"maxValue": 6}},
        {"type": "conv2d", "config": {"filters": 3, "kernelSize": 1, "useBias": False}},
        {"type": "globalAveragePooling2d"},
    ]
    _check(layers, (3, 5, 5, 2))
