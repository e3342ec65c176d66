"""YAML loading with a source map, duplicate-key detection, alias limits and YAML 1.1 hints.

The document is composed once (with libyaml's C parser where available) and
then constructed here from the node tree, so that every value keeps its
line and column. Problems are returned as :class:`LoadProblem` values, never
raised: a broken file becomes findings and the other files are still checked.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from qms.diagnostics import Edit
from qms.i18n import _, format_number
from qms.store import yaml_budget
from qms.store.limits import current as current_limits
from qms.store.limits import human

try:  # pragma: no cover - depends on how PyYAML was built
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_NODES = 200_000
"""Expanded node limit per document: far above any real QMS file, far below a billion laughs."""
MAX_DEPTH = 100
MAX_BYTES = 20 * 1024 * 1024
"""The default file size limit (``yaml_size`` in :mod:`qms.store.limits`, which is what applies)."""

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
    edits: tuple[Edit, ...] = ()  # text edits that resolve the problem, if the store knows them


@dataclass
class SourceMap:
    """JSON pointer -> position of the value, and of the key for mapping members."""

    values: dict[str, Mark] = field(default_factory=dict)
    keys: dict[str, Mark] = field(default_factory=dict)
    plain_surprises: dict[str, str] = field(default_factory=dict)
    ends: dict[str, Mark] = field(default_factory=dict)  # scalar values: just past their last character

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

    def span(self, pointer: str) -> tuple[Mark, Mark] | None:
        """Where the scalar at exactly ``pointer`` is written, quotes included: ``[start, end)``."""
        start, end = self.values.get(pointer), self.ends.get(pointer)
        return (start, end) if start is not None and end is not None else None


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


def pointer(*parts: str | int) -> str:
    """The JSON pointer (RFC 6901) of a path of keys and indexes: ``pointer("steps", 0, "id")`` → ``/steps/0/id``."""
    return "".join(f"/{escape_pointer_token(str(p))}" for p in parts)


def wide_encoding(raw: bytes) -> str | None:
    """``UTF-32LE``, ``UTF-16BE`` ... when ``raw`` starts like UTF-16/32 text (with or without a BOM)."""
    head = raw[:4]
    if head in (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff"):
        return "UTF-32" + ("LE" if head[0] else "BE") + _(" (with a byte-order mark)")
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "UTF-16" + ("LE" if head[0] == 0xFF else "BE") + _(" (with a byte-order mark)")
    if len(head) == 4:
        if head[0] and not head[1] and not head[2] and not head[3]:
            return "UTF-32LE"
        if not head[0] and not head[1] and not head[2] and head[3]:
            return "UTF-32BE"
        if head[0] and not head[1] and head[2] and not head[3]:
            return "UTF-16LE"
        if not head[0] and head[1] and not head[2] and head[3]:
            return "UTF-16BE"
    return None


def decode(raw: bytes) -> tuple[str | None, LoadProblem | None]:
    """Decode UTF-8 (with or without BOM); anything else is a located problem."""
    wide = wide_encoding(raw)
    if wide is not None:
        return None, LoadProblem(
            "encoding",
            _("the file is {encoding}; qms reads UTF-8 only").format(encoding=wide),
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


_TIMESTAMP_TAG = _TAG_PREFIX + "timestamp"
#: The UTC offset at the end of a YAML timestamp (after the seconds), as PyYAML's resolver accepts it.
_TIMESTAMP_OFFSET = re.compile(r":[0-9][0-9](?:\.[0-9]*)?[ \t]*(?P<tz>(?P<sign>[-+])(?P<h>[0-9][0-9]?)(?::(?P<m>[0-9][0-9]))?)$")


def _bad_offset(value: str) -> bool:
    """True when the timestamp ``value`` ends in a UTC offset no time zone has (``+99:00``, ``+13:60``)."""
    m = _TIMESTAMP_OFFSET.search(value)
    if m is None:
        return False
    from qms.models.common import utc_offset_minutes  # deferred: only timestamps with an offset need it

    return utc_offset_minutes(m["sign"], m["h"], m["m"] or "0") is None


def _offset_message(value: str) -> str:
    m = _TIMESTAMP_OFFSET.search(value)
    return _("{value!r} has an invalid UTC offset {offset}: offsets run from -12:00 to +14:00, minutes from 00 to 59").format(
        value=value, offset=m["tz"] if m else "?")


class _Builder:
    """Constructs Python data from a composed node tree, recording positions."""

    def __init__(self) -> None:
        self.source_map = SourceMap()
        self.problems: list[LoadProblem] = []
        self._constructor = SafeConstructor()

    def build(self, node: Node) -> Any:
        return self._node(node, "", 0)

    def _scalar(self, node: ScalarNode, pointer: str) -> Any:
        self.source_map.ends[pointer] = Mark(node.end_mark.line + 1, node.end_mark.column + 1)
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
        if tag == _TIMESTAMP_TAG and _bad_offset(node.value):
            self.problems.append(_at(node, "tag", _offset_message(node.value), pointer,
                                     _("write the time zone as +HH:MM between -12:00 and +14:00, e.g. +07:00")))
            return node.value
        try:
            return self._constructor.construct_object(node, deep=True)
        except (ConstructorError, ValueError, OverflowError) as exc:
            if tag == _TAG_PREFIX + "timestamp":
                # a date-shaped value that is no date (2027-13-04): quoting would only hide the mistake
                self.problems.append(_at(node, "tag", _("{value!r} is not a date that exists").format(
                    value=node.value), pointer,
                    _("write a real date as YYYY-MM-DD (month 01-12, a day the month has)")))
            else:
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
        raise _Abort(LoadProblem("syntax", _("unexpected YAML node {kind}").format(kind=type(node).__name__)))  # pragma: no cover

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


def _expanded_size(root: Node) -> tuple[int, int]:
    """Number of nodes after alias expansion (computed in time linear in distinct nodes), and the
    number of distinct nodes."""
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
                    return total, len(sizes)
            sizes[key] = total
        else:
            sizes[key] = -1  # in progress
            stack.append((node, True))
            for c in children:
                if id(c) not in sizes:
                    stack.append((c, False))
    return sizes.get(id(root), 1), len(sizes)


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


def _reader_position(text: str, exc: yaml.reader.ReaderError) -> tuple[int, int]:
    """The 1-based line and column of a reader error (libyaml counts UTF-8 bytes, PyYAML characters)."""
    position = exc.position if isinstance(exc.position, int) else 0
    libyaml = _Loader.__name__.startswith("C")
    prefix = text.encode("utf-8")[:position].decode("utf-8", errors="ignore") if libyaml else text[:position]
    return prefix.count("\n") + 1, len(prefix) - (prefix.rfind("\n") + 1) + 1


def load_text(text: str) -> LoadedYaml:
    """Parse one YAML document held in ``text``."""
    empty = LoadedYaml(None, SourceMap(), [])
    limit = current_limits().yaml_size
    if len(text) > limit:
        empty.problems.append(LoadProblem("too-large", _("the file is larger than {size}").format(size=human(limit)),
                                          hint=_("if the file is genuine, raise the limit for this run: "
                                                 "qms --limit {name}=SIZE ...").format(name="yaml_size")))
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
        lines = text.splitlines()
        bad_line = lines[line - 1] if 0 < line <= len(lines) else ""
        if "\t" in bad_line[: len(bad_line) - len(bad_line.lstrip())] or bad_line[col - 1:col] == "\t":
            # libyaml's own words ("cannot start any token") do not say that the culprit is a tab
            what = _("a tab character is used for indentation")
            hint = _("YAML does not allow tabs for indentation; use spaces")
        elif "\t" in what or "tab" in what.lower():
            hint = _("YAML does not allow tabs for indentation; use spaces")
        elif "mapping values are not allowed" in what:
            hint = _("quote values that contain ': ' (for example titles with a colon)")
        elif "found undefined alias" in what or "found undefined" in what:
            hint = _("define the anchor (&name) before using the alias (*name)")
        empty.problems.append(LoadProblem("syntax", _("invalid YAML: {problem}").format(problem=what), line, col, hint=hint))
        return empty
    except yaml.reader.ReaderError as exc:  # a control character: located, named, never PyYAML's own text
        line, col = _reader_position(text, exc)
        code = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "\0")
        empty.problems.append(LoadProblem(
            "syntax", _("invalid YAML: the control character U+{code:04X} is not allowed").format(code=code),
            line, col, hint=_("delete it (text pasted from a terminal or another program can carry it); "
                              "YAML allows tabs and line breaks only")))
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
    size, distinct = _expanded_size(root)
    if size <= MAX_NODES and not yaml_budget.charge(size - distinct):
        empty.problems.append(
            LoadProblem(
                "alias-limit",
                _("aliases in the YAML files of this run expand to more than {limit} values "
                  "(an alias bomb spread over several files?)").format(
                    limit=format_number(current_limits().yaml_alias_nodes, digits=0)),
                root.start_mark.line + 1,
                root.start_mark.column + 1,
                hint=_("remove the anchors and aliases (&x / *x); qms files do not need them"),
            )
        )
        return empty
    if size > MAX_NODES:
        empty.problems.append(
            LoadProblem(
                "alias-limit",
                _("aliases expand to more than {limit} values (an alias bomb?)").format(
                    limit=format_number(MAX_NODES, digits=0)),
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


def conflict_marker_line(text: str) -> int | None:
    """The 1-based line of the first ``<<<<<<< `` marker when ``text`` holds an unresolved git merge
    conflict (a start and an end marker), else None."""
    lines = text.splitlines()
    if not (any(ln.startswith("<<<<<<< ") for ln in lines) and any(ln.startswith(">>>>>>> ") for ln in lines)):
        return None
    return next(i for i, ln in enumerate(lines, 1) if ln.startswith("<<<<<<< "))


def _in_word(ch: str) -> bool:
    return ch.isalnum() or unicodedata.combining(ch) != 0


def _whole_words(body: str, fixed: str, start: int, end_b: int, end_f: int) -> tuple[int, int, int]:
    """The span ``body[start:end_b]`` (``fixed[start:end_f]`` once normalised) widened to whole words,
    so that the finding quotes what the user wrote ("Chứng thực", not "ứng thự"). Kept as it is when
    normalising the widened span alone would not give the same text."""
    s = start
    while s > 0 and _in_word(body[s - 1]):
        s -= 1
    e = end_b
    while e < len(body) and _in_word(body[e]):
        e += 1
    middle = unicodedata.normalize("NFC", body[s:e])
    if body[:s] + middle + unicodedata.normalize("NFC", body[e:]) != fixed or fixed[s:s + len(middle)] != middle:
        return start, end_b, end_f
    return s, e, s + len(middle)


def nfc_problems(raw: bytes) -> list[LoadProblem]:
    """One ``not-nfc`` problem per line whose text is not in Unicode NFC, each with the edit that fixes it.

    Vietnamese typed with combining accents (NFD, as some Mac and old Windows tools write it) looks
    the same but compares, sorts and searches differently. Normalising never crosses a line break,
    so fixing line by line gives exactly ``unicodedata.normalize("NFC", text)``.
    """
    if raw.isascii():
        return []
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return []  # reported as an encoding problem
    text = text.removeprefix("\ufeff")
    if unicodedata.is_normalized("NFC", text):
        return []
    out: list[LoadProblem] = []
    for number, line in enumerate(text.split("\n"), 1):
        body = line.removesuffix("\r")
        if unicodedata.is_normalized("NFC", body):
            continue
        fixed = unicodedata.normalize("NFC", body)
        start = 0
        while start < min(len(body), len(fixed)) and body[start] == fixed[start]:
            start += 1
        start = max(0, start - 1) if start < len(body) and unicodedata.combining(body[start]) else start
        end_b, end_f = len(body), len(fixed)
        while end_b > start and end_f > start and body[end_b - 1] == fixed[end_f - 1]:
            end_b, end_f = end_b - 1, end_f - 1
        start, end_b, end_f = _whole_words(body, fixed, start, end_b, end_f)
        out.append(LoadProblem(
            "not-nfc", _("the text is not in Unicode NFC form: `{text}` is written with combining accents").format(
                text=fixed[start:end_f]),
            number, start + 1, hint=_("re-save the text in NFC form (run `qms check --fix`)"),
            edits=(Edit(number, start + 1, number, end_b + 1, fixed[start:end_f], body[start:end_b]),)))
    return out


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


# Plain scalars repeat (keys, ids, `vi`/`en`, dates): their resolved values (str, int, float, bool, None,
# date, datetime: all immutable) are kept, up to a bound, so each is resolved once per run.
_PLAIN_MEMO: dict[str, Any] = {}
_PLAIN_MEMO_MAX = 1 << 16
_PLAIN_MEMO_LEN = 64
_MISSING = object()


def _plain_value(value: str) -> Any:
    """The value of a plain scalar, resolved exactly as PyYAML's safe loader does."""
    found = _PLAIN_MEMO.get(value, _MISSING)
    if found is not _MISSING:
        return found
    found = _resolve_plain(value)
    if len(value) <= _PLAIN_MEMO_LEN:
        if len(_PLAIN_MEMO) >= _PLAIN_MEMO_MAX:
            _PLAIN_MEMO.clear()
        _PLAIN_MEMO[value] = found
    return found


def _resolve_plain(value: str) -> Any:
    resolvers = _RESOLVERS_BY_FIRST_CHAR.get(value[0] if value else "", _WILDCARD_RESOLVERS)
    if not resolvers:
        return value  # most text: no implicit type starts with this character
    for tag, regexp in resolvers:
        if regexp.match(value):
            if tag == _STR_TAG:
                return value
            if tag == _TIMESTAMP_TAG and _bad_offset(value):
                raise _Bail  # the careful path reports it with its position
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
    if len(text) > current_limits().yaml_size:
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
            self.ends.update(full.source_map.ends)

    def locate(self, pointer: str, prefer_key: bool = False) -> tuple[Mark, str]:
        self._ensure()
        return super().locate(pointer, prefer_key)

    def surprise(self, pointer: str) -> str | None:
        self._ensure()
        return self.plain_surprises.get(pointer)

    def span(self, pointer: str) -> tuple[Mark, Mark] | None:
        self._ensure()
        return super().span(pointer)


def load_bytes_fast(raw: bytes) -> LoadedYaml:
    """:func:`load_bytes`, taking the fast path when the file is ordinary."""
    text, problem = decode(raw)
    if problem is not None or text is None:
        return LoadedYaml(None, SourceMap(), [problem] if problem else [])
    return load_text_fast(text) or load_text(text)


def load_file(path: Path, root: Path | None = None) -> Any:
    """The data of the YAML file ``path`` given on the command line or read as configuration.

    Bounded like every repository file (size, alias budget of the run, depth); any problem is a
    :class:`~qms.errors.ConfigError` naming ``path:line:column``. An empty file gives None.
    """
    from qms.errors import ConfigError
    from qms.store.safe_open import read_bounded

    loaded = load_bytes(read_bounded(path, current_limits().yaml_size, "yaml_size", root))
    for problem in loaded.problems:
        if problem.kind == "empty":
            continue
        raise ConfigError(_("{path}:{line}:{column}: {message}").format(
            path=path, line=problem.line, column=problem.column, message=problem.message), problem.hint)
    return loaded.data


def check_expansion(text: str, name: str) -> None:
    """Refuse ``text`` (ConfigError) when its aliases expand beyond the per-file cap or the run's
    budget, or its flow nesting is too deep: for readers that build data another way (the
    round-trip loader of ``qms migrate``)."""
    from qms.errors import ConfigError

    if ("[" in text or "{" in text) and _nesting_depth(text) > MAX_DEPTH:
        raise ConfigError(_("{path}: flow nesting deeper than {depth} levels").format(path=name, depth=MAX_DEPTH),
                          _("flatten the structure"))
    if "&" not in text or "*" not in text:
        return  # no anchor or no alias: nothing expands
    try:
        nodes = list(yaml.compose_all(text, Loader=_Loader))
    except (yaml.YAMLError, RecursionError):
        return  # the reader reports the syntax error itself
    for root in nodes:
        if root is None:
            continue
        size, distinct = _expanded_size(root)
        if size > MAX_NODES or not yaml_budget.charge(size - distinct):
            raise ConfigError(
                _("{path}:{line}: aliases expand to more than {limit} values (an alias bomb?)").format(
                    path=name, line=root.start_mark.line + 1, limit=format_number(
                        MAX_NODES if size > MAX_NODES else current_limits().yaml_alias_nodes, digits=0)),
                _("remove the nested anchors and aliases (&x / *x); qms files do not need them"))
