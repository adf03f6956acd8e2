"""A model block with seeded initializers: the weights it ships are TF.js's own draws, and the
layers it hands the page are in the form TF.js's layers accept."""

from __future__ import annotations

from html import unescape

import numpy as np
from mdhelpers import convert, specs_by_name
from mlpages.engine.initializers import tfjs_values

BLOCK = """\
```model
name: net
layers:
  - conv2d: {filters: 2, kernelSize: 3, inputShape: [5, 5, 1], kernelInitializer: {heNormal: {seed: 3}}}
  - flatten: {}
  - dense:
      units: 2
      kernelInitializer: {glorotUniform: {seed: 7}}
      biasInitializer: {className: RandomUniform, config: {minval: -1, maxval: 1, seed: 4}}
compile: {optimizer: sgd, loss: meanSquaredError}
```
"""


def _weights(spec: dict) -> list[np.ndarray]:
    return [np.asarray(w["data"], dtype=np.float32).reshape(w["shape"]) for w in spec["weights"]]


def test_seeded_initializers_give_tfjs_values_and_class_name_forms() -> None:
    html = convert(BLOCK)
    spec = specs_by_name(html)["net"]
    conv, dense = spec["layers"][0]["config"], spec["layers"][2]["config"]
    assert conv["kernelInitializer"] == {"className": "HeNormal", "config": {"seed": 3}}
    assert dense["kernelInitializer"] == {"className": "GlorotUniform", "config": {"seed": 7}}
    assert dense["biasInitializer"] == {"className": "RandomUniform",
                                        "config": {"minval": -1, "maxval": 1, "seed": 4}}
    kernel, conv_bias, dense_kernel, dense_bias = _weights(spec)
    np.testing.assert_array_equal(kernel, tfjs_values({"heNormal": {"seed": 3}}, (3, 3, 1, 2)))
    assert not conv_bias.any()
    np.testing.assert_array_equal(dense_kernel, tfjs_values({"glorotUniform": {"seed": 7}}, (18, 2)))
    np.testing.assert_array_equal(
        dense_bias, tfjs_values({"randomUniform": {"minval": -1, "maxval": 1, "seed": 4}}, (2,)))
    text = unescape(html)
    # The displayed code is what the page runs: TF.js's {className, config} form.
    assert "kernelInitializer: {className: 'GlorotUniform', config: {seed: 7}}" in text
    assert "seeded initializers give them in TF.js" in text


def test_the_model_seed_no_longer_matters_once_every_initializer_is_seeded() -> None:
    a = specs_by_name(convert(BLOCK))["net"]
    b = specs_by_name(convert(BLOCK.replace("name: net\n", "name: net\nseed: 5\n")))["net"]
    for x, y in zip(_weights(a), _weights(b), strict=True):
        np.testing.assert_array_equal(x, y)


def test_an_unseeded_layer_keeps_the_seed_note() -> None:
    html = unescape(convert(BLOCK.replace("kernelInitializer: {heNormal: {seed: 3}}", "")))
    assert "drawn at build (seed 0)" in html


def test_a_bad_initializer_is_reported_at_its_line(warnings_log) -> None:
    block = BLOCK.replace("{glorotUniform: {seed: 7}}", "{glorotUniform: {seed: 7, gain: 2}}")
    html = convert(block, path="docs/ch1.md")
    (message,) = warnings_log()
    assert message.startswith("docs/ch1.md:8: model 'net': layer 3 (dense): kernelInitializer: "
                              "unknown parameter of initializer glorotUniform: 'gain'"), message
    assert 'class="mlpages-error' in html
