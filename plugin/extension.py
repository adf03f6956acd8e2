"""The Python-Markdown extension: mlpages' fenced blocks through pymdownx.superfences.

Usable from `markdown_extensions:` alone (`mlpages`); the MkDocs plugin adds assets,
the on-disk cache and the build summary on top. Fences are collected while Markdown
parses (nested ones arrive late), then built in document order by a postprocessor so
that every block sees the blocks above it.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markdown import Extension, Markdown
from markdown.postprocessors import Postprocessor
from markdown.preprocessors import Preprocessor

from . import __version__, quizdown
from .blocks import BLOCKS
from .cache import ResultCache
from .contract import SCHEMA, PageMeta
from .html import json_script
from .limits import Limits
from .locate import FenceIndex
from .page import Export, PageState, slugify
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
    states: list[PageState] = field(default_factory=list)  # what converting this source built


@dataclass
class _Conversion:
    """State of one `Markdown.convert` call."""

    page: PageState
    index: FenceIndex
    slots: list[Slot] = field(default_factory=list)


class MlpagesExtension(Extension):
    """Registers the `dataset`, `model`, `train`, `predict` and `quiz` fences."""

    def __init__(self, **kwargs: Any) -> None:
        self.config = {
            "cache_dir": ["", "Directory for cached references ('' keeps them in memory only)"],
            "loaders": [True, "Allow `loader:` datasets, which run Python code at build time"],
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
        }
        super().__init__(**kwargs)
        self.limits = Limits.from_options(self.getConfig("limits"))
        self.source = PageSource()
        cache_dir = self.getConfig("cache_dir")
        self.cache = ResultCache(Path(cache_dir) if cache_dir else None)
        self.pages: list[PageState] = []
        self.published: dict[Path, Export] = {}  # every page's exports, by absolute folder
        self.page_ids: dict[str, str] = {}  # page slug -> the page whose blocks use it
        self.text = TextRenderer(self.getConfig("text_extensions") or None,
                                 self.getConfig("text_extension_configs"),
                                 raw_html=bool(self.getConfig("quiz_raw_html")))

    def set_page(self, source: PageSource) -> None:
        """Tell the extension which file the next conversion is (MkDocs plugin)."""
        self.source = source

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 (Python-Markdown's name)
        md.registerExtension(self)
        if "fenced_code_block" not in md.preprocessors:
            md.registerExtensions(["pymdownx.superfences"], {})
        md.preprocessors.register(_Start(md, self), "mlpages_start", 35)
        # After _Start (which indexes the original text), before superfences (25).
        md.preprocessors.register(_Quizdown(md), "mlpages_quizdown", 34)
        md.postprocessors.register(_Finish(md, self), "mlpages_finish", 5)

    def new_conversion(self, md: Markdown, lines: list[str]) -> _Conversion:
        src = self.source
        base_dir = Path(self.getConfig("base_dir")) if self.getConfig("base_dir") else src.base_dir
        page = PageState(
            path=src.path, slug=slugify(src.src_uri), base_dir=base_dir, cache=self.cache,
            allow_loaders=bool(self.getConfig("loaders")), text=self.text,
            quizzes_dir=Path(self.getConfig("quizzes_dir")) if self.getConfig("quizzes_dir") else None,
            published=self.published, page_ids=self.page_ids, url_prefix=src.url_prefix,
            loader_root=Path(self.getConfig("loader_root")) if self.getConfig("loader_root") else None,
            root=Path(self.getConfig("root")) if self.getConfig("root") else None,
            limits=self.limits,
        )
        text = src.text if src.text is not None else "\n".join(lines)
        state = _Conversion(page, FenceIndex.scan(text, set(BLOCKS)))
        md.mlpages_state = state  # type: ignore[attr-defined]
        self.pages.append(page)
        src.states.append(page)
        return state

    def format(self, src: str = "", language: str = "", md: Markdown | None = None, **_: Any) -> str:
        """Superfences formatter: park the block; it is built when the page is complete."""
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
                    # pymdown-extensions 13 added a fourth parameter, a reset hook we need
                    # not; earlier releases take three (courses may pin either).
                    has_reset = "reset" in inspect.signature(superfences.extend_super_fences).parameters
                    args = (kind, self.ext.format, _validate) + ((None,) if has_reset else ())
                    superfences.extend_super_fences(*args)
        self.ext.new_conversion(self.md, lines)
        return lines


class _Quizdown(Preprocessor):
    """Rewrite Hugo `{{< quizdown >}}` blocks into `quiz` fences (plugin/quizdown.py)."""

    def run(self, lines: list[str]) -> list[str]:
        text = "\n".join(lines)
        if "quizdown" not in text:
            return lines
        return quizdown.convert_markdown(text).split("\n")


class _Finish(Postprocessor):
    """Build the parked blocks in document order and put their HTML in place."""

    def __init__(self, md: Markdown, ext: MlpagesExtension) -> None:
        super().__init__(md)
        self.ext = ext

    def run(self, text: str) -> str:
        state: _Conversion | None = getattr(self.md, "mlpages_state", None)
        if state is None or not state.slots:
            return text
        present = {int(i) for i in _SLOT.findall(text)}
        built = build_slots([s for s in state.slots if s.index in present], state.page)
        text = _SLOT.sub(lambda m: built.get(int(m.group(1)), ""), text)
        if state.page.cell_count:
            meta = PageMeta(schema=SCHEMA, page=state.page.slug, generator=f"mlpages {__version__}")
            text += json_script(meta, css_class="mlpages-page", element_id="mlpages-page")
        if state.page.cell_count or state.page.quiz_count or state.page.progress_views:
            script = self.ext.getConfig("script")
            if script:
                text += f'<script type="module" src="{script}"></script>'
        return text


def makeExtension(**kwargs: Any) -> MlpagesExtension:  # noqa: N802 (Python-Markdown's name)
    return MlpagesExtension(**kwargs)
