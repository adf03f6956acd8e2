"""answers.py: what a page's window.mlpages answers is checked against the page contract."""

from __future__ import annotations

from typing import Any

import pytest
from mlpages.verify.answers import MalformedAnswer, check_environment, check_results

FIT = {
    "id": "mlp-a-fit", "kind": "train", "name": "fit", "status": "ok", "comparable": True,
    "backend": "webgl", "epsilon": 1e-4, "history": {"loss": [0.5, "NaN", None]},
    "weights": [{"shape": [2, 1], "data": [0.1, "-Infinity"]}], "timings": {"totalMs": 12.5},
    "error": None,
}


def test_results_of_the_contract_pass_by_id():
    failed = {"id": "mlp-a-guess", "status": "error", "error": "boom"}
    assert check_results([FIT, failed]) == {"mlp-a-fit": FIT, "mlp-a-guess": failed}
    assert check_results({"x": FIT}) == {"mlp-a-fit": FIT}
    assert check_results([]) == {}


@pytest.mark.parametrize(("value", "message"), [
    ("all fine", "runAll() resolved to a string, not a list of results"),
    (None, "runAll() resolved to null, not a list of results"),
    (["oops"], "runAll() result 1 is a string, not a result object"),
    ([FIT, {"status": "ok"}], "runAll() result 2 has no string id (id: null)"),
    ([{**FIT, "id": ["x"]}], "runAll() result 1 has no string id (id: a list)"),
    ([{**FIT, "status": "fine"}], "the result of mlp-a-fit: status 'fine', not one of error, ok, stopped"),
    ([{**FIT, "timings": "fast"}], "the result of mlp-a-fit: timings is a string, not an object of numbers"),
    ([{**FIT, "history": "down"}], "the result of mlp-a-fit: history is a string, not an object of lists"),
    ([{**FIT, "history": {"loss": [{}]}}],
     "the result of mlp-a-fit: history.loss[0] is an object, not a number"),
    ([{**FIT, "history": {"loss": "0.5"}}],
     "the result of mlp-a-fit: history.loss is a string, not a list of numbers"),
    ([{**FIT, "weights": {"data": []}}],
     "the result of mlp-a-fit: weights is an object, not a list of arrays"),
    ([{**FIT, "weights": [{"shape": 2, "data": [1, 2]}]}],
     "the result of mlp-a-fit: weights[0].shape is not a list of whole numbers: 2"),
    ([{**FIT, "predictions": [1, 2]}],
     "the result of mlp-a-fit: predictions is a list, not a {shape, data} object"),
    ([{**FIT, "accuracy": True}], "the result of mlp-a-fit: accuracy is a boolean, not a number"),
    ([{**FIT, "comparable": "yes"}], "the result of mlp-a-fit: comparable is a string, not true or false"),
    ([{**FIT, "error": {"message": "x"}}], "the result of mlp-a-fit: error is an object, not a string"),
])
def test_a_malformed_answer_says_what_is_wrong(value: Any, message: str):
    with pytest.raises(MalformedAnswer) as raised:
        check_results(value)
    assert str(raised.value) == message


def test_environment_needs_an_object_with_a_backend():
    environment = {"backend": "webgl", "epsilon": 1e-4, "flags": {}}
    assert check_environment(environment) is environment
    for value, message in (
        ("webgl", "environment() returned a string, not an object"),
        ({"epsilon": 1e-4}, "environment(): backend is null, not a string"),
        ({"backend": "webgl", "epsilon": "small"}, "environment(): epsilon is a string, not a number"),
    ):
        with pytest.raises(MalformedAnswer, match=r"^environment\(\)") as raised:
            check_environment(value)
        assert str(raised.value) == message
