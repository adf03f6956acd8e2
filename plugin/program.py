"""The complete TF.js program a train or predict cell shows: what a reader copies and runs.

A cell's code is a whole program that needs nothing but TF.js (the global ``tf``): the
WebGL setting the page uses, the data the cell trains or predicts on, the model with the
initial weights the build drew, every fit that brings the model to the cell (the earlier
train cells of the same model, then the cell's own), the predict call, and output with
``console.log``. Run in a page that loads TF.js, it gives the numbers of the page's own
run, which tests/browser/test_displayed_code.py checks against the references.

Small arrays are written into the program; larger ones are read with one ``loadArray``
line from a binary file next to the page (plugin/arrays.py's format: little-endian
float32, or bytes ``k`` standing for ``k / 255``), so that the program stays readable. The
URLs are relative to the page; the runtime (runtime/codeview.js) makes them absolute when
it shows the program, and embeds the files as ``data:`` URLs in the standalone HTML file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from . import jsgen
from .arrays import ARRAY_DIR, encode
from .page import DatasetInfo, Export, ModelInfo, PageState

PROGRAM_INLINE_MAX = 1024
"""Arrays with more values than this are read from a file rather than written out."""
LINE = 100
"""A matrix literal longer than this is written one row a line."""

LOAD_ARRAY = """\
// Reads one of the page's data files: little-endian float32 values, or bytes k for k/255.
async function loadArray(url, shape, dtype) {
  const bytes = await (await fetch(url)).arrayBuffer();
  const values = dtype === 'uint8'
    ? Float32Array.from(new Uint8Array(bytes), (b) => b / 255)
    : new Float32Array(bytes);
  return tf.tensor(values, shape);
}"""

HEADER = """\
// A complete program: it needs only TF.js (the global `tf`).
// The page runs WebGL with unpacked textures, which its references assume.
tf.env().set('WEBGL_PACK', false);"""


@dataclass
class Fit:
    """One train cell's fit, as a later cell's program replays it."""

    name: str
    dataset: DatasetInfo
    fit: dict[str, Any]


class Arrays:
    """Writes arrays as code: small ones as literals, large ones as `loadArray` lines whose
    files join the page's array files (content-addressed, so shared with the spec's)."""

    def __init__(self, page: PageState, cell_id: str) -> None:
        self.page = page
        self.cell_id = cell_id
        self.files: dict[str, bytes] = {}

    def code(self, arr: np.ndarray, indent: str = "") -> str:
        arr = np.asarray(arr, dtype=np.float32)
        if arr.size <= PROGRAM_INLINE_MAX:
            return _tensor_literal(arr, indent)
        meta, data = encode(arr)
        name = f"{meta['sha256']}.bin"
        self.files[name] = data
        url = f"{self.page.url_prefix}{ARRAY_DIR}/{name}"
        args = ", ".join(jsgen.literal(v) for v in (url, meta["shape"], meta["dtype"]))
        return f"await loadArray({args})"

    def publish(self) -> None:
        if self.files:
            self.page.exports.append(Export(self.cell_id, ARRAY_DIR, dict(self.files)))


def _number(v: float) -> str:
    """The shortest decimal that reads back as the same float32."""
    if not np.isfinite(v):
        return "NaN" if np.isnan(v) else ("Infinity" if v > 0 else "-Infinity")
    text = str(np.float32(v))
    return text[:-2] if text.endswith(".0") else text


def _nested(arr: np.ndarray) -> str:
    if arr.ndim == 0:
        return _number(float(arr))
    return "[" + ", ".join(_nested(a) for a in arr) + "]"


def _tensor_literal(arr: np.ndarray, indent: str = "") -> str:
    """`tf.tensor2d([[...], ...])`; a long matrix one row a line."""
    if arr.ndim == 1:
        return f"tf.tensor1d({_nested(arr)})"
    if arr.ndim == 2:
        text = _nested(arr)
        if len(text) <= LINE or len(arr) <= 1:
            return f"tf.tensor2d({text})"
        rows = "".join(f"{indent}  {_nested(row)},\n" for row in arr)
        return f"tf.tensor2d([\n{rows}{indent}])"
    flat = "[" + ", ".join(_number(float(v)) for v in arr.ravel()) + "]"
    return f"tf.tensor({flat}, {jsgen.literal(list(arr.shape))})"


def _data_lines(arrays: Arrays, dataset: DatasetInfo, validation: bool, names: tuple[str, str],
                test_names: tuple[str, str]) -> list[str]:
    norm = dataset.normalize.get("method", "none")
    lines = [f"// Dataset '{dataset.name}': its train split as the page trains on it"
             + (f",\n// normalized ({norm}) with its train split's statistics." if norm != "none" else ".")]
    lines.append(f"const {names[0]} = {arrays.code(dataset.x)};")
    assert dataset.y is not None  # a fit's dataset has labels (train.build checks)
    lines.append(f"const {names[1]} = {arrays.code(dataset.y)};")
    if validation and dataset.x_test is not None and dataset.y_test is not None:
        lines.append("// Its test split, for the validation values.")
        lines.append(f"const {test_names[0]} = {arrays.code(dataset.x_test)};")
        lines.append(f"const {test_names[1]} = {arrays.code(dataset.y_test)};")
    return lines


def _model_lines(arrays: Arrays, model: ModelInfo, var: str) -> list[str]:
    lines = [f"// Model '{model.name}', with the initial weights the page starts from."]
    if model.unseeded_dropout:
        lines.append("// Its dropout has no seed: TF.js draws new masks on every run, so the numbers\n"
                     "// vary from run to run (the page checks them within a band).")
    lines.append(model.code)
    weights = ",\n".join(f"  {arrays.code(w, '  ')}" for w in model.weights)
    lines.append(f"{var}.setWeights([\n{weights},\n]);")
    return lines


def _fit_options(fit: dict[str, Any], validation: tuple[str, str] | None) -> str:
    text = jsgen.literal({"epochs": fit["epochs"], "batchSize": fit["batchSize"], "shuffle": False})
    if validation is not None:
        text = text[:-1] + f", validationData: [{validation[0]}, {validation[1]}]}}"
    return text


class _Datasets:
    """The variable names of each dataset's tensors: `xs`, `ys` (`xsTest`, `ysTest`) for the
    first, `<dataset>Xs` and so on for others."""

    def __init__(self) -> None:
        self.names: dict[str, tuple[str, str, str, str]] = {}

    def of(self, dataset: DatasetInfo) -> tuple[tuple[str, str, str, str], bool]:
        known = dataset.name in self.names
        if not known:
            if not self.names:
                self.names[dataset.name] = ("xs", "ys", "xsTest", "ysTest")
            else:
                p = jsgen.identifier(dataset.name)
                self.names[dataset.name] = (f"{p}Xs", f"{p}Ys", f"{p}XsTest", f"{p}YsTest")
        return self.names[dataset.name], known


def _body(arrays: Arrays, model: ModelInfo, fits: list[Fit]) -> tuple[list[str], list[str], _Datasets]:
    """The data sections (each dataset once, with its test split when a fit validates on
    it), and the model with its fits (the last fit's result kept as `history`)."""
    var = jsgen.identifier(model.name)
    datasets = _Datasets()
    data: list[str] = []
    for f in fits:
        names, known = datasets.of(f.dataset)
        if not known:
            validation = any(g.fit["validation"] for g in fits if g.dataset.name == f.dataset.name)
            data += _data_lines(arrays, f.dataset, validation, names[:2], names[2:])
    steps: list[str] = []
    for i, f in enumerate(fits):
        names, _ = datasets.of(f.dataset)
        options = _fit_options(f.fit, names[2:] if f.fit["validation"] else None)
        if i < len(fits) - 1:
            steps.append(f"// Train cell '{f.name}', which the page runs first.")
            steps.append(f"await {var}.fit({names[0]}, {names[1]}, {options});")
        else:
            steps.append(f"// Train cell '{f.name}'. shuffle: false: the page shuffles a dataset once,")
            steps.append("// when it is built, so that the NumPy reference can follow every batch.")
            steps.append(f"const history = await {var}.fit({names[0]}, {names[1]}, {options});")
    return data, [*_model_lines(arrays, model, var), "", *steps], datasets


def _assemble(arrays: Arrays, parts: list[list[str]]) -> str:
    head = [HEADER, *([LOAD_ARRAY] if arrays.files else [])]
    return "\n\n".join(["\n".join(head[:1]), *head[1:], *("\n".join(p) for p in parts if p)]) + "\n"


def train_program(page: PageState, cell_id: str, model: ModelInfo, fits: list[Fit],
                  quantities: list[str]) -> str:
    """The program of a train cell: `fits` are the model's earlier fits and the cell's own, last."""
    arrays = Arrays(page, cell_id)
    data, body, _ = _body(arrays, model, fits)
    output = ["// The final values, which the page compares with its NumPy reference."]
    output += [f"console.log({jsgen.literal(q)}, history.history.{q}.at(-1));" for q in quantities]
    text = _assemble(arrays, [data, body, output])
    arrays.publish()
    return text


def _declared(fits: list[Fit], datasets: _Datasets | None) -> list[tuple[str, np.ndarray | None]]:
    """The dataset tensors a program declares: `(variable, values)`."""
    if datasets is None:
        return []
    out: list[tuple[str, np.ndarray | None]] = []
    for f in fits:
        names = datasets.names[f.dataset.name]
        out += [(names[0], f.dataset.x)]
        if any(g.fit["validation"] for g in fits if g.dataset.name == f.dataset.name):
            out += [(names[2], f.dataset.x_test)]
    return out


def predict_program(page: PageState, cell_id: str, model: ModelInfo, fits: list[Fit],
                    x: np.ndarray, what: str) -> str:
    """The program of a predict cell on the inputs `x` (as the model takes them), described
    by `what`; the model first goes through its `fits`."""
    arrays = Arrays(page, cell_id)
    var = jsgen.identifier(model.name)
    if fits:
        data, body, datasets = _body(arrays, model, fits)
        body = [line.replace("const history = ", "") for line in body]
    else:
        data, body, datasets = [], _model_lines(arrays, model, var), _Datasets()
    same = next((name for name, arr in _declared(fits, datasets if fits else None)
                 if arr is not None and arr.shape == x.shape and np.array_equal(arr, x)), None)
    if same is not None:
        ask = [f"// {what}", f"const prediction = {var}.predict({same});"]
    else:
        ask = [f"// {what}", f"const inputs = {arrays.code(x)};",
               f"const prediction = {var}.predict(inputs);"]
    ask.append("prediction.print();")
    text = _assemble(arrays, [data, body, ask])
    arrays.publish()
    return text
