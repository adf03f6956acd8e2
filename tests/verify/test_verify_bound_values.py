"""Results rows and inline values in verify: read from the page, checked against their cell's
reference and the browser's run with the cell's own tolerance (compare.check_bound_value)."""

from __future__ import annotations

import json
import math
from html import escape

from mlpages.verify.bound import bound_values
from mlpages.verify.compare import check_bound_value
from mlpages.verify.discover import parse_cells

WEBGL = 1e-4
CPU = 1e-7
CONV = {
    "schema": 1, "kind": "convolution", "name": "conv", "id": "mlp-p-conv",
    "kernels": [{"label": "sharpen", "output": {"shape": [2, 2], "data": [10.0, 11.0, 14.0, 15.0]}},
                {"label": "blur", "output": {"shape": [2, 2], "data": [1.0, 2.0, 3.0, 4.0]}}],
    "tolerance": {"rtol": 1e-3, "atol": 1e-5},
}
TRAIN = {
    "schema": 1, "kind": "train", "name": "fit", "id": "mlp-p-fit", "dataset": "mlp-p-d",
    "tolerance": {"rtol": 1e-3, "atol": 1e-5},
    "references": [{"epsilon": WEBGL, "history": {"loss": [0.9, 0.5], "acc": [0.5, 0.75]}}],
}
DATASETS = {"mlp-p-d": {"kind": "dataset", "id": "mlp-p-d", "x": {"shape": [4, 2], "data": [0] * 8}}}


def value(stored: float = 15.0, index: int = 3) -> dict:
    return {"schema": 1, "kind": "value", "name": "conv.output[1, 1]", "id": "mlp-p-value-1",
            "from": {"cell": "mlp-p-conv", "name": "conv", "quantity": "output", "index": index},
            "references": [{"epsilon": WEBGL, "value": stored}, {"epsilon": CPU, "value": stored}],
            "tolerance": {"rtol": 1e-3, "atol": 1e-5}, "digits": 6}


def run(*data: float) -> dict:
    return {"id": "mlp-p-conv", "status": "ok", "comparable": True,
            "outputs": [{"shape": [2, 2], "data": list(data)}, {"shape": [2, 2], "data": [1, 2, 3, 4]}]}


def check(entry: dict, cell: dict | None, result: dict | None, epsilon: float = WEBGL):
    return check_bound_value(entry, entry.get("name", "t/row 1"), entry.get("id", "mlp-p-t-row-1"),
                             "inline value", cell, result, epsilon, DATASETS)


def test_a_convolution_output_that_agrees_passes_at_either_epsilon():
    for epsilon in (WEBGL, CPU):
        result = check(value(), CONV, run(10, 11, 14, 15.001), epsilon)
        assert result.mismatches == [] and result.compared == 2
        assert math.isclose(result.max_rel_diff, 0.001 / 15)


def test_an_edited_stored_value_is_a_mismatch_naming_the_output():
    [stored, yours] = check(value(stored=16.0), CONV, run(10, 11, 14, 15)).mismatches
    assert stored.describe() == (
        "inline value conv.output[1, 1] (mlp-p-value-1): stored value: the inline value stores 16 "
        "for epsilon 0.0001, the reference of conv output index 3 is 15")
    assert yours.quantity == "your run (conv output index 3)" and yours.reference == 16.0


def test_the_run_is_judged_with_the_cells_tolerance_not_the_stored_one():
    loose = {**value(), "tolerance": {"rtol": 1.0, "atol": 1.0}}  # the page's own is not trusted
    [m] = check(loose, CONV, run(10, 11, 14, 15.1)).mismatches
    assert m.browser == 15.1 and math.isclose(m.high, 15 + 1e-5 + 15e-3)


def test_an_accuracy_passes_within_one_sample():
    row = {"label": "acc", "from": {"cell": "mlp-p-fit", "name": "fit", "quantity": "acc", "epoch": 1},
           "references": [{"epsilon": WEBGL, "value": 0.75}]}
    result = {"id": "mlp-p-fit", "status": "ok", "history": {"loss": [0.9, 0.5], "acc": [0.5, 0.5]}}
    assert check(row, TRAIN, result).mismatches == []  # 1 of 4 samples flipped
    result["history"]["acc"][1] = 0.25
    [m] = check(row, TRAIN, result).mismatches
    assert m.quantity == "your run (fit acc epoch 2)"


def test_no_cell_or_no_result_is_reported():
    [m] = check(value(), None, None).mismatches
    assert m.quantity == "from" and "not on the page" in (m.reason or "")
    [m] = check(value(), CONV, {"id": "mlp-p-conv", "status": "error"}).mismatches
    assert m.category == "error" and m.quantity == "your run"


def test_the_page_html_gives_every_row_and_value():
    spec = value()
    table = {"schema": 1, "kind": "results", "name": "t", "id": "mlp-p-t", "caption": None,
             "rows": [{"label": "a", **{k: spec[k] for k in ("from", "references", "tolerance")}}] * 2}
    html = (f'<div class="mlpages-results" id="mlp-p-t" data-mlpages-results>'
            f'<script type="application/json" class="mlpages-results-spec">{json.dumps([table])}'
            "</script></div>"
            f'<p>Centre <span class="mlpages-value" id="mlp-p-value-1" '
            f'data-mlpages-value="{escape(json.dumps(spec), quote=True)}">15</span>, '
            '<span class="mlpages-value" id="mlp-p-value-2" data-mlpages-value="{oops">?</span></p>')
    parsed = parse_cells(html)
    assert [t["id"] for t in parsed.results] == ["mlp-p-t"] and len(parsed.values) == 1
    assert parsed.errors and parsed.errors[0].startswith("inline value mlp-p-value-2: unreadable JSON")
    entries = [(e.cell_id, e.name, e.kind) for e, _ in bound_values(parsed)]
    assert entries == [("mlp-p-t-row-1", "t/row 1", "results"), ("mlp-p-t-row-2", "t/row 2", "results"),
                       ("mlp-p-value-1", "conv.output[1, 1]", "value")]
