"""compare.py: every quantity, the band at its edge, accuracies, NaN, missing pieces."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from mlpages.verify.compare import check_cell, compare_cell, select_reference

WEBGL = 1e-4
CPU = 1e-7

DATASETS = {
    "mlp-p-xor": {
        "kind": "dataset",
        "id": "mlp-p-xor",
        "x": {"shape": [4, 2], "data": [0, 0, 0, 1, 1, 0, 1, 1]},
        "test": {"x": {"shape": [2, 2], "data": [0, 0, 1, 1]}, "y": {"shape": [2, 1]}},
    }
}


def train_spec(
    history: dict[str, list[float]] | None = None,
    weights: list[dict[str, Any]] | None = None,
    tolerance: dict[str, float] | None = None,
    epsilons: tuple[float, ...] = (WEBGL, CPU),
) -> dict[str, Any]:
    history = history if history is not None else {"loss": [1.0, 0.5]}
    weights = weights if weights is not None else [{"shape": [2, 2], "data": [1, 2, 3, 4]}]
    spec = {
        "schema": 1,
        "kind": "train",
        "name": "fit",
        "id": "mlp-p-fit",
        "model": "mlp-p-net",
        "dataset": "mlp-p-xor",
        "references": [{"epsilon": e, "history": history, "weights": weights} for e in epsilons],
    }
    if tolerance is not None:
        spec["tolerance"] = tolerance
    return spec


def train_result(history: dict[str, Any] | None = None, weights: Any = None, **extra: Any):
    result = {
        "id": "mlp-p-fit",
        "kind": "train",
        "status": "ok",
        "comparable": True,
        "backend": "webgl",
        "epsilon": WEBGL,
        "history": history if history is not None else {"loss": [1.0, 0.5]},
        "weights": weights if weights is not None else [{"shape": [2, 2], "data": [1, 2, 3, 4]}],
    }
    result.update(extra)
    return result


def predict_spec(predictions: list[float], accuracy: float | None = None, rows: int = 4):
    reference: dict[str, Any] = {
        "epsilon": WEBGL,
        "predictions": {"shape": [len(predictions), 1], "data": predictions},
    }
    if accuracy is not None:
        reference["accuracy"] = accuracy
    return {
        "schema": 1,
        "kind": "predict",
        "name": "guess",
        "id": "mlp-p-guess",
        "y": {"shape": [rows, 1], "data": [0] * rows} if accuracy is not None else None,
        "references": [reference],
    }


def predict_result(predictions: list[Any], accuracy: float | None = None, shape=None):
    return {
        "id": "mlp-p-guess",
        "status": "ok",
        "comparable": True,
        "epsilon": WEBGL,
        "predictions": {"shape": shape or [len(predictions), 1], "data": predictions},
        "accuracy": accuracy,
    }


def test_identical_results_pass():
    check = check_cell(train_spec(), train_result(), DATASETS)
    assert check.mismatches == []
    assert check.max_rel_diff == 0.0
    assert check.compared == 2 + 4


# rtol = atol = 0.25 around 1.0 gives the band [0.5, 1.5]: every number here is exact,
# and the values just outside are the next float32 values (what a browser can send).
@pytest.mark.parametrize(
    ("browser", "passes"),
    [
        (1.5, True),
        (0.5, True),
        (float(np.nextafter(np.float32(1.5), np.float32(2))), False),
        (float(np.nextafter(np.float32(0.5), np.float32(0))), False),
    ],
)
def test_band_edge_is_inclusive(browser, passes):
    spec = train_spec({"loss": [1.0]}, weights=[], tolerance={"rtol": 0.25, "atol": 0.25})
    mismatches = compare_cell(spec, train_result({"loss": [browser]}, weights=[]), DATASETS)
    assert (mismatches == []) is passes


def test_default_tolerance_just_inside_and_just_outside():
    reference = 0.75
    allowed = 1e-5 + 1e-3 * reference
    inside = train_result({"loss": [1.0, reference + 0.999 * allowed]})
    outside = train_result({"loss": [1.0, reference - 1.001 * allowed]})
    assert compare_cell(train_spec({"loss": [1.0, reference]}), inside, DATASETS) == []
    [mismatch] = compare_cell(train_spec({"loss": [1.0, reference]}), outside, DATASETS)
    assert mismatch.quantity == "loss"
    assert mismatch.position == "epoch 2"
    assert mismatch.category == "mismatch"
    assert mismatch.reference == reference
    assert mismatch.low == pytest.approx(reference - allowed, abs=1e-15)
    assert mismatch.high == pytest.approx(reference + allowed, abs=1e-15)


def test_report_line_names_cell_quantity_epoch_values_and_band():
    spec = train_spec({"loss": [1.0, 0.5]}, tolerance={"rtol": 0.0, "atol": 0.125})
    [mismatch] = compare_cell(spec, train_result({"loss": [1.0, 0.75]}), DATASETS)
    assert mismatch.describe() == (
        "cell fit (mlp-p-fit): loss epoch 2: browser 0.75, reference 0.5, "
        "allowed [0.375, 0.625]"
    )


def test_weights_name_the_array_and_the_flat_index():
    spec = train_spec(weights=[{"shape": [2], "data": [0, 0]}, {"shape": [2, 2], "data": [1, 2, 3, 4]}])
    result = train_result(
        weights=[{"shape": [2], "data": [0, 0]}, {"shape": [2, 2], "data": [1, 2, 3, 5]}]
    )
    [mismatch] = compare_cell(spec, result, DATASETS)
    assert mismatch.quantity == "weights[1]"
    assert mismatch.position == "index 3 (1, 1)"
    assert (mismatch.browser, mismatch.reference) == (5.0, 4.0)


def test_every_element_out_of_band_is_listed():
    spec = train_spec(weights=[{"shape": [3], "data": [1, 2, 3]}])
    result = train_result(weights=[{"shape": [3], "data": [2, 3, 4]}])
    mismatches = compare_cell(spec, result, DATASETS)
    assert [m.position for m in mismatches] == ["index 0", "index 1", "index 2"]


def test_weight_shape_and_count_differences_are_mismatches():
    spec = train_spec(weights=[{"shape": [2, 2], "data": [1, 2, 3, 4]}])
    [shape] = compare_cell(spec, train_result(weights=[{"shape": [4], "data": [1, 2, 3, 4]}]))
    assert shape.category == "mismatch" and "shape" in (shape.reason or "")
    [count] = compare_cell(spec, train_result(weights=[]))
    assert count.category == "mismatch" and "0 arrays" in (count.reason or "")


def test_train_accuracy_band_is_one_over_the_train_rows():
    spec = train_spec({"loss": [1.0], "acc": [0.5]}, weights=[])
    ok = train_result({"loss": [1.0], "acc": [0.75]}, weights=[])  # one of 4 samples flipped
    bad = train_result({"loss": [1.0], "acc": [1.0]}, weights=[])  # two flipped
    assert compare_cell(spec, ok, DATASETS) == []
    [mismatch] = compare_cell(spec, bad, DATASETS)
    assert mismatch.quantity == "acc"
    assert mismatch.high == pytest.approx(0.75 + 1e-6)


def test_val_accuracy_band_is_one_over_the_test_rows():
    spec = train_spec({"loss": [1.0], "val_acc": [0.5]}, weights=[])
    result = train_result({"loss": [1.0], "val_acc": [1.0]}, weights=[])  # 1 of 2 test rows
    assert compare_cell(spec, result, DATASETS) == []
    far = train_result({"loss": [1.0], "val_acc": [1.0 + 1e-5]}, weights=[])
    assert len(compare_cell(spec, far, DATASETS)) == 1


def test_accuracy_without_a_sample_count_is_an_error():
    spec = train_spec({"acc": [0.5]}, weights=[])
    [mismatch] = compare_cell(spec, train_result({"acc": [0.5]}, weights=[]), {})
    assert mismatch.category == "error"


def test_predict_accuracy_band_is_one_over_the_rows_of_y():
    spec = predict_spec([0.25, 0.5], accuracy=0.5, rows=4)
    assert compare_cell(spec, predict_result([0.25, 0.5], accuracy=0.75)) == []
    [mismatch] = compare_cell(spec, predict_result([0.25, 0.5], accuracy=0.0))
    assert (mismatch.quantity, mismatch.low) == ("accuracy", pytest.approx(0.25 - 1e-6))


def test_predict_missing_accuracy_and_wrong_shape():
    spec = predict_spec([0.25, 0.5], accuracy=0.5)
    [missing] = compare_cell(spec, predict_result([0.25, 0.5], accuracy=None))
    assert missing.quantity == "accuracy" and missing.category == "mismatch"
    [shape] = compare_cell(predict_spec([0.25, 0.5]), predict_result([0.25, 0.5], shape=[1, 2]))
    assert shape.quantity == "predictions" and "shape" in (shape.reason or "")


@pytest.mark.parametrize("browser", [None, "NaN", math.nan, "Infinity"])
def test_nan_from_the_browser_never_passes(browser):
    [mismatch] = compare_cell(predict_spec([0.25, 0.5]), predict_result([0.25, browser]))
    assert mismatch.position == "index 1 (1, 0)"
    assert not math.isfinite(mismatch.browser)


NONFINITE = ["NaN", "Infinity", "-Infinity"]


@pytest.mark.parametrize("value", NONFINITE)
def test_a_non_finite_reference_matches_the_same_non_finite_value(value):
    """A diverged training is reproduced: NaN matches NaN, ±Infinity itself, in any spelling
    of the page contract (the spec's strings, the browser's strings, a float)."""
    spec = train_spec({"loss": [2.0, value]}, weights=[{"shape": [1], "data": [value]}])
    for browser in (value, float(value)):
        check = check_cell(spec, train_result({"loss": [2.0, browser]}, weights=[
            {"shape": [1], "data": [browser]}]), DATASETS)
        assert check.mismatches == [] and check.compared == 3
        assert check.max_rel_diff == 0.0  # the matched non-finite value adds no difference


@pytest.mark.parametrize("reference", NONFINITE)
@pytest.mark.parametrize("browser", [*NONFINITE, 0.0, 3.4e38, -3.4e38])
def test_a_non_finite_reference_rejects_anything_else(reference, browser):
    if browser == reference:
        return
    spec = train_spec({"loss": [reference]}, weights=[])
    [mismatch] = compare_cell(spec, train_result({"loss": [browser]}, weights=[]), DATASETS)
    assert mismatch.position == "epoch 1"
    assert mismatch.describe().endswith(
        f"browser {_contract(float(browser))}, reference {reference}, allowed [{reference}, {reference}]")


@pytest.mark.parametrize("browser", NONFINITE)
def test_a_finite_reference_never_matches_a_non_finite_value(browser):
    """Not even a reference near float32's largest value, whose band is huge."""
    spec = train_spec({"loss": [3.4e38]}, weights=[], tolerance={"rtol": 1.0, "atol": 1.0})
    [mismatch] = compare_cell(spec, train_result({"loss": [browser]}, weights=[]), DATASETS)
    assert f"browser {browser}, reference 3.4e+38" in mismatch.describe()
    assert math.isnan(check_cell(spec, train_result({"loss": [browser]}, weights=[]),
                                 DATASETS).max_rel_diff) == (browser == "NaN")


def test_a_band_whose_runs_all_diverged_takes_only_that_value():
    spec = train_spec({"loss": [1.0, "NaN"]}, weights=[])
    spec["references"] = [{"epsilon": WEBGL, "history": {"loss": [1.0, "NaN"]},
                           "band": {"loss": {"low": [0.9, "NaN"], "high": [1.1, "NaN"]}}}]
    assert compare_cell(spec, train_result({"loss": [1.0, "NaN"]}), DATASETS) == []
    [finite] = compare_cell(spec, train_result({"loss": [1.0, 5.0]}), DATASETS)
    assert finite.position == "epoch 2"
    [diverged] = compare_cell(spec, train_result({"loss": ["Infinity", "NaN"]}), DATASETS)
    assert diverged.position == "epoch 1"


def _contract(value: float) -> str:
    return "NaN" if math.isnan(value) else ("Infinity" if value == math.inf else
                                              "-Infinity" if value == -math.inf else f"{value:.9g}")


def test_missing_history_key_and_epoch_count():
    spec = train_spec({"loss": [1.0, 0.5], "val_loss": [1.1, 0.6]}, weights=[])
    [missing] = compare_cell(spec, train_result({"loss": [1.0, 0.5]}, weights=[]), DATASETS)
    assert (missing.quantity, missing.category) == ("val_loss", "mismatch")
    short = train_result({"loss": [1.0], "val_loss": [1.1, 0.6]}, weights=[])
    [epochs] = compare_cell(spec, short, DATASETS)
    assert epochs.reason == "browser has 1 epochs, reference 2"


def test_no_reference_for_the_epsilon_is_an_error_never_another_epsilon():
    spec = train_spec(epsilons=(WEBGL,))
    [mismatch] = compare_cell(spec, train_result(epsilon=CPU), DATASETS)
    assert mismatch.category == "error"
    assert mismatch.reason == "no reference for epsilon 1e-07 (have: 0.0001)"


def test_reference_is_chosen_by_epsilon():
    refs = [{"epsilon": WEBGL, "tag": "webgl"}, {"epsilon": CPU, "tag": "cpu"}]
    assert select_reference(refs, 1e-7)["tag"] == "cpu"
    assert select_reference(refs, 0.0001)["tag"] == "webgl"
    assert select_reference(refs, 1e-3) is None


@pytest.mark.parametrize(
    ("result", "reason"),
    [
        (None, "runAll() returned no result for this cell"),
        (train_result(status="error", error="TypeError: x"), "status 'error': TypeError: x"),
        (train_result(status="stopped"), "status 'stopped'"),
        (train_result(comparable=False), "marked not comparable by the page"),
        (train_result(epsilon=None), "the result does not say its backend epsilon"),
    ],
)
def test_results_that_cannot_be_compared_are_errors(result, reason):
    [mismatch] = compare_cell(train_spec(), result, DATASETS)
    assert (mismatch.category, mismatch.quantity, mismatch.reason) == ("error", "result", reason)


def test_max_rel_diff_ignores_zero_references_and_accuracies():
    spec = train_spec({"loss": [2.0, 0.0], "acc": [0.5]}, weights=[])
    result = train_result({"loss": [2.001, 1e-6], "acc": [0.75]}, weights=[])
    check = check_cell(spec, result, DATASETS)
    assert check.mismatches == []
    assert check.max_rel_diff == pytest.approx(0.0005)


def test_model_cell_initial_weights_are_checked_when_reported():
    spec = {"kind": "model", "name": "net", "id": "mlp-p-net", "weights": [{"shape": [1], "data": [0.5]}]}
    ok = {"status": "ok", "weights": [{"shape": [1], "data": [0.5]}]}
    bad = {"status": "ok", "weights": [{"shape": [1], "data": [0.7]}]}
    assert compare_cell(spec, ok) == []
    assert compare_cell(spec, {"status": "ok"}) == []
    assert [m.quantity for m in compare_cell(spec, bad)] == ["weights[0]"]


def test_dataset_cell_needs_only_status_ok():
    spec = DATASETS["mlp-p-xor"]
    assert compare_cell(spec, {"status": "ok"}) == []
    assert compare_cell(spec, {"status": "error", "error": "boom"})[0].reason == "status 'error': boom"
