"""Benchmark (a): building the demo course.

Compares a build with a warm reference cache against the same pages built with the
mlpages plugin disabled (the blocks then render as plain code), and measures the cold
cost per computed reference. Builds run in-process (MkDocs' own `build`), interleaved,
and the table reports medians of one run.
"""

from __future__ import annotations

import logging
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import yaml
from mkdocs.commands.build import build
from mkdocs.config import load_config

ROOT = Path(__file__).resolve().parent.parent


def _project(dest: Path, plugin: bool) -> Path:
    shutil.copytree(ROOT / "docs", dest / "docs")
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text())
    if not plugin:
        config["plugins"] = [p for p in config["plugins"] if p != "mlpages"]
    (dest / "mkdocs.yml").write_text(yaml.safe_dump(config))
    return dest


def _build(project: Path) -> float:
    config = load_config(str(project / "mkdocs.yml"), site_dir=str(project / "site"))
    start = time.perf_counter()
    build(config)
    return time.perf_counter() - start


def run(repeats: int = 5) -> list[tuple[str, str]]:
    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        with_plugin = _project(tmp / "with", plugin=True)
        without = _project(tmp / "without", plugin=False)
        cold = []
        for _ in range(3):
            shutil.rmtree(with_plugin / ".mlpages-cache", ignore_errors=True)
            cold.append(_build(with_plugin))
        warm, plain = [], []
        for _ in range(repeats):
            warm.append(_build(with_plugin))
            plain.append(_build(without))
        n_refs = len(list((with_plugin / ".mlpages-cache").glob("*.json")))
        cells = sum(p.read_text().count("data-mlpages-kind=")
                    for p in (with_plugin / "site").rglob("*.html"))
    w, p, c = statistics.median(warm), statistics.median(plain), statistics.median(cold)
    ratios = [a / b for a, b in zip(warm, plain, strict=True)]
    return [
        ("demo course: pages with cells / cells / references", f"5 / {cells} / {n_refs}"),
        ("build, plugin disabled (median)", f"{p:.3f} s"),
        ("build, warm cache (median)", f"{w:.3f} s"),
        ("warm / disabled (median of paired ratios; target <= 1.3)", f"{statistics.median(ratios):.2f}x"),
        ("build, cold cache (median of 3)", f"{c:.3f} s"),
        ("cold cost per computed reference", f"{(c - w) / max(n_refs, 1) * 1000:.0f} ms"),
    ]


if __name__ == "__main__":
    for name, value in run():
        print(f"{name:<62} {value}")
