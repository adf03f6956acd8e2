"""The page contract's JSON Schema (docs/reference/page-contract.schema.json) against real builds.

Every spec of the demo course, of tests/fixtures/spec_course and of the golden pages, every
`#mlpages-page` script and the quiz index must follow the schema, and so must a page with
knobs, its variant files and the specs in them; broken specs must not.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from html import unescape
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from mdhelpers import XOR_CELLS, contract_scripts, convert, specs_by_name
from sitebuild import ROOT, build_pages

SCHEMA_FILE = ROOT / "docs" / "reference" / "page-contract.schema.json"
GOLDEN = ROOT / "tests" / "golden"
KINDS = {"dataset", "model", "train", "predict", "convolution", "tfjs", "quiz", "results", "value",
         "quiz-progress", "knobs"}
# An inline value's spec is the JSON of its attribute (plugin/inline.py), not a script.
VALUE_ATTRIBUTE = re.compile(r'<span class="mlpages-value" id="[^"]*" data-mlpages-value="([^"]*)"')


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


def validator(schema: dict[str, Any], definition: str | None = None) -> jsonschema.Draft202012Validator:
    """A validator for a spec (the schema's root) or for one of its `$defs`."""
    return jsonschema.Draft202012Validator(
        {**schema, "$ref": f"#/$defs/{definition}"} if definition else schema)


def problems(v: jsonschema.Draft202012Validator, instance: Any, where: str) -> list[str]:
    return [f"{where} at {list(e.absolute_path)}: {e.message[:200]}" for e in v.iter_errors(instance)]


def page_problems(html: str, schema: dict[str, Any], where: str) -> tuple[list[str], set[str]]:
    """What in a page's contract objects does not follow the schema, and the kinds they are."""
    specs, pages = validator(schema), validator(schema, "pageMeta")
    messages = validator(schema, "messages")
    found: list[str] = []
    kinds: set[str] = set()
    for css_class, obj in contract_scripts(html):
        chosen = {"mlpages-page": pages, "mlpages-messages": messages}.get(css_class, specs)
        found += problems(chosen, obj,
                          f"{where} {css_class} {obj.get('name', '')}")
        kinds.add(obj.get("kind", css_class))
    for raw in VALUE_ATTRIBUTE.findall(html):
        obj = json.loads(unescape(raw))
        found += problems(specs, obj, f"{where} value {obj.get('name', '')}")
        kinds.add(obj.get("kind", "?"))
    return found, kinds


def check_site(site: Path, schema: dict[str, Any]) -> set[str]:
    """Assert that every contract object of a built site follows the schema; return the kinds seen."""
    found: list[str] = []
    kinds: set[str] = set()
    for path in sorted(site.rglob("*.html")):
        page_found, page_kinds = page_problems(path.read_text(encoding="utf-8"), schema,
                                               str(path.relative_to(site)))
        found += page_found
        kinds |= page_kinds
    for path in sorted(site.rglob("mlpages-variants/*/*.json")):  # knob variants' blocks
        variant = json.loads(path.read_text(encoding="utf-8"))
        page_found, page_kinds = page_problems("".join(b["html"] for b in variant["blocks"]), schema,
                                               str(path.relative_to(site)))
        assert page_kinds, path
        found += page_found
    index = json.loads((site / "assets" / "mlpages" / "quizzes.json").read_text(encoding="utf-8"))
    found += problems(validator(schema, "quizIndex"), index, "quizzes.json")
    assert found == []
    return kinds


def test_the_schema_is_a_valid_draft_2020_12_schema(schema):
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert set(schema["$defs"]["spec"]["properties"]["kind"]["enum"]) == KINDS


def test_every_spec_of_the_demo_course_follows_the_schema(demo_site, schema):
    assert check_site(demo_site, schema) == KINDS | {"mlpages-page", "mlpages-messages"}


def test_every_spec_of_the_spec_course_follows_the_schema(spec_site, schema):
    assert {"dataset", "model", "train", "predict"} <= check_site(spec_site, schema)


@pytest.mark.parametrize("name", sorted(p.stem for p in GOLDEN.glob("*.html")))
def test_every_spec_of_a_golden_page_follows_the_schema(schema, name):
    found, kinds = page_problems((GOLDEN / f"{name}.html").read_text(encoding="utf-8"), schema, name)
    assert kinds and found == []


def _drop(key: str) -> Callable[[dict[str, Any]], None]:
    return lambda spec: spec.pop(key)


def _set(path: tuple[Any, ...], value: Any) -> Callable[[dict[str, Any]], None]:
    def change(spec: dict[str, Any]) -> None:
        node = spec
        for step in path[:-1]:
            node = node[step]
        node[path[-1]] = value
    return change


BROKEN = {
    "missing key": ("fit-xor", _drop("references")),
    "unknown kind": ("xor", _set(("kind",), "datasets")),
    "kind of another spec": ("net", _set(("kind",), "train")),
    "unknown key": ("xor", _set(("normalise",), {"method": "none"})),
    "string for an integer": ("fit-xor", _set(("fit", "epochs"), "3")),
    "string in array data": ("xor", _set(("x", "data", 0), "0.5")),
    "negative shape": ("xor", _set(("x", "shape", 0), -16)),
    "other schema version": ("net", _set(("schema",), 2)),
    "weight without its name": ("net", lambda spec: spec["weights"][0].pop("name")),
    "id not an element id": ("net", _set(("id",), "net")),
    "reference without epsilon": ("fit-xor", lambda spec: spec["references"][0].pop("epsilon")),
}


def test_an_inline_value_follows_the_schema_and_a_broken_one_does_not(schema):
    html = convert("```convolution\nname: c\nimage: [[1, 2], [3, 4]]\nkernel: [[1]]\n```\n\n"
                   "The last is {mlpages c.output[1, 1]}.\n")
    found, kinds = page_problems(html, schema, "page")
    assert found == [] and kinds == {"convolution", "value", "mlpages-page", "mlpages-messages"}
    (raw,) = VALUE_ATTRIBUTE.findall(html)
    spec = json.loads(unescape(raw))
    assert spec["from"] == {"cell": "mlp-page-c", "name": "c", "quantity": "output", "index": 3}
    for broken in ({**spec, "tolerance": None}, {**spec, "from": {**spec["from"], "index": -1}},
                   {**spec, "extra": 1}):
        assert not validator(schema).is_valid(broken)


@pytest.fixture(scope="module")
def xor_specs() -> dict[str, dict[str, Any]]:
    return specs_by_name(convert(XOR_CELLS))


def test_the_unchanged_specs_pass(schema, xor_specs):
    v = validator(schema)
    assert [problems(v, spec, name) for name, spec in xor_specs.items()] == [[], [], []]


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_the_schema_rejects_a_broken_spec(schema, xor_specs, case):
    name, breaks = BROKEN[case]
    spec = copy.deepcopy(xor_specs[name])
    breaks(spec)
    assert not validator(schema).is_valid(spec)


@pytest.mark.parametrize("value", [0, -1.5, 3.4e38, "NaN", "Infinity", "-Infinity"])
def test_a_reference_number_is_a_json_number_or_a_spelled_out_non_finite_value(schema, value):
    assert validator(schema, "number").is_valid(value)


@pytest.mark.parametrize("value", ["nan", "inf", "1.0", True, [1.0]])
def test_anything_else_is_not_a_reference_number(schema, value):
    assert not validator(schema, "number").is_valid(value)


KNOBS_PAGE = "# Knobs\n\n" + XOR_CELLS.replace(
    "optimizer: adam", "optimizer: {adam: {learningRate: 0.1}}", 1).replace("epochs: 3\n", """epochs: 3
knobs:
  epochs: [2, 3]
  model.learningRate: {values: [0.05, 0.1], free: true}
""", 1) + """
```results
name: table
rows:
  - {label: final loss, cell: fit-xor, quantity: loss}
```
"""


def test_a_page_with_knobs_and_its_variant_files_follow_the_schema(schema, tmp_path):
    site = build_pages(tmp_path, {"index.md": KNOBS_PAGE})
    found, kinds = page_problems((site / "index.html").read_text(encoding="utf-8"), schema, "index.html")
    assert found == [] and "knobs" in kinds
    panel = next(obj for css, obj in contract_scripts((site / "index.html").read_text(encoding="utf-8"))
                 if css == "mlpages-knobs-spec")
    files = sorted((site / panel["files"]).glob("*.json"))
    assert len(files) == panel["count"] == 4
    variant = validator(schema, "variantFile")
    for path in files:
        file = json.loads(path.read_text(encoding="utf-8"))
        assert problems(variant, file, path.name) == []
        assert [b["id"] for b in file["blocks"]] == panel["blocks"]
        for block in file["blocks"]:
            block_found, _ = page_problems(block["html"], schema, f"{path.name} {block['id']}")
            assert block_found == []
    # and the schema says no to what is not one
    assert problems(variant, {**file, "blocks": [{"id": "x", "html": ""}]}, "bad id")
    assert problems(validator(schema), {**panel, "count": "4"}, "bad count")
    one_value = {**panel, "knobs": [{**panel["knobs"][0], "values": [2]}]}
    assert problems(validator(schema), one_value, "one value")
