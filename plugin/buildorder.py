"""The order pages are built in: a page that reads a model another page of the same build
exports comes after that page.

A `model` block may start `from: models/x/model.json` where `models/x` is written by a
`train` block's `export:` on another page. The NumPy engine needs that model when the
reading page is converted, so the MkDocs plugin converts exporting pages first. This
module finds the dependencies by scanning the Markdown sources for the two keys; a
block it cannot read here is left to the real build to report.
"""

from __future__ import annotations

import functools
import posixpath
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from . import yaml12
from .locate import FenceIndex


class _PageFile(Protocol):
    src_uri: str
    abs_src_path: str | None


def exports_first(pages: Sequence[Any]) -> list[Any]:
    """``pages`` (MkDocs `File`s) in their order, except that a page comes after every page
    that exports a model folder it reads with `from:`. A cycle is cut where it closes (the
    build then reports the `from:` that names a model not exported yet)."""
    exporters: dict[str, list[Any]] = {}  # folder (docs-relative) -> pages exporting it
    reads: dict[str, set[str]] = {}  # page src_uri -> folders it reads
    for page in pages:
        exported, read = _scan(page)
        for folder in exported:
            exporters.setdefault(folder, []).append(page)
        reads[page.src_uri] = read
    if not exporters:
        return list(pages)
    ordered: list[Any] = []
    placed: set[str] = set()
    visiting: set[str] = set()

    def place(page: Any) -> None:
        if page.src_uri in placed or page.src_uri in visiting:
            return
        visiting.add(page.src_uri)
        for folder in sorted(reads[page.src_uri]):
            for exporter in exporters.get(folder, []):
                place(exporter)
        visiting.discard(page.src_uri)
        placed.add(page.src_uri)
        ordered.append(page)

    for page in pages:
        place(page)
    return ordered


def in_build_reads(pages: Sequence[Any]) -> set[str]:
    """The src_uri of each page that reads, with `from:`, a model folder that a page of
    `pages` exports (it needs that page converted first)."""
    scanned = {page.src_uri: _scan(page) for page in pages}
    exported = {folder for out, _ in scanned.values() for folder in out}
    return {uri for uri, (_, read) in scanned.items() if read & exported}


def _scan(page: _PageFile) -> tuple[set[str], set[str]]:
    """The model folders a page exports and reads, relative to the docs directory."""
    if not page.src_uri.endswith(".md") or not page.abs_src_path:
        return set(), set()
    try:
        text = Path(page.abs_src_path).read_text(encoding="utf-8-sig")
    except OSError:
        return set(), set()
    if "export" not in text and "from" not in text:
        return set(), set()
    exported, read = _scan_text(page.src_uri, text)
    return set(exported), set(read)


@functools.lru_cache(maxsize=1024)  # every build scans every page twice; serve, every reload
def _scan_text(src_uri: str, text: str) -> tuple[frozenset[str], frozenset[str]]:
    here = posixpath.dirname(src_uri)
    exported: set[str] = set()
    read: set[str] = set()
    for site in FenceIndex.scan(text, {"train", "model"}).sites:
        if "export" not in site.body and "from" not in site.body:
            continue
        try:
            body = yaml12.load(site.body)
        except yaml12.YamlError:
            continue
        if not isinstance(body, dict):
            continue
        if site.kind == "train" and isinstance(body.get("export"), str):
            exported.add(posixpath.normpath(posixpath.join(here, body["export"].strip().rstrip("/"))))
        if site.kind == "model" and isinstance(body.get("from"), str):
            read.add(posixpath.dirname(posixpath.normpath(posixpath.join(here, body["from"].strip()))))
    return frozenset(exported), frozenset(read)
