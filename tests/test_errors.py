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
     "docs/ch1.md:19: model 'm2': layer 1 (dense): 'kernelRegularizer' is not supported by mlpages"),
    ("unsupported key of a depthwise layer",
     "```model\nname: m2\nlayers:\n  - depthwiseConv2d: {kernelSize: 3, inputShape: [4, 4, 1], "
     "depthwiseRegularizer: l2}\ncompile: {optimizer: sgd, loss: meanSquaredError}\n```\n",
     "docs/ch1.md:19: model 'm2': layer 1 (depthwiseConv2d): 'depthwiseRegularizer' is not supported "
     "by mlpages"),
    ("reLU maxValue below zero",
     "```model\nname: m2\nlayers:\n  - reLU: {maxValue: -6, inputShape: [2]}\n"
     "compile: {optimizer: sgd, loss: meanSquaredError}\n```\n",
     "docs/ch1.md:19: model 'm2': layer 1 (relu): maxValue must be a number of at least 0"),
    ("misspelt activation",
     "```model\nname: m2\nlayers:\n  - dense: {units: 1, activation: sigmod, inputShape: [2]}\n"
     "compile: {optimizer: sgd, loss: meanSquaredError}\n```\n",
     "docs/ch1.md:19: model 'm2': layer 1 (dense): unknown activation 'sigmod' (did you mean 'sigmoid'?)"),
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
    ("infinite learning rate",
     "```model\nname: m2\nlayers:\n  - dense: {units: 1, inputShape: [2]}\n"
     "compile: {optimizer: {sgd: {learningRate: .inf}}, loss: meanSquaredError}\n```\n",
     "docs/ch1.md:20: model 'm2': optimizer sgd: 'learningRate' has the wrong type: inf"),
    ("input beyond float32",
     "```predict\nname: p\nmodel: net\nx: [[0, 1], [1e300, 0]]\n```\n",
     "docs/ch1.md:19: predict 'p': 'x' row 2 holds 1e+300, which is not a number"),
    ("centered rmsprop",
     "```model\nname: m2\nlayers:\n  - dense: {units: 1, inputShape: [2]}\n"
     "compile: {optimizer: {rmsprop: {centered: true}}, loss: meanSquaredError}\n```\n",
     "docs/ch1.md:20: model 'm2': optimizer rmsprop: 'centered: true' is refused"),
    ("metric other than accuracy",
     "```model\nname: m2\nlayers:\n  - dense: {units: 1, inputShape: [2]}\n"
     "compile: {optimizer: sgd, loss: meanSquaredError, metrics: [mse]}\n```\n",
     "docs/ch1.md:20: model 'm2': compile: metrics may only be [accuracy], got ['mse']"),
    ("layer type TF.js has and mlpages does not reproduce",
     "```model\nname: m2\nlayers:\n  - lstm: {units: 1, inputShape: [2]}\n"
     "compile: {optimizer: sgd, loss: meanSquaredError}\n```\n",
     "docs/ch1.md:19: model 'm2': layer 1: layer type 'lstm' is not supported by mlpages yet; "
     "supported: dense, conv2d, maxPooling2d, averagePooling2d, flatten, reshape, activation, "
     "leakyReLU, dropout, batchNormalization, depthwiseConv2d, separableConv2d, zeroPadding2d, "
     "globalAveragePooling2d, globalMaxPooling2d, reLU"),
    ("key a layer does not have",
     "```model\nname: m2\nlayers:\n  - dense: {unit: 1, inputShape: [2]}\n"
     "compile: {optimizer: sgd, loss: meanSquaredError}\n```\n",
     "docs/ch1.md:19: model 'm2': layer 1 (dense): unknown key 'unit' (did you mean 'units'?); allowed: "
     "units, activation, useBias, inputDim, kernelInitializer, biasInitializer, inputShape, trainable"),
    ("optimizer argument of another optimizer",
     "```model\nname: m2\nlayers:\n  - dense: {units: 1, inputShape: [2]}\n"
     "compile: {optimizer: {sgd: {momentum: 0.9}}, loss: meanSquaredError}\n```\n",
     "docs/ch1.md:20: model 'm2': optimizer sgd: unknown key 'momentum'; allowed: learningRate"),
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


def test_a_layer_mistake_is_reported_at_the_layers_own_line(warnings_log):
    text = ("```model\nname: m\nlayers:\n  - dense: {units: 4, inputShape: [2]}\n  - denze: {units: 1}\n"
            "compile: {optimizer: sgd, loss: meanSquaredError}\n```\n")
    html = convert(text, path="index.md")
    assert warnings_log() == ["index.md:5: model 'm': layer 2: unknown layer type 'denze' "
                              "(did you mean 'dense'?)"]
    assert "index.md:5:" in unescape(html)


# Mistakes inside nested YAML values: each is reported at the line of the value itself (the
# block opens on line 16, after HEAD).
NESTED_CASES = [
    ("layer config key",
     "```model\nname: m2\nlayers:\n  - dense:\n      units: 4\n      inputShape: [2]\n"
     "      activaton: relu\ncompile: {optimizer: sgd, loss: meanSquaredError}\n```\n",
     "docs/ch1.md:22: model 'm2': layer 1 (dense): unknown key 'activaton'"),
    ("units of the second layer",
     "```model\nname: m2\nlayers:\n  - dense: {units: 4, inputShape: [2]}\n  - dense:\n"
     "      activation: relu\n      units: 0\ncompile: {optimizer: sgd, loss: meanSquaredError}\n```\n",
     "docs/ch1.md:22: model 'm2': layer 2 (dense): 'units' must be a positive integer, got 0"),
    ("engine error of a layer",
     "```model\nname: m2\nlayers:\n  - dense: {units: 4, inputShape: [2]}\n"
     "  - conv2d: {filters: 2, kernelSize: 3}\ncompile: {optimizer: sgd, loss: meanSquaredError}\n```\n",
     "docs/ch1.md:20: model 'm2': layer 2 (conv2d)"),
    ("optimizer option",
     "```model\nname: m2\nlayers:\n  - dense: {units: 1, inputShape: [2]}\ncompile:\n"
     "  loss: meanSquaredError\n  optimizer:\n    adam:\n      learningRate: fast\n```\n",
     "docs/ch1.md:24: model 'm2': optimizer adam: 'learningRate' has the wrong type: 'fast'"),
    ("loss under compile",
     "```model\nname: m2\nlayers:\n  - dense: {units: 1, inputShape: [2]}\ncompile:\n"
     "  optimizer: sgd\n  loss: mse\n```\n",
     "docs/ch1.md:22: model 'm2': compile: unknown loss 'mse'"),
    ("dataset row",
     "```dataset\nname: d2\nx:\n  - [0, 1]\n  - [1]\n```\n",
     "docs/ch1.md:20: dataset 'd2': 'x' row 2 has 1 values but row 1 has 2"),
    ("tolerance key",
     "```train\nname: fit\nmodel: net\ndataset: xor\ntolerance:\n  rtol: 0.1\n  atol: -1\n```\n",
     "docs/ch1.md:22: train 'fit': tolerance: 'atol' must be a non-negative number"),
    ("quiz answer",
     "```quiz\nname: q\nquestions:\n  - question: Q?\n    answers:\n      - a\n"
     "      - {text: b, correct: yes}\n```\n",
     "docs/ch1.md:22: quiz 'q': question 1: answer 2: 'correct' must be true or false"),
    ("results row",
     "```train\nname: fit\nmodel: net\ndataset: xor\nepochs: 2\n```\n\n"
     "```results\nname: t\nquantity: loss\nrows:\n"
     "  - {cell: fit}\n  - cell: fit\n    epoch: 7\n```\n",
     "docs/ch1.md:29: results 't': row 2: epoch 7 is out of range"),
    ("id picked from a bank",
     "```quiz\nname: q\ninclude: quizzes/neural-networks.yml\nquestions:\n  - xor-hidden\n"
     "  - hiden-units\n```\n",
     "docs/ch1.md:21: quiz 'q': quizzes/neural-networks.yml has no question with id 'hiden-units'"),
    ("convolution preset",
     "```convolution\nname: c\nimage: [[0, 1], [1, 0]]\nkernel: [[1]]\npresets:\n  - blur\n"
     "  - sharpn\n```\n",
     "docs/ch1.md:22: convolution 'c': unknown kernel preset 'sharpn'"),
]


@pytest.mark.parametrize(("what", "block", "expected"), NESTED_CASES, ids=[c[0] for c in NESTED_CASES])
def test_a_mistake_inside_a_nested_value_is_reported_at_its_line(what, block, expected, warnings_log):
    message = one_error(HEAD + block, warnings_log)
    assert message.startswith(expected), message


def test_a_block_naming_a_block_with_an_error_says_so(warnings_log):
    block = "```dataset\nname: d2\nx: [[1, .nan]]\n```\n\n```train\nname: fit\nmodel: net\ndataset: d2\n```\n"
    convert(HEAD + block, path="docs/ch1.md")
    assert warnings_log() == [
        "docs/ch1.md:18: dataset 'd2': 'x' row 1 holds nan, which is not a number",
        "docs/ch1.md:24: train 'fit': the dataset 'd2' above has an error (see its message)"]


@pytest.mark.parametrize(("block", "expected"), [
    ("```quiz\nname: q\ninclude: quizzes/{long}.yml\n```\n", "docs/ch1.md:3: quiz 'q': quiz bank "),
    ("```dataset\nname: d\ncsv: {long}.csv\n```\n", "docs/ch1.md:3: dataset 'd': CSV file not found: "),
    ("```model\nname: m\nfrom: {long}/model.json\n```\n", "docs/ch1.md:3: model 'm': model file not found: "),
], ids=["quiz bank", "csv", "model file"])
def test_a_file_name_too_long_for_the_system_is_a_file_not_found(block, expected, warnings_log):
    convert(block.replace("{long}", "a" * 300), path="docs/ch1.md")
    (message,) = warnings_log()
    assert message.startswith(expected), message
