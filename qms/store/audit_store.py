"""Reading and writing audit files: ``audits/programme-YYYY.yaml`` and ``audits/AUD-YYYY-NN.yaml``.

Every write is atomic (:mod:`qms.store.atomic`). A new audit file is created exclusively, so two
people planning an audit at the same moment cannot overwrite each other, and the commands that change
an audit hold :func:`audit_lock` from reading it to writing it back, so no change is lost.
"""

from __future__ import annotations

import contextlib
import json
import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from qms.errors import QmsError, RecordNotFound
from qms.i18n import _
from qms.models.audit import Audit, AuditProgramme
from qms.store import paths
from qms.store.atomic import atomic_write_text
from qms.store.limits import current as current_limits
from qms.store.locks import folder_lock
from qms.store.safe_open import FileRefused, read_bounded, read_yaml_bytes
from qms.store.workspace import FILE_KINDS, FileKind, LoadedDoc, load_document
from qms.store.yaml_dump import dump_yaml
from qms.store.yaml_io import load_bytes

AUDITS_DIR = "audits"
NC_DIR = "records/nonconformities"
_AUDIT_FILE = re.compile(r"^AUD-(\d{4})-(\d{2,3})\.yaml$")
_HEADER = "# yaml-language-server: $schema=../schemas/{schema}.schema.json\n"


def programme_path(root: Path, year: int) -> Path:
    return paths.record_path(root, paths.AUDIT_PROGRAMME, year)


def audit_path(root: Path, audit_id: str) -> Path:
    """The file of ``audit_id``: the id is checked first (exit 2 if malformed), the path confined to audits/."""
    return paths.record_path(root, paths.AUDIT, audit_id)


def _kind(name: str) -> FileKind:
    for kind in FILE_KINDS:
        if kind.name == name:
            return kind
    raise AssertionError(f"file kind {name} is not registered")  # pragma: no cover


def _first_problem(doc: LoadedDoc[Any]) -> QmsError | None:
    for lp in doc.load_problems:
        return QmsError(f"{doc.path}:{lp.line}:{lp.column}: {lp.message}", lp.hint)
    for sp in doc.schema_problems:
        return QmsError(f"{doc.path}:{sp.line}:{sp.column}: {sp.message}", sp.hint)
    return None


def _load(root: Path, path: Path, kind_name: str) -> Any:
    doc = load_document(root, path, _kind(kind_name))
    problem = _first_problem(doc)
    if problem is not None:
        problem.hint = problem.hint or _("fix the file, then run `qms check`")
        raise problem
    assert doc.model is not None
    return doc.model


def load_programme(root: Path, year: int) -> AuditProgramme:
    path = programme_path(root, year)
    if not path.is_file():
        raise RecordNotFound(
            _("no audit programme for {year} ({path})").format(year=year, path=path.relative_to(root).as_posix()),
            _("propose one with `qms audit programme --year {year} --write`").format(year=year),
        )
    model = _load(root, path, "audit-programme")
    assert isinstance(model, AuditProgramme)
    return model


def load_audit(root: Path, audit_id: str) -> Audit:
    path = audit_path(root, audit_id)
    audit_id = audit_id.strip()
    if not path.is_file():
        raise RecordNotFound(
            _("audit {id} does not exist").format(id=audit_id), _("list audits with `qms audit list`")
        )
    model = _load(root, path, "audit")
    assert isinstance(model, Audit)
    if model.id != audit_id:
        raise QmsError(
            _("{path} holds audit `{other}`").format(path=path.relative_to(root).as_posix(), other=model.id),
            _("the id inside the file must match its name"),
        )
    return model


def programme_paths(root: Path) -> list[Path]:
    """The audit programme files ``audits/programme-*.yaml``, sorted."""
    return sorted((root / AUDITS_DIR).glob("programme-*.yaml"))


def audit_ids(root: Path) -> list[str]:
    directory = root / AUDITS_DIR
    if not directory.is_dir():
        return []
    return sorted(p.stem for p in directory.iterdir() if _AUDIT_FILE.match(p.name))


def list_audits(root: Path) -> list[Audit]:
    return [load_audit(root, audit_id) for audit_id in audit_ids(root)]


def next_audit_id(root: Path, year: int) -> str:
    """The next audit id of ``year`` that neither an audit file nor any programme uses.

    Programme entries reserve their ids before the audit is planned, so a programme's text is
    searched as well (also when it does not load: an id written there is taken).
    """
    numbers = [int(m.group(2)) for p in audit_ids(root) if (m := _AUDIT_FILE.match(p + ".yaml"))
               and int(m.group(1)) == year]
    directory = root / AUDITS_DIR
    if directory.is_dir():
        mention = re.compile(rf"\bAUD-{year}-(\d{{2,3}})\b")
        for path in sorted(directory.glob("programme-*.yaml")):
            try:
                text = read_bounded(path, current_limits().yaml_size, "yaml_size", root).decode("utf-8", "replace")
            except FileRefused:
                continue
            numbers.extend(int(m.group(1)) for m in mention.finditer(text))
    return f"AUD-{year}-{(max(numbers, default=0) + 1):02d}"


# -- serialisation -------------------------------------------------------------------------------

_KEEP = frozenset({"state", "processes", "auditors", "month"})


def _prune(value: Any, key: str = "") -> Any:
    """Drop empty values so that the file stays short and hand-editable; plain text when vi == en."""
    if isinstance(value, dict):
        if set(value) == {"vi", "en"} and value["vi"] == value["en"]:
            return value["vi"]
        out = {}
        for k, v in value.items():
            pv = _prune(v, k)
            if k not in _KEEP and (pv is None or pv == "" or pv == [] or pv == {}):
                continue
            out[k] = pv
        return out
    if isinstance(value, list):
        return [_prune(v) for v in value]
    return value


def to_yaml(model: BaseModel, schema: str) -> str:
    data = _prune(model.model_dump(mode="python", by_alias=True))
    body = dump_yaml(data, width=110)
    return _HEADER.format(schema=schema) + body


def save_programme(root: Path, programme: AuditProgramme) -> Path:
    path = programme_path(root, programme.year)
    atomic_write_text(path, to_yaml(programme, "audit-programme"))
    return path


def audit_lock(root: Path) -> contextlib.AbstractContextManager[None]:
    """Serialise the commands that read, change and write back an audit (``audits/.lock``)."""
    return folder_lock(root, AUDITS_DIR)


def save_audit(root: Path, audit: Audit, *, new: bool = False) -> Path:
    path = audit_path(root, audit.id)
    # Fields set by assignment (a result's evidence, a reassigned auditor) skip the model's validators:
    # validate once more so that text typed in decomposed Unicode (NFD) is written as NFC like the rest.
    audit = Audit.model_validate(audit.model_dump(mode="python", by_alias=True))
    text = to_yaml(audit, "audit")
    # Round-trip before writing: what we write must load back as the same audit.
    loaded = load_bytes(text.encode("utf-8"))
    assert Audit.model_validate(loaded.data) == audit
    try:
        atomic_write_text(path, text, exclusive=new)
    except FileExistsError:
        raise QmsError(_("audit {id} already exists").format(id=audit.id),
                       _("choose another audit id")) from None
    return path


# -- inputs owned by other modules ---------------------------------------------------------------


def nonconformity_files(root: Path) -> dict[str, dict[str, Any]]:
    """Raw fields of every nonconformity record, keyed by id (file stem). Unreadable files are skipped:
    reporting them is the register's job."""
    directory = root / NC_DIR
    out: dict[str, dict[str, Any]] = {}
    if not directory.is_dir():
        return out
    for path in paths.listed(root, sorted(directory.glob("NC-*.yaml")), NC_DIR)[0]:
        try:
            loaded = load_bytes(read_yaml_bytes(path))
        except (OSError, FileRefused):
            continue
        out[path.stem] = loaded.data if isinstance(loaded.data, dict) else {}
    return out


def load_kpi_json(path: Path) -> dict[str, int]:
    """Late dossiers per procedure from ``qms kpi report --format json --by procedure``.

    A dossier counts as late when it was resolved late or is still open past its due date.
    """
    try:
        data = json.loads(read_yaml_bytes(path).decode("utf-8"))  # bounded like a YAML input
    except OSError as exc:
        raise QmsError(_("cannot read {path}: {reason}").format(path=path, reason=exc.strerror or exc),
                       _("check the path given to --kpi-json")) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise QmsError(_("{path} is not JSON: {reason}").format(path=path, reason=exc),
                       _("produce it with `qms kpi report LOGS --by procedure --format json`")) from None
    rows = data.get("breakdown") if isinstance(data, dict) else None
    if not isinstance(rows, list) or (isinstance(data, dict) and data.get("by") not in (None, "procedure")):
        raise QmsError(_("{path} has no per-procedure breakdown").format(path=path),
                       _("produce it with `qms kpi report LOGS --by procedure --format json`"))
    late: dict[str, int] = {}
    for row in rows:
        if not isinstance(row, dict) or not isinstance(row.get("key"), str):
            continue
        count = 0
        for name in ("late", "overdue_in_progress"):
            value = row.get(name)
            if isinstance(value, int) and not isinstance(value, bool) and value > 0:
                count += value
        late[row["key"].strip()] = late.get(row["key"].strip(), 0) + count
    return late
