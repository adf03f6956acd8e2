"""The `convolution` block: one conv2d filter over one grey image, explained cell by cell.

The build convolves with the NumPy engine's ``Conv2D`` (TF.js's padding rule, float32) and
stores the output as the reference; the page recomputes it with ``tf.conv2d``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import jsgen
from ..contract import spec_header
from ..engine import EngineError
from ..engine.activations import get_activation
from ..engine.base import int_pair
from ..engine.convolutional import Conv2D
from ..errors import BlockError, KeyPath, did_you_mean
from ..html import array_json, code_block, details, esc
from ..i18n import current
from ..page import PageState
from .common import check_keys, choice, integer, matrix, number, tolerance

KIND = "convolution"
KEYS = ["name", "image", "dataset", "index", "kernel", "bias", "strides", "padding",
        "activation", "presets", "tolerance"]
UNSUPPORTED = {
    "filters": "a convolution block shows one filter; use a model block for a conv2d layer of several",
    "dilationRate": "only dilationRate 1 is supported",
    "dataFormat": "the image is one grey channel, channelsLast",
}
# Kernels a reader can switch to (`presets:`), or an author can name (`kernel: sharpen`).
PRESETS: dict[str, list[list[float]]] = {
    "sharpen": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
    "edge": [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]],
    "blur": [[1 / 9] * 3 for _ in range(3)],
    "identity": [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
}
MAX_CELLS = 64 * 64  # an explanation, not a photo: keeps the page light


def build(data: dict[str, Any], page: PageState, name: str) -> tuple[dict[str, Any], str]:
    """Validate the block, convolve at build time, and return the spec and static HTML."""
    check_keys(data, KEYS, UNSUPPORTED)
    image, source = _image(data, page)
    kernels = _kernels(data)
    bias = number(data, "bias", 0.0)
    try:
        strides = int_pair(data.get("strides", 1), "strides")
    except EngineError as exc:
        raise BlockError(str(exc), key="strides") from None
    padding = choice(data, "padding", ["valid", "same"], "valid")
    activation = data.get("activation")
    activation = "linear" if activation is None else activation
    try:
        get_activation(activation)
    except EngineError as exc:
        raise BlockError(str(exc), key="activation") from None
    tol = tolerance(data)

    entries = []
    for label, kernel in kernels:
        if padding == "valid" and (kernel.shape[0] > image.shape[0] or kernel.shape[1] > image.shape[1]):
            raise BlockError(
                f"the {label} kernel ({_size(kernel)}) is larger than the image ({_size(image)}) "
                "with padding 'valid'; use padding: same or a smaller kernel",
                key="kernel" if label == kernels[0][0] else "presets",
            )
        out, layer = convolve(image, kernel, bias, strides, padding, activation)
        entries.append({"label": label, "kernel": array_json(kernel), "output": array_json(out),
                        "pad": [list(p) for p in layer.window.pad]})
    spec = {
        **spec_header(KIND, name, page.cell_id(name)),
        "image": array_json(image), "source": source,
        "bias": float(np.float32(bias)), "strides": list(strides), "padding": padding,
        "activation": activation, "kernels": entries, "tolerance": tol,
    }
    return spec, render(spec)


def convolve(image: np.ndarray, kernel: np.ndarray, bias: float, strides: tuple[int, int],
             padding: str, activation: str) -> tuple[np.ndarray, Conv2D]:
    """The engine's one-filter ``conv2d`` of a 2-D float32 image: the output grid, and the layer."""
    layer = Conv2D(1, "conv2d", {
        "filters": 1, "kernelSize": list(kernel.shape), "strides": list(strides),
        "padding": padding, "activation": activation,
    })
    layer.build((*image.shape, 1))
    weights = [kernel.astype(np.float32).reshape(*kernel.shape, 1, 1), np.array([bias], dtype=np.float32)]
    out, _ = layer.forward(weights, image.astype(np.float32)[None, :, :, None], False)
    return out[0, :, :, 0], layer


def _size(a: np.ndarray) -> str:
    return f"{a.shape[0]}×{a.shape[1]}"


def _grid(value: Any, key: str) -> np.ndarray:
    """A 2-D list of numbers (rows of equal length) as float32."""
    if not isinstance(value, list) or not value or not all(isinstance(r, list) for r in value):
        raise BlockError(f"'{key}' must be a list of rows of numbers, e.g. [[0, 1], [1, 0]]", key=key)
    if not value[0]:
        raise BlockError(f"'{key}' rows must not be empty", key=key)
    return np.asarray(matrix(value, key), dtype=np.float32)


def _image(data: dict[str, Any], page: PageState) -> tuple[np.ndarray, dict[str, Any] | None]:
    if ("image" in data) == ("dataset" in data):
        raise BlockError("give exactly one of 'image' (a list of rows) or 'dataset' (with 'index')")
    if "image" in data:
        if "index" in data:
            raise BlockError("'index' only applies with 'dataset'", key="index")
        image = _grid(data["image"], "image")
        source = None
    else:
        ds = page.dataset(data["dataset"])
        x = ds.x
        if x.ndim == 4 and x.shape[3] == 1:
            x = x[..., 0]
        if x.ndim != 3:
            raise BlockError(
                f"dataset '{ds.name}' holds rows of shape {list(ds.x.shape[1:])}, not grey images "
                "([height, width] or [height, width, 1])", key="dataset",
            )
        index = integer(data, "index", 0)
        if index >= len(x):
            raise BlockError(f"'index' {index} is out of range: dataset '{ds.name}' has {len(x)} "
                             f"training images (0 to {len(x) - 1})", key="index")
        image = x[index].astype(np.float32)
        source = {"dataset": ds.id, "index": index}
    if image.size > MAX_CELLS:
        raise BlockError(f"the image ({_size(image)}) has more than {MAX_CELLS} cells",
                         key="image" if source is None else "dataset")
    return image, source


def _kernels(data: dict[str, Any]) -> list[tuple[str, np.ndarray]]:
    if data.get("kernel") is None:
        raise BlockError("missing 'kernel' (a list of rows, or a preset: "
                         f"{', '.join(PRESETS)})", key="kernel")
    kernels = [_kernel(data["kernel"], "kernel")]
    raw = data.get("presets", [])
    if not isinstance(raw, list):
        raise BlockError(f"'presets' must be a list of preset names ({', '.join(PRESETS)})", key="presets")
    for i, item in enumerate(raw):
        if not isinstance(item, str):
            raise BlockError(f"'presets' holds {item!r}; list preset names: {', '.join(PRESETS)}",
                             key=("presets", i))
        label, kernel = _kernel(item, "presets", ("presets", i))
        if label not in (k[0] for k in kernels):
            kernels.append((label, kernel))
    return kernels


def _kernel(value: Any, key: str, at: KeyPath | None = None) -> tuple[str, np.ndarray]:
    """A kernel given as rows of numbers or a preset's name; `at` places a preset's error."""
    if isinstance(value, str):
        if value not in PRESETS:
            raise BlockError(f"unknown kernel preset '{value}'{did_you_mean(value, PRESETS)}; "
                             f"presets: {', '.join(PRESETS)}", key=at or key)
        return value, np.asarray(PRESETS[value], dtype=np.float32)
    kernel = _grid(value, key)
    for label, preset in PRESETS.items():  # a preset written out in full keeps its name
        if kernel.shape == (3, 3) and np.array_equal(kernel, np.asarray(preset, dtype=np.float32)):
            return label, kernel
    return "custom", kernel


def _grid_table(values: dict[str, Any], caption: str, css: str) -> str:
    rows, cols = values["shape"]
    data = values["data"]
    number = current().number
    body = "".join(
        "<tr>" + "".join(f"<td>{esc(number(data[r * cols + c], 4))}</td>" for c in range(cols)) + "</tr>"
        for r in range(rows)
    )
    return (f'<table class="mlpages-grid {css}"><caption>{esc(caption)}</caption>'
            f"<tbody>{body}</tbody></table>")


def render(spec: dict[str, Any]) -> str:
    """Input, kernel and output grids as plain tables: the page reads without JavaScript."""
    h, w = spec["image"]["shape"]
    first = spec["kernels"][0]
    kh, kw = first["kernel"]["shape"]
    oh, ow = first["output"]["shape"]
    m = current()
    grids = (
        _grid_table(spec["image"], m.t("conv_input", rows=h, cols=w), "mlpages-conv-input")
        + _grid_table(first["kernel"], m.t("conv_kernel", name=first["label"], rows=kh, cols=kw),
                      "mlpages-conv-kernel")
        + _grid_table(first["output"], m.t("conv_output_reference", rows=oh, cols=ow), "mlpages-conv-output")
    )
    extras = [m.t("conv_padding", padding=spec["padding"]), m.t("conv_strides", strides=str(spec["strides"]))]
    if spec["bias"] != 0:
        extras.append(m.t("conv_bias_fact", bias=m.number(spec["bias"], 6)))
    if spec["activation"] != "linear":
        extras.append(m.t("conv_activation", activation=spec["activation"]))
    if len(spec["kernels"]) > 1:
        extras.append(m.t("conv_other_kernels",
                          names=m.t("list_separator").join(k["label"] for k in spec["kernels"][1:])))
    return (
        f'<div class="mlpages-conv-static"><div class="mlpages-conv-grids">{grids}</div>'
        f'<p class="mlpages-note">{esc("; ".join(extras))}</p></div>'
        + details(m.t("tfjs_code"), code_block(jsgen.convolution_code(spec, first)))
    )
