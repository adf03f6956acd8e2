"""Knob variants in verify: the panels of a built page, which variants are checked, their
files read from the site, their blocks put into the page, and the runs and reports of a
page with knobs, with a scripted browser that answers each variant's references."""

from __future__ import annotations

import dataclasses
import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from mlpages.verify import knobs as verify_knobs
from mlpages.verify.discover import parse_cells
from mlpages.verify.knobs import (
    Panel,
    VariantUnavailable,
    choose,
    read_panel,
    read_variant,
    substitute,
)
from mlpages.verify.report import format_table, junit_xml, summary_line
from mlpages.verify.runner import page_entries, run_verify
from mlpages.verify.server import serve_background
from selenium.common.exceptions import TimeoutException
from sitebuild import ROOT, build_pages

# One xdist worker runs the whole module: its module fixture is made once.
pytestmark = pytest.mark.xdist_group("verify-knobs")

PAGE = (ROOT / "tests" / "fixtures" / "knobs" / "index.md").read_text(encoding="utf-8")
FOLDER = "mlpages-variants/mlp-index-fit"
BLOCKS = ["mlp-index-net", "mlp-index-fit", "mlp-index-p", "mlp-index-check"]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_pages(tmp_path_factory.mktemp("knobs"), {"index.md": PAGE})


@pytest.fixture
def site(built: Path, tmp_path: Path) -> Path:
    """A private copy of the built site, to edit."""
    return Path(shutil.copytree(built, tmp_path / "site"))


def panel_of(site: Path) -> Panel:
    (spec,) = parse_cells((site / "index.html").read_text(encoding="utf-8")).knobs
    return read_panel(spec)


def variant_file(site: Path, index: int) -> dict[str, Any]:
    return json.loads((site / FOLDER / f"{index}.json").read_text(encoding="utf-8"))


def test_the_panel_of_a_built_page(built: Path):
    panel = panel_of(built)
    assert (panel.cell, panel.name, panel.count, panel.default) == ("mlp-index-fit", "fit", 4, 3)
    assert panel.files == f"{FOLDER}/" and list(panel.blocks) == BLOCKS
    # Row-major over the knobs as listed, as the build numbers the files.
    for index in range(4):
        assert panel.values(index) == variant_file(built, index)["knobs"]
    assert panel.values(0) == {"epochs": 3, "model.learningRate": 0.1}
    assert panel.variant(3).default and panel.variant(3).words == "epochs 6, model.learningRate 0.3"
    assert panel.variant(1).label == "variant 1 of fit (epochs 3, model.learningRate 0.3)"
    assert panel.variant(3).label == "variant 3 of fit, the default (epochs 6, model.learningRate 0.3)"


@pytest.mark.parametrize("change, message", [
    ({"count": 5}, "count 5 is not the 4 variants"),
    ({"default": 4}, "default 4 is not a variant of 0 to 3"),
    ({"default": True}, "default True"),
    ({"knobs": []}, "knobs is not a non-empty list"),
    ({"blocks": "mlp-index-fit"}, "blocks is not a list"),
    ({"cell": None}, "cell is not an element id"),
])
def test_a_malformed_panel_is_refused(built: Path, change: dict[str, Any], message: str):
    (spec,) = parse_cells((built / "index.html").read_text(encoding="utf-8")).knobs
    with pytest.raises(ValueError, match=message):
        read_panel({**spec, **change})


def sixteen(default: int) -> Panel:
    knobs = tuple((k, (0, 1)) for k in "abcd")
    return Panel("c", "c", knobs, 16, default, "v/", ("c",))


def test_the_variants_chosen_are_spread_evenly_and_leave_out_the_default():
    assert choose(sixteen(14), 2) == [0, 15]  # the first and the last
    assert choose(sixteen(0), 2) == [1, 15]
    assert choose(sixteen(14), 1) == [7]  # the middle one of the 15 others
    assert choose(sixteen(14), 4) == [0, 5, 9, 15]  # positions 0, 4.67, 9.33, 14
    assert choose(sixteen(14), 0) == []
    assert choose(sixteen(14), None) == [i for i in range(16) if i != 14]
    assert choose(sixteen(14), 99) == choose(sixteen(14), None)
    # The choice depends on the spec alone.
    assert choose(sixteen(14), 3) == choose(sixteen(14), 3) == [0, 7, 15]
    assert choose(sixteen(14), 5) == [0, 4, 7, 11, 15]  # positions 0, 3.5, 7, 10.5, 14
    assert choose(Panel("c", "c", (("a", (1,)),), 1, 0, "v/", ("c",)), 2) == []


@pytest.fixture
def served(site: Path):
    url, stop = serve_background(site)
    try:
        yield site, url + "index.html"
    finally:
        stop()


def test_a_variant_file_is_read_from_the_site_and_checked(served: tuple[Path, str]):
    site, page_url = served
    panel = panel_of(site)
    shown = read_variant(panel, 1, page_url)
    assert shown.knobs == {"epochs": 3, "model.learningRate": 0.3}
    assert list(shown.blocks) == BLOCKS

    (site / FOLDER / "2.json").unlink()
    with pytest.raises(VariantUnavailable, match=r"variant file mlpages-variants/mlp-index-fit/2\.json: "
                                                 r"HTTP 404 at http://127\.0\.0\.1:\d+/"):
        read_variant(panel, 2, page_url)

    def rewrite(number: int, **change: Any) -> None:
        data = variant_file(site, number)
        (site / FOLDER / f"{number}.json").write_text(json.dumps({**data, **change}), encoding="utf-8")

    rewrite(0, index=1)
    with pytest.raises(VariantUnavailable, match="it is variant 1 of cell 'mlp-index-fit', not variant 0"):
        read_variant(panel, 0, page_url)
    rewrite(0, index=0, knobs={"epochs": 6, "model.learningRate": 0.1})
    with pytest.raises(VariantUnavailable, match=r"its knobs .* are not variant 0's"):
        read_variant(panel, 0, page_url)
    rewrite(0, knobs=panel.values(0), blocks=variant_file(site, 0)["blocks"][1:])
    with pytest.raises(VariantUnavailable, match="are not the blocks the knobs change"):
        read_variant(panel, 0, page_url)
    rewrite(0, blocks=variant_file(site, 1)["blocks"], schema=2)
    with pytest.raises(VariantUnavailable, match="schema 2, this verifier reads schema 1"):
        read_variant(panel, 0, page_url)
    (site / FOLDER / "0.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(VariantUnavailable, match="unreadable JSON"):
        read_variant(panel, 0, page_url)


def test_a_variant_file_off_the_site_or_too_large_is_refused(
    served: tuple[Path, str], monkeypatch: pytest.MonkeyPatch
):
    site, page_url = served
    panel = panel_of(site)
    secret = site.parent / "secret"
    secret.mkdir()
    (secret / "1.json").write_text(json.dumps(variant_file(site, 1)), encoding="utf-8")
    for files in (secret.as_uri() + "/", "http://127.0.0.2/" + FOLDER + "/", "//127.0.0.2/x/"):
        elsewhere = dataclasses.replace(panel, files=files)
        with pytest.raises(VariantUnavailable, match=r"not on the site \(verify reads only http\(s\) URLs"):
            read_variant(elsewhere, 1, page_url)
    size = len((site / FOLDER / "1.json").read_bytes())
    monkeypatch.setattr(verify_knobs, "MAX_PAGE_BYTES", size - 1)
    with pytest.raises(VariantUnavailable, match=f"larger than verify reads \\({size - 1} bytes"):
        read_variant(panel, 1, page_url)
    monkeypatch.setattr(verify_knobs, "MAX_PAGE_BYTES", size)
    assert read_variant(panel, 1, page_url).knobs == panel.values(1)


def test_a_variants_blocks_replace_the_page_elements_with_their_ids(built: Path):
    html = (built / "index.html").read_text(encoding="utf-8")
    blocks = {b["id"]: b["html"] for b in variant_file(built, 0)["blocks"]}
    page = parse_cells(html)
    variant = parse_cells(substitute(html, blocks))
    assert [c["id"] for c in variant.cells] == [c["id"] for c in page.cells]
    assert variant.errors == [] and len(variant.knobs) == 1
    by_id = {c["id"]: c for c in variant.cells}
    # The dataset is no block of the knobs: as served. Every block is the variant's own.
    assert by_id["mlp-index-pts"] == page.cells[0]
    for element in ("mlp-index-net", "mlp-index-fit", "mlp-index-p"):
        (own,) = parse_cells(blocks[element]).cells
        assert by_id[element] == own
    (quiz,) = parse_cells(blocks["mlp-index-check"]).quizzes
    assert variant.quizzes == [quiz] != page.quizzes
    fit = by_id["mlp-index-fit"]
    assert fit["fit"]["epochs"] == 3 and len(fit["references"][0]["history"]["loss"]) == 3
    # The page around the blocks is untouched.
    first = html.index('id="mlp-index-net"')
    assert substitute(html, blocks)[: html.rfind("<", 0, first)] == html[: html.rfind("<", 0, first)]
    assert substitute(html, {}) == html
    with pytest.raises(VariantUnavailable, match="the page has no element with id mlp-index-nope"):
        substitute(html, {"mlp-index-nope": "<div></div>"})


def test_substitute_counts_nested_elements_of_the_same_tag():
    html = ('<main><div id="a"><div><br><img src=x><div></div></div><p>unclosed</div>'
            '<div id="b"/><section id="c"><div></div></section></main>')
    replaced = substitute(html, {"a": "<i>A</i>", "c": "<i>C</i>"})
    assert replaced == '<main><i>A</i><div id="b"/><i>C</i></main>'


class EchoDriver:
    """A browser that computes exactly the references of the variant it was switched to
    (read from the pristine site at ``truth``), with ``wrong`` variants' train loss off."""

    def __init__(self, truth: Path, wrong: dict[int, float] | None = None,
                 refuse: set[int] | None = None, hang: set[int] | None = None) -> None:
        self.truth = truth
        self.wrong = wrong or {}
        self.refuse = refuse or set()
        self.hang = hang or set()
        self.quit_called = False
        self.capabilities: dict[str, Any] = {}
        self.calls: list[tuple[str, list[Any]]] = []
        self.current = 3
        self.url = ""

    def set_page_load_timeout(self, seconds: float) -> None:
        pass

    def set_script_timeout(self, seconds: float) -> None:
        pass

    def get(self, url: str) -> None:
        self.url, self.current = url, 3

    def execute_script(self, script: str) -> bool:
        return True

    def _cells(self) -> list[dict[str, Any]]:
        cells = parse_cells((self.truth / "index.html").read_text(encoding="utf-8")).cells
        data = json.loads((self.truth / FOLDER / f"{self.current}.json").read_text(encoding="utf-8"))
        own = {c["id"]: c for b in data["blocks"] for c in parse_cells(b["html"]).cells}
        return [own.get(c["id"], c) for c in cells]

    def execute_async_script(self, script: str, step: str, args: list[Any]) -> str:
        self.calls.append((step, args))
        if step == "environment":
            return json.dumps({"ok": True, "value": {"backend": "webgl", "epsilon": 1e-4}})
        if step == "setKnobs":
            cell, knobs = args
            index = next(i for i in range(4)
                         if json.loads((self.truth / FOLDER / f"{i}.json").read_text())["knobs"] == knobs)
            if index in self.refuse:
                return json.dumps({"ok": False, "error": f"Error: no variant {knobs}"})
            self.current = index
            return json.dumps({"ok": True, "value": None})
        if self.current in self.hang:
            raise TimeoutException("script timeout")
        cells = [c for c in self._cells() if step == "runAll" or c["id"] in args[0]]
        return json.dumps({"ok": True, "value": [self._result(c) for c in cells]})

    def _result(self, spec: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = {"id": spec["id"], "status": "ok", "epsilon": 1e-4,
                                  "timings": {"totalMs": 5}}
        reference = next((r for r in spec.get("references") or [] if r["epsilon"] == 1e-4), {})
        if spec["kind"] == "model":
            result["weights"] = spec["weights"]
        elif spec["kind"] == "train":
            history = {k: list(v) for k, v in reference["history"].items()}
            if self.current in self.wrong:
                history["loss"][-1] *= 1 + self.wrong[self.current]
            result |= {"history": history, "weights": reference["weights"]}
            if "initial" in reference:
                result["initialPredictions"] = reference["initial"]["predictions"]
        elif spec["kind"] == "predict":
            result |= {"predictions": reference["predictions"], "accuracy": reference.get("accuracy")}
        return result

    def get_log(self, kind: str) -> list[dict[str, Any]]:
        return []

    def save_screenshot(self, path: str) -> bool:
        return False

    def quit(self) -> None:
        self.quit_called = True


def verify(site: Path, driver: EchoDriver, tmp_path: Path, **options: Any):
    return run_verify(site, driver_factory=lambda: driver, artifacts=tmp_path / "art", **options)


def test_the_default_and_a_sample_of_variants_are_checked_in_one_page(
    site: Path, built: Path, tmp_path: Path
):
    driver = EchoDriver(built)
    report = verify(site, driver, tmp_path)
    (page,) = report.pages
    assert report.exit_code == 0, format_table(report)
    assert [(k.cell, k.count, k.default, k.checked) for k in page.knobs] == [
        ("mlp-index-fit", 4, 3, [3, 0, 2])]
    # Two variants besides the default: the first and the last of the others.
    steps = [(step, args) for step, args in driver.calls if step != "environment"]
    changed = [["mlp-index-net", "mlp-index-fit", "mlp-index-p"]]  # the cells the knobs change
    assert steps == [
        ("runAll", []),
        ("setKnobs", ["mlp-index-fit", {"epochs": 3, "model.learningRate": 0.1}]), ("runCells", changed),
        ("setKnobs", ["mlp-index-fit", {"epochs": 6, "model.learningRate": 0.1}]), ("runCells", changed),
        ("setKnobs", ["mlp-index-fit", {"epochs": 6, "model.learningRate": 0.3}]),  # back to the default
    ]
    # The page's run: 4 cells and the numeric question; each variant's run: the 3 cells and
    # the question that the knobs change. Every block of the knobs names its variant.
    assert len(page.cells) == 13 and all(c.status == "passed" for c in page.cells)
    labels = [(c.name, c.variant and (c.variant.index, c.variant.default)) for c in page.cells]
    assert labels[:5] == [("pts", None), ("net", (3, True)), ("fit", (3, True)), ("p", (3, True)),
                          ("check/check-1", (3, True))]
    assert labels[5:9] == [(n, (0, False)) for n in ("net", "fit", "p", "check/check-1")]
    assert {label for _, label in labels[9:]} == {(2, False)}
    assert summary_line(report).endswith("; 3 of 4 variants checked")
    table = format_table(report)
    assert "(variant 0 of fit)" in table and "epochs 3, model.learningRate 0.1" in table
    # Cells checked in a variant are the variant's: 3 epochs there.
    assert page.cells[5 + 1].name == "fit" and page.cells[5 + 1].max_rel_diff is not None


def test_variants_all_and_default(site: Path, built: Path, tmp_path: Path):
    everything = verify(site, EchoDriver(built), tmp_path, variants=None)
    assert everything.pages[0].knobs[0].checked == [3, 0, 1, 2]
    assert everything.exit_code == 0 and summary_line(everything).endswith("; 4 of 4 variants checked")
    driver = EchoDriver(built)
    only = verify(site, driver, tmp_path, variants=0)
    assert [step for step, _ in driver.calls] == ["environment", "runAll"]
    assert only.exit_code == 0 and summary_line(only).endswith("; 1 of 4 variants checked")
    assert len(only.pages[0].cells) == 5


def test_a_mismatch_in_a_variant_names_page_cell_variant_and_quantity(
    site: Path, built: Path, tmp_path: Path
):
    report = verify(site, EchoDriver(built, wrong={2: 5e-2}), tmp_path)
    assert report.exit_code == 1
    table = format_table(report)
    assert ("index.html: variant 2 of fit (epochs 6, model.learningRate 0.1): cell fit (mlp-index-fit): "
            "loss epoch 6: browser") in table
    bad = [c for c in report.pages[0].cells if c.status == "mismatch"]
    assert [(c.name, c.variant.index if c.variant else None) for c in bad] == [
        ("fit", 2), ("check/check-1", 2)]
    suite = junit_xml(report).getroot()
    failed = [case.get("name") for case in suite.iter("testcase") if case.find("failure") is not None]
    assert failed == ["fit (mlp-index-fit) [variant 2 of fit (epochs 6, model.learningRate 0.1)]",
                      "check/check-1 (mlp-index-check-check-1) [variant 2 of fit (epochs 6, "
                      "model.learningRate 0.1)]"]
    data = report.to_dict()
    fit = next(c for c in data["pages"][0]["cells"] if c["status"] == "mismatch")
    assert fit["variant"] == {"cell": "mlp-index-fit", "name": "fit", "index": 2,
                              "knobs": {"epochs": 6, "model.learningRate": 0.1}, "default": False}
    assert data["pages"][0]["knobs"] == [{"cell": "mlp-index-fit", "name": "fit", "count": 4,
                                          "default": 3, "checked": [3, 0, 2]}]


def test_an_edited_reference_in_a_variant_file_is_a_mismatch(site: Path, built: Path, tmp_path: Path):
    data = variant_file(site, 0)
    fit = next(b for b in data["blocks"] if b["id"] == "mlp-index-fit")
    loss = parse_cells(fit["html"]).cells[0]["references"][0]["history"]["loss"]
    old = json.dumps(loss[1])
    assert fit["html"].count(old) >= 1
    fit["html"] = fit["html"].replace(old, json.dumps(loss[1] * 1.01), 1)
    (site / FOLDER / "0.json").write_text(json.dumps(data), encoding="utf-8")
    report = verify(site, EchoDriver(built), tmp_path)
    assert report.exit_code == 1
    assert ("index.html: variant 0 of fit (epochs 3, model.learningRate 0.1): cell fit (mlp-index-fit): "
            "loss epoch 2: browser") in format_table(report)


def test_a_missing_variant_file_or_a_refused_switch_is_that_variants_page_error(
    site: Path, built: Path, tmp_path: Path
):
    (site / FOLDER / "0.json").unlink()
    report = verify(site, EchoDriver(built, refuse={1}), tmp_path, variants=None)
    (page,) = report.pages
    assert report.exit_code == 4
    assert page.errors[0].startswith("variant 0 of fit (epochs 3, model.learningRate 0.1): variant file "
                                     "mlpages-variants/mlp-index-fit/0.json: HTTP 404")
    assert page.errors[1] == ("variant 1 of fit (epochs 3, model.learningRate 0.3): setKnobs() failed: "
                              "Error: no variant {'epochs': 3, 'model.learningRate': 0.3}")
    assert len(page.errors) == 2
    # The run went on: variant 2 was checked and passed.
    assert page.knobs[0].checked == [3, 2]
    by_variant: dict[int, set[str]] = {}
    for cell in page.cells:
        if cell.variant is not None and not cell.variant.default:
            by_variant.setdefault(cell.variant.index, set()).add(cell.status)
    assert by_variant == {0: {"skipped"}, 1: {"skipped"}, 2: {"passed"}}
    assert summary_line(report).endswith("; 2 of 4 variants checked")


def test_cell_selection_keeps_working_with_variants(site: Path, built: Path, tmp_path: Path):
    from mlpages.verify.select import Selection

    driver = EchoDriver(built)
    report = verify(site, driver, tmp_path, selection=Selection(cells=("pts",)))
    # pts is in no block of the knobs: no variant is run for it.
    assert [step for step, _ in driver.calls] == ["environment", "runAll"]
    assert summary_line(report).endswith("; 1 of 4 variants checked")
    assert {c.status for c in report.pages[0].cells[5:]} == {"skipped"}
    driver = EchoDriver(built, wrong={0: 1e-2})
    report = verify(site, driver, tmp_path, selection=Selection(cells=("index.html::p",)))
    assert report.exit_code == 0  # fit's mismatch in variant 0 is not selected
    assert [c.name for c in report.pages[0].cells if c.status == "passed"] == ["p", "p", "p"]


def test_page_entries_list_the_chosen_variants_cells(built: Path):
    html = (built / "index.html").read_text(encoding="utf-8")
    entries = page_entries(html)
    assert len(entries) == 13
    assert [(e.name, e.variant.index) for e in entries[5:] if e.variant] == [
        (n, i) for i in (0, 2) for n in ("net", "fit", "p", "check/check-1")]
    assert len(page_entries(html, None)) == 17 and len(page_entries(html, 0)) == 5


def test_the_page_inputs_include_every_variant_file(site: Path):
    from mlpages.verify.discover import find_pages_in_dir
    from mlpages.verify.select import InputReader, page_inputs

    (page,) = find_pages_in_dir(site)
    before = page_inputs(page, InputReader(str(site)))
    assert sorted(before["variants"]) == [f"{FOLDER}/{i}.json" for i in range(4)]
    assert all(before["variants"].values())
    data = variant_file(site, 2)
    data["blocks"][0]["html"] += " "
    (site / FOLDER / "2.json").write_text(json.dumps(data), encoding="utf-8")
    after = page_inputs(page, InputReader(str(site)))
    assert after["variants"][f"{FOLDER}/2.json"] != before["variants"][f"{FOLDER}/2.json"]
    assert after["digest"] != before["digest"] and after["html"] == before["html"]


def test_junit_of_a_passing_variant_run(site: Path, built: Path, tmp_path: Path):
    report = verify(site, EchoDriver(built), tmp_path)
    names = [case.get("name") for case in junit_xml(report).getroot().iter("testcase")]
    assert "fit (mlp-index-fit) [variant 3 of fit, the default (epochs 6, model.learningRate 0.3)]" in names
    assert "pts (mlp-index-pts)" in names
    assert "net (mlp-index-net) [variant 0 of fit (epochs 3, model.learningRate 0.1)]" in names
    assert not any(name.startswith("pts (mlp-index-pts) [") for name in names)  # no block of the knobs
    assert len(names) == len(set(names)) == 14
    ET.fromstring(ET.tostring(junit_xml(report).getroot()))


def test_a_variant_that_times_out_costs_its_browser_and_the_next_variant_opens_the_page_again(
    site: Path, built: Path, tmp_path: Path
):
    drivers: list[EchoDriver] = []

    def factory() -> EchoDriver:
        drivers.append(EchoDriver(built, hang={0}))
        return drivers[-1]

    report = run_verify(site, driver_factory=factory, artifacts=tmp_path / "art", page_timeout=7)
    (page,) = report.pages
    assert page.errors == ["variant 0 of fit (epochs 3, model.learningRate 0.1): timed out after 7 s "
                           "waiting for run() of the 3 cells the knobs of 'fit' change"]
    assert page.knobs[0].checked == [3, 2]
    assert len(drivers) == 2 and drivers[0].quit_called
    # The second browser opens the page as served, then switches to variant 2 and back.
    assert [step for step, _ in drivers[1].calls] == ["environment", "setKnobs", "runCells", "setKnobs"]
    assert {c.status for c in page.cells if c.variant and c.variant.index == 2} == {"passed"}
    assert report.exit_code == 4


def test_no_switch_back_when_no_variant_was_switched_to(site: Path, built: Path, tmp_path: Path):
    driver = EchoDriver(built, refuse={0, 1, 2})
    report = verify(site, driver, tmp_path, variants=None)
    assert [step for step, _ in driver.calls].count("setKnobs") == 3
    assert len(report.pages[0].errors) == 3
    assert summary_line(report).endswith("; 1 of 4 variants checked")


def test_changed_since_skips_a_page_only_if_it_checked_the_variants_asked_for(
    site: Path, built: Path, tmp_path: Path
):
    from mlpages.verify.report import write_json
    from mlpages.verify.select import Selection, read_previous

    write_json(verify(site, EchoDriver(built), tmp_path), tmp_path / "r1.json")
    previous = read_previous(tmp_path / "r1.json")
    assert previous["index.html"].variants == {"mlp-index-fit": frozenset({0, 2, 3})}

    def since(report: Path, **options: Any):
        selection = Selection(previous=read_previous(report), previous_name=str(report))
        driver = EchoDriver(built)
        return verify(site, driver, tmp_path, selection=selection, **options), driver

    again, driver = since(tmp_path / "r1.json")
    assert driver.calls == [] and again.pages[0].skipped.startswith("unchanged since")
    assert again.pages[0].verified and again.pages[0].knobs[0].checked == [0, 2, 3]
    assert summary_line(again).endswith("; 0 of 4 variants checked")
    write_json(again, tmp_path / "r2.json")  # the chain goes on: still verified with 0, 2, 3
    assert since(tmp_path / "r2.json")[1].calls == []
    assert since(tmp_path / "r2.json", variants=0)[1].calls == []
    middle, _ = since(tmp_path / "r2.json", variants=1)  # variant 1, the middle one, was not checked
    assert middle.pages[0].skipped == "" and middle.pages[0].knobs[0].checked == [3, 1]
    everything, _ = since(tmp_path / "r2.json", variants=None)
    assert everything.pages[0].skipped == "" and everything.pages[0].knobs[0].checked == [3, 0, 1, 2]
