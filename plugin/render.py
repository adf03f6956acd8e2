"""Turn the mlpages fences of one page into cells, in document order."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from . import knobs
from .arrays import ARRAY_DIR, externalize
from .blocks import BLOCKS, CODE, ELEMENTS
from .errors import BlockError, format_location, get_logger, key_line, key_path
from .html import NO_SEARCH, esc, json_script
from .memo import note_info
from .page import Export, PageState
from .yaml12 import YamlError, load_located

# The limit a YamlError names -> the `limits:` option that raises it.
_YAML_LIMITS = {"depth": "yaml_depth", "aliases": "yaml_aliases"}


@dataclass
class Slot:
    """One fence as the formatter saw it, waiting for its page to be complete."""

    index: int
    kind: str
    src: str
    line: int | None
    keyed: bool = True  # the body's lines are the file's (False: generated from a quizdown block)
    # The body parsed (data, key lines), kept for the page's knob variants, which build every
    # block again: each builds from a copy and nothing is parsed twice.
    parsed: tuple[Any, dict[tuple[Any, ...], int]] | None = field(default=None, repr=False, compare=False)


def render_cell(kind: str, name: str, cell_id: str, spec: dict[str, Any], body: str) -> str:
    return (
        f'<div class="mlpages-cell mlpages-{kind}" id="{esc(cell_id)}" '
        f'data-mlpages-kind="{kind}" data-mlpages-name="{esc(name)}" {NO_SEARCH}>'
        f'<div class="mlpages-head"><span class="mlpages-kind">{kind}</span> '
        f'<span class="mlpages-name">{esc(name)}</span></div>'
        f"{json_script(spec)}{body}"
        f'<div class="mlpages-live"></div></div>'
    )


def render_error(kind: str, message: str) -> str:
    return (
        f'<div class="mlpages-error admonition failure" data-mlpages-kind="{kind}" role="alert" {NO_SEARCH}>'
        f'<p class="admonition-title">mlpages: this {kind} block has an error</p>'
        f"<p><code>{esc(message)}</code></p></div>"
    )


class VariantError(Exception):
    """A block failed while the page was built as one knob variant (the message says where)."""


def build_slots(slots: list[Slot], page: PageState) -> dict[int, str]:
    """HTML per slot index. Author mistakes become warnings and error boxes, never tracebacks.

    A train cell with knobs is followed by a build of the page per variant (plugin/variants.py)."""
    ordered = sorted(slots, key=lambda s: (s.line is None, s.line or 0, s.index))
    page.slots = ordered  # free-form cells pair with their references anywhere on the page
    html: dict[int, str] = {}
    # A page whose train cells may have knobs keeps its state before each block: a knob
    # variant goes on from there rather than building again the blocks it does not change.
    # It notes too what each block touches of the state, so that a variant skips the blocks
    # below its changes that touch nothing they changed.
    keep = any(slot.kind == "train" and "knobs" in slot.src for slot in ordered)
    if keep:
        page.watch()
    for slot in ordered:
        if keep:
            page.noting(None)  # copying the tables reads every entry: the copy is no block's
            page.snapshots[slot.index] = page.fork()
            page.noting(page.touched.setdefault(slot.index, set()))
        html[slot.index] = _build_one(slot, page)
    page.noting(None)
    if page.knob_cells:
        from .variants import build_variants  # variants.py builds pages with this module

        build_variants(ordered, page, html)
    page.snapshots.clear()
    page.touched.clear()
    return html


def build_variant(slots: list[Slot], page: PageState, start: int = 0, stop: int | None = None
                  ) -> dict[int, str]:
    """HTML per slot index of the page built as one variant (`page` a shadow state, or one
    resumed before `slots[start]`), from `slots[start]` to `slots[stop - 1]` (None: the last);
    the first block that fails, and did not fail in the author's build, raises
    :class:`VariantError`."""
    page.slots = slots
    return {slot.index: _build_one(slot, page) for slot in slots[start:stop]}


def _build_one(slot: Slot, page: PageState) -> str:
    name: str | None = None
    line = slot.line
    lines: dict[tuple[Any, ...], int] = {}
    limits = page.limits
    page.block_line = line
    try:
        try:
            if slot.parsed is None:
                code = CODE.get(slot.kind)
                if code is not None:
                    slot.parsed = code(slot.kind, slot.src, limits)
                else:
                    slot.parsed = load_located(slot.src, max_depth=limits.yaml_depth,
                                               max_alias_nodes=limits.yaml_aliases)
            data, lines = copy.deepcopy(slot.parsed[0]), slot.parsed[1]
        except YamlError as exc:
            if line is not None and exc.line is not None and slot.keyed:
                line = line + 1 + exc.line
            hint = f" ({limits.hint(_YAML_LIMITS[exc.limit])})" if exc.limit else ""
            raise BlockError(f"invalid YAML: {exc}{hint}") from None
        if data is None:
            data = {}
        if not isinstance(data, Mapping):
            raise BlockError("the block body must be a YAML mapping of keys to values")
        data = dict(data)
        raw_name = data.get("name")
        if isinstance(raw_name, str):
            name = raw_name
        name = page.claim_name(slot.kind, data.get("name"), slot.line)
        page.name_slots[name] = slot.index
        if name in page.edits:
            data = knobs.apply(data, page.edits[name])
        page.raw[name] = data
        page.block_lines, page.block_slot = lines, slot.index
        spec, body = BLOCKS[slot.kind](data, page, name)
        if page.variant is None:  # a variant's divergence is the reader's to see, not the log's
            for info in page.infos:
                said = format_location(page.path, line, slot.kind, name, info)
                get_logger().info(said)
                note_info(said)  # said again when the page memo puts the page back
        page.infos.clear()
        page.specs[name] = spec  # numeric quiz questions read the references of cells above them
        spec = _move_large_arrays(spec, page)
        element = ELEMENTS.get(slot.kind)
        if element is not None:
            return element(spec, body)
        page.cell_count += 1
        return render_cell(slot.kind, name, spec["id"], spec, body)
    except (BlockError, MemoryError, RecursionError) as exc:
        page.infos.clear()
        if isinstance(exc, BlockError):
            text = exc.message
            if exc.line is not None and slot.keyed:
                line = exc.line
            elif exc.key and line is not None and slot.keyed:
                line = key_line(lines, key_path(exc.key), line)
        else:  # what the limits did not foresee: still the author's block, never a traceback
            text = (f"the build ran out of {'memory' if isinstance(exc, MemoryError) else 'stack'} "
                    "on this block; make it smaller")
        message = format_location(page.path, line, slot.kind, name, text)
        if page.variant is not None:  # a variant's build reports nothing the page did not
            if slot.index not in page.failed:
                raise VariantError(f"{slot.kind} '{name}': {text}") from None
            return render_error(slot.kind, message)
        page.failed.add(slot.index)
        get_logger().warning(message)
        page.error_count += 1
        return render_error(slot.kind, message)


def _move_large_arrays(spec: dict[str, Any], page: PageState) -> dict[str, Any]:
    """The spec as the page carries it: large arrays become files next to the page (arrays.py)."""
    files: dict[str, bytes] = {}
    spec = externalize(spec, files, page.url_prefix)
    if files:
        prefix = f"{ARRAY_DIR}/"
        page.exports.append(Export(str(spec.get("id", "")), ARRAY_DIR,
                                   {src.removeprefix(prefix): data for src, data in files.items()}))
    return spec
