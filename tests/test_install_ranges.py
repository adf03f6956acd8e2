"""mlpages installs like a library: a course that pins its own MkDocs, NumPy, PyYAML,
Markdown, pymdown-extensions and Selenium, at versions other than the ones in
constraints.txt, installs mlpages (the resolver accepts its declared ranges, nothing is
replaced) and builds a page with it; verify's use of Selenium works with the oldest
Selenium the range allows."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from mdhelpers import XOR_CELLS
from sitebuild import ROOT, write_project

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("wheel")]

# An author's own pins: each within mlpages' declared range, none the version
# constraints.txt tests with (the test checks that below).
AUTHOR_PINS = {"mkdocs": "1.6.0", "numpy": "1.26.4", "PyYAML": "6.0.2", "Markdown": "3.6",
               "selenium": "4.32.0", "pymdown-extensions": "10.0"}
# What verify asks of Selenium beyond starting a browser: a per-command timeout on the
# connection's ClientConfig, chromedriver started in a process group of its own, and a
# Grid session asked for with a ClientConfig of its own (here at a closed port).
SELENIUM_USE = """
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.remote.remote_connection import RemoteConnection
from mlpages.verify.browser import BrowserUnavailable, make_driver, set_command_timeout

try:
    make_driver("http://127.0.0.1:9")
except BrowserUnavailable as exc:
    assert "the Selenium Grid at http://127.0.0.1:9 started no browser session: " in str(exc), exc
else:
    raise AssertionError("a Grid session at a closed port")

class Driver:
    command_executor = RemoteConnection("http://127.0.0.1:9")

set_command_timeout(Driver, 3.5)
assert Driver.command_executor.client_config.timeout == 3.5
Service(executable_path="/bin/true", popen_kw={"process_group": 0})
"""


def run(cmd: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    env.pop("PYTHONPATH", None)
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=900, env=env)


def constraint_pins() -> dict[str, str]:
    """constraints.txt's exact versions by lower-case name."""
    pins = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==", 1)
            pins[name.strip().lower()] = version.strip()
    return pins


def test_a_course_with_its_own_pins_installs_mlpages_and_builds(tmp_path):
    tested = constraint_pins()
    for name, version in AUTHOR_PINS.items():
        assert tested[name.lower()] != version, f"{name} {version} is the tested version: pick another"

    venv = tmp_path / "venv"
    assert run([sys.executable, "-m", "venv", str(venv)]).returncode == 0
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q"]
    pins = tmp_path / "author-pins.txt"
    pins.write_text("".join(f"{n}=={v}\n" for n, v in AUTHOR_PINS.items()), encoding="utf-8")
    result = run([*pip, "-r", str(pins)])
    assert result.returncode == 0, result.stdout + result.stderr
    # The course keeps its pins while mlpages is installed (as a course's requirements
    # file or lock would): the resolver has to find mlpages' requirements compatible.
    result = run([*pip, "-c", str(pins), str(ROOT)])
    assert result.returncode == 0, result.stdout + result.stderr

    freeze = run([str(venv / "bin" / "python"), "-m", "pip", "freeze"]).stdout.lower().splitlines()
    for name, version in AUTHOR_PINS.items():
        assert f"{name.lower()}=={version}" in freeze, freeze
    assert any(line.startswith("mlpages") for line in freeze), freeze

    result = run([str(venv / "bin" / "python"), "-c", SELENIUM_USE], cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr

    course = write_project(tmp_path / "course", {"index.md": "# Pins\n\n" + XOR_CELLS})
    result = run([str(venv / "bin" / "mkdocs"), "build", "--strict", "-d", "site"], cwd=course)
    assert result.returncode == 0, result.stdout + result.stderr
    html = (course / "site" / "index.html").read_text(encoding="utf-8")
    assert 'data-mlpages-kind="train"' in html
    assert (course / "site" / "assets" / "mlpages" / "vendor" / "tf.fesm.min.js").is_file()
