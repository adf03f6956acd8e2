"""Find the pages of a built site that carry cells, and read their specs from the HTML."""

from __future__ import annotations

import hashlib
import json
import math
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.client import HTTPMessage
from pathlib import Path
from typing import IO, Any, NamedTuple

from ..arrays import decode, is_file_ref, walk
from ..contract import SCHEMA

CELL_MARKER = "data-mlpages-kind"
QUIZ_MARKER = "data-mlpages-quiz"
KNOBS_MARKER = "data-mlpages-knobs"
RESULTS_MARKER = "data-mlpages-results"
VALUE_MARKER = "data-mlpages-value"  # an inline value's spec, as the attribute's JSON
MAX_CRAWL = 5000
MAX_ARRAY_VALUES = 2**24
"""The most values verify reads from the array files of one page together (64 MiB as
float32): each becomes a Python float for the comparison, about 32 bytes."""
ARRAY_FILE_SLACK_BYTES = 1024
"""Read past an array file's declared size, to tell a longer file from a complete one."""
MAX_PAGE_BYTES = 64 * 2**20
"""The most bytes verify reads for one page or sitemap of a deployed site."""
_READ_CHUNK = 65536
_BREAKS = frozenset({"p", "div", "br", "li", "pre", "ul", "ol", "h1", "h2", "h3", "h4"})
_SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


class SiteUnavailable(RuntimeError):
    """The site directory or URL cannot be read."""


@dataclass
class PageCells:
    """What a page's HTML says about its cells (and its quizzes).

    Attributes:
        cells: The cell specs in page order.
        errors: Page errors found in the HTML (author error blocks, unreadable specs).
    """

    cells: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    quizzes: list[dict[str, Any]] = field(default_factory=list)
    """The quiz specs in page order (``[data-mlpages-quiz]``; not cells, but numeric
    questions are bound to cells' results)."""
    knobs: list[dict[str, Any]] = field(default_factory=list)
    """The knob cells' control specs in page order (``[data-mlpages-knobs]``, kind
    ``knobs``): the variants of the train cell each belongs to (:mod:`.knobs`)."""
    results: list[dict[str, Any]] = field(default_factory=list)
    """The results table specs in page order (``[data-mlpages-results]``): each row is bound
    to a cell's result."""
    values: list[dict[str, Any]] = field(default_factory=list)
    """The inline values in page order (``span[data-mlpages-value]``), each bound to a cell's
    result."""

    @property
    def datasets(self) -> dict[str, dict[str, Any]]:
        """The dataset specs by element id."""
        return {c["id"]: c for c in self.cells if c.get("kind") == "dataset" and "id" in c}


@dataclass(frozen=True)
class Page:
    """A page to verify.

    Attributes:
        name: The page's path relative to the site root (what reports show).
        url: Where the browser opens it (``None`` until the site is served).
        html: The page's HTML as the site serves it.
    """

    name: str
    url: str | None
    html: str


class _CellParser(HTMLParser):
    """Collects ``[data-mlpages-kind]`` elements, their spec scripts and error blocks."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.result = PageCells()
        self._cell: dict[str, str | None] | None = None
        self._quiz: dict[str, str | None] | None = None
        self._knobs: dict[str, str | None] | None = None
        self._results: dict[str, str | None] | None = None
        self._script: str | None = None  # "spec", "quiz", "knobs", "results" or "page" inside such a script
        self._buffer: list[str] = []
        self._error: dict[str, str | None] | None = None
        self._error_depth = 0
        self._error_text: list[str] = []
        self._value_error: list[str] | None = None  # the text of an inline value's error mark

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        if self._error is not None:
            if tag == "div":
                self._error_depth += 1
            if tag in _BREAKS:
                self._error_text.append(" ")
        if CELL_MARKER in attributes:
            if "mlpages-error" in classes and self._error is None:
                self._error, self._error_depth, self._error_text = attributes, 1, []
            else:
                self._missing_spec()
                self._cell = attributes
        if QUIZ_MARKER in attributes:
            self._quiz = attributes
        if KNOBS_MARKER in attributes:
            self._knobs = attributes
        if RESULTS_MARKER in attributes:
            self._results = attributes
        if VALUE_MARKER in attributes and tag == "span":
            self._value(attributes)
        if tag == "span" and "mlpages-value-error" in classes:
            self._value_error = []
        if tag == "script":
            if "mlpages-spec" in classes and self._cell is not None:
                self._script, self._buffer = "spec", []
            elif "mlpages-quiz-spec" in classes and self._quiz is not None:
                self._script, self._buffer = "quiz", []
            elif "mlpages-knobs-spec" in classes and self._knobs is not None:
                self._script, self._buffer = "knobs", []
            elif "mlpages-results-spec" in classes and self._results is not None:
                self._script, self._buffer = "results", []
            elif attributes.get("id") == "mlpages-page":
                self._script, self._buffer = "page", []

    def handle_endtag(self, tag: str) -> None:
        if tag == "span" and self._value_error is not None:
            text = " ".join("".join(self._value_error).split())
            self.result.errors.append(f"author error in inline value: {text}")
            self._value_error = None
        if tag == "script" and self._script is not None:
            self._finish_script("".join(self._buffer))
            self._script = None
        if self._error is not None and tag in _BREAKS:
            self._error_text.append(" ")
        if self._error is not None and tag == "div":
            self._error_depth -= 1
            if self._error_depth == 0:
                text = " ".join("".join(self._error_text).split())
                kind = self._error.get(CELL_MARKER) or "?"
                self.result.errors.append(f"author error in block {kind}: {text}")
                self._error = None

    def handle_data(self, data: str) -> None:
        if self._value_error is not None:
            self._value_error.append(data)
        if self._script is not None:
            self._buffer.append(data)
        elif self._error is not None:
            self._error_text.append(data)

    def close(self) -> None:
        super().close()
        self._missing_spec()

    def _missing_spec(self) -> None:
        if self._cell is not None:
            label = self._cell.get("id") or self._cell.get(CELL_MARKER)
            self.result.errors.append(f"cell {label} has no script.mlpages-spec")
            self._cell = None

    def _finish_script(self, text: str) -> None:
        cell_id = None
        if self._script == "spec":
            cell_id, self._cell = (self._cell or {}).get("id"), None
            label = f"cell {cell_id or '?'}"
        elif self._script == "quiz":
            cell_id, self._quiz = (self._quiz or {}).get("id"), None
            label = f"quiz {cell_id or '?'}"
        elif self._script == "knobs":
            cell_id, self._knobs = (self._knobs or {}).get("id"), None
            label = f"knobs {cell_id or '?'}"
        elif self._script == "results":
            cell_id, self._results = (self._results or {}).get("id"), None
            label = f"results table {cell_id or '?'}"
        else:
            label = "#mlpages-page"
        try:
            value = json.loads(text)
        except ValueError as exc:
            self.result.errors.append(f"{label}: unreadable JSON: {exc}")
            return
        if isinstance(value, list) and len(value) == 1:
            value = value[0]  # the contract wraps each spec in a one-element array
        schema = value.get("schema") if isinstance(value, dict) else None
        if schema != SCHEMA:
            self.result.errors.append(
                f"{label}: schema {schema!r}, this verifier reads schema {SCHEMA}"
            )
        elif self._script in ("spec", "quiz", "knobs", "results"):
            if cell_id:
                value.setdefault("id", cell_id)
            {"spec": self.result.cells, "quiz": self.result.quizzes, "knobs": self.result.knobs,
             "results": self.result.results}[self._script].append(value)

    def _value(self, attributes: dict[str, str | None]) -> None:
        """An inline value: its spec is the JSON of its attribute (no one-element array)."""
        label = f"inline value {attributes.get('id') or '?'}"
        try:
            value = json.loads(attributes.get(VALUE_MARKER) or "")
        except ValueError as exc:
            self.result.errors.append(f"{label}: unreadable JSON: {exc}")
            return
        schema = value.get("schema") if isinstance(value, dict) else None
        if schema != SCHEMA:
            self.result.errors.append(f"{label}: schema {schema!r}, this verifier reads schema {SCHEMA}")
            return
        if attributes.get("id"):
            value.setdefault("id", attributes["id"])
        self.result.values.append(value)


def parse_cells(html: str) -> PageCells:
    """Read the cell specs and author error blocks of a page."""
    parser = _CellParser()
    parser.feed(html)
    parser.close()
    return parser.result


class NotOnSite(OSError):
    """A URL outside the site verify checks (another scheme, host or port)."""


class BodyTooLarge(OSError):
    """A response longer than verify reads for what was asked."""


def origin(url: str) -> tuple[str, str, int] | None:
    """``(scheme, host, port)`` of an ``http(s)`` URL; ``None`` for any other URL."""
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return parts.scheme, parts.hostname.lower(), port


class _SameOriginRedirects(urllib.request.HTTPRedirectHandler):
    """Follows a redirect only within one origin (or from ``http`` to ``https`` on its host)."""

    def __init__(self, site: tuple[str, str, int]) -> None:
        super().__init__()
        self.site = site

    def redirect_request(
        self, req: urllib.request.Request, fp: IO[bytes], code: int, msg: str, headers: HTTPMessage,
        newurl: str,
    ) -> urllib.request.Request | None:
        """The redirected request, or :class:`NotOnSite` for one that leaves the origin."""
        target = origin(newurl)
        upgrade = self.site[0] == "http" and self.site[2] == 80 and target == ("https", self.site[1], 443)
        if target != self.site and not upgrade:
            raise NotOnSite(f"redirected off the site to {newurl}")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


class Fetched(NamedTuple):
    """A response read by :func:`read_url`."""

    body: bytes
    url: str
    """The final URL, after (same-origin) redirects."""
    charset: str | None
    """The charset the response's ``Content-Type`` names."""


def read_url(url: str, site_url: str, limit: int, timeout: float) -> Fetched:
    """GET ``url`` from the site at ``site_url``: at most ``limit`` bytes, within ``timeout`` s.

    Returns:
        The body, the final URL and the charset its ``Content-Type`` names.

    Raises:
        NotOnSite: ``url``, or a redirect, is not ``http(s)`` on ``site_url``'s origin
            (``file://`` and other hosts are never read).
        BodyTooLarge: The response says or turns out to be longer than ``limit``.
        OSError: The request failed or took longer than ``timeout`` (a trickling server).
    """
    site = origin(site_url)
    if site is None or origin(url) != site:
        where = f"{site[0]}://{site[1]}:{site[2]}" if site else site_url
        raise NotOnSite(f"not on the site (verify reads only http(s) URLs of {where})")
    deadline = time.monotonic() + timeout
    opener = urllib.request.build_opener(_SameOriginRedirects(site))
    with opener.open(url, timeout=timeout) as response:
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limit:
            raise BodyTooLarge(f"the server sends {declared} bytes")
        chunks, size = [], 0
        while chunk := response.read(min(_READ_CHUNK, limit + 1 - size)):
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                raise BodyTooLarge(f"more than {limit} bytes")
            if time.monotonic() > deadline:
                raise TimeoutError(f"not read within {timeout:g} s")
        return Fetched(b"".join(chunks), response.geturl(), response.headers.get_content_charset())


def declared_size(ref: dict[str, Any]) -> tuple[int, int]:
    """How many values and bytes an array file reference's ``shape`` and ``dtype`` make.

    Raises:
        ValueError: The shape is not a list of whole numbers, or the dtype is unknown.
    """
    shape, dtype = ref.get("shape"), ref.get("dtype")
    if not isinstance(shape, list) or not all(
        isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape
    ):
        raise ValueError(f"shape {str(shape)[:60]} is not a list of whole numbers")
    width = {"uint8": 1, "float32": 4}.get(str(dtype))
    if width is None:
        raise ValueError(f"unknown dtype {str(dtype)[:30]!r}")
    values = math.prod(shape)
    return values, values * width


@dataclass
class ArrayFiles:
    """What reading a page's array files found.

    Attributes:
        errors: Page errors, one line per file that is missing, unreadable, corrupted or
            refused.
        refused: Whether a file was refused (not on the site, or longer than its shape
            declares): the page is then not opened in a browser, which would read it too.
    """

    errors: list[str] = field(default_factory=list)
    refused: bool = False


def load_array_files(cells: list[dict[str, Any]], page_url: str, timeout: float = 30.0,
                     loaded: dict[str, list[float | None] | None] | None = None) -> ArrayFiles:
    """Read the site files of the specs' large arrays, checking each file's size and sha256.

    Only ``http(s)`` URLs of the page's own origin (the site's) are read, no more bytes of a
    file than its ``shape`` and ``dtype`` declare (plus :data:`ARRAY_FILE_SLACK_BYTES`), and
    no more than :data:`MAX_ARRAY_VALUES` values for the page. Each file reference in
    ``cells`` that can be read gets its ``data`` (float32 values as the runtime decodes
    them) in place, so references compare like inline ones.

    ``loaded`` keeps each file's values (``None``: not usable) by ``src`` across calls: a
    knob variant's cells read only the files the page's own cells did not, and a file's
    error is reported once.
    """
    found = ArrayFiles()
    total = 0
    loaded = {} if loaded is None else loaded
    for ref in [node for cell in cells for node in walk(cell) if is_file_ref(node)]:
        src = str(ref["src"])
        if src not in loaded:
            loaded[src] = None
            try:
                count, expected = declared_size(ref)
            except ValueError as exc:
                found.errors.append(f"array file {src}: {exc}")
                found.refused = True
                continue
            if total + count > MAX_ARRAY_VALUES:
                found.errors.append(f"array file {src}: its shape {ref['shape']} brings the page's "
                                    f"array files to {total + count} values, over verify's limit of "
                                    f"{MAX_ARRAY_VALUES}")
                found.refused = True
                continue
            total += count
            url = urllib.parse.urljoin(page_url, src)
            try:
                data = read_url(url, page_url, expected + ARRAY_FILE_SLACK_BYTES, timeout).body
            except NotOnSite as exc:
                found.errors.append(f"array file {src}: {exc}")
                found.refused = True
                continue
            except BodyTooLarge as exc:
                found.errors.append(f"array file {src}: larger than the {expected} bytes its shape "
                                    f"{ref['shape']} of {ref['dtype']} declares ({exc}; not read further)")
                found.refused = True
                continue
            except urllib.error.HTTPError as exc:
                found.errors.append(f"array file {src}: HTTP {exc.code} at {url}")
                continue
            except (OSError, ValueError) as exc:
                found.errors.append(f"array file {src}: cannot read {url}: {exc}")
                continue
            digest = hashlib.sha256(data).hexdigest()
            if digest != ref.get("sha256"):
                found.errors.append(f"array file {src} is corrupted: sha256 {digest}, "
                                    f"the page expects {ref.get('sha256')}")
                continue
            try:
                values = decode(ref, data)
            except ValueError as exc:
                found.errors.append(f"array file {src}: {exc}")
                continue
            loaded[src] = [float(v) if v == v else None for v in values.ravel().tolist()]
        if loaded[src] is not None:
            ref["data"] = loaded[src]
    return found


def has_cells(html: str) -> bool:
    """Whether a page has cells or author error blocks (not merely the marker's name in text)."""
    if CELL_MARKER not in html:
        return False
    parsed = parse_cells(html)
    return bool(parsed.cells or parsed.errors)


def find_pages_in_dir(site_dir: str | Path) -> list[Page]:
    """Every ``*.html`` page of a built site that has cells (``404.html`` excluded).

    Raises:
        SiteUnavailable: ``site_dir`` is not a directory.
    """
    root = Path(site_dir)
    if not root.is_dir():
        raise SiteUnavailable(f"site directory not found: {root}")
    pages = []
    for path in sorted(root.rglob("*.html")):
        if path.name == "404.html" or not path.is_file():
            continue
        html = path.read_text(encoding="utf-8", errors="replace")
        if has_cells(html):
            pages.append(Page(name=path.relative_to(root).as_posix(), url=None, html=html))
    return pages


def _fetch(url: str, timeout: float) -> tuple[str, str]:
    """GET ``url`` (at most :data:`MAX_PAGE_BYTES`, within its origin); the body as text
    and the final URL after redirects."""
    fetched = read_url(url, url, MAX_PAGE_BYTES, timeout)
    try:
        return fetched.body.decode(fetched.charset or "utf-8", errors="replace"), fetched.url
    except LookupError:  # a charset Python does not know
        return fetched.body.decode("utf-8", errors="replace"), fetched.url


def _sitemap_urls(base: str, timeout: float) -> list[str]:
    """Page URLs from ``sitemap.xml``, moved onto ``base`` when the site was built for another URL.

    MkDocs writes ``site_url`` into the sitemap; the shortest entry is the home page,
    and entries are re-rooted from it onto ``base`` (a staging copy of a course).
    """
    try:
        text, _ = _fetch(urllib.parse.urljoin(base, "sitemap.xml"), timeout)
        locs = [
            el.text.strip() for el in ET.fromstring(text).iter(f"{_SITEMAP_NS}loc") if el.text
        ]
    except (OSError, ET.ParseError, ValueError):
        return []
    if not locs:
        return []
    home = min(locs, key=len)
    if not all(loc.startswith(home) for loc in locs):
        return [loc for loc in locs if loc.startswith(base)]
    return [base + loc[len(home) :] for loc in locs]


class _LinkParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.links.append(href)


def _page_like(url: str) -> bool:
    path = urllib.parse.urlsplit(url).path
    return path.endswith("/") or path.endswith(".html")


def find_pages_at_url(base: str, timeout: float = 30.0) -> list[Page]:
    """Every page with cells of the site at ``base`` (``sitemap.xml``, else a same-site crawl).

    Raises:
        SiteUnavailable: The start page cannot be fetched.
    """
    base = base if base.endswith("/") else base + "/"
    try:
        start_html, _ = _fetch(base, timeout)
    except (OSError, ValueError) as exc:
        raise SiteUnavailable(f"cannot reach {base}: {exc}") from exc
    urls = _sitemap_urls(base, timeout)
    crawl = not urls
    queue = deque(urls or [base])
    seen = set(queue)
    pages = []
    while queue and len(seen) <= MAX_CRAWL:
        url = queue.popleft()
        try:
            html = start_html if url == base else _fetch(url, timeout)[0]
        except (OSError, ValueError):
            continue
        if has_cells(html) and not url.endswith("404.html"):
            pages.append(Page(name=url[len(base) :] or "index.html", url=url, html=html))
        if crawl:
            links = _LinkParser()
            links.feed(html)
            for href in links.links:
                link = urllib.parse.urljoin(url, urllib.parse.urldefrag(href)[0])
                if link.startswith(base) and _page_like(link) and link not in seen:
                    seen.add(link)
                    queue.append(link)
    return pages
