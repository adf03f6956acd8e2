"""Loss functions as TF.js 4.22 computes them (``tfjs-layers/src/losses.ts``).

Every loss returns per-sample values (the mean or sum over the last axis) and the gradient
of the *mean* batch loss with respect to the predictions, written as the chain of the ops
TF.js records, so that clipping, the logit round trip of binary crossentropy and the
renormalisation of categorical crossentropy have TF.js's gradients, not the textbook ones.
"""

from __future__ import annotations

import numpy as np

from .errors import EngineError, unknown

F32 = np.float32

# TF.js accepts only the camelCase names; these are the names authors try from Keras.
KERAS_NAMES: dict[str, str] = {
    "mse": "meanSquaredError",
    "mean_squared_error": "meanSquaredError",
    "mae": "meanAbsoluteError",
    "mean_absolute_error": "meanAbsoluteError",
    "binary_crossentropy": "binaryCrossentropy",
    "bce": "binaryCrossentropy",
    "categorical_crossentropy": "categoricalCrossentropy",
    "cce": "categoricalCrossentropy",
    "sparse_categorical_crossentropy": "sparseCategoricalCrossentropy",
}
TFJS_ONLY = frozenset(
    {
        "meanAbsolutePercentageError",
        "meanSquaredLogarithmicError",
        "squaredHinge",
        "hinge",
        "categoricalHinge",
        "logcosh",
        "kullbackLeiblerDivergence",
        "poisson",
        "cosineProximity",
    }
)


def _exact(fn: np.ufunc, x: np.ndarray) -> np.ndarray:
    """``fn`` in float64, rounded to ``x``'s dtype, as TF.js's CPU kernels use JS doubles."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return fn(x.astype(np.float64)).astype(x.dtype)


def _clip(p: np.ndarray, eps: float) -> tuple[np.ndarray, np.ndarray]:
    """Returns ``clipByValue(p, eps, 1 - eps)`` and the mask where its gradient passes."""
    lo, hi = F32(eps), F32(1 - eps)
    # TF.js's ClipByValue gradient passes dy where lo <= x <= hi, bounds included.
    return np.clip(p, lo, hi), (p >= lo) & (p <= hi)


class Loss:
    """A TF.js loss; ``epsilon`` is the backend epsilon used for clipping."""

    name = ""

    def __init__(self, epsilon: float) -> None:
        self.epsilon = epsilon

    def check_targets(self, y: np.ndarray, output_shape: tuple[int, ...]) -> np.ndarray:
        """Validates targets against the model's output shape (without the batch axis).

        Returns:
            The targets as float32, 1-D targets made 2-D as TF.js does.

        Raises:
            EngineError: If the shapes cannot go together.
        """
        y = np.asarray(y, dtype=np.float32)
        if y.ndim == 1:
            y = y[:, None]
        if tuple(y.shape[1:]) != tuple(output_shape):
            raise EngineError(
                f"the labels have shape {list(y.shape[1:])} per sample but the model's output "
                f"has shape {list(output_shape)} ({self.name} needs them to match)"
            )
        return y

    def values(self, y: np.ndarray, p: np.ndarray) -> np.ndarray:
        """Per-sample losses, float32, shape ``p.shape[:-1]``."""
        raise NotImplementedError

    def grad(self, y: np.ndarray, p: np.ndarray) -> np.ndarray:
        """Gradient of the mean of ``values(y, p)`` with respect to ``p``."""
        raise NotImplementedError


def _mean_grad(p: np.ndarray) -> np.ndarray:
    """d(mean over the batch of the mean over the last axis)/d element, as TF.js divides."""
    one = p.dtype.type(1)
    per_sample = one / p.dtype.type(p.size // p.shape[-1])
    return np.full(p.shape, per_sample / p.dtype.type(p.shape[-1]), dtype=p.dtype)


class MeanSquaredError(Loss):
    name = "meanSquaredError"

    def values(self, y: np.ndarray, p: np.ndarray) -> np.ndarray:
        d = p - y
        return np.mean(d * d, axis=-1, dtype=p.dtype)

    def grad(self, y: np.ndarray, p: np.ndarray) -> np.ndarray:
        return _mean_grad(p) * ((p - y) * F32(2))


class MeanAbsoluteError(Loss):
    name = "meanAbsoluteError"

    def values(self, y: np.ndarray, p: np.ndarray) -> np.ndarray:
        return np.mean(np.abs(p - y), axis=-1, dtype=p.dtype)

    def grad(self, y: np.ndarray, p: np.ndarray) -> np.ndarray:
        # abs's gradient is dy * step(x, -1): -1 at exactly zero, not np.sign's 0.
        sign = np.where(p - y > 0, F32(1), F32(-1))
        return _mean_grad(p) * sign


class BinaryCrossentropy(Loss):
    name = "binaryCrossentropy"

    def _logits(self, p: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        r, mask = _clip(p, self.epsilon)
        with np.errstate(divide="ignore"):
            u = r / (F32(1) - r)
        return r, mask, _exact(np.log, u)

    def values(self, y: np.ndarray, p: np.ndarray) -> np.ndarray:
        _, _, logit = self._logits(p)
        e = _exact(np.exp, -np.abs(logit))
        per = (np.maximum(logit, F32(0)) - logit * y) + _exact(np.log1p, e)
        return np.mean(per, axis=-1, dtype=p.dtype)

    def grad(self, y: np.ndarray, p: np.ndarray) -> np.ndarray:
        r, mask, logit = self._logits(p)
        d = _mean_grad(p)
        e = _exact(np.exp, -np.abs(logit))
        abs_grad = np.where(logit > 0, F32(1), F32(-1))
        d_logit = d * (logit > 0).astype(np.float32) - d * y - (d / (e + F32(1))) * e * abs_grad
        one_minus = F32(1) - r
        du = d_logit / (r / one_minus)
        dr = du / one_minus + (du * r) / (one_minus * one_minus)
        return np.where(mask, dr, F32(0))


class CategoricalCrossentropy(Loss):
    name = "categoricalCrossentropy"

    def check_targets(self, y: np.ndarray, output_shape: tuple[int, ...]) -> np.ndarray:
        y = np.asarray(y, dtype=np.float32)
        if y.ndim == 1 or (y.shape[-1] == 1 and output_shape[-1] != 1):
            raise EngineError(
                f"categoricalCrossentropy needs one-hot labels with {output_shape[-1]} columns "
                f"but the labels have {1 if y.ndim == 1 else y.shape[-1]}; for integer class "
                "labels use sparseCategoricalCrossentropy"
            )
        return super().check_targets(y, output_shape)

    def _forward(self, p: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        s = np.sum(p, axis=-1, keepdims=True, dtype=p.dtype)
        q = p / s
        r, mask = _clip(q, self.epsilon)
        return s, q, r, mask

    def values(self, y: np.ndarray, p: np.ndarray) -> np.ndarray:
        _, _, r, _ = self._forward(p)
        return -np.sum(y * _exact(np.log, r), axis=-1, dtype=p.dtype)

    def grad(self, y: np.ndarray, p: np.ndarray) -> np.ndarray:
        s, _, r, mask = self._forward(p)
        n = p.dtype.type(1) / p.dtype.type(p.size // p.shape[-1])
        dr = (-n * y) / r
        dq = np.where(mask, dr, F32(0))
        ds = np.sum(-(dq * p) / (s * s), axis=-1, keepdims=True, dtype=p.dtype)
        return dq / s + ds


class SparseCategoricalCrossentropy(Loss):
    name = "sparseCategoricalCrossentropy"

    def check_targets(self, y: np.ndarray, output_shape: tuple[int, ...]) -> np.ndarray:
        y = np.asarray(y, dtype=np.float32)
        if y.ndim == 1:
            y = y[:, None]
        classes = output_shape[-1]
        if tuple(y.shape[1:]) != tuple(output_shape[:-1]) + (1,):
            raise EngineError(
                f"sparseCategoricalCrossentropy needs one integer class label per sample but the "
                f"labels have shape {list(y.shape[1:])} per sample; for one-hot labels use "
                "categoricalCrossentropy"
            )
        if np.any(y != np.floor(y)) or np.any(y < 0) or np.any(y >= classes):
            raise EngineError(
                f"sparseCategoricalCrossentropy labels must be integers from 0 to {classes - 1} "
                f"(the model has {classes} output units)"
            )
        return y

    def _one_hot(self, y: np.ndarray, p: np.ndarray) -> np.ndarray:
        idx = np.floor(y.reshape(-1)).astype(np.int64)
        hot = np.zeros((idx.size, p.shape[-1]), dtype=p.dtype)
        valid = (idx >= 0) & (idx < p.shape[-1])
        hot[np.nonzero(valid)[0], idx[valid]] = 1
        return hot.reshape(p.shape)

    def values(self, y: np.ndarray, p: np.ndarray) -> np.ndarray:
        r, _ = _clip(p, self.epsilon)
        return CategoricalCrossentropy(self.epsilon).values(self._one_hot(y, p), r)

    def grad(self, y: np.ndarray, p: np.ndarray) -> np.ndarray:
        r, mask = _clip(p, self.epsilon)
        dr = CategoricalCrossentropy(self.epsilon).grad(self._one_hot(y, p), r)
        return np.where(mask, dr, F32(0))


LOSSES: dict[str, type[Loss]] = {
    cls.name: cls
    for cls in (
        MeanSquaredError,
        MeanAbsoluteError,
        BinaryCrossentropy,
        CategoricalCrossentropy,
        SparseCategoricalCrossentropy,
    )
}


def get_loss(name: str, epsilon: float) -> Loss:
    """Returns the loss TF.js's ``compile`` knows as ``name``.

    Raises:
        EngineError: For names TF.js rejects (Keras spellings included) or that the engine
            does not implement yet.
    """
    if isinstance(name, str) and name in LOSSES:
        return LOSSES[name](epsilon)
    if isinstance(name, str) and name in TFJS_ONLY:
        raise EngineError(
            f"loss {name!r} exists in TF.js but the mlpages engine does not support it yet "
            f"(supported: {', '.join(LOSSES)})"
        )
    hint = KERAS_NAMES.get(name.lower(), "") if isinstance(name, str) else ""
    raise unknown("loss", name, LOSSES, hint)
