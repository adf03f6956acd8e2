"""Fixtures for browser tests: built sites served on 127.0.0.1, and a headless Chromium.

The built sites themselves (`demo_site`, `spec_site`) are in tests/conftest.py."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
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
