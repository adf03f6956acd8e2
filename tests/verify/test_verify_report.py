"""report.py: exit codes, the table, JUnit XML read back, strict JSON."""

from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from mlpages.verify.compare import Mismatch
from mlpages.verify.report import (
    MISMATCHES_SHOWN,
    CellReport,
    PageReport,
    Report,
    format_table,
    mismatch_lines,
    write_json,
    write_junit,
)


def out_of_band(index: int, quantity: str = "loss") -> Mismatch:
    return Mismatch(
        "fit", "mlp-a-fit", quantity, position=f"epoch {index + 1}",
        browser=0.5, reference=0.25, low=0.24, high=0.26,
    )


def mismatched_page() -> PageReport:
    return PageReport(
        "a/index.html",
        cells=[
            CellReport("mlp-a-xor", "xor", "dataset"),
            CellReport(
                "mlp-a-fit", "fit", "train", "mismatch", [out_of_band(0), out_of_band(1)],
                note="2 mismatched: loss",
            ),
            CellReport(
                "mlp-a-guess", "guess", "predict", "error",
                [Mismatch("guess", "mlp-a-guess", "result", "error", reason="status 'error'")],
                note="status 'error'",
            ),
        ],
        seconds=1.5,
    )


def failed_page() -> PageReport:
    return PageReport(
        "b/index.html",
        cells=[CellReport("mlp-b-fit", "fit", "train", "skipped", note="not run: the page failed")],
        errors=["timed out after 3 s waiting for runAll()"],
        console=[{"level": "SEVERE", "source": "javascript", "message": "Uncaught Error: x"}],
        artifacts=["art/b-index.html.png"],
    )


def passed_page() -> PageReport:
    return PageReport("c.html", cells=[CellReport("mlp-c-m", "m", "model", max_rel_diff=1e-7)])


@pytest.mark.parametrize(
    ("pages", "environment_error", "code"),
    [
        ([passed_page()], None, 0),
        ([passed_page(), mismatched_page()], None, 1),
        ([passed_page(), failed_page()], None, 4),
        ([mismatched_page(), failed_page()], None, 1),
        ([], "no pages with cells found in site", 3),
    ],
)
def test_exit_codes(pages, environment_error, code):
    assert Report("site", pages, environment_error).exit_code == code


def test_mismatch_lines_show_the_first_few_and_count_the_rest():
    mismatches = [out_of_band(i) for i in range(MISMATCHES_SHOWN + 3)] + [out_of_band(0, "acc")]
    lines = mismatch_lines("a.html", mismatches)
    assert len(lines) == MISMATCHES_SHOWN + 2
    assert lines[0] == (
        "a.html: cell fit (mlp-a-fit): loss epoch 1: browser 0.5, reference 0.25, "
        "allowed [0.24, 0.26]"
    )
    total = MISMATCHES_SHOWN + 3
    assert lines[MISMATCHES_SHOWN].endswith(
        f"loss: {total} elements out of band in all, {MISMATCHES_SHOWN} shown"
    )
    assert lines[-1].startswith("a.html: cell fit (mlp-a-fit): acc epoch 1")


def test_table_lists_pages_cells_failures_and_a_summary():
    text = format_table(Report("site", [mismatched_page(), failed_page(), passed_page()]))
    assert "a/index.html" in text and "max rel diff 1.00e-07" in text
    assert "b/index.html: timed out after 3 s waiting for runAll()" in text
    assert "a/index.html: cell fit (mlp-a-fit): loss epoch 2: browser 0.5" in text
    assert text.splitlines()[-1] == (
        "mlpages verify FAILED: 3 pages (2 failed), 5 cells: 2 passed, 1 mismatched, "
        "1 errors, 1 not run"
    )


def test_junit_reads_back_with_the_right_counts(tmp_path: Path):
    path = tmp_path / "out" / "junit.xml"
    write_junit(Report("site", [mismatched_page(), failed_page(), passed_page()]), path)
    suite = ET.parse(path).getroot()
    assert suite.tag == "testsuite"
    assert {k: suite.get(k) for k in ("tests", "failures", "errors", "skipped")} == {
        "tests": "8", "failures": "1", "errors": "2", "skipped": "1",
    }
    cases = suite.findall("testcase")
    assert len(cases) == 8
    assert [c.get("name") for c in cases if c.get("classname") == "a/index.html"] == [
        "page", "xor (mlp-a-xor)", "fit (mlp-a-fit)", "guess (mlp-a-guess)",
    ]
    failure = suite.find("testcase[@name='fit (mlp-a-fit)']/failure")
    assert "loss epoch 2: browser 0.5, reference 0.25, allowed [0.24, 0.26]" in failure.text
    page_error = suite.find("testcase[@classname='b/index.html'][@name='page']/error")
    assert page_error.get("message") == "timed out after 3 s waiting for runAll()"
    assert "art/b-index.html.png" in page_error.text
    console = suite.find("testcase[@classname='b/index.html'][@name='page']/system-out")
    assert "Uncaught Error: x" in console.text


def test_junit_of_an_environment_error_has_one_error(tmp_path: Path):
    path = tmp_path / "junit.xml"
    write_junit(Report("site", environment_error="no Chromium"), path)
    suite = ET.parse(path).getroot()
    assert (suite.get("tests"), suite.get("errors")) == ("1", "1")


def test_json_report_is_strict_json(tmp_path: Path):
    page = mismatched_page()
    page.cells[1].mismatches.append(
        Mismatch("fit", "mlp-a-fit", "loss", browser=math.nan, reference=1.0, low=0.9, high=1.1)
    )
    path = tmp_path / "report.json"
    write_json(Report("site", [page]), path)
    data = json.loads(path.read_text(), parse_constant=lambda name: pytest.fail(name))
    assert data["exit_code"] == 1
    assert data["pages"][0]["cells"][1]["mismatches"][-1]["browser"] == "NaN"
