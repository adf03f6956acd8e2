"""A diverging training on real TF.js (WebGL on SwiftShader): the browser overflows to
Infinity and turns NaN at the same epochs as the float32 NumPy reference, `mlpages verify`
passes, the page shows the non-finite values, and a reference edited so that it no longer
diverges where the browser does (or diverges where it does not) is a mismatch."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import pytest
from conftest import serving
from mdhelpers import DIVERGING_PAGE
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from sitebuild import build_pages, verify

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser-diverge")]

SPEC = re.compile(r'(<div class="mlpages-cell mlpages-train" id="mlp-bad-fit-line".*?'
                  r'class="mlpages-spec">)(.*?)(</script>)', re.S)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    pages = {"good.md": DIVERGING_PAGE, "bad.md": DIVERGING_PAGE}
    return build_pages(tmp_path_factory.mktemp("diverge"), pages, site_name="diverge",
                       extra="site_url: http://127.0.0.1/\n")


def test_verify_passes_when_the_browser_diverges_like_the_reference(site, tmp_path):
    result = verify(site, "--json", str(tmp_path / "r.json"), "--artifacts", str(tmp_path / "art"))
    assert result.returncode == 0, result.stdout + result.stderr
    # The results rows bound to the diverged values (NaN, Infinity) pass too.
    assert "8 cells, 2 quiz questions and 8 bound numbers: 18 passed, 0 mismatched" in result.stdout
    report = json.loads((tmp_path / "r.json").read_text())
    fits = [c for p in report["pages"] for c in p["cells"] if c["name"] == "fit-line"]
    assert [c["status"] for c in fits] == ["passed", "passed"]


def test_the_page_shows_the_divergence(site, browser):
    with serving(site) as url:
        browser.get(url + "good/")
        browser.execute_script("localStorage.clear()")
        results = browser.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "window.mlpages.ready.then(() => window.mlpages.runAll()).then((r) => done(r.map("
            "(x) => [x.name, x.status, x.history ? x.history.loss.map(String) : null])), "
            "(e) => done(String(e)));")
        fit = next(r for r in results if r[0] == "fit-line")
        assert fit[1] == "ok"
        assert fit[2][15:32] == ["Infinity"] * 17 and fit[2][32:] == ["NaN"] * 8  # as the reference

        cell = browser.find_element(By.ID, "mlp-good-fit-line")
        rows = [[td.text for td in tr.find_elements(By.TAG_NAME, "td")]
                for tr in cell.find_elements(By.CSS_SELECTOR, ".mlpages-live tbody tr")]
        assert ["loss", "NaN", "NaN", "✓ match"] in rows
        assert any(row[0] == "weights" and row[-1] == "✓ match" for row in rows)
        assert cell.find_elements(By.CSS_SELECTOR, ".mlpages-live canvas")  # the chart was drawn

        table = browser.find_element(By.ID, "mlp-good-losses")
        own = [td.text for td in table.find_elements(By.CSS_SELECTOR, "td.mlpages-results-own")]
        # Each value is marked against the reference: the diverged ones match only themselves.
        assert all(o.endswith(" ✓ match") for o in own), own
        own = [o.removesuffix(" ✓ match") for o in own]
        assert own[1:] == ["Infinity", "NaN", "NaN"] and own[0] not in ("NaN", "Infinity")

        question = browser.find_element(By.ID, "mlp-good-check-last-loss")
        box = question.find_element(By.CSS_SELECTOR, 'input[type="text"]')
        box.send_keys("NaN")
        check = next(b for b in question.find_elements(By.TAG_NAME, "button") if b.text == "Check")
        browser.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", check)
        check.click()
        verdict = question.find_element(By.CSS_SELECTOR, ".mlpages-quiz-feedback p")
        assert verdict.get_attribute("data-verdict") == "right", verdict.text
        stored = browser.execute_script("return JSON.stringify(localStorage)")
        assert '\\"value\\":\\"NaN\\"' in stored  # JSON has no NaN: the contract's string
        logs = [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]

        browser.refresh()  # the stored answer comes back, graded again
        restored = WebDriverWait(browser, 60).until(lambda d: d.find_elements(
            By.CSS_SELECTOR, "#mlp-good-check-last-loss .mlpages-quiz-feedback p"))
        assert restored[0].get_attribute("data-verdict") == "right"
        # No error from the runtime, the chart or TF.js, all under assets/mlpages/ (the plain
        # theme's own scripts fail offline without their libraries from other hosts).
        logs += [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]
        assert [m for m in logs if "mlpages" in m] == []


def test_a_reference_that_diverges_elsewhere_is_a_mismatch(site, tmp_path):
    page = site / "bad" / "index.html"
    html = page.read_text()
    match = SPEC.search(html)
    spec: Any = json.loads(match.group(2))
    webgl = next(r for r in spec[0]["references"] if r["epsilon"] == 1e-4)
    loss = webgl["history"]["loss"]
    assert loss[0] != "NaN" and loss[-1] == "NaN"
    first = loss[0]
    loss[0], loss[-1] = "NaN", 0.5  # diverged where the browser has a number, and the reverse
    page.write_text(html[: match.start(2)] + json.dumps(spec, separators=(",", ":")) + html[match.end(2):])

    result = verify(site, "--artifacts", str(tmp_path / "art"))
    assert result.returncode == 1, result.stdout + result.stderr
    lines = [ln.strip() for ln in result.stdout.splitlines() if ": cell fit-line" in ln]
    assert any(ln.startswith("bad/index.html: cell fit-line (mlp-bad-fit-line): loss epoch 1: browser ")
               and ln.endswith("reference NaN, allowed [NaN, NaN]") for ln in lines), lines
    assert f"browser {first:.9g}, reference NaN" in result.stdout
    assert ("bad/index.html: cell fit-line (mlp-bad-fit-line): loss epoch 40: browser NaN, "
            "reference 0.5, allowed [0.49949, 0.50051]") in lines
    assert not any(ln.startswith("good/") for ln in lines)


# Pairs (browser, reference) and whether they match, for the runtime's compare.js rules.
RULES = """
const c = await import(new URL('../assets/mlpages/compare.js', location.href).href);
const tol = {rtol: 1, atol: 1};
const values = [NaN, Infinity, -Infinity, 0, 3.4e38];
const table = [];
for (const b of values) for (const r of values) {
  table.push([String(b), String(r), c.withinTolerance(b, r, tol), c.withinOneSample(b, r, 2),
              c.withinBand('loss', b, r, r, tol, 2)]);
}
const spec = c.decodeNumbers({classes: ['NaN'], x: {shape: [3], data: ['NaN', 'Infinity', null]},
  references: [{epsilon: 1e-4, value: '-Infinity', history: {loss: [1, 'NaN']}}]});
return {table, spec: JSON.stringify(spec, (k, v) => (typeof v === 'number' ? String(v) : v))};
"""


def test_the_runtime_compares_non_finite_values_like_verify(site, browser):
    with serving(site) as url:
        browser.get(url + "good/")
        out = browser.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "(async () => {" + RULES + "})().then(done, (e) => done(String(e)));")
    assert isinstance(out, dict), out
    for b, r, tolerance, one_sample, band in out["table"]:
        browser_value, reference = float(b), float(r)
        if math.isfinite(reference):  # a finite browser value within the band; never a non-finite one
            close = math.isfinite(browser_value) and abs(browser_value - reference) <= 1 + abs(reference)
            near = math.isfinite(browser_value) and abs(browser_value - reference) <= 0.5
            assert (tolerance, one_sample, band) == (close, near, close), (b, r)
        else:  # only the same non-finite value
            assert (tolerance, one_sample, band) == (b == r, b == r, b == r), (b, r)
    spec = json.loads(out["spec"])
    assert spec["classes"] == ["NaN"]  # a string where the contract has no number stays one
    assert spec["x"]["data"] == ["NaN", "Infinity", "NaN"]
    assert spec["references"] == [{"epsilon": "0.0001", "value": "-Infinity",
                                   "history": {"loss": ["1", "NaN"]}}]
