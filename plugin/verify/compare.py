"""Compare a cell's browser result with the NumPy reference stored in its spec.

Pure functions over the JSON of the page contract (docs/reference/page-contract.md):
nothing the page computed about its own correctness is trusted.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from ..contract import ACCURACY_KEYS, DEFAULT_TOLERANCE
from ..html import json_number

ACCURACY_SLACK = 1e-6

Spec = Mapping[str, Any]


@dataclass(frozen=True)
class Mismatch:
    """One way a cell's result disagrees with its reference.

    Attributes:
        cell: The cell's name.
        cell_id: The cell's element id.
        quantity: What disagrees: ``loss``, ``val_acc``, ``weights[2]``, ``predictions``,
            ``accuracy``, or ``result`` when the result cannot be compared at all.
        category: ``mismatch`` when the browser computed something else (a value out of
            its band, a missing or misshapen quantity); ``error`` when the cell has no
            comparable result (failed, stopped, no reference for the backend's epsilon).
        position: ``epoch 3`` (1-based) or ``index 5`` (flat, row-major), when an element.
        browser: The browser's value (NaN where the page sent NaN or nothing).
        reference: The reference value.
        low: The lowest browser value that passes.
        high: The highest browser value that passes.
        reason: What is wrong, for a mismatch that is not an element out of its band.
        what: ``cell``, or ``quiz question`` for a numeric question (``cell`` is then
            ``<quiz>/<question id>`` and ``cell_id`` the question's fieldset id).
    """

    cell: str
    cell_id: str
    quantity: str
    category: Literal["mismatch", "error"] = "mismatch"
    position: str | None = None
    browser: float | None = None
    reference: float | None = None
    low: float | None = None
    high: float | None = None
    reason: str | None = None
    what: str = "cell"  # or "quiz question" (a numeric question bound to a cell)

    def describe(self) -> str:
        """A one-line report: cell, quantity, position, both values and the allowed band."""
        where = f"{self.what} {self.cell} ({self.cell_id}): {self.quantity}"
        if self.position:
            where += f" {self.position}"
        if self.reason is not None:
            return f"{where}: {self.reason}"
        return (
            f"{where}: browser {_num(self.browser)}, reference {_num(self.reference)}, "
            f"allowed [{_num(self.low)}, {_num(self.high)}]"
        )


@dataclass
class CellCheck:
    """The outcome of comparing one cell.

    Attributes:
        mismatches: Every disagreement found (empty when the cell passes).
        max_rel_diff: The largest ``|browser − reference| / |reference|`` over the compared
            elements with a non-zero finite reference, accuracies left out; ``None`` when none.
        compared: How many values were compared.
        banded: How many of them were checked within a band of NumPy runs (unseeded
            dropout) instead of against one reference value.
    """

    mismatches: list[Mismatch] = field(default_factory=list)
    max_rel_diff: float | None = None
    compared: int = 0
    banded: int = 0


def _num(value: float | None) -> str:
    if value is None:
        return "-"
    if not math.isfinite(value):  # as the page contract and JavaScript write them
        return str(json_number(value))
    return f"{value:.9g}"


def number(value: Any) -> float:
    """A number of the page contract as a float: ``"NaN"``, ``"Infinity"`` and ``"-Infinity"``
    are the non-finite values JSON cannot hold; ``None`` is NaN too (earlier pages wrote it).

    Raises:
        TypeError, ValueError: ``value`` is no number.
    """
    if value is None:
        return math.nan
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise TypeError(f"expected a number, got {type(value).__name__}")
    return float(value)


def _floats(values: Any) -> np.ndarray:
    """A flat float64 array of contract numbers (see :func:`number`)."""
    if not isinstance(values, Sequence) or isinstance(values, str):
        raise TypeError(f"expected a list of numbers, got {type(values).__name__}")
    return np.array([number(v) for v in values], dtype=np.float64)


def agree(browser: np.ndarray, reference: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    """Element-wise: a finite reference takes a finite browser value within ``allowed`` of it;
    a non-finite one only the same value (NaN matches NaN, Infinity only Infinity, -Infinity
    only -Infinity). A diverged training is reproduced, or it is a mismatch."""
    with np.errstate(invalid="ignore"):
        close = np.isfinite(browser) & (np.abs(browser - reference) <= allowed)
    same = (np.isnan(browser) & np.isnan(reference)) | (browser == reference)
    return np.where(np.isfinite(reference), close, same)


def _position(prefix: str, index: int, shape: Sequence[int] | None) -> str:
    if prefix == "epoch":
        return f"epoch {index + 1}"
    if shape and len(shape) > 1:
        return f"index {index} {tuple(int(i) for i in np.unravel_index(index, tuple(shape)))}"
    return f"index {index}"


class _Checker:
    """Accumulates mismatches and statistics for one cell."""

    def __init__(self, spec: Spec) -> None:
        self.name = str(spec.get("name", "?"))
        self.cell_id = str(spec.get("id", "?"))
        tolerance = spec.get("tolerance") or {}
        self.rtol = float(tolerance.get("rtol", DEFAULT_TOLERANCE["rtol"]))
        self.atol = float(tolerance.get("atol", DEFAULT_TOLERANCE["atol"]))
        self.check = CellCheck()

    def fail(self, quantity: str, reason: str, category: Literal["mismatch", "error"]) -> None:
        self.check.mismatches.append(
            Mismatch(self.name, self.cell_id, quantity, category, reason=reason)
        )

    def values(
        self,
        quantity: str,
        browser: Any,
        reference: Any,
        *,
        prefix: str = "index",
        shape: Sequence[int] | None = None,
        band: float | None = None,
    ) -> None:
        """Compare element by element; ``band`` is a fixed half-width (accuracies)."""
        try:
            ref = _floats(reference)
        except (TypeError, ValueError) as exc:
            self.fail(quantity, f"unreadable reference: {exc}", "error")
            return
        got = self._browser_values(quantity, browser, ref.size, prefix, "reference")
        if got is None:
            return
        allowed = (
            np.full_like(ref, band) if band is not None else self.atol + self.rtol * np.abs(ref)
        )
        with np.errstate(invalid="ignore"):
            diff = np.abs(got - ref)
        bad = ~agree(got, ref, allowed)
        self.check.compared += ref.size
        if band is None:
            # A matched non-finite reference has no relative difference; a finite one with a
            # non-finite browser value shows as Infinity or NaN.
            nonzero = (ref != 0) & np.isfinite(ref)
            if nonzero.any():
                with np.errstate(invalid="ignore", divide="ignore"):
                    rel = float(np.max(diff[nonzero] / np.abs(ref[nonzero])))
                current = self.check.max_rel_diff
                # np.max keeps a NaN: a NaN anywhere must show in the summary.
                self.check.max_rel_diff = rel if current is None else float(np.max([current, rel]))
        for i in np.flatnonzero(bad):
            finite = bool(np.isfinite(ref[i]))  # else only the value itself is allowed
            self.check.mismatches.append(
                Mismatch(
                    self.name,
                    self.cell_id,
                    quantity,
                    position=_position(prefix, int(i), shape),
                    browser=float(got[i]),
                    reference=float(ref[i]),
                    low=float(ref[i] - allowed[i]) if finite else float(ref[i]),
                    high=float(ref[i] + allowed[i]) if finite else float(ref[i]),
                )
            )

    def _browser_values(
        self, quantity: str, browser: Any, size: int, prefix: str, against: str
    ) -> np.ndarray | None:
        """The browser's values as floats, or None after reporting why they cannot be compared
        with the `against` (reference or band) of `size` values."""
        try:
            got = _floats(browser)
        except (TypeError, ValueError) as exc:
            self.fail(quantity, f"unreadable browser value: {exc}", "mismatch")
            return None
        if got.size != size:
            unit = "epochs" if prefix == "epoch" else "values"
            self.fail(quantity, f"browser has {got.size} {unit}, {against} {size}", "mismatch")
            return None
        return got

    def within(
        self,
        quantity: str,
        browser: Any,
        band: Any,
        *,
        prefix: str = "index",
        shape: Sequence[int] | None = None,
        slack: float | None = None,
    ) -> None:
        """Compare element by element with a band's ``low``/``high`` edges (unseeded dropout).

        Each edge is widened by the cell's tolerance, or by ``slack`` (accuracies: 1/n).
        """
        try:
            if not isinstance(band, Mapping):
                raise TypeError("not a {low, high} band")
            low, high = _floats(band.get("low")), _floats(band.get("high"))
            if low.size != high.size:
                raise ValueError("low and high differ in length")
        except (TypeError, ValueError) as exc:
            self.fail(quantity, f"unreadable band: {exc}", "error")
            return
        got = self._browser_values(quantity, browser, low.size, prefix, "band")
        if got is None:
            return
        with np.errstate(invalid="ignore"):
            if slack is None:
                lo = low - (self.atol + self.rtol * np.abs(low))
                hi = high + (self.atol + self.rtol * np.abs(high))
            else:
                lo, hi = low - slack, high + slack
            inside = (got >= lo) & (got <= hi)
        # Non-finite edges (every run diverged the same way) take only that value.
        finite = np.isfinite(low) & np.isfinite(high)
        same = agree(got, low, np.zeros_like(low)) & agree(got, high, np.zeros_like(high))
        bad = ~np.where(finite, inside & np.isfinite(got), same)
        self.check.compared += got.size
        self.check.banded += got.size
        for i in np.flatnonzero(bad):
            self.check.mismatches.append(
                Mismatch(
                    self.name,
                    self.cell_id,
                    quantity,
                    position=_position(prefix, int(i), shape),
                    browser=float(got[i]),
                    reference=(float(low[i]) + float(high[i])) / 2,
                    low=float(lo[i]),
                    high=float(hi[i]),
                )
            )

    def array(self, quantity: str, browser: Any, reference: Any) -> None:
        """Compare two ``{"shape", "data"}`` arrays."""
        if not isinstance(reference, Mapping):
            self.fail(quantity, "unreadable reference: not a {shape, data} array", "error")
            return
        if not isinstance(browser, Mapping) or "data" not in browser:
            self.fail(quantity, "missing in the browser's result", "mismatch")
            return
        shape = list(reference.get("shape") or [])
        got_shape = browser.get("shape")
        if got_shape is not None and list(got_shape) != shape:
            self.fail(quantity, f"browser shape {got_shape}, reference shape {shape}", "mismatch")
            return
        self.values(quantity, browser["data"], reference.get("data"), shape=shape)

    def arrays(self, quantity: str, browser: Any, reference: Sequence[Any]) -> None:
        """Compare two lists of arrays (weights), naming each ``quantity[i]``."""
        if not isinstance(browser, Sequence) or isinstance(browser, str):
            self.fail(quantity, "missing in the browser's result", "mismatch")
            return
        if len(browser) != len(reference):
            self.fail(
                quantity,
                f"browser has {len(browser)} arrays, reference {len(reference)}",
                "mismatch",
            )
            return
        for i, (got, ref) in enumerate(zip(browser, reference, strict=True)):
            self.array(f"{quantity}[{i}]", got, ref)


def _rows(array: Any) -> int | None:
    shape = array.get("shape") if isinstance(array, Mapping) else None
    return int(shape[0]) if shape else None


def accuracy_samples(key: str, spec: Spec, dataset_specs: Mapping[str, Spec]) -> int | None:
    """How many samples an accuracy was computed over (``None`` when the specs do not say).

    ``acc`` counts the train split of the cell's dataset, ``val_acc`` its test split,
    and a predict cell's ``accuracy`` the rows of its ``y``.
    """
    if spec.get("kind") == "predict":
        return _rows(spec.get("y"))
    dataset = dataset_specs.get(str(spec.get("dataset"))) or {}
    if key.startswith("val_"):
        return _rows((dataset.get("test") or {}).get("x"))
    return _rows(dataset.get("x"))


def select_reference(references: Iterable[Spec], epsilon: float) -> Spec | None:
    """The reference computed for ``epsilon``, or ``None``: never one for another epsilon."""
    for reference in references:
        value = reference.get("epsilon")
        if isinstance(value, int | float) and math.isclose(value, epsilon, rel_tol=1e-9):
            return reference
    return None


def _compare_accuracy(
    checker: _Checker, key: str, browser: Any, reference: Any, spec: Spec, datasets: Mapping[str, Spec]
) -> None:
    n = accuracy_samples(key, spec, datasets)
    if not n:
        checker.fail(key, "cannot tell over how many samples it was computed", "error")
        return
    prefix = "epoch" if spec.get("kind") == "train" else "index"
    checker.values(key, browser, reference, prefix=prefix, band=1 / n + ACCURACY_SLACK)


def _compare_train(
    checker: _Checker, spec: Spec, result: Spec, ref: Spec, datasets: Mapping[str, Spec]
) -> None:
    history = result.get("history")
    history = history if isinstance(history, Mapping) else {}
    expected_history = ref.get("history")
    if not isinstance(expected_history, Mapping):
        checker.fail("history", "unreadable reference: no history", "error")
        expected_history = {}
    bands = ref.get("band") if isinstance(ref.get("band"), Mapping) else None
    for key, expected in expected_history.items():
        if key not in history:
            checker.fail(key, "missing from the browser's history", "mismatch")
        elif bands is not None:
            if key not in bands:
                checker.fail(key, "unreadable reference: no band for this quantity", "error")
            else:
                _compare_band(checker, key, history[key], bands[key], spec, datasets, "epoch")
        elif key in ACCURACY_KEYS:
            _compare_accuracy(checker, key, history[key], expected, spec, datasets)
        else:
            checker.values(key, history[key], expected, prefix="epoch")
    initial = ref.get("initial")
    if isinstance(initial, Mapping) and "predictions" in initial:
        checker.array("initial predictions", result.get("initialPredictions"), initial["predictions"])
    if isinstance(ref.get("weights"), Sequence):
        checker.arrays("weights", result.get("weights"), ref["weights"])


def _compare_band(
    checker: _Checker, key: str, browser: Any, band: Any, spec: Spec, datasets: Mapping[str, Spec],
    prefix: str, shape: Sequence[int] | None = None,
) -> None:
    slack = None
    if key in ACCURACY_KEYS:
        n = accuracy_samples(key, spec, datasets)
        if not n:
            checker.fail(key, "cannot tell over how many samples it was computed", "error")
            return
        slack = 1 / n + ACCURACY_SLACK
    checker.within(key, browser, band, prefix=prefix, shape=shape, slack=slack)


def _compare_predict(
    checker: _Checker, spec: Spec, result: Spec, ref: Spec, datasets: Mapping[str, Spec]
) -> None:
    bands = ref.get("band") if isinstance(ref.get("band"), Mapping) else None
    if bands is not None:
        predictions = result.get("predictions")
        reference = given if isinstance(given := ref.get("predictions"), Mapping) else {}
        shape = list(reference.get("shape") or [])
        if not isinstance(predictions, Mapping) or "data" not in predictions:
            checker.fail("predictions", "missing in the browser's result", "mismatch")
        elif predictions.get("shape") is not None and list(predictions["shape"]) != shape:
            checker.fail("predictions", f"browser shape {predictions['shape']}, reference shape "
                         f"{shape}", "mismatch")
        else:
            _compare_band(checker, "predictions", predictions["data"], bands.get("predictions"),
                          spec, datasets, "index", shape)
    else:
        checker.array("predictions", result.get("predictions"), ref.get("predictions") or {})
    if isinstance(ref.get("examples"), Mapping):  # the author's examples, through predictInput()
        if result.get("examplesError") is not None:
            checker.fail("examples", f"predictInput() failed: {result['examplesError']}", "error")
        else:
            checker.array("examples", result.get("examples"), ref["examples"])
    if ref.get("accuracy") is not None:
        if result.get("accuracy") is None:
            checker.fail("accuracy", "missing in the browser's result", "mismatch")
        elif bands is not None:
            _compare_band(checker, "accuracy", [result["accuracy"]], bands.get("accuracy"), spec,
                          datasets, "index")
        else:
            _compare_accuracy(
                checker, "accuracy", [result["accuracy"]], [ref["accuracy"]], spec, datasets
            )


def _compare_convolution(checker: _Checker, spec: Spec, result: Spec) -> None:
    """One output grid per kernel; the reference does not depend on the backend epsilon."""
    kernels = spec.get("kernels")
    if not isinstance(kernels, Sequence) or not kernels:
        checker.fail("output", "unreadable reference: no kernels", "error")
        return
    outputs = result.get("outputs")
    if not isinstance(outputs, Sequence) or isinstance(outputs, str) or len(outputs) != len(kernels):
        have = len(outputs) if isinstance(outputs, Sequence) and not isinstance(outputs, str) else 0
        checker.fail("output", f"browser has {have} output grids, reference {len(kernels)}", "mismatch")
        return
    for entry, got in zip(kernels, outputs, strict=True):
        quantity = "output" if len(kernels) == 1 else f"output ({entry.get('label', '?')} kernel)"
        checker.array(quantity, got, entry.get("output"))


def _compare_tfjs(
    checker: _Checker, spec: Spec, result: Spec, ref: Spec, datasets: Mapping[str, Spec]
) -> None:
    """A free-form cell: each value the reference names against the value of that name the
    page's code returned; a name on one side only, or another shape, is a mismatch."""
    del spec, datasets
    expected = ref.get("values")
    if not isinstance(expected, Mapping):
        checker.fail("values", "unreadable reference: no values", "error")
        return
    got = result.get("values")
    got = got if isinstance(got, Mapping) else {}
    for name, value in expected.items():
        if name not in got:
            checker.fail(str(name), "the reference has this value; the page's code does not return it",
                         "mismatch")
        else:
            checker.array(str(name), got[name], value)
    for name in got:
        if name not in expected:
            checker.fail(str(name), "the page's code returns this value; the reference has none of "
                         "that name", "mismatch")


_COMPARE_WITH_REFERENCE = {"train": _compare_train, "predict": _compare_predict, "tfjs": _compare_tfjs}


def check_cell(
    spec: Spec, result: Spec | None, dataset_specs: Mapping[str, Spec] | None = None
) -> CellCheck:
    """Compare one cell's browser result with its spec's reference.

    Args:
        spec: The cell's spec from the page's HTML.
        result: The cell's entry in ``runAll()``'s results (``None`` when absent).
        dataset_specs: The page's dataset specs by element id (sample counts for accuracies).

    Returns:
        The mismatches found and the largest relative difference seen.
    """
    checker = _Checker(spec)
    datasets = dataset_specs or {}
    if result is None:
        checker.fail("result", "runAll() returned no result for this cell", "error")
        return checker.check
    status = result.get("status")
    if status != "ok":
        detail = f": {result['error']}" if result.get("error") else ""
        checker.fail("result", f"status {status!r}{detail}", "error")
        return checker.check
    if result.get("comparable") is False:
        checker.fail("result", "marked not comparable by the page", "error")
        return checker.check
    kind = spec.get("kind")
    if kind == "model" and "weights" in result and "weights" in spec:
        checker.arrays("weights", result["weights"], spec["weights"])
    if kind == "convolution":
        _compare_convolution(checker, spec, result)
        return checker.check
    compare = _COMPARE_WITH_REFERENCE.get(str(kind))
    if compare is None or (kind == "tfjs" and spec.get("references") is None):
        return checker.check  # a tfjs cell without a reference only has to run
    epsilon = result.get("epsilon")
    if not isinstance(epsilon, int | float):
        checker.fail("result", "the result does not say its backend epsilon", "error")
        return checker.check
    references = spec.get("references") or []
    reference = select_reference(references, float(epsilon))
    if reference is None:
        known = ", ".join(str(r.get("epsilon")) for r in references) or "none"
        checker.fail("result", f"no reference for epsilon {epsilon} (have: {known})", "error")
        return checker.check
    compare(checker, spec, result, reference, datasets)
    return checker.check


def compare_cell(
    spec: Spec, result: Spec | None, dataset_specs: Mapping[str, Spec] | None = None
) -> list[Mismatch]:
    """Every way ``result`` disagrees with ``spec``'s reference (empty when it passes)."""
    return check_cell(spec, result, dataset_specs).mismatches


def origin_value(source: Spec | None, origin: Spec) -> float | None:
    """The number a bound value (numeric question, results row, inline value) names, in a
    cell's reference or result.

    ``origin`` is the binding's ``from``: ``history[quantity][epoch]`` (epoch 0-based),
    ``outputs[0].data[index]`` (a convolution's ``output``, its first kernel's),
    ``values[value].data[index]`` (a tfjs cell's named value, flat) or
    ``predictions.data[index]``; ``None`` when ``source`` does not hold it.
    """
    if not isinstance(source, Mapping):
        return None
    try:
        if "value" in origin:
            value = source["values"][str(origin["value"])]["data"][int(origin.get("index", 0))]
        elif "epoch" in origin:
            value = source["history"][origin["quantity"]][int(origin["epoch"])]
        elif origin.get("quantity") == "output":
            value = source["outputs"][0]["data"][int(origin.get("index", 0))]
        else:
            value = source["predictions"]["data"][int(origin.get("index", 0))]
        return number(value)  # "NaN" / "Infinity" as the page contract writes them
    except (KeyError, IndexError, TypeError, ValueError):
        return None


def cell_reference(cell: Spec, epsilon: float) -> Spec | None:
    """What :func:`origin_value` reads a cell's reference from at ``epsilon``: the train or
    predict reference for it (of a tfjs cell, its named values); a convolution's output grids,
    the same for every epsilon."""
    if cell.get("kind") == "convolution":
        kernels = cell.get("kernels")
        if not isinstance(kernels, Sequence) or not kernels:
            return None
        return {"outputs": [k.get("output") if isinstance(k, Mapping) else None for k in kernels]}
    return select_reference(cell.get("references") or [], epsilon)


def _origin_text(origin: Spec) -> str:
    if "value" in origin:
        return f"{origin.get('name')} value {origin.get('value')} index {origin.get('index', 0)}"
    if "epoch" in origin:
        return f"{origin.get('name')} {origin.get('quantity')} epoch {int(origin['epoch']) + 1}"
    if origin.get("quantity") == "output":
        return f"{origin.get('name')} output index {origin.get('index', 0)}"
    return f"{origin.get('name')} prediction index {origin.get('index', 0)}"


@dataclass(frozen=True)
class _Bound:
    """How one kind of bound value is named in a report."""

    name: str  # <quiz>/<question id>, <table>/row <n>, or the inline value's text
    element_id: str
    what: str  # "quiz question", "results row", "inline value"
    key: str  # the key that binds it: answer_from, from
    graded: str  # what the browser's value is: "graded value", "your run"
    noun: str  # what messages call it: "question", "results row", "inline value"


def _check_bound(
    bound: _Bound, entry: Spec, cell: Spec | None, result: Spec | None, epsilon: Any,
    allowed: Any,
) -> CellCheck:
    """The two checks of a bound value: the value it stores for the backend's epsilon equals
    the bound cell's reference value, and the browser's run of the cell gives a value within
    ``allowed(stored)`` of it (``allowed`` returns the band's half-width, or a reason it
    cannot tell)."""
    check = CellCheck()

    def fail(quantity: str, reason: str, category: Literal["mismatch", "error"]) -> None:
        check.mismatches.append(Mismatch(bound.name, bound.element_id, quantity, category,
                                         reason=reason, what=bound.what))

    origin = given if isinstance(given := entry.get("from"), Mapping) else {}
    if cell is None:
        fail(bound.key, f"bound to cell {origin.get('cell')!r}, which is not on the page", "mismatch")
        return check
    if not isinstance(epsilon, int | float):
        fail(bound.key, "the page did not say its backend epsilon", "error")
        return check
    stored_ref = select_reference(entry.get("references") or [], float(epsilon))
    cell_ref = cell_reference(cell, float(epsilon))
    if stored_ref is None or cell_ref is None:
        whose = f"the {bound.noun}" if stored_ref is None else f"cell {cell.get('name')}"
        fail("stored value", f"{whose} has no reference for epsilon {epsilon}", "error")
        return check
    raw = stored_ref.get("value")
    expected = origin_value(cell_ref, origin)
    where = _origin_text(origin)
    try:
        stored = number(raw) if raw is not None else None
    except (TypeError, ValueError):
        stored = None
    if stored is None or expected is None:
        fail("stored value", f"unreadable: {bound.noun} {raw!r}, reference of {where} {expected!r}",
             "mismatch")
        return check
    check.compared += 1
    if not _agrees(stored, expected, 1e-9 * abs(expected)):
        fail("stored value",
             f"the {bound.noun} stores {_num(stored)} for epsilon {epsilon:g}, the reference of "
             f"{where} is {_num(expected)}", "mismatch")
    if result is None or result.get("status") != "ok" or result.get("comparable") is False:
        status = "none" if result is None else repr(result.get("status"))
        fail(bound.graded, f"cell {cell.get('name')} has no comparable result (status {status})",
             "error")
        return check
    browser = origin_value(result, origin)
    finite = math.isfinite(stored)
    band = allowed(stored)
    if isinstance(band, str):
        fail(bound.graded, band, "error")
        return check
    band = band if finite else 0.0
    check.compared += 1
    if browser is None or not _agrees(browser, stored, band):
        check.mismatches.append(Mismatch(
            bound.name, bound.element_id, f"{bound.graded} ({where})",
            browser=math.nan if browser is None else browser, reference=stored,
            low=stored - band if finite else stored, high=stored + band if finite else stored,
            what=bound.what))
    elif stored != 0 and finite:
        check.max_rel_diff = abs(browser - stored) / abs(stored)
    return check


def check_number_question(
    quiz: Spec, question: Spec, cell: Spec | None, result: Spec | None, epsilon: Any
) -> CellCheck:
    """Check a numeric quiz question (``answer_from``) against its cell, at ``epsilon``.

    Two things must hold: the value the question stores for the backend's epsilon equals
    the bound cell's reference value (the page grades with it before the reader runs the
    cell), and the browser's own run of the cell gives a value the question's tolerance
    accepts around it (a reader who types what their run showed is graded right).
    """
    qid = re.sub(r"[^A-Za-z0-9_-]+", "-", str(question.get("id", "?")))
    bound = _Bound(f"{quiz.get('name', '?')}/{question.get('id', '?')}", f"{quiz.get('id', '?')}-{qid}",
                   "quiz question", "answer_from", "graded value", "question")
    tolerance = given if isinstance(given := question.get("tolerance"), Mapping) else {}
    rtol, atol = float(tolerance.get("rtol", 0.0)), float(tolerance.get("atol", 0.0))
    return _check_bound(bound, question, cell, result, epsilon, lambda v: atol + rtol * abs(v))


def check_bound_value(
    entry: Spec, name: str, element_id: str, what: str, cell: Spec | None, result: Spec | None,
    epsilon: Any, dataset_specs: Mapping[str, Spec] | None = None,
) -> CellCheck:
    """Check a results row or an inline value (``what``) against its cell, at ``epsilon``: its
    stored reference equals the cell's, and the browser's run of the cell is within the cell's
    own tolerance of it (an accuracy: within one sample), as the cell's own check. The
    tolerance the page stores beside the value is not trusted."""
    bound = _Bound(name, element_id, what, "from", "your run", what)
    origin = given if isinstance(given := entry.get("from"), Mapping) else {}

    def allowed(stored: float) -> float | str:
        quantity = str(origin.get("quantity"))
        if cell is not None and cell.get("kind") == "train" and quantity in ACCURACY_KEYS:
            n = accuracy_samples(quantity, cell, dataset_specs or {})
            if not n:
                return f"cannot tell over how many samples {quantity} was computed"
            return 1 / n + ACCURACY_SLACK
        tol = {**DEFAULT_TOLERANCE, **((cell or {}).get("tolerance") or {})}
        return float(tol["atol"]) + float(tol["rtol"]) * abs(stored)

    return _check_bound(bound, entry, cell, result, epsilon, allowed)


def _agrees(browser: float, reference: float, allowed: float) -> bool:
    """:func:`agree` for one value."""
    return bool(agree(np.array([browser]), np.array([reference]), np.array([allowed]))[0])
