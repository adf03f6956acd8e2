"""The reader's own data in real Chromium (WebGL on SwiftShader): points added and removed on
a dataset cell's plot with the mouse and the keyboard, rows of a small table edited in raw
units; the cells reading the dataset train and predict on them, say so, and show no ✓;
Reset brings the author's data back and the next run matches its reference again; no
tensors leak over edits and re-runs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import serving
from mdhelpers import SPEC_SCRIPT
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.actions import interaction
from selenium.webdriver.common.actions.action_builder import ActionBuilder
from selenium.webdriver.common.actions.pointer_input import PointerInput
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from sitebuild import build_pages

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser-reader-data")]

PAGE = """\
# Your data

```dataset
name: pts
x: [[-1, -1], [-0.8, -0.6], [-0.5, -0.9], [0.6, 0.7], [0.9, 0.4], [0.8, 1.0]]
y: [[0], [0], [0], [1], [1], [1]]
```

```model
name: net
seed: 1
layers:
  - dense: {units: 1, activation: sigmoid, inputShape: [2]}
compile: {optimizer: adam, loss: binaryCrossentropy, metrics: [accuracy]}
```

```train
name: fit
model: net
dataset: pts
epochs: 3
batchSize: 64
```

```predict
name: guess
model: net
dataset: pts
split: train
```

```results
name: losses
rows:
  - {label: final loss, cell: fit, quantity: loss}
```

```dataset
name: houses
x: [[50, 1], [80, 2], [120, 3], [65, 2]]
y: [[100], [160], [250], [130]]
normalize: zscore
```

```model
name: reg
seed: 3
layers:
  - dense: {units: 1, inputShape: [2]}
compile: {optimizer: sgd, loss: meanSquaredError}
```

```train
name: fit-houses
model: reg
dataset: houses
epochs: 1
batchSize: 64
```
"""
PTS, FIT, GUESS = "mlp-index-pts", "mlp-index-fit", "mlp-index-guess"
HOUSES, REG, FIT_HOUSES = "mlp-index-houses", "mlp-index-reg", "mlp-index-fit-houses"
NOTE = "Your data: no reference covers this run; verify checks only the author's data"

RUN = """
const [id, done] = arguments;
window.mlpages.run(id).then((r) => done(JSON.parse(JSON.stringify(r))), (e) => done(String(e)));
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return build_pages(tmp_path_factory.mktemp("reader-data"), {"index.md": PAGE})


@pytest.fixture(scope="module")
def specs(site) -> dict[str, Any]:
    html = (site / "index.html").read_text(encoding="utf-8")
    found = [json.loads(text)[0] for text in SPEC_SCRIPT.findall(html)]
    return {spec["id"]: spec for spec in found}


@pytest.fixture
def page(site, browser) -> Any:
    with serving(site) as url:
        browser.get(url)
        browser.execute_async_script("window.mlpages.ready.then(arguments[0])")
        yield browser


def run(driver, cell_id: str) -> dict[str, Any]:
    result = driver.execute_async_script(RUN, cell_id)
    assert isinstance(result, dict), result
    return result


def live_text(driver, cell_id: str) -> str:
    return driver.find_element(By.ID, cell_id).find_element(By.CSS_SELECTOR, ".mlpages-live").text


def button(driver, cell_id: str, text: str) -> Any:
    cell = driver.find_element(By.ID, cell_id)
    return next(b for b in cell.find_elements(By.TAG_NAME, "button") if b.text == text)


def click(driver, element) -> None:
    driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", element)
    ActionChains(driver).move_to_element(element).click().perform()


def points(plot) -> list[tuple[float, float, int]]:
    return [(float(c.get_attribute("cx")), float(c.get_attribute("cy")), int(c.get_attribute("data-class")))
            for c in plot.find_elements(By.CSS_SELECTOR, "circle[data-class]")]


def click_at(driver, plot, x: float, y: float) -> None:
    """A real mouse click at (x, y) of the plot's 260-px viewBox (drawn at its own size)."""
    size = plot.size
    assert size["width"] == 260 and size["height"] == 260
    ActionChains(driver).move_to_element_with_offset(plot, round(x - 130), round(y - 130)).click().perform()


def test_points_by_mouse_and_keyboard_then_reset(page, specs):
    author = run(page, FIT)
    assert author["status"] == "ok" and author["comparable"] is True and "readerData" not in author
    assert "✓ match" in live_text(page, FIT)

    click(page, button(page, PTS, "Edit points"))
    plot = page.find_element(By.ID, PTS).find_element(By.CSS_SELECTOR, "svg.mlpages-reader-plot")
    # The build's static scatter plot gives way to the editable one.
    assert not page.find_element(By.ID, PTS).find_element(By.CSS_SELECTOR, ".mlpages-scatter").is_displayed()
    before = points(plot)
    assert len(before) == 6 and sorted(k for *_, k in before) == [0, 0, 0, 1, 1, 1]

    # Mouse: choose class 1 with its button, click an empty spot (the plot's centre).
    click(page, button(page, PTS, "2: 1"))
    click_at(page, plot, 130, 130)
    after = points(plot)
    assert len(after) == 7 and after[-1][2] == 1
    assert abs(after[-1][0] - 130) < 1.5 and abs(after[-1][1] - 130) < 1.5

    # Mouse: a click on a point removes it (the first author point, class 0).
    x0, y0, k0 = before[0]
    assert k0 == 0
    click_at(page, plot, x0, y0)
    assert len(points(plot)) == 6 and (x0, y0, 0) not in points(plot)

    # Keyboard: the plot is focusable; "1" chooses class 0, arrows move the cursor (from the
    # last click), Enter and Space add, Delete removes the point nearest to the cursor.
    page.execute_script("arguments[0].focus()", plot)
    assert page.switch_to.active_element == plot
    ActionChains(page).send_keys("1", Keys.ARROW_RIGHT, Keys.ARROW_RIGHT, Keys.ARROW_UP, Keys.ENTER).perform()
    ActionChains(page).send_keys(Keys.ARROW_DOWN, Keys.ARROW_DOWN, Keys.ARROW_DOWN, Keys.SPACE).perform()
    keyed = points(plot)
    assert len(keyed) == 8 and [k for *_, k in keyed[-2:]] == [0, 0]
    step = 0.025 * 260  # READER.step of the plot's span, in px
    assert abs(keyed[-2][0] - (x0 + 2 * step)) < 1.5 and abs(keyed[-2][1] - (y0 - step)) < 1.5
    assert abs(keyed[-1][0] - (x0 + 2 * step)) < 1.5 and abs(keyed[-1][1] - (y0 + 2 * step)) < 1.5
    ActionChains(page).send_keys(Keys.DELETE).perform()  # the last one added sits under the cursor
    assert points(plot) == keyed[:-1]
    shown = points(plot)
    assert len(shown) == 7
    assert "your data: 7 rows" in live_text(page, PTS)
    assert "No reference covers those runs" in live_text(page, PTS)
    # The edits reset the train cell: the author's run and its ✓ are gone.
    text = live_text(page, FIT)
    assert "the data changed" in text and "✓" not in text

    # The train cell trains on the reader's 7 points, says so, and checks nothing.
    banner = page.find_element(By.ID, FIT).find_element(By.CSS_SELECTOR, ".mlpages-reader-banner")
    assert "Your data (pts: 7 rows)" in banner.text and "verify checks only the author's data" in banner.text
    mine = run(page, FIT)
    assert mine["status"] == "ok" and mine["comparable"] is False
    assert mine["readerData"] == {PTS: 7}
    assert mine["history"]["loss"] != author["history"]["loss"]
    text = live_text(page, FIT)
    assert NOTE in text and "✓" not in text and "✗" not in text and "mismatch" not in text
    # A sigmoid unit's accuracy over 7 points is a multiple of 1/7.
    acc = mine["history"]["acc"][-1]
    assert abs(acc * 7 - round(acc * 7)) < 1e-5

    # The predict cell on the train split predicts the reader's 7 rows, unverified too.
    guess = run(page, GUESS)
    assert guess["predictions"]["shape"] == [7, 1] and guess["comparable"] is False
    assert guess["readerData"] == {PTS: 7}
    assert NOTE in live_text(page, GUESS) and "✓" not in live_text(page, GUESS)
    own = page.find_element(By.CSS_SELECTOR, "#mlp-index-losses td.mlpages-results-own").text
    assert own.endswith("(your data)")
    assert float(own.split()[0]) == pytest.approx(mine["history"]["loss"][-1], rel=1e-5)

    # Reset: the author's points, no banner, and the next run matches the reference again.
    click(page, button(page, PTS, "Reset to the author's data"))
    assert points(plot) == before
    assert "No reference covers those runs" not in live_text(page, PTS)
    again = run(page, FIT)
    assert again["comparable"] is True and "readerData" not in again
    assert again["history"] == author["history"]
    assert not page.find_element(By.ID, FIT).find_elements(By.CSS_SELECTOR, ".mlpages-reader-banner")
    text = live_text(page, FIT)
    assert text.count("✓ match") == 3 and NOTE not in text  # loss, acc, weights
    guess = run(page, GUESS)
    assert guess["predictions"]["shape"] == [6, 1] and guess["comparable"] is True
    assert "✓ match" in live_text(page, GUESS)
    own = page.find_element(By.CSS_SELECTOR, "#mlp-index-losses td.mlpages-results-own").text
    assert "your data" not in own


def test_a_tap_adds_and_removes_a_point(page):
    click(page, button(page, PTS, "Edit points"))
    plot = page.find_element(By.ID, PTS).find_element(By.CSS_SELECTOR, "svg.mlpages-reader-plot")
    page.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", plot)

    def tap(x: float, y: float) -> None:
        actions = ActionBuilder(page, mouse=PointerInput(interaction.POINTER_TOUCH, "finger"))
        actions.pointer_action.move_to(plot, round(x - 130), round(y - 130)).pointer_down().pointer_up()
        actions.perform()

    tap(130, 140)  # an empty spot
    shown = points(plot)
    assert len(shown) == 7 and abs(shown[-1][1] - 140) < 1.5 and shown[-1][2] == 0
    tap(shown[-1][0], shown[-1][1])
    assert len(points(plot)) == 6
    result = run(page, FIT)
    assert result["readerData"] == {PTS: 6} and result["comparable"] is False  # the reader's 6 points


def test_table_rows_train_on_the_edited_values_normalized(page, specs):
    click(page, button(page, HOUSES, "Edit rows"))
    cell = page.find_element(By.ID, HOUSES)
    shown = [[i.get_attribute("value") for i in tr.find_elements(By.TAG_NAME, "input")]
             for tr in cell.find_elements(By.CSS_SELECTOR, ".mlpages-reader-rows tbody tr")]
    assert shown == [["50", "1", "100"], ["80", "2", "160"], ["120", "3", "250"], ["65", "2", "130"]]

    def edit(label: str, value: str) -> None:
        box = cell.find_element(By.CSS_SELECTOR, f'input[aria-label="{label}"]')
        click(page, box)
        box.send_keys(Keys.CONTROL, "a")
        box.send_keys(value)

    edit("row 1 x1", "70")
    edit("row 1 y", "90")
    click(page, button(page, HOUSES, "Add row"))  # a copy of the last row
    edit("row 5 x2", "4")
    click(page, cell.find_element(By.CSS_SELECTOR, 'button[aria-label="Remove row 2"]'))
    raw_x = np.array([[70, 1], [120, 3], [65, 2], [65, 4]], np.float32)
    raw_y = np.array([[90], [250], [130], [130]], np.float32)

    result = run(page, FIT_HOUSES)
    assert result["readerData"] == {HOUSES: 4} and result["comparable"] is False
    assert NOTE in live_text(page, FIT_HOUSES) and "✓" not in live_text(page, FIT_HOUSES)
    # One epoch of one batch: the logged loss is the initial model's MSE on the reader's rows,
    # normalized with the author's statistics.
    stats = specs[HOUSES]["normalize"]
    mean, std = np.array(stats["mean"], np.float32), np.array(stats["std"], np.float32)
    x = ((raw_x - mean) / std).astype(np.float32)
    kernel, bias = (np.array(w["data"], np.float32).reshape(w["shape"]) for w in specs[REG]["weights"])
    expected = float(np.mean((x @ kernel + bias - raw_y) ** 2))
    assert result["history"]["loss"][0] == pytest.approx(expected, rel=1e-4)
    author_loss = specs[FIT_HOUSES]["references"][0]["history"]["loss"][0]
    assert abs(author_loss - expected) > 1

    click(page, button(page, HOUSES, "Reset to the author's data"))
    again = run(page, FIT_HOUSES)
    assert again["comparable"] is True and again["history"]["loss"][0] == pytest.approx(author_loss, rel=1e-3)
    assert "✓ match" in live_text(page, FIT_HOUSES)


def test_no_tensors_leak_over_edits_and_reruns(page):
    click(page, button(page, PTS, "Edit points"))
    plot = page.find_element(By.ID, PTS).find_element(By.CSS_SELECTOR, "svg.mlpages-reader-plot")
    counts = []
    for i in range(4):
        click_at(page, plot, 40 + 20 * i, 200)
        run(page, FIT)
        run(page, GUESS)
        counts.append(page.execute_script("return window.mlpages.memory().numTensors"))
    click(page, button(page, PTS, "Reset to the author's data"))
    run(page, FIT)
    run(page, GUESS)
    counts.append(page.execute_script("return window.mlpages.memory().numTensors"))
    assert len(set(counts)) == 1, counts
