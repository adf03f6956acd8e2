"""runtime/constants.js and the Python side agree on every table both of them use.

The runtime is plain ES modules with no build step, so it cannot import the Python tables;
these tests read the literals that constants.js exports and compare them with their Python
owners, so that a change on one side only fails here.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from mlpages.blocks.bound import TRAIN_QUANTITIES
from mlpages.blocks.dataset import CLASS_COLORS
from mlpages.contract import ACCURACY_KEYS, DEFAULT_TOLERANCE, SCHEMA
from mlpages.engine.optimizers import TRAIN_ARGS
from mlpages.inline import DIGITS as INLINE_DIGITS
from mlpages.page import EPSILONS
from mlpages.plugin import ASSETS
from mlpages.verify.answers import STATUSES
from mlpages.verify.discover import CELL_MARKER, QUIZ_MARKER, RESULTS_MARKER, VALUE_MARKER

CONSTANTS = Path(__file__).resolve().parents[1] / "runtime" / "constants.js"
_TOKEN = re.compile(r"""\s+|//[^\n]*|/\*.*?\*/|'(?:[^'\\]|\\.)*'|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"""
                    r"""|[A-Za-z_$][\w$]*|[{}\[\](),:.;]""", re.S)


def _tokens(text: str, start: int) -> list[str]:
    """The tokens of the literal that starts at ``start``, up to its closing ``;``."""
    out: list[str] = []
    pos = start
    while True:
        match = _TOKEN.match(text, pos)
        assert match is not None, f"constants.js: cannot read {text[pos:pos + 40]!r}"
        pos = match.end()
        token = match.group()
        if token.isspace() or token.startswith(("//", "/*")):
            continue
        if token == ";":
            return out
        out.append(token)


def js_constant(name: str) -> Any:
    """The value of ``export const NAME = <literal>;`` in constants.js, as JSON would give it.

    Reads the subset of JavaScript the file's tables use: numbers, single-quoted strings,
    arrays, objects with bare or quoted keys, ``true``/``false``/``null``, trailing commas
    and ``Object.freeze(...)`` around any of them.
    """
    text = CONSTANTS.read_text(encoding="utf-8")
    found = re.search(rf"^export const {name} = ", text, re.M)
    assert found is not None, f"constants.js exports no {name}"
    tokens = _tokens(text, found.end())
    out: list[str] = []
    parens: list[bool] = []  # per open "(": whether it is Object.freeze's (dropped)
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if tokens[i:i + 4] == ["Object", ".", "freeze", "("]:
            parens.append(True)
            i += 4
            continue
        if token == ")":
            assert parens and parens.pop(), f"constants.js: {name} is not a plain literal"
        elif token in ("]", "}"):
            if out and out[-1] == ",":
                out.pop()
            out.append(token)
        elif token.startswith("'"):
            out.append(json.dumps(token[1:-1].encode().decode("unicode_escape")))
        elif re.fullmatch(r"[A-Za-z_$][\w$]*", token) and tokens[i + 1:i + 2] == [":"]:
            out.append(json.dumps(token))
        elif token in ("(", "."):
            raise AssertionError(f"constants.js: {name} is not a plain literal")
        else:
            out.append(token)
        i += 1
    return json.loads("".join(out))


def test_optimizer_arguments() -> None:
    # models.js passes a compile's optimizer arguments positionally in this order.
    assert js_constant("OPTIMIZER_ARGS") == {name: list(args) for name, args in TRAIN_ARGS.items()}


def test_schema_version() -> None:
    # The runtime refuses specs of another schema than the one the build writes.
    assert js_constant("SCHEMA") == SCHEMA


def test_default_tolerance() -> None:
    # The page marks a run as matching with the tolerance verify checks it with.
    assert js_constant("DEFAULT_TOLERANCE") == dict(DEFAULT_TOLERANCE)


def test_accuracy_keys() -> None:
    assert sorted(js_constant("ACCURACY_KEYS")) == sorted(ACCURACY_KEYS)


def test_backend_epsilons() -> None:
    # The page picks the reference stored for its backend's epsilon.
    assert js_constant("EPSILON") == EPSILONS
    # An inline value's reference has as many digits in the build's HTML as after the runtime.
    assert js_constant("DIGITS") == INLINE_DIGITS


def test_train_history_keys() -> None:
    # The runtime shows a train cell's history in the order of the quantities the build names.
    assert js_constant("HISTORY_ORDER") == TRAIN_QUANTITIES


def test_class_colors() -> None:
    # A dataset's preview colours its classes as the decision boundary does in the browser.
    runtime = ["#{:02x}{:02x}{:02x}".format(*rgb) for rgb in js_constant("CLASS_COLORS")]
    assert runtime[: len(CLASS_COLORS)] == list(CLASS_COLORS)


def test_result_statuses() -> None:
    assert set(js_constant("STATUS").values()) == STATUSES


def test_markers_and_assets_folder() -> None:
    # verify finds cells and quizzes by the attributes the runtime selects them with.
    assert js_constant("SELECTOR")["cell"].startswith(f"[{CELL_MARKER}]")
    assert js_constant("QUIZ")["selector"] == f"[{QUIZ_MARKER}]"
    assert js_constant("QUIZ")["assetsDir"] == f"{ASSETS}/"
    # ... and results tables and inline values by theirs.
    assert js_constant("RESULTS")["selector"] == f"[{RESULTS_MARKER}]"
    assert js_constant("VALUE")["attribute"] == VALUE_MARKER
    assert js_constant("VALUE")["selector"] == f"span[{VALUE_MARKER}]"
