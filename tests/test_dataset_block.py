"""The dataset block's summary line, inline class names, and the predict code that reads them."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest
from mdhelpers import convert

MODEL = """
```model
name: net
seed: 1
layers:
  - dense: {{units: {units}, activation: {activation}, inputShape: [2]}}
compile: {{optimizer: sgd, loss: {loss}, metrics: [accuracy]}}
```

```train
model: net
dataset: d
epochs: 1
batchSize: 4
```

```predict
model: net
dataset: d
split: train
```
"""
X = "x: [[0, 0], [0, 1], [1, 0], [1, 1]]"


def facts(html: str) -> str:
    match = re.search(r'<p class="mlpages-facts">(.*?)</p>', html)
    assert match, html
    return unescape(match.group(1))


def specs(html: str) -> dict[str, dict]:
    found = re.findall(r'<script type="application/json" class="mlpages-spec">(.*?)</script>', html)
    return {spec["kind"]: spec for spec in (json.loads(s)[0] for s in found)}


def dataset(y: str, extra: str = "") -> str:
    return f"```dataset\nname: d\n{X}\ny: {y}\n{extra}```\n"


def test_regression_targets_get_a_target_summary_not_class_counts(warnings_log):
    html = convert(dataset("[[1], [3], [5], [7]]"))
    assert warnings_log() == []
    assert "classes" not in facts(html)
    assert "target: 1 to 7 (mean 4)" in facts(html)


@pytest.mark.parametrize("y, counts", [
    ("[[0], [1], [1], [0]]", "classes: 0 (2), 1 (2)"),  # 0/1 labels, read at 0.5
    ("[[0], [1], [2], [0]]", "classes: 0 (2), 1 (1), 2 (1)"),  # class indices (sparse labels)
    ("[[1, 0], [0, 1], [0, 1], [0, 1]]", "classes: 0 (1), 1 (3)"),  # one-hot
])
def test_class_labels_keep_their_counts(y, counts, warnings_log):
    assert counts in facts(convert(dataset(y)))
    assert warnings_log() == []


@pytest.mark.parametrize("normalize, said", [("none", False), ("zscore", True)])
def test_predict_code_says_inputs_are_normalized_only_when_they_are(normalize, said, warnings_log):
    page = dataset("[[0], [1], [1], [0]]", f"normalize: {normalize}\n")
    html = convert(page + MODEL.format(units=1, activation="sigmoid", loss="binaryCrossentropy"))
    assert warnings_log() == []
    code = unescape(html.split('class="mlpages-cell mlpages-predict"', 1)[1].split("</code>", 1)[0])
    assert ("normalized (zscore)" in code) is said
    assert "Dataset 'd': its train split" in code


def test_inline_one_hot_labels_take_class_names(warnings_log):
    page = dataset("[[1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 1, 0]]", "classes: [red, green, blue]\n")
    html = convert(page + MODEL.format(units=3, activation="softmax", loss="categoricalCrossentropy"))
    assert warnings_log() == []
    found = specs(html)
    assert found["dataset"]["classes"] == ["red", "green", "blue"]
    assert found["predict"]["classes"] == ["red", "green", "blue"]
    assert "classes: red (1), green (2), blue (1)" in facts(html)
    assert "<th>red</th><th>green</th><th>blue</th>" in html  # preview columns, like a CSV's
    predict = html.split('class="mlpages-cell mlpages-predict"', 1)[1]
    labels = re.findall(r"<td>(red|green|blue) \(\d", predict)
    assert len(labels) == 4


def test_inline_class_indices_take_class_names(warnings_log):
    page = dataset("[[0], [2], [1], [2]]", "classes: [low, mid, high]\n")
    html = convert(page + MODEL.format(units=3, activation="softmax",
                                       loss="sparseCategoricalCrossentropy"))
    assert warnings_log() == []
    assert "classes: low (1), mid (1), high (2)" in facts(html)
    assert "<th>y</th>" in html and "<td>high</td>" in html  # the label column names the class
    predict = html.split('class="mlpages-cell mlpages-predict"', 1)[1]
    assert len(re.findall(r"<td>(low|mid|high) \(\d", predict)) == 4


@pytest.mark.parametrize("y, classes, message", [
    ("[[1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 1, 0]]", "[a, b]",
     "'classes' names 2 classes but 'y' has 3 one-hot columns; name each column"),
    ("[[0], [1], [3], [1]]", "[a, b, c]",
     "'classes' names 3 classes (labels 0 to 2) but 'y' holds 3"),
    ("[[0], [0.5], [1], [1]]", "[a, b]", "'classes' names 2 classes (labels 0 to 1) but 'y' holds 0.5"),
    ("[[0], [1], [1], [0]]", "[a, a]", "'classes' names 'a' twice"),
    ("[[0], [1], [1], [0]]", "a", "'classes' must be a list of class names"),
    ("[[0], [1], [1], [0]]", "[a]", "'classes' must name at least two classes"),
    ("[[0], [1], [1], [0]]", "[a, [b]]", "'classes' must be a list of class names"),
])
def test_wrong_inline_class_names_point_at_the_key(y, classes, message, warnings_log):
    convert(dataset(y, f"classes: {classes}\n"), path="docs/ch1.md")
    (warning,) = warnings_log()
    assert warning.startswith(f"docs/ch1.md:5: dataset 'd': {message}"), warning


def test_class_names_need_labels(warnings_log):
    convert(f"```dataset\nname: d\n{X}\nclasses: [a, b]\n```\n", path="docs/ch1.md")
    (warning,) = warnings_log()
    assert warning.startswith("docs/ch1.md:4: dataset 'd': 'classes' names the classes of 'y'")
