"""`make test-fast` leaves out the tests marked `browser`: every test module that drives
Chromium must carry the mark, or the fast ring would start a browser."""

from __future__ import annotations

import ast
from pathlib import Path

from sitebuild import ROOT


def marked_browser(source: str) -> bool:
    """Whether a module assigns `pytestmark` a value that includes `pytest.mark.browser`."""
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "pytestmark" for t in node.targets
        ):
            for inner in ast.walk(node.value):
                if isinstance(inner, ast.Attribute) and inner.attr == "browser" \
                        and ast.unparse(inner.value) == "pytest.mark":
                    return True
    return False


def starts_chromium(source: str) -> bool:
    """Whether a module imports `make_driver` (mlpages.verify.browser), which starts Chromium."""
    return any(
        isinstance(node, ast.ImportFrom) and any(alias.name == "make_driver" for alias in node.names)
        for node in ast.walk(ast.parse(source))
    )


def browser_modules() -> list[Path]:
    """Test modules under tests/browser/, and elsewhere those that start Chromium."""
    tests = ROOT / "tests"
    found = sorted((tests / "browser").glob("test_*.py"))
    for path in sorted(tests.rglob("test_*.py")):
        if path.parent.name != "browser" and starts_chromium(path.read_text(encoding="utf-8")):
            found.append(path)
    return found


def test_the_check_tells_a_marked_module_from_an_unmarked_one():
    assert marked_browser("import pytest\npytestmark = pytest.mark.browser\n")
    assert marked_browser("import pytest\npytestmark = [pytest.mark.browser, pytest.mark.xdist_group('g')]\n")
    assert not marked_browser("import pytest\npytestmark = [pytest.mark.xdist_group('g')]\n")
    assert not marked_browser("import pytest\n\ndef test_x():\n    browser = 1\n")
    assert starts_chromium("from mlpages.verify.browser import make_driver\n")
    assert not starts_chromium("text = 'make_driver'\n")


def test_every_browser_module_is_marked_browser():
    modules = browser_modules()
    assert len(modules) > 10, "the browser test modules were not found"
    unmarked = [str(p.relative_to(ROOT)) for p in modules
                if not marked_browser(p.read_text(encoding="utf-8"))]
    assert unmarked == []
