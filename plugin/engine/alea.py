"""Johannes Baagøe's Alea PRNG as seedrandom ships it, the generator behind TF.js's seeded ops.

``tf.randomUniform(shape, min, max, 'float32', seed)`` (and so seeded dropout and the
seeded uniform initializers) draws from ``seedrandom.alea(String(seed))``;
``tf.randomNormal`` and ``tf.truncatedNormal`` with a seed (the seeded normal
initializers) turn that stream into normal draws with Marsaglia's polar method
(tfjs-core's ``MPRandGauss``). This port follows seedrandom's ``lib/alea.js`` step by step
in IEEE doubles, which Python floats are, so it reproduces the JS stream exactly; the polar
method's logarithm is V8's (``jsmath.log``), not the C library's.

All draws happen in JavaScript, never on the backend, so they are the same on WebGL and
on the CPU backend; TF.js stores each double in a Float32Array, rounding to nearest.
"""

from __future__ import annotations

import decimal
import math

import numpy as np

from .jsmath import log as js_log

TWO_POW_32 = 4294967296.0
TWO_POW_MINUS_32 = 2.3283064365386963e-10


def _uint32(value: float) -> int:
    """JavaScript's ``value >>> 0`` for a finite non-negative double."""
    return int(math.trunc(value)) % 0x100000000


class _Mash:
    """Baagøe's Mash hash; its state carries over from one call to the next."""

    def __init__(self) -> None:
        self.n = float(0xEFC8249D)

    def __call__(self, data: str) -> float:
        n = self.n
        units = data.encode("utf-16-le")  # charCodeAt walks UTF-16 code units
        for i in range(0, len(units), 2):
            n = self._mix(n + int.from_bytes(units[i : i + 2], "little"))
        self.n = n
        return _uint32(n) * TWO_POW_MINUS_32

    @staticmethod
    def _mix(n: float) -> float:
        h = 0.02519603282416938 * n
        n = float(_uint32(h))
        h -= n
        h *= n
        n = float(_uint32(h))
        h -= n
        return n + h * TWO_POW_32


class Alea:
    """``seedrandom.alea(seed)``: call ``next()`` for doubles in [0, 1).

    Args:
        seed: The seed string; TF.js passes ``String(seed)`` (see ``js_string``).
    """

    def __init__(self, seed: str) -> None:
        mash = _Mash()
        self.c = 1.0
        self.s0 = mash(" ")
        self.s1 = mash(" ")
        self.s2 = mash(" ")
        self.s0 -= mash(seed)
        if self.s0 < 0:
            self.s0 += 1
        self.s1 -= mash(seed)
        if self.s1 < 0:
            self.s1 += 1
        self.s2 -= mash(seed)
        if self.s2 < 0:
            self.s2 += 1

    def next(self) -> float:
        """The next double in [0, 1)."""
        t = 2091639 * self.s0 + self.c * TWO_POW_MINUS_32
        self.s0 = self.s1
        self.s1 = self.s2
        self.c = float(math.trunc(t))  # t | 0, with 0 <= t < 2^31
        self.s2 = t - self.c
        return self.s2

    def take(self, count: int) -> list[float]:
        """The next ``count`` doubles (``next()`` in a loop, without the attribute lookups)."""
        s0, s1, s2, c = self.s0, self.s1, self.s2, self.c
        out: list[float] = []
        append = out.append
        for _ in range(count):
            t = 2091639 * s0 + c * TWO_POW_MINUS_32
            s0, s1 = s1, s2
            c = float(int(t))
            s2 = t - c
            append(s2)
        self.s0, self.s1, self.s2, self.c = s0, s1, s2, c
        return out


def js_string(value: int | float | str) -> str:
    """``String(value)``: a string as it is, a number as JavaScript prints it (an integer
    becomes the double JavaScript would hold)."""
    if isinstance(value, str):
        return value
    return js_number_string(float(value))


def js_number_string(value: float) -> str:
    """``Number.prototype.toString()`` of a double: the shortest digits that read back as
    ``value`` (Python's ``repr`` finds the same ones), laid out by ECMAScript's rules
    (plain notation from 1e-6 up to below 1e21, else ``1.5e+21`` / ``1e-7``)."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "0"  # -0 too
    sign = "-" if value < 0 else ""
    exact = decimal.Decimal(repr(abs(value))).normalize()
    _, digit_tuple, exponent = exact.as_tuple()
    digits = "".join(map(str, digit_tuple))
    k = len(digits)
    n = k + int(exponent)  # value = 0.digits × 10^n
    if k <= n <= 21:
        text = digits + "0" * (n - k)
    elif 0 < n <= 21:
        text = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        text = "0." + "0" * -n + digits
    else:
        mantissa = digits[0] + ("." + digits[1:] if k > 1 else "")
        text = f"{mantissa}e{'+' if n - 1 >= 0 else '-'}{abs(n - 1)}"
    return sign + text


def random_uniform(
    shape: tuple[int, ...], seed: int | float | str, low: float = 0.0, high: float = 1.0
) -> np.ndarray:
    """``tf.randomUniform(shape, low, high, 'float32', seed)``: row-major, rounded to float32."""
    uniforms = np.array(Alea(js_string(seed)).take(math.prod(shape)), dtype=np.float64)
    values = low + (high - low) * uniforms  # UniformRandom: min + range · random(), in doubles
    return values.astype(np.float32).reshape(shape)


def polar_normal(
    count: int, seed: str, mean: float, stddev: float, truncated: bool
) -> np.ndarray:
    """The first ``count`` values of tfjs-core's ``MPRandGauss`` seeded with ``seed``, as doubles.

    Marsaglia's polar method: two uniforms ``v1, v2`` in (-1, 1) per try, rejected unless
    ``0 < s = v1² + v2² < 1``; then ``x = mean + stddev·v1·m`` and ``y = mean + stddev·v2·m``
    with ``m = sqrt(-2·log(s) / s)``, ``x`` returned first and ``y`` kept for the next call.
    Truncated, a pair whose ``x`` lies outside ``mean ± 2·stddev`` is thrown away whole,
    and a ``y`` outside is dropped. Every try takes two uniforms, so the stream can be cut
    into pairs and each pair's zero, one or two values worked out at once.
    """
    alea = Alea(seed)
    upper, lower = mean + stddev * 2, mean - stddev * 2
    chunks: list[np.ndarray] = []
    have = 0
    while have < count:
        pairs = (count - have) * 3 // 4 + 8  # a pair gives 1.5 values on average, truncated
        u = np.array(alea.take(2 * pairs))
        v1 = 2 * u[0::2] - 1
        v2 = 2 * u[1::2] - 1
        s = v1 * v1 + v2 * v2
        tried = (s < 1) & (s != 0)
        v1, v2, s = v1[tried], v2[tried], s[tried]
        with np.errstate(divide="ignore", invalid="ignore"):
            m = np.sqrt(-2.0 * js_log(s) / s)
        x = mean + stddev * v1 * m
        y = mean + stddev * v2 * m
        if truncated:
            keep_x = (x <= upper) & (x >= lower)
            keep_y = keep_x & (y <= upper) & (y >= lower)
        else:
            keep_x = keep_y = np.ones(x.shape, dtype=bool)
        values = np.stack([x, y], axis=1).ravel()
        keep = np.stack([keep_x, keep_y], axis=1).ravel()
        chunks.append(values[keep])
        have += int(keep.sum())
    return np.concatenate(chunks)[:count] if chunks else np.zeros(0)


def normal_seed(seed: int | float | None) -> str | None:
    """The string ``MPRandGauss`` seeds alea with, or ``None`` where it takes ``Math.random()``
    instead: its test is JavaScript truthiness, so a seed of 0 (or none) means unseeded."""
    if seed is None or seed == 0 or (isinstance(seed, float) and math.isnan(seed)):
        return None
    return js_string(seed)


def random_normal(
    shape: tuple[int, ...], seed: int | float, mean: float = 0.0, stddev: float = 1.0,
    *, truncated: bool = False,
) -> np.ndarray:
    """``tf.randomNormal(shape, mean, stddev, 'float32', seed)`` (``tf.truncatedNormal`` when
    ``truncated``): row-major, rounded to float32.

    Raises:
        ValueError: For a seed ``MPRandGauss`` ignores (0), whose draws are ``Math.random``'s.
    """
    text = normal_seed(seed)
    if text is None:
        raise ValueError(f"seed {seed!r} does not seed TF.js's normal draws")
    values = polar_normal(math.prod(shape), text, float(mean), float(stddev), truncated)
    return values.astype(np.float32).reshape(shape)


def truncated_normal(
    shape: tuple[int, ...], seed: int | float, mean: float = 0.0, stddev: float = 1.0
) -> np.ndarray:
    """``tf.truncatedNormal(shape, mean, stddev, 'float32', seed)``: see ``random_normal``."""
    return random_normal(shape, seed, mean, stddev, truncated=True)
