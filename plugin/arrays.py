"""Large spec arrays as site files: content-addressed binary files referenced by path and sha256.

A spec array is ``{"shape", "data"}`` with its float32 values written as JSON numbers
(``html.array_json``). One with more than :data:`INLINE_MAX` values leaves the HTML:
its bytes go to ``mlpages-data/<sha256>.bin`` next to the page and the spec keeps
``{"shape", "dtype", "src", "sha256"}`` (plus ``"denominator": 255`` for ``uint8``).
Identical arrays share one file. Images whose every value is exactly ``k/255`` as a
float32 are stored as one byte per value; everything else as little-endian float32.
The runtime fetches, checks and decodes them before a cell runs
(docs/reference/page-contract.md, "Arrays").
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

import numpy as np

INLINE_MAX = 4096
"""Arrays with more values than this are written to site files (about 40 kB of JSON)."""
ARRAY_DIR = "mlpages-data"
"""The folder of array files, relative to the page's URL directory."""
UINT8_DENOMINATOR = 255


def encode(values: np.ndarray) -> tuple[dict[str, Any], bytes]:
    """The file bytes of an array and the spec fields that describe them (no ``src``).

    ``uint8`` when every float32 value is exactly ``float32(k / 255)`` for an integer k in
    [0, 255] (decoding ``byte / 255`` in double precision, then rounding to float32, gives
    the same value back, bit for bit); little-endian ``float32`` otherwise.
    """
    arr = np.ascontiguousarray(values, dtype=np.float32)
    shape = [int(d) for d in arr.shape]
    with np.errstate(invalid="ignore"):
        k = np.rint(arr.astype(np.float64) * UINT8_DENOMINATOR)
    if arr.size and np.all(np.isfinite(k)) and k.min() >= 0 and k.max() <= 255:
        as_bytes = k.astype(np.uint8)
        if np.array_equal(decode_uint8(as_bytes), arr):
            data = as_bytes.tobytes()
            meta = {"shape": shape, "dtype": "uint8", "denominator": UINT8_DENOMINATOR}
            return {**meta, "sha256": hashlib.sha256(data).hexdigest()}, data
    data = arr.astype("<f4").tobytes()
    return {"shape": shape, "dtype": "float32", "sha256": hashlib.sha256(data).hexdigest()}, data


def decode_uint8(data: np.ndarray) -> np.ndarray:
    """Bytes to float32 values as the runtime computes them: ``Math.fround(byte / 255)``."""
    return (data.astype(np.float64) / UINT8_DENOMINATOR).astype(np.float32)


def decode(ref: dict[str, Any], data: bytes) -> np.ndarray:
    """The float32 array a file reference and the file's bytes stand for.

    Raises:
        ValueError: The bytes do not hold the shape's number of values, or an unknown dtype.
    """
    shape = [int(d) for d in ref["shape"]]
    size = int(np.prod(shape)) if shape else 1
    dtype = ref.get("dtype")
    if dtype == "uint8":
        values = np.frombuffer(data, dtype=np.uint8)
        if values.size != size:
            raise ValueError(f"{len(data)} bytes for shape {shape} of uint8 values")
        return (values.astype(np.float64) / float(ref.get("denominator", UINT8_DENOMINATOR))
                ).astype(np.float32).reshape(shape)
    if dtype == "float32":
        if len(data) != 4 * size:
            raise ValueError(f"{len(data)} bytes for shape {shape} of float32 values")
        return np.frombuffer(data, dtype="<f4").astype(np.float32).reshape(shape)
    raise ValueError(f"unknown dtype {dtype!r}")


def is_inline(node: Any) -> bool:
    """Whether `node` is an inline spec array ``{"shape", "data"}``."""
    return isinstance(node, dict) and "shape" in node and isinstance(node.get("data"), list)


def is_file_ref(node: Any) -> bool:
    """Whether `node` is a spec array stored in a site file ``{"shape", "src", "sha256"}``."""
    return isinstance(node, dict) and "shape" in node and "src" in node and "sha256" in node


def walk(node: Any) -> Iterator[dict[str, Any]]:
    """Every spec array (inline or file reference) inside a spec, depth first."""
    if is_inline(node) or is_file_ref(node):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def externalize(spec: Any, files: dict[str, bytes], url_prefix: str = "") -> Any:
    """A copy of a spec whose large arrays are file references (the spec is left as it was).

    Args:
        spec: A cell spec; its arrays with more than :data:`INLINE_MAX` values become
            file references in the copy (other keys of such an array, e.g. a weight's
            ``name``, stay).
        files: Receives ``{relative path: bytes}`` of the files the copy refers to, the
            paths relative to the Markdown file's folder, where they are written.
        url_prefix: From the page's URL to that folder (``../`` under directory URLs):
            prepended to ``src``, which the browser resolves against the page's URL.

    Returns:
        The spec with its large arrays replaced; parts without one are shared, not copied.
    """
    if is_inline(spec):
        if len(spec["data"]) <= INLINE_MAX:
            return spec
        values = np.array([np.nan if v is None else v for v in spec["data"]], dtype=np.float32)
        meta, data = encode(values.reshape(spec["shape"]))
        src = f"{ARRAY_DIR}/{meta['sha256']}.bin"
        files[src] = data
        rest = {k: v for k, v in spec.items() if k not in ("shape", "data")}
        return {**rest, **meta, "src": url_prefix + src}
    # Numbers and strings are returned as they are without a call each: a spec's long
    # lists of numbers are walked in one comprehension.
    if isinstance(spec, dict):
        return {k: externalize(v, files, url_prefix) if isinstance(v, (dict, list)) else v
                for k, v in spec.items()}
    if isinstance(spec, list):
        return [externalize(v, files, url_prefix) if isinstance(v, (dict, list)) else v for v in spec]
    return spec
