"""Markdown for short author texts inside blocks (quiz questions, answers, hints)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import markdown
from markdown.treeprocessors import Treeprocessor

# Used by the bare extension, where the page's own extension list is not known: code
# (fenced and inline), tables and inline math (`$x$`, written for MathJax/KaTeX) survive.
DEFAULT_EXTENSIONS: tuple[str, ...] = (
    "tables", "attr_list", "pymdownx.superfences", "pymdownx.inlinehilite", "pymdownx.arithmatex",
)
DEFAULT_CONFIGS: dict[str, dict[str, Any]] = {"pymdownx.arithmatex": {"generic": True}}
# Never loaded for snippets: mlpages itself (its fences would nest) and the table of contents
# (its heading ids and permalinks belong to the page, not to a quiz answer).
_SKIPPED = frozenset({"mlpages", "mlpages.extension", "toc", "markdown.extensions.toc"})
_ONE_PARAGRAPH = re.compile(r"\A<p>((?:(?!<p>).)*)</p>\Z", re.S)
# Without raw HTML: also never loaded, since they read files of the build machine into the text.
_READS_FILES = frozenset({"pymdownx.snippets"})
# URL schemes that run code or carry a document of their own; dropped without raw HTML.
_UNSAFE_URL = re.compile(r"^\s*(?:javascript|vbscript|data):", re.I)
_URL_ATTRIBUTES = ("href", "src", "action", "formaction", "xlink:href", "poster", "srcset")


class TextRenderer:
    """Converts author snippets with one `markdown.Markdown`, built on first use and reset
    for each snippet; a snippet converted before (a quiz of a page built again for each of
    its knob variants) is not converted again.

    Args:
        extensions: Extension names (non-string entries and mlpages itself are skipped).
        configs: Their options, as in MkDocs' `mdx_configs`.
        raw_html: Pass raw HTML through, as Markdown does (the default). False escapes it
            (`<script>` shows as text), drops `on…` attributes (which `attr_list` could add)
            and `javascript:`, `vbscript:` and `data:` URLs, and never loads
            `pymdownx.snippets`: for texts from authors the site does not trust.
    """

    def __init__(self, extensions: Sequence[Any] | None = None,
                 configs: Mapping[str, Any] | None = None, raw_html: bool = True) -> None:
        if extensions is None:
            extensions, configs = DEFAULT_EXTENSIONS, DEFAULT_CONFIGS
        skipped = _SKIPPED if raw_html else _SKIPPED | _READS_FILES
        self.extensions = [e for e in extensions if isinstance(e, str) and e not in skipped]
        self.configs = {k: dict(v or {}) for k, v in (configs or {}).items() if k in self.extensions}
        self.raw_html = raw_html
        self._md: markdown.Markdown | None = None
        self._html: dict[str, str] = {}  # snippet -> its block HTML

    def block(self, text: str) -> str:
        """The snippet as block HTML (paragraphs, lists, code)."""
        html = self._html.get(text)
        if html is not None:
            return html
        if self._md is None:
            self._md = markdown.Markdown(extensions=self.extensions, extension_configs=self.configs)
            if not self.raw_html:
                _without_raw_html(self._md)
        html = self._html[text] = self._md.reset().convert(text).strip()
        return html

    def inline(self, text: str) -> str:
        """The snippet as phrasing content when it is one paragraph, else as block HTML."""
        html = self.block(text)
        match = _ONE_PARAGRAPH.match(html)
        return match.group(1) if match else html


def is_inline(html: str) -> bool:
    """Whether `html` (from `TextRenderer.inline`) holds no block elements."""
    return not re.search(r"<(?:p|div|pre|ul|ol|table|blockquote|h[1-6])\b", html)


def _without_raw_html(md: markdown.Markdown) -> None:
    """Make `md` escape raw HTML (block and inline) and strip what could run code from the tree."""
    if "html_block" in md.preprocessors:  # also md_in_html's, which registers under this name
        md.preprocessors.deregister("html_block")
    if "html" in md.inlinePatterns:
        md.inlinePatterns.deregister("html")
    # After the inline patterns (20) and attr_list (8), which set attributes.
    md.treeprocessors.register(_SafeAttributes(md), "mlpages_safe_attributes", 1)


class _SafeAttributes(Treeprocessor):
    """Drops event-handler attributes and URLs with a scheme that runs code."""

    def run(self, root: Any) -> None:
        for el in root.iter():
            for name in list(el.attrib):
                lowered = name.lower()
                if lowered.startswith("on") or lowered == "srcdoc" or (
                    lowered in _URL_ATTRIBUTES and _UNSAFE_URL.match(el.attrib[name])
                ):
                    del el.attrib[name]
