"""The browser runtime a site needs, and the author errors a built site holds.

The MkDocs plugin adds the runtime to the site itself; for a site generator that runs the
Markdown extension but no MkDocs plugins (Zensical), `mlpages assets SITE_DIR` copies it in
and reports the error blocks that the build left on the pages (docs/reference/zensical.md).
No MkDocs import here.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

from .arrays import is_file_ref, walk
from .verify.discover import find_pages_in_dir, parse_cells

RUNTIME_DIR = Path(__file__).resolve().parent / "runtime"
if not RUNTIME_DIR.is_dir():  # a source checkout: plugin/ and runtime/ are siblings
    RUNTIME_DIR = Path(__file__).resolve().parent.parent / "runtime"
ASSETS = "assets/mlpages"  # where the runtime lies in a site, from the site's root
VENDOR_TFJS = "vendor/tf.fesm.min.js"
# The runtime's modules minified file by file (tools/vendor.py, `make dev`), with the SHA-256
# of the source each was made from: a site carries them in place of their sources.
MINIFIED = "min"
MINIFIED_SOURCES = "min/sources.json"
# What verify's reading of an error block (render.render_error) or of an inline value's error
# mark (inline.build_values) puts before the message.
_ERROR_TITLE = re.compile(r"^author error in (?:block \S+: mlpages: this \S+ block has an error "
                          r"|inline value: mlpages: )")
# The link to an exported model's files (blocks/train.render_export).
_EXPORT_LINK = re.compile(r'<p class="mlpages-export"><a href="([^"]+)"')


def runtime_files() -> Iterator[tuple[str, Path]]:
    """`(path under assets/mlpages/, file)` for every file of the runtime a site carries:
    its modules, stylesheet and the vendored TF.js and uPlot with their licences.

    A module comes minified, under its own name, while runtime/min/ holds it minified from
    the source as it is now; a source edited since (`mkdocs serve` in a checkout, before
    `make dev` minifies again) is shipped as it is, so a site never runs stale code."""
    minified = _minified()
    for path in sorted(RUNTIME_DIR.rglob("*")):
        rel = path.relative_to(RUNTIME_DIR)
        if rel.parts[0] == MINIFIED or "__pycache__" in rel.parts:
            continue
        if path.is_file() and path.suffix in (".js", ".css", ".txt"):
            yield rel.as_posix(), minified.get(rel.as_posix(), path)


def _minified() -> dict[str, Path]:
    """`{module name: its minified file}` for the modules whose source is unchanged since
    runtime/min/ was built."""
    try:
        digests = json.loads((RUNTIME_DIR / MINIFIED_SOURCES).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    found = {}
    for name, digest in digests.items() if isinstance(digests, dict) else ():
        source, small = RUNTIME_DIR / name, RUNTIME_DIR / MINIFIED / name
        try:
            if small.is_file() and hashlib.sha256(source.read_bytes()).hexdigest() == digest:
                found[name] = small
        except OSError:
            continue
    return found


def copy_runtime(site_dir: Path) -> int:
    """Copy the runtime into `site_dir`/assets/mlpages/ (the URLs pages load it from);
    returns how many files were copied."""
    count = 0
    for rel, path in runtime_files():
        target = site_dir / ASSETS / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
        count += 1
    return count


def site_errors(site_dir: Path) -> list[str]:
    """The message of every author error block on the site's pages (`file:line: kind 'name':
    …`), and of every array file or exported model file a page links to that is not on the
    site, page by page.

    Raises:
        SiteUnavailable: ``site_dir`` is not a directory.
    """
    errors = []
    for page in find_pages_in_dir(site_dir):
        cells = parse_cells(page.html)
        errors += [_ERROR_TITLE.sub("", error) for error in cells.errors]
        links = [str(node["src"]) for spec in cells.cells for node in walk(spec) if is_file_ref(node)]
        links += _EXPORT_LINK.findall(page.html)
        folder = (site_dir / page.name).parent
        for link in dict.fromkeys(links):
            if not (folder / link).is_file():
                errors.append(f"{page.name}: {link} is not on the site (a page the build did not "
                              "convert again writes it: build with `zensical build --clean`)")
    return errors
