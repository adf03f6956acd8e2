"""Knobs of a train cell in headless Chromium: the controls, the variant files the build
wrote, the setting in the address, free values, and no tensor leaked by switching.

The expected numbers are read from the variant files on disk (what the build wrote), never
from the browser."""

from __future__ import annotations

import html as html_lib
import json
import math
import re
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import serving
from mdhelpers import knobs_page
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from sitebuild import build_pages

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser-knobs")]

# The knobs page with a results table, a numeric question and a quiz question of words.
KNOBS = ("knobs:\n  epochs: [3, 5]\n"
         "  model.learningRate: {values: [0.1, 0.3], free: true, label: Learning rate}\n"
         "  dataset.generate: [circles, xor]")
PAGE = knobs_page(KNOBS, epochs=5, predict="guess") + """
```results
name: table
rows:
  - {label: final loss, cell: fit, quantity: loss}
```

```quiz
name: check
question: What is the loss after the last epoch of `fit`?
answer_from: {cell: fit, quantity: loss}
```

```quiz
name: words
question: Which gate can one neuron **not** learn?
answers:
  - AND
  - {text: XOR, correct: true}
```
"""

CELL = "mlp-index-fit"
QUESTION = "#mlp-index-check-check-1"
PANEL = "mlp-index-fit-knobs"
# The knobs as listed: epochs [3, 5], learning rate [0.1, 0.3], data [circles, xor].
SIZES = (2, 2, 2)


def index_of(*positions: int) -> int:
    """A variant's number, row-major over the knobs as listed."""
    index = 0
    for size, p in zip(SIZES, positions, strict=True):
        index = index * size + p
    return index


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return build_pages(tmp_path_factory.mktemp("knobs"), {"index.md": PAGE}, site_name="knobs")


@pytest.fixture(scope="module")
def served(site) -> Any:
    with serving(site) as url:
        yield url


def variant(site: Path, index: int, cell: str = CELL) -> dict[str, Any]:
    return json.loads((site / "mlpages-variants" / cell / f"{index}.json").read_text(encoding="utf-8"))


def block_spec(file: dict[str, Any], element: str) -> dict[str, Any]:
    """The spec of one block of a variant file, as the build wrote it."""
    html = next(b["html"] for b in file["blocks"] if b["id"] == element)
    found = re.search(r'<script type="application/json" class="mlpages-[a-z-]*spec">(.*?)</script>',
                      html, re.S)
    assert found, html[:200]
    return json.loads(html_lib.unescape(found.group(1)))[0]


def open_page(browser, url: str) -> float:
    """Load the page, wait for the runtime; the backend's epsilon."""
    browser.get(url)
    out = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "window.mlpages.ready.then(() => done({eps: window.mlpages.environment().epsilon}),"
        " (e) => done({error: String(e)}));")
    assert "error" not in out, out
    return out["eps"]


def knobs(browser, cell: str = CELL) -> dict[str, Any]:
    states = browser.execute_script("return window.mlpages.knobs();")
    assert [s["cell"] for s in states] == [cell]
    return states[0]


def wait_for(browser, predicate, timeout: float = 60) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out; knobs {browser.execute_script('return window.mlpages.knobs()')}")


def settled(browser) -> bool:
    controls = browser.find_element(By.CSS_SELECTOR, f"#{PANEL} .mlpages-knobs-controls")
    return controls.get_attribute("aria-busy") == "false"


def control(browser, selector: str) -> Any:
    """One of the panel's controls."""
    return browser.find_element(By.CSS_SELECTOR, f"#{PANEL} {selector}")


def click(browser, element: Any) -> None:
    """Click where a reader sees it (not under the theme's fixed header)."""
    browser.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", element)
    element.click()


def set_knobs(browser, values: dict[str, Any], cell: str = CELL) -> Any:
    """`window.mlpages.setKnobs` of the cell: its state, or the error's text."""
    return browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "window.mlpages.setKnobs(arguments[0], arguments[1]).then(done, (e) => done(String(e)));",
        cell, values)


def run(browser, cell: str) -> dict[str, Any]:
    out = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "window.mlpages.run(arguments[0]).then(done, (e) => done({error: String(e)}));", cell)
    assert out.get("status") == "ok", out
    return out


def page_spec(browser, element: str) -> dict[str, Any]:
    """The spec script now in the page for a cell (what the runtime mounted)."""
    text = browser.execute_script(
        "const el = document.getElementById(arguments[0]);"
        "const script = el.querySelector('script.mlpages-spec') || el.querySelector(':scope > script');"
        "return script.textContent;", element)
    return json.loads(text)[0]


def within(value: float, reference: float, tol: dict[str, float]) -> bool:
    return abs(value - reference) <= tol["atol"] + tol["rtol"] * abs(reference)


def reference_of(spec: dict[str, Any], eps: float) -> dict[str, Any]:
    return next(r for r in spec["references"] if math.isclose(r["epsilon"], eps))


def test_the_controls_pick_a_variant_whose_run_matches_its_reference(site, served, browser):
    eps = open_page(browser, served)
    state = knobs(browser)
    assert state["index"] == state["default"] == index_of(1, 1, 0)
    assert state["values"] == {"epochs": 5, "model.learningRate": 0.3, "dataset.generate": "circles"}
    # The static list gave way to the controls.
    assert not browser.find_elements(By.CSS_SELECTOR, f"#{PANEL} ul.mlpages-knobs-static")

    slider = control(browser, 'input[type="range"][data-mlpages-knob="epochs"]')
    label = control(browser, f'label[for="{slider.get_attribute("id")}"]')
    assert label.text == "Epochs"
    slider.send_keys(Keys.ARROW_LEFT)  # 5 -> 3
    wait_for(browser, lambda: knobs(browser)["values"]["epochs"] == 3 and settled(browser))
    xor = control(browser, 'button[data-mlpages-knob="dataset.generate"][data-mlpages-value="xor"]')
    click(browser, xor)
    wait_for(browser, lambda: knobs(browser)["values"]["dataset.generate"] == "xor" and settled(browser))

    expected_index = index_of(0, 1, 1)
    state = knobs(browser)
    assert state["index"] == expected_index
    assert xor.get_attribute("aria-pressed") == "true"
    assert slider.get_attribute("aria-valuetext") == "3"
    assert browser.execute_script("return location.search;") == "?fit.epochs=3&fit.dataset.generate=xor"

    file = variant(site, expected_index)
    assert file["knobs"] == {"epochs": 3, "model.learningRate": 0.3, "dataset.generate": "xor"}
    expected = block_spec(file, CELL)
    assert page_spec(browser, CELL)["fit"]["epochs"] == 3
    assert page_spec(browser, "mlp-index-pts") == block_spec(file, "mlp-index-pts")

    # The quiz was mounted again: before a run, it checks the variant's reference.
    question = block_spec(file, "mlp-index-check")["questions"][0]
    author = block_spec(variant(site, state["default"]), "mlp-index-check")["questions"][0]
    assert question["references"] != author["references"]
    box = browser.find_element(By.CSS_SELECTOR, f"{QUESTION} input[type='text']")
    box.send_keys(repr(reference_of(question, eps)["value"]))
    check = browser.find_element(By.XPATH, f"//*[@id='{QUESTION[1:]}']//button[text()='Check']")
    click(browser, check)
    verdict = browser.find_element(By.CSS_SELECTOR, f"{QUESTION} .mlpages-quiz-feedback p")
    assert verdict.get_attribute("data-verdict") == "right", verdict.text
    # Every quiz mounted once: the one no variant changes too, and one score bar.
    assert len(browser.find_elements(By.CSS_SELECTOR, ".mlpages-quiz-controls")) == 2
    assert len(browser.find_elements(By.CSS_SELECTOR, ".mlpages-quiz-score")) == 1
    assert browser.find_element(By.CSS_SELECTOR, ".mlpages-quiz-total").text == "1 / 2"

    result = run(browser, CELL)
    assert result["comparable"] is True and "unverified" not in result
    ref = reference_of(expected, eps)
    assert len(result["history"]["loss"]) == 3
    assert within(result["history"]["loss"][-1], ref["history"]["loss"][-1], expected["tolerance"])
    assert abs(result["history"]["acc"][-1] - ref["history"]["acc"][-1]) <= 1 / 18 + 1e-9  # 18 train rows
    mine = [v for w in result["weights"] for v in w["data"]]
    theirs = [v for w in ref["weights"] for v in w["data"]]
    assert len(mine) == len(theirs)
    assert all(within(a, b, expected["tolerance"]) for a, b in zip(mine, theirs, strict=True))
    cell = browser.find_element(By.ID, CELL)
    assert cell.find_elements(By.CSS_SELECTOR, ".mlpages-match")
    assert not cell.find_elements(By.CSS_SELECTOR, ".mlpages-mismatch")

    # The results table and the predict cell read the variant's references.
    table = block_spec(file, "mlp-index-table")
    shown = browser.find_element(By.CSS_SELECTOR, "#mlp-index-table td.mlpages-results-reference").text
    assert math.isclose(float(shown), reference_of(table["rows"][0], eps)["value"], rel_tol=1e-5)
    guess = run(browser, "mlp-index-guess")
    assert guess["comparable"] is True
    predicted = reference_of(block_spec(file, "mlp-index-guess"), eps)["predictions"]["data"]
    outputs = guess["predictions"]["data"]
    assert all(within(a, b, expected["tolerance"]) for a, b in zip(outputs, predicted, strict=True))


def test_a_free_value_is_labelled_and_never_checked(site, served, browser):
    eps = open_page(browser, served)
    field = control(browser, 'input[data-mlpages-knob-free="model.learningRate"]')
    field.clear()
    field.send_keys("0.15", Keys.TAB)
    wait_for(browser, lambda: knobs(browser)["values"]["model.learningRate"] == 0.15 and settled(browser))
    state = knobs(browser)
    assert state["index"] is None
    assert browser.execute_script("return location.search;") == "?fit.model.learningRate=0.15"
    # The nearest listed value is 0.1: that variant's blocks are in place.
    nearest = variant(site, index_of(1, 0, 0))
    label = browser.find_element(By.CSS_SELECTOR, f"#{CELL} .mlpages-unverified").text
    assert ("no reference covers learning rate 0.15; the nearest verified variant (0.1) is shown beside it"
            in label)

    result = run(browser, CELL)
    assert result["comparable"] is False
    assert "no reference covers learning rate 0.15" in result["unverified"]
    cell = browser.find_element(By.ID, CELL)
    assert not cell.find_elements(By.CSS_SELECTOR, ".mlpages-match")
    assert not cell.find_elements(By.CSS_SELECTOR, ".mlpages-mismatch")
    assert "nearest verified variant" in cell.text
    # The learning rate was applied: the run is not the nearest variant's.
    ref = reference_of(block_spec(nearest, CELL), eps)
    tolerance = block_spec(nearest, CELL)["tolerance"]
    assert not within(result["history"]["loss"][-1], ref["history"]["loss"][-1], tolerance)
    guess = run(browser, "mlp-index-guess")
    assert guess["comparable"] is False and guess["unverified"]
    assert not browser.find_elements(By.CSS_SELECTOR, "#mlp-index-guess .mlpages-match")

    # Back to a listed value: verified again.
    state = set_knobs(browser, {"model.learningRate": 0.1})
    assert state["index"] == index_of(1, 0, 0), state
    assert not browser.find_elements(By.CSS_SELECTOR, f"#{CELL} .mlpages-unverified")
    result = run(browser, CELL)
    assert result["comparable"] is True and "unverified" not in result
    assert within(result["history"]["loss"][-1], ref["history"]["loss"][-1], tolerance)


def test_the_address_restores_a_setting(site, served, browser):
    query = "?x=1&fit.epochs=3&fit.model.learningRate=0.1&fit.dataset.generate=spiral#top"
    open_page(browser, served + query)
    state = knobs(browser)
    assert state["values"] == {"epochs": 3, "model.learningRate": 0.1, "dataset.generate": "circles"}
    assert state["index"] == index_of(0, 0, 0)
    warnings = [e["message"] for e in browser.get_log("browser") if e["level"] == "WARNING"]
    assert any("fit.dataset.generate=spiral" in w for w in warnings), warnings
    assert control(browser, 'input[type="range"][data-mlpages-knob="epochs"]').get_attribute("value") == "0"
    field = control(browser, 'input[data-mlpages-knob-free="model.learningRate"]')
    assert field.get_attribute("value") == "0.1"
    file = variant(site, index_of(0, 0, 0))
    assert page_spec(browser, CELL) == block_spec(file, CELL)
    assert page_spec(browser, "mlp-index-net") == block_spec(file, "mlp-index-net")
    # The invalid value is dropped from the address; other parameters and the hash stay.
    assert browser.execute_script("return location.search + location.hash;") == \
        "?x=1&fit.epochs=3&fit.model.learningRate=0.1#top"

    # A free value in the address is applied before the cells mount.
    open_page(browser, served + "?fit.model.learningRate=0.25")
    assert knobs(browser)["index"] is None
    assert "learning rate 0.25" in browser.find_element(By.CSS_SELECTOR, f"#{CELL} .mlpages-unverified").text
    lr = browser.execute_script(
        "return document.getElementById(arguments[0]).querySelector('script').textContent;", "mlp-index-net")
    assert '"learningRate":0.3' in lr  # the page's HTML is the nearest variant's ...
    result = run(browser, CELL)
    assert result["unverified"] and result["comparable"] is False  # ... the run used 0.25


def test_quick_changes_land_on_the_last(site, served, browser):
    open_page(browser, served)
    slider = control(browser, 'input[type="range"][data-mlpages-knob="model.learningRate"]')
    slider.send_keys(Keys.ARROW_LEFT, Keys.ARROW_RIGHT, Keys.ARROW_LEFT)  # 0.3 -> 0.1 -> 0.3 -> 0.1
    wait_for(browser, lambda: settled(browser))  # busy until every change asked for is done
    assert knobs(browser)["index"] == index_of(1, 0, 0)
    assert slider.get_attribute("value") == "0"
    net = block_spec(variant(site, index_of(1, 0, 0)), "mlp-index-net")
    assert page_spec(browser, "mlp-index-net") == net
    assert run(browser, CELL)["comparable"] is True


def test_cells_above_the_first_changed_block_keep_their_results(served, browser):
    open_page(browser, served)
    out = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "window.mlpages.runAll().then(() => window.mlpages.setKnobs(arguments[0], {epochs: 3}))"
        ".then(() => done(Object.keys(window.mlpages.results)), (e) => done(String(e)));", CELL)
    # Epochs change the train cell and what reads it, not the dataset and model cells.
    assert sorted(out) == ["mlp-index-net", "mlp-index-pts"], out
    status = browser.find_element(By.CSS_SELECTOR, "#mlp-index-net .mlpages-status").text
    assert status.startswith("not built yet"), status  # its model was trained by fit: dropped
    own = browser.find_element(By.CSS_SELECTOR, "#mlp-index-table td.mlpages-results-own").text
    assert own == "not run yet"


def test_unlisted_values_are_refused(served, browser):
    open_page(browser, served)
    for values, message in [
        ({"epochs": 4}, "knob 'epochs' of train 'fit' has no value 4; choose one of 3, 5"),
        ({"dataset.generate": "spiral"}, "has no value 'spiral'"),
        ({"model.learningRate": 0.5}, "a number between 0.1 and 0.3, not 0.5"),
        ({"units": 2}, "train 'fit' has no knob 'units'"),
    ]:
        out = set_knobs(browser, values)
        assert isinstance(out, str) and message in out, (values, out)
    state = knobs(browser)
    assert state["index"] == state["default"]
    assert browser.find_element(By.CSS_SELECTOR, f"#{PANEL} .mlpages-cell-error").text


def test_a_missing_variant_file_leaves_the_page_as_it_was(site, served, browser):
    open_page(browser, served)
    before = page_spec(browser, CELL)
    path = site / "mlpages-variants" / CELL / f"{index_of(1, 0, 1)}.json"
    hidden = path.with_suffix(".hidden")
    path.rename(hidden)
    try:
        out = set_knobs(browser, {"model.learningRate": 0.1, "dataset.generate": "xor"})
    finally:
        hidden.rename(path)
    assert isinstance(out, str) and "HTTP 404" in out, out
    assert "HTTP 404" in browser.find_element(By.CSS_SELECTOR, f"#{PANEL} [role=alert]").text
    state = knobs(browser)
    assert state["index"] == state["default"]
    assert page_spec(browser, CELL) == before
    assert run(browser, CELL)["comparable"] is True


def test_switching_and_running_leaks_no_tensors(served, browser):
    open_page(browser, served)
    out = browser.execute_async_script(
        """
        const [cell, done] = [arguments[0], arguments[arguments.length - 1]];
        const settings = [
          {epochs: 3, 'model.learningRate': 0.1, 'dataset.generate': 'circles'},
          {epochs: 3, 'model.learningRate': 0.3, 'dataset.generate': 'xor'},
          {epochs: 5, 'model.learningRate': 0.2, 'dataset.generate': 'circles'},
          {epochs: 3, 'model.learningRate': 0.12, 'dataset.generate': 'xor'},
        ];
        (async () => {
          const counts = [];  // right after each change: every model of the reset cells dropped
          const ran = [];  // after each uninterrupted run: one live model
          const interrupted = [];
          for (let i = 0; i < 20; i++) {
            await window.mlpages.setKnobs(cell, settings[i % settings.length]);
            counts.push(window.mlpages.memory().numTensors);
            const runs = [window.mlpages.run(cell), window.mlpages.run('mlp-index-guess')];
            if (i % 5 === 4) {
              // a knob change while a run is under way stops it
              const data = settings[i % settings.length]['dataset.generate'] === 'xor' ? 'circles' : 'xor';
              await window.mlpages.setKnobs(cell, {'dataset.generate': data});
              counts.push(window.mlpages.memory().numTensors);
              interrupted.push((await Promise.all(runs)).map((r) => r.status));
              continue;
            }
            const results = await Promise.all(runs);
            if (results.some((r) => r.status !== 'ok')) throw new Error(JSON.stringify(results));
            ran.push(window.mlpages.memory().numTensors);
          }
          await window.mlpages.setKnobs(cell, settings[0]);
          counts.push(window.mlpages.memory().numTensors);
          return {counts, ran, interrupted};
        })().then(done, (e) => done({error: String(e)}));
        """, CELL)
    assert "error" not in out, out
    assert len(set(out["counts"])) == 1, json.dumps(out)
    assert len(set(out["ran"])) == 1 and out["ran"][0] > out["counts"][0], json.dumps(out)
    for statuses in out["interrupted"]:
        assert statuses[0] in ("ok", "stopped") and statuses[1] in ("ok", "stopped"), json.dumps(out)
    print(json.dumps(out))


MATERIAL = "theme:\n  name: material\n  font: false\n  features: [navigation.instant]\n"


def test_instant_navigation_applies_the_address_before_the_cells_mount(tmp_path_factory, browser):
    site = build_pages(tmp_path_factory.mktemp("knobs-material"),
                       {"index.md": "# Start\n\nNo cells here.\n", "knobs.md": PAGE},
                       site_name="knobs", extra=MATERIAL + "nav: [index.md, knobs.md]\n")
    cell = "mlp-knobs-fit"  # the page is knobs.md
    file = variant(site, index_of(0, 1, 1), cell)
    with serving(site) as url:
        browser.get(url)
        browser.execute_async_script("window.mlpages.ready.then(arguments[arguments.length - 1])")
        # A link with a setting, followed by Material's instant navigation (no reload).
        browser.execute_script(
            "const a = document.createElement('a'); a.id = 'to-knobs';"
            "a.href = 'knobs/?fit.epochs=3&fit.dataset.generate=xor'; a.textContent = 'knobs';"
            "document.querySelector('article').append(a);")
        click(browser, browser.find_element(By.ID, "to-knobs"))
        wait_for(browser, lambda: browser.execute_script(
            "return window.mlpages.knobs().length === 1 && !!document.getElementById(arguments[0]);", cell))
        browser.execute_async_script("window.mlpages.ready.then(arguments[arguments.length - 1])")
        assert browser.execute_script("return performance.getEntriesByType('navigation').length") == 1
        assert len(browser.find_elements(By.CSS_SELECTOR, ".mlpages-knobs-controls")) == 1
        assert knobs(browser, cell)["index"] == index_of(0, 1, 1)
        assert page_spec(browser, cell) == block_spec(file, cell)
        assert browser.execute_script("return location.search") == "?fit.epochs=3&fit.dataset.generate=xor"
        result = run(browser, cell)
        assert result["comparable"] is True and len(result["history"]["loss"]) == 3
        assert browser.find_elements(By.CSS_SELECTOR, f"#{cell} .mlpages-match")
        # A change under Material: the new variant's blocks replace those of the swapped-in page.
        state = set_knobs(browser, {"epochs": 5}, cell)
        assert state["index"] == index_of(1, 1, 1), state
        assert page_spec(browser, cell) == block_spec(variant(site, index_of(1, 1, 1), cell), cell)


TWO = """\
# Two

```dataset
name: a
generate: xor
n: 12
seed: 1
```

```model
name: na
seed: 1
layers:
  - dense: {units: 1, activation: sigmoid, inputShape: [2]}
compile: {optimizer: {sgd: {learningRate: 0.5}}, loss: binaryCrossentropy}
```

```train
name: fa
model: na
dataset: a
epochs: 2
batchSize: 4
knobs:
  epochs: [2, 3]
```

```model
name: nb
seed: 2
layers:
  - dense: {units: 1, activation: sigmoid, inputShape: [2]}
compile: {optimizer: {sgd: {learningRate: 0.5}}, loss: binaryCrossentropy}
```

```train
name: fb
model: nb
dataset: a
epochs: 2
batchSize: 4
knobs:
  epochs: [2, 3]
  model.learningRate: {values: [0.1, 0.5], free: true}
```
"""


def test_two_cells_with_knobs(tmp_path_factory, browser):
    site = build_pages(tmp_path_factory.mktemp("knobs-two"), {"index.md": TWO}, site_name="two")
    fa, fb = "mlp-index-fa", "mlp-index-fb"
    with serving(site) as url:
        open_page(browser, url + "?fa.epochs=3&fb.model.learningRate=0.2")
        states = {s["cell"]: s for s in browser.execute_script("return window.mlpages.knobs();")}
        assert states[fa]["index"] == 1 and states[fb]["index"] is None
        assert page_spec(browser, fa) == block_spec(variant(site, 1, fa), fa)
        # Both at once: changes are applied one after the other, each with its own blocks.
        out = browser.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "Promise.all([window.mlpages.setKnobs(arguments[0], {epochs: 2}),"
            " window.mlpages.setKnobs(arguments[1], {epochs: 3, 'model.learningRate': 0.1})])"
            ".then(done, (e) => done(String(e)));", fa, fb)
        assert [s["index"] for s in out] == [0, 2], out
        assert browser.execute_script("return location.search") == "?fb.epochs=3&fb.model.learningRate=0.1"
        assert page_spec(browser, fa) == block_spec(variant(site, 0, fa), fa)
        assert page_spec(browser, fb) == block_spec(variant(site, 2, fb), fb)
        for cell in (fa, fb):
            result = run(browser, cell)
            assert result["comparable"] is True, result
            assert browser.find_elements(By.CSS_SELECTOR, f"#{cell} .mlpages-match")
