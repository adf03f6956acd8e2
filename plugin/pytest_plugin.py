"""``pytest --mlpages SITE_DIR|URL``: every cell and numeric quiz question of a built site
as a pytest test, named ``<page>::<cell>``.

pytest loads this module through the ``pytest11`` entry point in every run of every
project where mlpages is installed. Without ``--mlpages`` it only adds its options: it
collects nothing and imports neither Selenium nor verify.

With ``--mlpages`` the site's items replace pytest's own collection. The items of one
page share one browser run of it: the page runs when its first item runs, and its report
answers the others. Each item carries ``xdist_group(<page>)``, so ``pytest-xdist``'s
``--dist loadgroup`` keeps a page's items on one worker. A failing item shows the lines
``mlpages verify`` prints for it (:mod:`mlpages.verify.report`).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from .verify.report import CellReport, PageReport
    from .verify.runner import PageRunner

_RUNNER: pytest.StashKey[PageRunner] = pytest.StashKey()


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--mlpages`` and the verify options that apply to it."""
    group = parser.getgroup("mlpages", "mlpages: verify a built course's cells as tests")
    group.addoption(
        "--mlpages", metavar="SITE_DIR|URL", default=None,
        help="collect one test per cell and numeric quiz question of this built site or URL "
        "(instead of the usual test files)",
    )
    group.addoption(
        "--mlpages-backend", metavar="NAMES", default="webgl",
        help="TF.js backends a page may run on, comma-separated (default: webgl)",
    )
    group.addoption(
        "--mlpages-page-timeout", metavar="S", type=float, default=300.0,
        help="seconds a page may take from load to its last result (default: 300)",
    )
    group.addoption(
        "--mlpages-cell-timeout", metavar="S", type=float, default=None,
        help="fail a cell whose own run took longer than S seconds (default: no limit)",
    )
    group.addoption(
        "--mlpages-remote", metavar="URL", default=None,
        help="drive a Selenium Grid at URL instead of the local Chromium",
    )
    group.addoption(
        "--mlpages-variants", metavar="all|default|N", default=None,
        help="knob variants checked per train cell with knobs besides the page as served "
        "(default: 2), as verify's --variants",
    )
    group.addoption(
        "--mlpages-artifacts", metavar="DIR", default="mlpages-verify-artifacts",
        help="where screenshots and console logs of failed pages go (default: mlpages-verify-artifacts)",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Register the site collector, only when ``--mlpages`` is given."""
    if config.getoption("mlpages"):
        config.pluginmanager.register(_SitePlugin(config), "mlpages-site")


class _SitePlugin:
    """The hooks that collect and run a site's cells (registered for ``--mlpages`` only)."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection(self, session: pytest.Session) -> bool | None:
        """Collect the site's pages and their cells instead of test files."""
        if session.config.pluginmanager.has_plugin("dsession"):
            return None  # pytest-xdist's controller: its workers collect, and run the pages
        from .cli import variants_option
        from .verify.discover import SiteUnavailable
        from .verify.knobs import DEFAULT_SAMPLE
        from .verify.runner import PageRunner, page_entries

        config = session.config
        chosen = config.getoption("mlpages_variants")
        try:
            variants = DEFAULT_SAMPLE if chosen is None else variants_option(str(chosen))
        except argparse.ArgumentTypeError as exc:
            raise pytest.UsageError(f"--mlpages-variants: {exc}") from None
        backends = tuple(n.strip() for n in str(config.getoption("mlpages_backend")).split(",") if n.strip())
        try:
            runner = PageRunner(
                config.getoption("mlpages"),
                backends=backends or ("webgl",),
                page_timeout=config.getoption("mlpages_page_timeout"),
                cell_timeout=config.getoption("mlpages_cell_timeout"),
                remote=config.getoption("mlpages_remote"),
                artifacts=Path(config.getoption("mlpages_artifacts")),
                variants=variants,
            )
        except SiteUnavailable as exc:
            raise pytest.UsageError(f"--mlpages: {exc}") from None
        if not runner.pages:
            raise pytest.UsageError(f"--mlpages: no pages with cells found in {runner.target}")
        config.stash[_RUNNER] = runner
        items: list[pytest.Item] = []
        for page in runner.pages:
            collector = PageCollector.from_parent(session, name=page.name, nodeid=page.name)
            # A page with only author error blocks has nothing to check: its errors are its test.
            entries: list[tuple[str, str | None, tuple[str, int] | None]] = (
                [(_item_name(e), e.cell_id, _variant_key(e)) for e in page_entries(page.html, variants)]
                or [("(page)", None, None)])
            page_items: list[pytest.Item] = []
            for name, cell_id, variant in entries:
                item = CellItem.from_parent(collector, name=name, page=page.name, cell_id=cell_id,
                                            variant=variant)
                item.add_marker(pytest.mark.xdist_group(page.name))
                page_items.append(item)
            # What pytest's own collection reports per file: counted by the terminal, and
            # remembered by --lf.
            session.ihook.pytest_collectreport(
                report=pytest.CollectReport(collector.nodeid, "passed", None, list(page_items))
            )
            items += page_items
        config.hook.pytest_collection_modifyitems(session=session, config=config, items=items)
        session.items = items
        session.testscollected = len(items)
        config.hook.pytest_collection_finish(session=session)
        return True

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        """Quit the browser and stop the server."""
        runner = config.stash.get(_RUNNER, None)
        if runner is not None:
            runner.close()


class PageCollector(pytest.Collector):
    """A page of the site; its items are collected with it (see ``pytest_collection``)."""

    def collect(self) -> list[pytest.Item]:
        """Unused: the plugin builds the items itself."""
        return []


class CellFailed(Exception):
    """A cell or question did not pass; the message is verify's lines for it."""


class CellItem(pytest.Item):
    """One cell or numeric quiz question of a page (``cell_id`` ``None``: the page itself),
    in the page as served or (``variant``: the knob cell's id and the variant) in a variant
    of its knobs."""

    def __init__(self, *, page: str, cell_id: str | None, variant: tuple[str, int] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.page = page
        self.cell_id = cell_id
        self.variant = variant

    def runtest(self) -> None:
        """Run the page (once for all its items) and fail with verify's lines for this cell."""
        from .verify.report import page_failure_text

        page = self.config.stash[_RUNNER].report(self.page)
        lines = page_failure_text(_page_level(page)) if page.errors else []
        cell = next((c for c in page.cells
                     if c.cell_id == self.cell_id and _variant_key(c) == self.variant), None)
        if self.cell_id is not None:
            lines += _cell_lines(page, cell, self.cell_id)
        if lines:
            raise CellFailed("\n".join(lines))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        """verify's lines, without a Python traceback."""
        if isinstance(excinfo.value, CellFailed):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo, style))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        """Where the item is reported: the page and the cell."""
        return self.path, None, f"page {self.page}, cell {self.name}"


def _variant_key(cell: CellReport) -> tuple[str, int] | None:
    """Which run of the page a cell's report is of: ``None`` the page as served, else the
    knob cell and the variant."""
    variant = cell.variant
    return None if variant is None or variant.default else (variant.cell, variant.index)


def _item_name(cell: CellReport) -> str:
    """The item's name: the cell's, and in a knob variant ``fit [variant 3 of fit (epochs 10, …)]``."""
    variant = cell.variant
    return cell.name if variant is None or variant.default else f"{cell.name} [{variant.label}]"


def _page_level(page: PageReport) -> PageReport:
    """The page's own errors and artifacts, without its cells' lines (each item adds its own)."""
    from .verify.report import PageReport

    return PageReport(page=page.page, errors=page.errors, artifacts=page.artifacts)


def _cell_lines(page: PageReport, cell: CellReport | None, cell_id: str) -> list[str]:
    """verify's lines for one cell: its mismatches, or why it could not be compared."""
    from .verify.report import mismatch_lines

    if cell is None:
        return [f"{page.page}: cell {cell_id}: not in verify's report of the page"]
    if cell.status == "passed":
        return []
    if cell.mismatches:
        return mismatch_lines(page.page, cell.mismatches, cell.variant)
    what = {"quiz": "quiz question", "results": "results row", "value": "inline value"}.get(cell.kind, "cell")
    where = f"{page.page}: {cell.variant.label}" if cell.variant is not None else page.page
    return [f"{where}: {what} {cell.name} ({cell.cell_id}): {cell.status}: {cell.note}"]
