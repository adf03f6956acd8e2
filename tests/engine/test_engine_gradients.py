"""Finite-difference checks of every backward pass, on float64 copies away from kinks."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from mlpages.engine import Sequential
from mlpages.engine.activations import ACTIVATIONS
from mlpages.engine.losses import LOSSES, BinaryCrossentropy, CategoricalCrossentropy

H = 1e-6


def _numeric_grad(f: Callable[[np.ndarray], float], x: np.ndarray) -> np.ndarray:
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[i] += H
        down[i] -= H
        grad[i] = (f(up) - f(down)) / (2 * H)
    return grad


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_backward(name: str) -> None:
    rng = np.random.default_rng(0)
    act = ACTIVATIONS[name]()
    x = rng.uniform(-3, 8, size=(4, 5))
    x[np.abs(x) < 0.05] += 0.1  # away from the kinks at 0 and 6
    x[np.abs(x - 6) < 0.05] += 0.1
    dy = rng.normal(size=x.shape)
    y = act.forward(x)
    assert y.dtype == np.float64
    analytic = act.backward(dy, x, y)
    numeric = _numeric_grad(lambda v: float(np.sum(dy * act.forward(v))), x)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-8)


def _targets(name: str, rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    classes = rng.integers(0, shape[1], size=shape[0])
    if name == "sparseCategoricalCrossentropy":
        return classes[:, None].astype(np.float64)
    if name == "categoricalCrossentropy":
        return np.eye(shape[1])[classes]
    if name == "binaryCrossentropy":
        return rng.integers(0, 2, size=shape).astype(np.float64)
    return rng.normal(size=shape)


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_loss_gradient_is_gradient_of_the_mean(name: str) -> None:
    rng = np.random.default_rng(1)
    loss = LOSSES[name](1e-4)
    shape = (6, 3)
    y = _targets(name, rng, shape)
    # Positive, not normalised: categorical crossentropy renormalises, and that has a gradient.
    p = rng.uniform(0.05, 0.9, size=shape)
    analytic = loss.grad(y, p)
    numeric = _numeric_grad(lambda v: float(np.mean(loss.values(y, v))), p)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-9)


def test_clipped_predictions_get_zero_gradient_but_the_bounds_pass() -> None:
    eps = 1e-4
    hi = float(np.float32(1 - eps))
    y = np.array([[1.0], [1.0], [0.0]])
    p = np.array([[hi], [0.99995], [float(np.float32(eps))]])
    grad = BinaryCrossentropy(eps).grad(y, p)
    assert grad[0, 0] != 0 and grad[2, 0] != 0  # on the bounds: passes
    assert grad[1, 0] == 0  # beyond 1 - eps: clipped away
    cce = CategoricalCrossentropy(eps)
    confident = np.array([[0.99995, 0.00004, 0.00001]])
    assert np.all(cce.grad(np.array([[1.0, 0.0, 0.0]]), confident)[:, 0] == 0)
    assert cce.values(np.array([[0.0, 0.0, 1.0]]), confident)[0] == pytest.approx(-np.log(eps))


@pytest.mark.parametrize(
    ("activations", "loss", "units"),
    [
        (("tanh", "sigmoid"), "binaryCrossentropy", 1),
        (("elu", "softmax"), "categoricalCrossentropy", 3),
        (("selu", "softmax"), "sparseCategoricalCrossentropy", 3),
        (("softplus", "linear"), "meanSquaredError", 2),
        (("sigmoid", "relu6"), "meanAbsoluteError", 2),
    ],
)
def test_model_backward_matches_finite_differences(
    activations: tuple[str, str], loss: str, units: int
) -> None:
    rng = np.random.default_rng(2)
    model = Sequential(
        [
            {
                "type": "dense",
                "config": {"units": 4, "activation": activations[0], "inputShape": [3]},
            },
            {"type": "dense", "config": {"units": units, "activation": activations[1]}},
        ]
    )
    model.compile("sgd", loss)
    weights = [w.astype(np.float64) + 0.3 for w in model.init_weights(5)]
    x = rng.normal(size=(5, 3))
    y = _targets(loss, rng, (5, units))
    loss_fn = model._loss

    def mean_loss(ws: list[np.ndarray]) -> float:
        out, _ = model._forward(ws, x, training=True)
        return float(np.mean(loss_fn.values(y, out)))

    out, caches = model._forward(weights, x, training=True)
    analytic = model._backward(weights, loss_fn.grad(y, out), caches)
    for i, w in enumerate(weights):

        def perturbed(v: np.ndarray, i: int = i) -> float:
            return mean_loss([v if j == i else u for j, u in enumerate(weights)])

        np.testing.assert_allclose(analytic[i], _numeric_grad(perturbed, w), rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize(
    ("name", "x", "expected"),
    [
        ("relu", 0.0, 0.0),
        ("relu6", 0.0, 0.0),
        ("relu6", 6.0, 1.0),
        ("elu", 0.0, 1.0),
        ("selu", 0.0, 1.7580993408473769),  # TF.js masks on x > 0: the negative branch at 0
        ("linear", 0.0, 1.0),
    ],
)
def test_gradient_at_kinks_follows_tfjs(name: str, x: float, expected: float) -> None:
    act = ACTIVATIONS[name]()
    xs = np.array([x], dtype=np.float32)
    grad = act.backward(np.ones(1, dtype=np.float32), xs, act.forward(xs))
    assert grad[0] == pytest.approx(expected, rel=1e-7)
