"""A number bound to a cell above: `{cell, quantity, epoch | index}` of a train or predict cell.

Numeric quiz questions (`answer_from`) and results tables (`rows`) name such numbers; this
module checks the names against the cells built so far and returns the cell's reference
values, one per backend epsilon.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import BlockError, did_you_mean
from ..page import PageState

TRAIN_QUANTITIES = ["loss", "acc", "val_loss", "val_acc"]
PREDICT_QUANTITIES = ["prediction"]
BOUND_KEYS = ["cell", "quantity", "epoch", "index"]


def bound_value(
    src: Mapping[str, Any], page: PageState | None, prefix: str, key: Any, *,
    label: str | None = "answer_from", user: str = "quiz", quantity: str | None = None,
) -> tuple[dict[str, Any], list[dict[str, Any]], list[float]]:
    """Check `src` against the train and predict cells above and return `(origin, references,
    values)`: origin `{cell (element id), name, quantity, epoch (0-based) | index}`, the cell's
    references and the bound value in each. `quantity` is the default quantity.

    Raises:
        BlockError: messages start with `prefix` and `label:` (when given), and say what the
            `user` block (quiz, table) can use.
    """
    def at(name: str) -> Any:  # the line of `name` in `src` when `key` is a path to `src`
        return (*key, name) if isinstance(key, tuple) and name in src else key

    cell = src.get("cell")
    if not isinstance(cell, str) or not cell.strip():
        subject = f"'{label}' " if label else ""
        raise BlockError(f"{prefix}{subject}needs 'cell': the name of a train or predict cell above "
                         f"this {user}", key=at("cell"))
    prefix = f"{prefix}{label}: " if label else prefix
    names = page.names if page is not None else {}
    specs = page.specs if page is not None else {}
    usable = {n: s for n, s in specs.items() if s.get("kind") in ("train", "predict")}
    kind = names.get(cell)
    if kind is not None and kind not in ("train", "predict"):
        raise BlockError(f"{prefix}'{cell}' is a {kind} block, not a train or predict cell",
                         key=at("cell"))
    if kind is not None and cell not in usable:
        raise BlockError(f"{prefix}the {kind} cell '{cell}' has an error (see its message)",
                         key=at("cell"))
    if cell not in usable:
        known = ", ".join(usable) or "none"
        raise BlockError(f"{prefix}no train or predict cell named '{cell}' above this {user}"
                         f"{did_you_mean(cell, usable)}; a {user} can use only cells defined above it "
                         f"(above: {known})", key=at("cell"))
    spec = usable[cell]
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
