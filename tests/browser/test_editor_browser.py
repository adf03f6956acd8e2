"""The reader's code editor (runtime/editor.js, CodeMirror 6) in headless Chromium on WebGL,
on a small Material site with instant navigation: its bundle is downloaded only when a reader
presses Edit; an edited program runs and labels itself as covered by no reference (the
reference beside it, no ✓); an error is reported at its line in the editor; Reset restores the
author's code; the edit survives a reload and an instant navigation; the editor follows the
light and dark palette; ten edited runs leak no tensors."""

from __future__ import annotations

from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait
from sitebuild import build_pages

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser-editor")]

# The cell's code as the editor shows it (its header line is part of it).
CODE = "// name: sum\nconst a = tf.tensor1d([1, 2, 3]);\nreturn {total: a.sum()};"
PAGE = f"""# Editable

```tfjs
{CODE}
```

```reference
return {{"total": 6}}
```
"""
LINE_FIT = """# Line

```dataset
name: points
x: [[1], [2], [3], [4]]
y: [[1], [3], [5], [7]]
```

```model
name: line
seed: 3
layers:
  - dense: {units: 1, inputShape: [1]}
compile:
  optimizer: {sgd: {learningRate: 0.02}}
  loss: meanSquaredError
```

```train
name: fit-line
model: line
dataset: points
epochs: 30
batchSize: 4
```

```predict
name: at-five
model: line
x: [[5]]
```
"""
TRAIN = "mlp-linefit-fit-line"
PREDICT = "mlp-linefit-at-five"
OTHER = "# Other\n\nNothing to run here.\n"
MATERIAL = """theme:
  name: material
  font: false
  features: [navigation.instant]
  palette:
    - scheme: default
      toggle: {icon: material/weather-night, name: Dark mode}
    - scheme: slate
      toggle: {icon: material/weather-sunny, name: Light mode}
nav: [editable.md, other.md, linefit.md]
"""
CELL = "mlp-editable-sum"


@pytest.fixture(scope="module")
def url(tmp_path_factory, browser):
    from conftest import serve

    site = build_pages(tmp_path_factory.mktemp("editor"), {"editable.md": PAGE, "other.md": OTHER,
                                                                     "linefit.md": LINE_FIT},
                       extra=MATERIAL)
    root, stop = serve(site)
    yield root
    stop()


def fresh(driver: Any, url: str) -> None:
    """The page with no stored edit, ready."""
    driver.get(url + "editable/")
    driver.execute_script("localStorage.clear()")
    driver.get(url + "editable/")
    ready(driver)


def ready(driver: Any) -> None:
    driver.execute_async_script("const done = arguments[0]; window.mlpages.ready.then(() => done(true));")


def cell_button(driver: Any, label: str, cell: str = CELL) -> Any:
    return [b for b in driver.find_elements(By.CSS_SELECTOR, f"#{cell} .mlpages-controls button")
            if b.get_attribute("textContent") == label][0]


def resources(driver: Any) -> list[str]:
    return driver.execute_script("return performance.getEntriesByType('resource').map((e) => e.name)")


def open_editor(driver: Any, cell: str = CELL) -> None:
    driver.execute_script("arguments[0].click()", cell_button(driver, "Edit", cell))
    WebDriverWait(driver, 30).until(lambda d: d.find_elements(By.CSS_SELECTOR, f"#{cell} .cm-content"))


def editor_text(driver: Any, cell: str = CELL) -> str:
    return driver.execute_script(
        "return Array.from(document.querySelectorAll(arguments[0] + ' .cm-line'),"
        " (l) => l.textContent).join('\\n')",
        f"#{cell}")


def type_code(driver: Any, lines: list[str], cell: str = CELL) -> None:
    """Replace the editor's text by typing `lines` (each line from column 0)."""
    content = driver.find_element(By.CSS_SELECTOR, f"#{cell} .cm-content")
    content.click()
    content.send_keys(Keys.CONTROL, "a")
    content.send_keys(Keys.DELETE)
    for i, line in enumerate(lines):
        if i:
            content.send_keys(Keys.ENTER)
            content.send_keys(Keys.SHIFT, Keys.HOME)  # drop any auto-indent
            content.send_keys(Keys.DELETE)
        content.send_keys(line)
    assert editor_text(driver, cell) == "\n".join(lines)


SET_CODE = """
const [cell, text, done] = arguments;
const bundle = performance.getEntriesByType('resource').map((e) => e.name)
  .find((n) => n.endsWith('/vendor/codemirror.js'));
const {EditorView} = await import(bundle);
const view = EditorView.findFromDOM(document.querySelector('#' + cell + ' .cm-editor'));
view.dispatch({changes: {from: 0, to: view.state.doc.length, insert: text}});
done(true);
"""


def set_code(driver: Any, text: str, cell: str) -> None:
    """Replace the editor's text as one change (a whole program: typing it would be slow)."""
    done = driver.execute_async_script(
        f"(async () => {{ {SET_CODE} }})().catch((e) => arguments[arguments.length - 1](String(e)))",
        cell, text)
    assert done is True, done
    assert editor_text(driver, cell) == text


def run(driver: Any, cell: str = CELL) -> dict[str, Any]:
    return driver.execute_async_script(
        "const [id, done] = arguments; window.mlpages.run(id).then(done, (e) => done(String(e)));", cell)


def marks(driver: Any, cell: str = CELL) -> list[str]:
    found = f"#{cell} .mlpages-live table.mlpages-table tbody tr td:last-child"
    cells = driver.find_elements(By.CSS_SELECTOR, found)
    return [td.text for td in cells]


def test_the_editor_bundle_is_downloaded_only_when_edit_is_pressed(url, browser):
    fresh(browser, url)
    assert not [r for r in resources(browser) if "codemirror" in r]
    assert run(browser)["status"] == "ok"  # running the author's code needs no editor either
    assert not [r for r in resources(browser) if "codemirror" in r]
    open_editor(browser)
    assert [r for r in resources(browser) if r.endswith("/vendor/codemirror.js")]
    assert editor_text(browser) == CODE
    assert not browser.find_element(By.CSS_SELECTOR, f"#{CELL} .mlpages-code").is_displayed()


def test_an_edited_run_labels_itself_and_reset_restores(url, browser):
    fresh(browser, url)
    author = run(browser)
    assert author["status"] == "ok" and author["comparable"] and not author.get("edited")
    assert all(m.startswith("✓") for m in marks(browser))
    open_editor(browser)
    type_code(browser, ["const a = tf.tensor1d([1, 2, 3]);", "return {total: a.sum().mul(2)};"])
    edited = run(browser)
    assert edited["status"] == "ok", edited
    assert edited["edited"] is True and edited["comparable"] is False and edited["unverified"]
    assert edited["values"]["total"]["data"] == [12]
    row = browser.find_element(By.CSS_SELECTOR, f"#{CELL} .mlpages-live tbody tr").text
    assert "12" in row and "6" in row  # the reference stands beside the reader's value
    assert marks(browser) == ["—"] and "✓" not in browser.find_element(By.ID, CELL).text
    assert "no reference covers" in browser.find_element(By.ID, CELL).text
    browser.execute_script("arguments[0].click()", cell_button(browser, "Reset"))
    assert editor_text(browser) == CODE
    assert not cell_button(browser, "Reset").is_displayed()
    again = run(browser)
    assert again["comparable"] and not again.get("edited")
    assert all(m.startswith("✓") for m in marks(browser))


@pytest.mark.parametrize("lines, kind", [
    (["const a = tf.tensor1d([1, 2, 3]);", "const b = a.notAMethod();", "return {total: b};"], "TypeError"),
    (["const a = 1;", "const b = (a + ;", "return {total: a};"], "SyntaxError"),
])
def test_an_error_in_edited_code_is_shown_at_its_line(url, browser, lines, kind):
    fresh(browser, url)
    open_editor(browser)
    type_code(browser, lines)
    result = run(browser)
    assert result["status"] == "error"
    assert result["error"].startswith(f"line 2: {kind}"), result["error"]
    marked = browser.find_elements(By.CSS_SELECTOR, f"#{CELL} .cm-line.mlpages-editor-error-line")
    assert [m.text for m in marked] == [lines[1]]
    message = browser.find_element(By.CSS_SELECTOR, f"#{CELL} .mlpages-editor-message")
    assert message.is_displayed() and message.text.startswith(f"line 2: {kind}")
    # fixing the line clears the mark
    type_code(browser, ["const a = tf.tensor1d([1]);", "return {total: a};"])
    assert run(browser)["status"] == "ok"
    assert not browser.find_elements(By.CSS_SELECTOR, f"#{CELL} .mlpages-editor-error-line")


def test_the_edit_survives_a_reload_and_instant_navigation(url, browser):
    fresh(browser, url)
    open_editor(browser)
    edit = ["const a = tf.tensor1d([1, 2, 3]);", "return {total: a.sum().add(1)};"]
    type_code(browser, edit)
    browser.refresh()
    ready(browser)
    WebDriverWait(browser, 30).until(lambda d: d.find_elements(By.CSS_SELECTOR, f"#{CELL} .cm-content"))
    assert editor_text(browser) == "\n".join(edit)
    result = run(browser)
    assert result["edited"] and result["values"]["total"]["data"] == [7]
    # Away and back without a reload (Material's instant navigation): one editor, the edit kept.
    for path in ("other/", "editable/"):
        link = browser.find_element(By.CSS_SELECTOR, f'.md-nav a[href$="{path}"]')
        browser.execute_script("arguments[0].click()", link)
        WebDriverWait(browser, 30).until(lambda d, p=path: d.current_url.endswith(p))
    WebDriverWait(browser, 30).until(lambda d: d.find_elements(By.CSS_SELECTOR, f"#{CELL} .cm-content"))
    assert browser.execute_script("return performance.getEntriesByType('navigation').length") == 1
    assert len(browser.find_elements(By.CSS_SELECTOR, f"#{CELL} .cm-editor")) == 1
    assert editor_text(browser) == "\n".join(edit)
    result = run(browser)
    assert result["edited"] and result["values"]["total"]["data"] == [7]


def test_the_editor_follows_the_palette(url, browser):
    fresh(browser, url)
    open_editor(browser)
    colours = {}
    for scheme in ("default", "slate"):
        colours[scheme] = browser.execute_script("""
            document.body.setAttribute('data-md-color-scheme', arguments[0]);
            const cs = (sel) => getComputedStyle(document.querySelector(sel));
            const editor = cs(arguments[1] + ' .cm-editor');
            return {bg: editor.backgroundColor, fg: editor.color,
                    codeBg: cs(':root').getPropertyValue('--md-code-bg-color').trim(),
                    page: cs('body').backgroundColor};""", scheme, f"#{CELL}")

    def luminance(css: str) -> float:
        parts = [float(p) for p in css[css.index("(") + 1:css.index(")")].split(",")[:3]]
        return sum(parts) / 3

    light, dark = colours["default"], colours["slate"]
    assert luminance(light["bg"]) > 200 and luminance(dark["bg"]) < 80, colours
    assert luminance(light["fg"]) < luminance(light["bg"]), colours
    assert luminance(dark["fg"]) > luminance(dark["bg"]), colours


def test_ten_edited_runs_leak_no_tensors(url, browser):
    fresh(browser, url)
    open_editor(browser)
    type_code(browser, ["const a = tf.randomNormal([50, 4]);", "const w = tf.variable(tf.ones([4, 1]));",
                        "const y = tf.matMul(a, w);", "return {total: y.sum(), w};"])
    counts = []
    for _ in range(11):
        result = run(browser)
        assert result["status"] == "ok" and result["edited"], result
        counts.append(browser.execute_script("return window.mlpages.memory().numTensors;"))
    assert len(set(counts)) == 1, counts


def test_an_edited_train_cell_trains_on_the_chart_and_labels_itself(url, browser):
    browser.get(url + "linefit/")
    browser.execute_script("localStorage.clear()")
    browser.get(url + "linefit/")
    ready(browser)
    open_editor(browser, TRAIN)
    program = editor_text(browser, TRAIN)  # the complete program the cell shows
    assert "const history = await line.fit(xs, ys, {epochs: 30," in program, program
    set_code(browser, program.replace("epochs: 30,", "epochs: 12,"), TRAIN)
    # the program's Copy and standalone buttons give the author's program: hidden while edited
    assert not browser.find_element(By.CSS_SELECTOR, f"#{TRAIN} .mlpages-code-tools").is_displayed()
    counts = []
    for _ in range(3):
        result = run(browser, TRAIN)
        assert result["status"] == "ok", result.get("error")
        assert result["edited"] and not result["comparable"]
        assert len(result["history"]["loss"]) == 12
        counts.append(browser.execute_script("return window.mlpages.memory().numTensors;"))
    assert len(set(counts)) == 1, counts
    printed = browser.find_element(By.CSS_SELECTOR, f"#{TRAIN} .mlpages-output").text
    assert printed.startswith("loss "), printed  # the program's console.log, under the cell
    progress = browser.find_element(By.CSS_SELECTOR, f"#{TRAIN} progress")
    assert (progress.get_attribute("value"), progress.get_attribute("max")) == ("12", "12")
    assert set(marks(browser, TRAIN)) == {"—"}
    assert "no reference covers" in browser.find_element(By.ID, TRAIN).text
    # The cells below run on the author's training again, and match their reference.
    below = run(browser, PREDICT)
    assert below["status"] == "ok" and below["comparable"], below
    assert all(m.startswith("✓") for m in marks(browser, PREDICT))
    # An error in the edit is shown at its line.
    broken = program.replace("const history = await line.fit(", "const history = await line.fitt(")
    line = broken.split("\n").index(next(x for x in broken.split("\n") if "line.fitt(" in x)) + 1
    set_code(browser, broken, TRAIN)
    result = run(browser, TRAIN)
    assert result["status"] == "error", result
    assert result["error"].startswith(f"line {line}: TypeError"), result["error"]
    marked = browser.find_elements(By.CSS_SELECTOR, f"#{TRAIN} .cm-line.mlpages-editor-error-line")
    assert [m.text for m in marked] == [broken.split("\n")[line - 1]]
    # Reset: the author's program runs again, over its own epochs, checked.
    browser.execute_script("arguments[0].click()", cell_button(browser, "Reset", TRAIN))
    author = run(browser, TRAIN)
    assert author["status"] == "ok" and author["comparable"] and not author.get("edited"), author
    assert progress.get_attribute("max") == "30"
    assert all(m.startswith("✓") for m in marks(browser, TRAIN))


START = """
const [id] = arguments;
window.__run = null;
window.mlpages.run(id).then((r) => { window.__run = r; }, (e) => { window.__run = String(e); });
"""


def stop_while_running(driver: Any, cell: str, started: str) -> dict[str, Any]:
    """Start a run of `cell`, wait until the page script `started` is true, press Stop."""
    driver.execute_script(START, cell)
    WebDriverWait(driver, 60).until(lambda d: d.execute_script(started))
    driver.execute_script("arguments[0].click()", cell_button(driver, "Stop", cell))
    WebDriverWait(driver, 60).until(lambda d: d.execute_script("return window.__run !== null"))
    return driver.execute_script("return window.__run")


def test_stop_ends_an_edited_run_at_its_next_await(url, browser):
    fresh(browser, url)
    open_editor(browser)
    type_code(browser, ["let step = 0;", "while (true) {", "print('step', step);",
                        "step += 1;", "await tf.nextFrame();", "}"])
    result = stop_while_running(browser, CELL, "return (document.querySelector("
                                "'#mlp-editable-sum .mlpages-output')?.textContent ?? '').includes('step 3')")
    assert result["status"] == "stopped" and result["edited"], result

    browser.get(url + "linefit/")
    ready(browser)
    open_editor(browser, TRAIN)
    browser.execute_script("arguments[0].click()", cell_button(browser, "Reset", TRAIN))
    set_code(browser, editor_text(browser, TRAIN).replace("epochs: 30,", "epochs: 100000,"), TRAIN)
    progress = f"return Number(document.querySelector('#{TRAIN} progress').value) > 2"
    result = stop_while_running(browser, TRAIN, progress)
    assert result["status"] == "stopped" and result["edited"], result
    assert 2 < len(result["history"]["loss"]) < 100000

    # An edited predict program stops in the fits that bring its model to the cell.
    open_editor(browser, PREDICT)
    browser.execute_script("arguments[0].click()", cell_button(browser, "Reset", PREDICT))
    set_code(browser, editor_text(browser, PREDICT).replace("epochs: 30,", "epochs: 100000,"), PREDICT)
    result = stop_while_running(browser, PREDICT, (
        f"return [...document.querySelectorAll('#{PREDICT} .mlpages-controls button')]"
        ".some((b) => b.textContent === 'Stop' && !b.disabled)"))
    assert result["status"] == "stopped" and result["edited"] and "predictions" not in result, result


def test_focus_is_not_trapped_in_the_editor(url, browser):
    fresh(browser, url)
    open_editor(browser)
    content = browser.find_element(By.CSS_SELECTOR, f"#{CELL} .cm-content")
    content.click()
    content.send_keys(Keys.END, Keys.TAB)  # Tab indents inside the editor
    assert browser.execute_script("return document.activeElement.classList.contains('cm-content')")
    assert editor_text(browser) != CODE
    content.send_keys(Keys.ESCAPE)
    browser.switch_to.active_element.send_keys(Keys.TAB)  # Escape, then Tab: focus moves on
    inside = "return !!document.activeElement.closest('.cm-editor')"
    assert not browser.execute_script(inside)
    # Ctrl-Enter runs the cell from the editor
    content.click()
    content.send_keys(Keys.CONTROL, Keys.ENTER)
    WebDriverWait(browser, 60).until(lambda d: d.execute_script(
        "return window.mlpages.results[arguments[0]]?.edited === true", CELL))


def test_an_edited_predict_cell_shows_its_prediction_labelled(url, browser):
    browser.get(url + "linefit/")
    browser.execute_script("localStorage.clear()")
    browser.get(url + "linefit/")
    ready(browser)
    trained = run(browser, TRAIN)  # the author's training: the weights the program's fit reaches
    assert trained["status"] == "ok", trained
    (w,), (b,) = (trained["weights"][0]["data"], trained["weights"][1]["data"])
    open_editor(browser, PREDICT)
    program = editor_text(browser, PREDICT)  # the complete program: data, model, fit, predict
    asked = "const inputs = tf.tensor2d([[5]]);"
    assert asked in program and "prediction.print();" in program, program
    assert "const prediction = line.predict(inputs);" in program, program
    # other rows, a log line, and the prediction made inside a tf.tidy (which disposes its tensors)
    edited = program.replace(asked, "const inputs = tf.tensor2d([[6], [-2]]);\nconsole.log('asked', 2);")
    edited = edited.replace("line.predict(inputs);", "tf.tidy(() => line.predict(inputs).clone());")
    set_code(browser, edited, PREDICT)
    counts = []
    for _ in range(3):
        result = run(browser, PREDICT)
        assert result["status"] == "ok", result.get("error")
        assert result["edited"] and not result["comparable"], result
        counts.append(browser.execute_script("return window.mlpages.memory().numTensors;"))
    assert len(set(counts)) == 1, counts
    assert result["predictInputs"]["data"] == [6, -2]
    assert result["predictions"]["shape"] == [2, 1]
    for x, y in zip((6, -2), result["predictions"]["data"], strict=True):
        assert abs(y - (w * x + b)) < 1e-3 * max(1, abs(y)), (x, y, w, b)
    rows = [r.text for r in browser.find_elements(By.CSS_SELECTOR, f"#{PREDICT} .mlpages-live tbody tr")]
    assert len(rows) == 2 and rows[0].startswith("1 6") and rows[1].startswith("2 -2"), rows
    assert set(marks(browser, PREDICT)) == {"—"} and "✓" not in browser.find_element(By.ID, PREDICT).text
    assert "no reference covers" in browser.find_element(By.ID, PREDICT).text
    printed = browser.find_element(By.CSS_SELECTOR, f"#{PREDICT} .mlpages-output").text
    assert "asked 2" in printed and "Tensor" in printed, printed  # console.log and prediction.print()
    # An error in the edit is shown at its line.
    broken = edited.replace(".predict(inputs)", ".predictt(inputs)")
    line = next(i for i, x in enumerate(broken.split("\n"), 1) if ".predictt(" in x)
    set_code(browser, broken, PREDICT)
    result = run(browser, PREDICT)
    assert result["status"] == "error" and result["error"].startswith(f"line {line}: TypeError"), result
    marked = browser.find_elements(By.CSS_SELECTOR, f"#{PREDICT} .cm-line.mlpages-editor-error-line")
    assert [m.text for m in marked] == [broken.split("\n")[line - 1]]
    # Reset: the author's rows, predicted by the page's model, checked against the reference.
    browser.execute_script("arguments[0].click()", cell_button(browser, "Reset", PREDICT))
    assert editor_text(browser, PREDICT) == program
    author = run(browser, PREDICT)
    assert author["status"] == "ok" and author["comparable"] and not author.get("edited"), author
    assert all(m.startswith("✓") for m in marks(browser, PREDICT))
    assert not browser.find_element(By.CSS_SELECTOR, f"#{PREDICT} .mlpages-output").is_displayed()
