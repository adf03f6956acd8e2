"""A content-keyed cache of NumPy reference results.

A key is the digest of everything a result depends on (block inputs, the arrays, the
chain of earlier fits, a digest of the engine's source and NumPy's version). Entries are JSON files written
atomically; an entry that does not parse, or whose stored key or checksum disagrees,
is treated as missing and recomputed, never trusted.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from . import __version__


def _engine_version() -> str:
    """mlpages' version and a digest of the engine's source: any engine change invalidates."""
    h = hashlib.sha256(__version__.encode())
    for path in sorted((Path(__file__).resolve().parent / "engine").glob("*.py")):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return f"mlpages-{__version__}-engine-{h.hexdigest()[:16]}"


ENGINE_VERSION = _engine_version()


def digest(*parts: Any) -> str:
    """A sha256 over JSON-able parts and NumPy arrays (dtype, shape and bytes)."""
    h = hashlib.sha256()
    h.update(ENGINE_VERSION.encode())
    h.update(np.__version__.encode())
    for part in parts:
        _feed(h, part)
    return h.hexdigest()


def _feed(h: Any, part: Any) -> None:
    if isinstance(part, np.ndarray):
        arr = np.ascontiguousarray(part)
        h.update(f"nd:{arr.dtype.str}:{arr.shape}:".encode())
        h.update(arr.tobytes())
    elif isinstance(part, (list, tuple)):
        h.update(b"[")
        for item in part:
            _feed(h, item)
        h.update(b"]")
    elif isinstance(part, dict):
        h.update(b"{")
        for key in sorted(part):
            h.update(json.dumps(key).encode())
            _feed(h, part[key])
        h.update(b"}")
    else:
        h.update(json.dumps(part, sort_keys=True, default=str).encode())
    h.update(b";")


class ResultCache:
    """Results by key, in memory and, when `directory` is set, on disk."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory
        self.memory: dict[str, Any] = {}
        self.hits = 0
        self.misses = 0
        self.used: set[str] = set()

    def get(self, key: str) -> Any | None:
        """The stored value, or None when absent or corrupt."""
        self.used.add(key)
        if key in self.memory:
            self.hits += 1
            return self.memory[key]
        value = self._read(key)
        if value is None:
            self.misses += 1
        else:
            self.hits += 1
            self.memory[key] = value
        return value

    def put(self, key: str, value: Any) -> None:
        """Store a JSON-able value under `key`."""
        self.used.add(key)
        self.memory[key] = value
        if self.directory is None:
            return
        payload = json.dumps(value, separators=(",", ":"), allow_nan=True)
        entry = {
            "key": key,
            "sha256": hashlib.sha256(payload.encode()).hexdigest(),
            "value": payload,
        }
        self.directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(entry, out)
            os.replace(tmp, self._path(key))
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def _path(self, key: str) -> Path:
        assert self.directory is not None
        return self.directory / f"{key}.json"

    def _read(self, key: str) -> Any | None:
        if self.directory is None:
            return None
        try:
            entry = json.loads(self._path(key).read_text(encoding="utf-8"))
            payload = entry["value"]
            if entry["key"] != key:
                return None
            if hashlib.sha256(payload.encode()).hexdigest() != entry["sha256"]:
                return None
            return json.loads(payload)
        except (OSError, ValueError, KeyError, TypeError):
            return None
