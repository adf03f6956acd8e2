"""Inline values: one number of a cell above, inside a sentence of prose.

`{mlpages conv.output[1, 1]}` in a paragraph, a list item, a table or an admonition becomes the
build's NumPy reference of that number (a `<span>` whose title says where it comes from);
once the reader runs the cell, the page shows the reader's own value beside it with a ✓ or ✗
mark (runtime/inline.js), and `mlpages verify` checks it like a results row. It binds
anything a results row binds (plugin/blocks/bound.py):

- `{mlpages fit.val_acc}`: a train cell's history after its last epoch; `{mlpages fit.loss@2}`
  after epoch 2 (1-based, as `epoch:` of a results row);
- `{mlpages guess[3]}` or `{mlpages guess.prediction[3]}`: a predict cell's value at a flat index;
- `{mlpages conv.output[1, 2]}` (row, column, 0-based) or `{mlpages conv[5]}` (flat): one cell
  of a convolution's output map;
- `{mlpages loop.a}`, `{mlpages loop.w[1, 0]}` or `{mlpages loop.w[2]}` (flat): a value a tfjs
  cell returns, by its name, and one number of it by index when it holds more than one;
- `{mlpages cell: fit, quantity: loss, epoch: 2}`: a results row's own mapping, for any name.

`, 3 digits` after the expression (`digits: 3` in the mapping) shows fewer significant digits
than the default 6; verify checks the value itself, not its rounding.

The syntax is one `{…}` that starts with the word `mlpages`: Jinja (the macros plugin) owns
`{{ }}` and `{% %}`, wiki-link plugins own `[[ ]]`, CriticMarkup owns `{++ }` and the like,
and attr_list reads a `{…}` only after an element, which the values are replaced before.
Inline code and fenced blocks are left alone, so docs can show the syntax itself.

The Markdown preprocessor replaces each value by a placeholder and notes its line in the file;
the page's postprocessor builds the values after every block of the page (plugin/extension.py),
so a value may only name a cell whose fence is above its own line.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .blocks.bound import allowed, bound_value, position
from .contract import spec_header
from .errors import BlockError, format_location, get_logger
from .html import encode_nonfinite, esc
from .i18n import current
from .page import EPSILONS, PageState
from .yaml12 import YamlError, load_located

KIND = "value"
KIND_TFJS = "tfjs"
DIGITS = 6  # significant digits shown, as results tables (runtime/constants.js DIGITS)
MAX_DIGITS = 9  # a float32 has no more
_DIGITS = re.compile(r"^(?P<rest>.*?)\s*,\s*(?P<digits>\d+)\s+digits?$")
TOKEN = re.compile(r"\{mlpages[ \t]+([^{}\n]*?)[ \t]*\}")
PLACEHOLDER = re.compile(r'<span data-mlpages-inline="(\d+)"></span>')
_FENCE = re.compile(r"^(?:[ \t]*>)*[ \t]*(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+)(?:.|\n)*?(?<!`)\1(?!`)")
_SHORT = re.compile(
    r"^(?P<cell>[^\s\[\]@{}]+?)(?:\.(?P<quantity>[A-Za-z_$][\w$]*))?"
    r"(?:\[(?P<index>[^\]]*)\]|@(?P<epoch>\S+))?$"
)


@dataclass
class InlineValue:
    """One `{mlpages …}` of the page, in document order."""

    index: int
    expression: str  # what is inside the braces, e.g. `conv.output[1, 1]`
    line: int | None  # its line in the Markdown file


@dataclass(frozen=True)
class Token:
    """One `{mlpages …}` in a Markdown text: its offsets, its text and its 1-based line."""

    start: int
    end: int
    raw: str
    expression: str
    line: int


def tokens(text: str) -> Iterator[Token]:
    """Every `{mlpages …}` of a Markdown text outside fenced blocks and inline code."""
    lines = text.split("\n")
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)
    fence: str | None = None
    first = 0  # the first line of the paragraph being collected

    def paragraph(stop: int) -> Iterator[Token]:
        body = text[offsets[first]:max(offsets[stop] - 1, offsets[first])]
        if "{mlpages" not in body:
            return
        code = [(m.start(), m.end()) for m in _CODE_SPAN.finditer(body)]
        for m in TOKEN.finditer(body):
            if not any(a <= m.start() < b for a, b in code):
                at = offsets[first] + m.start()
                yield Token(at, offsets[first] + m.end(), m.group(0), m.group(1),
                            first + 1 + body.count("\n", 0, m.start()))

    for i, line in enumerate(lines):
        opened = _FENCE.match(line)
        if fence is not None:
            if opened and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence) \
                    and not line[opened.end():].strip():
                fence = None
            first = i + 1
        elif opened:
            yield from paragraph(i)
            fence, first = opened.group(1), i + 1
        elif not line.strip():  # a code span never runs over a blank line
            yield from paragraph(i)
            first = i + 1
    if fence is None:
        yield from paragraph(len(lines))


class LineFinder:
    """The file lines of the `{mlpages …}` that Markdown's preprocessors still see, matched by
    their text in order: MkDocs has taken the front matter off, and other preprocessors may
    have changed the text around them."""

    def __init__(self, text: str) -> None:
        self._sites = [(t.raw, t.line) for t in tokens(text)] if "{mlpages" in text else []
        self._taken = [False] * len(self._sites)

    def claim(self, raw: str) -> int | None:
        for i, (text, line) in enumerate(self._sites):
            if not self._taken[i] and text == raw:
                self._taken[i] = True
                return line
        return None


def parse(expression: str) -> tuple[dict[str, Any], int]:
    """`conv.output[1, 1]` (or a YAML mapping `cell: …, quantity: …`) as a results row's
    `{cell, quantity, epoch | index}`, and the significant digits to show."""
    if ":" in expression:
        src = _mapping(expression)
        digits = src.pop("digits", DIGITS)
    else:
        found = _DIGITS.match(expression)
        digits = int(found.group("digits")) if found else DIGITS
        src = _short(found.group("rest") if found else expression)
    if isinstance(digits, bool) or not isinstance(digits, int) or not 1 <= digits <= MAX_DIGITS:
        raise BlockError(f"digits must be a whole number from 1 to {MAX_DIGITS}, got {digits!r}")
    return src, digits


def _mapping(expression: str) -> dict[str, Any]:
    try:
        data, _ = load_located("{" + expression + "}")
    except YamlError as exc:
        raise BlockError(f"cannot read the mapping: {exc}") from None
    if not isinstance(data, dict):
        raise BlockError("write the mapping of a results row, e.g. {mlpages cell: fit, "
                         "quantity: loss, epoch: 2}")
    unknown = sorted(set(data) - {"cell", "quantity", "epoch", "index", "digits"})
    if unknown:
        raise BlockError(f"unknown key '{unknown[0]}': a value has cell, quantity, epoch or "
                         "index, and digits")
    return dict(data)


def _short(expression: str) -> dict[str, Any]:
    m = _SHORT.match(expression)
    if m is None:
        raise BlockError(
            "write CELL.QUANTITY, then [INDEX] or @EPOCH where needed, e.g. {mlpages fit.loss@3}, "
            "{mlpages guess[0]} or {mlpages conv.output[1, 1]}")
    src: dict[str, Any] = {"cell": m.group("cell")}
    if m.group("quantity"):
        src["quantity"] = m.group("quantity")
    if m.group("index") is not None:
        parts = [p.strip() for p in m.group("index").split(",")]
        if not all(re.fullmatch(r"\d+", p) for p in parts):
            raise BlockError(f"the index [{m.group('index')}] must be one whole number (a flat index) "
                             "or one per dimension (row, column, …), 0-based")
        numbers = [int(p) for p in parts]
        src["index"] = numbers[0] if len(numbers) == 1 else numbers
    if m.group("epoch") is not None:
        epoch = m.group("epoch")
        src["epoch"] = int(epoch) if epoch.isdigit() else epoch
    return src


def build_values(values: list[InlineValue], page: PageState, text: str) -> str:
    """Put the HTML of every value whose placeholder is in `text` in its place; every block of
    the page is built by now. A mistake is a warning with the file and line, and an inline error
    mark in the sentence."""
    return place_values(text, values_html(values, page, text))


def place_values(text: str, built: dict[int, str]) -> str:
    """`text` with each value's placeholder replaced by its HTML in `built`, by index."""
    return PLACEHOLDER.sub(lambda m: built.get(int(m.group(1)), ""), text)


def values_html(values: list[InlineValue], page: PageState, text: str) -> dict[int, str]:
    """The HTML of every value whose placeholder is in `text`, by index (:func:`build_values`)."""
    built: dict[int, str] = {}
    present = {int(i) for i in PLACEHOLDER.findall(text)}
    number = 0
    for value in values:
        if value.index not in present:
            continue
        number += 1
        try:
            built[value.index] = _build(value, page, number)
        except BlockError as exc:
            message = format_location(page.path, value.line, KIND, value.expression, exc.message)
            get_logger().warning(message)
            page.error_count += 1
            built[value.index] = (f'<span class="mlpages-value mlpages-value-error" role="alert">'
                                  f"mlpages: {esc(message)}</span>")
    return built


def _build(value: InlineValue, page: PageState, number: int) -> str:
    src, digits = parse(value.expression)
    origin, refs, values = bound_value(src, page, "", None, label=None, user="sentence",
                                       above=value.line)
    cell = page.specs[origin["name"]]
    knob_models = {page.models[k.model].id for k in page.knob_cells if k.model in page.models}
    if any(k.name == origin["name"] for k in page.knob_cells) or cell.get("model") in knob_models:
        raise BlockError(f"a reader's knobs change '{origin['name']}', and a value in a sentence "
                         "shows the author's settings only: bind it in a results table, which "
                         "follows the knobs")
    element_id = f"mlp-{page.slug}-value-{number}"
    page.claim_element_ids([(element_id, f"the value '{value.expression}'", "a value in a sentence")],
                           key=None)
    spec = {
        **spec_header(KIND, value.expression, element_id),
        "from": origin,
        "references": [{"epsilon": r["epsilon"], "value": v} for r, v in zip(refs, values, strict=True)],
        "tolerance": allowed(cell, origin, page),
        "digits": digits,
    }
    webgl = next(v for r, v in zip(refs, values, strict=True) if r["epsilon"] == EPSILONS["webgl"])
    where = (f"{origin['name']}, {position(origin, cell)}" if cell["kind"] in ("convolution", KIND_TFJS)
             else f"{origin['name']} {origin['quantity']}, {position(origin, cell)}")
    m = current()
    title = m.t("inline_reference_title", where=where, name=origin["name"])
    data = json.dumps(encode_nonfinite(spec), separators=(",", ":"), allow_nan=False)
    return (f'<span class="mlpages-value" id="{esc(element_id)}" data-mlpages-value="{esc(data)}" '
            f'title="{esc(title)}"><span class="mlpages-value-reference">{esc(m.number(webgl, digits))}'
            "</span></span>")
