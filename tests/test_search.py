"""The site's search index: a page's prose and quiz texts are found, its cells' specs and
chrome (generated code, tables, labels the build writes) are not, with MkDocs' own search
plugin (default theme) and with Material's."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from mdhelpers import SPEC_SCRIPT, XOR_CELLS
from mlpages import searchindex
from mlpages.html import fmt
from sitebuild import build, write_project

PAGE = f"""\
# Search

The quokka learns the exclusive or.

{XOR_CELLS}
```quiz
name: check
questions:
  - question: Which wombat needs a hidden layer?
    hint: Think of the bilby.
    answers:
      - text: The numbat
        correct: true
        feedback: Right, the dingo agrees.
      - The echidna
    explanation: Because of the platypus.
  - question: What loss did the cassowary reach?
    answer_from: {{cell: fit-xor, quantity: loss}}
```
"""

# The author's words: the page's prose and the quiz's question, answers, hint, feedback and
# explanation.
PROSE = ["quokka", "wombat", "bilby", "numbat", "echidna", "dingo", "platypus", "cassowary"]
# What the build writes around them: spec keys, generated TF.js code, table headers, the
# quiz's instructions and disclosure labels.
CHROME = ["references", "schema", "mlpages-spec", "batchSize", "tf.sequential", "Output shape",
          "NumPy reference", "Choose one answer", "Type a number", "Show the answer", "Hint"]

THEMES = {
    "mkdocs": ("", "indexing"),            # MkDocs' search plugin has `indexing` in its config
    "material": ("theme: {name: material, font: false}\n", "pipeline"),  # Material's has `pipeline`
}


def _index_text(site: Path) -> str:
    """Every title and text of the site's search index, as one string."""
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    return "\n".join(f"{doc['title']}\n{doc['text']}" for doc in index["docs"])


@pytest.mark.parametrize("theme", sorted(THEMES))
def test_search_finds_prose_and_quiz_texts_but_no_spec_or_chrome(tmp_path, theme):
    extra, config_key = THEMES[theme]
    project = write_project(tmp_path, {"index.md": PAGE}, extra=extra)
    config = project / "mkdocs.yml"  # the search plugin before mlpages, as the README has it
    config.write_text(config.read_text().replace("[mlpages]", "[search, mlpages]"))
    result = build(project)
    assert result.returncode == 0, result.stderr
    site = project / "site"
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert config_key in index["config"]  # the theme's own search plugin wrote it
    text = _index_text(site)
    for word in PROSE:
        assert word in text, word
    for chrome in CHROME:
        assert not re.search(rf"\b{re.escape(chrome)}\b", text), chrome
    # The reference's final loss, as the spec writes it and as the cell and the answer show it.
    html = (site / "index.html").read_text(encoding="utf-8")
    train = next(s for s in (json.loads(m)[0] for m in SPEC_SCRIPT.findall(html))
                 if s["kind"] == "train")
    loss = train["references"][0]["history"]["loss"][-1]
    assert json.dumps(loss) not in text
    assert fmt(loss) not in text
    # The page itself keeps everything: cells, specs and the quiz's labels.
    assert html.count('class="mlpages-spec"') == 3 and "Show the answer" in html


def test_hide_and_restore_give_back_the_same_page():
    page = ('<p>before</p><div class="mlpages-cell" data-mlpages-nosearch><div>inner</div>'
            '<table><tr><td>1</td></tr></table></div><p>between</p>'
            '<script type="application/json" class="mlpages-quiz-spec">[{"a":"</div>"}]</script>'
            '<fieldset><legend>q</legend><p class="mode" data-mlpages-nosearch>Choose one.</p>'
            '</fieldset>\n<div data-mlpages-nosearch>\n<div>\nlines</div>\n</div>\n<p>after</p>')
    shown, hidden = searchindex.hide(page)
    assert shown == ("<p>before</p><!--mlpages-nosearch 0--><p>between</p><!--mlpages-nosearch 1-->"
                     "<fieldset><legend>q</legend><!--mlpages-nosearch 2--></fieldset>\n"
                     "<!--mlpages-nosearch 3-->\n<p>after</p>")
    assert searchindex.restore(shown, hidden) == (page, 0)
    # A placeholder another plugin dropped is counted, so the build can say so.
    assert searchindex.restore(shown.replace("<!--mlpages-nosearch 2-->", ""), hidden)[1] == 1


def test_a_plugin_that_drops_the_placeholders_is_a_warning(tmp_path):
    project = write_project(tmp_path, {"index.md": PAGE}, extra="hooks: [strip_comments.py]\n")
    # A hook (run like a plugin, at the default priority) that removes every HTML comment.
    (project / "strip_comments.py").write_text(
        "import re\n\n"
        "def on_page_context(context, page, config, nav):\n"
        "    page.content = re.sub(r'<!--.*?-->', '', page.content)\n"
        "    return context\n")
    result = build(project)
    assert result.returncode != 0  # --strict
    # 3 cells, the quiz's and the page's spec scripts, the page's messages and 8 labels of the quiz.
    assert ("WARNING -  mlpages: index.md: 14 of the page's cells, specs or quiz labels are "
            "missing: another plugin removed the HTML comments") in result.stderr


def test_hide_finds_marks_only_in_start_tags_and_follows_nesting_to_the_end_tag():
    page = ('<p>the attribute data-mlpages-nosearch in prose</p>'
            '<a title="data-mlpages-nosearch">kept</a>'
            "<div class='x' data-mlpages-nosearch=''><div-x>a</div-x><!-- </div> -->"
            '<div><div>b</div></div><script>let s = "</div>";</script></div>'
            '<span>after</span><img data-mlpages-nosearch src="a.png"><div data-mlpages-nosearch>open')
    shown, hidden = searchindex.hide(page)
    assert shown == ('<p>the attribute data-mlpages-nosearch in prose</p>'
                     '<a title="data-mlpages-nosearch">kept</a><!--mlpages-nosearch 0-->'
                     '<span>after</span><!--mlpages-nosearch 1--><div data-mlpages-nosearch>open')
    assert hidden[0].endswith('let s = "</div>";</script></div>')
    assert hidden[1] == '<img data-mlpages-nosearch src="a.png">'
    assert searchindex.restore(shown, hidden) == (page, 0)
