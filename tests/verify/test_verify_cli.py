"""cli.py: argument handling and the exit codes that need no browser."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from mlpages.cli import build_parser, main

CELL_PAGE = (
    '<div id="mlp-a-m" data-mlpages-kind="model"><script type="application/json" '
    'class="mlpages-spec">[{"schema": 1, "kind": "model", "name": "m", "id": "mlp-a-m"}]'
    "</script></div>"
)


def test_missing_site_dir_exits_3(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    assert main(["verify", str(tmp_path / "nope")]) == 3
    assert "site directory not found" in capsys.readouterr().err


def test_site_without_cells_exits_3(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    (tmp_path / "index.html").write_text("<p>nothing to run</p>")
    assert main(["verify", str(tmp_path)]) == 3
    assert "no pages with cells" in capsys.readouterr().err


def test_missing_chromedriver_exits_3(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    (tmp_path / "index.html").write_text(CELL_PAGE)
    monkeypatch.setenv("MLPAGES_CHROMEDRIVER", str(tmp_path / "no-such-chromedriver"))
    junit = tmp_path / "junit.xml"
    assert main(["verify", str(tmp_path), "--junit", str(junit)]) == 3
    assert "chromedriver" in capsys.readouterr().err
    assert ET.parse(junit).getroot().get("errors") == "1"


def test_unreachable_url_exits_3(capsys: pytest.CaptureFixture[str]):
    assert main(["verify", "http://127.0.0.1:9/"]) == 3
    assert "cannot reach" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [
        ["verify"],
        ["verify", "site", "--workers", "0"],
        ["verify", "site", "--page-timeout", "-1"],
        ["verify", "site", "--backend", ","],
        ["serve"],
        ["frobnicate"],
        [],
    ],
)
def test_usage_errors_exit_2(argv: list[str]):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2


def test_verify_options_parse():
    args = build_parser().parse_args(
        ["verify", "site", "--backend", "webgl, cpu", "--workers", "3", "--page-timeout", "60",
         "--cell-timeout", "5", "--remote", "http://grid:4444", "--serve-host", "host.internal",
         "--artifacts", "art", "--junit", "j.xml", "--json", "r.json", "-q"]
    )
    assert args.backend == ("webgl", "cpu")
    assert (args.workers, args.page_timeout, args.cell_timeout) == (3, 60.0, 5.0)
    assert (args.remote, args.serve_host) == ("http://grid:4444", "host.internal")
    assert (args.artifacts, args.junit, args.json) == (Path("art"), Path("j.xml"), Path("r.json"))
    assert args.quiet


def test_verify_help_documents_exit_codes(capsys: pytest.CaptureFixture[str]):
    with pytest.raises(SystemExit):
        main(["verify", "--help"])
    out = capsys.readouterr().out
    for line in ("0  every cell", "1  at least one value", "2  usage", "3  environment", "4  page"):
        assert line in out


def test_serve_a_missing_dir_exits_3(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    assert main(["serve", str(tmp_path / "nope"), "--port", "0"]) == 3
    assert "site directory not found" in capsys.readouterr().err


@pytest.mark.parametrize("given, variants", [(None, 2), ("all", None), ("ALL", None), ("default", 0),
                                              ("0", 0), ("5", 5)])
def test_variants_option(given: str | None, variants: int | None):
    argv = ["verify", "site"] + (["--variants", given] if given is not None else [])
    assert build_parser().parse_args(argv).variants == variants


@pytest.mark.parametrize("given", ["-1", "some", "1.5"])
def test_variants_option_refuses_anything_else(given: str, capsys: pytest.CaptureFixture[str]):
    with pytest.raises(SystemExit) as exc:
        build_parser().parse_args(["verify", "site", "--variants", given])
    assert exc.value.code == 2 and "--variants" in capsys.readouterr().err
