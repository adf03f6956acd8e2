"""`model` blocks `from:` a TF.js LayersModel file: layers and weights read back exactly."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from mdhelpers import cell_specs, convert
from mlpages.engine import Sequential
from mlpages.export import layers_model_json
from mlpages.modelfile import ModelFileError, read_layers_model

LAYERS = [
    {"type": "reshape", "config": {"targetShape": [4, 4, 1], "inputShape": [16]}},
    {"type": "conv2d", "config": {"filters": 2, "kernelSize": 3, "padding": "same", "activation": "relu"}},
    {"type": "batchNormalization", "config": {}},
    {"type": "maxPooling2d", "config": {}},
    {"type": "flatten", "config": {}},
    {"type": "dense", "config": {"units": 3, "activation": "softmax"}},
]


def write_model(folder: Path, layers=LAYERS, seed: int = 5) -> list[np.ndarray]:
    engine = Sequential(layers)
    weights = [w + np.float32(0.01) * i for i, w in enumerate(engine.init_weights(seed))]
    doc, data = layers_model_json(layers, [n for n, _ in engine.weight_shapes()], weights)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "model.json").write_text(json.dumps(doc))
    (folder / "weights.bin").write_bytes(data)
    return weights


def spec_of(html: str, kind: str) -> dict:
    found = [spec for spec in cell_specs(html) if spec["kind"] == kind]
    assert found, kind
    return found[0]


def test_exported_model_reads_back_with_the_same_layers_and_weights(tmp_path):
    weights = write_model(tmp_path / "m")
    loaded = read_layers_model(tmp_path / "m" / "model.json")
    assert [layer["type"] for layer in loaded.layers] == [layer["type"] for layer in LAYERS]
    assert loaded.layers[0]["config"]["inputShape"] == [16]
    assert loaded.layers[1]["config"]["kernelSize"] == 3 and loaded.layers[1]["config"]["padding"] == "same"
    engine = Sequential(loaded.layers)
    names = [n for n, _ in engine.weight_shapes()]
    for name, expected in zip(names, weights, strict=True):
        np.testing.assert_array_equal(loaded.weights[name], expected)


def test_model_block_from_a_file_ships_the_files_weights(tmp_path):
    weights = write_model(tmp_path / "models" / "base")
    text = ("```model\nname: m\nfrom: models/base/model.json\n"
            "compile: {optimizer: sgd, loss: categoricalCrossentropy}\n```\n")
    spec = spec_of(convert(text, base_dir=tmp_path), "model")
    got = [np.asarray(w["data"], dtype=np.float32).reshape(w["shape"]) for w in spec["weights"]]
    assert len(got) == len(weights)
    for a, b in zip(got, weights, strict=True):
        np.testing.assert_array_equal(a, b)


def test_layers_added_on_top_keep_the_base_weights_and_draw_their_own(tmp_path):
    base = [{"type": "dense", "config": {"units": 4, "activation": "tanh", "inputShape": [2]}}]
    weights = write_model(tmp_path / "models" / "base", base)
    text = ("```model\nname: m\nfrom: models/base/model.json\nseed: 2\nlayers:\n"
            "  - dense: {units: 2, activation: softmax}\n"
            "compile: {optimizer: sgd, loss: categoricalCrossentropy}\n```\n")
    spec = spec_of(convert(text, base_dir=tmp_path), "model")
    assert [w["name"] for w in spec["weights"]][2:] == ["head_dense_1/kernel", "head_dense_1/bias"]
    np.testing.assert_array_equal(np.asarray(spec["weights"][0]["data"], np.float32), weights[0].ravel())
    assert spec["summary"][-1]["outputShape"] == [None, 2]


@pytest.mark.parametrize(("change", "message"), [
    (lambda d, f: d["modelTopology"].update(class_name="Model"), "only Sequential LayersModels"),
    (lambda d, f: d["modelTopology"]["config"]["layers"][0].update(class_name="LSTM"),
     "layer 1 is a LSTM, which mlpages does not reproduce"),
    (lambda d, f: (f / "weights.bin").write_bytes(b"\0" * 8), "the weight files end before"),
    (lambda d, f: (f / "weights.bin").unlink(), "cannot read the weights"),
])
def test_unreadable_model_files_are_clear_errors(tmp_path, change, message):
    folder = tmp_path / "m"
    write_model(folder)
    doc = json.loads((folder / "model.json").read_text())
    change(doc, folder)
    (folder / "model.json").write_text(json.dumps(doc))
    with pytest.raises(ModelFileError, match=message):
        read_layers_model(folder / "model.json")


def test_missing_model_file_is_an_author_error_with_file_and_line(tmp_path, warnings_log):
    text = ("# T\n\n```model\nname: m\nfrom: models/none/model.json\n"
            "compile: {optimizer: sgd, loss: meanSquaredError}\n```\n")
    convert(text, path="docs/t.md", base_dir=tmp_path)
    assert warnings_log() == [
        f"docs/t.md:5: model 'm': model file not found: models/none/model.json "
        f"(looked at {tmp_path / 'models' / 'none' / 'model.json'}, and no page built before this "
        "one exports it)"]


def test_spec_course_model_file_is_in_the_fixture():
    fixture = Path(__file__).parent / "fixtures" / "spec_course" / "docs" / "models" / "xor-base"
    assert read_layers_model(fixture / "model.json").layers[0]["config"]["inputShape"] == [2]


def test_up_to_keeps_the_loaded_layers_up_to_the_named_one_and_adds_a_head(tmp_path):
    weights = write_model(tmp_path / "models" / "base")
    text = ("```model\nname: m\nfrom: models/base/model.json\nupTo: flatten_1\nfrozen: true\nseed: 2\n"
            "layers:\n  - dense: {units: 4, activation: softmax}\n"
            "compile: {optimizer: sgd, loss: categoricalCrossentropy}\n```\n")
    spec = spec_of(convert(text, base_dir=tmp_path), "model")
    assert [layer["type"] for layer in spec["layers"]] == [
        "reshape", "conv2d", "batchNormalization", "maxPooling2d", "flatten", "dense"]
    assert spec["layers"][-1]["config"]["units"] == 4  # the head, not the file's 3-way dense
    names = [w["name"] for w in spec["weights"]]
    # Trainable first: only the head; then the frozen base's kernel, bias, gamma, beta, moving stats.
    assert names[:2] == ["head_dense_1/kernel", "head_dense_1/bias"]
    assert "dense_1/kernel" not in names
    base = {w["name"]: np.asarray(w["data"], np.float32) for w in spec["weights"][2:]}
    np.testing.assert_array_equal(base["conv2d_1/kernel"], weights[0].ravel())


@pytest.mark.parametrize(("block", "message"), [
    ("upTo: flatten_1\nlayers:\n  - dense: {units: 1, inputShape: [2]}\n",
     "docs/t.md:5: model 'm': 'upTo' keeps the layers read with 'from:' up to the one it names; "
     "this model has no 'from:'"),
    ("from: models/base/model.json\nupTo: flaten_1\n",
     "docs/t.md:6: model 'm': models/base/model.json has no layer named 'flaten_1' (did you mean "
     "'flatten_1'?); its layers: reshape_1, conv2d_1, batch_normalization_1, max_pooling2d_1, "
     "flatten_1, dense_1"),
])
def test_up_to_errors_name_file_line_and_the_layers(tmp_path, warnings_log, block, message):
    write_model(tmp_path / "models" / "base")
    text = f"# T\n\n```model\nname: m\n{block}compile: {{optimizer: sgd, loss: meanSquaredError}}\n```\n"
    convert(text, path="docs/t.md", base_dir=tmp_path)
    assert warnings_log() == [message]


MOBILENET_LAYERS = [
    {"type": "zeroPadding2d", "config": {"padding": [[0, 1], [0, 1]], "inputShape": [7, 7, 3]}},
    {"type": "conv2d", "config": {"filters": 4, "kernelSize": 3, "strides": 2, "useBias": False}},
    {"type": "batchNormalization", "config": {}},
    {"type": "reLU", "config": {"maxValue": 6}},
    {"type": "depthwiseConv2d", "config": {"kernelSize": 3, "padding": "same", "depthMultiplier": 2,
                                           "useBias": False, "depthwiseInitializer": "heNormal"}},
    {"type": "reLU", "config": {}},
    {"type": "separableConv2d", "config": {"filters": 5, "kernelSize": 1, "activation": "relu6",
                                           "pointwiseInitializer": "ones"}},
    {"type": "globalAveragePooling2d", "config": {}},
    {"type": "dense", "config": {"units": 2, "activation": "softmax"}},
]


def test_mobilenet_layers_round_trip_through_a_model_file(tmp_path):
    weights = write_model(tmp_path / "m", MOBILENET_LAYERS)
    doc = json.loads((tmp_path / "m" / "model.json").read_text())
    layers = doc["modelTopology"]["config"]["layers"]
    assert [la["class_name"] for la in layers] == [
        "ZeroPadding2D", "Conv2D", "BatchNormalization", "ReLU", "DepthwiseConv2D", "ReLU",
        "SeparableConv2D", "GlobalAveragePooling2D", "Dense"]
    assert layers[4]["config"]["depth_multiplier"] == 2 and layers[3]["config"]["max_value"] == 6
    assert "depthwise_initializer" not in layers[4]["config"]
    assert "pointwise_initializer" not in layers[6]["config"]
    loaded = read_layers_model(tmp_path / "m" / "model.json")
    assert [layer["type"] for layer in loaded.layers] == [layer["type"] for layer in MOBILENET_LAYERS]
    for mine, read in zip(MOBILENET_LAYERS, loaded.layers, strict=True):
        expected = {k: v for k, v in mine["config"].items() if not k.endswith("Initializer")}
        assert {k: v for k, v in read["config"].items() if k != "name"} == expected
    engine = Sequential(loaded.layers)
    names = [n for n, _ in engine.weight_shapes()]
    assert names[4:7] == ["separable_conv2d_1/depthwise_kernel", "separable_conv2d_1/pointwise_kernel",
                          "separable_conv2d_1/bias"]
    for name, expected in zip(names, weights, strict=True):
        np.testing.assert_array_equal(loaded.weights[name], expected)


def test_a_mobilenet_base_up_to_global_pooling_takes_a_frozen_head(tmp_path):
    write_model(tmp_path / "models" / "base", MOBILENET_LAYERS)
    text = ("```model\nname: m\nfrom: models/base/model.json\nupTo: global_average_pooling2d_1\n"
            "frozen: true\nseed: 2\nlayers:\n  - dense: {units: 3, activation: softmax}\n"
            "compile: {optimizer: sgd, loss: categoricalCrossentropy}\n```\n")
    spec = spec_of(convert(text, base_dir=tmp_path), "model")
    assert [layer["type"] for layer in spec["layers"]][-3:] == [
        "separableConv2d", "globalAveragePooling2d", "dense"]
    assert [w["name"] for w in spec["weights"]][:2] == ["head_dense_1/kernel", "head_dense_1/bias"]
    assert spec["summary"][-2]["outputShape"] == [None, 5]


@pytest.mark.parametrize(("setting", "message"), [
    ("depthwise_regularizer", "sets depthwise_regularizer, which mlpages does not reproduce"),
    ("pointwise_constraint", "sets pointwise_constraint, which mlpages does not reproduce"),
])
def test_separable_regularizers_in_a_model_file_are_refused(tmp_path, setting, message):
    write_model(tmp_path / "m", MOBILENET_LAYERS)
    doc = json.loads((tmp_path / "m" / "model.json").read_text())
    doc["modelTopology"]["config"]["layers"][6]["config"][setting] = {"class_name": "L2", "config": {}}
    (tmp_path / "m" / "model.json").write_text(json.dumps(doc))
    with pytest.raises(ModelFileError, match=message):
        read_layers_model(tmp_path / "m" / "model.json")


def test_a_model_file_written_by_tfjs_reads_in_tfjs_weight_order():
    """tests/fixtures/spec_course/docs/models/mobilenet-tiny was saved by TF.js 4.22 itself
    (tools/tfjs_save_model.py): its Keras configs, TF.js's own layer names and its manifest
    order (trainable weights, then every moving statistic) are what the engine expects."""
    folder = Path(__file__).parent / "fixtures" / "spec_course" / "docs" / "models" / "mobilenet-tiny"
    doc = json.loads((folder / "model.json").read_text())
    assert doc["weightsManifest"][0]["paths"] == ["./model.weights.bin"]
    loaded = read_layers_model(folder / "model.json")
    assert [layer["type"] for layer in loaded.layers] == [
        "reshape", "conv2d", "batchNormalization", "reLU", "depthwiseConv2d", "batchNormalization",
        "reLU", "conv2d", "batchNormalization", "reLU", "zeroPadding2d", "separableConv2d",
        "globalAveragePooling2d", "dense"]
    assert loaded.layers[3]["config"]["maxValue"] == 6
    assert loaded.layers[10]["config"]["padding"] == [[1, 1], [1, 1]]
    engine = Sequential(loaded.layers)
    assert [n for n, _ in engine.weight_shapes()] == [w["name"].replace("moving_mean", "movingMean")
                                                       .replace("moving_variance", "movingVariance")
                                                       for w in doc["weightsManifest"][0]["weights"]]
    assert [n for n, _ in engine.weight_shapes()] == list(loaded.weights)
    assert engine.summary()[-2]["outputShape"] == [None, 6]
