"""The tiny site the `pytest --mlpages` tests run: one page, three cells and a numeric quiz
question bound to the training (four tests)."""

from __future__ import annotations

from pathlib import Path

from mdhelpers import XOR_CELLS
from sitebuild import build_pages

PAGE = "# Numbers\n\n" + XOR_CELLS + """
```quiz
name: check
questions:
  - id: last-loss
    question: What is the loss after the last epoch of `fit-xor`?
    answer_from: {cell: fit-xor, quantity: loss}
```
"""
ITEMS = ["xor/index.html::xor", "xor/index.html::net", "xor/index.html::fit-xor",
         "xor/index.html::check/last-loss"]


def build_site(project: Path) -> Path:
    """Build the site into project/site; returns it."""
    return build_pages(project, {"xor.md": PAGE})
