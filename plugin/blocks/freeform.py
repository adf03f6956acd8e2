"""Free-form cells: a ```` ```tfjs ```` fence of the author's own TF.js code, checked against a
```` ```reference ```` fence of Python (NumPy, mlpages' engine) run at build time.

Both fences start with a header of comment lines in their own language, ``// key: value``
and ``# key: value`` (YAML), so that the code stays valid JavaScript and valid Python: the
``tfjs`` cell's ``name`` and ``tolerance``, the reference's ``cell`` (the name of the cell it
checks; without one, the ``tfjs`` fence closest above it). Both end the same way, with
``return {name: value, ...}``: the names and shapes the reference returns are the cell's
contract, compared value by value with what the page's code returns.

The reference runs like a ``loader:`` (author code, off with ``author_code: false``), once per
backend epsilon, compiled with the Markdown file's name and its lines, so that a traceback,
and the build error made of it, names the Markdown line that raised. Its values are cached
by the digest of its code and of everything it can read (earlier cells' values, the datasets
and models above it, the files its header lists).
"""

from __future__ import annotations

import ast
import copy
import os
import re
import traceback
import types
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .. import refcheck
from ..cache import digest
from ..contract import spec_header
from ..errors import BlockError, shorten
from ..files import OutsideError, inside
from ..html import code_block, esc
from ..i18n import current
from ..limits import Limits
from ..memo import note_author_code
from ..page import EPSILONS, PageState
from ..yaml12 import load_located
from .common import check_keys, is_file, tolerance

KIND = "tfjs"
REFERENCE = "reference"
JS_KEYS = ["name", "tolerance"]
REFERENCE_KEYS = ["cell", "files"]
RESULT = "__mlpages_values__"
MESSAGE_MAX = 300
MAX_VALUES = 4096  # numbers one reference may return, all values together (inline in the page)
_HEADER = {KIND: "//", REFERENCE: "#"}
_KEY = re.compile(r"[A-Za-z_][\w-]*[ \t]*:(\s|$)")
_IDENTIFIER = re.compile(r"[A-Za-z_$][\w$]*")


@dataclass
class Fence:
    """A free-form fence of the page: its header, code, and where its code starts."""

    kind: str
    data: dict[str, Any]
    code: str
    line: int | None  # the Markdown line of the fence's first body line (None: unknown)


def parse(kind: str, src: str, limits: Limits) -> tuple[dict[str, Any], dict[tuple[Any, ...], int]]:
    """The fence's header as a mapping, with its ``code`` (the whole body), and the body line
    of each header key and of each code line (``("code", i)``), as render.py places errors.

    Raises:
        BlockError: an unknown header key, or a header that is no YAML mapping.
        YamlError: the header is not YAML.
    """
    prefix = _HEADER[kind]
    body = src.split("\n")
    header: list[str] = []
    for line in body:
        text = line.strip()
        if not text.startswith(prefix):
            break
        text = text[len(prefix):].strip()
        if not _KEY.match(text):
            break
        header.append(text)
    data: Any = {}
    lines: dict[tuple[Any, ...], int] = {}
    if header:
        data, lines = load_located("\n".join(header), max_depth=limits.yaml_depth,
                                   max_alias_nodes=limits.yaml_aliases)
        if not isinstance(data, Mapping):
            raise BlockError(f"the header ({prefix} key: value lines) must be a mapping of keys to values")
        data = dict(data)
    if "code" in data or "header" in data:
        raise BlockError("'code' and 'header' are no header keys: the code is the fence's body")
    for i in range(len(body)):
        lines[("code", i)] = i
    data["code"] = src
    data["header"] = len(header)
    return data, lines


def _fences(page: PageState) -> list[Fence]:
    """The page's free-form fences in document order (headers that do not parse left out:
    their own blocks report them)."""
    found = []
    for slot in page.slots:
        if slot.kind not in _HEADER:
            continue
        try:
            data, _ = parse(slot.kind, slot.src, page.limits)
        except Exception:  # noqa: BLE001 (the fence's own build reports it)
            continue
        first = slot.line + 1 if slot.line is not None and slot.keyed else None
        found.append(Fence(slot.kind, data, slot.src, first))
    return found


def _pairs(page: PageState) -> tuple[dict[str, Fence], list[tuple[Fence, str | None]]]:
    """The ``tfjs`` fences by name, and each reference with the name of the cell it checks
    (``None``: there is no ``tfjs`` fence above it to default to)."""
    cells: dict[str, Fence] = {}
    refs: list[tuple[Fence, str | None]] = []
    count = 0
    last: str | None = None
    for fence in _fences(page):
        if fence.kind == KIND:
            count += 1
            name = fence.data.get("name")
            last = name if isinstance(name, str) else f"{KIND}-{count}"
            cells.setdefault(last, fence)
        else:
            name = fence.data.get("cell")
            refs.append((fence, name if isinstance(name, str) else last))
    return cells, refs


def _check_header(data: Mapping[str, Any], allowed: list[str]) -> None:
    check_keys({k: v for k, v in data.items() if k not in ("code", "header")}, allowed)


def _reference_of(page: PageState, name: str) -> Fence | None:
    for fence, target in _pairs(page)[1]:
        if target == name:
            return fence
    return None


# ---------------------------------------------------------------------------- the tfjs cell


def build(data: dict[str, Any], page: PageState, name: str) -> tuple[dict[str, Any], str]:
    """The ``tfjs`` cell: its code, the blocks it may read, and its reference's values."""
    _check_header(data, JS_KEYS)
    tol = tolerance(data)
    code: str = data["code"]
    first = page.block_line + 1 if page.block_line is not None else None
    ref = _reference_of(page, name)
    references = None
    if ref is not None:
        references = _references(ref, page)
        for entry in references:
            scope = page.freeform.setdefault(entry["epsilon"], {})
            for key, value in entry["values"].items():
                scope[key] = _array(value)
    spec = {
        **spec_header(KIND, name, page.cell_id(name)),
        "code": code, "line": first, "source": page.path,
        "models": {m.name: {"id": m.id, "after": list(m.trained_by)} for m in page.models.values()},
        "datasets": {d.name: d.id for d in page.datasets.values()},
        "tolerance": tol, "references": references,
    }
    return spec, render(spec)


def render(spec: dict[str, Any]) -> str:
    """The code, and the reference's values (what a reader without JavaScript sees)."""
    m = current()
    html = code_block(spec["code"])
    refs = spec["references"]
    if not refs:
        return html + f'<p class="mlpages-note">{esc(m.t("tfjs_no_reference_static"))}</p>'
    rows = "".join(
        f"<tr><td><code>{esc(key)}</code></td><td>{esc(_shape_text(value['shape']))}</td>"
        f"<td>{esc(_preview(value))}</td></tr>"
        for key, value in refs[0]["values"].items())
    heads = "".join(f"<th>{esc(m.t(key))}</th>"
                    for key in ("tfjs_head_value", "tfjs_head_shape", "tfjs_head_reference"))
    return (html + f'<table class="mlpages-table mlpages-reference"><thead><tr>{heads}</tr></thead>'
            f'<tbody>{rows}</tbody></table>')


def _shape_text(shape: list[int]) -> str:
    return current().t("shape_scalar") if not shape else "×".join(str(n) for n in shape)


def _preview(value: Mapping[str, Any], count: int = 8) -> str:
    m = current()
    data = value["data"]
    shown = m.numbers(data[:count], 5)
    return shown + (m.t("list_separator") + "…" if len(data) > count else "")


def _array(value: Mapping[str, Any]) -> np.ndarray:
    return np.asarray([float(v) for v in value["data"]], dtype=np.float64).reshape(value["shape"])


# ---------------------------------------------------------------------------- the reference


def build_reference(data: dict[str, Any], page: PageState, name: str) -> tuple[dict[str, Any], str]:
    """A ``reference`` fence: checked to belong to one ``tfjs`` cell, shown as its code (the
    cell runs it, wherever on the page the two fences are)."""
    _check_header(data, REFERENCE_KEYS)
    cells, refs = _pairs(page)
    first = page.block_line + 1 if page.block_line is not None else None
    mine = next(((f, t) for f, t in refs if f.code == data["code"] and f.line == first), None)
    target = mine[1] if mine is not None else data.get("cell")
    if not isinstance(target, str):
        raise BlockError("a reference names the tfjs cell it checks ('# cell: <name>') or "
                         "follows it on the page", key="cell")
    if target not in cells:
        known = ", ".join(sorted(cells)) or "none"
        raise BlockError(f"no tfjs cell named '{target}' on this page; tfjs cells: {known}", key="cell")
    first_ref = _reference_of(page, target)
    if mine is not None and first_ref is not None and first_ref.line != mine[0].line:
        raise BlockError(f"tfjs cell '{target}' already has a reference above this one", key="cell")
    _files(data, page)
    spec = {"kind": REFERENCE, "name": name, "cell": target}
    return spec, reference_html(data["code"], target)


def element(spec: dict[str, Any], body: str) -> str:
    """A reference is no cell of its own: its code, under the cell it checks."""
    del spec
    return body


def reference_html(code: str, cell: str) -> str:
    text = current().html("tfjs_reference_of", cell=f"<code>{esc(cell)}</code>")
    return (f'<div class="mlpages-freeform-reference"><p class="mlpages-note">{text}</p>'
            f'{code_block(code, "python")}</div>')


def _files(data: Mapping[str, Any], page: PageState) -> list[Path]:
    """The files a reference reads (``# files: [data/points.csv]``), inside the docs."""
    raw = data.get("files", [])
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list) or not all(isinstance(f, str) for f in raw):
        raise BlockError("'files' must list the files the reference reads, relative to the page", key="files")
    out = []
    for i, rel in enumerate(raw):
        path = page.base_dir / rel
        try:
            inside(path, page.files_root, rel)
        except OutsideError as exc:
            raise BlockError(str(exc), key=("files", i)) from None
        if not is_file(path):
            raise BlockError(f"'files' names {rel!r}, which is not a file", key=("files", i))
        out.append(path)
    return out


def _references(ref: Fence, page: PageState) -> list[dict[str, Any]]:
    """The reference's values per backend epsilon, from the cache or run now."""
    if not page.allow_author_code:
        raise BlockError(
            "its NumPy reference is Python run at build time, and author code is turned off for "
            "this build (plugin option author_code: false); the page cannot check this cell",
            line=ref.line - 1 if ref.line else None)
    try:
        files = _files(ref.data, page)
    except BlockError as exc:
        raise BlockError(f"its reference: {exc.message}", line=ref.line - 1 if ref.line else None) from None
    scope = {eps: dict(page.freeform.get(eps, {})) for eps in EPSILONS.values()}
    # What the code can read is part of its key; the page's blocks and the values above only
    # when it names them (no other way leads to them), so that a knob variant of a model
    # does not run again a reference that never reads it.
    names = set(re.findall(r"\b(?:values|dataset|model)\b", ref.code))
    inputs = (
        scope if "values" in names else None,
        [(d.name, d.x, d.y) for d in page.datasets.values()] if "dataset" in names else None,
        [(m.name, m.chain.key) for m in page.models.values()] if "model" in names else None,
        [(str(p), p.read_bytes()) for p in files],
    )
    key = digest("tfjs-reference", ref.code, inputs)
    cached = page.cache.get(key, _valid)
    if cached is not None:
        return list(cached)
    # The code runs: it may read more than its key holds, so the page memo keeps this build
    # of the page for nothing (a later build that finds the values here may keep it).
    note_author_code()
    references = [{"epsilon": eps, "values": run_reference(ref, page, eps, scope[eps])}
                  for eps in EPSILONS.values()]
    page.cache.put(key, references)
    return references


def _valid(value: Any) -> bool:
    """A cached entry: one ``{epsilon, values}`` per backend epsilon, each value an array."""
    if not isinstance(value, list) or len(value) != len(EPSILONS):
        return False
    for entry, eps in zip(value, EPSILONS.values(), strict=True):
        if not isinstance(entry, dict) or entry.get("epsilon") != eps:
            return False
        if not isinstance(entry.get("values"), dict):
            return False
        for v in entry["values"].values():
            if not isinstance(v, dict) or not isinstance(v.get("shape"), list):
                return False
            if not all(isinstance(n, int) and n >= 0 for n in v["shape"]):
                return False
            if not refcheck.array(v, v["shape"]):
                return False
    return True


class _Values(dict[str, np.ndarray]):
    """The values of the references above; a name none returned says so."""

    def __missing__(self, key: str) -> np.ndarray:
        known = ", ".join(self) or "none"
        raise KeyError(f"values[{key!r}]: no reference above returns it (values: {known})")


class _Helpers:
    """What a reference may read of the page: `dataset(name)` and `model(name)`."""

    def __init__(self, page: PageState, epsilon: float) -> None:
        self.page = page
        self.epsilon = epsilon

    def dataset(self, name: str) -> tuple[np.ndarray, np.ndarray | None]:
        """A dataset block's training arrays `(x, y)` as the model trains on them (float32)."""
        try:
            ds = self.page.dataset(name)
        except BlockError as exc:
            raise LookupError(exc.message) from None
        return ds.x.copy(), None if ds.y is None else ds.y.copy()

    def model(self, name: str) -> Any:
        """A copy of the engine model of a model block, as the train cells above left it."""
        try:
            info = self.page.model(name)
        except BlockError as exc:
            raise LookupError(exc.message) from None
        return copy.deepcopy(info.chain.engine(self.epsilon))


def run_reference(ref: Fence, page: PageState, epsilon: float,
                  scope: Mapping[str, np.ndarray]) -> dict[str, dict[str, Any]]:
    """Run the reference for one epsilon: its named values as ``{shape, data}`` (float64).

    Raises:
        BlockError: at the Markdown line where the reference failed (a syntax error, an
            exception, ``sys.exit``, a ``return`` of anything but named numbers).
    """
    offset = (ref.line or 1) - 1  # code line 1 is Markdown line ref.line
    where = "its NumPy reference"
    try:
        tree = ast.parse(ref.code, filename=page.path)
    except SyntaxError as exc:
        line = offset + exc.lineno if exc.lineno else None
        raise BlockError(f"{where}: SyntaxError: {exc.msg}", line=line) from None
    ast.increment_lineno(tree, offset)
    last = tree.body[-1] if tree.body else None
    for stmt in tree.body[:-1]:
        if isinstance(stmt, ast.Return):
            raise BlockError(f"{where}: 'return' ends the reference: it must be its last statement",
                             line=stmt.lineno)
    if not isinstance(last, ast.Return) or last.value is None:
        raise BlockError(f"{where}: end it with return {{name: value, ...}}: the named values the "
                         "cell's code returns too", line=last.lineno if last is not None else ref.line)
    assign = ast.Assign(targets=[ast.Name(RESULT, ast.Store())], value=last.value)
    tree.body[-1] = ast.copy_location(assign, last)
    ast.fix_missing_locations(tree)
    try:
        compiled = compile(tree, page.path, "exec")
    except SyntaxError as exc:
        raise BlockError(f"{where}: SyntaxError: {exc.msg}", line=exc.lineno) from None
    helpers = _Helpers(page, epsilon)
    module = types.ModuleType("__mlpages_reference__")
    namespace = module.__dict__
    namespace.update({"epsilon": epsilon, "values": _Values({k: v.copy() for k, v in scope.items()}),
                      "dataset": helpers.dataset, "model": helpers.model})
    cwd = os.getcwd()
    try:
        os.chdir(page.base_dir)  # the reference opens files relative to its page
        exec(compiled, namespace)  # noqa: S102 (author code, as a loader: off with author_code: false)
    except KeyboardInterrupt:
        raise
    except SystemExit as exc:
        raise BlockError(f"{where}: it called sys.exit({shorten(repr(exc.code), MESSAGE_MAX)}); a "
                         "reference must return its values, not exit", line=_line(exc, page.path)) from None
    except BaseException as exc:  # noqa: BLE001 (author code: any failure is the block's error)
        text = shorten(str(exc), MESSAGE_MAX)
        raise BlockError(f"{where} raised {type(exc).__name__}{': ' + text if text else ''}",
                         line=_line(exc, page.path)) from None
    finally:
        os.chdir(cwd)
    return _values(namespace.get(RESULT), where, last.lineno)


def _line(exc: BaseException, path: str) -> int | None:
    """The Markdown line of the innermost frame of the reference's own code."""
    line = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename == path:
            line = frame.lineno
    return line


def _values(result: Any, where: str, line: int) -> dict[str, dict[str, Any]]:
    if not isinstance(result, Mapping) or not result:
        raise BlockError(f"{where}: it returns {type(result).__name__}, not a mapping of names to "
                         "values like {'w': w, 'loss': loss}", line=line)
    out: dict[str, dict[str, Any]] = {}
    total = 0
    for key, value in result.items():
        if not isinstance(key, str) or not _IDENTIFIER.fullmatch(key):
            raise BlockError(f"{where}: the name {key!r} is no JavaScript identifier (the cell's code "
                             "returns the same names)", line=line)
        try:
            arr = np.asarray(value)
            if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
                raise TypeError
            arr = arr.astype(np.float64)
        except (TypeError, ValueError):
            raise BlockError(f"{where}: value '{key}' is a {type(value).__name__}, not a number or an "
                             "array of numbers", line=line) from None
        total += arr.size
        if total > MAX_VALUES:
            raise BlockError(f"{where}: it returns more than {MAX_VALUES} numbers; return less "
                             "(a summary, a few rows)", line=line)
        # float64 as computed; NaN and ±Infinity are written as the contract says (html.json_script)
        out[key] = {"shape": [int(n) for n in arr.shape], "data": [float(v) for v in arr.ravel()]}
    return out
