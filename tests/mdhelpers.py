"""Markdown conversion through the mlpages extension, and reading its cell specs, for tests."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import markdown
from mlpages.extension import MlpagesExtension, PageSource

ROOT = Path(__file__).resolve().parent.parent
# A cell's spec script (docs/reference/page-contract.md); the text is a one-element JSON array.
SPEC_SCRIPT = re.compile(r'<script type="application/json" class="mlpages-spec"[^>]*>(.*?)</script>', re.S)
# Every JSON script of the contract: cell, quiz, results and progress specs, and the page's own.
CONTRACT_SCRIPT = re.compile(
    r'<script type="application/json" class="(mlpages-[a-z-]+)"[^>]*>(.*?)</script>', re.S)

XOR_TEMPLATE = """\
```dataset
name: xor
generate: xor
n: {n}
seed: {data_seed}
```

```model
name: net
seed: {model_seed}
layers:
  - dense: {{units: {units}, activation: tanh, inputShape: [2]}}
  - dense: {{units: 1, activation: sigmoid}}
compile: {{optimizer: adam, loss: binaryCrossentropy{metrics}}}
```

```train
name: {train}
model: net
dataset: xor
epochs: {epochs}
batchSize: 8
```
"""


def xor_cells(*, n: int = 16, data_seed: int = 1, model_seed: int = 2, units: int = 3,
              metrics: bool = True, train: str = "fit-xor", epochs: int = 3) -> str:
    """An XOR dataset `xor` of `n` points, a two-layer network `net` (`units` hidden units;
    accuracy among its metrics or not) and the training cell `train` (batches of 8)."""
    return XOR_TEMPLATE.format(n=n, data_seed=data_seed, model_seed=model_seed, units=units,
                               metrics=", metrics: [accuracy]" if metrics else "", train=train,
                               epochs=epochs)


def xor_course_page(i: int, seed: int, *, metrics: bool = False, **options: Any) -> str:
    """Page `i` of a generated course of tiny pages: `# Page i` and :func:`xor_cells` (the
    training cell `fit`, no metrics unless `metrics`) with the dataset's seed `i` and the
    model's `seed`; `options` go to :func:`xor_cells`."""
    cells = xor_cells(data_seed=i, model_seed=seed, metrics=metrics, train="fit", **options)
    return f"# Page {i}\n\n" + cells


# A small XOR dataset, a two-layer network and a 3-epoch training cell `fit-xor`: the cells
# that tests of numeric quiz questions and of verify bind their numbers to.
XOR_CELLS = xor_cells()

KNOBS_TEMPLATE = """\
# Knobs

```dataset
name: pts
generate: circles
n: 24
noise: 0.1
seed: 3
split: 0.75
```

```model
name: net
seed: 1
layers:
  - dense: {{units: 3, activation: tanh, inputShape: [2]}}
  - dense: {{units: 1, activation: sigmoid}}
compile:
  optimizer: {{sgd: {{learningRate: 0.3}}}}
  loss: binaryCrossentropy
  metrics: [accuracy]
```

```train
name: fit
model: net
dataset: pts
epochs: {epochs}
batchSize: 6
{knobs}
```

```predict
name: {predict}
model: net
dataset: pts
split: test
```
"""


def knobs_page(knobs: str, *, epochs: int, predict: str) -> str:
    """The page `# Knobs` of the knob tests: a `circles` dataset `pts` (24 points, a quarter
    held out), a network `net` trained by SGD, the train cell `fit` of `epochs` with the lines
    `knobs` last, and the prediction `predict` on the held-out points."""
    return KNOBS_TEMPLATE.format(knobs=knobs, epochs=epochs, predict=predict)


# Plain SGD with learning rate 10 on a one-unit linear regression: each epoch multiplies the
# error by about -360, so the float32 loss overflows to Infinity at epoch 16 and turns NaN
# (Infinity - Infinity in the update) at epoch 33, far from any rounding-sized boundary.
DIVERGING_CELLS = """\
```dataset
name: line
generate: linear
n: 32
seed: 1
```

```model
name: unstable
seed: 3
layers:
  - dense: {units: 1, inputShape: [1]}
compile:
  optimizer: {sgd: {learningRate: 10}}
  loss: meanSquaredError
```

```train
name: fit-line
model: unstable
dataset: line
epochs: 40
batchSize: 32
```
"""

# The diverging cells, a prediction by the diverged model, a results table and a numeric
# question bound to values after the divergence.
DIVERGING_PAGE = "# Too large a step\n\n" + DIVERGING_CELLS + """
```predict
name: after
model: unstable
x: [[0.5]]
```

```results
name: losses
quantity: loss
rows:
  - {label: first epoch, cell: fit-line, epoch: 1}
  - {label: epoch 20, cell: fit-line, epoch: 20}
  - {label: last epoch, cell: fit-line}
  - {label: prediction, cell: after}
```

```quiz
name: check
questions:
  - id: last-loss
    question: What is the loss after the last epoch?
    answer_from: {cell: fit-line, quantity: loss}
```
"""


def convert(text: str, path: str = "docs/page.md", base_dir: Path | None = None,
            extensions: list | None = None, **config) -> str:
    """Markdown → HTML through the extension as a course page at `path`."""
    return Converter(extensions, **config)(text, path, base_dir)


class Converter:
    """One Markdown instance and extension for many pages: references stay cached between them."""

    def __init__(self, extensions: list | None = None, **config) -> None:
        self.ext = MlpagesExtension(**config)
        self.md = markdown.Markdown(extensions=[
            "admonition", "pymdownx.details", "pymdownx.superfences",
            "pymdownx.tabbed", "attr_list", self.ext, *(extensions or []),
        ])

    def __call__(self, text: str, path: str = "docs/page.md", base_dir: Path | None = None) -> str:
        """Markdown → HTML as a course page at `path`."""
        self.ext.set_page(PageSource(path=path, src_uri=Path(path).name, base_dir=base_dir or ROOT,
                                     text=text))
        self.ext.pages.clear()
        return self.md.reset().convert(text)


def cell_specs(html: str) -> list[dict[str, Any]]:
    """The cell specs in a page's HTML (converted or built), in page order."""
    return [json.loads(text)[0] for text in SPEC_SCRIPT.findall(html)]


def specs_by_name(html: str) -> dict[str, dict[str, Any]]:
    """The cell specs in a page's HTML by block name."""
    return {spec["name"]: spec for spec in cell_specs(html)}


def contract_scripts(html: str) -> list[tuple[str, dict[str, Any]]]:
    """Every JSON object of the page contract in a page's HTML, with its script's class
    (`mlpages-spec`, `mlpages-quiz-spec`, …, `mlpages-page`), in page order."""
    return [(css_class, json.loads(text)[0]) for css_class, text in CONTRACT_SCRIPT.findall(html)]
