"""`mlpages verify --changed-since` and `--cell` on a real site: a page verified before
and unchanged is skipped (and stays verified), an edited page runs again, and only its
selected cells are compared."""

from __future__ import annotations

import json

import pytest
from mdhelpers import XOR_CELLS
from sitebuild import build_pages, verify

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser-verify-select")]


def test_changed_since_runs_only_the_edited_page_and_cell_selects_its_cells(tmp_path):
    site = build_pages(tmp_path / "project", {"a.md": "# A\n\n" + XOR_CELLS, "b.md": "# B\n\n" + XOR_CELLS})
    first = verify(site, "--json", str(tmp_path / "r1.json"), "--artifacts", str(tmp_path / "art"))
    assert first.returncode == 0, first.stdout + first.stderr
    r1 = {p["page"]: p for p in json.loads((tmp_path / "r1.json").read_text())["pages"]}
    assert r1["a/index.html"]["verified"] and r1["b/index.html"]["verified"]

    page = site / "b" / "index.html"
    html = page.read_text(encoding="utf-8")
    page.write_text(html.replace("<h1", '<h1 title="edited"', 1), encoding="utf-8")
    second = verify(site, "--changed-since", str(tmp_path / "r1.json"), "--cell", "fit-*",
                    "--json", str(tmp_path / "r2.json"), "--artifacts", str(tmp_path / "art"))
    assert second.returncode == 0, second.stdout + second.stderr
    r2 = {p["page"]: p for p in json.loads((tmp_path / "r2.json").read_text())["pages"]}
    assert r2["a/index.html"]["skipped"] == f"unchanged since {tmp_path / 'r1.json'}, which verified it"
    assert r2["a/index.html"]["verified"]  # still verified at the same digest
    assert r2["a/index.html"]["inputs"] == r1["a/index.html"]["inputs"]
    b = r2["b/index.html"]
    assert b["skipped"] == "" and b["environment"]["backend"] == "webgl"  # it ran
    assert b["inputs"]["html"] != r1["b/index.html"]["inputs"]["html"]
    statuses = {c["name"]: c["status"] for c in b["cells"]}
    assert statuses == {"xor": "skipped", "net": "skipped", "fit-xor": "passed"}
    assert not b["verified"]  # two cells were not checked
    assert "2 pages (0 failed, 1 skipped)" in second.stdout
