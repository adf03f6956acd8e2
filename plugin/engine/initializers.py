"""TF.js default initializer distributions, drawn with NumPy (``tfjs-layers/src/initializers.ts``).

The draws are not TF.js's own (alea) stream: the build pushes them to the page with
``setWeights``, so only the distribution has to match.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from .errors import EngineError, unknown

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


def constant(value: float) -> Initializer:
    """Every element ``value`` (``tf.initializers.constant({value})``)."""

    def draw(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
        return np.full(shape, value, dtype=np.float32)

    return draw


def random_uniform(minval: float = -0.05, maxval: float = 0.05) -> Initializer:
    """``U(minval, maxval)``; TF.js's defaults are ±0.05."""

    def draw(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
        return rng.uniform(minval, maxval, size=shape).astype(np.float32)

    return draw


def random_normal(mean: float = 0.0, stddev: float = 0.05) -> Initializer:
    """``N(mean, stddev)``, not truncated; TF.js's defaults are 0 and 0.05."""

    def draw(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
        return rng.normal(mean, stddev, size=shape).astype(np.float32)

    return draw


def truncated(mean: float = 0.0, stddev: float = 0.05) -> Initializer:
    """``N(mean, stddev)`` redrawn outside ``mean ± 2·stddev``; TF.js's defaults are 0 and 0.05."""

    def draw(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
        return (truncated_normal(rng, shape, stddev) + np.float32(mean)).astype(np.float32)

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
    "varianceScaling": variance_scaling(1.0, "fanIn", "normal"),
    "randomNormal": random_normal(),
    "randomUniform": random_uniform(),
    "truncatedNormal": truncated(),
    "zeros": zeros,
    "ones": ones,
}
"""Initializers by the string names TF.js accepts, with TF.js's default parameters."""

# {className, config} forms: parameters each class reads, and how it is built from them.
# ``seed`` is accepted and ignored: the engine draws with NumPy and pushes the weights.
CONFIGURABLE: dict[str, tuple[tuple[str, ...], Callable[..., Initializer]]] = {
    "constant": (("value",), constant),
    "randomUniform": (("minval", "maxval", "seed"), random_uniform),
    "randomNormal": (("mean", "stddev", "seed"), random_normal),
    "truncatedNormal": (("mean", "stddev", "seed"), truncated),
    "varianceScaling": (("scale", "mode", "distribution", "seed"), variance_scaling),
}
MODES = ("fanIn", "fanOut", "fanAvg")


def _camel(class_name: str) -> str:
    return class_name[:1].lower() + class_name[1:]


def _from_config(spec: Mapping[str, Any]) -> Initializer:
    name = spec.get("className")
    config = dict(spec.get("config") or {})
    key = _camel(name) if isinstance(name, str) else name
    if key in INITIALIZERS and key not in CONFIGURABLE:
        extra = [k for k in config if k != "seed"]
        if extra:
            raise EngineError(f"initializer {name!r} takes no {extra[0]!r}")
        return INITIALIZERS[key]
    if key not in CONFIGURABLE:
        raise unknown("initializer", name, [*INITIALIZERS, "constant"])
    params, factory = CONFIGURABLE[key]
    for k in config:
        if k not in params:
            raise unknown(f"parameter of initializer {name}:", k, params)
    args = {k: v for k, v in config.items() if k != "seed"}
    for k, v in args.items():
        if k not in ("mode", "distribution") and (isinstance(v, bool) or not isinstance(v, int | float)):
            raise EngineError(f"initializer {name} {k} must be a number, not {v!r}")
    if key == "constant" and "value" not in args:
        raise EngineError("initializer Constant needs a value")
    if key == "varianceScaling":
        args = {"scale": 1.0, "mode": "fanIn", "distribution": "normal", **args}
        if args["mode"] not in MODES:
            raise unknown("varianceScaling mode", args["mode"], MODES)
        if args["distribution"] not in ("normal", "uniform"):
            raise unknown("varianceScaling distribution", args["distribution"], ("normal", "uniform"))
    return factory(**args)


def get_initializer(name: str | Mapping[str, Any]) -> Initializer:
    """Returns the initializer for a TF.js name or a ``{className, config}`` object.

    Raises:
        EngineError: If the name or a parameter is unknown, with the closest valid name.
    """
    if isinstance(name, Mapping):
        return _from_config(name)
    if name == "constant":
        raise EngineError(
            "initializer 'constant' needs a value: write {className: Constant, config: {value: ...}}"
        )
    if not isinstance(name, str) or name not in INITIALIZERS:
        raise unknown("initializer", name, [*INITIALIZERS, "constant"])
    return INITIALIZERS[name]
