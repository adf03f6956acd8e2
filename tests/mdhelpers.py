"""Markdown conversion through the mlpages extension, for tests."""

from __future__ import annotations

from pathlib import Path

import markdown
from mlpages.extension import MlpagesExtension, PageSource

ROOT = Path(__file__).resolve().parent.parent

# A small XOR dataset, a two-layer network and a 3-epoch training cell `fit-xor`: the cells
# that tests of numeric quiz questions and of verify bind their numbers to.
XOR_CELLS = """\
```dataset
name: xor
generate: xor
n: 16
seed: 1
```

```model
name: net
seed: 2
layers:
  - dense: {units: 3, activation: tanh, inputShape: [2]}
  - dense: {units: 1, activation: sigmoid}
compile: {optimizer: adam, loss: binaryCrossentropy, metrics: [accuracy]}
```

```train
name: fit-xor
model: net
dataset: xor
epochs: 3
batchSize: 8
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

