"""`mlpages verify` checks numeric quiz questions on a real build: a stored answer edited in
the built HTML is reported with page, quiz, question and values; the untouched page passes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from mdhelpers import XOR_CELLS
from sitebuild import build_pages, verify

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser-verify-quiz")]

PAGE = "# Numbers\n\n" + XOR_CELLS + """
```predict
name: corners
model: net
x: [[0, 0], [1, 1]]
```

```quiz
name: check
questions:
  - id: last-loss
    question: What is the loss after the last epoch of `fit-xor`?
    answer_from: {cell: fit-xor, quantity: loss}
  - id: corner
    question: What does the network say for (1, 1)?
    answer_from: {cell: corners, index: 1}
```
"""
QUIZ_SPEC = re.compile(r'(class="mlpages-quiz-spec">)(.*?)(</script>)', re.S)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return build_pages(tmp_path_factory.mktemp("verify-quiz"), {"good.md": PAGE, "bad.md": PAGE},
                       site_name="numeric", extra="site_url: http://127.0.0.1/\n")


def test_numeric_questions_pass_when_they_agree_with_their_cells(site, tmp_path):
    result = verify(site, "--json", str(tmp_path / "r.json"), "--artifacts", str(tmp_path / "art"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "8 cells and 4 quiz questions: 12 passed, 0 mismatched" in result.stdout
    report = json.loads((tmp_path / "r.json").read_text())
    questions = [c for p in report["pages"] for c in p["cells"] if c["kind"] == "quiz"]
    assert sorted(c["name"] for c in questions) == ["check/corner"] * 2 + ["check/last-loss"] * 2
    assert all(c["status"] == "passed" for c in questions)


def test_a_wrong_stored_answer_is_a_mismatch_naming_page_question_and_values(site, tmp_path):
    page = site / "bad" / "index.html"
    html = page.read_text()
    match = QUIZ_SPEC.search(html)
    spec = json.loads(match.group(2))
    question = spec[0]["questions"][0]
    webgl = next(r for r in question["references"] if r["epsilon"] == 1e-4)
    right = webgl["value"]
    webgl["value"] = wrong = round(right * 1.5, 6)  # far outside rtol 1e-2
    page.write_text(html[: match.start(2)] + json.dumps(spec, separators=(",", ":")) + html[match.end(2):])

    result = verify(site, "--artifacts", str(tmp_path / "art"))
    assert result.returncode == 1, result.stdout + result.stderr
    lines = [ln.strip() for ln in result.stdout.splitlines() if "quiz question" in ln]
    stored = next(ln for ln in lines if ": stored value:" in ln)
    assert stored.startswith("bad/index.html: quiz question check/last-loss (mlp-bad-check-last-loss)")
    assert f"stores {wrong:.9g} for epsilon 0.0001" in stored
    assert f"the reference of fit-xor loss epoch 3 is {right:.9g}" in stored
    graded = next(ln for ln in lines if "graded value (fit-xor loss epoch 3)" in ln)
    assert graded.startswith("bad/index.html: quiz question check/last-loss")
    assert f"reference {wrong:.9g}, allowed [" in graded
    assert not any(ln.startswith("good/") for ln in lines)  # the untouched page passes
    assert "8 cells and 4 quiz questions: 11 passed, 1 mismatched" in result.stdout
