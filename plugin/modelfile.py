"""Read a TF.js LayersModel (`model.json` + weight files) into a model block's layers and weights.

The reverse of :mod:`mlpages.export`: Keras-style snake_case configs become the TF.js
layer configs mlpages uses, and the weight files are read by the manifest.
"""

from __future__ import annotations

import errno
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

# Keras/TF.js class names of the layers mlpages reproduces, and their block names.
LAYER_TYPES = {
    "Dense": "dense", "Conv2D": "conv2d", "MaxPooling2D": "maxPooling2d",
    "AveragePooling2D": "averagePooling2d", "Flatten": "flatten", "Reshape": "reshape",
    "Activation": "activation", "LeakyReLU": "leakyReLU", "Dropout": "dropout",
    "BatchNormalization": "batchNormalization", "DepthwiseConv2D": "depthwiseConv2d",
    "SeparableConv2D": "separableConv2d", "ZeroPadding2D": "zeroPadding2d",
    "GlobalAveragePooling2D": "globalAveragePooling2d", "GlobalMaxPooling2D": "globalMaxPooling2d",
    "ReLU": "reLU",
}
# Weight names whose engine spelling differs from TF.js's variable names.
_ENGINE_SUFFIX = {"moving_mean": "movingMean", "moving_variance": "movingVariance"}
# Keys that describe how TF.js stores or initialises a layer, not what it computes.
_IGNORED = {"name", "trainable", "dtype", "batch_input_shape", "batch_size", "kernel_initializer",
            "bias_initializer", "beta_initializer", "gamma_initializer", "moving_mean_initializer",
            "moving_variance_initializer", "data_format", "dilation_rate", "axis",
            "depthwise_initializer", "pointwise_initializer"}
_UNSUPPORTED_IF_SET = {"kernel_regularizer", "bias_regularizer", "activity_regularizer",
                       "kernel_constraint", "bias_constraint", "beta_regularizer", "gamma_regularizer",
                       "beta_constraint", "gamma_constraint", "noise_shape", "depthwise_regularizer",
                       "pointwise_regularizer", "depthwise_constraint", "pointwise_constraint"}


class ModelFileError(ValueError):
    """A model file mlpages cannot read, with what is wrong."""


@dataclass
class LoadedModel:
    """The layers (block form, each config carrying the file's layer `name`) and weights by name."""

    layers: list[dict[str, Any]]
    weights: dict[str, np.ndarray]  # engine weight names, e.g. dense_1/kernel


def camel_case(key: str) -> str:
    """`kernel_size` → `kernelSize`."""
    return re.sub(r"_([a-z0-9])", lambda m: m.group(1).upper(), key)


def read_layers_model(path: Path, files: Mapping[str, bytes] | None = None) -> LoadedModel:
    """Read `model.json` and the weight files its manifest names (next to it), from disk
    or, when given, from ``files`` (file name in the model's folder -> contents).

    Raises:
        ModelFileError: Missing files, a topology that is not a Sequential of supported
            layers, or weights that do not match the manifest.
    """
    def read(name: str) -> bytes:
        if files is None:
            return (path.parent / name).read_bytes()
        if name not in files:
            raise FileNotFoundError(errno.ENOENT, "No such file or directory", name)
        return files[name]

    try:
        doc = json.loads(read(path.name).decode("utf-8"))
    except OSError as exc:
        raise ModelFileError(f"cannot read {path.name}: {exc.strerror}") from None
    except ValueError as exc:
        raise ModelFileError(f"{path.name} is not JSON: {exc}") from None
    topology = doc.get("modelTopology") if isinstance(doc, dict) else None
    if isinstance(topology, dict) and "model_config" in topology:
        topology = topology["model_config"]
    if not isinstance(topology, dict) or topology.get("class_name") != "Sequential":
        raise ModelFileError(f"{path.name}: only Sequential LayersModels are supported")
    config = topology.get("config")
    raw_layers = config.get("layers") if isinstance(config, dict) else config
    if not isinstance(raw_layers, list) or not raw_layers:
        raise ModelFileError(f"{path.name}: the topology has no layers")
    layers = _layers(raw_layers, path.name)
    return LoadedModel(layers, _weights(doc.get("weightsManifest") or [], path.name, read))


def _layers(raw_layers: list[Any], file: str) -> list[dict[str, Any]]:
    layers: list[dict[str, Any]] = []
    input_shape = None
    for i, raw in enumerate(raw_layers, start=1):
        class_name, cfg = raw.get("class_name"), dict(raw.get("config") or {})
        if class_name == "InputLayer":
            input_shape = list(cfg.get("batch_input_shape") or cfg.get("batch_shape") or [None])[1:]
            continue
        if class_name not in LAYER_TYPES:
            raise ModelFileError(f"{file}: layer {i} is a {class_name}, which mlpages does not "
                                 f"reproduce; supported: {', '.join(LAYER_TYPES)}")
        for key in _UNSUPPORTED_IF_SET:
            if cfg.get(key) is not None:
                raise ModelFileError(f"{file}: layer {i} ({class_name}) sets {key}, which mlpages "
                                     "does not reproduce")
        out = {camel_case(k): v for k, v in cfg.items() if k not in _IGNORED and k not in _UNSUPPORTED_IF_SET}
        out["name"] = cfg.get("name") or f"{LAYER_TYPES[class_name]}_{i}"
        if not layers:
            shape = input_shape or list(cfg.get("batch_input_shape") or [None])[1:]
            if not shape or any(d is None for d in shape):
                raise ModelFileError(f"{file}: the first layer has no batch_input_shape")
            out["inputShape"] = shape
        layers.append({"type": LAYER_TYPES[class_name], "config": out})
    return layers


def _weights(manifest: list[Any], file: str, read: Callable[[str], bytes]) -> dict[str, np.ndarray]:
    weights: dict[str, np.ndarray] = {}
    for group in manifest:
        try:
            data = b"".join(read(p) for p in group["paths"])
        except OSError as exc:
            raise ModelFileError(f"cannot read the weights of {file}: {exc.strerror}") from None
        offset = 0
        for spec in group["weights"]:
            if spec.get("dtype", "float32") != "float32":
                raise ModelFileError(f"{file}: weight {spec['name']} is {spec['dtype']}, not float32")
            count = int(np.prod(spec["shape"]))
            chunk = data[offset: offset + 4 * count]
            if len(chunk) != 4 * count:
                raise ModelFileError(f"{file}: the weight files end before {spec['name']}")
            layer, _, suffix = spec["name"].rpartition("/")
            name = f"{layer}/{_ENGINE_SUFFIX.get(suffix, suffix)}"
            weights[name] = np.frombuffer(chunk, dtype="<f4").reshape(spec["shape"]).astype(np.float32)
            offset += 4 * count
    return weights
