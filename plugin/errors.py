"""Author-facing errors: every message names the Markdown file and line."""

from __future__ import annotations

import difflib
import logging
from collections.abc import Callable, Iterable
from typing import Any

LOGGER_NAME = "mkdocs.plugins.mlpages"
KeyPath = tuple[Any, ...]


def get_logger() -> logging.Logger:
    """The logger whose warnings make `mkdocs build --strict` fail."""
    return logging.getLogger(LOGGER_NAME)


def closest(word: str, options: Iterable[str]) -> str | None:
    """The option most like ``word`` (difflib's ratio of at least 0.6), or ``None``."""
    match = difflib.get_close_matches(str(word), list(options), n=1, cutoff=0.6)
    return match[0] if match else None


def did_you_mean(word: str, options: Iterable[str], quote: Callable[[str], str] = "'{}'".format) -> str:
    """A ` (did you mean 'x'?)` suffix when a close option exists, else ``''``.

    ``quote`` writes the suggestion as the rest of the message quotes names (``repr`` for
    messages that show the author's value with ``!r``).
    """
    match = closest(word, options)
    return f" (did you mean {quote(match)}?)" if match is not None else ""


class BlockError(Exception):
    """An author's mistake in one block.

    Args:
        message: What is wrong, and the fix where there is one.
        key: Where in the block's YAML the mistake is, used to point at its line: a
            top-level key (``"layers"``) or the path of a nested value, mapping keys and
            list indices from the top (``("layers", 1, "dense")``). The message is placed
            at the line of the deepest part of the path that the block has.
        line: The Markdown file's line the mistake is on, where no key places it (code run
            at build: the line that raised); it wins over ``key``.
    """

    def __init__(self, message: str, key: str | KeyPath | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.key = key
        self.line = line


def shorten(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters (the last one an ellipsis): what a message quotes
    of a file's content or of an exception, so that it repeats little of either."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def format_location(path: str, line: int | None, kind: str, name: str | None, message: str) -> str:
    """`path:line: kind 'name': message`, the one format authors see."""
    return f"{format_block(path, line, kind, name)}: {message}"


def format_block(path: str, line: int | None, kind: str, name: str | None) -> str:
    """`path:line: kind 'name'`: which block a message is about."""
    where = f"{path}:{line}" if line else path
    label = f"{kind} '{name}'" if name else kind
    return f"{where}: {label}"


def key_path(key: str | KeyPath | None) -> KeyPath:
    """A :class:`BlockError` key as a path: ``"layers"`` is ``("layers",)``."""
    if key is None:
        return ()
    return key if isinstance(key, tuple) else (key,)


def key_line(lines: dict[tuple[Any, ...], int], path: tuple[Any, ...], fence_line: int) -> int:
    """The file line of the deepest part of `path` in the block body, else the fence's line."""
    for end in range(len(path), 0, -1):
        where = lines.get(path[:end])
        if where is not None:
            return fence_line + 1 + where
    return fence_line
