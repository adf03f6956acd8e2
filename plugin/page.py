"""Per-page state: the blocks seen so far, in document order, and where each model's
chain of fits (plugin/chain.py) has taken it.
"""

from __future__ import annotations

import copy
import re
from collections import Counter
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np

from .cache import ResultCache, digest
from .chain import Chain
from .errors import BlockError, did_you_mean
from .knobs import Knob
from .limits import Limits
from .text import TextRenderer

# Backend epsilons of TF.js 4.22: WebGL (float32 render targets) and CPU.
EPSILONS: dict[str, float] = {"webgl": 1e-4, "cpu": 1e-7}


def id_part(text: str) -> str:
    """`text` as part of an element id: each run of characters other than letters, digits,
    `-` and `_` becomes one `-` (`d.a` and `d a` both give `d-a`; see `PageState.claim_element_ids`)."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text)


def slugify(path: str) -> str:
    """`basics/xor.md` → `basics-xor`: the page part of every cell id."""
    stem = re.sub(r"\.(md|markdown)$", "", path.replace("\\", "/"))
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-").lower()
    return slug or "page"


@dataclass
class DatasetInfo:
    """A dataset block's arrays, as the model trains on them."""

    name: str
    id: str
    x: np.ndarray
    y: np.ndarray | None
    x_test: np.ndarray | None
    y_test: np.ndarray | None
    classes: list[str] | None
    normalize: dict[str, Any]
    prepared: Any  # data.Prepared, for apply()
    features: list[str] | None = None  # the feature names (columns of a 2-D x)


@dataclass
class ModelInfo:
    """A model block: its TF.js config and initial weights, and where the page has taken it."""

    name: str
    id: str
    layers: list[dict[str, Any]]
    optimizer: Any
    loss: str
    metrics: list[str]
    weights: list[np.ndarray]
    input_shape: tuple[int, ...]
    output_shape: tuple[int | None, ...]
    chain: Chain = field(init=False)
    trained_by: list[str] = field(default_factory=list)
    last_dataset: DatasetInfo | None = None
    unseeded_dropout: bool = False
    code: str = ""  # the model cell's TF.js (jsgen.model_code), which programs start from
    fits: list[Any] = field(default_factory=list)  # program.Fit per cell of `trained_by`

    def __post_init__(self) -> None:
        key = digest("model", self.layers, self.optimizer, self.loss, self.metrics, self.weights)
        self.chain = Chain(self, (), key)

    def fork(self) -> ModelInfo:
        """A copy that a later train cell can extend without changing this one: the lists a
        fit appends to are its own; the chain is shared (its ops and key never change, and its
        engines are a cache that each fit takes its engine out of)."""
        other = copy.copy(self)  # not through __init__: the chain's key is not digested again
        other.trained_by, other.fits = list(self.trained_by), list(self.fits)
        return other

    @property
    def sample_shape(self) -> tuple[int, ...]:
        """The output shape of one sample: ``output_shape`` without the batch axis (the only
        axis whose size is left open)."""
        return tuple(n for n in self.output_shape[1:] if n is not None)


ALL = "*"  # what a block that reads every entry of a table touches (Watched)


class Watched(dict):
    """A table of a page's state (its models, datasets, specs, free-form values) that notes
    the entries the block being built reads or writes, into `seen` as `(table, key)`, or
    `(table, ALL)` for one that lists them all: which blocks a knob variant's changes reach
    (plugin/variants.py). `None`: notes nothing. Copies (:meth:`PageState.fork`) are plain."""

    table = ""
    seen: set[tuple[str, Any]] | None = None  # also while unpickling, before __init__ would

    def __init__(self, table: str, entries: dict[Any, Any]) -> None:
        super().__init__(entries)
        self.table = table
        self.seen = None

    def _see(self, key: Any) -> None:
        if self.seen is not None:
            self.seen.add((self.table, key))

    def __getitem__(self, key: Any) -> Any:
        self._see(key)
        return super().__getitem__(key)

    def __setitem__(self, key: Any, value: Any) -> None:
        self._see(key)
        super().__setitem__(key, value)

    def __contains__(self, key: object) -> bool:
        self._see(key)
        return super().__contains__(key)

    def get(self, key: Any, default: Any = None) -> Any:
        self._see(key)
        return super().get(key, default)

    def setdefault(self, key: Any, default: Any = None) -> Any:
        self._see(key)
        return super().setdefault(key, default)

    def pop(self, key: Any, *default: Any) -> Any:
        self._see(key)
        return super().pop(key, *default)

    def __iter__(self) -> Any:
        self._see(ALL)
        return super().__iter__()

    def __len__(self) -> int:
        self._see(ALL)
        return super().__len__()

    def keys(self) -> Any:
        self._see(ALL)
        return super().keys()

    def values(self) -> Any:
        self._see(ALL)
        return super().values()

    def items(self) -> Any:
        self._see(ALL)
        return super().items()

    def copy(self) -> dict[Any, Any]:
        self._see(ALL)
        return dict.copy(self)


# The tables of PageState that Watched watches.
WATCHED = ("models", "datasets", "specs", "freeform")


@dataclass
class KnobCell:
    """A train cell with knobs: what the page builds once per variant."""

    name: str
    id: str
    model: str  # the names of the model and dataset blocks it trains
    dataset: str
    slot: int  # the index of its fence in the page (plugin/render.py)
    line: int | None  # the line of its `knobs` key
    knobs: list[Knob]


@dataclass
class Export:
    """Files a block asks to publish next to the page (`train` with `export: models/<name>`)."""

    cell_id: str
    path: str  # the folder, relative to the Markdown file's directory, e.g. models/net
    files: dict[str, bytes]  # file name in that folder -> contents
    page: str = ""  # the page that writes it, as shown in messages

    def items(self) -> list[tuple[str, bytes]]:
        """`(relative path, bytes)` per file, e.g. `("models/net/model.json", b"...")`."""
        return [(f"{self.path}/{name}", data) for name, data in self.files.items()]


@dataclass(frozen=True)
class SiteFolders:
    """The docs folder and the site folder it is built into, when the extension writes a
    page's files into the site itself (under Zensical, which runs no MkDocs plugin)."""

    docs_dir: Path
    site_dir: Path


@dataclass
class PageState:
    """What one page's blocks share while the page is being built."""

    path: str  # as shown in messages, e.g. docs/ch1.md
    slug: str
    base_dir: Path  # relative paths in blocks (csv) are resolved against it
    cache: ResultCache
    allow_loaders: bool = True
    allow_author_code: bool = True  # Python run at build: loaders and free-form references
    names: dict[str, str] = field(default_factory=dict)  # name -> kind
    name_lines: dict[str, int | None] = field(default_factory=dict)  # name -> its fence's line
    ordinals: Counter[str] = field(default_factory=Counter)
    datasets: dict[str, DatasetInfo] = field(default_factory=dict)
    models: dict[str, ModelInfo] = field(default_factory=dict)
    cell_count: int = 0
    error_count: int = 0
    quizzes_dir: Path | None = None  # quiz banks (`include: quizzes/<bank>.yml`); None: base_dir/quizzes
    text: TextRenderer = field(default_factory=TextRenderer)  # Markdown of quiz texts
    quiz_ids: dict[str, str] = field(default_factory=dict)  # question id -> quiz name
    quiz_count: int = 0
    progress_views: int = 0  # `quiz-progress` blocks
    # The languages of the page's messages (plugin/i18n): the page's, and quizzes' own `locale`.
    languages: set[str] = field(default_factory=set)
    # What the block being built tells its author that is no mistake (a diverged reference):
    # logged at INFO with the block's file and line once the block is built.
    infos: list[str] = field(default_factory=list)
    specs: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> built spec (for quizzes)
    # Files to write next to the page (MkDocs plugin: into the site; bare extension: the caller's).
    exports: list[Export] = field(default_factory=list)
    # Every export of the build so far, by its absolute folder (base_dir / path), shared by all
    # pages: a later page's `from:` reads a model an earlier page exports.
    published: dict[Path, Export] = field(default_factory=dict)
    url_prefix: str = ""  # from the page's URL directory to its Markdown file's ("" or "../")
    # The same for links in the page's HTML (`<a href>`); None: url_prefix. Zensical rewrites
    # those links itself as relative to the Markdown file: "" there.
    link_prefix: str | None = None
    loader_root: Path | None = None  # on the import path of `loader:` modules (mkdocs.yml's folder)
    # Every element id the page's blocks have given out -> what has it ("dataset 'd a' (line 3)"):
    # ids keep only some characters of a name, so different names can give the same id.
    element_ids: dict[str, str] = field(default_factory=dict)
    # Shared by all pages of the build: page slug -> the page (path) whose blocks use it.
    page_ids: dict[str, str] = field(default_factory=dict)
    # Every file a block reads (csv, from: and its weights) lies inside it; None: base_dir.
    root: Path | None = None

    @property
    def files_root(self) -> Path:
        """The folder that files named by blocks must lie inside (symlinks resolved)."""
        return self.root if self.root is not None else self.base_dir
    limits: Limits = field(default_factory=Limits)
    # Set when the extension writes the page's files into the site (Zensical); None: the caller
    # writes them (the MkDocs plugin).
    site: SiteFolders | None = None
    block_line: int | None = None  # the line of the block being built, for progress messages
    # The block being built: its YAML keys' lines (relative to the body) and its slot.
    block_lines: dict[tuple[Any, ...], int] = field(default_factory=dict)
    block_slot: int = -1
    # Every block's YAML mapping as written, by name: knobs check their keys against it.
    raw: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Train cells with knobs, built once per variant after the page (plugin/render.py).
    knob_cells: list[KnobCell] = field(default_factory=list)
    # Set while the page is built again for one variant: what the variant writes into which
    # block's YAML, by block name, and how messages name the variant.
    edits: dict[str, list[tuple[tuple[Any, ...], Any]]] = field(default_factory=dict)
    variant: str | None = None
    # The slots whose blocks failed in the author's build: their errors are the page's own,
    # reported once, and fail no variant.
    failed: set[int] = field(default_factory=set)
    # The page's fences in document order (render.Slot), which free-form cells pair up.
    slots: list[Any] = field(default_factory=list)
    # The named values of the free-form references built so far, by backend epsilon.
    freeform: dict[float, dict[str, np.ndarray]] = field(default_factory=dict)
    # The slot of each named block (render.Slot.index), and, on a page with knobs, the state
    # just before each slot was built (:meth:`fork`), from which a variant that changes no
    # block above that slot goes on (plugin/variants.py).
    name_slots: dict[str, int] = field(default_factory=dict)
    snapshots: dict[int, PageState] = field(default_factory=dict)
    # On a page with knobs, the entries of the WATCHED tables each slot's block touched in the
    # author's build: a variant skips the blocks below that touch nothing it changed.
    touched: dict[int, set[tuple[str, Any]]] = field(default_factory=dict)
    # The cache keys of the build that the page memo put this page back from (plugin/memo.py).
    reused_keys: list[str] = field(default_factory=list)

    def watch(self) -> None:
        """Have the WATCHED tables note what the blocks built next touch (:meth:`noting`)."""
        for name in WATCHED:
            setattr(self, name, Watched(name, getattr(self, name)))

    def noting(self, seen: set[tuple[str, Any]] | None) -> None:
        """Note what the block built next touches into `seen` (None: stop noting)."""
        for name in WATCHED:
            table = getattr(self, name)
            if isinstance(table, Watched):
                table.seen = seen

    def shadow(self, edits: dict[str, list[tuple[tuple[Any, ...], Any]]], variant: str) -> PageState:
        """A fresh state of this page for building it again as one knob variant: the same
        files, cache and limits; names, models and exports of its own (exports are not
        published to other pages)."""
        return PageState(
            path=self.path, slug=self.slug, base_dir=self.base_dir, cache=self.cache,
            allow_loaders=self.allow_loaders, allow_author_code=self.allow_author_code,
            quizzes_dir=self.quizzes_dir, text=self.text,
            published=dict(self.published), page_ids=dict(self.page_ids), url_prefix=self.url_prefix,
            link_prefix=self.link_prefix, loader_root=self.loader_root, root=self.root,
            limits=self.limits, edits=edits, variant=variant, failed=self.failed,
        )

    def fork(self) -> PageState:
        """A copy of this state that the blocks built next into either one leave the other
        as it was: every container is copied (and each model's lists, which train cells
        append to); what no block changes once made is shared (datasets' arrays, specs, the
        cache, the text renderer), and `failed`, which is the page's."""
        other = copy.copy(self)
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in ("failed", "snapshots", "touched"):
                continue
            if isinstance(value, Watched):  # a plain copy, read without noting anything
                setattr(other, f.name, dict.copy(value))
            elif isinstance(value, (dict, list, set)):  # Counter is a dict: copy.copy keeps its type
                setattr(other, f.name, copy.copy(value))
        other.models = {name: info.fork() for name, info in dict.items(self.models)}
        other.freeform = {eps: dict(scope) for eps, scope in dict.items(self.freeform)}
        other.snapshots, other.touched = {}, {}
        return other

    def resume(self, page: PageState, edits: dict[str, list[tuple[tuple[Any, ...], Any]]],
               variant: str) -> PageState:
        """A snapshot of `page` (:meth:`fork`, before one of its blocks) as :meth:`shadow`'s
        state would be after building the blocks above that one again: what only the
        author's build keeps (knob cells and their panels' ids, the site folders, the log's
        infos) left out, and the page's exports to other pages as the variant would see them."""
        other = self.fork()
        for cell in other.knob_cells:
            other.element_ids.pop(f"{cell.id}-knobs", None)
        other.knob_cells, other.infos, other.site = [], [], None
        other.published, other.page_ids = dict(page.published), dict(page.page_ids)
        other.edits, other.variant, other.failed = edits, variant, page.failed
        return other

    def exported(self, folder: Path) -> Export | None:
        """The export of this build that writes `folder` (absolute): from memory, else, where
        each page is converted on its own (Zensical: one extension per page), read back from
        the site folder an earlier page of the build wrote it into."""
        found = self.published.get(folder)
        if found is not None or self.site is None:
            from .memo import note_export  # the page memo keys the page on what it read

            note_export(folder, found)
            return found
        try:
            written = self.site.site_dir / folder.relative_to(self.site.docs_dir)
            files = {p.name: p.read_bytes() for p in sorted(written.iterdir()) if p.is_file()}
        except (ValueError, OSError):
            return None
        return Export("", folder.relative_to(self.site.docs_dir).as_posix(), files) if files else None

    def cell_id(self, name: str) -> str:
        """`mlp-<page slug>-<name>`, each run of characters other than letters, digits, `-`
        and `_` in the name turned into one `-` (docs/reference/page-contract.md)."""
        return f"mlp-{self.slug}-{id_part(name)}"

    def claim_name(self, kind: str, name: Any, line: int | None = None) -> str:
        """The block's name (given, or `<kind>-<n>`), unique on the page, and its element id,
        unique on the page too; `line` (the fence's) names the block in later messages."""
        self.ordinals[kind] += 1
        if name is None:
            name = f"{kind}-{self.ordinals[kind]}"
        if not isinstance(name, str) or not name.strip():
            raise BlockError("'name' must be a non-empty string", key="name")
        if name in self.names:
            raise BlockError(
                f"the name '{name}' is already used by a {self.names[name]} block on this page; "
                "names are unique per page", key="name",
            )
        self._claim_page_id()
        owner = f"{kind} '{name}'" + (f" (line {line})" if line else "")
        self.claim_element_ids([(self.cell_id(name), owner, f"the name '{name}'")], key="name")
        self.names[name] = kind
        self.name_lines[name] = line
        return name

    def claim_element_ids(self, claims: list[tuple[str, str, str]], key: str | None) -> None:
        """Give out element ids, each `(id, owner, source)`: `owner` is what has the id, for later
        messages, and `source` what made it ("the name 'd.a'"). One that is already given out
        (or twice in `claims`) is an error, and then none of `claims` is given out."""
        taken = dict(self.element_ids)
        for element_id, owner, source in claims:
            other = taken.get(element_id)
            if other is not None:
                raise BlockError(
                    f"{source} gives the element id '{element_id}', already that of {other}: ids keep "
                    "letters, digits, '-' and '_' and turn other characters into '-'; rename one of them",
                    key=key,
                )
            taken[element_id] = owner
        self.element_ids.update(taken)

    def _claim_page_id(self) -> None:
        """The page's slug starts its element ids and keys its quiz progress: two pages with
        blocks may not share it (`x.y.md` and `x-y.md`, `a/b.md` and `a-b.md`)."""
        owner = self.page_ids.setdefault(self.slug, self.path)
        if owner != self.path:
            raise BlockError(
                f"this page's id '{self.slug}' (its element ids start with it and its quiz progress "
                f"is stored under it) is already that of {owner}: a page id keeps letters, digits, "
                "'-' and '_' of the path, in lower case, and turns the rest ('/', '.') into '-'; "
                "rename one of the two files"
            )

    def dataset(self, name: Any, key: str = "dataset") -> DatasetInfo:
        return self._lookup(self.datasets, "dataset", name, key)

    def model(self, name: Any, key: str = "model") -> ModelInfo:
        return self._lookup(self.models, "model", name, key)

    def _lookup(self, table: dict[str, Any], kind: str, name: Any, key: str) -> Any:
        if not isinstance(name, str):
            raise BlockError(f"'{key}' must name a {kind} block of this page", key=key)
        if name in table:
            return table[name]
        if self.names.get(name) == kind:
            raise BlockError(f"the {kind} '{name}' above has an error (see its message)", key=key)
        if self.names.get(name):
            raise BlockError(f"'{name}' is a {self.names[name]} block, not a {kind}", key=key)
        hint = did_you_mean(name, table)
        known = ", ".join(sorted(table)) or "none yet"
        raise BlockError(
            f"no {kind} named '{name}' before this block{hint}; {kind}s defined above: {known}",
            key=key,
        )
