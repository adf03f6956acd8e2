"""A cold build computes its references in parallel processes before MkDocs converts the
pages (plugin/prepare.py): the same cache entries and pages as a serial build, and a
rebuild works again only on the pages that changed."""

from __future__ import annotations

from pathlib import Path

from mdhelpers import xor_course_page
from mlpages import prepare
from sitebuild import build, write_project

# A prediction by the trained network of the page.
PREDICT = """
```predict
name: guess
model: net
x: [[0, 1], [1, 1]]
```
"""


def _page(i: int, seed: int, epochs: int) -> str:
    return xor_course_page(i, seed, epochs=epochs) + PREDICT


def _pages(epochs: int = 3) -> dict[str, str]:
    pages = {f"p{i}.md": _page(i, 40 + i, epochs) for i in range(1, 4)}
    pages["prose.md"] = "# Prose\n\nNo cells here.\n"
    return pages


def _project(path: Path, workers: int, pages: dict[str, str]) -> Path:
    project = write_project(path, pages)
    config = project / "mkdocs.yml"
    config.write_text(config.read_text().replace("[mlpages]", f"[mlpages: {{workers: {workers}}}]"))
    return project


def _entries(project: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in (project / ".mlpages-cache").glob("*.json")}


def _site(project: Path) -> dict[str, bytes]:
    site = project / "site"
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.glob("p*/index.html")}


def test_parallel_cold_build_writes_the_serial_builds_cache_entries_and_pages(tmp_path):
    serial = _project(tmp_path / "serial", 1, _pages())
    parallel = _project(tmp_path / "parallel", 2, _pages())
    one, two = build(serial), build(parallel)
    assert one.returncode == 0, one.stderr
    assert two.returncode == 0, two.stderr
    assert "computed up front" not in one.stderr
    # Every reference came from the worker processes; the pages found them in the cache.
    assert "mlpages: 6 references computed up front in 2 processes (3 of 3 pages, " in two.stderr
    assert "references: 6 cached, 0 computed" in two.stderr
    assert "references: 0 cached, 6 computed" in one.stderr
    entries = _entries(serial)
    assert len(entries) == 6
    assert _entries(parallel) == entries  # the same keys, byte for byte
    # The pages' output too: the build put back what the workers built (plugin/memo.py).
    assert "; 3 built by the parallel processes, put back whole" in two.stderr
    assert "built by the parallel processes" not in one.stderr
    assert _site(parallel) == _site(serial)


def test_a_rebuild_computes_up_front_only_the_pages_that_changed(tmp_path):
    project = _project(tmp_path / "course", 2, _pages())
    assert build(project).returncode == 0
    again = build(project)  # what `mkdocs serve` does after a change elsewhere
    assert again.returncode == 0, again.stderr
    assert "computed up front" not in again.stderr
    assert "references: 6 cached, 0 computed" in again.stderr
    page = project / "docs" / "p2.md"
    page.write_text(page.read_text().replace("epochs: 3", "epochs: 4"))
    changed = build(project)
    assert changed.returncode == 0, changed.stderr
    # p2's fit and its prediction after the fit: 2 new references, from one page.
    assert "mlpages: 2 references computed up front in 1 processes (1 of 1 pages, " in changed.stderr
    assert "references: 6 cached, 0 computed" in changed.stderr


def test_a_page_that_reads_another_pages_export_computes_its_own_references(tmp_path):
    export = _page(1, 41, 2).replace("batchSize: 8\n", "batchSize: 8\nexport: models/a\n")
    reader = ("# Reader\n\n```model\nname: again\nfrom: models/a/model.json\n"
              "compile: {optimizer: sgd, loss: meanSquaredError}\n```\n\n"
              "```predict\nname: guess\nmodel: again\nx: [[0, 0]]\n```\n")
    project = _project(tmp_path / "course", 2, {"a.md": export, "b.md": reader, "c.md": _page(3, 43, 2)})
    result = build(project)
    assert result.returncode == 0, result.stderr
    # a and c up front; b, which needs a's exported model, in the build itself.
    assert "references computed up front in 2 processes (2 of 2 pages, " in result.stderr
    assert "references: 4 cached, 1 computed" in result.stderr


def test_computes_finds_fences_of_blocks_with_references():
    assert prepare.computes("text\n\n```train\nname: fit\n```\n")
    assert prepare.computes("!!! note\n    ~~~ {.predict}\n    name: p\n    ~~~\n")
    assert prepare.computes("> ```tfjs\n> 1\n> ```\n")
    assert not prepare.computes("```model\nname: m\n```\n\nWe train it: ```train``` inline.\n")
