"""What a build trusts: author code (`loader:`) cannot end or crash it, and no block reads a
file outside the project, whatever path or symlink it names.

Every test runs a real `mkdocs build --strict` under a memory limit and checks the exit
status, the block's `file:line` message, that no traceback is printed, and that nothing of
a file outside the project (a unique marker string) reaches the output or the site.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from sitebuild import run_strict_build, write_project

NO_LOADERS = "plugins:\n  - mlpages:\n      loaders: false\n"


def _project(root: Path, page: str, *, loaders: bool = True) -> Path:
    """A project with one page `docs/index.md`, with loaders on or off."""
    project = write_project(root / "project", {"index.md": page})
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
        for path in site.rglob("*") if site.is_dir() else []:
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
