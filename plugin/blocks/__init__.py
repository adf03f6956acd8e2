"""The block kinds: one module each, one registry."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..limits import Limits
from ..page import PageState
from . import convolution, dataset, freeform, model, predict, progress, quiz, results, train

Builder = Callable[[dict[str, Any], PageState, str], tuple[dict[str, Any], str]]

BLOCKS: dict[str, Builder] = {
    "dataset": dataset.build,
    "model": model.build,
    "train": train.build,
    "predict": predict.build,
    "quiz": quiz.build,
    "results": results.build,
    "convolution": convolution.build,
    "quiz-progress": progress.build,
    "tfjs": freeform.build,
    "reference": freeform.build_reference,
}

Element = Callable[[dict[str, Any], str], str]

ELEMENTS: dict[str, Element] = {
    "quiz": quiz.element,
    "results": results.element,
    "quiz-progress": progress.element,
    "reference": freeform.element,
}
"""Kinds that are not ML cells render their own element (no `data-mlpages-kind`, no cell count)."""

Header = Callable[[str, str, Limits], tuple[dict[str, Any], dict[tuple[Any, ...], int]]]

CODE: dict[str, Header] = {"tfjs": freeform.parse, "reference": freeform.parse}
"""Kinds whose body is code with a header of comment lines, not YAML (blocks/freeform.py)."""
