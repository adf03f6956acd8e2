"""`mlpages verify` of the demo course built by ProperDocs (the plugin) and by Zensical (the
Markdown extension and `mlpages assets`), both in one run: the browser runs every cell of
every page of each, the exported model read with `from:` (the transfer-learning pages) and
the array files (the digits CNN) included. tests/test_generators.py checks the builds; both
use the session fixture `demo_generator_builds` (the same xdist group)."""

from __future__ import annotations

import shutil

import pytest
from mdhelpers import contract_scripts
from sitebuild import verify

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("demo-generators")]


def test_the_demo_course_built_by_zensical_and_by_properdocs_verifies(demo_generator_builds, tmp_path):
    """Both builds side by side in one folder, checked by one verify run (one browser per
    worker for both): every page of each passes, with zero mismatches, and one variant
    besides the default of each knob cell reads its variant file from the site."""
    both = tmp_path / "both"
    for tool, (site, _) in demo_generator_builds.items():
        shutil.copytree(site, both / tool)
    panels = [spec for p in both.rglob("*.html") for css, spec in contract_scripts(p.read_text())
              if css == "mlpages-knobs-spec"]
    pages = {p.relative_to(both).as_posix() for p in both.rglob("*.html")
             if '<div class="mlpages-cell ' in p.read_text()}
    assert len(pages) == 22 and len(panels) >= 4
    checked = verify(both, "--workers", "2", "--variants", "1", "--artifacts", str(tmp_path / "art"))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    progress = checked.stderr + checked.stdout  # a line per page as it ends
    for page in pages:
        assert f"ok     {page} (" in progress, page
    assert "22 pages (0 failed)" in checked.stdout
    assert "0 mismatched, 0 errors, 0 not run" in checked.stdout
    assert f"; {2 * len(panels)} of {sum(p['count'] for p in panels)} variants checked" in checked.stdout
