"""The `model` block: TF.js layers and compile options, initial weights drawn at build."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from .. import jsgen
from ..contract import spec_header
from ..engine import OPTIMIZER_DEFAULTS, EngineError, Sequential
from ..engine.activations import ACTIVATIONS, TFJS_ONLY_ACTIVATIONS
from ..engine.initializers import tfjs_identifier
from ..engine.layers import LAYERS as ENGINE_LAYERS
from ..engine.layers import TFJS_ONLY_LAYERS
from ..engine.losses import KERAS_NAMES
from ..engine.losses import LOSSES as ENGINE_LOSSES
from ..engine.metrics import ACCURACY_NAMES
from ..engine.optimizers import TRAIN_ARGS
from ..errors import BlockError, KeyPath, did_you_mean
from ..files import OutsideError, inside
from ..html import array_json, code_block, esc, table
from ..i18n import current
from ..limits import Limits
from ..modelfile import LoadedModel, ModelFileError, read_layers_model
from ..page import ModelInfo, PageState
from .common import boolean, check_keys, integer, is_file

KIND = "model"
KEYS = ["name", "from", "upTo", "frozen", "seed", "layers", "compile"]

# The config keys mlpages reproduces, per layer type (TF.js's names and defaults).
LAYERS: dict[str, list[str]] = {name: list(cls.keys) for name, cls in ENGINE_LAYERS.items()}
UNSUPPORTED_KEYS = {
    k: "regularizers and constraints are not reproduced by the NumPy reference yet"
    for k in ("kernelRegularizer", "biasRegularizer", "activityRegularizer",
              "kernelConstraint", "biasConstraint", "depthwiseRegularizer", "pointwiseRegularizer",
              "depthwiseConstraint", "pointwiseConstraint")
} | {
    "weights": "mlpages draws initial weights from the model's seed",
    "batchInputShape": "use inputShape",
    "batchSize": "give batchSize in the train block",
    "dtype": "mlpages models are float32",
    "name": "layers are named by TF.js",
    "dilationRate": "only the default dilation of 1 is reproduced",
    "dataFormat": "mlpages uses channelsLast (NHWC)",
    "noiseShape": "only full dropout masks are reproduced",
    "axis": "batch normalization is reproduced on the last axis only",
}
# Every key of TF.js 4.22's lossesMap; compile accepts no other string.
LOSSES = list(ENGINE_LOSSES)
OPTIMIZERS = list(TRAIN_ARGS)
OPTIMIZER: KeyPath = ("compile", "optimizer")


def build(data: dict[str, Any], page: PageState, name: str) -> tuple[dict[str, Any], str]:
    check_keys(data, KEYS)
    seed = integer(data, "seed", 0)
    loaded = _load(data["from"], page) if "from" in data else None
    if "upTo" in data:
        if loaded is None:
            raise BlockError("'upTo' keeps the layers read with 'from:' up to the one it names; "
                             "this model has no 'from:'", key="upTo")
        loaded.layers = _up_to(loaded.layers, data["upTo"], data["from"])
    if "frozen" in data:
        if loaded is None:
            raise BlockError("'frozen' applies to the layers read with 'from:'; freeze a layer of "
                             "your own with 'trainable: false' in its config", key="frozen")
        if boolean(data, "frozen", False):
            for layer in loaded.layers:
                layer["config"]["trainable"] = False
    if loaded is None:
        layers = _layers(data.get("layers"))
    else:
        extra = _layers(data["layers"], after_base=True) if data.get("layers") is not None else []
        # Layers added on top of a loaded model get names of their own, so that their
        # weights never collide with the file's.
        for k, layer in enumerate(extra, start=1):
            layer["config"]["name"] = f"head_{layer['type']}_{k}"
        layers = loaded.layers + extra
    optimizer, given, loss, metrics = _compile(data.get("compile"))
    base = len(loaded.layers) if loaded is not None else 0
    try:
        engine = Sequential(layers)
        _check_size(engine, page.limits, base)  # before init_weights allocates them
        weights = engine.init_weights(seed)
        summary = engine.summary()
    except EngineError as exc:
        raise BlockError(str(exc), key=_layer_key(str(exc), base)) from None
    if loaded is not None:
        weights = _loaded_weights(engine, weights, loaded, data["from"])
    input_shape = tuple(layers[0]["config"]["inputShape"])
    info = ModelInfo(
        name=name, id=page.cell_id(name), layers=layers, optimizer=optimizer, loss=loss,
        metrics=metrics, weights=weights, input_shape=input_shape,
        output_shape=tuple(summary[-1]["outputShape"]),
        unseeded_dropout=engine.has_unseeded_dropout,
    )
    _check_loss(info)
    info.code = jsgen.model_code(
        jsgen.identifier(name), layers, jsgen.optimizer_code(optimizer, given), loss, metrics
    )
    page.models[name] = info
    names = [n for n, _ in engine.weight_shapes()]
    spec = {
        **spec_header(KIND, name, info.id),
        "layers": layers,
        "compile": {"optimizer": optimizer, "loss": loss, "metrics": metrics},
        "weights": [dict(name=n, **array_json(w)) for n, w in zip(names, weights, strict=True)],
        "inputShape": list(input_shape),
        "summary": summary,
    }
    code = info.code
    # Every initializer seeded or constant: the weights are TF.js's own, whatever `seed` says.
    exact = engine.initial_weights_exact and bool(weights)
    m = current()
    drawn = m.t("weights_exact") if exact else m.t("weights_drawn", seed=str(seed))
    origin = m.t("weights_from", source=str(data["from"])) if loaded is not None else drawn
    if "upTo" in data:
        origin += m.t("weights_up_to", layer=str(data["upTo"]))
    if loaded is not None and len(layers) > len(loaded.layers):
        origin += m.t("weights_added", seed=str(seed))
    return spec, render(info, code, summary, origin)


def _layer_key(message: str, base: int) -> KeyPath:
    """Where an engine error about "layer N (...)" is: that layer's line, or `from:` for a
    layer read from the model file (the first `base` layers)."""
    found = re.match(r"layer (\d+)\b", message)
    if found is None:
        return ("from",) if base else ("layers",)
    index = int(found.group(1)) - 1
    return ("layers", index - base) if index >= base else ("from",)


def _check_size(engine: Sequential, limits: Limits, base: int) -> None:
    """Refuse a model with more weights than `limits.parameters`, counted from the layers'
    shapes (allocating them could take the build's memory), at its largest layer."""
    sizes = [row["params"] for row in engine.summary()]
    total = sum(sizes)
    if total > limits.parameters:
        largest = max(range(len(sizes)), key=sizes.__getitem__)
        detail = f" (layer {largest + 1} has {sizes[largest]:,})"
        raise BlockError(limits.exceeded("too many parameters", total, "parameters", detail),
                         key=_layer_key(f"layer {largest + 1}", base))


def _load(rel: Any, page: PageState) -> LoadedModel:
    """The model file `from:` names, relative to the Markdown file."""
    if not isinstance(rel, str) or not rel.endswith(".json"):
        raise BlockError("'from' must be the path of a TF.js model.json, relative to this page", key="from")
    try:
        path = inside(page.base_dir / rel, page.files_root, f"'from: {rel}'")
    except OutsideError as exc:
        raise BlockError(str(exc), key="from") from None
    files = None
    try:
        special = path.exists() and not path.is_file()
    except OSError:  # a name the system refuses (one too long) names no file
        special = False
    if special:
        raise BlockError(f"model file {rel} is not a regular file", key="from")
    if not is_file(path):
        export = page.exported(path.parent)
        if export is None or path.name not in export.files:
            # Zensical converts the pages in path order, and an extension cannot change it.
            order = ("; under Zensical the exporting page's path must sort before this one's"
                     if page.site is not None else "")
            raise BlockError(f"model file not found: {rel} (looked at {path}, and no page built "
                             f"before this one exports it{order})", key="from")
        files = export.files  # exported by a page of this build: read from memory
    try:
        return read_layers_model(path, files, root=page.files_root)
    except ModelFileError as exc:
        raise BlockError(str(exc), key="from") from None


def _up_to(layers: list[dict[str, Any]], name: Any, rel: str) -> list[dict[str, Any]]:
    """The loaded layers up to and including the one named `name` (a transfer-learning base)."""
    names = [layer["config"]["name"] for layer in layers]
    if not isinstance(name, str) or name not in names:
        hint = did_you_mean(str(name), names)
        raise BlockError(f"{rel} has no layer named {name!r}{hint}; its layers: {', '.join(names)}",
                         key="upTo")
    return layers[: names.index(name) + 1]


def _loaded_weights(engine: Sequential, drawn: list[Any], loaded: LoadedModel, rel: str) -> list[Any]:
    """The file's weights where it has them, the drawn ones for layers added on top."""
    out = []
    for (wname, shape), value in zip(engine.weight_shapes(), drawn, strict=True):
        if wname.startswith("head_"):
            out.append(value)
            continue
        if wname not in loaded.weights:
            raise BlockError(f"{rel} has no weight '{wname}'", key="from")
        if tuple(loaded.weights[wname].shape) != tuple(shape):
            raise BlockError(f"{rel}: weight '{wname}' has shape {list(loaded.weights[wname].shape)}, "
                             f"the layer expects {list(shape)}", key="from")
        out.append(loaded.weights[wname])
    try:
        engine.set_weights(out)
    except EngineError as exc:
        raise BlockError(str(exc), key="from") from None
    return engine.get_weights()


def _layers(raw: Any, after_base: bool = False) -> list[dict[str, Any]]:
    if not isinstance(raw, list) or not raw:
        raise BlockError("'layers' must be a non-empty list, e.g. - dense: {units: 1, inputShape: [1]}",
                         key="layers")
    layers = []
    for i, item in enumerate(raw, start=1):
        where = f"layer {i}"
        at: KeyPath = ("layers", i - 1)
        if not isinstance(item, Mapping) or len(item) != 1:
            raise BlockError(f"{where} must be one mapping like 'dense: {{units: 4}}'", key=at)
        (kind, config), = item.items()
        if kind not in LAYERS:
            if kind in TFJS_ONLY_LAYERS:
                raise BlockError(f"{where}: layer type '{kind}' is not supported by mlpages yet; "
                                 f"supported: {', '.join(LAYERS)}", key=at)
            raise BlockError(f"{where}: unknown layer type '{kind}'"
                             f"{did_you_mean(str(kind), [*LAYERS, *TFJS_ONLY_LAYERS])}", key=at)
        at = (*at, kind)
        if config is not None and not isinstance(config, Mapping):
            raise BlockError(f"{where}: the {kind} config must be a mapping", key=at)
        config = dict(config or {})
        check_keys(config, [*LAYERS[kind], "inputShape", "trainable"], UNSUPPORTED_KEYS,
                   where=f"{where} ({kind})", key=at)
        _check_layer(kind, config, f"{where} ({kind})", first=i == 1 and not after_base, at=at)
        _initializers(config, f"{where} ({kind})", at)
        layers.append({"type": kind, "config": config})
    return layers


def _initializers(config: dict[str, Any], where: str, at: KeyPath) -> None:
    """Every `...Initializer` in the form TF.js's layers take: the shorthand
    `{glorotUniform: {seed: 7}}` becomes `{className: GlorotUniform, config: {seed: 7}}`,
    which the page's TF.js builds (its draws are then replaced by the build's weights,
    equal to them where the initializer is seeded)."""
    for key in [k for k in config if k.endswith("Initializer")]:
        try:
            config[key] = tfjs_identifier(config[key])
        except EngineError as exc:
            raise BlockError(f"{where}: {key}: {exc}", key=(*at, key)) from None


def _check_layer(kind: str, config: dict[str, Any], where: str, first: bool, at: KeyPath) -> None:
    """What the engine cannot say as well: activations, inputShape placement, seeds.
    `at` is the path of the layer's config in the block, for the error's line."""
    act = config.get("activation", "linear")
    if not isinstance(act, str) or act not in ACTIVATIONS:
        if act in TFJS_ONLY_ACTIVATIONS:
            raise BlockError(f"{where}: activation '{act}' is not supported by mlpages yet; "
                             f"supported: {', '.join(ACTIVATIONS)}", key=(*at, "activation"))
        raise BlockError(f"{where}: unknown activation {act!r}{did_you_mean(str(act), ACTIVATIONS)}",
                         key=(*at, "activation"))
    if kind == "dense":
        units = config.get("units")
        if isinstance(units, bool) or not isinstance(units, int) or units < 1:
            raise BlockError(f"{where}: 'units' must be a positive integer, got {units!r}",
                             key=(*at, "units"))
    for flag in ("useBias", "trainable"):
        if flag in config and not isinstance(config[flag], bool):
            raise BlockError(f"{where}: '{flag}' must be true or false", key=(*at, flag))
    if "inputDim" in config:
        dim = config.pop("inputDim")
        if "inputShape" in config:
            raise BlockError(f"{where}: give inputShape or inputDim, not both", key=(*at, "inputDim"))
        config["inputShape"] = [dim]
    if first:
        shape = config.get("inputShape")
        if (not isinstance(shape, list) or not shape
                or not all(isinstance(d, int) and not isinstance(d, bool) and d > 0 for d in shape)):
            raise BlockError(f"{where}: the first layer needs 'inputShape', a list of positive "
                             f"integers such as [2], got {shape!r}", key=(*at, "inputShape"))
    elif "inputShape" in config:
        raise BlockError(f"{where}: only the first layer takes 'inputShape'", key=(*at, "inputShape"))


def _compile(raw: Any) -> tuple[Any, list[str], str, list[str]]:
    if not isinstance(raw, Mapping):
        raise BlockError("'compile' is required: {optimizer: sgd, loss: meanSquaredError}", key="compile")
    check_keys(raw, ["optimizer", "loss", "metrics"], where="compile", key=("compile",))
    optimizer, given = _optimizer(raw.get("optimizer"))
    loss = raw.get("loss")
    if loss not in LOSSES:
        keras = KERAS_NAMES.get(loss.lower()) if isinstance(loss, str) else None
        hint = f" (did you mean '{keras}'?)" if keras else did_you_mean(str(loss), LOSSES)
        raise BlockError(f"compile: unknown loss {loss!r}{hint} (TF.js accepts only the camelCase "
                         f"names of its lossesMap, not aliases such as mse); valid: "
                         f"{', '.join(LOSSES)}", key=("compile", "loss"))
    metrics = raw.get("metrics", [])
    if isinstance(metrics, str):
        metrics = [metrics]
    if not isinstance(metrics, list) or any(m not in ACCURACY_NAMES for m in metrics):
        raise BlockError(f"compile: metrics may only be [accuracy], got {metrics!r}",
                         key=("compile", "metrics"))
    return optimizer, given, loss, list(metrics)


def _optimizer(raw: Any) -> tuple[Any, list[str]]:
    if raw is None:
        raise BlockError("compile: 'optimizer' is required (e.g. sgd, adam, {adam: {learningRate: 0.01}})",
                         key=OPTIMIZER)
    if isinstance(raw, str):
        name = raw
        if name == "momentum":
            raise BlockError("compile: 'momentum' needs the object form, e.g. "
                             "{momentum: {learningRate: 0.1, momentum: 0.9}}", key=OPTIMIZER)
        if name not in OPTIMIZERS:
            raise BlockError(f"compile: unknown optimizer {name!r}{did_you_mean(name, OPTIMIZERS)}; "
                             f"available: {', '.join(OPTIMIZERS)}", key=OPTIMIZER)
        return name, []
    if not isinstance(raw, Mapping) or len(raw) != 1:
        raise BlockError("compile: 'optimizer' must be a name or one mapping like "
                         "{adam: {learningRate: 0.01}}", key=OPTIMIZER)
    (name, args), = raw.items()
    if name not in OPTIMIZERS:
        raise BlockError(f"compile: unknown optimizer {name!r}{did_you_mean(str(name), OPTIMIZERS)}",
                         key=OPTIMIZER)
    if args is not None and not isinstance(args, Mapping):
        raise BlockError(f"optimizer {name}: its options must be a mapping like {{learningRate: 0.01}}",
                         key=(*OPTIMIZER, name))
    args = dict(args or {})
    check_keys(args, TRAIN_ARGS[name], where=f"optimizer {name}", key=(*OPTIMIZER, name))
    for k, v in args.items():
        ok = isinstance(v, bool) if k in ("useNesterov", "centered") else (
            isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v))
        if not ok:
            raise BlockError(f"optimizer {name}: '{k}' has the wrong type: {v!r}", key=(*OPTIMIZER, name, k))
    if name == "momentum" and ("learningRate" not in args or "momentum" not in args):
        raise BlockError("optimizer momentum: give both 'learningRate' and 'momentum'", key=OPTIMIZER)
    if name == "rmsprop" and args.get("centered"):
        raise BlockError("optimizer rmsprop: 'centered: true' is refused: TF.js 4.22 computes "
                         "sqrt(ms - (mg² + ε)), which turns NaN once gradients get small", key=OPTIMIZER)
    filled = {k: v for k, v in OPTIMIZER_DEFAULTS.get(name, {}).items() if k != "epsilon"}
    filled.update({k: float(v) if isinstance(v, int) and not isinstance(v, bool) else v
                   for k, v in args.items()})
    return {"name": name, "args": filled}, list(args)


def _check_loss(info: ModelInfo) -> None:
    units = info.output_shape[-1]
    if info.loss == "categoricalCrossentropy" and units == 1:
        raise BlockError("compile: categoricalCrossentropy needs one output unit per class; with one "
                         "output unit use binaryCrossentropy", key="compile")


def render(info: ModelInfo, code: str, summary: list[dict[str, Any]], origin: str) -> str:
    rows = [(s["layer"], s["type"], str(tuple(s["outputShape"])).replace("None", "null"), s["params"])
            for s in summary]
    total = sum(s["params"] for s in summary)
    m = current()
    return (
        code_block(code)
        + table([m.t("head_layer"), m.t("head_output_shape"), m.t("head_params")],
                [(f"{a} ({b})", c, d) for a, b, c, d in rows], "mlpages-summary")
        + '<p class="mlpages-note">'
          + m.html("model_note", count=total, origin=esc(origin),
                   code=f"<code>{esc(jsgen.identifier(info.name))}.setWeights()</code>")
          + "</p>"
    )
