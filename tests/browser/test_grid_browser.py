"""`mlpages verify --remote` on a real Selenium Grid: a hub and two Chromium nodes started
from the pinned server jar (tools/grid.py), each node with Debian's chromedriver and one
session at a time, so that two workers' pages spread over both. A node killed while pages
run loses its pages to the other node, not from the report; a Grid that cannot be reached,
or has no node to start a session, is an environment error (exit code 3)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from mdhelpers import xor_course_page
from mlpages.verify.runner import run_verify
from sitebuild import ROOT, build

sys.path.insert(0, str(ROOT / "tools"))
from grid import Grid, free_port, start_grid, start_hub  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser-grid")]

PAGES = 4
# Longer than the pages left after a kill take on one node of a loaded machine. With
# tools/grid.py's 60 s, a clean-clone run once saw the survivor start no second session:
# most likely the killed node's worker was refused its new one while the other ran every
# page (verify passed, with every page's numbers), so nothing showed that it was retried.
SESSION_WAIT_S = 300


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A course of PAGES tiny pages, each with its own seeds."""
    project = tmp_path_factory.mktemp("grid-course")
    for i in range(1, PAGES + 1):
        page = project / "docs" / f"page-{i}.md"
        page.parent.mkdir(exist_ok=True)
        page.write_text(xor_course_page(i, seed=200 + i), encoding="utf-8")
    (project / "mkdocs.yml").write_text(
        "site_name: grid\nplugins: [mlpages]\nmarkdown_extensions: [pymdownx.superfences]\n",
        encoding="utf-8")
    result = build(project)
    assert result.returncode == 0, result.stderr
    return project / "site"


@pytest.fixture(scope="module")
def local(site: Path, tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Any, ...]]:
    """What a local run (one Chromium) found, cell by cell."""
    report = run_verify(site, artifacts=tmp_path_factory.mktemp("local-artifacts"))
    assert report.exit_code == 0, [p.errors for p in report.pages]
    return outcome(report.to_dict())


@pytest.fixture(scope="module")
def grid(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Grid]:
    """A hub and two registered nodes, ended (every process group) after the module's tests;
    the test that kills a node comes last of those that use it. A session request waits up to
    SESSION_WAIT_S for a node: when a node is killed, its worker's request for a new session
    waits while the other worker runs the pages left on the one node that remains."""
    started = start_grid(tmp_path_factory.mktemp("grid"), nodes=2,
                         session_request_timeout=SESSION_WAIT_S)
    try:
        yield started
    finally:
        started.stop()


def outcome(report: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Each page's cells as compared: name, status and the largest relative difference."""
    return [(page["page"], cell["name"], cell["status"], cell["max_rel_diff"])
            for page in report["pages"] for cell in page["cells"]]


def verify(site: Path, tmp_path: Path, *options: str) -> tuple[subprocess.Popen, Path]:
    """`mlpages verify SITE --json …` started in the background with ``options``."""
    out = tmp_path / "report.json"
    argv = [sys.executable, "-m", "mlpages.cli", "verify", str(site), "--json", str(out),
            "--artifacts", str(tmp_path / "artifacts"), *options]
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return process, out


def finish(process: subprocess.Popen) -> tuple[int, str]:
    try:
        stdout, stderr = process.communicate(timeout=300)
    except subprocess.TimeoutExpired:
        process.kill()
        stdout, stderr = process.communicate()
    return process.returncode, stdout + stderr


def test_pages_spread_over_both_nodes_with_the_local_results(grid: Grid, site: Path, local, tmp_path: Path):
    process, out = verify(site, tmp_path, "--remote", grid.url, "--workers", "2", "--serve-host", "localhost")
    code, output = finish(process)
    assert code == 0, output
    assert f"{PAGES} pages (0 failed)" in output
    assert [node.sessions_created() for node in grid.nodes] == [1, 1]
    report = json.loads(out.read_text(encoding="utf-8"))
    assert {page["url"].split(":")[1] for page in report["pages"]} == {"//localhost"}  # --serve-host
    assert outcome(report) == local


def test_a_node_killed_mid_run_loses_its_pages_to_the_other(grid: Grid, site: Path, local, tmp_path: Path):
    before = [node.sessions_created() for node in grid.nodes]
    process, out = verify(site, tmp_path, "--remote", grid.url, "--workers", "2")
    killed: list[int] = []

    def kill_the_first_node_with_a_session() -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None:
            busy = [i for i, n in enumerate(grid.nodes) if n.sessions_created() > before[i]]
            if len(busy) == 2:  # both workers hold a page (a session starts with its first)
                grid.kill_node(grid.nodes[busy[0]])
                killed.append(busy[0])
                return
            time.sleep(0.05)

    killer = threading.Thread(target=kill_the_first_node_with_a_session, daemon=True)
    killer.start()
    code, output = finish(process)
    killer.join()
    assert killed, output
    assert code == 0, output
    report = json.loads(out.read_text(encoding="utf-8"))
    assert sorted(p["page"] for p in report["pages"]) == [f"page-{i}/index.html" for i in range(1, PAGES + 1)]
    assert outcome(report) == local  # nothing lost, nothing twice, the same numbers
    # The survivor started a session for the page that was lost as well as its own.
    survivor = 1 - killed[0]
    assert grid.nodes[survivor].sessions_created() - before[survivor] >= 2, output


def test_an_unreachable_grid_is_an_environment_error(site: Path, tmp_path: Path):
    url = f"http://127.0.0.1:{free_port()}"
    code, output = finish(verify(site, tmp_path, "--remote", url)[0])
    assert code == 3, output
    assert f"mlpages verify: the Selenium Grid at {url} started no browser session: " in output


def test_a_grid_without_nodes_refuses_within_its_session_timeout(site: Path, tmp_path: Path):
    hub = start_hub(tmp_path / "hub", session_request_timeout=3)
    try:
        code, output = finish(verify(site, tmp_path, "--remote", hub.url)[0])
    finally:
        hub.stop()
    assert code == 3, output
    assert f"mlpages verify: the Selenium Grid at {hub.url} started no browser session: " in output
    assert "SessionNotCreatedException" in output
