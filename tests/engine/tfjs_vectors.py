"""Reading the TF.js 4.22 vector files and replaying a case on the engine (shared by tests)."""

from __future__ import annotations

import functools
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
from mlpages.engine import Sequential

VECTORS = Path(__file__).resolve().parent / "vectors"
RTOL, ATOL = 1e-3, 1e-5
CHECKED = ("webgl_unpacked", "cpu")


@functools.cache
def cases(name: str) -> dict[str, dict[str, Any]]:
    """The cases of ``vectors/<name>`` by case name."""
    return {case["name"]: case for case in json.loads((VECTORS / name).read_text())["cases"]}


def array(tensor: dict[str, Any]) -> np.ndarray:
    """A ``{shape, data}`` tensor as float32 (``null`` is NaN)."""
    data = [math.nan if v is None else v for v in tensor["data"]]
    return np.array(data, dtype=np.float32).reshape(tensor["shape"])


def expected(values: Any) -> np.ndarray:
    """Flat float64 expected values (``null`` is NaN)."""
    return np.array(
        [math.nan if v is None else v for v in np.ravel(np.array(values, dtype=object))],
        dtype=np.float64,
    )


def sample_counts(case: dict[str, Any]) -> tuple[int, int]:
    """Samples behind the training and the validation accuracy."""
    n = case["y"]["shape"][0] if "y" in case else 1
    if "val" in case:
        return n, case["val"]["y"]["shape"][0]
    split = case.get("fit", {}).get("validationSplit")
    if split:
        train = math.floor(n * (1 - split))
        return train, n - train
    return n, 0


def run(case: dict[str, Any], epsilon: float) -> tuple[dict[str, list[float]] | None, Sequential]:
    """Builds, sets, compiles and fits the case's model; returns the history and the model."""
    model = Sequential(case["layers"])
    model.set_weights([array(w) for w in case["weights"]])
    spec = case["compile"]
    model.compile(spec["optimizer"], spec["loss"], spec.get("metrics"), epsilon=epsilon)
    history = None
    if "fit" in case:
        fit = case["fit"]
        val = (array(case["val"]["x"]), array(case["val"]["y"])) if "val" in case else None
        history = model.fit(
            array(case["x"]),
            array(case["y"]),
            epochs=fit["epochs"],
            batch_size=fit["batchSize"],
            validation_data=val,
            validation_split=fit.get("validationSplit", 0.0),
        )
    return history, model


def quantities(
    case: dict[str, Any], result: dict[str, Any], epsilon: float
) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(label, got, expected) for every compared quantity of one case and backend."""
    history, model = run(case, epsilon)
    out = []
    for key, values in (result.get("history") or {}).items():
        assert history is not None and key in history, f"history lacks {key}"
        out.append((f"history.{key}", np.array(history[key]), expected(values)))
    weights = model.get_weights()
    assert len(weights) == len(result.get("weights") or weights), "weight count"
    for i, values in enumerate(result.get("weights") or []):
        out.append((f"weights[{i}]", weights[i].ravel(), expected(values)))
    predicted = model.predict(array(case["predict"])).ravel()
    out.append(("predict", predicted, expected(result["predict"])))
    return out


def excess(got: np.ndarray, want: np.ndarray, label: str, n: int) -> np.ndarray:
    """How far each element is outside its allowed band (<= 0 inside)."""
    diff = np.abs(got.astype(np.float64) - want)
    if label.endswith("acc"):
        return diff - 1.0 / n
    return diff - (ATOL + RTOL * np.abs(want))


def relative(got: np.ndarray, want: np.ndarray) -> float:
    """The largest ``|got - want| / |want|`` over elements with ``|want| >= ATOL``.

    Smaller expected values (e.g. float rounding noise of a gradient that is zero in exact
    arithmetic) are covered by ``ATOL`` and would make a relative figure meaningless.
    """
    big = np.abs(want) >= ATOL
    diff = np.abs(got.astype(np.float64)[big] - want[big])
    return float(np.max(diff / np.abs(want[big]), initial=0.0))
