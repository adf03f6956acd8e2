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

# TF.js's compile looks string names up in ``lossesMap`` only, which holds the camelCase names:
# the short aliases ``losses.ts`` exports (mse, MAE, kld, cosine, ...) are functions, not keys,
# so ``compile({loss: 'mse'})`` throws "Unknown loss". These are the names authors try from
# Keras or from those exports, each mapped to the name TF.js does accept.
KERAS_NAMES: dict[str, str] = {
    "mse": "meanSquaredError",
    "mean_squared_error": "meanSquaredError",
    "mae": "meanAbsoluteError",
    "mean_absolute_error": "meanAbsoluteError",
    "mape": "meanAbsolutePercentageError",
    "mean_absolute_percentage_error": "meanAbsolutePercentageError",
    "msle": "meanSquaredLogarithmicError",
    "mean_squared_logarithmic_error": "meanSquaredLogarithmicError",
    "squared_hinge": "squaredHinge",
    "categorical_hinge": "categoricalHinge",
    "log_cosh": "logcosh",
    "kld": "kullbackLeiblerDivergence",
    "kl_divergence": "kullbackLeiblerDivergence",
    "kullback_leibler_divergence": "kullbackLeiblerDivergence",
    "cosine": "cosineProximity",
    "cosine_proximity": "cosineProximity",
    "cosine_similarity": "cosineProximity",
    "binary_crossentropy": "binaryCrossentropy",
    "bce": "binaryCrossentropy",
    "categorical_crossentropy": "categoricalCrossentropy",
    "cce": "categoricalCrossentropy",
    "sparse_categorical_crossentropy": "sparseCategoricalCrossentropy",
}


def _exact(fn: np.ufunc, x: np.ndarray) -> np.ndarray:
    """``fn`` in float64, rounded to ``x``'s dtype, as TF.js's CPU kernels use JS doubles."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return fn(x.astype(np.float64)).astype(x.dtype)


def _clip(p: np.ndarray, eps: float, hi: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Returns ``clipByValue(p, eps, hi)`` (``hi`` defaults to ``1 - eps``) and the mask where
    its gradient passes. ``hi=np.inf`` stands for TF.js's ``Number.MAX_VALUE``, which is
    infinite once it is a float32 bound."""
    lo, top = F32(eps), F32(1 - eps) if hi is None else F32(hi)
    # TF.js's ClipByValue gradient passes dy where lo <= x <= hi, bounds included.
    return np.clip(p, lo, top), (p >= lo) & (p <= top)


def _batch_seed(p: np.ndarray) -> np.ndarray:
    """The gradient reaching a per-sample loss from the batch mean: ``1 / batch`` each."""
    one = p.dtype.type(1)
    return np.full(p.shape[:-1] + (1,), one / p.dtype.type(p.size // p.shape[-1]), dtype=p.dtype)


def _softplus(x: np.ndarray) -> np.ndarray:
    """TF.js's softplus kernel (CPU and WebGL alike): x above ``-t``, exp(x) below ``t``,
    ``log(exp(x) + 1)`` between, with ``t = log(2**-23) + 2``."""
    t = np.log(1.1920928955078125e-7) + 2.0
    x64 = x.astype(np.float64)
    with np.errstate(over="ignore"):
        mid = np.log(np.exp(x64) + 1.0)
    return np.where(x64 > -t, x64, np.where(x64 < t, np.exp(np.minimum(x64, 0.0)), mid)).astype(x.dtype)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        return (1.0 / (1.0 + np.exp(-x.astype(np.float64)))).astype(x.dtype)


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


class MeanAbsolutePercentageError(Loss):
    """``100 * mean(|(y - p) / clip(|y|, eps, MAX)|)``: targets near 0 count as ``eps``."""

    name = "meanAbsolutePercentageError"

    def _ratio(self, y: np.ndarray) -> np.ndarray:
        return _clip(np.abs(y), self.epsilon, np.inf)[0]

    def values(self, y: np.ndarray, p: np.ndarray) -> np.ndarray:
        q = np.abs((y - p) / self._ratio(y))
        return p.dtype.type(100) * np.mean(q, axis=-1, dtype=p.dtype)

    def grad(self, y: np.ndarray, p: np.ndarray) -> np.ndarray:
        c = self._ratio(y)
        q = (y - p) / c
        # mul(100, mean(...)): the seed is scaled by 100 before the mean divides it.
        d = (_batch_seed(p) * p.dtype.type(100)) / p.dtype.type(p.shape[-1])
        # abs's gradient is -1 at exactly 0, so a perfect prediction still pushes p upwards.
        dq = d * np.where(q > 0, F32(1), F32(-1))
        return -(dq / c)


class MeanSquaredLogarithmicError(Loss):
    """``mean((log(1 + clip(p, eps, MAX)) - log(1 + clip(y, eps, MAX)))**2)``."""

    name = "meanSquaredLogarithmicError"

    def _parts(self, y: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        cp, mask = _clip(p, self.epsilon, np.inf)
        cy, _ = _clip(y, self.epsilon, np.inf)
        one = p.dtype.type(1)
        return one + cp, mask, _exact(np.log, one + cp) - _exact(np.log, one + cy)

    def values(self, y: np.ndarray, p: np.ndarray) -> np.ndarray:
        _, _, d = self._parts(y, p)
        return np.mean(d * d, axis=-1, dtype=p.dtype)

    def grad(self, y: np.ndarray, p: np.ndarray) -> np.ndarray:
        shifted, mask, d = self._parts(y, p)
        dd = _mean_grad(p) * (d * F32(2))
        return np.where(mask, dd / shifted, F32(0))


class Hinge(Loss):
    """``mean(maximum(0, 1 - y * p))``; labels are used as given (TF.js wants -1/1)."""

    name = "hinge"

    def values(self, y: np.ndarray, p: np.ndarray) -> np.ndarray:
        return np.mean(np.maximum(F32(0), F32(1) - y * p), axis=-1, dtype=p.dtype)

    def grad(self, y: np.ndarray, p: np.ndarray) -> np.ndarray:
        # maximum(0, z) sends dy to z only where 0 < z: nothing at the kink z = 0.
        dz = np.where(F32(0) < F32(1) - y * p, _mean_grad(p), F32(0))
        return -dz * y


class SquaredHinge(Loss):
    """``mean(maximum(0, 1 - y * p)**2)``."""

    name = "squaredHinge"

    def values(self, y: np.ndarray, p: np.ndarray) -> np.ndarray:
        m = np.maximum(F32(0), F32(1) - y * p)
        return np.mean(m * m, axis=-1, dtype=p.dtype)

    def grad(self, y: np.ndarray, p: np.ndarray) -> np.ndarray:
        z = F32(1) - y * p
        dm = _mean_grad(p) * (np.maximum(F32(0), z) * F32(2))
        return -np.where(F32(0) < z, dm, F32(0)) * y


class CategoricalHinge(Loss):
    """``maximum(0, 1 + max((1 - y) * p) - sum(y * p))`` per sample, with no mean over classes."""

    name = "categoricalHinge"

    def _parts(self, y: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        pos = np.sum(y * p, axis=-1, dtype=p.dtype)
        others = (F32(1) - y) * p
        neg = np.max(others, axis=-1)
        return others, neg, F32(1) + (neg - pos)

    def values(self, y: np.ndarray, p: np.ndarray) -> np.ndarray:
        return np.maximum(F32(0), self._parts(y, p)[2])

    def grad(self, y: np.ndarray, p: np.ndarray) -> np.ndarray:
        others, neg, t = self._parts(y, p)
        dt = np.where(F32(0) < t[..., None], _batch_seed(p), F32(0))
        # max's gradient goes to every element equal to the maximum, ties included.
        dneg = dt * (others == neg[..., None]).astype(p.dtype)
        return -dt * y + dneg * (F32(1) - y)


class Logcosh(Loss):
    """``mean(d + softplus(-2 d) - log 2)`` with ``d = p - y``."""

    name = "logcosh"

    def values(self, y: np.ndarray, p: np.ndarray) -> np.ndarray:
        d = p - y
        per = (d + _softplus(F32(-2) * d)) - p.dtype.type(np.log(2))
        return np.mean(per, axis=-1, dtype=p.dtype)

    def grad(self, y: np.ndarray, p: np.ndarray) -> np.ndarray:
        d = p - y
        dm = _mean_grad(p)
        return dm + (dm * _sigmoid(F32(-2) * d)) * F32(-2)


class KullbackLeiblerDivergence(Loss):
    """``sum(y * log(clip(y, eps, 1) / clip(p, eps, 1)))`` per sample."""

    name = "kullbackLeiblerDivergence"

    def values(self, y: np.ndarray, p: np.ndarray) -> np.ndarray:
        cy, _ = _clip(y, self.epsilon, 1.0)
        cp, _ = _clip(p, self.epsilon, 1.0)
        return np.sum(y * _exact(np.log, cy / cp), axis=-1, dtype=p.dtype)

    def grad(self, y: np.ndarray, p: np.ndarray) -> np.ndarray:
        cy, _ = _clip(y, self.epsilon, 1.0)
        cp, mask = _clip(p, self.epsilon, 1.0)
        dq = (_batch_seed(p) * y) / (cy / cp)
        dcp = -((dq * cy) / (cp * cp))
        return np.where(mask, dcp, F32(0))


class Poisson(Loss):
    """``mean(p - y * log(eps + p))``; predictions at or below ``-eps`` give NaN, as in TF.js."""

    name = "poisson"

    def values(self, y: np.ndarray, p: np.ndarray) -> np.ndarray:
        return np.mean(p - y * _exact(np.log, F32(self.epsilon) + p), axis=-1, dtype=p.dtype)

    def grad(self, y: np.ndarray, p: np.ndarray) -> np.ndarray:
        dm = _mean_grad(p)
        return dm + (-dm * y) / (F32(self.epsilon) + p)


class CosineProximity(Loss):
    """``-sum(l2n(y) * l2n(p))`` per sample, ``l2n(x) = x / sqrt(maximum(sum(x**2), eps))``."""

    name = "cosineProximity"

    def _normalize(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        ss = np.sum(x * x, axis=-1, keepdims=True, dtype=x.dtype)
        floor = x.dtype.type(self.epsilon)
        norm = _exact(np.sqrt, np.maximum(ss, floor))
        return x / norm, norm, ss >= floor

    def values(self, y: np.ndarray, p: np.ndarray) -> np.ndarray:
        yn, _, _ = self._normalize(y.astype(p.dtype))
        pn, _, _ = self._normalize(p)
        return -np.sum(yn * pn, axis=-1, dtype=p.dtype)

    def grad(self, y: np.ndarray, p: np.ndarray) -> np.ndarray:
        yn, _, _ = self._normalize(y.astype(p.dtype))
        pn, norm, passes = self._normalize(p)
        dpn = -_batch_seed(p) * yn
        direct = dpn / norm
        dnorm = -(np.sum(dpn * p, axis=-1, keepdims=True, dtype=p.dtype) / (norm * norm))
        # sqrt's gradient is dy / (2 sqrt(x)); maximum(ss, eps) passes it where ss >= eps.
        dss = np.where(passes, dnorm / (norm * F32(2)), F32(0))
        return direct + dss * (p * F32(2))


LOSSES: dict[str, type[Loss]] = {
    cls.name: cls
    for cls in (
        MeanSquaredError,
        MeanAbsoluteError,
        MeanAbsolutePercentageError,
        MeanSquaredLogarithmicError,
        SquaredHinge,
        Hinge,
        CategoricalHinge,
        Logcosh,
        CategoricalCrossentropy,
        SparseCategoricalCrossentropy,
        BinaryCrossentropy,
        KullbackLeiblerDivergence,
        Poisson,
        CosineProximity,
    )
}


def get_loss(name: str, epsilon: float) -> Loss:
    """Returns the loss TF.js's ``compile`` knows as ``name``.

    Raises:
        EngineError: For names TF.js rejects, Keras spellings and the short aliases included.
    """
    if isinstance(name, str) and name in LOSSES:
        return LOSSES[name](epsilon)
    hint = KERAS_NAMES.get(name.lower(), "") if isinstance(name, str) else ""
    raise unknown("loss", name, LOSSES, hint)
