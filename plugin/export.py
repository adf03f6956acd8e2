"""A trained model as a TF.js LayersModel: `model.json` + `weights.bin`, written from Python.

Pure functions: `layers_model_json` turns a model block's layers (TF.js layer types and
camelCase configs) and its weights (``getWeights()`` order, with the engine's names such as
``dense_1/kernel``) into the `model.json` dict and the `weights.bin` bytes that
``tf.loadLayersModel(url)`` reads (tests/browser/test_export_browser.py loads them in Chromium).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from . import __version__
from .engine import Sequential
from .engine.layers import LAYERS, TFJS_WEIGHT_NAMES

WEIGHTS_FILE = "weights.bin"
# Config keys left out of the JSON: the loaded weights overwrite whatever they would draw.
_DROPPED = {"inputShape", "inputDim", "batchInputShape"} | {
    key for cls in LAYERS.values() for key in cls.keys if key.endswith("Initializer")
}


def snake_case(key: str) -> str:
    """`kernelSize` → `kernel_size` (Keras JSON keys; TF.js camelCases them on load)."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", key).lower()


def tfjs_weight_name(name: str) -> str:
    """The TF.js variable name for an engine weight name (`bn_1/movingMean` → `bn_1/moving_mean`)."""
    layer, _, suffix = name.rpartition("/")
    return f"{layer}/{TFJS_WEIGHT_NAMES.get(suffix, suffix)}"


def layers_model_json(
    layers: list[dict[str, Any]], weight_names: Sequence[str], weights: Sequence[np.ndarray],
    model_name: str = "sequential",
) -> tuple[dict[str, Any], bytes]:
    """The LayersModel JSON and the weights file of a Sequential model.

    Args:
        layers: The model block's layers, ``[{"type": "dense", "config": {...}}, ...]``.
        weight_names: The engine's weight names in ``getWeights()`` order (``dense_1/kernel``).
        weights: The weights in the same order.
        model_name: The Sequential model's name in the topology.

    Returns:
        ``(model_json, weights_bin)``: the dict to write as `model.json` and the float32
        little-endian bytes of `weights.bin`, in manifest order.

    Raises:
        ValueError: If names and weights do not match the layers.
    """
    if len(weight_names) != len(weights):
        raise ValueError(f"{len(weight_names)} weight names for {len(weights)} weights")
    engine = Sequential(layers)
    summary = engine.summary()
    expected = engine.weight_shapes()
    if [n for n, _ in expected] != list(weight_names):
        raise ValueError(f"weight names {list(weight_names)} do not match the layers' "
                         f"{[n for n, _ in expected]}")
    arrays = [np.ascontiguousarray(w, dtype="<f4") for w in weights]
    for (name, shape), arr in zip(expected, arrays, strict=True):
        if tuple(arr.shape) != tuple(shape):
            raise ValueError(f"weight {name} has shape {list(arr.shape)}, the layer expects {list(shape)}")
    json_layers = []
    for index, (spec, row) in enumerate(zip(layers, summary, strict=True)):
        config: dict[str, Any] = {"name": row["layer"], "trainable": True, "dtype": "float32"}
        for key, value in (spec.get("config") or {}).items():
            if key not in _DROPPED and key != "name":
                config[snake_case(key)] = value
        if index == 0:
            config["batch_input_shape"] = [None, *engine.input_shape]
        json_layers.append({"class_name": row["type"], "config": config})
    manifest = [
        {"name": tfjs_weight_name(name), "shape": list(arr.shape), "dtype": "float32"}
        for name, arr in zip(weight_names, arrays, strict=True)
    ]
    model = {
        "format": "layers-model",
        "generatedBy": f"mlpages {__version__}",
        "convertedBy": None,
        "modelTopology": {
            "class_name": "Sequential",
            "config": {"name": model_name, "layers": json_layers},
            "keras_version": "tfjs-layers 4.22.0",
            "backend": "tensor_flow.js",
        },
        "weightsManifest": [{"paths": [WEIGHTS_FILE], "weights": manifest}],
    }
    return model, b"".join(arr.tobytes(order="C") for arr in arrays)
