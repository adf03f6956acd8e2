"""The Python-Markdown extension: mlpages' fenced blocks through pymdownx.superfences.

Usable from `markdown_extensions:` alone (`mlpages`); the MkDocs plugin adds assets,
the on-disk cache and the build summary on top. Under Zensical, which runs Markdown
extensions but no MkDocs plugins, the extension learns the page and the project's folders
from Zensical itself and writes the page's files into the site (docs/reference/zensical.md).
Fences are collected while Markdown parses (nested ones arrive late), then built in
document order by a postprocessor so that every block sees the blocks above it.
"""

from __future__ import annotations

import inspect
import json
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markdown import Extension, Markdown
from markdown.postprocessors import Postprocessor
from markdown.preprocessors import Preprocessor

from . import __version__, i18n, inline, quizdown
from .blocks import BLOCKS
from .cache import ResultCache
from .contract import SCHEMA, PageMeta
from .errors import get_logger
from .html import json_script
from .limits import Limits
from .locate import FenceIndex
from .memo import Output, PageMemo, recording
from .page import Export, PageState, SiteFolders, slugify
from .render import Slot, build_slots
from .text import TextRenderer

_SLOT = re.compile(r'<div data-mlpages-slot="(\d+)"></div>')


@dataclass
class PageSource:
    """Where the page being converted comes from (set by the MkDocs plugin per page)."""

    path: str = "<markdown>"
    src_uri: str = "page.md"
    base_dir: Path = field(default_factory=Path.cwd)
    text: str | None = None  # the whole file, front matter included, for line numbers
    # From the URL directory of the page's HTML to the directory of its Markdown file, for
    # links to files written next to the Markdown (exports): "../" under MkDocs' directory URLs.
    url_prefix: str = ""
    link_prefix: str | None = None  # the same for `<a href>` links, where it differs (PageState)
    states: list[PageState] = field(default_factory=list)  # what converting this source built
    prepared: bool = False  # a worker of this build converted it first (plugin/prepare.py)


@dataclass
class _Conversion:
    """State of one `Markdown.convert` call."""

    page: PageState
    index: FenceIndex
    slots: list[Slot] = field(default_factory=list)
    values: list[inline.InlineValue] = field(default_factory=list)  # `{mlpages …}` in prose
    lines: inline.LineFinder | None = None  # their lines in the file


class MlpagesExtension(Extension):
    """Registers the `dataset`, `model`, `train`, `predict` and `quiz` fences."""

    def __init__(self, **kwargs: Any) -> None:
        self.config = {
            "cache_dir": ["", "Directory for cached references ('' keeps them in memory only)"],
            "loaders": [True, "Allow `loader:` datasets, which run Python code at build time"],
            "author_code": [True, "Run the author's Python at build time: `loader:` datasets and the "
                                  "NumPy references of `tfjs` cells (False: neither runs)"],
            "base_dir": ["", "Directory that relative paths in blocks are resolved against"],
            "root": ["", "Directory that every file a block reads (csv, from: and its weight files) "
                         "must lie inside, symlinks resolved (default: the folder relative paths are "
                         "resolved against; the MkDocs plugin: docs_dir)"],
            "loader_root": ["", "Directory on the import path of `loader:` modules "
                                "(the MkDocs plugin: mkdocs.yml's folder)"],
            "script": ["", "URL of mlpages.js to add to pages with cells or quizzes "
                           "(the MkDocs plugin adds it itself)"],
            "quizzes_dir": ["", "Directory of the quiz banks that `include: quizzes/<bank>.yml` names "
                                "(default: quizzes/ under base_dir)"],
            "text_extensions": [[], "Markdown extensions for quiz texts (default: code, tables, math)"],
            "text_extension_configs": [{}, "Options of text_extensions, by extension name"],
            "quiz_raw_html": [True, "Pass raw HTML in quiz texts through (False: escape it, for "
                                    "questions from untrusted authors)"],
            "limits": [{}, "Limits of one block's work and data, by name (plugin/limits.py); "
                           "the rest keep their defaults"],
            "language": ["", "Language of the texts pages show readers (plugin/i18n; default: the "
                             "theme's language, under Zensical its configuration's theme.language, "
                             "else English)"],
            "messages": [{}, "A course's own messages, by language and message id "
                             "({de: {run: Los}}; plugin/i18n/en.json lists the ids)"],
        }
        super().__init__(**kwargs)
        self.limits = Limits.from_options(self.getConfig("limits"))
        self.overrides = i18n.check_overrides(self.getConfig("messages"))
        self.source = PageSource()
        self.told = False  # whether set_page named the pages (else Zensical may, see _zensical_page)
        cache_dir = self.getConfig("cache_dir")
        self.cache = ResultCache(Path(cache_dir) if cache_dir else None)
        self.pages: list[PageState] = []
        self.memo: PageMemo | None = None  # set by the MkDocs plugin (plugin/memo.py)
        self.published: dict[Path, Export] = {}  # every page's exports, by absolute folder
        self.page_ids: dict[str, str] = {}  # page slug -> the page whose blocks use it
        self.text = TextRenderer(self.getConfig("text_extensions") or None,
                                 self.getConfig("text_extension_configs"),
                                 raw_html=bool(self.getConfig("quiz_raw_html")))

    def set_page(self, source: PageSource) -> None:
        """Tell the extension which file the next conversion is (MkDocs plugin)."""
        self.source = source
        self.told = True

    def memo_parts(self, state: _Conversion, slots: list[Slot], text: str) -> dict[str, Any]:
        """What a page's output depends on besides the files its blocks read: the page memo's
        key (plugin/memo.py)."""
        src, page = self.source, state.page
        options = {name: self.getConfig(name) for name in self.config if name != "cache_dir"}
        return {
            "page": [src.path, src.src_uri, str(page.base_dir), page.url_prefix, page.link_prefix],
            "text": src.text,
            "options": json.loads(json.dumps(options, sort_keys=True, default=_plain)),
            "language": i18n.current().language,
            "slots": [[s.index, s.kind, s.src, s.line, s.keyed] for s in slots],
            "values": [[v.index, v.expression, v.line] for v in state.values],
            "placed": inline.PLACEHOLDER.findall(text),
        }

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 (Python-Markdown's name)
        md.registerExtension(self)
        if "fenced_code_block" not in md.preprocessors:
            md.registerExtensions(["pymdownx.superfences"], {})
        md.preprocessors.register(_Start(md, self), "mlpages_start", 35)
        # After _Start (which indexes the original text), before superfences (25).
        md.preprocessors.register(_Quizdown(md), "mlpages_quizdown", 34)
        # After superfences (25) has set fenced blocks aside, before raw HTML blocks (20).
        md.preprocessors.register(_Inline(md), "mlpages_inline", 24)
        md.postprocessors.register(_Finish(md, self), "mlpages_finish", 5)

    def new_conversion(self, md: Markdown, lines: list[str]) -> _Conversion:
        folders = None
        # Defaults of the options the MkDocs plugin passes, where Zensical tells the project.
        defaults: dict[str, Path | None] = {"quizzes_dir": None, "loader_root": None, "root": None}
        zensical = None if self.told else _zensical_page(md)
        language = self.getConfig("language")
        if zensical is not None:
            self.source, folders, project = _zensical_source(*zensical)
            defaults = {"quizzes_dir": project / "quizzes", "loader_root": project, "root": folders.docs_dir}
            theme = zensical[1].get("theme")
            if not language and isinstance(theme, dict):
                language = theme.get("language") or theme.get("locale") or ""
        messages = i18n.resolve(language or i18n.DEFAULT, self.overrides)
        i18n.set_current(messages, self.overrides)
        src = self.source
        base_dir = Path(self.getConfig("base_dir")) if self.getConfig("base_dir") else src.base_dir

        def option(name: str) -> Path | None:
            return Path(self.getConfig(name)) if self.getConfig(name) else defaults[name]

        page = PageState(
            path=src.path, slug=slugify(src.src_uri), base_dir=base_dir, cache=self.cache,
            allow_loaders=bool(self.getConfig("loaders")),
            allow_author_code=bool(self.getConfig("author_code")), text=self.text,
            quizzes_dir=option("quizzes_dir"),
            published=self.published, page_ids=self.page_ids, url_prefix=src.url_prefix,
            link_prefix=src.link_prefix, loader_root=option("loader_root"), root=option("root"),
            limits=self.limits, site=folders, languages={messages.language},
        )
        text = src.text if src.text is not None else "\n".join(lines)
        state = _Conversion(page, FenceIndex.scan(text, set(BLOCKS)), lines=inline.LineFinder(text))
        # The page's conversion travels on its Markdown instance to format() below.
        md.mlpages_state = state  # type: ignore[attr-defined]
        self.pages.append(page)
        src.states.append(page)
        return state

    def format(self, src: str = "", language: str = "", md: Markdown | None = None, **_: Any) -> str:
        """Superfences formatter: park the block; it is built when the page is complete."""
        # Superfences always passes the page's Markdown instance, which new_conversion set up.
        state: _Conversion = md.mlpages_state  # type: ignore[union-attr]
        index = len(state.slots)
        site = state.index.claim_site(language, src)
        line = site.line if site is not None else None
        state.slots.append(Slot(index, language, src, line, keyed=site is None or site.exact))
        return f'<div data-mlpages-slot="{index}"></div>'


def _validate(language: str, inputs: Any, options: Any, attrs: Any, md: Markdown) -> bool:
    return True


class _Start(Preprocessor):
    """Reset the page state and make sure superfences knows our fences."""

    def __init__(self, md: Markdown, ext: MlpagesExtension) -> None:
        super().__init__(md)
        self.ext = ext

    def run(self, lines: list[str]) -> list[str]:
        superfences = None
        if "fenced_code_block" in self.md.preprocessors:
            superfences = getattr(self.md.preprocessors["fenced_code_block"], "extension", None)
        if superfences is not None:
            known = {entry["name"] for entry in superfences.superfences}
            for kind in BLOCKS:
                if kind not in known:
                    args: tuple[Any, ...] = (kind, self.ext.format, _validate)
                    if _takes_reset(type(superfences)):
                        args += (None,)
                    superfences.extend_super_fences(*args)
        self.ext.new_conversion(self.md, lines)
        return lines


_RESET: dict[Any, bool] = {}


def _takes_reset(superfences: Any) -> bool:
    """Whether superfences' `extend_super_fences` takes a reset hook: pymdown-extensions 13
    added it as a fourth parameter (we need none); earlier releases take three (courses may
    pin either). Asked once: Markdown makes a new instance for every page."""
    if superfences not in _RESET:
        _RESET[superfences] = "reset" in inspect.signature(superfences.extend_super_fences).parameters
    return _RESET[superfences]


class _Quizdown(Preprocessor):
    """Rewrite Hugo `{{< quizdown >}}` blocks into `quiz` fences (plugin/quizdown.py)."""

    def run(self, lines: list[str]) -> list[str]:
        text = "\n".join(lines)
        if "quizdown" not in text:
            return lines
        return quizdown.convert_markdown(text).split("\n")


class _Inline(Preprocessor):
    """Set each `{mlpages …}` of the prose aside as a placeholder, with its line (plugin/inline.py)."""

    def run(self, lines: list[str]) -> list[str]:
        state: _Conversion | None = getattr(self.md, "mlpages_state", None)
        text = "\n".join(lines)
        if state is None or "{mlpages" not in text:
            return lines
        pieces: list[str] = []
        end = 0
        for token in inline.tokens(text):
            index = len(state.values)
            line = state.lines.claim(token.raw) if state.lines is not None else None
            state.values.append(inline.InlineValue(index, token.expression, line))
            pieces += [text[end:token.start],
                       self.md.htmlStash.store(f'<span data-mlpages-inline="{index}"></span>')]
            end = token.end
        pieces.append(text[end:])
        return "".join(pieces).split("\n")


class _Finish(Postprocessor):
    """Build the parked blocks in document order and put their HTML in place."""

    def __init__(self, md: Markdown, ext: MlpagesExtension) -> None:
        super().__init__(md)
        self.ext = ext

    def run(self, text: str) -> str:
        state: _Conversion | None = getattr(self.md, "mlpages_state", None)
        if state is None or not (state.slots or state.values):
            return text
        present = {int(i) for i in _SLOT.findall(text)}
        slots = [s for s in state.slots if s.index in present]
        built, values = self._build(state, slots, text)
        text = _SLOT.sub(lambda m: built.get(int(m.group(1)), ""), text)
        if state.values:
            text = inline.place_values(text, values)
        if state.page.cell_count:
            meta = PageMeta(schema=SCHEMA, page=state.page.slug, generator=f"mlpages {__version__}")
            text += json_script(meta, css_class="mlpages-page", element_id="mlpages-page")
        # (Not on `state.values` alone: MkDocs runs the postprocessors on a heading's text for
        # the page title and its TOC entry too, before the page's blocks are built.)
        if state.page.cell_count or state.page.quiz_count or state.page.progress_views:
            page_language = i18n.current().language
            used = {lang: i18n.for_language(lang) if lang != page_language else i18n.current()
                    for lang in state.page.languages}
            text += i18n.page_script(used, page_language)
        if state.page.cell_count or state.page.quiz_count or state.page.progress_views:
            script = self.ext.getConfig("script")
            if script:
                text += f'<script type="module" src="{script}"></script>'
        if state.page.site is not None:
            write_exports(state.page, state.page.site.site_dir / posixpath.dirname(self.ext.source.src_uri))
        return text


    def _build(self, state: _Conversion, slots: list[Slot], text: str
               ) -> tuple[dict[int, str], dict[int, str]]:
        """The HTML of the page's blocks and of its values in sentences, by index: put back
        from the page memo where the page and all it reads are unchanged (plugin/memo.py)."""
        memo = self.ext.memo
        # (Nothing of the page's in `text`: a heading's text that MkDocs renders for the TOC.)
        if memo is None or not (slots or inline.PLACEHOLDER.search(text)):
            return _build_now(state, slots, text)
        src_uri = self.ext.source.src_uri
        key = memo.key(self.ext.memo_parts(state, slots, text))
        reused = memo.load(src_uri, key, state.page)
        if reused is not None:
            if self.ext.source.prepared:  # what a worker of this build kept: not "unchanged"
                memo.prepared += 1
                get_logger().debug(f"mlpages: {state.page.path}: built by a parallel process, put back")
            else:
                memo.reused += 1
                get_logger().debug(f"mlpages: {state.page.path}: unchanged, put back from the cache")
            for info in reused.infos:
                get_logger().info(info)
            state.page.reused_keys = reused.keys
            state.page.cache.count_reused(reused.keys)
            return reused.slots, reused.values
        cache = state.page.cache
        before = set(cache.used)
        with recording() as reads:
            built, values = _build_now(state, slots, text)
        keys = sorted((cache.used - before) & cache.memory.keys())
        memo.store(src_uri, key, state.page, reads, Output(built, values, reads.infos, keys))
        return built, values


def _build_now(state: _Conversion, slots: list[Slot], text: str) -> tuple[dict[int, str], dict[int, str]]:
    built = build_slots(slots, state.page)
    # After every block: a value reads the cells above it.
    values = inline.values_html(state.values, state.page, text) if state.values else {}
    return built, values


def _plain(value: Any) -> str:
    """A value of the options that JSON cannot write, as a key part that is the same in
    every process: a function by its name (`!!python/name:` in mkdocs.yml), else its repr."""
    name = getattr(value, "__qualname__", None)
    if callable(value) and isinstance(name, str):
        return f"{getattr(value, '__module__', '')}.{name}"
    return repr(value)


def write_exports(page: PageState, folder: Path, written: dict[Path, bytes] | None = None) -> None:
    """Write the page's files (array files, exported models) into `folder`, the site folder
    its Markdown file's folder is built into (where the page's links expect them), so that
    `docs/a/models/x` and an export `models/x` of `docs/a/p.md` are the same site path.
    `written`: the files the build has written so far, by path; one with the same bytes is
    not written again (pages of a folder share their content-addressed array files). Each
    is a file of its own, never a link to a copy elsewhere (the page memo's, plugin/memo.py):
    a tool that rewrites a site file in place must not change another site or the cache."""
    for export in page.exports:
        for rel, data in export.items():
            target = folder / rel
            if written is not None:
                if written.get(target) == data:
                    continue
                written[target] = data
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        get_logger().debug("mlpages: %s: exported %s", page.path, (folder / export.path).as_posix())


def _zensical_page(md: Markdown) -> tuple[Any, dict[str, Any]] | None:
    """The page being converted and the project's configuration when Zensical converts it.

    Zensical registers both on every Markdown instance it makes, as the `page` and `config`
    of its `rendering_context` preprocessor: `page.path` is the Markdown file relative to the
    docs folder, `page.url` the page's URL; `config` is the parsed configuration, with
    `root_dir` (the configuration file's folder), `docs_dir` and `site_dir`.
    """
    if "rendering_context" not in md.preprocessors:
        return None
    context = md.preprocessors["rendering_context"]
    page, config = getattr(context, "page", None), getattr(context, "config", None)
    if not isinstance(getattr(page, "path", None), str) or not isinstance(getattr(page, "url", None), str):
        return None
    if not isinstance(config, dict) or not isinstance(config.get("root_dir"), str):
        return None
    return page, config


def _zensical_source(page: Any, config: dict[str, Any]) -> tuple[PageSource, SiteFolders, Path]:
    """What the MkDocs plugin tells the extension about a page, from Zensical's page and
    configuration (:func:`_zensical_page`); also the docs and site folders and the project's."""
    project = Path(config["root_dir"]).resolve()
    folders = SiteFolders((project / str(config.get("docs_dir") or "docs")).resolve(),
                          (project / str(config.get("site_dir") or "site")).resolve())
    file = folders.docs_dir / page.path
    try:
        text: str | None = file.read_text(encoding="utf-8-sig")
    except OSError:
        text = None
    try:
        display = file.relative_to(project).as_posix()
    except ValueError:
        display = str(file)
    dest = page.url + "index.html" if page.url in ("", "/") or page.url.endswith("/") else page.url
    source = PageSource(path=display, src_uri=page.path, base_dir=file.parent, text=text,
                        url_prefix=url_prefix(page.path, dest.lstrip("/")), link_prefix="")
    return source, folders, project


def url_prefix(src_uri: str, dest_uri: str) -> str:
    """The relative URL from a page's HTML directory to its Markdown file's directory:
    `course/xor.md` built as `course/xor/index.html` gives `../`."""
    rel = posixpath.relpath(posixpath.dirname(src_uri) or ".", posixpath.dirname(dest_uri) or ".")
    return "" if rel == "." else rel + "/"


def makeExtension(**kwargs: Any) -> MlpagesExtension:  # noqa: N802 (Python-Markdown's name)
    return MlpagesExtension(**kwargs)
