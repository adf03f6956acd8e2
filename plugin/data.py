"""Datasets for `dataset` blocks: generators, CSV files, shuffling, splitting, normalizing.

Pure NumPy and the standard library. Every rule here is documented in
docs/reference/authoring.md (`dataset`): the build shuffles once with the seed, splits, normalizes ``x`` with
statistics of the train split, and ships the resulting float32 arrays to the browser,
which trains on exactly those values.
"""

from __future__ import annotations

import csv
import functools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np

from .errors import did_you_mean, shorten

__all__ = [
    "GENERATORS",
    "NORMALIZE_METHODS",
    "DataError",
    "Prepared",
    "Table",
    "generate",
    "load_csv",
    "prepare",
]

NORMALIZE_METHODS = ("none", "minmax", "zscore")


class DataError(ValueError):
    """A problem with an author's dataset, phrased for the author.

    The message names what is wrong without file or line of the Markdown page (the
    caller adds ``file:line: dataset 'name': ``), e.g. ``column 'petal_lenght' not in
    iris.csv (did you mean 'petal_length'?)``.
    """


def _is_int(value: Any) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_)


def _is_real(value: Any) -> bool:
    return _is_int(value) or isinstance(value, float | np.floating)


def _check_seed(seed: Any) -> int:
    if not _is_int(seed) or seed < 0:
        raise DataError(f"seed must be a non-negative integer, got {seed!r}")
    return int(seed)


# --------------------------------------------------------------------------- generators


def _two_classes(
    rng: np.random.Generator, n: int, noise: float, sample: Callable[[int, int], np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """Draw ``n`` points of two balanced classes and mix their order.

    ``sample(count, label)`` returns ``[count, 2]`` clean points of one class. Class 1
    gets ``n // 2`` points and class 0 the rest; rows are permuted so that a split
    without ``shuffle`` still sees both classes; then Gaussian noise of standard
    deviation ``noise`` is added to ``x`` (labels are those of the clean points).
    """
    n1 = n // 2
    n0 = n - n1
    x = np.concatenate([sample(n0, 0), sample(n1, 1)])
    y = np.concatenate([np.zeros(n0), np.ones(n1)])[:, None]
    order = rng.permutation(n)
    x, y = x[order], y[order]
    if noise > 0:
        x = x + rng.normal(0.0, noise, size=x.shape)
    return x, y


def _linear(rng: np.random.Generator, n: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    """``y = a·x + b``: |a| in [0.5, 2] with a random sign, b in [-1, 1], x in [-1, 1]."""
    a = rng.uniform(0.5, 2.0) * rng.choice((-1.0, 1.0))
    b = rng.uniform(-1.0, 1.0)
    x = rng.uniform(-1.0, 1.0, size=(n, 1))
    y = a * x + b
    if noise > 0:
        y = y + rng.normal(0.0, noise, size=y.shape)
    return x, y


def _xor(rng: np.random.Generator, n: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    """Label 1 where the coordinates have the same sign (quadrants I and III), else 0.

    Coordinates keep a small gap from the axes (|coordinate| in [0.05, 1]), as in
    TensorFlow Playground, so that the clean classes are separable.
    """
    gap = 0.05

    def sample(count: int, label: int) -> np.ndarray:
        magnitude = gap + (1.0 - gap) * rng.uniform(size=(count, 2))
        s = rng.choice((-1.0, 1.0), size=count)
        signs = np.stack([s, s if label == 1 else -s], axis=1)
        return magnitude * signs

    return _two_classes(rng, n, noise, sample)


def _circles(rng: np.random.Generator, n: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    """Label 1 inside a disc of radius 0.5, label 0 in the ring 0.7 <= r <= 1."""

    def sample(count: int, label: int) -> np.ndarray:
        low, high = (0.0, 0.5) if label == 1 else (0.7, 1.0)
        r = rng.uniform(low, high, size=count)
        angle = rng.uniform(0.0, 2 * math.pi, size=count)
        return np.stack([r * np.sin(angle), r * np.cos(angle)], axis=1)

    return _two_classes(rng, n, noise, sample)


def _spiral(rng: np.random.Generator, n: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved spirals of 1.75 turns from the centre to radius 1; class 0 is
    class 1's spiral turned by half a turn."""

    def sample(count: int, label: int) -> np.ndarray:
        r = np.arange(count) / count
        angle = 1.75 * 2 * math.pi * r + (0.0 if label == 1 else math.pi)
        return np.stack([r * np.sin(angle), r * np.cos(angle)], axis=1)

    return _two_classes(rng, n, noise, sample)


def _gauss(rng: np.random.Generator, n: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    """Two Gaussian blobs (standard deviation 0.15): label 1 around (0.4, 0.4), label 0
    around (-0.4, -0.4)."""

    def sample(count: int, label: int) -> np.ndarray:
        centre = 0.4 if label == 1 else -0.4
        return rng.normal(centre, 0.15, size=(count, 2))

    return _two_classes(rng, n, noise, sample)


# A 5-wide, 7-tall bitmap font of the ten digits, one string per row ("#" = ink).
_DIGIT_FONT = (
    (" ### ", "#   #", "#  ##", "# # #", "##  #", "#   #", " ### "),
    ("  #  ", " ##  ", "  #  ", "  #  ", "  #  ", "  #  ", " ### "),
    (" ### ", "#   #", "    #", "   # ", "  #  ", " #   ", "#####"),
    ("#####", "   # ", "  #  ", "   # ", "    #", "#   #", " ### "),
    ("   # ", "  ## ", " # # ", "#  # ", "#####", "   # ", "   # "),
    ("#####", "#    ", "#### ", "    #", "    #", "#   #", " ### "),
    ("  ## ", " #   ", "#    ", "#### ", "#   #", "#   #", " ### "),
    ("#####", "    #", "   # ", "  #  ", " #   ", " #   ", " #   "),
    (" ### ", "#   #", "#   #", " ### ", "#   #", "#   #", " ### "),
    (" ### ", "#   #", "#   #", " ####", "    #", "   # ", " ##  "),
)
DIGITS: tuple[int, ...] = tuple(range(10))
_GLYPHS = np.array([[[c == "#" for c in row] for row in glyph] for glyph in _DIGIT_FONT], dtype=np.float64)


def _digits(
    rng: np.random.Generator, n: int, noise: float, classes: Sequence[int] = DIGITS
) -> tuple[np.ndarray, np.ndarray]:
    """8x8 grey images of the digits ``classes`` (0-9 by default) from a 5x7 bitmap font:
    each drawn at a random position, thickened to the right in half the images, with a
    random ink intensity in [0.6, 1] and Gaussian noise; values clipped to [0, 1] and
    rounded to multiples of 1/255. Labels one-hot ``[n, len(classes)]`` in the order of
    ``classes``, the classes as balanced as ``n`` allows, in a seeded random order."""
    labels = rng.permutation(np.arange(n) % len(classes))
    x = np.zeros((n, 8, 8), dtype=np.float64)
    for i, label in enumerate(labels):
        glyph = _GLYPHS[classes[label]]
        if rng.random() < 0.5:  # a thicker stroke: ink spreads one pixel to the right
            glyph = np.maximum(glyph, np.pad(glyph, ((0, 0), (1, 0)))[:, :5])
        top, left = rng.integers(0, 2), rng.integers(0, 4)
        x[i, top : top + 7, left : left + 5] = glyph * rng.uniform(0.6, 1.0)
    if noise > 0:
        x = x + rng.normal(0.0, noise, size=x.shape)
    y = np.eye(len(classes))[labels]
    # Whole 1/255 steps, like an 8-bit image: the site stores such arrays as one byte a value.
    return (np.round(np.clip(x, 0.0, 1.0) * 255) / 255)[..., None], y


# Named colours and their centres in 0-255 RGB (the `colours` generator's classes, in this order).
COLOUR_CENTRES: tuple[tuple[str, tuple[int, int, int]], ...] = (
    ("red", (220, 30, 40)),
    ("orange", (245, 140, 20)),
    ("yellow", (245, 225, 40)),
    ("green", (40, 170, 60)),
    ("blue", (30, 80, 220)),
    ("purple", (130, 50, 170)),
    ("pink", (245, 130, 190)),
    ("brown", (125, 75, 35)),
    ("grey", (128, 128, 128)),
)
COLOUR_NAMES: tuple[str, ...] = tuple(name for name, _ in COLOUR_CENTRES)
COLOUR_FEATURES: tuple[str, ...] = ("red", "green", "blue")


def _colours(rng: np.random.Generator, n: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    """RGB colours (0-255, ``[n, 3]``) labelled with the nearest of the named colours of
    :data:`COLOUR_CENTRES` (Euclidean distance in RGB): each row is a named colour's centre
    plus uniform jitter of ±60 per channel, clipped to [0, 255] and rounded to whole values,
    then labelled by the centre it lies nearest (so a label always names the closest colour).
    The classes are balanced as ``n`` allows, in a seeded random order; ``noise`` (in channel
    units) adds Gaussian noise to ``x`` after labelling. Labels one-hot ``[n, 9]``."""
    centres = np.array([c for _, c in COLOUR_CENTRES], dtype=np.float64)
    picks = rng.permutation(np.arange(n) % len(centres))
    x = np.clip(np.round(centres[picks] + rng.uniform(-60.0, 60.0, size=(n, 3))), 0, 255)
    nearest = np.argmin(((x[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2), axis=1)
    if noise > 0:
        x = x + rng.normal(0.0, noise, size=x.shape)
    return x, np.eye(len(centres))[nearest]


_Generator = Callable[[np.random.Generator, int, float], tuple[np.ndarray, np.ndarray]]

_GENERATORS: Mapping[str, _Generator] = MappingProxyType(
    {
        "linear": _linear,
        "xor": _xor,
        "circles": _circles,
        "spiral": _spiral,
        "gauss": _gauss,
        "digits": _digits,
        "colours": _colours,
    }
)

GENERATORS: tuple[str, ...] = tuple(_GENERATORS)


def generate(
    kind: str, n: int = 200, noise: float = 0.0, seed: int = 0, classes: Sequence[int] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Generate a synthetic dataset.

    ``linear``: ``x`` is ``[n, 1]`` uniform in [-1, 1] and ``y = a·x + b`` plus noise,
    with ``a`` (|a| in [0.5, 2], either sign) and ``b`` (in [-1, 1]) drawn from the seed.
    ``xor``, ``circles``, ``spiral``, ``gauss`` (TensorFlow Playground's classification
    sets, scaled to about [-1, 1]²): ``x`` is ``[n, 2]``, ``y`` is ``[n, 1]`` in {0, 1},
    with ``n // 2`` rows of class 1 in a seeded random order.
    ``digits``: ``x`` is ``[n, 8, 8, 1]`` in [0, 1] (digits from a small bitmap font with
    seeded shifts, stroke thickness, intensity and noise), ``y`` is ``[n, 10]`` one-hot,
    or ``[n, len(classes)]`` for the digits ``classes`` only (one-hot in their order).
    ``colours``: ``x`` is ``[n, 3]`` RGB values 0-255 around nine named colours, ``y`` is
    ``[n, 9]`` one-hot: the nearest named colour (:data:`COLOUR_NAMES`).

    Args:
        kind: one of :data:`GENERATORS`.
        n: number of rows, at least 2.
        noise: standard deviation of Gaussian noise added to ``y`` (``linear``) or to
            ``x`` (the others).
        seed: seed of ``np.random.default_rng``; the same arguments give the same arrays.
        classes: ``digits`` only: which digits to draw, at least two, each once.

    Returns:
        ``(x, y)`` as float32 arrays.

    Raises:
        DataError: unknown kind (with a did-you-mean), ``n < 2``, negative noise, bad
            ``classes``.
    """
    if not isinstance(kind, str) or kind not in _GENERATORS:
        hint = did_you_mean(kind, _GENERATORS, repr) if isinstance(kind, str) else ""
        raise DataError(
            f"unknown generator {kind!r}{hint}; expected one of {', '.join(GENERATORS)}"
        )
    if not _is_int(n) or n < 2:
        raise DataError(f"n must be an integer of at least 2, got {n!r}")
    if not _is_real(noise) or not math.isfinite(noise) or noise < 0:
        raise DataError(f"noise must be a number >= 0, got {noise!r}")
    digits = check_digits(kind, classes) if classes is not None else None
    x, y = _generated(kind, int(n), float(noise), _check_seed(seed), digits)
    return x.copy(), y.copy()


@functools.lru_cache(maxsize=16)
def _generated(kind: str, n: int, noise: float, seed: int, digits: tuple[int, ...] | None
               ) -> tuple[np.ndarray, np.ndarray]:
    """The arrays of :func:`generate`, kept for the next build of the same process
    (`mkdocs serve` rebuilds; 2,000 digit images take a noticeable part of a build)."""
    rng = np.random.default_rng(seed)
    if digits is not None:
        x, y = _digits(rng, n, noise, digits)
    else:
        x, y = _GENERATORS[kind](rng, n, noise)
    return x.astype(np.float32), y.astype(np.float32)


def check_digits(kind: str, classes: Any) -> tuple[int, ...]:
    """``classes`` of ``generate: digits`` as a tuple of distinct digits."""
    if kind != "digits":
        raise DataError(f"classes only applies to generate: digits, not {kind}")
    if (not isinstance(classes, (list, tuple)) or len(classes) < 2
            or not all(_is_int(c) and 0 <= c <= 9 for c in classes)):
        raise DataError(f"classes must be a list of at least two digits 0-9, got {classes!r}")
    if len(set(classes)) != len(classes):
        raise DataError(f"classes lists a digit twice: {list(classes)!r}")
    return tuple(int(c) for c in classes)


# --------------------------------------------------------------------------- CSV


@dataclass(frozen=True)
class Table:
    """Arrays read from a CSV file.

    Attributes:
        x: ``[n, len(features)]`` float32.
        y: ``[n, 1]`` float32 for a numeric label, ``[n, len(classes)]`` one-hot for a
            string label, ``None`` without a label.
        features: the feature columns, in the order of the columns of ``x``.
        classes: the label strings in sorted order (the one-hot column order), or
            ``None`` for a numeric label or no label.
        label: the label column, or ``None``.
    """

    x: np.ndarray
    y: np.ndarray | None
    features: list[str]
    classes: list[str] | None
    label: str | None


def _number(cell: str) -> float | None:
    """Parse a finite number, or return ``None``."""
    try:
        value = float(cell)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


# The longest piece of a cell that a message quotes.
CELL_MAX = 40


def _quoted(cell: str) -> str:
    """A cell as a message quotes it: cut short, so that a message repeats little of a file."""
    return repr(shorten(cell, CELL_MAX))


def _read_rows(path: Path, shown: str) -> list[tuple[int, list[str]]]:
    """Read the non-blank rows of a CSV file with their 1-based line numbers."""
    rows: list[tuple[int, list[str]]] = []
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle, skipinitialspace=True)
            try:
                for row in reader:
                    if len(row) == 0 or (len(row) == 1 and not row[0].strip()):
                        continue  # blank line
                    rows.append((reader.line_num, row))
            except csv.Error as exc:
                raise DataError(f"{shown} line {reader.line_num}: {exc}") from None
    except FileNotFoundError:
        raise DataError(f"file not found: {shown}") from None
    except IsADirectoryError:
        raise DataError(f"{shown} is a directory, not a CSV file") from None
    except UnicodeDecodeError:
        raise DataError(f"{shown} is not UTF-8 text") from None
    except OSError as exc:
        raise DataError(f"cannot read {shown}: {exc.strerror or exc}") from None
    return rows


def _columns(
    header: list[str], features: Sequence[str] | None, label: str | None, shown: str
) -> tuple[list[str], str | None]:
    """Resolve the feature columns and the label column from the header."""

    def known(column: Any, what: str) -> str:
        if not isinstance(column, str):
            raise DataError(f"{what} must be a column name, got {column!r}")
        if column not in header:
            raise DataError(f"column {column!r} not in {shown}{did_you_mean(column, header, repr)}")
        return column

    if label is not None:
        label = known(label, "label")
    if features is not None:
        if isinstance(features, str) or not isinstance(features, Sequence):
            raise DataError(f"features must be a list of column names, got {features!r}")
        chosen = [known(column, "each feature") for column in features]
        if not chosen:
            raise DataError("features is an empty list")
        for column in chosen:
            if chosen.count(column) > 1:
                raise DataError(f"column {column!r} is listed twice in features")
        if label is not None and label in chosen:
            raise DataError(f"column {label!r} is both a feature and the label")
        if label is None and header[-1] not in chosen:
            label = header[-1]
        return chosen, label
    if label is None and len(header) > 1:
        label = header[-1]
    chosen = [column for column in header if column != label]
    if not chosen:
        raise DataError(f"{shown} has no feature column besides the label {label!r}")
    return chosen, label


def load_csv(
    path: Path | str,
    features: list[str] | None = None,
    label: str | None = None,
    *,
    name: str | None = None,
) -> Table:
    """Read a CSV file with a header row into arrays.

    Which column is the label:

    - ``label`` given: that column; ``features`` default to all the other columns.
    - ``label`` not given: the **last** column is the label, unless the file has a
      single column or ``features`` names the last column; then there is no label
      (``y`` is ``None``).

    Feature cells must be finite numbers. A label column whose cells are all numbers
    stays numeric (``y`` is ``[n, 1]``); otherwise its cells are class names and ``y``
    is one-hot with columns in sorted order of the names. Cells are stripped of
    surrounding spaces; blank lines are skipped.

    Args:
        path: the CSV file (UTF-8, an optional byte-order mark is ignored).
        features: feature columns, in the order wanted in ``x``.
        label: label column.
        name: how messages name the file (default: the file name).

    Returns:
        The :class:`Table`.

    Raises:
        DataError: missing, empty or unreadable file; unknown column (with a
            did-you-mean); a row with the wrong number of cells; an empty cell; a
            non-numeric feature cell (naming the line in the file and the column).
    """
    path = Path(path)
    shown = name or path.name
    rows = _read_rows(path, shown)
    if not rows:
        raise DataError(f"{shown} is empty (a header row and data rows are needed)")
    header_line, header = rows[0]
    header = [column.strip() for column in header]
    for index, column in enumerate(header):
        if not column:
            raise DataError(f"{shown} line {header_line}: column {index + 1} has no name")
        if header.index(column) != index:
            raise DataError(f"{shown} line {header_line}: column {column!r} appears twice")
    data = rows[1:]
    if not data:
        raise DataError(f"{shown} has a header row but no data rows")
    chosen, label = _columns(header, features, label, shown)

    x = np.empty((len(data), len(chosen)), dtype=np.float32)
    label_cells: list[str] = []
    positions = [header.index(column) for column in chosen]
    label_at = header.index(label) if label is not None else -1
    for i, (line, row) in enumerate(data):
        if len(row) != len(header):
            raise DataError(
                f"{shown} line {line}: {len(row)} cells, but the header has {len(header)} columns"
            )
        cells = [cell.strip() for cell in row]
        for column, (j, position) in zip(chosen, enumerate(positions), strict=True):
            cell = cells[position]
            if not cell:
                raise DataError(f"{shown} line {line}, column {column!r}: empty cell")
            value = _number(cell)
            if value is None:
                raise DataError(f"{shown} line {line}, column {column!r}: {_quoted(cell)} is not a number")
            x[i, j] = value
        if label is not None:
            if not cells[label_at]:
                raise DataError(f"{shown} line {line}, column {label!r}: empty cell")
            label_cells.append(cells[label_at])

    if label is None:
        return Table(x=x, y=None, features=chosen, classes=None, label=None)
    numbers = [_number(cell) for cell in label_cells]
    if all(value is not None for value in numbers):
        y = np.asarray(numbers, dtype=np.float32)[:, None]
        return Table(x=x, y=y, features=chosen, classes=None, label=label)
    classes = sorted(set(label_cells))
    index_of = {cls: k for k, cls in enumerate(classes)}
    y = np.zeros((len(label_cells), len(classes)), dtype=np.float32)
    y[np.arange(len(label_cells)), [index_of[cell] for cell in label_cells]] = 1.0
    return Table(x=x, y=y, features=chosen, classes=classes, label=label)


# --------------------------------------------------------------------------- prepare


@dataclass(frozen=True)
class Prepared:
    """A dataset after shuffling, splitting and normalizing.

    Attributes:
        x_train: normalized float32 inputs of the train split.
        y_train: float32 targets of the train split, or ``None``.
        x_test: normalized float32 inputs of the test split, ``None`` when split is 1.
        y_test: float32 targets of the test split, or ``None``.
        normalize: the statistics, JSON-ready, each value a float32 value as a float:

            - ``{"method": "none"}``
            - ``{"method": "zscore", "mean": [...], "std": [...]}``
            - ``{"method": "minmax", "min": [...], "max": [...], "range": [...]}``

            ``std`` and ``range`` already have zeros replaced by 1, so normalizing is
            always ``(x - mean) / std`` or ``(x - min) / range`` in float32 (``max`` is
            the observed maximum, for display). Lists have one entry per feature for
            ``[n, features]`` inputs and a single entry for images (ndim > 2).
    """

    x_train: np.ndarray
    y_train: np.ndarray | None
    x_test: np.ndarray | None
    y_test: np.ndarray | None
    normalize: dict[str, Any]

    @property
    def n_train(self) -> int:
        """Rows in the train split."""
        return int(self.x_train.shape[0])

    @property
    def n_test(self) -> int:
        """Rows in the test split (0 without one)."""
        return 0 if self.x_test is None else int(self.x_test.shape[0])

    @property
    def input_shape(self) -> tuple[int, ...]:
        """Shape of one example, ``x_train.shape[1:]``."""
        return tuple(int(d) for d in self.x_train.shape[1:])

    def apply(self, raw: Any) -> np.ndarray:
        """Normalize raw inputs (e.g. a `predict` block's) with the stored statistics.

        Args:
            raw: ``[m, *input_shape]`` values, or one example of ``input_shape``.

        Returns:
            float32 array of the same shape.

        Raises:
            DataError: not numeric, or a shape that does not fit the dataset.
        """
        values = _as_float32(raw, "inputs")
        shape = self.input_shape
        if values.shape != shape and values.shape[1:] != shape:
            raise DataError(
                f"inputs of shape {list(values.shape)} do not fit the dataset, whose "
                f"examples have shape {list(shape)}"
            )
        centre, scale = _centre_scale(self.normalize)
        if centre is None or scale is None:
            return values.copy()
        return ((values - centre) / scale).astype(np.float32)


def _centre_scale(stats: Mapping[str, Any]) -> tuple[np.ndarray | None, np.ndarray | None]:
    """The float32 ``(centre, scale)`` of a normalize dict, or ``(None, None)``."""
    method = stats.get("method")
    if method == "zscore":
        return np.asarray(stats["mean"], np.float32), np.asarray(stats["std"], np.float32)
    if method == "minmax":
        return np.asarray(stats["min"], np.float32), np.asarray(stats["range"], np.float32)
    return None, None


def _as_float32(values: Any, what: str) -> np.ndarray:
    """Convert to a finite float32 array, or explain why not."""
    try:
        array = np.array(values, dtype=np.float32)
    except (TypeError, ValueError):
        raise DataError(f"{what} is not a rectangular array of numbers") from None
    bad = np.argwhere(~np.isfinite(array))
    if bad.size:
        where = ", ".join(str(int(i)) for i in bad[0])
        raise DataError(f"{what}[{where}] is {array[tuple(bad[0])]}, not a finite number")
    return array


def _train_size(n: int, split: Any) -> int:
    """``floor(n·split)``, with ``split`` read as the decimal the author wrote."""
    if not _is_real(split) or not math.isfinite(split) or not 0 < split <= 1:
        raise DataError(f"split must be a number in (0, 1], got {split!r}")
    if split == 1:
        return n
    # Decimal(repr(0.29)) is exactly 0.29, so 100 rows give 29, not floor(28.999...).
    n_train = math.floor(Decimal(repr(float(split))) * n)
    if n_train < 1 or n - n_train < 1:
        raise DataError(
            f"split {split} of {n} rows gives {n_train} train and {n - n_train} test rows; "
            "each side needs at least one row"
        )
    return n_train


def _statistics(train: np.ndarray, method: str) -> dict[str, Any]:
    """Population statistics of the train inputs: per feature for 2-D, global otherwise."""
    if method == "none":
        return {"method": "none"}
    values = train.astype(np.float64)
    axis = 0 if train.ndim == 2 else None
    low = np.atleast_1d(values.min(axis=axis))
    high = np.atleast_1d(values.max(axis=axis))
    constant = low == high

    def as_list(array: np.ndarray) -> list[float]:
        return [float(v) for v in np.asarray(array, dtype=np.float32)]

    def nonzero(scale: np.ndarray) -> np.ndarray:
        # A constant feature divides by 1; so does a spread too small for float32.
        scale32 = np.where(constant, 1.0, scale).astype(np.float32)
        return np.where(scale32 == 0, np.float32(1), scale32)

    if method == "zscore":
        mean = np.atleast_1d(values.mean(axis=axis))
        std = np.atleast_1d(values.std(axis=axis))  # ddof 0: population
        return {"method": "zscore", "mean": as_list(mean), "std": as_list(nonzero(std))}
    return {
        "method": "minmax",
        "min": as_list(low),
        "max": as_list(high),
        "range": as_list(nonzero(high - low)),
    }


def prepare(
    x: Any,
    y: Any,
    *,
    seed: int = 0,
    shuffle: bool = False,
    normalize: str = "none",
    split: float = 1.0,
) -> Prepared:
    """Shuffle, split and normalize a dataset, in that order.

    - ``shuffle``: rows are reordered once by ``np.random.default_rng(seed).permutation(n)``.
    - ``split``: the first ``floor(n·split)`` rows are the train split, the rest the test
      split (``split`` is read as the decimal written, so 100 rows at 0.29 give 29); a
      split below 1 must leave at least one row on each side.
    - ``normalize``: ``x`` only, with population statistics of the train split, per
      feature for ``[n, features]`` and one global statistic for images (ndim > 2);
      a zero deviation or range divides by 1.

    Args:
        x: inputs, ``[n, features]`` or ``[n, h, w, c]``.
        y: targets with ``n`` rows, or ``None``.
        seed: seed of the shuffle.
        shuffle: whether to shuffle.
        normalize: ``none``, ``minmax`` or ``zscore``.
        split: fraction of rows kept as the train split, in (0, 1].

    Returns:
        The :class:`Prepared` float32 arrays and statistics.

    Raises:
        DataError: bad shapes, non-finite values, a bad option value.
    """
    xs = _as_float32(x, "x")
    if xs.ndim < 2 or xs.shape[0] == 0 or 0 in xs.shape:
        raise DataError(
            f"x must be a non-empty array of shape [n, features] or [n, height, width, "
            f"channels], got shape {list(xs.shape)}"
        )
    n = int(xs.shape[0])
    ys = None
    if y is not None:
        ys = _as_float32(y, "y")
        if ys.ndim < 2:
            raise DataError(f"y must have shape [n, outputs], got shape {list(ys.shape)}")
        if ys.shape[0] != n:
            raise DataError(f"x has {n} rows but y has {ys.shape[0]}")
    seed = _check_seed(seed)
    if not isinstance(shuffle, bool | np.bool_):
        raise DataError(f"shuffle must be true or false, got {shuffle!r}")
    if not isinstance(normalize, str) or normalize not in NORMALIZE_METHODS:
        hint = did_you_mean(normalize, NORMALIZE_METHODS, repr) if isinstance(normalize, str) else ""
        raise DataError(
            f"unknown normalize {normalize!r}{hint}; expected one of {', '.join(NORMALIZE_METHODS)}"
        )
    n_train = _train_size(n, split)

    if shuffle:
        order = np.random.default_rng(seed).permutation(n)
        xs = xs[order]
        ys = ys[order] if ys is not None else None

    stats = _statistics(xs[:n_train], normalize)
    centre, scale = _centre_scale(stats)
    if centre is not None and scale is not None:
        xs = ((xs - centre) / scale).astype(np.float32)
    has_test = n_train < n
    return Prepared(
        x_train=xs[:n_train].copy(),
        y_train=ys[:n_train].copy() if ys is not None else None,
        x_test=xs[n_train:].copy() if has_test else None,
        y_test=ys[n_train:].copy() if ys is not None and has_test else None,
        normalize=stats,
    )
