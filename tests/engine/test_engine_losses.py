"""Every loss of TF.js 4.22's lossesMap against values worked out by hand from losses.ts.

Each case is a small float32 batch whose per-sample loss and whose gradient of the mean batch
loss follow from the formula in a line or two (written next to it), including the clipping
with both backend epsilons (1e-4 WebGL, 1e-7 CPU) and the gradients TF.js registers at kinks.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from mlpages.engine import EngineError, Sequential
from mlpages.engine.losses import LOSSES, get_loss

TFJS_LOSSES_MAP = [
    "meanSquaredError", "meanAbsoluteError", "meanAbsolutePercentageError",
    "meanSquaredLogarithmicError", "squaredHinge", "hinge", "categoricalHinge", "logcosh",
    "categoricalCrossentropy", "sparseCategoricalCrossentropy", "binaryCrossentropy",
    "kullbackLeiblerDivergence", "poisson", "cosineProximity",
]
E = math.e


def _f32(rows: list[list[float]]) -> np.ndarray:
    return np.asarray(rows, dtype=np.float32)


def _check(name: str, eps: float, y, p, values, grad) -> None:
    loss = get_loss(name, eps)
    y32, p32 = _f32(y), _f32(p)
    out = loss.values(y32, p32)
    g = loss.grad(y32, p32)
    assert out.dtype == np.float32 and g.dtype == np.float32
    np.testing.assert_allclose(out, values, rtol=2e-6, atol=1e-7)
    np.testing.assert_allclose(g, grad, rtol=2e-6, atol=1e-7)


def test_engine_knows_exactly_the_lossesmap_keys() -> None:
    assert list(LOSSES) == TFJS_LOSSES_MAP


@pytest.mark.parametrize(
    ("alias", "name"),
    [("mse", "meanSquaredError"), ("MAE", "meanAbsoluteError"), ("mape", "meanAbsolutePercentageError"),
     ("MSLE", "meanSquaredLogarithmicError"), ("kld", "kullbackLeiblerDivergence"),
     ("cosine", "cosineProximity"), ("categorical_hinge", "categoricalHinge")],
)
def test_exported_aliases_are_refused_as_tfjs_compile_does(alias: str, name: str) -> None:
    # losses.ts exports mse, MAE, kld, cosine... as functions, but compile's string lookup
    # only reads lossesMap, so the strings throw "Unknown loss" in TF.js.
    with pytest.raises(EngineError, match=f"did you mean '{name}'"):
        get_loss(alias, 1e-4)


def test_every_loss_compiles_and_trains_a_step() -> None:
    for name in TFJS_LOSSES_MAP:
        model = Sequential(
            [{"type": "dense", "config": {"units": 3, "activation": "softmax", "inputShape": [2]}}]
        )
        model.compile("sgd", name)
        model.set_weights(model.init_weights(1))
        x = np.array([[0.1, 0.2], [0.7, 0.3]], dtype=np.float32)
        y = np.array([[1], [2]], dtype=np.float32) if name.startswith("sparse") else np.eye(3)[[0, 2]]
        history = model.fit(x, y, epochs=1, batch_size=2)
        assert np.isfinite(history["loss"][0]), name


def test_mean_squared_and_absolute_error() -> None:
    # MSE: ((2-1)² + (4-2)²)/2 = 2.5; gradient (1/1)·(1/2)·2d = d.
    _check("meanSquaredError", 1e-4, [[1, 2]], [[2, 4]], [2.5], [[1, 2]])
    # MAE: (|1-0.5| + |1+1| + |3-3|)/3 = 2.5/3; abs' gradient is -1 at exactly 0 (step(x, -1)).
    _check("meanAbsoluteError", 1e-4, [[0.5, -1, 3]], [[1, 1, 3]], [2.5 / 3], [[1 / 3, 1 / 3, -1 / 3]])


@pytest.mark.parametrize("eps", [1e-4, 1e-7])
def test_mape_clips_small_targets_to_epsilon(eps: float) -> None:
    # q = (y - p)/clip(|y|, eps, MAX) = [(2-1)/2, (0-0.5)/eps, (3-3)/3] = [0.5, -0.5/eps, 0].
    e32 = float(np.float32(eps))
    value = 100 * (0.5 + 0.5 / e32 + 0) / 3
    # d/dp = -(100/3)·step(q, -1)/c: q=0 takes the -1 branch, so a perfect prediction still
    # gets +100/(3·3).
    grad = [[-(100 / 3) / 2, (100 / 3) / e32, (100 / 3) / 3]]
    _check("meanAbsolutePercentageError", eps, [[2, 0, 3]], [[1, 0.5, 3]], [value], grad)


@pytest.mark.parametrize("eps", [1e-4, 1e-7])
def test_msle_clips_both_sides_at_epsilon(eps: float) -> None:
    # p = [e-1, -1] → clip → [e-1, eps]; y = [0, e-1] → [eps, e-1].
    # d = [1 - log1p(eps), log1p(eps) - 1] → loss = d0²; the clipped p gets no gradient.
    d0 = 1 - math.log1p(float(np.float32(eps)))
    _check("meanSquaredLogarithmicError", eps, [[0, E - 1]], [[E - 1, -1]], [d0 * d0], [[d0 / E, 0]])


def test_hinge_and_squared_hinge_take_labels_as_given() -> None:
    # z = 1 - y·p = [0.5, 1.5, -1, 0]; maximum(0, z) = [0.5, 1.5, 0, 0].
    # maximum(0, z) passes the gradient only where 0 < z: nothing at the kink z = 0.
    y, p = [[1, -1, 1, 1]], [[0.5, 0.5, 2, 1]]
    _check("hinge", 1e-4, y, p, [2 / 4], [[-1 / 4, 1 / 4, 0, 0]])
    # squares [0.25, 2.25, 0, 0]; gradient (1/4)·2m·(-y).
    _check("squaredHinge", 1e-4, y, p, [2.5 / 4], [[-0.25, 0.75, 0, 0]])
    # 0/1 labels are not turned into ±1: y = 0 gives loss 1 whatever p is, and no gradient.
    _check("hinge", 1e-4, [[0]], [[5]], [1.0], [[0]])


def test_categorical_hinge_is_per_sample_and_max_ties_all_get_gradient() -> None:
    # Sample 1: pos = 0.5, neg = max(0.3, 0, 0.2) = 0.3 → 1 + 0.3 - 0.5 = 0.8.
    # Sample 2: neg = max(0.4, 0, 0.4) is tied: both 0.4's get the gradient.
    y = [[0, 1, 0], [0, 1, 0]]
    p = [[0.3, 0.5, 0.2], [0.4, 0.5, 0.4]]
    _check("categoricalHinge", 1e-4, y, p, [0.8, 0.9], [[0.5, -0.5, 0], [0.5, -0.5, 0.5]])
    # A margin above 1 gives 0 and no gradient.
    _check("categoricalHinge", 1e-4, [[1, 0]], [[3, 0.5]], [0], [[0, 0]])


def test_logcosh_follows_softplus_form() -> None:
    # log(cosh(d)) for d = [1, -20]; gradient tanh(d)/2 (mean over 2 columns).
    # For d = -20, d + softplus(40) - log 2 uses softplus's x > -t branch: exactly 40.
    values = (math.log(math.cosh(1)) + (-20 + 40 - math.log(2))) / 2
    _check("logcosh", 1e-4, [[0, 20]], [[1, 0]], [values], [[math.tanh(1) / 2, math.tanh(-20) / 2]])


@pytest.mark.parametrize("eps", [1e-4, 1e-7])
def test_crossentropies_cap_at_the_clip(eps: float) -> None:
    e32 = float(np.float32(eps))
    hi = float(np.float32(1 - eps))
    # BCE of a certain, right prediction: p clipped to 1-eps, loss -log(1-eps).
    bce = get_loss("binaryCrossentropy", eps).values(_f32([[1]]), _f32([[1]]))
    np.testing.assert_allclose(bce, [-math.log(hi)], rtol=1e-3)
    # CCE of a certain, wrong prediction: true class clipped up to eps, loss -log(eps).
    _check("categoricalCrossentropy", eps, [[1, 0]], [[0, 1]], [-math.log(e32)], [[0, 0]])
    _check("sparseCategoricalCrossentropy", eps, [[0]], [[0, 1]], [-math.log(e32)], [[0, 0]])


@pytest.mark.parametrize("eps", [1e-4, 1e-7])
def test_kullback_leibler(eps: float) -> None:
    # 0.5·log(0.5/0.25) + 0.5·log(0.5/0.75); gradient -y/p.
    _check("kullbackLeiblerDivergence", eps, [[0.5, 0.5]], [[0.25, 0.75]],
           [0.5 * math.log(2) + 0.5 * math.log(2 / 3)], [[-2, -2 / 3]])
    # p = 0 is clipped up to eps (no gradient); y = 0 terms vanish: loss log(1/eps).
    e32 = float(np.float32(eps))
    _check("kullbackLeiblerDivergence", eps, [[1, 0]], [[0, 1]], [math.log(1 / e32)], [[0, 0]])


@pytest.mark.parametrize("eps", [1e-4, 1e-7])
def test_poisson_adds_epsilon_inside_the_log(eps: float) -> None:
    # p - y·log(p + eps) for (y, p) = (2, 1) and (0, 3), mean over 2; gradient (1 - y/(p+eps))/2.
    e32 = float(np.float32(eps))
    value = ((1 - 2 * math.log(1 + e32)) + 3) / 2
    _check("poisson", eps, [[2, 0]], [[1, 3]], [value], [[(1 - 2 / (1 + e32)) / 2, 0.5]])


def test_cosine_proximity_and_the_norm_floor() -> None:
    # -cos([1, 0], [3, 4]) = -3/5; d/dp = -(y/|p| - (y·p) p/|p|³) = [-16/125, 12/125].
    _check("cosineProximity", 1e-4, [[1, 0]], [[3, 4]], [-0.6], [[-16 / 125, 12 / 125]])
    # A zero prediction: the norm is sqrt(max(0, eps)) = 0.01, only the direct path has a
    # gradient (maximum(ss, eps) passes nothing while ss < eps): -y/0.01.
    _check("cosineProximity", 1e-4, [[1, 0]], [[0, 0]], [0], [[-100, 0]])


def test_batch_mean_divides_every_loss() -> None:
    rng = np.random.default_rng(3)
    y = rng.uniform(0.1, 0.9, size=(4, 3)).astype(np.float32)
    y /= y.sum(axis=1, keepdims=True)
    p = rng.uniform(0.1, 0.9, size=(4, 3)).astype(np.float32)
    p /= p.sum(axis=1, keepdims=True)
    for name in TFJS_LOSSES_MAP:
        if name.startswith("sparse"):
            continue
        loss = get_loss(name, 1e-4)
        one = np.concatenate([loss.grad(y[i:i + 1], p[i:i + 1]) for i in range(4)])
        np.testing.assert_allclose(loss.grad(y, p), one / 4, rtol=1e-6, err_msg=name)


def test_clipped_predictions_stall_training() -> None:
    # MSLE clips predictions below eps, and clipByValue passes no gradient there: a model
    # whose outputs are all negative never moves (TF.js on WebGL agrees, see losses.md).
    model = Sequential([{"type": "dense", "config": {"units": 1, "inputShape": [1]}}])
    model.compile("sgd", "meanSquaredLogarithmicError")
    model.set_weights([np.array([[-1.0]], dtype=np.float32), np.array([0.0], dtype=np.float32)])
    x = np.array([[0.5], [1.0], [2.0]], dtype=np.float32)
    history = model.fit(x, np.array([[1.0], [2.0], [3.0]], dtype=np.float32), epochs=3, batch_size=2)
    assert len(set(history["loss"])) == 1
    assert [w.tolist() for w in model.get_weights()] == [[[-1.0]], [0.0]]


@pytest.mark.parametrize(("eps", "expected"), [(1e-4, 0.5 / 1e-4 * 100), (1e-7, 0.5 / 1e-7 * 100)])
def test_mape_of_a_zero_target_scales_with_the_backend_epsilon(eps: float, expected: float) -> None:
    value = get_loss("meanAbsolutePercentageError", eps).values(_f32([[0]]), _f32([[0.5]]))
    np.testing.assert_allclose(value, [expected], rtol=1e-6)
