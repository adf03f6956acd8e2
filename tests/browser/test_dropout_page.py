"""A page with unseeded dropout in headless Chromium: the runtime checks the initial
inference exactly, the training figures within their band, and says so on the page."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import serve
from sitebuild import ROOT, build

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser-dropout")]

PAGE = ROOT / "tests" / "fixtures" / "spec_course" / "docs" / "dropout.md"
CONFIG = """site_name: Dropout
plugins: [mlpages]
markdown_extensions:
  - pymdownx.superfences
nav:
  - dropout.md
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[str]:
    project = tmp_path_factory.mktemp("dropout")
    (project / "docs").mkdir()
    shutil.copy(PAGE, project / "docs" / "dropout.md")
    (project / "mkdocs.yml").write_text(CONFIG)
    result = build(project)
    assert result.returncode == 0, result.stderr
    url, stop = serve(project / "site")
    try:
        yield url
    finally:
        stop()


def call(driver: Any, body: str) -> Any:
    script = (
        "const done = arguments[arguments.length - 1];"
        "(async () => {" + body + "})().then("
        "  (value) => done({value}),"
        "  (err) => done({error: String(err && err.stack || err)}));"
    )
    out = driver.execute_async_script(script)
    assert "error" not in out, out["error"]
    return out.get("value")


def test_unseeded_dropout_is_checked_within_its_band(browser: Any, site: str) -> None:
    browser.get(site.rstrip("/") + "/dropout/")
    call(browser, "await window.mlpages.ready;")
    results = {r["name"]: r for r in call(browser, "return await window.mlpages.runAll();")}
    assert all(r["status"] == "ok" for r in results.values()), results
    # Only the first fit starts from the spec's weights: only it reports the initial inference.
    assert results["fit-drop"]["initialPredictions"]["shape"] == [18, 1]
    assert "initialPredictions" not in results["fit-more"]

    first = browser.find_element("id", "mlp-dropout-fit-drop").text
    assert "initial outputs" in first and "exact" in first
    assert "dropout without a seed: training is checked within a band of 32 NumPy runs" in first
    assert "(band " in first
    assert "✗ mismatch" not in browser.find_element("tag name", "body").text
    assert first.count("✓ match") == 5  # initial outputs, loss, acc, val_loss, val_acc
    assert "weights" not in [line.split(" ")[0] for line in first.splitlines()]
    after = browser.find_element("id", "mlp-dropout-after").text
    assert "outputs are checked within the band of 32 NumPy runs" in after
