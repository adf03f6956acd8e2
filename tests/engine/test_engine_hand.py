"""Hand-computed training steps, independent of the TF.js vectors."""

from __future__ import annotations

import math

import numpy as np
import pytest
from mlpages.engine import Sequential
from mlpages.engine.losses import MeanAbsoluteError
from mlpages.engine.metrics import binary_accuracy, get_metrics

X = np.array([[1.0], [2.0]], dtype=np.float32)
Y = np.array([[3.0], [5.0]], dtype=np.float32)
# Kernel 0.5, bias 0: residuals (-2.5, -4), MSE gradients dw = -10.5, db = -6.5 (exact in float32).
G_W, G_B = -10.5, -6.5


def _unit(kernel: float = 0.5, bias: float = 0.0) -> Sequential:
    model = Sequential([{"type": "dense", "config": {"units": 1, "inputShape": [1]}}])
    model.set_weights([np.array([[kernel]]), np.array([bias])])
    return model


def _params(model: Sequential) -> tuple[float, float]:
    kernel, bias = model.get_weights()
    return float(kernel[0, 0]), float(bias[0])


def test_one_sgd_step_by_hand() -> None:
    model = _unit(0.5, 0.1)
    model.compile({"name": "sgd", "args": {"learningRate": 0.1}}, "meanSquaredError")
    history = model.fit(X, Y, epochs=1, batch_size=2)
    # pred (0.6, 1.1), residuals (-2.4, -3.9): loss 10.485, dw -10.2, db -6.3.
    assert history["loss"] == [pytest.approx(10.485, rel=1e-6)]
    kernel, bias = _params(model)
    assert kernel == pytest.approx(0.5 + 1.02, rel=1e-6)
    assert bias == pytest.approx(0.1 + 0.63, rel=1e-6)


@pytest.mark.parametrize("batch_size", [4, 32])
def test_a_browser_measured_case_uses_the_bare_sgd_learning_rate(batch_size: int) -> None:
    """100 epochs on (1,1)(2,3)(3,5)(4,7) from zeros predict 8.218212 at x=5, as TF.js 4.22 did
    in headless Chromium (WebGL)."""
    x = np.array([[1], [2], [3], [4]], dtype=np.float32)
    y = np.array([[1], [3], [5], [7]], dtype=np.float32)
    predictions = {}
    for optimizer in ("sgd", {"name": "sgd", "args": {"learningRate": 0.02}}):
        model = _unit(0.0, 0.0)
        model.compile(optimizer, "meanSquaredError")
        model.fit(x, y, epochs=100, batch_size=batch_size)
        predictions[str(optimizer)] = float(model.predict([[5.0]])[0, 0])
    assert predictions["sgd"] == pytest.approx(8.218212, abs=5e-7)
    assert abs(predictions[str({"name": "sgd", "args": {"learningRate": 0.02}})] - 8.218212) > 0.1


def test_loss_is_reported_before_the_update_and_weighted_by_batch_size() -> None:
    x = np.array([[1.0], [2.0], [3.0]], dtype=np.float32)
    y = np.array([[3.0], [5.0], [0.0]], dtype=np.float32)
    model = _unit(0.5, 0.0)
    model.compile({"name": "sgd", "args": {"learningRate": 0.0}}, "meanSquaredError")
    history = model.fit(x, y, epochs=1, batch_size=2)
    # Batches (11.125 over 2 samples) and (2.25 over 1): (2·11.125 + 1·2.25)/3.
    assert history["loss"] == [pytest.approx((2 * 11.125 + 2.25) / 3, rel=1e-6)]


def test_adam_first_step_is_learning_rate_times_sign() -> None:
    model = _unit()
    model.compile("adam", "meanSquaredError", epsilon=1e-7)
    model.fit(X, Y, epochs=1, batch_size=2)
    kernel, bias = _params(model)
    # The kernel's step is blurred by float32 rounding of 0.501; the bias starts at 0.
    assert kernel - 0.5 == pytest.approx(0.001, rel=1e-4)
    assert bias == pytest.approx(0.001, rel=1e-5)
    # The rest is float32 hyperparameters: 1 - f32(0.999) is not f32(0.001).
    f32 = np.float32
    m_hat = 6.5 * float(f32(1 - 0.9)) / float(f32(1) - f32(0.9))
    v_hat = 6.5**2 * float(f32(1 - 0.999)) / float(f32(1) - f32(0.999))
    assert bias == pytest.approx(float(f32(0.001)) * m_hat / (math.sqrt(v_hat) + 1e-7), rel=1e-6)


def test_adam_bias_correction_uses_float32_powers_of_beta() -> None:
    model = _unit()
    model.compile("adam", "meanSquaredError", epsilon=1e-7)
    model.fit(X, Y, epochs=2, batch_size=1)  # four steps
    expected = np.float32(0.9)
    for _ in range(4):
        expected = expected * np.float32(0.9)
    assert model._optimizer.acc_beta1 == expected
    assert model._optimizer.acc_beta1.dtype == np.float32


def test_adadelta_bare_steps_are_exactly_minus_gradient() -> None:
    """TF.js scales by the *old* accumulated gradient, which always equals accUpdate."""
    model = _unit()
    model.compile("adadelta", "meanSquaredError")
    model.fit(X, Y, epochs=1, batch_size=2)
    assert _params(model) == (0.5 - G_W, 0.0 - G_B)  # (11, 6.5)
    # pred (17.5, 28.5), residuals (14.5, 23.5): dw 61.5, db 38; still a plain step.
    model.fit(X, Y, epochs=1, batch_size=2)
    assert _params(model) == (11.0 - 61.5, 6.5 - 38.0)


def test_adagrad_first_step_uses_initial_accumulator_and_backend_epsilon() -> None:
    for epsilon in (1e-4, 1e-7):
        model = _unit()
        model.compile("adagrad", "meanSquaredError", epsilon=epsilon)
        model.fit(X, Y, epochs=1, batch_size=2)
        kernel, bias = _params(model)
        assert kernel == pytest.approx(0.5 - 0.01 * G_W / math.sqrt(0.1 + G_W**2 + epsilon), 1e-6)
        assert bias == pytest.approx(-0.01 * G_B / math.sqrt(0.1 + G_B**2 + epsilon), rel=1e-6)


def test_momentum_and_nesterov_two_steps() -> None:
    for nesterov in (False, True):
        model = _unit()
        args = {"learningRate": 0.01, "momentum": 0.9, "useNesterov": nesterov}
        model.compile({"name": "momentum", "args": args}, "meanSquaredError")
        model.fit(X, Y, epochs=1, batch_size=2)
        w1 = 0.5 - 0.01 * (G_W + 0.9 * G_W if nesterov else G_W)
        assert _params(model)[0] == pytest.approx(w1, rel=1e-6)
        b1 = -0.01 * (G_B + 0.9 * G_B if nesterov else G_B)
        g2 = ((w1 + b1 - 3) * 2 + (2 * w1 + b1 - 5) * 4) / 2
        acc = 0.9 * G_W + g2
        w2 = w1 - 0.01 * (g2 + 0.9 * acc if nesterov else acc)
        model.fit(X, Y, epochs=1, batch_size=2)
        assert _params(model)[0] == pytest.approx(w2, rel=1e-5)


def test_mae_gradient_at_zero_residual_is_minus_one_over_n() -> None:
    y = np.array([[1.0], [2.0]], dtype=np.float32)
    p = np.array([[1.0], [3.0]], dtype=np.float32)
    grad = MeanAbsoluteError(1e-4).grad(y, p)
    assert grad.ravel().tolist() == [-0.5, 0.5]


def test_mae_zero_residual_step() -> None:
    model = _unit(1.0, 0.0)
    model.compile({"name": "sgd", "args": {"learningRate": 0.1}}, "meanAbsoluteError")
    model.fit(np.array([[2.0]]), np.array([[2.0]]), epochs=1)
    assert _params(model) == pytest.approx((1.0 + 0.1 * 2.0, 0.1))


def test_binary_accuracy_threshold_is_strict() -> None:
    y = np.array([[0.0], [1.0], [0.0], [1.0]], dtype=np.float32)
    p = np.array([[0.5], [np.nextafter(np.float32(0.5), np.float32(1))], [0.2], [0.9]])
    assert binary_accuracy(y, p.astype(np.float32)).tolist() == [1.0, 1.0, 1.0, 1.0]
    assert binary_accuracy(1 - y, p.astype(np.float32)).tolist() == [0.0, 0.0, 0.0, 0.0]


@pytest.mark.parametrize(
    ("loss", "units", "expected"),
    [
        ("meanSquaredError", 1, "binary_accuracy"),
        ("categoricalCrossentropy", 1, "binary_accuracy"),
        ("binaryCrossentropy", 3, "binary_accuracy"),
        ("categoricalCrossentropy", 3, "categorical_accuracy"),
        ("meanSquaredError", 3, "categorical_accuracy"),
        ("sparseCategoricalCrossentropy", 3, "sparse_categorical_accuracy"),
    ],
)
def test_accuracy_variant_follows_tfjs(loss: str, units: int, expected: str) -> None:
    for name in ("accuracy", "acc"):
        metrics = get_metrics([name], loss, (units,))
        assert list(metrics) == ["acc"]
        assert metrics["acc"].__name__ == expected


def test_sparse_accuracy_and_history_keys() -> None:
    model = Sequential([{"type": "dense", "config": {"units": 3, "inputShape": [2]}}])
    kernel = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    model.set_weights([kernel, np.zeros(3)])
    model.compile("sgd", "sparseCategoricalCrossentropy", ["acc"])
    x = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0], [-1.0, -1.0]])
    y = np.array([0, 1, 1, 2])
    assert model.evaluate(x, y)["acc"] == pytest.approx(0.75)


def test_two_fits_continue_one_fit_and_compile_resets_state() -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(size=(10, 2)).astype(np.float32)
    y = rng.normal(size=(10, 1)).astype(np.float32)
    layers = [
        {"type": "dense", "config": {"units": 3, "activation": "tanh", "inputShape": [2]}},
        {"type": "dense", "config": {"units": 1}},
    ]
    one, two, reset = Sequential(layers), Sequential(layers), Sequential(layers)
    for model in (one, two, reset):
        model.init_weights(7)
        model.compile("adam", "meanSquaredError")
    full = one.fit(x, y, epochs=5, batch_size=4)["loss"]
    split = two.fit(x, y, epochs=3, batch_size=4)["loss"] + two.fit(x, y, epochs=2, batch_size=4)["loss"]
    assert split == full
    reset.fit(x, y, epochs=3, batch_size=4)
    reset.compile("adam", "meanSquaredError")
    assert reset.fit(x, y, epochs=2, batch_size=4)["loss"] != full[3:]


def test_validation_split_takes_the_last_rows() -> None:
    rng = np.random.default_rng(4)
    x = rng.normal(size=(10, 2)).astype(np.float32)
    y = rng.normal(size=(10, 1)).astype(np.float32)
    layers = [{"type": "dense", "config": {"units": 1, "inputShape": [2]}}]
    histories = []
    for kwargs in ({"validation_split": 0.25}, {"validation_data": (x[7:], y[7:])}):
        model = Sequential(layers)
        model.init_weights(1)
        model.compile("sgd", "meanSquaredError")
        train = (x, y) if "validation_split" in kwargs else (x[:7], y[:7])
        histories.append(model.fit(*train, epochs=3, batch_size=4, **kwargs))
    assert histories[0] == histories[1]
    assert list(histories[0]) == ["loss", "val_loss"]
    assert all(type(v) is float for v in histories[0]["val_loss"])


def test_tfjs_adadelta_is_sgd_with_the_same_learning_rate() -> None:
    """Old accumulated gradient == accumulated update at every step, so their ratio is 1."""
    rng = np.random.default_rng(6)
    x = rng.normal(size=(9, 2)).astype(np.float32)
    y = rng.normal(size=(9, 1)).astype(np.float32)
    layers = [
        {"type": "dense", "config": {"units": 3, "activation": "tanh", "inputShape": [2]}},
        {"type": "dense", "config": {"units": 1}},
    ]
    runs = []
    for optimizer in (
        {"name": "adadelta", "args": {"learningRate": 0.5, "rho": 0.9}},
        {"name": "sgd", "args": {"learningRate": 0.5}},
    ):
        model = Sequential(layers)
        model.init_weights(2)
        model.compile(optimizer, "meanSquaredError")
        runs.append((model.fit(x, y, epochs=4, batch_size=4)["loss"], model.get_weights()))
    assert runs[0][0] == runs[1][0]
    assert all(np.array_equal(a, b) for a, b in zip(runs[0][1], runs[1][1], strict=True))
