"""The variants of a page's knobs (plugin/knobs.py): the page built once per variant.

Each variant is the page built again with the variant's values written into the YAML of
the blocks they set, in a state of its own, through the same builders and the same
reference cache as the page itself. The blocks above the first one whose YAML a variant
changes are the author's, built from the same state: the variant's build starts at that
block, from a copy of the state the author's build had just before it (:func:`first_change`,
:meth:`PageState.resume`). It stops after the last block its changes reach
(:func:`last_reached`): below, every block is the author's YAML reading only what the
author's build gave it, so the author's HTML. It builds the whole page again
(:meth:`PageState.shadow`) where that could differ. The blocks whose HTML differs
from the author's default are the blocks the knobs change: the train cell, the model or
dataset above it, the cells that continue its training or predict with it, results tables
and quizzes that read their references. Each variant's HTML of those blocks goes into a
site file, `mlpages-variants/<cell id>/<variant>.json`, that the page fetches when a reader
picks the variant and verify reads to check it; the page itself keeps the default, so it
reads as a page without knobs does and weighs no more.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from . import knobs
from .arrays import ARRAY_DIR
from .contract import SCHEMA, spec_header
from .errors import BlockError, format_location, get_logger
from .html import NO_SEARCH, esc, json_script
from .i18n import current
from .page import ALL, Export, KnobCell, PageState
from .render import Slot, VariantError, build_variant, render_error

_ELEMENT_ID = re.compile(r'^\s*<[^>]*?\bid="([^"]+)"')
# True: build each variant's whole page again (:meth:`PageState.shadow`), as before variants
# built only the blocks they reach; tests compare the two.
FULL_REBUILD = False


def panel_id(cell_id: str) -> str:
    """The element id of a knob cell's controls."""
    return f"{cell_id}-knobs"


def build_variants(slots: list[Slot], page: PageState, html: dict[int, str]) -> None:
    """Build every knob cell's variants; put its controls above it (or its error in its place)."""
    taken: dict[int, str] = {}  # slot -> the knob cell whose variants change it
    base = dict(html)  # the blocks as the author wrote them, before any controls are added
    for cell in page.knob_cells:
        try:
            html[cell.slot] = _build(cell, slots, page, base, taken) + html[cell.slot]
        except (VariantError, BlockError) as exc:
            text = exc.message if isinstance(exc, BlockError) else str(exc)
            message = format_location(page.path, cell.line, "train", cell.name, text)
            get_logger().warning(message)
            page.error_count += 1
            page.cell_count -= 1
            html[cell.slot] = render_error("train", message)


def _build(cell: KnobCell, slots: list[Slot], page: PageState, html: dict[int, str],
           taken: dict[int, str]) -> str:
    default = knobs.default_index(cell.knobs)
    names = {"train": cell.name, "model": cell.model, "dataset": cell.dataset}
    variants: dict[int, dict[int, str]] = {}
    arrays: dict[str, bytes] = {}
    changed: set[int] = set()
    for index, values in knobs.variants(cell.knobs):
        if index == default:
            continue
        described = knobs.describe(cell.knobs, values)
        edits = {names[block]: changes for block, changes in knobs.edits(cell.knobs, values).items()}
        start = first_change(slots, page, edits)
        stop = last_reached(slots, page, edits, start)
        shadow = (page.snapshots[slots[start].index].resume(page, edits, described) if start
                  else page.shadow(edits, described))
        try:
            built = build_variant(slots, shadow, start, stop)
        except VariantError as exc:
            raise VariantError(f"the variant with {described} fails: {exc}; change or drop that "
                               "value") from None
        variants[index] = {i: text for i, text in built.items() if text != html[i]}
        changed.update(variants[index])
        for export in shadow.exports:
            if export.path == ARRAY_DIR:
                arrays.update(export.files)
    for slot in sorted(changed):
        other = taken.get(slot)
        if other is not None:
            raise BlockError(f"its knobs change {_element_id(html[slot]) or 'a block'}, which the knobs "
                             f"of train '{other}' change too; put the knobs of both on one train cell")
        taken[slot] = cell.name
    order = [s.index for s in slots if s.index in changed]
    ids = {i: _element_id(html[i]) for i in order}
    for i, element in ids.items():
        if element is None:
            raise VariantError(f"a block the knobs change has no element id to replace: {html[i][:60]!r}")
    files = {f"{index}.json": _variant_file(cell, index, values, order, ids,
                                            {**html, **variants.get(index, {})})
             for index, values in knobs.variants(cell.knobs)}
    folder = f"{knobs.VARIANT_DIR}/{cell.id}"
    page.exports.append(Export(cell.id, folder, files))
    if arrays:
        page.exports.append(Export(cell.id, ARRAY_DIR, arrays))
    return _panel(cell, page, default, [ids[i] or "" for i in order], folder)


def first_change(slots: list[Slot], page: PageState,
                 edits: dict[str, list[tuple[tuple[Any, ...], Any]]]) -> int:
    """Where a variant's build starts (a position in `slots`): at the first block whose YAML
    the variant's values change, from the author's build's state just before it, since every
    block above is the same YAML built from the same state, so the same HTML and state. 0 (the
    whole page, as :meth:`PageState.shadow`) on any doubt: a block above failed in the author's
    build (a variant builds it again and may not fail), or there is no state kept to go on from."""
    changed = _changed(slots, page, edits)
    if not changed:
        return 0
    start = min(changed)
    if any(slot.index in page.failed for slot in slots[:start]) or slots[start].index not in page.snapshots:
        return 0
    return start


def last_reached(slots: list[Slot], page: PageState,
                 edits: dict[str, list[tuple[tuple[Any, ...], Any]]], start: int) -> int | None:
    """Where a variant's build stops (a position in `slots`, past the last block it builds):
    after the last block its changes reach. A block is reached when the variant changes its
    YAML or it touched, in the author's build, an entry of the state (a model, dataset, spec
    or free-form value, :class:`page.Watched`) that a reached block above touched; the blocks
    below the last one reached are the author's YAML over the author's state, so the author's
    HTML. None (to the end) on any doubt: a block from `start` on failed in the author's build,
    what a block touched was not noted, or a reached block exports its model (which a model
    block below may read `from:` its folder, outside the state noted)."""
    changed = _changed(slots, page, edits)
    if changed is None:
        return None
    dirty: set[tuple[str, Any]] = set()
    tables: set[str] = set()  # the tables of `dirty`, and those touched as a whole
    stop = start + 1
    for n in range(start, len(slots)):
        touched = page.touched.get(slots[n].index)
        if touched is None or slots[n].index in page.failed:
            return None
        if n in changed or any(entry in dirty or entry[0] in tables and (entry[1] == ALL or
                                                                         (entry[0], ALL) in dirty)
                               for entry in touched):
            if _exports(slots[n]):  # a model it writes may be read `from:` its folder below
                return None
            dirty |= touched
            tables |= {table for table, _ in touched}
            stop = n + 1
    return stop


def _exports(slot: Slot) -> bool:
    """Whether the block writes a model for other blocks to read (`train` with `export`)."""
    data = slot.parsed[0] if slot.parsed is not None else None
    return not isinstance(data, Mapping) or "export" in data


def _changed(slots: list[Slot], page: PageState,
             edits: dict[str, list[tuple[tuple[Any, ...], Any]]]) -> set[int] | None:
    """The positions of the blocks whose YAML a variant changes; None: not known (or
    FULL_REBUILD)."""
    if FULL_REBUILD:
        return None
    position = {slot.index: n for n, slot in enumerate(slots)}
    changed = set()
    for name, changes in edits.items():
        slot = slots[position[page.name_slots[name]]] if name in page.name_slots else None
        if slot is None or slot.parsed is None or not isinstance(slot.parsed[0], Mapping):
            return None
        written = dict(slot.parsed[0])
        # repr, not ==: 1 and 1.0 are equal but not the same YAML (nor the same spec).
        if repr(knobs.apply(written, changes)) != repr(written):
            changed.add(position[slot.index])
    return changed


def _variant_file(cell: KnobCell, index: int, values: tuple[Any, ...], order: list[int],
                  ids: dict[int, str | None], html: dict[int, str]) -> bytes:
    """One variant: its knob values and the HTML of every block that any variant changes."""
    payload = {
        "schema": SCHEMA, "cell": cell.id, "index": index,
        "knobs": {k.key: v for k, v in zip(cell.knobs, values, strict=True)},
        "blocks": [{"id": ids[i], "html": html[i]} for i in order],
    }
    return json.dumps(payload, separators=(",", ":"), allow_nan=False).encode("utf-8")


def _element_id(text: str) -> str | None:
    found = _ELEMENT_ID.match(text)
    return found.group(1) if found else None


def _panel(cell: KnobCell, page: PageState, default: int, blocks: list[str], folder: str) -> str:
    """The knob cell's controls: a spec for the runtime, and the settings in words without it."""
    element = panel_id(cell.id)
    spec = {
        **spec_header("knobs", cell.name, element),
        "cell": cell.id, "knobs": [k.spec() for k in cell.knobs],
        "count": knobs.count(cell.knobs), "default": default,
        "files": f"{page.url_prefix}{folder}/", "blocks": blocks,
    }
    m = current()

    def shown(value: Any) -> str:
        return m.number(value) if isinstance(value, (int, float)) and not isinstance(value, bool) \
            else knobs.format_value(value)

    def listed(values: Any) -> str:
        return m.t("list_separator").join(shown(v) for v in values)

    items = "".join(
        f"<li><strong>{esc(k.label)}</strong> {esc(shown(k.default))} "
        f"<span class=\"mlpages-knob-values\">"
        f"{esc(m.t('knob_choices_free' if k.free else 'knob_choices', values=listed(k.values)))}"
        f"</span></li>"
        for k in cell.knobs
    )
    return (
        f'<div class="mlpages-knobs" id="{esc(element)}" data-mlpages-knobs="{esc(cell.id)}" {NO_SEARCH}>'
        f"{json_script(spec, css_class='mlpages-knobs-spec')}"
        f'<p class="mlpages-knobs-title">'
        f'{m.html("knob_settings_title", name=f"<code>{esc(cell.name)}</code>", count=spec["count"])}</p>'
        f'<ul class="mlpages-knobs-static">{items}</ul></div>'
    )
