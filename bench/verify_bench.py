"""Benchmark (f): `mlpages verify` of a generated multi-page course, one browser vs two.

The course is PAGES small pages, each an XOR dataset, a two-layer network and a short
training with its own seeds (so no two pages compute the same numbers). It is built once
in-process; then `mlpages verify SITE --workers 1` and `--workers 2` run as a course's CI
runs them (a subprocess each, every page in headless Chromium), and the table reports
both wall times and their ratio from one run.
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

# A real course has about 60 pages; 24 keep both runs within a few minutes on 2 cores
# (`python bench/verify_bench.py 60` runs the full size).
PAGES = 24

PAGE = """\
# Page {i}

```dataset
name: xor
generate: xor
n: 32
seed: {i}
```

```model
name: net
seed: {seed}
layers:
  - dense: {{units: 4, activation: tanh, inputShape: [2]}}
  - dense: {{units: 1, activation: sigmoid}}
compile: {{optimizer: adam, loss: binaryCrossentropy, metrics: [accuracy]}}
```

```train
name: fit
model: net
dataset: xor
epochs: 10
batchSize: 8
```
"""


def _course(project: Path, pages: int) -> Path:
    """Write and build a course of `pages` generated pages; returns its site folder."""
    docs = project / "docs"
    docs.mkdir(parents=True)
    for i in range(1, pages + 1):
        (docs / f"page-{i:02d}.md").write_text(PAGE.format(i=i, seed=100 + i), encoding="utf-8")
    (project / "mkdocs.yml").write_text(
        "site_name: bench\nplugins: [mlpages]\nmarkdown_extensions: [pymdownx.superfences]\n",
        encoding="utf-8")
    build(load_config(str(project / "mkdocs.yml"), site_dir=str(project / "site")))
    return project / "site"


def _verify(site: Path, workers: int) -> float:
    """Wall time of `mlpages verify SITE --workers N`; raises if a page does not pass."""
    cmd = [sys.executable, "-m", "mlpages.cli", "verify", str(site), "-q", "--workers", str(workers),
           "--artifacts", str(site.parent / f"artifacts-{workers}")]
    start = time.perf_counter()
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=1800)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise RuntimeError(f"mlpages verify --workers {workers} exited {result.returncode}:\n"
                           + result.stdout + result.stderr)
    return elapsed


def run(pages: int = PAGES) -> list[tuple[str, str]]:
    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory(prefix="mlpages-verify-bench-") as tmp:
        site = _course(Path(tmp) / "course", pages)
        one = _verify(site, 1)
        two = _verify(site, 2)
    return [
        ("generated course: pages (3 cells each: dataset, model, 10-epoch fit)", f"{pages}"),
        ("mlpages verify --workers 1", f"{one:.1f} s ({one / pages:.1f} s a page)"),
        ("mlpages verify --workers 2", f"{two:.1f} s ({two / pages:.1f} s a page)"),
        ("speed-up of --workers 2: time with 1 / time with 2 (one run)", f"{one / two:.2f}x"),
    ]


if __name__ == "__main__":
    for name, value in run(int(sys.argv[1]) if len(sys.argv) > 1 else PAGES):
        print(f"{name:<72} {value}")
