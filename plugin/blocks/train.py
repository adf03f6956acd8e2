"""The `train` block: one `model.fit` call, with its NumPy reference per backend epsilon."""

from __future__ import annotations

import functools
import json
import math
import posixpath
import re
from typing import Any

import numpy as np

from .. import knobs, program, refcheck
from ..cache import digest
from ..chain import BAND_RUNS, BAND_WIDEN, Chain, FitOp, Progress, band
from ..contract import spec_header
from ..engine import EngineError, Sequential
from ..errors import BlockError, format_block, key_line
from ..export import WEIGHTS_FILE, layers_model_json
from ..html import array_json, code_block, esc, fmt, table
from ..i18n import current
from ..limits import Limits
from ..page import EPSILONS, DatasetInfo, Export, KnobCell, ModelInfo, PageState
from .common import check_keys, choice, integer, require, tolerance

KIND = "train"
KEYS = ["name", "model", "dataset", "epochs", "batchSize", "validation", "tolerance", "export", "knobs"]
UNSUPPORTED = {
    "shuffle": "mlpages always fits with shuffle: false so the reference can follow; "
               "use 'shuffle: true' on the dataset (shuffled once at build)",
    "validationSplit": "use 'split:' on the dataset and 'validation: test'",
    "validationData": "use 'validation: test'",
    "callbacks": "the page adds its own progress and chart callbacks",
    "verbose": "the page shows progress itself",
    "classWeight": "not reproduced by the NumPy reference yet",
    "sampleWeight": "not reproduced by the NumPy reference yet",
    "initialEpoch": "not supported",
    "stepsPerEpoch": "not supported",
    "validationSteps": "not supported",
    "validationBatchSize": "not supported",
    "yieldEvery": "the page keeps TF.js's default so it stays responsive",
}


def build(data: dict[str, Any], page: PageState, name: str) -> tuple[dict[str, Any], str]:
    check_keys(data, KEYS, UNSUPPORTED)
    model = page.model(require(data, "model", "the name of a model block above"))
    dataset = page.dataset(require(data, "dataset", "the name of a dataset block above"))
    epochs = integer(data, "epochs", 1, minimum=1)
    batch_size = integer(data, "batchSize", 32, minimum=1)
    validation = choice(data, "validation", ["none", "test"], "none") == "test"
    tol = tolerance(data)
    if dataset.y is None:
        raise BlockError(f"dataset '{dataset.name}' has no labels (y) to train on", key="dataset")
    validation_data = None
    if validation:
        if dataset.x_test is None or dataset.y_test is None or not len(dataset.x_test):
            raise BlockError(f"'validation: test' needs a test split, but dataset '{dataset.name}' has "
                             "split 1.0 (give the dataset e.g. split: 0.8)", key="validation")
        validation_data = (dataset.x_test, dataset.y_test)
    _check_shapes(model, dataset, dataset.y)
    banded = model.unseeded_dropout
    _check_work(model, dataset, epochs, batch_size, validation, banded, page.limits)
    export = _export_path(data, page)
    cell_id = page.cell_id(name)
    if "knobs" in data:
        _knobs(data, page, name, cell_id, model, dataset, export)
    progress = Progress(format_block(page.path, page.block_line, KIND, name), epochs,
                        len(EPSILONS) * (BAND_RUNS if banded else 1), page.limits.progress)
    op = FitOp(cell_id, dataset.x, dataset.y, validation_data, epochs, batch_size, progress)
    chain = model.chain
    if banded and export is not None:
        raise BlockError("'export' needs training a reference can follow step by step, but model "
                         f"'{model.name}' has dropout without a seed; give the dropout layer a "
                         "'seed' to export its weights", key="export")
    key = digest("train", chain.key, op.key_parts(), *((BAND_RUNS, BAND_WIDEN) if banded else ()))
    quantities = ["loss", *(["acc"] if model.metrics else [])]
    quantities += [f"val_{q}" for q in quantities] if validation else []
    # A band of a model's first fit also holds the initial model's predictions.
    initial = (len(dataset.x), *model.sample_shape) if banded and not chain.ops else None
    references = page.cache.get(key, functools.partial(
        refcheck.train, epochs=epochs, keys=quantities, weight_shapes=[w.shape for w in model.weights],
        banded=banded, initial_shape=initial))
    engines: dict[float, Sequential] = {}
    runs: dict[float, list[Sequential]] = {}
    if references is None:
        references = []
        for eps in EPSILONS.values():
            try:
                if banded:
                    ref, runs[eps] = _banded_reference(chain, op, eps, dataset.x)
                    engines[eps] = runs[eps][0]
                    references.append(ref)
                    continue
                engine = chain.take_engine(eps)
                history = op.run(engine)
            except EngineError as exc:
                raise BlockError(str(exc)) from None
            engines[eps] = engine
            references.append({
                "epsilon": eps,
                "history": {k: [float(v) for v in vals] for k, vals in history.items()},
                "weights": [array_json(w) for w in engine.get_weights()],
            })
        page.cache.put(key, references)
    diverged = divergence(references)
    if diverged:
        page.infos.append(diverged)
    after = list(model.trained_by)
    model.chain = chain.extend(op, engines, runs)
    model.trained_by.append(cell_id)
    model.last_dataset = dataset
    fit = {"epochs": epochs, "batchSize": batch_size, "shuffle": False, "validation": validation}
    model.fits.append(program.Fit(name, dataset, fit))
    spec = {
        **spec_header(KIND, name, cell_id),
        "model": model.id, "dataset": dataset.id, "after": after,
        "fit": fit, "tolerance": tol, "references": references,
    }
    if banded:
        spec["band"] = band_info()
    code = program.train_program(page, cell_id, model, list(model.fits), quantities)
    html = render(references, code, after, model.name, banded)
    if export is not None:
        files = _export(model, references, cell_id, export, page.path)
        page.exports.append(files)
        page.published[(page.base_dir / export).resolve()] = files
        link_prefix = page.url_prefix if page.link_prefix is None else page.link_prefix
        html += render_export(page.url_prefix + export, link_prefix + export)
    return spec, html


def _knobs(data: dict[str, Any], page: PageState, name: str, cell_id: str, model: ModelInfo,
           dataset: DatasetInfo, export: str | None) -> None:
    """Check the cell's knobs; on the author's page, note the cell for its variants' builds."""
    written = page.raw.get(model.name)
    found = knobs.parse(data["knobs"], data, None if written is None or "from" in written else written,
                        page.raw.get(dataset.name), dataset.name, model.name)
    if export is not None:
        raise BlockError("'export' writes one model, but knobs make this cell train many; export "
                         "from a train cell without knobs", key="export")
    total = knobs.count(found)
    if total > page.limits.variants:
        sizes = " × ".join(str(len(k.values)) for k in found)
        raise BlockError(page.limits.exceeded("too many knob variants", total, "variants",
                                              f" ({sizes} values)"), key="knobs")
    if page.variant is not None:
        return
    page.claim_element_ids([(f"{cell_id}-knobs", f"the knobs of train '{name}'", f"the name '{name}'")],
                           key="name")
    line = key_line(page.block_lines, ("knobs",), page.block_line) if page.block_line is not None else None
    page.knob_cells.append(KnobCell(name, cell_id, model.name, dataset.name, page.block_slot, line, found))


def _check_work(model: ModelInfo, dataset: DatasetInfo, epochs: int, batch_size: int, validation: bool,
                banded: bool, limits: Limits) -> None:
    """Refuse a fit whose reference would take the build hours: too many optimizer steps, or
    too much work (epochs × rows × parameters × runs), counted before anything is computed."""
    batches = math.ceil(len(dataset.x) / batch_size)
    steps = epochs * batches
    if steps > limits.steps:
        detail = f" ({epochs:,} epochs × {batches:,} batches of up to {batch_size})"
        raise BlockError(limits.exceeded("too many training steps", steps, "steps", detail), key="epochs")
    rows = len(dataset.x) + (len(dataset.x_test) if validation and dataset.x_test is not None else 0)
    params = sum(int(w.size) for w in model.weights)
    runs = BAND_RUNS if banded else 1
    work = epochs * rows * params * runs
    if work > limits.training:
        detail = f" ({epochs:,} epochs × {rows:,} rows × {params:,} parameters"
        detail += f" × {runs} runs for dropout without a seed)" if banded else ")"
        raise BlockError(limits.exceeded("too much training", work, "training", detail), key="epochs")



def divergence(references: list[dict[str, Any]]) -> str | None:
    """What the build tells the author when a reference diverged (NaN or ±Infinity), else None.

    Divergence is a legitimate outcome (a learning rate too large): the page shows it and
    verify expects the browser's run to diverge the same way, so this is no warning.
    """
    where: dict[str, list[str]] = {}  # what diverged -> the epsilons it diverged at
    for ref in references:
        first = _first_nonfinite(ref.get("history") or {})
        if first is not None:
            epoch, key, value = first
            what = f"at epoch {epoch} ({key} {fmt(value)})"
        elif any(not np.all(np.isfinite(_floats(w["data"]))) for w in ref.get("weights") or []):
            what = "in its final weights"
        else:
            continue
        where.setdefault(what, []).append(f"ε {ref['epsilon']:g}")
    if not where:
        return None
    if len(where) == 1 and len(next(iter(where.values()))) == len(references):
        text = next(iter(where))  # the same for every backend epsilon
    else:
        text = " and ".join(f"{what} for {', '.join(eps)}" for what, eps in where.items())
    return (f"the reference diverged {text}; later values are NaN or ±Infinity, the page shows "
            "them and verify expects the browser's run to diverge the same way")


def _first_nonfinite(history: dict[str, list[Any]]) -> tuple[int, str, float] | None:
    """``(epoch, quantity, value)`` of the first non-finite history value (epoch 1-based)."""
    found: tuple[int, str, float] | None = None
    for key, values in history.items():
        bad = np.flatnonzero(~np.isfinite(_floats(values)))
        if bad.size and (found is None or bad[0] + 1 < found[0]):
            found = (int(bad[0]) + 1, key, float(_floats(values)[bad[0]]))
    return found


def _floats(values: list[Any]) -> np.ndarray:
    """Reference numbers as floats (``None``, which earlier cache entries hold, is NaN)."""
    return np.array([np.nan if v is None else v for v in values], dtype=np.float64)


def band_info() -> dict[str, Any]:
    """The spec's ``band`` entry: why the cell is checked within a band, and how it was made."""
    return {"reason": "dropout without a seed", "runs": BAND_RUNS, "widen": BAND_WIDEN}


def _banded_reference(
    chain: Chain, op: FitOp, eps: float, x: np.ndarray
) -> tuple[dict[str, Any], list[Sequential]]:
    """The reference of a fit whose dropout masks come from ``Math.random``.

    ``history`` is the per-epoch median of ``BAND_RUNS`` runs, ``band`` the edges each epoch
    of each quantity must fall within. No weights: they are not compared. When the cell
    starts from the model's initial weights, ``initial`` holds the exact inference-mode
    outputs of that model on the training inputs, which the page computes before fitting.
    """
    runs = chain.take_band_engines(eps)
    ref: dict[str, Any] = {"epsilon": eps}
    if not chain.ops:
        ref["initial"] = {"predictions": array_json(runs[0].predict(x))}
    histories = [op.run(engine) for engine in runs]
    ref["history"], ref["band"] = {}, {}
    for k in histories[0]:
        median, low, high = band([h[k] for h in histories])
        ref["history"][k] = [float(v) for v in median]
        ref["band"][k] = {"low": [float(v) for v in low], "high": [float(v) for v in high]}
    return ref, runs


def _export_path(data: dict[str, Any], page: PageState) -> str | None:
    """`export: models/<name>`: a folder relative to the Markdown file's directory."""
    raw = data.get("export")
    if raw is None:
        return None
    hint = "a folder relative to the page, e.g. export: models/net"
    if not isinstance(raw, str) or not raw.strip():
        raise BlockError(f"'export' must be {hint}", key="export")
    path = raw.strip().rstrip("/")
    if "\\" in path or path.startswith("/") or re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", path):
        raise BlockError(f"'export' must be a relative path ({hint}), got {raw!r}", key="export")
    parts = path.split("/")
    if any(p in ("", ".", "..") for p in parts):
        raise BlockError(f"'export' must be a relative path without '.', '..' or empty parts "
                         f"({hint}), got {raw!r}", key="export")
    if not all(re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]*", p) for p in parts):
        raise BlockError(f"'export' may only use letters, digits, '_', '-' and '.' in its folder "
                         f"names, got {raw!r}", key="export")
    path = posixpath.normpath(path)
    for other in page.exports:
        if other.path == path:
            raise BlockError(f"'export: {path}' is already written by cell '{other.cell_id}' on "
                             "this page; give each export its own folder", key="export")
    published = page.published.get((page.base_dir / path).resolve())
    if published is not None and published.page != page.path:
        raise BlockError(f"'export: {path}' is already written by cell '{published.cell_id}' of "
                         f"{published.page}; give each export its own folder", key="export")
    return path


def _export(model: ModelInfo, references: list[dict[str, Any]], cell_id: str, path: str,
            page: str) -> Export:
    """The model as this cell leaves it (the WebGL reference, epsilon 1e-4) as LayersModel files."""
    ref = next(r for r in references if r["epsilon"] == EPSILONS["webgl"])
    weights = [_floats(w["data"]).astype(np.float32).reshape(w["shape"]) for w in ref["weights"]]
    names = [n for n, _ in Sequential(model.layers).weight_shapes()]
    topology, weights_bin = layers_model_json(model.layers, names, weights, model_name=model.name)
    text = json.dumps(topology, indent=1, allow_nan=False).encode("utf-8")
    return Export(cell_id, path, {"model.json": text, WEIGHTS_FILE: weights_bin}, page)


def render_export(path: str, link: str) -> str:
    """The download links (`link`: the folder as the page's links name it) and the code that
    loads the export (`path`: its URL from the page)."""
    url = esc(f"{link}/model.json")
    m = current()
    return (
        f'<p class="mlpages-export"><a href="{url}" download>{esc(m.t("export_download"))}</a>'
        + m.html("export_files", model="<code>model.json</code>",
                 weights=f'<a href="{esc(link)}/{WEIGHTS_FILE}" download><code>{WEIGHTS_FILE}</code></a>',
                 code=f"<code>tf.loadLayersModel('{esc(path)}/model.json')</code>")
        + "</p>"
    )


def _check_shapes(model: ModelInfo, dataset: DatasetInfo, y: np.ndarray) -> None:
    """Refuse a model that cannot take the dataset's rows or its labels ``y``."""
    want = tuple(model.input_shape)
    have = tuple(dataset.x.shape[1:])
    if want != have:
        raise BlockError(
            f"model '{model.name}' expects inputs of shape {list(want)} but dataset "
            f"'{dataset.name}' has {list(have)} per row; set the first layer's inputShape to {list(have)}",
        )
    units = model.sample_shape[-1]
    cols = y.shape[1]
    if model.loss == "sparseCategoricalCrossentropy":
        if cols != 1:
            raise BlockError(f"sparseCategoricalCrossentropy needs one label column of class indices, "
                             f"but dataset '{dataset.name}' has {cols} (one-hot labels: use "
                             "categoricalCrossentropy)")
        top = float(np.max(y)) if len(y) else 0
        if top >= units:
            raise BlockError(f"labels go up to {fmt(top)} but model '{model.name}' has {units} output units")
    elif units != cols:
        raise BlockError(
            f"model '{model.name}' has {units} output unit(s) but dataset '{dataset.name}' has {cols} "
            f"label column(s); make the last layer's units {cols}",
        )


def render(
    references: list[dict[str, Any]], code: str, after: list[str], model: str, banded: bool = False
) -> str:
    m = current()
    ref = references[0]
    rows = [(key, m.number(vals[-1])) for key, vals in ref["history"].items() if vals]
    if banded:
        rows = [(key, m.t("value_band", value=m.number(vals[-1]), low=m.number(ref["band"][key]["low"][-1]),
                          high=m.number(ref["band"][key]["high"][-1])))
                for key, vals in ref["history"].items() if vals]
    note = ""
    if banded:
        text = m.t("band_train_static", count=BAND_RUNS, widen=m.number(BAND_WIDEN))
        if not after:
            text += m.t("band_initial_exact")
        note += f'<p class="mlpages-note mlpages-band">{esc(text)}</p>'
    if after:
        note += (f'<p class="mlpages-note">'
                 f'{m.html("continues_training", model=f"<code>{esc(model)}</code>", count=len(after))}</p>')
    return (
        code_block(code, program=True) + note
        + table([m.t("head_quantity"), m.t("head_reference_final")], rows, "mlpages-reference")
    )
