"""Results rows and inline values: numbers of a page bound to a cell's result.

Verify checks each like a numeric quiz question (plugin/verify/compare.py): the reference the
page shows is the bound cell's, and the browser's run of the cell matches it within the cell's
own tolerance.
"""

from __future__ import annotations

from typing import Any

from .compare import CellCheck, check_bound_value
from .discover import PageCells
from .report import CellReport


def bound_values(parsed: PageCells) -> list[tuple[CellReport, dict[str, Any]]]:
    """The page's results rows and inline values, each with its report not yet run: a row is
    ``<table>/row <n>`` (kind ``results``, id ``<table id>-row-<n>``), an inline value is named
    by its text (kind ``value``, its element's id)."""
    found = [
        (CellReport(cell_id=f"{table.get('id', '?')}-row-{i}", name=f"{table.get('name', '?')}/row {i}",
                    kind="results"), row)
        for table in parsed.results
        for i, row in enumerate(table.get("rows") or [], start=1)
        if isinstance(row, dict)
    ]
    return found + [
        (CellReport(cell_id=str(value.get("id", "?")), name=str(value.get("name", "?")), kind="value"),
         value)
        for value in parsed.values
    ]


def bound_owner(entry: CellReport) -> str:
    """The element id of the block an entry of :func:`bound_values` belongs to: a row's
    results table, or the inline value itself (knob variants name blocks by it)."""
    return entry.cell_id.rpartition("-row-")[0] if entry.kind == "results" else entry.cell_id


def check_bound(
    entry: CellReport, bound: dict[str, Any], cells: dict[str, dict[str, Any]],
    results: dict[str, dict[str, Any]] | None, epsilon: Any, datasets: dict[str, dict[str, Any]],
    note: str | None = None,
) -> CellCheck | None:
    """A results row or an inline value checked against the cell it is bound to; ``None`` (the
    entry marked skipped with ``note``, by default that the page failed) when no cell ran."""
    if results is None:
        entry.status, entry.note = "skipped", note or "not checked: the page failed"
        return None
    cell_id = str((bound.get("from") or {}).get("cell"))
    what = "results row" if entry.kind == "results" else "inline value"
    return check_bound_value(bound, entry.name, entry.cell_id, what, cells.get(cell_id),
                             results.get(cell_id), epsilon, datasets)
