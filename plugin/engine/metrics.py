"""The ``'accuracy'`` metric and TF.js's choice of which accuracy it means."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .errors import EngineError

Metric = Callable[[np.ndarray, np.ndarray], np.ndarray]
ACCURACY_NAMES = ("accuracy", "acc")


def binary_accuracy(y: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Per-sample mean of ``y == (p > 0.5)``; the threshold is strict."""
    return (y == (p > 0.5).astype(np.float32)).mean(axis=-1, dtype=np.float32)


def argmax(p: np.ndarray) -> np.ndarray:
    """TF.js's ``argMax`` over the last axis: a scan from the first value that moves on only
    to a strictly greater one. Ties go to the first index, as with ``np.argmax``; unlike it, a
    NaN is never greater (a diverged model's outputs): a row starting with NaN gives 0, and
    a NaN later in a row is passed over."""
    best = p[..., 0].copy()
    index = np.zeros(best.shape, dtype=np.int64)
    for j in range(1, p.shape[-1]):
        greater = p[..., j] > best
        best = np.where(greater, p[..., j], best)
        index = np.where(greater, j, index)
    return index


def categorical_accuracy(y: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Per-sample ``argmax(y) == argmax(p)``; ties go to the first index, as in TF.js."""
    return (argmax(y) == argmax(p)).astype(np.float32)


def sparse_categorical_accuracy(y: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Per-sample ``y == argmax(p)`` with ``y`` holding class indices."""
    if y.ndim == p.ndim:
        y = y[..., 0]
    return (y == argmax(p)).astype(np.float32)


def get_metrics(names: list[str] | None, loss_name: str, output_shape: tuple[int, ...]) -> dict[str, Metric]:
    """Maps compile's metric names to history keys and functions, as TF.js's compile does.

    Args:
        names: The compile ``metrics`` list; only ``'accuracy'``/``'acc'`` are supported.
        loss_name: The compiled loss, which decides the accuracy variant.
        output_shape: The model's output shape without the batch axis.

    Returns:
        ``{"acc": fn}`` or an empty dict. TF.js always logs accuracy under ``acc``.

    Raises:
        EngineError: For any other metric name.
    """
    metrics: dict[str, Metric] = {}
    for name in names or []:
        if name not in ACCURACY_NAMES:
            raise EngineError(f"unknown metric {name!r} (the engine supports 'accuracy' or its alias 'acc')")
        if output_shape[-1] == 1 or loss_name == "binaryCrossentropy":
            metrics["acc"] = binary_accuracy
        elif loss_name == "sparseCategoricalCrossentropy":
            metrics["acc"] = sparse_categorical_accuracy
        else:
            metrics["acc"] = categorical_accuracy
    return metrics
