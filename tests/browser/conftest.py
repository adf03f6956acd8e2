"""Fixtures for browser tests: built sites served on 127.0.0.1, and a headless Chromium.

The built sites themselves (`demo_site`, `spec_site`) are in tests/conftest.py."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from mlpages import i18n  # noqa: E402
from mlpages.verify.browser import make_driver  # noqa: E402
from mlpages.verify.server import serve_background  # noqa: E402


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    driver = make_driver()
    driver.set_script_timeout(300)
    try:
        yield driver
    finally:
        driver.quit()


def serve(site: Path) -> tuple[str, Any]:
    return serve_background(site)


@contextmanager
def serving(site: Path) -> Iterator[str]:
    """The site served on 127.0.0.1 for the duration of the block; yields its root URL."""
    url, stop = serve(site)
    try:
        yield url
    finally:
        stop()


def english_pieces(lang: str) -> list[str]:
    """Pieces of every English message (split at placeholders) that a page in `lang` must
    not show; pieces the language's own catalogue uses too (TF.js, NumPy, …) are allowed."""
    own = json.dumps(i18n.catalogue(lang), ensure_ascii=False)
    pieces = set()
    for section in i18n.catalogue("en").values():
        for message in section.values():
            for text in message.values() if isinstance(message, dict) else [message]:
                for piece in re.split(r"\{\w+\}", text):
                    piece = piece.strip(" :;,.()…·=+|−-–“”„\"'")
                    if re.search(r"[A-Za-z]{3,}", piece) and piece not in own:
                        pieces.add(piece)
    return sorted(pieces, key=len, reverse=True)
