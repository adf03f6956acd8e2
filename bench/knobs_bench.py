"""Benchmark (g): what knobs cost, on the demo's playground page (docs/course/playground.md).

- Build: the page built alone with a cold reference cache, with its knobs and with the
  `knobs:` keys removed (the author's default only); the difference per non-default
  variant is the build cost of one variant's references. Warm builds (every reference
  cached) show what a rebuild costs. Builds are in-process and interleaved; medians.
- Bytes: what a reader downloads for the knobs, gzip level 6: the controls' share of the
  page's HTML, and the variant file fetched per knob change (median and largest).
- Knob change to first epoch: in Chromium on WebGL, from `setKnobs` (the call the controls
  make) to the train cell's first finished epoch, medians over the non-default variants.
"""

from __future__ import annotations

import gzip
import logging
import re
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from mkdocs.commands.build import build
from mkdocs.config import load_config
from mlpages.verify.browser import make_driver
from mlpages.verify.server import serve_background

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "course" / "playground.md"
KNOBS = re.compile(r"^knobs:\n(?:  .*\n)+", re.M)
ROUNDS = 3


def gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6))


def _project(dest: Path, text: str) -> Path:
    (dest / "docs").mkdir(parents=True)
    (dest / "docs" / "playground.md").write_text(text, encoding="utf-8")
    shutil.copytree(ROOT / "quizzes", dest / "quizzes")  # the bank its quiz includes
    (dest / "mkdocs.yml").write_text("site_name: bench\nplugins: [mlpages]\n"
                                     "markdown_extensions: [pymdownx.superfences, admonition]\n")
    return dest


def _build(project: Path, cold: bool) -> float:
    if cold:
        shutil.rmtree(project / ".mlpages-cache", ignore_errors=True)
    config = load_config(str(project / "mkdocs.yml"), site_dir=str(project / "site"))
    start = time.perf_counter()
    build(config)
    return time.perf_counter() - start


def run() -> list[tuple[str, str]]:
    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    text = PAGE.read_text(encoding="utf-8")
    plain = KNOBS.sub("", text)
    tmp = Path(tempfile.mkdtemp(prefix="mlpages-knobs-"))
    out: list[tuple[str, str]] = []
    try:
        with_knobs, without = _project(tmp / "knobs", text), _project(tmp / "plain", plain)
        times: dict[tuple[str, bool], list[float]] = {}
        for _ in range(ROUNDS):
            for cold in (True, False):
                for name, project in (("knobs", with_knobs), ("plain", without)):
                    times.setdefault((name, cold), []).append(_build(project, cold))
        site = with_knobs / "site"
        files = sorted(site.rglob("mlpages-variants/*/*.json"))
        page = (site / "playground" / "index.html").read_text(encoding="utf-8")
        extra = len(files) - page.count('class="mlpages-knobs-spec"')  # every file but the defaults
        med = {key: statistics.median(v) for key, v in times.items()}
        out.append(("variants (non-default) on the page", f"{extra}"))
        out.append(("cold build, without knobs", f"{med[('plain', True)]:8.2f} s"))
        out.append(("cold build, with knobs", f"{med[('knobs', True)]:8.2f} s"))
        per = (med[("knobs", True)] - med[("plain", True)]) / max(extra, 1)
        out.append(("build cost per variant (cold)", f"{per * 1000:8.1f} ms"))
        out.append(("warm build, without / with knobs",
                    f"{med[('plain', False)]:8.2f} s / {med[('knobs', False)]:.2f} s "
                    f"({med[('knobs', False)] / med[('plain', False)]:.2f}×)"))
        html = gz((site / "playground" / "index.html").read_bytes())
        plain_html = gz((without / "site" / "playground" / "index.html").read_bytes())
        out.append(("page HTML gzip, without / with knobs",
                    f"{plain_html:,} B / {html:,} B (+{html - plain_html:,} B for the controls)"))
        sizes = sorted(gz(f.read_bytes()) for f in files)
        out.append(("variant file per knob change (gzip)",
                    f"median {statistics.median(sizes):,.0f} B, largest {sizes[-1]:,} B"))
        out += _first_epoch(site)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out


def _first_epoch(site: Path) -> list[tuple[str, str]]:
    """Knob change to first epoch in Chromium (WebGL), over every value of the page's first
    knob cell's last knob; the run is started right after the switch, as a reader would."""
    url, stop = serve_background(site)
    driver = make_driver()
    try:
        driver.set_script_timeout(600)
        driver.get(url + "playground/")
        found = driver.execute_async_script(_FIRST_EPOCH)
    finally:
        driver.quit()
        stop()
    if not isinstance(found, dict) or found.get("error"):
        return [("knob change to first epoch (WebGL)", f"failed: {found}")]
    return [
        (f"knob change to first epoch (WebGL, {found['backend']})",
         f"median {statistics.median(found['ms']):,.0f} ms over {len(found['ms'])} changes"),
        ("  of which fetching and swapping in the variant",
         f"median {statistics.median(found['swap']):,.0f} ms"),
    ]


# Switch the first knob cell's last knob through its values (back to the default last), run
# the cell after each switch, and time until its progress first shows a finished epoch.
_FIRST_EPOCH = """
const done = arguments[arguments.length - 1];
(async () => {
  const api = window.mlpages;
  await api.ready;
  const [cell] = api.knobs();
  const knob = cell.knobs[cell.knobs.length - 1];
  const ms = [], swap = [];
  const order = knob.values.filter((v) => v !== knob.default).concat([knob.default]);
  for (const value of order) {
    const start = performance.now();
    await api.setKnobs(cell.cell, {[knob.key]: value});
    swap.push(performance.now() - start);
    const text = () => document.querySelector(`#${cell.cell} .mlpages-progress-text`)?.textContent ?? '';
    const run = api.run(cell.cell);
    while (!/^epoch [1-9]/.test(text())) await new Promise((r) => setTimeout(r, 5));
    ms.push(performance.now() - start);
    await run;
  }
  return {ms, swap, backend: api.environment().backend};
})().then(done, (e) => done({error: String(e)}));
"""
