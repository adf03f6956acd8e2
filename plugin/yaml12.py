"""YAML with YAML 1.2 core-schema meaning, on top of PyYAML's safe loader.

PyYAML resolves plain scalars with YAML 1.1 rules: ``yes``/``no``/``on``/``off`` become
booleans and ``1e-3`` stays a string. Course authors write ``activation: on`` or
``learningRate: 1e-3`` and mean a string and a number, so this module swaps the bool,
int and float resolvers for the core schema's (YAML 1.2.2, section 10.3.2) and drops
the 1.1-only ones (timestamps, ``=``). Duplicate keys in a mapping are an error rather
than a silent "last one wins".
"""

from __future__ import annotations

import math
import re
from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, ScalarNode

__all__ = ["Loader", "YamlError", "load", "load_with_lines"]

_BOOL_TAG = "tag:yaml.org,2002:bool"
_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_DROPPED_TAGS = frozenset(
    {_BOOL_TAG, _INT_TAG, _FLOAT_TAG, "tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:value"}
)

_BOOL_RE = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_INT_RE = re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")
_FLOAT_RE = re.compile(
    r"""^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?
        |[-+]?\.(?:inf|Inf|INF)
        |\.(?:nan|NaN|NAN))$""",
    re.X,
)


class YamlError(ValueError):
    """A YAML text that cannot be read.

    Attributes:
        line: 0-based line inside the text where the problem was found.
        message: one-line description, without the line (callers add ``file:line``).
    """

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


class Loader(yaml.SafeLoader):
    """``yaml.SafeLoader`` with core-schema resolvers and duplicate-key detection."""

    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag not in _DROPPED_TAGS]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def construct_yaml_bool(self, node: ScalarNode) -> bool:  # type: ignore[override]
        """Construct ``true``/``false`` in the three spellings the core schema allows."""
        value = self.construct_scalar(node)
        if not _BOOL_RE.match(value):
            raise ConstructorError(None, None, f"invalid boolean {value!r}", node.start_mark)
        return value.lower() == "true"

    def construct_yaml_int(self, node: ScalarNode) -> int:  # type: ignore[override]
        """Construct decimal, ``0o`` octal and ``0x`` hexadecimal integers."""
        value = self.construct_scalar(node)
        if not _INT_RE.match(value):
            raise ConstructorError(None, None, f"invalid integer {value!r}", node.start_mark)
        if value.startswith("0o"):
            return int(value[2:], 8)
        if value.startswith("0x"):
            return int(value[2:], 16)
        # Core schema: a leading zero is still decimal ("017" is 17, not 15).
        return int(value, 10)

    def construct_yaml_float(self, node: ScalarNode) -> float:  # type: ignore[override]
        """Construct floats, ``.inf`` and ``.nan`` included."""
        value = self.construct_scalar(node)
        lowered = value.lower()
        if lowered in (".inf", "+.inf"):
            return math.inf
        if lowered == "-.inf":
            return -math.inf
        if lowered == ".nan":
            return math.nan
        try:
            return float(value)
        except ValueError:
            raise ConstructorError(
                None, None, f"invalid number {value!r}", node.start_mark
            ) from None

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        """Construct a mapping, refusing a key that appears twice in it."""
        if isinstance(node, MappingNode):
            seen: dict[Any, int] = {}
            for key_node, _ in node.value:
                if key_node.tag == _MERGE_TAG:
                    continue  # merged keys may be overridden on purpose
                key = self.construct_object(key_node, deep=True)
                try:
                    first = seen.get(key)
                except TypeError:
                    continue  # unhashable: the base constructor reports it
                if first is not None:
                    raise ConstructorError(
                        None,
                        None,
                        f"duplicate key {key!r}",
                        key_node.start_mark,
                    )
                seen[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)


Loader.add_implicit_resolver(_BOOL_TAG, _BOOL_RE, list("tTfF"))
# Integers before floats: "12" matches both patterns and the first resolver wins.
Loader.add_implicit_resolver(_INT_TAG, _INT_RE, list("-+0123456789"))
Loader.add_implicit_resolver(_FLOAT_TAG, _FLOAT_RE, list("-+0123456789."))
Loader.add_constructor(_BOOL_TAG, Loader.construct_yaml_bool)
Loader.add_constructor(_INT_TAG, Loader.construct_yaml_int)
Loader.add_constructor(_FLOAT_TAG, Loader.construct_yaml_float)


try:
    from yaml.cyaml import CParser as _CParser
except ImportError:  # PyYAML built without libyaml
    _CParser = None


if _CParser is not None:
    class _FastLoader(_CParser, Loader):  # type: ignore[misc, valid-type]
        """:class:`Loader` on libyaml's parser (PyYAML's wheels have it): several times
        faster; a text it refuses is parsed again by :class:`Loader` for the message."""

        def __init__(self, stream: str) -> None:
            _CParser.__init__(self, stream)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)


def _error(exc: yaml.YAMLError, text: str) -> YamlError:
    """Turn a PyYAML exception into a one-line ``YamlError`` with a 0-based line."""
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or "invalid YAML"
        if exc.context and exc.problem:
            joiner = ", " if problem.startswith("but ") else ": "
            message = f"{exc.context}{joiner}{problem}"
        else:
            message = exc.context or problem
        line = mark.line if mark is not None else 0
    elif isinstance(exc, yaml.reader.ReaderError):
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        message = f"character U+{code:04X} is not allowed ({exc.reason})"
        line = text.count("\n", 0, exc.position) if isinstance(exc.position, int) else 0
    else:
        message, line = str(exc) or "invalid YAML", 0
    return YamlError(" ".join(message.split()), line)


def load(text: str) -> Any:
    """Parse one YAML document with core-schema meaning.

    Args:
        text: the YAML source.

    Returns:
        The Python object (``None`` for an empty text).

    Raises:
        YamlError: for a syntax error, a duplicate key or more than one document;
            ``.line`` is the 0-based line inside ``text``.
        TypeError: ``text`` is not a string.
    """
    return load_with_lines(text)[0]


def load_with_lines(text: str) -> tuple[Any, dict[Any, int]]:
    """Parse like :func:`load`, and tell where each top-level key is.

    Args:
        text: the YAML source.

    Returns:
        ``(data, lines)`` where ``lines`` maps each key of a top-level mapping to the
        0-based line where it appears (empty when the document is not a mapping).

    Raises:
        YamlError: as :func:`load`.
        TypeError: ``text`` is not a string.
    """
    if not isinstance(text, str):
        raise TypeError(f"YAML text must be a str, not {type(text).__name__}")
    if _CParser is not None:
        try:
            return _parse(_FastLoader, text)
        except yaml.YAMLError:
            pass  # the pure-Python parser words the error (and places it) as documented
    try:
        return _parse(Loader, text)
    except yaml.YAMLError as exc:
        raise _error(exc, text) from None


def _parse(cls: type, text: str) -> tuple[Any, dict[Any, int]]:
    loader = cls(text)
    try:
        node: Node | None = loader.get_single_node()
        if node is None:
            return None, {}
        # flatten_mapping edits node.value in place; keep the keys as written.
        pairs = list(node.value) if isinstance(node, MappingNode) else []
        data = loader.construct_document(node)
        lines: dict[Any, int] = {}
        for key_node, _ in pairs:
            if isinstance(key_node, ScalarNode) and key_node.tag != _MERGE_TAG:
                key = loader.construct_object(key_node)
                lines.setdefault(key, key_node.start_mark.line)
        return data, lines
    finally:
        loader.dispose()
