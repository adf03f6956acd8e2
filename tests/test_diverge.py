"""A training that diverges (NaN, ±Infinity) builds like any other: a real `mkdocs build
--strict` logs where the reference diverged, and the page carries the non-finite values in
the page contract's encoding (the strings "NaN", "Infinity", "-Infinity")."""

from __future__ import annotations

import hashlib
import json
import math
import warnings

import numpy as np
import pytest
from mdhelpers import DIVERGING_PAGE
from mlpages.arrays import INLINE_MAX, decode, externalize
from mlpages.blocks.predict import label
from mlpages.cache import ResultCache
from mlpages.chain import band
from mlpages.engine import Sequential
from mlpages.engine.metrics import argmax
from mlpages.html import array_json, json_script
from mlpages.verify.compare import number
from mlpages.verify.discover import parse_cells
from sitebuild import build, write_project

# One xdist worker runs the whole module: its module fixture is made once.
pytestmark = pytest.mark.xdist_group("diverge")

PAGE = DIVERGING_PAGE
TRAIN_LINE = PAGE.splitlines().index("```train") + 1


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    project = write_project(tmp_path_factory.mktemp("diverge"), {"index.md": PAGE})
    return build(project), project / "site"


def test_a_diverging_training_builds_strict_and_says_where_it_diverged(built):
    result, site = built
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "RuntimeWarning" not in result.stderr
    [line] = [ln for ln in result.stderr.splitlines() if "diverged" in ln]
    assert line.startswith("INFO")
    assert (f"docs/index.md:{TRAIN_LINE}: train 'fit-line': the reference diverged at epoch 16 "
            "(loss Infinity); later values are NaN or ±Infinity") in line
    again = build(site.parent)  # the references come from the cache now, and say the same
    assert again.returncode == 0, again.stderr
    assert "references: 2 cached, 0 computed" in again.stderr
    assert [ln for ln in again.stderr.splitlines() if "diverged" in ln] == [line]


def test_the_page_carries_the_non_finite_values_as_strings(built):
    _, site = built
    cells = {c["name"]: c for c in parse_cells((site / "index.html").read_text()).cells}
    for ref in cells["fit-line"]["references"]:
        loss = ref["history"]["loss"]
        assert all(isinstance(v, float) and math.isfinite(v) for v in loss[:15])
        assert loss[15:32] == ["Infinity"] * 17 and loss[32:] == ["NaN"] * 8
        assert [w["data"] for w in ref["weights"]] == [["NaN"], ["NaN"]]
    for ref in cells["after"]["references"]:
        assert ref["predictions"]["data"] == ["NaN"]
    html = (site / "index.html").read_text()
    assert "<td>loss</td><td>NaN</td>" in html  # the train cell's final figure
    assert '<strong class="mlpages-quiz-value">NaN</strong>' in html
    assert "type NaN, the only answer accepted" in html
    table = html[html.index('class="mlpages-results-table"'):]
    shown = [part.split("<")[0] for part in table.split('class="mlpages-results-reference">')[1:]]
    assert shown[0] != "NaN" and shown[1:] == ["Infinity", "NaN", "NaN"]


@pytest.mark.parametrize("size", [3, 5000])  # inline, and in a site file (arrays.py)
def test_non_finite_values_round_trip_through_the_page(size):
    values = np.linspace(-1, 1, size, dtype=np.float32)
    values[:3] = [np.nan, np.inf, -np.inf]
    spec = {"kind": "train", "references": [{"epsilon": 1e-4, "history": {"loss": [0.5, math.inf]},
                                             "weights": [array_json(values)]}]}
    files: dict[str, bytes] = {}
    script = json_script(externalize(spec, files))
    text = script.split(">", 1)[1].rsplit("<", 1)[0]
    [cell] = json.loads(text, parse_constant=_no_bare_constants)  # strict JSON, as browsers parse
    weights = cell["references"][0]["weights"][0]
    if size > INLINE_MAX:
        [(src, data)] = files.items()
        assert weights["src"] == src and weights["dtype"] == "float32"
        assert hashlib.sha256(data).hexdigest() == weights["sha256"]
        decoded = decode(weights, data)
    else:
        assert not files and weights["data"] == ["NaN", "Infinity", "-Infinity"]
        decoded = np.array([number(v) for v in weights["data"]], dtype=np.float32)
    np.testing.assert_array_equal(decoded, values)  # NaN where NaN, ±Infinity where they were
    assert [number(v) for v in cell["references"][0]["history"]["loss"]] == [0.5, math.inf]


def _no_bare_constants(name: str) -> None:
    raise AssertionError(f"bare {name} in the page's JSON")


def test_the_reference_cache_keeps_non_finite_values(tmp_path):
    value = [{"epsilon": 1e-4, "history": {"loss": [1.0, math.inf, -math.inf, math.nan]}}]
    ResultCache(tmp_path).put("k", value)
    again = ResultCache(tmp_path).get("k")
    loss = again[0]["history"]["loss"]
    assert loss[:3] == [1.0, math.inf, -math.inf] and math.isnan(loss[3])


def test_a_band_of_runs_that_all_diverged_alike_is_that_value():
    runs = [np.array([1.0, np.inf, np.nan, np.nan, -np.inf]), np.array([3.0, np.inf, np.nan, 2.0, np.inf])]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning from Infinity − Infinity
        median, low, high = band(runs)
    np.testing.assert_array_equal(low[:3], [-1.0, np.inf, np.nan])
    np.testing.assert_array_equal(high[:3], [5.0, np.inf, np.nan])
    # Runs that diverged differently: edges that no single value equals (verify accepts nothing).
    assert np.isnan(low[3]) and np.isnan(high[3]) and (low[4], high[4]) == (-np.inf, np.inf)


def test_a_diverged_classifier_output_predicts_no_class():
    assert label(np.array([np.nan]), ["no", "yes"]) == "—"
    assert label(np.array([0.25, np.inf]), ["a", "b"]) == "—"
    assert label(np.array([0.75]), ["no", "yes"]) == "yes (75%)"


def test_argmax_passes_over_nan_as_tfjs_does():
    """TF.js's argMax (both backends) scans with `>` from the first value: NaN is never greater,
    where NumPy's argmax takes the first NaN as the largest."""
    p = np.array([[0.1, np.nan, 0.9], [np.nan, 0.2, 0.7], [0.3, 0.3, 0.1], [np.nan] * 3,
                  [0.2, np.inf, np.nan]])
    assert argmax(p).tolist() == [2, 0, 0, 0, 1]
    assert np.argmax(p, axis=-1).tolist() != argmax(p).tolist()
    finite = np.random.default_rng(0).normal(size=(50, 4))
    assert (argmax(finite) == np.argmax(finite, axis=-1)).all()


def test_the_engine_diverges_silently_like_tfjs():
    """Float32 overflow gives Infinity, then NaN, without a RuntimeWarning at every step."""
    x = np.linspace(-1, 1, 16, dtype=np.float32)[:, None]
    model = Sequential([{"type": "dense", "config": {"units": 1, "inputShape": [1]}}])
    model.init_weights(3)
    model.compile({"name": "sgd", "args": {"learningRate": 10}}, "meanSquaredError")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = model.fit(x, 2 * x + 1, epochs=60, batch_size=16, validation_data=(x, x))["loss"]
        assert np.isnan(model.predict(x)).all()
    assert math.isinf(loss[20]) and math.isnan(loss[-1])
