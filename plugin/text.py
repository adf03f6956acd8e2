"""Markdown for short author texts inside blocks (quiz questions, answers, hints)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import markdown

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


class TextRenderer:
    """Converts author snippets with a fresh `markdown.Markdown`, built on first use.

    Args:
        extensions: Extension names (non-string entries and mlpages itself are skipped).
        configs: Their options, as in MkDocs' `mdx_configs`.
    """

    def __init__(self, extensions: Sequence[Any] | None = None,
                 configs: Mapping[str, Any] | None = None) -> None:
        if extensions is None:
            extensions, configs = DEFAULT_EXTENSIONS, DEFAULT_CONFIGS
        self.extensions = [e for e in extensions if isinstance(e, str) and e not in _SKIPPED]
        self.configs = {k: dict(v or {}) for k, v in (configs or {}).items() if k in self.extensions}
        self._md: markdown.Markdown | None = None

    def block(self, text: str) -> str:
        """The snippet as block HTML (paragraphs, lists, code)."""
        if self._md is None:
            self._md = markdown.Markdown(extensions=self.extensions, extension_configs=self.configs)
        return self._md.reset().convert(text).strip()

    def inline(self, text: str) -> str:
        """The snippet as phrasing content when it is one paragraph, else as block HTML."""
        html = self.block(text)
        match = _ONE_PARAGRAPH.match(html)
        return match.group(1) if match else html


def is_inline(html: str) -> bool:
    """Whether `html` (from `TextRenderer.inline`) holds no block elements."""
    return not re.search(r"<(?:p|div|pre|ul|ol|table|blockquote|h[1-6])\b", html)
