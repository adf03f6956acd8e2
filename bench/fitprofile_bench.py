"""Benchmark (k): where the runtime's `model.fit` spends its time beside a hand-written one.

The page and the two fits are table (b)'s (browser_bench.py: the spiral cell, 30 epochs of
6 batches, WebGL on SwiftShader), with the runtime's modules as they are in runtime/ (not
minified, for the functions' names). After one warm-up run each, Chromium's sampling
profiler (DevTools protocol, 100 µs) records RUNS runs of one side, then RUNS of the other:
`window.mlpages.run()` of the train cell, and the hand-written build and fit. Every sample
of the page's main thread is charged to the innermost function of the runtime's own
modules on its stack (the fit callback in models.js, chart.js, boundary.js...), so what
TF.js or uPlot do for them counts as theirs, else to uPlot, TF.js or the page; and, when
the sample was in a function of the browser, to that one as well: a WebGL read-back
(getBufferSubData, readPixels) waits there for the GPU process to finish the work queued
before it, other WebGL calls wait there when its command buffer is full. `(idle)` is the
thread waiting for a task (a yield, an animation frame), `(program)` the browser's own work
(style, layout, paint).

The table gives, per side, the median `fitMs` of the profiled runs, then milliseconds per
run and share by category, then the runtime's functions that took most; and the number of
times a run waited for the GPU (a read-back with drawing queued since the last one; reads
in a row wait once), counted over RUNS more runs without the profiler, with all read-backs
in brackets. Profiled times are inflated: compare the shares and the two sides.

    .venv/bin/python bench/run.py fitprofile
"""

from __future__ import annotations

import collections
import logging
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

import browser_bench
from mlpages.verify.browser import make_driver
from mlpages.verify.server import serve_background

RUNS = 5
INTERVAL_US = 100
SHOWN = 8  # runtime functions shown per side
READS = ("getBufferSubData", "readPixels", "getSyncParameter", "clientWaitSync", "finish")
CATEGORIES = (
    "waiting for the GPU in a read-back (browser: getBufferSubData, readPixels)",
    "WebGL calls (browser; they wait when the GPU process is behind)",
    "TF.js's own JavaScript",
    "the runtime's JavaScript (fit wrapper, chart, boundary, progress) and what it calls",
    "uPlot",
    "idle (the thread waits: a yield, an animation frame)",
    "browser: style, layout, paint (program)",
    "garbage collector",
    "other (the bench page, WebDriver)",
)


def _charge(node: dict[str, Any], parent: dict[int, dict[str, Any]]) -> str:
    """What one sample's time is charged to: the innermost runtime function on its stack
    (else TF.js, the page or the browser), and the browser function it was in when that
    was one (a WebGL read-back waits there for the GPU process)."""
    leaf = node["callFrame"]
    name = leaf.get("functionName", "")
    if name in ("(idle)", "(program)", "(garbage collector)", "(root)"):
        return name
    native = f" > {name or '(anonymous)'} (browser)" if not leaf.get("url") else ""
    cur: dict[str, Any] | None = node
    while cur is not None:
        frame = cur["callFrame"]
        match = re.search(r"/assets/mlpages/(?!vendor/)([\w-]+\.js)", frame.get("url", ""))
        if match:
            return f"{match.group(1)} {frame.get('functionName') or '(anonymous)'}{native}"
        cur = parent.get(cur["id"])
    urls = [f["callFrame"].get("url", "") for f in _stack(node, parent)]
    if any("uPlot" in u for u in urls):
        return f"uPlot{native}"
    if any("tf.fesm" in u for u in urls):
        return f"TF.js{native}"
    return f"other: the bench page, WebDriver{native}"


def _stack(node: dict[str, Any], parent: dict[int, dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    cur: dict[str, Any] | None = node
    while cur is not None:
        out.append(cur)
        cur = parent.get(cur["id"])
    return out


# Counts the page's waits for the GPU: a read-back (getBufferSubData, or readPixels into
# the page's memory) with drawing queued since the last one. Reads in a row wait once.
COUNT_WAITS = """<script>
(() => {
  const c = window.__gpuWaits = {waits: 0, reads: 0};
  let queued = false;
  const proto = WebGL2RenderingContext.prototype;
  for (const name of ['drawElements', 'drawArrays']) {
    const original = proto[name];
    proto[name] = function (...args) { queued = true; return original.apply(this, args); };
  }
  for (const name of ['getBufferSubData', 'readPixels']) {
    const original = proto[name];
    proto[name] = function (...args) {
      if (name === 'getBufferSubData' || typeof args[6] === 'object') {
        c.reads += 1;
        if (queued) c.waits += 1;
        queued = false;
      }
      return original.apply(this, args);
    };
  }
})();
</script>"""
WAITS = "const w = window.__gpuWaits; const r = [w.waits, w.reads]; w.waits = w.reads = 0; return r;"


def _waits(driver, script: str) -> tuple[float, float]:
    """Median (waits for the GPU, read-backs) of one side's fit, RUNS fits."""
    counts = []
    for _ in range(RUNS):
        driver.execute_script(WAITS)
        driver.execute_async_script(script)
        counts.append(driver.execute_script(WAITS))
    return tuple(sorted(c[i] for c in counts)[RUNS // 2] for i in (0, 1))  # type: ignore[return-value]


def _ours(charge: str) -> bool:
    """Whether a charge is a function of the runtime's modules."""
    first = charge.split(" ")[0]
    return first.endswith(".js") and first != "TF.js"


def _category(charge: str) -> str:
    """Which of CATEGORIES a charge falls in."""
    if charge.endswith("(browser)"):
        return CATEGORIES[0] if any(f"> {r} " in charge for r in READS) else CATEGORIES[1]
    first = charge.split(" ")[0]
    if _ours(charge):
        return CATEGORIES[3]
    return {"TF.js": CATEGORIES[2], "uPlot": CATEGORIES[4], "(idle)": CATEGORIES[5],
            "(program)": CATEGORIES[6], "(garbage": CATEGORIES[7]}.get(first, CATEGORIES[8])


def _table(profile: dict[str, Any]) -> collections.Counter[str]:
    by_id = {n["id"]: n for n in profile["nodes"]}
    parent = {c: n for n in profile["nodes"] for c in n.get("children", [])}
    charges = {i: _charge(n, parent) for i, n in by_id.items()}
    totals: collections.Counter[str] = collections.Counter()
    for sample, delta in zip(profile["samples"], profile["timeDeltas"], strict=True):
        totals[charges[sample]] += delta / 1000
    return totals


def _profile(driver, script: str) -> tuple[collections.Counter[str], float, float]:
    """Profile RUNS fits: (ms by charge over all runs, median wall ms, median fitMs)."""
    driver.execute_cdp_cmd("Profiler.enable", {})
    driver.execute_cdp_cmd("Profiler.setSamplingInterval", {"interval": INTERVAL_US})
    driver.execute_cdp_cmd("Profiler.start", {})
    results = [driver.execute_async_script(script) for _ in range(RUNS)]
    profile = driver.execute_cdp_cmd("Profiler.stop", {})["profile"]
    driver.execute_cdp_cmd("Profiler.disable", {})
    if any("error" in r for r in results):
        raise RuntimeError(f"bench page failed: {results}")
    walls = sorted(r["ms"] for r in results)
    fits = sorted(r["fitMs"] for r in results)
    return _table(profile), walls[RUNS // 2], fits[RUNS // 2]


def run() -> list[tuple[str, str]]:
    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    tmp = Path(tempfile.mkdtemp(prefix="mlpages-fitprofile-"))
    rows: list[tuple[str, str]] = []
    try:
        site = browser_bench._site(tmp)
        for source in (browser_bench.ROOT / "runtime").glob("*.js"):  # readable names
            shutil.copyfile(source, site / "assets" / "mlpages" / source.name)
        url, stop = serve_background(site)
        driver = make_driver()
        try:
            driver.get(url + "bench-webgl.html")
            driver.set_script_timeout(600)
            for script in (browser_bench.TIMED_RUN, browser_bench.TIMED_HAND):  # shaders
                driver.execute_async_script(script)
            sides = (("runtime", browser_bench.TIMED_RUN), ("hand-written", browser_bench.TIMED_HAND))
            profiled = {name: _profile(driver, script) for name, script in sides}
            page = (site / "bench-webgl.html").read_text()
            (site / "bench-waits.html").write_text(page.replace("<head>", "<head>" + COUNT_WAITS, 1))
            driver.get(url + "bench-waits.html")
            waits = {name: _waits(driver, script) for name, script in sides}
        finally:
            driver.quit()
            stop()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    for name, (totals, _wall, fit) in profiled.items():
        total = sum(totals.values())
        rows.append((f"{name}: model.fit, median of {RUNS} profiled · profile a run, per category",
                     f"{fit:.0f} ms · {total / RUNS:.0f} ms"))
        rows.append((f"  waits for the GPU (read-backs) in a whole run, median of {RUNS} unprofiled",
                     f"{waits[name][0]:.0f} ({waits[name][1]:.0f})"))
        kinds: collections.Counter[str] = collections.Counter()
        for charge, ms in totals.items():
            kinds[_category(charge)] += ms
        for kind in CATEGORIES:
            if kinds[kind] >= total / 1000:
                rows.append((f"  {kind}", f"{kinds[kind] / RUNS:7.1f} ms  {100 * kinds[kind] / total:5.1f}%"))
        ours = [(c, ms) for c, ms in totals.most_common() if _ours(c)][:SHOWN]
        if ours:
            rows.append((f"  {name}: the runtime's functions, largest first", ""))
        for charge, ms in ours:
            rows.append((f"    {charge}", f"{ms / RUNS:7.1f} ms  {100 * ms / total:5.1f}%"))
    return rows


if __name__ == "__main__":
    for name, value in run():
        print(f"{name:<72} {value}")
