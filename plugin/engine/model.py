"""``Sequential``: a NumPy float32 replica of a compiled TF.js 4.22 ``tf.sequential`` model."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import numpy as np
from numpy.typing import ArrayLike

from .errors import EngineError, unknown
from .initializers import Initializer
from .layers import LAYERS, Layer, Shape
from .losses import Loss, get_loss
from .metrics import Metric, get_metrics
from .optimizers import Optimizer, make_optimizer

F32 = np.float32
_M = TypeVar("_M", bound=Callable[..., Any])


def _like_tfjs(method: _M) -> _M:
    """Run ``method`` with silent IEEE float32 arithmetic, as TF.js computes: a diverging fit
    overflows to ±Infinity and goes on with NaN (Infinity − Infinity), no warning per step."""
    return np.errstate(over="ignore", invalid="ignore", divide="ignore")(method)


def _shape(value: object, what: str) -> Shape:
    if (
        not isinstance(value, Sequence)
        or isinstance(value, str)
        or not value
        or not all(isinstance(d, int) and not isinstance(d, bool) and d > 0 for d in value)
    ):
        raise EngineError(f"{what} must be a list of positive integers, not {value!r}")
    return tuple(value)


def _per_sample(shape: Shape) -> str:
    return f"{shape[0]} features" if len(shape) == 1 else f"shape {list(shape)}"


class Sequential:
    """A stack of layers with TF.js's training semantics, in float32.

    Weights follow ``getWeights()``: every layer's trainable weights in layer order, then every
    layer's non-trainable ones (batch normalization's moving statistics).

    Args:
        layers: ``[{"type": "dense", "config": {...}}, ...]`` with TF.js (camelCase) configs.
        input_shape: The per-sample input shape, if the first layer has no ``inputShape``.
        noise_seed: Seeds the NumPy draws that stand in for TF.js's ``Math.random`` (the masks
            of dropout layers without a ``seed``); see ``has_unseeded_dropout``.

    Raises:
        EngineError: For unknown layer types, activations or config keys, or a missing
            input shape.
    """

    def __init__(
        self, layers: list[dict[str, Any]], input_shape: Shape | None = None, *, noise_seed: int = 0
    ) -> None:
        if not layers:
            raise EngineError("a model needs at least one layer")
        self.layers: list[Layer] = []
        counts: dict[str, int] = {}
        shape: Shape | None = None
        for index, spec in enumerate(layers, start=1):
            if not isinstance(spec, Mapping) or "type" not in spec:
                raise EngineError(f"layer {index} must be {{type, config}}, not {spec!r}")
            kind = spec["type"]
            if kind not in LAYERS:
                raise unknown("layer type", kind, LAYERS)
            config = dict(spec.get("config") or {})
            counts[kind] = counts.get(kind, 0) + 1
            name = config.get("name") or f"{tfjs_layer_prefix(LAYERS[kind].type_name)}_{counts[kind]}"
            if any(layer.name == name for layer in self.layers):
                raise EngineError(f"layer {index}: the name {name!r} is already used")
            layer = LAYERS[kind](index, name, config)
            declared = self._declared_shape(layer, config)
            if shape is None:
                if declared is None and input_shape is not None:
                    declared = _shape(input_shape, "input_shape")
                shape = declared
                if shape is None:
                    raise EngineError(f"{layer.where} needs inputShape (the first layer does)")
            elif declared is not None and declared != shape:
                raise EngineError(
                    f"{layer.where} declares inputShape {list(declared)} but the layer before "
                    f"it outputs {list(shape)}"
                )
            shape = layer.build(shape)
            self.layers.append(layer)
        self.input_shape: Shape = self.layers[0].input_shape
        self.output_shape: Shape = self.layers[-1].output_shape
        noise = np.random.default_rng(noise_seed)
        for layer in self.layers:
            layer.set_noise(noise)
        self._trainable: list[slice] = []
        self._state: list[slice] = []
        start = 0
        for layer in self.layers:
            count = 0 if layer.frozen else len(layer.weight_specs())
            self._trainable.append(slice(start, start + count))
            start = self._trainable[-1].stop
        self._n_trainable = start
        for layer in self.layers:
            count = len(layer.state_specs()) + (len(layer.weight_specs()) if layer.frozen else 0)
            self._state.append(slice(start, start + count))
            start = self._state[-1].stop
        # A model without weights (only pooling, reshape, ...) is ready as it is.
        self._weights: list[np.ndarray] | None = None if start else []
        self._loss: Loss | None = None
        self._metrics: dict[str, Metric] = {}
        self._optimizer: Optimizer | None = None

    @staticmethod
    def _declared_shape(layer: Layer, config: dict[str, Any]) -> Shape | None:
        if "inputShape" in config:
            return _shape(config["inputShape"], f"{layer.where} inputShape")
        if "batchInputShape" in config:
            batch = config["batchInputShape"]
            if not isinstance(batch, Sequence) or len(batch) < 2:
                raise EngineError(f"{layer.where} batchInputShape must be [batch, ...]")
            return _shape(list(batch)[1:], f"{layer.where} batchInputShape")
        return None

    # Structure and weights.

    @property
    def has_unseeded_dropout(self) -> bool:
        """Whether training draws dropout masks that TF.js takes from unseedable ``Math.random``.

        Such a model's fit cannot be reproduced step by step: only its inference is exact.
        """
        return any(getattr(layer, "unseeded", False) for layer in self.layers)

    def _specs(self) -> list[tuple[Layer, str, Shape, Initializer]]:
        """Every weight in ``getWeights()`` order with its layer."""
        trainable = [(layer, *spec) for layer in self.layers if not layer.frozen
                     for spec in layer.weight_specs()]
        state = [(layer, *spec) for layer in self.layers
                 for spec in (layer.weight_specs() if layer.frozen else []) + layer.state_specs()]
        return trainable + state

    def summary(self) -> list[dict[str, Any]]:
        """One row per layer: name, TF.js class, output shape with ``None`` batch, params."""
        return [
            {
                "layer": layer.name,
                "type": layer.type_name,
                "outputShape": [None, *layer.output_shape],
                "params": sum(math.prod(shape) for _, shape, _ in layer.weight_specs() + layer.state_specs()),
            }
            for layer in self.layers
        ]

    def weight_shapes(self) -> list[tuple[str, Shape]]:
        """``(name, shape)`` per weight in ``getWeights()`` order, e.g. ``dense_1/kernel``."""
        return [(f"{layer.name}/{suffix}", shape) for layer, suffix, shape, _ in self._specs()]

    @property
    def initial_weights_exact(self) -> bool:
        """Whether ``init_weights`` gives TF.js's own initial values bit for bit: every
        weight's initializer is seeded (a seed TF.js uses) or deterministic (zeros, ones,
        constant, identity). Otherwise some are NumPy draws of TF.js's distribution."""
        return all(getattr(init, "exact", False) for *_, init in self._specs())

    def init_weights(self, seed: int) -> list[np.ndarray]:
        """Draws the initial weights, sets them, and returns copies.

        A seeded initializer gives exactly TF.js's values (``initializers``); an unseeded one,
        which TF.js draws from ``Math.random``, a NumPy draw of the same distribution.

        Args:
            seed: Seed of ``np.random.default_rng`` for the unseeded initializers; the same
                seed gives the same weights.
        """
        rng = np.random.default_rng(seed)
        weights = [init(rng, shape) for _, _, shape, init in self._specs()]
        self.set_weights(weights)
        return self.get_weights()

    def set_weights(self, weights: Sequence[ArrayLike]) -> None:
        """Sets all weights (``setWeights`` order), checking shapes, as float32 copies.

        Raises:
            EngineError: If the count or a shape does not match the model.
        """
        expected = self.weight_shapes()
        if len(weights) != len(expected):
            raise EngineError(f"the model has {len(expected)} weights but {len(weights)} were given")
        arrays = []
        for (name, shape), value in zip(expected, weights, strict=True):
            array = np.array(value, dtype=np.float32)
            if array.shape != shape:
                raise EngineError(
                    f"weight {name} has shape {list(shape)} but the value has {list(array.shape)}"
                )
            arrays.append(array)
        self._weights = arrays

    def get_weights(self) -> list[np.ndarray]:
        """Copies of the current weights in ``getWeights()`` order.

        Raises:
            EngineError: If the weights were never set or initialised.
        """
        return [w.copy() for w in self._require_weights()]

    def _require_weights(self) -> list[np.ndarray]:
        if self._weights is None:
            raise EngineError("the model has no weights yet: call init_weights(seed) or set_weights")
        return self._weights

    # Compile and train.

    def compile(
        self,
        optimizer: str | Mapping[str, Any],
        loss: str,
        metrics: list[str] | None = None,
        epsilon: float = 1e-4,
    ) -> None:
        """Sets loss, metrics and a fresh optimizer, as ``model.compile`` does.

        Args:
            optimizer: A compile string (``"adam"``) or ``{"name", "args"}`` for ``tf.train``.
            loss: A TF.js loss name (camelCase).
            metrics: ``["accuracy"]`` or ``["acc"]``, logged as ``acc``.
            epsilon: The backend epsilon: 1e-4 on WebGL, 1e-7 on the CPU backend.

        Raises:
            EngineError: For unknown names, or settings TF.js 4.22 computes wrongly.
        """
        loss_fn = get_loss(loss, epsilon)
        metric_fns = get_metrics(metrics, loss_fn.name, self.output_shape)
        self._optimizer = make_optimizer(optimizer, epsilon)
        self._loss, self._metrics = loss_fn, metric_fns

    @_like_tfjs
    def fit(
        self,
        x: ArrayLike,
        y: ArrayLike,
        epochs: int = 1,
        batch_size: int = 32,
        validation_data: tuple[ArrayLike, ArrayLike] | None = None,
        validation_split: float = 0.0,
        on_epoch: Callable[[int], None] | None = None,
    ) -> dict[str, list[float]]:
        """Trains like ``model.fit`` with ``shuffle: false``; weights and optimizer carry over.

        Args:
            x: Inputs, ``[N, *input_shape]``.
            y: Targets for the compiled loss.
            epochs: Number of epochs.
            batch_size: Samples per step; the last partial batch is kept.
            validation_data: ``(x, y)`` evaluated after each epoch; wins over the split.
            validation_split: Fraction of samples, taken from the end, held out.
            on_epoch: Called with the number of epochs done after each one (progress).

        Returns:
            ``{"loss", "acc", "val_loss", "val_acc"}`` as applicable, one float per epoch.

        Raises:
            EngineError: If the model is not compiled or data and model do not fit.
        """
        loss, optimizer = self._require_compiled()
        x_arr, y_arr = self._check_data(x, y)
        _positive_int(epochs, "epochs")
        _positive_int(batch_size, "batch_size")
        val: tuple[np.ndarray, np.ndarray] | None = None
        if validation_data is not None:
            val = self._check_data(*validation_data)
        elif validation_split:
            if not 0 < validation_split < 1:
                raise EngineError(f"validationSplit must be between 0 and 1, not {validation_split}")
            split_at = math.floor(len(x_arr) * (1 - validation_split))
            if split_at in (0, len(x_arr)):
                raise EngineError(
                    f"validationSplit {validation_split} of {len(x_arr)} samples leaves one side empty"
                )
            val = (x_arr[split_at:], y_arr[split_at:])
            x_arr, y_arr = x_arr[:split_at], y_arr[:split_at]
        keys = ["loss", *self._metrics]
        history: dict[str, list[float]] = {key: [] for key in keys}
        if val is not None:
            history.update({f"val_{key}": [] for key in keys})
        weights = self._require_weights()
        for epoch in range(1, epochs + 1):
            totals = dict.fromkeys(keys, F32(0))
            seen = 0
            for start in range(0, len(x_arr), batch_size):
                xb, yb = x_arr[start : start + batch_size], y_arr[start : start + batch_size]
                out, caches = self._forward(weights, xb, training=True)
                logs = {"loss": np.mean(loss.values(yb, out), dtype=F32)}
                logs.update({k: np.mean(fn(yb, out), dtype=F32) for k, fn in self._metrics.items()})
                grads = self._backward(weights, loss.grad(yb, out), caches)
                state = self._new_state(weights, caches)
                weights = optimizer.step(weights[: self._n_trainable], grads) + state
                self._weights = weights
                size = F32(len(xb))
                # BaseLogger sums batch values times batch size in float32 tensors.
                totals = {k: F32(totals[k] + F32(logs[k] * size)) for k in keys}
                seen += len(xb)
            for key in keys:
                history[key].append(float(F32(F32(1 / seen) * totals[key])))
            if val is not None:
                for key, value in self._test_loop(*val, batch_size).items():
                    history[f"val_{key}"].append(value)
            if on_epoch is not None:
                on_epoch(epoch)
        return history

    @_like_tfjs
    def predict(self, x: ArrayLike) -> np.ndarray:
        """The inference-mode output for ``x``, float32."""
        weights = self._require_weights()
        out, _ = self._forward(weights, self._check_x(x), training=False)
        return out

    def evaluate(self, x: ArrayLike, y: ArrayLike, batch_size: int = 32) -> dict[str, float]:
        """Loss and metrics in inference mode, batch-weighted as ``model.evaluate`` does."""
        self._require_compiled()
        self._require_weights()
        return self._test_loop(*self._check_data(x, y), batch_size)

    # Internals.

    def _require_compiled(self) -> tuple[Loss, Optimizer]:
        if self._loss is None or self._optimizer is None:
            raise EngineError("the model must be compiled (loss and optimizer) before training")
        return self._loss, self._optimizer

    def _check_x(self, x: ArrayLike) -> np.ndarray:
        arr = np.asarray(x, dtype=np.float32)
        if arr.ndim == 1 and self.input_shape == (1,):
            arr = arr[:, None]
        if arr.ndim < 1 or tuple(arr.shape[1:]) != self.input_shape:
            got = tuple(arr.shape[1:]) if arr.ndim >= 2 else (arr.shape[0] if arr.ndim else 0,)
            first = self.layers[0]
            if len(self.input_shape) == 1 and len(got) == 1:
                raise EngineError(
                    f"{first.where} expects {self.input_shape[0]} input features but the data has {got[0]}"
                )
            raise EngineError(
                f"{first.where} expects inputs with {_per_sample(self.input_shape)} per sample "
                f"but the data has {_per_sample(got)}"
            )
        return arr

    def _check_data(self, x: ArrayLike, y: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        loss, _ = self._require_compiled()
        x_arr = self._check_x(x)
        y_arr = loss.check_targets(np.asarray(y, dtype=np.float32), self.output_shape)
        if len(x_arr) != len(y_arr):
            raise EngineError(f"the data has {len(x_arr)} inputs but {len(y_arr)} labels")
        if not len(x_arr):
            raise EngineError("the data has no samples")
        return x_arr, y_arr

    def _layer_weights(self, weights: list[np.ndarray], i: int) -> list[np.ndarray]:
        """Layer ``i``'s trainable weights followed by its state."""
        return weights[self._trainable[i]] + weights[self._state[i]]

    def _forward(
        self, weights: list[np.ndarray], x: np.ndarray, training: bool
    ) -> tuple[np.ndarray, list[Any]]:
        caches = []
        for i, layer in enumerate(self.layers):
            x, cache = layer.forward(self._layer_weights(weights, i), x, training)
            caches.append(cache)
        return x, caches

    def _backward(self, weights: list[np.ndarray], dy: np.ndarray, caches: list[Any]) -> list[np.ndarray]:
        """Gradients of the trainable weights (the first ``_n_trainable`` of ``weights``)."""
        grads: list[np.ndarray] = [np.empty(0, dtype=F32)] * self._n_trainable
        for i in reversed(range(len(self.layers))):
            dy, layer_grads = self.layers[i].backward(self._layer_weights(weights, i), dy, caches[i])
            if not self.layers[i].frozen:
                grads[self._trainable[i]] = layer_grads
        return grads

    def _new_state(self, weights: list[np.ndarray], caches: list[Any]) -> list[np.ndarray]:
        """The non-trainable weights after a training-mode forward pass."""
        state: list[np.ndarray] = []
        for i, layer in enumerate(self.layers):
            own = self._layer_weights(weights, i)
            if layer.frozen:  # its trained weights sit among the state, unchanged
                state.extend(own[: len(layer.weight_specs())])
            if layer.state_specs():
                state.extend(layer.new_state(own, caches[i]))
        return state

    @_like_tfjs
    def _test_loop(self, x: np.ndarray, y: np.ndarray, batch_size: int) -> dict[str, float]:
        loss, _ = self._require_compiled()
        weights = self._require_weights()
        keys = ["loss", *self._metrics]
        totals = dict.fromkeys(keys, F32(0))
        for start in range(0, len(x), batch_size):
            xb, yb = x[start : start + batch_size], y[start : start + batch_size]
            out, _ = self._forward(weights, xb, training=False)
            values = {"loss": np.mean(loss.values(yb, out), dtype=F32)}
            values.update({k: np.mean(fn(yb, out), dtype=F32) for k, fn in self._metrics.items()})
            totals = {k: F32(totals[k] + F32(len(xb)) * values[k]) for k in keys}
        return {k: float(F32(totals[k] / F32(len(x)))) for k in keys}


def _positive_int(value: object, what: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise EngineError(f"{what} must be a positive integer, not {value!r}")


def init_weights(model: Sequential, seed: int) -> list[np.ndarray]:
    """Draws, sets and returns ``model``'s default initial weights (see ``Sequential``)."""
    return model.init_weights(seed)


def tfjs_layer_prefix(class_name: str) -> str:
    """TF.js's default layer name stem for a class: its name in snake case, as TF.js's
    `toSnakeCase` spells it (`MaxPooling2D` → `max_pooling2d`, `LeakyReLU` → `leaky_re_lu`)."""
    words = re.sub(r"(.)([A-Z][a-z0-9]+)", r"\1_\2", class_name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", words).lower()
