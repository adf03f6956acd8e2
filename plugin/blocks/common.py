"""Validation helpers shared by the block kinds."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ..contract import DEFAULT_TOLERANCE
from ..errors import BlockError, KeyPath, did_you_mean

FLOAT32_MAX = 3.4028234663852886e38


def check_keys(
    data: Mapping[str, Any],
    allowed: Iterable[str],
    unsupported: Mapping[str, str] | None = None,
    where: str = "",
    key: KeyPath | str | None = None,
) -> None:
    """Unknown keys are errors with a did-you-mean; known-but-unsupported keys say why.

    `key` places the error: a top-level key for every key of `data`, or the path of `data`
    itself, to which the offending key is added (the error is then at that key's line).
    """
    allowed = list(allowed)
    unsupported = unsupported or {}
    for k in data:
        if k in allowed:
            continue
        prefix = f"{where}: " if where else ""
        at = (*key, k) if isinstance(key, tuple) else key or str(k)
        if k in unsupported:
            raise BlockError(f"{prefix}'{k}' is not supported by mlpages: {unsupported[k]}", key=at)
        raise BlockError(
            f"{prefix}unknown key '{k}'{did_you_mean(str(k), allowed)}; allowed: {', '.join(allowed)}",
            key=at,
        )


def require(data: Mapping[str, Any], key: str, what: str) -> Any:
    if data.get(key) is None:
        raise BlockError(f"missing '{key}' ({what})", key=key)
    return data[key]


def integer(data: Mapping[str, Any], key: str, default: int | None, minimum: int = 0) -> int:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise BlockError(f"'{key}' must be an integer, got {value!r}", key=key)
    if value < minimum:
        raise BlockError(f"'{key}' must be at least {minimum}, got {value}", key=key)
    return value


def number(data: Mapping[str, Any], key: str, default: float | None, where: str = "",
           positive: bool = False) -> float:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not _finite32(value):
        prefix = f"{where}: " if where else ""
        raise BlockError(f"{prefix}'{key}' must be a number, got {value!r}", key=key)
    if positive and value <= 0:
        raise BlockError(f"'{key}' must be positive, got {value}", key=key)
    return float(value)


def boolean(data: Mapping[str, Any], key: str, default: bool) -> bool:
    value = data.get(key, default)
    if not isinstance(value, bool):
        raise BlockError(
            f"'{key}' must be true or false, got {value!r} (YAML 1.2: yes/no/on/off are strings)",
            key=key,
        )
    return value


def choice(data: Mapping[str, Any], key: str, options: Iterable[str], default: str | None) -> str:
    options = list(options)
    value = data.get(key, default)
    if value not in options:
        raise BlockError(
            f"'{key}' must be one of {', '.join(options)}, got {value!r}{did_you_mean(str(value), options)}",
            key=key,
        )
    return value


def tolerance(data: Mapping[str, Any]) -> dict[str, float]:
    """The cell's tolerance: the default, overridden by `tolerance: {rtol, atol}`."""
    raw = data.get("tolerance")
    if raw is None:
        return dict(DEFAULT_TOLERANCE)
    if not isinstance(raw, Mapping):
        raise BlockError("'tolerance' must be a mapping like {rtol: 1.0e-3, atol: 1.0e-5}", key="tolerance")
    check_keys(raw, ["rtol", "atol"], where="tolerance", key=("tolerance",))
    out = dict(DEFAULT_TOLERANCE)
    for k in raw:
        value = raw[k]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise BlockError(f"tolerance: '{k}' must be a non-negative number, got {value!r}",
                             key=("tolerance", k))
        out[k] = float(value)
    return out


def matrix(value: Any, key: str) -> list[list[float]]:
    """A rectangular list of rows of numbers (a flat list is one column)."""
    if not isinstance(value, list) or not value:
        raise BlockError(f"'{key}' must be a non-empty list of rows, e.g. [[0, 1], [1, 0]]", key=key)
    rows = [row if isinstance(row, list) else [row] for row in value]
    width = len(rows[0])
    for i, row in enumerate(rows):
        if len(row) != width:
            raise BlockError(
                f"'{key}' row {i + 1} has {len(row)} values but row 1 has {width}; "
                "rows must have equal length",
                key=(key, i),
            )
        for v in row:
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not _finite32(v):
                raise BlockError(f"'{key}' row {i + 1} holds {v!r}, which is not a number", key=(key, i))
    return rows


def _finite32(value: float) -> bool:
    """Whether a number stays finite as float32, the precision pages compute in."""
    return math.isfinite(value) and abs(value) <= FLOAT32_MAX


def is_file(path: Path) -> bool:
    """Whether `path` names a file; a name the system refuses (one too long) names none."""
    try:
        return path.is_file()
    except OSError:
        return False
