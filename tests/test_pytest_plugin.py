"""`pytest --mlpages SITE` without a browser: what it collects and how items are named,
and that without `--mlpages` the plugin collects nothing and imports nothing heavy."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from pytest_plugin_site import ITEMS, build_site
from sitebuild import pytest_mlpages

# One xdist worker runs the whole module: its module fixture is made once.
pytestmark = pytest.mark.xdist_group("pytest-plugin")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return build_site(tmp_path_factory.mktemp("pytest-plugin"))


def test_one_item_per_cell_and_numeric_question_named_page_and_cell(site, tmp_path):
    result = pytest_mlpages(site, "--collect-only", "-q", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert [line for line in result.stdout.splitlines() if "::" in line] == ITEMS
    assert "4 tests collected" in result.stdout


def test_k_selects_items_by_page_and_cell_name(site, tmp_path):
    result = pytest_mlpages(site, "--collect-only", "-q", "-k", "fit or check", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert [line for line in result.stdout.splitlines() if "::" in line] == ITEMS[2:]
    assert "2/4 tests collected (2 deselected)" in result.stdout


def test_a_missing_site_is_a_usage_error(tmp_path):
    result = pytest_mlpages(tmp_path / "nowhere", cwd=tmp_path)
    assert result.returncode == 4, result.stdout + result.stderr
    assert "--mlpages: site directory not found" in result.stderr


def test_without_the_option_the_plugin_collects_nothing_and_imports_nothing_heavy(tmp_path):
    (tmp_path / "test_plain.py").write_text(
        "import sys\n\n"
        "def test_plain():\n"
        "    assert 'mlpages.pytest_plugin' in sys.modules  # loaded through its entry point\n"
        "    heavy = [m for m in ('selenium', 'numpy', 'mlpages.verify.runner', 'mkdocs')\n"
        "             if m in sys.modules]\n"
        "    assert heavy == []\n",
        encoding="utf-8",
    )
    env = dict(os.environ)
    env.pop("PYTEST_ADDOPTS", None)
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=300, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout


def test_knob_variants_are_items_of_their_own(tmp_path):
    from sitebuild import ROOT, build_pages

    page = (ROOT / "tests" / "fixtures" / "knobs" / "index.md").read_text(encoding="utf-8")
    site = build_pages(tmp_path / "project", {"index.md": page})
    result = pytest_mlpages(site, "--collect-only", "-q", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    items = [line for line in result.stdout.splitlines() if "::" in line]
    names = ["pts", "net", "fit", "p", "check/check-1"]
    assert items == [f"index.html::{n}" for n in names] + [
        f"index.html::{n} [variant {i} of fit ({words})]"
        for i, words in ((0, "epochs 3, model.learningRate 0.1"), (2, "epochs 6, model.learningRate 0.1"))
        for n in names[1:]  # the dataset is no block of the knobs: checked once
    ]
    everything = pytest_mlpages(site, "--collect-only", "-q", "--mlpages-variants", "all", cwd=tmp_path)
    assert "17 tests collected" in everything.stdout, everything.stdout + everything.stderr
    default = pytest_mlpages(site, "--collect-only", "-q", "--mlpages-variants", "default", cwd=tmp_path)
    assert "5 tests collected" in default.stdout, default.stdout + default.stderr
    wrong = pytest_mlpages(site, "--collect-only", "-q", "--mlpages-variants", "some", cwd=tmp_path)
    assert wrong.returncode == 4
    assert "--mlpages-variants: expected all, default or a whole number" in wrong.stderr
