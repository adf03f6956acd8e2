"""Dropout without a seed: what the build puts in the specs and on the page."""

from __future__ import annotations

import re
from html import unescape

import numpy as np
import pytest
from mdhelpers import convert, specs_by_name
from mlpages.chain import BAND_RUNS, BAND_WIDEN, band
from mlpages.engine import Sequential

# One xdist worker runs the whole module: its module fixture is made once.
pytestmark = pytest.mark.xdist_group("dropout-band")

PAGE = """\
# Dropout

```dataset
name: pts
x: [[0.1, 0.2], [0.9, 0.1], [0.5, 0.9], [0.2, 0.1], [0.8, 0.2], [0.4, 0.8]]
y: [[0], [1], [1], [0], [1], [1]]
```

```model
name: net
seed: 3
layers:
  - dense: {units: 6, activation: relu, inputShape: [2]}
  - dropout: {rate: 0.4}
  - dense: {units: 1, activation: sigmoid}
compile: {optimizer: {sgd: {learningRate: 0.5}}, loss: binaryCrossentropy, metrics: [accuracy]}
```

```predict
name: before
model: net
x: [[0.1, 0.2]]
```

```train
name: first
model: net
dataset: pts
epochs: 3
batchSize: 4
```

```train
name: second
model: net
dataset: pts
epochs: 2
batchSize: 4
```

```predict
name: after
model: net
dataset: pts
split: train
```
"""


@pytest.fixture(scope="module")
def built() -> tuple[str, dict[str, dict]]:
    html = convert(PAGE)
    return html, specs_by_name(html)


def test_band_is_median_and_widened_range() -> None:
    runs = [np.array([1.0, 2.0]), np.array([3.0, 2.0]), np.array([2.0, 2.0])]
    median, low, high = band(runs)
    assert median.tolist() == [2.0, 2.0]
    assert low.tolist() == [1.0 - 2.0 * BAND_WIDEN, 2.0]
    assert high.tolist() == [3.0 + 2.0 * BAND_WIDEN, 2.0]


def test_train_cells_carry_a_band_and_no_weights(built) -> None:
    _, by_name = built
    for name, epochs in (("first", 3), ("second", 2)):
        spec = by_name[name]
        assert spec["band"] == {"reason": "dropout without a seed", "runs": BAND_RUNS, "widen": BAND_WIDEN}
        assert [r["epsilon"] for r in spec["references"]] == [1e-4, 1e-7]
        for ref in spec["references"]:
            assert "weights" not in ref
            assert set(ref["band"]) == set(ref["history"]) == {"loss", "acc"}
            for key, values in ref["history"].items():
                low, high = ref["band"][key]["low"], ref["band"][key]["high"]
                assert len(values) == len(low) == len(high) == epochs
                assert all(lo <= v <= hi for lo, v, hi in zip(low, values, high, strict=True))
            # Masks differ between runs, so the band has width.
            assert max(h - lo for lo, h in zip(ref["band"]["loss"]["low"], ref["band"]["loss"]["high"],
                                               strict=True)) > 0


def test_first_cell_checks_the_initial_inference_exactly(built) -> None:
    _, by_name = built
    model = by_name["net"]
    engine = Sequential(model["layers"])
    engine.set_weights([np.asarray(w["data"], dtype=np.float32).reshape(w["shape"])
                        for w in model["weights"]])
    x = np.asarray(by_name["pts"]["x"]["data"], dtype=np.float32).reshape(by_name["pts"]["x"]["shape"])
    expected = engine.predict(x)  # inference mode: dropout is the identity
    for ref in by_name["first"]["references"]:
        assert ref["initial"]["predictions"]["shape"] == [6, 1]
        np.testing.assert_array_equal(np.asarray(ref["initial"]["predictions"]["data"], dtype=np.float32),
                                      expected.ravel())
    # The second cell starts from a state that depends on the first cell's masks.
    assert all("initial" not in ref for ref in by_name["second"]["references"])


def test_predict_is_exact_before_training_and_banded_after(built) -> None:
    _, by_name = built
    assert "band" not in by_name["before"]
    assert all("band" not in r for r in by_name["before"]["references"])
    after = by_name["after"]
    assert after["band"]["runs"] == BAND_RUNS
    for ref in after["references"]:
        pred = ref["band"]["predictions"]
        assert len(pred["low"]) == len(pred["high"]) == 6
        assert set(ref["band"]) == {"predictions", "accuracy"}


def test_the_page_says_how_training_is_checked(built) -> None:
    html, _ = built
    notes = [unescape(n) for n in re.findall(r'class="mlpages-note mlpages-band">(.*?)</p>', html, re.S)]
    assert len(notes) == 3
    assert notes[0].startswith(f"dropout without a seed: TF.js draws new masks every batch, so training is "
                               f"checked within a band of {BAND_RUNS} NumPy runs")
    assert "initial model's inference outputs are checked exactly" in notes[0]
    assert "initial" not in notes[1]
    assert "checked within the band" in notes[2]


def test_builds_are_deterministic(built) -> None:
    html, _ = built
    assert specs_by_name(convert(PAGE)) == specs_by_name(html)


def test_seeded_dropout_stays_exact() -> None:
    seeded = PAGE.replace("dropout: {rate: 0.4}", "dropout: {rate: 0.4, seed: 5}")
    by_name = specs_by_name(convert(seeded))
    assert "band" not in by_name["first"]
    assert all("weights" in r and "band" not in r for r in by_name["first"]["references"])


def test_export_of_banded_training_is_refused(warnings_log) -> None:
    html = convert(PAGE.replace("name: second\n", "name: second\nexport: models/net\n"), path="docs/ch1.md")
    messages = warnings_log()
    assert len(messages) == 1 and "export" in messages[0] and "dropout without a seed" in messages[0]
    assert 'class="mlpages-error' in html


def test_a_numeric_quiz_cannot_take_its_answer_from_a_banded_cell(warnings_log) -> None:
    quiz = ("\n```quiz\nquestion: What is the final loss?\nanswer_from: {cell: first, quantity: loss}\n```\n")
    html = convert(PAGE + quiz, path="docs/ch1.md")
    messages = warnings_log()
    assert len(messages) == 1, messages
    assert "answer_from: 'first' depends on dropout masks" in messages[0]
    assert "give the dropout layer a 'seed'" in messages[0]
    assert 'class="mlpages-error' in html
