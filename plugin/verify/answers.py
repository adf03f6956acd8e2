"""Check the shape of what a page's ``window.mlpages`` answers before anything is compared.

The page's own JavaScript produces these answers, and a broken or hostile page can
answer anything JSON can hold. Every field verify reads later is checked here against
the page contract (docs/reference/page-contract.md, "window.mlpages"), so a malformed
answer fails its page with a message instead of crashing the run or passing for a
numeric mismatch. Values of the right type but the wrong size or content are left to
the comparison.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

NON_FINITE = frozenset({"NaN", "Infinity", "-Infinity"})
"""How a non-finite number reaches verify (JSON has none): as one of these strings."""
STATUSES = frozenset({"ok", "error", "stopped"})


class MalformedAnswer(ValueError):
    """The page answered something the page contract does not allow; the message says what."""


def _type(value: Any) -> str:
    """The JSON name of ``value``'s type, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _is_number(value: Any) -> bool:
    """A number as the page sends it: finite, ``null`` (NaN lost on the way) or a non-finite name."""
    if isinstance(value, bool):
        return False
    return value is None or isinstance(value, int | float) or (isinstance(value, str) and value in NON_FINITE)


def _numbers(where: str, value: Any) -> None:
    if not isinstance(value, list):
        raise MalformedAnswer(f"{where} is {_type(value)}, not a list of numbers")
    for i, item in enumerate(value):
        if not _is_number(item):
            raise MalformedAnswer(f"{where}[{i}] is {_type(item)}, not a number")


def _array(where: str, value: Any) -> None:
    """A ``{"shape", "data"}`` array: ``data`` numbers, ``shape`` (optional) whole numbers."""
    if not isinstance(value, dict):
        raise MalformedAnswer(f"{where} is {_type(value)}, not a {{shape, data}} object")
    shape = value.get("shape")
    if shape is not None and not (
        isinstance(shape, list)
        and all(isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape)
    ):
        raise MalformedAnswer(f"{where}.shape is not a list of whole numbers: {str(shape)[:60]}")
    if "data" in value:
        _numbers(f"{where}.data", value["data"])


def _arrays(where: str, value: Any) -> None:
    if not isinstance(value, list):
        raise MalformedAnswer(f"{where} is {_type(value)}, not a list of arrays")
    for i, item in enumerate(value):
        _array(f"{where}[{i}]", item)


def _named_arrays(where: str, value: Any) -> None:
    if not isinstance(value, dict):
        raise MalformedAnswer(f"{where} is {_type(value)}, not an object of arrays")
    for key, item in value.items():
        _array(f"{where}.{key}", item)


def _strings(where: str, value: Any) -> None:
    items = value.values() if isinstance(value, dict) else value
    if not isinstance(value, dict | list) or not all(isinstance(s, str) for s in items):
        raise MalformedAnswer(f"{where} is {_type(value)}, not a list or object of strings")


def _history(where: str, value: Any) -> None:
    if not isinstance(value, dict):
        raise MalformedAnswer(f"{where} is {_type(value)}, not an object of lists")
    for key, series in value.items():
        _numbers(f"{where}.{key}", series)


def _timings(where: str, value: Any) -> None:
    if not isinstance(value, dict):
        raise MalformedAnswer(f"{where} is {_type(value)}, not an object of numbers")
    for key, item in value.items():
        if not _is_number(item):
            raise MalformedAnswer(f"{where}.{key} is {_type(item)}, not a number")


def _boolean(where: str, value: Any) -> None:
    if not isinstance(value, bool):
        raise MalformedAnswer(f"{where} is {_type(value)}, not true or false")


def _string(where: str, value: Any) -> None:
    if not isinstance(value, str):
        raise MalformedAnswer(f"{where} is {_type(value)}, not a string")


def _number(where: str, value: Any) -> None:
    if not _is_number(value):
        raise MalformedAnswer(f"{where} is {_type(value)}, not a number")


# The optional fields of a result and their checks; absent or null fields are left to the
# comparison (a missing quantity is a mismatch there).
_FIELDS: dict[str, Callable[[str, Any], None]] = {
    "comparable": _boolean,
    "epsilon": _number,
    "history": _history,
    "weights": _arrays,
    "initialPredictions": _array,
    "predictions": _array,
    "accuracy": _number,
    "outputs": _arrays,
    "values": _named_arrays,  # tfjs cells
    "others": _strings,
    "output": _strings,
    "timings": _timings,
    "error": _string,
    "backend": _string,
    "kind": _string,
    "name": _string,
}


def check_result(where: str, result: Any) -> dict[str, Any]:
    """One cell's result, checked; ``where`` names it in messages.

    Raises:
        MalformedAnswer: It is not an object with a string ``id`` and a known ``status``,
            or a field it has holds the wrong type.
    """
    if not isinstance(result, dict):
        raise MalformedAnswer(f"{where} is {_type(result)}, not a result object")
    cell_id = result.get("id")
    if not isinstance(cell_id, str):
        raise MalformedAnswer(f"{where} has no string id (id: {_type(cell_id)})")
    where = f"the result of {cell_id[:80]}"
    status = result.get("status")
    if status not in STATUSES:
        raise MalformedAnswer(
            f"{where}: status {str(status)[:40]!r}, not one of {', '.join(sorted(STATUSES))}"
        )
    for key, check in _FIELDS.items():
        if result.get(key) is not None:
            check(f"{where}: {key}", result[key])
    return result


def check_results(value: Any) -> dict[str, dict[str, Any]]:
    """What ``runAll()`` resolved to, checked: the results by cell id.

    Raises:
        MalformedAnswer: It is not a list of result objects (an object of them, by id, is
            accepted too), or one of them is malformed (:func:`check_result`).
    """
    if isinstance(value, dict):
        value = list(value.values())
    if not isinstance(value, list):
        raise MalformedAnswer(f"runAll() resolved to {_type(value)}, not a list of results")
    results: dict[str, dict[str, Any]] = {}
    for i, item in enumerate(value):
        result = check_result(f"runAll() result {i + 1}", item)
        results[result["id"]] = result
    return results


def check_environment(value: Any) -> dict[str, Any]:
    """What ``environment()`` returned, checked: an object with a string ``backend``.

    Raises:
        MalformedAnswer: It is something else, or its ``epsilon`` is not a number.
    """
    if not isinstance(value, dict):
        raise MalformedAnswer(f"environment() returned {_type(value)}, not an object")
    if not isinstance(value.get("backend"), str):
        raise MalformedAnswer(f"environment(): backend is {_type(value.get('backend'))}, not a string")
    epsilon = value.get("epsilon")
    if epsilon is not None and not (isinstance(epsilon, int | float) and not isinstance(epsilon, bool)):
        raise MalformedAnswer(f"environment(): epsilon is {_type(epsilon)}, not a number")
    return value
