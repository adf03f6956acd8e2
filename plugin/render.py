"""Turn the mlpages fences of one page into cells, in document order."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .arrays import ARRAY_DIR, externalize
from .blocks import BLOCKS, ELEMENTS
from .errors import BlockError, format_location, get_logger
from .html import esc, json_script
from .page import Export, PageState
from .yaml12 import YamlError, load


@dataclass
class Slot:
    """One fence as the formatter saw it, waiting for its page to be complete."""

    index: int
    kind: str
    src: str
    line: int | None
    keyed: bool = True  # the body's lines are the file's (False: generated from a quizdown block)


def render_cell(kind: str, name: str, cell_id: str, spec: dict[str, Any], body: str) -> str:
    return (
        f'<div class="mlpages-cell mlpages-{kind}" id="{esc(cell_id)}" '
        f'data-mlpages-kind="{kind}" data-mlpages-name="{esc(name)}">'
        f'<div class="mlpages-head"><span class="mlpages-kind">{kind}</span> '
        f'<span class="mlpages-name">{esc(name)}</span></div>'
        f"{json_script(spec)}{body}"
        f'<div class="mlpages-live"></div></div>'
    )


def render_error(kind: str, message: str) -> str:
    return (
        f'<div class="mlpages-error admonition failure" data-mlpages-kind="{kind}" role="alert">'
        f'<p class="admonition-title">mlpages: this {kind} block has an error</p>'
        f"<p><code>{esc(message)}</code></p></div>"
    )


def build_slots(slots: list[Slot], page: PageState) -> dict[int, str]:
    """HTML per slot index. Author mistakes become warnings and error boxes, never tracebacks."""
    ordered = sorted(slots, key=lambda s: (s.line is None, s.line or 0, s.index))
    html: dict[int, str] = {}
    for slot in ordered:
        html[slot.index] = _build_one(slot, page)
    return html


def _build_one(slot: Slot, page: PageState) -> str:
    name: str | None = None
    line = slot.line
    try:
        try:
            data = load(slot.src)
        except YamlError as exc:
            if line is not None and exc.line is not None and slot.keyed:
                line = line + 1 + exc.line
            raise BlockError(f"invalid YAML: {exc}") from None
        if data is None:
            data = {}
        if not isinstance(data, Mapping):
            raise BlockError("the block body must be a YAML mapping of keys to values")
        data = dict(data)
        raw_name = data.get("name")
        if isinstance(raw_name, str):
            name = raw_name
        name = page.claim_name(slot.kind, data.get("name"), slot.line)
        spec, body = BLOCKS[slot.kind](data, page, name)
        for info in page.infos:
            get_logger().info(format_location(page.path, line, slot.kind, name, info))
        page.infos.clear()
        page.specs[name] = spec  # numeric quiz questions read the references of cells above them
        spec = _move_large_arrays(spec, page)
        element = ELEMENTS.get(slot.kind)
        if element is not None:
            return element(spec, body)
        page.cell_count += 1
        return render_cell(slot.kind, name, spec["id"], spec, body)
    except BlockError as exc:
        page.infos.clear()
        if exc.key and line is not None and slot.keyed:
            line = _key_line(slot.src, exc.key, line)
        message = format_location(page.path, line, slot.kind, name, exc.message)
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


def _key_line(src: str, key: str, fence_line: int) -> int:
    """The file line of a top-level `key:` inside the block body, else the fence's line."""
    for i, text in enumerate(src.split("\n")):
        stripped = text.lstrip()
        if stripped.startswith(f"{key}:") and len(text) - len(stripped) == 0:
            return fence_line + 1 + i
    return fence_line
