"""A number bound to a cell above: `{cell, quantity, epoch | index}` of a train, predict,
convolution or tfjs cell (of a tfjs cell, `quantity` is the name of a value its code returns).

Numeric quiz questions (`answer_from`), results tables (`rows`) and inline values in prose
(plugin/inline.py) name such numbers; this module checks the names against the cells built
so far and returns the cell's reference values, one per backend epsilon. A convolution's
reference (its first kernel's output, the author's) is the same for every backend: it is
repeated for each epsilon, so that every bound number is read the same way. A tfjs cell's
references are its NumPy reference's named values, one set per epsilon, read at the index.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from ..contract import ACCURACY_KEYS, DEFAULT_TOLERANCE
from ..errors import BlockError, did_you_mean
from ..i18n import current
from ..page import EPSILONS, PageState

ACCURACY_SLACK = 1e-6  # as verify's (plugin/verify/compare.py)

TRAIN_QUANTITIES = ["loss", "acc", "val_loss", "val_acc"]
PREDICT_QUANTITIES = ["prediction"]
CONVOLUTION_QUANTITIES = ["output"]
BOUND_KEYS = ["cell", "quantity", "epoch", "index"]
BOUND_KINDS = ("train", "predict", "convolution", "tfjs")
CELLS = "train, predict, convolution or tfjs cell"


def bound_value(
    src: Mapping[str, Any], page: PageState | None, prefix: str, key: Any, *,
    label: str | None = "answer_from", user: str = "quiz", quantity: str | None = None,
    above: int | None = None,
) -> tuple[dict[str, Any], list[dict[str, Any]], list[float]]:
    """Check `src` against the train, predict and convolution cells above and return `(origin,
    references, values)`: origin `{cell (element id), name, quantity, epoch (0-based) | index
    (flat, row-major)}`, the cell's references (each with its `epsilon`) and the bound value in
    each. `quantity` is the default quantity. `above`: the line of the `user` in the Markdown
    file, when every block of the page is already built (inline values): only cells whose fence
    is above that line can be named.

    Raises:
        BlockError: messages start with `prefix` and `label:` (when given), and say what the
            `user` block (quiz, table) can use.
    """
    def at(name: str) -> Any:  # the line of `name` in `src` when `key` is a path to `src`
        return (*key, name) if isinstance(key, tuple) and name in src else key

    cell = src.get("cell")
    if not isinstance(cell, str) or not cell.strip():
        subject = f"'{label}' " if label else ""
        raise BlockError(f"{prefix}{subject}needs 'cell': the name of a {CELLS} above this "
                         f"{user}", key=at("cell"))
    prefix = f"{prefix}{label}: " if label else prefix
    names = dict(page.names) if page is not None else {}
    specs = page.specs if page is not None else {}
    kind = names.get(cell)
    if kind is not None and kind not in BOUND_KINDS:
        raise BlockError(f"{prefix}'{cell}' is a {kind} block, not a {CELLS}", key=at("cell"))
    if page is not None and above is not None:
        below = {n: line for n, line in page.name_lines.items() if line is not None and line >= above}
        if cell in below and kind is not None:
            raise BlockError(f"{prefix}the {kind} cell '{cell}' is below this {user} (line "
                             f"{below[cell]}); a {user} can use only cells defined above it",
                             key=at("cell"))
        names = {n: k for n, k in names.items() if n not in below}
    usable = {n: s for n, s in specs.items() if s.get("kind") in BOUND_KINDS and n in names}
    if kind is not None and cell not in usable:
        raise BlockError(f"{prefix}the {kind} cell '{cell}' has an error (see its message)",
                         key=at("cell"))
    if cell not in usable:
        known = ", ".join(usable) or "none"
        raise BlockError(f"{prefix}no {CELLS} named '{cell}' above this "
                         f"{user}{did_you_mean(cell, usable)}; a {user} can use only cells defined "
                         f"above it (above: {known})", key=at("cell"))
    spec = usable[cell]
    if spec["kind"] == "convolution":
        return _convolution(src, spec, cell, prefix, at)
    if spec["kind"] == "tfjs":
        return _freeform(src, spec, cell, prefix, at, quantity)
    if spec.get("band"):
        raise BlockError(f"{prefix}'{cell}' depends on dropout masks TF.js draws at random "
                         "(dropout without a seed), so it has no single value to compare with; give "
                         "the dropout layer a 'seed'", key=at("cell"))
    refs = spec["references"]
    origin: dict[str, Any] = {"cell": spec["id"], "name": cell}
    if spec["kind"] == "train":
        wanted = src.get("quantity", quantity)
        history = refs[0]["history"]
        have = [q for q in TRAIN_QUANTITIES if history.get(q)]
        if wanted not in have:
            raise BlockError(f"{prefix}quantity {wanted!r} is not in the history of "
                             f"'{cell}'{did_you_mean(str(wanted), have)}; it has: {', '.join(have)}",
                             key=at("quantity"))
        if "index" in src:
            raise BlockError(f"{prefix}'index' is for a predict cell; "
                             f"'{cell}' is a train cell (use 'epoch')", key=at("index"))
        epochs = len(history[wanted])
        epoch = src.get("epoch", "last")
        if epoch == "last":
            epoch = epochs
        if isinstance(epoch, bool) or not isinstance(epoch, int) or not 1 <= epoch <= epochs:
            raise BlockError(f"{prefix}epoch {src.get('epoch')!r} is out of range: "
                             f"'{cell}' trains {epochs} epoch{'s' if epochs != 1 else ''} "
                             f"(1 to {epochs}, or last)", key=at("epoch"))
        origin.update(quantity=wanted, epoch=epoch - 1)
        values = [r["history"][wanted][epoch - 1] for r in refs]
    else:
        wanted = src.get("quantity", "prediction")
        if wanted not in PREDICT_QUANTITIES:
            raise BlockError(f"{prefix}quantity {wanted!r} is not one of a predict cell "
                             f"'{cell}': use prediction", key=at("quantity"))
        if "epoch" in src:
            raise BlockError(f"{prefix}'epoch' is for a train cell; "
                             f"'{cell}' is a predict cell (use 'index')", key=at("epoch"))
        size = len(refs[0]["predictions"]["data"])
        index = src.get("index", 0)
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < size:
            raise BlockError(f"{prefix}index {index!r} is out of range: '{cell}' predicts "
                             f"{size} values (flat indices 0 to {size - 1})", key=at("index"))
        origin.update(quantity=wanted, index=index)
        values = [r["predictions"]["data"][index] for r in refs]
    # A diverged reference's NaN or ±Infinity is a value like any other: the page shows it and
    # verify expects the browser's run to reproduce it.
    return origin, refs, [float(v) for v in values]


def _convolution(src: Mapping[str, Any], spec: dict[str, Any], cell: str, prefix: str,
                 at: Any) -> tuple[dict[str, Any], list[dict[str, Any]], list[float]]:
    """One cell of a convolution's output map (its first kernel, the one the author wrote):
    `index` is `[row, column]` (0-based) or a flat row-major index."""
    wanted = src.get("quantity", "output")
    if wanted not in CONVOLUTION_QUANTITIES:
        raise BlockError(f"{prefix}quantity {wanted!r} is not one of a convolution cell "
                         f"'{cell}': use output", key=at("quantity"))
    if "epoch" in src:
        raise BlockError(f"{prefix}'epoch' is for a train cell; '{cell}' is a convolution cell "
                         "(use 'index': [row, column])", key=at("epoch"))
    output = spec["kernels"][0]["output"]
    rows, cols = output["shape"]
    index = src.get("index", 0)
    where = (f"'{cell}' outputs {rows}×{cols} values (index [row, column] with rows 0 to "
             f"{rows - 1} and columns 0 to {cols - 1}, or a flat index 0 to {rows * cols - 1})")
    if isinstance(index, list):
        if (len(index) != 2 or any(isinstance(i, bool) or not isinstance(i, int) for i in index)
                or not (0 <= index[0] < rows and 0 <= index[1] < cols)):
            raise BlockError(f"{prefix}index {index!r} is out of range: {where}", key=at("index"))
        flat = index[0] * cols + index[1]
    elif isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < rows * cols:
        raise BlockError(f"{prefix}index {index!r} is out of range: {where}", key=at("index"))
    else:
        flat = index
    origin = {"cell": spec["id"], "name": cell, "quantity": wanted, "index": flat}
    value = float(output["data"][flat])
    refs = [{"epsilon": epsilon} for epsilon in EPSILONS.values()]
    return origin, refs, [value] * len(refs)


def _freeform(src: Mapping[str, Any], spec: dict[str, Any], cell: str, prefix: str, at: Any,
              default: str | None) -> tuple[dict[str, Any], list[dict[str, Any]], list[float]]:
    """One number of a value a tfjs cell returns: `quantity` names the value (it may be left
    out when the cell returns one value); `index` is needed for a value of more than one
    number, as a flat row-major index or one index per dimension, 0-based."""
    refs = spec.get("references")
    if not refs:
        raise BlockError(f"{prefix}the tfjs cell '{cell}' has no reference, so its values have no "
                         "number to show or check: add a reference fence for it", key=at("cell"))
    names = list(refs[0]["values"])
    wanted = src.get("quantity", default)
    if wanted is None and len(names) == 1:
        wanted = names[0]
    if wanted is None:
        raise BlockError(f"{prefix}name one of the values '{cell}' returns: "
                         f"{', '.join(names)} (e.g. {cell}.{names[0]})", key=at("cell"))
    if wanted not in names or any(wanted not in r["values"] for r in refs):
        raise BlockError(f"{prefix}the tfjs cell '{cell}' returns no value {wanted!r}"
                         f"{did_you_mean(str(wanted), names, repr)}; it returns: {', '.join(names)}",
                         key=at("quantity"))
    if "epoch" in src:
        raise BlockError(f"{prefix}'epoch' is for a train cell; '{cell}' is a tfjs cell (use "
                         "'index' for one number of an array)", key=at("epoch"))
    shape = [int(n) for n in refs[0]["values"][wanted]["shape"]]
    size = len(refs[0]["values"][wanted]["data"])
    dims = "×".join(str(n) for n in shape)
    example = f"[{', '.join('0' for _ in shape)}]"
    if size == 0:
        raise BlockError(f"{prefix}'{wanted}' of '{cell}' is empty (shape {dims}): it holds no "
                         "number to show", key=at("quantity"))
    if "index" not in src:
        if size != 1:
            raise BlockError(f"{prefix}'{wanted}' of '{cell}' is {'an array' if shape else 'a value'} "
                             f"of {size} numbers (shape {dims}): name one with an index, e.g. "
                             f"{cell}.{wanted}{example} (or a flat index 0 to {size - 1})",
                             key=at("quantity"))
        flat = 0
    else:
        index = src["index"]
        where = (f"'{wanted}' of '{cell}' has shape {dims or 'scalar'} (one index per dimension, "
                 f"{example} to [{', '.join(str(n - 1) for n in shape)}], or a flat index 0 to "
                 f"{size - 1})")
        if isinstance(index, list):
            if (len(index) != len(shape) or any(isinstance(i, bool) or not isinstance(i, int) for i in index)
                    or not all(0 <= i < n for i, n in zip(index, shape, strict=True))):
                raise BlockError(f"{prefix}index {index!r} is out of range: {where}", key=at("index"))
            flat = 0
            for i, n in zip(index, shape, strict=True):
                flat = flat * n + i
        elif isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < size:
            raise BlockError(f"{prefix}index {index!r} is out of range: {where}", key=at("index"))
        else:
            flat = index
    origin = {"cell": spec["id"], "name": cell, "quantity": wanted, "value": wanted, "index": flat}
    return origin, refs, [float(r["values"][wanted]["data"][flat]) for r in refs]


def _unflat(flat: int, shape: list[int]) -> list[int]:
    """A flat row-major index as one index per dimension."""
    out = []
    for n in reversed(shape):
        out.append(flat % n if n else 0)
        flat = flat // n if n else 0
    return out[::-1]


def position(origin: Mapping[str, Any], spec: Mapping[str, Any] | None) -> str:
    """Where a bound number is, in words: `epoch 3`, `value 2` (a prediction's flat index),
    `output [1, 2]` (a convolution's); of a tfjs cell, the value's name as code writes it,
    `w[1, 0]` (or `loss` for a single number)."""
    m = current()
    if "value" in origin:
        shape = []
        if spec is not None and spec.get("references"):
            shape = list(spec["references"][0]["values"].get(origin["value"], {}).get("shape", []))
        at = _unflat(int(origin["index"]), shape) if math.prod(shape) > 1 else []
        return f"{origin['value']}{'[' + ', '.join(map(str, at)) + ']' if at else ''}"
    if "epoch" in origin:
        return m.t("position_epoch", epoch=origin["epoch"] + 1)
    if spec is not None and spec.get("kind") == "convolution":
        cols = spec["kernels"][0]["output"]["shape"][1]
        return m.t("position_output", at=f"[{origin['index'] // cols}, {origin['index'] % cols}]")
    return m.t("position_value", index=origin["index"])


def allowed(spec: Mapping[str, Any], origin: Mapping[str, Any], page: PageState) -> dict[str, float]:
    """How far the reader's run of a bound number may be from its reference and still match: the
    cell's tolerance; an accuracy, within one flipped sample (as the cell's own check)."""
    quantity = str(origin.get("quantity"))
    if spec.get("kind") == "train" and quantity in ACCURACY_KEYS:
        dataset = next((d for d in page.datasets.values() if d.id == spec.get("dataset")), None)
        x = None if dataset is None else dataset.x_test if quantity.startswith("val_") else dataset.x
        if x is not None and len(x):
            return {"rtol": 0.0, "atol": 1 / len(x) + ACCURACY_SLACK}
    return {**DEFAULT_TOLERANCE, **(spec.get("tolerance") or {})}
