"""TF.js 4.22's initializers (``tfjs-layers/src/initializers.ts``): exact where TF.js is
deterministic, the same distribution where it is not.

Exact, bit for bit in float32: every initializer given a seed that TF.js uses
(glorotUniform/Normal, heUniform/Normal, leCunUniform/Normal, varianceScaling,
randomUniform, randomNormal, truncatedNormal; see ``alea`` for the draws), and the
deterministic ones (zeros, ones, constant, identity). The draws happen in JavaScript, not
on the backend, so they are the same on WebGL and on the CPU backend.

Without a seed TF.js draws from ``Math.random``, which nothing can reproduce: those
initializers draw from NumPy's generator instead, the same distribution. That is enough for
a model block, whose page sets the build's weights with ``setWeights``; ``exact`` says
which initializers give TF.js's own values, for code that builds its model itself.

Two seeds differ from what one might expect, as in TF.js: the normal draws treat a seed of
0 as no seed (``MPRandGauss`` tests ``seed ? seed : Math.random()``), the uniform ones do
not; and ``randomUniform``, ``randomNormal`` and ``truncatedNormal`` replace a 0 ``minval``,
``maxval`` or ``stddev`` by their default (``args.minval || -0.05``). ``orthogonal`` is not
reproduced: TF.js computes it with a QR decomposition on the backend.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from . import alea
from .errors import EngineError, unknown

Shape = tuple[int, ...]
Initializer = Callable[[np.random.Generator, Shape], np.ndarray]


def compute_fans(shape: Shape) -> tuple[float, float]:
    """Returns ``(fanIn, fanOut)`` as TF.js's ``computeFans`` does for channels-last shapes."""
    if len(shape) == 2:
        return float(shape[0]), float(shape[1])
    if len(shape) in (3, 4, 5):
        field = math.prod(shape[:-2])
        return float(shape[-2] * field), float(shape[-1] * field)
    root = math.sqrt(math.prod(shape))
    return root, root


def truncated_normal(rng: np.random.Generator, shape: Shape, stddev: float) -> np.ndarray:
    """NumPy's Normal(0, stddev) draws, each outside ±2·stddev redrawn (no stddev correction)."""
    values = rng.normal(0.0, stddev, size=shape)
    while True:
        bad = np.abs(values) > 2 * stddev
        count = int(bad.sum())
        if not count:
            return values.astype(np.float32)
        values[bad] = rng.normal(0.0, stddev, size=count)


class TfjsInitializer:
    """One configured initializer: ``init(rng, shape)`` returns the float32 values.

    ``rng`` is used only where TF.js would take ``Math.random`` (``exact`` false).
    """

    class_name = ""
    exact = True

    def __call__(self, rng: np.random.Generator, shape: Shape) -> np.ndarray:
        raise NotImplementedError


class VarianceScaling(TfjsInitializer):
    """``scale / max(1, fan)`` as the variance: a normal truncated at 2σ or a uniform ±√(3·var)."""

    class_name = "VarianceScaling"

    def __init__(self, scale: float = 1.0, mode: str = "fanIn", distribution: str = "normal",
                 seed: float | None = None) -> None:
        self.scale, self.mode, self.distribution, self.seed = scale, mode, distribution, seed
        if distribution == "normal":
            self.exact = alea.normal_seed(seed) is not None
        else:
            self.exact = seed is not None

    def __call__(self, rng: np.random.Generator, shape: Shape) -> np.ndarray:
        fan_in, fan_out = compute_fans(shape)
        fan = {"fanIn": fan_in, "fanOut": fan_out, "fanAvg": (fan_in + fan_out) / 2}[self.mode]
        variance = self.scale / max(1.0, fan)
        if self.distribution == "normal":
            stddev = math.sqrt(variance)
            if self.exact:
                return alea.truncated_normal(shape, _seed(self.seed), 0.0, stddev)
            return truncated_normal(rng, shape, stddev)
        limit = math.sqrt(3 * variance)
        if self.exact:
            return alea.random_uniform(shape, _seed(self.seed), -limit, limit)
        return rng.uniform(-limit, limit, size=shape).astype(np.float32)


class RandomUniform(TfjsInitializer):
    """``U(minval, maxval)``; a missing or 0 bound takes TF.js's default, ±0.05."""

    class_name = "RandomUniform"

    def __init__(self, minval: float | None = None, maxval: float | None = None,
                 seed: float | None = None) -> None:
        self.minval = minval or -0.05
        self.maxval = maxval or 0.05
        self.seed = seed
        self.exact = seed is not None

    def __call__(self, rng: np.random.Generator, shape: Shape) -> np.ndarray:
        if self.exact:
            return alea.random_uniform(shape, _seed(self.seed), self.minval, self.maxval)
        return rng.uniform(self.minval, self.maxval, size=shape).astype(np.float32)


class RandomNormal(TfjsInitializer):
    """``N(mean, stddev)``, not truncated; a missing or 0 stddev is TF.js's default 0.05."""

    class_name = "RandomNormal"
    truncated = False

    def __init__(self, mean: float | None = None, stddev: float | None = None,
                 seed: float | None = None) -> None:
        self.mean = mean or 0.0
        self.stddev = stddev or 0.05
        self.seed = seed
        self.exact = alea.normal_seed(seed) is not None

    def __call__(self, rng: np.random.Generator, shape: Shape) -> np.ndarray:
        if self.exact:
            return alea.random_normal(shape, _seed(self.seed), self.mean, self.stddev,
                                      truncated=self.truncated)
        if self.truncated:
            values = truncated_normal(rng, shape, self.stddev) + np.float32(self.mean)
            return values.astype(np.float32)
        return rng.normal(self.mean, self.stddev, size=shape).astype(np.float32)


class TruncatedNormal(RandomNormal):
    """``N(mean, stddev)`` redrawn outside ``mean ± 2·stddev``; defaults 0 and 0.05."""

    class_name = "TruncatedNormal"
    truncated = True


class Constant(TfjsInitializer):
    """Every element ``value`` (``tf.initializers.constant({value})``)."""

    class_name = "Constant"

    def __init__(self, value: float) -> None:
        self.value = value

    def __call__(self, rng: np.random.Generator, shape: Shape) -> np.ndarray:
        return np.full(shape, self.value, dtype=np.float32)


class Identity(TfjsInitializer):
    """``gain`` times the identity matrix: square 2-D weights only, as in TF.js."""

    class_name = "Identity"

    def __init__(self, gain: float = 1.0) -> None:
        self.gain = gain

    def __call__(self, rng: np.random.Generator, shape: Shape) -> np.ndarray:
        if len(shape) != 2 or shape[0] != shape[1]:
            raise EngineError(f"initializer identity needs a square 2-D weight, not {list(shape)}")
        # mul(gain, eye): float32 products, so the zeros of a negative gain are -0.
        return np.float32(self.gain) * np.eye(shape[0], dtype=np.float32)


class Filled(TfjsInitializer):
    """``zeros`` or ``ones``."""

    def __init__(self, class_name: str, value: float) -> None:
        self.class_name, self.value = class_name, value

    def __call__(self, rng: np.random.Generator, shape: Shape) -> np.ndarray:
        return np.full(shape, self.value, dtype=np.float32)


def _seed(seed: float | None) -> float:
    assert seed is not None  # only called when exact
    return seed


def _helper(scale: float, mode: str, distribution: str) -> Callable[..., TfjsInitializer]:
    def make(seed: float | None = None) -> TfjsInitializer:
        return VarianceScaling(scale, mode, distribution, seed)

    return make


# tf.initializers.<name>: TF.js's class name, the arguments it reads, and the factory.
FACTORIES: dict[str, tuple[str, tuple[str, ...], Callable[..., TfjsInitializer]]] = {
    "glorotNormal": ("GlorotNormal", ("seed",), _helper(1.0, "fanAvg", "normal")),
    "glorotUniform": ("GlorotUniform", ("seed",), _helper(1.0, "fanAvg", "uniform")),
    "heNormal": ("HeNormal", ("seed",), _helper(2.0, "fanIn", "normal")),
    "heUniform": ("HeUniform", ("seed",), _helper(2.0, "fanIn", "uniform")),
    "leCunNormal": ("LeCunNormal", ("seed",), _helper(1.0, "fanIn", "normal")),
    "leCunUniform": ("LeCunUniform", ("seed",), _helper(1.0, "fanIn", "uniform")),
    "varianceScaling": ("VarianceScaling", ("scale", "mode", "distribution", "seed"), VarianceScaling),
    "randomNormal": ("RandomNormal", ("mean", "stddev", "seed"), RandomNormal),
    "randomUniform": ("RandomUniform", ("minval", "maxval", "seed"), RandomUniform),
    "truncatedNormal": ("TruncatedNormal", ("mean", "stddev", "seed"), TruncatedNormal),
    "constant": ("Constant", ("value",), Constant),
    "identity": ("Identity", ("gain",), Identity),
    "zeros": ("Zeros", (), lambda: Filled("Zeros", 0.0)),
    "ones": ("Ones", (), lambda: Filled("Ones", 1.0)),
}
BY_CLASS_NAME = {class_name: name for name, (class_name, _, _) in FACTORIES.items()}
MODES = ("fanIn", "fanOut", "fanAvg")
NOT_REPRODUCED = {
    "orthogonal": "TF.js computes it with a QR decomposition on the backend, whose float32 "
                  "rounding the reference does not reproduce",
    "Orthogonal": "TF.js computes it with a QR decomposition on the backend, whose float32 "
                  "rounding the reference does not reproduce",
}

INITIALIZERS: dict[str, Initializer] = {
    name: factory() for name, (_, _, factory) in FACTORIES.items() if name not in ("constant",)
}
"""Initializers by the string names TF.js accepts, with TF.js's default parameters."""


def _make(name: str, config: Mapping[str, Any], where: str) -> TfjsInitializer:
    """``tf.initializers.<name>(config)`` after checking every argument."""
    class_name, params, factory = FACTORIES[name]
    for key in config:
        if key not in params:
            if not params:
                raise EngineError(f"{where} takes no {key!r}")
            raise unknown(f"parameter of {where}:", key, params)
    args = dict(config)
    for key, value in args.items():
        if key in ("mode", "distribution"):
            continue
        if isinstance(value, bool) or not isinstance(value, int | float) or not _finite(value):
            raise EngineError(f"{where} {key} must be a number, not {value!r}")
    if name == "constant" and "value" not in args:
        raise EngineError(f"{where} needs a value")
    if name == "varianceScaling":
        mode = args.get("mode", "fanIn")
        if mode not in MODES:
            raise unknown(f"{where} mode", mode, MODES)
        distribution = args.get("distribution", "normal")
        if distribution == "truncatedNormal":
            raise EngineError(
                f"{where}: TF.js 4.22 accepts distribution 'truncatedNormal' but draws uniform "
                "values for it; write 'normal' (a normal truncated at two standard deviations) "
                "or 'uniform'")
        if distribution not in ("normal", "uniform"):
            raise unknown(f"{where} distribution", distribution, ("normal", "uniform"))
        if args.get("scale", 1.0) < 0:
            raise EngineError(f"{where} scale must not be negative, got {args['scale']!r}")
    return factory(**args)


def _finite(value: float) -> bool:
    """Whether a number is a finite double (an integer too large for one is not)."""
    try:
        return math.isfinite(float(value))
    except OverflowError:
        return False


def _resolve(identifier: Any) -> tuple[str, dict[str, Any]]:
    """``(factory name, config)`` for a string, ``{className, config}`` or ``{name: config}``."""
    if isinstance(identifier, str):
        if identifier in NOT_REPRODUCED:
            raise EngineError(f"initializer {identifier!r} is not reproduced: {NOT_REPRODUCED[identifier]}")
        if identifier == "constant":
            raise EngineError("initializer 'constant' needs a value: write "
                              "{className: Constant, config: {value: ...}}")
        if identifier not in FACTORIES:
            raise unknown("initializer", identifier, FACTORIES)
        return identifier, {}
    if not isinstance(identifier, Mapping):
        raise EngineError(f"an initializer is a name such as 'glorotUniform' or a mapping such as "
                          f"{{glorotUniform: {{seed: 7}}}}, not {identifier!r}")
    if "className" in identifier:
        class_name = identifier["className"]
        extra = [k for k in identifier if k not in ("className", "config")]
        if extra:
            raise EngineError(f"initializer {class_name}: unknown key {extra[0]!r} next to className "
                              "(its arguments go under config)")
        if class_name in NOT_REPRODUCED:
            raise EngineError(f"initializer {class_name!r} is not reproduced: {NOT_REPRODUCED[class_name]}")
        if class_name not in BY_CLASS_NAME:
            hint = FACTORIES[class_name][0] if isinstance(class_name, str) and class_name in FACTORIES else ""
            raise unknown("initializer className", class_name, BY_CLASS_NAME, hint)
        if "config" not in identifier:
            raise EngineError(f"initializer {class_name}: TF.js needs a config next to className "
                              "(write config: {} for none)")
        config = identifier["config"]
        if config is None:
            config = {}
        if not isinstance(config, Mapping):
            raise EngineError(f"initializer {class_name}: config must be a mapping, not {config!r}")
        return BY_CLASS_NAME[class_name], dict(config)
    if len(identifier) != 1:
        raise EngineError("an initializer mapping is {className, config} or one name with its "
                          f"arguments such as {{glorotUniform: {{seed: 7}}}}, not {dict(identifier)!r}")
    (name, config), = identifier.items()
    if name in NOT_REPRODUCED:
        raise EngineError(f"initializer {name!r} is not reproduced: {NOT_REPRODUCED[name]}")
    if name not in FACTORIES:
        raise unknown("initializer", name, FACTORIES)
    if config is None:
        config = {}
    if not isinstance(config, Mapping):
        raise EngineError(f"initializer {name}: its arguments must be a mapping such as "
                          f"{{seed: 7}}, not {config!r}")
    return name, dict(config)


def get_initializer(identifier: str | Mapping[str, Any]) -> TfjsInitializer:
    """Returns the initializer for a TF.js name, a ``{className, config}`` object (TF.js's
    class names: ``GlorotUniform``, ``VarianceScaling``...), or mlpages' shorthand
    ``{glorotUniform: {seed: 7}}``, which ``tfjs_identifier`` turns into the former.

    Raises:
        EngineError: If the name or a parameter is unknown, with the closest valid name.
    """
    name, config = _resolve(identifier)
    return _make(name, config, f"initializer {name}")


def tfjs_identifier(identifier: str | Mapping[str, Any]) -> str | dict[str, Any]:
    """What to hand TF.js's layers for ``identifier``: a name as it is, a shorthand
    ``{glorotUniform: {seed: 7}}`` as ``{className: 'GlorotUniform', config: {seed: 7}}``
    (TF.js takes no other mapping). Checks it as ``get_initializer`` does."""
    get_initializer(identifier)
    if isinstance(identifier, str):
        return identifier
    name, config = _resolve(identifier)
    return {"className": FACTORIES[name][0], "config": config}


def tfjs_values(identifier: str | Mapping[str, Any], shape: Shape) -> np.ndarray:
    """``getInitializer(identifier).apply(shape)`` exactly as TF.js 4.22 computes it (float32),
    e.g. ``tfjs_values({"glorotUniform": {"seed": 42}}, (3, 3, 1, 8))`` for
    ``tf.initializers.glorotUniform({seed: 42}).apply([3, 3, 1, 8])``.

    Raises:
        EngineError: For an initializer TF.js draws from ``Math.random`` (no seed; a seed of 0
            for the normal ones), which cannot be reproduced, or an unknown one.
    """
    init = get_initializer(identifier)
    if not init.exact:
        raise EngineError(
            f"initializer {init.class_name} without a seed draws from Math.random in TF.js, which "
            "cannot be reproduced: give it a seed (not 0 for the normal initializers)")
    return init(np.random.default_rng(0), tuple(shape))
