"""A number bound to a convolution output, in a sentence, a results table and a numeric
question, in headless Chromium (WebGL): the build's reference, then the reader's run with a ✓;
`mlpages verify` passes the page as built and fails it when the stored reference is edited."""

from __future__ import annotations

import json
import re
from html import escape, unescape
from pathlib import Path
from typing import Any

import pytest
from conftest import serving
from mdhelpers import XOR_CELLS
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from sitebuild import build_pages, verify

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser-inline")]

PAGE = """\
# Bound numbers

```convolution
name: conv
image:
  - [0, 1, 2, 3]
  - [4, 5, 6, 7]
  - [8, 9, 10, 11]
  - [12, 13, 14, 15]
kernel: sharpen
```

The bottom-right output is {mlpages conv.output[1, 1]}, not a typed number.

```results
name: table
rows:
  - {label: top-left, cell: conv, quantity: output, index: [0, 0]}
```

```quiz
name: ask
question: What is the output in row 1, column 0?
answer_from: {cell: conv, quantity: output, index: [1, 0]}
```
"""
CENTRE = 5 * 10 - (6 + 9 + 11 + 14)  # sharpen over the window around the image's 10
TOP_LEFT = 5 * 5 - (1 + 4 + 6 + 9)
LEFT = 5 * 9 - (5 + 8 + 10 + 13)
QUESTION = "#mlp-good-ask-ask-1"
VALUE_ATTR = re.compile(r'data-mlpages-value="([^"]*)"')
RESULTS_SPEC = re.compile(r'(class="mlpages-results-spec">)(.*?)(</script>)', re.S)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return build_pages(tmp_path_factory.mktemp("inline"), {"good.md": PAGE, "bad.md": PAGE},
                       site_name="inline", extra="site_url: http://127.0.0.1/\n")


def _own_texts(browser: Any) -> tuple[str, str]:
    value = browser.find_element(By.CSS_SELECTOR, "#mlp-good-value-1 + .mlpages-value-own").text
    row = browser.find_element(By.CSS_SELECTOR, "#mlp-good-table td.mlpages-results-own").text
    return value, row


def test_the_sentence_and_the_row_show_the_readers_run_with_a_check_mark(site, browser):
    with serving(site) as url:
        browser.get(url + "good/")
        out = browser.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "window.mlpages.ready.then(() => done(window.mlpages.environment()),"
            " (e) => done({error: String(e)}));")
        assert out.get("backend") == "webgl", out
        shown = browser.find_element(By.CSS_SELECTOR, "#mlp-good-value-1")
        assert shown.text == str(CENTRE)
        assert shown.get_attribute("title").startswith("conv, output [1, 1]: the NumPy reference")
        assert _own_texts(browser) == ("", "not run yet")

        results = browser.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "window.mlpages.runAll().then(() => done(window.mlpages.results),"
            " (e) => done({error: String(e)}));")
        assert results["mlp-good-conv"]["status"] == "ok", results
        mine = results["mlp-good-conv"]["outputs"][0]["data"]
        value, row = _own_texts(browser)
        assert value == f"(your run: {mine[3]:.6g} ✓)" and mine[3] == pytest.approx(CENTRE, abs=1e-3)
        assert row == f"{mine[0]:.6g} ✓ match" and mine[0] == pytest.approx(TOP_LEFT, abs=1e-3)
        own = browser.find_element(By.CSS_SELECTOR, "#mlp-good-value-1 + .mlpages-value-own")
        assert "matches the reference" in own.get_attribute("title")

        # The numeric question bound to the convolution grades with the reader's run.
        WebDriverWait(browser, 10).until(
            lambda d: d.execute_script("return !!document.querySelector('[data-mlpages-quiz-ready]')"))
        box = browser.find_element(By.CSS_SELECTOR, f'{QUESTION} input[type="text"]')
        box.send_keys(f"{mine[2]:.6g}")
        check = next(b for b in browser.find_elements(By.CSS_SELECTOR, f"{QUESTION} button")
                     if b.text == "Check")
        browser.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", check)
        check.click()
        verdict = browser.find_element(By.CSS_SELECTOR, f"{QUESTION} .mlpages-quiz-feedback p")
        assert verdict.get_attribute("data-verdict") == "right", verdict.text
        assert "from your run of conv" in verdict.text and mine[2] == pytest.approx(LEFT, abs=1e-3)


def _edit_bad_page(site: Path) -> None:
    """Store a wrong reference for the inline value and for the results row of bad/."""
    page = site / "bad" / "index.html"
    html = page.read_text()
    attr = VALUE_ATTR.search(html)
    assert attr is not None
    spec = json.loads(unescape(attr.group(1)))
    for ref in spec["references"]:
        ref["value"] = CENTRE + 1
    html = html[:attr.start(1)] + escape(json.dumps(spec), quote=True) + html[attr.end(1):]
    match = RESULTS_SPEC.search(html)
    assert match is not None
    table = json.loads(match.group(2))
    for ref in table[0]["rows"][0]["references"]:
        ref["value"] = TOP_LEFT - 2
    page.write_text(html[:match.start(2)] + json.dumps(table) + html[match.end(2):])


def test_verify_checks_the_bound_numbers_and_fails_an_edited_reference(site, tmp_path):
    result = verify(site, "--json", str(tmp_path / "r.json"), "--artifacts", str(tmp_path / "art"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 cells, 2 quiz questions and 4 bound numbers: 8 passed, 0 mismatched" in result.stdout
    report = json.loads((tmp_path / "r.json").read_text())
    entries = {(p["page"], c["kind"], c["name"]) for p in report["pages"] for c in p["cells"]}
    assert ("good/index.html", "value", "conv.output[1, 1]") in entries
    assert ("good/index.html", "results", "table/row 1") in entries

    _edit_bad_page(site)
    result = verify(site, "--artifacts", str(tmp_path / "art2"))
    assert result.returncode == 1, result.stdout + result.stderr
    lines = [ln.strip() for ln in result.stdout.splitlines() if ln.strip().startswith("bad/")]
    value = [ln for ln in lines if ln.startswith("bad/index.html: inline value conv.output[1, 1] "
                                                 "(mlp-bad-value-1)")]
    assert any(f"stores {CENTRE + 1} for epsilon 0.0001, the reference of conv output index 3 is "
               f"{CENTRE}" in ln for ln in value), lines
    assert any("your run (conv output index 3): browser" in ln for ln in value), lines
    row = [ln for ln in lines if ln.startswith("bad/index.html: results row table/row 1 "
                                               "(mlp-bad-table-row-1)")]
    assert any(f"stores {TOP_LEFT - 2} for epsilon 0.0001" in ln for ln in row), lines
    bound = [ln.strip() for ln in result.stdout.splitlines() if "inline value" in ln or "results row" in ln]
    assert not any(ln.startswith("good/") for ln in bound)  # the untouched page passes
    assert "2 cells, 2 quiz questions and 4 bound numbers: 6 passed, 2 mismatched" in result.stdout


# Every WebGL context request fails before the runtime loads: the page runs on the CPU backend.
NO_WEBGL = """<script>
for (const proto of [HTMLCanvasElement.prototype, globalThis.OffscreenCanvas?.prototype]) {
  if (!proto) continue;
  const original = proto.getContext;
  proto.getContext = function (type, ...rest) {
    return /webgl/i.test(type) ? null : original.call(this, type, ...rest);
  };
}
</script>"""


def test_on_the_cpu_backend_the_sentence_shows_the_cpus_reference(tmp_path, browser):
    page = "# CPU\n\n" + XOR_CELLS + "\nThe loss ends at {mlpages fit-xor.loss, 9 digits}.\n"
    site = build_pages(tmp_path, {"index.md": page}, site_name="cpu")
    index = site / "index.html"
    html = index.read_text()
    index.write_text(html.replace("<head>", "<head>\n" + NO_WEBGL, 1))
    spec = json.loads(unescape(VALUE_ATTR.search(html).group(1)))
    refs = {r["epsilon"]: r["value"] for r in spec["references"]}
    assert refs[1e-4] != refs[1e-7]  # else there is nothing to switch
    with serving(site) as url:
        browser.get(url)
        env = browser.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "window.mlpages.ready.then(() => done(window.mlpages.environment()));")
        assert env["backend"] == "cpu", env
        shown = browser.find_element(By.CSS_SELECTOR, "#mlp-index-value-1")
        assert shown.text == f"{refs[1e-7]:.9g}" != f"{refs[1e-4]:.9g}"
        assert shown.get_attribute("title").endswith("(the reference for ε 1e-7)")
        results = browser.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "window.mlpages.runAll().then(() => done(window.mlpages.results));")
        assert results["mlp-index-fit-xor"]["status"] == "ok"
        own = browser.find_element(By.CSS_SELECTOR, "#mlp-index-value-1 + .mlpages-value-own")
        assert own.text.endswith("✓)"), own.text
        assert "(cpu): matches the reference" in own.get_attribute("title")
