"""Build MkDocs projects for tests: a real `mkdocs build`, in a subprocess."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MKDOCS = [sys.executable, "-m", "mkdocs"]


def copy_demo(dest: Path) -> Path:
    """A private copy of the demo course (its own cache dir); returns the project dir."""
    shutil.copytree(ROOT / "docs", dest / "docs")
    shutil.copytree(ROOT / "quizzes", dest / "quizzes")  # the banks that pages include
    shutil.copy(ROOT / "mkdocs.yml", dest / "mkdocs.yml")
    return dest


def build(project: Path, strict: bool = True, config: str = "mkdocs.yml") -> subprocess.CompletedProcess:
    """`mkdocs build [--strict]` in `project`; output in project/site."""
    cmd = [*MKDOCS, "build", "-f", config, "-d", "site"]
    if strict:
        cmd.append("--strict")
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    return subprocess.run(cmd, cwd=project, capture_output=True, text=True, env=env, timeout=600)
