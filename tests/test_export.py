"""`train` with `export: models/<name>`: a TF.js LayersModel (model.json + weights.bin)."""

from __future__ import annotations

import json
from pathlib import Path

import markdown
import numpy as np
import pytest
from mdhelpers import ROOT, cell_specs
from mlpages.engine import Sequential
from mlpages.export import layers_model_json, snake_case, tfjs_weight_name
from mlpages.extension import MlpagesExtension, PageSource
from sitebuild import build, write_project
from test_errors import HEAD, one_error

CONV_LAYERS = [
    {"type": "reshape", "config": {"targetShape": [4, 4, 1], "inputShape": [16]}},
    {"type": "conv2d", "config": {"filters": 2, "kernelSize": 3, "padding": "same", "activation": "relu",
                                  "kernelInitializer": "heNormal"}},
    {"type": "maxPooling2d", "config": {"poolSize": 2}},
    {"type": "flatten", "config": {}},
    {"type": "batchNormalization", "config": {}},
    {"type": "dense", "config": {"units": 3, "activation": "softmax", "useBias": True}},
]

PAGE = HEAD + """\
```train
name: fit
model: net
dataset: xor
epochs: 5
batchSize: 2
export: models/net
```
"""


def convert_page(text: str) -> tuple[str, MlpagesExtension]:
    ext = MlpagesExtension()
    ext.set_page(PageSource(path="docs/ch1.md", src_uri="ch1.md", base_dir=ROOT, text=text))
    html = markdown.Markdown(extensions=["pymdownx.superfences", ext]).convert(text)
    return html, ext


def test_snake_case_and_weight_names():
    assert snake_case("kernelSize") == "kernel_size"
    assert snake_case("useBias") == "use_bias"
    assert snake_case("units") == "units"
    assert snake_case("poolSize") == "pool_size"
    assert tfjs_weight_name("batch_normalization_1/movingMean") == "batch_normalization_1/moving_mean"
    assert tfjs_weight_name("dense_1/kernel") == "dense_1/kernel"


def test_layers_model_json_structure_and_weights_round_trip():
    engine = Sequential(CONV_LAYERS)
    weights = engine.init_weights(3)
    names = [n for n, _ in engine.weight_shapes()]
    model, data = layers_model_json(CONV_LAYERS, names, weights, model_name="net")
    json.dumps(model, allow_nan=False)  # plain JSON
    topo = model["modelTopology"]
    assert model["format"] == "layers-model"
    assert topo["class_name"] == "Sequential"
    layers = topo["config"]["layers"]
    assert [la["class_name"] for la in layers] == [
        "Reshape", "Conv2D", "MaxPooling2D", "Flatten", "BatchNormalization", "Dense"]
    first = layers[0]["config"]
    assert first["batch_input_shape"] == [None, 16]
    assert first["target_shape"] == [4, 4, 1]
    assert "input_shape" not in first and "inputShape" not in first
    assert all("batch_input_shape" not in la["config"] for la in layers[1:])
    conv = layers[1]["config"]
    assert conv["kernel_size"] == 3 and conv["filters"] == 2 and conv["padding"] == "same"
    assert conv["activation"] == "relu" and "kernel_initializer" not in conv
    assert layers[2]["config"]["pool_size"] == 2
    assert layers[5]["config"]["use_bias"] is True
    assert not any(any(c.isupper() for c in k) for la in layers for k in la["config"])
    # Layer names are the prefixes of the weight names.
    layer_names = [la["config"]["name"] for la in layers]
    (group,) = model["weightsManifest"]
    assert group["paths"] == ["weights.bin"]
    manifest = group["weights"]
    assert all(w["name"].rsplit("/", 1)[0] in layer_names for w in manifest)
    assert [w["name"] for w in manifest] == [
        "conv2d_1/kernel", "conv2d_1/bias", "batch_normalization_1/gamma", "batch_normalization_1/beta",
        "dense_1/kernel", "dense_1/bias",
        "batch_normalization_1/moving_mean", "batch_normalization_1/moving_variance"]
    assert [w["shape"] for w in manifest] == [list(w.shape) for w in weights]
    assert all(w["dtype"] == "float32" for w in manifest)
    # weights.bin: float32 little-endian, in manifest order.
    assert len(data) == 4 * sum(w.size for w in weights)
    flat = np.frombuffer(data, dtype="<f4")
    offset = 0
    for w in weights:
        np.testing.assert_array_equal(flat[offset:offset + w.size].reshape(w.shape), w)
        offset += w.size


def test_layers_model_json_refuses_mismatched_names():
    engine = Sequential(CONV_LAYERS)
    weights = engine.init_weights(0)
    with pytest.raises(ValueError, match="do not match"):
        layers_model_json(CONV_LAYERS, ["x/kernel"] * len(weights), weights)


def test_train_export_keeps_the_webgl_reference_on_the_page_state():
    html, ext = convert_page(PAGE)
    assert 'href="models/net/model.json"' in html
    assert "Download the trained model (TF.js LayersModel)" in html
    (page,) = ext.pages
    (export,) = page.exports
    assert export.path == "models/net" and export.cell_id == "mlp-ch1-fit"
    files = dict(export.items())
    model = json.loads(files["models/net/model.json"])
    assert model["modelTopology"]["config"]["layers"][0]["config"]["batch_input_shape"] == [None, 2]
    trained = page.models["net"].chain.engine(1e-4).get_weights()  # the WebGL reference
    flat = np.frombuffer(files["models/net/weights.bin"], dtype="<f4")
    np.testing.assert_array_equal(flat, np.concatenate([w.ravel() for w in trained]))
    assert not np.array_equal(trained[0], page.models["net"].weights[0])  # it did train


@pytest.mark.parametrize("value, message", [
    ("../x", "'export' must be a relative path without '.', '..' or empty parts"),
    ("/abs/x", "'export' must be a relative path"),
    ("models/../../x", "'export' must be a relative path without"),
    ("[1]", "'export' must be a folder relative to the page"),
])
def test_export_path_errors(value, message, warnings_log):
    text = HEAD + f"```train\nname: fit\nmodel: net\ndataset: xor\nexport: {value}\n```\n"
    msg = one_error(text, warnings_log)
    assert msg.startswith(f"docs/ch1.md:20: train 'fit': {message}"), msg


def test_same_export_folder_twice_is_an_error(warnings_log):
    text = PAGE + "\n```train\nname: again\nmodel: net\ndataset: xor\nexport: models/net/\n```\n"
    msg = one_error(text, warnings_log)
    assert msg.startswith("docs/ch1.md:29: train 'again': 'export: models/net' is already written"), msg


def test_mkdocs_build_writes_the_files_next_to_the_page(tmp_path: Path):
    (tmp_path / "docs" / "course").mkdir(parents=True)
    (tmp_path / "docs" / "index.md").write_text("# Home\n", encoding="utf-8")
    (tmp_path / "docs" / "course" / "ch1.md").write_text(PAGE, encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: t\nplugins: [mlpages]\nmarkdown_extensions: [pymdownx.superfences]\n", encoding="utf-8")
    result = build(tmp_path)
    assert result.returncode == 0, result.stderr
    # Where the Markdown file's folder lands (docs/course/models/net would land there too);
    # the page itself is course/ch1/index.html, so its link goes up one level.
    out = tmp_path / "site" / "course"
    model = json.loads((out / "models" / "net" / "model.json").read_text(encoding="utf-8"))
    assert model["weightsManifest"][0]["weights"][0]["name"] == "dense_1/kernel"
    assert (out / "models" / "net" / "weights.bin").stat().st_size == 4 * (2 + 1)
    html = (out / "ch1" / "index.html").read_text(encoding="utf-8")
    assert 'href="../models/net/model.json"' in html
    assert "tf.loadLayersModel('../models/net/model.json')" in html


# --------------------------------------------------------------------------- read by another page

READER = """\
# Reader

```dataset
name: xor
x: [[0, 0], [0, 1], [1, 0], [1, 1]]
y: [[0], [1], [1], [0]]
```

```model
name: tuned
from: ../base/models/net/model.json
frozen: true
layers:
  - dense: {units: 1, activation: sigmoid}
compile: {optimizer: sgd, loss: meanSquaredError}
```
"""


def _course(tmp_path: Path, pages: dict[str, str], nav: list[str]) -> Path:
    return write_project(tmp_path, pages, site_name="t", extra="nav:\n" + "".join(f"  - {p}\n" for p in nav))


def _spec(html: str, name: str) -> dict:
    (spec,) = [s for s in cell_specs(html) if s["name"] == name]
    return spec


def test_a_page_reads_a_model_that_a_later_page_in_the_nav_exports(tmp_path: Path):
    # The reader comes first in the nav and in the file order: the plugin converts the
    # exporting page first anyway, and the reader starts from the exported weights.
    project = _course(tmp_path, {"index.md": "# Home\n", "a/reader.md": READER, "base/ch1.md": PAGE},
                      ["index.md", "a/reader.md", "base/ch1.md"])
    result = build(project)
    assert result.returncode == 0, result.stderr
    exported = np.frombuffer((project / "site" / "base" / "models" / "net" / "weights.bin").read_bytes(),
                             dtype="<f4")
    reader = _spec((project / "site" / "a" / "reader" / "index.html").read_text(encoding="utf-8"), "tuned")
    # The base's kernel and bias are the loaded layer's; freezing lists them after the head's.
    head = reader["weights"][:2]
    frozen = reader["weights"][2:]
    assert [w["shape"] for w in head] == [[1, 1], [1]]
    np.testing.assert_array_equal(
        np.concatenate([np.asarray(w["data"], dtype=np.float32) for w in frozen]), exported)


def test_exports_first_orders_readers_after_exporters_and_keeps_the_rest(tmp_path: Path):
    from types import SimpleNamespace

    from mlpages.buildorder import exports_first

    def page(rel: str, text: str):
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return SimpleNamespace(src_uri=rel, abs_src_path=str(path))

    plain = page("index.md", "# Home\n")
    reader = page("a/reader.md", READER)
    base = page("base/ch1.md", PAGE)
    unrelated = page("z.md", "```train\nexport: models/other\n```\n")
    assert exports_first([plain, reader, base, unrelated]) == [plain, base, reader, unrelated]
    assert exports_first([plain, base, reader]) == [plain, base, reader]
    # Two pages reading each other's exports: both stay, once each (the build reports the
    # page that reads a model not yet exported).
    loop_a = page("loop/a.md", "```train\nexport: models/a\n```\n```model\nfrom: models/b/model.json\n```\n")
    loop_b = page("loop/b.md", "```train\nexport: models/b\n```\n```model\nfrom: models/a/model.json\n```\n")
    assert exports_first([plain, loop_a, loop_b]) == [plain, loop_b, loop_a]


def test_two_pages_exporting_one_folder_is_an_error(tmp_path: Path):
    project = _course(tmp_path, {"index.md": "# Home\n", "c/one.md": PAGE, "c/two.md": PAGE},
                      ["index.md", "c/one.md", "c/two.md"])
    result = build(project)
    assert result.returncode != 0
    assert ("docs/c/two.md:22: train 'fit': 'export: models/net' is already written by cell "
            "'mlp-c-one-fit' of docs/c/one.md; give each export its own folder") in result.stderr
