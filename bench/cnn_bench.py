"""Benchmark: the CNN demo page (docs/course/cnn-digits.md).

The NumPy reference time for its cells (a cold build of that page alone minus a warm
one: both backend epsilons), and the browser's `fit` time for the same cells on WebGL
and on the CPU backend (WebGL refused before the runtime starts), from the runtime's
own per-cell timings.
"""

from __future__ import annotations

import logging
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from browser_bench import NO_WEBGL
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mlpages.verify.browser import make_driver
from mlpages.verify.server import serve_background

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "course" / "cnn-digits.md"
RUN_ALL = """
const done = arguments[arguments.length - 1];
window.mlpages.ready.then(() => window.mlpages.runAll())
  .then((r) => done(r.filter((c) => c.kind === 'train')
                     .map((c) => [c.name, c.backend, c.timings.fitMs, c.history.loss.length])));
"""


def _build(project: Path) -> float:
    start = time.perf_counter()
    build(load_config(str(project / "mkdocs.yml"), site_dir=str(project / "site")))
    return time.perf_counter() - start


def run(repeats: int = 3) -> list[tuple[str, str]]:
    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    rows: list[tuple[str, str]] = []
    tmp = Path(tempfile.mkdtemp(prefix="mlpages-cnn-"))
    try:
        (tmp / "docs").mkdir()
        shutil.copy(PAGE, tmp / "docs" / "index.md")
        (tmp / "mkdocs.yml").write_text(
            "site_name: cnn\nplugins: [mlpages]\nmarkdown_extensions: [pymdownx.superfences]\n")
        cold, warm = [], []
        for _ in range(repeats):
            shutil.rmtree(tmp / ".mlpages-cache", ignore_errors=True)
            cold.append(_build(tmp))
            warm.append(_build(tmp))
        ref = statistics.median(c - w for c, w in zip(cold, warm, strict=True))
        rows.append(("NumPy references of the page (4 cells x 2 epsilons), median",
                     f"{ref * 1000:.0f} ms"))
        site = tmp / "site"
        index = (site / "index.html").read_text()
        (site / "cpu.html").write_text(index.replace("<head>", "<head>" + NO_WEBGL, 1))
        url, stop = serve_background(site)
        driver = make_driver()
        driver.set_script_timeout(600)
        try:
            for page in ("index.html", "cpu.html"):
                runs = []
                for _ in range(repeats):
                    driver.get(url + page)
                    runs.append(driver.execute_async_script(RUN_ALL))
                for i, (name, backend, _, epochs) in enumerate(runs[0]):
                    fit = statistics.median(r[i][2] for r in runs[1:] or runs)
                    rows.append((f"browser fit on {backend}: {name} ({epochs} epochs), median",
                                 f"{fit:.0f} ms"))
        finally:
            driver.quit()
            stop()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return rows


if __name__ == "__main__":
    for name, value in run():
        print(f"{name:<64} {value}")
