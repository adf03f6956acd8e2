"""The complete program of train and predict cells (plugin/program.py): everything a reader
needs besides TF.js is in it or in a file of the page it names."""

from __future__ import annotations

import re
from html import unescape

import markdown
import numpy as np
from mdhelpers import ROOT, specs_by_name
from mlpages.arrays import ARRAY_DIR, decode
from mlpages.extension import MlpagesExtension, PageSource
from mlpages.program import PROGRAM_INLINE_MAX

PAGE = """\
```dataset
name: {dataset}
{data}
```

```model
name: my-net
seed: 1
layers:
  - {first}
  - dense: {{units: {units}, activation: softmax}}
compile: {{optimizer: {{adam: {{learningRate: 0.01}}}}, loss: categoricalCrossentropy, metrics: [accuracy]}}
```

```train
name: first
model: my-net
dataset: {dataset}
epochs: 2
batchSize: 8
validation: test
```

```train
name: second
model: my-net
dataset: {dataset}
epochs: 3
batchSize: 4
```

```predict
name: guess
model: my-net
dataset: {dataset}
split: test
```
"""
SMALL = PAGE.format(dataset="blobs", data=(
    "x: [[0, 0], [0, 1], [1, 0], [1, 1], [2, 0], [2, 1], [0, 2], [1, 2], [2, 2], [3, 0], [3, 1], [3, 2]]\n"
    "y: [[1, 0, 0], [1, 0, 0], [0, 1, 0], [0, 1, 0], [0, 0, 1], [0, 0, 1], [1, 0, 0], "
    "[0, 1, 0], [0, 0, 1], [1, 0, 0], [0, 1, 0], [0, 0, 1]]\nsplit: 0.75"),
                    first="dense: {units: 4, activation: relu, inputShape: [2]}", units=3)
LARGE = PAGE.format(dataset="digits", data="generate: digits\nn: 100\nnoise: 0.1\nseed: 3\nsplit: 0.8",
                    first="flatten: {inputShape: [8, 8, 1]}", units=10)


def convert_page(text: str) -> tuple[str, MlpagesExtension]:
    ext = MlpagesExtension()
    ext.set_page(PageSource(path="docs/ch1.md", src_uri="ch1.md", base_dir=ROOT, text=text))
    return markdown.Markdown(extensions=["pymdownx.superfences", ext]).convert(text), ext


def programs(html: str) -> dict[str, str]:
    out = {}
    for cell in html.split('data-mlpages-name="')[1:]:
        name, rest = cell.split('"', 1)
        found = re.search(r'<div class="highlight mlpages-code mlpages-program"><pre>'
                          r'<code class="language-js">(.*?)</code>', rest, re.S)
        if found:
            out[name] = unescape(found.group(1))
    return out


def numbers(text: str) -> list[float]:
    return [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", text)]


def test_a_train_program_holds_the_data_the_initial_weights_and_every_fit_before_it():
    html, _ = convert_page(SMALL)
    cells = specs_by_name(html)
    code = programs(html)
    assert set(code) == {"first", "second", "guess"}
    second = code["second"]
    assert "loadArray" not in second  # small: everything is written out
    xs = re.search(r"const xs = tf\.tensor2d\((.*?)\);\n", second, re.S)
    assert xs is not None
    np.testing.assert_array_equal(np.float32(numbers(xs.group(1))), np.float32(cells["blobs"]["x"]["data"]))
    weights = second.split("myNet.setWeights([", 1)[1].split("]);", 1)[0]
    spec_weights = [v for w in cells["my-net"]["weights"] for v in w["data"]]
    shown = numbers(re.sub(r"tf\.tensor[12]d", "", weights))
    np.testing.assert_array_equal(np.float32(shown), np.float32(spec_weights))
    # The earlier cell's fit first (with its validation data), then this cell's, kept as history.
    assert second.index("await myNet.fit(xs, ys, {epochs: 2, batchSize: 8, shuffle: false, "
                        "validationData: [xsTest, ysTest]});") < second.index(
        "const history = await myNet.fit(xs, ys, {epochs: 3, batchSize: 4, shuffle: false});")
    assert "console.log('loss', history.history.loss.at(-1));" in second
    assert "console.log('acc', history.history.acc.at(-1));" in second
    assert "val_loss" not in second.split("const history", 1)[1]
    assert "console.log('val_acc', history.history.val_acc.at(-1));" in code["first"]
    # The predict program replays both fits and asks about the test split it declared.
    guess = code["guess"]
    assert "const history" not in guess and guess.count("await myNet.fit(") == 2
    assert guess.rstrip().endswith("const prediction = myNet.predict(xsTest);\nprediction.print();")


def test_large_arrays_are_read_from_page_files_that_hold_their_values():
    html, ext = convert_page(LARGE)
    (page,) = ext.pages
    files = {name: data for export in page.exports for name, data in export.items()}
    code = programs(html)["first"]
    calls = re.findall(r"const (\w+) = await loadArray\('([^']+)', (\[[\d, ]+\]), '(\w+)'\);", code)
    assert {name for name, *_ in calls} == {"xs", "xsTest"}  # 5,120 and 1,280 pixel values
    assert "async function loadArray(url, shape, dtype)" in code
    dataset = page.datasets["digits"]
    for name, url, shape, dtype in calls:
        assert url.startswith(f"{ARRAY_DIR}/") and url in files
        values = decode({"shape": eval(shape), "dtype": dtype}, files[url])  # noqa: S307
        np.testing.assert_array_equal(values, dataset.x if name == "xs" else dataset.x_test)
    # The labels (800 values) and the weights (650) stay in the program.
    assert dataset.y.size <= PROGRAM_INLINE_MAX and "const ys = tf.tensor2d([" in code


def test_a_program_of_a_model_with_unseeded_dropout_says_its_numbers_vary():
    page = SMALL.replace("  - dense: {units: 3, activation: softmax}",
                         "  - dropout: {rate: 0.2}\n  - dense: {units: 3, activation: softmax}")
    html, _ = convert_page(page)
    code = programs(html)
    assert set(code) == {"first", "second", "guess"}
    assert all("Its dropout has no seed" in text for text in code.values())
    assert "no seed" not in programs(convert_page(SMALL)[0])["first"]
