"""What a build trusts: author code (`loader:`) cannot end or crash it, and no block reads a
file outside the project, whatever path or symlink it names.

The build tests run a real `mkdocs build --strict` under a memory limit and check the exit
status, the block's `file:line` message, that no traceback is printed, and that nothing of
a file outside the project (a unique marker string) reaches the output or the site.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import uuid
from pathlib import Path

import numpy as np
import pytest
from mdhelpers import XOR_CELLS
from mlpages.authorcode import run_author_code
from mlpages.data import DataError, load_csv
from mlpages.errors import BlockError
from mlpages.export import layers_model_json
from mlpages.modelfile import ModelFileError, read_layers_model
from sitebuild import build, run_strict_build, write_project

NO_LOADERS = "plugins:\n  - mlpages:\n      loaders: false\n"


def _project(root: Path, page: str, *, loaders: bool = True, extra: str = "") -> Path:
    """A project with one page `docs/index.md`, with loaders on or off (`extra`: more
    mkdocs.yml)."""
    project = write_project(root / "project", {"index.md": page}, extra=extra)
    if not loaders:
        config = project / "mkdocs.yml"
        config.write_text(config.read_text(encoding="utf-8").replace("plugins: [mlpages]\n", NO_LOADERS),
                          encoding="utf-8")
    return project


def _secret(root: Path, name: str, text: str) -> tuple[Path, str]:
    """A file outside the project holding a unique marker (also in `text`'s `{marker}`)."""
    marker = f"SECRET{uuid.uuid4().hex}"
    path = root / "outside" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text.format(marker=marker), encoding="utf-8")
    return path, marker


def _failed_at(result, message: str, marker: str | None = None, project: Path | None = None) -> None:
    """The strict build failed with `message` (a `file:line: kind 'name': ...` prefix), printed no
    traceback, and, with a marker, leaked none of it into the output or the built site."""
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert message in output, output
    assert "Traceback" not in output, output
    if marker is not None:
        assert marker not in output
        site = project / "site"
        assert (site / "index.html").is_file()  # --strict fails after writing the site
        for path in site.rglob("*"):
            if path.is_file():
                assert marker.encode() not in path.read_bytes(), path


# --------------------------------------------------------------------------- loaders


LOADER_PAGE = "# Data\n\n```dataset\nname: d\nloader: {loader}\n```\n"


@pytest.mark.parametrize(("module", "loader", "message"), [
    (None, "sys:exit",
     "loader 'sys:exit' failed: it called sys.exit(None); code run at build must return its result"),
    ("def load():\n    raise SystemExit(3)\n", "course_data:load",
     "loader 'course_data:load' failed: it called sys.exit(3)"),
    ("class Stop(BaseException):\n    pass\n\ndef load():\n    raise Stop('no data today')\n",
     "course_data:load", "loader 'course_data:load' failed: Stop: no data today"),
    ("raise RuntimeError('the data server is down')\n", "course_data:load",
     "cannot import loader 'course_data:load': RuntimeError: the data server is down"),
    ("def load(:\n", "course_data:load", "cannot import loader 'course_data:load': SyntaxError"),
    ("import sys\nsys.exit(0)\n", "course_data:load",
     "cannot import loader 'course_data:load': it called sys.exit(0)"),
], ids=["sys-exit", "raise-SystemExit", "BaseException", "raise-at-import", "syntax-error", "exit-at-import"])
def test_a_loader_that_raises_or_exits_is_the_blocks_error(tmp_path: Path, module, loader, message):
    project = _project(tmp_path, LOADER_PAGE.format(loader=loader))
    if module is not None:
        (project / "course_data.py").write_text(module, encoding="utf-8")
    result = run_strict_build(project)
    _failed_at(result, f"docs/index.md:5: dataset 'd': {message}")


def test_ctrl_c_in_author_code_still_stops_the_build():
    def interrupted() -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_author_code(interrupted, what="loader 'x:y' failed", key="loader")
    with pytest.raises(BlockError, match=r"^loader 'x:y' failed: ZeroDivisionError: division by zero$"):
        run_author_code(lambda: 1 / 0, what="loader 'x:y' failed", key="loader")


# --------------------------------------------------------------------------- files outside the project

OUTSIDE = "is outside the folder docs/ (mlpages reads files only from inside it"
CSV_PAGE = "# Data\n\n```dataset\nname: d\ncsv: {csv}\n```\n"


@pytest.mark.parametrize("how", ["absolute", "relative", "symlink"])
@pytest.mark.parametrize("text", [
    "root:x:0:0:{marker}:/root:/bin/bash\nuser:x:1000:1000::/home/{marker}:/bin/sh\n",
    "size,kind\n1,{marker}\n2,{marker}-b\n",
], ids=["passwd", "csv"])
def test_a_csv_file_outside_the_docs_folder_is_never_read(tmp_path: Path, how: str, text: str):
    secret, marker = _secret(tmp_path, "secret.csv", text)
    csv = {"absolute": str(secret), "relative": "../../outside/secret.csv",
           "symlink": "data/flowers.csv"}[how]
    project = _project(tmp_path, CSV_PAGE.format(csv=csv), loaders=False)
    if how == "symlink":
        (project / "docs" / "data").mkdir()
        (project / "docs" / "data" / "flowers.csv").symlink_to(secret)
    result = run_strict_build(project)
    _failed_at(result, f"docs/index.md:5: dataset 'd': 'csv: {csv}' {OUTSIDE}", marker, project)


def test_a_csv_path_that_cannot_be_followed_is_the_blocks_error(tmp_path: Path):
    project = _project(tmp_path, CSV_PAGE.format(csv="data/a.csv"))
    (project / "docs" / "data").mkdir()
    (project / "docs" / "data" / "a.csv").symlink_to("b.csv")
    (project / "docs" / "data" / "b.csv").symlink_to("a.csv")
    result = run_strict_build(project)
    _failed_at(result, "docs/index.md:5: dataset 'd': 'csv: data/a.csv' cannot be followed to a file")


MODEL_PAGE = ("# Model\n\n```model\nname: m\nfrom: models/m/model.json\n"
              "compile: {optimizer: sgd, loss: meanSquaredError}\n```\n")
LAYERS = [{"type": "dense", "config": {"units": 1, "inputShape": [2]}}]
# Three float32 weights (a [2, 1] kernel and a bias) that are nowhere else in a site.
WEIGHTS = np.array([4242.25, 4343.5, 4444.75], dtype="<f4")


def _model_project(tmp_path: Path, paths: list[str] | None = None) -> Path:
    """A project whose page reads docs/models/m/model.json (its manifest naming `paths`)."""
    # Not the weight files in the site: a test's may be huge (sparse).
    project = _project(tmp_path, MODEL_PAGE, extra="exclude_docs: '*.bin'\n")
    doc, data = layers_model_json(LAYERS, ["dense_1/kernel", "dense_1/bias"],
                                  [WEIGHTS[:2].reshape(2, 1), WEIGHTS[2:]])
    assert data == WEIGHTS.tobytes()
    folder = project / "docs" / "models" / "m"
    folder.mkdir(parents=True)
    if paths is not None:
        doc["weightsManifest"][0]["paths"] = paths
    (folder / "model.json").write_text(json.dumps(doc), encoding="utf-8")
    return project


def _no_weights_published(project: Path) -> None:
    for path in (project / "site").rglob("*.html"):
        assert "4242.25" not in path.read_text(encoding="utf-8"), path


@pytest.mark.parametrize("how", ["relative", "absolute", "symlink"])
def test_weight_paths_outside_the_docs_folder_are_never_read(tmp_path: Path, how: str):
    secret = tmp_path / "outside" / "weights.bin"
    secret.parent.mkdir()
    marker = f"SECRET{uuid.uuid4().hex}"
    secret.write_bytes(WEIGHTS.tobytes() + marker.encode())
    path = {"relative": "../../../../outside/weights.bin", "absolute": str(secret),
            "symlink": "weights.bin"}[how]
    project = _model_project(tmp_path, [path])
    if how == "symlink":
        (project / "docs" / "models" / "m" / "weights.bin").symlink_to(secret)
    result = run_strict_build(project)
    _failed_at(result, f"docs/index.md:5: model 'm': model.json: the path '{path}' {OUTSIDE}",
               marker, project)
    _no_weights_published(project)


@pytest.mark.parametrize("how", ["absolute", "symlink"])
def test_a_weight_path_to_dev_zero_fails_without_reading_it(tmp_path: Path, how: str):
    path = "/dev/zero" if how == "absolute" else "weights.bin"
    project = _model_project(tmp_path, [path])
    if how == "symlink":
        (project / "docs" / "models" / "m" / "weights.bin").symlink_to("/dev/zero")
    result = run_strict_build(project)
    _failed_at(result, f"docs/index.md:5: model 'm': model.json: the path '{path}' {OUTSIDE}")


def test_a_weight_file_that_is_a_pipe_is_not_read(tmp_path: Path):
    # Reading a pipe nobody writes to never ends: the time limit only guards against that.
    project = _model_project(tmp_path)
    os.mkfifo(project / "docs" / "models" / "m" / "weights.bin")
    result = run_strict_build(project, timeout=120)
    _failed_at(result, "docs/index.md:5: model 'm': model.json: 'weights.bin' is not a regular file")


def test_a_model_json_symlinked_from_outside_is_never_read(tmp_path: Path):
    project = _model_project(tmp_path)
    (project / "docs" / "models" / "m" / "weights.bin").write_bytes(WEIGHTS.tobytes())
    outside = tmp_path / "outside"
    outside.mkdir()
    (project / "docs" / "models" / "m" / "model.json").rename(outside / "model.json")
    (project / "docs" / "models" / "m" / "model.json").symlink_to(outside / "model.json")
    result = run_strict_build(project)
    _failed_at(result, f"docs/index.md:5: model 'm': 'from: models/m/model.json' {OUTSIDE}")
    _no_weights_published(project)


def test_a_huge_weight_file_is_read_only_as_far_as_the_manifest_needs(tmp_path: Path):
    # 8 GiB (sparse) after the model's 12 bytes, built under a 4 GiB memory limit.
    project = _model_project(tmp_path)
    weights = project / "docs" / "models" / "m" / "weights.bin"
    with weights.open("wb") as out:
        out.write(WEIGHTS.tobytes())
        out.truncate(8 * 2**30)
    result = run_strict_build(project)
    assert result.returncode == 0, result.stderr
    html = (project / "site" / "index.html").read_text(encoding="utf-8")
    assert "4242.25" in html and "4444.75" in html


def test_a_file_of_the_docs_folder_symlinked_from_outside_is_not_published(tmp_path: Path):
    # MkDocs copies every file of the docs folder into the site, following symlinks.
    secret, marker = _secret(tmp_path, "notes.txt", "{marker}\n")
    project = _project(tmp_path, "# Notes\n\nSee [the notes](notes.txt).\n")
    (project / "docs" / "notes.txt").symlink_to(secret)
    result = run_strict_build(project)
    _failed_at(result, "mlpages: docs/notes.txt is outside the folder project/ (mlpages reads files only "
               "from inside it; a symlink counts where it points); it is not published", marker, project)


def test_a_file_of_the_docs_folder_symlinked_inside_the_project_is_published(tmp_path: Path):
    # The common `docs/index.md` -> `../README.md` keeps working.
    project = _project(tmp_path, "# Home\n")
    (project / "README.md").write_text("# The readme page\n", encoding="utf-8")
    (project / "docs" / "index.md").unlink()
    (project / "docs" / "index.md").symlink_to("../README.md")
    result = run_strict_build(project)
    assert result.returncode == 0, result.stderr
    assert "The readme page" in (project / "site" / "index.html").read_text(encoding="utf-8")


QUIZ_PAGE = "# Quiz\n\n```quiz\nname: q\ninclude: quizzes/bank.yml\n```\n"
BANK = "- id: a\n  question: '{marker}?'\n  answers: [{marker}, {{text: b, correct: true}}]\n"


@pytest.mark.parametrize("how", ["bank", "folder"])
def test_a_quiz_bank_symlinked_from_outside_is_never_read(tmp_path: Path, how: str):
    secret, marker = _secret(tmp_path, "bank.yml", BANK)
    project = _project(tmp_path, QUIZ_PAGE)
    if how == "bank":
        (project / "quizzes").mkdir()
        (project / "quizzes" / "bank.yml").symlink_to(secret)
    else:
        (project / "quizzes").symlink_to(secret.parent)
    result = run_strict_build(project)
    _failed_at(result, "docs/index.md:5: quiz 'q': quiz bank 'quizzes/bank.yml' is outside the folder "
               "project/ (mlpages reads files only from inside it", marker, project)


@pytest.mark.parametrize(("change", "message"), [
    (lambda doc: doc["weightsManifest"][0].pop("paths"), "the weightsManifest must be a list of"),
    (lambda doc: doc["weightsManifest"][0]["weights"][0].update(shape="2x1"),
     "weight 'dense_1/kernel' has no valid shape"),
    (lambda doc: doc["weightsManifest"].append(7), "the weightsManifest must be a list of"),
    (lambda doc: doc["modelTopology"]["config"]["layers"].append("dense"), "layer 2 is not a"),
    (lambda doc: doc["modelTopology"]["config"]["layers"][0]["config"].update(batch_input_shape=5),
     "model.json: the topology is malformed (TypeError)"),
], ids=["no-paths", "bad-shape", "bad-group", "bad-layer", "bad-input-shape"])
def test_a_malformed_model_file_is_an_error_not_a_traceback(tmp_path: Path, change, message):
    doc, data = layers_model_json(LAYERS, ["dense_1/kernel", "dense_1/bias"],
                                  [WEIGHTS[:2].reshape(2, 1), WEIGHTS[2:]])
    change(doc)
    (tmp_path / "model.json").write_text(json.dumps(doc), encoding="utf-8")
    (tmp_path / "weights.bin").write_bytes(data)
    with pytest.raises(ModelFileError, match=re.escape(message)):
        read_layers_model(tmp_path / "model.json")


def test_a_csv_message_quotes_little_of_a_cell(tmp_path: Path):
    path = tmp_path / "data.csv"
    path.write_text(f"a,y\n{'x' * 1000},0\n", encoding="utf-8")
    with pytest.raises(DataError) as error:
        load_csv(path)
    assert "is not a number" in str(error.value) and "x" * 41 not in str(error.value)


# --------------------------------------------------------------------------- the reference cache

CACHED_PAGE = "# Cells\n\n" + XOR_CELLS + """
```predict
name: after
model: net
dataset: xor
split: train
```
"""


def _cell_specs(project: Path) -> dict[str, dict]:
    html = (project / "site" / "index.html").read_text(encoding="utf-8")
    found = [json.loads(m)[0] for m in re.findall(r'class="mlpages-spec">(.*?)</script>', html)]
    return {spec["name"]: spec for spec in found}


def _grow(refs: list) -> None:
    """One more epoch in every history, one more row of predictions."""
    for ref in refs:
        for values in ref.get("history", {}).values():
            values.append(0.125)
        if "predictions" in ref:
            ref["predictions"]["shape"][0] += 1
            ref["predictions"]["data"].append(0.125)


def _shrink(refs: list) -> None:
    """The last epoch of every history and the last prediction gone, the rest kept."""
    for ref in refs:
        for values in ref.get("history", {}).values():
            values.pop()
        if "predictions" in ref:
            ref["predictions"]["data"].pop()


@pytest.mark.parametrize("change", [
    lambda refs: [{"epsilon": ref["epsilon"]} for ref in refs],
    lambda refs: {"references": refs},
    lambda refs: _grow(refs) or refs,
    lambda refs: _shrink(refs) or refs,
    lambda refs: refs[:1],
], ids=["no-history", "not-a-list", "one-epoch-more", "one-epoch-less", "one-epsilon"])
def test_a_cache_entry_of_the_wrong_structure_is_recomputed(tmp_path: Path, change):
    project = _project(tmp_path, CACHED_PAGE)
    first = run_strict_build(project)
    assert first.returncode == 0, first.stderr
    expected = _cell_specs(project)
    entries = sorted((project / ".mlpages-cache").glob("*.json"))
    assert len(entries) == 2  # the train and the predict cell
    for path in entries:  # a valid checksum over a value of the wrong structure
        entry = json.loads(path.read_text(encoding="utf-8"))
        payload = json.dumps(change(json.loads(entry["value"])))
        entry.update(value=payload, sha256=hashlib.sha256(payload.encode()).hexdigest())
        path.write_text(json.dumps(entry), encoding="utf-8")
    second = run_strict_build(project)
    assert second.returncode == 0, second.stderr
    assert "Traceback" not in second.stderr
    assert "references: 0 cached, 2 computed" in second.stderr
    assert _cell_specs(project) == expected


@pytest.mark.parametrize("cache_dir", [".mlpages-cache", "blocker/cache"], ids=["a-file", "under-a-file"])
def test_a_cache_folder_that_cannot_be_used_falls_back_to_memory_with_one_warning(tmp_path: Path, cache_dir):
    project = _project(tmp_path, CACHED_PAGE + "\n" + CACHED_PAGE.replace("# Cells\n", "").replace(
        "name: ", "name: again-"))
    config = project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "plugins: [mlpages]\n", f"plugins:\n  - mlpages:\n      cache_dir: {cache_dir}\n"), encoding="utf-8")
    (project / cache_dir.split("/")[0]).write_text("not a folder\n", encoding="utf-8")
    result = build(project, strict=False)
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("WARNING")]
    assert len(warnings) == 1, result.stderr
    assert "the reference cache folder" in warnings[0] and "cannot be used" in warnings[0]
    assert "Traceback" not in result.stderr
    assert "references: 0 cached, 4 computed" in result.stderr
    assert set(_cell_specs(project)) >= {"fit-xor", "after", "again-fit-xor", "again-after"}
    strict = run_strict_build(project)  # the warning fails --strict, without a traceback
    assert strict.returncode != 0 and "cannot be used" in strict.stderr
    assert "Traceback" not in strict.stderr


BANDED_PAGE = """\
# Dropout

```dataset
name: pts
generate: xor
n: 12
split: 0.5
```

```model
name: net
seed: 3
layers:
  - dense: {units: 4, activation: relu, inputShape: [2]}
  - dropout: {rate: 0.4}
  - dense: {units: 1, activation: sigmoid}
compile: {optimizer: sgd, loss: binaryCrossentropy, metrics: [accuracy]}
```

```train
name: first
model: net
dataset: pts
epochs: 2
validation: test
```

```train
name: second
model: net
dataset: pts
epochs: 1
```

```predict
name: after
model: net
dataset: pts
```
"""


@pytest.mark.parametrize("page", [CACHED_PAGE, BANDED_PAGE], ids=["exact", "banded"])
def test_every_reference_a_build_caches_passes_the_checks_of_the_next(tmp_path: Path, page: str):
    project = _project(tmp_path, page)
    assert run_strict_build(project).returncode == 0
    cold = _cell_specs(project)
    warm = run_strict_build(project)
    assert warm.returncode == 0, warm.stderr
    assert re.search(r"references: [1-9]\d* cached, 0 computed", warm.stderr), warm.stderr
    assert _cell_specs(project) == cold
