"""`results` blocks: tables of numbers taken from the cells above, never typed by the author."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest
from mdhelpers import convert, specs_by_name
from test_errors import HEAD

TRAIN = """\
```train
name: fit
model: net
dataset: xor
epochs: 3
batchSize: 2
```

```predict
name: guess
model: net
x: [[0, 1], [1, 1]]
```

"""


def results_spec(html: str) -> dict:
    (raw,) = re.findall(r'class="mlpages-results-spec">(.*?)</script>', html)
    return json.loads(unescape(raw))[0]


def test_rows_carry_the_cells_reference_values_for_each_epsilon():
    block = ("```results\nname: t\ncaption: Loss\nquantity: loss\nrows:\n"
             "  - {label: first, cell: fit, epoch: 1}\n  - {label: last, cell: fit}\n"
             "  - {cell: fit, epoch: 2}\n  - {cell: guess, index: 1}\n```\n")
    html = convert(HEAD + TRAIN + block)
    spec = results_spec(html)
    cells = specs_by_name(html)
    fit, guess = cells["fit"], cells["guess"]
    assert [r["label"] for r in spec["rows"]] == ["first", "last", "fit, epoch 2", "guess, value 1"]
    assert len(fit["references"]) == 2
    for ref in fit["references"]:
        eps = ref["epsilon"]
        got = [next(x["value"] for x in row["references"] if x["epsilon"] == eps) for row in spec["rows"]]
        want = [ref["history"]["loss"][0], ref["history"]["loss"][2], ref["history"]["loss"][1]]
        assert got[:3] == want
    pred = next(r for r in guess["references"] if r["epsilon"] == 1e-4)["predictions"]["data"][1]
    assert spec["rows"][3]["references"][0]["value"] == pred
    assert spec["rows"][0]["from"] == {"cell": "mlp-page-fit", "name": "fit", "quantity": "loss", "epoch": 0}
    # Without JavaScript: a table of the WebGL reference, with the caption.
    assert "<caption>Loss</caption>" in html
    assert '<th scope="row">first</th><td><code>loss</code></td>' in html
    assert 'data-mlpages-kind="results"' not in html  # not a cell: verify and the runtime skip it


CASES = [
    ("no rows", "```results\nname: t\n```\n",
     "docs/ch1.md:30: results 't': 'rows' must be a list of {label, cell, quantity, epoch | index}"),
    ("unknown row key", "```results\nname: t\nrows:\n  - {cell: fit, quantity: loss, epoh: 2}\n```\n",
     "docs/ch1.md:33: results 't': row 1: unknown key 'epoh' (did you mean 'epoch'?)"),
    ("cell below", "```results\nname: t\nquantity: loss\nrows:\n  - {cell: later}\n```\n",
     "docs/ch1.md:34: results 't': row 1: no train, predict, convolution or tfjs cell named 'later' above "
     "this table; a table can use only cells defined above it (above: fit, guess)"),
    ("wrong quantity", "```results\nname: t\nrows:\n  - {cell: fit, quantity: val_loss}\n```\n",
     "docs/ch1.md:33: results 't': row 1: quantity 'val_loss' is not in the history of 'fit' "
     "(did you mean 'loss'?); it has: loss"),
    ("epoch out of range", "```results\nname: t\nquantity: loss\nrows:\n  - {cell: fit, epoch: 4}\n```\n",
     "docs/ch1.md:34: results 't': row 1: epoch 4 is out of range: 'fit' trains 3 epochs "
     "(1 to 3, or last)"),
    ("a model is no cell to read", "```results\nname: t\nrows:\n  - {cell: net}\n```\n",
     "docs/ch1.md:33: results 't': row 1: 'net' is a model block, not a train, predict, "
     "convolution or tfjs cell"),
    ("row without a cell", "```results\nname: t\nrows:\n  - {label: x, quantity: loss}\n```\n",
     "docs/ch1.md:33: results 't': row 1: needs 'cell': the name of a train, predict, "
     "convolution or tfjs cell above this table"),
    ("unknown key", "```results\nname: t\ncolumns: 2\nrows: [{cell: fit, quantity: loss}]\n```\n",
     "docs/ch1.md:32: results 't': unknown key 'columns'"),
]


@pytest.mark.parametrize(("what", "block", "expected"), CASES, ids=[c[0] for c in CASES])
def test_results_mistakes_name_file_line(what, block, expected, warnings_log):
    convert(HEAD + TRAIN + block, path="docs/ch1.md")
    (message,) = warnings_log()
    assert message.startswith(expected), message
