"""JavaScript's ``Math.log`` as V8 computes it, element-wise over float64 arrays.

V8 (Node and Chromium) does not call the C library for ``Math.log``: it runs its own port
of fdlibm's ``__ieee754_log``, which is accurate to under one ulp but not correctly
rounded. About one result in sixteen differs from glibc's ``log`` (and NumPy's) in the
last bit, and the normal draws of TF.js's seeded initializers take a logarithm per pair,
so a bit-for-bit reproduction needs fdlibm's algorithm, restated here: reduce ``x`` to
``2^k · (1 + f)`` with ``1 + f`` in [√2/2, √2), write ``log(1 + f) = 2s + s·R(s²)`` with
``s = f / (2 + f)`` and ``R`` a degree-7 minimax polynomial, and add ``k·ln 2`` split in a
high part (exact in ``k·ln2_hi``) and a low part.
"""

from __future__ import annotations

import numpy as np

# ln 2 in two parts: the high part's last 32 bits are zero, so k·LN2_HI is exact.
LN2_HI = float.fromhex("0x1.62e42feep-1")
LN2_LO = float.fromhex("0x1.a39ef35793c76p-33")
TWO54 = 2.0**54
# The minimax coefficients of R(z) = LG1·z + LG2·z² + ... + LG7·z⁷ (fdlibm's Lg1..Lg7).
LG1 = float.fromhex("0x1.5555555555593p-1")
LG2 = float.fromhex("0x1.999999997fa04p-2")
LG3 = float.fromhex("0x1.2492494229359p-2")
LG4 = float.fromhex("0x1.c71c51d8e78afp-3")
LG5 = float.fromhex("0x1.7466496cb03dep-3")
LG6 = float.fromhex("0x1.39a09d078c69fp-3")
LG7 = float.fromhex("0x1.2f112df3e5244p-3")
THIRD = 0.33333333333333333


def log(values: np.ndarray) -> np.ndarray:
    """``Math.log`` of every element, bit for bit as V8 returns it (float64 in, float64 out)."""
    x = np.array(values, dtype=np.float64, copy=True).ravel()
    out = np.empty_like(x)
    special = ~(np.isfinite(x) & (x > 0))
    with np.errstate(divide="ignore", invalid="ignore"):
        out[special] = np.log(x[special])  # 0 → -inf, negatives and NaN → NaN, inf → inf
    good = ~special
    out[good] = _log_positive(x[good])
    return out.reshape(np.shape(values))


def _log_positive(x: np.ndarray) -> np.ndarray:
    """The finite, positive case (subnormals included)."""
    k = np.zeros(x.shape, dtype=np.int64)
    tiny = x < 2.0**-1022
    x = x.copy()
    x[tiny] *= TWO54
    k[tiny] -= 54
    bits = x.view(np.uint64)
    high = (bits >> np.uint64(32)).astype(np.int64)
    low = bits & np.uint64(0xFFFFFFFF)
    k += (high >> 20) - 1023
    mantissa = high & 0x000FFFFF
    # Scale to [1, 2) or, when the mantissa is past √2, to [0.5, 1): bit 20 of i says which.
    i = (mantissa + 0x95F64) & 0x100000
    scaled_high = (mantissa | (i ^ 0x3FF00000)).astype(np.uint64)
    x = ((scaled_high << np.uint64(32)) | low).view(np.float64)
    k += i >> 20
    f = x - 1.0
    dk = k.astype(np.float64)

    out = np.empty_like(f)
    near_one = (0x000FFFFF & (2 + mantissa)) < 3  # |f| < 2^-20
    if near_one.any():
        fn, kn, dn = f[near_one], k[near_one], dk[near_one]
        r = fn * fn * (0.5 - THIRD * fn)
        value = np.where(kn == 0, fn - r, dn * LN2_HI - ((r - dn * LN2_LO) - fn))
        exact = fn == 0
        value[exact] = dn[exact] * LN2_HI + dn[exact] * LN2_LO  # 0 where k is 0
        out[near_one] = value
    rest = ~near_one
    if rest.any():
        f, k, dk, mantissa = f[rest], k[rest], dk[rest], mantissa[rest]
        s = f / (2.0 + f)
        z = s * s
        w = z * z
        t1 = w * (LG2 + w * (LG4 + w * LG6))
        t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)))
        r = t2 + t1
        # Far enough from 1 on either side (by the mantissa): the half-square form.
        far = ((mantissa - 0x6147A) | (0x6B851 - mantissa)) > 0
        hfsq = 0.5 * f * f
        value = np.where(
            far,
            np.where(k == 0, f - (hfsq - s * (hfsq + r)),
                     dk * LN2_HI - ((hfsq - (s * (hfsq + r) + dk * LN2_LO)) - f)),
            np.where(k == 0, f - s * (f - r), dk * LN2_HI - ((s * (f - r) - dk * LN2_LO) - f)),
        )
        out[rest] = value
    return out
