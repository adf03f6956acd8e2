"""`mlpages verify` of the course built by ProperDocs (the plugin) and by Zensical (the
Markdown extension and `mlpages assets`): the browser runs every cell, the exported model
read with `from:` and the array files included (tests/test_generators.py checks the builds)."""

from __future__ import annotations

import pytest
from sitebuild import copy_generator_course, generator_build, mlpages, verify

pytestmark = [pytest.mark.browser]


def test_properdocs_site_verifies(tmp_path):
    project = copy_generator_course(tmp_path / "course")
    result = generator_build("properdocs", project, "--strict", "-d", "site")
    assert result.returncode == 0, result.stderr
    checked = verify(project / "site")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "2 pages (0 failed), 6 cells: 6 passed" in checked.stdout


def test_zensical_site_verifies(tmp_path):
    project = copy_generator_course(tmp_path / "course")
    result = generator_build("zensical", project, "--clean")
    assert result.returncode == 0, result.stderr
    assets = mlpages("assets", str(project / "site"))
    assert assets.returncode == 0, assets.stderr
    checked = verify(project / "site")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "2 pages (0 failed), 6 cells: 6 passed" in checked.stdout
