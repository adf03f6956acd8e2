"""The course built by site generators other than MkDocs, each in a real subprocess:
ProperDocs with the plugin (docs/reference/properdocs.md) and Zensical with the Markdown
extension and `mlpages assets` (docs/reference/zensical.md): a two-page fixture course for
the edge cases, and the whole demo course. `mlpages verify` of the sites is in
tests/browser/test_generators_verify.py (the same xdist group: the demo course's builds, the
session fixture `demo_generator_builds`, are made once for both)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from mdhelpers import contract_scripts, specs_by_name
from mlpages import cli
from mlpages.verify.discover import parse_cells
from sitebuild import (
    ROOT,
    copy_demo,
    copy_generator_course,
    generator_build,
    mlpages,
)


def _line_of(path: Path, text: str) -> int:
    """The 1-based line of the first line of `path` that is `text`."""
    return path.read_text(encoding="utf-8").splitlines().index(text) + 1


def _add_mistake(project: Path) -> int:
    """Misspell a key of the head page's train block; the line of the misspelled key."""
    page = project / "docs" / "course" / "head.md"
    page.write_text(page.read_text(encoding="utf-8").replace("epochs: 3", "epoch: 3"), encoding="utf-8")
    return _line_of(page, "epoch: 3")


def _check_site(site: Path) -> None:
    """What the pages of the generator course expect on the site: the runtime, the exported
    model, the array files; and both pages built without an error."""
    assert (site / "assets" / "mlpages" / "mlpages.js").is_file()
    assert (site / "assets" / "mlpages" / "mlpages.css").is_file()
    assert (site / "assets" / "mlpages" / "vendor" / "tf.fesm.min.js").is_file()
    assert (site / "course" / "models" / "base" / "model.json").is_file()
    base = (site / "course" / "base" / "index.html").read_text(encoding="utf-8")
    head = (site / "course" / "head" / "index.html").read_text(encoding="utf-8")
    for html in (base, head):
        assert parse_cells(html).errors == []
    srcs = re.findall(r'"src":"([^"]*mlpages-data/[^"]+)"', base)
    assert srcs, "the 2,400-point dataset leaves the page as array files"
    for src in srcs:  # relative to the page's URL, course/base/
        assert (site / "course" / "base" / src).resolve().is_file(), src
    head_specs = specs_by_name(head)
    assert head_specs["head"]["kind"] == "model" and head_specs["fit-head"]["kind"] == "train"


def test_properdocs_builds_the_course_with_the_plugin(tmp_path):
    project = copy_generator_course(tmp_path / "course")
    result = generator_build("properdocs", project, "--strict", "-d", "site")
    assert result.returncode == 0, result.stderr
    assert "mlpages: 6 cells on 2 pages, 0 with errors" in result.stderr
    _check_site(project / "site")


def test_properdocs_strict_fails_on_an_author_mistake(tmp_path):
    project = copy_generator_course(tmp_path / "course")
    line = _add_mistake(project)
    result = generator_build("properdocs", project, "--strict", "-d", "site")
    assert result.returncode == 1, result.stderr
    assert f"docs/course/head.md:{line}: train 'fit-head': unknown key 'epoch' (did you mean 'epochs'?)" \
        in result.stderr
    assert "Traceback" not in result.stderr


Run = subprocess.CompletedProcess


def _zensical_flow(project: Path, *build_args: str) -> tuple[Run, Run]:
    """`zensical build ARGS` then `mlpages assets site`, as docs/reference/zensical.md says."""
    built = generator_build("zensical", project, *build_args)
    assert built.returncode == 0, built.stderr
    return built, mlpages("assets", str(project / "site"))


def test_zensical_builds_the_course_with_the_extension_and_assets(tmp_path):
    project = copy_generator_course(tmp_path / "course")
    _, assets = _zensical_flow(project, "--clean")
    assert assets.returncode == 0, assets.stderr
    assert "0 author errors on the pages" in assets.stdout
    _check_site(project / "site")
    head = (project / "site" / "course" / "base" / "index.html").read_text(encoding="utf-8")
    # The download link as Zensical rewrites it, relative to the page's URL.
    assert '<a href="../models/base/model.json" download>' in head


def test_zensical_flow_fails_on_an_author_mistake(tmp_path):
    project = copy_generator_course(tmp_path / "course")
    line = _add_mistake(project)
    message = f"docs/course/head.md:{line}: train 'fit-head': unknown key 'epoch' (did you mean 'epochs'?)"
    built, assets = _zensical_flow(project, "--clean")
    assert message in built.stderr  # Zensical prints it, and exits 0 even with --strict
    assert assets.returncode == 1
    assert message in assets.stderr
    assert "Traceback" not in built.stderr + assets.stderr


def test_assets_reports_files_a_cached_zensical_build_left_out(tmp_path):
    """Zensical converts again only the pages that changed: a site deleted after a build lacks
    the files of the others when built again without --clean."""
    project = copy_generator_course(tmp_path / "course")
    _, first = _zensical_flow(project, "--clean")
    assert first.returncode == 0, first.stderr
    shutil.rmtree(project / "site")
    _, assets = _zensical_flow(project)
    assert assets.returncode == 1
    assert "course/base/index.html: ../models/base/model.json is not on the site" in assets.stderr


def test_zensical_from_before_its_export_is_an_author_error(tmp_path):
    """Zensical converts pages in path order: a page that reads a model a later page exports
    cannot see it, and the flow says so at the `from:` line."""
    project = copy_generator_course(tmp_path / "course")
    (project / "docs" / "course" / "head.md").rename(project / "docs" / "course" / "a-head.md")
    line = _line_of(project / "docs" / "course" / "a-head.md", "from: models/base/model.json")
    _, assets = _zensical_flow(project, "--clean")
    assert assets.returncode == 1
    assert (f"docs/course/a-head.md:{line}: model 'head': model file not found: models/base/model.json"
            in assets.stderr)
    assert "under Zensical the exporting page's path must sort before this one's" in assets.stderr


def test_assets_without_a_site_is_a_usage_error(tmp_path, capsys):
    assert cli.main(["assets", str(tmp_path / "site")]) == 2
    assert "site directory not found" in capsys.readouterr().err


# The demo course (docs/, mkdocs.yml and zensical.yml at the repository's root).

CELL = '<div class="mlpages-cell '  # a page with cells (not a page that shows their HTML)

def _load_yaml(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_zensical_yml_is_the_demo_s_mkdocs_yml_as_zensical_md_configures_it():
    """zensical.yml is mkdocs.yml without MkDocs plugins, with the extension and the runtime's
    stylesheet and module as docs/reference/zensical.md shows them: nothing else drifts."""
    mkdocs, zensical = _load_yaml(ROOT / "mkdocs.yml"), _load_yaml(ROOT / "zensical.yml")
    assert mkdocs.pop("plugins") == ["search", "mlpages"] and "plugins" not in zensical
    assert zensical.pop("extra_css") == ["assets/mlpages/mlpages.css"]
    assert zensical.pop("extra_javascript") == [{"path": "assets/mlpages/mlpages.js", "type": "module"}]
    assert zensical["markdown_extensions"].pop() == {"mlpages": {"cache_dir": ".mlpages-cache"}}
    assert zensical == mkdocs
    documented = (ROOT / "docs" / "reference" / "zensical.md").read_text(encoding="utf-8")
    for line in ("  - mlpages:\n      cache_dir: .mlpages-cache",
                 "extra_css:\n  - assets/mlpages/mlpages.css",
                 "  - path: assets/mlpages/mlpages.js\n    type: module"):
        assert line in documented


@pytest.mark.xdist_group("demo-generators")  # with their verify: one build
def test_zensical_and_properdocs_build_the_demo_course_alike(demo_generator_builds):
    """Both builds of the demo course have no author error, the same pages with the same page
    contract (every cell's spec with its references, computed by each build for itself), and
    the same array, variant and model files."""
    zensical, zensical_log = demo_generator_builds["zensical"]
    properdocs, properdocs_log = demo_generator_builds["properdocs"]
    assert re.search(r"mlpages: \d+ cells on 11 pages, 0 with errors", properdocs_log), properdocs_log
    assert "0 author errors on the pages" in zensical_log

    def contract(site: Path) -> dict[str, list]:
        return {str(p.relative_to(site)): contract_scripts(p.read_text(encoding="utf-8"))
                for p in sorted(site.rglob("*.html")) if CELL in p.read_text(encoding="utf-8")}

    def files(site: Path) -> set[str]:
        return {str(p.relative_to(site)) for p in (site / "course").rglob("*")
                if p.is_file() and p.suffix != ".html"}

    pages = contract(properdocs)
    assert len(pages) == 11 and contract(zensical) == pages
    assert any(css == "mlpages-knobs-spec" for specs in pages.values() for css, _ in specs)
    assert files(zensical) == files(properdocs)
    assert any(f.startswith("course/mlpages-variants/") for f in files(zensical))
    assert "course/models/digits-base/model.json" in files(zensical)


@pytest.mark.xdist_group("demo-generators")  # with their verify: one build
def test_zensical_build_of_the_demo_course_fails_on_an_author_mistake(demo_generator_builds, tmp_path):
    project = copy_demo(tmp_path / "demo")
    # The clean build's references, so that only the mistake is new (and the build quick).
    zensical = demo_generator_builds["zensical"][0].parent
    shutil.copytree(zensical / ".mlpages-cache", project / ".mlpages-cache")
    page = project / "docs" / "course" / "colours.md"
    page.write_text(page.read_text(encoding="utf-8").replace("epochs: 20", "epoch: 20"), encoding="utf-8")
    line = _line_of(page, "epoch: 20")
    message = (f"docs/course/colours.md:{line}: train 'fit-colours': unknown key 'epoch' "
               "(did you mean 'epochs'?)")
    built = generator_build("zensical", project, "-f", "zensical.yml", "--clean")
    assert message in built.stderr
    assets = mlpages("assets", str(project / "site"))
    assert assets.returncode == 1
    assert message in assets.stderr
    assert "Traceback" not in built.stderr + assets.stderr
