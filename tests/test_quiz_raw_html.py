"""Raw HTML in quiz texts: passed through by default (like the page's Markdown), escaped with
the `quiz_raw_html: false` option for courses that take questions from untrusted authors."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from mdhelpers import convert
from sitebuild import build, write_project


def attack(where: str) -> str:
    """A script and an image whose error handler runs, both tagged with `where`."""
    return f"""<script>mark('{where}')</script> <img src="x" onerror="mark('{where}-img')">"""


PAGE = f"""\
# Quiz

```quiz
name: inline
questions:
  - id: q1
    question: |
      Pick one {attack('question')}
    hint: |
      Think {attack('hint')}
    answers:
      - text: |
          right {attack('answer')}
        correct: true
        feedback: |
          Yes {attack('feedback')}
      - wrong
    explanation: |
      Because {attack('explanation')}

      [a link](javascript:void(0)) and ![an image](y.png){{: onerror="mark('attr')" }}
```

```quiz
include: quizzes/bank.yml
```

{{{{< quizdown >}}}}
### Quizdown asks {attack('quizdown')}
1. [x] yes
1. [ ] no
{{{{< /quizdown >}}}}
"""
BANK = f"""\
- id: banked
  question: |
    From the bank {attack('bank')}
  answers: [no, {{text: yes, correct: true}}]
"""
WHERE = ["question", "hint", "answer", "feedback", "explanation", "bank", "quizdown"]


class _Tags(HTMLParser):
    """Every start tag's name and attributes, in the page and in HTML strings of quiz specs."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        # JSON specs are data; the HTML strings inside them are parsed on their own.
        self._in_script = tag == "script" and dict(attrs).get("type") != "application/json"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)


def _texts(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for v in value.values() for t in _texts(v)]
    if isinstance(value, list):
        return [t for v in value for t in _texts(v)]
    return []


def parsed(html: str) -> _Tags:
    """The page's tags, and those of the HTML the runtime inserts from the quiz specs."""
    tags = _Tags()
    tags.feed(html)
    for spec in re.findall(r'class="mlpages-quiz-spec">(.*?)</script>', html):
        for text in _texts(json.loads(spec)):
            tags.feed(text)
    return tags


def run_marks(tags: _Tags) -> set[str]:
    """The `where` of every attack that would run: a script, or an on* handler."""
    found = {m for s in tags.scripts for m in re.findall(r"mark\('([\w-]+)'\)", s)}
    for _, attrs in tags.tags:
        for name, value in attrs.items():
            if name.startswith("on"):
                found |= set(re.findall(r"mark\('([\w-]+)'\)", value or ""))
            if (value or "").strip().lower().startswith("javascript:"):
                found.add("javascript-url")
    return found


def site(tmp_path, option: str) -> str:
    project = write_project(tmp_path, {"index.md": PAGE}, extensions=("pymdownx.superfences", "attr_list"))
    (project / "quizzes").mkdir()
    (project / "quizzes" / "bank.yml").write_text(BANK, encoding="utf-8")
    config = project / "mkdocs.yml"
    config.write_text(config.read_text().replace("plugins: [mlpages]", f"plugins: [mlpages{option}]"))
    result = build(project)
    assert result.returncode == 0, result.stderr
    return (project / "site" / "index.html").read_text(encoding="utf-8")


def test_raw_html_in_quiz_texts_passes_through_by_default(tmp_path):
    marks = run_marks(parsed(site(tmp_path, "")))
    assert marks >= set(WHERE) | {f"{w}-img" for w in WHERE} | {"javascript-url", "attr"}


def test_quiz_raw_html_false_escapes_it_in_every_quiz_text(tmp_path):
    html = site(tmp_path, ": {quiz_raw_html: false}")
    tags = parsed(html)
    assert run_marks(tags) == set()
    # The texts stay, shown as text: nothing the author wrote silently disappears.
    for where in WHERE:
        assert f"&lt;script&gt;mark('{where}')&lt;/script&gt;" in html.replace("&#x27;", "'"), where
    assert "Pick one" in html and "From the bank" in html and "Quizdown asks" in html


@pytest.mark.parametrize("raw_html, runs", [(True, True), (False, False)])
def test_the_markdown_extension_takes_the_same_option(raw_html, runs, warnings_log):
    html = convert(PAGE.split("```quiz\ninclude")[0], quiz_raw_html=raw_html)
    assert warnings_log() == []
    assert bool(run_marks(parsed(html))) is runs
