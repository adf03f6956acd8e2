"""The `results` block: a table of numbers taken from the cells above it.

Each row names a quantity of a train cell (`loss`, `acc`, `val_loss`, `val_acc` after an
epoch), a value of a predict cell or one cell of a convolution's output map. The table shows
the NumPy reference, computed at build; in the browser the runtime switches to the reference
of the page's backend and adds the reader's own run beside it as the cells finish, with a ✓
or ✗ mark (within the cell's tolerance; an accuracy within one sample). Nothing in it is
typed by the author.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..contract import spec_header
from ..errors import BlockError
from ..html import NO_SEARCH, esc, json_script
from ..i18n import current
from ..page import EPSILONS, PageState
from .bound import BOUND_KEYS, allowed, bound_value, position
from .common import check_keys

KIND = "results"
KEYS = ["name", "caption", "quantity", "rows"]
ROW_KEYS = ["label", *BOUND_KEYS]


def build(data: dict[str, Any], page: PageState, name: str) -> tuple[dict[str, Any], str]:
    check_keys(data, KEYS)
    caption = data.get("caption")
    if caption is not None and (not isinstance(caption, str) or not caption.strip()):
        raise BlockError("'caption' must be a text", key="caption")
    quantity = data.get("quantity")
    raw_rows = data.get("rows")
    if not isinstance(raw_rows, list) or not raw_rows:
        raise BlockError("'rows' must be a list of {label, cell, quantity, epoch | index}, e.g. "
                         "- {label: after 5 epochs, cell: fit, quantity: val_acc, epoch: 5}", key="rows")
    rows = []
    for i, raw in enumerate(raw_rows, start=1):
        prefix = f"row {i}: "
        at = ("rows", i - 1)
        if not isinstance(raw, Mapping):
            raise BlockError(f"{prefix}a row must be a mapping {{label, cell, quantity, epoch | index}}",
                             key=at)
        check_keys(raw, ROW_KEYS, where=f"row {i}", key=at)
        origin, refs, values = bound_value(raw, page, prefix, at, label=None, user="table",
                                           quantity=quantity)
        cell = page.specs[origin["name"]]
        label = raw.get("label", f"{origin['name']}, {position(origin, cell)}")
        if not isinstance(label, str) or not label.strip():
            raise BlockError(f"{prefix}'label' must be a text", key=(*at, "label"))
        rows.append({
            "label": label, "from": origin,
            "references": [{"epsilon": r["epsilon"], "value": v} for r, v in zip(refs, values, strict=True)],
            "tolerance": allowed(cell, origin, page),
        })
    spec = {**spec_header(KIND, name, page.cell_id(name)),
            "caption": caption, "rows": rows}
    return spec, render(spec)


def render(spec: dict[str, Any]) -> str:
    """The table as a reader without JavaScript sees it: the WebGL reference per row."""
    webgl = EPSILONS["webgl"]
    m = current()
    body = []
    for row in spec["rows"]:
        origin = row["from"]
        value = next(r["value"] for r in row["references"] if r["epsilon"] == webgl)
        body.append(
            f'<tr data-mlpages-row="{esc(origin["cell"])}"><th scope="row">{esc(row["label"])}</th>'
            f'<td><code>{esc(origin["quantity"])}</code></td>'
            f'<td class="mlpages-results-reference">{esc(m.number(value))}</td></tr>'
        )
    caption = f"<caption>{esc(spec['caption'])}</caption>" if spec.get("caption") else ""
    return (
        f'<table class="mlpages-results-table">{caption}<thead><tr><th scope="col"></th>'
        f'<th scope="col">{esc(m.t("head_quantity"))}</th>'
        f'<th scope="col" data-mlpages-reference>{esc(m.t("head_reference"))}</th></tr></thead>'
        f'<tbody>{"".join(body)}</tbody></table>'
        f'<p class="mlpages-results-note">{esc(m.t("results_note"))}</p>'
    )


def element(spec: dict[str, Any], body: str) -> str:
    """The results element: its spec script, then the table."""
    return (
        f'<div class="mlpages-results" id="{esc(spec["id"])}" data-mlpages-results '
        f'data-mlpages-name="{esc(spec["name"])}" {NO_SEARCH}>'
        f'{json_script(spec, css_class="mlpages-results-spec")}{body}</div>'
    )
