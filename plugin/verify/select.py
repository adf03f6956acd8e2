"""Which pages and cells a verify run checks: ``--page`` and ``--cell`` globs, and
``--changed-since`` a previous JSON report, through a digest of what each page runs.

A page's inputs are what decide its results: its HTML (specs and references), the array
files it loads, the runtime's modules and the TF.js bundle. Their digest goes into the
JSON report, and a later run skips a page whose digest is unchanged since a report that
verified it.
"""

from __future__ import annotations

import hashlib
import json
import re
import urllib.parse
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from ..arrays import is_file_ref, walk
from .discover import ARRAY_FILE_SLACK_BYTES, MAX_PAGE_BYTES, Page, declared_size, parse_cells, read_url
from .knobs import read_panel

RUNTIME_ENTRY = "mlpages.js"
TFJS_BUNDLE = "vendor/tf.fesm.min.js"
_ENTRY_SRC = re.compile(r"""<script\b[^>]*\bsrc=["']([^"']*/)mlpages\.js["']""", re.I)


class ReportUnreadable(ValueError):
    """The ``--changed-since`` report cannot be read or is not a verify JSON report."""


@dataclass(frozen=True)
class Previous:
    """What a previous report says about one page.

    Attributes:
        digest: Its inputs' digest then.
        verified: Whether every cell of it was checked and passed at that digest.
        variants: The knob variants it checked, by train cell id.
    """

    digest: str
    verified: bool
    variants: dict[str, frozenset[int]] = field(default_factory=dict)


@dataclass(frozen=True)
class Selection:
    """What to check.

    Attributes:
        pages: Globs on the page's path in the site (``course/xor/index.html``); empty: all.
        cells: Globs on ``<page>::<cell>`` or the cell's name (a question's ``<quiz>/<id>``);
            empty: all.
        previous: The ``--changed-since`` report by page, or ``None``.
        previous_name: That report's file name, for the skip notes.
    """

    pages: tuple[str, ...] = ()
    cells: tuple[str, ...] = ()
    previous: dict[str, Previous] | None = None
    previous_name: str = ""

    def page_selected(self, page: str) -> bool:
        """Whether ``page`` matches a ``--page`` glob (or there is none)."""
        return not self.pages or any(fnmatchcase(page, glob) for glob in self.pages)

    def cell_selected(self, page: str, cell: str) -> bool:
        """Whether cell ``cell`` of ``page`` matches a ``--cell`` glob (or there is none)."""
        return not self.cells or any(
            fnmatchcase(f"{page}::{cell}", glob) or fnmatchcase(cell, glob) for glob in self.cells
        )

    def unchanged(self, page: str, digest: str, variants: Mapping[str, Iterable[int]] | None = None) -> bool:
        """Whether the previous report verified ``page`` at this same digest, and checked
        every knob variant in ``variants`` (by train cell id) that this run would."""
        before = (self.previous or {}).get(page)
        return (
            before is not None and before.verified and before.digest == digest
            and all(set(wanted) <= before.variants.get(cell, frozenset())
                    for cell, wanted in (variants or {}).items())
        )

    @property
    def everything(self) -> bool:
        """Whether every cell of every page is checked."""
        return not self.pages and not self.cells and self.previous is None


def read_previous(path: str | Path) -> dict[str, Previous]:
    """The pages of a verify JSON report (``--json``), by page path.

    Raises:
        ReportUnreadable: The file cannot be read, is not JSON, or has no ``pages`` list.
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ReportUnreadable(f"cannot read the report {path}: {exc}") from None
    pages = data.get("pages") if isinstance(data, dict) else None
    if not isinstance(pages, list):
        raise ReportUnreadable(f"{path} is not a JSON report of mlpages verify (no 'pages' list)")
    found = {}
    for entry in pages:
        if not isinstance(entry, dict) or not isinstance(entry.get("page"), str):
            continue
        inputs = entry.get("inputs")
        digest = inputs.get("digest") if isinstance(inputs, dict) else None
        if isinstance(digest, str):
            found[entry["page"]] = Previous(digest=digest, verified=entry.get("verified") is True,
                                            variants=_checked(entry.get("knobs")))
    return found


def _checked(knobs: Any) -> dict[str, frozenset[int]]:
    """The variants a report's page entry checked, by train cell id."""
    found: dict[str, frozenset[int]] = {}
    for entry in knobs if isinstance(knobs, list) else []:
        checked = entry.get("checked") if isinstance(entry, dict) else None
        if isinstance(entry.get("cell"), str) and isinstance(checked, list):
            found[entry["cell"]] = frozenset(i for i in checked if isinstance(i, int))
    return found


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class InputReader:
    """Reads what pages load, from a site directory or over HTTP from a deployed site,
    each shared file once per run.

    Attributes:
        target: The site directory or URL verified.
    """

    target: str
    _cache: dict[str, str | None] = field(default_factory=dict)

    def _local(self, relative: str) -> Path | None:
        """The file of a site-relative path inside the site directory, or ``None``."""
        root = Path(self.target).resolve()
        path = (root / urllib.parse.unquote(relative)).resolve()
        return path if path.is_relative_to(root) and path.is_file() else None

    def digest(self, relative: str, limit: int = MAX_PAGE_BYTES) -> str | None:
        """The sha256 of the site's file at ``relative`` (a path from the site root), or
        ``None`` when it cannot be read or holds more than ``limit`` bytes."""
        if relative not in self._cache:
            self._cache[relative] = self._read_digest(relative, limit)
        return self._cache[relative]

    def _read_digest(self, relative: str, limit: int) -> str | None:
        if self.target.startswith(("http://", "https://")):
            base = self.target if self.target.endswith("/") else self.target + "/"
            try:
                return _sha256(read_url(base + relative, base, limit, 30.0).body)
            except (OSError, ValueError):
                return None
        path = self._local(relative)
        if path is None:
            return None
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
        return _sha256(data) if len(data) <= limit else None

    def runtime_files(self, folder: str) -> list[str]:
        """The runtime's own modules and styles in ``folder`` (site-relative, ending in
        ``/``) of a site directory; over HTTP only its entry module can be named."""
        if self.target.startswith(("http://", "https://")):
            return [folder + RUNTIME_ENTRY]
        local = self._local(folder + RUNTIME_ENTRY)
        if local is None:
            return [folder + RUNTIME_ENTRY]
        return sorted(folder + p.name for p in local.parent.iterdir()
                      if p.is_file() and p.suffix in (".js", ".css"))


def _site_path(page: str, src: str) -> str | None:
    """``src`` as the page refers to it, as a path from the site root (``None``: elsewhere)."""
    joined = urllib.parse.urljoin("http://site.invalid/" + page, src)
    parts = urllib.parse.urlsplit(joined)
    if parts.netloc != "site.invalid":
        return None
    return parts.path.lstrip("/")


def page_inputs(page: Page, reader: InputReader) -> dict[str, Any]:
    """The digest of a page's inputs, and its parts (the ``inputs`` of its JSON report).

    Returns:
        ``html``: sha256 of the page's HTML; ``files``: sha256 of each array file it loads,
        by its ``src`` (``null`` when unreadable); ``runtime``: sha256 over the runtime's
        modules (name and digest of each); ``tfjs``: sha256 of the TF.js bundle;
        ``variants``: sha256 of each knob variant file of the page, by its path from the
        page (``null`` when unreadable; only for a page with knobs); ``digest``: sha256
        over all of these.
    """
    parsed = parse_cells(page.html)
    files: dict[str, str | None] = {}
    for ref in (node for cell in parsed.cells for node in walk(cell) if is_file_ref(node)):
        src = str(ref["src"])
        relative = _site_path(page.name, src)
        try:  # read no more than the check itself would (load_array_files)
            limit = declared_size(ref)[1] + ARRAY_FILE_SLACK_BYTES
        except ValueError:
            relative = None
        files[src] = reader.digest(relative, limit) if relative is not None else None
    entry = _ENTRY_SRC.search(page.html)
    folder = _site_path(page.name, entry.group(1)) if entry else None
    runtime = tfjs = None
    if folder is not None:
        parts = [f"{name} {reader.digest(name)}" for name in reader.runtime_files(folder)]
        runtime = _sha256("\n".join(parts).encode())
        tfjs = reader.digest(folder + TFJS_BUNDLE)
    inputs: dict[str, Any] = {
        "html": _sha256(page.html.encode("utf-8")),
        "files": files,
        "runtime": runtime,
        "tfjs": tfjs,
    }
    variants: dict[str, str | None] = {}
    for spec in parsed.knobs:
        try:
            panel = read_panel(spec)
        except ValueError:
            continue
        for index in range(panel.count):
            src = f"{panel.files}{index}.json"
            relative = _site_path(page.name, src)
            variants[src] = reader.digest(relative) if relative is not None else None
    if variants:
        inputs["variants"] = variants
    inputs["digest"] = _sha256(json.dumps(inputs, sort_keys=True).encode())
    return inputs


def skip_note(selection: Selection, page: str, cell_names: Iterable[str], digest: str,
              variants: Mapping[str, Iterable[int]] | None = None) -> str | None:
    """Why a whole page is not run (``None``: it runs); ``variants`` are the knob variants
    this run would check, by train cell id."""
    if not selection.page_selected(page):
        return "not selected by --page"
    if selection.cells and not any(selection.cell_selected(page, name) for name in cell_names):
        return "no cell selected by --cell"
    if selection.unchanged(page, digest, variants):
        return f"unchanged since {selection.previous_name}, which verified it"
    return None

