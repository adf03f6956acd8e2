"""The engine's author-facing error and the wording of an unknown name."""

from __future__ import annotations

from collections.abc import Iterable

from ..errors import closest


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
        close = closest(name, options)
        if close is None:
            lowered = {o.lower(): o for o in options}
            close = closest(name.lower(), lowered)
            close = lowered[close] if close is not None else None
        guess = close or ""
    suffix = f" (did you mean '{guess}'?)" if guess else f" (expected one of {', '.join(options)})"
    return EngineError(f"unknown {kind} {name!r}{suffix}")
