"""The structure a cached reference must have before a page uses it.

An on-disk cache entry is a file anyone with access to the cache folder can change, and
its checksum only catches accidents. Before a `train` or `predict` block uses a cached
reference, its structure is checked against what the block's own inputs imply: one
reference per backend epsilon in order, every history quantity with one number per epoch,
every weight with the model's shape, predictions with one row per input. An entry that
fails is recomputed, so it can neither crash the build nor publish a reference of another
shape than the cell's.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from .page import EPSILONS


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


# The types of a number as JSON parses it (a bool is none), and of a NaN written as null.
# Checking a list's set of types walks it without a call per value.
_NUMBER_TYPES = frozenset({int, float})
_ARRAY_TYPES = frozenset({int, float, type(None)})


def numbers(value: Any, count: int) -> bool:
    """A list of ``count`` numbers (NaN included, as the engine may log it)."""
    return isinstance(value, list) and len(value) == count and {type(v) for v in value} <= _NUMBER_TYPES


def array(value: Any, shape: Sequence[int]) -> bool:
    """An ``html.array_json`` of ``shape``: ``{"shape", "data"}`` with its values (NaN as null)."""
    return (isinstance(value, dict) and set(value) == {"shape", "data"} and value["shape"] == list(shape)
            and isinstance(value["data"], list) and len(value["data"]) == math.prod(shape)
            and {type(v) for v in value["data"]} <= _ARRAY_TYPES)


def _per_epsilon(refs: Any) -> bool:
    """One mapping per backend epsilon, in :data:`EPSILONS` order."""
    return (isinstance(refs, list) and len(refs) == len(EPSILONS)
            and all(isinstance(r, dict) and r.get("epsilon") == eps
                    for r, eps in zip(refs, EPSILONS.values(), strict=False)))


def _edges(value: Any, count: int) -> bool:
    """A band's ``{"low", "high"}``, each ``count`` numbers."""
    return (isinstance(value, dict) and set(value) == {"low", "high"}
            and numbers(value["low"], count) and numbers(value["high"], count))


def _band(value: Any, counts: dict[str, int]) -> bool:
    """A band of each quantity in ``counts`` (quantity -> numbers per edge)."""
    return isinstance(value, dict) and set(value) == set(counts) and all(
        _edges(value[k], n) for k, n in counts.items())


def train(refs: Any, *, epochs: int, keys: Sequence[str], weight_shapes: Sequence[Sequence[int]],
          banded: bool, initial_shape: Sequence[int] | None) -> bool:
    """Whether ``refs`` is a `train` cell's references for this fit.

    Args:
        epochs: Numbers per history quantity.
        keys: The history's quantities (``loss``, ``acc``, ``val_loss``…).
        weight_shapes: The model's weights after the fit (not for a banded reference).
        banded: A band reference (dropout without a seed): ``band`` instead of ``weights``.
        initial_shape: A band reference of a model's first fit: the shape of its
            ``initial`` predictions; ``None`` when it has none.
    """
    if not _per_epsilon(refs):
        return False
    for ref in refs:
        history = ref.get("history")
        if not (isinstance(history, dict) and set(history) == set(keys)
                and all(numbers(history[k], epochs) for k in keys)):
            return False
        if banded:
            expected = {"epsilon", "history", "band"} | ({"initial"} if initial_shape is not None else set())
            if set(ref) != expected or not _band(ref["band"], dict.fromkeys(keys, epochs)):
                return False
            if initial_shape is not None and not (
                    isinstance(ref["initial"], dict) and set(ref["initial"]) == {"predictions"}
                    and array(ref["initial"]["predictions"], initial_shape)):
                return False
        else:
            weights = ref.get("weights")
            if set(ref) != {"epsilon", "history", "weights"} or not (
                    isinstance(weights, list) and len(weights) == len(weight_shapes)
                    and all(array(w, s) for w, s in zip(weights, weight_shapes, strict=False))):
                return False
    return True


def predict(refs: Any, *, shape: Sequence[int], labelled: bool, banded: bool) -> bool:
    """Whether ``refs`` is a `predict` cell's references: predictions of ``shape``, an
    accuracy when the inputs are ``labelled``, and a band when ``banded``."""
    if not _per_epsilon(refs):
        return False
    size = math.prod(shape)
    for ref in refs:
        expected = {"epsilon", "predictions"} | ({"accuracy"} if labelled else set()) | (
            {"band"} if banded else set())
        if set(ref) != expected or not array(ref["predictions"], shape):
            return False
        if labelled and not _number(ref["accuracy"]):
            return False
        if banded and not _band(ref["band"], {"predictions": size, **({"accuracy": 1} if labelled else {})}):
            return False
    return True
