"""YAML 1.2 core-schema loading (mlpages.yaml12)."""

from __future__ import annotations

import math

import pytest
from mlpages.yaml12 import YamlError, load, load_located, load_with_lines


@pytest.mark.parametrize(
    "text",
    ["yes", "no", "on", "off", "y", "n", "Yes", "NO", "On", "OFF", "Y", "N"],
)
def test_yaml11_booleans_are_strings(text: str) -> None:
    assert load(f"k: {text}") == {"k": text}


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("true", True),
        ("True", True),
        ("TRUE", True),
        ("false", False),
        ("False", False),
        ("FALSE", False),
    ],
)
def test_core_booleans(text: str, value: bool) -> None:
    assert load(f"k: {text}")["k"] is value


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1e-3", 0.001),
        ("1E5", 100000.0),
        (".5", 0.5),
        ("+1.0e+3", 1000.0),
        ("-2.5", -2.5),
        ("1.", 1.0),
        ("3.0", 3.0),
        ("1.0e-3", 0.001),
    ],
)
def test_floats(text: str, value: float) -> None:
    result = load(f"k: {text}")["k"]
    assert type(result) is float
    assert result == value


def test_special_floats() -> None:
    data = load("a: .inf\nb: -.inf\nc: +.inf\nd: .nan\ne: .Inf\nf: .NaN")
    assert data["a"] == math.inf and data["c"] == math.inf and data["e"] == math.inf
    assert data["b"] == -math.inf
    assert math.isnan(data["d"]) and math.isnan(data["f"])


@pytest.mark.parametrize(
    ("text", "value"),
    [("12", 12), ("-3", -3), ("+7", 7), ("0", 0), ("0o17", 15), ("0x1F", 31), ("017", 17)],
)
def test_integers(text: str, value: int) -> None:
    result = load(f"k: {text}")["k"]
    assert type(result) is int
    assert result == value


@pytest.mark.parametrize("text", ["~", "null", "Null", "NULL", ""])
def test_null(text: str) -> None:
    assert load(f"k: {text}") == {"k": None}


@pytest.mark.parametrize(
    "text",
    ["1:20", "0b101", "1_000", "2001-12-14", "0o8", "0xG", "1e", "e3", "=", "NaN", "inf"],
)
def test_yaml11_only_forms_are_strings(text: str) -> None:
    assert load(f"k: {text}") == {"k": text}


def test_quoted_scalars_stay_strings() -> None:
    assert load("a: 'true'\nb: \"1e-3\"\nc: '12'") == {"a": "true", "b": "1e-3", "c": "12"}


def test_keys_use_the_same_schema() -> None:
    assert load("on: 1\nyes: 2\ntrue: 3\n4: x") == {"on": 1, "yes": 2, True: 3, 4: "x"}


def test_nested_block() -> None:
    text = (
        "name: xor-net\n"
        "layers:\n"
        "  - dense: {units: 4, activation: tanh, inputShape: [2]}\n"
        "compile:\n"
        "  optimizer: {adam: {learningRate: 1e-3}}\n"
    )
    assert load(text) == {
        "name": "xor-net",
        "layers": [{"dense": {"units": 4, "activation": "tanh", "inputShape": [2]}}],
        "compile": {"optimizer": {"adam": {"learningRate": 0.001}}},
    }


def test_explicit_tags() -> None:
    assert load("a: !!float 1\nb: !!str 1e-3\nc: !!int '0x10'") == {"a": 1.0, "b": "1e-3", "c": 16}


def test_empty_text_is_none() -> None:
    assert load("") is None
    assert load("# only a comment\n") is None


def test_merge_keys_still_work() -> None:
    data = load("base: &b {x: 1, y: 2}\nuse:\n  <<: *b\n  y: 3\n")
    assert data["use"] == {"x": 1, "y": 3}


def test_duplicate_key_is_an_error_with_its_line() -> None:
    with pytest.raises(YamlError) as info:
        load("name: a\nepochs: 3\nname: b\n")
    assert info.value.line == 2
    assert "duplicate key 'name'" in str(info.value)


def test_duplicate_key_in_nested_and_flow_mappings() -> None:
    with pytest.raises(YamlError) as info:
        load("a: 1\nb:\n  c: 1\n  c: 2\n")
    assert info.value.line == 3
    with pytest.raises(YamlError, match="duplicate key 'u'"):
        load("d: {u: 1, u: 2}")


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("a: [1, 2\n", 1),
        ("a: 1\nb: c: d\n", 1),
        ("a: 1\nkey\nnext: 1\n", 2),
        ("a:\n\t- 1\n", 1),
        ("a: *nowhere\n", 0),
        ("a: 1\n---\nb: 2\n", 1),
        ('a: 1\nb: "x\x07"\n', 1),
    ],
)
def test_syntax_errors_have_a_line_and_one_line_message(text: str, line: int) -> None:
    with pytest.raises(YamlError) as info:
        load(text)
    assert info.value.line == line
    assert "\n" not in str(info.value)
    assert str(info.value)
    assert isinstance(info.value, ValueError)


def test_load_with_lines() -> None:
    data, lines = load_with_lines("# comment\nname: xor\n\nx:\n  - [0, 0]\nseed: 7\n")
    assert data == {"name": "xor", "x": [[0, 0]], "seed": 7}
    assert lines == {"name": 1, "x": 3, "seed": 5}


def test_load_with_lines_of_a_non_mapping() -> None:
    assert load_with_lines("- 1\n- 2\n") == ([1, 2], {})
    assert load_with_lines("") == (None, {})


def test_safe_loader_is_not_changed() -> None:
    import yaml

    assert yaml.safe_load("k: yes") == {"k": True}
    assert yaml.safe_load("k: 1e-3") == {"k": "1e-3"}


@pytest.mark.parametrize("text", [
    "a: yes\nb: on\nc: 1e-3\nd: 017\ne: 0x1F\nf: .inf\ng: ~\nh: True\n",
    "name: net\nlayers:\n  - dense: {units: 3, activation: tanh, inputShape: [2]}\n"
    "compile: {optimizer: {adam: {learningRate: 0.05}}}\n",
    "base: &b {x: 1}\nmore:\n  <<: *b\n  y: 2\n",
    "- [1, 2.5, '3']\n- {k: v}\n",
])
def test_libyaml_and_pure_python_parsers_agree(text: str) -> None:
    from mlpages import yaml12

    if yaml12._FastLoader is None:
        pytest.skip("this PyYAML has no libyaml")
    fast = yaml12._parse(yaml12._FastLoader, text)
    slow = yaml12._parse(yaml12.Loader, text)
    assert repr(fast) == repr(slow)
    assert load_located(text) == fast


BOMB = 'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n' + "".join(
    f"{c}: &{c} [{', '.join([f'*{p}'] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True))


def test_an_alias_bomb_is_refused_where_the_aliases_pass_the_limit() -> None:
    with pytest.raises(YamlError) as info:
        load(BOMB)
    assert info.value.limit == "aliases"
    assert "more than 10000 values" in info.value.message
    assert info.value.line == 4  # e: its first *d passes 10000 repeated values
    with pytest.raises(YamlError) as low:
        load(BOMB, max_alias_nodes=50)
    assert low.value.line == 1


def test_aliases_within_the_limit_load() -> None:
    assert load("a: &a [1, 2]\nb: [*a, *a]\n") == {"a": [1, 2], "b": [[1, 2], [1, 2]]}


def test_a_recursive_alias_is_refused() -> None:
    with pytest.raises(YamlError) as info:
        load("a: &a [1, *a]\n")
    assert info.value.limit == "aliases"
    assert "contains it" in info.value.message


@pytest.mark.parametrize("text", [
    "x: " + "[" * 3000 + "]" * 3000 + "\n",
    "x: " + "[" * 3000 + "]" * 3000 + "\n: oops: [\n",  # refused by libyaml: the Python parser words it
    "x:\n" + "".join("  " * i + "- k:\n" for i in range(1, 60)) + "  " * 60 + "- 1\n",
])
def test_deep_nesting_is_refused_before_python_recursion_gives_out(text: str) -> None:
    with pytest.raises(YamlError) as info:
        load(text)
    assert info.value.limit == "depth"
    assert "more than 50 levels deep" in info.value.message
    assert load("x: " + "[" * 40 + "]" * 40) is not None


def test_load_located_gives_the_line_of_every_nested_value() -> None:
    text = ("name: m\nlayers:\n  - dense: {units: 4, inputShape: [2]}\n\n  - denze:\n"
            "      units: 1\ncompile:\n  optimizer: {adam: {learningRate: 0.1}}\n")
    data, lines = load_located(text)
    assert data["layers"][1] == {"denze": {"units": 1}}
    assert lines[("layers",)] == 1
    assert lines[("layers", 0)] == 2
    assert lines[("layers", 1)] == 4
    assert lines[("layers", 1, "denze", "units")] == 5
    assert lines[("compile", "optimizer", "adam", "learningRate")] == 7


def test_nesting_deep_enough_to_overflow_the_c_stack_is_refused_not_a_crash() -> None:
    # libyaml's own composer recurses in C once per level: 100,000 levels overflow its
    # stack and kill the process, so the check must come first (in a child process here).
    import subprocess
    import sys

    code = ("from mlpages.yaml12 import YamlError, load\n"
            "try:\n    load('x: ' + '[' * 100000 + ']' * 100000)\n"
            "except YamlError as exc:\n    print(exc.limit, exc.line)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert (result.returncode, result.stdout) == (0, "depth 0\n"), result.stderr
