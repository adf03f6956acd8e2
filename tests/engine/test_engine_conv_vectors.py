"""Conv, pooling, reshape, batch norm, dropout and activation layers against real TF.js 4.22.

Every case of ``vectors/tfjs-4.22-conv.json`` is replayed on the WebGL-unpacked and CPU
results (each with its backend epsilon): loss/accuracy history, the weights after fit (in
``getWeights()`` order, batch-norm moving statistics last) and predictions.
"""

from __future__ import annotations

import numpy as np
import pytest
from tfjs_vectors import ATOL, CHECKED, RTOL, cases, excess, quantities, relative, sample_counts

NAME = "tfjs-4.22-conv.json"


def _params() -> list[object]:
    return [
        pytest.param(name, backend, id=f"{name}-{backend}") for name in cases(NAME) for backend in CHECKED
    ]


@pytest.mark.parametrize(("name", "backend"), _params())
def test_case_matches_tfjs(name: str, backend: str) -> None:
    case = cases(NAME)[name]
    result = case["results"][backend]
    for label, got, want in quantities(case, result, result["epsilon"]):
        assert got.shape == want.shape, label
        train, val = sample_counts(case)
        over = excess(got, want, label, val if "val_" in label else train)
        worst = int(np.argmax(over))
        assert over[worst] <= 0, (
            f"{name} on {backend}: {label}[{worst}] = {got[worst]!r}, TF.js {want[worst]!r}"
        )


def test_worst_differences_are_far_inside_the_tolerance() -> None:
    """Regression guard and report: the worst relative difference per backend."""
    report = {}
    for backend in CHECKED:
        usage, worst = 0.0, (0.0, "")
        for name, case in cases(NAME).items():
            result = case["results"][backend]
            for label, got, want in quantities(case, result, result["epsilon"]):
                if label.endswith("acc"):
                    assert np.array_equal(got, want), (name, backend, label)
                    continue
                band = ATOL + RTOL * np.abs(want)
                usage = max(usage, float(np.max(np.abs(got - want) / band)))
                worst = max(worst, (relative(got, want), f"{name} {label}"))
        report[backend] = worst
        assert usage < 0.2, f"{backend}: a difference uses {usage:.0%} of the tolerance"
    print("worst relative differences:", report)


def test_packed_webgl_agrees_too() -> None:
    """The default (packed) WebGL results agree as well on these cases."""
    for name, case in cases(NAME).items():
        result = case["results"]["webgl"]
        for label, got, want in quantities(case, result, result["epsilon"]):
            train, _ = sample_counts(case)
            assert float(np.max(excess(got, want, label, train))) <= 0, (name, label)
