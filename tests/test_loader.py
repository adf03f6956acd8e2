"""`dataset` blocks with `loader: module:function`: author code returning arrays at build."""

from __future__ import annotations

import numpy as np
import pytest
from course_loaders import bars
from mdhelpers import convert, specs_by_name
from sitebuild import write_project


def test_a_loader_returning_images_and_class_names_feeds_a_cnn():
    text = """\
```dataset
name: bars
loader: course_loaders:bars
split: 0.5
```

```model
name: net
layers:
  - conv2d: {filters: 2, kernelSize: 2, activation: relu, inputShape: [4, 4, 1]}
  - flatten: {}
  - dense: {units: 2, activation: softmax}
compile: {optimizer: sgd, loss: categoricalCrossentropy, metrics: [accuracy]}
```

```train
name: fit
model: net
dataset: bars
epochs: 2
batchSize: 3
validation: test
```
"""
    html = convert(text)
    found = specs_by_name(html)
    data = found["bars"]
    expected = bars()
    assert data["classes"] == ["horizontal", "vertical"]
    assert data["x"]["shape"] == [6, 4, 4, 1] and data["test"]["x"]["shape"] == [6, 4, 4, 1]
    np.testing.assert_array_equal(np.asarray(data["x"]["data"], np.float32).reshape(6, 4, 4, 1),
                                  expected["x"][:6])
    assert len(found["fit"]["references"][0]["history"]["val_acc"]) == 2
    assert "horizontal" in html  # the preview names the classes


@pytest.mark.parametrize(("loader", "message"), [
    ("ragged", "loader 'course_loaders:ragged' returned 3 rows of x but 2 of y"),
    ("words", "loader 'course_loaders:words' returned arrays that are not numbers"),
    ("three", "loader 'course_loaders:three' must return (x, y) or a mapping with 'x' and optionally "
              "'y', 'features' and 'classes'; got tuple"),
    ("with_nan", "loader 'course_loaders:with_nan' returned non-finite values in x"),
    ("wrong_classes", "loader 'course_loaders:wrong_classes': 'classes' must name each one-hot column of y"),
    ("broken", "loader 'course_loaders:broken' failed: RuntimeError: the data server is down"),
    ("nothing", "cannot import loader 'course_loaders:nothing'"),
])
def test_loader_mistakes_are_file_line_errors(loader, message, warnings_log):
    text = f"# T\n\n```dataset\nname: d\nloader: course_loaders:{loader}\n```\n"
    convert(text, path="docs/t.md")
    (warning,) = warnings_log()
    assert warning.startswith(f"docs/t.md:5: dataset 'd': {message}"), warning
    assert "Traceback" not in warning


def test_a_plain_tuple_loader_gets_numbered_features():
    found = specs_by_name(convert("```dataset\nname: t\nloader: course_loaders:table\n```\n"))
    assert found["t"]["features"] == ["x1", "x2"] and found["t"]["y"]["shape"] == [3, 1]


def test_a_loader_module_next_to_mkdocs_yml_imports_under_the_mkdocs_command(tmp_path):
    # The `mkdocs` console script, started from another folder: nothing but the plugin puts
    # the project on the import path.
    import os
    import subprocess
    import sys
    from pathlib import Path

    project = write_project(tmp_path / "course",
                            {"index.md": "# Data\n\n```dataset\nname: pts\nloader: local_data:points\n```\n"})
    (project / "local_data.py").write_text(
        "def points():\n    return {'x': [[0.0], [1.0], [2.0]], 'y': [0, 1, 1], 'features': ['size']}\n",
        encoding="utf-8")
    mkdocs = Path(sys.executable).parent / "mkdocs"
    result = subprocess.run(
        [str(mkdocs), "build", "--strict", "-f", str(project / "mkdocs.yml"), "-d", str(project / "site")],
        cwd=tmp_path, capture_output=True, text=True, env=dict(os.environ, NO_MKDOCS_2_WARNING="1"),
        timeout=300)
    assert result.returncode == 0, result.stderr
    found = specs_by_name((project / "site" / "index.html").read_text(encoding="utf-8"))
    assert found["pts"]["features"] == ["size"] and found["pts"]["x"]["shape"] == [3, 1]
    assert "local_data" not in sys.modules
