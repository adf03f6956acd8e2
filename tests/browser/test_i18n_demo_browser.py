"""The whole demo course in the reader's language, in real Chromium (WebGL on SwiftShader):
built with `theme.language: de` and with `ja`, every page is opened, run, and used as a
reader would (a quiz answered wrong and checked, hints and solutions opened, the
reader-data editor opened), and every text mlpages put on it — cells' chrome, buttons,
tables, status and backend lines, quiz chrome, the progress view, knob panels, live inputs,
inline values, titles and labels — is read, each text node with the element it is in.

Two checks, so that neither the catalogue nor a literal missing from it lets English through:

- no text contains an English message (a piece of one between placeholders) that the
  language's own catalogue does not use too;
- no text holds a Latin word that is neither in the language's catalogue, nor the author's
  (every string of the page's specs: names, labels, captions, classes, quiz texts), nor
  code-shaped (`dense_1`, `Conv2D`, `tf.conv2d`): an English literal the catalogue lacks.

A cell that fails shows its status in the language too (its error box holds the author's
error as JavaScript gives it). `mlpages verify` passes on the German build.

The author's prose (the course is written in English) stays out: code, the block heads,
quiz questions, answers, hints and feedback, chart legends (TF.js's history keys) and the
progress view's page titles. Each finding names the page, the element and the text."""

from __future__ import annotations

import html
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import english_pieces, serving
from mlpages import i18n
from sitebuild import build, copy_demo, verify

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser-i18n-demo")]

# Where mlpages puts text: its cells, quizzes, results tables, knob panels, inline values and
# the progress view (a root inside another root is read once, with its outer one).
ROOTS = ("[data-mlpages-kind], [data-mlpages-quiz], .mlpages-quiz-progress, .mlpages-results, "
         ".mlpages-knobs, .mlpages-value, .mlpages-value-own, .mlpages-toolbar, .mlpages-cell")
# Inside them, what is the author's or code: code and its output, the block's kind and name,
# uPlot's legend, quiz texts, the progress view's page titles (the pages' own titles).
# A quiz block's short question is its fieldset's legend (a long one is in .mlpages-quiz-text,
# the legend then says "Question 2" in the page's language).
AUTHOR = ("pre, code, script, style, .mlpages-head, .u-legend, .mlpages-quiz-text, "
          ".mlpages-question:not(:has(> .mlpages-quiz-text)) > legend, .mlpages-answers label, "
          ".mlpages-quiz-feedback-text, .mlpages-quiz-hint-text, .mlpages-quiz-explanation-text, "
          ".mlpages-quiz-progress-table td a")
COLLECT = """
const [roots, author] = arguments;
const all = Array.from(document.querySelectorAll(roots));
const outer = all.filter((el) => !all.some((other) => other !== el && other.contains(el)));
const where = (el) => {
  const parts = [];
  for (let e = el; e && parts.length < 3 && e !== document.body; e = e.parentElement) {
    parts.unshift(e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
      + (typeof e.className === 'string' && e.className
        ? '.' + e.className.trim().split(/\\s+/).join('.') : ''));
    if (e.id) break;
  }
  return parts.join(' > ');
};
const found = [];
const authored = [];
for (const root of outer) {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    const text = node.textContent.trim();
    if (!text || !el) continue;
    if (el.closest(author)) authored.push(text);
    else found.push([where(el), text]);
  }
  for (const el of [root, ...root.querySelectorAll('*')]) {
    if (el.closest(author)) continue;
    for (const name of ['title', 'aria-label', 'aria-valuetext', 'placeholder', 'alt']) {
      const value = el.getAttribute(name);
      if (value && value.trim()) found.push([`${where(el)} [${name}]`, value.trim()]);
    }
    if (el.tagName === 'INPUT' && ['button', 'submit'].includes(el.type) && el.value) {
      found.push([where(el), el.value]);
    }
  }
}
return [found, authored];
"""
# What a reader does to see more of mlpages' texts: answers each quiz question wrong (the
# first choice, a number that no answer is) and checks it, opens hints, solutions and the
# reader-data editor (buttons are those shown before: not Try again, not a reset); then
# starts the page's first training run again and stops it.
EXERCISE = """
const done = arguments[arguments.length - 1];
const pause = (ms = 50) => new Promise((r) => setTimeout(r, ms));
(async () => {
  for (const quiz of document.querySelectorAll('[data-mlpages-quiz]')) {
    for (const box of quiz.querySelectorAll('input[type=text], input:not([type])')) {
      box.value = '-123,5';
      box.dispatchEvent(new Event('input', { bubbles: true }));
    }
    for (const list of quiz.querySelectorAll('.mlpages-answers')) list.querySelector('input')?.click();
    const shown = Array.from(quiz.querySelectorAll('fieldset button'))
      .filter((b) => !b.hidden && b.offsetParent !== null);
    for (const b of shown) { b.click(); await pause(); }
  }
  document.querySelector('.mlpages-reader button')?.click();
  for (const d of document.querySelectorAll('.mlpages-cell details, [data-mlpages-quiz] details')) {
    d.open = true;
  }
  const train = document.querySelector('[data-mlpages-kind=train]');
  // its Run and Stop (not the tools of its code, whose Copy needs a clipboard)
  const controls = '.mlpages-controls:not(.mlpages-code-tools) button';
  const [run, stop] = train ? train.querySelectorAll(controls) : [];
  if (run && stop) {
    run.click();
    for (let i = 0; i < 100 && stop.disabled; i++) await pause(20);
    stop.click();
    for (let i = 0; i < 250 && run.disabled; i++) await pause(20);
  }
  await pause(200);
  done('ok');
})().catch((e) => done(String(e)));
"""
RUN_ALL = """
const done = arguments[arguments.length - 1];
window.mlpages.ready.then(() => window.mlpages.runAll()).then(
  (r) => done(r.map((x) => x.status)), (e) => done(String(e)));
"""
# A Latin word that is code, not prose: an identifier with a digit, an underscore, a dot or
# an inner capital (dense_1, Conv2D, tf.conv2d, binaryCrossentropy), a capital abbreviation,
# or a JavaScript literal (an output shape's `null`, a diverged `NaN`).
CODE_WORD = re.compile(r"^(?:[a-z]+[A-Z]\w*|[A-Z]{2,}\w*|null|NaN|Infinity|true|false)$")


def demo_site(tmp: Path, language: str) -> Path:
    project = copy_demo(tmp)
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert "  name: material\n" in text
    config.write_text(text.replace("  name: material\n", f"  name: material\n  language: {language}\n", 1),
                      encoding="utf-8")
    result = build(project)
    assert result.returncode == 0, result.stderr
    return project / "site"


def pages_with_blocks(site: Path) -> list[str]:
    """Every page of the site that has an mlpages block, quiz or progress view."""
    found = []
    for page in sorted(site.rglob("index.html")):
        text = page.read_text(encoding="utf-8")
        if 'id="mlpages-messages"' in text:
            rel = page.parent.relative_to(site).as_posix()
            found.append("" if rel == "." else rel + "/")
    return found


def author_strings(page_html: str, source: str) -> list[str]:
    """The author's strings among those of the page's JSON scripts but its messages (specs,
    quizzes, knobs): names, labels, captions, classes, quiz texts, longest first. A string
    counts as the author's where `source` (the page's Markdown and the course's data and
    quiz files) has it: a text mlpages wrote into a spec (a knob's default label) does not."""
    strings: set[str] = set()
    source = source.lower()

    def walk(value: Any, key: str = "") -> None:
        if isinstance(value, str):
            for piece in (value, re.sub(r"<[^>]+>", " ", value)):
                for line in html.unescape(piece).split("\n"):
                    line = line.strip()
                    if line and (line.lower() in source or not re.search(r"[^\W\d_]{3}", line)):
                        strings.add(line)
        elif isinstance(value, dict):
            for k, v in value.items():
                if key == "history":  # TF.js's history keys (loss, acc, val_loss)
                    strings.add(k)
                walk(v, k)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    for attrs, body in re.findall(r"<script([^>]*)>(.*?)</script>", page_html, flags=re.S):
        if "application/json" not in attrs and "mlpages" not in attrs:
            continue
        try:
            data = json.loads(body.replace("\\u003c", "<").replace("\\u003e", ">").replace("\\u0026", "&"))
        except ValueError:
            continue
        if isinstance(data, list) and data and isinstance(data[0], dict) and "languages" in data[0]:
            continue  # the page's messages
        walk(data)
    return sorted(strings, key=len, reverse=True)


def course_source(project: Path, page: str) -> str:
    """The Markdown of the site page `page` ('course/xor/') and the course's data and quiz files."""
    docs = project / "docs"
    md = docs / ((page.rstrip("/") or "index") + ".md")
    extra = [p for folder in (docs / "course" / "data", project / "quizzes")
             for p in sorted(folder.rglob("*")) if p.is_file()]
    return "\n".join(p.read_text(encoding="utf-8") for p in [md, *extra])


def vocabulary(lang: str) -> set[str]:
    """The Latin words of the language's catalogue (German's are most of its words;
    Japanese's are names such as TF.js, NumPy, WebGL), lower-cased."""
    text = json.dumps(i18n.catalogue(lang), ensure_ascii=False)
    text = re.sub(r"\{\w+\}", " ", text)
    return {w.lower() for w in re.findall(r"[A-Za-zÀ-ÿ]+", text)}


def words_of(text: str) -> list[str]:
    """The prose words of `text`: a chunk between spaces that is a path or an identifier
    (a slash, an inner dot, an underscore, a digit) is code; the others split at hyphens
    and punctuation."""
    out = []
    for chunk in text.split():
        if re.search(r"[/_\d]|\w\.\w|^\.\w", chunk):
            continue
        out += [w for w in re.findall(r"[A-Za-zÀ-ÿ]+", chunk) if not CODE_WORD.match(w)]
    return out


def without_author(text: str, authored: list[str]) -> str:
    for s in authored:
        if s in text:
            text = re.sub(r"(?<!\w)" + re.escape(s) + r"(?!\w)", " ", text)
    return text


def findings(page: str, texts: list[list[str]], authored: list[str], lang: str) -> list[str]:
    pieces, words = english_pieces(lang), vocabulary(lang)
    out = []
    for where, text in texts:
        rest = without_author(text, authored)
        english = [p for p in pieces if re.search(r"(?<![\w-])" + re.escape(p) + r"(?![\w-])", rest)]
        strange = [w for w in words_of(rest) if re.search(r"[A-Za-z]{3,}", w) and w.lower() not in words]
        if english or strange:
            out.append(f"/{page} {where}: {text!r} (English: {english + strange})")
    return out


def read_page(browser: Any, url: str) -> tuple[list[list[str]], list[str]]:
    """Open, run and use the page; its texts ([element, text]) and the author's texts
    shown inside mlpages' elements (answers, questions)."""
    browser.get(url)
    statuses = browser.execute_async_script(RUN_ALL)
    assert isinstance(statuses, list) and set(statuses) <= {"ok"}, (url, statuses)
    assert browser.execute_async_script(EXERCISE) == "ok"
    texts, authored = browser.execute_script(COLLECT, ROOTS, AUTHOR)
    return texts, authored


@pytest.fixture(scope="module")
def demo_in(tmp_path_factory) -> Callable[[str], Path]:
    """The demo course built in a language (once per language in this module)."""
    built: dict[str, Path] = {}

    def site(lang: str) -> Path:
        if lang not in built:
            built[lang] = demo_site(tmp_path_factory.mktemp(f"demo-{lang}"), lang)
        return built[lang]

    return site


@pytest.mark.parametrize("lang", ["de", "ja"])
def test_the_demo_course_shows_no_english_mlpages_text(lang, demo_in, browser):
    site = demo_in(lang)
    pages = pages_with_blocks(site)
    assert len(pages) >= 12, pages  # the course's pages and the progress view
    found, seen = [], 0
    with serving(site) as url:
        for page in pages:
            texts, shown = read_page(browser, url + page)
            seen += len(texts)
            authored = author_strings((site / page / "index.html").read_text(encoding="utf-8"),
                                      course_source(site.parent, page))
            authored = sorted(set(authored) | set(shown), key=len, reverse=True)
            found += findings(page, texts, authored, lang)
    assert seen > 500
    assert found == [], "\n".join(found)


def test_a_failing_cell_says_so_in_the_course_language(demo_in, browser, tmp_path):
    """A cell whose code throws: its status line and the rest of the page stay German; the
    error box shows the author's error as JavaScript gives it, with the Markdown line."""
    site = tmp_path / "site"
    shutil.copytree(demo_in("de"), site)
    page = site / "course" / "freeform" / "index.html"
    served = page.read_text(encoding="utf-8")
    code = '"code":"// name: hello-line\\n'
    assert code in served
    page.write_text(served.replace(code, code.replace('"code":"', '"code":"throw new Error(\'Ups\');'), 1),
                    encoding="utf-8")
    with serving(site) as url:
        browser.get(url + "course/freeform/")
        statuses = browser.execute_async_script(RUN_ALL)
        texts, shown = browser.execute_script(COLLECT, ROOTS, AUTHOR)
    assert statuses[0] == "error" and set(statuses[1:]) == {"ok"}, statuses
    boxes = [text for where, text in texts if where.endswith(".mlpages-cell-error")]
    assert len(boxes) == 1 and re.search(r"freeform\.md:\d+: Error: Ups$", boxes[0]), boxes
    assert any(where.endswith("span.mlpages-status") and text == "Fehler" for where, text in texts)
    rest = [[where, text] for where, text in texts if not where.endswith(".mlpages-cell-error")]
    authored = author_strings(served, course_source(demo_in("de").parent, "course/freeform/")) + shown
    assert findings("course/freeform/", rest, authored, "de") == []


def test_mlpages_verify_passes_on_the_german_demo_course(demo_in):
    """Nothing verify reads is displayed text: the German course verifies as the English one
    does. Its knob variants are the English build's (a variant's references do not depend on
    the language), which tests/browser/test_verify_sites.py checks all of; here the served
    variants only, to keep the run short."""
    result = verify(demo_in("de"), "--variants", "default", "--workers", "2")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 mismatched, 0 errors, 0 not run" in result.stdout, result.stdout
    assert "pages (0 failed)" in result.stdout, result.stdout


def test_the_checks_find_english_and_words_the_catalogue_lacks():
    """The two checks catch an English message and a literal no catalogue has, and pass the
    author's strings, code-shaped words and the language's own words."""
    texts = [["td", "noch nicht ausgeführt"], ["p", "not run yet"], ["span", "Referenz: Epochs done"],
             ["th", "after 1 epoch"], ["td", "dense_1 (Dense)"], ["span", "Kernel sharpen (3×3)"]]
    got = findings("x/", texts, ["after 1 epoch", "sharpen", "Dense"], "de")
    assert len(got) == 2 and "'not run yet'" in got[0] and "Epochs" in got[1], got


def test_only_the_authors_strings_of_a_spec_are_passed():
    """A spec's strings that the page's source has are the author's; a label mlpages wrote
    into a spec (a knob's default label) is not."""
    knobs = ('[{"knobs": [{"label": "Units (Schicht 1)"}, {"label": "Taux"}], '
             '"caption": "Accuracy on the test"}]')
    spec = '[{"history": {"val_acc": [1]}, "x": "x1"}]'
    messages = '[{"default": "de", "languages": {}}]'
    page = (f'<script type="application/json" class="mlpages-knobs-spec">{knobs}</script>'
            f'<script type="application/json" class="mlpages-spec">{spec}</script>'
            f'<div id="mlpages-messages"><script type="application/json">{messages}</script></div>')
    got = author_strings(page, "label: Taux\ncaption: accuracy on the test\n")
    assert got == ["Accuracy on the test", "val_acc", "Taux", "x1"], got
