"""Results tables in headless Chromium: the reference of the page's backend, then the reader's run."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import serving
from selenium.webdriver.common.by import By
from sitebuild import build_pages

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser-results")]

PAGE = """\
# Numbers

```dataset
name: xor
generate: xor
n: 16
seed: 1
split: 0.5
```

```model
name: net
seed: 2
layers:
  - dense: {units: 3, activation: tanh, inputShape: [2]}
  - dense: {units: 1, activation: sigmoid}
compile: {optimizer: adam, loss: binaryCrossentropy, metrics: [accuracy]}
```

```train
name: fit
model: net
dataset: xor
epochs: 3
batchSize: 4
validation: test
```

```predict
name: guess
model: net
x: [[0.5, -0.5]]
```

```results
name: table
rows:
  - {label: test loss after 1 epoch, cell: fit, quantity: val_loss, epoch: 1}
  - {label: test accuracy at the end, cell: fit, quantity: val_acc}
  - {label: the guess, cell: guess}
```
"""


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Any:
    site = build_pages(tmp_path_factory.mktemp("results"), {"index.md": PAGE}, site_name="results")
    with serving(site) as url:
        yield url


def table(browser) -> list[list[str]]:
    return [[c.text for c in tr.find_elements(By.CSS_SELECTOR, "th, td")]
            for tr in browser.find_elements(By.CSS_SELECTOR, "#mlp-index-table tr")]


def test_the_table_shows_the_backends_reference_then_the_readers_own_values(served, browser):
    browser.get(served)
    out = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "window.mlpages.ready.then(() => done({eps: window.mlpages.environment().epsilon}),"
        " (e) => done({error: String(e)}));")
    assert "error" not in out, out
    eps = out["eps"]
    spec = json.loads(browser.execute_script(
        "return document.querySelector('#mlp-index-table > script').textContent"))[0]
    rows = table(browser)
    head = rows[0]
    assert head[:2] == ["", "quantity"] and head[3] == "your run"
    assert head[2].startswith("reference (ε ") and float(head[2][len("reference (ε "):-1]) == eps
    for row, want in zip(rows[1:], spec["rows"], strict=True):
        ref = next(r["value"] for r in want["references"] if r["epsilon"] == eps)
        assert row[0] == want["label"]
        assert float(row[2]) == pytest.approx(ref, rel=1e-5)
        assert row[3] == "not run yet"

    results = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "window.mlpages.runAll().then(() => done(window.mlpages.results), (e) => done({error: String(e)}));")
    assert "error" not in results, results
    fit, guess = results["mlp-index-fit"], results["mlp-index-guess"]
    assert fit["status"] == "ok" and guess["status"] == "ok"
    own_cells = [r[3] for r in table(browser)[1:]]
    # Each of the reader's values is followed by its mark: within the cell's tolerance (an
    # accuracy, within one sample) of the reference for this backend.
    assert all(c.endswith(" ✓ match") for c in own_cells), own_cells
    own = [float(c.split()[0]) for c in own_cells]
    assert own == pytest.approx(
        [fit["history"]["val_loss"][0], fit["history"]["val_acc"][-1], guess["predictions"]["data"][0]],
        rel=1e-5)

    # A second run updates the same cells: no extra columns.
    browser.execute_async_script(
        "const done = arguments[arguments.length - 1]; window.mlpages.runAll().then(() => done(1));")
    assert all(len(r) == 4 for r in table(browser))
