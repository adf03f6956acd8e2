"""Full MkDocs builds: the demo course with --strict, the cache, assets, strict failures."""

from __future__ import annotations

import hashlib
import json
import re
import textwrap
from pathlib import Path

import pytest
from mdhelpers import cell_specs
from sitebuild import ROOT, build, copy_demo

# One xdist worker runs the whole module: its module fixture is made once.
pytestmark = pytest.mark.xdist_group("demo-build")

SUMMARY = re.compile(r"mlpages: (\d+) cells on (\d+) pages, (\d+) with errors; "
                     r"references: (\d+) cached, (\d+) computed")


UP_FRONT = re.compile(r"mlpages: (\d+) references computed up front")


def summary(result) -> tuple[int, ...]:
    m = SUMMARY.search(result.stderr)
    assert m, result.stderr
    return tuple(int(g) for g in m.groups())


def computed(result) -> int:
    """References the build computed: in its parallel processes before the pages
    (plugin/prepare.py) and while converting them."""
    up_front = UP_FRONT.search(result.stderr)
    return summary(result)[4] + (int(up_front[1]) if up_front else 0)


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    project = copy_demo(tmp_path_factory.mktemp("demo"))
    result = build(project)
    assert result.returncode == 0, result.stderr
    return project


def test_demo_course_builds_strict_with_every_cell(demo):
    site = demo / "site"
    pages = list(site.rglob("*.html"))
    cells = sum(p.read_text().count("data-mlpages-kind=") for p in pages)
    assert cells >= 25
    assert '<div class="mlpages-error' not in "".join(p.read_text() for p in pages)


def test_runtime_and_tfjs_are_served_from_the_site(demo):
    assets = demo / "site" / "assets" / "mlpages"
    assert (assets / "mlpages.js").is_file()
    assert (assets / "vendor" / "tf.fesm.min.js").is_file()
    assert (assets / "vendor" / "THIRD_PARTY_NOTICES.txt").is_file()
    html = (demo / "site" / "course" / "xor" / "index.html").read_text()
    assert re.search(r'<script src="[./]*assets/mlpages/mlpages.js" type="module">', html)
    assert "cdn" not in html.lower()
    assert "fonts.googleapis" not in html


def test_large_arrays_are_site_files_where_their_pages_folder_lands(demo):
    page_dir = demo / "site" / "course" / "cnn-digits"
    specs = cell_specs((page_dir / "index.html").read_text())
    [digits] = [s for s in specs if s["kind"] == "dataset"]
    x = digits["x"]
    assert x["shape"] == [1600, 8, 8, 1] and x["dtype"] == "uint8"
    # Where docs/course/ lands; src is relative to the page's URL, course/cnn-digits/.
    assert x["src"] == f"../mlpages-data/{x['sha256']}.bin"
    data = (demo / "site" / "course" / "mlpages-data" / f"{x['sha256']}.bin").read_bytes()
    assert len(data) == 1600 * 64 and hashlib.sha256(data).hexdigest() == x["sha256"]


def test_page_without_blocks_has_no_cells(demo):
    html = (demo / "site" / "reference" / "authoring" / "index.html").read_text()
    assert "data-mlpages-kind=" not in html  # its examples are literal text
    assert "```train" in html


def test_warm_build_computes_nothing_and_an_edit_recomputes_only_its_chain(demo):
    warm = build(demo)
    assert computed(warm) == 0
    page = demo / "docs" / "course" / "linear-regression.md"
    page.write_text(page.read_text().replace("epochs: 100", "epochs: 90"))
    edited = build(demo)
    # the train cell and the predict cell after it; nothing else.
    assert computed(edited) == 2


def test_corrupt_cache_entry_is_recomputed_not_trusted(demo):
    build(demo)
    cache = demo / ".mlpages-cache"
    entries = sorted(cache.glob("*.json"))
    assert entries
    for entry in entries:
        data = json.loads(entry.read_text())
        data["value"] = data["value"].replace("0.", "9.", 1)
        entry.write_text(json.dumps(data))
    entries[0].write_text("{not json")
    again = build(demo)
    assert again.returncode == 0
    cached, recomputed = summary(again)[3:]
    assert cached == 0 and recomputed > 0  # every corrupted entry is computed again


def write_project(tmp_path: Path, page: str) -> Path:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text(page)
    (tmp_path / "mkdocs.yml").write_text(textwrap.dedent("""\
        site_name: t
        plugins: [mlpages]
        markdown_extensions: [pymdownx.superfences]
    """))
    return tmp_path


def test_author_error_fails_strict_build_with_file_and_line_after_front_matter(tmp_path):
    page = "---\ntitle: Front\n---\n\n# T\n\n```dataset\nname: d\nx: [[1]]\nshufle: true\n```\n"
    project = write_project(tmp_path, page)
    strict = build(project)
    assert strict.returncode != 0
    assert "docs/index.md:10: dataset 'd': unknown key 'shufle' (did you mean 'shuffle'?)" in strict.stderr
    assert "Traceback" not in strict.stderr
    lenient = build(project, strict=False)
    assert lenient.returncode == 0
    assert "mlpages-error" in (project / "site" / "index.html").read_text()


def test_plugin_works_with_the_default_theme(tmp_path):
    page = (ROOT / "docs" / "course" / "xor.md").read_text()
    project = write_project(tmp_path, page)
    result = build(project)
    assert result.returncode == 0, result.stderr
    html = (project / "site" / "index.html").read_text()
    cells = len(re.findall(r"^```(dataset|model|train|predict)\n", page, re.M))
    assert cells >= 4 and html.count("data-mlpages-kind=") == cells


def test_theme_assets_from_other_hosts_are_an_info_not_a_warning(tmp_path):
    project = write_project(tmp_path, "# T\n")
    config = project / "mkdocs.yml"
    config.write_text(config.read_text() + "theme:\n  name: material\n")  # web fonts on
    result = build(project)
    assert result.returncode == 0, result.stderr  # --strict still passes
    assert "INFO" in result.stderr and "fonts.googleapis.com" in result.stderr
    offline = build(copy_demo(tmp_path / "demo"))
    assert "other hosts" not in offline.stderr
