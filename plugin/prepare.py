"""Computing a cold build's references up front, in parallel processes.

MkDocs converts pages one after another, and a cold build spends most of its time in the
NumPy references of `train`, `predict` and `tfjs` cells. Before MkDocs converts any page,
the plugin hands the pages that have such cells to a pool of processes (the `workers`
option); each converts its pages with the same Markdown extensions and an mlpages
extension on the same cache folder, which computes and stores the references. MkDocs
converts each such page once its job is done (its own conversions overlap the workers' on
the pages after it) and finds its references in the cache, and, with the page memo on,
the page's whole output (plugin/memo.py), which it puts back instead of building the blocks
again. Nothing of the result comes from the workers but cache entries, written by the same
code under the same keys as a serial build writes them: a page the step could not convert
(an author error, another plugin that rewrites the Markdown, a `from:` that reads a model
another page of the build exports) is simply computed by the build itself, serially, as before.

A page whose text has not changed since the last build, and whose references are all
still in the cache, is not handed to the pool (:class:`Manifest`): `mkdocs serve` works
again only on the pages that changed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import multiprocessing
import os
import re
import threading
import time
from collections.abc import Iterable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# A fence of a block kind whose reference the cache holds.
_COMPUTES = re.compile(r"^[ \t>]*(?:`{3,}|~{3,})[ \t]*\{?[ \t]*\.?(?:train|predict|tfjs)\b", re.M)
MANIFEST = "pages.manifest"  # in the cache folder; not a `<key>.json` entry


@dataclass(frozen=True)
class Job:
    """One page to convert up front: what the plugin's on_page_markdown tells the extension."""

    path: str  # as build messages name it (relative to mkdocs.yml)
    src_uri: str
    abs_src_path: str
    dest_uri: str


@dataclass(frozen=True)
class Options:
    """How the worker processes convert pages: the build's Markdown extensions (by name) and
    their options, and the mlpages extension's options."""

    extensions: tuple[str, ...]
    extension_configs: dict[str, Any]
    mlpages: dict[str, Any]
    memo: bool = False  # keep each converted page's output in the page memo (plugin/memo.py)


def computes(text: str) -> bool:
    """Whether a page's Markdown has a block whose reference the cache holds."""
    return _COMPUTES.search(text) is not None


def default_workers() -> int:
    """The machine's cores available to this process."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Manifest:
    """What the last build's pages used: per page, the digest of its text and the cache keys
    it read or wrote. Kept in the cache folder; a missing or unreadable one is empty."""

    def __init__(self, directory: Path | None) -> None:
        self.path = directory / MANIFEST if directory is not None else None
        self.pages: dict[str, dict[str, Any]] = {}
        if self.path is not None:
            try:
                loaded = json.loads(self.path.read_text(encoding="utf-8"))
                if isinstance(loaded, dict):
                    self.pages = {k: v for k, v in loaded.items() if isinstance(v, dict)}
            except (OSError, ValueError):
                pass

    def current(self, src_uri: str, text: str, directory: Path) -> bool:
        """Whether the page's text is the one recorded and every key it used is cached."""
        entry = self.pages.get(src_uri)
        if entry is None or entry.get("text") != text_digest(text):
            return False
        keys = entry.get("keys")
        return isinstance(keys, list) and all((directory / f"{k}.json").is_file() for k in keys)

    def record(self, src_uri: str, text: str, keys: Iterable[str]) -> None:
        self.pages[src_uri] = {"text": text_digest(text), "keys": sorted(keys)}

    def write(self) -> None:
        if self.path is None or not self.path.parent.is_dir():
            return
        try:
            self.path.write_text(json.dumps(self.pages, sort_keys=True), encoding="utf-8")
        except OSError:
            pass  # only a hint for the next build


class Pool:
    """`jobs` converted in `workers` processes while MkDocs goes on: it converts the pages in
    the order the jobs were handed out, and :meth:`wait` holds a page back until its job is
    done, so the build's own conversions overlap the workers' on the pages after it.
    Whatever goes wrong in a worker is left for the build's own conversion to report."""

    def __init__(self, jobs: list[Job], options: Options, workers: int) -> None:
        # fork is cheap and shares the imported modules; where threads run (mkdocs serve's
        # server), a forked child could inherit a held lock, so start fresh interpreters then.
        method = "fork" if threading.active_count() == 1 and os.name == "posix" else "spawn"
        self.processes = min(workers, len(jobs))
        self.start = self.last = time.perf_counter()
        context = multiprocessing.get_context(method)
        # The progress lines of long references, which the workers compute, reach the build log.
        self._progress: Any = context.Queue()
        self._relay = threading.Thread(target=_relay, args=(self._progress,), daemon=True)
        self._relay.start()
        self._executor = ProcessPoolExecutor(
            max_workers=self.processes, mp_context=context,
            initializer=_start, initargs=(options, self._progress))
        self._futures: dict[str, Future[tuple[int, int]]] = {}
        for job in jobs:
            future = self._executor.submit(_convert, job)
            future.add_done_callback(self._done)
            self._futures[job.src_uri] = future

    def _done(self, _: Future[tuple[int, int]]) -> None:
        self.last = time.perf_counter()

    def wait(self, src_uri: str) -> bool:
        """Until the page's job is done (at once for a page that has none); whether a worker
        converted the page."""
        future = self._futures.get(src_uri)
        if future is not None:
            with contextlib.suppress(Exception):  # the page computes what is missing itself
                return future.result()[0] == 1
        return False

    def close(self, cancel: bool = False) -> tuple[int, int, int, float]:
        """Wait for the jobs (or drop those not started); (pages converted, of how many,
        references computed, seconds from the start until the last job was done)."""
        self._executor.shutdown(wait=True, cancel_futures=cancel)
        self._progress.put(None)
        self._relay.join()
        converted = computed = 0
        for future in self._futures.values():
            if future.done() and not future.cancelled() and future.exception() is None:
                ok, misses = future.result()
                converted += ok
                computed += misses
        return converted, len(self._futures), computed, self.last - self.start


_WORKER: dict[str, Any] = {}


def _relay(queue: Any) -> None:
    """The build's side of the workers' progress lines: logged as the build's own, until None."""
    from .errors import get_logger

    for message in iter(queue.get, None):
        get_logger().info(message)


class _Forward(logging.Handler):
    """A worker's only log handler: progress lines go to the build; all else is left for the
    build's own conversion to say (else every author error would be reported twice)."""

    def __init__(self, queue: Any) -> None:
        super().__init__(logging.INFO)
        self.queue = queue

    def emit(self, record: logging.LogRecord) -> None:
        from .chain import PROGRESS_MARK

        if getattr(record, PROGRESS_MARK, False):
            with contextlib.suppress(Exception):
                self.queue.put(record.getMessage())


def _start(options: Options, progress: Any) -> None:
    """A worker's Markdown instance, made once; its log passes on only progress lines."""
    from markdown import Markdown

    from .errors import LOGGER_NAME
    from .extension import MlpagesExtension
    from .memo import PageMemo

    mlpages = logging.getLogger(LOGGER_NAME)
    mlpages.setLevel(logging.INFO)
    mlpages.handlers = [_Forward(progress)]
    mlpages.propagate = False
    logging.getLogger("mkdocs").setLevel(logging.CRITICAL + 1)
    ext = MlpagesExtension(**options.mlpages)
    if options.memo and ext.cache.directory is not None:
        # The worker keeps the page's output as the build would, under the same key: the
        # build's own conversion of the page then puts it back instead of building its
        # blocks again (an entry whose key or inputs differ is simply not used).
        ext.memo = PageMemo(ext.cache.directory)
    _WORKER["ext"] = ext
    _WORKER["md"] = Markdown(extensions=[*options.extensions, ext],
                             extension_configs=options.extension_configs)


def _convert(job: Job) -> tuple[int, int]:
    """Convert one page; (1, references computed), or (0, 0) when it could not be."""
    from mkdocs.utils.meta import get_data

    from .extension import PageSource, url_prefix

    ext, md = _WORKER["ext"], _WORKER["md"]
    before = ext.cache.misses
    try:
        text = Path(job.abs_src_path).read_text(encoding="utf-8-sig")
        markdown, _ = get_data(text)
        ext.set_page(PageSource(path=job.path, src_uri=job.src_uri,
                                base_dir=Path(job.abs_src_path).parent, text=text,
                                url_prefix=url_prefix(job.src_uri, job.dest_uri)))
        md.reset()
        md.convert(markdown)
    except Exception:  # noqa: BLE001 (the build's own conversion reports it)
        return 0, 0
    finally:
        ext.pages.clear()
        ext.page_ids.clear()
        ext.published.clear()
    return 1, ext.cache.misses - before
