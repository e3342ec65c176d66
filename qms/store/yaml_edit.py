"""Round-trip YAML edits that keep the user's comments, key order, quoting and layout.

The checker reads YAML with its own loader (``yaml_io``); commands that *change*
a user's file use this module instead. It loads with ruamel.yaml's round-trip
mode, lets the caller mutate the data, and writes the result atomically
(``store/atomic.py``). The indentation style is detected once, here, for every
caller (document control, ``qms migrate``, ``qms check --fix``): the style read
from the text (:func:`guess_indent`) and the usual house styles are each tried,
and the one that reproduces the untouched file best is kept, so an edit only
changes the lines it means to change.

Typical use::

    def bump(data):
        data["document"]["revision"] += 1

    edit_yaml_file(path, bump)
"""

from __future__ import annotations

import difflib
import io
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.representer import RoundTripRepresenter

from qms.errors import QmsError
from qms.i18n import _
from qms.store.atomic import atomic_write_text
from qms.store.safe_open import FileRefused, read_yaml_bytes
from qms.store.yaml_io import check_expansion

T = TypeVar("T")

# (mapping, sequence, offset) styles tried in order; the first is the project's house style.
_STYLES: tuple[tuple[int, int, int], ...] = ((2, 4, 2), (2, 2, 0), (4, 4, 2), (4, 4, 0), (4, 6, 4), (3, 3, 0))


_KEY_ONLY = re.compile(r"^(\s*)[^\s#-][^:#]*:\s*(#.*)?$")
_DASH = re.compile(r"^(\s*)- ")
_KEY = re.compile(r"^(\s*)[^\s#-][^:#]*:")


def guess_indent(text: str) -> tuple[int, int]:
    """``(mapping indent, dash offset)`` as written in ``text`` (defaults 2 and 2)."""
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    mapping, offset = 0, -1
    for prev, line in itertools.pairwise(lines):
        head = _KEY_ONLY.match(prev)
        if head is None:
            continue
        base = len(head.group(1))
        dash = _DASH.match(line)
        key = _KEY.match(line)
        if dash is not None and offset < 0:
            offset = max(0, len(dash.group(1)) - base)
        elif dash is None and key is not None and not mapping and len(key.group(1)) > base:
            mapping = len(key.group(1)) - base
        if mapping and offset >= 0:
            break
    return (mapping or 2), (2 if offset < 0 else offset)


def _styles(text: str) -> list[tuple[int, int, int]]:
    """The candidate ``(mapping, sequence, offset)`` styles: the one read from ``text`` first."""
    mapping, offset = guess_indent(text)
    guessed = (mapping, offset + 2, offset)
    return [guessed, *(s for s in _STYLES if s != guessed)]


class YamlEditError(QmsError):
    """The file cannot be edited safely (unreadable, not YAML, unexpected shape)."""


@dataclass(slots=True)
class RoundTrip:
    """A loaded round-trip document and the dumper configured to reproduce its layout."""

    yaml: YAML
    data: Any
    newline: str = "\n"
    bom: bool = False

    def dump(self) -> str:
        buf = io.StringIO()
        self.yaml.dump(self.data, buf)
        text = buf.getvalue()
        if self.newline != "\n":
            text = text.replace("\n", self.newline)
        return ("\ufeff" if self.bom else "") + text


class _Representer(RoundTripRepresenter):
    """Never invent anchors: only nodes that carried an anchor in the source keep one.

    (A value inserted twice, e.g. the same date in two places, would otherwise become
    ``&id001`` / ``*id001``.)
    """

    def ignore_aliases(self, data: Any) -> bool:
        anchor = getattr(data, "anchor", None)
        return not (anchor is not None and getattr(anchor, "value", None) is not None)


def _yaml(style: tuple[int, int, int], explicit_start: bool) -> YAML:
    y = YAML(typ="rt")
    y.Representer = _Representer
    y.preserve_quotes = True
    y.width = 4096  # never re-wrap long lines
    y.allow_unicode = True
    y.explicit_start = explicit_start
    mapping, sequence, offset = style
    y.indent(mapping=mapping, sequence=sequence, offset=offset)
    return y


def _changed_lines(before: str, after: str) -> int:
    return sum(1 for line in difflib.ndiff(before.splitlines(), after.splitlines()) if line[:1] in "+-")


def loads_roundtrip(text: str, *, source: str = "<string>") -> RoundTrip:
    """Load ``text`` for editing, choosing the indentation style that reproduces it best."""
    bom = text.startswith("\ufeff")
    if bom:
        text = text[1:]
    newline = "\r\n" if "\r\n" in text else "\n"
    text = text.replace("\r\n", "\n")
    explicit_start = text.lstrip().startswith("---")
    check_expansion(text, source)  # ruamel would expand an alias bomb while a caller walks the data
    best: RoundTrip | None = None
    best_score = -1
    for style in _styles(text):
        y = _yaml(style, explicit_start)
        try:
            data = y.load(text)
        except YAMLError as exc:
            raise YamlEditError(_("{source} is not valid YAML: {reason}").format(
                source=source, reason=str(exc).splitlines()[0] if str(exc) else type(exc).__name__),
                _("fix the file (run `qms check`) before editing it with qms")) from None
        rt = RoundTrip(y, data)
        score = _changed_lines(text, rt.dump())
        if best is None or score < best_score:
            best, best_score = rt, score
        if score == 0:
            break
    assert best is not None
    best.newline = newline
    best.bom = bom
    return best


def edit_yaml_file(path: Path, mutate: Callable[[Any], T]) -> T:
    """Load ``path`` round-trip, apply ``mutate(data)`` and write the result atomically.

    ``mutate`` may raise a :class:`~qms.errors.QmsError` to refuse the edit; the file is
    then left untouched. Returns whatever ``mutate`` returns.
    """
    try:
        raw = read_yaml_bytes(path)
    except FileRefused as exc:
        raise YamlEditError(exc.message, exc.hint) from None
    except OSError as exc:
        raise YamlEditError(_("cannot read {path}: {reason}").format(path=path, reason=exc.strerror or exc)) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise YamlEditError(_("{path} is not UTF-8 text").format(path=path),
                            _("save the file as UTF-8")) from None
    rt = loads_roundtrip(text, source=str(path))
    result = mutate(rt.data)
    atomic_write_text(path, rt.dump())
    return result


def resolve(data: Any, pointer: str) -> Any:
    """The node at a JSON pointer (``/document`` or ``/policy/document``), or ``None``."""
    node = data
    for token in (t for t in pointer.split("/")[1:] if t != ""):
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict):
            node = node.get(token)
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return None
    return node


def set_key(mapping: CommentedMap, key: str, value: Any, *, after: tuple[str, ...] = ()) -> None:
    """Set ``mapping[key]``; a new key goes right after the last existing key named in ``after``."""
    if key in mapping:
        mapping[key] = value
        return
    keys = list(mapping.keys())
    anchors = [keys.index(a) + 1 for a in after if a in mapping]
    mapping.insert(max(anchors) if anchors else len(keys), key, value)


def flow_map(items: dict[str, Any]) -> CommentedMap:
    """A mapping written in flow style: ``{a: 1, b: 2}``."""
    m = CommentedMap(items)
    m.fa.set_flow_style()
    return m


def block_map(items: dict[str, Any]) -> CommentedMap:
    m = CommentedMap(items)
    m.fa.set_block_style()
    return m


def is_flow(node: Any) -> bool:
    fa = getattr(node, "fa", None)
    return bool(fa is not None and fa.flow_style())


def new_seq(items: list[Any] | None = None) -> CommentedSeq:
    seq = CommentedSeq(items or [])
    seq.fa.set_block_style()
    return seq


def drop_comments(data: Any, keep: Callable[[str], bool]) -> int:
    """Remove from round-trip ``data`` every comment line for which ``keep(text)`` is false (``text`` without
    its ``#`` and surrounding blanks): the comments above the document and each comment at the end of a
    key's or item's line (with the comment lines that follow it). Returns how many lines were removed."""
    dropped = 0

    def filtered(value: str) -> tuple[str | None, int]:
        lines = value.split("\n")
        kept = [ln for ln in lines if not ln.strip().startswith("#") or keep(ln.strip()[1:].strip())]
        gone = len(lines) - len(kept)
        if not gone:
            return value, 0
        text = "\n".join(kept)
        return (text if text.strip() else None), gone

    top = getattr(getattr(data, "ca", None), "comment", None)
    if top and len(top) > 1 and top[1]:
        tokens = []
        for token in top[1]:
            value, gone = filtered(token.value)
            dropped += gone
            if value is not None:
                token.value = value
                tokens.append(token)
        top[1] = tokens

    def walk(node: Any) -> None:
        nonlocal dropped
        if isinstance(node, (CommentedMap, CommentedSeq)):
            for slots in node.ca.items.values():
                for token in slots:
                    if token is None or not hasattr(token, "value"):
                        continue
                    value, gone = filtered(token.value)
                    dropped += gone
                    if gone:  # an empty token still ends the line (a key whose value is a block below it)
                        token.value = "\n" if value is None else value if value.endswith("\n") else value + "\n"
            for child in (node.values() if isinstance(node, CommentedMap) else node):
                walk(child)

    walk(data)
    return dropped
