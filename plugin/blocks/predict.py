"""The `predict` block: the model as the page's earlier cells left it, on given inputs."""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np

from .. import program, refcheck
from ..cache import digest
from ..chain import BAND_RUNS, BAND_WIDEN, band
from ..contract import spec_header
from ..engine.metrics import argmax
from ..errors import BlockError
from ..html import array_json, code_block, esc, table
from ..i18n import current
from ..page import EPSILONS, PageState
from .common import check_keys, choice, matrix, tolerance

KIND = "predict"
KEYS = ["name", "model", "x", "dataset", "split", "tolerance", "input", "examples"]
# `input:` values: `live` picks the widget from the model and its data; the others ask for one.
INPUTS = ["live", "numbers", "colour", "color", "draw"]
# Feature names that make an input a colour (in this order, any case).
COLOUR_NAMES = (("r", "g", "b"), ("red", "green", "blue"))
CLASSIFICATION_LOSSES = ("binaryCrossentropy", "categoricalCrossentropy", "sparseCategoricalCrossentropy",
                         "categoricalHinge")


def build(data: dict[str, Any], page: PageState, name: str) -> tuple[dict[str, Any], str]:
    check_keys(data, KEYS)
    if data.get("model") is None:
        raise BlockError("missing 'model' (the name of a model block above)", key="model")
    model = page.model(data["model"])
    tol = tolerance(data)
    # With examples, a cell may predict them alone (an image model's inputs fit no 'x' rows).
    examples_only = "x" not in data and "dataset" not in data and data.get("examples") is not None
    if ("x" in data) == ("dataset" in data) and not examples_only:
        raise BlockError("give exactly one of 'x' (inputs) or 'dataset' (with 'split: train|test'), "
                         "or 'examples' alone")
    y = None
    trained_on = model.last_dataset
    split: str | None = None
    if "x" in data or examples_only:
        if "split" in data:
            raise BlockError("'split' only applies with 'dataset'", key="split")
        raw = (example_rows(data["examples"], model.input_shape) if examples_only
               else np.asarray(matrix(data["x"], "x"), dtype=np.float32))
        if tuple(raw.shape[1:]) != tuple(model.input_shape):
            raise BlockError(f"model '{model.name}' expects inputs of shape {list(model.input_shape)} "
                             f"per row, got {list(raw.shape[1:])}", key="x" if "x" in data else "examples")
        x = trained_on.prepared.apply(raw) if trained_on is not None else raw
        source = trained_on  # whose statistics normalize the rows
    else:
        ds = source = page.dataset(data["dataset"])
        split = choice(data, "split", ["train", "test"], "test")
        if split == "train":
            x, y = ds.x, ds.y
        elif ds.x_test is None or not len(ds.x_test):
            raise BlockError(f"dataset '{ds.name}' has no test split (its split is 1.0)", key="split")
        else:
            x, y = ds.x_test, ds.y_test
        raw = x
        trained_on = trained_on or ds
    if tuple(x.shape[1:]) != tuple(model.input_shape):
        raise BlockError(f"model '{model.name}' expects inputs of shape {list(model.input_shape)} per row, "
                         f"got {list(x.shape[1:])}", key="x" if "x" in data else "dataset")
    chain = model.chain
    banded = chain.stochastic
    key = digest("predict", chain.key, x, y, *((BAND_RUNS, BAND_WIDEN) if banded else ()))
    references = page.cache.get(key, functools.partial(
        refcheck.predict, shape=(len(x), *model.sample_shape), labelled=y is not None, banded=banded))
    if references is None:
        references = []
        for eps in EPSILONS.values():
            if banded:
                references.append(_banded_reference(chain.band_engines(eps), eps, x, y))
                continue
            out = chain.engine(eps).predict(x)
            ref: dict[str, Any] = {"epsilon": eps, "predictions": array_json(out)}
            if y is not None:
                ref["accuracy"] = accuracy(out, y)
            references.append(ref)
        page.cache.put(key, references)
    classes = trained_on.classes if trained_on is not None else None
    normalized = source is not None and source.normalize.get("method", "none") != "none"
    # The reader's inputs and the examples are in raw units, normalized as the model's
    # training data was (the dataset the page's runtime reads, `spec.dataset`).
    norm = trained_on if trained_on is not None else source
    live = live_input(data, model, norm, raw) if data.get("input") is not None else None
    examples = None
    if data.get("examples") is not None:
        if banded:
            raise BlockError("'examples' need an exact reference, which a model trained with dropout "
                             "without a seed has not; give the dropout layer a seed", key="examples")
        examples = example_rows(data["examples"], model.input_shape)
        ex_x = norm.prepared.apply(examples) if norm is not None else examples
        ex_key = digest("predict-examples", chain.key, ex_x)
        ex_refs = page.cache.get(ex_key, functools.partial(
            refcheck.predict, shape=(len(ex_x), *model.sample_shape), labelled=False, banded=False))
        if ex_refs is None:
            ex_refs = [{"epsilon": eps, "predictions": array_json(chain.engine(eps).predict(ex_x))}
                       for eps in EPSILONS.values()]
            page.cache.put(ex_key, ex_refs)
        by_eps = {r["epsilon"]: r["predictions"] for r in ex_refs}
        references = [{**r, "examples": by_eps[r["epsilon"]]} for r in references]
    spec = {
        **spec_header(KIND, name, page.cell_id(name)),
        "model": model.id, "dataset": trained_on.id if trained_on is not None else None,
        "after": list(model.trained_by),
        "raw": array_json(raw), "x": array_json(x),
        "y": array_json(y) if y is not None else None,
        "classes": classes, "tolerance": tol, "references": references,
    }
    if banded:
        spec["band"] = {"reason": "dropout without a seed", "runs": BAND_RUNS, "widen": BAND_WIDEN}
    if live is not None:
        spec["live"] = live
    if examples is not None:
        spec["examples"] = array_json(examples)
    code = program.predict_program(page, page.cell_id(name), model, list(model.fits), x,
                                   program.inputs_comment(source, normalized, split, examples_only))
    classifier = model.loss in CLASSIFICATION_LOSSES
    return spec, render(spec, code, classifier)


def live_input(data: dict[str, Any], model: Any, source: Any, raw: np.ndarray) -> dict[str, Any]:
    """The spec's `live` entry: which widget (`numbers`, `colour` or `draw`), the feature
    names, and each feature's range in raw units (of the data the model's inputs are
    normalized with, else of the cell's own rows), for sliders and the drawing's values."""
    wanted = choice(data, "input", INPUTS, None)
    wanted = "colour" if wanted == "color" else wanted
    shape = tuple(model.input_shape)
    image = len(shape) == 3
    if image and shape[2] != 1:
        raise BlockError(f"'input' has no widget for images with {shape[2]} channels (drawing gives "
                         "one grey channel)", key="input")
    if len(shape) not in (1, 3):
        raise BlockError(f"'input' has no widget for inputs of shape {list(shape)}", key="input")
    features = list(source.features or []) if source is not None else []
    if image or len(features) != shape[0]:
        features = [] if image else [f"x{i + 1}" for i in range(shape[0])]
    # r, g, b or red, green, blue (any case), or the channels as the course's language names them
    own = tuple(current().t(f"colour_{c}").lower() for c in COLOUR_NAMES[1])
    colour = tuple(f.lower() for f in features) in (*COLOUR_NAMES, own)
    if wanted == "live":
        wanted = "draw" if image else "colour" if colour else "numbers"
    if wanted == "draw" and not image:
        raise BlockError(f"'input: draw' needs an image model (inputs [height, width, 1]); model "
                         f"'{model.name}' takes {list(shape)}", key="input")
    if wanted == "colour" and (image or shape[0] != 3):
        raise BlockError(f"'input: colour' needs three inputs (red, green, blue 0-255); model "
                         f"'{model.name}' takes {list(shape)}", key="input")
    if wanted == "numbers" and image:
        raise BlockError("'input: numbers' takes one value per feature; this model takes images "
                         "(use input: draw)", key="input")
    values = _raw_values(source, raw)
    if image:
        low, high = [float(values.min())], [float(values.max())]
    else:
        low, high = [float(v) for v in values.min(axis=0)], [float(v) for v in values.max(axis=0)]
    if wanted == "colour":
        low, high = [0.0] * 3, [255.0] * 3
    spans = [h - lo for lo, h in zip(low, high, strict=True)]
    return {"input": wanted, "features": features,
            "min": [_short(v, d) for v, d in zip(low, spans, strict=True)],
            "max": [_short(v, d) for v, d in zip(high, spans, strict=True)]}


def _raw_values(source: Any, raw: np.ndarray) -> np.ndarray:
    """The inputs in raw units: the source dataset's (both splits, normalization undone), or
    the cell's own rows."""
    if source is None:
        return np.asarray(raw, dtype=np.float64)
    parts = [source.x] + ([source.x_test] if source.x_test is not None and len(source.x_test) else [])
    x = np.concatenate(parts).astype(np.float64)
    stats = source.normalize
    if stats.get("method") == "zscore":
        return x * np.asarray(stats["std"]) + np.asarray(stats["mean"])
    if stats.get("method") == "minmax":
        return x * np.asarray(stats["range"]) + np.asarray(stats["min"])
    return x


def _short(value: float, span: float) -> float:
    """A range end rounded to a millionth of the range's span (undoing normalization in
    float32 leaves dust: 1.2e-07 for 0)."""
    if span <= 0 or not math.isfinite(span):
        return float(f"{value:.6g}")
    return round(value, max(0, 6 - math.floor(math.log10(span)))) + 0.0


def example_rows(value: Any, shape: tuple[int, ...]) -> np.ndarray:
    """`examples:` as float32 inputs of the model's shape: rows of numbers, or images as
    nested lists (`[height][width]`, or `[height][width][1]`)."""
    if not isinstance(value, list) or not value:
        raise BlockError("'examples' must be a non-empty list of inputs in raw units, e.g. "
                         "[[5.1, 3.5], [6.2, 2.9]]", key="examples")
    out = []
    want = (f"an {shape[0]}x{shape[1]} grid of numbers" if len(shape) == 3
            else f"a row of {shape[0]} numbers")
    for i, entry in enumerate(value):
        leaves = _leaves(entry)
        bad = next((v for v in leaves if isinstance(v, bool) or not isinstance(v, (int, float))), None)
        if bad is not None or not leaves:
            what = f"holds {bad!r}, which is not a number" if bad is not None else "is empty"
            raise BlockError(f"'examples' entry {i + 1} {what}", key=("examples", i))
        try:
            arr = np.asarray(entry, dtype=np.float64)
        except ValueError:  # ragged
            raise BlockError(f"'examples' entry {i + 1} must be {want} (the model's input), got "
                             "rows of different lengths", key=("examples", i)) from None
        if len(shape) == 3 and arr.shape == shape[:2] and shape[2] == 1:
            arr = arr[..., None]
        if arr.shape != shape:
            raise BlockError(f"'examples' entry {i + 1} must be {want} (the model's input), got shape "
                             f"{list(arr.shape)}", key=("examples", i))
        if not np.all(np.isfinite(arr)) or np.any(np.abs(arr) > 3.4e38):
            raise BlockError(f"'examples' entry {i + 1} holds a value that is not a finite number",
                             key=("examples", i))
        out.append(arr)
    return np.asarray(out, dtype=np.float32)


def _leaves(value: Any) -> list[Any]:
    """The non-list values of nested lists, in order."""
    if isinstance(value, list):
        return [leaf for v in value for leaf in _leaves(v)]
    return [value]


def _banded_reference(
    engines: list[Any], eps: float, x: np.ndarray, y: np.ndarray | None
) -> dict[str, Any]:
    """Predictions of a model trained with unseeded dropout: the median of the runs and the
    band each output must fall within (see ``chain.band``)."""
    outs = [engine.predict(x) for engine in engines]
    median, low, high = band(outs)
    ref: dict[str, Any] = {
        "epsilon": eps,
        "predictions": array_json(median.astype(np.float32)),
        "band": {"predictions": {"low": [float(v) for v in low.ravel()],
                                 "high": [float(v) for v in high.ravel()]}},
    }
    if y is not None:
        accs = [accuracy(out, y) for out in outs]
        ref["accuracy"] = float(np.median(accs))
        _, acc_low, acc_high = band([np.array([a]) for a in accs])
        ref["band"]["accuracy"] = {"low": [float(acc_low[0])], "high": [float(acc_high[0])]}
    return ref


def accuracy(out: np.ndarray, y: np.ndarray) -> float:
    """TF.js's accuracy rule for the output width: threshold 0.5 for one unit, argmax otherwise."""
    if out.shape[1] == 1:
        return float(np.mean((out[:, 0] > 0.5).astype(np.float32) == y[:, 0]))
    return float(np.mean(argmax(out) == argmax(y)))


def label(out: np.ndarray, classes: list[str] | None) -> str:
    """The predicted class and its confidence: argmax for several outputs, 0.5 for one; a
    dash for a diverged model's non-finite outputs, which predict no class."""
    if not np.all(np.isfinite(out)):
        return "—"
    if len(out) == 1:
        k, p = (1, out[0]) if out[0] > 0.5 else (0, 1 - out[0])
    else:
        k = int(np.argmax(out))
        p = out[k]
    name = classes[k] if classes and k < len(classes) else str(k)
    m = current()
    return m.t("class_confidence", name=name, percent=m.number(round(float(p) * 100, 1), 4))


def render(spec: dict[str, Any], code: str, classifier: bool) -> str:
    raw = np.asarray(spec["raw"]["data"], dtype=np.float64).reshape(spec["raw"]["shape"])
    out_ref = spec["references"][0]
    out = np.asarray(out_ref["predictions"]["data"], dtype=np.float64).reshape(
        out_ref["predictions"]["shape"])
    classes = spec["classes"]
    m = current()
    rows = []
    for i in range(min(len(raw), 20)):
        row = [m.t("live_example_image", rows=raw.shape[1], cols=raw.shape[2]) if raw.ndim > 2
               else m.numbers(np.ravel(raw[i]), 4)]
        row.append(m.numbers(out[i], 5))
        if classifier:
            row.append(label(out[i], classes))
        rows.append(row)
    headers = [m.t("head_input"), m.t("head_reference_output")] + ([m.t("head_label")] if classifier else [])
    extra = ""
    if "accuracy" in out_ref:
        extra = (f'<p class="mlpages-note">'
                 f'{esc(m.t("reference_accuracy", value=m.number(out_ref["accuracy"], 4)))}</p>')
    if len(raw) > 20:
        extra += f'<p class="mlpages-note">{esc(m.t("first_rows", shown=20, count=len(raw)))}</p>'
    if spec.get("band"):
        extra += (f'<p class="mlpages-note mlpages-band">'
                  f'{esc(m.t("band_predict_static", count=spec["band"]["runs"]))}</p>')
    return (code_block(code, program=True) + table(headers, rows, "mlpages-reference") + extra
            + _examples_html(spec, classifier))


def _examples_html(spec: dict[str, Any], classifier: bool) -> str:
    """The author's example inputs and their NumPy reference outputs (the page checks its own
    predictions of them against these), and what the live input offers."""
    m = current()
    parts = []
    if spec.get("live"):
        what = m.t({"numbers": "live_input_numbers", "colour": "live_input_colour",
                    "draw": "live_input_draw"}[spec["live"]["input"]])
        parts.append('<p class="mlpages-note mlpages-live-input-static">'
                     f'{esc(m.t("live_input_static", what=what))}</p>')
    if spec.get("examples"):
        ex = np.asarray(spec["examples"]["data"], dtype=np.float64).reshape(spec["examples"]["shape"])
        ref = spec["references"][0]["examples"]
        out = np.asarray(ref["data"], dtype=np.float64).reshape(ref["shape"])
        rows = []
        for i in range(len(ex)):
            shown = (m.t("live_example_image", rows=ex.shape[1], cols=ex.shape[2]) if ex.ndim == 4
                     else m.numbers(ex[i], 4))
            row = [shown, m.numbers(out[i], 5)]
            if classifier:
                row.append(label(out[i], spec["classes"]))
            rows.append(row)
        headers = [m.t("live_head_example"), m.t("head_reference_output")] + \
            ([m.t("head_label")] if classifier else [])
        parts.append(table(headers, rows, "mlpages-reference mlpages-examples-reference"))
    return "".join(parts)
