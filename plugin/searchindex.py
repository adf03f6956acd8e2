"""Keeping what the build writes around an author's text out of the site's search index.

MkDocs' search plugin indexes every text of a page's HTML, the JSON of `<script>` elements
included; Material's skips scripts but indexes generated code, tables and labels. Both read
`page.content` in `on_page_context`. The MkDocs plugin runs :func:`hide` before them, which
swaps every element marked :data:`~mlpages.html.NO_SEARCH`, and every JSON script of the
page contract (its class starts with `mlpages-`), for an HTML comment (neither
indexer reads comments), and :func:`restore` after them, which puts the elements back where
the comments are: the page is written whole, and a change another plugin made to the page
in between is kept.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from .html import NO_SEARCH

_PLACEHOLDER = "<!--mlpages-nosearch {}-->"
_PLACEHOLDERS = re.compile(r"<!--mlpages-nosearch (\d+)-->")
# Elements without an end tag: one of them marked is just its start tag.
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                   "param", "source", "track", "wbr"})


class _Marked(HTMLParser):
    """The (start, end) offsets of the outermost marked elements of one HTML text."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=False)
        self.spans: list[tuple[int, int]] = []
        self._text = text
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self._open: tuple[str, int] | None = None  # the marked element's tag and its start
        self._depth = 0  # elements of that tag open inside it (an inner <div> in a cell's <div>)

    def _offset(self) -> int:
        line, column = self.getpos()
        return self._line_starts[line - 1] + column

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._open is not None:
            self._depth += tag == self._open[0]
            return
        if not _hidden(tag, attrs):
            return
        start = self._offset()
        if tag in _VOID:
            self.spans.append((start, start + len(self.get_starttag_text() or "")))
        else:
            self._open, self._depth = (tag, start), 1

    def handle_endtag(self, tag: str) -> None:
        if self._open is None or tag != self._open[0]:
            return
        self._depth -= 1
        if self._depth == 0:
            end = self._text.index(">", self._offset()) + 1
            self.spans.append((self._open[1], end))
            self._open = None


def _hidden(tag: str, attrs: list[tuple[str, str | None]]) -> bool:
    """Whether an element is marked, or is a spec script (`script.mlpages-quiz-spec`, ...)."""
    for name, value in attrs:
        if name == NO_SEARCH or (tag == "script" and name == "class"
                                 and (value or "").startswith("mlpages-")):
            return True
    return False


def hide(html: str) -> tuple[str, list[str]]:
    """`html` with each outermost element marked :data:`~mlpages.html.NO_SEARCH`, and each spec
    script, replaced by a numbered comment, and those elements in order. An element left open
    at the end of the text is kept (it cannot be cut out exactly)."""
    if "mlpages-" not in html:
        return html, []
    parser = _Marked(html)
    parser.feed(html)
    parser.close()
    parts: list[str] = []
    hidden: list[str] = []
    last = 0
    for start, end in parser.spans:
        parts += [html[last:start], _PLACEHOLDER.format(len(hidden))]
        hidden.append(html[start:end])
        last = end
    parts.append(html[last:])
    return "".join(parts), hidden


def restore(html: str, hidden: list[str]) -> tuple[str, int]:
    """`html` with the elements :func:`hide` took out put back in place of their comments,
    and how many of them had no comment left to go back to (another plugin removed it)."""
    found: set[int] = set()

    def put_back(match: re.Match[str]) -> str:
        n = int(match[1])
        if n >= len(hidden):
            return match[0]  # not one of ours
        found.add(n)
        return hidden[n]

    return _PLACEHOLDERS.sub(put_back, html), len(hidden) - len(found)
