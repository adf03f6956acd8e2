"""compare.py on cells checked within a band of NumPy runs (dropout without a seed)."""

from __future__ import annotations

from typing import Any

import pytest
from mlpages.verify.compare import check_cell, compare_cell

WEBGL = 1e-4
DATASETS = {
    "mlp-p-xor": {
        "kind": "dataset",
        "id": "mlp-p-xor",
        "x": {"shape": [4, 2], "data": [0, 0, 0, 1, 1, 0, 1, 1]},
    }
}
BAND = {"loss": {"low": [0.8, 0.4], "high": [1.2, 0.6]}, "acc": {"low": [0.25, 0.5], "high": [0.5, 0.75]}}


def banded_train(band: dict[str, Any] | None = None, initial: list[float] | None = None) -> dict[str, Any]:
    reference: dict[str, Any] = {
        "epsilon": WEBGL,
        "history": {"loss": [1.0, 0.5], "acc": [0.5, 0.5]},
        "band": band if band is not None else BAND,
    }
    if initial is not None:
        reference["initial"] = {"predictions": {"shape": [len(initial), 1], "data": initial}}
    return {
        "schema": 1, "kind": "train", "name": "fit", "id": "mlp-p-fit", "model": "mlp-p-net",
        "dataset": "mlp-p-xor", "band": {"reason": "dropout without a seed", "runs": 16, "widen": 1.0},
        "references": [reference],
    }


def result(history: dict[str, list[float]], **extra: Any) -> dict[str, Any]:
    out = {"id": "mlp-p-fit", "status": "ok", "comparable": True, "epsilon": WEBGL,
           "history": history, "weights": [{"shape": [1], "data": [123.0]}]}
    out.update(extra)
    return out


def test_values_inside_the_band_pass_and_weights_are_not_compared():
    check = check_cell(banded_train(), result({"loss": [1.19, 0.41], "acc": [0.25, 0.75]}), DATASETS)
    assert check.mismatches == []
    assert check.banded == 4


@pytest.mark.parametrize(
    ("loss", "passes"),
    [(1.2 + 1e-5 + 1.2e-3 - 1e-7, True), (1.2 + 1e-5 + 1.2e-3 + 1e-6, False),
     (0.8 - 1e-5 - 0.8e-3 + 1e-7, True), (0.8 - 1e-5 - 0.8e-3 - 1e-6, False)],
)
def test_band_edges_are_widened_by_the_tolerance(loss, passes):
    mismatches = compare_cell(banded_train(), result({"loss": [loss, 0.5], "acc": [0.5, 0.5]}), DATASETS)
    assert (mismatches == []) is passes


def test_a_band_moved_away_is_caught_and_reported_with_its_edges():
    moved = {"loss": {"low": [2.8, 2.4], "high": [3.2, 2.6]}, "acc": BAND["acc"]}
    mismatches = compare_cell(banded_train(moved), result({"loss": [1.0, 0.5], "acc": [0.5, 0.5]}), DATASETS)
    assert [m.position for m in mismatches] == ["epoch 1", "epoch 2"]
    line = mismatches[0].describe()
    assert "loss epoch 1" in line and "browser 1" in line
    assert "allowed [2.79719, 3.20321]" in line


def test_accuracies_get_one_sample_of_slack_at_the_edges():
    # 4 training rows: 1/4 of slack beyond [0.25, 0.5] and [0.5, 0.75].
    ok = compare_cell(banded_train(), result({"loss": [1.0, 0.5], "acc": [0.0, 1.0]}), DATASETS)
    assert ok == []
    bad = compare_cell(banded_train(), result({"loss": [1.0, 0.5], "acc": [1.0, 0.0]}), DATASETS)
    assert [m.position for m in bad] == ["epoch 1", "epoch 2"]


def test_nan_never_passes_a_band():
    mismatches = compare_cell(banded_train(), result({"loss": [float("nan"), 0.5], "acc": [0.5, 0.5]}),
                              DATASETS)
    assert [m.quantity for m in mismatches] == ["loss"]


def test_a_quantity_without_a_band_is_an_error():
    mismatches = compare_cell(banded_train({"loss": BAND["loss"]}),
                              result({"loss": [1.0, 0.5], "acc": [0.5, 0.5]}), DATASETS)
    assert [(m.quantity, m.category) for m in mismatches] == [("acc", "error")]


def test_initial_inference_is_compared_exactly():
    spec = banded_train(initial=[0.25, 0.75])
    history = {"loss": [1.0, 0.5], "acc": [0.5, 0.5]}
    same = result(history, initialPredictions={"shape": [2, 1], "data": [0.25, 0.75]})
    assert compare_cell(spec, same, DATASETS) == []
    off = result(history, initialPredictions={"shape": [2, 1], "data": [0.25, 0.76]})
    assert [(m.quantity, m.position) for m in compare_cell(spec, off, DATASETS)] == [
        ("initial predictions", "index 1 (1, 0)")
    ]
    missing = compare_cell(spec, result(history), DATASETS)
    assert [m.quantity for m in missing] == ["initial predictions"]


def banded_predict(accuracy_band: dict[str, list[float]] | None = None) -> dict[str, Any]:
    reference: dict[str, Any] = {
        "epsilon": WEBGL,
        "predictions": {"shape": [2, 1], "data": [0.3, 0.7]},
        "band": {"predictions": {"low": [0.1, 0.6], "high": [0.4, 0.9]}},
    }
    if accuracy_band is not None:
        reference["accuracy"] = 0.5
        reference["band"]["accuracy"] = accuracy_band
    return {"schema": 1, "kind": "predict", "name": "guess", "id": "mlp-p-guess",
            "y": {"shape": [2, 1], "data": [0, 1]}, "references": [reference]}


def test_predictions_after_unseeded_training_are_checked_in_their_band():
    base = {"id": "mlp-p-guess", "status": "ok", "comparable": True, "epsilon": WEBGL}
    inside = dict(base, predictions={"shape": [2, 1], "data": [0.11, 0.89]})
    assert compare_cell(banded_predict(), inside) == []
    outside = dict(base, predictions={"shape": [2, 1], "data": [0.5, 0.7]})
    assert [(m.quantity, m.position) for m in compare_cell(banded_predict(), outside)] == [
        ("predictions", "index 0 (0, 0)")
    ]
    # Accuracy over 2 rows: slack 1/2 beyond [0.5, 0.5].
    spec = banded_predict({"low": [0.5], "high": [0.5]})
    assert compare_cell(spec, dict(inside, accuracy=1.0)) == []
    spec = banded_predict({"low": [1.0], "high": [1.0]})
    assert [m.quantity for m in compare_cell(spec, dict(inside, accuracy=0.0))] == ["accuracy"]
