"""People who leave: hand their open work to a successor (``qms people reassign OLD NEW``).

Open work is what is still to be done by a person:

* the owner of a corrective action not yet done, on a nonconformity that is neither closed nor
  rejected (one ``reassign`` history entry per action, with the old and new owner);
* the lead or a team member of an audit that is planned or in progress (a note in the audit's
  history), and the auditors of programme entries whose audit is not planned yet or not reported;
* the preparer (``prepared_by``) of a controlled document whose current revision is a draft or in
  review. Process owners are roles, not people, and stay as they are.

Closed records are evidence and keep the old name, as do reported audits (their report names who
audited; what is left is the findings' follow-up, which the nonconformities carry). Everything is
planned first and checked (the successor exists; audit roles go to an auditor only), then written
file by file through the stores, each file atomically; with ``dry_run`` nothing is written. From reading to writing, the audits' lock and
the register's lock are held, as the audit and ``qms nc`` commands hold them.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qms.analysis.people import Directory, same_person
from qms.errors import QmsError, UsageError
from qms.i18n import _
from qms.models.audit import StateChange
from qms.models.common import Text, recorded_now
from qms.models.nonconformity import FINAL_STATUSES, Nonconformity
from qms.models.organisation import Person
from qms.store import audit_store, nc_store
from qms.store.safe_open import FileRefused


@dataclass(frozen=True, slots=True)
class Change:
    """One field of one file that moves (or would move) from the person leaving to the successor."""

    path: str  # repository-relative file
    record: str  # NC id, audit id, programme year or document code
    field: str  # e.g. actions/CA-1/owner, plan/lead, document/prepared_by
    old: str
    new: str


@dataclass(slots=True)
class Result:
    changes: list[Change]
    skipped: list[str]  # files or documents left alone, with why (for the command to print)


def _successor(directory: Directory, new: str) -> Person:
    person = directory.person(new)
    if person is None:
        raise UsageError(_("nobody called `{name}` is in organisation.people").format(name=new.strip()),
                         _("the successor must be a person of qms.yaml (closest: {known})").format(
                             known=", ".join(directory.suggestions(new)) or "-"))
    return person


def _names(directory: Directory, old: str) -> list[str]:
    """The spellings that name the person leaving: their id and name, or the text given."""
    text = unicodedata.normalize("NFC", old).strip()
    if not text:
        raise UsageError(_("give the person who leaves (an id or a name)"))
    person = directory.person(text)
    return [person.id, person.name] if person is not None else [text]


def _is(value: str | None, names: list[str]) -> bool:
    return any(same_person(value, n) for n in names)


def reassign(root: Path, old: str, new: str, *, by: str | None = None, today: dt.date | None = None,
             dry_run: bool = False) -> Result:
    """Move the open work of ``old`` to ``new``; returns what changed (or would change)."""
    from qms.registers import nc as nc_reg
    from qms.store.workspace import load_manifest

    root = root.resolve()
    manifest = load_manifest(root)
    directory = Directory.of(manifest)
    successor = _successor(directory, new)
    names = _names(directory, old)
    if _is(successor.id, names) or _is(successor.name, names):
        raise UsageError(_("`{old}` and `{new}` are the same person").format(old=old.strip(), new=new.strip()),
                         _("name the successor as the second argument"))
    day = today or dt.date.today()
    actor = "" if dry_run else nc_reg.resolve_actor(root, by)
    if dry_run:
        return _run(root, names, successor, directory, day, actor, dry_run=True)
    # the same locks, in the same order, as the audit commands (audits, then the register; a finding opens
    # a nonconformity), held from reading the files to writing them back: no finding or step recorded
    # meanwhile is overwritten with a stale copy
    with audit_store.audit_lock(root), nc_store.register_lock(root, create=False):
        return _run(root, names, successor, directory, day, actor, dry_run=False)


def _run(root: Path, names: list[str], successor: Person, directory: Directory, day: dt.date, actor: str, *,
         dry_run: bool) -> Result:
    result = Result([], [])
    nc_plan = _plan_ncs(root, names, successor, result, day)
    audit_plan = _plan_audits(root, names, successor, result, day)
    doc_plan = _plan_documents(root, names, successor, result)
    if (audit_plan[0] or audit_plan[1]) and not successor.auditor:
        raise UsageError(_("{name} is not an auditor and cannot take over audit roles").format(
            name=successor.name), _("mark trained auditors with `auditor: true` in qms.yaml"))
    if dry_run:
        return result
    for nc_id, action_ids, old_owner in nc_plan:
        for action_id in action_ids:
            _reassign_action(root, nc_id, action_id, old_owner[action_id], successor.name, actor, day)
    _write_audits(root, audit_plan, names, successor, actor, day)
    role = directory.roles.get(successor.role or "")
    _write_documents(root, doc_plan, successor, role.title if role is not None else None)
    return result


# -- nonconformities ------------------------------------------------------------------------------


def _plan_ncs(root: Path, names: list[str], successor: Person, result: Result,
              day: dt.date) -> list[tuple[str, list[str], dict[str, str]]]:
    out: list[tuple[str, list[str], dict[str, str]]] = []
    for path in nc_store.record_paths(root):
        rel = path.relative_to(root).as_posix()
        try:
            nc: Nonconformity = nc_store.read_record(root, path)
        except (QmsError, OSError, FileRefused):
            result.skipped.append(_("{path}: not a readable record; run `qms check`").format(path=rel))
            continue
        if nc.status in FINAL_STATUSES:
            continue  # closed records are evidence: they keep the old name
        ids: list[str] = []
        owners: dict[str, str] = {}
        for action in nc.actions:
            if action.done is None and _is(action.owner, names):
                ids.append(action.id)
                owners[action.id] = action.owner
                result.changes.append(Change(rel, nc.id, f"actions/{action.id}/owner", action.owner,
                                             successor.name))
        if ids:
            last = nc.history[-1].day if nc.history else nc.raised_on
            if day < last:  # refused before anything is written, not half-way through
                raise UsageError(_("the date {date} is before the last step of {id} ({floor})").format(
                    date=day.isoformat(), id=nc.id, floor=last.isoformat()),
                    _("give a date on or after {floor}").format(floor=last.isoformat()))
            out.append((nc.id, ids, owners))
    return out


def _reassign_action(root: Path, nc_id: str, action_id: str, old_owner: str, new_owner: str, actor: str,
                     day: dt.date) -> None:
    from qms.registers.nc import transition

    field = f"actions/{action_id}/owner"

    def apply(nc: Nonconformity, _day: dt.date, _actor: str) -> str:
        for action in nc.actions:
            if action.id == action_id:
                action.owner = new_owner
        return nc.status

    transition(root, nc_id, "reassign", apply, by=actor, today=day,
               note=_("{old} left; open action handed to {new}").format(old=old_owner, new=new_owner),
               details={"field": field, "old": old_owner, "new": new_owner}, locked=True)


# -- audits ---------------------------------------------------------------------------------------


#: (audits to rewrite, programmes to rewrite, ids of audits done)
AuditPlanT = tuple[list[Any], list[Any], set[str]]
#: audits whose roles are evidence: reported (the report names who audited) and closed
_DONE_AUDITS = ("reported", "closed")


def _swap(ids: list[str], names: list[str], new_id: str) -> list[str]:
    out: list[str] = []
    for value in ids:
        value = new_id if _is(value, names) else value
        if value not in out:
            out.append(value)
    return out


def _plan_audits(root: Path, names: list[str], successor: Person, result: Result,
                 day: dt.date) -> AuditPlanT:
    audits: list[Any] = []
    state: dict[str, str] = {}
    for audit_id in audit_store.audit_ids(root):
        rel = audit_store.audit_path(root, audit_id).relative_to(root).as_posix()
        try:
            audit = audit_store.load_audit(root, audit_id)
        except (QmsError, OSError, FileRefused):
            result.skipped.append(_("{path}: not a readable audit; run `qms check`").format(path=rel))
            continue
        state[audit.id] = audit.state
        if audit.state in _DONE_AUDITS:
            plan = audit.plan
            if audit.state == "reported" and any(_is(x, names) for x in [plan.lead, *plan.team]):
                # what is left of a reported audit is its findings' follow-up, which the nonconformities carry
                result.skipped.append(_("{id}: reported; its report names who audited, so the lead and team "
                                        "keep their names").format(id=audit.id))
            continue
        plan = audit.plan
        touched = False
        if _is(plan.lead, names):
            result.changes.append(Change(rel, audit.id, "plan/lead", plan.lead, successor.id))
            touched = True
        for member in plan.team:
            if _is(member, names):
                result.changes.append(Change(rel, audit.id, "plan/team", member, successor.id))
                touched = True
        for i, item in enumerate(plan.agenda):
            for who in item.who:
                if _is(who, names):
                    result.changes.append(Change(rel, audit.id, f"plan/agenda/{i}/who", who, successor.id))
                    touched = True
        if touched:
            last = max((h.date for h in audit.history), default=None)
            if last is not None and day < last:  # the hand-over is recorded on its own day, never moved
                raise UsageError(_("the date {date} is before the last step of {id} ({floor})").format(
                    date=day.isoformat(), id=audit.id, floor=last.isoformat()),
                    _("give a date on or after {floor}").format(floor=last.isoformat()))
            audits.append(audit)
    programmes: list[Any] = []
    for path in audit_store.programme_paths(root):
        rel = path.relative_to(root).as_posix()
        try:
            year = int(path.stem.removeprefix("programme-"))
            programme = audit_store.load_programme(root, year)
        except (ValueError, QmsError, OSError, FileRefused):
            result.skipped.append(_("{path}: not a readable audit programme; run `qms check`").format(path=rel))
            continue
        touched = False
        for i, entry in enumerate(programme.audits):
            if entry.id and state.get(entry.id) in _DONE_AUDITS:
                continue
            for who in entry.auditors:
                if _is(who, names):
                    result.changes.append(Change(rel, entry.id or str(programme.year), f"audits/{i}/auditors",
                                                 who, successor.id))
                    touched = True
        if touched:
            programmes.append(programme)
    return audits, programmes, {k for k, v in state.items() if v in _DONE_AUDITS}


def _write_audits(root: Path, plan: AuditPlanT, names: list[str], successor: Person, actor: str,
                  day: dt.date) -> None:
    audits, programmes, closed = plan
    for audit in audits:
        p = audit.plan
        leaving = sorted({x for x in [p.lead, *p.team, *(w for i in p.agenda for w in i.who)] if _is(x, names)})
        if _is(p.lead, names):
            p.lead = successor.id
        p.team = [t for t in _swap(list(p.team), names, successor.id) if t != p.lead]
        for item in p.agenda:
            item.who = _swap(list(item.who), names, successor.id)
        last = max((h.date for h in audit.history), default=day)
        audit.history.append(StateChange(
            state=audit.state, date=max(day, last), recorded_at=recorded_now(), by=actor,
            note=_("audit roles of {old} handed to {new}").format(old=", ".join(leaving), new=successor.id)))
        audit_store.save_audit(root, audit)
    for programme in programmes:
        for entry in programme.audits:
            if not entry.id or entry.id not in closed:
                entry.auditors = _swap(list(entry.auditors), names, successor.id)
        audit_store.save_programme(root, programme)


# -- documents ------------------------------------------------------------------------------------


def _plan_documents(root: Path, names: list[str], successor: Person, result: Result) -> list[Any]:
    from qms.doccontrol.catalog import collect
    from qms.store.workspace import load_workspace

    ws = load_workspace(root)
    out: list[Any] = []
    seen: set[tuple[str, str]] = set()
    for doc in collect(ws):
        control = doc.control
        if control is None or not doc.pointer or (doc.path, doc.pointer) in seen:
            continue
        seen.add((doc.path, doc.pointer))
        if control.state not in ("draft", "in_review") or control.prepared_by is None:
            continue
        if not _is(control.prepared_by.name, names):
            continue
        reviewer = control.reviewed_by.name if control.reviewed_by else ""
        if control.state == "in_review" and same_person(reviewer, successor.name):
            result.skipped.append(_("{code}: {name} reviewed this revision and cannot also be its preparer").format(
                code=control.code, name=successor.name))
            continue
        result.changes.append(Change(doc.path, control.code, f"{doc.pointer.strip('/')}/prepared_by",
                                     control.prepared_by.name, successor.name))
        out.append(doc)
    return out


def _write_documents(root: Path, docs: list[Any], successor: Person, title: Text | None) -> None:
    """Name the successor as preparer; a title written there becomes the successor's role title."""
    from ruamel.yaml.comments import CommentedMap

    from qms.store.paths import confined
    from qms.store.yaml_edit import edit_yaml_file, flow_map, resolve, set_key

    for doc in docs:
        def mutate(data: Any, pointer: str = doc.pointer) -> None:
            block = resolve(data, pointer)
            signatory = block.get("prepared_by") if isinstance(block, CommentedMap) else None
            if isinstance(signatory, CommentedMap):
                set_key(signatory, "name", successor.name)
                if "role" in signatory and successor.role:
                    set_key(signatory, "role", successor.role)
                if "title" in signatory:
                    if title is None:
                        del signatory["title"]
                    else:
                        set_key(signatory, "title", flow_map({"vi": title.vi, "en": title.en}))
        edit_yaml_file(confined(root, root / doc.path), mutate)
