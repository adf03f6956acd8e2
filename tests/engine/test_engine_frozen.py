"""Frozen layers (`trainable: false`): not trained, listed with the non-trainable weights."""

from __future__ import annotations

import numpy as np
from mlpages.engine import Sequential

LAYERS = [
    {"type": "dense", "config": {"units": 3, "activation": "tanh", "inputShape": [2]}},
    {"type": "dense", "config": {"units": 3, "activation": "tanh"}},
    {"type": "batchNormalization", "config": {}},
    {"type": "dense", "config": {"units": 1}},
]


def frozen(index: int) -> list[dict]:
    layers = [{"type": layer["type"], "config": dict(layer["config"])} for layer in LAYERS]
    layers[index]["config"]["trainable"] = False
    return layers


def data() -> tuple[np.ndarray, np.ndarray]:
    x = np.random.default_rng(0).normal(size=(8, 2)).astype(np.float32)
    return x, np.tanh(x[:, :1] - x[:, 1:])


def test_freezing_moves_a_layers_weights_after_every_trainable_weight():
    # TF.js: trainable weights of the trainable layers in layer order, then each layer's
    # non-trainable weights in layer order (a frozen layer: all of its weights).
    assert [n for n, _ in Sequential(frozen(1)).weight_shapes()] == [
        "dense_1/kernel", "dense_1/bias", "batch_normalization_1/gamma", "batch_normalization_1/beta",
        "dense_3/kernel", "dense_3/bias",
        "dense_2/kernel", "dense_2/bias",
        "batch_normalization_1/movingMean", "batch_normalization_1/movingVariance",
    ]


def test_a_frozen_layer_keeps_its_weights_while_the_others_train():
    model = Sequential(frozen(1))
    before = model.init_weights(1)
    model.compile("sgd", "meanSquaredError", epsilon=1e-4)
    model.fit(*data(), epochs=3, batch_size=4)
    after = model.get_weights()
    changed = [not np.array_equal(a, b) for a, b in zip(before, after, strict=True)]
    assert changed == [True, True, True, True, True, True, False, False, True, True]


def test_gradients_flow_through_a_frozen_layer_unchanged():
    # One SGD step: the first layer's update does not depend on whether a later layer is frozen.
    plain, cold = Sequential(LAYERS), Sequential(frozen(1))
    weights = plain.init_weights(4)
    order = [n for n, _ in plain.weight_shapes()]
    by_name = dict(zip(order, weights, strict=True))
    cold.set_weights([by_name[n] for n, _ in cold.weight_shapes()])
    for model in (plain, cold):
        model.compile({"name": "sgd", "args": {"learningRate": 0.1}}, "meanSquaredError", epsilon=1e-4)
        model.fit(*data(), epochs=1, batch_size=8)
    plain_after = dict(zip(order, plain.get_weights(), strict=True))
    cold_after = dict(zip([n for n, _ in cold.weight_shapes()], cold.get_weights(), strict=True))
    for name in ("dense_1/kernel", "dense_1/bias"):
        np.testing.assert_array_equal(plain_after[name], cold_after[name])
    np.testing.assert_array_equal(cold_after["dense_2/kernel"], by_name["dense_2/kernel"])
    assert not np.array_equal(plain_after["dense_2/kernel"], by_name["dense_2/kernel"])
