"""Live input on predict cells in headless Chromium (WebGL on SwiftShader): the colour
picker, number fields and the decision boundary's pointer give a label and a confidence
per class; scripted strokes on the drawing pad (pointer events) are read by the demo's
digits CNN; the author's examples match their references on the page and through
`window.mlpages.predictInput`, and verify catches a changed example reference; twenty
changes of the input leave no tensor behind."""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import serving
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from sitebuild import ROOT, build_pages

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser-liveinput")]

COLOURS = """# Colours

```dataset
name: colours
generate: colours
n: 540
seed: 5
normalize: minmax
```

```model
name: colour-net
seed: 2
layers:
  - dense: {units: 16, activation: relu, inputShape: [3]}
  - dense: {units: 9, activation: softmax}
compile:
  optimizer: {adam: {learningRate: 0.03}}
  loss: categoricalCrossentropy
```

```train
name: fit
model: colour-net
dataset: colours
epochs: 15
batchSize: 54
```

```predict
name: pick
model: colour-net
input: live
examples: [[230, 20, 30], [30, 200, 60], [40, 70, 230]]
```
"""

POINTS = """# Points

```dataset
name: blobs
generate: gauss
n: 60
seed: 1
normalize: zscore
```

```model
name: net
seed: 2
layers:
  - dense: {units: 4, activation: tanh, inputShape: [2]}
  - dense: {units: 1, activation: sigmoid}
compile:
  optimizer: {adam: {learningRate: 0.1}}
  loss: binaryCrossentropy
  metrics: [accuracy]
```

```train
name: fit
model: net
dataset: blobs
epochs: 10
batchSize: 20
```

```predict
name: point
model: net
x: [[0.4, 0.4]]
input: live
examples: [[0.4, 0.4], [-0.4, -0.3]]
```
"""

COLOUR_CELL = "mlp-colours-pick"
POINT_CELL = "mlp-points-point"
DIGIT_CELL = "mlp-cnn-digits-draw-a-digit"


def ellipse(cx: float, cy: float, rx: float, ry: float, a0: float = 0, a1: float = 360, n: int = 28
            ) -> list[tuple[float, float]]:
    return [(cx + rx * math.sin(math.radians(a0 + (a1 - a0) * i / n)),
             cy - ry * math.cos(math.radians(a0 + (a1 - a0) * i / n))) for i in range(n + 1)]


# Digits written on the 200-px pad in the font's style the page asks for (a slashed 0, a 1
# with a flag, an open 4, a flat-topped 7), as strokes of (x, y) points.
DIGIT_STROKES: dict[int, list[list[tuple[float, float]]]] = {
    0: [ellipse(100, 100, 42, 68), [(128, 50), (72, 150)]],
    1: [[(78, 52), (100, 30), (100, 170)]],
    2: [ellipse(100, 68, 42, 38, -80, 100, 10) + [(55, 170), (148, 170)]],
    3: [[(55, 30), (145, 30), (100, 88)] + ellipse(100, 128, 44, 40, 0, 200, 10)],
    4: [[(120, 30), (50, 122), (152, 122)], [(120, 30), (120, 170)]],
    5: [[(145, 30), (55, 30), (55, 92)] + ellipse(100, 128, 44, 40, -60, 200, 12)],
    6: [[(128, 30), (85, 48), (58, 90)] + ellipse(100, 128, 42, 40, -90, 270, 16)],
    7: [[(55, 30), (145, 30), (145, 45), (80, 170)]],
    8: [ellipse(100, 62, 36, 32), ellipse(100, 134, 42, 36)],
    9: [ellipse(100, 68, 42, 38, 0, 360, 16), [(142, 68), (140, 120), (100, 170), (72, 168)]],
}

# Pointer events on the pad, as a mouse would send them: down, moves, up per stroke.
DRAW = """
const [id, strokes] = arguments;
const cell = document.getElementById(id);
const pad = cell.querySelector('canvas.mlpages-drawpad');
const box = pad.getBoundingClientRect();
const scale = box.width / 200;
const fire = (type, x, y) => pad.dispatchEvent(new PointerEvent(type, {
  bubbles: true, cancelable: true, pointerId: 1, pointerType: 'mouse', button: 0,
  buttons: type === 'pointerup' ? 0 : 1, clientX: box.left + x * scale, clientY: box.top + y * scale}));
cell.querySelector('.mlpages-drawpad-box button').click();
for (const stroke of strokes) {
  stroke.forEach(([x, y], i) => fire(i ? 'pointermove' : 'pointerdown', x, y));
  const [x, y] = stroke[stroke.length - 1];
  fire('pointerup', x, y);
}
"""

RUN = """
const [ids, done] = [arguments[0], arguments[arguments.length - 1]];
window.mlpages.ready.then(() => Promise.all(ids.map((id) => window.mlpages.run(id))))
  .then((r) => done(r.map((x) => x.status + (x.error ? ': ' + x.error : ''))), (e) => done([String(e)]));
"""

PREDICT = """
const [id, input, done] = [arguments[0], arguments[1], arguments[arguments.length - 1]];
window.mlpages.predictInput(id, input).then((p) => done(p), (e) => done({error: String(e.message || e)}));
"""

STATE = """
const cell = document.getElementById(arguments[0]);
const root = cell.querySelector('.mlpages-live-input');
const out = cell.querySelector('.mlpages-live-output');
return {
  updates: Number(root.dataset.mlpagesUpdates),
  label: out.dataset.mlpagesLabel ?? null,
  confidence: out.dataset.mlpagesConfidence ? Number(out.dataset.mlpagesConfidence) : null,
  text: cell.querySelector('.mlpages-live-label').textContent,
  bars: Array.from(cell.querySelectorAll('.mlpages-live-bar'), (b) => [b.dataset.mlpagesClass,
    Number(b.querySelector('[role=meter]').getAttribute('aria-valuenow'))]),
  fields: Array.from(cell.querySelectorAll('.mlpages-live-field input[type=number]'), (i) => Number(i.value)),
  tensors: window.mlpages.memory().numTensors,
};
"""

SET_COLOUR = """
const input = document.getElementById(arguments[0]).querySelector('input[type=color]');
input.value = arguments[1];
input.dispatchEvent(new Event('input', {bubbles: true}));
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    digits = (ROOT / "docs" / "course" / "cnn-digits.md").read_text()
    return build_pages(tmp_path_factory.mktemp("liveinput"),
                       {"colours.md": COLOURS, "points.md": POINTS, "cnn-digits.md": digits},
                       site_name="liveinput")


@pytest.fixture(scope="module")
def url(site: Path) -> Iterator[str]:
    with serving(site) as address:
        yield address


def open_and_run(browser: Any, address: str, ids: list[str]) -> None:
    browser.get(address)
    statuses = browser.execute_async_script(RUN, ids)
    assert statuses == ["ok"] * len(ids), statuses


def state(browser: Any, cell: str) -> dict[str, Any]:
    return browser.execute_script(STATE, cell)


def changed(browser: Any, cell: str, before: int, timeout: float = 20.0) -> dict[str, Any]:
    """The widget's state once it has shown a prediction after `before` updates."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        now = state(browser, cell)
        if now["updates"] > before:
            return now
        time.sleep(0.03)
    raise AssertionError(f"no prediction within {timeout} s: {state(browser, cell)}")


def test_the_colour_picker_names_the_colour(browser: Any, url: str) -> None:
    open_and_run(browser, url + "colours/", ["mlp-colours-fit", COLOUR_CELL])
    for colour, name, rgb in (("#dc1e28", "red", [220, 30, 40]), ("#1e50dc", "blue", [30, 80, 220]),
                              ("#f5e128", "yellow", [245, 225, 40])):
        before = state(browser, COLOUR_CELL)["updates"]
        browser.execute_script(SET_COLOUR, COLOUR_CELL, colour)
        now = changed(browser, COLOUR_CELL, before)
        assert now["label"] == name, now
        assert 0.5 < now["confidence"] <= 1
        assert [b[0] for b in now["bars"]] == ["red", "orange", "yellow", "green", "blue", "purple",
                                               "pink", "brown", "grey"]
        assert math.isclose(sum(p for _, p in now["bars"]), 1.0, abs_tol=1e-4)
        assert max(now["bars"], key=lambda b: b[1])[0] == name
        assert now["text"].startswith(f"{name} (")
        # The API computes what the widget shows.
        api = browser.execute_async_script(PREDICT, COLOUR_CELL, rgb)
        assert api["label"] == name and math.isclose(api["confidence"], now["confidence"], rel_tol=1e-6)
        assert api["probabilities"][name] == api["confidence"]
        assert api["input"] == rgb and all(0 <= v <= 1 for v in api["x"])  # minmax-normalized


def test_the_examples_match_their_references_on_the_page(browser: Any, url: str) -> None:
    for page, ids, cell, count in (
        ("colours/", ["mlp-colours-fit", COLOUR_CELL], COLOUR_CELL, 3),
        ("points/", ["mlp-points-fit", POINT_CELL], POINT_CELL, 2),
    ):
        open_and_run(browser, url + page, ids)
        marks = browser.execute_script(
            "return Array.from(document.getElementById(arguments[0]).querySelectorAll("
            "'tr[data-mlpages-example] td:last-child'), (td) => td.textContent)", cell)
        assert marks == ["✓ match"] * count, (page, marks)


def test_no_tensor_leaks_after_twenty_changes(browser: Any, url: str) -> None:
    open_and_run(browser, url + "colours/", ["mlp-colours-fit", COLOUR_CELL])
    before = state(browser, COLOUR_CELL)["updates"]
    browser.execute_script(SET_COLOUR, COLOUR_CELL, "#808080")
    start = changed(browser, COLOUR_CELL, before)
    for i in range(20):
        browser.execute_script(SET_COLOUR, COLOUR_CELL, f"#{(i * 12) % 256:02x}{(255 - i * 9) % 256:02x}40")
        now = changed(browser, COLOUR_CELL, start["updates"] + i)
    assert now["updates"] == start["updates"] + 20
    assert now["tensors"] == start["tensors"], (start["tensors"], now["tensors"])


def test_number_fields_and_the_boundary_pointer_predict(browser: Any, url: str) -> None:
    open_and_run(browser, url + "points/", ["mlp-points-fit", POINT_CELL])
    # The fields start at the first example, in raw units.
    first = changed(browser, POINT_CELL, 0)
    assert first["fields"] == [0.4, 0.4] and first["label"] in ("0", "1")
    # Typing a value predicts it.
    browser.execute_script(
        "const f = document.getElementById(arguments[0])"
        ".querySelectorAll('.mlpages-live-field input[type=number]');"
        "f[0].value = '-0.5'; f[1].value = '-0.5'; f[1].dispatchEvent(new Event('input', {bubbles: true}));",
        POINT_CELL)
    typed = changed(browser, POINT_CELL, first["updates"])
    api = browser.execute_async_script(PREDICT, POINT_CELL, [-0.5, -0.5])
    assert typed["label"] == api["label"] == "0", (typed, api)  # the gauss blob of class 0
    assert math.isclose(typed["confidence"], api["confidence"], rel_tol=1e-6)
    # Pointing at the plot: its top-right corner is class 1's blob (0.4, 0.4), far out.
    canvas = browser.execute_script(
        "const c = document.getElementById(arguments[0]).querySelector('.mlpages-live-boundary canvas');"
        "const b = c.getBoundingClientRect();"
        "return [b.left, b.top, b.width, b.height, !c.closest('[hidden]')];",
        POINT_CELL)
    left, top, width, height, visible = canvas
    assert visible and width > 100
    for fx, fy, expected in ((0.9, 0.1, "1"), (0.1, 0.9, "0")):
        before = state(browser, POINT_CELL)["updates"]
        browser.execute_script(
            "const c = document.getElementById(arguments[0]).querySelector('.mlpages-live-boundary canvas');"
            "c.dispatchEvent(new PointerEvent('pointermove',"
            " {bubbles: true, clientX: arguments[1], clientY: arguments[2]}));",
            POINT_CELL, left + fx * width, top + fy * height)
        now = changed(browser, POINT_CELL, before)
        assert now["label"] == expected, (fx, fy, now)
        x, y = now["fields"]
        assert (x > 0.4 and y > 0.4) if expected == "1" else (x < -0.4 and y < -0.4), now["fields"]
        api = browser.execute_async_script(PREDICT, POINT_CELL, now["fields"])
        assert api["label"] == expected and abs(api["confidence"] - now["confidence"]) < 1e-3


def test_drawn_digits_are_read_by_the_demo_cnn(browser: Any, url: str) -> None:
    ids = [f"mlp-cnn-digits-{n}" for n in ("epoch-1", "epochs-2-to-5", "epochs-6-to-10")] + [DIGIT_CELL]
    open_and_run(browser, url + "cnn-digits/", ids)
    right = []
    for digit, strokes in DIGIT_STROKES.items():
        before = state(browser, DIGIT_CELL)["updates"]
        browser.execute_script(DRAW, DIGIT_CELL, strokes)
        time.sleep(0.15)  # past the debounce of the last move: the last stroke's prediction
        now = changed(browser, DIGIT_CELL, before)
        time.sleep(0.15)
        now = state(browser, DIGIT_CELL)
        assert now["label"] is not None and 0 < now["confidence"] <= 1
        assert len(now["bars"]) == 10
        right.append(now["label"] == str(digit))
    print(f"drawn digits read right: {sum(right)} of 10 ({right})")
    assert sum(right) >= 8, right
    # The reduced image is shown: the pad's preview is not blank.
    ink = browser.execute_script(
        "const c = document.getElementById(arguments[0]).querySelector('canvas.mlpages-drawpad-reduced');"
        "const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
        "let n = 0; for (let i = 0; i < d.length; i += 4) n += d[i] < 128; return n;", DIGIT_CELL)
    assert ink >= 6
    marks = browser.execute_script(
        "return Array.from(document.getElementById(arguments[0]).querySelectorAll("
        "'tr[data-mlpages-example] td:last-child'), (td) => td.textContent)", DIGIT_CELL)
    assert marks == ["✓ match", "✓ match"]

    # A real mouse (WebDriver's input actions, not synthetic events): Clear, then a 7.
    pad = browser.find_element(By.CSS_SELECTOR, f"#{DIGIT_CELL} canvas.mlpages-drawpad")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", pad)
    clear = browser.find_element(By.CSS_SELECTOR, f"#{DIGIT_CELL} .mlpages-drawpad-box button")
    cleared = state(browser, DIGIT_CELL)["updates"]
    browser.execute_script("arguments[0].click()", clear)
    # Clear's own (debounced) prediction first: the one awaited below is then the stroke's,
    # and the page no longer changes under the mouse.
    before = changed(browser, DIGIT_CELL, cleared)["updates"]
    stroke = DIGIT_STROKES[7][0]
    chain = ActionChains(browser, duration=10).move_to_element_with_offset(
        pad, int(stroke[0][0] - 100), int(stroke[0][1] - 100)).click_and_hold()
    for (x0, y0), (x1, y1) in zip(stroke, stroke[1:], strict=False):
        chain.move_by_offset(int(x1 - x0), int(y1 - y0))
    chain.release().perform()
    changed(browser, DIGIT_CELL, before)
    # The stroke's prediction. Which digit it reads depends on how many of the mouse's moves
    # the browser delivers (fewer on a busy machine, a coarser 7): reading digits is what the
    # scripted strokes above check; here, that a real mouse's stroke is drawn and predicted.
    deadline = time.time() + 10
    while state(browser, DIGIT_CELL)["label"] != "7" and time.time() < deadline:
        time.sleep(0.05)
    final = state(browser, DIGIT_CELL)
    assert final["label"] in [str(d) for d in range(10)] and 0 < final["confidence"] <= 1, final
    strokes = browser.execute_script(
        "const c = document.querySelector(arguments[0]);"
        "const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
        "let n = 0; for (let i = 3; i < d.length; i += 4) n += d[i] > 0; return n;",
        f"#{DIGIT_CELL} canvas.mlpages-drawpad")
    assert strokes > 100  # the mouse's stroke is on the pad


def test_predict_input_refuses_a_wrong_input_and_a_cell_without_input(browser: Any, url: str) -> None:
    browser.get(url + "colours/")
    wrong = browser.execute_async_script(PREDICT, COLOUR_CELL, [1, 2])
    assert "3 finite numbers" in wrong["error"]
    other = browser.execute_async_script(PREDICT, "mlp-colours-fit", [1, 2, 3])
    assert "no predict cell 'mlp-colours-fit' with input or examples" in other["error"]
    # Before any run, predictInput replays the training first: the page's order is kept.
    first = browser.execute_async_script(PREDICT, COLOUR_CELL, [230, 20, 30])
    assert first["label"] == "red", first


def verify(site: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mlpages.cli", "verify", str(site), *args],
                          capture_output=True, text=True, timeout=600)


def test_verify_checks_the_examples_and_catches_a_changed_reference(site: Path, tmp_path: Path) -> None:
    copy = tmp_path / "site"
    shutil.copytree(site / "assets", copy / "assets")
    shutil.copytree(site / "mlpages-data", copy / "mlpages-data")  # the dataset's array file
    page = copy / "colours" / "index.html"
    page.parent.mkdir(parents=True)
    html = (site / "colours" / "index.html").read_text()
    page.write_text(html)
    passed = verify(copy, "--artifacts", str(tmp_path / "a1"))
    assert passed.returncode == 0, passed.stdout + passed.stderr
    pattern = re.compile(r'(id="mlp-colours-pick".*?class="mlpages-spec">)(.*?)(</script>)', re.S)
    match = pattern.search(html)
    assert match
    spec = json.loads(match.group(2))
    webgl = next(r for r in spec[0]["references"] if r["epsilon"] == 1e-4)
    webgl["examples"]["data"][3] = webgl["examples"]["data"][3] * 1.01 + 0.01
    page.write_text(html[: match.start(2)] + json.dumps(spec, separators=(",", ":")) + html[match.end(2):])
    failed = verify(copy, "--artifacts", str(tmp_path / "a2"))
    assert failed.returncode == 1, failed.stdout + failed.stderr
    line = next(ln for ln in failed.stdout.splitlines() if "examples" in ln and "pick" in ln)
    assert "mismatch" in line, line
    assert "1 mismatched" in failed.stdout
    detail = next(ln for ln in failed.stdout.splitlines() if "examples index 3" in ln)
    assert "pick" in detail and "reference" in detail, detail
