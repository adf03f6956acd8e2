"""The engine's author-facing error and its did-you-mean helper."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class EngineError(ValueError):
    """A mistake in a model, compile or fit specification, worded for the page author."""


def unknown(kind: str, name: object, choices: Iterable[str], hint: str = "") -> EngineError:
    """Builds the error for an unknown name, suggesting the closest valid one.

    Args:
        kind: What was named, e.g. ``"activation"``.
        name: The name the author wrote.
        choices: The valid names.
        hint: An explicit suggestion that takes precedence over difflib's guess.

    Returns:
        An ``EngineError`` such as ``unknown activation 'tanhh' (did you mean 'tanh'?)``.
    """
    options = sorted(choices)
    guess = hint
    if not guess and isinstance(name, str):
        close = difflib.get_close_matches(name, options, n=1, cutoff=0.6)
        if not close:
            lowered = {o.lower(): o for o in options}
            close = difflib.get_close_matches(name.lower(), list(lowered), n=1, cutoff=0.6)
            close = [lowered[c] for c in close]
        guess = close[0] if close else ""
    suffix = f" (did you mean '{guess}'?)" if guess else f" (expected one of {', '.join(options)})"
    return EngineError(f"unknown {kind} {name!r}{suffix}")
