"""Layers: one class per TF.js layer type, registered in ``LAYERS``.

A layer is built once from its TF.js config and its input shape; it holds no weights.
The model passes each layer its slice of the flat weight list, so forward and backward
passes are pure functions of (weights, inputs).
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from .activations import Activation, get_activation
from .errors import EngineError, unknown
from .initializers import Initializer, get_initializer

Shape = tuple[int, ...]
COMMON_KEYS = ("name", "inputShape", "batchInputShape")


class Layer:
    """Base class: subclasses set ``type_name``, ``keys`` and implement the passes.

    Args:
        index: 1-based position in the model, for error messages.
        name: The layer's name, e.g. ``dense_1``.
        config: The TF.js config (camelCase keys).
    """

    type_name: ClassVar[str] = ""
    keys: ClassVar[tuple[str, ...]] = ()

    def __init__(self, index: int, name: str, config: dict[str, Any]) -> None:
        self.index = index
        self.name = name
        for key in config:
            if key not in self.keys + COMMON_KEYS:
                raise self.error(unknown("config key", key, self.keys + COMMON_KEYS))
        self.config = config
        self.input_shape: Shape = ()
        self.output_shape: Shape = ()

    @property
    def where(self) -> str:
        """``layer 2 (dense)``, for messages."""
        return f"layer {self.index} ({self.type_name.lower()})"

    def error(self, err: EngineError | str) -> EngineError:
        """An ``EngineError`` prefixed with this layer's position and type."""
        return EngineError(f"{self.where}: {err}")

    def build(self, input_shape: Shape) -> Shape:
        """Records the input shape (without the batch axis) and returns the output shape."""
        self.input_shape = input_shape
        self.output_shape = self.compute_output_shape(input_shape)
        return self.output_shape

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        """The output shape for an input shape, both without the batch axis."""
        return input_shape

    def weight_specs(self) -> list[tuple[str, Shape, Initializer]]:
        """``(suffix, shape, initializer)`` per weight, in ``getWeights()`` order."""
        return []

    def forward(self, weights: list[np.ndarray], x: np.ndarray, training: bool) -> tuple[np.ndarray, Any]:
        """Returns the output and whatever the backward pass needs."""
        raise NotImplementedError

    def backward(
        self, weights: list[np.ndarray], dy: np.ndarray, cache: Any
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Returns the gradient for the input and one gradient per weight."""
        raise NotImplementedError


class Dense(Layer):
    """``tf.layers.dense``: ``activation(x · kernel + bias)`` on the last axis."""

    type_name = "Dense"
    keys = ("units", "activation", "useBias", "kernelInitializer", "biasInitializer")

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

    def weight_specs(self) -> list[tuple[str, Shape, Initializer]]:
        specs = [("kernel", (self.input_shape[-1], self.units), self.kernel_init)]
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
            grads.append(np.sum(flat_dz, axis=0, dtype=np.float32))
        return np.matmul(dz, weights[0].T), grads


LAYERS: dict[str, type[Layer]] = {"dense": Dense}
"""Layer types by their ``tf.layers.<type>`` factory name."""
