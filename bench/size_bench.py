"""Benchmark (e): bytes the CNN demo page transfers, gzip-compressed.

The page (docs/course/cnn-digits.md) carries a 2,000-image digits dataset. Counted: the
page's own HTML (the cell specs with their NumPy references are inside it) and the array
files its specs refer to; not counted: TF.js, the mlpages runtime and the theme's assets,
which every page shares and the browser caches. Target (issue 4): at most 1 MB. For
comparison, the same page built with every array inline (no array files).

The demo course is built in-process with its own mkdocs.yml (Material theme); gzip at
level 6, a common server default.
"""

from __future__ import annotations

import gzip
import logging
import shutil
import tempfile
from pathlib import Path

import mlpages.arrays
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mlpages.arrays import is_file_ref, walk
from mlpages.verify.discover import parse_cells

ROOT = Path(__file__).resolve().parent.parent
PAGE = Path("course") / "cnn-digits" / "index.html"
LIMIT = 1_000_000


def gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6))


def _build(project: Path) -> Path:
    site = project / "site"
    build(load_config(str(project / "mkdocs.yml"), site_dir=str(site)))
    return site


def measure(site: Path) -> tuple[list[tuple[str, int, int]], int]:
    """Rows (what, raw bytes, gzip bytes) of the page and its array files, and the gzip total."""
    html = (site / PAGE).read_bytes()
    cells = parse_cells(html.decode("utf-8")).cells
    srcs = sorted({str(node["src"]) for cell in cells for node in walk(cell) if is_file_ref(node)})
    rows = [("HTML (specs, references, preview)", len(html), gz(html))]
    for src in srcs:
        data = (site / PAGE.parent / src).read_bytes()
        refs = [n for c in cells for n in walk(c) if is_file_ref(n) and n["src"] == src]
        label = f"{refs[0]['dtype']} {refs[0]['shape']}"
        rows.append((f"array file {src[:26]}… ({label})", len(data), gz(data)))
    return rows, sum(r[2] for r in rows)


def run() -> list[tuple[str, str]]:
    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    out: list[tuple[str, str]] = []
    tmp = Path(tempfile.mkdtemp(prefix="mlpages-size-"))
    inline_max = mlpages.arrays.INLINE_MAX
    try:
        for name in ("docs", "quizzes"):
            shutil.copytree(ROOT / name, tmp / name)
        shutil.copy(ROOT / "mkdocs.yml", tmp / "mkdocs.yml")
        if (ROOT / ".mlpages-cache").is_dir():  # references already computed: a faster build
            shutil.copytree(ROOT / ".mlpages-cache", tmp / ".mlpages-cache")
        rows, total = measure(_build(tmp))
        for what, raw, packed in rows:
            out.append((what, f"{raw:>9,} B raw {packed:>9,} B gzip"))
        out.append(("total the page transfers (gzip)",
                     f"{total:>9,} B  ({total / LIMIT:.0%} of 1 MB: {'ok' if total <= LIMIT else 'OVER'})"))
        mlpages.arrays.INLINE_MAX = 10**12
        shutil.rmtree(tmp / "site")
        (inline,), inline_total = measure(_build(tmp))
        out.append(("for comparison: every array inline, HTML",
                     f"{inline[1]:>9,} B raw {inline[2]:>9,} B gzip"))
    finally:
        mlpages.arrays.INLINE_MAX = inline_max
        shutil.rmtree(tmp, ignore_errors=True)
    return out


if __name__ == "__main__":
    for name, value in run():
        print(f"{name:<56} {value}")
