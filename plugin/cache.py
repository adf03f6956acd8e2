"""A content-keyed cache of NumPy reference results.

A key is the digest of everything a result depends on (block inputs, the arrays, the
chain of earlier fits, a digest of the engine's source and NumPy's version). Entries are JSON files written
atomically; an entry that does not parse, whose stored key or checksum disagrees, or whose
structure is not what the caller needs (``get(key, valid)``, see :mod:`mlpages.refcheck`)
is treated as missing and recomputed, never trusted. A folder that cannot hold entries is
reported once and the build goes on with the references in memory.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from . import __version__
from .errors import get_logger


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
        self.hits = 0  # distinct keys found, and not found, in this build
        self.misses = 0
        self.used: set[str] = set()

    def get(self, key: str, valid: Callable[[Any], bool] | None = None) -> Any | None:
        """The stored value, or None when absent or corrupt.

        Args:
            key: The entry's key.
            valid: Whether a value read from disk has the structure the caller needs; one
                that has not is treated as missing (the caller recomputes and overwrites it).
        """
        if key in self.used:  # asked again (a knob variant's build): counted once
            return self.memory.get(key) if key in self.memory else self._get(key, valid)
        self.used.add(key)
        if key in self.memory:
            self.hits += 1
            return self.memory[key]
        value = self._get(key, valid)
        if value is None:
            self.misses += 1
        else:
            self.hits += 1
        return value

    def count_reused(self, keys: list[str]) -> None:
        """Count as found the references of a page put back whole (plugin/memo.py): its
        output holds them, as a build of its blocks would have found them here."""
        for key in keys:
            if key not in self.used:
                self.used.add(key)
                self.hits += 1

    def _get(self, key: str, valid: Callable[[Any], bool] | None) -> Any | None:
        value = self._read(key)
        if value is not None and valid is not None and not valid(value):
            value = None
        if value is not None:
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
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".tmp-", suffix=".json")
        except OSError as exc:
            self._give_up_disk(exc)
            return
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(entry, out)
            os.replace(tmp, self._path(key))
        except OSError as exc:
            Path(tmp).unlink(missing_ok=True)
            self._give_up_disk(exc)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def _give_up_disk(self, exc: OSError) -> None:
        """The folder cannot hold entries (a file is in the way, no permission, a full disk):
        say so once and keep the rest of the build's references in memory."""
        get_logger().warning(
            f"mlpages: the reference cache folder {self.directory} cannot be used "
            f"({exc.strerror or exc}); references are kept in memory for this build only "
            "(set the option cache_dir to a folder mlpages can write)")
        self.directory = None

    def _path(self, key: str) -> Path:
        assert self.directory is not None
        return self.directory / f"{key}.json"

    def _read(self, key: str) -> Any | None:
        if self.directory is None:
            return None
        path = self._path(key)
        try:
            if not path.is_file():  # nothing there, or a device or pipe that never ends
                return None
            entry = json.loads(path.read_text(encoding="utf-8"))
            if (not isinstance(entry, dict) or entry.get("key") != key
                    or not isinstance(entry.get("value"), str)):
                return None  # another key's entry (a copied file), or not an entry at all
            payload = entry["value"]
            if hashlib.sha256(payload.encode()).hexdigest() != entry.get("sha256"):
                return None
            return json.loads(payload)
        except (OSError, ValueError, RecursionError):  # RecursionError: JSON nested too deeply
            return None
