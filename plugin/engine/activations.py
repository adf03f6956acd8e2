"""Activation functions with the forward and backward passes of TF.js 4.22.

Each backward pass is the gradient TF.js registers for the op (``tfjs-core/src/gradients``),
including its choices at kinks: relu's gradient at 0 is 0, selu's at 0 uses the negative
branch, relu6's is 0 at exactly 0 and 1 at exactly 6.
"""

from __future__ import annotations

import numpy as np

from .errors import unknown

F32 = np.float32
SELU_SCALE = F32(1.0507009873554805)
SELU_SCALE_ALPHA = F32(1.7580993408473769)


def _exact(fn: np.ufunc, x: np.ndarray) -> np.ndarray:
    """``fn`` in float64, rounded to ``x``'s dtype, as TF.js's CPU kernels use JS doubles."""
    return fn(x.astype(np.float64)).astype(x.dtype)


class Activation:
    """An elementwise (or, for softmax, last-axis) activation."""

    name = ""

    def forward(self, x: np.ndarray) -> np.ndarray:
        """Applies the activation to a float32 array."""
        raise NotImplementedError

    def backward(self, dy: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Returns the gradient with respect to ``x`` given ``dy``, the input and the output."""
        raise NotImplementedError


class Linear(Activation):
    name = "linear"

    def forward(self, x: np.ndarray) -> np.ndarray:
        return x

    def backward(self, dy: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return dy


class Relu(Activation):
    name = "relu"

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.where(x < 0, F32(0), x)

    def backward(self, dy: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return dy * (x > 0).astype(np.float32)


class Relu6(Activation):
    name = "relu6"

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.minimum(F32(6), np.where(x < 0, F32(0), x))

    def backward(self, dy: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return dy * ((x > 0) & (x <= 6)).astype(np.float32)


class Sigmoid(Activation):
    name = "sigmoid"

    def forward(self, x: np.ndarray) -> np.ndarray:
        return (1.0 / (1.0 + np.exp(-x.astype(np.float64)))).astype(x.dtype)

    def backward(self, dy: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return dy * (y * (F32(1) - y))


class Tanh(Activation):
    name = "tanh"

    def forward(self, x: np.ndarray) -> np.ndarray:
        return _exact(np.tanh, x)

    def backward(self, dy: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return (F32(1) - y * y) * dy


class Softmax(Activation):
    name = "softmax"

    def forward(self, x: np.ndarray) -> np.ndarray:
        shifted = x - np.max(x, axis=-1, keepdims=True)
        e = _exact(np.exp, shifted)
        return e / np.sum(e, axis=-1, keepdims=True, dtype=x.dtype)

    def backward(self, dy: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        dy_y = dy * y
        return dy_y - np.sum(dy_y, axis=-1, keepdims=True, dtype=dy_y.dtype) * y


class Elu(Activation):
    name = "elu"

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.where(x >= 0, x, _exact(np.expm1, x))

    def backward(self, dy: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        # TF.js's EluGrad works from the output: dy * (y + 1) on the negative side.
        return np.where(y >= 0, dy, dy * (y + F32(1)))


class Selu(Activation):
    name = "selu"

    def forward(self, x: np.ndarray) -> np.ndarray:
        neg = (float(SELU_SCALE_ALPHA) * np.expm1(x.astype(np.float64))).astype(x.dtype)
        return np.where(x >= 0, SELU_SCALE * x, neg)

    def backward(self, dy: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        neg = (dy * SELU_SCALE_ALPHA) * _exact(np.exp, x)
        return np.where(x > 0, dy * SELU_SCALE, neg)


class Softplus(Activation):
    name = "softplus"

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.logaddexp(0.0, x.astype(np.float64)).astype(x.dtype)

    def backward(self, dy: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return dy * (1.0 / (1.0 + np.exp(-x.astype(np.float64)))).astype(x.dtype)


ACTIVATIONS: dict[str, type[Activation]] = {
    cls.name: cls for cls in (Linear, Relu, Relu6, Sigmoid, Tanh, Softmax, Elu, Selu, Softplus)
}
"""The activations the engine reproduces, by TF.js's name."""

TFJS_ONLY_ACTIVATIONS = ("softsign", "hardSigmoid", "swish", "mish", "gelu", "gelu_new", "logSoftmax")
"""TF.js 4.22 activations the engine does not reproduce (yet): named as such, not as unknown."""


def get_activation(name: str | None) -> Activation:
    """Returns the activation TF.js names ``name`` (``None`` means linear).

    Raises:
        EngineError: If the name is unknown, with the closest valid name.
    """
    if name is None:
        return Linear()
    if not isinstance(name, str) or name not in ACTIVATIONS:
        raise unknown("activation", name, ACTIVATIONS)
    return ACTIVATIONS[name]()
