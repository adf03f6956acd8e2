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

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "course" / "playground.md"
KNOBS = re.compile(r"^knobs:\n(?:  .*\n)+", re.M)
ROUNDS = 3


def gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6))


def _project(dest: Path, text: str) -> Path:
    (dest / "docs").mkdir(parents=True)
    (dest / "docs" / "playground.md").write_text(text, encoding="utf-8")
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
        panels = re.findall(r'"default":(\d+)', "".join(
            re.findall(r'class="mlpages-knobs-spec">(.*?)</script>', (site / "playground" / "index.html").read_text())))
        extra = len(files) - len(panels)  # every file but each cell's default
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
    """Knob change to first epoch in Chromium (WebGL); a row saying why when it cannot run."""
    try:
        from browser_bench import chromium, serve  # type: ignore[import-not-found]
    except ImportError:
        return [("knob change to first epoch (WebGL)", "needs bench/browser_bench.py helpers")]
    with serve(site) as url, chromium() as driver:
        driver.get(url + "playground/")
        found = driver.execute_async_script(_FIRST_EPOCH)
    if not isinstance(found, dict) or found.get("error"):
        return [("knob change to first epoch (WebGL)", f"failed: {found}")]
    return [("knob change to first epoch (WebGL)",
             f"median {statistics.median(found['ms']):,.0f} ms over {len(found['ms'])} changes "
             f"(of which fetching and swapping the variant: median {statistics.median(found['swap']):,.0f} ms)")]


_FIRST_EPOCH = """
const done = arguments[arguments.length - 1];
(async () => {
  const api = window.mlpages;
  await api.ready;
  const [cell] = api.knobs();
  const ms = [], swap = [];
  const knob = cell.knobs[cell.knobs.length - 1];
  for (const value of knob.values.concat([knob.default])) {
    if (value === cell.values[knob.key]) continue;
    const start = performance.now();
    await api.setKnobs(cell.cell, {[knob.key]: value});
    swap.push(performance.now() - start);
    const first = await api.firstEpoch(cell.cell);
    ms.push(first - start);
  }
  return {ms, swap};
})().then(done, (e) => done({error: String(e)}));
"""
