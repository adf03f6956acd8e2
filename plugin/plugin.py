"""The MkDocs plugin: wires MkDocs' hooks to the Markdown extension and ships the runtime."""

from __future__ import annotations

import logging
import re
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlparse

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils.templates import TemplateContext

from . import i18n, prepare, quizindex, searchindex
from .assets import ASSETS, RUNTIME_DIR, VENDOR_TFJS, runtime_files
from .buildorder import exports_first, in_build_reads
from .errors import LOGGER_NAME
from .extension import MlpagesExtension, PageSource, url_prefix, write_exports
from .files import OutsideError, inside
from .limits import Limits
from .memo import PageMemo

# Theme assets (scripts, stylesheets, fonts) that a page loads from another host.
_EXTERNAL = re.compile(r'<(?:script|link)\b[^>]*?\b(?:src|href)="(https?://[^"]+)"', re.I)
log = logging.getLogger(LOGGER_NAME)


class LimitsConfig(base.Config):
    """`limits:`: how much work and data one block may ask of the build (plugin/limits.py)."""

    parameters = c.Type(int, default=Limits.parameters)
    rows = c.Type(int, default=Limits.rows)
    # Named like the `values` key authors write; it hides `Mapping.values` on this class,
    # which mlpages never calls (it reads the options with `dict(...)`).
    values = c.Type(int, default=Limits.values)  # type: ignore[assignment]
    steps = c.Type(int, default=Limits.steps)
    training = c.Type(int, default=Limits.training)
    preview = c.Type(int, default=Limits.preview)
    variants = c.Type(int, default=Limits.variants)
    yaml_depth = c.Type(int, default=Limits.yaml_depth)
    yaml_aliases = c.Type(int, default=Limits.yaml_aliases)
    progress = c.Type((int, float), default=Limits.progress)


class MlpagesConfig(base.Config):
    cache_dir = c.Type(str, default=".mlpages-cache")
    """Where NumPy references are cached, relative to mkdocs.yml."""
    loaders = c.Type(bool, default=True)
    """Allow `loader:` datasets (author Python code run at build)."""
    author_code = c.Type(bool, default=True)
    """Run the author's Python at build time: `loader:` datasets and the NumPy references of
    `tfjs` cells. Turn off for untrusted builds (neither runs; pages that need one say so)."""
    quiz_raw_html = c.Type(bool, default=True)
    """Pass raw HTML in quiz texts through, as in the page's Markdown. Turn off (escape it) for
    courses that take questions from untrusted contributors."""
    limits = c.SubConfig(LimitsConfig)
    """Limits of one block's model size, dataset size and training work."""
    language = c.Type(str, default="")
    """The language of the texts pages show readers (plugin/i18n/<lang>.json); default: the
    theme's (Material's `theme.language`, MkDocs' `theme.locale`)."""
    messages = c.Type(dict, default={})
    """A course's own messages: `{de: {run: Los}}`, or a language mapped to a YAML or JSON file
    of them (relative to mkdocs.yml)."""
    memo = c.Type(bool, default=True)
    """Put back a page's output from the cache folder when the page, the options, mlpages
    and every file its blocks read are unchanged since the build that kept it (plugin/memo.py);
    false: build every page's blocks on every build."""
    workers = c.Type(int, default=0)
    """Processes that compute a cold build's references before MkDocs converts the pages
    (plugin/prepare.py); 0: one per core of the machine, 1: none (the pages compute them)."""


class MlpagesPlugin(BasePlugin[MlpagesConfig]):
    """`plugins: [mlpages]`."""

    def __init__(self) -> None:
        self.ext: MlpagesExtension | None = None
        self.external_hosts: set[str] = set()
        # Which PageStates a page's conversion made: ext.pages grows during Markdown.convert.
        self._sources: dict[str, PageSource] = {}  # src_uri -> the page's source and states
        # The course's quiz index (assets/mlpages/quizzes.json), pages in nav order.
        self._quizzes = quizindex.QuizIndex()
        self._nav_order: dict[str, int] = {}
        self._documents: dict[str, str] = {}  # src_uri -> url of every page of the build
        # src_uri -> the elements hidden from the search plugins while they read the page
        self._hidden: dict[str, list[str]] = {}
        self._options: dict[str, Any] = {}  # the extension's options, for prepare's workers
        self._manifest = prepare.Manifest(None)  # what the last build's pages used
        self._seen_keys: set[str] = set()  # cache keys of the pages already built
        self._pool: prepare.Pool | None = None  # the pages' references, computed in parallel
        self._written: dict[Path, bytes] = {}  # the files pages wrote into the site, this build

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        root = Path(config.config_file_path or ".").resolve().parent
        self.root = root
        try:
            Limits.from_options(dict(self.config.limits))
            messages = i18n.load_overrides(self.config.messages, root)
            i18n.check_overrides(messages)
        except ValueError as exc:
            raise PluginError(f"mlpages: {exc}") from None
        language = self.config.language or _theme_language(config)
        self._options = dict(
            cache_dir=str((root / self.config.cache_dir).resolve()),
            loaders=self.config.loaders,
            author_code=self.config.author_code,
            loader_root=str(root),
            root=str(Path(config.docs_dir).resolve()),
            quizzes_dir=str(root / "quizzes"),
            # Quiz texts are Markdown like the pages around them: same extensions, same options.
            text_extensions=[e for e in config.markdown_extensions if isinstance(e, str)],
            text_extension_configs=dict(config.mdx_configs),
            quiz_raw_html=self.config.quiz_raw_html,
            limits=dict(self.config.limits),
            language=language,
            messages=messages,
        )
        self.ext = MlpagesExtension(**self._options)
        self._manifest = prepare.Manifest(self.ext.cache.directory)
        if self.config.memo and self.ext.cache.directory is not None:
            self.ext.memo = PageMemo(self.ext.cache.directory)
        self._seen_keys = set()
        self._written.clear()  # a site folder MkDocs cleans: nothing written yet
        # MkDocs types the list as names, but hands it to Markdown, which takes instances too.
        config.markdown_extensions.append(self.ext)  # type: ignore[arg-type]
        if not (RUNTIME_DIR / VENDOR_TFJS).is_file():
            log.warning("mlpages: the browser runtime has no vendor/tf.fesm.min.js; "
                        "pages with cells will not run (reinstall mlpages from a wheel)")
        script = c.ExtraScriptValue(f"{ASSETS}/mlpages.js")
        script.type = "module"
        config.extra_javascript.append(script)
        config.extra_css.append(f"{ASSETS}/mlpages.css")
        return config

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        project = Path(config.config_file_path or ".").resolve().parent
        _drop_links_outside(files, Path(config.docs_dir), project)
        for rel, path in runtime_files():
            files.append(File.generated(config, f"{ASSETS}/{rel}", abs_src_path=str(path)))
        return files

    def on_nav(self, nav: Navigation, config: MkDocsConfig, files: Files) -> Navigation:
        self._nav_order = {p.file.src_uri: i for i, p in enumerate(nav.pages)}
        pages = files.documentation_pages()
        self._documents = {f.src_uri: f.url for f in pages}
        # Convert the pages that export a model before the pages whose `from:` reads it
        # (MkDocs converts pages in file order; the nav keeps the author's order).
        ordered = exports_first(pages)
        if ordered != pages:
            for file in pages:
                files.remove(file)
            for file in ordered:
                files.append(file)
        self._prepare(ordered, config)
        return nav

    def _prepare(self, pages: list[File], config: MkDocsConfig) -> None:
        """Start computing the references of the pages whose cache entries are missing in
        parallel processes; each page waits for its own in on_page_markdown (plugin/prepare.py)."""
        assert self.ext is not None
        workers = self.config.workers or prepare.default_workers()
        directory = self.ext.cache.directory
        if workers < 2 or directory is None:
            return
        try:  # a folder that cannot hold entries: the build says so, and keeps them in memory
            directory.mkdir(parents=True, exist_ok=True)
        except OSError:
            return
        reads = in_build_reads(pages)
        jobs = []
        for file in pages:
            if not file.abs_src_path or file.src_uri in reads:
                continue  # a page that reads another page's export waits for that page
            try:
                text = Path(file.abs_src_path).read_text(encoding="utf-8-sig")
            except (OSError, UnicodeDecodeError):
                continue
            if not prepare.computes(text) or self._manifest.current(file.src_uri, text, directory):
                continue
            try:
                display = Path(file.abs_src_path).resolve().relative_to(self.root).as_posix()
            except ValueError:
                display = file.abs_src_path
            jobs.append(prepare.Job(display, file.src_uri, file.abs_src_path, file.dest_uri))
        if not jobs:
            return
        options = prepare.Options(
            extensions=tuple(e for e in config.markdown_extensions if isinstance(e, str)),
            extension_configs=dict(config.mdx_configs), mlpages=self._options,
            memo=self.ext.memo is not None)
        try:
            self._pool = prepare.Pool(jobs, options, workers)
        except Exception as exc:  # noqa: BLE001 (the pages compute their references themselves)
            log.debug(f"mlpages: computing references in parallel failed to start ({exc!r})")

    def _close_pool(self, cancel: bool = False) -> None:
        pool, self._pool = self._pool, None
        if pool is None:
            return
        try:
            converted, jobs, computed, seconds = pool.close(cancel)
        except Exception as exc:  # noqa: BLE001 (the pages computed what was missing)
            log.debug(f"mlpages: the parallel processes failed ({exc!r})")
            return
        if not cancel:
            log.info(f"mlpages: {computed} references computed up front in {pool.processes} "
                     f"processes ({converted} of {jobs} pages, {seconds:.1f} s)")

    def on_build_error(self, error: Exception) -> None:
        self._close_pool(cancel=True)

    def on_page_markdown(self, markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
        assert self.ext is not None
        abs_path = Path(page.file.abs_src_path) if page.file.abs_src_path else None
        text = None
        if abs_path is not None and abs_path.is_file():
            text = abs_path.read_text(encoding="utf-8-sig")
        display = page.file.src_uri
        if abs_path is not None:
            try:
                display = abs_path.relative_to(self.root).as_posix()
            except ValueError:
                display = str(abs_path)
        source = PageSource(
            path=display, src_uri=page.file.src_uri,
            base_dir=abs_path.parent if abs_path is not None else Path(config.docs_dir), text=text,
            url_prefix=url_prefix(page.file.src_uri, page.file.dest_uri),
        )
        self._sources[page.file.src_uri] = source
        if self._pool is not None:  # its references (and output), computed in parallel
            source.prepared = self._pool.wait(page.file.src_uri)
        self.ext.set_page(source)
        return markdown

    # The search plugins (MkDocs' and Material's) index `page.content` in `on_page_context`
    # at the default priority: hide the cells' specs and chrome first, put them back last.
    @event_priority(100)
    def _hide_from_search(self, context: TemplateContext, *, page: Page, config: MkDocsConfig,
                          nav: Navigation) -> TemplateContext:
        if page.content:
            memo = self.ext.memo if self.ext is not None else None
            cuts = (memo.search_cuts(page.file.src_uri, page.content, searchindex.spans)
                    if memo is not None and "mlpages-" in page.content else None)
            page.content, hidden = searchindex.hide(page.content, cuts)
            if hidden:
                self._hidden[page.file.src_uri] = hidden
        return context

    @event_priority(-100)
    def _show_after_search(self, context: TemplateContext, *, page: Page, config: MkDocsConfig,
                           nav: Navigation) -> TemplateContext:
        hidden = self._hidden.pop(page.file.src_uri, None)
        if hidden and page.content is not None:
            page.content, lost = searchindex.restore(page.content, hidden)
            if lost:
                log.warning(f"mlpages: {page.file.src_uri}: {lost} of the page's cells, specs or "
                            "quiz labels are missing: another plugin removed the HTML comments "
                            "that hold their places in page.content during on_page_context")
        return context

    on_page_context = CombinedEvent(_hide_from_search, _show_after_search)

    def on_post_page(self, output: str, page: Page, config: MkDocsConfig) -> str:
        self._record_quizzes(page)
        self._record_keys(page)
        self._write_exports(page, config)
        own = urlparse(config.site_url or "").hostname
        for url in _EXTERNAL.findall(output):
            host = urlparse(url).hostname
            if host and host != own:
                self.external_hosts.add(host)
        return output

    def _record_keys(self, page: Page) -> None:
        """The cache keys the page used, for the next build's :meth:`_prepare`."""
        source = self._sources.get(page.file.src_uri)
        if self.ext is None or source is None or source.text is None:
            return
        cache = self.ext.cache
        keys = cache.used - self._seen_keys
        self._seen_keys |= keys
        keys &= cache.memory.keys()  # found or computed: a key whose block failed is none
        keys |= {key for state in source.states for key in state.reused_keys}  # put back (memo)
        if prepare.computes(source.text):
            self._manifest.record(page.file.src_uri, source.text, keys)

    def _record_quizzes(self, page: Page) -> None:
        """The page's quizzes, for the course-wide progress view (`quiz-progress`)."""
        source = self._sources.get(page.file.src_uri)
        states = source.states if source is not None else []
        quizzes = [spec for state in states for spec in state.specs.values() if spec.get("kind") == "quiz"]
        self._quizzes.record(page.file.src_uri, page.url, page.title or page.file.name, quizzes)

    def _write_exports(self, page: Page, config: MkDocsConfig) -> None:
        """Files that blocks export (`train` `export:`), in the site where the Markdown file's
        folder lands, so that `docs/a/models/x` and an export `models/x` of `docs/a/p.md`
        are the same site path."""
        source = self._sources.pop(page.file.src_uri, None)
        states = source.states if source is not None else []
        md_dir = Path(config.site_dir) / PurePosixPath(page.file.src_uri).parent
        for state in states:
            write_exports(state, md_dir, self._written)

    def on_post_build(self, config: MkDocsConfig) -> None:
        self._close_pool()
        self._sources.clear()
        self._written.clear()
        self._hidden.clear()
        self._quizzes.write(Path(config.site_dir) / ASSETS / quizindex.INDEX, self._documents,
                            self._nav_order)
        if self.external_hosts:
            log.info("mlpages: pages load theme assets from other hosts (%s); the site is not "
                     "self-contained offline (Material: set theme.font: false for its web fonts)",
                     ", ".join(sorted(self.external_hosts)))
            self.external_hosts.clear()
        if self.ext is None:
            return
        self._manifest.write()
        pages = [p for p in self.ext.pages if p.cell_count or p.error_count]
        cells = sum(p.cell_count for p in pages)
        errors = sum(p.error_count for p in pages)
        cache = self.ext.cache
        memo = self.ext.memo
        reused = f"; {memo.reused} pages unchanged, put back whole" if memo else ""
        if memo and memo.prepared:
            reused += f"; {memo.prepared} built by the parallel processes, put back whole"
        log.info(f"mlpages: {cells} cells on {len(pages)} pages, {errors} with errors; "
                 f"references: {cache.hits} cached, {cache.misses} computed{reused}")
        self.ext.pages.clear()
        self.ext.published.clear()
        self.ext.page_ids.clear()

    def on_serve(self, server: Any, config: MkDocsConfig, builder: Any) -> Any:
        quizzes = self.root / "quizzes"
        if quizzes.is_dir():
            server.watch(str(quizzes))
        return server


def _theme_language(config: MkDocsConfig) -> str:
    """The site's language: Material's `theme.language`, else MkDocs' `theme.locale`."""
    theme = config.theme
    language = theme.get("language") if hasattr(theme, "get") else None
    if language:
        return str(language)
    locale = theme.get("locale") if hasattr(theme, "get") else None
    return str(locale) if locale else ""


def _drop_links_outside(files: Files, docs_dir: Path, project: Path) -> None:
    """Leave out of the site every file of the docs folder that is a symlink to something
    outside the project (the folder of `mkdocs.yml`): MkDocs would copy what it points at (any
    file of the machine, or a device that never ends) into the site. A link inside the project
    (`docs/index.md` -> `../README.md`) is kept. Each one left out is a warning, so `--strict`
    fails."""
    root = docs_dir.resolve()
    for file in list(files):
        if file.src_dir is None or Path(file.src_dir).resolve() != root or not file.abs_src_path:
            continue  # a theme's or a generated file
        try:
            inside(Path(file.abs_src_path), project, f"{docs_dir.name}/{file.src_uri}")
        except OutsideError as exc:
            files.remove(file)
            log.warning(f"mlpages: {exc}; it is not published (copy the file into the project instead)")

