"""The layer base class and the config readers every layer module shares."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np

from .errors import EngineError, unknown
from .initializers import Initializer

Shape = tuple[int, ...]
WeightSpec = tuple[str, Shape, Initializer]
COMMON_KEYS = ("name", "inputShape", "batchInputShape", "trainable")
# Keys a model block may give that it rewrites before the engine sees them (inputDim: [n]
# becomes inputShape: [n]).
BLOCK_ONLY_KEYS = ("inputDim",)


def regularized(*weights: str, activity: bool = True) -> tuple[str, ...]:
    """The TF.js regularizer and constraint keys of a layer with these weights, in TF.js's
    order: ``<weight>Regularizer`` each, ``activityRegularizer``, ``<weight>Constraint`` each.
    The engine reproduces none of them (a layer's ``unsupported_keys``)."""
    regularizers = tuple(f"{weight}Regularizer" for weight in weights)
    constraints = tuple(f"{weight}Constraint" for weight in weights)
    return (*regularizers, *(("activityRegularizer",) if activity else ()), *constraints)


class Layer:
    """Base class: subclasses declare what they are and implement the passes.

    Every table about a layer type is read from its class: ``layer_type`` is its
    ``tf.layers.<layer_type>`` factory (the model block's name for it), ``type_name`` TF.js's
    class name (the default layer names, the summary, and ``class_name`` in model files),
    ``keys`` the config keys a model block may give (in the order messages list them),
    ``file_keys`` the further TF.js keys the engine reads but a model block does not take
    (initializers of weights a block cannot draw, and keys the engine takes at their TF.js
    defaults only), ``unsupported_keys`` the layer's TF.js keys the engine does not reproduce
    (regularizers, constraints: a model file that sets one is refused), and
    ``tfjs_weight_names`` the TF.js variable names of the weights whose engine names differ.

    A layer is built once from its TF.js config and its input shape; it holds no weights.
    The model hands each layer its trainable weights followed by its non-trainable ones
    (its *state*, e.g. batch normalization's moving statistics), so forward and backward
    passes are pure functions of (weights, inputs).

    Args:
        index: 1-based position in the model, for error messages.
        name: The layer's name, e.g. ``dense_1``.
        config: The TF.js config (camelCase keys).
    """

    layer_type: ClassVar[str] = ""
    type_name: ClassVar[str] = ""
    keys: ClassVar[tuple[str, ...]] = ()
    file_keys: ClassVar[tuple[str, ...]] = ()
    unsupported_keys: ClassVar[tuple[str, ...]] = ()
    tfjs_weight_names: ClassVar[Mapping[str, str]] = {}

    def __init__(self, index: int, name: str, config: dict[str, Any]) -> None:
        self.index = index
        self.name = name
        accepted = self.engine_keys() + COMMON_KEYS
        for key in config:
            if key not in accepted:
                raise self.error(unknown("config key", key, accepted))
        self.config = config
        trainable = config.get("trainable", True)
        if not isinstance(trainable, bool):
            raise self.error(f"trainable must be true or false, got {trainable!r}")
        # A frozen layer's weights are not trained, and TF.js lists them with the
        # non-trainable ones: after every trainable weight of the model.
        self.frozen = not trainable
        self.input_shape: Shape = ()
        self.output_shape: Shape = ()

    @classmethod
    def engine_keys(cls) -> tuple[str, ...]:
        """The layer's own config keys the engine accepts: ``keys`` less those the model
        block rewrites, then ``file_keys``."""
        return tuple(k for k in cls.keys if k not in BLOCK_ONLY_KEYS) + cls.file_keys

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

    def weight_specs(self) -> list[WeightSpec]:
        """``(suffix, shape, initializer)`` per trainable weight, in ``getWeights()`` order."""
        return []

    def state_specs(self) -> list[WeightSpec]:
        """The same for non-trainable weights, which ``getWeights()`` lists after all trainable ones."""
        return []

    def set_noise(self, rng: np.random.Generator) -> None:
        """Gives the layer the generator for random draws TF.js cannot seed (unseeded dropout)."""

    def forward(self, weights: list[np.ndarray], x: np.ndarray, training: bool) -> tuple[np.ndarray, Any]:
        """Returns the output and whatever the backward pass needs.

        ``weights`` holds the trainable weights, then the state.
        """
        raise NotImplementedError

    def backward(
        self, weights: list[np.ndarray], dy: np.ndarray, cache: Any
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Returns the gradient for the input and one gradient per *trainable* weight."""
        raise NotImplementedError

    def new_state(self, weights: list[np.ndarray], cache: Any) -> list[np.ndarray]:
        """The state after a training-mode forward pass that returned ``cache``."""
        return list(weights[len(self.weight_specs()) :])


def positive_int(value: object, what: str) -> int:
    """``value`` if it is a positive integer (not a bool).

    Raises:
        EngineError: Otherwise.
    """
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise EngineError(f"{what} must be a positive integer, not {value!r}")
    return value


def int_pair(value: object, what: str) -> tuple[int, int]:
    """An ``int`` or ``[h, w]`` as TF.js's 2-D layers read ``kernelSize``, ``strides``, ``poolSize``.

    Raises:
        EngineError: For anything but one or two positive integers.
    """
    if isinstance(value, list | tuple):
        if len(value) != 2:
            raise EngineError(f"{what} must be an integer or [height, width], not {list(value)!r}")
        return positive_int(value[0], what), positive_int(value[1], what)
    size = positive_int(value, what)
    return size, size


def choice(value: object, what: str, choices: tuple[str, ...]) -> str:
    """``value`` if it is one of ``choices``.

    Raises:
        EngineError: Otherwise, naming the closest choice.
    """
    if not isinstance(value, str) or value not in choices:
        raise unknown(what, value, choices)
    return value
