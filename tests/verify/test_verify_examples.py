"""A predict cell's `examples`: which inputs verify hands to `window.mlpages.predictInput`,
how the page's answers land on the results, and how they are compared with the references."""

from __future__ import annotations

from typing import Any

from mlpages.verify.compare import check_cell
from mlpages.verify.examples import attach_examples, example_inputs

WEBGL = 1e-4


def spec(examples: list[float] | None = None) -> dict[str, Any]:
    ref: dict[str, Any] = {"epsilon": WEBGL, "predictions": {"shape": [1, 2], "data": [0.25, 0.75]}}
    out: dict[str, Any] = {"schema": 1, "kind": "predict", "name": "p", "id": "mlp-x-p", "y": None,
                           "references": [ref]}
    if examples is not None:
        out["examples"] = {"shape": [2, 3], "data": [1, 2, 3, 4, 5, 6]}
        ref["examples"] = {"shape": [2, 2], "data": examples}
    return out


def result(**extra: Any) -> dict[str, Any]:
    return {"id": "mlp-x-p", "status": "ok", "comparable": True, "epsilon": WEBGL,
            "predictions": {"shape": [1, 2], "data": [0.25, 0.75]}, **extra}


def test_example_inputs_are_flat_rows_of_the_cells_that_ran():
    cells = [spec([0.1, 0.9, 0.8, 0.2]), {"kind": "train", "id": "mlp-x-t"}]
    assert example_inputs(cells, [result()]) == [["mlp-x-p", [[1, 2, 3], [4, 5, 6]]]]
    assert example_inputs(cells, [{"id": "mlp-x-other"}]) == []  # not run: not predicted
    assert example_inputs([spec()], [result()]) == []  # no examples


def test_answers_land_on_the_results_and_match():
    results = attach_examples([result()], [{"id": "mlp-x-p", "outputs": [[0.1, 0.9], [0.8, 0.2]]}])
    assert results[0]["examples"] == {"shape": [2, 2], "data": [0.1, 0.9, 0.8, 0.2]}
    assert check_cell(spec([0.1, 0.9, 0.8, 0.2]), results[0]).mismatches == []


def test_a_changed_example_reference_is_a_mismatch_at_its_index():
    results = attach_examples([result()], [{"id": "mlp-x-p", "outputs": [[0.1, 0.9], [0.8, 0.2]]}])
    mismatches = check_cell(spec([0.1, 0.9, 0.81, 0.2]), results[0]).mismatches
    found = [(m.quantity, m.category, m.position) for m in mismatches]
    assert found == [("examples", "mismatch", "index 2 (1, 0)")]


def test_a_page_that_cannot_predict_them_is_an_error():
    answer = {"id": "mlp-x-p", "error": "mlpages: the input must be 3 numbers"}
    results = attach_examples([result()], [answer])
    mismatches = check_cell(spec([0.1, 0.9, 0.8, 0.2]), results[0]).mismatches
    assert [(m.quantity, m.category) for m in mismatches] == [("examples", "error")]
    assert "the input must be 3 numbers" in (mismatches[0].reason or "")
    # No answer at all (an old runtime): the examples are missing.
    missing = check_cell(spec([0.1, 0.9, 0.8, 0.2]), result()).mismatches
    assert [(m.quantity, m.category) for m in missing] == [("examples", "mismatch")]


def test_malformed_answers_are_errors_not_crashes():
    for outputs in ([["a", 1]], [[0.1], [0.1, 0.2]], [], None):
        results = attach_examples([result()], [{"id": "mlp-x-p", "outputs": outputs}])
        assert "examplesError" in results[0], outputs
