"""Courses in the reader's language (plugin/i18n): the catalogues, the scan that keeps
English literals out of what readers see, and how a build picks and overrides messages."""

from __future__ import annotations

import ast
import copy
import json
import re
from pathlib import Path

import pytest
from mlpages import i18n
from mlpages.html import fmt

from tests.mdhelpers import convert
from tests.sitebuild import build, copy_generator_course, generator_build, write_project

ROOT = Path(__file__).resolve().parent.parent
RUNTIME = ROOT / "runtime"
PLUGIN = ROOT / "plugin"

# A small page with a quiz whose feedback is in prose, and a model that shows tables.
PAGE = """# Page

```model
name: net
seed: 1
layers:
  - dense: {units: 2, activation: tanh, inputShape: [2]}
  - dense: {units: 1, activation: sigmoid}
compile: {optimizer: sgd, loss: binaryCrossentropy}
```

```quiz
question: Which is a loss?
multiple: true
answers:
  - text: binaryCrossentropy
    correct: true
  - sgd
hint: It measures error.
```
"""


# The catalogues ---------------------------------------------------------------------------


def test_english_and_eight_more_languages_are_shipped():
    assert set(i18n.languages()) == {"en", "de", "fr", "es", "pt", "it", "zh", "ja", "ru"}


def catalogue_problems(lang: str, own: dict) -> list[str]:
    """How catalogue `own` of `lang` differs from English's: messages missing or extra,
    placeholders not the same, plural forms not the language's, empty texts."""
    english = i18n.catalogue("en")
    problems = []
    for section in i18n.SECTIONS:
        theirs_all, ids = own.get(section, {}), set(english[section])
        problems += [f"{section}: {key}: missing" for key in sorted(ids - set(theirs_all))]
        problems += [f"{section}: {key}: not in English" for key in sorted(set(theirs_all) - ids)]
        for key, message in english[section].items():
            if key not in theirs_all:
                continue
            theirs = theirs_all[key]
            if isinstance(theirs, dict) != isinstance(message, dict):
                problems.append(f"{section}: {key}: plural in one only")
            elif i18n.placeholders(theirs) != i18n.placeholders(message):
                problems.append(f"{section}: {key}: placeholders {sorted(i18n.placeholders(theirs))}")
            elif isinstance(message, dict) and set(theirs) != i18n.plural_forms(lang):
                problems.append(f"{section}: {key}: plural forms {sorted(theirs)}")
            elif not isinstance(message, dict) and not theirs.strip():
                problems.append(f"{section}: {key}: empty")
    return problems


@pytest.mark.parametrize("lang", [lang for lang in i18n.languages() if lang != "en"])
def test_every_catalogue_has_exactly_englishs_messages_and_placeholders(lang):
    assert catalogue_problems(lang, i18n.catalogue(lang)) == []


def test_a_message_missing_from_a_catalogue_fails_the_comparison():
    own = copy.deepcopy(i18n.catalogue("de"))
    del own["runtime"]["run_all"]
    own["build"]["quiz_accepted"] = own["build"]["quiz_accepted"].replace("{atol}", "{tol}")
    own["runtime"]["n_values"] = {"other": "{count} Werte"}
    assert catalogue_problems("de", own) == [
        "build: quiz_accepted: placeholders ['rtol', 'tol']", "runtime: run_all: missing",
        "runtime: n_values: plural forms ['other']"]


def test_message_ids_are_unique_across_sections_and_plurals_give_the_english_forms():
    english = i18n.catalogue("en")
    assert not set(english["build"]) & set(english["runtime"])
    for section in english.values():
        for key, message in section.items():
            if isinstance(message, dict):
                assert set(message) == {"one", "other"}, key


def test_messages_fill_placeholders_choose_plurals_and_write_numbers_as_the_language_does():
    de, ru, ja = i18n.resolve("de"), i18n.resolve("ru"), i18n.resolve("ja")
    assert de.t("n_values", count=1) == "1 Wert" and de.t("n_values", count=3) == "3 Werte"
    assert [ru.t("reader_points", count=n) for n in (1, 3, 5, 21)] == \
        ["1 точка", "3 точки", "5 точек", "21 точка"]
    assert ja.t("n_values", count=1) == "1 個の値"
    assert de.number(0.35) == "0,35" and de.number(-1.5e-7, 3) == "-1,5e-07"
    assert i18n.resolve("en").number(0.35) == "0.35" == ja.number(0.35)
    assert de.number(float("nan")) == fmt(float("nan"))
    assert de.numbers([0.5, 1.25]) == "0,5; 1,25"  # a comma would be ambiguous next to 0,5


def test_a_language_is_read_from_tags_as_themes_write_them():
    assert [i18n.resolve(tag).language for tag in ("de_DE", "pt-BR", "zh-Hans", "JA", "fr-CA")] == \
        ["de", "pt", "zh", "ja", "fr"]


def test_an_unknown_language_falls_back_to_english_with_an_info(caplog):
    caplog.set_level("INFO", logger="mkdocs.plugins.mlpages")
    assert i18n.resolve("xx-unknown", where=" (test)").language == "en"
    assert any("no messages for language 'xx-unknown'" in r.getMessage() and r.levelname == "INFO"
               for r in caplog.records)


def test_overrides_replace_messages_and_must_name_known_ids_and_placeholders():
    overrides = i18n.check_overrides({"de": {"run": "Los", "run_label": "{name} los"}})
    de = i18n.resolve("de", overrides)
    assert de.t("run") == "Los" and de.t("run_label", name="fit") == "fit los"
    assert de.t("stop") == "Stopp"  # the rest is the shipped catalogue's
    assert de.runtime()["run"] == "Los"
    with pytest.raises(ValueError, match="no message 'rnu'"):
        i18n.check_overrides({"de": {"rnu": "Los"}})
    with pytest.raises(ValueError, match="placeholders"):
        i18n.check_overrides({"de": {"run": "Los {wer}"}})
    # A language without a catalogue: English with the course's own messages on top.
    assert i18n.resolve("nl", i18n.check_overrides({"nl": {"run": "Uitvoeren"}})).t("run") == "Uitvoeren"


# The literal scan: no English a reader sees outside the catalogues -----------------------

# Calls whose string arguments no reader sees: errors for authors and developers, the
# console, selectors, attributes by name, URLs and modules.
_JS_EXEMPT_CALLS = {
    "Error", "TypeError", "RangeError", "console.error", "console.warn", "console.log", "warn",
    "querySelector", "querySelectorAll", "closest", "matches", "getAttribute", "setAttribute",
    "removeAttribute", "hasAttribute", "toggleAttribute", "addEventListener", "removeEventListener",
    "import", "URL", "fetch", "getPropertyValue", "ensureStylesheet", "createElement",
    "createElementNS", "getContext", "flagValue", "digest", "Promise.reject", "reject",
    "replaceState", "RegExp", "t", "msg", "tr.t", "i18n.t", "page().t", "translatorFor(first).t",
    "flag", "setFlag", "readFileSync", "describe", "svg", "get", "has", "startsWith", "endsWith",
    "includes", "indexOf", "split", "join", "replace", "match", "test", "resolveColor",
}
# Calls and assignments that put their text in front of a reader.
_JS_VISIBLE_CALLS = {"h", "button", "note", "set", "showError", "statusLine", "append", "prepend",
                     "after", "before"}
_JS_VISIBLE_KEYS = {"text", "title", "aria-label", "aria-valuetext", "placeholder", "alt"}
# Which arguments of those calls are texts: h(tag, attrs, ...children); set(text, tone).
_JS_VISIBLE_FROM = {"h": 2, "showError": 1}
_JS_VISIBLE_TO = {"set": 0, "button": 0, "note": 0, "showError": 1}
# Texts of errors that a broken site or a bad address gives (for authors and developers, as
# build errors are; they name files, URLs and knob values).
_JS_ALLOWED_IN = {("arrayfiles.js", " (missing from the site?)"), ("knobs.js", " nor a number between them"),
                  ("knobs.js", "variant   of train ' ' ( )"), ("knobs.js", " (missing from the site?)"),
                  # a tfjs cell's code that reads a value no cell above returned: the error
                  # names the values there are (for the author, as a JavaScript error is)
                  ("cell-tfjs.js", "none yet"),
                  # the name of the error that stops an author's code at Stop (never shown)
                  ("cell-tfjs.js", "StopSignal"),
                  # the JavaScript a tfjs cell's code is wrapped in before it runs
                  ("freeform.js", " (async function ( ) {\\n \\n})\\n//# sourceURL= ")}
# Runtime modules that write an HTML file for the reader to download (a cell's standalone
# program): their markup literals are the file's HTML and JavaScript, not prose.
_JS_HTML_FILES = {"codeview.js"}
# Literals that are not English though they are words: numbers' names in JavaScript syntax
# (a diverged value is shown as JavaScript writes it), HTTP header names.
_JS_ALLOWED = {"NaN", "Infinity", "-Infinity", "Content-Length", "SHA-256", "—", "…"}
_PROSE = re.compile(r"[A-Za-z]{2,}[,:;.!?…]?\s+[A-Za-z]{2,}|^[A-Z][a-z]{2,}")
_KEY = re.compile(r"\s*(?:([A-Za-z_$][\w$]*)|'([\w-]+)'|\"([\w-]+)\")\s*:")
_IDENT_BEFORE = re.compile(r"((?:new\s+)?[A-Za-z_$][\w$]*(?:\(\))?(?:\.[A-Za-z_$][\w$]*(?:\(\))?)*)\s*$")


def _js_literals(src: str) -> tuple[list[tuple[int, str]], str]:
    """String and template literals of `src` (start offset, static text: a template's
    `${…}` parts a space) and `src` with comments and literals blanked out."""
    out: list[tuple[int, str]] = []
    masked = list(src)
    n = len(src)

    def blank(a: int, b: int) -> None:
        for k in range(a, b):
            if masked[k] != "\n":
                masked[k] = " "

    def code(i: int, in_template: bool) -> int:
        """Scan code from `i`; inside a template's `${`, up to its closing brace."""
        depth = 0
        while i < n:
            c = src[i]
            if src.startswith("//", i):
                j = src.find("\n", i)
                j = n if j < 0 else j
                blank(i, j)
                i = j
            elif src.startswith("/*", i):
                j = src.find("*/", i) + 2
                blank(i, j)
                i = j
            elif c in "'\"":
                j = i + 1
                while src[j] != c:
                    j += 2 if src[j] == "\\" else 1
                out.append((i, src[i + 1:j]))
                blank(i + 1, j)
                i = j + 1
            elif c == "`":
                i = template(i)
            elif c == "/" and re.search(r"(?:[(,=:!&|?;\[{}]|\breturn)\s*$", src[max(0, i - 20):i]):
                j, in_class = i + 1, False  # a regular expression
                while in_class or src[j] != "/":
                    in_class = (in_class or src[j] == "[") and src[j] != "]"
                    j += 2 if src[j] == "\\" else 1
                blank(i + 1, j)
                i = j + 1
            elif c == "{":
                depth += 1
                i += 1
            elif c == "}":
                if in_template and depth == 0:
                    return i + 1
                depth -= 1
                i += 1
            else:
                i += 1
        return i

    def template(i: int) -> int:
        start, j, text = i, i + 1, []
        while src[j] != "`":
            if src.startswith("${", j):
                text.append(" ")
                j = code(j + 2, True)
                continue
            if src[j] == "\\":
                text.append(src[j:j + 2])
                j += 2
                continue
            text.append(src[j])
            masked[j] = " " if src[j] != "\n" else "\n"
            j += 1
        out.append((start, "".join(text)))
        return j + 1

    code(0, False)
    out.sort()
    return out, "".join(masked)


def _js_context(src: str, masked: str, pos: int) -> tuple[list[tuple[str, int]], str | None]:
    """The calls enclosing offset `pos`, innermost first, each with the index of the
    argument the literal is in, and the object key whose value holds it (None if none)."""
    calls: list[tuple[str, int]] = []
    key: str | None = None
    depth = 0  # closers seen walking back, not yet opened
    commas = 0
    segment_start: int | None = None
    k = pos - 1
    while k >= 0 and len(calls) < 4:
        ch = masked[k]
        if ch in ")]}":
            depth += 1
        elif ch in "([{" and depth:
            depth -= 1
        elif depth == 0 and ch == ",":
            if segment_start is None:
                segment_start = k + 1
            commas += 1
        elif depth == 0 and ch == "{":
            if segment_start is None:
                segment_start = k + 1
            if key is None and not calls:
                found = _KEY.match(src[segment_start:pos])
                key = next((g for g in found.groups() if g), None) if found else ""
            prev = masked[:k].rstrip()
            if prev and (prev[-1] in "(,=:?[" or prev.endswith("return")):
                commas, segment_start = 0, None  # an object literal: go on to its call
            else:
                break  # a block: the statement starts here
        elif depth == 0 and ch == "[":
            commas, segment_start = 0, None
        elif depth == 0 and ch == "(":
            name = _IDENT_BEFORE.search(masked[:k])
            calls.append((name.group(1).replace("new ", "").strip() if name else "", commas))
            commas, segment_start = 0, None
        elif depth == 0 and ch == ";":
            break
        k -= 1
    return calls, key or None


def _js_findings(path: Path) -> list[str]:
    src = path.read_text(encoding="utf-8")
    literals, masked = _js_literals(src)
    found = []
    for start, text in literals:
        line = src.count("\n", 0, start) + 1
        if not re.search(r"[A-Za-z]{2,}", text) or text.strip() in _JS_ALLOWED or \
                (path.name, text) in _JS_ALLOWED_IN:
            continue
        if path.name in _JS_HTML_FILES and text.lstrip().startswith("<"):
            continue
        before = masked[:start].rstrip()
        end = _literal_end(src, start)
        if re.search(r"(?:\bimport|\bfrom)\s*$", before) or before.endswith("import("):
            continue
        if re.search(r"(?:===|!==|==|!=|\bcase)\s*$", before) or \
                re.match(r"\s*(?:===|!==|==|!=)", masked[end:end + 8]):
            continue  # compared with a value the code reads (a key name, a status)
        if re.match(r"\s*:", masked[end:end + 4]) and re.search(r"[{,]\s*$", before):
            continue  # an object key
        if re.search(r"(?:\bh|\bsvg|createElement)\(\s*$", before):
            continue  # an element's tag name
        calls, key = _js_context(src, masked, start)
        name, arg = calls[0] if calls else ("", 0)
        short = name.rsplit(".", 1)[-1]
        if key is not None and key not in _JS_VISIBLE_KEYS:
            continue  # an attribute or option no reader reads (class, type, role, …)
        if key is None and (name in _JS_EXEMPT_CALLS or short in _JS_EXEMPT_CALLS):
            continue
        assigned = bool(re.search(r"\.(?:textContent|innerText|title)\s*\+?=\s*$", before))
        visible = key in _JS_VISIBLE_KEYS or assigned or (
            short in _JS_VISIBLE_CALLS
            and _JS_VISIBLE_FROM.get(short, 0) <= arg <= _JS_VISIBLE_TO.get(short, 99))
        if visible or _PROSE.search(text):
            found.append(f"{path.relative_to(ROOT)}:{line}: {text.strip()[:70]!r}")
    return found


def _literal_end(src: str, start: int) -> int:
    """The offset after the literal starting at `start`."""
    quote = src[start]
    if quote in "'\"":
        j = start + 1
        while src[j] != quote:
            j += 2 if src[j] == "\\" else 1
        return j + 1
    j, depth = start + 1, 0
    while True:
        if depth == 0 and src[j] == "`":
            return j + 1
        if src.startswith("${", j):
            depth += 1
            j += 2
            continue
        if depth and src[j] == "}":
            depth -= 1
        j += 2 if src[j] == "\\" else 1


def test_the_runtime_shows_no_literal_text_outside_the_catalogue():
    """Every text the runtime puts in front of a reader comes from a message: a string literal
    in a text-producing place (an h() child, button(), note(), a status line's set(),
    textContent, a title or aria-label) or any prose-shaped literal outside errors for
    developers and the console is a finding."""
    found = [f for path in sorted(RUNTIME.glob("*.js")) for f in _js_findings(path)]
    assert found == [], "\n".join(found)


def test_the_runtime_scan_finds_literals_where_readers_see_them(tmp_path):
    sample = tmp_path / "runtime" / "sample.js"
    sample.parent.mkdir()
    sample.write_text(
        "const a = h('p', { class: 'mlpages-note', title: 'Shown on hover' }, 'Run all');\n"
        "el.textContent = `epoch ${n} of ${m}`;\n"
        "const b = button('Stop', () => {});\n"
        "status.set('training…');\n"
        "throw new Error(`mlpages: no cell '${id}' on this page`);\n"
        "console.warn('mlpages: ignoring this setting');\n"
        "if (event.key === 'Enter') go();\n"
        "const c = h('div', { class: 'mlpages-x', role: 'status' }, t('run'));\n")
    global ROOT
    saved, ROOT = ROOT, tmp_path
    try:
        found = _js_findings(sample)
    finally:
        ROOT = saved
    assert [f.split(": ", 1)[1] for f in found] == \
        ["'Shown on hover'", "'Run all'", "'epoch   of'", "'Stop'", "'training…'"]


_PY_RENDERERS = [*sorted((PLUGIN / "blocks").glob("*.py")), PLUGIN / "html.py", PLUGIN / "render.py",
                 PLUGIN / "inline.py", PLUGIN / "variants.py"]
# Texts in HTML that stay English by design: an author error block's title (build errors are
# for authors and CI) and the prefix of an inline value's error.
_PY_ALLOWED = {("render.py", "mlpages: this \0 block has an error"), ("inline.py", "mlpages: \0")}
_HTML_TAG = re.compile(r"</?(?:a|p|div|span|td|th|tr|table|thead|tbody|tfoot|caption|summary|details|"
                       r"strong|em|li|ul|ol|legend|fieldset|label|svg|text|code|pre|option|select|"
                       r"input|button|small|figure|figcaption|h[1-6])\b")
_TEXT_NODE = re.compile(r">([^<>]*)(?=<|$)")
_VISIBLE_ATTR = re.compile(r'\b(?:aria-label|title|alt|placeholder)="([^"]*)"')


def _html_of(node: ast.AST) -> str | None:
    """A str constant or f-string as text, each `{…}` replaced by NUL; None for others."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "\0" for v in node.values)
    return None


def _py_findings(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                  if isinstance(n, (ast.Module, ast.FunctionDef, ast.ClassDef)) and n.body
                  and isinstance(n.body[0], ast.Expr)}
    parts = {id(v) for n in ast.walk(tree) if isinstance(n, ast.JoinedStr) for v in n.values}

    def report(node: ast.AST, text: str) -> None:
        shown = text.replace("\0", "").strip()
        if re.search(r"[A-Za-z]{2,}", shown) and (path.name, text.strip()) not in _PY_ALLOWED:
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {shown[:70]!r}")

    # Adjacent literals are one text in HTML: join the operands of `+` chains.
    for node in ast.walk(tree):
        if id(node) in docstrings or id(node) in parts:
            continue
        text = _html_of(node)
        if text is None or not _HTML_TAG.search(text) or "(?P<" in text:
            continue  # not HTML (a regular expression, an error naming `<bank>.yml`)
        html = re.sub(r"<code>.*?</code>|<script\b.*?</script>", "", text, flags=re.S)
        for match in _TEXT_NODE.finditer(html):
            if match.group(1).strip():
                report(node, match.group(1))
        for match in _VISIBLE_ATTR.finditer(html):
            report(node, match.group(1))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
                node.func.id in ("esc", "table", "details") and node.args:
            first = node.args[0]
            items = first.elts if isinstance(first, (ast.List, ast.Tuple)) else [first]
            for item in items:
                text = _html_of(item)
                # esc() also escapes URLs and names: prose only; headers and summaries: any word
                if text is not None and (node.func.id != "esc" or _PROSE.search(text.replace("\0", " "))):
                    report(item, text)
    return found


def test_the_renderers_write_no_literal_english_into_pages():
    """Text nodes and title/aria-label values of the HTML the Python renderers write, and
    literals handed to esc(), table() headers and details() summaries, come from messages."""
    found = [f for path in _PY_RENDERERS for f in _py_findings(path)]
    assert found == [], "\n".join(found)


def test_the_renderer_scan_finds_english_in_html(tmp_path):
    sample = tmp_path / "plugin" / "sample.py"
    sample.parent.mkdir()
    sample.write_text(
        "def render(n, m):\n"
        "    a = f'<p class=\"mlpages-note\">first {n} rows</p>'\n"
        "    b = table(['input', m.t('head_label')], [])\n"
        "    c = f'<svg role=\"img\" aria-label=\"the first {n} images\">'\n"
        "    d = f'<p>{esc(m.t(\"results_note\"))}</p><code>tf.loadLayersModel()</code>'\n"
        "    return a + b + c + d\n")
    global ROOT
    saved, ROOT = ROOT, tmp_path
    try:
        found = _py_findings(sample)
    finally:
        ROOT = saved
    assert [f.split(": ", 1)[1] for f in found] == ["'first  rows'", "'the first  images'", "'input'"]


# Which language a build uses ------------------------------------------------------------


def _messages_of(html: str) -> dict:
    found = re.search(r'<div id="mlpages-messages" hidden[^>]*><script[^>]*>(.*?)</script>', html)
    assert found, "the page has no #mlpages-messages"
    return json.loads(found.group(1).replace("\\u003c", "<").replace("\\u003e", ">")
                      .replace("\\u0026", "&"))[0]


def test_the_extension_writes_the_pages_messages_and_renders_in_its_language():
    html = convert(PAGE, language="de")
    data = _messages_of(html)
    assert data["default"] == "de" and set(data["languages"]) == {"de"}
    assert data["languages"]["de"]["run"] == "Ausführen"
    assert set(data["languages"]["de"]) == set(i18n.catalogue("en")["runtime"])
    assert "Wähle alle zutreffenden Antworten." in html and "Lösung anzeigen" in html
    assert "Choose all that apply" not in html and "Show the answer" not in html
    assert "Schicht" in html and "Ausgabeform" in html  # the model's summary table


def test_a_quizdown_locale_applies_to_its_quiz():
    page = ("# Q\n\n{{< quizdown >}}\n---\nlocale: fr\n---\n\n### Which?\n\n- [x] this\n- [ ] that\n"
            "{{< /quizdown >}}\n")
    html = convert(page, language="de")
    assert 'lang="fr" data-mlpages-lang="fr"' in html
    assert "Cochez toutes les bonnes réponses." in html and "Voir la réponse" in html
    assert "Wähle alle zutreffenden Antworten." not in html
    data = _messages_of(html)
    assert data["default"] == "de" and set(data["languages"]) == {"de", "fr"}


def test_the_theme_language_picks_the_catalogue_the_option_overrides_it_and_messages_override_one(tmp_path):
    extra = ("theme:\n  name: mkdocs\n  locale: de\n"
             "plugins:\n  - mlpages:\n      messages: {de: {check: Nachsehen}, ja: messages-ja.yml}\n")
    project = write_project(tmp_path / "de", {"index.md": PAGE})
    text = (project / "mkdocs.yml").read_text().replace("plugins: [mlpages]\n", "")
    (project / "mkdocs.yml").write_text(text + extra)
    (project / "messages-ja.yml").write_text("check: 確認する\n", encoding="utf-8")
    result = build(project)
    assert result.returncode == 0, result.stderr
    data = _messages_of((project / "site" / "index.html").read_text(encoding="utf-8"))
    assert data["default"] == "de" and data["languages"]["de"]["check"] == "Nachsehen"
    # the plugin's language: option wins over the theme's
    chosen = extra.replace("      messages:", "      language: ja\n      messages:")
    (project / "mkdocs.yml").write_text(text + chosen)
    result = build(project)
    assert result.returncode == 0, result.stderr
    data = _messages_of((project / "site" / "index.html").read_text(encoding="utf-8"))
    assert data["default"] == "ja" and data["languages"]["ja"]["check"] == "確認する"


def test_an_unknown_theme_language_builds_in_english_with_an_info(tmp_path):
    project = write_project(tmp_path / "xx", {"index.md": PAGE},
                            extra="theme:\n  name: mkdocs\n  locale: eo\n")
    result = build(project, strict=False)  # MkDocs' theme has no Esperanto either: a warning
    assert result.returncode == 0, result.stderr
    assert "no messages for language 'eo'" in result.stderr
    assert _messages_of((project / "site" / "index.html").read_text(encoding="utf-8"))["default"] == "en"


def test_a_message_override_with_an_unknown_id_fails_the_build(tmp_path):
    project = write_project(tmp_path / "bad", {"index.md": PAGE})
    text = (project / "mkdocs.yml").read_text().replace("plugins: [mlpages]\n", "")
    (project / "mkdocs.yml").write_text(text + "plugins:\n  - mlpages:\n      messages: {de: {rnu: Los}}\n")
    result = build(project)
    assert result.returncode != 0 and "no message 'rnu'" in result.stderr


def test_the_page_title_and_its_toc_entry_hold_no_messages(tmp_path):
    """MkDocs runs the Markdown postprocessors on a heading's text (the page title, the TOC):
    the messages element is written for the page alone."""
    page = ("# Bound\n\n```convolution\nname: conv\nimage: [[1, 2], [3, 4]]\nkernel: [[1]]\n```\n\n"
            "It is {mlpages conv.output[1, 1]}.\n")
    project = write_project(tmp_path / "title", {"index.md": "# Home\n", "bound.md": page})
    result = build(project)
    assert result.returncode == 0, result.stderr
    html = (project / "site" / "bound" / "index.html").read_text(encoding="utf-8")
    assert "<title>Bound - course</title>" in html and html.count('"default"') == 1
    assert html.index('"default"') > html.index('id="mlpages-messages"')


def test_zensical_pages_speak_the_configurations_theme_language(tmp_path):
    project = copy_generator_course(tmp_path / "course")
    config = project / "mkdocs.yml"
    config.write_text(config.read_text() + "theme:\n  language: fr\n")
    built = generator_build("zensical", project, "--clean")
    assert built.returncode == 0, built.stderr
    pages = [p.read_text(encoding="utf-8") for p in (project / "site").rglob("*.html")]
    with_blocks = [html for html in pages if 'id="mlpages-messages"' in html]
    assert with_blocks and all(_messages_of(html)["default"] == "fr" for html in with_blocks)
