"""Benchmark (f): `mlpages verify` of a generated multi-page course: one browser, two, and
two on a Selenium Grid.

The course is PAGES small pages, each an XOR dataset, a two-layer network and a short
training with its own seeds (so no two pages compute the same numbers). It is built once
in-process; then `mlpages verify SITE --workers 1` and `--workers 2` run as a course's CI
runs them (a subprocess each, every page in headless Chromium), and `--workers 2 --remote`
through a hub and two Chromium nodes on this machine, one session each (tools/grid.py, the
Grid the tests start; its start-up is not timed). The table reports the wall times and
their ratios from one run.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from mkdocs.commands.build import build
from mkdocs.config import load_config

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from grid import start_grid  # noqa: E402
from mdhelpers import xor_course_page  # noqa: E402

# A real course has about 60 pages: the three runs take about 15 minutes on 2 busy cores
# (`python bench/verify_bench.py 24` runs a smaller course).
PAGES = 60


def _course(project: Path, pages: int) -> Path:
    """Write and build a course of `pages` generated pages; returns its site folder."""
    docs = project / "docs"
    docs.mkdir(parents=True)
    for i in range(1, pages + 1):
        page = xor_course_page(i, 100 + i, n=32, units=4, metrics=True, epochs=10)
        (docs / f"page-{i:02d}.md").write_text(page, encoding="utf-8")
    (project / "mkdocs.yml").write_text(
        "site_name: bench\nplugins: [mlpages]\nmarkdown_extensions: [pymdownx.superfences]\n",
        encoding="utf-8")
    build(load_config(str(project / "mkdocs.yml"), site_dir=str(project / "site")))
    return project / "site"


def _verify(site: Path, workers: int, *options: str) -> float:
    """Wall time of `mlpages verify SITE --workers N [OPTIONS]`; raises if a page does not pass."""
    artifacts = site.parent / f"artifacts-{workers}{'-grid' if options else ''}"
    cmd = [sys.executable, "-m", "mlpages.cli", "verify", str(site), "-q", "--workers", str(workers),
           "--artifacts", str(artifacts), *options]
    start = time.perf_counter()
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=3600)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise RuntimeError(f"mlpages verify --workers {workers} {' '.join(options)} exited "
                           f"{result.returncode}:\n" + result.stdout + result.stderr)
    return elapsed


def _verify_on_grid(site: Path, folder: Path) -> tuple[float, list[int]]:
    """Wall time of `mlpages verify SITE --workers 2 --remote` through a hub and two nodes
    (started before the clock), and how many sessions each node started."""
    grid = start_grid(folder, nodes=2)
    try:
        elapsed = _verify(site, 2, "--remote", grid.url)
        return elapsed, [node.sessions_created() for node in grid.nodes]
    finally:
        grid.stop()


def run(pages: int = PAGES) -> list[tuple[str, str]]:
    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory(prefix="mlpages-verify-bench-") as tmp:
        site = _course(Path(tmp) / "course", pages)
        one = _verify(site, 1)
        two = _verify(site, 2)
        grid, sessions = _verify_on_grid(site, Path(tmp) / "grid")
    return [
        ("generated course: pages (3 cells each: dataset, model, 10-epoch fit)", f"{pages}"),
        ("mlpages verify --workers 1", f"{one:.1f} s ({one / pages:.1f} s a page)"),
        ("mlpages verify --workers 2", f"{two:.1f} s ({two / pages:.1f} s a page)"),
        ("mlpages verify --workers 2 --remote: a hub and 2 Chromium nodes on this machine",
         f"{grid:.1f} s ({grid / pages:.1f} s a page; sessions per node {sessions})"),
        ("speed-up of --workers 2: time with 1 / time with 2 (one run)", f"{one / two:.2f}x"),
        ("the Grid's 2 nodes / 2 local browsers: time local / time on the Grid", f"{two / grid:.2f}x"),
    ]


if __name__ == "__main__":
    for name, value in run(int(sys.argv[1]) if len(sys.argv) > 1 else PAGES):
        print(f"{name:<72} {value}")
