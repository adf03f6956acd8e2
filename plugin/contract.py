"""The page contract in types: the JSON objects a built page hands to the runtime and verify.

docs/reference/page-contract.md describes each object and
docs/reference/page-contract.schema.json is its JSON Schema, which tests check every built
spec against. Every block's spec starts with :func:`spec_header`, so the contract's version
and the fields every spec shares are written in one place; a block's own keys follow it.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, TypedDict

SCHEMA = 1
"""The page contract's version: `schema` in every spec, the page script and the quiz index."""

DEFAULT_TOLERANCE: Mapping[str, float] = MappingProxyType({"rtol": 1e-3, "atol": 1e-5})
"""A cell's tolerance when its block gives none: |browser − reference| <= atol + rtol·|reference|."""

ACCURACY_KEYS = frozenset({"acc", "val_acc", "accuracy"})
"""Result keys compared within one flipped sample instead of with the tolerance: TF.js logs
the train and validation accuracies as ``acc`` and ``val_acc``; a predict cell's is ``accuracy``."""


class SpecHeader(TypedDict):
    """The fields every spec starts with, in this order."""

    schema: int
    kind: str
    name: str
    id: str  # the element id, mlp-<page slug>-<block name>


def spec_header(kind: str, name: str, element_id: str) -> SpecHeader:
    """The common head of a block's spec; the block's own keys follow it (``{**head, ...}``)."""
    return {"schema": SCHEMA, "kind": kind, "name": name, "id": element_id}


class PageMeta(TypedDict):
    """The `#mlpages-page` script of a page with cells."""

    schema: int
    page: str
    generator: str


class QuizIndexFile(TypedDict):
    """`assets/mlpages/quizzes.json`."""

    schema: int
    pages: list[dict[str, Any]]  # {page, url, title, questions}: quizindex.index_entry

