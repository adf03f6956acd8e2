"""The page memo (plugin/memo.py): a warm build puts back the whole output of each page
whose text, options, mlpages code and read files are unchanged, and gives the site a build
of every block gives; each input that changes builds the pages that read it again, and a
page with an author's mistake is built, and its mistake said, on every build."""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
from pathlib import Path

from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mlpages import memo
from sitebuild import MKDOCS, copy_demo, write_project

PUT_BACK = re.compile(r"mlpages: (\S+): unchanged, put back from the cache")

BASE = """\
# Base

Trains a model on a CSV file and exports it.

```dataset
name: points
csv: data.csv
label: label
```

```model
name: net
seed: 3
layers:
  - dense: {units: 3, activation: tanh, inputShape: [2]}
  - dense: {units: 1, activation: sigmoid}
compile: {optimizer: adam, loss: binaryCrossentropy}
```

```train
name: fit
model: net
dataset: points
epochs: 2
batchSize: 4
export: models/net
```
"""

CSV = "x1,x2,label\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n0.5,0.5,1\n0.2,0.9,1\n"

READER = """\
# Reader

Starts from the model the base page exports.

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

```predict
name: guess
model: tuned
x: [[0, 1]]
```
"""

QUIZ = "# Quiz\n\n```quiz\nname: q\ninclude: quizzes/bank.yml\n```\n"

BANK = """\
questions:
  - id: one
    question: Which is {word}?
    answers:
      - text: This one
        correct: true
      - That one
"""

BAD = "# Bad\n\n```dataset\nname: d\ngenerate: nonsense\n```\n"

PAGES = {"index.md": "# Home\n", "base/ch1.md": BASE, "a/reader.md": READER, "quiz.md": QUIZ,
         "bad.md": BAD}
MEMOIZED = {"docs/base/ch1.md", "docs/a/reader.md", "docs/quiz.md"}


def _course(path: Path, memo_on: bool = True) -> Path:
    project = write_project(path, PAGES, site_name="t")
    (project / "docs" / "base" / "data.csv").write_text(CSV)
    (project / "quizzes").mkdir()
    (project / "quizzes" / "bank.yml").write_text(BANK.format(word="right"))
    if not memo_on:
        _options(project, "memo: false")
    return project


def _options(project: Path, options: str) -> None:
    config = project / "mkdocs.yml"
    config.write_text(re.sub(r"plugins: \[mlpages.*\]\n", f"plugins: [mlpages: {{{options}}}]\n",
                             config.read_text()))


def _build(project: Path) -> tuple[set[str], str]:
    """A real `mkdocs build --verbose` (not strict: one page has a mistake); the pages the
    memo put back, and the log."""
    result = subprocess.run([*MKDOCS, "build", "--verbose", "-d", "site"], cwd=project,
                            capture_output=True, text=True, timeout=600,
                            env=dict(os.environ, NO_MKDOCS_2_WARNING="1"))
    assert result.returncode == 0, result.stderr
    return set(PUT_BACK.findall(result.stderr)), result.stderr


def _site(project: Path) -> dict[str, bytes]:
    """Every file of the site, less the build time MkDocs' own theme writes into each page."""
    site = project / "site"
    return {p.relative_to(site).as_posix(): re.sub(rb"Build Date UTC : [^\n]*", b"", p.read_bytes())
            for p in sorted(site.rglob("*")) if p.is_file()}


def test_a_warm_build_of_the_demo_course_puts_back_its_pages_and_gives_the_same_site(tmp_path):
    project = copy_demo(tmp_path / "demo")
    cold, _ = _build(project)
    assert cold == set()
    first = _site(project)
    warm, log = _build(project)
    kept = list((project / ".mlpages-cache" / memo.MEMO_DIR).glob("*.memo"))
    assert len(warm) == len(kept) >= 8, log
    assert _site(project) == first
    # The same as a build of every block with the memo off.
    off = copy_demo(tmp_path / "off")
    config = off / "mkdocs.yml"
    config.write_text(re.sub(r"^  - mlpages$", "  - mlpages:\n      memo: false", config.read_text(),
                             flags=re.M))
    none, _ = _build(off)
    assert none == set()
    assert not (off / ".mlpages-cache" / memo.MEMO_DIR).exists()
    assert _site(off) == first


def test_each_changed_input_builds_again_the_pages_that_read_it(tmp_path):
    project = _course(tmp_path / "course")
    assert _build(project)[0] == set()
    reused, log = _build(project)
    assert reused == MEMOIZED
    # The page with a mistake is built, and says so, on every build.
    assert "docs/bad.md:5: dataset 'd'" in log

    reader = project / "docs" / "a" / "reader.md"
    reader.write_text(READER.replace("Starts from", "Begins with"))
    assert _build(project)[0] == MEMOIZED - {"docs/a/reader.md"}

    # The CSV file changes the exported model, which the reader reads with `from:`.
    (project / "docs" / "base" / "data.csv").write_text(CSV.replace("0.5,0.5,1", "0.5,0.4,1"))
    assert _build(project)[0] == {"docs/quiz.md"}

    (project / "quizzes" / "bank.yml").write_text(BANK.format(word="correct"))
    assert _build(project)[0] == MEMOIZED - {"docs/quiz.md"}

    _options(project, "language: de")
    assert _build(project)[0] == set()
    assert _build(project)[0] == MEMOIZED
    _options(project, "language: de, limits: {rows: 500}")
    reused, log = _build(project)
    assert reused == set()
    assert "docs/bad.md:5: dataset 'd'" in log

    # What was put back is what a build of every block gives.
    off = _course(tmp_path / "off", memo_on=False)
    shutil.copy(reader, off / "docs" / "a" / "reader.md")
    shutil.copy(project / "docs" / "base" / "data.csv", off / "docs" / "base" / "data.csv")
    shutil.copy(project / "quizzes" / "bank.yml", off / "quizzes" / "bank.yml")
    _options(off, "language: de, limits: {rows: 500}, memo: false")
    assert _build(project)[0] == MEMOIZED
    assert _build(off)[0] == set()
    assert _site(off) == _site(project)


def test_a_page_fixed_is_kept_and_a_page_broken_is_not(tmp_path):
    project = _course(tmp_path / "course")
    bad = project / "docs" / "bad.md"
    bad.write_text(BAD.replace("nonsense", "xor"))
    _build(project)
    assert "docs/bad.md" in _build(project)[0]
    bad.write_text(BAD)
    for _ in range(2):
        reused, log = _build(project)
        assert "docs/bad.md" not in reused
        assert "docs/bad.md:5: dataset 'd'" in log


def test_a_second_build_in_the_same_process_puts_back_the_unchanged_pages(tmp_path, caplog):
    # As `mkdocs serve` rebuilds: the plugin's hooks run again in the same process.
    project = _course(tmp_path / "course")
    config = str(project / "mkdocs.yml")
    caplog.set_level(logging.DEBUG, logger="mkdocs.plugins.mlpages")

    def once() -> set[str]:
        caplog.clear()
        mkdocs_build(load_config(config, site_dir=str(project / "site")))
        return set(PUT_BACK.findall(caplog.text))

    assert once() == set()
    first = _site(project)
    assert once() == MEMOIZED
    assert _site(project) == first
    (project / "quizzes" / "bank.yml").write_text(BANK.format(word="correct"))
    assert once() == MEMOIZED - {"docs/quiz.md"}


def test_a_change_to_mlpages_code_changes_every_key(tmp_path, monkeypatch):
    plugin = Path(memo.__file__).resolve().parent
    copy = tmp_path / "plugin"
    shutil.copytree(plugin, copy, ignore=shutil.ignore_patterns("__pycache__", "templates"))
    monkeypatch.setattr(memo, "__file__", str(copy / "memo.py"))
    before = memo._code_digest()
    assert memo._code_digest() == before
    render = copy / "render.py"
    render.write_text(render.read_text() + "\n# changed\n")
    assert memo._code_digest() != before
    pages = memo.PageMemo(tmp_path)
    monkeypatch.setattr(memo, "_CODE", before)
    key = pages.key({"text": "x"})
    monkeypatch.setattr(memo, "_CODE", memo._code_digest())
    assert pages.key({"text": "x"}) != key


FREEFORM = """\
# Own code

```tfjs
// name: double
const y = tf.tensor1d([1, 2]).mul(2);
return {y};
```

```reference
import numpy as np
return {"y": np.array([1, 2], dtype=np.float32) * 2}
```
"""

LOADED = "# Loaded\n\n```dataset\nname: d\nloader: pageloaders:table\n```\n"

LOADERS = "def table():\n    return [[1, 2], [3, 4], [5, 6]], [0, 1, 1]\n"


def test_a_page_whose_build_runs_the_authors_python_is_not_kept(tmp_path):
    # `workers: 1`: the reference runs in the build itself, not in a process before it.
    project = write_project(tmp_path / "course", {"own.md": FREEFORM, "loaded.md": LOADED}, site_name="t")
    (project / "pageloaders.py").write_text(LOADERS)
    _options(project, "workers: 1")
    assert _build(project)[0] == set()
    # Its reference ran: not kept. Now found in the cache: the page is what its key says.
    assert _build(project)[0] == set()
    assert _build(project)[0] == {"docs/own.md"}
    # A loader runs on every build: that page is built every time, and shows what it returns.
    page = project / "site" / "loaded" / "index.html"
    before = page.read_text()
    (project / "pageloaders.py").write_text(LOADERS.replace("[0, 1, 1]", "[1, 0, 1]"))
    assert _build(project)[0] == {"docs/own.md"}
    assert page.read_text() != before


def test_a_damaged_entry_is_not_put_back_and_a_site_file_rewritten_in_place_changes_no_copy(tmp_path):
    project = _course(tmp_path / "course")
    _build(project)
    first = _site(project)
    # A tool that rewrites a site file in place changes that file only: the site's files are
    # their own, not links to the copies the memo keeps, so the next build puts the page
    # back from intact copies and writes the file again.
    weights = project / "site" / "base" / "models" / "net" / "weights.bin"
    assert weights.stat().st_nlink == 1
    with weights.open("r+b") as handle:
        handle.write(b"\0\0\0\0")
    reused, _ = _build(project)
    assert "docs/base/ch1.md" in reused
    assert _site(project) == first
    entries = sorted((project / ".mlpages-cache" / memo.MEMO_DIR).glob("*.memo"))
    assert entries
    for entry in entries:
        entry.write_text(entry.read_text().replace("mlpages", "mlpagez", 1))
    assert _build(project)[0] == set()
    assert _site(project) == first
    assert _build(project)[0] == MEMOIZED
