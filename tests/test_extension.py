"""The Markdown extension: fences found anywhere, built in document order, literal when quoted."""

from __future__ import annotations

import re

import markdown
from mdhelpers import cell_specs, convert
from mlpages.locate import FenceIndex

XOR = """\
```dataset
name: xor
x: [[0, 0], [0, 1], [1, 0], [1, 1]]
y: [[0], [1], [1], [0]]
```
"""

MODEL = """\
```model
name: net
seed: 1
layers:
  - dense: {units: 3, activation: tanh, inputShape: [2]}
  - dense: {units: 1, activation: sigmoid}
compile:
  optimizer: adam
  loss: binaryCrossentropy
  metrics: [accuracy]
```
"""

TRAIN = """\
```train
name: fit
model: net
dataset: xor
epochs: 3
batchSize: 2
```
"""


def test_blocks_become_cells_with_specs_and_stable_ids():
    html = convert(XOR + "\n" + MODEL + "\n" + TRAIN, path="docs/ch1.md")
    got = cell_specs(html)
    assert [s["kind"] for s in got] == ["dataset", "model", "train"]
    assert [s["id"] for s in got] == ["mlp-ch1-xor", "mlp-ch1-net", "mlp-ch1-fit"]
    train = got[2]
    assert train["model"] == "mlp-ch1-net" and train["dataset"] == "mlp-ch1-xor"
    assert [r["epsilon"] for r in train["references"]] == [1e-4, 1e-7]
    assert len(train["references"][0]["history"]["loss"]) == 3
    assert 'data-mlpages-kind="train"' in html and 'id="mlpages-page"' in html


def test_unnamed_blocks_get_kind_ordinal_names():
    html = convert(XOR.replace("name: xor\n", "") + XOR.replace("name: xor\n", ""))
    assert [s["name"] for s in cell_specs(html)] == ["dataset-1", "dataset-2"]


def test_blocks_nested_in_admonition_tabs_and_lists_are_built_in_document_order():
    def indent(block: str) -> str:
        return "\n".join("    " + ln if ln else "" for ln in block.splitlines())

    text = (
        "!!! note\n\n" + indent(XOR) + "\n\n"
        "=== \"Model\"\n\n" + indent(MODEL) + "\n\n"
        "- a list item\n\n" + indent(TRAIN) + "\n"
    )
    html = convert(text)
    got = cell_specs(html)
    assert [s["kind"] for s in got] == ["dataset", "model", "train"]
    assert 'class="admonition note"' in html and "tabbed-set" in html and "<li>" in html


def test_block_inside_an_outer_markdown_fence_stays_literal():
    text = "````markdown\n" + TRAIN + "````\n"
    html = convert(text)
    assert cell_specs(html) == []
    assert "epochs: 3" in html and "mlpages-error" not in html


def test_fence_index_skips_literal_examples_and_finds_lines():
    text = "# t\n\n````markdown\n" + XOR + "````\n\n" + XOR
    index = FenceIndex.scan(text, {"dataset"})
    assert [s.line for s in index.sites] == [11]
    body = XOR.split("\n", 1)[1].rsplit("```", 1)[0]
    assert index.claim("dataset", body) == 11


def test_page_without_blocks_is_untouched():
    assert convert("# Hello\n\ntext\n") == markdown.markdown("# Hello\n\ntext\n")


def test_script_option_adds_the_runtime_only_to_pages_with_cells():
    with_cells = convert(XOR, script="/assets/mlpages/mlpages.js")
    without = convert("plain\n", script="/assets/mlpages/mlpages.js")
    assert '<script type="module" src="/assets/mlpages/mlpages.js"></script>' in with_cells
    assert "mlpages.js" not in without


def test_registered_by_name_in_plain_python_markdown():
    html = markdown.markdown(XOR, extensions=["mlpages"])
    assert 'data-mlpages-kind="dataset"' in html


def test_image_dataset_shows_an_image_grid_and_ships_nhwc_arrays():
    html = convert("```dataset\nname: d\ngenerate: digits\nn: 12\nseed: 1\n```\n")
    spec = cell_specs(html)[0]
    assert spec["x"]["shape"] == [12, 8, 8, 1] and spec["y"]["shape"] == [12, 10]
    svg = re.search(r'<svg class="mlpages-images".*?</svg>', html).group(0)
    assert svg.count("<text") == 10  # the first ten images, each captioned by its label
