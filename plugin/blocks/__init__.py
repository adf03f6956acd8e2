"""The block kinds: one module each, one registry."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..page import PageState
from . import dataset, model, predict, train

Builder = Callable[[dict[str, Any], PageState, str], tuple[dict[str, Any], str]]

BLOCKS: dict[str, Builder] = {
    "dataset": dataset.build,
    "model": model.build,
    "train": train.build,
    "predict": predict.build,
}
