"""Markdown conversion through the mlpages extension, for tests."""

from __future__ import annotations

from pathlib import Path

import markdown
from mlpages.extension import MlpagesExtension, PageSource

ROOT = Path(__file__).resolve().parent.parent


def convert(text: str, path: str = "docs/page.md", base_dir: Path | None = None,
            extensions: list | None = None, **config) -> str:
    """Markdown → HTML through the extension as a course page at `path`."""
    ext = MlpagesExtension(**config)
    ext.set_page(PageSource(path=path, src_uri=Path(path).name, base_dir=base_dir or ROOT, text=text))
    md = markdown.Markdown(extensions=[
        "admonition", "pymdownx.details", "pymdownx.superfences",
        "pymdownx.tabbed", "attr_list", ext, *(extensions or []),
    ])
    return md.convert(text)

