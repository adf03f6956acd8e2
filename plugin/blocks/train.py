"""The `train` block: one `model.fit` call, with its NumPy reference per backend epsilon."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import jsgen
from ..cache import digest
from ..engine import EngineError
from ..errors import BlockError
from ..html import array_json, code_block, esc, fmt, table
from ..page import EPSILONS, FitOp, PageState
from .common import check_keys, choice, integer, require, tolerance

KIND = "train"
KEYS = ["name", "model", "dataset", "epochs", "batchSize", "validation", "tolerance"]
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
    if validation and (dataset.x_test is None or not len(dataset.x_test)):
        raise BlockError(f"'validation: test' needs a test split, but dataset '{dataset.name}' has "
                         "split 1.0 (give the dataset e.g. split: 0.8)", key="validation")
    _check_shapes(model, dataset)
    cell_id = page.cell_id(name)
    op = FitOp(cell_id, dataset.x, dataset.y,
               (dataset.x_test, dataset.y_test) if validation else None, epochs, batch_size)
    chain = model.chain
    key = digest("train", chain.key, op.key_parts())
    references = page.cache.get(key)
    engines = {}
    if references is None:
        references = []
        for eps in EPSILONS.values():
            engine = chain.take_engine(eps)
            try:
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
    after = list(model.trained_by)
    model.chain = chain.extend(op, engines)
    model.trained_by.append(cell_id)
    model.last_dataset = dataset
    fit = {"epochs": epochs, "batchSize": batch_size, "shuffle": False, "validation": validation}
    spec = {
        "schema": 1, "kind": KIND, "name": name, "id": cell_id,
        "model": model.id, "dataset": dataset.id, "after": after,
        "fit": fit, "tolerance": tol, "references": references,
    }
    code = jsgen.fit_code(jsgen.identifier(model.name), fit, dataset.name, validation)
    return spec, render(references, code, after, model.name)


def _check_shapes(model, dataset) -> None:
    want = tuple(model.input_shape)
    have = tuple(dataset.x.shape[1:])
    if want != have:
        raise BlockError(
            f"model '{model.name}' expects inputs of shape {list(want)} but dataset "
            f"'{dataset.name}' has {list(have)} per row; set the first layer's inputShape to {list(have)}",
        )
    units = model.output_shape[-1]
    cols = dataset.y.shape[1]
    if model.loss == "sparseCategoricalCrossentropy":
        if cols != 1:
            raise BlockError(f"sparseCategoricalCrossentropy needs one label column of class indices, "
                             f"but dataset '{dataset.name}' has {cols} (one-hot labels: use "
                             "categoricalCrossentropy)")
        top = float(np.max(dataset.y)) if len(dataset.y) else 0
        if top >= units:
            raise BlockError(f"labels go up to {fmt(top)} but model '{model.name}' has {units} output units")
    elif units != cols:
        raise BlockError(
            f"model '{model.name}' has {units} output unit(s) but dataset '{dataset.name}' has {cols} "
            f"label column(s); make the last layer's units {cols}",
        )


def render(references: list[dict[str, Any]], code: str, after: list[str], model: str) -> str:
    ref = references[0]
    rows = [(key, fmt(vals[-1])) for key, vals in ref["history"].items() if vals]
    note = ""
    if after:
        note = (f'<p class="mlpages-note">continues training <code>{esc(model)}</code> after '
                f"{len(after)} earlier cell(s); Run replays them first when needed</p>")
    return (
        code_block(code) + note
        + table(["quantity", "NumPy reference (final epoch)"], rows, "mlpages-reference")
    )
