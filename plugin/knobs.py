"""Knobs: the values a reader may choose for keys of a train cell, its model and its dataset.

A train block lists them under `knobs:`, one entry per key, the author's own value first
among equals (it is the default and must be listed)::

    knobs:
      epochs: [50, 100, 200]
      model.layers[0].units: [4, 8, 16]
      model.learningRate: {values: [0.03, 0.1, 0.3], free: true, label: Learning rate}
      dataset.generate: [circles, xor, spiral, gauss]

Each combination of listed values is a *variant* of the page. The build computes every
variant's references by building the page again with the chosen values written into the
blocks' YAML (plugin/render.py), so a variant means exactly what the author would get by
editing the Markdown. Variants are numbered in row-major order over the knobs as listed.
"""

from __future__ import annotations

import copy
import itertools
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .engine.optimizers import TRAIN_ARGS
from .errors import BlockError, KeyPath, did_you_mean
from .i18n import current

VARIANT_DIR = "mlpages-variants"
"""Site folder (next to the page's Markdown) of the variant files, one folder per knob cell."""

TRAIN_KEYS = ("epochs", "batchSize")
"""Keys of the train cell itself that a knob may set."""

FREE_KEYS = ("epochs", "batchSize", "model.learningRate")
"""Knobs that may also take values between the listed ones (`free: true`): the page can
apply them to the cell itself, where other keys would need the build (a dataset generator)."""

_LONG_KEYS = ("values", "label", "free")
_TOKEN = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]")
_SHORT_HELP = "a list of values, e.g. epochs: [50, 100, 200]"
_LONG_HELP = "{values: [0.03, 0.1, 0.3], label: Learning rate, free: true}"


@dataclass(frozen=True)
class Knob:
    """One key a reader may set, and the values they may choose from."""

    key: str  # as the author wrote it: `model.layers[0].units`
    block: str  # "train", "model" or "dataset": whose YAML the key is in
    path: KeyPath  # where in that block's YAML mapping
    values: tuple[Any, ...]
    default: Any
    label: str
    free: bool = False

    def describe(self, value: Any) -> str:
        return f"{self.key} {format_value(value)}"

    def spec(self) -> dict[str, Any]:
        """The knob as the page's controls read it (the `knobs` element's spec)."""
        numeric = all(_is_number(v) for v in self.values)
        return {"key": self.key, "label": self.label, "values": list(self.values),
                "default": self.default, "numeric": numeric, "free": self.free}


def format_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def parse(raw: Any, train: Mapping[str, Any], model: Mapping[str, Any] | None,
          dataset: Mapping[str, Any] | None, dataset_name: str, model_name: str) -> list[Knob]:
    """The knobs of a train block, checked against the YAML of the blocks they set.

    `train`, `model` and `dataset` are the blocks' YAML mappings as the author wrote them
    (`None` for a model read `from:` a file, whose keys are not in the Markdown).
    """
    if not isinstance(raw, Mapping) or not raw:
        raise BlockError("'knobs' must map keys to the values a reader may choose, e.g. "
                         "knobs: {epochs: [50, 100, 200], model.learningRate: [0.03, 0.1, 0.3]}",
                         key="knobs")
    knobs = []
    for key, entry in raw.items():
        at: KeyPath = ("knobs", key)
        if not isinstance(key, str):
            raise BlockError(f"knobs: the key {key!r} must be a name such as epochs or "
                             "model.learningRate", key="knobs")
        values, label, free = _entry(key, entry, at)
        block, path, default = _resolve(key, train, model, dataset, dataset_name, model_name, at)
        if not any(_same(default, v) for v in values):
            raise BlockError(f"knob '{key}': the block's own value {format_value(default)} (the "
                             f"default a reader starts from) is not among its values "
                             f"[{', '.join(map(format_value, values))}]; add it to the list", key=at)
        if free and key not in FREE_KEYS:
            raise BlockError(f"knob '{key}': 'free: true' is only for {', '.join(FREE_KEYS)}, whose "
                             "values the page can apply itself; list the values instead", key=(*at, "free"))
        if free and not all(_is_number(v) for v in values):
            raise BlockError(f"knob '{key}': 'free: true' needs numeric values", key=(*at, "free"))
        knobs.append(Knob(key, block, path, values, default, label, free))
    return knobs


def _same(a: Any, b: Any) -> bool:
    """YAML scalars equal as values of the same kind (1 and 1.0 alike, True and 1 not)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    return bool(a == b) and type(a) is type(b) or (_is_number(a) and _is_number(b) and a == b)


# Message ids (plugin/i18n) of the labels of the usual knobs.
_LABELS = {"epochs": "knob_epochs", "batchSize": "knob_batch_size",
           "model.learningRate": "knob_learning_rate", "model.optimizer": "knob_optimizer",
           "dataset.generate": "knob_data", "dataset.noise": "knob_noise",
           "dataset.n": "knob_points", "dataset.seed": "knob_data_seed"}
_LAYER_KEY = re.compile(r"model\.layers\[(\d+)\]\.(\w+)$")
# ... and of the usual options of a layer (others are named by their TF.js option).
_LAYER_LABELS = {"units": "knob_layer_units", "activation": "knob_layer_activation",
                 "filters": "knob_layer_filters", "kernelSize": "knob_layer_kernel_size",
                 "poolSize": "knob_layer_pool_size", "strides": "knob_layer_strides",
                 "rate": "knob_layer_rate"}


def default_label(key: str) -> str:
    """What the controls call a knob the author gave no label: `Units (layer 1)`."""
    m = current()
    if key in _LABELS:
        return m.t(_LABELS[key])
    layer = _LAYER_KEY.match(key)
    if layer:
        option = layer.group(2)
        name = m.t(_LAYER_LABELS[option]) if option in _LAYER_LABELS else f"{option[0].upper()}{option[1:]}"
        return m.t("knob_layer", name=name, layer=int(layer.group(1)) + 1)
    last = key.rsplit(".", 1)[-1]
    return last[0].upper() + last[1:]


def _entry(key: str, entry: Any, at: KeyPath) -> tuple[tuple[Any, ...], str, bool]:
    """`values`, `label` and `free` of one knob, in short (a list) or long (a mapping) form."""
    label, free = default_label(key), False
    if isinstance(entry, Mapping):
        unknown = [k for k in entry if k not in _LONG_KEYS]
        if unknown:
            raise BlockError(f"knob '{key}': unknown key '{unknown[0]}'"
                             f"{did_you_mean(str(unknown[0]), _LONG_KEYS)}; allowed: "
                             f"{', '.join(_LONG_KEYS)}", key=(*at, unknown[0]))
        if not isinstance(entry.get("label", label), str) or not str(entry.get("label", label)).strip():
            raise BlockError(f"knob '{key}': 'label' must be a text", key=(*at, "label"))
        label = str(entry.get("label", label))
        free = entry.get("free", False)
        if not isinstance(free, bool):
            raise BlockError(f"knob '{key}': 'free' must be true or false", key=(*at, "free"))
        entry = entry.get("values")
        at = (*at, "values")
        if entry is None:
            raise BlockError(f"knob '{key}': missing 'values' (the list a reader chooses from)", key=at)
    if not isinstance(entry, list):
        raise BlockError(f"knob '{key}': give its values as {_SHORT_HELP} or {_LONG_HELP}", key=at)
    if len(entry) < 2:
        raise BlockError(f"knob '{key}': list at least two values (one is no choice)", key=at)
    for value in entry:
        if not (_is_number(value) or isinstance(value, str | bool)):
            raise BlockError(f"knob '{key}': values must be numbers, texts or true/false, got "
                             f"{value!r}", key=at)
    for i, value in enumerate(entry):
        if any(_same(value, other) for other in entry[:i]):
            raise BlockError(f"knob '{key}': the value {format_value(value)} is listed twice", key=at)
    return tuple(entry), label, free


def _resolve(key: str, train: Mapping[str, Any], model: Mapping[str, Any] | None,
             dataset: Mapping[str, Any] | None, dataset_name: str, model_name: str,
             at: KeyPath) -> tuple[str, KeyPath, Any]:
    """Which block `key` is in, its path in that block's YAML and the author's value there."""
    head, _, rest = key.partition(".")
    if head in ("model", "dataset") and rest:
        data = model if head == "model" else dataset
        name = model_name if head == "model" else dataset_name
        if data is None:
            raise BlockError(f"knob '{key}': model '{name}' is read from a file, so its keys are not "
                             "on the page to vary; knobs may set keys of a model written in YAML", key=at)
        if head == "model" and rest in ("learningRate", "optimizer"):
            return head, *_optimizer_path(key, rest, data, name, at)
        return head, *_walk(key, rest, data, f"{head} '{name}'", head == "model", at)
    if key in TRAIN_KEYS:
        if key not in train:
            raise BlockError(f"knob '{key}': this train block does not set '{key}'; write it "
                             f"(the value a reader starts from), e.g. {key}: {train.get(key, 10)}", key=at)
        return "train", (key,), train[key]
    raise BlockError(f"knob '{key}': unknown key; knobs set this cell's {' or '.join(TRAIN_KEYS)}, "
                     "model.<key> (e.g. model.learningRate, model.optimizer, model.layers[0].units) or "
                     "dataset.<key> (e.g. dataset.noise, dataset.n, dataset.generate)", key=at)


def _tokens(key: str, rest: str, at: KeyPath) -> list[str | int]:
    tokens: list[str | int] = []
    for part in rest.split("."):
        matches = list(_TOKEN.finditer(part))
        whole = "".join(m.group(0) for m in matches) == part
        if not part or not whole or matches[0].group(1) is None:
            raise BlockError(f"knob '{key}': cannot read the key path '{rest}'; write keys separated "
                             "by '.' and list items as [i], e.g. model.layers[0].units", key=at)
        for m in matches:
            tokens.append(m.group(1) if m.group(1) is not None else int(m.group(2)))
    return tokens


def _walk(key: str, rest: str, data: Mapping[str, Any], owner: str, model: bool,
          at: KeyPath) -> tuple[KeyPath, Any]:
    """The path of `rest` in a block's YAML; `layers[i].key` reaches into the layer's options."""
    node: Any = data
    path: list[Any] = []
    tokens = _tokens(key, rest, at)
    for token in tokens:
        if model and path[-1:] and path[-2:-1] == ["layers"] and isinstance(node, Mapping) and len(node) == 1:
            # `- dense: {units: 8}`: layers[0].units means the options of the layer's one key
            (kind, options), = node.items()
            if isinstance(options, Mapping) and token != kind:
                path.append(kind)
                node = options
        if isinstance(token, int):
            if not isinstance(node, list) or token >= len(node):
                size = len(node) if isinstance(node, list) else 0
                raise BlockError(f"knob '{key}': {owner} has no item [{token}] there "
                                 f"({size} item(s))", key=at)
            node = node[token]
        else:
            if not isinstance(node, Mapping) or token not in node:
                known = list(node) if isinstance(node, Mapping) else []
                raise BlockError(f"knob '{key}': {owner} does not set '{token}'"
                                 f"{did_you_mean(token, known)}; a knob varies a key the block "
                                 "writes (its value there is the default)", key=at)
            node = node[token]
        path.append(token)
    if isinstance(node, Mapping | list):
        raise BlockError(f"knob '{key}': {owner}'s '{rest}' is not a single value; point the knob "
                         "at a number, text or true/false inside it", key=at)
    return tuple(path), node


def _optimizer_path(key: str, rest: str, data: Mapping[str, Any], name: str,
                    at: KeyPath) -> tuple[KeyPath, Any]:
    """`model.optimizer` (the optimizer's name) and `model.learningRate` (its option)."""
    compile_ = data.get("compile")
    optimizer = compile_.get("optimizer") if isinstance(compile_, Mapping) else None
    if rest == "optimizer":
        if isinstance(optimizer, str):
            return ("compile", "optimizer"), optimizer
        if isinstance(optimizer, Mapping) and len(optimizer) == 1:
            return ("compile", "optimizer"), next(iter(optimizer))
    elif isinstance(optimizer, Mapping) and len(optimizer) == 1:
        (opt, args), = optimizer.items()
        if isinstance(args, Mapping) and "learningRate" in args:
            return ("compile", "optimizer", opt, "learningRate"), args["learningRate"]
    raise BlockError(f"knob '{key}': model '{name}' must write its optimizer with its learning rate, "
                     "e.g. compile: {optimizer: {adam: {learningRate: 0.01}}}, for the knob to "
                     "start from it", key=at)


def count(knobs: Sequence[Knob]) -> int:
    return math.prod(len(k.values) for k in knobs)


def variants(knobs: Sequence[Knob]) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """Every variant's number and values, row-major over the knobs as listed."""
    yield from enumerate(itertools.product(*(k.values for k in knobs)))


def default_index(knobs: Sequence[Knob]) -> int:
    index = 0
    for knob in knobs:
        position = next(i for i, v in enumerate(knob.values) if _same(v, knob.default))
        index = index * len(knob.values) + position
    return index


def edits(knobs: Sequence[Knob], values: Sequence[Any]) -> dict[str, list[tuple[KeyPath, Any]]]:
    """The changes a variant makes, by block ("train", "model", "dataset")."""
    out: dict[str, list[tuple[KeyPath, Any]]] = {}
    for knob, value in zip(knobs, values, strict=True):
        out.setdefault(knob.block, []).append((knob.path, value))
    return out


def apply(data: Mapping[str, Any], changes: Sequence[tuple[KeyPath, Any]]) -> dict[str, Any]:
    """A copy of a block's YAML mapping with each `(path, value)` written in.

    The optimizer's name (`compile.optimizer`) swaps the optimizer and keeps those of its
    options that the new one takes (its learning rate)."""
    out = copy.deepcopy(dict(data))
    for path, value in changes:
        parent: Any = out
        for part in path[:-1]:
            parent = parent[part]
        last = path[-1]
        if path == ("compile", "optimizer") and isinstance(parent[last], Mapping):
            (_, args), = parent[last].items()
            kept = {k: v for k, v in (args or {}).items() if k in TRAIN_ARGS.get(str(value), ())}
            parent[last] = {value: kept} if kept else value
        else:
            parent[last] = value
    return out


def describe(knobs: Sequence[Knob], values: Sequence[Any]) -> str:
    """`learningRate 0.3, units 8`: a variant as messages and reports name it."""
    return ", ".join(f"{k.key} {format_value(v)}" for k, v in zip(knobs, values, strict=True))
