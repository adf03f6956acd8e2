"""Benchmark (a): building the demo course and a generated 60-page course.

Compares a build with a warm reference cache against the same pages built with the
mlpages plugin disabled (the blocks then render as plain code), the cold build (no cache)
with the references computed serially (`workers: 1`) and in parallel processes (`workers:
2`, plugin/prepare.py), and reports each build's time per page. The generated course is
the demo course's pages copied into five folders, each copy's seeds shifted (so no two
copies compute the same numbers). Builds run in-process (MkDocs' own `build`), interleaved;
the table reports medians of one run.

    .venv/bin/python bench/build_bench.py          # the demo course and 60 pages
"""

from __future__ import annotations

import gzip
import logging
import re
import resource
import shutil
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import yaml
from mkdocs.commands.build import build
from mkdocs.config import load_config

ROOT = Path(__file__).resolve().parent.parent
PAGES = 60  # of the generated course: copies of the demo course's pages with cells
TARGET_WARM = 1.15  # warm build / plugin disabled
TARGET_PARALLEL = 1.7  # serial / parallel reference phase, 2 cores


def _config(dest: Path, plugin: bool, workers: int | None, nav: bool) -> None:
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text())
    plugins = [p for p in config["plugins"] if p != "mlpages"]
    if plugin:
        plugins.append({"mlpages": {"workers": workers}} if workers else "mlpages")
    config["plugins"] = plugins
    if not nav:
        config.pop("nav", None)
    (dest / "mkdocs.yml").write_text(yaml.safe_dump(config))


def demo_project(dest: Path, plugin: bool = True, workers: int | None = None) -> Path:
    """A copy of the demo course (Material theme, its own cache folder)."""
    shutil.copytree(ROOT / "docs", dest / "docs")
    shutil.copytree(ROOT / "quizzes", dest / "quizzes")
    _config(dest, plugin, workers, nav=True)
    return dest


def generated_project(dest: Path, plugin: bool = True, workers: int | None = None,
                      pages: int = PAGES) -> Path:
    """`pages` pages: copies of the demo course's pages with cells, each copy in its own folder
    with its seeds shifted by 1000 × the copy's number (the last copy leaves out the pages
    that export or import a model, and stops at `pages`); the demo's theme and extensions."""
    docs = dest / "docs"
    shutil.copytree(ROOT / "quizzes", dest / "quizzes")
    docs.mkdir(parents=True)
    k = written = 0
    while written < pages:
        folder = docs / f"copy{k}"
        shutil.copytree(ROOT / "docs" / "course", folder)
        copied = sorted(folder.glob("*.md"))
        last = written + len(copied) > pages
        for page in copied:
            text = page.read_text()
            if last and (written >= pages or re.search(r"^(export|from):", text, re.M)):
                page.unlink()
                continue
            shifted = re.sub(r"(\bseed:\s*)(\d+)", lambda m, s=1000 * k: f"{m[1]}{int(m[2]) + s}", text)
            page.write_text(shifted)
            written += 1
        k += 1
    _config(dest, plugin, workers, nav=False)
    return dest


def cpu_time() -> float:
    """CPU seconds of this process and of its finished child processes (the reference workers)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def timed_build(project: Path, cpu: list[float] | None = None) -> float:
    """Wall time of one build; its CPU time appended to `cpu`."""
    config = load_config(str(project / "mkdocs.yml"), site_dir=str(project / "site"))
    start, start_cpu = time.perf_counter(), cpu_time()
    build(config)
    if cpu is not None:
        cpu.append(cpu_time() - start_cpu)
    return time.perf_counter() - start


def cold_build(project: Path, cpu: list[float] | None = None) -> float:
    shutil.rmtree(project / ".mlpages-cache", ignore_errors=True)
    return timed_build(project, cpu)


def set_workers(project: Path, workers: int) -> None:
    config = yaml.safe_load((project / "mkdocs.yml").read_text())
    config["plugins"] = [p for p in config["plugins"] if p != "mlpages" and "mlpages" not in p]
    config["plugins"].append({"mlpages": {"workers": workers}})
    (project / "mkdocs.yml").write_text(yaml.safe_dump(config))


@dataclass
class Scaling:
    """Median build times of one course, in seconds."""

    pages: int  # Markdown pages built
    cell_pages: int
    references: int
    plain: float
    warm: float
    cold_serial: float
    cold_parallel: float
    warm_ratio: float  # median of the paired warm / plain ratios
    cpu_serial: float  # CPU seconds of the cold builds' reference phases (cold - warm)
    cpu_parallel: float
    heaviest: tuple[str, int, int]  # page, raw bytes, gzip bytes

    @property
    def phase_serial(self) -> float:
        return self.cold_serial - self.warm

    @property
    def phase_parallel(self) -> float:
        return self.cold_parallel - self.warm


def scaling(make, tmp: Path, repeats: int = 5, colds: int = 2) -> Scaling:
    """Build times of the course `make(dest, plugin=..)` writes: cold serial and parallel
    (interleaved), then warm and plugin disabled (interleaved)."""
    with_plugin = make(tmp / "with", plugin=True)
    without = make(tmp / "without", plugin=False)
    serial, parallel = [], []
    cpu_serial: list[float] = []
    cpu_parallel: list[float] = []
    cpu_warm: list[float] = []
    for _ in range(colds):
        set_workers(with_plugin, 1)
        serial.append(cold_build(with_plugin, cpu_serial))
        set_workers(with_plugin, 2)
        parallel.append(cold_build(with_plugin, cpu_parallel))
    warm, plain = [], []
    for _ in range(repeats):
        warm.append(timed_build(with_plugin, cpu_warm))
        plain.append(timed_build(without))
    site = with_plugin / "site"
    pages = [p for p in site.rglob("*.html") if p.name == "index.html" and p.parent != site / "search"]
    cell_pages = [p for p in pages if "data-mlpages-kind=" in p.read_text(encoding="utf-8")]
    heaviest = max(pages, key=lambda p: p.stat().st_size)
    data = heaviest.read_bytes()
    median = statistics.median
    return Scaling(
        pages=len(list((with_plugin / "docs").rglob("*.md"))), cell_pages=len(cell_pages),
        references=len(list((with_plugin / ".mlpages-cache").glob("*.json"))),
        plain=median(plain), warm=median(warm), cold_serial=median(serial), cold_parallel=median(parallel),
        warm_ratio=median([a / b for a, b in zip(warm, plain, strict=True)]),
        cpu_serial=median(cpu_serial) - median(cpu_warm),
        cpu_parallel=median(cpu_parallel) - median(cpu_warm),
        heaviest=(heaviest.parent.relative_to(site).as_posix() + "/", len(data), len(gzip.compress(data, 9))),
    )


def rows(name: str, s: Scaling) -> list[tuple[str, str]]:
    """The scaling table's rows for one course."""

    def per_page(total: float) -> str:
        return f"{total:.2f} s ({total / s.pages * 1000:.0f} ms a page)"

    return [
        (f"{name}: pages / with cells / references", f"{s.pages} / {s.cell_pages} / {s.references}"),
        (f"{name}: build, plugin disabled", per_page(s.plain)),
        (f"{name}: build, warm cache", per_page(s.warm)),
        (f"{name}: warm / disabled (median of paired ratios; target <= {TARGET_WARM})",
         f"{s.warm_ratio:.2f}x ({(s.warm - s.plain) / s.pages * 1000:.1f} ms more a page)"),
        (f"{name}: build, cold cache, references serially (workers: 1)", per_page(s.cold_serial)),
        (f"{name}: build, cold cache, references in 2 processes", per_page(s.cold_parallel)),
        (f"{name}: reference phase (cold - warm), serial / parallel",
         f"{s.phase_serial:.2f} s / {s.phase_parallel:.2f} s: "
         f"{s.phase_serial / max(s.phase_parallel, 1e-9):.2f}x (target >= {TARGET_PARALLEL} on 2 cores)"),
        (f"{name}: the same phase's CPU time (all processes), serial / parallel",
         f"{s.cpu_serial:.2f} s / {s.cpu_parallel:.2f} s (serial: {s.cpu_serial / s.phase_serial:.0%} "
         "of a core: the share the other jobs left)"),
        (f"{name}: cold cost per computed reference, serial",
         f"{s.phase_serial / max(s.references, 1) * 1000:.0f} ms"),
        (f"{name}: heaviest page {s.heaviest[0]}", f"{s.heaviest[1]:,} B raw, {s.heaviest[2]:,} B gzip"),
    ]


def run(repeats: int = 5) -> list[tuple[str, str]]:
    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    out: list[tuple[str, str]] = []
    generated = f"{PAGES}-page course"
    for name, make in (("demo course", demo_project), (generated, generated_project)):
        with tempfile.TemporaryDirectory() as tmp:
            out += rows(name, scaling(make, Path(tmp), repeats))
    return out


if __name__ == "__main__":
    for name, value in run():
        print(f"{name:<72} {value}")
