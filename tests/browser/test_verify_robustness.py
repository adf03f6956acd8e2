"""mlpages verify against pages that misbehave: it reports each one and goes on.

The fixture pages, made from fixtures/verify_site/page.html, define their own
``window.mlpages`` (fixtures/verify_site/double.js, a test double of the runtime): ``good``
answers with the references, ``cpu`` says it runs on the CPU backend, ``hang``'s runAll
never resolves, ``spin``'s runAll blocks the main thread forever, ``throws`` throws from a
page script and rejects runAll, and ``nan`` reports a NaN loss.

Hostile pages are real built pages edited after the build (a script that never ends in
``<head>``, an array file outside the site, an endless array file, a runtime whose answers
are malformed); each is checked with a real ``mlpages verify`` process, next to a good
page that must still pass, while the process's peak memory is watched.
"""

from __future__ import annotations

import functools
import json
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from mdhelpers import XOR_CELLS
from mlpages.cli import main
from mlpages.verify.browser import BrowserUnavailable, find_browser
from mlpages.verify.report import PageReport, Report
from mlpages.verify.runner import COMMAND_TIMEOUT_S, HANG_GRACE_S, run_verify
from mlpages.verify.server import SiteRequestHandler, serve_background
from sitebuild import build_pages

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

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser-verify-robustness")]


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


# --- Hostile built pages, each checked by a real `mlpages verify` process ---------------

# XOR_CELLS with 2,100 points: the dataset's x (4,200 values) goes to an array file.
BUILT_PAGE = "# Points\n\n" + XOR_CELLS.replace("n: 16", "n: 2100").replace("batchSize: 8", "batchSize: 700")
BUILT_PAGES = ("good", "spin", "zero", "local", "elsewhere", "endless",
               "text", "timings", "history", "ids")
PEAK_MEMORY_BOUND = 1536 * 2**20  # bytes: a generous guard, verify itself needs about 150 MB
VERIFY_PROCESS_TIMEOUT = 420.0  # seconds: a guard against a run that never ends
BUILT_PAGE_TIMEOUT = "60"
# The page timeout of the run whose page blocks from its first script: that page costs all
# of it, the good page next to it (three epochs of three batches) needs a few seconds.
BLOCKED_PAGE_TIMEOUT = "20"
# Replaces what the runtime's runAll() resolves to by the JavaScript expression %s of
# `results` (the real results), once the runtime defines window.mlpages.
MALFORM = """<script>
Object.defineProperty(window, "mlpages", {configurable: true, get() {}, set(api) {
  Object.defineProperty(window, "mlpages", {value: api, writable: true, configurable: true});
  const runAll = api.runAll.bind(api);
  api.runAll = () => runAll().then((results) => (%s));
}});
</script>"""


@dataclass
class VerifyProcess:
    """What one `mlpages verify` process did."""

    returncode: int
    output: str
    peak_bytes: int
    report: dict[str, Any]
    leftovers: list[str]

    def page(self, name: str) -> dict[str, Any]:
        """The report of page `name` (`name/index.html` in a directory, `name/` at a URL)."""
        [found] = [p for p in self.report["pages"] if p["page"] in (f"{name}/index.html", f"{name}/")]
        return found


def _peak_bytes(pid: int) -> int | None:
    """The process's peak resident memory (VmHWM), None once it is gone."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    found = re.search(r"^VmHWM:\s+(\d+) kB", text, re.M)
    return int(found.group(1)) * 1024 if found else None


def _session_processes(sid: int) -> dict[int, str]:
    """The live processes of session `sid` (what a verify process started) by pid."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        name, fields = stat[stat.index("(") + 1 : stat.rindex(")")], stat[stat.rindex(")") + 2 :].split()
        if int(fields[3]) == sid and fields[0] != "Z":
            found[int(entry.name)] = name
    return found


def verify_process(target: str | Path, tmp_path: Path, *options: str) -> VerifyProcess:
    """Run `mlpages verify` in its own session, watching its peak memory.

    The process is killed, with everything it started, when its peak memory passes
    PEAK_MEMORY_BOUND or it runs past VERIFY_PROCESS_TIMEOUT. Browser processes still
    alive some seconds after it ended are reported as leftovers (and killed).
    """
    out = tmp_path / "verify.out"
    report = tmp_path / "verify.json"
    argv = [sys.executable, "-m", "mlpages.cli", "verify", str(target), "-q", "--json", str(report),
            "--artifacts", str(tmp_path / "artifacts"), *options]
    peak = 0
    with out.open("w") as sink:
        process = subprocess.Popen(argv, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True)
        ends = time.monotonic() + VERIFY_PROCESS_TIMEOUT
        while process.poll() is None:
            peak = max(peak, _peak_bytes(process.pid) or 0)
            if peak > PEAK_MEMORY_BOUND or time.monotonic() > ends:
                os.killpg(process.pid, signal.SIGKILL)
            time.sleep(0.05)
    stragglers_end = time.monotonic() + 30
    while _session_processes(process.pid) and time.monotonic() < stragglers_end:
        time.sleep(0.5)
    leftovers = _session_processes(process.pid)
    for pid in leftovers:
        os.kill(pid, signal.SIGKILL)
    output = out.read_text()
    assert peak <= PEAK_MEMORY_BOUND, f"verify's peak memory passed {PEAK_MEMORY_BOUND} bytes:\n{output}"
    assert time.monotonic() <= ends, f"verify still ran after {VERIFY_PROCESS_TIMEOUT:g} s:\n{output}"
    data = json.loads(report.read_text()) if report.exists() else {}
    return VerifyProcess(process.returncode, output, peak, data,
                         [f"{pid} {name}" for pid, name in leftovers.items()])


@pytest.fixture(scope="module")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One real page under every name in BUILT_PAGES; all share one array file."""
    project = tmp_path_factory.mktemp("hostile")
    pages = {f"{name}.md": BUILT_PAGE for name in BUILT_PAGES}
    return build_pages(project, pages, extra="site_url: https://course.example.org/\n")  # a sitemap


def hostile_site(built: Path, dest: Path, edits: dict[str, Callable[[str], str]]) -> Path:
    """A copy of the built site with `good` and the pages of `edits`, each edited."""
    site = dest / "site"
    shutil.copytree(built, site)
    for name in BUILT_PAGES:
        if name != "good" and name not in edits:
            shutil.rmtree(site / name)
    for name, edit in edits.items():
        page = site / name / "index.html"
        page.write_text(edit(page.read_text()))
    return site


def in_head(script: str) -> Callable[[str], str]:
    """Puts `script` first in the page's `<head>`, before anything else runs."""
    return lambda html: html.replace("<head>", "<head>" + script, 1)


def array_src(src: str) -> Callable[[str], str]:
    """Points the page's array file reference at `src`."""
    def edit(html: str) -> str:
        edited, count = re.subn(r'"src": ?"[^"]*mlpages-data/[0-9a-f]+\.bin"', f'"src": "{src}"', html)
        assert count == 1, "the page should refer to one array file"
        return edited
    return edit


def assert_good_and_clean(run: VerifyProcess) -> None:
    """The good page passed, nothing crashed, no browser outlived the run."""
    assert "Traceback" not in run.output, run.output
    good = run.page("good")
    assert good["errors"] == [] and {c["status"] for c in good["cells"]} == {"passed"}, run.output
    assert run.leftovers == []


def test_a_page_that_blocks_from_its_first_script_costs_its_timeout(built_site: Path, tmp_path: Path):
    site = hostile_site(built_site, tmp_path, {"spin": in_head("<script>while (true) {}</script>")})
    run = verify_process(site, tmp_path, "--page-timeout", BLOCKED_PAGE_TIMEOUT)
    assert run.returncode == 4, run.output
    spin = run.page("spin")
    [error] = spin["errors"]
    # chromedriver's page load timeout, or the watchdog a few seconds later
    expected = rf"(timed out after {BLOCKED_PAGE_TIMEOUT} s|the page hung: .*) waiting for the page to load"
    assert re.match(expected, error), error
    assert f"spin/index.html: {error}" in run.output
    assert {c["status"] for c in spin["cells"]} == {"skipped"}
    assert spin["seconds"] < float(BLOCKED_PAGE_TIMEOUT) + HANG_GRACE_S + 4 * COMMAND_TIMEOUT_S
    assert_good_and_clean(run)


def test_array_files_off_the_site_are_not_read(built_site: Path, tmp_path: Path):
    secret = tmp_path / "secret.bin"
    secret.write_bytes(b"\0" * 4 * 4200)  # the size the shape declares
    other = "http://127.0.0.1:9/mlpages-data/x.bin"
    site = hostile_site(built_site, tmp_path, {
        "zero": array_src("file:///dev/zero"),
        "local": array_src(secret.as_uri()),
        "elsewhere": array_src(other),
    })
    run = verify_process(site, tmp_path, "--page-timeout", BUILT_PAGE_TIMEOUT)
    assert run.returncode == 4, run.output
    for name, src in (("zero", "file:///dev/zero"), ("local", secret.as_uri()), ("elsewhere", other)):
        page = run.page(name)
        [error] = page["errors"]
        assert error.startswith(f"array file {src}: not on the site"), error
        assert f"{name}/index.html: array file {src}: not on the site" in run.output
        assert {c["status"] for c in page["cells"]} == {"skipped"}  # not opened in the browser
    assert_good_and_clean(run)


class _EndlessArrayHandler(SiteRequestHandler):
    """The site, except that `endless.bin` streams zeros until the client hangs up; each
    request for it is appended to `requests`."""

    def __init__(self, *args: Any, requests: list[str], **kwargs: Any) -> None:
        self.requests = requests  # before the base class handles the request
        super().__init__(*args, **kwargs)

    def do_GET(self) -> None:  # noqa: N802 - the http.server name
        if not self.path.endswith("/endless.bin"):
            super().do_GET()
            return
        self.requests.append(self.headers.get("User-Agent", ""))
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.end_headers()
        chunk = b"\0" * 65536
        try:
            while True:
                self.wfile.write(chunk)
        except OSError:
            pass  # the client stopped reading


@pytest.fixture
def endless_site(built_site: Path, tmp_path: Path) -> Iterator[tuple[str, list[str]]]:
    """The URL of the good page and `endless`, whose array file never ends, and the list
    of requests for that file."""
    site = hostile_site(built_site, tmp_path, {"endless": array_src("../mlpages-data/endless.bin")})
    requests: list[str] = []
    url, stop = serve_background(site, handler=functools.partial(_EndlessArrayHandler, requests=requests))
    try:
        yield url, requests
    finally:
        stop()


def test_an_endless_array_file_is_cut_at_its_declared_size(endless_site, tmp_path: Path):
    url, requests = endless_site
    run = verify_process(url, tmp_path, "--page-timeout", BUILT_PAGE_TIMEOUT)
    assert run.returncode == 4, run.output
    [error] = run.page("endless")["errors"]
    assert error.startswith("array file ../mlpages-data/endless.bin: larger than") and "16800 bytes" in error
    assert "endless/: array file ../mlpages-data/endless.bin: larger than" in run.output
    # verify read it (for the page's check, and once more, bounded, for the report's input
    # digest); the browser never asked for it.
    assert requests and all(agent.startswith("Python-urllib") for agent in requests)
    assert_good_and_clean(run)


def test_malformed_answers_from_a_page_are_its_errors(built_site: Path, tmp_path: Path):
    site = hostile_site(built_site, tmp_path, {
        "text": in_head(MALFORM % '"all fine"'),
        "timings": in_head(MALFORM % 'results.map((r) => ({...r, timings: "fast"}))'),
        "history": in_head(MALFORM % 'results.map((r) => (r.history ? {...r, history: "down"} : r))'),
        "ids": in_head(MALFORM % "results.map((r) => ({...r, id: [r.id]}))"),
    })
    run = verify_process(site, tmp_path, "--page-timeout", BUILT_PAGE_TIMEOUT)
    assert run.returncode == 4, run.output
    expected = {
        "text": "runAll() resolved to a string, not a list of results",
        "timings": "the result of mlp-timings-xor: timings is a string, not an object of numbers",
        "history": "the result of mlp-history-fit-xor: history is a string, not an object of lists",
        "ids": "runAll() result 1 has no string id (id: a list)",
    }
    for name, problem in expected.items():
        page = run.page(name)
        assert page["errors"] == [f"malformed answer from the page: {problem}"], page["errors"]
        assert f"{name}/index.html: malformed answer from the page: {problem}" in run.output
        assert {c["status"] for c in page["cells"]} == {"skipped"}
    assert_good_and_clean(run)
