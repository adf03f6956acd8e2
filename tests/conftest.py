"""Shared fixtures: the mlpages warnings of a test, and built sites."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest
from mlpages.errors import LOGGER_NAME
from sitebuild import ROOT, build, copy_demo


@pytest.fixture
def warnings_log(caplog):
    """Warnings emitted on mlpages' logger (those that make --strict fail)."""
    caplog.set_level(logging.WARNING, logger=LOGGER_NAME)

    def messages() -> list[str]:
        return [r.getMessage() for r in caplog.records
                if r.name == LOGGER_NAME and r.levelno >= logging.WARNING]

    return messages


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
    project = tmp_path_factory.mktemp("spec") / "course"
    shutil.copytree(ROOT / "tests" / "fixtures" / "spec_course", project)
    result = build(project)
    assert result.returncode == 0, result.stderr
    return project / "site"
