"""The ``'accuracy'`` metric and TF.js's choice of which accuracy it means."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .errors import EngineError

Metric = Callable[[np.ndarray, np.ndarray], np.ndarray]
ACCURACY_NAMES = ("accuracy", "acc")


def binary_accuracy(y: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Per-sample mean of ``y == (p > 0.5)``; the threshold is strict."""
    return np.mean(y == (p > 0.5).astype(np.float32), axis=-1, dtype=np.float32)


def categorical_accuracy(y: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Per-sample ``argmax(y) == argmax(p)``; ties go to the first index, as in TF.js."""
    return (np.argmax(y, axis=-1) == np.argmax(p, axis=-1)).astype(np.float32)


def sparse_categorical_accuracy(y: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Per-sample ``y == argmax(p)`` with ``y`` holding class indices."""
    if y.ndim == p.ndim:
        y = y[..., 0]
    return (y == np.argmax(p, axis=-1)).astype(np.float32)


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
