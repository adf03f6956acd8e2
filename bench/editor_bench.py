"""Benchmark (i): what the reader's code editor costs a page, on the colour page
(docs/course/colours.md: a train cell and a predict cell with a colour picker), in Chromium:

- every file the page downloaded (Resource Timing), gzip -9 file by file, before any Edit
  (all of them, and the page's own with mlpages' runtime, TF.js and uPlot);
- the same after pressing Edit on the train cell (the CodeMirror bundle, loaded on demand);
- the time from the press to the editor shown (the bundle's download, parse and mount);
- the live input's latency is bench/liveinput_bench.py's table (h), not measured again here.

The files are read from the built site (the local server does not compress), so the sizes
are what a server that gzips them would send.
"""

from __future__ import annotations

import gzip
import logging
import shutil
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from mkdocs.commands.build import build
from mkdocs.config import load_config
from mlpages.verify.browser import make_driver
from mlpages.verify.server import serve_background

ROOT = Path(__file__).resolve().parent.parent
PAGE = "colours.md"
TRAIN = "mlp-colours-fit-colours"
RESOURCES = "return performance.getEntriesByType('resource').map((e) => e.name)"
EDIT = """
const [id, done] = arguments;
const cell = document.getElementById(id);
const edit = Array.from(cell.querySelectorAll('.mlpages-controls button'))
  .find((b) => b.textContent === 'Edit');
const t0 = performance.now();
edit.click();
const wait = () => cell.querySelector('.cm-content') ? done(performance.now() - t0) : setTimeout(wait, 5);
wait();
"""


def _site(dest: Path) -> Path:
    (dest / "docs").mkdir(parents=True)
    shutil.copy(ROOT / "docs" / "course" / PAGE, dest / "docs" / PAGE)
    (dest / "mkdocs.yml").write_text("site_name: bench\nplugins: [mlpages]\n"
                                     "markdown_extensions: [pymdownx.superfences]\n")
    build(load_config(str(dest / "mkdocs.yml"), site_dir=str(dest / "site")))
    return dest / "site"


def _gzip(site: Path, root: str, names: list[str]) -> dict[str, int]:
    """gzip -9 size of each file of the site among `names` (URLs under `root`)."""
    out = {}
    for name in names:
        if not name.startswith(root):
            continue
        file = site / unquote(urlparse(name).path)[len(urlparse(root).path):]
        if file.is_dir():
            file = file / "index.html"
        if file.is_file():
            out[name] = len(gzip.compress(file.read_bytes(), 9))
    return out


def run() -> list[tuple[str, str]]:
    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    tmp = Path(tempfile.mkdtemp(prefix="mlpages-editor-"))
    site = _site(tmp)
    url, stop = serve_background(site)
    driver: Any = make_driver()
    driver.set_script_timeout(300)
    try:
        page = url + "colours/"
        driver.get(page)
        driver.execute_script("localStorage.clear()")
        driver.get(page)
        driver.execute_async_script("const done = arguments[0]; window.mlpages.ready.then(() => done(true));")
        before = _gzip(site, url, [page, *driver.execute_script(RESOURCES)])
        shown_ms = driver.execute_async_script(EDIT, TRAIN)
        after = _gzip(site, url, [page, *driver.execute_script(RESOURCES)])
    finally:
        driver.quit()
        stop()
        shutil.rmtree(tmp, ignore_errors=True)
    added = {k: v for k, v in after.items() if k not in before}
    ours = {k: v for k, v in before.items() if "/assets/mlpages/" in k or k == page}
    return [
        (f"colour page before Edit: all {len(before)} files (MkDocs' theme included), gzip",
         f"{sum(before.values()) / 1000:8.1f} kB"),
        (f"  of which the page's HTML and mlpages' runtime, TF.js, uPlot ({len(ours)} files)",
         f"{sum(ours.values()) / 1000:8.1f} kB"),
        ("after pressing Edit: added " + ", ".join(Path(urlparse(k).path).name for k in added),
         f"{sum(added.values()) / 1000:8.1f} kB (+{100 * sum(added.values()) / sum(before.values()):.0f}%)"),
        ("press of Edit to the editor shown (download, parse, mount; local server)", f"{shown_ms:8.1f} ms"),
        ("input-to-prediction latency, WebGL", "table (h): python bench/run.py liveinput"),
    ]


if __name__ == "__main__":
    for name, value in run():
        print(f"{name:<70}{value}")
