"""Files that blocks read: only from inside the project, and never more than they need.

A block names files (`csv:`, `from:`, a model file's weight paths, `include:`); a build may
run on a checkout nobody has reviewed (a pull-request preview), and whatever a block reads
can end up on the page or in an error message. So every such path is resolved, symlinks
included, and must lie inside its root folder (the docs folder, or for quiz banks the
project's folder) and be a regular file (not a device or a pipe); otherwise the block's
error says so without reading a byte of the file.
"""

from __future__ import annotations

import os
from pathlib import Path


class OutsideError(ValueError):
    """A path that resolves outside its root folder."""


def inside(path: Path, root: Path, shown: str) -> Path:
    """``path`` with every symlink resolved, when it lies inside ``root``.

    Args:
        path: The file as named (relative parts and symlinks allowed).
        root: The folder it must be in (resolved too).
        shown: How messages name the path (what the author wrote).

    Raises:
        OutsideError: The resolved path is outside ``root``, or cannot be resolved (a
            symlink loop, a NUL character); the message names ``shown`` and the root
            folder, never the file's content or where a symlink points.
    """
    from .memo import note_file  # the page memo keys the page on every file its blocks read

    note_file(path)
    real_root = root.resolve()
    try:
        real = path.resolve()
    except (RuntimeError, ValueError, OSError):  # RuntimeError: a symlink loop (Python 3.11)
        raise OutsideError(f"{shown} cannot be followed to a file (a symlink loop, or a character "
                           "no path may hold)") from None
    if real != real_root and real_root not in real.parents:
        raise OutsideError(f"{shown} is outside the folder {real_root.name}/ (mlpages reads files only "
                           "from inside it; a symlink counts where it points)")
    return real


def not_found_or_special(path: Path, shown: str, what: str) -> str | None:
    """Why ``path`` cannot be read as a file (missing, a folder, a device, a pipe), or None."""
    try:
        if not path.exists():
            return f"{what} not found: {shown}"
        if not path.is_file():
            return f"{what} {shown} is not a regular file"
    except OSError:  # a name the system refuses (one too long) names no file
        return f"{what} not found: {shown}"
    return None


def read_at_most(path: Path, limit: int) -> bytes:
    """The first ``limit`` bytes of ``path`` (fewer when the file is shorter)."""
    with path.open("rb") as handle:
        # read(n) sets n bytes aside before reading: never ask for more than the file holds.
        return handle.read(min(limit, os.fstat(handle.fileno()).st_size))
