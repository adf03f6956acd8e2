"""Golden HTML: rendering compared structurally, numbers within a tolerance.

Float32 BLAS results can differ by an ulp across machines and thread counts, so every
decimal number is compared with rtol 1e-5; everything else must match exactly.
Regenerate with MLPAGES_UPDATE_GOLDEN=1 after an intended change, and read the diff.
"""

from __future__ import annotations

import math
import os
import re
from pathlib import Path

import pytest
from mdhelpers import convert

GOLDEN = Path(__file__).resolve().parent / "golden"
# The page's messages are the catalogue's (tests/test_i18n.py checks them), not the blocks'
# rendering: the golden pages keep only the element, so a new message changes no golden file.
MESSAGES = re.compile(r'(<div id="mlpages-messages" hidden data-mlpages-nosearch>).*?(</div>)', re.S)
NUMBER = re.compile(r"(-?\d+\.\d+(?:[eE][-+]?\d+)?|-?\d+[eE][-+]?\d+)")


def split_numbers(html: str) -> tuple[list[str], list[float]]:
    parts = NUMBER.split(html)
    return parts[0::2], [float(p) for p in parts[1::2]]


@pytest.mark.parametrize("name", sorted(p.stem for p in GOLDEN.glob("*.md")))
def test_golden_html(name, caplog):
    source = GOLDEN / f"{name}.md"
    html = MESSAGES.sub(r"\1…\2", convert(source.read_text(), path=f"golden/{name}.md", base_dir=GOLDEN))
    expected_file = GOLDEN / f"{name}.html"
    if os.environ.get("MLPAGES_UPDATE_GOLDEN"):
        expected_file.write_text(html)
    expected = expected_file.read_text()
    text, numbers = split_numbers(html)
    want_text, want_numbers = split_numbers(expected)
    assert text == want_text
    assert len(numbers) == len(want_numbers)
    for got, want in zip(numbers, want_numbers, strict=True):
        assert math.isclose(got, want, rel_tol=1e-5, abs_tol=1e-7), (got, want)
