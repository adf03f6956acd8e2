"""runner.py with a scripted stand-in for the browser: the flow around each page."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from mlpages.verify.browser import BrowserUnavailable
from mlpages.verify.runner import SESSION_RETRIES, PageRunner, run_verify
from selenium.common.exceptions import TimeoutException, WebDriverException


def cell(kind: str, cell_id: str, **spec: Any) -> str:
    body = json.dumps({"schema": 1, "kind": kind, "name": cell_id.split("-")[-1], "id": cell_id, **spec})
    return (
        f'<div id="{cell_id}" data-mlpages-kind="{kind}">'
        f'<script type="application/json" class="mlpages-spec">[{body}]</script></div>'
    )


FIT = {"dataset": "mlp-a-d", "references": [{"epsilon": 1e-4, "history": {"loss": [0.5]}}]}


class FakeDriver:
    """Answers the runner's WebDriver calls from a script of page behaviours."""

    def __init__(self, behaviours: dict[str, Any]) -> None:
        self.behaviours = behaviours
        self.capabilities: dict[str, Any] = {}
        self.url = ""
        self.quit_called = False
        self.delay = behaviours.get("delay", 0.0)

    def set_page_load_timeout(self, seconds: float) -> None:
        pass

    def set_script_timeout(self, seconds: float) -> None:
        pass

    def get(self, url: str) -> None:
        self.url = url

    def execute_script(self, script: str) -> bool:
        return True

    def execute_async_script(self, script: str, step: str, *args: Any) -> str:
        behaviour = self.behaviours[self.url.rsplit("/", 1)[-1]]
        if step == "environment":
            return json.dumps({"ok": True, "value": {"backend": "webgl", "epsilon": 1e-4}})
        if isinstance(behaviour, Exception):
            raise behaviour
        time.sleep(self.delay)
        return json.dumps({"ok": True, "value": behaviour})

    def get_log(self, kind: str) -> list[dict[str, Any]]:
        return [{"level": "INFO", "source": "console-api", "message": f"log of {self.url}"}]

    def save_screenshot(self, path: str) -> bool:
        Path(path).write_bytes(b"\x89PNG")
        return True

    def quit(self) -> None:
        self.quit_called = True


def ok(cell_id: str, **extra: Any) -> dict[str, Any]:
    return {"id": cell_id, "status": "ok", "epsilon": 1e-4, "timings": {"totalMs": 10}, **extra}


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    root.mkdir()
    page = cell("dataset", "mlp-a-d", x={"shape": [1, 1], "data": [0]}) + cell("train", "mlp-a-fit", **FIT)
    for name in ("a.html", "b.html", "c.html"):
        (root / name).write_text(page.replace("mlp-a-", f"mlp-{name[0]}-"))
    return root


def run(site: Path, tmp_path: Path, behaviours: dict[str, Any], **options: Any):
    drivers: list[FakeDriver] = []

    def factory() -> FakeDriver:
        drivers.append(FakeDriver(behaviours))
        return drivers[-1]

    report = run_verify(site, driver_factory=factory, artifacts=tmp_path / "art", **options)
    return report, drivers


def test_results_are_matched_by_id_and_compared(site: Path, tmp_path: Path):
    behaviours = {
        "a.html": [ok("mlp-a-d"), ok("mlp-a-fit", history={"loss": [0.5]})],
        "b.html": {"mlp-b-fit": ok("mlp-b-fit", history={"loss": [0.6]}), "mlp-b-d": ok("mlp-b-d")},
        "c.html": [ok("mlp-c-fit", history={"loss": [0.5]})],
    }
    report, drivers = run(site, tmp_path, behaviours)
    assert [p.page for p in report.pages] == ["a.html", "b.html", "c.html"]
    assert report.pages[0].passed
    assert [c.status for c in report.pages[1].cells] == ["passed", "mismatch"]
    assert report.pages[2].cells[0].note == "runAll() returned no result for this cell"
    assert report.exit_code == 1
    assert len(drivers) == 1 and drivers[0].quit_called
    assert sorted(p.name for p in (tmp_path / "art").iterdir()) == [
        "b.html.console.txt", "b.html.png", "c.html.console.txt", "c.html.png",
    ]


def test_cell_timeout_checks_the_cells_own_timings(site: Path, tmp_path: Path):
    slow = [ok("mlp-X-d"), ok("mlp-X-fit", history={"loss": [0.5]}, timings={"totalMs": 2500})]
    behaviours = {n: json.loads(json.dumps(slow).replace("X", n[0])) for n in ("a.html", "b.html", "c.html")}
    report, _ = run(site, tmp_path, behaviours, cell_timeout=2)
    fit = report.pages[0].cells[1]
    assert (fit.status, fit.note) == ("error", "took 2.5 s, over the cell timeout of 2 s")
    assert report.exit_code == 4


def test_a_timeout_or_a_crash_gets_the_next_page_a_fresh_browser(site: Path, tmp_path: Path):
    behaviours = {
        "a.html": TimeoutException("script timeout"),
        "b.html": WebDriverException("tab crashed\n(Session info: chrome=156)"),
        "c.html": [ok("mlp-c-d"), ok("mlp-c-fit", history={"loss": [0.5]})],
    }
    report, drivers = run(site, tmp_path, behaviours, page_timeout=7)
    assert report.pages[0].errors == ["timed out after 7 s waiting for runAll()"]
    assert report.pages[1].errors == ["browser failed while waiting for runAll(): tab crashed"]
    assert report.pages[2].passed
    assert len(drivers) == 3 and all(d.quit_called for d in drivers)
    assert report.pages[0].console[0]["message"].endswith("a.html")
    assert report.exit_code == 4


def test_workers_each_get_their_own_browser(site: Path, tmp_path: Path):
    behaviours = {"a.html": [], "b.html": [], "c.html": [], "delay": 0.3}
    report, drivers = run(site, tmp_path, behaviours, workers=2)
    assert len(report.pages) == 3 and len(drivers) == 2
    assert {c.status for p in report.pages for c in p.cells} == {"error"}


def test_wrong_backend_unless_accepted(site: Path, tmp_path: Path):
    behaviours = {n: [] for n in ("a.html", "b.html", "c.html")}
    report, _ = run(site, tmp_path, behaviours, backends=("cpu",))
    assert report.pages[0].errors == ["wrong backend: the page runs on 'webgl', accepted: cpu"]
    assert report.exit_code == 4


class GridDriver(FakeDriver):
    """A Grid session that dies (its node killed) when it opens a page named in ``dies_on``:
    that command and every later one fail, as the hub answers for a node it cannot reach."""

    def __init__(self, behaviours: dict[str, Any], dies_on: set[str], log: list[str]) -> None:
        super().__init__(behaviours)
        self.dies_on, self.log, self.dead = dies_on, log, False

    def _check_alive(self) -> None:
        if self.dead:
            raise WebDriverException("Unable to execute request for an existing session: Connection error")

    def get(self, url: str) -> None:
        self._check_alive()
        super().get(url)

    @property
    def current_url(self) -> str:
        self._check_alive()
        return self.url

    def execute_async_script(self, script: str, step: str, *args: Any) -> str:
        self._check_alive()
        page = self.url.rsplit("/", 1)[-1]
        if step != "environment":
            self.log.append(page)
            if page in self.dies_on:
                self.dies_on.discard(page)  # the next session runs it
                self.dead = True
                self._check_alive()
        return super().execute_async_script(script, step, *args)


def passing(*names: str) -> dict[str, Any]:
    return {n: [ok(f"mlp-{n[0]}-d"), ok(f"mlp-{n[0]}-fit", history={"loss": [0.5]})] for n in names}


def run_on_grid(site: Path, tmp_path: Path, dies_on: set[str], refuse_after: int = 99, **options: Any):
    drivers: list[GridDriver] = []
    ran: list[str] = []

    def factory() -> GridDriver:
        if len(drivers) >= refuse_after:
            raise BrowserUnavailable("the Selenium Grid at http://grid.test:4444 started no browser session")
        drivers.append(GridDriver(passing("a.html", "b.html", "c.html"), dies_on, ran))
        return drivers[-1]

    report = run_verify(site, driver_factory=factory, remote="http://grid.test:4444",
                        artifacts=tmp_path / "art", **options)
    return report, drivers, ran


@pytest.mark.parametrize("workers", [1, 2])
def test_a_page_whose_grid_session_dies_runs_again_on_a_new_session(site: Path, tmp_path: Path,
                                                                     workers: int):
    progress: list[str] = []
    report, drivers, ran = run_on_grid(site, tmp_path, {"b.html"}, workers=workers,
                                       progress=lambda page: progress.append(page.page))
    assert sorted(progress) == ["a.html", "b.html", "c.html"]  # the lost run is not shown
    assert [p.page for p in report.pages] == ["a.html", "b.html", "c.html"]
    assert all(p.passed and not p.errors for p in report.pages), [p.errors for p in report.pages]
    assert sorted(ran) == ["a.html", "b.html", "b.html", "c.html"]  # b twice, the others once
    # One session died and a new one took its page; a second worker that found the queue
    # already empty (a busy machine starts threads late) opened none.
    assert sum(d.dead for d in drivers) == 1 and 2 <= len(drivers) <= workers + 1
    assert report.exit_code == 0


def test_a_page_that_loses_every_session_fails_after_the_bounded_retries(site: Path, tmp_path: Path):
    dies_on = _Always({"b.html"})
    progress: list[str] = []
    report, drivers, ran = run_on_grid(site, tmp_path, dies_on, progress=lambda p: progress.append(p.page))
    assert ran.count("b.html") == SESSION_RETRIES + 1 and sorted(progress) == ["a.html", "b.html", "c.html"]
    assert [p.passed for p in report.pages] == [True, False, True]
    assert report.pages[1].errors == [
        "browser failed while waiting for runAll(): Unable to execute request for an existing session: "
        "Connection error"]
    assert report.exit_code == 4


def test_a_grid_that_refuses_new_sessions_mid_run_is_an_environment_error(site: Path, tmp_path: Path):
    report, drivers, ran = run_on_grid(site, tmp_path, {"a.html"}, refuse_after=1)
    assert ran == ["a.html"] and report.pages == []
    assert report.environment_error == (
        "3 of 3 pages did not run: the Selenium Grid at http://grid.test:4444 started no browser session")
    assert report.exit_code == 3


class _Always(set):
    """A ``dies_on`` whose pages kill every session that opens them."""

    def discard(self, item: Any) -> None:
        pass


def test_the_pytest_plugins_runner_retries_a_lost_session_too(site: Path, tmp_path: Path):
    drivers: list[GridDriver] = []
    ran: list[str] = []
    dies_on = {"a.html"}

    def factory() -> GridDriver:
        drivers.append(GridDriver(passing("a.html", "b.html", "c.html"), dies_on, ran))
        return drivers[-1]

    runner = PageRunner(site, driver_factory=factory, remote="http://grid.test:4444", artifacts=tmp_path)
    try:
        assert runner.report("a.html").passed and runner.report("b.html").passed
    finally:
        runner.close()
    assert ran == ["a.html", "a.html", "b.html"] and len(drivers) == 2
