"""Array site files in the browser: a missing or corrupted file is reported, the run goes on;
the SHA-256 fallback (pages outside a secure context) and subdirectory deployments work."""

from __future__ import annotations

import hashlib
import json
import shutil
import textwrap
from pathlib import Path

import pytest
from mlpages.verify.report import PageReport, Report
from mlpages.verify.runner import run_verify
from mlpages.verify.server import serve_background
from sitebuild import build

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser-arrays")]

# 2,100 points: x holds 4,200 values, over the inline limit; y (2,100) stays in the HTML.
PAGE = """\
# Points

```dataset
name: points
generate: xor
n: 2100
seed: 1
```

```model
name: net
seed: 2
layers:
  - dense: {units: 1, activation: sigmoid, inputShape: [2]}
compile: {optimizer: sgd, loss: binaryCrossentropy}
```

```train
name: fit
model: net
dataset: points
epochs: 1
batchSize: 700
```
"""
# Web Crypto hidden, as on a page served over plain http from another host.
NO_SUBTLE = "Object.defineProperty(Crypto.prototype, 'subtle', {get: () => undefined});"
RUN_ALL = """
const done = arguments[arguments.length - 1];
window.mlpages.ready.then(() => window.mlpages.runAll())
  .then((r) => done(JSON.stringify(r.map((c) => [c.name, c.status, c.error]))), (e) => done(String(e)));
"""


def _x_file(folder: Path) -> Path:
    """The dataset's x (4,200 float32: 16,800 bytes); the train cell's program reads the
    labels from a file of its own, which the dataset's spec holds inline."""
    [x] = [f for f in (folder / "mlpages-data").glob("*.bin") if f.stat().st_size == 4 * 4200]
    return x


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three copies of one page; `missing` then loses its array file, `corrupt` gets one bit flipped."""
    project = tmp_path_factory.mktemp("arrays")
    (project / "docs").mkdir()
    # One folder each: array files are shared by the pages of a folder.
    for name in ("corrupt", "missing", "ok"):
        (project / "docs" / name).mkdir()
        (project / "docs" / name / "page.md").write_text(PAGE)
    (project / "mkdocs.yml").write_text(textwrap.dedent("""\
        site_name: arrays
        plugins: [mlpages]
        markdown_extensions: [pymdownx.superfences]
    """))
    result = build(project)
    assert result.returncode == 0, result.stderr
    site = project / "site"
    missing = _x_file(site / "missing")
    missing.unlink()
    corrupt = _x_file(site / "corrupt")
    data = bytearray(corrupt.read_bytes())
    data[100] ^= 1
    corrupt.write_bytes(bytes(data))
    return site


@pytest.fixture(scope="module")
def report(site: Path, tmp_path_factory: pytest.TempPathFactory) -> Report:
    return run_verify(site, page_timeout=120, artifacts=tmp_path_factory.mktemp("artifacts"))


def page(report: Report, name: str) -> PageReport:
    [found] = [p for p in report.pages if p.page == f"{name}/page/index.html"]
    return found


def test_a_normal_page_with_an_array_file_verifies(report: Report):
    ok = page(report, "ok")
    assert ok.passed and ok.errors == []
    assert [c.status for c in ok.cells] == ["passed"] * 3


def test_a_missing_array_file_is_reported_and_the_run_goes_on(report: Report):
    missing = page(report, "missing")
    [error] = missing.errors
    assert error.startswith("array file ../mlpages-data/") and "HTTP 404" in error
    # The browser's own error surfaces per cell: the dataset, and the train cell reading it.
    statuses = {c.name: (c.status, c.note) for c in missing.cells}
    assert statuses["net"] == ("passed", "")
    for name in ("points", "fit"):
        status, note = statuses[name]
        assert status == "error" and "missing from the site" in note, note
    assert report.exit_code != 0


def test_a_corrupted_array_file_is_reported(report: Report):
    corrupt = page(report, "corrupt")
    [error] = corrupt.errors
    assert "is corrupted: sha256" in error
    notes = [c.note for c in corrupt.cells if c.status == "error"]
    assert len(notes) == 2 and all("is corrupted: its sha256 is" in n for n in notes)


def test_sha256_fallback_and_a_subdirectory_deployment(site: Path, browser, tmp_path: Path):
    root = tmp_path / "www"
    shutil.copytree(site, root / "courses" / "arrays")
    url, stop = serve_background(root)
    browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": NO_SUBTLE})
    try:
        browser.get(url + "courses/arrays/ok/page/")
        assert browser.execute_script("return crypto.subtle") is None
        results = json.loads(browser.execute_async_script(RUN_ALL))
        assert results == [["points", "ok", None], ["net", "ok", None], ["fit", "ok", None]]
        lengths = [0, 1, 55, 56, 63, 64, 65, 1000, 70001]
        digests = browser.execute_async_script("""
            const [lengths, done] = [arguments[0], arguments[arguments.length - 1]];
            const bytes = (n) => Uint8Array.from({length: n}, (_, i) => (i * 31 + 7) & 255);
            import(new URL('../../assets/mlpages/sha256.js', location.href).href)
              .then((m) => done(lengths.map((n) => m.sha256Fallback(bytes(n)))));
        """, lengths)
        expected = [hashlib.sha256(bytes((i * 31 + 7) & 255 for i in range(n))).hexdigest() for n in lengths]
        assert digests == expected
    finally:
        stop()
