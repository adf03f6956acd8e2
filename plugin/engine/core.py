"""Core layers (``tfjs-layers/src/layers/core.ts``, ``advanced_activations.ts``)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .activations import Activation, get_activation
from .alea import random_uniform
from .base import Layer, Shape, WeightSpec, regularized
from .errors import EngineError
from .initializers import get_initializer

F32 = np.float32


class Dense(Layer):
    """``tf.layers.dense``: ``activation(x · kernel + bias)`` on the last axis."""

    layer_type = "dense"
    type_name = "Dense"
    keys = ("units", "activation", "useBias", "inputDim", "kernelInitializer", "biasInitializer")
    unsupported_keys = regularized("kernel", "bias")

    def __init__(self, index: int, name: str, config: dict[str, Any]) -> None:
        super().__init__(index, name, config)
        units = config.get("units")
        if isinstance(units, bool) or not isinstance(units, int) or units < 1:
            raise self.error(f"units must be a positive integer, not {units!r}")
        self.units = units
        self.use_bias = config.get("useBias", True)
        if not isinstance(self.use_bias, bool):
            raise self.error("useBias must be true or false")
        try:
            self.activation: Activation = get_activation(config.get("activation"))
            self.kernel_init = get_initializer(config.get("kernelInitializer", "glorotNormal"))
            self.bias_init = get_initializer(config.get("biasInitializer", "zeros"))
        except EngineError as err:
            raise self.error(err) from None

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        if not input_shape:
            raise EngineError(f"{self.where} needs inputs with at least one feature axis")
        return input_shape[:-1] + (self.units,)

    def weight_specs(self) -> list[WeightSpec]:
        specs: list[WeightSpec] = [("kernel", (self.input_shape[-1], self.units), self.kernel_init)]
        if self.use_bias:
            specs.append(("bias", (self.units,), self.bias_init))
        return specs

    def forward(self, weights: list[np.ndarray], x: np.ndarray, training: bool) -> tuple[np.ndarray, Any]:
        z = np.matmul(x, weights[0])
        if self.use_bias:
            z = z + weights[1]
        y = self.activation.forward(z)
        return y, (x, z, y)

    def backward(
        self, weights: list[np.ndarray], dy: np.ndarray, cache: Any
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        x, z, y = cache
        dz = self.activation.backward(dy, z, y)
        flat_x = x.reshape(-1, x.shape[-1])
        flat_dz = dz.reshape(-1, dz.shape[-1])
        grads = [np.matmul(flat_x.T, flat_dz)]
        if self.use_bias:
            grads.append(np.sum(flat_dz, axis=0, dtype=flat_dz.dtype))
        return np.matmul(dz, weights[0].T), grads


class Flatten(Layer):
    """``tf.layers.flatten``: a row-major reshape to ``[batch, features]``."""

    layer_type = "flatten"
    type_name = "Flatten"
    file_keys = ("dataFormat",)

    def __init__(self, index: int, name: str, config: dict[str, Any]) -> None:
        super().__init__(index, name, config)
        if config.get("dataFormat", "channelsLast") != "channelsLast":
            raise self.error("only dataFormat 'channelsLast' is supported")

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return (math.prod(input_shape),)

    def forward(self, weights: list[np.ndarray], x: np.ndarray, training: bool) -> tuple[np.ndarray, Any]:
        return x.reshape(len(x), -1), x.shape

    def backward(
        self, weights: list[np.ndarray], dy: np.ndarray, cache: Any
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        return dy.reshape(cache), []


class Reshape(Layer):
    """``tf.layers.reshape``: a row-major reshape to ``targetShape`` (one ``-1`` allowed)."""

    layer_type = "reshape"
    type_name = "Reshape"
    keys = ("targetShape",)

    def __init__(self, index: int, name: str, config: dict[str, Any]) -> None:
        super().__init__(index, name, config)
        target = config.get("targetShape")
        if (
            not isinstance(target, list | tuple)
            or not target
            or not all(isinstance(d, int) and not isinstance(d, bool) and (d > 0 or d == -1) for d in target)
            or list(target).count(-1) > 1
        ):
            raise self.error(
                f"targetShape must be a list of positive integers (one may be -1), not {target!r}"
            )
        self.target: Shape = tuple(target)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        size = math.prod(input_shape)
        known = math.prod(d for d in self.target if d != -1)
        if -1 in self.target:
            if size % known:
                raise self.error(f"cannot reshape {list(input_shape)} to {list(self.target)}")
            return tuple(size // known if d == -1 else d for d in self.target)
        if known != size:
            raise self.error(
                f"targetShape {list(self.target)} has {known} elements but the input "
                f"{list(input_shape)} has {size}"
            )
        return self.target

    def forward(self, weights: list[np.ndarray], x: np.ndarray, training: bool) -> tuple[np.ndarray, Any]:
        return x.reshape((len(x), *self.output_shape)), x.shape

    def backward(
        self, weights: list[np.ndarray], dy: np.ndarray, cache: Any
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        return dy.reshape(cache), []


class ActivationLayer(Layer):
    """``tf.layers.activation``: an activation as a layer of its own."""

    layer_type = "activation"
    type_name = "Activation"
    keys = ("activation",)

    def __init__(self, index: int, name: str, config: dict[str, Any]) -> None:
        super().__init__(index, name, config)
        if "activation" not in config:
            raise self.error("needs an activation")
        try:
            self.activation = get_activation(config["activation"])
        except EngineError as err:
            raise self.error(err) from None

    def forward(self, weights: list[np.ndarray], x: np.ndarray, training: bool) -> tuple[np.ndarray, Any]:
        y = self.activation.forward(x)
        return y, (x, y)

    def backward(
        self, weights: list[np.ndarray], dy: np.ndarray, cache: Any
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        x, y = cache
        return self.activation.backward(dy, x, y), []


class ReLU(Layer):
    """``tf.layers.reLU`` (``advanced_activations.ts``): ``relu(x)``, then with a ``maxValue``
    ``clipByValue(·, 0, maxValue)`` (``maxValue: 6`` is ReLU6).

    The gradient chains TF.js's registered ones: relu's ``step(x)`` (0 at exactly 0) times
    clipByValue's, which passes ``dy`` where ``0 <= relu(x) <= maxValue`` (so 1 at exactly
    ``maxValue``).
    """

    layer_type = "reLU"
    type_name = "ReLU"
    keys = ("maxValue",)

    def __init__(self, index: int, name: str, config: dict[str, Any]) -> None:
        super().__init__(index, name, config)
        top = config.get("maxValue")
        if top is not None and (isinstance(top, bool) or not isinstance(top, int | float) or top < 0):
            raise self.error(f"maxValue must be a number of at least 0, not {top!r}")
        self.max_value = None if top is None else float(top)

    def forward(self, weights: list[np.ndarray], x: np.ndarray, training: bool) -> tuple[np.ndarray, Any]:
        y = np.where(x < 0, x.dtype.type(0), x)
        if self.max_value is not None:
            y = np.where(y.astype(np.float64) > self.max_value, x.dtype.type(self.max_value), y)
        return y, x

    def backward(
        self, weights: list[np.ndarray], dy: np.ndarray, cache: Any
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        mask = cache > 0
        if self.max_value is not None:
            mask &= cache.astype(np.float64) <= self.max_value
        return dy * mask.astype(dy.dtype), []


class LeakyReLU(Layer):
    """``tf.layers.leakyReLU``: ``x < 0 ? alpha·x : x`` with the layer's default alpha 0.3.

    The gradient is ``alpha`` at exactly 0 (TF.js masks on ``x > 0``).
    """

    layer_type = "leakyReLU"
    type_name = "LeakyReLU"
    keys = ("alpha",)

    def __init__(self, index: int, name: str, config: dict[str, Any]) -> None:
        super().__init__(index, name, config)
        alpha = config.get("alpha", 0.3)
        if isinstance(alpha, bool) or not isinstance(alpha, int | float):
            raise self.error(f"alpha must be a number, not {alpha!r}")
        self.alpha = alpha

    def forward(self, weights: list[np.ndarray], x: np.ndarray, training: bool) -> tuple[np.ndarray, Any]:
        alpha = x.dtype.type(self.alpha)
        return np.where(x < 0, alpha * x, x), x

    def backward(
        self, weights: list[np.ndarray], dy: np.ndarray, cache: Any
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        return np.where(cache > 0, dy, dy * dy.dtype.type(self.alpha)), []


class Dropout(Layer):
    """``tf.layers.dropout``: ``x · floor(U + keep) / keep`` in training, identity otherwise.

    With a ``seed`` TF.js re-seeds alea with ``String(seed)`` on every call, so every batch
    gets the same mask (the first ``batch·features`` draws of that stream). Without one the
    mask comes from ``Math.random``; the engine draws it with NumPy, so a reference can only
    match such a model in distribution (see ``Sequential.has_unseeded_dropout``).
    """

    layer_type = "dropout"
    type_name = "Dropout"
    keys = ("rate", "seed")
    unsupported_keys = ("noiseShape",)

    def __init__(self, index: int, name: str, config: dict[str, Any]) -> None:
        super().__init__(index, name, config)
        rate = config.get("rate")
        if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 <= rate < 1:
            raise self.error(f"rate must be a number from 0 up to (not including) 1, not {rate!r}")
        seed = config.get("seed")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int | float)):
            raise self.error(f"seed must be a number, not {seed!r}")
        self.rate = float(rate)
        self.seed = seed
        self._rng = np.random.default_rng(0)
        self._masks: dict[Shape, np.ndarray] = {}

    @property
    def unseeded(self) -> bool:
        """Whether training draws masks TF.js takes from unseedable ``Math.random``."""
        return self.seed is None and self.rate > 0

    def set_noise(self, rng: np.random.Generator) -> None:
        self._rng = rng

    def _uniform(self, shape: Shape) -> np.ndarray:
        if self.seed is None:
            return self._rng.random(shape, dtype=np.float32)
        if shape not in self._masks:
            self._masks[shape] = random_uniform(shape, self.seed)
        return self._masks[shape]

    def forward(self, weights: list[np.ndarray], x: np.ndarray, training: bool) -> tuple[np.ndarray, Any]:
        if not training or self.rate == 0:
            return x, None
        keep = F32(1 - self.rate)
        multiplier = (np.floor(self._uniform(x.shape) + keep) / keep).astype(x.dtype)
        return x * multiplier, multiplier

    def backward(
        self, weights: list[np.ndarray], dy: np.ndarray, cache: Any
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        return (dy if cache is None else dy * cache), []
