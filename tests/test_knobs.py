"""Knobs: the variants a train cell offers are built as the author would get them by editing
the Markdown, written to site files, and every mistake is the block's `file:line` error."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import pytest
from mdhelpers import Converter, cell_specs, knobs_page, specs_by_name
from mlpages import knobs
from mlpages.errors import BlockError
from sitebuild import build, write_project

PAGE = knobs_page("KNOBS", epochs=4, predict="p")
KNOBS = """\
knobs:
  epochs: [2, 4]
  model.layers[0].units: [2, 3]
  model.learningRate: {values: [0.1, 0.3], free: true, label: Learning rate}
  dataset.generate: [circles, xor]"""
PANEL = re.compile(r'<div class="mlpages-knobs".*?</ul></div>', re.S)


def page(knob_lines: str = KNOBS) -> str:
    return PAGE.replace("KNOBS", knob_lines)


def convert_with_files(text: str) -> tuple[str, dict[str, bytes]]:
    """The page's HTML and the files it writes next to it (variant and array files)."""
    convert = Converter()
    html = convert(text, path="docs/page.md")
    exports = [export for state in convert.ext.pages for export in state.exports]
    files = {rel: data for export in exports for rel, data in export.items()}
    return html, files


def variant_specs(files: dict[str, bytes], index: int) -> dict[str, dict]:
    data = json.loads(files[f"mlpages-variants/mlp-page-fit/{index}.json"])
    return specs_by_name("".join(block["html"] for block in data["blocks"]))


def spy(monkeypatch, name: str, keep=lambda args, result: result) -> list:
    """Calls of `mlpages.variants.<name>` while the test runs, each kept as `keep(args,
    result)` (by default its result); the real function still answers."""
    from mlpages import variants

    real, calls = getattr(variants, name), []

    def recording(*args):
        result = real(*args)
        calls.append(keep(args, result))
        return result

    monkeypatch.setattr(variants, name, recording)
    return calls


def assert_as_built_whole(monkeypatch, text: str, html: str, files: dict[str, bytes]) -> None:
    """The page and its files are those of every variant building the whole page again."""
    from mlpages import variants

    monkeypatch.setattr(variants, "FULL_REBUILD", True)
    assert convert_with_files(text) == (html, files)


def test_every_variant_is_the_page_built_with_its_values_written_in():
    html, files = convert_with_files(page())
    variants = {k: v for k, v in files.items() if k.startswith("mlpages-variants/")}
    assert len(variants) == 16  # 2 × 2 × 2 × 2, the default's file included
    # Variant 5 = (epochs 2, units 3, learning rate 0.1, xor): row-major, last knob fastest.
    edited = (PAGE.replace("KNOBS\n", "").replace("epochs: 4", "epochs: 2")
              .replace("learningRate: 0.3", "learningRate: 0.1")
              .replace("generate: circles", "generate: xor"))
    by_hand = specs_by_name(Converter()(edited, path="docs/page.md"))
    data = json.loads(files["mlpages-variants/mlp-page-fit/5.json"])
    assert data["knobs"] == {"epochs": 2, "model.layers[0].units": 3, "model.learningRate": 0.1,
                             "dataset.generate": "xor"}
    variant = variant_specs(files, 5)
    for name in ("pts", "net", "fit", "p"):
        assert variant[name] == by_hand[name], name
    assert variant["fit"]["references"] != specs_by_name(html)["fit"]["references"]


def test_the_page_itself_is_the_authors_default_as_without_knobs():
    with_knobs, files = convert_with_files(page())
    without = Converter()(page(""), path="docs/page.md")
    assert cell_specs(with_knobs) == cell_specs(without)
    assert PANEL.sub("", with_knobs) == without
    # The default's file holds the page's own blocks, for a reader returning to it.
    panel = json.loads(re.search(r'class="mlpages-knobs-spec">(.*?)</script>', with_knobs).group(1))[0]
    assert panel["default"] == 14 and panel["count"] == 16
    assert variant_specs(files, 14) == {s["name"]: s for s in cell_specs(without)}
    assert panel["blocks"] == ["mlp-page-pts", "mlp-page-net", "mlp-page-fit", "mlp-page-p"]
    assert [k["key"] for k in panel["knobs"]] == ["epochs", "model.layers[0].units", "model.learningRate",
                                                   "dataset.generate"]
    assert panel["knobs"][2] == {"key": "model.learningRate", "label": "Learning rate", "values": [0.1, 0.3],
                                 "default": 0.3, "numeric": True, "free": True}


def test_only_the_blocks_a_knob_changes_are_in_the_variant_files():
    _, files = convert_with_files(page("knobs:\n  epochs: [2, 4]"))
    data = json.loads(files["mlpages-variants/mlp-page-fit/0.json"])
    assert [b["id"] for b in data["blocks"]] == ["mlp-page-fit", "mlp-page-p"]


def test_the_optimizer_knob_keeps_the_learning_rate():
    data = {"compile": {"optimizer": {"momentum": {"learningRate": 0.1, "momentum": 0.9}}}}
    out = knobs.apply(data, [(("compile", "optimizer"), "adam")])
    assert out == {"compile": {"optimizer": {"adam": {"learningRate": 0.1}}}}
    assert data["compile"]["optimizer"] == {"momentum": {"learningRate": 0.1, "momentum": 0.9}}


def test_variant_numbers_are_row_major():
    made = knobs.parse({"epochs": [1, 2, 3], "batchSize": [4, 8]}, {"epochs": 3, "batchSize": 4},
                       None, None, "d", "m")
    assert list(knobs.variants(made)) == [(0, (1, 4)), (1, (1, 8)), (2, (2, 4)), (3, (2, 8)),
                                          (4, (3, 4)), (5, (3, 8))]
    assert knobs.default_index(made) == 4


def test_a_knob_value_of_another_type_is_not_the_default():
    with pytest.raises(BlockError, match="not among its values"):
        knobs.parse({"epochs": ["4", 8]}, {"epochs": 4}, None, None, "d", "m")
    with pytest.raises(BlockError, match="not among its values"):
        knobs.parse({"model.layers[0].useBias": [1, 0]},
                    {}, {"layers": [{"dense": {"useBias": True}}]}, None, "d", "m")


MISTAKES = [
    ("default not listed", "knobs:\n  epochs: [2, 8]", 31,
     "train 'fit': knob 'epochs': the block's own value 4 (the default a reader starts from) is not "
     "among its values [2, 8]; add it to the list"),
    ("unknown dataset key", "knobs:\n  dataset.nosie: [0.1, 0.2]", 31,
     "train 'fit': knob 'dataset.nosie': dataset 'pts' does not set 'nosie' (did you mean 'noise'?)"),
    ("unknown key", "knobs:\n  learningRate: [0.1, 0.3]", 31,
     "train 'fit': knob 'learningRate': unknown key; knobs set this cell's epochs or batchSize, "
     "model.<key> (e.g. model.learningRate"),
    ("no such layer", "knobs:\n  model.layers[5].units: [3, 4]", 31,
     "train 'fit': knob 'model.layers[5].units': model 'net' has no item [5] there (2 item(s))"),
    ("free on a dataset key", "knobs:\n  dataset.noise: {values: [0.1, 0.2], free: true}", 31,
     "train 'fit': knob 'dataset.noise': 'free: true' is only for epochs, batchSize, model.learningRate"),
    ("one value", "knobs:\n  epochs: [4]", 31,
     "train 'fit': knob 'epochs': list at least two values (one is no choice)"),
    ("cap", "knobs:\n  epochs: [1, 2, 3, 4]\n  batchSize: [1, 2, 3, 6]\n  dataset.n: [20, 24, 28]", 30,
     "train 'fit': too many knob variants: 48 (4 × 4 × 3 values), more than the limit of 40; raise it "
     "with the mlpages option limits: {variants: N}"),
    ("variant fails", "knobs:\n  model.layers[0].units: [3, 0]", 30,
     "train 'fit': the variant with model.layers[0].units 0 fails: model 'net':"),
    ("not a list", "knobs:\n  epochs: 4", 31,
     "train 'fit': knob 'epochs': give its values as a list of values, e.g. epochs: [50, 100, 200]"),
]


@pytest.mark.parametrize(("knob_lines", "line", "expected"), [m[1:] for m in MISTAKES],
                         ids=[m[0] for m in MISTAKES])
def test_a_knob_mistake_fails_a_strict_build_at_its_line(tmp_path: Path, knob_lines, line, expected):
    write_project(tmp_path, {"page.md": page(knob_lines)})
    config = tmp_path / "mkdocs.yml"
    limited = "plugins: [{mlpages: {limits: {variants: 40}}}]"
    config.write_text(config.read_text().replace("plugins: [mlpages]", limited))
    assert "variants: 40" in config.read_text()
    result = build(tmp_path)
    assert result.returncode != 0
    output = unescape(result.stdout + result.stderr)
    assert f"docs/page.md:{line}: {expected}" in output, output[-3000:]
    assert "Traceback" not in output


def test_a_block_that_fails_in_the_authors_page_fails_no_variant(warnings_log):
    broken = page("knobs:\n  epochs: [2, 4]") + "\n```quiz\nname: q\ninclude: quizzes/none.yml\n```\n"
    html, files = convert_with_files(broken)
    messages = warnings_log()
    assert len(messages) == 1 and "quiz 'q'" in messages[0]  # once, not once per variant
    assert 'class="mlpages-knobs"' in html
    assert len([f for f in files if f.startswith("mlpages-variants/")]) == 2


def test_each_block_is_parsed_once_however_many_variants_build_it(monkeypatch):
    from mlpages import render

    parsed: list[str] = []
    real = render.load_located

    def counting(src, **options):
        parsed.append(src)
        return real(src, **options)

    monkeypatch.setattr(render, "load_located", counting)
    _, files = convert_with_files(page("knobs:\n  epochs: [2, 4]"))
    assert "mlpages-variants/mlp-page-fit/0.json" in files  # a variant was built
    assert len(parsed) == 4  # dataset, model, train, predict: once each


def test_variants_going_on_from_the_authors_build_are_those_of_the_page_built_again(monkeypatch):
    """A variant's build starts at the first block its values change, from the author's
    build's state there: every file (and the page) is the same as when every variant builds
    the whole page again. The playground has two knob cells, the second below the first, and
    knobs on the dataset and model above their train cells."""
    from mlpages import variants

    text = (Path(__file__).resolve().parent.parent / "docs/course/playground.md").read_text("utf-8")
    started = spy(monkeypatch, "first_change")
    stops = spy(monkeypatch, "last_reached")
    resumed_html, resumed = convert_with_files(text)
    # explore's dataset is the page's first block: its 14 variants that change it start there;
    # the one that changes only its model, and learn's 7, go on from the page's. Each stops
    # after its own train cell (positions 2 and 5): nothing below reads what it trained.
    assert len(started) == 22 and len([s for s in started if s > 0]) == 8
    assert stops == [3] * 15 + [6] * 7
    monkeypatch.setattr(variants, "FULL_REBUILD", True)
    rebuilt_html, rebuilt = convert_with_files(text)
    assert sorted(resumed) == sorted(rebuilt)
    assert len([f for f in resumed if f.startswith("mlpages-variants/")]) == 24
    for path, data in rebuilt.items():
        assert resumed[path] == data, path
    assert resumed_html == rebuilt_html


def test_a_variant_starts_at_the_first_block_whose_yaml_it_changes(monkeypatch):
    starts = spy(monkeypatch, "first_change")
    _, files = convert_with_files(page("knobs:\n  epochs: [2, 4]\n  model.layers[0].units: [3, 4]"))
    # Variants 0 (2, 3), 1 (2, 4), 3 (4, 4); the author's is 2 (4, 3). The model is the page's
    # second block (position 1), the train cell its third: the dataset is never built again.
    assert starts == [2, 1, 1]
    assert len([f for f in files if f.startswith("mlpages-variants/")]) == 4


def test_a_block_above_that_failed_in_the_authors_page_has_the_variant_build_the_whole_page(monkeypatch):
    broken = page("knobs:\n  epochs: [2, 4]").replace(
        "```train", "```quiz\nname: q\ninclude: quizzes/none.yml\n```\n\n```train")
    starts = spy(monkeypatch, "first_change")
    html, files = convert_with_files(broken)
    assert starts == [0]  # the quiz fails again in the variant's build, from the start
    assert_as_built_whole(monkeypatch, broken, html, files)


def test_a_variant_stops_after_the_last_block_its_changes_reach(monkeypatch):
    """The predict cell below reads the model the variant trains differently: built again. The
    dataset below it reads nothing the variant changed: the author's, not built again."""
    text = page("knobs:\n  epochs: [2, 4]") + "\n```dataset\nname: other\ngenerate: xor\nn: 8\nseed: 2\n```\n"
    spans = spy(monkeypatch, "last_reached", lambda args, stop: (args[3], stop))  # (start, stop)
    html, files = convert_with_files(text)
    assert spans == [(2, 4)]  # fit and p, of pts, net, fit, p, other
    assert_as_built_whole(monkeypatch, text, html, files)


def test_a_variant_that_reaches_an_exported_model_builds_the_rest_of_the_page(monkeypatch):
    """A model read `from:` the folder a reached train cell exports to changes with the
    variant, though it touches none of the state noted: the variant builds to the end."""
    text = page("knobs:\n  epochs: [2, 4]") + (
        "\n```train\nname: more\nmodel: net\ndataset: pts\nepochs: 1\nexport: models/knobbed\n```\n"
        "\n```model\nname: again\nfrom: models/knobbed/model.json\n"
        "compile: {optimizer: sgd, loss: binaryCrossentropy}\n```\n"
        "\n```predict\nname: p2\nmodel: again\ndataset: pts\n```\n")
    spans = spy(monkeypatch, "last_reached", lambda args, stop: (args[3], stop))  # (start, stop)
    html, files = convert_with_files(text)
    assert "mlpages-error" not in html
    assert spans == [(2, None)]
    variant = variant_specs(files, 0)
    assert variant["p2"]["references"] != specs_by_name(html)["p2"]["references"]
    assert_as_built_whole(monkeypatch, text, html, files)


def test_a_numeric_question_that_reads_the_trained_cell_is_reached(monkeypatch):
    """tests/fixtures/knobs: the quiz below reads the train cell's results (its spec), so
    every variant builds it, and the files are those of the whole page built again."""
    text = (Path(__file__).resolve().parent / "fixtures/knobs/index.md").read_text("utf-8")
    stops = spy(monkeypatch, "last_reached")
    html, files = convert_with_files(text)
    assert stops == [5, 5, 5]  # pts, net, fit, p, check: to the quiz
    assert_as_built_whole(monkeypatch, text, html, files)


def test_a_free_form_cell_below_which_lists_the_pages_models_is_reached(monkeypatch):
    text = page("knobs:\n  epochs: [2, 4]") + "\n```tfjs\n// name: look\nprint('models');\n```\n"
    stops = spy(monkeypatch, "last_reached")
    html, files = convert_with_files(text)
    assert "mlpages-error" not in html
    assert stops == [5]  # pts, net, fit, p, look: it reads every model (their ids and fits)
    assert_as_built_whole(monkeypatch, text, html, files)
