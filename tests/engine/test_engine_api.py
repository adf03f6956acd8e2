"""The public API: structure, weights, optimizer strings, and author-facing errors."""

from __future__ import annotations

import numpy as np
import pytest
from mlpages.engine import OPTIMIZER_DEFAULTS, EngineError, Sequential, resolve_optimizer

LAYERS = [
    {"type": "dense", "config": {"units": 4, "activation": "tanh", "inputShape": [2]}},
    {"type": "dense", "config": {"units": 3, "activation": "softmax", "useBias": False}},
]


def _compiled(loss: str = "categoricalCrossentropy") -> Sequential:
    model = Sequential(LAYERS)
    model.init_weights(0)
    model.compile("adam", loss, ["accuracy"])
    return model


def test_summary_and_weight_shapes() -> None:
    model = Sequential(LAYERS)
    assert model.summary() == [
        {"layer": "dense_1", "type": "Dense", "outputShape": [None, 4], "params": 12},
        {"layer": "dense_2", "type": "Dense", "outputShape": [None, 3], "params": 12},
    ]
    assert model.weight_shapes() == [
        ("dense_1/kernel", (2, 4)),
        ("dense_1/bias", (4,)),
        ("dense_2/kernel", (4, 3)),
    ]


def test_input_shape_argument_and_named_layers() -> None:
    model = Sequential([{"type": "dense", "config": {"units": 1, "name": "out"}}], input_shape=(5,))
    assert model.weight_shapes() == [("out/kernel", (5, 1)), ("out/bias", (1,))]


def test_optimizer_defaults_are_the_bare_compile_strings() -> None:
    assert OPTIMIZER_DEFAULTS == {
        "sgd": {"learningRate": 0.01},
        "adam": {"learningRate": 0.001, "beta1": 0.9, "beta2": 0.999},
        "rmsprop": {"learningRate": 0.001, "decay": 0.9, "momentum": 0.0, "centered": False},
        "adagrad": {"learningRate": 0.01, "initialAccumulatorValue": 0.1},
        "adadelta": {"learningRate": 1.0, "rho": 0.95},
        "adamax": {"learningRate": 0.002, "beta1": 0.9, "beta2": 0.999, "decay": 0.0},
    }


def test_resolve_optimizer() -> None:
    assert resolve_optimizer("RMSProp") == ("rmsprop", OPTIMIZER_DEFAULTS["rmsprop"])
    assert resolve_optimizer({"name": "adam", "args": {"learningRate": 0.01}}) == (
        "adam",
        {"learningRate": 0.01, "beta1": 0.9, "beta2": 0.999},
    )
    assert resolve_optimizer({"name": "adadelta", "args": {"epsilon": 1e-7}})[1]["epsilon"] == 1e-7
    assert resolve_optimizer({"name": "momentum", "args": {"learningRate": 0.1, "momentum": 0.9}}) == (
        "momentum",
        {"learningRate": 0.1, "momentum": 0.9, "useNesterov": False},
    )
    resolve_optimizer("adam")[1]["learningRate"] = 5.0  # a copy: the defaults stay intact
    assert OPTIMIZER_DEFAULTS["adam"]["learningRate"] == 0.001


@pytest.mark.parametrize(
    ("name", "canonical"),
    [("sgd", "sgd"), ("SGD", "sgd"), ("Adam", "adam"), ("RMSProp", "rmsprop"), ("Adagrad", "adagrad"),
     ("Adadelta", "adadelta"), ("Adamax", "adamax")],
)
def test_compile_accepts_tfjs_spellings(name: str, canonical: str) -> None:
    """Each spelling TF.js's compile takes means its lower-case optimizer with the bare
    defaults: the same fit from the same weights ends on the same weights."""
    assert resolve_optimizer(name) == (canonical, OPTIMIZER_DEFAULTS[canonical])
    x = np.random.default_rng(1).normal(size=(6, 2))
    y = np.eye(3)[[0, 1, 2, 2, 1, 0]]

    def fitted(optimizer: str) -> list[np.ndarray]:
        model = _compiled()
        model.compile(optimizer, "meanSquaredError")
        model.fit(x, y, epochs=2, batch_size=4)
        return model.get_weights()

    start = _compiled().get_weights()
    got, want = fitted(name), fitted(canonical)
    assert any(not np.array_equal(w, s) for w, s in zip(want, start, strict=True)), "the fit changed nothing"
    for g, w in zip(got, want, strict=True):
        np.testing.assert_array_equal(g, w)


@pytest.mark.parametrize("name", ["ADAM", "Sgd", "rmsProp", "momentum", "Momentum"])
def test_compile_rejects_what_tfjs_rejects(name: str) -> None:
    with pytest.raises(EngineError):
        _compiled().compile(name, "meanSquaredError")


def test_fit_predict_evaluate_types() -> None:
    model = _compiled()
    x = np.random.default_rng(0).normal(size=(7, 2))
    y = np.eye(3)[[0, 1, 2, 0, 1, 2, 0]]
    history = model.fit(x, y, epochs=2, batch_size=3, validation_data=(x, y))
    assert list(history) == ["loss", "acc", "val_loss", "val_acc"]
    assert all(type(v) is float and len(values) == 2 for values in history.values() for v in values)
    prediction = model.predict(x)
    assert prediction.dtype == np.float32 and prediction.shape == (7, 3)
    result = model.evaluate(x, y)
    assert set(result) == {"loss", "acc"}
    assert result["loss"] == pytest.approx(history["val_loss"][-1], rel=1e-6)


def test_engine_error_is_a_value_error() -> None:
    assert issubclass(EngineError, ValueError)


@pytest.mark.parametrize(
    ("layers", "message"),
    [
        (
            [{"type": "dense", "config": {"units": 2, "activation": "tanhh", "inputShape": [2]}}],
            "unknown activation 'tanhh' (did you mean 'tanh'?)",
        ),
        (
            [{"type": "dens", "config": {"units": 2, "inputShape": [2]}}],
            "unknown layer type 'dens' (did you mean 'dense'?)",
        ),
        ([{"type": "dense", "config": {"unit": 2, "inputShape": [2]}}], "did you mean 'units'?"),
        ([{"type": "dense", "config": {"units": 2}}], "needs inputShape"),
        ([{"type": "dense", "config": {"units": 0, "inputShape": [2]}}], "positive integer"),
        (
            [
                {"type": "dense", "config": {"units": 2, "inputShape": [2]}},
                {"type": "dense", "config": {"units": 2, "inputShape": [3]}},
            ],
            "layer 2 (dense) declares inputShape [3] but the layer before it outputs [2]",
        ),
        ([], "at least one layer"),
    ],
)
def test_model_errors(layers: list[dict], message: str) -> None:
    with pytest.raises(EngineError) as info:
        Sequential(layers)
    assert message in str(info.value)


@pytest.mark.parametrize(
    ("loss", "message"),
    [
        ("mse", "did you mean 'meanSquaredError'?"),
        ("mean_squared_error", "did you mean 'meanSquaredError'?"),
        ("categoricalCrossEntropy", "did you mean 'categoricalCrossentropy'?"),
        ("kld", "did you mean 'kullbackLeiblerDivergence'?"),
    ],
)
def test_loss_errors(loss: str, message: str) -> None:
    with pytest.raises(EngineError) as info:
        Sequential(LAYERS).compile("sgd", loss)
    assert message in str(info.value)


def test_optimizer_and_metric_errors() -> None:
    model = Sequential(LAYERS)
    cases = [
        ({"name": "momentum", "args": {"learningRate": 0.1}}, "needs momentum"),
        ({"name": "adam", "args": {"learningrate": 0.1}}, "did you mean 'learningRate'?"),
        ({"name": "adamw"}, "unknown optimizer 'adamw'"),
        ("momentum", "no compile string"),
        ({"name": "rmsprop", "args": {"centered": True}}, "centered"),
    ]
    for spec, message in cases:
        with pytest.raises(EngineError, match=message):
            model.compile(spec, "meanSquaredError")
    with pytest.raises(EngineError, match="unknown metric 'mse'"):
        model.compile("sgd", "meanSquaredError", ["mse"])


def test_data_errors() -> None:
    model = _compiled()
    x = np.zeros((4, 2))
    with pytest.raises(EngineError, match=r"^layer 1 \(dense\) expects 2 input features but the data has 3$"):
        model.fit(np.zeros((4, 3)), np.eye(3)[[0, 1, 2, 0]])
    with pytest.raises(EngineError, match="one-hot labels with 3 columns but the labels have 1"):
        model.fit(x, np.array([[0], [1], [2], [0]]))
    with pytest.raises(EngineError, match="sparseCategoricalCrossentropy"):
        model.fit(x, np.array([0, 1, 2, 0]))
    with pytest.raises(EngineError, match="4 inputs but 3 labels"):
        model.fit(x, np.eye(3)[[0, 1, 2]])
    with pytest.raises(EngineError, match="validationSplit 0.99 of 4 samples leaves one side empty"):
        model.fit(x, np.eye(3)[[0, 1, 2, 0]], validation_split=0.99)
    with pytest.raises(EngineError, match="expects 2 input features"):
        model.predict(np.zeros((2, 5)))
    sparse = _compiled("sparseCategoricalCrossentropy")
    with pytest.raises(EngineError, match="integers from 0 to 2"):
        sparse.fit(x, np.array([0, 1, 3, 0]))
    mse = _compiled("meanSquaredError")
    with pytest.raises(EngineError, match=r"labels have shape \[2\].*output has shape \[3\]"):
        mse.fit(x, np.zeros((4, 2)))


def test_state_errors() -> None:
    model = Sequential(LAYERS)
    with pytest.raises(EngineError, match="no weights yet"):
        model.predict(np.zeros((1, 2)))
    with pytest.raises(EngineError, match="compiled"):
        model.fit(np.zeros((1, 2)), np.zeros((1, 3)))
    with pytest.raises(EngineError, match=r"dense_1/kernel has shape \[2, 4\] but the value has \[4, 2\]"):
        model.set_weights([np.zeros((4, 2)), np.zeros(4), np.zeros((4, 3))])
    with pytest.raises(EngineError, match="3 weights but 2"):
        model.set_weights([np.zeros((2, 4)), np.zeros(4)])
