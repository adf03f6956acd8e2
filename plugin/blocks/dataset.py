"""The `dataset` block: inline arrays, a CSV file, a generator or a loader."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any

import numpy as np

from .. import data as datalib
from ..authorcode import run_author_code
from ..contract import spec_header
from ..errors import BlockError, did_you_mean
from ..files import OutsideError, inside, not_found_or_special
from ..html import array_json, esc, fmt, table
from ..i18n import current
from ..limits import Limits
from ..memo import note_author_code
from ..page import DatasetInfo, PageState
from .common import boolean, check_keys, choice, integer, matrix, number

KIND = "dataset"
KEYS = ["name", "x", "y", "csv", "features", "label", "generate", "n", "noise", "classes", "loader",
        "seed", "shuffle", "normalize", "split"]
SOURCES = ["x", "csv", "generate", "loader"]
# Keys that belong to some sources only.
SOURCE_KEYS = {"y": ("x",), "features": ("csv",), "label": ("csv",), "n": ("generate",),
               "noise": ("generate",), "classes": ("x", "generate")}
# A one-column label holds class indices when its values are 0, 1, … k − 1 (every one present,
# k at most this), else targets of a regression.
MAX_INDEXED_CLASSES = 10
PREVIEW_ROWS = 5
PREVIEW_IMAGES = 10
# What a source gives: x, y (or None), the feature names and the class names (or None).
Loaded = tuple[np.ndarray, np.ndarray | None, list[str], list[str] | None]
# Class colours of the scatter plot: the same as the runtime's decision boundary.
CLASS_COLORS = ("#f59322", "#0877bd", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f")


def build(data: dict[str, Any], page: PageState, name: str) -> tuple[dict[str, Any], str]:
    """Validate, load and prepare the dataset; return its spec and its HTML."""
    check_keys(data, KEYS)
    sources = [s for s in SOURCES if s in data]
    if len(sources) != 1:
        found = ", ".join(sources) if sources else "none"
        raise BlockError(f"a dataset needs exactly one source of {', '.join(SOURCES)} (found: {found})")
    source = sources[0]
    for key, owners in SOURCE_KEYS.items():
        if key in data and source not in owners:
            allowed = " and ".join(f"'{owner}:'" for owner in owners)
            raise BlockError(f"'{key}' only applies to {allowed} datasets, not '{source}:'", key=key)
    seed = integer(data, "seed", 0)
    x, y, features, classes = _load(source, data, page, seed)
    _check_size(x, y, page.limits, source)
    split = number(data, "split", 1.0)
    try:
        prepared = datalib.prepare(
            x, y, seed=seed, shuffle=boolean(data, "shuffle", False),
            normalize=choice(data, "normalize", ["none", "minmax", "zscore"], "none"), split=split,
        )
    except datalib.DataError as exc:
        raise BlockError(str(exc)) from None
    info = DatasetInfo(
        name=name, id=page.cell_id(name), x=prepared.x_train, y=prepared.y_train,
        x_test=prepared.x_test, y_test=prepared.y_test, classes=classes,
        normalize=prepared.normalize, prepared=prepared, features=list(features),
    )
    page.datasets[name] = info
    spec = {
        **spec_header(KIND, name, info.id),
        "x": array_json(info.x),
        "y": array_json(info.y) if info.y is not None else None,
        "test": (
            {"x": array_json(info.x_test),
             "y": array_json(info.y_test) if info.y_test is not None else None}
            if info.x_test is not None and len(info.x_test) else None
        ),
        "features": features,
        "classes": classes,
        "normalize": info.normalize,
    }
    raw_train = _raw_rows(x, y, seed, data.get("shuffle", False), len(info.x))
    return spec, render(info, features, raw_train, page.limits.preview)


def _load(source: str, data: dict[str, Any], page: PageState, seed: int) -> Loaded:
    try:
        if source == "x":
            x = np.asarray(matrix(data["x"], "x"), dtype=np.float32)
            y = np.asarray(matrix(data["y"], "y"), dtype=np.float32) if "y" in data else None
            if y is not None and len(y) != len(x):
                raise BlockError(f"'x' has {len(x)} rows but 'y' has {len(y)}", key="y")
            classes = _class_names(data["classes"], y) if "classes" in data else None
            return x, y, [f"x{i + 1}" for i in range(x.shape[1])], classes
        if source == "csv":
            return _csv(data, page)
        if source == "generate":
            kind = data["generate"]
            if kind not in datalib.GENERATORS:
                raise BlockError(
                    f"unknown generator {kind!r}{did_you_mean(str(kind), datalib.GENERATORS)}; "
                    f"available: {', '.join(datalib.GENERATORS)}", key="generate")
            n = integer(data, "n", 200, minimum=2)
            if n > page.limits.rows:
                raise BlockError(page.limits.exceeded("too many rows", n, "rows"), key="n")
            noise = number(data, "noise", 0.0)
            digits = data.get("classes")
            if digits is not None and kind != "digits":
                raise BlockError("'classes' picks the digits of 'generate: digits', e.g. classes: [5, 6, 7]; "
                                 f"'{kind}' has no such choice", key="classes")
            if digits is not None:
                try:
                    digits = datalib.check_digits(kind, digits)
                except datalib.DataError as exc:
                    raise BlockError(str(exc), key="classes") from None
            x, y = datalib.generate(kind, n=n, noise=noise, seed=seed, classes=digits)
            if kind == "colours":  # channels and colours named in the course's language
                m = current()
                return (x, y, [m.t(f"colour_{c}") for c in datalib.COLOUR_FEATURES],
                        [m.t(f"colour_{c}") for c in datalib.COLOUR_NAMES])
            features = ["x"] if x.shape[1] == 1 else [f"x{i + 1}" for i in range(x.shape[1])]
            names = [str(d) for d in (digits if digits is not None else datalib.DIGITS)]
            return x, y, features, names if kind == "digits" else None
        return _loader(data, page)
    except datalib.DataError as exc:
        raise BlockError(str(exc), key=source) from None


def _class_names(raw: Any, y: np.ndarray | None) -> list[str]:
    """`classes:` of an inline dataset: a name per one-hot column of `y`, or per class index
    0 … k − 1 of a one-column `y`."""
    if y is None:
        raise BlockError("'classes' names the classes of 'y', and this dataset has no 'y'", key="classes")
    if not isinstance(raw, list) or not all(
        isinstance(c, (str, int, float)) and not isinstance(c, bool) for c in raw
    ):
        raise BlockError("'classes' must be a list of class names, e.g. classes: [cat, dog]", key="classes")
    names = [str(c) for c in raw]
    if len(names) < 2:
        raise BlockError("'classes' must name at least two classes", key="classes")
    for i, name in enumerate(names):
        if not name.strip():
            raise BlockError(f"'classes' entry {i + 1} is empty", key="classes")
        if name in names[:i]:
            raise BlockError(f"'classes' names '{name}' twice", key="classes")
    if y.shape[1] > 1:
        if len(names) != y.shape[1]:
            raise BlockError(f"'classes' names {len(names)} classes but 'y' has {y.shape[1]} one-hot "
                             "columns; name each column, in order", key="classes")
        return names
    bad = [v for v in y[:, 0] if not (v == np.floor(v) and 0 <= v < len(names))]
    if bad:
        raise BlockError(f"'classes' names {len(names)} classes (labels 0 to {len(names) - 1}) but 'y' "
                         f"holds {fmt(bad[0])}; one-column labels are class indices", key="classes")
    return names


def _csv(data: dict[str, Any], page: PageState) -> Loaded:
    rel = data["csv"]
    if not isinstance(rel, str):
        raise BlockError("'csv' must be a path relative to the Markdown file", key="csv")
    try:
        path = inside(page.base_dir / rel, page.files_root, f"'csv: {rel}'")
    except OutsideError as exc:
        raise BlockError(str(exc), key="csv") from None
    problem = not_found_or_special(path, rel, "CSV file")
    if problem:
        raise BlockError(f"{problem} (looked at {path})", key="csv")
    _check_lines(path, rel, page.limits)
    features = data.get("features")
    if features is not None and (
        not isinstance(features, list) or not all(isinstance(f, str) for f in features)
    ):
        raise BlockError("'features' must be a list of column names", key="features")
    label = data.get("label")
    if label is not None and not isinstance(label, str):
        raise BlockError("'label' must be a column name", key="label")
    t = datalib.load_csv(path, features=features, label=label)
    return t.x, t.y, list(t.features), (list(t.classes) if t.classes else None)


def _check_lines(path: Path, rel: str, limits: Limits) -> None:
    """Refuse a CSV file with more data lines than `limits.rows` before parsing it: reading
    millions of rows into cells takes the build's memory long before the arrays do."""
    lines = 0
    try:
        with path.open("rb") as handle:
            for line in handle:
                lines += bool(line.strip())
                if lines > limits.rows + 1:  # the header, then one line a row
                    raise BlockError(limits.exceeded(f"too many rows in {rel}", lines - 1, "rows",
                                                     " or more"), key="csv")
    except OSError:
        return  # the CSV reader reports it


def _check_size(x: np.ndarray, y: np.ndarray | None, limits: Limits, source: str) -> None:
    """Refuse a dataset with more rows or values than the limits allow (the page carries
    every value, and training reads them all every epoch)."""
    rows = len(x) if x.ndim else 0
    if rows > limits.rows:
        raise BlockError(limits.exceeded("too many rows", rows, "rows"), key=source)
    values = int(x.size) + (int(y.size) if y is not None else 0)
    if values > limits.values:
        raise BlockError(limits.exceeded("too many values", values, "values", " (x and y together)"),
                         key=source)


def _loader(data: dict[str, Any], page: PageState) -> Loaded:
    spec = data["loader"]
    note_author_code()  # what a loader returns depends on more than the page: never memoized
    if not page.allow_author_code:
        raise BlockError(
            "'loader:' runs Python code at build time and author code is turned off for this build "
            "(plugin option author_code: false)", key="loader")
    if not page.allow_loaders:
        raise BlockError(
            "'loader:' runs Python code at build time and loaders are turned off for this build "
            "(plugin option loaders: false)", key="loader")
    if not isinstance(spec, str) or ":" not in spec:
        raise BlockError("'loader' must be 'package.module:function'", key="loader")
    module_name, func_name = spec.split(":", 1)
    # Modules next to mkdocs.yml import like installed ones, whichever way mkdocs was started.
    added: str | None = None  # the folder put on sys.path for this import, taken off after it
    if page.loader_root is not None and str(page.loader_root) not in sys.path:
        added = str(page.loader_root)
        sys.path.insert(0, added)
    try:
        # Importing runs the module's code: a syntax error, an exception or an exit there
        # is the block's error like one in the function.
        module = run_author_code(importlib.import_module, module_name,
                                 what=f"cannot import loader {spec!r}", key="loader")
    finally:
        if added is not None:
            sys.path.remove(added)
    func = run_author_code(getattr, module, func_name, what=f"cannot import loader {spec!r}",
                           key="loader")
    result = run_author_code(func, what=f"loader {spec!r} failed", key="loader")
    return _loaded_arrays(result, spec)


def _loaded_arrays(result: Any, spec: str) -> Loaded:
    """A loader's `(x, y)` or `{"x", "y", "features", "classes"}` as checked float32 arrays."""
    what = (f"loader {spec!r} must return (x, y) or a mapping with 'x' and optionally 'y', "
            "'features' and 'classes'")
    if isinstance(result, dict):
        unknown = sorted(set(result) - {"x", "y", "features", "classes"})
        if "x" not in result or unknown:
            raise BlockError(f"{what}; got keys {sorted(result)}", key="loader")
        x, y = result["x"], result.get("y")
        features, classes = result.get("features"), result.get("classes")
    elif isinstance(result, (tuple, list)) and len(result) == 2:
        (x, y), features, classes = result, None, None
    else:
        raise BlockError(f"{what}; got {type(result).__name__}", key="loader")
    # Converting may run the author's code too (an object's __array__ or __len__).
    x, y = run_author_code(_float32_arrays, x, y, key="loader",
                           what=f"loader {spec!r} returned arrays that are not numbers")
    if x.ndim == 1:
        x = x[:, None]
    if y is not None and y.ndim == 1:
        y = y[:, None]
    if y is not None and len(y) != len(x):
        raise BlockError(f"loader {spec!r} returned {len(x)} rows of x but {len(y)} of y", key="loader")
    for name, arr in (("x", x), ("y", y)):
        if arr is not None and not np.all(np.isfinite(arr)):
            raise BlockError(f"loader {spec!r} returned non-finite values in {name}", key="loader")
    if features is None:
        features = [f"x{i + 1}" for i in range(x.shape[1])] if x.ndim == 2 else []
    elif not (isinstance(features, list) and x.ndim == 2 and len(features) == x.shape[1]
              and all(isinstance(f, str) for f in features)):
        raise BlockError(f"loader {spec!r}: 'features' must list one name per column of x", key="loader")
    if classes is not None and not (
        isinstance(classes, list) and y is not None and len(classes) == y.shape[1] and y.shape[1] > 1
        and all(isinstance(c, str) for c in classes)
    ):
        raise BlockError(f"loader {spec!r}: 'classes' must name each one-hot column of y", key="loader")
    return x, y, list(features), classes


def _float32_arrays(x: Any, y: Any) -> tuple[np.ndarray, np.ndarray | None]:
    return np.asarray(x, dtype=np.float32), None if y is None else np.asarray(y, dtype=np.float32)


def _raw_rows(
    x: np.ndarray, y: np.ndarray | None, seed: int, shuffle: Any, n_train: int
) -> tuple[np.ndarray, np.ndarray | None]:
    """The first train rows in the author's units (after the build-time shuffle)."""
    order = np.random.default_rng(seed).permutation(len(x)) if shuffle is True else np.arange(len(x))
    keep = order[: min(PREVIEW_IMAGES if x.ndim == 4 else PREVIEW_ROWS, n_train)]
    return x[keep], (y[keep] if y is not None else None)


def class_counts(y: np.ndarray | None, classes: list[str] | None) -> list[tuple[str, int]] | None:
    """Per-class counts when `y` holds classes: one-hot columns (argmax, as accuracy reads them),
    or one column of class indices (named by `classes`, or 0, 1, … k − 1 all present, which
    includes 0/1 labels); None for regression targets."""
    if y is None or len(y) == 0:
        return None
    if y.shape[1] > 1:
        idx = np.argmax(y, axis=1)
        names = classes or [str(i) for i in range(y.shape[1])]
        return [(names[i], int(np.sum(idx == i))) for i in range(y.shape[1])]
    if classes:
        return [(name, int(np.sum(y == i))) for i, name in enumerate(classes)]
    values = np.unique(y)
    if len(values) <= MAX_INDEXED_CLASSES and np.array_equal(values, np.arange(len(values))):
        return [(fmt(v), int(np.sum(y == v))) for v in values]
    return None


def target_summary(y: np.ndarray) -> str:
    """Regression targets in one phrase: their range and mean."""
    m = current()
    what = m.t("target") if y.shape[1] == 1 else m.t("targets", count=int(y.shape[1]))
    return m.t("target_summary", what=what, low=m.number(float(y.min()), 4), high=m.number(float(y.max()), 4),
               mean=m.number(float(y.mean()), 4))


def render(info: DatasetInfo, features: list[str], raw: tuple[np.ndarray, np.ndarray | None],
           preview: int) -> str:
    """The dataset's facts, its first rows, and a scatter plot (2 features) of at most `preview`
    points or its first images."""
    n_train = len(info.x)
    n_test = 0 if info.x_test is None else len(info.x_test)
    m = current()
    shape = " × ".join(str(d) for d in (n_train, *info.x.shape[1:]))
    facts = [f"<strong>{esc(info.name)}</strong>", esc(m.t("fact_train", shape=shape))]
    if n_test:
        facts.append(esc(m.t("fact_test", count=n_test)))
    counts = class_counts(info.y, info.classes)
    if counts:
        listed = m.t("list_separator").join(m.t("class_count", name=c, count=k) for c, k in counts)
        facts.append(esc(m.t("fact_classes", classes=listed)))
    elif info.y is not None and len(info.y):
        facts.append(esc(target_summary(info.y)))
    if info.normalize.get("method", "none") != "none":
        facts.append(esc(m.t("fact_normalized", method=info.normalize["method"])))
    x_raw, y_raw = raw
    headers = list(features) + _label_headers(y_raw, info.classes)
    rows = []
    if x_raw.ndim == 2:
        for i in range(len(x_raw)):
            row = [m.number(v, 4) for v in x_raw[i]]
            if y_raw is not None and info.classes and y_raw.shape[1] == 1:  # a named class index
                row.append(info.classes[int(y_raw[i, 0])])
            elif y_raw is not None:
                row += [m.number(v, 4) for v in y_raw[i]]
            rows.append(row)
    parts = [f'<p class="mlpages-facts">{" · ".join(facts)}</p>']
    if rows:
        parts.append(table(headers, rows, "mlpages-preview"))
        if n_train > len(rows):
            shown = m.t("first_train_rows", shown=len(rows), count=n_train)
            parts.append(f'<p class="mlpages-note">{esc(shown)}</p>')
    if info.x.ndim == 2 and info.x.shape[1] == 2 and preview > 0:
        parts.append(scatter_svg(info, limit=preview))
    if x_raw.ndim == 4:
        parts.append(image_grid_svg(x_raw, _labels(y_raw, len(x_raw)) if y_raw is not None else None,
                                    info.classes))
    return "".join(parts)


def image_grid_svg(images: np.ndarray, labels: np.ndarray | None, classes: list[str] | None,
                   cell: int = 4) -> str:
    """The first images as grey squares (ink in the text colour), captioned by label."""
    lo, hi = float(images.min()), float(images.max())
    span = hi - lo if hi > lo else 1.0
    h, w = images.shape[1:3]
    gap, caption = 6, 12
    width = len(images) * (w * cell + gap)
    parts = []
    for k, image in enumerate(images):
        ox = k * (w * cell + gap)
        grey = (image.mean(axis=-1) - lo) / span
        for r in range(h):
            for c in range(w):
                if grey[r, c] > 0.02:
                    parts.append(f'<rect x="{ox + c * cell}" y="{r * cell}" width="{cell}" height="{cell}" '
                                 f'fill="currentColor" fill-opacity="{grey[r, c]:.2f}"/>')
        parts.append(f'<rect x="{ox + 0.5}" y="0.5" width="{w * cell - 1}" height="{h * cell - 1}" '
                     'fill="none" stroke="currentColor" stroke-opacity="0.25"/>')
        if labels is not None:
            name = classes[labels[k]] if classes and labels[k] < len(classes) else str(int(labels[k]))
            parts.append(f'<text x="{ox + w * cell / 2}" y="{h * cell + caption - 2}" font-size="10" '
                         f'text-anchor="middle" fill="currentColor">{esc(name)}</text>')
    height = h * cell + (caption if labels is not None else 0)
    return (f'<svg class="mlpages-images" viewBox="0 0 {width} {height}" width="{width}" '
            f'height="{height}" role="img" '
            f'aria-label="{esc(current().t("first_images", count=len(images)))}">'
            + "".join(parts) + "</svg>")


def _label_headers(y: np.ndarray | None, classes: list[str] | None) -> list[str]:
    if y is None:
        return []
    if classes and len(classes) == y.shape[1]:
        return list(classes)
    return ["y"] if y.shape[1] == 1 else [f"y{i + 1}" for i in range(y.shape[1])]


def scatter_svg(info: DatasetInfo, size: int = 220, limit: int = 500) -> str:
    """A static scatter plot of 2-D points coloured by class (train filled, test hollow).

    A dataset of more than `limit` points is drawn from an evenly spaced sample of each
    split (the page says so), so that the page does not grow with the dataset."""
    sets = [(info.x, info.y, True)]
    if info.x_test is not None and len(info.x_test):
        sets.append((info.x_test, info.y_test, False))
    allx = np.concatenate([s[0] for s in sets])
    lo, hi = allx.min(axis=0), allx.max(axis=0)
    span = np.where(hi - lo > 0, hi - lo, 1.0)
    pad = 8
    dots = []
    total = len(allx)
    for x, y, filled in sets:
        labels = _labels(y, len(x))
        if total > limit:
            keep = np.unique(np.linspace(0, len(x) - 1, max(1, len(x) * limit // total)).astype(int))
            x, labels = x[keep], labels[keep]
        for (a, b), c in zip(x, labels, strict=True):
            px = pad + (a - lo[0]) / span[0] * (size - 2 * pad)
            py = size - pad - (b - lo[1]) / span[1] * (size - 2 * pad)
            color = CLASS_COLORS[int(c) % len(CLASS_COLORS)]
            fill = f'fill="{color}"' if filled else 'fill="none"'
            dots.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3" {fill} stroke="{color}"/>')
    note = ""
    if total > len(dots):
        sample = current().t("scatter_sample", shown=len(dots), count=total)
        note = f'<p class="mlpages-note">{esc(sample)}</p>'
    return (
        f'<svg class="mlpages-scatter" viewBox="0 0 {size} {size}" width="{size}" height="{size}" '
        f'role="img" aria-label="{esc(current().t("scatter_label", name=info.name))}">'
        f'<rect x="0.5" y="0.5" width="{size - 1}" height="{size - 1}" fill="none" '
        'stroke="currentColor" stroke-opacity="0.25"/>'
        + "".join(dots) + "</svg>" + note
    )


def _labels(y: np.ndarray | None, n: int) -> np.ndarray:
    if y is None:
        return np.zeros(n, dtype=int)
    if y.shape[1] > 1:
        return np.argmax(y, axis=1)
    return (y[:, 0] > 0.5).astype(int)
