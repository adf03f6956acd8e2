"""Open each page with cells in a browser, run its cells, and compare them with the references."""

from __future__ import annotations

import dataclasses
import json
import queue
import re
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from selenium.common.exceptions import TimeoutException, WebDriverException
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait
from urllib3.exceptions import HTTPError
from urllib3.exceptions import TimeoutError as CommandTimeout

from .answers import MalformedAnswer, check_environment, check_results
from .bound import bound_owner, bound_values, check_bound
from .browser import BrowserUnavailable, kill_browser, make_driver, set_command_timeout
from .compare import CellCheck, check_cell, check_number_question
from .discover import (
    ArrayFiles,
    Page,
    PageCells,
    SiteUnavailable,
    find_pages_at_url,
    find_pages_in_dir,
    load_array_files,
    parse_cells,
)
from .examples import EXAMPLES_STEP, attach_examples, example_inputs
from .knobs import (
    DEFAULT_SAMPLE,
    Panel,
    Variant,
    VariantUnavailable,
    choose,
    read_panel,
    read_variant,
    substitute,
)
from .report import CellReport, KnobsChecked, PageReport, Report, format_console
from .select import InputReader, Selection, page_inputs, skip_note
from .server import serve_background

# Runs one step of the page API and hands back JSON text. Typed arrays become lists and
# non-finite numbers become strings ("NaN"), which JSON and WebDriver would turn into null.
_CALL_API = """
const [step, args, done] = [arguments[0], arguments[1], arguments[arguments.length - 1]];
const api = window.mlpages;
const clean = (key, value) =>
  ArrayBuffer.isView(value) ? Array.from(value)
  : typeof value === "number" && !Number.isFinite(value) ? String(value) : value;
const setKnobs = () => typeof api.setKnobs === "function"
  ? Promise.resolve(api.setKnobs(...args)).then(() => null)
  : Promise.reject("this page's runtime has no window.mlpages.setKnobs()");
const runCells = () => Promise.all(args[0].map((id) => api.run(id)));
const predictInputs = async () => {
  if (typeof api.predictInput !== "function") {
    throw "this page's runtime has no window.mlpages.predictInput()";
  }
  const out = [];
  for (const [id, inputs] of args[0]) {
    try {
      const outputs = [];
      for (const input of inputs) outputs.push((await api.predictInput(id, input)).outputs);
      out.push({id, outputs});
    } catch (error) { out.push({id, error: String((error && error.message) || error)}); }
  }
  return out;
};
Promise.resolve(api.ready)
  .then(() => (step === "environment" ? api.environment()
    : step === "setKnobs" ? setKnobs() : step === "runCells" ? runCells()
    : step === "predictInputs" ? predictInputs() : api.runAll()))
  .then(
    (value) => done(JSON.stringify({ok: true, value: value === undefined ? null : value}, clean)),
    (error) => done(JSON.stringify({ok: false, error: String((error && error.stack) || error)})),
  )
  .catch((error) => done(JSON.stringify({ok: false, error: "unserialisable: " + error})));
"""
HANG_GRACE_S = 5.0
API_WAIT_S = 60.0
COMMAND_TIMEOUT_S = 15.0
"""Seconds a WebDriver command outside a page's run may take (console log, screenshot,
quit); a browser that does not answer by then is killed."""
SESSION_RETRIES = 2
"""Times a page whose Selenium Grid session was lost (its node died, say) goes back to the
queue for a new session; after that its report is the failure of its last run."""
_HAS_API = "return !!(window.mlpages && window.mlpages.ready && window.mlpages.runAll);"


@dataclass(frozen=True)
class Options:
    """How to verify.

    Attributes:
        backends: The TF.js backends a page may run on.
        page_timeout: Seconds a page may take from load to its last result.
        cell_timeout: Seconds a cell may take by its own timings (``None``: no limit).
        workers: Pages run in parallel, each worker with its own browser.
        remote: A Selenium Grid URL instead of a local Chromium.
        serve_host: The host name the Grid's nodes reach this machine by.
        artifacts: Where screenshots and console logs of failed pages go.
        progress: Called with each page's report as soon as it is done.
        driver_factory: Makes a browser session (default: :func:`make_driver`).
        selection: Which pages and cells to check (default: all).
        variants: How many variants besides the default verify checks per knob cell
            (:func:`mlpages.verify.knobs.choose`); ``None``: every variant.
    """

    backends: tuple[str, ...] = ("webgl",)
    page_timeout: float = 300.0
    cell_timeout: float | None = None
    workers: int = 1
    remote: str | None = None
    serve_host: str | None = None
    artifacts: Path = Path("mlpages-verify-artifacts")
    progress: Callable[[PageReport], None] | None = None
    driver_factory: Callable[[], WebDriver] | None = None
    selection: Selection = Selection()
    variants: int | None = DEFAULT_SAMPLE

    def new_driver(self) -> WebDriver:
        """A fresh browser session."""
        if self.driver_factory is not None:
            return self.driver_factory()
        return make_driver(self.remote)


class _Watchdog:
    """Closes a local browser's tabs when a page blocks its main thread for too long.

    chromedriver waits for a blocked renderer forever, script timeout or not. The browser
    process still answers DevTools' HTTP endpoint, and closing the tab there makes
    chromedriver's pending command return. A Grid's browsers are out of reach: no watchdog.
    """

    def __init__(self, driver: WebDriver | None, seconds: float) -> None:
        self.fired = threading.Event()
        options = (driver.capabilities.get("goog:chromeOptions") or {}) if driver else {}
        address = options.get("debuggerAddress")
        self._timer = threading.Timer(seconds, self._close_tabs, (address,)) if address else None

    def __enter__(self) -> _Watchdog:
        if self._timer is not None:
            self._timer.daemon = True
            self._timer.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._timer is not None:
            self._timer.cancel()

    def _close_tabs(self, address: str) -> None:
        self.fired.set()
        base = f"http://{address}/json"
        try:
            with urllib.request.urlopen(f"{base}/list", timeout=10) as response:
                targets = json.load(response)
            for target in targets:
                if target.get("type") == "page":
                    urllib.request.urlopen(f"{base}/close/{target['id']}", timeout=10).close()
        except (OSError, ValueError):
            pass  # the browser is gone already: chromedriver's command fails by itself


class _PageFailed(Exception):
    """The page cannot go on; the message says why."""


class _Session:
    """One worker's browser, recreated after a timeout or a crash.

    Every WebDriver command has a deadline (chromedriver itself waits for a blocked page
    forever): a command of a page's run gets what is left of the page timeout plus
    twice :data:`HANG_GRACE_S` (the watchdog comes first where it can), any other
    :data:`COMMAND_TIMEOUT_S`. A browser that missed one is killed, not asked to quit.
    """

    def __init__(self, options: Options, driver: WebDriver | None = None) -> None:
        self.options = options
        self._driver = driver
        self._step = ""
        self._stuck = False
        self._moved = False  # whether setKnobs() switched the open page to another variant
        self.lost = False  # whether the last page's Grid session stopped answering

    def driver(self) -> WebDriver:
        if self._driver is None:
            self._driver = self.options.new_driver()
        return self._driver

    def discard(self) -> None:
        """Quit the browser (kill it when it stopped answering); the next page gets a new one."""
        driver, self._driver = self._driver, None
        if driver is None:
            return
        if self._stuck:
            kill_browser(driver)
            self._stuck = False
        set_command_timeout(driver, COMMAND_TIMEOUT_S)
        # Selenium's quit hides a command that timed out, then waits for chromedriver to
        # stop for up to 100 s: a browser still quitting after the deadline is killed.
        killer = threading.Timer(COMMAND_TIMEOUT_S, kill_browser, (driver,))
        killer.daemon = True
        killer.start()
        try:
            driver.quit()
        except Exception:  # noqa: BLE001 - a dead browser may fail to quit in many ways
            pass
        finally:
            killer.cancel()

    def _missed_deadline(self, exc: BaseException) -> bool:
        """Whether ``exc`` is a WebDriver command that ran out of time; the browser is then
        marked stuck, to be killed."""
        if isinstance(exc, CommandTimeout | TimeoutError):
            self._stuck = True
        return self._stuck

    def _bound_by(self, driver: WebDriver, deadline: float) -> None:
        """The next commands are a page's run that must end by ``deadline``."""
        set_command_timeout(driver, max(deadline - time.monotonic(), 0.0) + 2 * HANG_GRACE_S)

    def verify(self, page: Page) -> PageReport:
        """Run one page and compare its results; then each chosen variant of its knobs."""
        started = time.monotonic()
        self.lost = False
        parsed = parse_cells(page.html)
        report = PageReport(page=page.name, url=page.url, errors=list(parsed.errors))
        panels = page_panels(parsed, report.errors)
        report.knobs = [KnobsChecked(p.cell, p.name, p.count, p.default) for p in panels]
        loaded: dict[str, list[float | None] | None] = {}
        arrays = load_array_files(parsed.cells, page.url, loaded=loaded) if page.url else ArrayFiles()
        report.errors += arrays.errors
        results: dict[str, dict[str, Any]] | None = None
        try:
            if not arrays.refused:  # the browser would read a refused file without limit
                results = self._run(page, report)
        except BrowserUnavailable as exc:
            self.lost = self.options.remote is not None
            report.errors.append(str(exc))
        except _PageFailed as exc:
            report.errors.append(str(exc))
        defaults = {block: p.variant(p.default) for p in panels for block in p.blocks}
        report.cells += self._check(parsed, results, report, defaults.get)
        if results is not None:
            for checked, panel in zip(report.knobs, panels, strict=True):
                checked.checked.append(panel.default)
        for checked, panel in zip(report.knobs, panels, strict=True):
            self._variants(page, parsed, panel, checked, report, loaded, results is not None)
        for cell in report.cells:
            if not self.options.selection.cell_selected(report.page, cell.name):
                cell.status, cell.note, cell.mismatches = "skipped", "not selected by --cell", []
        self._collect_console(report)
        if not report.passed:
            self._save_artifacts(report)
        if self._stuck:
            self.discard()
        report.seconds = time.monotonic() - started
        if self.options.progress and not self.lost:  # a lost page's report waits for its retry
            self.options.progress(report)
        return report

    def _check(
        self, parsed: PageCells, results: dict[str, dict[str, Any]] | None, report: PageReport,
        variant_of: Callable[[str], Variant | None], note: str | None = None,
        only: frozenset[str] | None = None,
    ) -> list[CellReport]:
        """Every cell and numeric question of ``parsed`` (of the blocks ``only`` names, when
        given) compared with ``results``, each labelled with ``variant_of`` its block's id.
        ``results`` ``None``: none ran, and each is skipped with ``note`` (default: the page
        failed)."""
        cells = []
        for spec in parsed.cells:
            if only is not None and str(spec.get("id")) not in only:
                continue
            cell = self._cell_report(spec, results, parsed.datasets, note)
            cell.variant = variant_of(cell.cell_id)
            cells.append(cell)
        by_id = {str(c.get("id")): c for c in parsed.cells}
        epsilon = (report.environment or {}).get("epsilon")
        for quiz, question in numeric_questions(parsed):
            if only is not None and str(quiz.get("id")) not in only:
                continue
            cell = self._question_report(quiz, question, by_id, results, epsilon, note)
            cell.variant = variant_of(str(quiz.get("id")))
            cells.append(cell)
        for entry, bound in bound_values(parsed):  # results rows and inline values
            owner = bound_owner(entry)
            if only is not None and owner not in only:
                continue
            check = check_bound(entry, bound, by_id, results, epsilon, parsed.datasets, note)
            entry.variant = variant_of(owner)
            cells.append(entry if check is None else _judge(entry, check))
        return cells

    def _variants(
        self, page: Page, parsed: PageCells, panel: Panel, checked: KnobsChecked, report: PageReport,
        loaded: dict[str, list[float | None] | None], page_ran: bool,
    ) -> None:
        """Check the chosen variants of one knob cell in the page's browser, then set the
        cell back to its default variant."""
        chosen = choose(panel, self.options.variants)
        wanted = self._blocks_selected(report.page, parsed, panel)
        blocks = frozenset(panel.blocks)  # a variant's run checks what it changes
        self._moved = False
        for index in chosen:
            variant = panel.variant(index)
            if not page_ran or self.lost or not wanted or page.url is None:
                note = None if wanted else "not selected by --cell"
                report.cells += self._check(parsed, None, report, _always(variant), note, blocks)
                continue
            try:
                shown = read_variant(panel, index, page.url)
                variant_parsed = parse_cells(substitute(page.html, shown.blocks))
            except VariantUnavailable as exc:
                report.errors.append(f"{variant.label}: {exc}")
                report.cells += self._check(parsed, None, report, _always(variant),
                                            "not run: its variant file cannot be used", blocks)
                continue
            report.errors += [f"{variant.label}: {e}" for e in variant_parsed.errors
                              if e not in parsed.errors]
            arrays = load_array_files(variant_parsed.cells, page.url, loaded=loaded)
            report.errors += [f"{variant.label}: {e}" for e in arrays.errors]
            results = None
            if not arrays.refused:
                try:
                    cells = [str(c.get("id")) for c in variant_parsed.cells if str(c.get("id")) in blocks]
                    results = self._run_variant(page, report, panel, shown.knobs, cells)
                    checked.checked.append(index)
                except BrowserUnavailable as exc:
                    self.lost = self.options.remote is not None
                    report.errors.append(f"{variant.label}: {exc}")
                except _PageFailed as exc:
                    report.errors.append(f"{variant.label}: {exc}")
            report.cells += self._check(variant_parsed, results, report, _always(variant),
                                        "not run: the variant failed", blocks)
        if self._moved and self._driver is not None:
            try:
                self._run_variant(page, report, panel, panel.values(panel.default), None)
            except (BrowserUnavailable, _PageFailed) as exc:
                report.errors.append(f"knobs of {panel.name}: setting them back to the default "
                                     f"variant {panel.default} failed: {exc}")

    def _blocks_selected(self, page: str, parsed: PageCells, panel: Panel) -> bool:
        """Whether ``--cell`` selects a cell or numeric question in a block the knobs change
        (without ``--cell``: always)."""
        if not self.options.selection.cells:
            return True
        blocks = set(panel.blocks)
        names = [str(c.get("name", "?")) for c in parsed.cells if str(c.get("id")) in blocks]
        names += [_question_entry(quiz, question).name for quiz, question in numeric_questions(parsed)
                  if str(quiz.get("id")) in blocks]
        return any(self.options.selection.cell_selected(page, name) for name in names)

    def _run(self, page: Page, report: PageReport) -> dict[str, dict[str, Any]]:
        return self._answers(self._guarded(report, lambda d, t: self._steps(d, page, report, t)))

    def _run_variant(
        self, page: Page, report: PageReport, panel: Panel, knobs: dict[str, Any], cells: list[str] | None
    ) -> dict[str, dict[str, Any]]:
        """Switch the page to a variant with ``setKnobs()``, then run the ``cells`` its knobs
        change (the page replays the cells above them that they need; ``None``: run none),
        with a page timeout of its own; a browser lost by an earlier variant is replaced and
        the page opened again first."""
        reopen = self._driver is None

        def steps(driver: WebDriver, deadline: float) -> Any:
            if reopen:
                self._open(driver, page, report, deadline)
                self._moved = False
            self._step = f"setKnobs({panel.cell!r}, …)"
            self._call(driver, "setKnobs", deadline, [panel.cell, knobs])
            self._moved = True
            if cells is None:
                return []
            self._step = f"run() of the {len(cells)} cells the knobs of {panel.name!r} change"
            return self._examples(driver, page, self._call(driver, "runCells", deadline, [cells]), deadline)

        return self._answers(self._guarded(report, steps))

    def _answers(self, value: Any) -> dict[str, dict[str, Any]]:
        try:
            return check_results(value)
        except MalformedAnswer as exc:
            raise _PageFailed(f"malformed answer from the page: {exc}") from None

    def _guarded(self, report: PageReport, steps: Callable[[WebDriver, float], Any]) -> Any:
        """Run ``steps`` within the page timeout, the watchdog armed; a failure, hang or
        crash becomes :class:`_PageFailed` with what the page was doing."""
        driver = self.driver()
        timeout = self.options.page_timeout
        self._step = "the page to load"
        watchdog = _Watchdog(None if self.options.remote else driver, timeout + HANG_GRACE_S)
        try:
            with watchdog:
                value = steps(driver, time.monotonic() + timeout)
        except (WebDriverException, HTTPError, OSError, _PageFailed) as exc:
            set_command_timeout(driver, COMMAND_TIMEOUT_S)
            if isinstance(exc, _PageFailed) and not watchdog.fired.is_set():
                raise
            if watchdog.fired.is_set():
                message = self._hung_message(timeout)
            elif self._missed_deadline(exc):
                message = (f"the page hung: the browser gave no answer within the page timeout "
                           f"({timeout:g} s) while waiting for {self._step}; it was killed")
            elif isinstance(exc, TimeoutException):
                message = f"timed out after {timeout:g} s waiting for {self._step}"
            else:
                first_line = (str(getattr(exc, "msg", None) or exc).strip().splitlines() or [""])[0]
                message = f"browser failed while waiting for {self._step}: {first_line}"
                self.lost = self._session_gone(driver)
            self._screenshot_then_discard(report, photograph=not (watchdog.fired.is_set() or self._stuck))
            raise _PageFailed(message) from exc
        set_command_timeout(driver, COMMAND_TIMEOUT_S)
        if watchdog.fired.is_set():
            self._screenshot_then_discard(report, photograph=False)
            raise _PageFailed(self._hung_message(timeout))
        return value

    def _session_gone(self, driver: WebDriver) -> bool:
        """Whether a Grid session whose command failed no longer answers at all (its node
        died, or its browser): the page did not fail, the session was lost. A local
        browser's crash stays the page's failure."""
        if self.options.remote is None:
            return False
        try:
            driver.current_url  # noqa: B018 - the cheapest command a session answers
        except (WebDriverException, HTTPError, OSError):
            return True
        return False

    def _hung_message(self, timeout: float) -> str:
        return (
            f"the page hung: no answer for {timeout + HANG_GRACE_S:g} s while waiting for "
            f"{self._step} (a blocked main thread?); its tab was closed"
        )

    def _steps(self, driver: WebDriver, page: Page, report: PageReport, deadline: float) -> Any:
        """Load the page, wait for the API, check the backend, run every cell."""
        self._open(driver, page, report, deadline)
        self._step = "runAll()"
        return self._examples(driver, page, self._call(driver, "runAll", deadline), deadline)

    def _examples(self, driver: WebDriver, page: Page, results: Any, deadline: float) -> Any:
        """The examples of the predict cells that ran, predicted with predictInput() (examples.py)."""
        wanted = example_inputs(parse_cells(page.html).cells, results)
        if not wanted:
            return results
        self._step = "window.mlpages.predictInput() of the examples"
        return attach_examples(results, self._call(driver, EXAMPLES_STEP, deadline, [wanted]))

    def _open(self, driver: WebDriver, page: Page, report: PageReport, deadline: float) -> None:
        """Load the page, wait for the API, check the backend."""
        self._step = "the page to load"
        self._bound_by(driver, deadline)
        driver.set_page_load_timeout(self.options.page_timeout)
        driver.get(page.url or "")
        self._step = "window.mlpages"
        self._bound_by(driver, deadline)
        wait = min(max(deadline - time.monotonic(), 0.1), API_WAIT_S)
        try:
            WebDriverWait(driver, wait, 0.1).until(lambda d: d.execute_script(_HAS_API))
        except TimeoutException:
            raise _PageFailed(
                f"window.mlpages did not appear within {wait:.0f} s: "
                "is the mlpages runtime loaded on this page?"
            ) from None
        self._step = "window.mlpages.ready and environment()"
        environment = self._call(driver, "environment", deadline)
        if environment is None:
            raise _PageFailed("environment() returned nothing: the runtime did not start the page")
        try:
            report.environment = check_environment(environment)
        except MalformedAnswer as exc:
            raise _PageFailed(f"malformed answer from the page: {exc}") from None
        backend = report.environment["backend"]
        if backend not in self.options.backends:
            raise _PageFailed(
                f"wrong backend: the page runs on {backend!r}, "
                f"accepted: {', '.join(self.options.backends)}"
            )

    def _call(self, driver: WebDriver, step: str, deadline: float, args: list[Any] | None = None) -> Any:
        self._bound_by(driver, deadline)
        driver.set_script_timeout(max(deadline - time.monotonic(), 0.1))
        text = driver.execute_async_script(_CALL_API, step, args or [])
        if not isinstance(text, str):
            raise _PageFailed(f"{step}(): no answer from the page")
        try:
            answer = json.loads(text)
        except ValueError:
            answer = None  # the page replaced JSON.stringify, say
        if not isinstance(answer, dict):
            raise _PageFailed(f"{step}(): unreadable answer from the page: {text[:80]!r}")
        if not answer.get("ok"):
            raise _PageFailed(f"{step}() failed: {answer.get('error')}")
        return answer.get("value")

    def _cell_report(
        self, spec: dict[str, Any], results: dict[str, dict[str, Any]] | None, datasets: dict,
        note: str | None = None,
    ) -> CellReport:
        cell = _cell_entry(spec)
        if results is None:
            cell.status, cell.note = "skipped", note or "not run: the page failed"
            return cell
        result = results.get(cell.cell_id)
        total_ms = ((result or {}).get("timings") or {}).get("totalMs")
        cell.time_ms = float(total_ms) if isinstance(total_ms, int | float) else None
        check = check_cell(spec, result, datasets)
        cell.banded = check.banded
        limit = self.options.cell_timeout
        if limit is not None and cell.time_ms is not None and cell.time_ms > limit * 1000:
            cell.status = "error"
            cell.note = f"took {cell.time_ms / 1000:.1f} s, over the cell timeout of {limit:g} s"
        return _judge(cell, check)

    def _question_report(
        self, quiz: dict[str, Any], question: dict[str, Any], cells: dict[str, dict[str, Any]],
        results: dict[str, dict[str, Any]] | None, epsilon: Any, note: str | None = None,
    ) -> CellReport:
        """A numeric quiz question, checked against the cell it is bound to."""
        cell = _question_entry(quiz, question)
        if results is None:
            cell.status, cell.note = "skipped", note or "not checked: the page failed"
            return cell
        cell_id = str((question.get("from") or {}).get("cell"))
        check = check_number_question(quiz, question, cells.get(cell_id), results.get(cell_id), epsilon)
        return _judge(cell, check)

    def _collect_console(self, report: PageReport) -> None:
        if self._driver is None or self._stuck:
            return
        # Chromium's own driver reads the console log; a Grid's `webdriver.Remote` has no
        # such command.
        get_log = getattr(self._driver, "get_log", None)
        if get_log is None:
            return
        try:
            report.console += get_log("browser")
        except Exception as exc:  # noqa: BLE001 - a Grid or a dead browser may not offer logs
            self._missed_deadline(exc)

    def _screenshot_then_discard(self, report: PageReport, photograph: bool = True) -> None:
        """Keep what a hung or crashed page shows, then drop its browser."""
        self._collect_console(report)
        self._save_artifacts(report, photograph)
        self.discard()

    def _save_artifacts(self, report: PageReport, photograph: bool = True) -> None:
        if report.artifacts:
            return
        folder = self.options.artifacts
        folder.mkdir(parents=True, exist_ok=True)
        stem = folder / (re.sub(r"[^A-Za-z0-9._-]+", "-", report.page).strip("-") or "page")
        if self._driver is not None and photograph and not self._stuck:
            try:
                if self._driver.save_screenshot(f"{stem}.png"):
                    report.artifacts.append(f"{stem}.png")
            except Exception as exc:  # noqa: BLE001 - a crashed page cannot be photographed
                self._missed_deadline(exc)
        log = stem.with_name(stem.name + ".console.txt")
        log.write_text(format_console(report.console) + "\n", encoding="utf-8")
        report.artifacts.append(str(log))


def numeric_questions(parsed: PageCells) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """The page's numeric quiz questions, each with its quiz: the questions verify checks."""
    return [
        (quiz, question)
        for quiz in parsed.quizzes
        for question in quiz.get("questions") or []
        if isinstance(question, dict) and question.get("type") == "number"
    ]


def _cell_entry(spec: dict[str, Any]) -> CellReport:
    """A cell's report before anything is checked: its id, name and kind."""
    return CellReport(
        cell_id=str(spec.get("id", "?")), name=str(spec.get("name", "?")), kind=str(spec.get("kind", "?"))
    )


def _question_entry(quiz: dict[str, Any], question: dict[str, Any]) -> CellReport:
    """A numeric question's report before anything is checked: ``<quiz>/<question id>``."""
    qid = re.sub(r"[^A-Za-z0-9_-]+", "-", str(question.get("id", "?")))
    return CellReport(cell_id=f"{quiz.get('id', '?')}-{qid}",
                      name=f"{quiz.get('name', '?')}/{question.get('id', '?')}", kind="quiz")


def _always(variant: Variant) -> Callable[[str], Variant | None]:
    """Labels every block with ``variant`` (a variant's run: all its cells ran in it)."""
    return lambda _: variant


def page_panels(parsed: PageCells, errors: list[str] | None = None) -> list[Panel]:
    """The page's knob cells; a malformed knobs spec is an error in ``errors``, and has no
    variants verify can check."""
    panels = []
    for spec in parsed.knobs:
        try:
            panels.append(read_panel(spec))
        except ValueError as exc:
            label = spec.get("cell") or spec.get("id") if isinstance(spec, dict) else None
            if errors is not None:
                errors.append(f"knobs {label or '?'}: malformed spec: {exc}")
    return panels


def page_entries(html: str, variants: int | None = DEFAULT_SAMPLE) -> list[CellReport]:
    """What verify checks on a page, in the order its report lists them: every cell, then
    every numeric quiz question, results row and inline value, each as a report not yet run
    (id, name, kind, and the default variant of a block that knobs change); then, for each
    variant of each knob cell that ``variants`` chooses (:func:`mlpages.verify.knobs.choose`),
    the same for the blocks that its knobs change."""
    parsed = parse_cells(html)
    panels = page_panels(parsed)
    owners = [str(spec.get("id")) for spec in parsed.cells]
    owners += [str(quiz.get("id")) for quiz, _ in numeric_questions(parsed)]
    owners += [bound_owner(entry) for entry, _ in bound_values(parsed)]

    def entries(variant_of: Callable[[str], Variant | None], only: frozenset[str] | None = None
                ) -> list[CellReport]:
        found = [_cell_entry(spec) for spec in parsed.cells]
        found += [_question_entry(quiz, question) for quiz, question in numeric_questions(parsed)]
        found += [entry for entry, _ in bound_values(parsed)]
        for entry, owner in zip(found, owners, strict=True):
            entry.variant = variant_of(owner)
        return [e for e, owner in zip(found, owners, strict=True) if only is None or owner in only]

    defaults = {block: p.variant(p.default) for p in panels for block in p.blocks}
    listed = entries(defaults.get)
    for panel in panels:
        for index in choose(panel, variants):
            listed += entries(_always(panel.variant(index)), frozenset(panel.blocks))
    return listed


def _judge(cell: CellReport, check: CellCheck) -> CellReport:
    """The cell's status and note from what the comparison found."""
    cell.mismatches, cell.max_rel_diff = check.mismatches, check.max_rel_diff
    if any(m.category == "mismatch" for m in check.mismatches):
        cell.status = "mismatch"
        quantities = dict.fromkeys(m.quantity for m in check.mismatches)
        cell.note = f"{len(check.mismatches)} mismatched: {', '.join(quantities)}"
    elif check.mismatches:
        cell.status = "error"
        cell.note = check.mismatches[0].reason or "error"
    return cell


def _is_url(target: str) -> bool:
    return target.startswith(("http://", "https://"))


def _work(pages: queue.Queue[tuple[int, Page]], reports: list, session: _Session, tries: list[int],
          refused: list[str]) -> None:
    """Run pages from the queue until it is empty. A page whose Grid session was lost goes
    back to the queue (at most :data:`SESSION_RETRIES` times), and this worker starts a new
    session before it takes another page; a Grid that refuses it ends the worker, its
    reason in ``refused``, and the others run what is left."""
    try:
        while True:
            if session.lost:
                session.lost = False
                try:
                    session.driver()
                except BrowserUnavailable as exc:
                    refused.append(str(exc))
                    return
            try:
                index, page = pages.get_nowait()
            except queue.Empty:
                return
            done = session.verify(page)
            if session.lost and tries[index] < SESSION_RETRIES:
                tries[index] += 1
                pages.put((index, page))
                continue
            if session.lost and session.options.progress:
                session.options.progress(done)  # its last try: the report stands
            reports[index] = done
    finally:
        session.discard()


def find_pages(target: str) -> list[Page]:
    """The pages with cells of a site directory or a deployed site's URL (not yet served).

    Raises:
        SiteUnavailable: The directory is missing or the URL cannot be reached.
    """
    return find_pages_at_url(target) if _is_url(target) else find_pages_in_dir(target)


def _make_options(options: dict[str, Any]) -> Options:
    opts = Options(**options)
    if isinstance(opts.artifacts, str):
        opts = dataclasses.replace(opts, artifacts=Path(opts.artifacts))
    return opts


def _serve_pages(
    target: str, pages: list[Page], opts: Options
) -> tuple[list[Page], Callable[[], None] | None]:
    """The pages with the URLs the browser opens: a site directory is served on 127.0.0.1
    (all interfaces with ``serve_host``) until the returned function is called."""
    if _is_url(target):
        return pages, None
    bind = "0.0.0.0" if opts.serve_host else "127.0.0.1"
    base, stop = serve_background(target, host=bind, public_host=opts.serve_host)
    return [dataclasses.replace(p, url=base + urllib.parse.quote(p.name)) for p in pages], stop


class PageRunner:
    """Runs the pages of one site one at a time, each at most once, when a caller asks for
    its report (the pytest plugin asks when a page's first test runs).

    The site is served and the browser started at the first page; :meth:`close` ends
    both. A missing browser or a server that cannot start is that page's error. A page
    whose Grid session was lost runs again on a new one, as in :func:`run_verify`.
    """

    def __init__(self, target: str | Path, **options: Any) -> None:
        """Find the site's pages.

        Args:
            target: A site directory, or an ``http(s)://`` URL.
            **options: The fields of :class:`Options` (``workers`` is not used).

        Raises:
            SiteUnavailable: The site cannot be read.
        """
        self.target = str(target)
        self.options = _make_options(options)
        self.pages = find_pages(self.target)
        self._served: dict[str, Page] | None = None
        self._stop: Callable[[], None] | None = None
        self._session = _Session(self.options)
        self._reports: dict[str, PageReport] = {}

    def report(self, name: str) -> PageReport:
        """The report of the page named ``name`` (as in :attr:`pages`), run on first request."""
        if name not in self._reports:
            self._reports[name] = self._run(name)
        return self._reports[name]

    def _run(self, name: str) -> PageReport:
        if self._served is None:
            try:
                pages, self._stop = _serve_pages(self.target, self.pages, self.options)
            except OSError as exc:
                return PageReport(page=name, errors=[f"cannot serve {self.target}: {exc}"])
            self._served = {page.name: page for page in pages}
        for _ in range(SESSION_RETRIES):  # a lost Grid session: again, on a new one
            done = self._session.verify(self._served[name])
            if not self._session.lost:
                return done
        return self._session.verify(self._served[name])

    def close(self) -> None:
        """Quit the browser and stop serving the site."""
        self._session.discard()
        if self._stop is not None:
            self._stop()
            self._stop = None


def run_verify(target: str | Path, **options: Any) -> Report:
    """Verify every page with cells of a built site directory or a deployed site's URL.

    Args:
        target: A site directory, or an ``http(s)://`` URL.
        **options: The fields of :class:`Options`.

    Returns:
        The report; its ``exit_code`` is what ``mlpages verify`` exits with.
    """
    opts = _make_options(options)
    target = str(target)
    report = Report(target=target)
    try:
        pages = find_pages(target)
    except SiteUnavailable as exc:
        report.environment_error = str(exc)
        return report
    if not pages:
        report.environment_error = f"no pages with cells found in {target}"
        return report
    reader = InputReader(target)
    inputs = {page.name: page_inputs(page, reader) for page in pages}
    skipped: dict[str, PageReport] = {}
    for page in pages:
        entries = page_entries(page.html, opts.variants)
        digest = inputs[page.name]["digest"]
        panels = page_panels(parse_cells(page.html))
        wanted = {p.cell: [p.default, *choose(p, opts.variants)] for p in panels}
        note = skip_note(opts.selection, page.name, [e.name for e in entries], digest, wanted)
        if note is not None:
            for entry in entries:
                entry.status, entry.note = "skipped", note
            # Verified at these inputs by the earlier run, whatever else deselects it now.
            verified = opts.selection.unchanged(page.name, digest, wanted)
            # What the earlier run checked at these inputs, when it stands for this one.
            before = (opts.selection.previous or {}).get(page.name) if verified else None
            knobs = [KnobsChecked(p.cell, p.name, p.count, p.default,
                                  sorted(before.variants.get(p.cell, ())) if before else [])
                     for p in panels]
            skipped[page.name] = PageReport(page=page.name, cells=entries, skipped=note, knobs=knobs,
                                            verified=verified)
            if opts.progress:
                opts.progress(skipped[page.name])
    ran = _run_pages(target, [p for p in pages if p.name not in skipped], opts, report)
    for done in ran:
        done.verified = done.passed and not any(c.status == "skipped" for c in done.cells)
    by_name = {done.page: done for done in ran} | skipped
    report.pages = [by_name[page.name] for page in pages if page.name in by_name]
    for done in report.pages:
        done.inputs = inputs[done.page]
    return report


def _run_pages(target: str, pages: list[Page], opts: Options, report: Report) -> list[PageReport]:
    """Serve the site and run ``pages`` with ``opts.workers`` browsers; a browser or server
    that cannot start is ``report``'s environment error."""
    if not pages:
        return []
    stop: Callable[[], None] | None = None
    try:
        pages, stop = _serve_pages(target, pages, opts)
        first = opts.new_driver()
    except (BrowserUnavailable, OSError) as exc:
        if stop is not None:
            stop()
        report.environment_error = str(exc)
        return []
    try:
        work: queue.Queue[tuple[int, Page]] = queue.Queue()
        for item in enumerate(pages):
            work.put(item)
        reports: list[PageReport | None] = [None] * len(pages)
        tries = [0] * len(pages)
        refused: list[str] = []
        workers = max(1, min(opts.workers, len(pages)))
        with ThreadPoolExecutor(workers, thread_name_prefix="mlpages-verify") as pool:
            futures = [
                pool.submit(_work, work, reports, _Session(opts, first if i == 0 else None), tries, refused)
                for i in range(workers)
            ]
            for future in futures:
                future.result()
    finally:
        if stop is not None:
            stop()
    left = [page.name for page, done in zip(pages, reports, strict=True) if done is None]
    if left:  # every worker lost its session and got no new one
        report.environment_error = (f"{len(left)} of {len(pages)} pages did not run: "
                                    f"{refused[-1] if refused else 'no browser session'}")
    return [r for r in reports if r is not None]
