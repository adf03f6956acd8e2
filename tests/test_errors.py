"""Author mistakes: `file:line: kind 'name': message`, an error box, a warning — never a traceback."""

from __future__ import annotations

from html import unescape

import pytest
from mdhelpers import convert

HEAD = """\
# Chapter

```dataset
name: xor
x: [[0, 0], [0, 1], [1, 0], [1, 1]]
y: [[0], [1], [1], [0]]
```

```model
name: net
layers:
  - dense: {units: 1, activation: sigmoid, inputShape: [2]}
compile: {optimizer: sgd, loss: binaryCrossentropy}
```

"""
# HEAD has 15 lines, so a block appended to it opens on line 16.


def one_error(text: str, warnings_log, **config) -> str:
    html = convert(text, path="docs/ch1.md", **config)
    messages = warnings_log()
    assert len(messages) == 1, messages
    assert 'class="mlpages-error' in html
    assert messages[0] in unescape(html)
    return messages[0]


CASES = [
    ("unknown key",
     "```train\nname: fit\nmodel: net\ndataset: xor\nepocs: 3\n```\n",
     "docs/ch1.md:20: train 'fit': unknown key 'epocs' (did you mean 'epochs'?)"),
    ("unsupported TF.js key",
     "```model\nname: m2\nlayers:\n  - dense: {units: 1, inputShape: [2], kernelRegularizer: l2}\n"
     "compile: {optimizer: sgd, loss: meanSquaredError}\n```\n",
     "docs/ch1.md:18: model 'm2': layer 1 (dense): 'kernelRegularizer' is not supported by mlpages"),
    ("unsupported key of a depthwise layer",
     "```model\nname: m2\nlayers:\n  - depthwiseConv2d: {kernelSize: 3, inputShape: [4, 4, 1], "
     "depthwiseRegularizer: l2}\ncompile: {optimizer: sgd, loss: meanSquaredError}\n```\n",
     "docs/ch1.md:18: model 'm2': layer 1 (depthwiseConv2d): 'depthwiseRegularizer' is not supported "
     "by mlpages"),
    ("reLU maxValue below zero",
     "```model\nname: m2\nlayers:\n  - reLU: {maxValue: -6, inputShape: [2]}\n"
     "compile: {optimizer: sgd, loss: meanSquaredError}\n```\n",
     "docs/ch1.md:18: model 'm2': layer 1 (relu): maxValue must be a number of at least 0"),
    ("misspelt activation",
     "```model\nname: m2\nlayers:\n  - dense: {units: 1, activation: sigmod, inputShape: [2]}\n"
     "compile: {optimizer: sgd, loss: meanSquaredError}\n```\n",
     "docs/ch1.md:18: model 'm2': layer 1 (dense): unknown activation 'sigmod' (did you mean 'sigmoid'?)"),
    ("snake_case loss",
     "```model\nname: m2\nlayers:\n  - dense: {units: 1, inputShape: [2]}\n"
     "compile: {optimizer: sgd, loss: mean_squared_error}\n```\n",
     "docs/ch1.md:20: model 'm2': compile: unknown loss 'mean_squared_error'"),
    ("loss alias TF.js exports but compile refuses",
     "```model\nname: m2\nlayers:\n  - dense: {units: 1, inputShape: [2]}\n"
     "compile: {optimizer: sgd, loss: mape}\n```\n",
     "docs/ch1.md:20: model 'm2': compile: unknown loss 'mape' (did you mean "
     "'meanAbsolutePercentageError'?)"),
    ("misspelt loss lists the valid names",
     "```model\nname: m2\nlayers:\n  - dense: {units: 1, inputShape: [2]}\n"
     "compile: {optimizer: sgd, loss: logCosh}\n```\n",
     "docs/ch1.md:20: model 'm2': compile: unknown loss 'logCosh' (did you mean 'logcosh'?) "
     "(TF.js accepts only the camelCase names of its lossesMap, not "
     "aliases such as mse); valid: meanSquaredError, meanAbsoluteError, meanAbsolutePercentageError, "
     "meanSquaredLogarithmicError, squaredHinge, hinge, categoricalHinge, logcosh, "
     "categoricalCrossentropy, sparseCategoricalCrossentropy, binaryCrossentropy, "
     "kullbackLeiblerDivergence, poisson, cosineProximity"),
    ("bare momentum",
     "```model\nname: m2\nlayers:\n  - dense: {units: 1, inputShape: [2]}\n"
     "compile: {optimizer: momentum, loss: meanSquaredError}\n```\n",
     "docs/ch1.md:20: model 'm2': compile: 'momentum' needs the object form"),
    ("undefined model",
     "```train\nname: fit\nmodel: nett\ndataset: xor\n```\n",
     "docs/ch1.md:18: train 'fit': no model named 'nett' before this block (did you mean 'net'?)"),
    ("model/dataset shape mismatch",
     "```model\nname: wide\nlayers:\n  - dense: {units: 1, inputShape: [3]}\n"
     "compile: {optimizer: sgd, loss: meanSquaredError}\n```\n\n"
     "```train\nname: fit\nmodel: wide\ndataset: xor\n```\n",
     "docs/ch1.md:23: train 'fit': model 'wide' expects inputs of shape [3] but dataset 'xor' has [2]"),
    ("output/label mismatch",
     "```model\nname: three\nlayers:\n  - dense: {units: 3, activation: softmax, inputShape: [2]}\n"
     "compile: {optimizer: sgd, loss: categoricalCrossentropy}\n```\n\n"
     "```train\nname: fit\nmodel: three\ndataset: xor\n```\n",
     "docs/ch1.md:23: train 'fit': model 'three' has 3 output unit(s) but dataset 'xor' "
     "has 1 label column(s)"),
    ("validation without a test split",
     "```train\nname: fit\nmodel: net\ndataset: xor\nvalidation: test\n```\n",
     "docs/ch1.md:20: train 'fit': 'validation: test' needs a test split"),
    ("duplicate name",
     "```dataset\nname: net\nx: [[1]]\n```\n",
     "docs/ch1.md:17: dataset 'net': the name 'net' is already used by a model block"),
    ("invalid YAML",
     "```train\nname: fit\nmodel: [net\n```\n",
     "docs/ch1.md:18: train: invalid YAML"),
    ("YAML 1.1 boolean",
     "```dataset\nname: d2\nx: [[1], [2]]\nshuffle: yes\n```\n",
     "docs/ch1.md:19: dataset 'd2': 'shuffle' must be true or false, got 'yes'"),
    ("missing CSV",
     "```dataset\nname: d2\ncsv: data/nope.csv\n```\n",
     "docs/ch1.md:18: dataset 'd2': CSV file not found: data/nope.csv"),
    ("two sources",
     "```dataset\nname: d2\nx: [[1]]\ngenerate: xor\n```\n",
     "docs/ch1.md:16: dataset 'd2': a dataset needs exactly one source"),
    ("classes on a point generator",
     "```dataset\nname: d2\ngenerate: xor\nclasses: [0, 1]\n```\n",
     "docs/ch1.md:19: dataset 'd2': 'classes' picks the digits of 'generate: digits', e.g. classes: "
     "[5, 6, 7]; 'xor' has no such choice"),
    ("digit classes repeated",
     "```dataset\nname: d2\ngenerate: digits\nn: 20\nclasses: [5, 6, 5]\n```\n",
     "docs/ch1.md:20: dataset 'd2': classes lists a digit twice: [5, 6, 5]"),
    ("centered rmsprop",
     "```model\nname: m2\nlayers:\n  - dense: {units: 1, inputShape: [2]}\n"
     "compile: {optimizer: {rmsprop: {centered: true}}, loss: meanSquaredError}\n```\n",
     "docs/ch1.md:20: model 'm2': optimizer rmsprop: 'centered: true' is refused"),
]


@pytest.mark.parametrize(("what", "block", "expected"), CASES, ids=[c[0] for c in CASES])
def test_author_mistake_names_file_line_kind_and_name(what, block, expected, warnings_log):
    message = one_error(HEAD + block, warnings_log)
    assert message.startswith(expected), message
    assert "Traceback" not in message


def test_loaders_can_be_turned_off(warnings_log):
    block = "```dataset\nname: d2\nloader: json:loads\n```\n"
    message = one_error(HEAD + block, warnings_log, loaders=False)
    assert message.startswith("docs/ch1.md:18: dataset 'd2': 'loader:' runs Python code")


def test_broken_block_does_not_stop_later_blocks(warnings_log):
    text = HEAD + "```train\nepocs: 1\n```\n\n```train\nname: ok\nmodel: net\ndataset: xor\n```\n"
    html = convert(text, path="docs/ch1.md")
    assert len(warnings_log()) == 1
    assert 'data-mlpages-name="ok"' in html
