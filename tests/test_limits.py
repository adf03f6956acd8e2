"""Blocks that would take a build's memory or hours of its time are refused with `file:line`.

The builds are real `mkdocs build --strict` processes under a memory cap (tests/sitebuild.py);
the cap and the timeout only guard the test machine against a regression.
"""

from __future__ import annotations

import re
from html import unescape

import pytest
from mdhelpers import convert
from sitebuild import run_strict_build, write_project

MODEL = """\
```model
name: m
layers:
  - dense: {units: 4, activation: tanh, inputShape: [2]}
  - dense: {units: 1, activation: sigmoid}
compile: {optimizer: sgd, loss: binaryCrossentropy}
```
"""

BOMB = 'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n' + "".join(
    f"{c}: &{c} [{', '.join([f'*{p}'] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True))


def one_page(tmp_path, page: str, options: str = "") -> None:
    """A project of one page, `index.md`, with the plugin's `options` (a YAML flow mapping)."""
    write_project(tmp_path, {"index.md": page})
    if options:
        config = tmp_path / "mkdocs.yml"
        config.write_text(config.read_text().replace("plugins: [mlpages]",
                                                     f"plugins: [{{mlpages: {options}}}]"))


def failed_build(tmp_path, page: str, options: str = "") -> str:
    """Build a one-page project that must fail; its log, checked free of tracebacks."""
    one_page(tmp_path, page, options)
    result = run_strict_build(tmp_path)
    log = result.stdout + result.stderr
    assert result.returncode != 0, log
    assert "Traceback" not in log
    assert "Aborted with 1 warnings in strict mode!" in log, log
    return log


def test_an_alias_bomb_is_refused_at_its_line(tmp_path):
    log = failed_build(tmp_path, "# Bomb\n\n```dataset\nname: d\n" + BOMB + "```\n")
    # Block lines: fence 3, name 4, a 5 ... e 9, whose first *d passes 10,000 repeated values.
    assert ("index.md:9: dataset: invalid YAML: aliases repeat more than 10000 values (raise the "
            "limit with the mlpages option limits: {yaml_aliases: N})") in log


def test_deep_nesting_is_refused_at_its_line(tmp_path):
    page = "# Deep\n\n```dataset\nname: d\nx: " + "[" * 3000 + "1" + "]" * 3000 + "\n```\n"
    log = failed_build(tmp_path, page)
    assert ("index.md:5: dataset: invalid YAML: values nest more than 50 levels deep (raise the "
            "limit with the mlpages option limits: {yaml_depth: N})") in log


def test_a_huge_layer_is_refused_before_its_weights_are_allocated(tmp_path):
    page = "# Big\n\n" + MODEL.replace("{units: 1, activation: sigmoid}", "{units: 100000000}")
    log = failed_build(tmp_path, page)
    assert ("index.md:7: model 'm': too many parameters: 500,000,012 (layer 2 has 500,000,000), "
            "more than the limit of 1,000,000; raise it with the mlpages option "
            "limits: {parameters: N}") in log


def test_endless_training_is_refused(tmp_path):
    page = ("# Long\n\n```dataset\nname: d\ngenerate: xor\nn: 40\n```\n\n" + MODEL
            + "\n```train\nname: fit\nmodel: m\ndataset: d\nepochs: 100000000\n```\n")
    log = failed_build(tmp_path, page)
    assert ("index.md:21: train 'fit': too many training steps: 200,000,000 (100,000,000 epochs × "
            "2 batches of up to 32), more than the limit of 1,000,000; raise it with the mlpages "
            "option limits: {steps: N}") in log


def test_too_much_training_work_is_refused(tmp_path):
    page = ("# Long\n\n```dataset\nname: d\ngenerate: xor\nn: 40\n```\n\n" + MODEL
            + "\n```train\nname: fit\nmodel: m\ndataset: d\nepochs: 200\nbatchSize: 40\n```\n")
    log = failed_build(tmp_path, page, "{limits: {training: 100000}}")
    assert ("index.md:21: train 'fit': too much training: 136,000 (200 epochs × 40 rows × "
            "17 parameters), more than the limit of 100,000; raise it with the mlpages option "
            "limits: {training: N}") in log


def test_a_csv_of_millions_of_rows_is_refused_before_it_is_parsed(tmp_path):
    (tmp_path / "docs").mkdir()
    with (tmp_path / "docs" / "big.csv").open("w") as handle:
        handle.write("a,b,label\n")
        for _ in range(26):
            handle.write("0.25,0.5,1\n" * 100_000)
    log = failed_build(tmp_path, "# Rows\n\n```dataset\nname: d\ncsv: big.csv\n```\n")
    assert ("index.md:5: dataset 'd': too many rows in big.csv: 100,001 or more, more than the "
            "limit of 100,000; raise it with the mlpages option limits: {rows: N}") in log


def test_too_many_generated_rows_are_refused_before_they_are_drawn(tmp_path):
    log = failed_build(tmp_path, "# Rows\n\n```dataset\nname: d\ngenerate: digits\nn: 100000000\n```\n")
    assert "index.md:6: dataset 'd': too many rows: 100,000,000, more than the limit of 100,000" in log


def test_a_long_reference_reports_its_progress_in_the_build_log(tmp_path):
    page = ("# Progress\n\n```dataset\nname: d\ngenerate: xor\nn: 40\n```\n\n" + MODEL
            + "\n```train\nname: fit\nmodel: m\ndataset: d\nepochs: 3\n```\n")
    one_page(tmp_path, page, "{limits: {progress: 0}}")
    result = run_strict_build(tmp_path)
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if "reference epoch" in line]
    assert lines[0].startswith("INFO")
    assert lines[0].endswith("docs/index.md:17: train 'fit': reference epoch 1/3 (fit 1 of 2)")
    assert lines[-1].endswith("docs/index.md:17: train 'fit': reference epoch 3/3 (fit 2 of 2)")
    assert len(lines) == 6


def test_a_bad_limits_option_stops_the_build_with_a_message(tmp_path):
    one_page(tmp_path, "# x\n", "{limits: {rows: -1}}")
    result = run_strict_build(tmp_path)
    assert result.returncode != 0
    assert "limits: 'rows' must be a non-negative integer, got -1" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_scatter_plot_of_a_large_dataset_is_a_sample():
    def page(n: int) -> str:  # the page's HTML without its runtime messages (texts it may show)
        html = convert(f"```dataset\nname: d\ngenerate: circles\nn: {n}\nsplit: 0.5\n```\n",
                       limits={"rows": 200_000})
        return re.sub(r'<div id="mlpages-messages".*?</div>', "", html, flags=re.S)

    small, large = page(400), page(40_000)
    assert small.count("<circle") == 400 and "showing" not in small
    assert large.count("<circle") == 500
    assert "showing 500 of 40,000 points" in unescape(large)
    # The page carries the data itself (in array files beside it), not a plot that grows with it.
    assert len(large) < len(small) + 4096


def test_limits_are_options_of_the_extension(warnings_log):
    convert(MODEL, path="docs/a.md", limits={"parameters": 16})
    assert warnings_log() == [
        "docs/a.md:4: model 'm': too many parameters: 17 (layer 1 has 12), more than the limit of 16; "
        "raise it with the mlpages option limits: {parameters: N} if the build can afford it"]
    with pytest.raises(ValueError, match=re.escape("limits: unknown option(s) 'param'")):
        convert(MODEL, limits={"param": 1})


def test_a_block_that_runs_the_build_out_of_memory_is_reported_at_its_line(tmp_path):
    # With the parameter limit raised past what the memory cap holds, drawing the weights
    # fails; the build reports the block instead of a traceback.
    one_page(tmp_path, "# Big\n\n" + MODEL.replace("{units: 1, activation: sigmoid}", "{units: 100000000}"),
             "{limits: {parameters: 1000000000}}")
    result = run_strict_build(tmp_path, memory_mb=1536)
    log = result.stdout + result.stderr
    assert result.returncode != 0
    assert "Traceback" not in log
    assert "index.md:3: model 'm': the build ran out of memory on this block; make it smaller" in log
