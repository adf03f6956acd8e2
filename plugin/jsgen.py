"""TF.js code generated from the cell specs: the model cell's model, the convolution
cell's program, and the pieces of a train or predict cell's program (plugin/program.py).

The code is what the runtime runs, written out: browser tests evaluate it verbatim and
get the runtime's results.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .engine.optimizers import TRAIN_ARGS


def identifier(name: str) -> str:
    """A JavaScript identifier for a block name: `xor-net` → `xorNet`."""
    parts = [p for p in re.split(r"[^A-Za-z0-9]+", name) if p]
    if not parts:
        return "model"
    ident = parts[0][0].lower() + parts[0][1:] + "".join(p[:1].upper() + p[1:] for p in parts[1:])
    return ident if not ident[0].isdigit() else "m" + ident


def literal(value: Any) -> str:
    """A JavaScript literal: objects with bare keys, strings in single quotes."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_key(k)}: {literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, str):
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return json.dumps(value)


def _key(k: str) -> str:
    return k if re.fullmatch(r"[A-Za-z_$][\w$]*", k) else json.dumps(k)


def optimizer_code(optimizer: Any, given: list[str]) -> str:
    """`'adam'` or `tf.train.adam(0.05)`: positional arguments up to the last one given."""
    if isinstance(optimizer, str):
        return literal(optimizer)
    name, args = optimizer["name"], optimizer["args"]
    order = TRAIN_ARGS[name]
    last = max((order.index(k) for k in given if k in order), default=-1)
    values = [literal(args.get(k)) if args.get(k) is not None else "undefined" for k in order[: last + 1]]
    return f"tf.train.{name}({', '.join(values)})"


def model_code(var: str, layers: list[dict[str, Any]], optimizer: str, loss: str,
               metrics: list[str]) -> str:
    lines = [f"const {var} = tf.sequential();"]
    for layer in layers:
        lines.append(f"{var}.add(tf.layers.{layer['type']}({literal(layer['config'])}));")
    compile_opts = [f"  optimizer: {optimizer},", f"  loss: {literal(loss)},"]
    if metrics:
        compile_opts.append(f"  metrics: {literal(metrics)},")
    lines.append(f"{var}.compile({{\n" + "\n".join(compile_opts) + "\n});")
    return "\n".join(lines)


def convolution_code(spec: dict[str, Any], entry: dict[str, Any]) -> str:
    """`output`: a convolution cell's image convolved with one of its kernels, as the runtime does it,
    then printed: a complete program with TF.js loaded."""
    h, w = spec["image"]["shape"]
    kh, kw = entry["kernel"]["shape"]
    sh, sw = spec["strides"]
    lines = [
        f"const image = tf.tensor4d({literal(spec['image']['data'])}, [1, {h}, {w}, 1]);",
        f"const kernel = tf.tensor4d({literal(entry['kernel']['data'])}, [{kh}, {kw}, 1, 1]);",
        f"let output = tf.conv2d(image, kernel, {literal(sh if sh == sw else [sh, sw])}, "
        f"{literal(spec['padding'])});",
    ]
    if spec["bias"] != 0:
        lines.append(f"output = output.add({literal(spec['bias'])});")
    if spec["activation"] != "linear":
        activation = literal(spec["activation"])
        lines.append(f"output = tf.layers.activation({{activation: {activation}}}).apply(output);")
    lines.append("output.print();")
    return "\n".join(lines)
