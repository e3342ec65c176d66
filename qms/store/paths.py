"""Record ids become paths here, and only here: the id is checked first, then the path is confined.

Every command that takes a record id (a nonconformity, an audit, a programme year, a management
review, a process or document id) turns it into a file name through :func:`record_path`:

1. the id must match its kind's pattern (``NC-2026-0001``, ``AUD-2026-01`` ...), which already rules
   out ``..``, path separators, absolute paths and control characters;
2. the resulting path is resolved (symbolic links followed) and must stay inside the repository's
   resolved root *and* the kind's folder. A record that is a link to a file elsewhere is refused.

Files found by listing a folder go through :func:`confined` (or :func:`listed`) before they are read.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from qms.errors import QmsError, UsageError
from qms.i18n import N_, _


@dataclass(frozen=True, slots=True)
class RecordKind:
    """A kind of record file: where it lives, what its id looks like, how the file is named."""

    name: str
    folder: str  # repository-relative, POSIX separators
    pattern: str  # full-match regular expression of the id
    example: str
    template: str = "{id}.yaml"
    show_pattern: bool = True

    def matches(self, ident: str) -> bool:
        return re.fullmatch(self.pattern, ident) is not None


NONCONFORMITY = RecordKind(N_("nonconformity"), "records/nonconformities", r"NC-\d{4}-\d{4,}", "NC-2026-0001")
AUDIT = RecordKind(N_("audit"), "audits", r"AUD-\d{4}-\d{2,3}", "AUD-2026-01")
AUDIT_PROGRAMME = RecordKind(N_("audit programme"), "audits", r"\d{4}", "2026", "programme-{id}.yaml")
MANAGEMENT_REVIEW = RecordKind(N_("management review"), "records/reviews", r"MR-\d{4}-\d{2,}", "MR-2026-01")
ANNOUNCEMENT = RecordKind(N_("announcement"), "records/announcements", r"CB-\d{4}-\d{2,}", "CB-2026-01")
PROCESS = RecordKind(N_("process"), "processes", r"[A-Za-z0-9][A-Za-z0-9._-]{0,79}", "QT-CT-01")
# document codes are free text in qms.yaml (they are looked up, never used as a path): no control
# characters, no line breaks, no bidirectional overrides, and bounded
DOCUMENT = RecordKind(N_("document"), ".", r"[^\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]{1,200}",
                      "QT-CT-01", show_pattern=False)

KINDS: dict[str, RecordKind] = {k.name: k for k in
                                (NONCONFORMITY, AUDIT, AUDIT_PROGRAMME, MANAGEMENT_REVIEW, ANNOUNCEMENT,
                                 PROCESS, DOCUMENT)}

_SHOWN = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


class BadId(UsageError):
    """An id that does not have its kind's form (exit 2, nothing read or written)."""


class OutsideRepository(QmsError):
    """A record path that resolves outside its folder or the repository (exit 2)."""


def _escape(m: re.Match[str]) -> str:
    ch = m.group()
    named = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(ch)
    if named is not None:
        return named
    return f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}"


def shown(ident: str, limit: int = 80) -> str:
    """An untrusted id as it may appear in a message: one line, control characters escaped, bounded."""
    text = _SHOWN.sub(_escape, ident)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def check_id(kind: RecordKind, ident: str) -> str:
    """``ident`` stripped, if it has ``kind``'s form; otherwise :class:`BadId`."""
    value = ident.strip()
    if not kind.matches(value):
        hint = (_("{kind} ids look like {example} (pattern {pattern})").format(
                    kind=_(kind.name), example=kind.example, pattern=kind.pattern) if kind.show_pattern
                else _("{kind} ids look like {example}").format(kind=_(kind.name), example=kind.example))
        raise BadId(_("`{id}` is not a valid {kind} id").format(id=shown(ident), kind=_(kind.name)), hint)
    return value


def _resolve(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError) as exc:  # a symlink loop: RuntimeError before 3.13, OSError after
        raise OutsideRepository(
            _("{path} cannot be resolved: {reason}").format(path=path, reason=getattr(exc, "strerror", None) or exc),
            _("remove the symbolic link loop"),
        ) from None


def within(path: Path, base: Path) -> bool:
    """Whether ``path`` (already resolved) is ``base`` (already resolved) or lies under it."""
    return path == base or path.is_relative_to(base)


def escapes(root: Path, path: Path, folder: str | None = None) -> bool:
    """True when ``path`` resolves outside the repository (or outside ``folder`` of it)."""
    try:
        real_root = root.resolve()
        real = path.resolve()
    except (OSError, RuntimeError):
        return True
    if not within(real, real_root):
        return True
    if folder is None or folder == ".":
        return False
    try:
        real_folder = (root / folder).resolve()
    except (OSError, RuntimeError):
        return True
    return not within(real_folder, real_root) or not within(real, real_folder)


def confined(root: Path, path: Path, folder: str | None = None) -> Path:
    """``path`` unchanged if it resolves inside the repository (and ``folder``); else :class:`OutsideRepository`."""
    real_root = _resolve(root)
    real = _resolve(path)
    base = _resolve(root / folder) if folder and folder != "." else real_root
    if not within(base, real_root) or not within(real, base):
        try:
            rel = path.relative_to(root).as_posix()
        except ValueError:
            rel = str(path)
        where = folder or "."
        raise OutsideRepository(
            _("{path} leads outside {folder} (it resolves to a file elsewhere); it was not read").format(
                path=shown(rel, 200), folder=f"{where}/" if where != "." else _("the repository")),
            _("keep records as plain files in their folder, not as links to other places"),
        )
    return path


def record_path(root: Path, kind: RecordKind | str, ident: str | int) -> Path:
    """The file of record ``ident`` of ``kind``: the id is checked first, then the path is confined.

    The file need not exist (new records are written here); an existing link that leads outside
    the kind's folder or the repository is refused.
    """
    k = KINDS[kind] if isinstance(kind, str) else kind
    value = check_id(k, str(ident))
    name = k.template.format(id=value)
    if os.sep in name or (os.altsep and os.altsep in name) or name in (".", ".."):  # pragma: no cover - patterns
        raise BadId(_("`{id}` is not a valid {kind} id").format(id=shown(str(ident)), kind=_(k.name)))
    path = root / k.folder / name if k.folder != "." else root / name
    return confined(root, path, k.folder)


def listed(root: Path, paths: list[Path], folder: str | None = None) -> tuple[list[Path], list[Path]]:
    """Split files found by listing a folder into those inside it and those that lead outside."""
    inside: list[Path] = []
    outside: list[Path] = []
    for p in paths:
        (outside if escapes(root, p, folder) else inside).append(p)
    return inside, outside
