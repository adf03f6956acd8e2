"""TF.js default initializer distributions, drawn with NumPy (``tfjs-layers/src/initializers.ts``).

The draws are not TF.js's own (alea) stream: the build pushes them to the page with
``setWeights``, so only the distribution has to match.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from .errors import unknown

Initializer = Callable[[np.random.Generator, tuple[int, ...]], np.ndarray]


def compute_fans(shape: tuple[int, ...]) -> tuple[float, float]:
    """Returns ``(fanIn, fanOut)`` as TF.js's ``computeFans`` does for channels-last shapes."""
    if len(shape) == 2:
        return float(shape[0]), float(shape[1])
    if len(shape) in (3, 4, 5):
        field = math.prod(shape[:-2])
        return float(shape[-2] * field), float(shape[-1] * field)
    root = math.sqrt(math.prod(shape))
    return root, root


def truncated_normal(rng: np.random.Generator, shape: tuple[int, ...], stddev: float) -> np.ndarray:
    """Normal(0, stddev) draws, each outside ±2·stddev redrawn (no stddev correction)."""
    values = rng.normal(0.0, stddev, size=shape)
    while True:
        bad = np.abs(values) > 2 * stddev
        count = int(bad.sum())
        if not count:
            return values.astype(np.float32)
        values[bad] = rng.normal(0.0, stddev, size=count)


def variance_scaling(scale: float, mode: str, distribution: str) -> Initializer:
    """TF.js's ``VarianceScaling`` initializer with the given settings."""

    def draw(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
        fan_in, fan_out = compute_fans(shape)
        fan = {"fanIn": fan_in, "fanOut": fan_out, "fanAvg": (fan_in + fan_out) / 2}[mode]
        s = scale / max(1.0, fan)
        if distribution == "normal":
            return truncated_normal(rng, shape, math.sqrt(s))
        limit = math.sqrt(3 * s)
        return rng.uniform(-limit, limit, size=shape).astype(np.float32)

    return draw


def zeros(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """All zeros (the default bias initializer)."""
    return np.zeros(shape, dtype=np.float32)


def ones(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """All ones."""
    return np.ones(shape, dtype=np.float32)


INITIALIZERS: dict[str, Initializer] = {
    "glorotNormal": variance_scaling(1.0, "fanAvg", "normal"),
    "glorotUniform": variance_scaling(1.0, "fanAvg", "uniform"),
    "heNormal": variance_scaling(2.0, "fanIn", "normal"),
    "heUniform": variance_scaling(2.0, "fanIn", "uniform"),
    "leCunNormal": variance_scaling(1.0, "fanIn", "normal"),
    "leCunUniform": variance_scaling(1.0, "fanIn", "uniform"),
    "zeros": zeros,
    "ones": ones,
}


def get_initializer(name: str) -> Initializer:
    """Returns the initializer TF.js names ``name``.

    Raises:
        EngineError: If the name is unknown, with the closest valid name.
    """
    if not isinstance(name, str) or name not in INITIALIZERS:
        raise unknown("initializer", name, INITIALIZERS)
    return INITIALIZERS[name]
