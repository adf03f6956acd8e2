"""Free-form cells at build: the `tfjs` fence's header and code in its spec, the `reference`
fence paired with it and run per backend epsilon, its errors at the Markdown line that
raised (strict builds fail), author code turned off, the cache, and verify's comparison of
named values (a name on one side only, another shape, non-finite values)."""

from __future__ import annotations

import logging
import math

import pytest
from mdhelpers import Converter, cell_specs, convert
from mlpages.verify.compare import check_cell
from sitebuild import build, write_project

HEAD = "# Free-form\n\n"  # two lines: the first fence opens on line 3

CELL = """```tfjs
// name: double
// tolerance: {rtol: 1.0e-4, atol: 0}
const x = tf.tensor1d([1, 2, 3]);
return {y: x.mul(2), n: 3};
```
"""
REFERENCE = """
```reference
import numpy as np
y = np.array([1, 2, 3], dtype=np.float32) * 2
return {"y": y, "n": 3}
```
"""


def specs(text: str, **config) -> list[dict]:
    return [s for s in cell_specs(convert(HEAD + text, path="docs/ff.md", **config)) if s["kind"] == "tfjs"]


def warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


def test_the_header_and_code_make_the_spec():
    (spec,) = specs(CELL + REFERENCE)
    assert spec["name"] == "double" and spec["id"] == "mlp-ff-double"
    assert spec["tolerance"] == {"rtol": 1e-4, "atol": 0.0}
    assert spec["line"] == 4  # the fence opens on line 3: its code starts on line 4
    assert spec["source"] == "docs/ff.md"
    assert spec["code"].splitlines()[2] == "const x = tf.tensor1d([1, 2, 3]);"
    assert [r["epsilon"] for r in spec["references"]] == [1e-4, 1e-7]
    for ref in spec["references"]:
        assert ref["values"] == {"y": {"shape": [3], "data": [2.0, 4.0, 6.0]},
                                 "n": {"shape": [], "data": [3.0]}}


def test_the_reference_shows_as_python_under_the_cell():
    html = convert(HEAD + CELL + REFERENCE, path="docs/ff.md")
    assert 'class="language-python"' in html and "NumPy reference of <code>double</code>" in html
    assert html.count('data-mlpages-kind="tfjs"') == 1
    assert 'data-mlpages-kind="reference"' not in html  # no cell of its own


def test_a_reference_above_its_cell_names_it():
    text = ("```reference\n# cell: later\nreturn {'v': 1.5}\n```\n\n"
            "```tfjs\n// name: later\nreturn {v: 1.5};\n```\n")
    (spec,) = specs(text)
    assert spec["references"][0]["values"] == {"v": {"shape": [], "data": [1.5]}}


def test_a_cell_without_a_reference_is_not_checked():
    (spec,) = specs("```tfjs\nprint('hi');\n```\n")
    assert spec["name"] == "tfjs-1" and spec["references"] is None
    assert check_cell(spec, {"id": spec["id"], "status": "ok", "epsilon": 1e-4}).mismatches == []


def test_later_references_see_earlier_values_and_epsilon():
    text = CELL + REFERENCE + (
        "\n```tfjs\n// name: more\nreturn {z: values.y.sum()};\n```\n\n"
        "```reference\nreturn {'z': values['y'].sum() + epsilon}\n```\n")
    _, more = specs(text)
    assert [r["values"]["z"]["data"][0] for r in more["references"]] == [12 + 1e-4, 12 + 1e-7]


def test_a_reference_reads_the_blocks_above_it():
    text = ("```dataset\nname: pts\nx: [[0], [1]]\ny: [[1], [3]]\n```\n\n"
            "```model\nname: line\nlayers:\n  - dense: {units: 1, inputShape: [1], kernelInitializer: ones}\n"
            "compile: {optimizer: sgd, loss: meanSquaredError}\n```\n\n"
            "```tfjs\n// name: use\nreturn {};\n```\n\n"
            "```reference\nx, y = dataset('pts')\nreturn {'out': model('line').predict(x), 'y': y}\n```\n")
    (spec,) = specs(text)
    values = spec["references"][0]["values"]
    assert values["out"] == {"shape": [2, 1], "data": [0.0, 1.0]}  # kernel 1, bias 0
    assert values["y"]["data"] == [1.0, 3.0]
    assert spec["models"] == {"line": {"id": "mlp-ff-line", "after": []}}
    assert spec["datasets"] == {"pts": "mlp-ff-pts"}


@pytest.mark.parametrize(("text", "line", "message"), [
    ("```tfjs\n// name: a\n// tolerence: {rtol: 1}\nreturn {};\n```\n", 5,
     "unknown key 'tolerence' (did you mean 'tolerance'?)"),
    (CELL + "\n```reference\nimport numpy as np\nx = 1 / 0\nreturn {'y': x}\n```\n", 12,
     "tfjs 'double': its NumPy reference raised ZeroDivisionError: division by zero"),
    (CELL + "\n```reference\ndef f():\n    return [1][2]\n\nreturn {'y': f()}\n```\n", 12,
     "its NumPy reference raised IndexError: list index out of range"),
    (CELL + "\n```reference\nx = (1 +\nreturn {'y': x}\n```\n", 11, "its NumPy reference: SyntaxError"),
    (CELL + "\n```reference\ny = 2\n```\n", 11, "end it with return {name: value, ...}"),
    (CELL + "\n```reference\nreturn {'y': 'two'}\n```\n", 11, "value 'y' is a str, not a number"),
    (CELL + "\n```reference\nreturn {'y': 1}\ny = 2\n```\n", 11, "'return' ends the reference"),
    ("```reference\n# cell: nowhere\nreturn {}\n```\n", 4, "no tfjs cell named 'nowhere' on this page"),
    (CELL + "\n```reference\nreturn {'y': values['w'], 'n': 3}\n```\n", 11,
     "raised KeyError: \"values['w']: no reference above returns it (values: none)\""),
])
def test_mistakes_name_their_markdown_line(caplog, text, line, message):
    specs(text)
    (warning,) = [w for w in warnings(caplog) if message in w]
    assert warning.startswith(f"docs/ff.md:{line}: "), warning


def test_a_raising_reference_fails_a_strict_build_at_its_line(tmp_path):
    page = HEAD + CELL + ("\n```reference\nimport numpy as np\n\nvalue = np.log(-1) + [][0]\n"
                          "return {'y': value}\n```\n")
    result = build(write_project(tmp_path, {"index.md": page}))
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert ("docs/index.md:13: tfjs 'double': its NumPy reference raised IndexError: "
            "list index out of range") in output
    assert "Traceback" not in output


def test_author_code_off_turns_off_references_and_loaders(tmp_path):
    loader = "```dataset\nname: d\nloader: data:load\n```\n\n"
    project = write_project(tmp_path, {"index.md": HEAD + loader + CELL + REFERENCE})
    config = project / "mkdocs.yml"
    config.write_text(config.read_text().replace("plugins: [mlpages]\n",
                                                 "plugins:\n  - mlpages:\n      author_code: false\n"))
    result = build(project, strict=False)
    output = result.stdout + result.stderr
    assert "docs/index.md:5: dataset 'd': 'loader:' runs Python code at build time and author code is " \
           "turned off for this build (plugin option author_code: false)" in output
    assert ("docs/index.md:15: tfjs 'double': its NumPy reference is Python run at build time, and author "
            "code is turned off for this build (plugin option author_code: false)") in output
    html = (project / "site" / "index.html").read_text()
    assert "author_code: false" in html  # the page shows the error box in place of the cell


def test_references_are_cached_by_content(tmp_path):
    convert_ = Converter(cache_dir=str(tmp_path / "cache"))
    convert_(HEAD + CELL + REFERENCE, "docs/ff.md")
    assert convert_.ext.cache.misses == 1
    again = Converter(cache_dir=str(tmp_path / "cache"))
    again(HEAD + CELL + REFERENCE, "docs/ff.md")
    assert (again.ext.cache.hits, again.ext.cache.misses) == (1, 0)
    changed = Converter(cache_dir=str(tmp_path / "cache"))
    changed(HEAD + CELL + REFERENCE.replace("* 2", "* 3"), "docs/ff.md")
    assert changed.ext.cache.misses == 1


def test_a_file_the_reference_reads_is_part_of_its_key(tmp_path):
    (tmp_path / "k.txt").write_text("2")
    ref = ("\n```reference\n# files: [k.txt]\nwith open('k.txt') as f:\n    k = float(f.read())\n"
           "return {'y': [k, k, k], 'n': 3}\n```\n")
    cache = str(tmp_path / "cache")
    page = HEAD + CELL + ref

    def run() -> Converter:
        c = Converter(cache_dir=cache)
        html = c(page, "docs/ff.md", tmp_path)  # the reference runs in its page's folder
        (spec,) = [s for s in cell_specs(html) if s["kind"] == "tfjs"]
        c.y = spec["references"][0]["values"]["y"]["data"]
        return c

    first = run()
    assert (first.ext.cache.misses, first.y) == (1, [2.0, 2.0, 2.0])
    assert run().ext.cache.misses == 0
    (tmp_path / "k.txt").write_text("3")
    third = run()
    assert (third.ext.cache.misses, third.y) == (1, [3.0, 3.0, 3.0])


def _spec(values: dict) -> dict:
    return {"kind": "tfjs", "name": "c", "id": "mlp-p-c", "tolerance": {"rtol": 1e-3, "atol": 1e-5},
            "references": [{"epsilon": 1e-4, "values": values}]}


def _result(values: dict) -> dict:
    return {"id": "mlp-p-c", "status": "ok", "epsilon": 1e-4, "values": values}


def test_verify_compares_each_named_value():
    ref = {"w": {"shape": [2], "data": [1.0, 2.0]}, "loss": {"shape": [], "data": [0.5]}}
    assert check_cell(_spec(ref), _result(ref)).mismatches == []
    off = check_cell(_spec(ref), _result({**ref, "w": {"shape": [2], "data": [1.0, 2.1]}})).mismatches
    assert [m.describe() for m in off] == [
        "cell c (mlp-p-c): w index 1: browser 2.1, reference 2, allowed [1.99799, 2.00201]"]


def test_verify_fails_a_name_on_one_side_only_and_another_shape():
    ref = {"w": {"shape": [2], "data": [1.0, 2.0]}, "loss": {"shape": [], "data": [0.5]}}
    page = {"w": {"shape": [2, 1], "data": [1.0, 2.0]}, "extra": {"shape": [], "data": [1.0]}}
    found = {m.quantity: m.describe() for m in check_cell(_spec(ref), _result(page)).mismatches}
    assert set(found) == {"w", "loss", "extra"}
    assert "browser shape [2, 1], reference shape [2]" in found["w"]
    assert "the page's code does not return it" in found["loss"]
    assert "the reference has none of that name" in found["extra"]


def test_a_non_finite_reference_matches_only_the_same_value():
    ref = {"v": {"shape": [3], "data": ["NaN", "Infinity", 1.0]}}
    same = {"v": {"shape": [3], "data": [math.nan, math.inf, 1.0]}}
    assert check_cell(_spec(ref), _result(same)).mismatches == []
    other = {"v": {"shape": [3], "data": [1.0, -math.inf, math.nan]}}
    assert len(check_cell(_spec(ref), _result(other)).mismatches) == 3


def test_a_non_finite_reference_value_is_written_as_the_contract_says():
    (spec,) = specs(CELL.replace("n: 3", "n: NaN") + "\n```reference\nreturn {'y': [2, 4, 6], "
                    "'n': float('nan')}\n```\n")
    assert spec["references"][0]["values"]["n"]["data"] == ["NaN"]


def test_a_reference_is_computed_again_only_when_what_it_reads_changes(tmp_path):
    model = ("```model\nname: line\nlayers:\n  - dense: {units: 1, inputShape: [1], kernelInitializer: %s}\n"
             "compile: {optimizer: sgd, loss: meanSquaredError}\n```\n\n")
    reads = ("```tfjs\n// name: reads\nreturn {};\n```\n\n"
             "```reference\nreturn {'w': model('line').get_weights()[0]}\n```\n\n")
    ignores = "```tfjs\n// name: ignores\nreturn {};\n```\n\n```reference\nreturn {'one': 1}\n```\n"
    cache = str(tmp_path / "cache")
    Converter(cache_dir=cache)(HEAD + model % "ones" + reads + ignores, "docs/ff.md")
    again = Converter(cache_dir=cache)
    html = again(HEAD + model % "zeros" + reads + ignores, "docs/ff.md")
    # the model's new weights: its reference and the one that reads it; not the other
    assert again.ext.cache.misses == 1
    reads_spec = [s for s in cell_specs(html) if s["name"] == "reads"][0]
    assert reads_spec["references"][0]["values"]["w"]["data"] == [0.0]


def test_a_german_page_shows_the_cells_texts_in_german():
    html = convert(HEAD + CELL + REFERENCE, path="docs/ff.md", language="de")
    assert "NumPy-Referenz von <code>double</code>, ausgeführt beim Erstellen der Website" in html
    assert "<th>Wert</th><th>Form</th><th>NumPy-Referenz</th>" in html and "<td>Skalar</td>" in html
    assert "NumPy reference of" not in html and "<td>scalar</td>" not in html
    alone = convert(HEAD + CELL, path="docs/ff.md", language="de")
    assert "keine NumPy-Referenz: Diese Zelle läuft in der Seite" in alone
