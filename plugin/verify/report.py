"""What a verify run found, and how it is shown: a table, JUnit XML, JSON."""

from __future__ import annotations

import dataclasses
import json
import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ..html import encode_nonfinite
from .compare import Mismatch
from .knobs import Variant

EXIT_OK = 0
EXIT_MISMATCH = 1
EXIT_USAGE = 2
EXIT_ENVIRONMENT = 3
EXIT_PAGE_FAILURE = 4

MISMATCHES_SHOWN = 5
BOUND_KINDS = frozenset({"results", "value"})  # report entries of bound numbers, not cells

CellStatus = Literal["passed", "mismatch", "error", "skipped"]


@dataclass
class CellReport:
    """One cell of one page.

    Attributes:
        cell_id: The cell's element id.
        name: The cell's name.
        kind: ``dataset``, ``model``, ``train``, ``predict`` or ``convolution``; ``quiz`` for a
            numeric quiz question (``name`` ``<quiz>/<question id>``), ``results`` for a results
            row (``<table>/row <n>``) and ``value`` for an inline value (its text), each checked
            against its bound cell.
        status: ``passed``, ``mismatch`` (a value out of band), ``error`` (no comparable
            result) or ``skipped`` (the page failed before its cells ran).
        mismatches: Every disagreement found.
        note: Why the cell did not pass, in a few words.
        max_rel_diff: The largest relative difference seen.
        time_ms: The cell's run time as the page measured it.
        banded: How many values were checked within a band of NumPy runs rather than
            against one reference (training with dropout that has no seed).
        variant: The knob variant the cell was checked in, for a cell that a train cell's
            knobs change (``default`` true: the page as served); ``None`` for any other.
    """

    cell_id: str
    name: str
    kind: str
    status: CellStatus = "passed"
    mismatches: list[Mismatch] = field(default_factory=list)
    note: str = ""
    max_rel_diff: float | None = None
    time_ms: float | None = None
    banded: int = 0
    variant: Variant | None = None


@dataclass
class KnobsChecked:
    """The variants of one knob cell (a train cell's knobs) and which of them were checked.

    Attributes:
        cell: The train cell's element id.
        name: The train cell's name.
        count: How many variants its knobs make.
        default: The author's variant, the page as served.
        checked: The variants whose run was compared with their references, in the order
            they ran (the default first); of a page skipped as unchanged, those the earlier
            report checked at the same inputs.
    """

    cell: str
    name: str
    count: int
    default: int
    checked: list[int] = field(default_factory=list)


@dataclass
class PageReport:
    """One page.

    Attributes:
        page: The page's path relative to the site root.
        url: The URL the browser opened.
        cells: The page's cells in page order.
        errors: Page failures: author error blocks, timeouts, a wrong backend, a crash.
        environment: What ``window.mlpages.environment()`` returned.
        console: The browser's console log entries.
        artifacts: Files written for this page (screenshot, console log).
        seconds: Wall time spent on the page.
        skipped: Why the page was not run (``--page``, ``--cell``, ``--changed-since``);
            empty when it ran.
        inputs: The digest of what the page runs, and its parts (``html``, ``files``,
            ``runtime``, ``tfjs``, ``digest``; :func:`mlpages.verify.select.page_inputs`).
        verified: Whether every cell of the page was checked and passed at these inputs,
            in this run or (skipped as unchanged) in the report it was compared with.
        knobs: The page's knob cells and which of their variants were checked.
    """

    page: str
    url: str | None = None
    cells: list[CellReport] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    environment: dict[str, Any] | None = None
    console: list[dict[str, Any]] = field(default_factory=list)
    artifacts: list[str] = field(default_factory=list)
    seconds: float = 0.0
    skipped: str = ""
    inputs: dict[str, Any] | None = None
    verified: bool = False
    knobs: list[KnobsChecked] = field(default_factory=list)

    @property
    def has_mismatch(self) -> bool:
        """Whether a cell computed a value outside its reference's band."""
        return any(c.status == "mismatch" for c in self.cells)

    @property
    def has_failure(self) -> bool:
        """Whether the page or a cell failed other than by a value out of band."""
        return bool(self.errors) or any(c.status == "error" for c in self.cells)

    @property
    def passed(self) -> bool:
        """Whether everything on the page passed."""
        return not self.has_mismatch and not self.has_failure


@dataclass
class Report:
    """A whole verify run.

    Attributes:
        target: The site directory or URL verified.
        pages: One report per page with cells.
        environment_error: Why nothing could run (no browser, no site, no pages).
    """

    target: str
    pages: list[PageReport] = field(default_factory=list)
    environment_error: str | None = None

    @property
    def exit_code(self) -> int:
        """0 passed, 1 a numeric mismatch, 4 page failures only, 3 environment error."""
        if self.environment_error:
            return EXIT_ENVIRONMENT
        if any(p.has_mismatch for p in self.pages):
            return EXIT_MISMATCH
        if any(p.has_failure for p in self.pages):
            return EXIT_PAGE_FAILURE
        return EXIT_OK

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data."""
        data = dataclasses.asdict(self)
        data["exit_code"] = self.exit_code
        return data


def _cell_note(cell: CellReport) -> str:
    if cell.note:
        return cell.note
    parts = []
    if cell.max_rel_diff is not None:
        parts.append(f"max rel diff {cell.max_rel_diff:.2e}")
    if cell.banded:
        parts.append(f"{cell.banded} within a band of NumPy runs (unseeded dropout)")
    return ", ".join(parts)


def _short(text: str, width: int = 72) -> str:
    """The first line of ``text``, cut to ``width`` characters (the table stays readable)."""
    line = text.strip().split("\n", 1)[0]
    return line if len(line) <= width else line[: width - 1] + "…"


def mismatch_lines(page: str, mismatches: list[Mismatch], variant: Variant | None = None) -> list[str]:
    """Report lines: the first few per quantity, then how many more there are; each names
    the knob variant they were found in, if any."""
    page = f"{page}: {variant.label}" if variant is not None else page
    by_quantity: dict[str, list[Mismatch]] = defaultdict(list)
    for mismatch in mismatches:
        by_quantity[mismatch.quantity].append(mismatch)
    lines = []
    for group in by_quantity.values():
        lines += [f"{page}: {m.describe()}" for m in group[:MISMATCHES_SHOWN]]
        if len(group) > MISMATCHES_SHOWN:
            first = group[0]
            lines.append(
                f"{page}: cell {first.cell} ({first.cell_id}): {first.quantity}: "
                f"{len(group)} elements out of band in all, {MISMATCHES_SHOWN} shown"
            )
    return lines


def page_failure_text(page: PageReport) -> list[str]:
    """Every failure line of a page: page errors, then cell mismatches and errors."""
    lines = [f"{page.page}: {error}" for error in page.errors]
    for cell in page.cells:
        lines += mismatch_lines(page.page, cell.mismatches, cell.variant)
    if page.artifacts:
        lines.append(f"{page.page}: artifacts: {', '.join(page.artifacts)}")
    return lines


def format_table(report: Report) -> str:
    """A per-page, per-cell table, failure details and a summary line."""
    rows = [("page", "cell", "kind", "status", "max rel diff / note", "time")]
    for page in report.pages:
        page_status = "error" if page.errors else "skipped" if page.skipped else "ok"
        page_note = "; ".join(page.errors) or page.skipped or str((page.environment or {}).get("backend", ""))
        rows.append((page.page, "(page)", "", page_status, _short(page_note), f"{page.seconds:.1f} s"))
        shown: Variant | None = None
        for cell in page.cells:
            variant = cell.variant if cell.variant is not None and not cell.variant.default else None
            if variant is not None and variant != shown:
                rows.append(("", f"(variant {variant.index} of {variant.name})", "", "",
                             _short(variant.words), ""))
            shown = variant
            time = "" if cell.time_ms is None else f"{cell.time_ms / 1000:.2f} s"
            name = f"  {cell.name}" if variant is not None else cell.name
            rows.append(("", name, cell.kind, cell.status, _short(_cell_note(cell)), time))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    lines = [
        "  ".join(value.ljust(width) for value, width in zip(row, widths, strict=False))
        + "  "
        + row[-1]
        for row in rows
    ]
    failures = [line for page in report.pages for line in page_failure_text(page)]
    if failures:
        lines += ["", "Failures:", *("  " + line for line in failures)]
    lines += ["", summary_line(report)]
    return "\n".join(line.rstrip() for line in lines)


def summary_line(report: Report) -> str:
    """One line: pages, cells by status, and the verdict."""
    if report.environment_error:
        return f"mlpages verify: environment error: {report.environment_error}"
    cells = [c for p in report.pages for c in p.cells]
    statuses = ("passed", "mismatch", "error", "skipped")
    counts = {s: sum(c.status == s for c in cells) for s in statuses}
    failed_pages = sum(not p.passed for p in report.pages)
    skipped_pages = sum(bool(p.skipped) for p in report.pages)
    pages = f"{len(report.pages)} pages ({failed_pages} failed"
    pages += f", {skipped_pages} skipped)" if skipped_pages else ")"
    verdict = "passed" if report.exit_code == EXIT_OK else "FAILED"
    questions = sum(c.kind == "quiz" for c in cells)
    numbers = sum(c.kind in BOUND_KINDS for c in cells)
    checked = f"{len(cells) - questions - numbers} cells"
    if questions:
        checked += f", {questions} quiz question{'s' if questions != 1 else ''}"
    if numbers:
        checked += f", {numbers} bound number{'s' if numbers != 1 else ''}"
    checked = " and ".join(checked.rsplit(", ", 1))
    line = (
        f"mlpages verify {verdict}: {pages}, "
        f"{checked}: {counts['passed']} passed, {counts['mismatch']} mismatched, "
        f"{counts['error']} errors, {counts['skipped']} not run"
    )
    knobs = [k for p in report.pages for k in p.knobs]
    if knobs:  # a page skipped as unchanged carries what the earlier run checked: not this run's
        done = sum(len(k.checked) for p in report.pages if not p.skipped for k in p.knobs)
        line += f"; {done} of {sum(k.count for k in knobs)} variants checked"
    return line


def case_name(cell: CellReport) -> str:
    """A cell's name in JUnit XML and pytest: ``fit (mlp-x-fit)``, and the knob variant it
    was checked in, if any: ``fit (mlp-x-fit) [variant 3 of fit (epochs 10, …)]``."""
    name = f"{cell.name} ({cell.cell_id})"
    return f"{name} [{cell.variant.label}]" if cell.variant is not None else name


def junit_xml(report: Report) -> ET.ElementTree:
    """JUnit XML: one testsuite, a testcase ``page`` per page and one per cell.

    Numeric mismatches are ``<failure>``s; cells and pages that could not be compared
    are ``<error>``s; cells of a page that failed before running are ``<skipped>``.
    """
    suite = ET.Element("testsuite", name="mlpages verify")
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    total_time = 0.0

    def add(classname: str, name: str, seconds: float) -> ET.Element:
        counts["tests"] += 1
        return ET.SubElement(
            suite, "testcase", classname=classname, name=name, time=f"{seconds:.3f}"
        )

    if report.environment_error:
        case = add("mlpages verify", "environment", 0.0)
        counts["errors"] += 1
        ET.SubElement(case, "error", type="environment", message=report.environment_error)
    for page in report.pages:
        total_time += page.seconds
        page_case = add(page.page, "page", page.seconds)
        if page.skipped:
            counts["skipped"] += 1
            ET.SubElement(page_case, "skipped", message=page.skipped)
        if page.errors:
            counts["errors"] += 1
            error = ET.SubElement(page_case, "error", type="page", message=page.errors[0])
            error.text = "\n".join(
                [f"{page.page}: {e}" for e in page.errors]
                + [f"{page.page}: artifacts: {a}" for a in page.artifacts]
            )
        if page.console and not page.passed:
            ET.SubElement(page_case, "system-out").text = format_console(page.console)
        for cell in page.cells:
            case = add(page.page, case_name(cell), (cell.time_ms or 0) / 1000)
            if cell.status == "skipped":
                counts["skipped"] += 1
                ET.SubElement(case, "skipped", message=cell.note)
            elif cell.status in ("mismatch", "error"):
                tag = "failure" if cell.status == "mismatch" else "error"
                counts["failures" if tag == "failure" else "errors"] += 1
                element = ET.SubElement(case, tag, type=cell.status, message=_cell_note(cell))
                element.text = "\n".join(mismatch_lines(page.page, cell.mismatches, cell.variant))
    for key, value in counts.items():
        suite.set(key, str(value))
    suite.set("time", f"{total_time:.3f}")
    ET.indent(suite)
    return ET.ElementTree(suite)


def format_console(entries: list[dict[str, Any]]) -> str:
    """Browser console entries, one a line: ``LEVEL source message``."""
    return "\n".join(
        f"{e.get('level', '?')} {e.get('source', '')} {e.get('message', '')}".replace("  ", " ")
        for e in entries
    )


def write_junit(report: Report, path: str | Path) -> None:
    """Write :func:`junit_xml` to ``path``."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    junit_xml(report).write(path, encoding="utf-8", xml_declaration=True)


def write_json(report: Report, path: str | Path) -> None:
    """Write the report as JSON to ``path``."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    # Non-finite floats as the page contract writes them (strict JSON).
    text = json.dumps(encode_nonfinite(report.to_dict()), indent=2, default=str, allow_nan=False)
    Path(path).write_text(text, encoding="utf-8")

