"""`mlpages verify` on a page whose train cell has knobs (four variants, at most six
epochs): every variant matches its references in Chromium, the default run checks a sample
and says how many, and one reference value edited in one variant's file fails the run,
naming the page, the cell, the variant and the quantity."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from sitebuild import ROOT, build_pages, verify

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser-verify-knobs")]

PAGE = (ROOT / "tests" / "fixtures" / "knobs" / "index.md").read_text(encoding="utf-8")
FOLDER = "mlpages-variants/mlp-index-fit"
SPEC_OPEN = '<script type="application/json" class="mlpages-spec">'


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_pages(tmp_path_factory.mktemp("knobs"), {"index.md": PAGE})


def edit_reference(site: Path, index: int, epoch: int, factor: float) -> tuple[float, float]:
    """Scale the WebGL (epsilon 1e-4) reference loss of `fit` at `epoch` (1-based) in variant
    `index`'s file, in the spec JSON inside the block's HTML; the old and new values."""
    path = site / FOLDER / f"{index}.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    block = next(b for b in data["blocks"] if b["id"] == "mlp-index-fit")
    start = block["html"].index(SPEC_OPEN) + len(SPEC_OPEN)
    end = block["html"].index("</script>", start)
    spec: list[dict[str, Any]] = json.loads(block["html"][start:end])
    reference = next(r for r in spec[0]["references"] if r["epsilon"] == 1e-4)
    old = reference["history"]["loss"][epoch - 1]
    reference["history"]["loss"][epoch - 1] = new = old * factor
    text = json.dumps(spec, separators=(",", ":")).replace("<", "\\u003c")
    block["html"] = block["html"][:start] + text + block["html"][end:]
    path.write_text(json.dumps(data), encoding="utf-8")
    return old, new


def test_every_variant_matches_and_the_default_run_checks_a_sample(site: Path, tmp_path: Path):
    everything = verify(site, "--variants", "all", "--json", str(tmp_path / "all.json"),
                        "--junit", str(tmp_path / "all.xml"), "--artifacts", str(tmp_path / "art"))
    assert everything.returncode == 0, everything.stdout + everything.stderr
    assert "0 mismatched, 0 errors, 0 not run; 4 of 4 variants checked" in everything.stdout
    (page,) = json.loads((tmp_path / "all.json").read_text())["pages"]
    assert page["knobs"] == [{"cell": "mlp-index-fit", "name": "fit", "count": 4, "default": 3,
                              "checked": [3, 0, 1, 2]}]
    assert page["environment"]["backend"] == "webgl"
    by_variant: dict[int | None, list[str]] = {}
    for cell in page["cells"]:
        assert cell["status"] == "passed", cell
        variant = cell["variant"]
        by_variant.setdefault(variant and variant["index"], []).append(cell["name"])
    # Each variant's run checks the cells and the numeric question its knobs change; the
    # dataset is no block of the knobs, so it is checked once and names no variant.
    assert by_variant == {None: ["pts"], **{i: ["net", "fit", "p", "check/check-1"] for i in (3, 0, 1, 2)}}
    # Each run trained its own variant: its epochs, compared with its own references.
    assert [c["time_ms"] is not None and c["max_rel_diff"] < 1e-3
            for c in page["cells"] if c["name"] == "fit"] == [True] * 4
    names = [case.get("name") for case in ET.parse(tmp_path / "all.xml").getroot().iter("testcase")]
    assert "fit (mlp-index-fit) [variant 1 of fit (epochs 3, model.learningRate 0.3)]" in names

    default = verify(site, "--artifacts", str(tmp_path / "art"))
    assert default.returncode == 0, default.stdout + default.stderr
    assert default.stdout.rstrip().endswith("; 3 of 4 variants checked")
    assert "(variant 0 of fit)" in default.stdout and "(variant 2 of fit)" in default.stdout
    assert "(variant 1 of fit)" not in default.stdout
    only = verify(site, "--variants", "default", "--artifacts", str(tmp_path / "art"))
    assert only.returncode == 0 and only.stdout.rstrip().endswith("; 1 of 4 variants checked")


def test_an_edited_reference_in_one_variant_fails_naming_page_cell_variant_and_quantity(
    site: Path, tmp_path: Path
):
    edited = tmp_path / "site"
    shutil.copytree(site, edited)
    old, new = edit_reference(edited, 1, epoch=2, factor=1 + 1e-2)
    result = verify(edited, "--variants", "all", "--json", str(tmp_path / "r.json"),
                    "--artifacts", str(tmp_path / "art"))
    assert result.returncode == 1, result.stdout + result.stderr
    line = next(x for x in result.stdout.splitlines() if "mismatch" not in x and "loss epoch 2" in x)
    assert line.strip().startswith(
        "index.html: variant 1 of fit (epochs 3, model.learningRate 0.3): cell fit (mlp-index-fit): "
        "loss epoch 2: browser "
    ), result.stdout
    assert f"reference {new:.9g}" in line and abs(new - old) > 1e-3 * abs(new)
    (page,) = json.loads((tmp_path / "r.json").read_text())["pages"]
    bad = [c for c in page["cells"] if c["status"] != "passed"]
    assert [(c["name"], c["variant"]["index"], c["status"]) for c in bad] == [("fit", 1, "mismatch")]
    assert [(m["quantity"], m["position"]) for m in bad[0]["mismatches"]] == [("loss", "epoch 2")]
    assert page["errors"] == []
    assert result.stdout.rstrip().endswith("; 4 of 4 variants checked")
