"""Datasets: generators, CSV loading, shuffle/split/normalize (mlpages.data)."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest
from mlpages.data import _GLYPHS, GENERATORS, DataError, Prepared, Table, generate, load_csv, prepare

CLASSIFIERS = ("xor", "circles", "spiral", "gauss")


# --------------------------------------------------------------------------- generate


def test_generator_names() -> None:
    assert GENERATORS == ("linear", "xor", "circles", "spiral", "gauss", "digits", "colours")


POINT_SETS = [k for k in GENERATORS if k not in ("digits", "colours")]  # colours: test_liveinput_build


@pytest.mark.parametrize("kind", POINT_SETS)
@pytest.mark.parametrize("n", [2, 3, 200, 201])
def test_generator_shapes_and_dtypes(kind: str, n: int) -> None:
    x, y = generate(kind, n=n, noise=0.1, seed=1)
    width = 1 if kind == "linear" else 2
    assert x.shape == (n, width) and y.shape == (n, 1)
    assert x.dtype == np.float32 and y.dtype == np.float32


@pytest.mark.parametrize("n", [2, 10, 37])
def test_digits_are_8x8_grey_images_with_balanced_one_hot_labels(n: int) -> None:
    x, y = generate("digits", n=n, noise=0.05, seed=3)
    assert x.shape == (n, 8, 8, 1) and y.shape == (n, 10)
    assert x.dtype == np.float32 and y.dtype == np.float32
    assert x.min() >= 0.0 and x.max() <= 1.0
    assert np.all(y.sum(axis=1) == 1)
    counts = y.sum(axis=0)
    assert counts.max() - counts.min() <= 1


def test_digits_without_noise_show_the_glyph_of_their_label() -> None:
    x, y = generate("digits", n=30, noise=0.0, seed=4)
    for image, label in zip(x[..., 0], y.argmax(axis=1), strict=True):
        ink = image > 0
        rows, cols = np.nonzero(ink)
        assert rows.max() - rows.min() == 6  # seven rows tall, wherever it was drawn
        assert cols.max() - cols.min() <= 5  # at most five wide, six when thickened
        if label == 1:
            assert ink.sum() < 20  # the thinnest glyph
        if label == 8:
            assert ink.sum() >= 17


def test_digits_of_chosen_classes_draw_only_those_glyphs_one_hot_in_their_order() -> None:
    classes = [7, 2, 5]
    x, y = generate("digits", n=30, noise=0.0, seed=4, classes=classes)
    assert x.shape == (30, 8, 8, 1) and y.shape == (30, 3)
    assert list(y.sum(axis=0)) == [10, 10, 10]
    for image, label in zip(x[..., 0], y.argmax(axis=1), strict=True):
        rows, cols = np.nonzero(image > 0)
        top, left = rows.min(), cols.min()
        drawn = image[top : top + 7, left : left + 5] > 0
        glyph = _GLYPHS[classes[label]] > 0
        # The glyph's ink is all there (thickening only adds ink to the right of it).
        assert np.all(drawn[glyph])


def test_all_ten_classes_listed_give_the_default_digits() -> None:
    x1, y1 = generate("digits", n=40, noise=0.1, seed=9)
    x2, y2 = generate("digits", n=40, noise=0.1, seed=9, classes=list(range(10)))
    np.testing.assert_array_equal(x1, x2)
    np.testing.assert_array_equal(y1, y2)


@pytest.mark.parametrize(("kind", "classes", "message"), [
    ("xor", [0, 1], "classes only applies to generate: digits, not xor"),
    ("digits", [3], "classes must be a list of at least two digits 0-9, got [3]"),
    ("digits", [1, 10], "classes must be a list of at least two digits 0-9, got [1, 10]"),
    ("digits", [1, True], "classes must be a list of at least two digits 0-9"),
    ("digits", [4, 5, 4], "classes lists a digit twice: [4, 5, 4]"),
])
def test_bad_digit_classes_are_refused(kind: str, classes: list, message: str) -> None:
    with pytest.raises(DataError, match=re.escape(message)):
        generate(kind, n=20, classes=classes)


@pytest.mark.parametrize("kind", GENERATORS)
def test_generators_are_deterministic(kind: str) -> None:
    x1, y1 = generate(kind, n=50, noise=0.2, seed=5)
    x2, y2 = generate(kind, n=50, noise=0.2, seed=5)
    x3, _ = generate(kind, n=50, noise=0.2, seed=6)
    np.testing.assert_array_equal(x1, x2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(x1, x3)


def test_default_arguments() -> None:
    x, y = generate("circles")
    assert x.shape == (200, 2)
    x2, _ = generate("circles", 200, 0.0, 0)
    np.testing.assert_array_equal(x, x2)


@pytest.mark.parametrize("kind", CLASSIFIERS)
@pytest.mark.parametrize("n", [2, 7, 200, 201])
def test_classes_are_balanced_and_binary(kind: str, n: int) -> None:
    _, y = generate(kind, n=n, seed=2)
    assert set(np.unique(y)) <= {0.0, 1.0}
    assert int(y.sum()) == n // 2


@pytest.mark.parametrize("kind", CLASSIFIERS)
def test_classes_are_mixed_so_a_plain_split_sees_both(kind: str) -> None:
    _, y = generate(kind, n=200, seed=0)
    assert 0 < y[:100].sum() < 100


@pytest.mark.parametrize("kind", ("xor", "circles", "spiral"))
def test_clean_points_lie_in_the_unit_square(kind: str) -> None:
    x, _ = generate(kind, n=1000, seed=3)
    assert np.abs(x).max() <= 1.0 + 1e-6
    assert np.abs(x).max() > 0.8  # spread over the square, not huddled in a corner


def test_gauss_lies_in_about_the_unit_square() -> None:
    x, y = generate("gauss", n=1000, seed=3)
    assert np.abs(x).max() < 1.4
    np.testing.assert_allclose(x[y[:, 0] == 1].mean(axis=0), [0.4, 0.4], atol=0.03)
    np.testing.assert_allclose(x[y[:, 0] == 0].mean(axis=0), [-0.4, -0.4], atol=0.03)


def test_xor_label_is_the_sign_of_the_product() -> None:
    x, y = generate("xor", n=500, seed=4)
    np.testing.assert_array_equal(y[:, 0], (x[:, 0] * x[:, 1] > 0).astype(np.float32))
    assert np.abs(x).min() >= 0.05 - 1e-6  # kept off the axes


def test_circles_inner_disc_and_outer_ring() -> None:
    x, y = generate("circles", n=500, seed=4)
    r = np.hypot(x[:, 0], x[:, 1])
    assert r[y[:, 0] == 1].max() <= 0.5 + 1e-6
    assert r[y[:, 0] == 0].min() >= 0.7 - 1e-6


def test_spiral_classes_are_point_reflections() -> None:
    x, y = generate("spiral", n=400, seed=4)
    one = {tuple(np.round(p, 4)) for p in x[y[:, 0] == 1]}
    zero = {tuple(np.round(-p, 4)) for p in x[y[:, 0] == 0]}
    assert one == zero  # a half turn maps one spiral onto the other


def test_linear_is_a_seeded_line() -> None:
    x, y = generate("linear", n=100, seed=9)
    assert np.abs(x).max() <= 1.0
    a, b = np.polyfit(x[:, 0].astype(np.float64), y[:, 0].astype(np.float64), 1)
    assert 0.5 <= abs(a) <= 2.0 and abs(b) <= 1.0
    np.testing.assert_allclose(y[:, 0], a * x[:, 0] + b, atol=1e-5)


@pytest.mark.parametrize("seed", range(6))
def test_linear_slope_and_intercept_depend_on_the_seed(seed: int) -> None:
    x0, y0 = generate("linear", n=20, seed=seed)
    x1, y1 = generate("linear", n=20, seed=seed + 100)
    a0, b0 = np.polyfit(x0[:, 0], y0[:, 0], 1)
    a1, b1 = np.polyfit(x1[:, 0], y1[:, 0], 1)
    assert (round(a0, 4), round(b0, 4)) != (round(a1, 4), round(b1, 4))


def test_linear_noise_goes_to_y_only() -> None:
    x_clean, y_clean = generate("linear", n=4000, noise=0.0, seed=1)
    x_noisy, y_noisy = generate("linear", n=4000, noise=0.2, seed=1)
    np.testing.assert_array_equal(x_clean, x_noisy)
    assert abs(float(np.std(y_noisy - y_clean)) - 0.2) < 0.01


@pytest.mark.parametrize("kind", CLASSIFIERS)
def test_classifier_noise_goes_to_x_only(kind: str) -> None:
    x_clean, y_clean = generate(kind, n=4000, noise=0.0, seed=1)
    x_noisy, y_noisy = generate(kind, n=4000, noise=0.1, seed=1)
    np.testing.assert_array_equal(y_clean, y_noisy)
    assert abs(float(np.std(x_noisy - x_clean)) - 0.1) < 0.005


def test_unknown_generator_suggests_a_name() -> None:
    with pytest.raises(DataError, match=r"unknown generator 'circle' \(did you mean 'circles'\?\)"):
        generate("circle")
    with pytest.raises(DataError, match="expected one of linear, xor, circles, spiral, gauss"):
        generate("moons")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n": 1}, "n must be"),
        ({"n": 0}, "n must be"),
        ({"n": 2.5}, "n must be"),
        ({"n": True}, "n must be"),
        ({"noise": -0.1}, "noise must be"),
        ({"noise": math.nan}, "noise must be"),
        ({"seed": -1}, "seed must be"),
        ({"seed": 1.5}, "seed must be"),
    ],
)
def test_generator_argument_errors(kwargs: dict, message: str) -> None:
    with pytest.raises(DataError, match=message):
        generate("xor", **kwargs)


# --------------------------------------------------------------------------- load_csv


def write(tmp_path: Path, text: str, name: str = "data.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


IRIS = (
    "sepal_length,petal_length,species\n"
    "5.1,1.4,setosa\n"
    "7.0,4.7,versicolor\n"
    "6.3,6.0,virginica\n"
    "4.9,1.4,setosa\n"
)


def test_label_defaults_to_the_last_column_and_is_one_hot_in_sorted_order(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, "a,kind\n1,zebra\n2,ant\n3,mole\n4,ant\n")
    table = load_csv(path)
    assert isinstance(table, Table)
    assert table.features == ["a"] and table.label == "kind"
    assert table.classes == ["ant", "mole", "zebra"]
    np.testing.assert_array_equal(table.y, [[0, 0, 1], [1, 0, 0], [0, 1, 0], [1, 0, 0]])
    assert table.y.dtype == np.float32
    np.testing.assert_array_equal(table.x, [[1], [2], [3], [4]])
    assert table.x.dtype == np.float32


def test_explicit_label_and_default_features(tmp_path: Path) -> None:
    path = write(tmp_path, IRIS)
    table = load_csv(path, label="species")
    assert table.features == ["sepal_length", "petal_length"]
    np.testing.assert_allclose(table.x[1], [7.0, 4.7])
    assert table.classes == ["setosa", "versicolor", "virginica"]


def test_label_in_the_middle(tmp_path: Path) -> None:
    path = write(tmp_path, "a,y,b\n1,0.5,2\n3,1.5,4\n")
    table = load_csv(path, label="y")
    assert table.features == ["a", "b"]
    np.testing.assert_array_equal(table.x, [[1, 2], [3, 4]])
    np.testing.assert_array_equal(table.y, [[0.5], [1.5]])
    assert table.classes is None


def test_chosen_features_keep_their_order(tmp_path: Path) -> None:
    table = load_csv(write(tmp_path, IRIS), features=["petal_length", "sepal_length"])
    assert table.features == ["petal_length", "sepal_length"]
    assert table.label == "species"
    np.testing.assert_allclose(table.x[0], [1.4, 5.1])


def test_numeric_label_stays_numeric(tmp_path: Path) -> None:
    table = load_csv(write(tmp_path, "x,y\n1,0\n2,1\n3,1\n"))
    assert table.classes is None
    assert table.y.shape == (3, 1) and table.y.dtype == np.float32
    np.testing.assert_array_equal(table.y[:, 0], [0, 1, 1])


def test_single_column_file_has_no_label(tmp_path: Path) -> None:
    table = load_csv(write(tmp_path, "x\n1\n2\n"))
    assert table.y is None and table.label is None and table.features == ["x"]
    np.testing.assert_array_equal(table.x, [[1], [2]])


def test_features_naming_the_last_column_mean_no_label(tmp_path: Path) -> None:
    table = load_csv(write(tmp_path, "a,b\n1,2\n3,4\n"), features=["a", "b"])
    assert table.y is None and table.label is None


def test_spaces_blank_lines_bom_and_quotes(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text('\ufeff a , "b" , c\n\n 1 , 2.5e1 , "x"\n\n-3,.5, y \n\n', encoding="utf-8")
    table = load_csv(path)
    assert table.features == ["a", "b"] and table.label == "c"
    np.testing.assert_array_equal(table.x, [[1, 25], [-3, 0.5]])
    assert table.classes == ["x", "y"]


def test_unknown_column_suggests_a_name(tmp_path: Path) -> None:
    path = write(tmp_path, IRIS)
    with pytest.raises(
        DataError,
        match=r"column 'petal_lenght' not in data.csv \(did you mean 'petal_length'\?\)",
    ):
        load_csv(path, features=["sepal_length", "petal_lenght"])
    with pytest.raises(DataError, match=r"column 'specis' not in data.csv \(did you mean"):
        load_csv(path, label="specis")


def test_message_uses_the_given_name(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="column 'q' not in data/iris.csv"):
        load_csv(write(tmp_path, IRIS), label="q", name="data/iris.csv")


def test_non_numeric_feature_cell_names_file_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, "a,b,y\n1,2,0\n\n3,abc,1\n")
    with pytest.raises(DataError, match=r"data.csv line 4, column 'b': 'abc' is not a number"):
        load_csv(path)


def test_non_finite_feature_cell_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"line 2, column 'a': 'nan' is not a number"):
        load_csv(write(tmp_path, "a,y\nnan,0\n"))


def test_line_numbers_count_multiline_quoted_cells(tmp_path: Path) -> None:
    path = write(tmp_path, 'a,y\n1,"two\nlines"\nx,0\n')
    with pytest.raises(DataError, match="line 4, column 'a'"):
        load_csv(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a,y\n1,\n", r"line 2, column 'y': empty cell"),
        ("a,y\n,1\n", r"line 2, column 'a': empty cell"),
        ("a,y\n1,2,3\n", r"line 2: 3 cells, but the header has 2 columns"),
        ("a,y\n1\n", r"line 2: 1 cells"),
        ("a,y\n", "header row but no data rows"),
        ("", "data.csv is empty"),
        ("\n\n", "data.csv is empty"),
        ("a,,y\n1,2,3\n", "column 2 has no name"),
        ("a,a,y\n1,2,3\n", "column 'a' appears twice"),
    ],
)
def test_malformed_files(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(DataError, match=message):
        load_csv(write(tmp_path, text))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="file not found: nope.csv"):
        load_csv(tmp_path / "nope.csv")


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes("a,y\n1,caf\xe9\n".encode("latin-1"))
    with pytest.raises(DataError, match="not UTF-8"):
        load_csv(path)


@pytest.mark.parametrize(
    ("features", "label", "message"),
    [
        (["a", "y"], "y", "both a feature and the label"),
        ([], None, "features is an empty list"),
        (["a", "a"], None, "listed twice"),
        ("a", None, "features must be a list"),
    ],
)
def test_bad_column_choices(
    tmp_path: Path, features: object, label: str | None, message: str
) -> None:
    with pytest.raises(DataError, match=message):
        load_csv(write(tmp_path, "a,b,y\n1,2,0\n"), features=features, label=label)  # type: ignore[arg-type]


def test_label_only_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no feature column besides the label 'y'"):
        load_csv(write(tmp_path, "y\n1\n"), label="y")


# --------------------------------------------------------------------------- prepare: split


@pytest.mark.parametrize(
    ("n", "split", "n_train", "n_test"),
    [
        (10, 0.7, 7, 3),
        (2, 0.5, 1, 1),
        (3, 0.5, 1, 2),
        (3, 0.99, 2, 1),
        (100, 0.29, 29, 71),  # not floor(28.999999999999996)
        (10, 0.15, 1, 9),
        (7, 1.0, 7, 0),
        (1, 1.0, 1, 0),
    ],
)
def test_split_counts(n: int, split: float, n_train: int, n_test: int) -> None:
    x = np.arange(n, dtype=np.float32)[:, None]
    p = prepare(x, x * 2, split=split)
    assert (p.n_train, p.n_test) == (n_train, n_test)
    assert p.x_train.shape == (n_train, 1) and p.y_train.shape == (n_train, 1)
    np.testing.assert_array_equal(p.x_train[:, 0], np.arange(n_train))
    if n_test:
        np.testing.assert_array_equal(p.x_test[:, 0], np.arange(n_train, n))
        np.testing.assert_array_equal(p.y_test[:, 0], 2 * np.arange(n_train, n))
    else:
        assert p.x_test is None and p.y_test is None


@pytest.mark.parametrize(("n", "split"), [(2, 0.1), (1, 0.5), (10, 0.05), (4, 0.2)])
def test_split_must_leave_a_row_on_each_side(n: int, split: float) -> None:
    with pytest.raises(DataError, match="each side needs at least one row"):
        prepare(np.zeros((n, 1)), None, split=split)


@pytest.mark.parametrize("split", [0, 0.0, -0.5, 1.5, math.nan, math.inf, "0.5", True, None])
def test_split_must_be_in_the_unit_interval(split: object) -> None:
    with pytest.raises(DataError, match=r"split must be a number in \(0, 1\]"):
        prepare(np.zeros((4, 1)), None, split=split)  # type: ignore[arg-type]


def test_split_of_1_as_integer() -> None:
    assert prepare(np.zeros((4, 1)), None, split=1).n_test == 0


# --------------------------------------------------------------------------- prepare: shuffle


def test_shuffle_happens_before_the_split() -> None:
    n = 10
    x = np.arange(n, dtype=np.float32)[:, None]
    y = x + 100
    p = prepare(x, y, seed=3, shuffle=True, split=0.7)
    order = np.random.default_rng(3).permutation(n)
    assert not np.array_equal(order, np.arange(n))
    np.testing.assert_array_equal(p.x_train[:, 0], order[:7])
    np.testing.assert_array_equal(p.x_test[:, 0], order[7:])
    np.testing.assert_array_equal(p.y_train[:, 0], order[:7] + 100)
    np.testing.assert_array_equal(p.y_test[:, 0], order[7:] + 100)


def test_no_shuffle_keeps_the_order_whatever_the_seed() -> None:
    x = np.arange(6, dtype=np.float32)[:, None]
    p = prepare(x, None, seed=5, split=0.5)
    np.testing.assert_array_equal(p.x_train[:, 0], [0, 1, 2])
    assert p.y_train is None and p.y_test is None


def test_shuffle_is_deterministic_and_seeded() -> None:
    x = np.arange(50, dtype=np.float32)[:, None]
    a = prepare(x, None, seed=1, shuffle=True).x_train
    b = prepare(x, None, seed=1, shuffle=True).x_train
    c = prepare(x, None, seed=2, shuffle=True).x_train
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    np.testing.assert_array_equal(np.sort(a[:, 0]), np.arange(50))


def test_shuffle_moves_image_examples_whole() -> None:
    x = np.arange(4, dtype=np.float32)[:, None, None, None] * np.ones((1, 2, 2, 1), np.float32)
    p = prepare(x, None, seed=0, shuffle=True)
    order = np.random.default_rng(0).permutation(4)
    np.testing.assert_array_equal(p.x_train, x[order])


# --------------------------------------------------------------------------- prepare: normalize

TINY = [[1.0, 10.0], [2.0, 10.0], [3.0, 10.0], [6.0, 10.0]]


def test_zscore_by_hand_with_a_constant_feature() -> None:
    p = prepare(TINY, None, normalize="zscore")
    # column 0: mean 3, population variance (4 + 1 + 0 + 9) / 4 = 3.5
    # column 1: constant, deviation 0 -> divides by 1
    assert p.normalize["method"] == "zscore"
    np.testing.assert_allclose(p.normalize["mean"], [3.0, 10.0])
    np.testing.assert_allclose(p.normalize["std"], [math.sqrt(3.5), 1.0], rtol=1e-6)
    expected = [[(v - 3.0) / math.sqrt(3.5), 0.0] for v in (1.0, 2.0, 3.0, 6.0)]
    np.testing.assert_allclose(p.x_train, expected, rtol=1e-6)
    assert p.x_train.dtype == np.float32


def test_minmax_by_hand_with_a_constant_feature() -> None:
    p = prepare(TINY, None, normalize="minmax")
    assert p.normalize == {
        "method": "minmax",
        "min": [1.0, 10.0],
        "max": [6.0, 10.0],
        "range": [5.0, 1.0],
    }
    np.testing.assert_allclose(p.x_train, [[0, 0], [0.2, 0], [0.4, 0], [1, 0]], rtol=1e-6)


def test_none_stores_no_statistics_and_keeps_values() -> None:
    p = prepare(TINY, None)
    assert p.normalize == {"method": "none"}
    np.testing.assert_array_equal(p.x_train, TINY)
    assert p.x_train.dtype == np.float32


def test_statistics_come_from_the_train_split_only() -> None:
    x = [[0.0], [2.0], [4.0], [100.0]]
    p = prepare(x, None, normalize="zscore", split=0.75)
    std = math.sqrt(8 / 3)  # population deviation of 0, 2, 4
    np.testing.assert_allclose(p.normalize["mean"], [2.0])
    np.testing.assert_allclose(p.normalize["std"], [std], rtol=1e-6)
    np.testing.assert_allclose(p.x_test, [[(100.0 - 2.0) / std]], rtol=1e-6)
    q = prepare(x, None, normalize="minmax", split=0.75)
    assert q.normalize["min"] == [0.0] and q.normalize["range"] == [4.0]
    np.testing.assert_allclose(q.x_test, [[25.0]])


def test_statistics_come_from_the_shuffled_train_split() -> None:
    x = np.arange(10, dtype=np.float32)[:, None] ** 2
    p = prepare(x, None, seed=4, shuffle=True, split=0.6, normalize="zscore")
    train = x[np.random.default_rng(4).permutation(10)[:6], 0].astype(np.float64)
    np.testing.assert_allclose(p.normalize["mean"], [train.mean()], rtol=1e-6)
    np.testing.assert_allclose(p.normalize["std"], [train.std()], rtol=1e-6)


def test_normalize_leaves_y_alone() -> None:
    y = [[5.0], [7.0], [9.0], [11.0]]
    p = prepare(TINY, y, normalize="zscore")
    np.testing.assert_array_equal(p.y_train, y)


def test_images_use_one_global_statistic() -> None:
    x = np.arange(16, dtype=np.float32).reshape(4, 2, 2, 1)
    p = prepare(x, None, normalize="zscore")
    assert p.normalize["mean"] == [7.5]
    np.testing.assert_allclose(p.normalize["std"], [math.sqrt(255 / 12)], rtol=1e-6)
    np.testing.assert_allclose(p.x_train, (x - 7.5) / math.sqrt(255 / 12), rtol=1e-6)
    q = prepare(x, None, normalize="minmax")
    assert q.normalize == {"method": "minmax", "min": [0.0], "max": [15.0], "range": [15.0]}
    assert q.x_train.shape == (4, 2, 2, 1)


def test_constant_images_divide_by_one() -> None:
    x = np.full((3, 2, 2, 1), 0.5, dtype=np.float32)
    p = prepare(x, None, normalize="zscore")
    assert p.normalize == {"method": "zscore", "mean": [0.5], "std": [1.0]}
    np.testing.assert_array_equal(p.x_train, np.zeros_like(x))


def test_statistics_are_json_ready_float32_values() -> None:
    p = prepare([[0.1], [0.2], [0.4]], None, normalize="zscore")
    for value in p.normalize["mean"] + p.normalize["std"]:
        assert type(value) is float
        assert float(np.float32(value)) == value


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("z-score", r"unknown normalize 'z-score' \(did you mean 'zscore'\?\)"),
        ("min-max", r"did you mean 'minmax'"),
        ("standard", r"expected one of none, minmax, zscore"),
        (None, r"unknown normalize None"),
    ],
)
def test_unknown_normalize(value: object, message: str) -> None:
    with pytest.raises(DataError, match=message):
        prepare(TINY, None, normalize=value)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- Prepared.apply


@pytest.mark.parametrize("method", ["none", "minmax", "zscore"])
def test_apply_reproduces_the_prepared_arrays(method: str) -> None:
    x, y = generate("gauss", n=40, seed=2)
    x = x * np.float32(3) + np.float32(5)
    p = prepare(x, y, seed=1, shuffle=True, normalize=method, split=0.75)
    order = np.random.default_rng(1).permutation(40)
    np.testing.assert_array_equal(p.apply(x[order][:30]), p.x_train)
    np.testing.assert_array_equal(p.apply(x[order][30:]), p.x_test)


def test_apply_to_raw_predict_inputs() -> None:
    p = prepare(TINY, None, normalize="minmax")
    out = p.apply([[11.0, 10.0], [1.0, 12.0]])
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, [[2.0, 0.0], [0.0, 2.0]])
    np.testing.assert_allclose(p.apply([6.0, 10.0]), [1.0, 0.0])  # one example


def test_apply_to_images() -> None:
    x = np.arange(16, dtype=np.float32).reshape(4, 2, 2, 1)
    p = prepare(x, None, normalize="minmax")
    np.testing.assert_allclose(p.apply(np.full((2, 2, 1), 15.0)), np.ones((2, 2, 1)))


def test_apply_rejects_a_wrong_shape() -> None:
    p = prepare(TINY, None, normalize="zscore")
    with pytest.raises(DataError, match=r"inputs of shape \[1, 3\] do not fit"):
        p.apply([[1.0, 2.0, 3.0]])
    with pytest.raises(DataError, match="not a rectangular array"):
        p.apply([[1.0], [1.0, 2.0]])


def test_prepared_properties() -> None:
    p = prepare(np.zeros((5, 2, 3)), None, split=0.6)
    assert isinstance(p, Prepared)
    assert (p.n_train, p.n_test, p.input_shape) == (3, 2, (2, 3))


def test_prepare_does_not_alias_or_change_its_inputs() -> None:
    x = np.arange(6, dtype=np.float32).reshape(3, 2)
    before = x.copy()
    prepare(x, None, normalize="zscore")
    np.testing.assert_array_equal(x, before)
    q = prepare(x, None)
    q.x_train[0, 0] = 99
    assert x[0, 0] == 0


# --------------------------------------------------------------------------- prepare: input checks


@pytest.mark.parametrize(
    ("x", "y", "message"),
    [
        ([1.0, 2.0], None, r"x must be a non-empty array of shape \[n, features\]"),
        (np.zeros((0, 2)), None, "x must be a non-empty array"),
        (np.zeros((3, 0)), None, "x must be a non-empty array"),
        ([[1.0], [1.0, 2.0]], None, "x is not a rectangular array of numbers"),
        ([["a"], ["b"]], None, "x is not a rectangular array of numbers"),
        ([[1.0], [math.nan]], None, r"x\[1, 0\] is nan, not a finite number"),
        ([[1.0], [2.0]], [[1.0]], "x has 2 rows but y has 1"),
        ([[1.0], [2.0]], [1.0, 2.0], r"y must have shape \[n, outputs\]"),
        ([[1.0], [2.0]], [[1.0], [math.inf]], r"y\[1, 0\] is inf"),
    ],
)
def test_bad_arrays(x: object, y: object, message: str) -> None:
    with pytest.raises(DataError, match=message):
        prepare(x, y)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"seed": -1}, "seed must be a non-negative integer"),
        ({"seed": 1.0}, "seed must be a non-negative integer"),
        ({"shuffle": "yes"}, "shuffle must be true or false"),
    ],
)
def test_bad_options(kwargs: dict, message: str) -> None:
    with pytest.raises(DataError, match=message):
        prepare(TINY, None, **kwargs)


def test_csv_to_prepared(tmp_path: Path) -> None:
    table = load_csv(write(tmp_path, IRIS))
    p = prepare(table.x, table.y, seed=0, shuffle=True, normalize="zscore", split=0.5)
    assert (p.n_train, p.n_test) == (2, 2)
    assert p.y_train.shape == (2, 3)
    np.testing.assert_allclose(np.concatenate([p.y_train, p.y_test]).sum(axis=0), [2, 1, 1])


def test_data_module_imports_neither_mkdocs_nor_markdown() -> None:
    import ast
    import inspect

    import mlpages.data as module

    imported: set[str] = set()
    for node in ast.walk(ast.parse(inspect.getsource(module))):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert "numpy" in imported
    assert not imported & {"mkdocs", "markdown", "pymdownx", "yaml"}


def test_generated_arrays_are_the_callers_own() -> None:
    x1, y1 = generate("digits", n=20, noise=0.1, seed=8)
    x1[:] = 0.0
    y1[:] = 0.0
    x2, y2 = generate("digits", n=20, noise=0.1, seed=8)
    assert x2.max() > 0 and np.all(y2.sum(axis=1) == 1)
