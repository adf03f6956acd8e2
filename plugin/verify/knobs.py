"""The knobs of a page's train cells, as verify checks them: which variants, their files,
and each variant's page.

A knob cell's controls (``div[data-mlpages-knobs]``, above the train cell) carry a spec:
its knobs, how many variants they make (``count``), the author's variant (``default``, the
page as served), the folder of the variant files (``files``, relative to the page) and the
element ids of every block a variant changes (``blocks``). Variant ``i`` is the site file
``<files><i>.json``: its knob values and the HTML of each of those blocks.

Verify checks the page as served (the default variant), and a sample of the other variants
(:func:`choose`): each variant's page is the served HTML with the variant's blocks put in
place of the blocks with the same ids (:func:`substitute`), and the browser switches to it
with ``window.mlpages.setKnobs(cell, knobs)``, then runs the cells of the blocks the knobs
change (``window.mlpages.run``), which are the ones a variant's report lists.
"""

from __future__ import annotations

import json
import math
import urllib.error
import urllib.parse
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

from ..contract import SCHEMA
from .discover import MAX_PAGE_BYTES, BodyTooLarge, NotOnSite, read_url

DEFAULT_SAMPLE = 2
"""Non-default variants verify checks per knob cell unless told otherwise (``--variants``)."""

_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                   "param", "source", "track", "wbr"})


class VariantUnavailable(ValueError):
    """A variant cannot be checked: its file is missing, unreadable, refused or malformed,
    or its blocks do not fit the page."""


@dataclass(frozen=True)
class Variant:
    """One variant of one knob cell, as reports name it.

    Attributes:
        cell: The train cell's element id (whose knobs these are).
        name: The train cell's name.
        index: The variant's number (row-major over the knobs as listed, from 0).
        knobs: Each knob's value in this variant, by key.
        default: Whether this is the author's variant, the page as served.
    """

    cell: str
    name: str
    index: int
    knobs: dict[str, Any]
    default: bool = False

    @property
    def words(self) -> str:
        """``epochs 10, model.learningRate 0.1``: the knob values, as the build names them."""
        return ", ".join(f"{key} {_format(value)}" for key, value in self.knobs.items())

    @property
    def label(self) -> str:
        """``variant 3 of fit (epochs 10, …)``; the default variant says so."""
        which = ", the default" if self.default else ""
        return f"variant {self.index} of {self.name}{which} ({self.words})"


def _format(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclass(frozen=True)
class Panel:
    """A knob cell's controls, as their spec describes them.

    Attributes:
        cell: The train cell's element id.
        name: The train cell's name.
        knobs: The knobs in order: ``(key, values)``.
        count: How many variants the knobs make.
        default: The author's variant (the page as served).
        files: The folder of the variant files, relative to the page.
        blocks: The element ids of every block a variant changes, in page order.
    """

    cell: str
    name: str
    knobs: tuple[tuple[str, tuple[Any, ...]], ...]
    count: int
    default: int
    files: str
    blocks: tuple[str, ...]

    def values(self, index: int) -> dict[str, Any]:
        """The knob values of variant ``index``: row-major, the last knob changing fastest."""
        values: dict[str, Any] = {}
        for key, choices in reversed(self.knobs):
            index, position = divmod(index, len(choices))
            values[key] = choices[position]
        return dict(reversed(values.items()))

    def variant(self, index: int) -> Variant:
        """Variant ``index`` as reports name it."""
        return Variant(self.cell, self.name, index, self.values(index), index == self.default)

    def file_url(self, page_url: str, index: int) -> str:
        """Where variant ``index``'s file is, for the page at ``page_url``."""
        return urllib.parse.urljoin(page_url, f"{self.files}{index}.json")


def read_panel(spec: Any) -> Panel:
    """The :class:`Panel` of a knobs spec.

    Raises:
        ValueError: The spec is not what the build writes (the message says what is wrong).
    """
    if not isinstance(spec, dict):
        raise ValueError("the spec is not an object")
    cell, name, files = spec.get("cell"), spec.get("name"), spec.get("files")
    count, default = spec.get("count"), spec.get("default")
    blocks, knobs = spec.get("blocks"), spec.get("knobs")
    if not isinstance(cell, str) or not cell:
        raise ValueError("its cell is not an element id")
    if not isinstance(files, str):
        raise ValueError("its files is not a string")
    if not isinstance(blocks, list) or not all(isinstance(b, str) and b for b in blocks):
        raise ValueError("its blocks is not a list of element ids")
    if not isinstance(knobs, list) or not knobs:
        raise ValueError("its knobs is not a non-empty list")
    parsed = []
    for knob in knobs:
        key = knob.get("key") if isinstance(knob, dict) else None
        values = knob.get("values") if isinstance(knob, dict) else None
        if not isinstance(key, str) or not isinstance(values, list) or not values:
            raise ValueError("a knob has no key or no values")
        parsed.append((key, tuple(values)))
    product = math.prod(len(values) for _, values in parsed)
    if not _whole(count) or count != product:
        raise ValueError(f"its count {count!r} is not the {product} variants its knobs make")
    if not isinstance(default, int) or isinstance(default, bool) or not 0 <= default < product:
        raise ValueError(f"its default {default!r} is not a variant of 0 to {product - 1}")
    return Panel(cell, str(name or cell), tuple(parsed), product, default, files, tuple(blocks))


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def choose(panel: Panel, sample: int | None) -> list[int]:
    """The non-default variants verify checks, in index order.

    ``sample`` ``None`` takes every one. Otherwise ``sample`` of them (all when there are
    no more), spread evenly over the ``m`` non-default variants in index order: the
    ``j``-th of them (from 0) is the one at position ``j·(m−1)/(sample−1)`` rounded half
    up, so the first and the last for two; for one, the middle one (position
    ``(m−1)//2``). Variants are numbered row-major over the knobs, so the first and the last set
    every knob to its first and its last value (bar the default's). The choice depends on
    the spec alone: every run checks the same ones.
    """
    others = [i for i in range(panel.count) if i != panel.default]
    if sample is None or sample >= len(others):
        return others
    if sample <= 0:
        return []
    if sample == 1:
        return [others[(len(others) - 1) // 2]]
    last, steps = len(others) - 1, sample - 1  # position j*last/steps, rounded half up
    picks = {(2 * j * last + steps) // (2 * steps) for j in range(sample)}
    return [others[p] for p in sorted(picks)]


@dataclass(frozen=True)
class VariantFile:
    """What a variant file holds: the knob values and each changed block's HTML by id."""

    knobs: dict[str, Any]
    blocks: dict[str, str]


def read_variant(panel: Panel, index: int, page_url: str, timeout: float = 30.0) -> VariantFile:
    """Read and check variant ``index``'s file from the site.

    It is read as verify reads array files: only over ``http(s)`` from the page's own
    origin, redirects within it, at most :data:`MAX_PAGE_BYTES`, within ``timeout`` s.

    Raises:
        VariantUnavailable: The file is not on the site, too large, missing, unreadable,
            or does not describe this variant of this cell with every block of the panel.
    """
    url = panel.file_url(page_url, index)
    where = f"{panel.files}{index}.json"
    try:
        body = read_url(url, page_url, MAX_PAGE_BYTES, timeout).body
    except NotOnSite as exc:
        raise VariantUnavailable(f"variant file {where}: {exc}") from None
    except BodyTooLarge as exc:
        raise VariantUnavailable(f"variant file {where}: larger than verify reads "
                                 f"({MAX_PAGE_BYTES} bytes; {exc}; not read further)") from None
    except urllib.error.HTTPError as exc:
        raise VariantUnavailable(f"variant file {where}: HTTP {exc.code} at {url}") from None
    except (OSError, ValueError) as exc:
        raise VariantUnavailable(f"variant file {where}: cannot read {url}: {exc}") from None
    try:
        data = json.loads(body.decode("utf-8"))
    except ValueError as exc:
        raise VariantUnavailable(f"variant file {where}: unreadable JSON: {exc}") from None
    problem = _file_problem(panel, index, data)
    if problem:
        raise VariantUnavailable(f"variant file {where}: {problem}")
    return VariantFile(dict(data["knobs"]), {b["id"]: b["html"] for b in data["blocks"]})


def _file_problem(panel: Panel, index: int, data: Any) -> str | None:
    if not isinstance(data, dict):
        return "not a JSON object"
    if data.get("schema") != SCHEMA:
        return f"schema {data.get('schema')!r}, this verifier reads schema {SCHEMA}"
    if data.get("cell") != panel.cell or data.get("index") != index:
        return (f"it is variant {data.get('index')!r} of cell {data.get('cell')!r}, "
                f"not variant {index} of {panel.cell}")
    if data.get("knobs") != panel.values(index):
        return (f"its knobs {json.dumps(data.get('knobs'))[:200]} are not variant {index}'s "
                f"{json.dumps(panel.values(index))}")
    blocks = data.get("blocks")
    if not isinstance(blocks, list) or not all(
        isinstance(b, dict) and isinstance(b.get("id"), str) and isinstance(b.get("html"), str)
        for b in blocks
    ):
        return "its blocks are not a list of {id, html}"
    ids = [b["id"] for b in blocks]
    if sorted(ids) != sorted(panel.blocks):
        return f"its blocks {ids} are not the blocks the knobs change, {list(panel.blocks)}"
    return None


class _Spans(HTMLParser):
    """Where each element with one of ``ids`` begins and ends in a page's HTML."""

    def __init__(self, html: str, ids: set[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.html = html
        self.ids = ids
        self.spans: dict[str, tuple[int, int]] = {}
        self._lines = [0] + [i + 1 for i, c in enumerate(html) if c == "\n"]
        self._open: tuple[str, str, int] | None = None  # id, tag, start
        self._depth = 0

    def _offset(self) -> int:
        line, column = self.getpos()
        return self._lines[line - 1] + column

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._open is not None:
            if tag == self._open[1]:
                self._depth += 1
            return
        element = dict(attrs).get("id")
        if element in self.ids and element not in self.spans and tag not in _VOID:
            self._open, self._depth = (element, tag, self._offset()), 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        pass  # a self-closed element holds nothing to replace, and does not nest

    def handle_endtag(self, tag: str) -> None:
        if self._open is None or tag != self._open[1]:
            return
        self._depth -= 1
        if self._depth == 0:
            element, _, start = self._open
            end = self.html.find(">", self._offset())
            if end >= 0:
                self.spans[element] = (start, end + 1)
            self._open = None


def substitute(html: str, blocks: dict[str, str]) -> str:
    """The page ``html`` with each element whose id is a key of ``blocks`` replaced by
    that block's HTML (an element's extent: from its start tag to the end tag that closes
    it, counting the nested elements of its own tag).

    Raises:
        VariantUnavailable: An id is on no element of the page.
    """
    parser = _Spans(html, set(blocks))
    parser.feed(html)
    parser.close()
    missing = [element for element in blocks if element not in parser.spans]
    if missing:
        raise VariantUnavailable(f"the page has no element with id {', '.join(missing)} to replace")
    out, at = [], 0
    for element, (start, end) in sorted(parser.spans.items(), key=lambda item: item[1]):
        out += [html[at:start], blocks[element]]
        at = end
    out.append(html[at:])
    return "".join(out)
