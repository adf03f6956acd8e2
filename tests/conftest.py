"""Shared fixtures: the mlpages warnings of a test, and built sites.

The built sites are session fixtures: a pytest-xdist worker builds each once for every module
it runs that reads it (tests copy a site before they edit it)."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest
from mlpages.errors import LOGGER_NAME
from sitebuild import ROOT, build, build_demo_with_generators, copy_demo


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """`--dist loadgroup` (make test): give each test of an `xdist_group` its group in its
    node id, as pytest-xdist does, so that one worker runs the whole group. pytest-xdist
    3.8 writes the group into `item._nodeid`, which pytest 9 no longer reads (the node id
    is `item._id`): without this every test went to either worker, and each worker made the
    module and session fixtures of a group again. A test whose id has a group already
    (a pytest-xdist that does it itself) is left as it is."""
    if not getattr(config.option, "loadgroup", False):  # set on pytest-xdist's workers
        return
    try:
        from _pytest.nodeid import NodeId
    except ImportError:  # a pytest before 9, whose node id pytest-xdist sets itself
        return

    for item in items:
        names = sorted({str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
                        for mark in item.iter_markers("xdist_group")})
        if names and item.nodeid.rfind("@") <= item.nodeid.rfind("]"):
            item._id = NodeId.parse(f"{item.nodeid}@{'_'.join(names)}")


@pytest.fixture
def warnings_log(caplog):
    """Warnings emitted on mlpages' logger (those that make --strict fail)."""
    caplog.set_level(logging.WARNING, logger=LOGGER_NAME)

    def messages() -> list[str]:
        return [r.getMessage() for r in caplog.records
                if r.name == LOGGER_NAME and r.levelno >= logging.WARNING]

    return messages


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory) -> Path:
    """The demo course built with --strict into a private directory."""
    project = copy_demo(tmp_path_factory.mktemp("demo"))
    result = build(project)
    assert result.returncode == 0, result.stderr
    return project / "site"


@pytest.fixture(scope="session")
def spec_site(tmp_path_factory) -> Path:
    """The course written only from the documented block syntax (tests/fixtures/spec_course)."""
    project = tmp_path_factory.mktemp("spec") / "course"
    shutil.copytree(ROOT / "tests" / "fixtures" / "spec_course", project)
    result = build(project)
    assert result.returncode == 0, result.stderr
    return project / "site"


@pytest.fixture(scope="session")
def demo_generator_builds(tmp_path_factory) -> dict[str, tuple[Path, str]]:
    """The demo course built by Zensical and by ProperDocs (tests/test_generators.py checks
    the builds, tests/browser/test_generators_verify.py verifies them: both modules are in
    the xdist group `demo-generators`, so one worker builds this once)."""
    return build_demo_with_generators(tmp_path_factory.mktemp("demo-generators"))
