"""The engine against what real TF.js 4.22 computed (vectors/tfjs-4.22-dense.json)."""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import pytest
import tfjs_vectors as tv
from mlpages.engine import EngineError, Sequential
from mlpages.engine.optimizers import RMSProp
from tfjs_vectors import ATOL, CHECKED, RTOL

NAME = "tfjs-4.22-dense.json"


@functools.cache
def _cases() -> dict[str, dict[str, Any]]:
    return tv.cases(NAME)


def _has_nan(result: dict[str, Any]) -> bool:
    return None in result["predict"]


def _refused(case: dict[str, Any]) -> bool:
    """Cases TF.js turns into NaN on some backend: the engine refuses them at compile."""
    return any(_has_nan(case["results"][backend]) for backend in CHECKED)


def _params() -> list[Any]:
    return [
        pytest.param(name, backend, id=f"{name}-{backend}")
        for name, case in _cases().items()
        for backend in CHECKED
        if not _refused(case)
    ]


@pytest.mark.parametrize(("name", "backend"), _params())
def test_case_matches_tfjs(name: str, backend: str) -> None:
    case = _cases()[name]
    result = case["results"][backend]
    for label, got, expected in tv.quantities(case, result, result["epsilon"]):
        assert got.shape == expected.shape, label
        train, val = tv.sample_counts(case)
        excess = tv.excess(got, expected, label, val if "val_" in label else train)
        worst = int(np.argmax(excess))
        assert excess[worst] <= 0, (
            f"{name} on {backend}: {label}[{worst}] = {got[worst]!r}, TF.js {expected[worst]!r}"
        )


def test_nan_cases_are_refused_by_compile() -> None:
    nan_cases = [name for name, case in _cases().items() if _refused(case)]
    assert nan_cases == ["rmsprop-centered-mse"]
    case = _cases()["rmsprop-centered-mse"]
    model = Sequential(case["layers"])
    with pytest.raises(EngineError, match=r"centered.*sqrt\(ms - \(mg\^2 \+ epsilon\)\)"):
        model.compile(case["compile"]["optimizer"], case["compile"]["loss"])


def test_centered_rmsprop_formula_is_understood() -> None:
    """Refused by compile, but the replica shows why: NaN at eps 1e-4, finite at 1e-7 here."""
    case = _cases()["rmsprop-centered-mse"]
    for backend in ("webgl_unpacked", "cpu"):
        result = case["results"][backend]
        model = Sequential(case["layers"])
        model.set_weights([tv.array(w) for w in case["weights"]])
        model.compile("sgd", case["compile"]["loss"], epsilon=result["epsilon"])
        model._optimizer = RMSProp(case["compile"]["optimizer"]["args"], result["epsilon"])
        history = model.fit(tv.array(case["x"]), tv.array(case["y"]), epochs=5, batch_size=8)
        expected = tv.expected(result["history"]["loss"])
        got = np.array(history["loss"])
        assert np.array_equal(np.isnan(got), np.isnan(expected))
        finite = ~np.isnan(expected)
        np.testing.assert_allclose(got[finite], expected[finite], rtol=RTOL, atol=ATOL)


def test_packed_webgl_deviates_on_batch_larger_than_n() -> None:
    """TF.js's default (packed) WebGL leaves the math here; the engine follows unpacked/CPU."""
    case = _cases()["batch-larger-than-n"]
    result = case["results"]["webgl"]
    worst = max(
        float(np.max(tv.excess(got, expected, label, 21)))
        for label, got, expected in tv.quantities(case, result, result["epsilon"])
    )
    assert worst > 0


def test_worst_differences_are_far_inside_the_tolerance() -> None:
    """Regression guard: the replica is ~1e-6 relative; the 1e-3 band is a margin, not slack."""
    for backend in CHECKED:
        usage = 0.0
        for name, case in _cases().items():
            result = case["results"][backend]
            if _refused(case):
                continue
            for label, got, expected in tv.quantities(case, result, result["epsilon"]):
                if label.endswith("acc"):
                    assert np.array_equal(got, expected), (name, backend, label)
                    continue
                band = ATOL + RTOL * np.abs(expected)
                usage = max(usage, float(np.max(np.abs(got - expected) / band)))
        assert usage < 0.2, f"{backend}: a difference uses {usage:.0%} of the tolerance"
