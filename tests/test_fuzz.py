"""Fuzzing: thousands of mutated blocks through the Markdown extension, with low limits.

The seeds are the blocks of the demo course. Each case mutates one block of a page (its
values, keys, types and nesting, or its YAML text) and converts the page in-process. Whatever
the mutation, the extension must not raise, must not show a traceback, and must report every
mistake as `file:line: kind 'name': message`. The run is seeded: a failure prints the case
that reproduces it.
"""

from __future__ import annotations

import math
import random
import re
import resource
import time
from typing import Any

import yaml
from mdhelpers import ROOT, Converter
from mlpages.blocks import BLOCKS
from mlpages.yaml12 import YamlError, load

SEED = 20261201
CASES = 3000
LIMITS = {"rows": 400, "values": 20_000, "parameters": 5_000, "steps": 400, "training": 2_000_000,
          "preview": 40, "yaml_depth": 16, "yaml_aliases": 200, "progress": 3600}
PAGES = sorted((ROOT / "docs" / "course").glob("*.md"), key=lambda p: p.name != "transfer-base.md")
_FENCE = re.compile(r"^```(" + "|".join(map(re.escape, BLOCKS)) + r")\n(.*?)^```\n", re.M | re.S)
_MESSAGE = re.compile(r"^docs/course/[\w-]+\.md(?::\d+)?: (" + "|".join(map(re.escape, BLOCKS))
                      + r")(?: '[^\n]*')?: \S[^\n]*$")

# Values a mutation puts in place of another: edge numbers, odd texts, wrong shapes.
VALUES: list[Any] = [
    0, 1, -1, 2, 3, 7, 2**31, 2**63, 10**30, -(10**30), 0.5, -0.5, 1e308, -1e308, 1e-320,
    math.inf, -math.inf, math.nan, True, False, None, "", " ", "x", "a" * 300, "é✓ü", "'\"", "\\",
    "dense", "relu", "adam", "test", "train", "last", "loss", "acc", "sgd", "xor", "digits",
    "quizzes/neural-networks.yml", "../mkdocs.yml", "data/iris.csv", "[", "{", "*", "&",
    [], {}, [[]], [1], [1, 2], [[1, 2], [3]], [[0.5, 1], [1, 0]], ["a", "b"], {"a": 1},
    {"dense": {"units": 1}}, {"adam": {"learningRate": 0.1}}, {"text": "a", "correct": True},
    [{"cell": "fit"}], {"cell": "x", "epoch": 99}, [[[1]]], list(range(50)),
]
KEYS = sorted({"name", "x", "y", "csv", "features", "label", "generate", "n", "noise", "classes",
               "seed", "shuffle", "normalize", "split", "layers", "compile", "optimizer", "loss",
               "metrics", "model", "dataset", "epochs", "batchSize", "validation", "tolerance",
               "export", "question", "questions", "answers", "include", "type", "multiple",
               "answer_from", "cell", "quantity", "epoch", "index", "rows", "image", "kernel",
               "presets", "padding", "strides", "bias", "activation", "units", "inputShape",
               "filters", "kernelSize", "poolSize", "rate", "from", "upTo", "frozen", "loader"})
SNIPPETS = [": ", "- ", "[", "]", "{", "}", "&a ", "*a", "*nope", "!!python/object:os.system ",
            "!!binary ", "? ", "|\n", ">\n", "---\n", "...\n", "%YAML 1.2\n", "\t", "#", "'", '"',
            "<<: *a\n", "x: &a [1, 2]\n", "1e999", "0x", "0o8", ".nan", "~", "\x00", "\ufeff"]


def _paths(value: Any, path: tuple = ()) -> list[tuple]:
    """Every path into a loaded block, the root included."""
    out = [path]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, (*path, i))
    return out


def _get(value: Any, path: tuple) -> Any:
    for part in path:
        value = value[part]
    return value


def _mutate_data(rng: random.Random, data: Any) -> Any:
    """One structural change at a random place of the loaded block."""
    path = rng.choice(_paths(data))
    op = rng.randrange(8)
    if not path:
        return rng.choice([rng.choice(VALUES), [data], {"name": data}, data])
    parent, last = _get(data, path[:-1]), path[-1]
    current = parent[last]
    if op == 0:
        parent[last] = rng.choice(VALUES)
    elif op == 1 and isinstance(parent, dict):
        del parent[last]
    elif op == 2 and isinstance(parent, dict):
        parent[rng.choice(KEYS)] = rng.choice(VALUES)
    elif op == 3 and isinstance(parent, dict) and isinstance(last, str) and len(last) > 1:
        cut = rng.randrange(len(last))
        parent[last[:cut] + last[cut + 1:]] = parent.pop(last)
    elif op == 4:
        parent[last] = [current] if rng.random() < 0.5 else {rng.choice(KEYS): current}
    elif op == 5 and isinstance(parent, list):
        parent.insert(rng.randrange(len(parent) + 1), rng.choice(parent + VALUES[:20]))
    elif op == 6 and isinstance(current, (int, float)) and not isinstance(current, bool):
        parent[last] = rng.choice([current * 10**6, -current, current + 0.5, 10**12, 0])
    else:
        parent[last] = rng.choice([str(current), current, None, [[current] * 3] * 3])
    return data


def _mutate_text(rng: random.Random, text: str) -> str:
    """One change of the YAML text: lines, indentation, syntax, aliases, nesting."""
    lines = text.split("\n")
    i = rng.randrange(len(lines))
    op = rng.randrange(9)
    if op == 0:
        del lines[i]
    elif op == 1:
        lines.insert(i, lines[rng.randrange(len(lines))])
    elif op == 2:
        lines[i] = rng.choice(["  ", "    ", "\t", ""]) + lines[i].lstrip()
    elif op == 3:
        at = rng.randrange(len(lines[i]) + 1)
        lines[i] = lines[i][:at] + rng.choice(SNIPPETS) + lines[i][at:]
    elif op == 4:
        lines[i] = re.sub(r"\d+", lambda _: rng.choice(["99999999999", "1e300", "-0", "0"]), lines[i])
    elif op == 5:
        bomb = "".join(f"b{k}: &b{k} [{', '.join([f'*b{k - 1}'] * 6)}]\n" for k in range(1, 7))
        lines.insert(i, "b0: &b0 [1, 2, 3]\n" + bomb.rstrip("\n"))
    elif op == 6:
        depth = rng.choice([15, 17, 40])
        lines.insert(i, f"{rng.choice(KEYS)}: " + "[" * depth + "1" + "]" * depth)
    elif op == 7:
        lines = lines[: rng.randrange(len(lines) + 1)]
    else:
        lines[i] = lines[i].replace(":", rng.choice(["", "::", ": :", " :"]), 1)
    return "\n".join(lines)


def _mutate(rng: random.Random, body: str) -> str:
    if rng.random() < 0.6:
        try:
            data = load(body)
        except YamlError:
            return _mutate_text(rng, body)
        for _ in range(rng.choice([1, 1, 1, 2, 3])):
            data = _mutate_data(rng, data)
        return yaml.safe_dump(data, default_flow_style=rng.choice([None, False, True]),
                              sort_keys=False, allow_unicode=True, width=rng.choice([40, 100, 1000]))
    return _mutate_text(rng, body)


def _page(blocks: list[tuple[str, str]]) -> str:
    return "".join(f"```{kind}\n{body.rstrip()}\n```\n\n" for kind, body in blocks)


def test_mutated_blocks_never_crash_and_always_say_where(warnings_log, caplog):
    rng = random.Random(SEED)
    # No author code at build (loaders, free-form references): a mutated reference may run for ever.
    convert = Converter(limits=LIMITS, loaders=False, author_code=False, quizzes_dir=str(ROOT / "quizzes"))
    pages = []
    for page in PAGES:
        rel = page.relative_to(ROOT).as_posix()
        blocks = [(m.group(1), m.group(2)) for m in _FENCE.finditer(page.read_text(encoding="utf-8"))]
        convert(_page(blocks), rel, page.parent)  # the originals first: exports, cached references
        pages.append((rel, page.parent, blocks))
    caplog.clear()
    start = time.monotonic()
    kinds: dict[str, int] = {}
    for case in range(CASES):
        rel, folder, blocks = rng.choice(pages)
        i = rng.randrange(len(blocks))
        kind, body = blocks[i]
        body = _mutate(rng, body).replace("```", "'''")
        if rng.random() < 0.05:  # another kind's body
            kind = rng.choice(sorted(BLOCKS))
        # The blocks above it (it may use them) and the one below (which may use it).
        text = _page([*blocks[:i], (kind, body), *blocks[i + 1: i + 2]])
        where = f"case {case} (seed {SEED}), {rel}, block {i + 1} ({kind}):\n{body}"
        try:
            html = convert(text, rel, folder)
        except Exception as exc:  # noqa: BLE001 (the point: report the case, whatever it raised)
            raise AssertionError(f"{where}\nraised {type(exc).__name__}: {exc}") from exc
        assert "Traceback" not in html, where
        for message in warnings_log():
            found = _MESSAGE.match(message)
            assert found, f"{where}\nmessage: {message!r}"
            kinds[found.group(1)] = kinds.get(found.group(1), 0) + 1
        caplog.clear()
    # Every kind of block was mutated into errors, and the run stayed small: guards only.
    assert set(kinds) == set(BLOCKS), kinds
    assert time.monotonic() - start < 600
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss < 4 * 1024 * 1024  # KiB
