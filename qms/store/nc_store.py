"""File I/O for the nonconformity register (``records/nonconformities/``).

* Every write is atomic (:mod:`qms.store.atomic`); a new record is created with
  ``exclusive=True`` (``os.link``), which never overwrites an existing file.
* Writers serialise on ``records/nonconformities/.lock`` (:mod:`filelock`).
* Listing reads each file's bytes, hashes them and takes the summary from a
  content-addressed index (``nc-index.json`` in the repository's private cache
  folder outside the working tree, authenticated: :mod:`qms.store.cache_dir`); only new or changed
  files are parsed (libyaml, no model validation). Full validation is
  :func:`read_record` and ``qms check``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import ValidationError

from qms.errors import QmsError
from qms.i18n import _
from qms.models.nonconformity import (
    FINAL_STATUSES,
    NC_ID_PATTERN,
    SEVERITIES,
    SOURCES,
    STATUSES,
    Nonconformity,
    seal_state,
)
from qms.store import paths
from qms.store.atomic import atomic_write_text, fsync_dir

if TYPE_CHECKING:
    from qms.calendar import WorkingCalendar
from qms.store.safe_open import FileRefused, read_yaml_bytes
from qms.store.yaml_dump import dump_yaml
from qms.store.yaml_io import conflict_marker_line as conflict_line_of
from qms.store.yaml_io import load_bytes_fast

try:  # pragma: no cover - depends on how PyYAML was built
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

NC_DIR = "records/nonconformities"
NC_GLOB = "NC-*.yaml"
LOCK_TIMEOUT = 120.0
INDEX_FILE = "nc-index.json"
INDEX_VERSION = 4
_NAME_RE = re.compile(r"^NC-(\d{4})-(\d{4,})\.yaml$")
_CONFLICT_START = "<<<<<<< "
_CONFLICT_BASE = "||||||| "
_CONFLICT_MID = "======="
_CONFLICT_END = ">>>>>>> "


def _fast_data(raw: bytes) -> Any:
    """Plain data of a record: the event-built fast path, else PyYAML (which raises on bad YAML)."""
    loaded = load_bytes_fast(raw)
    if loaded.data is not None:
        return loaded.data
    return yaml.load(raw, Loader=_Loader)


def _file_mode() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


_FILE_MODE = _file_mode()


class RecordError(QmsError):
    """A register file that cannot be read or does not validate (exit 2)."""


def nc_dir(root: Path) -> Path:
    return root / NC_DIR


def path_for(root: Path, nc_id: str) -> Path:
    """The file of ``nc_id``: the id is checked first (exit 2 if malformed), the path confined to the folder."""
    return paths.record_path(root, paths.NONCONFORMITY, nc_id)


def format_id(year: int, number: int) -> str:
    return f"NC-{year:04d}-{number:04d}"


# -- locking -------------------------------------------------------------------


def register_lock(root: Path, timeout: float = LOCK_TIMEOUT, *,
                  create: bool = True) -> contextlib.AbstractContextManager[None]:
    """Serialise writers of the register (ids, transitions, renumbering). ``create=False``: a register
    that does not exist yet is not created (nothing in it to change, no lock needed)."""
    from qms.store.locks import folder_lock

    return folder_lock(root, NC_DIR, timeout, create=create, file_mode=_FILE_MODE)


# -- ids -------------------------------------------------------------------------


def numbers_in_use(root: Path, year: int) -> set[int]:
    """Numbers of ``NC-<year>-NNNN.yaml`` files present (by name; fast)."""
    out: set[int] = set()
    prefix = f"NC-{year:04d}-"
    try:
        entries = os.scandir(nc_dir(root))
    except FileNotFoundError:
        return out
    with entries:
        for entry in entries:
            if entry.name.startswith(prefix):
                m = _NAME_RE.match(entry.name)
                if m:
                    out.add(int(m.group(2)))
    return out


def record_paths(root: Path) -> list[Path]:
    """Record files of the register; links that lead outside it are left out (``qms check`` reports them)."""
    directory = nc_dir(root)
    if not directory.is_dir():
        return []
    found = sorted(p for p in directory.glob("*.yaml") if not p.name.startswith("."))
    return paths.listed(root, found, NC_DIR)[0]


# -- serialisation -----------------------------------------------------------------


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"vi", "en"} and value["vi"] == value["en"]:
            return value["vi"]
        return {k: _clean(v) for k, v in value.items() if v is not None and v not in ([], {}, "")}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def to_yaml(nc: Nonconformity) -> str:
    """The record as YAML: field order of the model, plain strings where vi == en, no empty fields."""
    data = _clean(nc.model_dump(mode="python", exclude_none=True))
    text = dump_yaml(data, width=100)
    return (f"# yaml-language-server: $schema=../../schemas/nonconformity.schema.json\n"
            f"# Nonconformity {nc.id}: written by `qms nc`; hand edits are validated by `qms check`.\n{text}")


def fsync_parent(path: Path) -> None:
    """Make a deletion in ``path``'s directory durable."""
    fsync_dir(path.parent)


def remove_file(path: Path) -> None:
    """Delete a record file (its content already rewritten elsewhere) and make the deletion durable."""
    path.unlink()
    fsync_parent(path)


def write_record(root: Path, nc: Nonconformity, *, exclusive: bool = False) -> Path:
    """Write ``nc`` atomically to its file; ``exclusive`` refuses to replace an existing file."""
    path = path_for(root, nc.id)
    atomic_write_text(path, to_yaml(nc), exclusive=exclusive)
    if exclusive:  # a new record is a shared document; a rewritten one keeps its mode (atomic write)
        with contextlib.suppress(OSError):
            os.chmod(path, _FILE_MODE)
    return path


# -- reading -------------------------------------------------------------------------


def read_record(root: Path, path: Path) -> Nonconformity:
    """Load and fully validate one record; problems become a located :class:`RecordError`."""
    from qms.store.workspace import FILE_KINDS, load_document  # not needed for listing

    kind = next(k for k in FILE_KINDS if k.name == "nonconformity")
    paths.confined(root, path, NC_DIR)
    doc = load_document(root, path, kind)
    rel = doc.path
    if doc.load_problems:
        p = doc.load_problems[0]
        if p.kind == "syntax" and has_conflict_markers(path):
            raise RecordError(
                _("{path}: the file holds an unresolved git merge conflict").format(path=rel),
                one_record_hint(rel) if conflict_is_one_record(path) else
                _("run `qms nc renumber {id}` to keep both records under distinct ids").format(id=path.stem),
            )
        raise RecordError(f"{rel}:{p.line}:{p.column}: {p.message}", p.hint)
    if doc.model is None:
        if doc.schema_problems:
            sp = doc.schema_problems[0]
            raise RecordError(f"{rel}:{sp.line}:{sp.column}: {sp.message}", sp.hint)
        raise RecordError(_("{path}: not a valid nonconformity record").format(path=rel))  # pragma: no cover
    model = doc.model
    assert isinstance(model, Nonconformity)
    return model


def one_record_hint(rel: str) -> str:
    """How to resolve a conflict between two changes of one record (renumbering would split it in two)."""
    return _("both sides are the same nonconformity, changed in two clones: resolve the conflict by hand (keep "
             "one side, e.g. `git checkout --theirs {path}`, and redo the other side's steps with `qms nc`), "
             "then run `qms check`").format(path=rel)


def parse_text(text: str, where: str) -> Nonconformity:
    """Validate a record given as text (one side of a merge conflict)."""
    try:
        data = yaml.load(text, Loader=_Loader)
        return Nonconformity.model_validate(data)
    except yaml.YAMLError as exc:
        raise RecordError(_("{path}: invalid YAML: {reason}").format(path=where, reason=exc)) from None
    except ValidationError as exc:
        from qms.store.workspace import schema_problems
        from qms.store.yaml_io import load_text

        loaded = load_text(text)
        probs = schema_problems(exc, Nonconformity, loaded.source_map)
        first = probs[0] if probs else None
        if first is None:  # pragma: no cover
            raise RecordError(f"{where}: {exc}") from None
        raise RecordError(f"{where}:{first.line}:{first.column}: {first.message}", first.hint) from None
    except (ValueError, OverflowError, RecursionError) as exc:  # a value PyYAML cannot build: a 61st second, ...
        from qms.store.yaml_io import load_text

        problems = load_text(text).problems
        if problems:
            p = problems[0]
            raise RecordError(f"{where}:{p.line}:{p.column}: {p.message}", p.hint) from None
        raise RecordError(_("{path}: invalid YAML: {reason}").format(path=where, reason=exc)) from None


# -- merge conflicts ----------------------------------------------------------------


def has_conflict_markers(path: Path) -> bool:
    try:
        text = read_yaml_bytes(path).decode("utf-8", errors="replace")
    except (OSError, FileRefused):
        return False
    return _has_markers(text)


def conflict_marker_line(path: Path) -> int | None:
    """The 1-based line of the first ``<<<<<<<`` marker of an unresolved conflict, or None."""
    try:
        text = read_yaml_bytes(path).decode("utf-8", errors="replace")
    except (OSError, FileRefused):
        return None
    return conflict_line_of(text)


def conflict_is_one_record(path: Path) -> bool:
    """Whether both sides of the merge conflict in ``path`` are the same record changed in two clones (they
    share its ``create`` step), rather than two records that were given the same id."""
    try:
        sides = [yaml.load(side, Loader=_Loader) for side in conflict_sides(path)]
    except (OSError, FileRefused, ValueError, yaml.YAMLError):
        return False
    firsts = []
    for data in sides:
        history = data.get("history") if isinstance(data, dict) else None
        if not isinstance(history, list) or not history or not isinstance(history[0], dict):
            return False
        firsts.append(history[0])
    return firsts[0] == firsts[1] and firsts[0].get("transition") == "create"


def _has_markers(text: str) -> bool:
    lines = text.splitlines()
    return any(ln.startswith(_CONFLICT_START) for ln in lines) and any(ln.startswith(_CONFLICT_END) for ln in lines)


def conflict_sides(path: Path) -> tuple[str, str]:
    """The two sides of the record file ``path`` holding conflict markers (ValueError when they are
    incomplete or the file is not UTF-8)."""
    return split_conflict(read_yaml_bytes(path).decode("utf-8"))


def split_conflict(text: str) -> tuple[str, str]:
    """The two sides ("ours", "theirs") of a file with git conflict markers (diff3 style too)."""
    ours: list[str] = []
    theirs: list[str] = []
    state = "both"
    for line in text.splitlines(keepends=True):
        if line.startswith(_CONFLICT_START) and state == "both":
            state = "ours"
        elif line.startswith(_CONFLICT_BASE) and state == "ours":
            state = "base"
        elif line.rstrip("\r\n") == _CONFLICT_MID and state in ("ours", "base"):
            state = "theirs"
        elif line.startswith(_CONFLICT_END) and state == "theirs":
            state = "both"
        elif state == "both":
            ours.append(line)
            theirs.append(line)
        elif state == "ours":
            ours.append(line)
        elif state == "theirs":
            theirs.append(line)
    if state != "both":
        raise ValueError("unterminated conflict block")
    return "".join(ours), "".join(theirs)


# -- audits ---------------------------------------------------------------------------


# -- fast summaries for listing ---------------------------------------------------------


@dataclass(slots=True)
class NcSummary:
    """What ``list``/``stats`` need from a record, read without model validation."""

    file: str
    id: str
    status: str
    process: str
    source: str
    severity: str
    clause: str
    title_vi: str
    title_en: str
    raised_on: str  # ISO date or ""
    closed_on: str
    review_due: str
    next_due: str  # earliest due date of a pending corrective action, or ""
    actions: int
    pending: int
    altered: bool = False  # closed or rejected, and changed since the step that sealed it (QMS513)

    def title(self, lang: str) -> str:
        return (self.title_vi or self.title_en) if lang == "vi" else (self.title_en or self.title_vi)

    def overdue(self, today: dt.date, calendar: WorkingCalendar | None = None) -> bool:
        """A pending corrective action or the effectiveness review is past its date. With the repository
        ``calendar``, a date on a day off runs to the end of the next working day (Civil Code 2015
        Art. 148(5)); without it, the calendar day decides."""
        if self.status in ("closed", "rejected"):
            return False
        due = [self.next_due] + ([self.review_due] if self.status == "implemented" else [])
        day = today.isoformat()
        for text in due:
            if not text or text >= day:
                continue
            if calendar is None or calendar.past_due(dt.date.fromisoformat(text), today):
                return True
        return False


def _iso(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            return ""
    return ""


def _text(value: Any) -> tuple[str, str]:
    if isinstance(value, str):
        return value, value
    if isinstance(value, dict):
        vi, en = value.get("vi"), value.get("en")
        return (vi if isinstance(vi, str) else ""), (en if isinstance(en, str) else "")
    return "", ""


_NC_ID = re.compile(NC_ID_PATTERN)


def _listable(data: dict[str, Any]) -> bool:
    """The fields a listing shows and counts hold values a record can hold (the full check is
    ``qms check``): a record id, a known status, severity and source, a process, a real raised_on date."""
    ident = data.get("id")
    return (isinstance(ident, str) and _NC_ID.match(ident) is not None
            and data.get("status") in STATUSES and data.get("severity") in SEVERITIES
            and data.get("source") in SOURCES
            and isinstance(data.get("process"), str) and bool(data["process"])
            and bool(_iso(data.get("raised_on"))) and any(_text(data.get("title"))))


def summarise(name: str, data: Any) -> NcSummary | None:
    """Summary of a parsed record, or None if it is not a record the register can list."""
    if not isinstance(data, dict) or not _listable(data):
        return None
    vi, en = _text(data.get("title"))
    raw_actions = data.get("actions")
    actions: list[Any] = raw_actions if isinstance(raw_actions, list) else []
    pending_due = sorted(
        d for d in (_iso(a.get("due")) for a in actions if isinstance(a, dict) and a.get("done") is None) if d
    )
    pending = sum(1 for a in actions if isinstance(a, dict) and a.get("done") is None)
    clause = data.get("clause")
    return NcSummary(
        file=name, id=data["id"], status=str(data.get("status", "")), process=str(data.get("process", "")),
        source=str(data.get("source", "")), severity=str(data.get("severity", "")),
        clause="" if clause is None else str(clause), title_vi=vi, title_en=en,
        raised_on=_iso(data.get("raised_on")), closed_on=_iso(data.get("closed_on")),
        review_due=_iso(data.get("review_due")), next_due=pending_due[0] if pending_due else "",
        actions=len(actions), pending=pending,
    )


def _altered(data: dict[str, Any]) -> bool:
    """A sealed closed or rejected record whose content no longer matches its seal. Only records that carry
    a seal are validated (the listing reads the others without validation)."""
    history = data.get("history")
    if not isinstance(history, list) or not any(isinstance(h, dict) and "seal" in h for h in history):
        return False
    try:
        return seal_state(Nonconformity.model_validate(data)) in ("changed", "unsealed_step")
    except (ValidationError, ValueError, TypeError):
        return False  # not a valid record: `qms check` reports it


def _read_index(root: Path) -> dict[str, Any]:
    from qms.store.cache_dir import repository_area

    payload = repository_area(root).read(INDEX_FILE)
    if payload is None:
        return {}
    try:
        data = json.loads(payload.decode("utf-8"))
    except ValueError:
        return {}
    if not isinstance(data, dict) or data.get("version") != INDEX_VERSION:
        return {}
    entries = data.get("entries")
    return entries if isinstance(entries, dict) else {}


def _write_index(root: Path, entries: dict[str, Any]) -> None:
    """Keep the index (a cache that cannot be written just is not kept)."""
    from qms.store.cache_dir import repository_area

    text = json.dumps({"version": INDEX_VERSION, "entries": entries}, ensure_ascii=False)
    repository_area(root).write(INDEX_FILE, text.encode("utf-8"))


def summaries(root: Path, *, use_cache: bool = True) -> tuple[list[NcSummary], list[str]]:
    """Summaries of every record, and the names of files that could not be read as records."""
    directory = nc_dir(root)
    if not directory.is_dir():
        return [], []
    cached = _read_index(root) if use_cache else {}
    fresh: dict[str, Any] = {}
    out: list[NcSummary] = []
    bad: list[str] = []
    names = sorted(e.name for e in os.scandir(directory)
                   if e.name.endswith(".yaml") and not e.name.startswith("."))
    for name in names:
        if paths.escapes(root, directory / name, NC_DIR):
            bad.append(name)  # a link that leads outside the register is never read
            continue
        try:
            raw = read_yaml_bytes(directory / name)
        except (OSError, FileRefused):
            bad.append(name)
            continue
        key = f"{name}:{hashlib.blake2b(raw, digest_size=16).hexdigest()}"
        row = cached.get(key)
        if row is not None and not isinstance(row, dict):
            row = None
        if row:
            try:
                out.append(NcSummary(**row))
            except TypeError:  # an index written by another version
                row = None
            else:
                fresh[key] = row
                continue
        if row is None:
            try:
                data = _fast_data(raw)
                summary = summarise(name, data)
            except yaml.YAMLError:
                summary = None
            if summary is not None and summary.status in FINAL_STATUSES:
                summary.altered = _altered(data)
            row = asdict(summary) if summary is not None else {}
        fresh[key] = row
        if row:
            out.append(NcSummary(**row))
        else:
            bad.append(name)
    if use_cache and fresh.keys() != cached.keys():
        _write_index(root, fresh)
    return out, bad
