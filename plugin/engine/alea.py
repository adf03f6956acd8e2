"""Johannes Baagøe's Alea PRNG as seedrandom ships it, the generator behind TF.js's seeded ops.

``tf.randomUniform(shape, min, max, 'float32', seed)`` (and so seeded dropout) draws from
``seedrandom.alea(String(seed))``. This port follows seedrandom's ``lib/alea.js`` step by
step in IEEE doubles, which Python floats are, so it reproduces the JS stream exactly.
"""

from __future__ import annotations

import math

import numpy as np

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


def js_string(value: int | float | str) -> str:
    """``String(value)`` for the seeds authors write: integers, simple decimals, strings."""
    if isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    return str(value)


def random_uniform(
    shape: tuple[int, ...], seed: int | float | str, low: float = 0.0, high: float = 1.0
) -> np.ndarray:
    """``tf.randomUniform(shape, low, high, 'float32', seed)``: row-major, rounded to float32."""
    alea = Alea(js_string(seed))
    span = high - low
    count = math.prod(shape)
    values = [low + span * alea.next() for _ in range(count)]
    return np.array(values, dtype=np.float32).reshape(shape)
