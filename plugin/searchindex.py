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

from .html import NO_SEARCH

_PLACEHOLDER = "<!--mlpages-nosearch {}-->"
_PLACEHOLDERS = re.compile(r"<!--mlpages-nosearch (\d+)-->")
# Elements without an end tag: one of them marked is just its start tag.
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                   "param", "source", "track", "wbr"})


# Where a marked element may start: the attribute, or a spec script's class.
_MARKERS = re.compile(rf'{NO_SEARCH}|class="mlpages-')
_VALUE = r"""(?:"[^"]*"|'[^']*'|[^\s>]+)"""
_START_TAG = re.compile(rf"<([A-Za-z][A-Za-z0-9-]*)((?:\s+[^\s=>/]+(?:\s*=\s*{_VALUE})?)*)\s*/?>")
_ATTRIBUTE = re.compile(r"""([^\s=>/]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>]+))?""")
# Inside an element: comments and scripts are skipped whole (a spec's JSON may hold "</div>").
_SKIP = r"<!--.*?-->|<script\b[^>]*>.*?</script\s*>"


def _hidden(tag: str, attributes: str) -> bool:
    """Whether a start tag is marked, or is a spec script (`script.mlpages-quiz-spec`, ...)."""
    for match in _ATTRIBUTE.finditer(attributes):
        name, value = match[1].lower(), (match[2] or "").strip("\"'")
        if name == NO_SEARCH or (tag == "script" and name == "class" and value.startswith("mlpages-")):
            return True
    return False


def _element_end(html: str, tag: str, after: int) -> int | None:
    """The offset after the end tag that closes the element of `tag` whose start tag ends at
    `after` (same-named elements inside it counted), or None when it is left open."""
    if tag == "script":
        close = re.compile(r"</script\s*>", re.I).search(html, after)
        return close.end() if close else None
    tags = re.compile(rf"{_SKIP}|<(/?){tag}(?=[\s/>])[^>]*>", re.I | re.S)
    depth = 1
    for match in tags.finditer(html, after):
        if match[1] is None:
            continue  # a comment or a script
        depth += -1 if match[1] else 1
        if depth == 0:
            return match.end()
    return None


def _spans(html: str) -> list[tuple[int, int]]:
    """The (start, end) offsets of the outermost marked elements and spec scripts of `html`.

    Only the build writes the marks, so the text is searched for them and each marked start
    tag's element is followed to its end tag; the rest of the page is never parsed."""
    spans: list[tuple[int, int]] = []
    last = 0  # the end of the last element hidden: marks inside it are part of it
    for marker in _MARKERS.finditer(html):
        if marker.start() < last:
            continue
        start = html.rfind("<", last, marker.start())
        tag = _START_TAG.match(html, start) if start >= 0 else None
        if tag is None or tag.end() <= marker.start():
            continue  # the words in a text, not in a start tag
        name = tag[1].lower()
        if not _hidden(name, tag[2]):
            continue
        if name in _VOID or tag[0].endswith("/>"):
            end: int | None = tag.end()
        else:
            end = _element_end(html, name, tag.end())
        if end is None:
            continue  # left open at the end of the text: it cannot be cut out exactly
        spans.append((start, end))
        last = end
    return spans


def spans(html: str) -> list[tuple[int, int]]:
    """Where :func:`hide` cuts `html`: the (start, end) offsets of what it hides, in order."""
    return _spans(html) if "mlpages-" in html else []


def hide(html: str, cuts: list[tuple[int, int]] | None = None) -> tuple[str, list[str]]:
    """`html` with each outermost element marked :data:`~mlpages.html.NO_SEARCH`, and each spec
    script, replaced by a numbered comment, and those elements in order. An element left open
    at the end of the text is kept (it cannot be cut out exactly). `cuts`: :func:`spans` of
    `html`, where the caller has them (the page memo keeps them, plugin/memo.py)."""
    if "mlpages-" not in html:
        return html, []
    parts: list[str] = []
    hidden: list[str] = []
    last = 0
    for start, end in _spans(html) if cuts is None else cuts:
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
