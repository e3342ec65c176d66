"""Apply text edits (a diagnostic's fix) to a repository file, exactly and atomically.

An edit replaces a span given by 1-based line and column, counted in characters of the decoded text
(without a byte-order mark), as the loader reports positions. Everything the edits do not touch —
comments, quoting, indentation, line endings, a byte-order mark — is kept byte for byte.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from qms.diagnostics import Edit
from qms.errors import QmsError
from qms.i18n import _
from qms.store.atomic import atomic_write_bytes

_BOM = "\ufeff"


@dataclass(slots=True)
class EditableText:
    """A repository file read for editing: its text (BOM removed) and the digest the loader gave it."""

    rel: str
    text: str
    bom: bool
    digest: str  # blake2b-128 of the raw bytes, as in ``LoadedDoc.digest``

    def encoded(self, text: str) -> bytes:
        return ((_BOM if self.bom else "") + text).encode("utf-8")


def _inside(root: Path, rel: str) -> Path:
    path = root / rel
    try:
        resolved = path.resolve(strict=True)
    except OSError as exc:
        raise QmsError(_("cannot read {path}: {reason}").format(path=rel, reason=exc.strerror or exc)) from None
    if path.is_symlink() or not resolved.is_relative_to(root.resolve()) or not resolved.is_file():
        raise QmsError(_("{path} is not a regular file inside the repository; it is not edited").format(path=rel))
    return path


def read_for_edit(root: Path, rel: str) -> EditableText:
    """Read ``root/rel`` (a regular file inside the repository) as UTF-8 text."""
    path = _inside(root, rel)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise QmsError(_("cannot read {path}: {reason}").format(path=rel, reason=exc.strerror or exc)) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise QmsError(_("{path} is not UTF-8 text").format(path=rel), _("save the file as UTF-8")) from None
    bom = text.startswith(_BOM)
    return EditableText(rel, text[1:] if bom else text, bom, hashlib.blake2b(raw, digest_size=16).hexdigest())


def write_edited(root: Path, current: EditableText, text: str) -> None:
    """Replace the file atomically with ``text`` (BOM kept), unless it changed since it was read."""
    path = _inside(root, current.rel)
    try:
        now = hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()
    except OSError as exc:
        raise QmsError(_("cannot read {path}: {reason}").format(path=current.rel, reason=exc.strerror or exc)) from None
    if now != current.digest:
        raise QmsError(_("{path} changed while it was being fixed; nothing was written to it").format(
            path=current.rel), _("run the command again"))
    try:
        atomic_write_bytes(path, current.encoded(text))
    except OSError as exc:
        raise QmsError(_("cannot write {path}: {reason}").format(path=current.rel, reason=exc.strerror or exc),
                       _("check the permissions of the file and its folder")) from None


def _line_starts(text: str) -> list[int]:
    starts = [0]
    pos = text.find("\n")
    while pos != -1:
        starts.append(pos + 1)
        pos = text.find("\n", pos + 1)
    return starts


def _offset(text: str, starts: list[int], line: int, column: int) -> int | None:
    if not 1 <= line <= len(starts):
        return None
    begin = starts[line - 1]
    end = starts[line] - 1 if line < len(starts) else len(text)  # the "\n" (or the end of the text)
    if end > begin and text[end - 1] == "\r":
        end -= 1
    offset = begin + column - 1
    return offset if begin <= offset <= end else None


def _overlap(s: int, e: int, ts: int, te: int) -> bool:
    """Two spans conflict when they share text, or an insertion touches the other span (order unclear)."""
    return (s < te and ts < e) or (s == e and ts <= s <= te) or (ts == te and s <= ts <= e)


@dataclass(slots=True)
class EditResult:
    text: str
    applied: list[int]  # indices of the edit groups applied
    deferred: list[int]  # overlapped an applied group: try again on the new text
    stale: list[int]  # the text at the span is not what the group expected (or out of range)


def apply_edit_groups(text: str, groups: Sequence[Sequence[Edit]]) -> EditResult:
    """Apply each group of edits (one fix) entirely or not at all; groups that overlap an earlier one wait.

    Groups are taken in order; a group whose spans overlap a span already taken is deferred, as ruff
    does, so the caller re-checks and applies it to the new text.
    """
    starts = _line_starts(text)
    taken: list[tuple[int, int]] = []
    chosen: list[tuple[int, int, str]] = []
    result = EditResult(text, [], [], [])
    for index, group in enumerate(groups):
        spans: list[tuple[int, int, str]] = []
        ok = True
        for e in group:
            start = _offset(text, starts, e.line, e.column)
            end = _offset(text, starts, e.end_line, e.end_column)
            if start is None or end is None or end < start or (e.original and text[start:end] != e.original):
                ok = False
                break
            spans.append((start, end, e.content))
        if not ok or not spans:
            result.stale.append(index)
            continue
        spans.sort()
        if any(a[1] > b[0] for a, b in itertools.pairwise(spans)):
            result.stale.append(index)  # a fix that overlaps itself is malformed
            continue
        if any(_overlap(s, e, t_start, t_end) for s, e, _c in spans for t_start, t_end in taken):
            result.deferred.append(index)
            continue
        taken.extend((s, e) for s, e, _c in spans)
        chosen.extend(spans)
        result.applied.append(index)
    out = text
    for start, end, content in sorted(chosen, reverse=True):
        out = out[:start] + content + out[end:]
    result.text = out
    return result
