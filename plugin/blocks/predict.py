"""The `predict` block: the model as the page's earlier cells left it, on given inputs."""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from .. import jsgen, refcheck
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
KEYS = ["name", "model", "x", "dataset", "split", "tolerance"]
CLASSIFICATION_LOSSES = ("binaryCrossentropy", "categoricalCrossentropy", "sparseCategoricalCrossentropy",
                         "categoricalHinge")


def build(data: dict[str, Any], page: PageState, name: str) -> tuple[dict[str, Any], str]:
    check_keys(data, KEYS)
    if data.get("model") is None:
        raise BlockError("missing 'model' (the name of a model block above)", key="model")
    model = page.model(data["model"])
    tol = tolerance(data)
    if ("x" in data) == ("dataset" in data):
        raise BlockError("give exactly one of 'x' (inputs) or 'dataset' (with 'split: train|test')")
    y = None
    trained_on = model.last_dataset
    split: str | None = None
    if "x" in data:
        if "split" in data:
            raise BlockError("'split' only applies with 'dataset'", key="split")
        raw = np.asarray(matrix(data["x"], "x"), dtype=np.float32)
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
    code = jsgen.predict_code(jsgen.identifier(model.name), raw.tolist(),
                              source.name if source is not None else None, normalized, split)
    classifier = model.loss in CLASSIFICATION_LOSSES
    return spec, render(spec, code, classifier)


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
        row = [m.numbers(np.ravel(raw[i]), 4)]
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
    return code_block(code) + table(headers, rows, "mlpages-reference") + extra
