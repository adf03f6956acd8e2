"""Build MkDocs projects for tests: a real `mkdocs build`, in a subprocess."""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MKDOCS = [sys.executable, "-m", "mkdocs"]
# A small course with both configurations: properdocs.yml (the plugin) and mkdocs.yml as
# Zensical reads it (the extension); docs/reference/properdocs.md and zensical.md.
GENERATOR_COURSE = ROOT / "tests" / "fixtures" / "generator_course"


def copy_demo(dest: Path) -> Path:
    """A private copy of the demo course (its own cache dir); returns the project dir."""
    shutil.copytree(ROOT / "docs", dest / "docs")
    shutil.copytree(ROOT / "quizzes", dest / "quizzes")  # the banks that pages include
    shutil.copy(ROOT / "mkdocs.yml", dest / "mkdocs.yml")
    shutil.copy(ROOT / "zensical.yml", dest / "zensical.yml")  # the same course for Zensical
    return dest


def build(project: Path, strict: bool = True, config: str = "mkdocs.yml") -> subprocess.CompletedProcess:
    """`mkdocs build [--strict]` in `project`; output in project/site."""
    cmd = [*MKDOCS, "build", "-f", config, "-d", "site"]
    if strict:
        cmd.append("--strict")
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    return subprocess.run(cmd, cwd=project, capture_output=True, text=True, env=env, timeout=600)


def write_project(project: Path, pages: dict[str, str], *, site_name: str = "course",
                  extensions: tuple[str, ...] = ("pymdownx.superfences",), extra: str = "") -> Path:
    """Write `pages` (path under docs/ -> Markdown) and a minimal mkdocs.yml with the
    plugin into `project`; `extra` is appended to mkdocs.yml (e.g. a `nav:`)."""
    for rel, text in pages.items():
        path = project / "docs" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (project / "mkdocs.yml").write_text(
        f"site_name: {site_name}\nplugins: [mlpages]\nmarkdown_extensions: [{', '.join(extensions)}]\n"
        + extra, encoding="utf-8")
    return project


def build_pages(project: Path, pages: dict[str, str], **options) -> Path:
    """:func:`write_project`, then build it with --strict; returns the site directory."""
    result = build(write_project(project, pages, **options))
    assert result.returncode == 0, result.stderr
    return project / "site"


def run_strict_build(project_dir: Path, *, memory_mb: int = 4096, timeout: int = 300
                     ) -> subprocess.CompletedProcess:
    """`mkdocs build --strict` of `project_dir` into project_dir/site, with its address space
    limited to `memory_mb` (a read that would exhaust memory fails instead) and `timeout`
    seconds as a guard against hangs."""

    def limit_memory() -> None:
        size = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (size, size))

    cmd = [*MKDOCS, "build", "--strict", "-f", "mkdocs.yml", "-d", "site"]
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    return subprocess.run(cmd, cwd=project_dir, capture_output=True, text=True, env=env,
                          timeout=timeout, preexec_fn=limit_memory)


def verify(site: Path, *args: str) -> subprocess.CompletedProcess:
    """`mlpages verify SITE ARGS...` in a subprocess, as a course's CI runs it."""
    return mlpages("verify", str(site), *args)


def copy_generator_course(dest: Path) -> Path:
    """A private copy of :data:`GENERATOR_COURSE`; returns the project dir."""
    shutil.copytree(GENERATOR_COURSE, dest, dirs_exist_ok=True)
    return dest


def generator_build(tool: str, project: Path, *args: str) -> subprocess.CompletedProcess:
    """`TOOL build ARGS...` in `project`, TOOL a site generator other than MkDocs
    (`properdocs`, `zensical`) run as `python -m TOOL`."""
    return subprocess.run([sys.executable, "-m", tool, "build", *args], cwd=project,
                          capture_output=True, text=True, timeout=600)


def build_demo_with_generators(dest: Path) -> dict[str, tuple[Path, str]]:
    """The demo course built by Zensical (`zensical build -f zensical.yml --clean`, then
    `mlpages assets site`) and by ProperDocs (`properdocs build -f mkdocs.yml --strict`), each
    from its own copy (its own cache), as docs/reference/zensical.md and properdocs.md say;
    asserts every step succeeds. Returns, per tool, its site and what it printed."""
    zensical = copy_demo(dest / "zensical")
    built = generator_build("zensical", zensical, "-f", "zensical.yml", "--clean")
    assert built.returncode == 0, built.stderr
    assets = mlpages("assets", str(zensical / "site"))
    assert assets.returncode == 0, assets.stdout + assets.stderr
    properdocs = copy_demo(dest / "properdocs")
    proper = generator_build("properdocs", properdocs, "-f", "mkdocs.yml", "--strict", "-d", "site")
    assert proper.returncode == 0, proper.stderr
    return {"zensical": (zensical / "site", built.stderr + assets.stdout),
            "properdocs": (properdocs / "site", proper.stderr)}


def mlpages(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """`mlpages ARGS...` in a subprocess."""
    return subprocess.run([sys.executable, "-m", "mlpages.cli", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=600)


def pytest_mlpages(target: str | Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    """`pytest --mlpages TARGET ARGS...` in a subprocess, run from `cwd` (its own rootdir:
    no ini file or conftest of this repository applies)."""
    cmd = [sys.executable, "-m", "pytest", "--mlpages", str(target), *args]
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    env.pop("PYTEST_ADDOPTS", None)
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=600, env=env)
