"""YAML loading with a source map, duplicate-key detection, alias limits and YAML 1.1 hints.

The document is composed once (with libyaml's C parser where available) and
then constructed here from the node tree, so that every value keeps its
line and column. Problems are returned as :class:`LoadProblem` values, never
raised: a broken file becomes findings and the other files are still checked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from qms.i18n import _

try:  # pragma: no cover - depends on how PyYAML was built
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_NODES = 200_000
"""Expanded node limit per document: far above any real QMS file, far below a billion laughs."""
MAX_DEPTH = 100
MAX_BYTES = 20 * 1024 * 1024

_BOOL_11 = re.compile(r"^(y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$")
_TAG_PREFIX = "tag:yaml.org,2002:"
_COLLECTION_TAGS = frozenset((_TAG_PREFIX + "seq", _TAG_PREFIX + "map", _TAG_PREFIX + "omap"))
_KNOWN_TAGS = frozenset(
    _TAG_PREFIX + t for t in ("str", "int", "float", "bool", "null", "timestamp", "binary", "merge")
)


@dataclass(frozen=True, slots=True)
class Mark:
    line: int
    column: int


@dataclass(frozen=True, slots=True)
class LoadProblem:
    """A loading problem: ``kind`` selects the diagnostic code."""

    kind: str  # encoding | syntax | duplicate-key | alias-limit | depth | tag | empty | too-large
    message: str
    line: int = 1
    column: int = 1
    pointer: str = ""
    hint: str = ""
    related: tuple[Mark, ...] = ()


@dataclass
class SourceMap:
    """JSON pointer -> position of the value, and of the key for mapping members."""

    values: dict[str, Mark] = field(default_factory=dict)
    keys: dict[str, Mark] = field(default_factory=dict)
    plain_surprises: dict[str, str] = field(default_factory=dict)

    def locate(self, pointer: str, prefer_key: bool = False) -> tuple[Mark, str]:
        """The position of ``pointer`` or of its longest existing prefix, and that prefix."""
        current = pointer
        while True:
            if prefer_key and current in self.keys:
                return self.keys[current], current
            if current in self.values:
                return self.values[current], current
            if current in self.keys:
                return self.keys[current], current
            if not current:
                return Mark(1, 1), ""
            current = current.rsplit("/", 1)[0]

    def surprise(self, pointer: str) -> str | None:
        """The original text of a plain scalar that YAML 1.1 read as a bool or number."""
        return self.plain_surprises.get(pointer)


@dataclass(slots=True)
class LoadedYaml:
    data: Any
    source_map: SourceMap
    problems: list[LoadProblem]

    @property
    def ok(self) -> bool:
        return not self.problems


def escape_pointer_token(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def decode(raw: bytes) -> tuple[str | None, LoadProblem | None]:
    """Decode UTF-8 (with or without BOM); anything else is a located problem."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, LoadProblem(
            "encoding",
            _("the file is UTF-16; qms reads UTF-8 only"),
            hint=_("save the file as UTF-8 (in most editors: Save with Encoding → UTF-8)"),
        )
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", errors="replace")) + 1
        return None, LoadProblem(
            "encoding",
            _("the file is not valid UTF-8 (byte 0x{byte:02x} at offset {offset})").format(byte=raw[exc.start], offset=exc.start),
            line=line,
            column=col,
            hint=_("save the file as UTF-8; Vietnamese text in Windows-1258 or TCVN3 must be converted"),
        )
    if "\x00" in text:
        pos = text.index("\x00")
        line = text.count("\n", 0, pos) + 1
        return None, LoadProblem("encoding", _("the file contains a NUL character; it is not a text file"), line=line)
    return text, None


def _at(node: Node, kind: str, message: str, pointer: str, hint: str = "") -> LoadProblem:
    """A problem located at the start of ``node``."""
    return LoadProblem(kind, message, node.start_mark.line + 1, node.start_mark.column + 1, pointer, hint=hint)


def _tag_problem(node: Node, pointer: str) -> LoadProblem:
    return _at(node, "tag", _("unsupported YAML tag {tag!r}").format(tag=node.tag), pointer,
               _("remove the tag; qms files contain plain data only"))


class _Builder:
    """Constructs Python data from a composed node tree, recording positions."""

    def __init__(self) -> None:
        self.source_map = SourceMap()
        self.problems: list[LoadProblem] = []
        self._constructor = SafeConstructor()

    def build(self, node: Node) -> Any:
        return self._node(node, "", 0)

    def _scalar(self, node: ScalarNode, pointer: str) -> Any:
        tag = node.tag
        if tag not in _KNOWN_TAGS:
            self.problems.append(_tag_problem(node, pointer))
            return node.value
        if node.style is None or node.style == "":
            if tag == _TAG_PREFIX + "bool" and _BOOL_11.match(node.value):
                self.source_map.plain_surprises[pointer] = node.value
            elif tag == _TAG_PREFIX + "float":
                try:
                    if repr(float(node.value.replace("_", ""))) != node.value:
                        self.source_map.plain_surprises[pointer] = node.value
                except ValueError:
                    self.source_map.plain_surprises[pointer] = node.value
            elif tag == _TAG_PREFIX + "int" and (":" in node.value or node.value.startswith(("0", "+"))) and (
                node.value not in ("0",)
            ):
                self.source_map.plain_surprises[pointer] = node.value
        try:
            return self._constructor.construct_object(node, deep=True)
        except (ConstructorError, ValueError, OverflowError) as exc:
            self.problems.append(_at(node, "tag", _("cannot read value {value!r}: {reason}").format(
                value=node.value, reason=exc), pointer, _("quote the value")))
            return node.value

    def _node(self, node: Node, pointer: str, depth: int) -> Any:
        self.source_map.values[pointer] = Mark(node.start_mark.line + 1, node.start_mark.column + 1)
        if depth > MAX_DEPTH:
            raise _Abort(_at(node, "depth", _("nesting deeper than {depth} levels").format(depth=MAX_DEPTH),
                             pointer, _("flatten the structure; real qms files are a few levels deep")))
        if isinstance(node, ScalarNode):
            return self._scalar(node, pointer)
        if node.tag not in _COLLECTION_TAGS:
            self.problems.append(_tag_problem(node, pointer))
            return None
        if isinstance(node, SequenceNode):
            return [
                self._node(child, f"{pointer}/{i}", depth + 1) for i, child in enumerate(node.value)
            ]
        if isinstance(node, MappingNode):
            return self._mapping(node, pointer, depth)
        raise _Abort(LoadProblem("syntax", f"unexpected YAML node {type(node).__name__}"))  # pragma: no cover

    def _key(self, node: ScalarNode, pointer: str) -> Any:
        """The value of a mapping key; an unknown tag or an unreadable value is a problem, never an exception."""
        if node.tag not in _KNOWN_TAGS:
            self.problems.append(_tag_problem(node, pointer))
            return str(node.value)
        try:
            return self._constructor.construct_object(node, deep=True)
        except (ConstructorError, ValueError, OverflowError) as exc:
            self.problems.append(_at(node, "tag", _("cannot read value {value!r}: {reason}").format(
                value=node.value, reason=exc), pointer, _("quote the value")))
            return str(node.value)

    def _mapping(self, node: MappingNode, pointer: str, depth: int) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        first_seen: dict[Any, Mark] = {}
        merged: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _TAG_PREFIX + "merge":
                sources = value_node.value if isinstance(value_node, SequenceNode) else [value_node]
                for src in sources:
                    if isinstance(src, MappingNode):
                        sub = self._mapping(src, pointer, depth + 1)
                        for k, v in sub.items():
                            merged.setdefault(k, v)
                continue
            if not isinstance(key_node, ScalarNode):
                self.problems.append(
                    _at(key_node, "syntax", _("a mapping key must be a plain value, not a list or mapping"), pointer))
                continue
            key = self._key(key_node, pointer)
            if not isinstance(key, str):
                self.problems.append(_at(
                    key_node, "syntax",
                    _("the key `{key}` is not text; field names must be text").format(key=key_node.value), pointer,
                    _("quote the key: '{key}'").format(key=key_node.value)))
                key = str(key_node.value)
            mark = Mark(key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            child_pointer = f"{pointer}/{escape_pointer_token(str(key))}"
            if key in first_seen:
                first = first_seen[key]
                self.problems.append(LoadProblem(
                    "duplicate-key",
                    _("duplicate key {key!r} (first defined at line {line}); YAML keeps only the last one").format(
                        key=key, line=first.line),
                    mark.line, mark.column, child_pointer,
                    hint=_("remove one of the two {key!r} entries or merge them").format(key=key),
                    related=(first,)))
            else:
                first_seen[key] = mark
            self.source_map.keys[child_pointer] = mark
            result[key] = self._node(value_node, child_pointer, depth + 1)
        for k, v in merged.items():
            result.setdefault(k, v)
        return result


class _Abort(Exception):
    def __init__(self, problem: LoadProblem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def _expanded_size(root: Node) -> int:
    """Number of nodes after alias expansion, computed in time linear in distinct nodes."""
    sizes: dict[int, int] = {}
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if key in sizes and not done:
            continue
        children: list[Node]
        if isinstance(node, SequenceNode):
            children = list(node.value)
        elif isinstance(node, MappingNode):
            children = [n for pair in node.value for n in pair]
        else:
            sizes[key] = 1
            continue
        if done:
            total = 1
            for c in children:
                total += sizes.get(id(c), 1)
                if total > MAX_NODES:
                    return total
            sizes[key] = total
        else:
            sizes[key] = -1  # in progress
            stack.append((node, True))
            for c in children:
                if id(c) not in sizes:
                    stack.append((c, False))
    return sizes.get(id(root), 1)


def _nesting_depth(text: str) -> int:
    """A cheap upper bound of flow nesting, checked before libyaml recurses into it."""
    depth = best = 0
    for ch in text:
        if ch in "[{":
            depth += 1
            best = max(best, depth)
        elif ch in "]}":
            depth = max(0, depth - 1)
    return best


def load_text(text: str) -> LoadedYaml:
    """Parse one YAML document held in ``text``."""
    empty = LoadedYaml(None, SourceMap(), [])
    if len(text) > MAX_BYTES:
        empty.problems.append(LoadProblem("too-large", _("the file is larger than {size} MiB").format(size=MAX_BYTES // 1_048_576)))
        return empty
    if ("[" in text or "{" in text) and _nesting_depth(text) > MAX_DEPTH:
        empty.problems.append(
            LoadProblem("depth", _("flow nesting deeper than {depth} levels").format(depth=MAX_DEPTH), hint=_("flatten the structure"))
        )
        return empty
    try:
        nodes = list(yaml.compose_all(text, Loader=_Loader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        col = mark.column + 1 if mark else 1
        what = _(exc.problem or exc.context or "invalid YAML")
        hint = _("check indentation and quoting around this position")
        if "\t" in what or "tab" in what.lower():
            hint = _("YAML does not allow tabs for indentation; use spaces")
        elif "mapping values are not allowed" in what:
            hint = _("quote values that contain ': ' (for example titles with a colon)")
        elif "found undefined alias" in what or "found undefined" in what:
            hint = _("define the anchor (&name) before using the alias (*name)")
        empty.problems.append(LoadProblem("syntax", _("invalid YAML: {problem}").format(problem=what), line, col, hint=hint))
        return empty
    except yaml.YAMLError as exc:
        empty.problems.append(LoadProblem("syntax", _("invalid YAML: {problem}").format(problem=exc), hint=_("check the file's syntax")))
        return empty
    except RecursionError:
        empty.problems.append(LoadProblem("depth", _("the document is nested too deeply"), hint=_("flatten it")))
        return empty
    if not nodes:
        empty.problems.append(LoadProblem("empty", _("the file is empty"), hint=_("add the document's fields")))
        return empty
    if len(nodes) > 1:
        lines = text.splitlines()
        line_no = nodes[1].start_mark.line
        while line_no > 0 and not (line_no < len(lines) and lines[line_no].startswith("---")):
            line_no -= 1
        empty.problems.append(
            LoadProblem(
                "syntax",
                _("the file holds more than one YAML document (---)"),
                line_no + 1,
                1,
                hint=_("keep one document per file"),
            )
        )
        return empty
    root = nodes[0]
    size = _expanded_size(root)
    if size > MAX_NODES:
        empty.problems.append(
            LoadProblem(
                "alias-limit",
                _("aliases expand to more than {limit:,} values (an alias bomb?)").format(limit=MAX_NODES),
                root.start_mark.line + 1,
                root.start_mark.column + 1,
                hint=_("remove the nested anchors and aliases (&x / *x); qms files do not need them"),
            )
        )
        return empty
    builder = _Builder()
    try:
        data = builder.build(root)
    except _Abort as abort:
        return LoadedYaml(None, builder.source_map, [*builder.problems, abort.problem])
    except RecursionError:
        return LoadedYaml(None, builder.source_map, [LoadProblem("depth", _("the document is nested too deeply"))])
    return LoadedYaml(data, builder.source_map, builder.problems)


def load_bytes(raw: bytes) -> LoadedYaml:
    text, problem = decode(raw)
    if problem is not None or text is None:
        return LoadedYaml(None, SourceMap(), [problem] if problem else [])
    return load_text(text)


_CParser: Any
try:  # pragma: no cover - depends on how PyYAML was built
    from yaml._yaml import CParser as _CParser
except ImportError:  # pragma: no cover
    _CParser = None

_IMPLICIT = yaml.resolver.Resolver.yaml_implicit_resolvers
_STR_TAG = _TAG_PREFIX + "str"
_MERGE_TAG = _TAG_PREFIX + "merge"
_SAFE_CONSTRUCTORS = SafeConstructor.yaml_constructors
_EVENT = yaml.events


class _Bail(Exception):
    """The fast path met something only the careful path handles."""


_RESOLVERS_BY_FIRST_CHAR: dict[str, list[tuple[str, Any]]] = {
    key: list(resolvers) + list(_IMPLICIT.get(None, [])) for key, resolvers in _IMPLICIT.items() if key is not None
}
_WILDCARD_RESOLVERS: list[tuple[str, Any]] = list(_IMPLICIT.get(None, []))


def _plain_value(value: str) -> Any:
    """The value of a plain scalar, resolved exactly as PyYAML's safe loader does."""
    resolvers = _RESOLVERS_BY_FIRST_CHAR.get(value[0] if value else "", _WILDCARD_RESOLVERS)
    if not resolvers:
        return value  # most text: no implicit type starts with this character
    for tag, regexp in resolvers:
        if regexp.match(value):
            if tag == _STR_TAG:
                return value
            construct = _SAFE_CONSTRUCTORS.get(tag)
            if construct is None or tag == _MERGE_TAG:
                raise _Bail  # merge keys, `=` (the value tag) ...: the careful path reports them
            return construct(_SAFE, ScalarNode(tag, value))
    return value


_SAFE = SafeConstructor()


def _build_from_events(text: str) -> Any:
    """Build plain data straight from libyaml's events; raise :class:`_Bail` on anything unusual.

    Anchors and aliases, explicit tags, merge keys, duplicate or non-text keys, several documents
    and deep nesting all bail out to the careful path, so what this returns is exactly what
    ``yaml.load(text, CSafeLoader)`` returns for the files it accepts.
    """
    if _CParser is None:
        raise _Bail
    parser: Any = _CParser(text)
    stack: list[list[Any]] = []  # [container, pending key (or _NO_KEY), entries seen]
    root: Any = _NO_KEY
    try:
        while True:
            event: Any = parser.get_event()
            kind = type(event)
            if kind is _EVENT.ScalarEvent:
                if event.anchor is not None or (event.tag is not None and event.tag != "!"):
                    raise _Bail
                value: Any = _plain_value(event.value) if event.implicit[0] else event.value
            elif kind is _EVENT.MappingStartEvent or kind is _EVENT.SequenceStartEvent:
                if event.anchor is not None or (event.tag is not None and event.tag != "!"):
                    raise _Bail
                if len(stack) >= MAX_DEPTH:
                    raise _Bail
                stack.append([{}, _NO_KEY, 0] if kind is _EVENT.MappingStartEvent else [[], None, 0])
                continue
            elif kind is _EVENT.MappingEndEvent:
                mapping, _pending, entries = stack.pop()
                if len(mapping) != entries:
                    raise _Bail  # a duplicate key
                value = mapping
            elif kind is _EVENT.SequenceEndEvent:
                value = stack.pop()[0]
            elif kind is _EVENT.AliasEvent:
                raise _Bail
            elif kind is _EVENT.StreamEndEvent:
                break
            else:
                continue  # stream/document start and document end
            if not stack:
                if root is not _NO_KEY:
                    raise _Bail  # a second document
                root = value
                continue
            top = stack[-1]
            container = top[0]
            if type(container) is list:
                container.append(value)
            elif top[1] is _NO_KEY:
                if type(value) is not str:
                    raise _Bail  # a non-text key
                top[1] = value
            else:
                container[top[1]] = value
                top[1] = _NO_KEY
                top[2] += 1
    except (yaml.YAMLError, ValueError, OverflowError, RecursionError):
        raise _Bail from None
    finally:
        parser.dispose()
    return root


_NO_KEY = object()


def load_text_fast(text: str) -> LoadedYaml | None:
    """Parse ``text`` quickly, or return None when the careful :func:`load_text` must run.

    The fast path builds data straight from libyaml's events, with no node tree and no source map
    (positions are composed on demand, see :class:`LazySourceMap`), and hands anything unusual
    (errors, duplicate keys, tags, anchors, deep nesting) to the careful path. YAML 1.1 surprises
    are only looked for when the data fails its schema: the caller then runs :func:`load_text`.
    """
    if len(text) > MAX_BYTES:
        return None
    try:
        data = _build_from_events(text)
    except _Bail:
        return None
    if not isinstance(data, dict):
        return None
    return LoadedYaml(data, LazySourceMap(text), [])


class LazySourceMap(SourceMap):
    """A :class:`SourceMap` that composes the text again the first time a position is asked for."""

    __slots__ = ("_built", "_text")

    def __init__(self, text: str) -> None:
        super().__init__()
        self._text = text
        self._built = False

    @property
    def text(self) -> str:
        return self._text

    def _ensure(self) -> None:
        if not self._built:
            self._built = True
            full = load_text(self._text)
            self.values.update(full.source_map.values)
            self.keys.update(full.source_map.keys)
            self.plain_surprises.update(full.source_map.plain_surprises)

    def locate(self, pointer: str, prefer_key: bool = False) -> tuple[Mark, str]:
        self._ensure()
        return super().locate(pointer, prefer_key)

    def surprise(self, pointer: str) -> str | None:
        self._ensure()
        return self.plain_surprises.get(pointer)


def load_bytes_fast(raw: bytes) -> LoadedYaml:
    """:func:`load_bytes`, taking the fast path when the file is ordinary."""
    text, problem = decode(raw)
    if problem is not None or text is None:
        return LoadedYaml(None, SourceMap(), [problem] if problem else [])
    return load_text_fast(text) or load_text(text)
