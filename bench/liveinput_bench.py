"""Benchmark (h): live input on predict cells, in Chromium on WebGL: from a change of the
reader's input to the prediction on the page, medians over 30 changes.

- Colour picker (docs/course/colours.md): an `input` event on the picker to the label and
  bars shown. The widget waits `LIVE_DEBOUNCE_MS` (60 ms) after the last change before it
  predicts, so this includes that wait; the row below it is the widget's own work.
- Drawing pad (docs/course/cnn-digits.md): the end of a stroke (pointer events) to the
  CNN's answer, with the reduction of the strokes to 8×8 included.
- `window.mlpages.predictInput`: one call, awaited (normalize, predict, read back).

Each latency is the page's own `performance.now()` measure (`data-mlpages-latency-ms`, set
when the widget has drawn the prediction), so WebDriver's round trips are not in it.
"""

from __future__ import annotations

import logging
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from mkdocs.commands.build import build
from mkdocs.config import load_config
from mlpages.verify.browser import make_driver
from mlpages.verify.server import serve_background

ROOT = Path(__file__).resolve().parent.parent
PAGES = ("colours.md", "cnn-digits.md")
CHANGES = 30
DEBOUNCE_MS = 60  # runtime/liveinput.js LIVE_DEBOUNCE_MS

RUN = """
const [ids, done] = [arguments[0], arguments[arguments.length - 1]];
window.mlpages.ready.then(() => Promise.all(ids.map((id) => window.mlpages.run(id))))
  .then((r) => done(r.map((x) => x.status)), (e) => done([String(e)]));
"""
COLOUR = """
const input = document.getElementById(arguments[0]).querySelector('input[type=color]');
input.value = arguments[1];
input.dispatchEvent(new Event('input', {bubbles: true}));
"""
STROKE = """
const [id, k] = arguments;
const cell = document.getElementById(id);
const pad = cell.querySelector('canvas.mlpages-drawpad');
const box = pad.getBoundingClientRect();
const fire = (type, x, y) => pad.dispatchEvent(new PointerEvent(type, {bubbles: true, pointerId: 1,
  button: 0, buttons: type === 'pointerup' ? 0 : 1, clientX: box.left + x, clientY: box.top + y}));
cell.querySelector('.mlpages-drawpad-box button').click();
const pts = [[60, 30 + k % 5], [140, 30], [140, 45], [80 + k % 7, 170]];
pts.forEach(([x, y], i) => fire(i ? 'pointermove' : 'pointerdown', x, y));
fire('pointerup', ...pts[pts.length - 1]);
"""
STATE = """
const root = document.getElementById(arguments[0]).querySelector('.mlpages-live-input');
return [Number(root.dataset.mlpagesUpdates), Number(root.dataset.mlpagesLatencyMs)];
"""
API = """
const [id, input, done] = [arguments[0], arguments[1], arguments[arguments.length - 1]];
const t0 = performance.now();
window.mlpages.predictInput(id, input).then(() => done(performance.now() - t0), (e) => done(String(e)));
"""


def _site(dest: Path) -> Path:
    (dest / "docs").mkdir(parents=True)
    for page in PAGES:
        shutil.copy(ROOT / "docs" / "course" / page, dest / "docs" / page)
    (dest / "mkdocs.yml").write_text("site_name: bench\nplugins: [mlpages]\n"
                                     "markdown_extensions: [pymdownx.superfences]\n")
    build(load_config(str(dest / "mkdocs.yml"), site_dir=str(dest / "site")))
    return dest / "site"


def _latencies(driver: Any, cell: str, change: Any) -> list[float]:
    out = []
    for k in range(CHANGES):
        before = driver.execute_script(STATE, cell)[0]
        change(k)
        deadline = time.time() + 30
        while True:
            updates, latency = driver.execute_script(STATE, cell)
            if updates > before:
                break
            if time.time() > deadline:
                raise RuntimeError(f"{cell}: no prediction after change {k}")
            time.sleep(0.01)
        time.sleep(DEBOUNCE_MS / 1000 * 1.5)  # no change pending when the next one starts
        out.append(float(driver.execute_script(STATE, cell)[1]))
    return out


def run() -> list[tuple[str, str]]:
    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    tmp = Path(tempfile.mkdtemp(prefix="mlpages-liveinput-"))
    rows: list[tuple[str, str]] = []
    url, stop = serve_background(_site(tmp))
    driver = make_driver()
    driver.set_script_timeout(600)
    try:
        driver.get(url + "colours/")
        colour = "mlp-colours-name-a-colour"
        driver.execute_async_script(RUN, ["mlp-colours-fit-colours", colour])
        backend = driver.execute_script("return window.mlpages.environment().backend")
        picked = _latencies(driver, colour, lambda k: driver.execute_script(
            COLOUR, colour, f"#{(k * 37) % 256:02x}{(k * 91) % 256:02x}{(255 - k * 23) % 256:02x}"))
        api = [driver.execute_async_script(API, colour, [k * 8, 255 - k * 8, 128]) for k in range(CHANGES)]
        rows.append(("backend", backend))
        rows.append((f"colour picker: change to prediction (median of {CHANGES})",
                     f"{statistics.median(picked):8.1f} ms"))
        rows.append(("  of which waiting for the input to settle", f"{DEBOUNCE_MS:8.1f} ms"))
        rows.append(("colour: window.mlpages.predictInput()", f"{statistics.median(api):8.1f} ms"))

        driver.get(url + "cnn-digits/")
        digit = "mlp-cnn-digits-draw-a-digit"
        ids = [f"mlp-cnn-digits-{n}" for n in ("epoch-1", "epochs-2-to-5", "epochs-6-to-10")]
        driver.execute_async_script(RUN, [*ids, digit])
        drawn = _latencies(driver, digit, lambda k: driver.execute_script(STROKE, digit, k))
        image = [[[1.0 if (r + c + k) % 5 == 0 else 0.0 for c in range(8)] for r in range(8)]
                 for k in range(CHANGES)]
        api = [driver.execute_async_script(API, digit, img) for img in image]
        rows.append((f"drawing pad: stroke end to prediction (median of {CHANGES})",
                     f"{statistics.median(drawn):8.1f} ms"))
        rows.append(("  the same, less the settling wait",
                     f"{statistics.median(drawn) - DEBOUNCE_MS:8.1f} ms"))
        rows.append(("digits CNN: window.mlpages.predictInput()", f"{statistics.median(api):8.1f} ms"))
    finally:
        driver.quit()
        stop()
        shutil.rmtree(tmp, ignore_errors=True)
    return rows


if __name__ == "__main__":
    for name, value in run():
        print(f"{name:<58}{value}")
