"""Large spec arrays leave the HTML for content-addressed site files (plugin/arrays.py)."""

from __future__ import annotations

import hashlib
import math

import markdown
import numpy as np
import pytest
from mdhelpers import ROOT, specs_by_name
from mlpages.arrays import ARRAY_DIR, INLINE_MAX, decode, encode, externalize
from mlpages.data import generate
from mlpages.extension import MlpagesExtension, PageSource
from mlpages.html import array_json

PAGE = """\
```dataset
name: digits
generate: digits
n: 100
noise: 0.1
seed: 3
split: 0.8
```

```model
name: net
seed: 1
layers:
  - flatten: {inputShape: [8, 8, 1]}
  - dense: {units: 10, activation: softmax}
compile: {optimizer: sgd, loss: categoricalCrossentropy}
```

```predict
name: guess
model: net
dataset: digits
split: train
```
"""


def convert_page(text: str) -> tuple[str, MlpagesExtension]:
    ext = MlpagesExtension()
    ext.set_page(PageSource(path="docs/ch1.md", src_uri="ch1.md", base_dir=ROOT, text=text))
    return markdown.Markdown(extensions=["pymdownx.superfences", ext]).convert(text), ext


def test_uint8_only_for_exact_multiples_of_1_255():
    images = (np.arange(256, dtype=np.float64) / 255).astype(np.float32).reshape(4, 8, 8, 1)
    meta, data = encode(images)
    assert meta["dtype"] == "uint8" and meta["denominator"] == 255 and len(data) == 256
    np.testing.assert_array_equal(decode(meta, data), images)  # bit for bit
    nudged = images.copy()
    nudged[0, 0, 1, 0] = np.nextafter(nudged[0, 0, 1, 0], np.float32(1))
    meta, data = encode(nudged)
    assert meta["dtype"] == "float32" and len(data) == 4 * 256
    np.testing.assert_array_equal(decode(meta, data), nudged)


def test_float32_files_keep_nan_and_sign():
    values = np.array([[np.nan, -0.0, 1e-38], [3.5, -2.25, 1e30]], dtype=np.float32)
    meta, data = encode(values)
    assert meta["dtype"] == "float32" and meta["shape"] == [2, 3]
    assert data == values.astype("<f4").tobytes()
    np.testing.assert_array_equal(decode(meta, data), values)


def test_digits_pixels_are_whole_1_255_steps():
    x, _ = generate("digits", n=20, noise=0.1, seed=2)
    np.testing.assert_array_equal(x, (np.round(x.astype(np.float64) * 255) / 255).astype(np.float32))


def test_large_arrays_go_to_files_with_their_sha256_and_small_ones_stay_inline():
    html, ext = convert_page(PAGE)
    cells = specs_by_name(html)
    (page,) = ext.pages
    files = {name: data for export in page.exports for name, data in export.items()}
    assert all(name.startswith(f"{ARRAY_DIR}/") for name in files)
    x = cells["digits"]["x"]  # 80 images of 64 pixels: 5,120 values > INLINE_MAX
    assert "data" not in x and x["shape"] == [80, 8, 8, 1] and x["dtype"] == "uint8"
    assert x["src"] == f"{ARRAY_DIR}/{x['sha256']}.bin"
    data = files[x["src"]]
    assert hashlib.sha256(data).hexdigest() == x["sha256"]
    np.testing.assert_array_equal(decode(x, data), page.datasets["digits"].x)
    # Small arrays stay inline: labels (800 values), the test split, the model's weights.
    assert len(cells["digits"]["y"]["data"]) == 800 <= INLINE_MAX
    assert "src" not in cells["digits"]["test"]["x"]
    assert all("data" in w for w in cells["net"]["weights"])
    # Identical arrays share one file: the predict cell's inputs are the dataset's train split.
    assert cells["guess"]["x"]["src"] == x["src"]
    assert len(files) == 1
    # The page state keeps the values, for cells below that read them (numeric quizzes).
    assert len(page.specs["digits"]["x"]["data"]) == 5120


def test_externalize_copies_only_what_it_changes():
    small = array_json(np.zeros((2, 2), np.float32))
    big = dict(name="kernel", **array_json(np.full((INLINE_MAX + 1,), 0.5, np.float32)))
    spec = {"a": small, "weights": [big]}
    files: dict[str, bytes] = {}
    out = externalize(spec, files)
    assert out["a"] is small and spec["weights"][0] is big and "data" in big
    [ref] = out["weights"]
    assert ref["name"] == "kernel" and ref["dtype"] == "float32" and list(files) == [ref["src"]]


@pytest.mark.parametrize("n", [64, 65])
def test_the_threshold_is_inline_max_values(n):
    spec = {"x": array_json(np.ones((n, 64), np.float32) * 0.25)}  # 4,096 or 4,160 values
    files: dict[str, bytes] = {}
    out = externalize(spec, files)
    assert ("src" in out["x"]) == (n * 64 > INLINE_MAX)


def test_large_array_values_are_the_float32_values_exactly_nan_and_infinity_too():
    rng = np.random.default_rng(0)
    values = rng.normal(size=INLINE_MAX + 7).astype(np.float32)
    values[3:6] = [np.nan, np.inf, -np.inf]
    data = array_json(values)["data"]
    assert math.isnan(data[3]) and data[4:6] == [math.inf, -math.inf]
    back = np.array(data, dtype=np.float32)
    np.testing.assert_array_equal(back, values)  # NaN equals NaN here
    small = array_json(values[:10])["data"]
    assert small[0] == float(str(values[0]))  # the short decimal form in the page
