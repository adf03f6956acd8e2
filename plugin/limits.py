"""How much work and data one block may ask of a build.

A course is built on an author's machine or in CI, often from pages someone else wrote: a
typo such as ``units: 100000000`` or ``epochs: 100000000`` must not take the build's memory
or hours of its time. Every limit is far above what a course example needs (the demo course
uses well under a thousandth of each) and is raised with the mlpages option ``limits:``
(docs/reference/authoring.md, "Limits").
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from . import yaml12

__all__ = ["Limits"]


@dataclass(frozen=True)
class Limits:
    """The limits of one build; each field is an option of ``limits:``."""

    parameters: int = 1_000_000
    """Weights of one model (trainable and not), counted from its layers' shapes."""
    rows: int = 100_000
    """Rows of one dataset, train and test split together."""
    values: int = 5_000_000
    """Numbers of one dataset: rows × (features + label columns)."""
    steps: int = 1_000_000
    """Optimizer steps of one train cell: epochs × batches per epoch."""
    training: int = 10_000_000_000
    """Work of one train cell's reference: epochs × rows × parameters × runs."""
    preview: int = 500
    """Points a dataset's scatter plot draws; a larger dataset is sampled."""
    variants: int = 128
    """Variants of one train cell's knobs (the product of their numbers of values): each is
    a build of the page's references with those values."""
    yaml_depth: int = yaml12.MAX_DEPTH
    """Nesting levels of a block's YAML."""
    yaml_aliases: int = yaml12.MAX_ALIAS_NODES
    """Values that YAML aliases of a block may repeat."""
    progress: float = 5.0
    """Seconds between the build log's progress lines of a long reference computation."""

    def __post_init__(self) -> None:
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            kind = float if field.name == "progress" else int
            if isinstance(value, bool) or not isinstance(value, (kind, int)) or value < 0:
                raise ValueError(f"limits: '{field.name}' must be a non-negative "
                                 f"{'number' if kind is float else 'integer'}, got {value!r}")

    @classmethod
    def from_options(cls, options: Mapping[str, Any] | None) -> Limits:
        """The limits with ``options`` (a ``limits:`` mapping) overriding the defaults.

        Raises:
            ValueError: an unknown option, or a value that is not a non-negative number.
        """
        options = dict(options or {})
        known = [field.name for field in dataclasses.fields(cls)]
        unknown = sorted(set(options) - set(known))
        if unknown:
            raise ValueError(f"limits: unknown option(s) {', '.join(map(repr, unknown))}; "
                             f"known: {', '.join(known)}")
        return cls(**{k: v for k, v in options.items() if v is not None})

    def hint(self, option: str) -> str:
        """How an author raises the limit `option`, for the end of an error message."""
        return f"raise the limit with the mlpages option limits: {{{option}: N}}"

    def exceeded(self, subject: str, value: int, option: str, detail: str = "") -> str:
        """The message of a crossed limit, e.g. ``too many rows: 2,600,000, more than the limit
        of 100,000; raise it with …``; `detail` follows the value (how it was counted)."""
        return (f"{subject}: {value:,}{detail}, more than the limit of {getattr(self, option):,}; "
                f"raise it with the mlpages option limits: {{{option}: N}} if the build can afford it")
