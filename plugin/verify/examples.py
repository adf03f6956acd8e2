"""The author's example inputs of predict cells (`examples:` on the block): verify predicts
each one in the page with ``window.mlpages.predictInput(cell, input)`` — the function the
cell's live input calls — and compares the outputs with the references' ``examples``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

EXAMPLES_STEP = "predictInputs"


def example_inputs(cells: Iterable[Mapping[str, Any]], results: Any) -> list[list[Any]]:
    """``[[cell id, [input, …]], …]``: the examples, as flat rows in raw units, of each predict
    cell that has a result in ``results`` (the list ``runAll()`` or ``run()`` gave)."""
    only = {str(r.get("id")) for r in results if isinstance(r, dict)} if isinstance(results, list) else set()
    wanted: list[list[Any]] = []
    for spec in cells:
        examples = spec.get("examples")
        if spec.get("kind") != "predict" or not isinstance(examples, Mapping):
            continue
        if spec.get("id") not in only:
            continue
        shape, data = examples.get("shape"), examples.get("data")
        if not isinstance(shape, list) or not shape or not isinstance(data, list):
            continue
        n = int(shape[0])
        width = len(data) // n if n else 0
        wanted.append([spec.get("id"), [data[i * width:(i + 1) * width] for i in range(n)]])
    return wanted


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str) and value in ("NaN", "Infinity", "-Infinity"):
        return float(value)
    return None


def attach_examples(results: Any, answers: Any) -> Any:
    """Put each cell's predicted examples on its result as ``examples`` ({shape, data}), or
    the page's reason it could not predict them as ``examplesError``."""
    if not isinstance(results, list):
        return results
    by_id = {r.get("id"): r for r in results if isinstance(r, dict)}
    for answer in answers if isinstance(answers, list) else []:
        if not isinstance(answer, dict) or answer.get("id") not in by_id:
            continue
        result = by_id[answer["id"]]
        outputs = answer.get("outputs")
        if answer.get("error") is not None or not isinstance(outputs, list) or not outputs:
            result["examplesError"] = str(answer.get("error") or "predictInput() returned no outputs")[:300]
            continue
        rows = [[_number(v) for v in row] if isinstance(row, list) else [None] for row in outputs]
        widths = {len(row) for row in rows}
        if len(widths) != 1 or any(v is None for row in rows for v in row):
            result["examplesError"] = "predictInput() returned outputs that are not rows of numbers"
            continue
        result["examples"] = {"shape": [len(rows), widths.pop()], "data": [v for row in rows for v in row]}
    return results
