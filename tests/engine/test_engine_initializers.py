"""Default initial weights: glorotNormal kernels (truncated at 2σ), zero biases."""

from __future__ import annotations

import math

import numpy as np
from mlpages.engine import Sequential, init_weights
from mlpages.engine.initializers import INITIALIZERS, compute_fans

TRUNCATED_STD = 0.8796256610342398  # std of a unit normal truncated at ±2


def _model() -> Sequential:
    return Sequential(
        [
            {"type": "dense", "config": {"units": 300, "activation": "relu", "inputShape": [500]}},
            {"type": "dense", "config": {"units": 2}},
        ]
    )


def test_glorot_normal_distribution() -> None:
    kernel, bias, small, small_bias = _model().init_weights(0)
    sigma = math.sqrt(2 / (500 + 300))
    assert kernel.dtype == np.float32 and kernel.shape == (500, 300)
    assert abs(float(kernel.mean())) < 4 * sigma / math.sqrt(kernel.size)
    # No 0.8796 correction: the spread is that of N(0, σ) truncated, i.e. 0.88σ.
    assert abs(float(kernel.std()) / sigma - TRUNCATED_STD) < 0.01
    assert float(np.abs(kernel).max()) <= np.float32(2 * sigma)
    assert float(np.abs(kernel).max()) > 1.99 * sigma  # truncated by redrawing, not clipped
    assert np.count_nonzero(np.abs(kernel) == np.float32(2 * sigma)) == 0
    assert not bias.any() and not small_bias.any()
    assert small.shape == (300, 2)
    assert float(np.abs(small).max()) <= np.float32(2 * math.sqrt(2 / 302))


def test_initial_weights_are_deterministic_per_seed() -> None:
    first, again, other = _model(), _model(), _model()
    a, b, c = first.init_weights(42), init_weights(again, 42), other.init_weights(43)
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    assert not np.array_equal(a[0], c[0])
    assert all(np.array_equal(x, y) for x, y in zip(a, first.get_weights(), strict=True))


def test_fans_and_other_initializers() -> None:
    assert compute_fans((3, 4)) == (3.0, 4.0)
    assert compute_fans((3, 3, 2, 4)) == (18.0, 36.0)
    rng = np.random.default_rng(0)
    uniform = INITIALIZERS["glorotUniform"](rng, (40, 60))
    assert float(np.abs(uniform).max()) <= math.sqrt(6 / 100)
    he = INITIALIZERS["heNormal"](rng, (200, 10))
    assert float(np.abs(he).max()) <= np.float32(2 * math.sqrt(2 / 200))
    assert not INITIALIZERS["zeros"](rng, (3,)).any()


def test_kernel_initializer_config_is_honoured() -> None:
    model = Sequential(
        [{"type": "dense", "config": {"units": 2, "inputShape": [2], "kernelInitializer": "ones"}}]
    )
    kernel, bias = model.init_weights(0)
    assert kernel.tolist() == [[1.0, 1.0], [1.0, 1.0]] and bias.tolist() == [0.0, 0.0]
