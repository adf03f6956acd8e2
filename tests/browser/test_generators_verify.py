"""`mlpages verify` of the demo course built by Zensical (the Markdown extension and `mlpages
assets`) and by ProperDocs (the plugin), in one run: the browser runs every cell of the
Zensical build, the exported model read with `from:` and the array files (the transfer pages,
the digits CNN) included, and the transfer-learning page of the ProperDocs build.

ProperDocs runs the plugin as MkDocs does: its pages differ from the Zensical build's only by
the page around the cells, the same on every page. tests/test_generators.py checks that both
builds have the same page contract on every page (each cell's spec with its references) and
the same array, variant and model files; tests/browser/test_verify_sites.py verifies every
page of the MkDocs build with every knob variant. The builds are the session fixture
`demo_generator_builds`, shared with tests/test_generators.py (the same xdist group)."""

from __future__ import annotations

import json
import shutil

import pytest
from mdhelpers import contract_scripts
from sitebuild import verify

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("demo-generators")]

# The ProperDocs page verified: an exported model read with `from:`, array files, a results
# table and a quiz question bound to a cell.
PROPERDOCS_PAGE = "course/transfer-learning/index.html"


def test_the_demo_course_built_by_zensical_and_by_properdocs_verifies(demo_generator_builds, tmp_path):
    """Both builds side by side in one folder, checked by one verify run (one browser per
    worker for both): every page of the Zensical build and the ProperDocs page pass, with zero
    mismatches, and one variant besides the default of each knob cell reads its variant file
    from the site."""
    both = tmp_path / "both"
    for tool, (site, _) in demo_generator_builds.items():
        shutil.copytree(site, both / tool)
    panels = [spec for p in (both / "zensical").rglob("*.html")
              for css, spec in contract_scripts(p.read_text()) if css == "mlpages-knobs-spec"]
    pages = {p.relative_to(both).as_posix() for p in (both / "zensical").rglob("*.html")
             if '<div class="mlpages-cell ' in p.read_text()}
    assert len(pages) == 11 and len(panels) >= 2
    proper = f"properdocs/{PROPERDOCS_PAGE}"
    assert '<div class="mlpages-cell ' in (both / proper).read_text()
    report = tmp_path / "verify.json"
    checked = verify(both, "--workers", "2", "--variants", "1", "--artifacts", str(tmp_path / "art"),
                     "--json", str(report), "--page", "zensical/*", "--page", proper)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    progress = checked.stderr + checked.stdout  # a line per page as it ends
    for page in [*pages, proper]:
        assert f"ok     {page} (" in progress, page
    ran = [p for p in json.loads(report.read_text())["pages"] if not p["skipped"]]
    assert sorted(p["page"] for p in ran) == sorted([*pages, proper])
    assert all(p["errors"] == [] and {c["status"] for c in p["cells"]} == {"passed"} for p in ran)
    assert "22 pages (0 failed, 10 skipped)" in checked.stdout
    assert ", 0 mismatched, 0 errors," in checked.stdout
    # the default and one other variant of each Zensical knob cell, of those of both builds
    assert f"; {2 * len(panels)} of {2 * sum(p['count'] for p in panels)} variants checked" in checked.stdout
