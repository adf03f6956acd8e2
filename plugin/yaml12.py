"""YAML with YAML 1.2 core-schema meaning, on top of PyYAML's safe loader.

PyYAML resolves plain scalars with YAML 1.1 rules: ``yes``/``no``/``on``/``off`` become
booleans and ``1e-3`` stays a string. Course authors write ``activation: on`` or
``learningRate: 1e-3`` and mean a string and a number, so this module swaps the bool,
int and float resolvers for the core schema's (YAML 1.2.2, section 10.3.2) and drops
the 1.1-only ones (timestamps, ``=``). Duplicate keys in a mapping are an error rather
than a silent "last one wins".

A text is also refused when it nests more than ``max_depth`` levels deep or when its
aliases repeat more than ``max_alias_nodes`` values (a "billion laughs" text expands a few
lines into billions of values): both are checked on the composed node graph, before any
value is built, and reported at the line where the limit is crossed.
"""

from __future__ import annotations

import math
import re
from typing import Any

import yaml
from yaml.composer import ComposerError
from yaml.constructor import ConstructorError
from yaml.nodes import CollectionNode, MappingNode, Node, ScalarNode

__all__ = ["MAX_ALIAS_NODES", "MAX_DEPTH", "Loader", "YamlError", "load", "load_located",
           "load_with_lines"]

# Far beyond what a block needs (an inline image dataset nests four or five levels) and far
# below Python's recursion limit, which deeper values would reach wherever they are walked.
MAX_DEPTH = 50
# Values that aliases may repeat in one text, beyond the values written out.
MAX_ALIAS_NODES = 10_000

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
        limit: ``"depth"`` or ``"aliases"`` when the text is refused for crossing
            ``max_depth`` or ``max_alias_nodes``, else ``None``.
    """

    def __init__(self, message: str, line: int = 0, limit: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.limit = limit


class _LimitError(ComposerError):
    """A text that crosses ``max_depth`` or ``max_alias_nodes``, at the mark where it does."""

    def __init__(self, message: str, mark: Any, limit: str) -> None:
        super().__init__(None, None, message, mark)
        self.limit = limit


def _too_deep(max_depth: int, mark: Any) -> _LimitError:
    return _LimitError(f"values nest more than {max_depth} levels deep", mark, "depth")


class Loader(yaml.SafeLoader):
    """``yaml.SafeLoader`` with core-schema resolvers and duplicate-key detection."""

    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag not in _DROPPED_TAGS]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    max_depth = MAX_DEPTH  # set per text by load_located

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        """Compose like PyYAML, refusing nesting deeper than ``max_depth`` before recursing
        further (the pure-Python composer recurses once per level)."""
        depth = getattr(self, "_depth", 0) + 1
        if depth > self.max_depth:
            raise _too_deep(self.max_depth, self.peek_event().start_mark)
        self._depth = depth
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth = depth - 1

    def construct_yaml_bool(self, node: ScalarNode) -> bool:
        """Construct ``true``/``false`` in the three spellings the core schema allows."""
        value = self.construct_scalar(node)
        if not _BOOL_RE.match(value):
            raise ConstructorError(None, None, f"invalid boolean {value!r}", node.start_mark)
        return value.lower() == "true"

    def construct_yaml_int(self, node: ScalarNode) -> int:
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

    def construct_yaml_float(self, node: ScalarNode) -> float:
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


# :class:`Loader` on libyaml's parser, or None where PyYAML was built without libyaml.
_FastLoader: type[Loader] | None
try:
    from yaml._yaml import CParser
except ImportError:  # PyYAML built without libyaml
    _FastLoader = None
else:
    class _LibyamlLoader(CParser, Loader):
        """:class:`Loader` on libyaml's parser (PyYAML's wheels have it): several times
        faster; a text it refuses is parsed again by :class:`Loader` for the message.

        Nodes are composed by PyYAML's Python composer from libyaml's events, with
        :meth:`Loader.compose_node`'s depth check: libyaml's own composer recurses in C once
        per level, and a text nested some 100,000 levels deep overflows the C stack."""

        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            yaml.composer.Composer.__init__(self)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)

        get_single_node = yaml.composer.Composer.get_single_node
        compose_document = yaml.composer.Composer.compose_document
        compose_node = Loader.compose_node
        compose_scalar_node = yaml.composer.Composer.compose_scalar_node
        compose_sequence_node = yaml.composer.Composer.compose_sequence_node
        compose_mapping_node = yaml.composer.Composer.compose_mapping_node

    _FastLoader = _LibyamlLoader


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
    return YamlError(" ".join(message.split()), line, getattr(exc, "limit", None))


def load(text: str, *, max_depth: int = MAX_DEPTH, max_alias_nodes: int = MAX_ALIAS_NODES) -> Any:
    """Parse one YAML document with core-schema meaning.

    Args:
        text: the YAML source.
        max_depth: the deepest nesting allowed (the document itself is level 1).
        max_alias_nodes: how many values aliases may repeat, beyond those written out.

    Returns:
        The Python object (``None`` for an empty text).

    Raises:
        YamlError: for a syntax error, a duplicate key, more than one document, or a text
            that crosses a limit; ``.line`` is the 0-based line inside ``text``.
        TypeError: ``text`` is not a string.
    """
    return load_located(text, max_depth=max_depth, max_alias_nodes=max_alias_nodes)[0]


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
    data, paths = load_located(text)
    if not isinstance(data, dict):
        return data, {}
    return data, {path[0]: line for path, line in paths.items() if len(path) == 1}


def load_located(
    text: str, *, max_depth: int = MAX_DEPTH, max_alias_nodes: int = MAX_ALIAS_NODES
) -> tuple[Any, dict[tuple[Any, ...], int]]:
    """Parse like :func:`load`, and tell where every nested value is.

    Args:
        text: the YAML source.
        max_depth: as :func:`load`.
        max_alias_nodes: as :func:`load`.

    Returns:
        ``(data, lines)`` where ``lines`` maps the path of each value, a tuple of mapping
        keys and list indices such as ``("layers", 1, "dense")``, to the 0-based line of
        its key (a mapping entry) or of its first character (a list item).

    Raises:
        YamlError: as :func:`load`.
        TypeError: ``text`` is not a string.
    """
    if not isinstance(text, str):
        raise TypeError(f"YAML text must be a str, not {type(text).__name__}")
    if _FastLoader is not None:
        try:
            return _parse(_FastLoader, text, max_depth, max_alias_nodes)
        except _LimitError as exc:
            raise _error(exc, text) from None
        except yaml.YAMLError:
            pass  # the pure-Python parser words the error (and places it) as documented
    try:
        return _parse(Loader, text, max_depth, max_alias_nodes)
    except yaml.YAMLError as exc:
        raise _error(exc, text) from None


def _parse(cls: type, text: str, max_depth: int = MAX_DEPTH,
           max_alias_nodes: int = MAX_ALIAS_NODES) -> tuple[Any, dict[tuple[Any, ...], int]]:
    loader = cls(text)
    loader.max_depth = max_depth
    try:
        node: Node | None = loader.get_single_node()
        if node is None:
            return None, {}
        _check_graph(node, max_depth, max_alias_nodes)
        # Before construction: flatten_mapping edits node.value in place; keep the keys as written.
        lines = _lines(loader, node)
        return loader.construct_document(node), lines
    finally:
        loader.dispose()


def _children(node: Node) -> list[Node]:
    if isinstance(node, MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, CollectionNode):
        return list(node.value)
    return []


def _check_graph(root: Node, max_depth: int, max_alias_nodes: int) -> None:
    """Refuse a node graph deeper than ``max_depth``, with a cycle, or whose aliases repeat
    more than ``max_alias_nodes`` values; iterative, in document order, so the error is at
    the first place the limit is crossed."""
    sizes: dict[int, int] = {}  # id -> how many values the node stands for, expanded
    repeated = 0
    open_ids: set[int] = set()
    stack: list[tuple[Node, int, list[Node], int]] = [(root, 1, _children(root), 1)]
    open_ids.add(id(root))
    if max_depth < 1:
        raise _too_deep(max_depth, root.start_mark)
    while stack:
        node, depth, todo, size = stack[-1]
        if not todo:
            stack.pop()
            open_ids.discard(id(node))
            sizes[id(node)] = size
            if stack:
                parent = stack[-1]
                stack[-1] = (parent[0], parent[1], parent[2], parent[3] + size)
            continue
        child = todo.pop(0)
        if id(child) in open_ids:
            raise _LimitError("an alias refers to a value that contains it (recursive YAML)",
                              node.start_mark, "aliases")
        if id(child) in sizes:  # reached again: an alias repeats it
            repeated += sizes[id(child)]
            if repeated > max_alias_nodes:
                raise _LimitError(f"aliases repeat more than {max_alias_nodes} values",
                                  node.start_mark, "aliases")
            stack[-1] = (node, depth, todo, size + sizes[id(child)])
            continue
        if depth + 1 > max_depth:
            raise _too_deep(max_depth, child.start_mark)
        open_ids.add(id(child))
        stack.append((child, depth + 1, _children(child), 1))


def _lines(loader: Any, root: Node) -> dict[tuple[Any, ...], int]:
    """Path of every value -> 0-based line (see :func:`load_located`); merge keys are skipped."""
    lines: dict[tuple[Any, ...], int] = {}
    stack: list[tuple[tuple[Any, ...], Node]] = [((), root)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, MappingNode):
            for key_node, value in node.value:
                if not isinstance(key_node, ScalarNode) or key_node.tag == _MERGE_TAG:
                    continue
                key = loader.construct_object(key_node)
                try:
                    lines.setdefault((*path, key), key_node.start_mark.line)
                except TypeError:
                    continue  # unhashable: construction reports it
                stack.append(((*path, key), value))
        elif isinstance(node, CollectionNode):
            for i, item in enumerate(node.value):
                lines.setdefault((*path, i), item.start_mark.line)
                stack.append(((*path, i), item))
    return lines
