"""Predict blocks with `input:` (live input) and `examples:`: the spec the build writes
(widget, feature names, raw ranges, example references per epsilon), the `colours`
generator, and the author's mistakes with these keys, each at its file and line."""

from __future__ import annotations

from html import unescape

import numpy as np
import pytest
from mdhelpers import cell_specs, convert
from mlpages.data import COLOUR_CENTRES, COLOUR_NAMES, generate

POINTS = """\
# Points

```dataset
name: pts
x: [[0, 10], [2, 30], [4, 20], [6, 40]]
y: [[0], [0], [1], [1]]
normalize: zscore
```

```model
name: net
seed: 1
layers:
  - dense: {units: 1, activation: sigmoid, inputShape: [2]}
compile: {optimizer: sgd, loss: binaryCrossentropy, metrics: [accuracy]}
```

```train
name: fit
model: net
dataset: pts
epochs: 2
batchSize: 4
```

"""
# POINTS has 25 lines, so a block appended to it opens on line 26.

IMAGES = """\
# Images

```dataset
name: imgs
generate: digits
classes: [0, 1]
n: 20
```

```model
name: cnn
seed: 1
layers:
  - flatten: {inputShape: [8, 8, 1]}
  - dense: {units: 2, activation: softmax}
compile: {optimizer: sgd, loss: categoricalCrossentropy}
```

```train
name: fit
model: cnn
dataset: imgs
epochs: 1
batchSize: 20
```

"""
# IMAGES has 26 lines.


def predict_spec(html: str) -> dict:
    return next(s for s in cell_specs(html) if s["kind"] == "predict")


def test_live_numbers_carry_feature_ranges_in_raw_units():
    html = convert(POINTS + "```predict\nname: p\nmodel: net\nx: [[1, 15]]\ninput: live\n```\n")
    spec = predict_spec(html)
    # zscore undone: the ranges are those of the author's columns.
    assert spec["live"] == {"input": "numbers", "features": ["x1", "x2"],
                            "min": [0.0, 10.0], "max": [6.0, 40.0]}
    assert "examples" not in spec
    assert "mlpages-live-input-static" in html


def test_examples_get_a_reference_per_epsilon_normalized_like_x():
    html = convert(POINTS + "```predict\nname: p\nmodel: net\nx: [[1, 15]]\n"
                            "examples: [[1, 15], [5, 35]]\n```\n")
    spec = predict_spec(html)
    assert spec["examples"] == {"shape": [2, 2], "data": [1.0, 15.0, 5.0, 35.0]}
    assert [r["epsilon"] for r in spec["references"]] == [1e-4, 1e-7]
    for ref in spec["references"]:
        assert ref["examples"]["shape"] == [2, 1]
        # The first example is the cell's own row: the same input, the same output.
        assert ref["examples"]["data"][0] == ref["predictions"]["data"][0]
    assert "mlpages-examples-reference" in html
    assert "live" not in spec


def test_an_image_cell_may_predict_its_examples_alone():
    grid = [[0] * 8 for _ in range(8)]
    grid[3][3] = 1
    html = convert(IMAGES + f"```predict\nname: p\nmodel: cnn\ninput: live\nexamples: [{grid}]\n```\n")
    spec = predict_spec(html)
    assert spec["live"]["input"] == "draw"
    assert spec["live"]["features"] == []
    assert spec["raw"]["shape"] == [1, 8, 8, 1] and spec["examples"]["shape"] == [1, 8, 8, 1]
    assert spec["references"][0]["examples"] == spec["references"][0]["predictions"]
    assert "8×8 image" in html


def test_colour_features_choose_the_colour_picker():
    page = ("# C\n\n```dataset\nname: c\ngenerate: colours\nn: 90\nnormalize: minmax\n```\n\n"
            "```model\nname: m\nseed: 1\nlayers:\n"
            "  - dense: {units: 9, activation: softmax, inputShape: [3]}\n"
            "compile: {optimizer: sgd, loss: categoricalCrossentropy}\n```\n\n"
            "```train\nname: fit\nmodel: m\ndataset: c\nepochs: 1\nbatchSize: 90\n```\n\n"
            "```predict\nname: p\nmodel: m\nexamples: [[255, 0, 0]]\ninput: live\n```\n")
    spec = predict_spec(convert(page))
    assert spec["live"] == {"input": "colour", "features": ["red", "green", "blue"],
                            "min": [0.0, 0.0, 0.0], "max": [255.0, 255.0, 255.0]}
    assert spec["classes"] == list(COLOUR_NAMES)
    # A German course names the channels and colours in German, and still picks colours.
    html = convert(page, language="de")
    spec = predict_spec(html)
    assert spec["live"]["input"] == "colour" and spec["live"]["features"] == ["rot", "grün", "blau"]
    assert spec["classes"] == ["rot", "orange", "gelb", "grün", "blau", "lila", "rosa", "braun", "grau"]
    assert "<th>rot</th>" in html and "grey" not in html


def test_the_colours_generator_labels_each_colour_by_its_nearest_name():
    x, y = generate("colours", n=450, seed=3)
    assert x.shape == (450, 3) and y.shape == (450, 9)
    assert x.min() >= 0 and x.max() <= 255 and np.all(x == np.round(x))
    centres = np.array([c for _, c in COLOUR_CENTRES], dtype=np.float64)
    nearest = np.argmin(((x[:, None, :].astype(np.float64) - centres[None]) ** 2).sum(-1), axis=1)
    assert np.array_equal(np.argmax(y, axis=1), nearest)
    assert np.all(np.bincount(nearest, minlength=9) > 20)  # every name is well represented
    again, _ = generate("colours", n=450, seed=3)
    assert np.array_equal(x, again)


def one_error(text: str, warnings_log) -> str:
    html = convert(text, path="docs/ch1.md")
    messages = warnings_log()
    assert len(messages) == 1, messages
    assert 'class="mlpages-error' in html
    assert messages[0] in unescape(html)
    return messages[0]


CASES = [
    ("unknown input", POINTS, "```predict\nname: p\nmodel: net\nx: [[1, 2]]\ninput: colur\n```\n",
     "docs/ch1.md:30: predict 'p': 'input' must be one of live, numbers, colour, color, draw, got 'colur' "
     "(did you mean 'colour'?)"),
    ("colour without three inputs", POINTS,
     "```predict\nname: p\nmodel: net\nx: [[1, 2]]\ninput: colour\n```\n",
     "docs/ch1.md:30: predict 'p': 'input: colour' needs three inputs (red, green, blue 0-255); "
     "model 'net' takes [2]"),
    ("draw on a dense model", POINTS, "```predict\nname: p\nmodel: net\nx: [[1, 2]]\ninput: draw\n```\n",
     "docs/ch1.md:30: predict 'p': 'input: draw' needs an image model (inputs [height, width, 1]); "
     "model 'net' takes [2]"),
    ("numbers on an image model", IMAGES,
     "```predict\nname: p\nmodel: cnn\ndataset: imgs\nsplit: train\ninput: numbers\n```\n",
     "docs/ch1.md:32: predict 'p': 'input: numbers' takes one value per feature; this model takes "
     "images (use input: draw)"),
    ("example of the wrong width", POINTS,
     "```predict\nname: p\nmodel: net\nx: [[1, 2]]\nexamples:\n  - [1, 2]\n  - [1, 2, 3]\n```\n",
     "docs/ch1.md:32: predict 'p': 'examples' entry 2 must be a row of 2 numbers (the model's input), "
     "got shape [3]"),
    ("example that is not a number", POINTS,
     "```predict\nname: p\nmodel: net\nx: [[1, 2]]\nexamples:\n  - [1, two]\n```\n",
     "docs/ch1.md:31: predict 'p': 'examples' entry 1 holds 'two', which is not a number"),
    ("an image example of the wrong size", IMAGES,
     "```predict\nname: p\nmodel: cnn\nexamples:\n  - [[0, 1], [1, 0]]\n```\n",
     "docs/ch1.md:31: predict 'p': 'examples' entry 1 must be an 8x8 grid of numbers (the model's "
     "input), got shape [2, 2]"),
    ("examples not a list", POINTS, "```predict\nname: p\nmodel: net\nx: [[1, 2]]\nexamples: 3\n```\n",
     "docs/ch1.md:30: predict 'p': 'examples' must be a non-empty list of inputs in raw units, e.g. "
     "[[5.1, 3.5], [6.2, 2.9]]"),
    ("neither x nor dataset nor examples", POINTS, "```predict\nname: p\nmodel: net\ninput: live\n```\n",
     "docs/ch1.md:26: predict 'p': give exactly one of 'x' (inputs) or 'dataset' (with "
     "'split: train|test'), or 'examples' alone"),
]


@pytest.mark.parametrize(("what", "head", "block", "expected"), CASES, ids=[c[0] for c in CASES])
def test_mistakes_with_input_and_examples_name_file_and_line(what, head, block, expected, warnings_log):
    assert one_error(head + block, warnings_log) == expected


def test_examples_of_a_model_with_unseeded_dropout_are_refused(warnings_log):
    page = POINTS.replace("  - dense: {units: 1, activation: sigmoid, inputShape: [2]}",
                          "  - dropout: {rate: 0.5, inputShape: [2]}\n"
                          "  - dense: {units: 1, activation: sigmoid}")
    message = one_error(page + "```predict\nname: p\nmodel: net\nx: [[1, 2]]\nexamples: [[1, 2]]\n```\n",
                        warnings_log)
    assert message.startswith("docs/ch1.md:31: predict 'p': 'examples' need an exact reference")


def test_a_german_page_describes_the_live_input_and_examples_in_german():
    grid = [[0] * 8 for _ in range(8)]
    html = convert(IMAGES + f"```predict\nname: p\nmodel: cnn\ninput: live\nexamples: [{grid}]\n```\n",
                   language="de")
    assert "Mit JavaScript nimmt diese Zelle deine eigene Eingabe (eine Zeichenfläche) entgegen" in html
    assert "8×8-Bild" in html and "<th>Beispiel</th>" in html and "8×8 image" not in html
