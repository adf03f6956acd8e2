"""The wheel carries everything an author needs: installed with pip alone into a fresh
virtual environment, away from node_modules, it builds the demo course, and the result
verifies in the browser."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("wheel")]

ROOT = Path(__file__).resolve().parent.parent


def run(cmd: list[str], cwd: Path | None = None, timeout: int = 900) -> subprocess.CompletedProcess:
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    env.pop("PYTHONPATH", None)
    result = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)
    assert result.returncode == 0, f"{cmd}\n{result.stdout}\n{result.stderr}"
    return result


def test_wheel_installs_builds_and_verifies(tmp_path):
    run([sys.executable, "-m", "build", "--wheel", "--outdir", str(tmp_path / "dist"), str(ROOT)])
    wheel = next((tmp_path / "dist").glob("mlpages-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    # Every built vendor file: TF.js's entry, its chunks (loaded on demand), uPlot, notices.
    vendor = sorted(f"mlpages/runtime/vendor/{p.name}" for p in (ROOT / "runtime" / "vendor").iterdir()
                    if p.suffix in (".js", ".css", ".txt"))
    assert "mlpages/runtime/vendor/tf-cpu.js" in vendor and any("/chunk-" in n for n in vendor), vendor
    for needed in ("mlpages/runtime/mlpages.js", "mlpages/runtime/vendor/tf.fesm.min.js",
                   "mlpages/runtime/vendor/uPlot.esm.min.js",
                   "mlpages/runtime/vendor/THIRD_PARTY_NOTICES.txt",
                   "mlpages/runtime/min/sources.json", "mlpages/runtime/min/mlpages.js",
                   "mlpages/engine/model.py", "mlpages/py.typed", *vendor):
        assert needed in names, needed

    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", str(venv)])
    run([str(venv / "bin" / "pip"), "install", "-q", f"{wheel}[material]"])

    course = tmp_path / "course"
    shutil.copytree(ROOT / "docs", course / "docs")
    shutil.copytree(ROOT / "quizzes", course / "quizzes")
    shutil.copy(ROOT / "mkdocs.yml", course / "mkdocs.yml")
    assert not (course / "node_modules").exists()
    run([str(venv / "bin" / "mkdocs"), "build", "--strict", "-d", "site"], cwd=course)
    assert (course / "site" / "assets" / "mlpages" / "vendor" / "tf.fesm.min.js").is_file()
    # The site carries the runtime's modules minified (tools/vendor.py), under their own names.
    assert ((course / "site" / "assets" / "mlpages" / "cells.js").read_bytes()
            == (ROOT / "runtime" / "min" / "cells.js").read_bytes())
    result = run([str(venv / "bin" / "mlpages"), "verify", "site", "--workers", "2",
                  "--artifacts", str(tmp_path / "art")], cwd=course)
    assert "0 mismatched, 0 errors" in result.stdout
