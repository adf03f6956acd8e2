"""`pytest --mlpages SITE` runs a built site's cells in Chromium as pytest tests: every
item passes on the untouched site, JUnit XML names page and cell, and a reference edited
in the built page fails exactly its item with `mlpages verify`'s mismatch line."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET

import pytest
from mdhelpers import SPEC_SCRIPT, contract_scripts
from pytest_plugin_site import ITEMS, build_site
from sitebuild import build_pages, pytest_mlpages

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser-pytest-plugin")]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return build_site(tmp_path_factory.mktemp("pytest-plugin"))


@pytest.fixture(scope="module")
def edited_site(site, tmp_path_factory):
    """A copy of the site whose fit-xor reference has a wrong loss at epoch 1 (the quiz
    question reads the last epoch, so only the train cell disagrees)."""
    copy = tmp_path_factory.mktemp("edited") / "site"
    shutil.copytree(site, copy)
    page = copy / "xor" / "index.html"
    html = page.read_text(encoding="utf-8")
    for match in SPEC_SCRIPT.finditer(html):
        spec = json.loads(match.group(1))
        if spec[0]["name"] == "fit-xor":
            break
    webgl = next(r for r in spec[0]["references"] if r["epsilon"] == 1e-4)
    webgl["history"]["loss"][0] *= 2
    page.write_text(html[: match.start(1)] + json.dumps(spec) + html[match.end(1):], encoding="utf-8")
    return copy


def test_every_cell_passes_and_junit_names_page_and_cell(site, tmp_path):
    result = pytest_mlpages(site, "-v", "--junitxml", str(tmp_path / "junit.xml"),
                            "--mlpages-artifacts", "art", cwd=site.parent)
    assert result.returncode == 0, result.stdout + result.stderr
    for item in ITEMS:
        assert f"{item} PASSED" in result.stdout
    assert "4 passed" in result.stdout
    cases = ET.parse(tmp_path / "junit.xml").getroot().iter("testcase")
    assert [(c.get("classname"), c.get("name")) for c in cases] == [
        ("xor.index.html", "xor"), ("xor.index.html", "net"), ("xor.index.html", "fit-xor"),
        ("xor.index.html", "check/last-loss")]


def test_an_edited_reference_fails_exactly_its_item_with_the_mismatch_line(edited_site, tmp_path):
    result = pytest_mlpages(edited_site, "--mlpages-artifacts", "art", cwd=edited_site.parent)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 failed, 3 passed" in result.stdout
    assert "FAILED xor/index.html::fit-xor" in result.stdout
    assert "xor/index.html: cell fit-xor (mlp-xor-fit-xor): loss epoch 1: browser " in result.stdout
    assert "Traceback" not in result.stdout

    # --lf runs only that item again.
    result = pytest_mlpages(edited_site, "--lf", "-v", "--mlpages-artifacts", "art",
                            cwd=edited_site.parent)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 failed, 3 deselected" in result.stdout
    assert "xor/index.html::fit-xor FAILED" in result.stdout


def test_under_xdist_a_page_runs_on_one_worker(edited_site, tmp_path):
    # --dist loadscope groups items by what precedes their last "::": the page.
    result = pytest_mlpages(edited_site, "-p", "xdist", "-n", "2", "--dist", "loadscope", "-v",
                            "--mlpages-artifacts", "art", cwd=edited_site.parent)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 failed, 3 passed" in result.stdout
    workers = {line.split("]")[0] for line in result.stdout.splitlines()
               if line.startswith("[gw") and "xor/index.html::" in line}
    assert len(workers) == 1, result.stdout
    assert "xor/index.html: cell fit-xor (mlp-xor-fit-xor): loss epoch 1: browser " in result.stdout


def test_a_page_error_fails_the_pages_items_with_verify_s_page_lines(tmp_path):
    # 2,100 points of two coordinates: more values than a page keeps inline, so an array file.
    big = "# Big\n\n```dataset\nname: many\ngenerate: xor\nn: 2100\nseed: 1\n```\n"
    site = build_pages(tmp_path / "project", {"big.md": big})
    [array_file] = site.glob("mlpages-data/*.bin")
    array_file.unlink()
    result = pytest_mlpages(site, "--mlpages-artifacts", "art", cwd=site.parent)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 failed" in result.stdout
    assert "FAILED big/index.html::many" in result.stdout
    assert f"big/index.html: array file ../mlpages-data/{array_file.name}: HTTP 404" in result.stdout


def _expected_items(site) -> int:
    """What the plugin should collect on a built site with one variant per knob cell, counted
    from the HTML without the plugin's code: every cell, numeric quiz question, results row
    and inline value, and again each block a knob panel changes (the one variant checked)."""
    count = 0
    for path in site.rglob("*.html"):
        html = path.read_text(encoding="utf-8")
        count += html.count('<div class="mlpages-cell ') + html.count('<span class="mlpages-value"')
        for css, spec in contract_scripts(html):
            if css == "mlpages-quiz-spec":
                count += sum(q.get("type") == "number" for q in spec["questions"])
            elif css == "mlpages-results-spec":
                count += len(spec["rows"])
            elif css == "mlpages-knobs-spec":
                count += len(spec["blocks"])
    return count


def test_the_demo_course_is_one_item_per_cell_and_one_changed_reference_fails_its_item(
        demo_site, tmp_path):
    """One run on the whole demo course, with one reference changed on the XOR page: every
    other item passes (the other pages are the course as built), exactly that one fails, and
    the JUnit XML has a test case per item named by page and cell."""
    site = tmp_path / "site"
    shutil.copytree(demo_site, site)
    page = site / "course" / "xor" / "index.html"
    html = page.read_text(encoding="utf-8")
    match = next(m for m in SPEC_SCRIPT.finditer(html) if json.loads(m.group(1))[0]["name"] == "fit-xor")
    spec = json.loads(match.group(1))
    webgl = next(r for r in spec[0]["references"] if r["epsilon"] == 1e-4)
    webgl["history"]["loss"][2] *= 1.01  # ten times the default rtol
    page.write_text(html[: match.start(1)] + json.dumps(spec) + html[match.end(1):], encoding="utf-8")

    expected = _expected_items(site)
    junit = tmp_path / "junit.xml"
    result = pytest_mlpages(site, "-p", "xdist", "-n", "2", "--dist", "loadscope",
                            "--mlpages-variants", "1", "--junitxml", str(junit),
                            "--mlpages-artifacts", "art", cwd=tmp_path)
    out = result.stdout + result.stderr
    assert result.returncode == 1, out
    assert f"1 failed, {expected - 1} passed" in result.stdout, out
    assert "FAILED course/xor/index.html::fit-xor" in result.stdout
    assert "course/xor/index.html: cell fit-xor (mlp-course-xor-fit-xor): loss epoch 3: browser " \
        in result.stdout
    assert "Traceback" not in out

    cases = list(ET.parse(junit).getroot().iter("testcase"))
    assert len(cases) == expected
    failed = [(c.get("classname"), c.get("name")) for c in cases if c.find("failure") is not None]
    assert failed == [("course.xor.index.html", "fit-xor")]
    named = {(c.get("classname"), c.get("name")) for c in cases}
    pages = {str(p.relative_to(site)) for p in site.rglob("*.html")
             if '<div class="mlpages-cell ' in p.read_text(encoding="utf-8")}
    assert {name for name, _ in named} == {p.replace("/", ".") for p in pages}
    assert {("course.playground.index.html", "explore"), ("course.convolution.index.html", "sharpen"),
            ("course.transfer-learning.index.html", "comparison/row 1"),
            ("course.xor.index.html", "xor-check/xor-check-1"),
            ("course.freeform.index.html", "hello-line")} <= named
    assert any(page == "course.convolution.index.html" and name.startswith("sharpen.output[")
               for page, name in named), named  # an inline value
    assert any(name.startswith("explore [variant ") for _, name in named), named
