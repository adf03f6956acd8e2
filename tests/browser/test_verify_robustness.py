"""mlpages verify against pages that misbehave: it reports each one and goes on.

The fixture pages, made from fixtures/verify_site/page.html, define their own
``window.mlpages`` (fixtures/verify_site/double.js, a test double of the runtime): ``good``
answers with the references, ``cpu`` says it runs on the CPU backend, ``hang``'s runAll
never resolves, ``spin``'s runAll blocks the main thread forever, ``throws`` throws from a
page script and rejects runAll, and ``nan`` reports a NaN loss.
"""

from __future__ import annotations

import math
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from mlpages.cli import main
from mlpages.verify.browser import BrowserUnavailable, find_browser
from mlpages.verify.report import PageReport, Report
from mlpages.verify.runner import HANG_GRACE_S, run_verify

FIXTURE = Path(__file__).parent / "fixtures" / "verify_site"
PAGES = {
    "good": "A page whose cells all match",
    "cpu": "A page that says it runs on the CPU backend",
    "hang": "A page whose runAll never resolves",
    "spin": "A page whose runAll never returns",
    "throws": "A page whose scripts throw",
    "nan": "A page that computes NaN",
}
PAGE_TIMEOUT = 3.0

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module", autouse=True)
def _needs_browser() -> None:
    try:
        find_browser()
    except BrowserUnavailable as exc:
        pytest.skip(str(exc))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One page per behaviour, from the shared page template and runtime double."""
    root = tmp_path_factory.mktemp("verify_site")
    template = (FIXTURE / "page.html").read_text()
    double = (FIXTURE / "double.js").read_text()
    for name, title in PAGES.items():
        (root / name).mkdir()
        html = template.replace("@@DOUBLE@@", double).replace("@@TITLE@@", title)
        (root / name / "index.html").write_text(html.replace("@@SLUG@@", name))
    shutil.copy(FIXTURE / "index.html", root / "index.html")
    return root


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("artifacts")


@pytest.fixture(scope="module")
def report(site: Path, artifacts: Path) -> Report:
    return run_verify(site, page_timeout=PAGE_TIMEOUT, artifacts=artifacts)


def page(report: Report, name: str) -> PageReport:
    [found] = [p for p in report.pages if p.page == f"{name}/index.html"]
    return found


def artifact_text(report_page: PageReport, suffix: str) -> str:
    [path] = [a for a in report_page.artifacts if a.endswith(suffix)]
    return Path(path).read_text()


def test_every_page_is_reported_in_order(report: Report):
    assert report.environment_error is None
    assert [p.page for p in report.pages] == [
        f"{name}/index.html" for name in ("cpu", "good", "hang", "nan", "spin", "throws")
    ]
    assert report.exit_code == 1  # the NaN mismatch wins over the page failures


def test_a_good_page_passes(report: Report):
    good = page(report, "good")
    assert good.passed and good.errors == [] and good.artifacts == []
    assert [c.status for c in good.cells] == ["passed"] * 4
    assert good.environment["backend"] == "webgl"


def test_wrong_backend_fails_the_page(report: Report):
    cpu = page(report, "cpu")
    assert cpu.errors == ["wrong backend: the page runs on 'cpu', accepted: webgl"]
    assert {c.status for c in cpu.cells} == {"skipped"}


def test_a_hung_promise_times_out_with_screenshot_and_console_log(report: Report):
    hang = page(report, "hang")
    assert hang.errors == [f"timed out after {PAGE_TIMEOUT:g} s waiting for runAll()"]
    screenshot = next(a for a in hang.artifacts if a.endswith(".png"))
    assert Path(screenshot).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "hang fixture: runAll called" in artifact_text(hang, ".console.txt")
    assert hang.seconds < PAGE_TIMEOUT + HANG_GRACE_S


def test_a_blocked_main_thread_is_cut_off_and_the_next_page_still_runs(report: Report):
    spin = page(report, "spin")
    assert len(spin.errors) == 1 and spin.errors[0].startswith("the page hung")
    assert "spin fixture: runAll called" in artifact_text(spin, ".console.txt")
    assert page(report, "throws").environment is not None  # a fresh browser got that far


def test_a_throwing_page_fails_and_its_console_errors_are_kept(report: Report):
    throws = page(report, "throws")
    assert len(throws.errors) == 1
    assert throws.errors[0].startswith("runAll() failed: Error: throws fixture: runAll rejected")
    assert "Uncaught Error: throws fixture: page script exploded" in artifact_text(
        throws, ".console.txt"
    )
    assert any(e["level"] == "SEVERE" for e in throws.console)


def test_nan_from_the_page_is_a_mismatch(report: Report):
    nan = page(report, "nan")
    fit = next(c for c in nan.cells if c.name == "fit")
    assert fit.status == "mismatch"
    [mismatch] = fit.mismatches
    assert (mismatch.quantity, mismatch.position) == ("loss", "epoch 1")
    assert math.isnan(mismatch.browser) and mismatch.reference == 21.0
    assert any(a.endswith(".png") for a in nan.artifacts)


def test_cli_with_workers_writes_junit(site: Path, tmp_path: Path):
    subset = tmp_path / "site"
    for name in ("good", "cpu", "nan"):
        shutil.copytree(site / name, subset / name)
    junit = tmp_path / "junit.xml"
    argv = ["verify", str(subset), "--workers", "2", "--page-timeout", "10", "-q",
            "--artifacts", str(tmp_path / "art"), "--junit", str(junit)]
    assert main(argv) == 1
    suite = ET.parse(junit).getroot()
    assert {k: suite.get(k) for k in ("tests", "failures", "errors", "skipped")} == {
        "tests": "15", "failures": "1", "errors": "1", "skipped": "4",
    }
    assert [c.get("classname") for c in suite.iter("testcase")][::5] == [
        "cpu/index.html", "good/index.html", "nan/index.html",
    ]
    shutil.rmtree(subset / "nan")
    assert main([*argv, "--backend", "cpu,webgl"]) == 0
