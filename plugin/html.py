"""Tiny HTML helpers for the build-time rendering of cells."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from html import escape
from typing import Any

import numpy as np

from .arrays import INLINE_MAX

# The attribute of the elements that the build writes around an author's text (cells with
# their generated code and tables, results tables, a quiz's labels): the MkDocs plugin keeps
# them, and every JSON spec script, out of the site's search index (plugin/searchindex.py).
NO_SEARCH = "data-mlpages-nosearch"


def esc(value: Any) -> str:
    """HTML-escape the string form of `value`."""
    return escape(str(value), quote=True)


def f32(value: float) -> float:
    """The shortest decimal that reads back as the same float32 (NaN stays NaN)."""
    v = np.float32(value)
    return float(str(v)) if np.isfinite(v) else float(v)


def array_json(arr: np.ndarray) -> dict[str, Any]:
    """`{"shape", "data"}` with row-major float32 values as Python floats.

    Values are the shortest decimals that read back as the same float32, for arrays small
    enough to be written into the page; larger ones (which go to binary site files) hold
    the float32 values exactly as Python floats, which is as exact and much faster.
    NaN and ±Infinity stay floats here; :func:`json_script` writes them as strings."""
    flat = np.asarray(arr, dtype=np.float32).ravel()
    if flat.size > INLINE_MAX:
        data = flat.astype(np.float64).tolist()
    else:
        data = [float(str(v)) if np.isfinite(v) else float(v) for v in flat]
    return {"shape": list(np.shape(arr)), "data": data}


def json_number(value: float) -> float | str:
    """A number as the page contract writes it: JSON has no NaN or Infinity, so those are
    the strings ``"NaN"``, ``"Infinity"`` and ``"-Infinity"`` (what JavaScript's ``Number()``
    and Python's ``float()`` read back); finite values stay numbers."""
    if math.isfinite(value):
        return value
    return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")


def encode_nonfinite(node: Any) -> Any:
    """A copy of a JSON-able value with every non-finite float written by :func:`json_number`."""
    if isinstance(node, float):
        return json_number(node)
    if isinstance(node, dict):
        return {k: encode_nonfinite(v) for k, v in node.items()}
    if isinstance(node, (list, tuple)):
        return [encode_nonfinite(v) for v in node]
    return node


def json_script(payload: Any, css_class: str = "mlpages-spec", element_id: str | None = None) -> str:
    """A `<script type="application/json">` element safe to embed in HTML.

    The payload is written as a one-element JSON array: Material's instant navigation
    re-creates inline scripts without their `type` and runs them as JavaScript, and an
    array literal runs as a harmless expression where a bare object is a syntax error.
    NaN and ±Infinity (a diverged training's reference) are written as strings
    (:func:`json_number`).
    """
    try:
        text = json.dumps([payload], separators=(",", ":"), allow_nan=False)
    except ValueError:  # only a payload with a non-finite float pays for the copy
        text = json.dumps([encode_nonfinite(payload)], separators=(",", ":"), allow_nan=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    id_attr = f' id="{esc(element_id)}"' if element_id else ""
    return f'<script type="application/json" class="{css_class}"{id_attr}>{text}</script>'


def fmt(value: Any, digits: int = 6) -> str:
    """A number for display: up to `digits` significant digits."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return str(int(value))
    try:
        x = float(value)
    except (TypeError, ValueError):
        return str(value)
    if not math.isfinite(x):
        return str(json_number(x))
    return f"{x:.{digits}g}"


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]], css_class: str = "") -> str:
    """A plain table; cells are escaped."""
    cls = f' class="{css_class}"' if css_class else ""
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>" for row in rows
    )
    return f"<table{cls}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def code_block(code: str, language: str = "js", program: bool = False) -> str:
    """A code block styled like the theme's own highlighted blocks; `program`: a cell's
    complete program (plugin/program.py), which the runtime gives Copy and standalone
    downloads (runtime/codeview.js)."""
    extra = " mlpages-program" if program else ""
    return (
        f'<div class="highlight mlpages-code{extra}"><pre><code class="language-{language}">'
        f"{esc(code)}</code></pre></div>"
    )


def details(summary: str, body_html: str, open_: bool = False) -> str:
    """A collapsible section."""
    attr = " open" if open_ else ""
    return f"<details class=\"mlpages-details\"{attr}><summary>{esc(summary)}</summary>{body_html}</details>"
