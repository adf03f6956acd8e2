"""`mlpages verify` end to end on real builds: the demo course and the course written only from
the documented block syntax (tests/fixtures/spec_course) verify with zero mismatches on WebGL
(the demo from its site directory with every variant of its knobs, the spec course served, by
its URL), and a reference changed in the built HTML is caught."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from mdhelpers import contract_scripts
from mlpages.verify.runner import page_entries

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser-demo")]

MLPAGES = [sys.executable, "-m", "mlpages.cli"]


def verify(site: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*MLPAGES, "verify", str(site), "--workers", "2", *args],
                          capture_output=True, text=True, timeout=900)


def cell_count(site: Path) -> int:
    return sum(len(re.findall(r'<div class="mlpages-cell', p.read_text())) for p in site.rglob("*.html"))


def knob_panels(site: Path) -> list[dict]:
    return [spec for p in site.rglob("*.html") for css, spec in contract_scripts(p.read_text())
            if css == "mlpages-knobs-spec"]


def test_demo_course_verifies_on_webgl_with_every_knob_variant(demo_site, tmp_path):
    junit = tmp_path / "verify.xml"
    result = verify(demo_site, "--variants", "all", "--junit", str(junit),
                    "--artifacts", str(tmp_path / "art"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 mismatched, 0 errors" in result.stdout
    panels = knob_panels(demo_site)
    variants = sum(p["count"] for p in panels)
    assert variants >= 16 and f"; {variants} of {variants} variants checked" in result.stdout
    suite = ET.parse(junit).getroot()
    suite = suite if suite.tag == "testsuite" else suite.find("testsuite")
    assert int(suite.get("failures")) == 0 and int(suite.get("errors", 0)) == 0
    cells = [c for c in suite.iter("testcase") if c.get("name") != "page"]
    questions = sum(p.read_text().count('"type":"number"') for p in demo_site.rglob("*.html"))
    assert questions >= 1  # numeric quiz questions are checked too
    # Each non-default variant checks again the cells its knobs change (the demo's are cells).
    again = sum((p["count"] - 1) * len(p["blocks"]) for p in panels)
    # ... and results rows and inline values (the convolution page's worked numbers)
    bound = sum(e.kind in ("results", "value") for p in demo_site.rglob("*.html")
                for e in page_entries(p.read_text()) if e.variant is None or e.variant.default)
    assert bound >= 4
    assert len(cells) == cell_count(demo_site) + questions + bound + again and cell_count(demo_site) >= 25
    assert f", {questions} quiz questions and {bound} bound numbers" in result.stdout


def test_a_changed_reference_number_is_caught(demo_site, tmp_path):
    site = tmp_path / "site"
    shutil.copytree(demo_site / "assets", site / "assets")
    page = site / "course" / "xor" / "index.html"
    page.parent.mkdir(parents=True)
    html = (demo_site / "course" / "xor" / "index.html").read_text()
    pattern = re.compile(r'(<div class="mlpages-cell mlpages-train" id="mlp-course-xor-fit-xor".*?'
                         r'class="mlpages-spec">)(.*?)(</script>)', re.S)
    match = pattern.search(html)
    spec = json.loads(match.group(2))
    webgl = next(r for r in spec[0]["references"] if r["epsilon"] == 1e-4)
    original = webgl["history"]["loss"][2]
    webgl["history"]["loss"][2] = original * 1.01  # ten times the default rtol
    changed = json.dumps(spec, separators=(",", ":"))
    page.write_text(html[: match.start(2)] + changed + html[match.end(2):])
    result = verify(site, "--artifacts", str(tmp_path / "art"))
    assert result.returncode == 1, result.stdout + result.stderr
    line = next(ln for ln in result.stdout.splitlines() if "loss epoch 3" in ln)
    assert "course/xor/index.html" in line and "fit-xor" in line
    assert "reference" in line and "allowed" in line
    assert "1 mismatched" in result.stdout


def test_the_spec_course_served_verifies_by_url_on_webgl(spec_site, tmp_path):
    """The spec course, served on 127.0.0.1 and verified by its URL (pages found from the
    sitemap and the links): every cell of every page passes on WebGL. The other tests here,
    and most verify tests, run verify on a site directory."""
    from conftest import serve

    url, stop = serve(spec_site)
    try:
        result = verify(url, "--artifacts", str(tmp_path / "art"))
    finally:
        stop()
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{cell_count(spec_site)} passed" in result.stdout


def test_a_moved_dropout_band_is_caught(spec_site, tmp_path):
    # Unseeded dropout: training is checked within a band of NumPy runs. A band moved away
    # from what TF.js computes must fail, epoch by epoch, naming the band's edges.
    site = tmp_path / "site"
    shutil.copytree(spec_site / "assets", site / "assets")
    page = site / "dropout" / "index.html"
    page.parent.mkdir(parents=True)
    html = (spec_site / "dropout" / "index.html").read_text()
    pattern = re.compile(r'(<div class="mlpages-cell mlpages-train" id="mlp-dropout-fit-drop".*?'
                         r'class="mlpages-spec">)(.*?)(</script>)', re.S)
    match = pattern.search(html)
    spec = json.loads(match.group(2))
    webgl = next(r for r in spec[0]["references"] if r["epsilon"] == 1e-4)
    edges = webgl["band"]["loss"]
    width = max(h - lo for lo, h in zip(edges["low"], edges["high"], strict=True))
    edges["low"] = [v + 2 * width for v in edges["low"]]
    edges["high"] = [v + 2 * width for v in edges["high"]]
    changed = json.dumps(spec, separators=(",", ":"))
    page.write_text(html[: match.start(2)] + changed + html[match.end(2):])
    result = verify(site, "--artifacts", str(tmp_path / "art"))
    assert result.returncode == 1, result.stdout + result.stderr
    lines = [ln for ln in result.stdout.splitlines() if "fit-drop" in ln and ": loss epoch" in ln]
    assert len(lines) == len(edges["low"]), result.stdout
    assert "allowed [" in lines[0] and "dropout/index.html" in lines[0]
    assert "1 mismatched" in result.stdout
