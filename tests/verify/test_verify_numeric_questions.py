"""Numeric quiz questions in verify: read from the page, checked against their cell's
reference and the browser's run (compare.check_number_question)."""

from __future__ import annotations

import json
import math

from mlpages.verify.compare import check_number_question
from mlpages.verify.discover import parse_cells

WEBGL = 1e-4
CPU = 1e-7
TRAIN = {
    "schema": 1, "kind": "train", "name": "fit", "id": "mlp-p-fit",
    "references": [{"epsilon": WEBGL, "history": {"loss": [0.9, 0.7, 0.5]}},
                   {"epsilon": CPU, "history": {"loss": [0.9, 0.7, 0.4]}}],
}
PREDICT = {
    "schema": 1, "kind": "predict", "name": "guess", "id": "mlp-p-guess",
    "references": [{"epsilon": WEBGL, "predictions": {"shape": [2, 1], "data": [0.25, 0.75]}}],
}
QUIZ = {"schema": 1, "kind": "quiz", "name": "check", "id": "mlp-p-check", "page": "p"}


def question(value: float = 0.5, cpu: float = 0.4, **origin) -> dict:
    return {
        "id": "final loss", "type": "number",
        "from": origin or {"cell": "mlp-p-fit", "name": "fit", "quantity": "loss", "epoch": 2},
        "references": [{"epsilon": WEBGL, "value": value}, {"epsilon": CPU, "value": cpu}],
        "tolerance": {"rtol": 0.01, "atol": 0.0001},
    }


def ok(loss: list) -> dict:
    return {"id": "mlp-p-fit", "status": "ok", "comparable": True, "history": {"loss": loss}}


def test_a_question_that_agrees_with_its_cell_passes():
    check = check_number_question(QUIZ, question(), TRAIN, ok([0.9, 0.7, 0.503]), WEBGL)
    assert check.mismatches == [] and check.compared == 2
    assert math.isclose(check.max_rel_diff, 0.006)


def test_the_stored_value_is_compared_at_the_backend_epsilon():
    assert check_number_question(QUIZ, question(), TRAIN, ok([0.9, 0.7, 0.4]), CPU).mismatches == []
    m, graded = check_number_question(QUIZ, question(cpu=0.5), TRAIN, ok([0.9, 0.7, 0.4]), CPU).mismatches
    assert graded.quantity == "graded value (fit loss epoch 3)"
    assert m.category == "mismatch" and m.quantity == "stored value"
    assert m.describe() == (
        "quiz question check/final loss (mlp-p-check-final-loss): stored value: the question stores "
        "0.5 for epsilon 1e-07, the reference of fit loss epoch 3 is 0.4")


def test_a_run_outside_the_question_tolerance_is_a_mismatch_with_both_values():
    [m] = check_number_question(QUIZ, question(), TRAIN, ok([0.9, 0.7, 0.52]), WEBGL).mismatches
    assert m.category == "mismatch" and m.browser == 0.52 and m.reference == 0.5
    assert math.isclose(m.high, 0.5 + 0.0001 + 0.005)
    assert m.describe().startswith("quiz question check/final loss (mlp-p-check-final-loss): "
                                   "graded value (fit loss epoch 3): browser 0.52, reference 0.5, "
                                   "allowed [0.4949")


def test_a_wrong_stored_value_fails_both_checks():
    check = check_number_question(QUIZ, question(value=0.6), TRAIN, ok([0.9, 0.7, 0.5]), WEBGL)
    assert [m.quantity for m in check.mismatches] == ["stored value", "graded value (fit loss epoch 3)"]


def test_predict_cell_values_by_flat_index():
    q = question(value=0.75, cell="mlp-p-guess", name="guess", quantity="prediction", index=1)
    q["references"] = q["references"][:1]
    result = {"id": "mlp-p-guess", "status": "ok", "predictions": {"shape": [2, 1], "data": [0.2, 0.7501]}}
    assert check_number_question(QUIZ, q, PREDICT, result, WEBGL).mismatches == []
    assert check_number_question(QUIZ, q, PREDICT, result, CPU).mismatches[0].category == "error"


def test_no_cell_no_result_or_nan_are_reported():
    [m] = check_number_question(QUIZ, question(), None, None, WEBGL).mismatches
    assert m.category == "mismatch" and "not on the page" in m.reason
    [m] = check_number_question(QUIZ, question(), TRAIN, {"status": "error"}, WEBGL).mismatches
    assert m.category == "error" and "no comparable result" in m.reason
    [m] = check_number_question(QUIZ, question(), TRAIN, ok([0.9, 0.7, "NaN"]), WEBGL).mismatches
    assert m.category == "mismatch" and math.isnan(m.browser)


def test_parse_cells_reads_quiz_specs_apart_from_cells():
    spec = json.dumps([{**QUIZ, "questions": [question()]}])
    html = (f'<div class="mlpages-quiz" id="mlp-p-check" data-mlpages-quiz data-mlpages-name="check">'
            f'<script type="application/json" class="mlpages-quiz-spec">{spec}</script></div>'
            f'<div data-mlpages-kind="train" id="mlp-p-fit"><script type="application/json" '
            f'class="mlpages-spec">{json.dumps([TRAIN])}</script></div>')
    parsed = parse_cells(html)
    assert [c["id"] for c in parsed.cells] == ["mlp-p-fit"]
    assert [q["id"] for q in parsed.quizzes] == ["mlp-p-check"] and parsed.errors == []


def test_a_question_bound_to_a_diverged_value_expects_the_same_divergence():
    """The spec writes NaN as the string "NaN" (JSON has none); the run must reproduce it."""
    diverged = {**TRAIN, "references": [{"epsilon": WEBGL, "history": {"loss": [0.9, "Infinity", "NaN"]}},
                                        {"epsilon": CPU, "history": {"loss": [0.9, "Infinity", "NaN"]}}]}
    asked = question("NaN", "NaN")
    check = check_number_question(QUIZ, asked, diverged, ok([0.9, "Infinity", "NaN"]), WEBGL)
    assert check.mismatches == [] and check.compared == 2
    [graded] = check_number_question(QUIZ, asked, diverged, ok([0.9, "Infinity", 0.5]), WEBGL).mismatches
    assert graded.describe().endswith("graded value (fit loss epoch 3): browser 0.5, reference NaN, "
                                      "allowed [NaN, NaN]")
    stored, _ = check_number_question(QUIZ, question("Infinity", "NaN"), diverged,
                                      ok([0.9, "Infinity", "NaN"]), WEBGL).mismatches
    assert stored.describe().endswith("the question stores Infinity for epsilon 0.0001, the reference "
                                      "of fit loss epoch 3 is NaN")
