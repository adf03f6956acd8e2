"""The browser runtime (runtime/*.js) on a hand-written fixture page, in headless Chromium.

The fixture site (fixtures/runtime_site/) follows docs/reference/page-contract.md: an AND
gate dataset, a 2 -> 1 sigmoid model, two train cells (the second `after` the first) and
a predict cell, with NumPy references from fixtures/runtime_site/references.py. The
runtime is driven only through `window.mlpages` and the cells' own buttons.
"""

from __future__ import annotations

import functools
import shutil
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from mlpages import i18n

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser-runtime")]

ROOT = Path(__file__).resolve().parents[2]
RUNTIME = ROOT / "runtime"
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "runtime_site"
SCREENSHOT = Path("/tmp/mlpages-runtime.png")

DATASET = "mlp-index-and"
MODEL = "mlp-index-logreg"
WARMUP = "mlp-index-warmup"
FIT_MORE = "mlp-index-fit-more"
PREDICT = "mlp-index-predict-1"
CELLS = [DATASET, MODEL, WARMUP, FIT_MORE, PREDICT]

# Makes every WebGL context request fail before the runtime loads (cpu.html only).
NO_WEBGL = """<script>
(() => {
  const deny = (proto) => {
    const original = proto.getContext;
    proto.getContext = function (type, ...rest) {
      return /webgl/i.test(type) ? null : original.call(this, type, ...rest);
    };
  };
  deny(HTMLCanvasElement.prototype);
  if (typeof OffscreenCanvas !== 'undefined') deny(OffscreenCanvas.prototype);
})();
</script>"""


# A minimal stand-in for Material's `document$` (instant navigation): replays the last
# document to new subscribers; the test calls next() after swapping the body.
DOCUMENT_SUBJECT = """<script>
(() => {
  const subscribers = [];
  let last = null;
  window.document$ = {
    subscribe(fn) { subscribers.push(fn); if (last) fn(last); },
    next(doc) { last = doc; for (const fn of subscribers) fn(doc); },
  };
  document.addEventListener('DOMContentLoaded', () => window.document$.next(document));
})();
</script>"""

# The second train cell names a dataset that is not on the page.
BROKEN_FIT = (
    '"model": "mlp-index-logreg", "dataset": "mlp-index-and", "after": ["mlp-index-warmup"]',
    '"model": "mlp-index-logreg", "dataset": "mlp-index-missing", "after": ["mlp-index-warmup"]',
)


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib name
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The fixture pages with the runtime under mlpages/, served on 127.0.0.1."""
    assert (RUNTIME / "vendor" / "tf.fesm.min.js").is_file(), (
        "runtime/vendor/ is missing: run `make dev` (vendors TF.js and uPlot)"
    )
    root = tmp_path_factory.mktemp("runtime_site")
    shutil.copytree(FIXTURE, root, dirs_exist_ok=True)
    shutil.copytree(RUNTIME, root / "mlpages")
    # The build writes the page's messages (page-contract.md, "The page's messages"); a
    # hand-written page takes the English catalogue's.
    index = (root / "index.html").read_text().replace(
        "</body>", i18n.page_script({"en": i18n.resolve("en")}, "en") + "</body>", 1)
    (root / "index.html").write_text(index)
    (root / "cpu.html").write_text(index.replace("<head>", "<head>\n" + NO_WEBGL, 1))
    (root / "instant.html").write_text(index.replace("<head>", "<head>\n" + DOCUMENT_SUBJECT, 1))
    assert index.count(BROKEN_FIT[0]) == 1
    (root / "error.html").write_text(index.replace(*BROKEN_FIT))
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def driver() -> Iterator[Any]:
    from mlpages.verify.browser import BrowserUnavailable, make_driver

    try:
        drv = make_driver()
    except BrowserUnavailable as exc:
        pytest.skip(str(exc))
    drv.set_script_timeout(120)
    try:
        yield drv
    finally:
        drv.quit()


def call(driver: Any, body: str) -> Any:
    """Run an async JS function body in the page; its return value comes back."""
    script = (
        "const done = arguments[arguments.length - 1];"
        "(async () => {" + body + "})().then("
        "  (value) => done({value}),"
        "  (err) => done({error: String(err && err.stack || err)}));"
    )
    out = driver.execute_async_script(script)
    assert "error" not in out, out["error"]
    return out.get("value")


def open_page(driver: Any, url: str) -> None:
    driver.get(url)
    call(driver, "await window.mlpages.ready;")


def specs(driver: Any) -> dict[str, Any]:
    return call(
        driver,
        "const out = {};"
        "for (const s of document.querySelectorAll('script.mlpages-spec')) {"
        "  const spec = JSON.parse(s.textContent)[0]; out[spec.id] = spec; }"
        "return out;",
    )


def close(browser: float, reference: float, tol: dict[str, float]) -> bool:
    return abs(browser - reference) <= tol["atol"] + tol["rtol"] * abs(reference)


def reference_for(spec: dict[str, Any], epsilon: float) -> dict[str, Any]:
    matches = [r for r in spec["references"] if r["epsilon"] == epsilon]
    assert matches, f"{spec['id']}: no reference for epsilon {epsilon}"
    return matches[0]


def assert_train_matches(result: dict[str, Any], spec: dict[str, Any]) -> None:
    """History and final weights agree with the reference (accuracies within 1/n)."""
    ref = reference_for(spec, result["epsilon"])
    samples = {"acc": 4, "val_acc": 2}  # rows of the train and test splits
    assert set(result["history"]) == set(ref["history"])
    for key, values in ref["history"].items():
        mine = result["history"][key]
        assert len(mine) == spec["fit"]["epochs"] == len(values)
        for b, r in zip(mine, values, strict=True):
            if key.endswith("acc"):
                assert abs(b - r) <= 1 / samples[key] + 1e-9, (key, mine, values)
            else:
                assert close(b, r, spec["tolerance"]), (key, mine, values)
    for w, rw in zip(result["weights"], ref["weights"], strict=True):
        assert w["shape"] == rw["shape"]
        assert all(close(b, r, spec["tolerance"]) for b, r in zip(w["data"], rw["data"], strict=True))


def test_plain_page_loads_no_tfjs(driver: Any, site: str) -> None:
    open_page(driver, site + "plain.html")
    assert call(driver, "return await window.mlpages.runAll();") == []
    assert call(driver, "return window.mlpages.environment();") is None
    names = driver.execute_script("return performance.getEntriesByType('resource').map((e) => e.name);")
    assert any(n.endswith("/mlpages/mlpages.js") for n in names), names
    assert not any("/vendor/" in n or "page.js" in n for n in names), names
    assert driver.execute_script("return typeof window.tf;") == "undefined"


def test_run_all(driver: Any, site: str) -> None:
    open_page(driver, site + "index.html")
    env = call(driver, "return window.mlpages.environment();")
    assert env["backend"] == "webgl"
    assert env["epsilon"] == pytest.approx(1e-4)
    assert env["tfjsVersion"] == "4.22.0"
    assert env["flags"] == {"WEBGL_PACK": False}
    assert env["webglVersion"] in (1, 2) and env["float32Render"] is True
    assert driver.execute_script("return typeof window.tf.sequential;") == "function"

    results = call(driver, "return await window.mlpages.runAll();")
    assert [r["id"] for r in results] == CELLS
    for r in results:
        assert r["status"] == "ok", r
        assert r["comparable"] is True and r["error"] is None
        assert r["backend"] == "webgl" and r["epsilon"] == pytest.approx(1e-4)
        assert set(r["timings"]) >= {"totalMs", "fitMs", "replayMs"}
    by_id = {r["id"]: r for r in results}
    spec = specs(driver)
    # The model cell reports its initial weights read back after setWeights.
    assert by_id[MODEL]["weights"][0] == {"shape": [2, 1], "data": pytest.approx([0.3, -0.2])}
    # Run all goes in page order, so nothing is replayed.
    assert by_id[WARMUP]["timings"]["replayMs"] == 0
    assert by_id[FIT_MORE]["timings"]["replayMs"] == 0
    assert_train_matches(by_id[WARMUP], spec[WARMUP])
    assert_train_matches(by_id[FIT_MORE], spec[FIT_MORE])
    assert set(by_id[FIT_MORE]["history"]) == {"loss", "acc", "val_loss", "val_acc"}
    predict = by_id[PREDICT]
    ref = reference_for(spec[PREDICT], predict["epsilon"])
    assert predict["predictions"]["shape"] == [3, 1]
    assert predict["predictions"]["data"] == pytest.approx(ref["predictions"]["data"], rel=1e-3)
    assert predict["accuracy"] == pytest.approx(ref["accuracy"])
    # `results` keeps the latest result per cell.
    assert call(driver, "return window.mlpages.results;") == by_id

    # The page shows what happened: match marks, no mismatch, labels for the classifier.
    text = driver.find_element("tag name", "body").text
    assert "✓ match" in text and "✗ mismatch" not in text
    assert "epoch 3 / 3" in text and "epoch 4 / 4" in text
    assert "trained by warmup → fit-more" in text
    live = driver.find_element("id", PREDICT).text
    assert "input (raw)" in live and "normalized" in live and "predicted (confidence)" in live

    # Decision boundary: a canvas with painted pixels (heat map and points).
    painted = driver.execute_script(
        "const c = document.querySelector('#" + WARMUP + " canvas.mlpages-boundary');"
        "if (!c) return -1;"
        "const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
        "let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n += 1;"
        "return n / (c.width * c.height);"
    )
    assert painted > 0.5, painted
    # uPlot chart with one series per history key.
    series = driver.execute_script(
        "return document.querySelectorAll('#" + FIT_MORE + " .u-legend .u-series').length;"
    )
    assert series == 5  # the x series + loss, acc, val_loss, val_acc
    driver.save_screenshot(str(SCREENSHOT))


def test_rerun_replays_and_does_not_leak(driver: Any, site: str) -> None:
    open_page(driver, site + "index.html")
    spec = specs(driver)
    # A fresh page: the second train cell first rebuilds the model and replays the first.
    first = call(driver, f"return await window.mlpages.run('{FIT_MORE}');")
    assert first["status"] == "ok" and first["comparable"] is True
    assert first["timings"]["replayMs"] > 0
    assert_train_matches(first, spec[FIT_MORE])

    # Re-running the first cell rebuilds from the initial weights: same history each time.
    runs = [call(driver, f"return await window.mlpages.run('{WARMUP}');") for _ in range(2)]
    assert runs[0]["history"] == runs[1]["history"]
    assert runs[0]["weights"] == runs[1]["weights"]
    assert_train_matches(runs[1], spec[WARMUP])

    # Re-running a cell leaks no tensors.
    counts = []
    for _ in range(3):
        again = call(driver, f"return await window.mlpages.run('{FIT_MORE}');")
        assert again["history"] == first["history"]
        counts.append(call(driver, "return window.mlpages.memory();")["numTensors"])
    print("numTensors after three re-runs of fit-more:", counts)
    assert counts[1] == counts[2], counts

    predicted = call(driver, f"return await window.mlpages.run('{PREDICT}');")
    assert predicted["status"] == "ok"
    assert predicted["timings"]["replayMs"] == 0  # the model is already after fit-more
    before = call(driver, "return window.mlpages.memory();")["numTensors"]
    call(driver, f"return await window.mlpages.run('{PREDICT}');")
    assert call(driver, "return window.mlpages.memory();")["numTensors"] == before


def test_stop_marks_not_comparable(driver: Any, site: str) -> None:
    open_page(driver, site + "index.html")
    stopped = call(
        driver,
        "const cell = document.getElementById('" + WARMUP + "');"
        "const progress = cell.querySelector('progress');"
        "const stop = [...cell.querySelectorAll('button')].find((b) => b.textContent === 'Stop');"
        "const seen = new MutationObserver(() => {"
        "  if (progress.value >= 1 && !stop.disabled) { stop.click(); seen.disconnect(); } });"
        "seen.observe(progress, {attributes: true});"
        "return await window.mlpages.run('" + WARMUP + "');",
    )
    assert stopped["status"] == "stopped"
    assert stopped["comparable"] is False
    assert len(stopped["history"]["loss"]) < 3
    assert "not comparable (stopped)" in driver.find_element("id", WARMUP).text
    # The stopped model is never reused: the next cell rebuilds and replays.
    after = call(driver, f"return await window.mlpages.run('{FIT_MORE}');")
    assert after["status"] == "ok" and after["comparable"] is True
    assert after["timings"]["replayMs"] > 0
    assert_train_matches(after, specs(driver)[FIT_MORE])


def test_cpu_fallback_is_shown(driver: Any, site: str) -> None:
    open_page(driver, site + "cpu.html")
    env = call(driver, "return window.mlpages.environment();")
    assert env["backend"] == "cpu"
    assert env["epsilon"] == pytest.approx(1e-7)
    notice = driver.find_element("css selector", ".mlpages-notice")
    assert notice.is_displayed()
    assert notice.text == "WebGL unavailable: running on the CPU backend"
    results = call(driver, "return await window.mlpages.runAll();")
    assert [r["status"] for r in results] == ["ok"] * 5
    spec = specs(driver)
    assert_train_matches(results[2], spec[WARMUP])
    assert_train_matches(results[3], spec[FIT_MORE])


def test_error_in_one_cell_does_not_stop_run_all(driver: Any, site: str) -> None:
    open_page(driver, site + "error.html")
    results = call(driver, "return await window.mlpages.runAll();")
    assert [r["status"] for r in results] == ["ok", "ok", "ok", "error", "error"]
    assert "mlp-index-missing" in results[3]["error"]
    assert results[3]["comparable"] is False
    assert "mlp-index-missing" in results[4]["error"]  # the predict cell replays fit-more
    shown = driver.find_element("css selector", f"#{FIT_MORE} .mlpages-cell-error")
    assert "mlp-index-missing" in shown.text


def test_instant_navigation_disposes_and_remounts(driver: Any, site: str) -> None:
    open_page(driver, site + "instant.html")
    first = call(driver, f"return await window.mlpages.run('{WARMUP}');")
    assert first["status"] == "ok"
    assert call(driver, "return window.tf.memory().numTensors;") > 0
    # Navigate to a page without cells: every model and tensor of the old page is freed.
    left = call(
        driver,
        "document.body.innerHTML = '<p>no cells</p>';"
        "window.document$.next(document);"
        "await window.mlpages.ready;"
        "return {tensors: window.tf.memory().numTensors, results: window.mlpages.results};",
    )
    assert left == {"tensors": 0, "results": {}}
    # Navigate back as Material does (fetch, swap the content): the cells mount again.
    again = call(
        driver,
        "const html = await (await fetch('instant.html')).text();"
        "const fresh = new DOMParser().parseFromString(html, 'text/html');"
        "document.body.replaceChildren(...fresh.body.childNodes);"
        "window.document$.next(document);"
        "await window.mlpages.ready;"
        "return await window.mlpages.run('" + WARMUP + "');",
    )
    assert again["status"] == "ok"
    assert again["history"] == first["history"]
    assert len(driver.find_elements("css selector", ".mlpages-toolbar")) == 1
