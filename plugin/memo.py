"""The page memo: a warm build reuses a page's mlpages output instead of building its blocks.

On a warm build most of mlpages' time goes into building the blocks of every page again
(generating and digesting datasets, parsing YAML, building models, fits and quizzes), even
though each reference comes from the cache. When a page's text, the options, mlpages'
own code and every file its blocks read are the ones of the build that recorded the page,
its output is the same: the MkDocs plugin then puts back what that build produced (the
HTML of each block and each value in a sentence, the files the page writes next to itself,
the exports other pages read with `from:`, its quizzes for the course index, what the log
said) and builds none of its blocks.

An entry is kept per page in `<cache_dir>/pages/` (the SHA-256 of its JSON on the first
line: a damaged entry is not used), written after the page's real build; the files a page
writes are kept once each in `pages/files/<sha256>` (checked when read) and written into the
site as files of their own (never links to those copies: a tool that rewrites a site file in
place must change neither the cache nor another site built from it). It
is found under a key (the digest of the page's fences and text, where the page lives, the
extension's options, mlpages' version and a digest of its code and catalogues, and the
versions of NumPy, Markdown and Python) and is used only when every input the build read
is still the same: the cache entries of its references (as they were on disk: one
rewritten or damaged since makes the build read and check it again), each file a block
named (CSV files, quiz banks, model files and their weights: by path, where it resolves,
and a digest of its bytes; a file that was missing must still be missing) and each model
another page of the build exported and this page
read (a digest of its files). A page whose build ran the author's Python (`loader:`
datasets, `tfjs` references), or reported a mistake, is never kept: it is built, and its
mistakes reported, on every build. Deleting the cache folder, or the plugin option
`memo: false`, builds every page again.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import platform
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from . import __version__
from .page import Export, PageState

MEMO_DIR = "pages"  # under the cache folder, beside the references' `<key>.json` entries
_FORMAT = 1


def _code_digest() -> str:
    """mlpages' version and a digest of its code and catalogues (everything under plugin/
    that can change what a page's blocks produce), with the versions of what renders them."""
    h = hashlib.sha256(f"{__version__}:{_FORMAT}".encode())
    root = Path(__file__).resolve().parent
    for path in sorted(root.rglob("*")):
        if path.suffix in (".py", ".json") and "__pycache__" not in path.parts and path.is_file():
            h.update(path.relative_to(root).as_posix().encode())
            h.update(hashlib.sha256(path.read_bytes()).digest())
    for package in ("numpy", "markdown", "pymdown-extensions", "pyyaml"):
        try:
            h.update(f"{package}={metadata.version(package)}".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{package}=none".encode())
    h.update(platform.python_version().encode())
    return h.hexdigest()


_CODE: str | None = None


def code_digest() -> str:
    """:func:`_code_digest`, computed once per process."""
    global _CODE
    if _CODE is None:
        _CODE = _code_digest()
    return _CODE


def file_state(named: str) -> list[str]:
    """What a block reading `named` (an absolute path) finds now: where it resolves and a
    digest of its bytes, `missing`, or `special` (a folder, a device)."""
    path = Path(named)
    try:
        real = str(path.resolve())
    except (RuntimeError, ValueError, OSError):
        return ["", "unresolvable"]
    try:
        if not path.exists():
            return [real, "missing"]
        if not path.is_file():
            return [real, "special"]
        h = hashlib.sha256()
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                h.update(chunk)
        return [real, h.hexdigest()]
    except OSError:
        return [real, "unreadable"]


def _entry_state(path: Path) -> list[int] | None:
    """The size and modification time of a reference's cache entry (None: there is none):
    an entry rewritten or damaged since the page was kept makes the page be built, and the
    entry be checked, again."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return [stat.st_size, stat.st_mtime_ns]


def export_state(export: Export | None) -> str | None:
    """A digest of an export's files (None: no page of the build exports that folder)."""
    if export is None:
        return None
    h = hashlib.sha256()
    for name in sorted(export.files):
        h.update(name.encode() + b"\0")
        h.update(hashlib.sha256(export.files[name]).digest())
    return h.hexdigest()


@dataclass
class Reads:
    """What one page's build read besides its own text: set by :func:`recording`."""

    files: set[str] = field(default_factory=set)  # absolute paths as the blocks named them
    exports: dict[str, str | None] = field(default_factory=dict)  # folder -> export_state
    author_code: bool = False  # the build ran the author's Python (a loader, a reference)
    infos: list[str] = field(default_factory=list)  # what it logged at INFO (no mistakes)


_READS: Reads | None = None


def note_file(path: Path) -> None:
    """A block is about to read `path` (plugin/files.py's `inside` says so for every file)."""
    if _READS is not None:
        _READS.files.add(str(path.absolute()))


def note_export(folder: Path, export: Export | None) -> None:
    """A block read the export of another page of the build that writes `folder`."""
    if _READS is not None:
        _READS.exports[str(folder)] = export_state(export)


def note_info(message: str) -> None:
    """The build logged `message` at INFO (a diverged reference): said again when put back."""
    if _READS is not None:
        _READS.infos.append(message)


def note_author_code() -> None:
    """The build runs the author's Python: the page's output may depend on anything."""
    if _READS is not None:
        _READS.author_code = True


@contextmanager
def recording() -> Iterator[Reads]:
    """Note the files, exports and author code the page's build reads, and what it logs at INFO."""
    global _READS
    reads = Reads()
    previous, _READS = _READS, reads
    try:
        yield reads
    finally:
        _READS = previous


@dataclass
class Output:
    """What a page's build produced that the page and the later steps use."""

    slots: dict[int, str]  # slot index -> the block's HTML
    values: dict[int, str]  # value index -> the HTML of a `{mlpages …}` value in a sentence
    infos: list[str] = field(default_factory=list)  # said again when put back
    keys: list[str] = field(default_factory=list)  # the cache keys used (the manifest's)


class PageMemo:
    """The entries in `<directory>/pages/`, one per page (the last build's)."""

    def __init__(self, directory: Path) -> None:
        self.cache_dir = directory
        self.directory = directory / MEMO_DIR
        self.reused = 0  # pages put back, and built and kept, in this build
        self.prepared = 0  # pages put back as a worker of this build converted them (prepare.py)
        # The file copies read or checked in this build, by the id of the bytes they hold
        # (the bytes kept with it, so that the id stays theirs): not read again to be stored.
        self._blobs: dict[int, tuple[bytes, Path]] = {}
        self.kept = 0

    def keep(self, data: bytes) -> Path | None:
        """The copy of `data` in the cache folder (`pages/files/<sha256>`), written if it is
        missing or differs (damaged since it was written); None where it cannot be written."""
        known = self._blobs.get(id(data))
        if known is not None and known[0] is data:
            return known[1]  # read from it, or checked, in this build
        blob = self.directory / "files" / hashlib.sha256(data).hexdigest()
        self._blobs[id(data)] = (data, blob)
        try:
            if blob.stat().st_size == len(data) and blob.read_bytes() == data:
                return blob
        except OSError:
            pass
        try:
            blob.parent.mkdir(parents=True, exist_ok=True)
            tmp = blob.with_name(f".tmp-{os.getpid()}-{blob.name}")
            tmp.write_bytes(data)
            os.replace(tmp, blob)
        except OSError:
            del self._blobs[id(data)]
            return None
        return blob

    def search_cuts(self, src_uri: str, html: str, find: Callable[[str], list[tuple[int, int]]]
                    ) -> list[tuple[int, int]]:
        """`find(html)` (where the page's cells are cut out of what the search plugins read,
        plugin/searchindex.py), kept per page with the digest of `html` and read back while
        the page's HTML is the same."""
        digest = hashlib.sha256(html.encode()).hexdigest()
        path = self._path(src_uri).with_suffix(".search")
        try:
            stored = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(stored, dict) and stored.get("html") == digest:
                cuts = [(int(a), int(b)) for a, b in stored["cuts"]]
                ends = [0] + [x for cut in cuts for x in cut]
                if all(a <= b for a, b in itertools.pairwise(ends)) and ends[-1] <= len(html):
                    return cuts
        except (OSError, ValueError, TypeError, KeyError, RecursionError):
            pass
        cuts = find(html)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps({"html": digest, "cuts": cuts}), encoding="utf-8")
        except OSError:
            pass
        return cuts

    def key(self, parts: dict[str, Any]) -> str:
        payload = json.dumps([code_digest(), parts], sort_keys=True, default=repr)
        return hashlib.sha256(payload.encode()).hexdigest()

    def _path(self, src_uri: str) -> Path:
        return self.directory / (hashlib.sha256(src_uri.encode()).hexdigest()[:32] + ".memo")

    def load(self, src_uri: str, key: str, page: PageState) -> Output | None:
        """The page's output put back into `page` (a fresh state of the page), or None when
        there is no entry for `key` or an input changed (then `page` is left as it was)."""
        try:
            stored = self._path(src_uri).read_text(encoding="utf-8")
            checksum, _, payload = stored.partition("\n")
            if hashlib.sha256(payload.encode()).hexdigest() != checksum:
                return None  # damaged: built again, and overwritten
            entry = json.loads(payload)
        except (OSError, ValueError, RecursionError):
            return None
        try:
            if not isinstance(entry, dict) or entry.get("key") != key:
                return None
            if any(file_state(named) != list(state) for named, state in entry["files"].items()):
                return None
            for key, state in entry["entries"].items():
                if _entry_state(self.cache_dir / f"{key}.json") != state:
                    return None  # a reference entry changed, or is gone: the build checks it
            for folder, state in entry["exports_read"].items():
                if export_state(page.published.get(Path(folder))) != state:
                    return None
            return self._restore(entry, page)
        except (KeyError, TypeError, ValueError, AttributeError, OSError):
            return None  # an entry of another shape, a copy gone: built again, and overwritten

    def _restore(self, entry: dict[str, Any], page: PageState) -> Output | None:
        state = entry["page"]
        if state["claims_id"] and page.page_ids.get(page.slug, page.path) != page.path:
            return None  # another page took the id since: the real build reports it
        exports = []
        for item in entry["exports"]:
            files = {}
            for name, sha in item["files"].items():
                data = (self.directory / "files" / sha).read_bytes()  # OSError: built again
                if hashlib.sha256(data).hexdigest() != sha:
                    return None
                self._blobs[id(data)] = (data, self.directory / "files" / sha)
                files[name] = data
            export = Export(item["cell_id"], item["path"], files, item["page"])
            folder = item["published"]
            if folder is not None:
                other = page.published.get(Path(folder))
                if other is not None and other.page != page.path:
                    return None  # another page exports that folder now: the real build says so
            exports.append((export, folder))
        if state["claims_id"]:
            page.page_ids.setdefault(page.slug, page.path)
        for export, folder in exports:
            page.exports.append(export)
            if folder is not None:
                page.published[Path(folder)] = export
        page.cell_count = int(state["cell_count"])
        page.quiz_count = int(state["quiz_count"])
        page.progress_views = int(state["progress_views"])
        page.languages = set(state["languages"])
        page.specs.update((name, spec) for name, spec in state["quizzes"])
        return Output({int(k): v for k, v in entry["slots"].items()},
                      {int(k): v for k, v in entry["values"].items()},
                      list(entry["infos"]), list(entry["keys"]))

    def store(self, src_uri: str, key: str, page: PageState, reads: Reads, output: Output) -> None:
        """Keep the page's output under `key`; not that of a page that ran author code, or
        whose build warned (every warning is an author's mistake the page counts), so that
        it is built, and its mistakes said, on every build."""
        if reads.author_code or page.error_count:
            self._path(src_uri).unlink(missing_ok=True)
            return
        published = {id(export): str(folder) for folder, export in page.published.items()}
        kept: list[dict[str, str]] = []  # the files of each export, by the SHA-256 of their copy
        for export in page.exports:
            blobs = {name: self.keep(data) for name, data in export.files.items()}
            if any(blob is None for blob in blobs.values()):
                return
            kept.append({name: blob.name for name, blob in blobs.items() if blob is not None})
        entry = {
            "key": key,
            "files": {named: file_state(named) for named in sorted(reads.files)},
            "exports_read": reads.exports,
            "slots": {str(k): v for k, v in output.slots.items()},
            "values": {str(k): v for k, v in output.values.items()},
            "infos": output.infos,
            "keys": sorted(output.keys),
            "entries": {key: _entry_state(self.cache_dir / f"{key}.json") for key in sorted(output.keys)},
            "exports": [{"cell_id": e.cell_id, "path": e.path, "page": e.page,
                         "published": published.get(id(e)), "files": files}
                        for e, files in zip(page.exports, kept, strict=True)],
            "page": {
                "claims_id": page.page_ids.get(page.slug) == page.path and bool(page.names),
                "cell_count": page.cell_count, "quiz_count": page.quiz_count,
                "progress_views": page.progress_views, "languages": sorted(page.languages),
                # In the page's order, which the course's quiz index keeps.
                "quizzes": [[name, spec] for name, spec in dict.items(page.specs)
                            if spec.get("kind") == "quiz"],
            },
        }
        try:
            payload = json.dumps(entry, allow_nan=False)  # every order kept as the build made it
        except (TypeError, ValueError):
            return  # something not JSON (a NaN in a quiz): the page is built every time
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".tmp-", suffix=".memo")
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(hashlib.sha256(payload.encode()).hexdigest() + "\n" + payload)
            os.replace(tmp, self._path(src_uri))
            self.kept += 1
        except OSError:
            pass  # only saves the next build time
