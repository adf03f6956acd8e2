"""Fixtures for browser tests: built sites, served on 127.0.0.1, and a headless Chromium."""

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
from sitebuild import ROOT, build, copy_demo  # noqa: E402


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory) -> Path:
    """The demo course built with --strict into a private directory."""
    project = copy_demo(tmp_path_factory.mktemp("demo"))
    result = build(project)
    assert result.returncode == 0, result.stderr
    return project / "site"


@pytest.fixture(scope="module")
def spec_site(tmp_path_factory) -> Path:
    """The course written only from the documented block syntax (tests/fixtures/spec_course)."""
    import shutil

    project = tmp_path_factory.mktemp("spec") / "course"
    shutil.copytree(ROOT / "tests" / "fixtures" / "spec_course", project)
    result = build(project)
    assert result.returncode == 0, result.stderr
    return project / "site"


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
