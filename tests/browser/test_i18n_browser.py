"""Courses in the reader's language, in real Chromium (WebGL on SwiftShader): a small Material
course built with `theme.language: de` and `ja` shows no English catalogue text once the
runtime has mounted and run (cells, knob panel, reader-data editor, quiz, progress view,
inline values); a German reader's `0,35` is graded like `0.35`; a course's own message
replaces the shipped one; `ar` under `direction: rtl` mirrors the controls; and
`mlpages verify` passes on the German site (nothing it reads is displayed text)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from conftest import english_pieces, serving
from selenium.webdriver.common.by import By
from sitebuild import build, verify, write_project

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser-i18n")]

CELLS = """\
# Daten

```dataset
name: pts
x: [[-1, -1], [-0.8, -0.6], [-0.5, -0.9], [0.6, 0.7], [0.9, 0.4], [0.8, 1.0]]
y: [[0], [0], [0], [1], [1], [1]]
```

```model
name: net
seed: 1
layers:
  - dense: {units: 2, activation: tanh, inputShape: [2]}
  - dense: {units: 1, activation: sigmoid}
compile: {optimizer: {sgd: {learningRate: 0.3}}, loss: binaryCrossentropy, metrics: [accuracy]}
```

```train
name: fit
model: net
dataset: pts
epochs: 3
batchSize: 6
knobs:
  epochs: [2, 3]
  model.learningRate: {values: [0.1, 0.3], free: true}
```

```predict
name: guess
model: net
dataset: pts
split: train
```

```results
name: table
rows:
  - {label: Verlust, cell: fit, quantity: loss}
```

```quiz
name: check
questions:
  - question: Welche?
    answers:
      - text: eins
        correct: true
      - zwei
    hint: Die erste.
  - question: Wie hoch ist der Verlust von fit nach der letzten Epoche?
    answer_from: {cell: fit, quantity: loss}
```
"""
CONV = """\
# Faltung

```convolution
name: conv
image: [[1, 2, 0], [0, 1, 3], [2, 0, 1]]
kernel: edge
padding: same
```

Der Wert ist {mlpages conv.output[1, 1]}.
"""
PROGRESS = "# Fortschritt\n\n```quiz-progress\nname: all\n```\n"
PAGES = {"index.md": CELLS, "conv.md": CONV, "progress.md": PROGRESS}
# The elements mlpages mounts, and inside them what is not mlpages' text: code, the block
# kind and name heads, uPlot's legend (TF.js's history keys), the author's quiz texts.
MOUNTED = (".mlpages-toolbar, .mlpages-cell, .mlpages-quiz, .mlpages-quiz-progress, .mlpages-results, "
           ".mlpages-knobs, .mlpages-value, .mlpages-value-own")
COLLECT = """
const [selector] = arguments;
const skip = 'pre, code, .mlpages-head, .u-legend, .mlpages-quiz-text, legend, .mlpages-answers label, '
  + '.mlpages-quiz-feedback-text, .mlpages-quiz-hint-text';
const texts = [];
for (const root of document.querySelectorAll(selector)) {
  const copy = root.cloneNode(true);
  for (const el of copy.querySelectorAll(skip)) el.remove();
  for (const el of copy.querySelectorAll('script')) el.remove();
  // innerText of the live element (layout: hidden text is not shown), attributes of the copy
  const hidden = new Set(Array.from(root.querySelectorAll(skip)).map((el) => el.innerText));
  let text = root.innerText;
  for (const h of hidden) if (h) text = text.split(h).join(' ');
  texts.push(text);
  for (const el of copy.querySelectorAll('[title], [aria-label]')) {
    texts.push(el.getAttribute('title') || '', el.getAttribute('aria-label') || '');
  }
}
return texts.join('\\n');
"""
RUN_ALL = """
const done = arguments[arguments.length - 1];
window.mlpages.ready.then(() => window.mlpages.runAll()).then(
  (r) => done(r.map((x) => x.status)), (e) => done(String(e)));
"""


def english_on_page(text: str, lang: str) -> list[str]:
    return [p for p in english_pieces(lang)
            if re.search(r"(?<![\w-])" + re.escape(p) + r"(?![\w-])", text)]


def material_site(tmp: Path, theme: str, plugin: str = "mlpages", pages: dict[str, str] = PAGES) -> Path:
    project = write_project(tmp, pages, site_name="kurs")
    yml = (project / "mkdocs.yml").read_text().replace("plugins: [mlpages]\n", "")
    nav = f"nav: [{', '.join(pages)}]\n"
    (project / "mkdocs.yml").write_text(
        f"{yml}site_url: http://127.0.0.1/\n{nav}theme:\n  name: material\n  font: false\n{theme}"
        f"plugins:\n  - {plugin}\n")
    result = build(project)
    assert result.returncode == 0, result.stderr
    return project / "site"


@pytest.fixture(scope="module")
def de_site(tmp_path_factory) -> Path:
    override = "mlpages:\n      messages: {de: {run_all: Alles los}}"
    return material_site(tmp_path_factory.mktemp("i18n-de"), "  language: de\n", plugin=override)


def mount_and_run(browser: Any, url: str) -> None:
    browser.get(url)
    statuses = browser.execute_async_script(RUN_ALL)
    assert isinstance(statuses, list) and set(statuses) <= {"ok"}, statuses


def click(browser: Any, element: Any) -> None:
    """Click by script: Material's sticky header may cover an element scrolled into view."""
    browser.execute_script("arguments[0].click()", element)


def exercise(browser: Any) -> None:
    """Use what shows more text: a wrong answer, the hint, the reader-data editor, a knob."""
    quiz = browser.find_element(By.CSS_SELECTOR, "#mlp-index-check")
    click(browser, quiz.find_element(By.CSS_SELECTOR, "input[type=radio][value='1']"))
    buttons = quiz.find_elements(By.CSS_SELECTOR, "fieldset")[0].find_elements(By.CSS_SELECTOR, "button")
    for b in buttons:
        if b.is_displayed():
            click(browser, b)  # the hint, then Check
    editor = browser.find_element(By.CSS_SELECTOR, "#mlp-index-pts .mlpages-reader button")
    click(browser, editor)  # opens the points editor


def collect(browser: Any) -> str:
    return browser.execute_script(COLLECT, MOUNTED)


@pytest.mark.parametrize("page", ["", "conv/", "progress/"])
def test_a_german_course_shows_no_english(de_site, browser, page):
    with serving(de_site) as url:
        mount_and_run(browser, url + page)
        if page == "":
            exercise(browser)
        text = collect(browser)
    assert text.strip()
    assert english_on_page(text, "de") == [], text
    if page == "":
        assert "Epochen" in text and "Daten des Autors" in text and "Referenz" in text
    if page == "conv/":
        assert "Eingabebild" in text and "dein Lauf" in text


def test_a_japanese_course_shows_no_english(tmp_path_factory, browser):
    site = material_site(tmp_path_factory.mktemp("i18n-ja"), "  language: ja\n",
                         pages={"index.md": CELLS})
    with serving(site) as url:
        mount_and_run(browser, url)
        exercise(browser)
        text = collect(browser)
    assert english_on_page(text, "ja") == [], text
    assert "すべて実行" in text and "参照値" in text and "エポック数" in text


def test_a_course_message_replaces_the_shipped_one_and_numbers_are_german(de_site, browser):
    with serving(de_site) as url:
        mount_and_run(browser, url)
        toolbar = browser.find_element(By.CSS_SELECTOR, ".mlpages-toolbar button")
        assert toolbar.text == "Alles los"
        own = browser.find_element(By.CSS_SELECTOR, "#mlp-index-table td.mlpages-results-own").text
    assert re.match(r"^\d,\d+ ✓ stimmt$", own), own


def test_a_german_readers_comma_is_a_decimal_point(de_site, browser):
    with serving(de_site) as url:
        mount_and_run(browser, url)
        value = browser.execute_script("return window.mlpages.results['mlp-index-fit'].history.loss.at(-1)")
        question = "#mlp-index-check-check-2"
        for typed in (f"{value:.6f}".replace(".", ","), f"{value:.6f}"):
            box = browser.find_element(By.CSS_SELECTOR, f"{question} input[type=text]")
            box.clear()
            box.send_keys(typed)
            check = [b for b in browser.find_elements(By.CSS_SELECTOR, f"{question} button")
                     if b.text == "Prüfen"][0]
            click(browser, check)
            verdict = browser.find_element(By.CSS_SELECTOR, f"{question} [data-verdict]")
            assert verdict.get_attribute("data-verdict") == "right", (typed, verdict.text)
            assert verdict.get_attribute("data-source") == "run"
            assert verdict.text.startswith("Richtig: ") and "," in verdict.text, verdict.text
            again = [b for b in browser.find_elements(By.CSS_SELECTOR, f"{question} button")
                     if b.text == "Nochmal"]
            click(browser, again[0])


def test_right_to_left_mirrors_the_controls(tmp_path_factory, browser):
    site = material_site(tmp_path_factory.mktemp("i18n-ar"), "  language: ar\n  direction: rtl\n",
                         pages={"index.md": CELLS})
    with serving(site) as url:
        mount_and_run(browser, url)
        assert browser.execute_script("return document.body.dir") == "rtl"  # Material sets it on <body>
        toolbar = browser.find_element(By.CSS_SELECTOR, ".mlpages-toolbar")
        run_all = toolbar.find_element(By.CSS_SELECTOR, "button")
        badge = toolbar.find_element(By.CSS_SELECTOR, ".mlpages-badge")
        box = toolbar.rect
        # The first control is at the start of the line: the right, in a right-to-left page.
        assert run_all.rect["x"] > badge.rect["x"]
        assert abs((run_all.rect["x"] + run_all.rect["width"]) - (box["x"] + box["width"])) < 40
        # The quiz's marks are on the answers' start side, the right.
        li = browser.find_element(By.CSS_SELECTOR, "#mlp-index-check .mlpages-answers > li")
        assert browser.execute_script(
            "return getComputedStyle(arguments[0]).borderRightWidth", li) == "3px"


def test_verify_passes_on_the_german_site(de_site):
    result = verify(de_site)
    assert result.returncode == 0, result.stdout + result.stderr
