"""Running an author's Python code at build time (a `dataset` block's `loader:`).

Author code may fail in any way: raise any exception, fail to import (a syntax error, an
exception at module level), or call ``sys.exit``, which would otherwise end ``mkdocs
build`` early, with exit status 0 and a half-written site. :func:`run_author_code` turns
every such outcome into the block's :class:`~mlpages.errors.BlockError`, so the build
reports it at the block's ``file:line`` and ``--strict`` fails. Only ``KeyboardInterrupt``
passes through, so that Ctrl-C still stops the build.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from .errors import BlockError, shorten

T = TypeVar("T")

# How much of an exception's text a message repeats: enough to recognise it, not a dump.
MESSAGE_MAX = 300


def run_author_code(call: Callable[..., T], *args: Any, what: str, key: str | None = None) -> T:
    """``call(*args)``, with any exception or exit from it raised as a :class:`BlockError`.

    Args:
        call: The author's code (or the import that runs it).
        *args: Passed to ``call``.
        what: How the message starts, e.g. ``loader 'data:load' failed``; the exception's
            type and text follow it.
        key: The block key the error points at (e.g. ``loader``).

    Raises:
        BlockError: ``call`` raised anything but ``KeyboardInterrupt`` (``SystemExit`` too).
    """
    try:
        return call(*args)
    except KeyboardInterrupt:
        raise
    except SystemExit as exc:
        code = shorten(repr(exc.code), MESSAGE_MAX)
        raise BlockError(f"{what}: it called sys.exit({code}); code run at build must return its "
                         "result, not exit", key=key) from None
    except BaseException as exc:  # noqa: BLE001 (author code: any failure is the block's error)
        text = shorten(str(exc), MESSAGE_MAX)
        raise BlockError(f"{what}: {type(exc).__name__}{': ' + text if text else ''}", key=key) from None
