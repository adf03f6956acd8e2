"""Read a TF.js LayersModel (`model.json` + weight files) into a model block's layers and weights.

The reverse of :mod:`mlpages.export`: Keras-style snake_case configs become the TF.js
layer configs mlpages uses, and the weight files are read by the manifest.
"""

from __future__ import annotations

import errno
import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .engine.layers import LAYERS, TFJS_WEIGHT_NAMES
from .errors import shorten
from .export import snake_case
from .files import OutsideError, inside, read_at_most

# Keras/TF.js class names of the layers mlpages reproduces, and their block names.
LAYER_TYPES = {cls.type_name: name for name, cls in LAYERS.items()}
# Weight names whose engine spelling differs from TF.js's variable names.
_ENGINE_SUFFIX = {tfjs: engine for engine, tfjs in TFJS_WEIGHT_NAMES.items()}
# Keys that describe how TF.js stores or initialises a layer, not what it computes: the
# weights read replace whatever an initializer would draw. The layers' other file keys
# (dataFormat, dilationRate, axis) are not read either: the engine takes their defaults.
_IGNORED = {"name", "trainable", "dtype", "batch_input_shape", "batch_size"} | {
    snake_case(key) for cls in LAYERS.values() for key in (*cls.keys, *cls.file_keys)
    if key.endswith("Initializer") or key in cls.file_keys
}
_UNSUPPORTED_IF_SET = {snake_case(key) for cls in LAYERS.values() for key in cls.unsupported_keys}


# A model.json holds the topology and the weights manifest, never the weights: a few hundred
# kilobytes for the largest models mlpages reproduces. Larger is not a model file.
MODEL_JSON_MAX = 16 * 2**20
# The longest name or path from a model file that a message repeats.
NAME_MAX = 200


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


def read_layers_model(path: Path, files: Mapping[str, bytes] | None = None,
                      root: Path | None = None) -> LoadedModel:
    """Read `model.json` and the weight files its manifest names (next to it), from disk
    or, when given, from ``files`` (file name in the model's folder -> contents).

    On disk, every weight path must resolve (symlinks included) inside ``root`` (default:
    the model's folder) and be a regular file, and no file is read beyond the bytes the
    manifest's shapes need, so a manifest cannot pull in files from elsewhere or make the
    build read without end.

    Raises:
        ModelFileError: Missing files, a topology that is not a Sequential of supported
            layers, a malformed manifest, a weight path outside ``root``, or weights that
            do not match the manifest. Messages quote no weight bytes.
    """
    folder = path.parent

    def read(name: str, limit: int) -> bytes:
        if files is not None:
            if name not in files:
                raise FileNotFoundError(errno.ENOENT, "No such file or directory", name)
            return files[name][:limit]
        try:
            target = inside(folder / name, root if root is not None else folder, _short(name))
        except OutsideError as exc:
            raise ModelFileError(f"{path.name}: the path {exc}") from None
        if target.exists() and not target.is_file():
            raise ModelFileError(f"{path.name}: {_short(name)} is not a regular file")
        return read_at_most(target, limit)

    try:
        text = read(path.name, MODEL_JSON_MAX + 1)
    except OSError as exc:
        raise ModelFileError(f"cannot read {path.name}: {exc.strerror}") from None
    if len(text) > MODEL_JSON_MAX:
        raise ModelFileError(f"{path.name} is larger than {MODEL_JSON_MAX // 2**20} MiB; a model.json holds "
                             "the topology and the weights manifest, its weights go in the weight files")
    try:
        doc = json.loads(text.decode("utf-8"))
    except (ValueError, RecursionError) as exc:
        # json's messages give a position, never the text; a decoding error quotes bytes.
        reason = exc.msg if isinstance(exc, json.JSONDecodeError) else (
            "not UTF-8" if isinstance(exc, UnicodeDecodeError) else "nested too deeply")
        raise ModelFileError(f"{path.name} is not JSON: {reason}") from None
    topology = doc.get("modelTopology") if isinstance(doc, dict) else None
    if isinstance(topology, dict) and "model_config" in topology:
        topology = topology["model_config"]
    if not isinstance(topology, dict) or topology.get("class_name") != "Sequential":
        raise ModelFileError(f"{path.name}: only Sequential LayersModels are supported")
    config = topology.get("config")
    raw_layers = config.get("layers") if isinstance(config, dict) else config
    if not isinstance(raw_layers, list) or not raw_layers:
        raise ModelFileError(f"{path.name}: the topology has no layers")
    try:
        layers = _layers(raw_layers, path.name)
    except ModelFileError:
        raise
    except (TypeError, ValueError, AttributeError) as exc:  # a config value of the wrong type
        raise ModelFileError(f"{path.name}: the topology is malformed ({type(exc).__name__})") from None
    groups = _manifest(doc.get("weightsManifest") or [], path.name)
    return LoadedModel(layers, _weights(groups, path.name, read))


def _layers(raw_layers: list[Any], file: str) -> list[dict[str, Any]]:
    layers: list[dict[str, Any]] = []
    input_shape = None
    for i, raw in enumerate(raw_layers, start=1):
        if not isinstance(raw, dict) or not isinstance(raw.get("config") or {}, dict):
            raise ModelFileError(f"{file}: layer {i} is not a {{class_name, config}} mapping")
        class_name, cfg = raw.get("class_name"), dict(raw.get("config") or {})
        if class_name == "InputLayer":
            input_shape = list(cfg.get("batch_input_shape") or cfg.get("batch_shape") or [None])[1:]
            continue
        if class_name not in LAYER_TYPES:
            raise ModelFileError(f"{file}: layer {i} is a {_cut(str(class_name))}, which mlpages does not "
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


@dataclass
class _Group:
    """One entry of a weights manifest: its files, in order, and the weights they hold."""

    paths: list[str]
    weights: list[tuple[str, list[int]]]  # TF.js weight name, shape (float32 values)

    @property
    def size(self) -> int:
        """The bytes the weights take: all that is read from the files."""
        return sum(4 * math.prod(shape) for _, shape in self.weights)


def _manifest(manifest: Any, file: str) -> list[_Group]:
    """The weights manifest, checked: what is read and how much, before any weight file is."""
    bad = f"{file}: the weightsManifest must be a list of {{paths: [file names], weights: [{{name, shape}}]}}"
    if not isinstance(manifest, list):
        raise ModelFileError(bad)
    groups = []
    for group in manifest:
        if not isinstance(group, dict):
            raise ModelFileError(bad)
        paths, specs = group.get("paths"), group.get("weights")
        if (not isinstance(paths, list) or not all(isinstance(p, str) and p for p in paths)
                or not isinstance(specs, list)):
            raise ModelFileError(bad)
        weights = []
        for spec in specs:
            if not isinstance(spec, dict) or not isinstance(spec.get("name"), str):
                raise ModelFileError(bad)
            name, shape = spec["name"], spec.get("shape")
            if not isinstance(shape, list) or not all(
                    isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape):
                raise ModelFileError(f"{file}: weight {_short(name)} has no valid shape (a list of sizes)")
            if spec.get("dtype", "float32") != "float32":
                raise ModelFileError(f"{file}: weight {_short(name)} is {_short(str(spec['dtype']))}, "
                                     "not float32")
            weights.append((name, shape))
        groups.append(_Group(paths, weights))
    return groups


def _weights(groups: list[_Group], file: str, read: Callable[[str, int], bytes]) -> dict[str, np.ndarray]:
    weights: dict[str, np.ndarray] = {}
    for group in groups:
        need = group.size
        data = bytearray()
        try:
            for p in group.paths:
                if len(data) >= need:
                    break
                data += read(p, need - len(data))
        except OSError as exc:
            raise ModelFileError(f"cannot read the weights of {file}: {exc.strerror}") from None
        offset = 0
        for spec_name, shape in group.weights:
            count = math.prod(shape)
            chunk = bytes(data[offset: offset + 4 * count])
            if len(chunk) != 4 * count:
                raise ModelFileError(f"{file}: the weight files end before {_short(spec_name)}")
            layer, _, suffix = spec_name.rpartition("/")
            name = f"{layer}/{_ENGINE_SUFFIX.get(suffix, suffix)}"
            weights[name] = np.frombuffer(chunk, dtype="<f4").reshape(shape).astype(np.float32)
            offset += 4 * count
    return weights


def _cut(text: str) -> str:
    """A name from a model file, cut short: messages quote little of any file."""
    return shorten(text, NAME_MAX)


def _short(text: str) -> str:
    return repr(_cut(text))
