"""Choosing what verify checks, without a browser: `--page` and `--cell` globs, the digest
of a page's inputs (HTML, array files, runtime, TF.js) and `--changed-since` a report."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from mdhelpers import XOR_CELLS
from mlpages.cli import main
from mlpages.verify.discover import find_pages_in_dir
from mlpages.verify.select import (
    InputReader,
    Previous,
    ReportUnreadable,
    Selection,
    page_inputs,
    read_previous,
    skip_note,
)
from sitebuild import build_pages

# One xdist worker runs the whole module: its module fixture is made once.
pytestmark = pytest.mark.xdist_group("verify-select")

# 2,100 points of two coordinates: more values than a page keeps inline, so an array file.
BIG = "# Big\n\n```dataset\nname: many\ngenerate: xor\nn: 2100\nseed: 1\n```\n"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    return build_pages(tmp_path_factory.mktemp("select"), {"xor.md": "# XOR\n\n" + XOR_CELLS, "big.md": BIG})


@pytest.fixture
def site(built, tmp_path) -> Path:
    """A private copy of the built site, to edit."""
    return Path(shutil.copytree(built, tmp_path / "site"))


def inputs(site: Path) -> dict[str, dict]:
    reader = InputReader(str(site))
    return {page.name: page_inputs(page, reader) for page in find_pages_in_dir(site)}


def test_page_globs_match_the_path_in_the_site():
    selection = Selection(pages=("course/*", "intro/index.html"))
    assert selection.page_selected("course/xor/index.html")
    assert selection.page_selected("intro/index.html")
    assert not selection.page_selected("other/index.html")
    assert Selection().page_selected("anything/index.html")


def test_cell_globs_match_page_and_cell_or_the_name_alone():
    selection = Selection(cells=("xor/index.html::fit-*", "check/*"))
    assert selection.cell_selected("xor/index.html", "fit-xor")
    assert not selection.cell_selected("big/index.html", "fit-xor")
    assert selection.cell_selected("big/index.html", "check/last-loss")  # a quiz question by name
    assert not selection.cell_selected("xor/index.html", "net")
    assert Selection().cell_selected("xor/index.html", "net")


def test_the_digest_records_html_array_files_runtime_and_tfjs(site):
    found = inputs(site)
    big = found["big/index.html"]
    assert set(big) == {"html", "files", "runtime", "tfjs", "digest"}
    [(src, digest)] = big["files"].items()
    assert src.startswith("../mlpages-data/") and src.endswith(".bin")
    assert src.split("/")[-1] == f"{digest}.bin"  # files are named by their sha256
    assert found["xor/index.html"]["files"] == {}
    assert big["runtime"] == found["xor/index.html"]["runtime"] is not None
    assert big["tfjs"] == found["xor/index.html"]["tfjs"] is not None


@pytest.mark.parametrize("edit, changes", [
    ("xor/index.html", {"xor/index.html": {"html"}}),
    ("mlpages-data/*.bin", {"big/index.html": {"files"}}),
    ("assets/mlpages/cells.js", {"xor/index.html": {"runtime"}, "big/index.html": {"runtime"}}),
    ("assets/mlpages/vendor/tf.fesm.min.js", {"xor/index.html": {"tfjs"}, "big/index.html": {"tfjs"}}),
])
def test_an_edited_input_changes_the_digest_of_the_pages_that_use_it(site, edit, changes):
    before = inputs(site)
    [path] = site.glob(edit)
    path.write_bytes(path.read_bytes() + b"\n")
    after = inputs(site)
    for page in before:
        changed = {key for key in before[page] if key != "digest" and before[page][key] != after[page][key]}
        assert changed == changes.get(page, set()), page
        assert (before[page]["digest"] != after[page]["digest"]) == bool(changed), page


def test_an_array_file_is_read_for_the_digest_only_as_far_as_its_shape_declares(site):
    [path] = site.glob("mlpages-data/*.bin")
    with path.open("ab") as handle:  # far past the declared size and the slack
        handle.write(b"\0" * (1 << 20))
    [digest] = inputs(site)["big/index.html"]["files"].values()
    assert digest is None  # larger than declared: unreadable, like verify's own check


def test_changed_since_skips_only_pages_verified_at_the_same_digest():
    previous = {"a/index.html": Previous("d1", verified=True), "b/index.html": Previous("d2", verified=False)}
    selection = Selection(previous=previous, previous_name="old.json")
    assert skip_note(selection, "a/index.html", ["m"], "d1") == "unchanged since old.json, which verified it"
    assert skip_note(selection, "a/index.html", ["m"], "other") is None
    assert skip_note(selection, "b/index.html", ["m"], "d2") is None  # failed or partly checked then
    assert skip_note(selection, "c/index.html", ["m"], "d3") is None  # new page
    assert skip_note(Selection(pages=("a/*",)), "b/index.html", ["m"], "d") == "not selected by --page"
    assert skip_note(Selection(cells=("x",)), "b/index.html", ["m"], "d") == "no cell selected by --cell"


def test_a_previous_report_is_read_by_page(tmp_path):
    report = tmp_path / "r.json"
    report.write_text(json.dumps({"pages": [
        {"page": "a/index.html", "verified": True, "inputs": {"digest": "d1"}},
        {"page": "b/index.html", "verified": False, "inputs": {"digest": "d2"}},
        {"page": "c/index.html"},  # a report from before digests: run again
    ]}))
    assert read_previous(report) == {"a/index.html": Previous("d1", True),
                                     "b/index.html": Previous("d2", False)}
    report.write_text("[]")
    with pytest.raises(ReportUnreadable, match="not a JSON report of mlpages verify"):
        read_previous(report)
    with pytest.raises(ReportUnreadable, match="cannot read"):
        read_previous(tmp_path / "missing.json")


def test_an_unreadable_changed_since_report_is_a_usage_error(built, tmp_path, capsys):
    assert main(["verify", str(built), "--changed-since", str(tmp_path / "missing.json")]) == 2
    assert "--changed-since: cannot read the report" in capsys.readouterr().err


def test_pages_not_selected_are_reported_as_skipped_with_their_digest(built, tmp_path, capsys):
    # Nothing is selected, so no browser starts: every page is listed as skipped, exit 0.
    report = tmp_path / "r.json"
    junit = tmp_path / "j.xml"
    code = main(["verify", str(built), "--page", "nothing/*", "--json", str(report), "--junit", str(junit),
                 "--artifacts", str(tmp_path / "art")])
    out = capsys.readouterr().out
    assert code == 0, out
    data = json.loads(report.read_text())
    assert [(p["page"], p["skipped"], p["verified"]) for p in data["pages"]] == [
        ("big/index.html", "not selected by --page", False),
        ("xor/index.html", "not selected by --page", False)]
    assert all(len(p["inputs"]["digest"]) == 64 for p in data["pages"])
    assert {c["status"] for p in data["pages"] for c in p["cells"]} == {"skipped"}
    assert "2 pages (0 failed, 2 skipped)" in out
    assert 'skipped="6"' in junit.read_text()  # 2 pages and their 4 cells
