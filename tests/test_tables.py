"""The tables every part of mlpages reads from the engine's classes, and the docs that list them.

Each layer, activation and optimizer is declared once, on its engine class; the model
block, the shown code, model files and export derive their lists from there. What the
derivation cannot reach is the reference documentation, which these tests hold to it.
"""

from __future__ import annotations

import re
from pathlib import Path

from mlpages.engine.activations import ACTIVATIONS
from mlpages.engine.layers import LAYERS
from mlpages.engine.optimizers import OPTIMIZER_DEFAULTS, TRAIN_ARGS

AUTHORING = Path(__file__).resolve().parents[1] / "docs" / "reference" / "authoring.md"


def _layer_rows() -> dict[str, str]:
    """The layer table under `model` in authoring.md: each layer type named in a row's first
    cell, with the row's second cell (its keys)."""
    rows: dict[str, str] = {}
    for line in AUTHORING.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 2 and cells[0].startswith("`"):
            for name in re.findall(r"`([^`]+)`", cells[0]):
                rows.setdefault(name, cells[1])
    return rows


def test_every_layer_declares_distinct_names() -> None:
    for layer_type, cls in LAYERS.items():
        assert cls.layer_type == layer_type and cls.type_name, cls.__name__
    assert len({cls.type_name for cls in LAYERS.values()}) == len(LAYERS)


def test_every_layer_and_its_keys_are_documented() -> None:
    rows = _layer_rows()
    for layer_type, cls in LAYERS.items():
        assert layer_type in rows, f"authoring.md has no row for {layer_type}"
        keys = [k for k in cls.keys if k != "inputDim"]  # inputDim: with inputShape, below the table
        missing = [k for k in keys if f"`{k}`" not in rows[layer_type]]
        assert not missing, f"authoring.md's {layer_type} row does not name {missing}"


def test_every_activation_is_documented() -> None:
    text = AUTHORING.read_text(encoding="utf-8")
    found = re.search(r"Activations:\s*(.*?)\.\s", text, re.S)
    assert found is not None
    assert re.findall(r"`(\w+)`", found.group(1)) == list(ACTIVATIONS)


def test_every_bare_optimizer_name_takes_arguments_of_its_constructor() -> None:
    for name, defaults in OPTIMIZER_DEFAULTS.items():
        assert set(defaults) <= set(TRAIN_ARGS[name]), name
