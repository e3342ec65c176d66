"""The audit lifecycle: plan → checklist → fieldwork (record, finding) → report → close.

States: ``planned`` → ``in_progress`` → ``reported`` → ``closed``. A command that the state does not
allow raises :class:`~qms.errors.InvalidTransition` before anything is written. A major or minor
finding opens a nonconformity in the register (``qms.registers.nc``), and the two are linked both
ways: the finding records the NC id, the NC records the audit and the finding.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Concatenate, ParamSpec, TypeVar, cast

from qms.analysis.audit import conflict
from qms.analysis.ids import closest_first, did_you_mean, match_id
from qms.analysis.people import Directory
from qms.auditing import checklist as checklist_mod
from qms.auditing.documents import STATE_LABELS
from qms.errors import InvalidTransition, QmsError, UsageError
from qms.i18n import _, format_date
from qms.models.audit import (
    TRANSITIONS,
    AgendaItem,
    Audit,
    AuditPlan,
    AuditReport,
    Finding,
    ItemResult,
    StateChange,
)
from qms.models.common import Text, recorded_now
from qms.models.organisation import Manifest, Person
from qms.standards import catalogue, normalise_clause
from qms.store import audit_store
from qms.store.workspace import Workspace, load_manifest, load_workspace

ITEM_RESULTS = ("conforming", "nonconforming", "observation", "not_audited")
GRADES = ("major", "minor", "observation", "ofi")
GRADE_ALIASES = {
    "major": "major", "major_nc": "major", "minor": "minor", "minor_nc": "minor",
    "observation": "observation", "obs": "observation", "ofi": "ofi", "opportunity": "ofi",
}


_P = ParamSpec("_P")
_R = TypeVar("_R")


def _locked(fn: Callable[Concatenate[Path, _P], _R]) -> Callable[Concatenate[Path, _P], _R]:
    """Run a command that changes an audit under the audits' lock: two auditors recording at the same
    moment each read the other's change before writing theirs."""

    @functools.wraps(fn)
    def run(root: Path, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        ident = args[0] if args else kwargs.get("audit_id")
        if isinstance(ident, str):
            audit_store.audit_path(root, ident)  # a malformed id is refused before anything is created
        with audit_store.audit_lock(root):
            return fn(root, *args, **kwargs)

    return run


def _workspace(root: Path) -> tuple[Workspace, Manifest]:
    ws = load_workspace(root)
    if ws.manifest is None:
        raise QmsError(_("qms.yaml cannot be read"), _("run `qms check` and fix qms.yaml first"))
    return ws, ws.manifest


def _unknown(what: str, value: str, known: Sequence[str]) -> UsageError:
    close = did_you_mean(value, known)
    hint = (_("did you mean `{value}`?").format(value=close) if close
            else _("known: {choices}").format(choices=", ".join(closest_first(value, known)) or "-"))
    return UsageError(_("unknown {what} `{value}`").format(what=what, value=value), hint)


def _person(directory: Directory, pid: str, *, auditor: bool = False) -> Person:
    person = directory.people.get(pid)
    if person is None:
        raise _unknown(_("person"), pid, sorted(directory.people))
    if auditor and not person.auditor:
        raise UsageError(_("`{id}` is not an auditor").format(id=pid),
                         _("mark trained auditors with `auditor: true` in qms.yaml"))
    return person


def _auditor_id(root: Path, by: str | None) -> str | None:
    """The person id ``--by`` names (an id or a name; an unknown one is refused with the closest names,
    ``Directory.actor``); as given when qms.yaml lists no people."""
    if by is None or not by.strip():
        return by
    person = Directory.of(load_manifest(root)).actor(by)
    return person.id if person is not None else by.strip()


def _actor(root: Path, by: str) -> str:
    """Who planned or closed an audit, checked like every ``--by`` (``Directory.actor_name``)."""
    return Directory.of(load_manifest(root)).actor_name(by) if by.strip() else ""


def _party_id(directory: Directory, value: str, unknown: str) -> str:
    """A person (id or name), role or unit of qms.yaml, as its id (a typo would print as a raw id);
    ``unknown``: the message when it is none of them."""
    kind = directory.party(value)
    if kind is None:
        raise UsageError(unknown, _("name a person, role or unit from qms.yaml (closest: {known})").format(
            known=", ".join(directory.suggestions(value, ("person", "role", "unit")))))
    person = directory.person(value) if kind == "person" else None
    return person.id if person is not None else value.strip()


def _auditee(directory: Directory, value: str) -> str:
    return _party_id(directory, value, _("auditee `{name}` is neither a person nor a role or unit of qms.yaml").format(
        name=value))


def _clause(value: str) -> str:
    cid = normalise_clause(value)
    if cid not in catalogue("2015"):
        raise _unknown(_("ISO 9001:2015 clause"), value, list(catalogue("2015")))
    return cid


def _refuse(audit: Audit, action: str, allowed: Sequence[str]) -> InvalidTransition:
    return InvalidTransition(
        _("cannot {action} audit {id}: it is {state}").format(action=action, id=audit.id,
                                                              state=_(STATE_LABELS[audit.state])),
        _("this is allowed when the audit is {states}").format(states=" / ".join(_(STATE_LABELS[s]) for s in allowed)),
    )


def _not_before_audit(audit: Audit, day: dt.date) -> None:
    """Fieldwork (a result, a finding) happens on or after the audit date of the plan."""
    if day < audit.plan.date:
        raise UsageError(
            _("the date {day} is before the audit date {audit_day} of {id}").format(
                day=format_date(day), audit_day=format_date(audit.plan.date), id=audit.id),
            _("give --date on or after the audit date (for work done earlier, move the plan's date)"))


def _move(audit: Audit, state: str, day: dt.date, by: str) -> None:
    if state == audit.state:
        return
    if state not in TRANSITIONS[audit.state]:  # pragma: no cover - callers refuse first
        raise InvalidTransition(f"{audit.state} → {state}")
    audit.state = state  # type: ignore[assignment]
    audit.history.append(StateChange(state=state, date=day, recorded_at=recorded_now(), by=by))


# -- plan ----------------------------------------------------------------------------------------


@_locked  # two audits planned at the same moment get two ids; nothing reads the audits half-written
def plan(
    root: Path,
    *,
    date: dt.date,
    audit_id: str | None = None,
    processes: Sequence[str] = (),
    clauses: Sequence[str] = (),
    lead: str | None = None,
    team: Sequence[str] = (),
    auditees: Sequence[str] = (),
    scope: str | None = None,
    criteria: Sequence[str] = (),
    end_date: dt.date | None = None,
    by: str = "",
    today: dt.date | None = None,
) -> Audit:
    """Create ``audits/AUD-YYYY-NN.yaml`` in state ``planned``.

    When ``audit_id`` names an audit of the programme of its year, its processes, clauses and
    auditors are the defaults.
    """
    ws, manifest = _workspace(root)
    year = date.year
    ident = (audit_id or audit_store.next_audit_id(root, year)).strip()
    if audit_store.audit_path(root, ident).exists():  # checks the id's form first
        raise QmsError(_("audit {id} already exists").format(id=ident), _("show it with `qms audit show {id}`")
                       .format(id=ident))
    id_year = int(ident.split("-")[1])
    if id_year != year:  # AUD-2027-05 planned on 20/11/2026 would be filed under the wrong programme
        raise UsageError(
            _("audit {id} belongs to {id_year} but its date {day} is in {year}").format(
                id=ident, id_year=id_year, day=format_date(date), year=year),
            _("give a date in {id_year} (--date), or leave out the id to get the next free id of {year}").format(
                id_year=id_year, year=year))
    entry = None
    if audit_id and audit_store.programme_path(root, id_year).is_file():
        prog = audit_store.load_programme(root, id_year)
        entry = next((a for a in prog.audits if a.id == ident), None)
    procs = list(processes) or (list(entry.processes) if entry else [])
    extra = [_clause(c) for c in clauses] if clauses or processes else (list(entry.clauses) if entry else [])
    auditors = ([lead] if lead else []) + list(team)
    if not auditors and entry:
        auditors = list(entry.auditors)
    if not procs and not extra and audit_id and entry is None:
        raise UsageError(_("audit {id} is not in the audit programme of {year}").format(id=ident, year=year),
                         _("see the programme with `qms audit programme --year {year} --from-file`, or give its "
                           "scope with --process (repeatable) or --clause").format(year=year))
    if not procs and not extra:
        raise UsageError(_("the audit has no scope"), _("give --process (repeatable) or --clause"))
    if not auditors:
        raise UsageError(_("the audit has no auditor"), _("give --lead PERSON (and --team PERSON)"))
    known = ws.process_by_id()
    for i, pid in enumerate(procs):
        found = match_id(pid, known)
        if found is None:
            raise _unknown(_("process"), pid, sorted(known))
        procs[i] = found
    scope_procs = [known[p][1] for p in procs]
    directory = Directory.of(manifest)
    for pid in dict.fromkeys(auditors):
        person = _person(directory, pid, auditor=True)
        why = conflict(person, manifest, scope_procs, bool(extra), directory)
        if why:
            raise UsageError(_("auditor `{id}` would audit their own work: {why}").format(id=pid, why=why),
                             _("choose an auditor from another unit (ISO 9001 9.2.2 c)"))
    if end_date is not None and end_date < date:
        raise UsageError(_("the end date is before the audit date"))
    lang_pairs = [(p.title.vi, p.title.en) for p in scope_procs]
    if scope:
        scope_text = Text(vi=scope, en=scope)
    else:
        vi = "; ".join(f"{p.id} {t[0]}" for p, t in zip(scope_procs, lang_pairs, strict=True))
        en = "; ".join(f"{p.id} {t[1]}" for p, t in zip(scope_procs, lang_pairs, strict=True))
        if extra:
            vi = (vi + "; " if vi else "") + "các điều khoản " + ", ".join(extra)
            en = (en + "; " if en else "") + "clauses " + ", ".join(extra)
        scope_text = Text(vi=vi, en=en)
    crit = [Text(vi=c, en=c) for c in criteria] or _default_criteria(scope_procs)
    who = [_auditee(directory, a) for a in auditees] or _default_auditees(scope_procs, manifest, bool(extra))
    lead_id, *rest = list(dict.fromkeys(auditors))
    audit = Audit(
        id=ident,
        state="planned",
        programme=year if entry else None,
        plan=AuditPlan(
            objectives=Text(
                vi="Xác định mức độ phù hợp của các quá trình với TCVN ISO 9001:2015, quy trình và yêu cầu pháp luật; "
                   "xác định cơ hội cải tiến.",
                en="Determine whether the processes conform to ISO 9001:2015, the documented procedures and legal "
                   "requirements, and identify opportunities for improvement."),
            scope=scope_text, processes=procs, clauses=extra, criteria=crit, date=date, end_date=end_date,
            lead=lead_id, team=rest, auditees=who, agenda=_default_agenda(scope_procs, extra, lead_id, rest)),
        history=[StateChange(state="planned", date=today or dt.date.today(), recorded_at=recorded_now(),
                             by=directory.actor_name(by) if by.strip() else "")],
    )
    audit_store.save_audit(root, audit, new=True)
    return audit


def _default_criteria(procs: Sequence[object]) -> list[Text]:
    from qms.models.process import Process

    out = [Text(vi="TCVN ISO 9001:2015", en="ISO 9001:2015 (TCVN ISO 9001:2015)"),
           Text(vi="Sổ tay chất lượng và chính sách, mục tiêu chất lượng",
                en="Quality manual, quality policy and objectives")]
    for p in procs:
        assert isinstance(p, Process)
        out.append(Text(vi=f"Quy trình {p.document.code} lần ban hành {p.document.revision}",
                        en=f"Procedure {p.document.code} issue {p.document.revision}"))
        for r in p.references:
            if r.legal_basis:
                out.append(Text(vi=r.id, en=r.id))
    unique: dict[str, Text] = {}
    for t in out:
        unique.setdefault(t.en, t)
    return list(unique.values())


def _default_auditees(procs: Sequence[object], manifest: Manifest, system: bool) -> list[str]:
    from qms.analysis.audit import system_auditees
    from qms.models.process import Process

    out: list[str] = []
    for p in procs:
        assert isinstance(p, Process)
        out.extend([p.owner, p.unit])
    if system:
        sa = system_auditees(manifest)
        out.extend([*sa.roles, *sa.units])
    return list(dict.fromkeys(out))


def _default_agenda(procs: Sequence[object], clauses: Sequence[str], lead: str, team: Sequence[str]) -> list[AgendaItem]:
    from qms.models.process import Process

    everyone = [lead, *team]
    items = [AgendaItem(time="08:00-08:30", activity=Text(vi="Họp khai mạc", en="Opening meeting"), who=everyone)]
    hour = 8.5
    for p in procs:
        assert isinstance(p, Process)
        start, hour = hour, hour + 1.5
        items.append(AgendaItem(time=f"{_hhmm(start)}-{_hhmm(hour)}",
                                activity=Text(vi=f"Đánh giá quá trình {p.id} {p.title.vi}",
                                              en=f"Audit of process {p.id} {p.title.en}"), who=everyone))
    if clauses:
        start, hour = hour, hour + 1.5
        items.append(AgendaItem(time=f"{_hhmm(start)}-{_hhmm(hour)}",
                                activity=Text(vi="Đánh giá các điều khoản cấp hệ thống " + ", ".join(clauses),
                                              en="Audit of system-level clauses " + ", ".join(clauses)),
                                who=everyone))
    items.append(AgendaItem(time=f"{_hhmm(hour)}-{_hhmm(hour + 0.5)}",
                            activity=Text(vi="Chuyên gia đánh giá thống nhất phát hiện", en="Auditors agree findings"),
                            who=everyone))
    items.append(AgendaItem(time=f"{_hhmm(hour + 0.5)}-{_hhmm(hour + 1)}",
                            activity=Text(vi="Họp kết thúc", en="Closing meeting"), who=everyone))
    return items


def _hhmm(hours: float) -> str:
    h = int(hours)
    return f"{h:02d}:{round((hours - h) * 60):02d}"


# -- checklist -----------------------------------------------------------------------------------


@_locked
def make_checklist(root: Path, audit_id: str, *, force: bool = False) -> Audit:
    audit = audit_store.load_audit(root, audit_id)
    if audit.state not in ("planned", "in_progress"):
        raise _refuse(audit, _("regenerate the checklist of"), ("planned", "in_progress"))
    if audit.checklist and not force:
        recorded = sum(1 for i in audit.checklist if i.result is not None)
        raise InvalidTransition(
            _("audit {id} already has a checklist ({n} items, {r} with results)").format(
                id=audit.id, n=len(audit.checklist), r=recorded),
            _("pass --force to replace it (recorded results are lost)"))
    ws, _m = _workspace(root)
    audit.checklist = checklist_mod.generate(ws, audit.plan)
    if not audit.checklist:
        raise QmsError(_("no checklist questions could be generated for {id}").format(id=audit.id),
                       _("check that the audited processes exist and list their clauses"))
    audit_store.save_audit(root, audit)
    return audit


# -- fieldwork -----------------------------------------------------------------------------------


@_locked
def record(root: Path, audit_id: str, item_ids: Sequence[str] | str, *, result: str, evidence: str = "",
           by: str | None = None, day: dt.date | None = None, remaining: bool = False) -> Audit:
    """Record one result for the given checklist items (or for every item still without a result)."""
    audit = audit_store.load_audit(root, audit_id)
    if audit.state not in ("planned", "in_progress"):
        raise _refuse(audit, _("record results in"), ("planned", "in_progress"))
    if result not in ITEM_RESULTS:
        raise _unknown(_("result"), result, ITEM_RESULTS)
    if not audit.checklist:
        raise UsageError(_("audit {id} has no checklist").format(id=audit.id),
                         _("generate it with `qms audit checklist {id}`").format(id=audit.id))
    by = _auditor_id(root, by)
    wanted = [item_ids] if isinstance(item_ids, str) else list(item_ids)
    items = [i for i in audit.checklist if i.result is None] if remaining else []
    for item_id in wanted:
        item = audit.item(item_id)
        if item is None:
            raise _unknown(_("checklist item"), item_id, [i.id for i in audit.checklist])
        items.append(item)
    if not items:
        raise UsageError(_("no checklist item given"), _("name items (Q01 Q02 ...) or pass --remaining"))
    if result != "not_audited" and not evidence.strip():
        raise UsageError(_("evidence is required for a `{result}` result").format(result=result),
                         _("say what was seen: documents, records, sample ids, interviews"))
    if by and by not in audit.plan.auditors:
        raise UsageError(_("`{id}` is not on the audit team of {audit}").format(id=by, audit=audit.id),
                         _("the team is: {team}").format(team=", ".join(audit.plan.auditors)))
    when = day or dt.date.today()
    _not_before_audit(audit, when)
    for item in items:
        item.result = cast(ItemResult, result)
        item.evidence = evidence.strip()
        item.auditor = by
        item.date = when
    _move(audit, "in_progress", when, by or "")
    audit_store.save_audit(root, audit)
    return audit


@_locked
def add_finding(
    root: Path,
    audit_id: str,
    *,
    grade: str,
    statement: str,
    clause: str | None = None,
    process: str | None = None,
    evidence: str = "",
    item: str | None = None,
    by: str | None = None,
    day: dt.date | None = None,
    statement_en: str = "",
) -> tuple[Audit, Finding]:
    """Add a finding; a major or minor one opens a nonconformity linked both ways.

    ``statement`` is in the organisation's language; ``statement_en`` optionally gives the English text
    (without it the one statement stands for both languages).
    """
    audit = audit_store.load_audit(root, audit_id)
    if audit.state not in ("planned", "in_progress"):
        raise _refuse(audit, _("add a finding to"), ("planned", "in_progress"))
    g = GRADE_ALIASES.get(grade.strip().lower().replace("-", "_"))
    if g is None:
        raise _unknown(_("grade"), grade, GRADES)
    if not statement.strip():
        raise UsageError(_("the finding needs a statement"), _("describe what was found against which requirement"))
    ws, manifest = _workspace(root)
    by = _auditor_id(root, by)
    linked = audit.item(item) if item else None
    if item and linked is None:
        raise _unknown(_("checklist item"), item, [i.id for i in audit.checklist])
    cid = _clause(clause) if clause else (linked.clause if linked and linked.clause else "")
    pid = process or (linked.process if linked else None)
    if pid is None and len(audit.plan.processes) == 1:
        pid = audit.plan.processes[0]
    if pid is not None and pid not in ws.process_by_id():
        raise _unknown(_("process"), pid, sorted(ws.process_by_id()))
    if pid is not None and audit.plan.processes and pid not in audit.plan.processes:
        raise UsageError(_("process {p} is not in the scope of {id}").format(p=pid, id=audit.id),
                         _("the scope is: {s}").format(s=", ".join(audit.plan.processes)))
    if by is not None:
        if by not in audit.plan.auditors:
            raise UsageError(_("`{id}` is not on the audit team of {audit}").format(id=by, audit=audit.id),
                             _("the team is: {team}").format(team=", ".join(audit.plan.auditors)))
        raiser = _person(Directory.of(manifest), by).name
    else:
        raiser = _person(Directory.of(manifest), audit.plan.lead).name
    if g in ("major", "minor") and not evidence.strip():
        raise UsageError(_("a nonconformity needs objective evidence"), _("pass --evidence"))
    if g in ("major", "minor") and pid is None:
        raise UsageError(_("a nonconformity must name the process it concerns"), _("pass --process"))
    when = day or dt.date.today()
    _not_before_audit(audit, when)
    fid = f"F{len(audit.findings) + 1:02d}"
    while audit.finding(fid) is not None:  # hand-edited files may skip numbers
        fid = f"F{int(fid[1:]) + 1:02d}"
    finding = Finding(id=fid, grade=g, statement=Text(vi=statement.strip(), en=statement_en.strip() or statement.strip()), clause=cid,
                      process=pid, evidence=evidence.strip(), item=item, raised_by=by or audit.plan.lead, date=when)
    if finding.is_nonconformity:
        from qms.registers.nc import create_nc

        assert pid is not None
        nc = create_nc(root, process=pid, title=_nc_title(statement),
                       description=statement.strip(), source="internal", severity=g, clause=cid or None,
                       by=raiser, audit=audit.id, finding=fid, evidence=evidence.strip() or None, today=when)
        finding.nc = nc.id
    audit.findings.append(finding)
    _move(audit, "in_progress", when, by or audit.plan.lead)
    audit_store.save_audit(root, audit)
    return audit, finding


def _nc_title(statement: str, limit: int = 100) -> str:
    """The first sentence of a statement, cut at a word boundary."""
    first = re.split(r"(?<=[.!?])\s|\s/\s|\n", statement.strip(), maxsplit=1)[0].strip()
    if len(first) <= limit:
        return first
    cut = first[:limit].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


# -- report and close ----------------------------------------------------------------------------


@_locked
def issue_report(root: Path, audit_id: str, *, summary: str, conclusions: str, by: str | None = None,
                 day: dt.date | None = None, distribution: Sequence[str] = ()) -> Audit:
    audit = audit_store.load_audit(root, audit_id)
    if audit.state != "in_progress":
        raise _refuse(audit, _("report"), ("in_progress",))
    missing = [i.id for i in audit.checklist if i.result is None]
    if missing:
        raise InvalidTransition(
            _("{n} checklist items of {id} have no result: {items}").format(
                n=len(missing), id=audit.id, items=", ".join(missing[:10]) + (" ..." if len(missing) > 10 else "")),
            _("record each one (use --result not_audited for items that were not covered)"))
    unlinked = [f.id for f in audit.findings if f.is_nonconformity and not f.nc]
    if unlinked:
        raise InvalidTransition(_("findings without a nonconformity record: {ids}").format(ids=", ".join(unlinked)),
                                _("open the nonconformities first (see `qms rule QMS604`)"))
    if not summary.strip() or not conclusions.strip():
        raise UsageError(_("the report needs a summary and conclusions"))
    who = _auditor_id(root, by) or audit.plan.lead
    if who not in audit.plan.auditors:
        raise UsageError(_("the report is issued by the audit team, not `{id}`").format(id=who),
                         _("the team is: {team}").format(team=", ".join(audit.plan.auditors)))
    when = day or dt.date.today()
    if when < audit.plan.date:
        raise UsageError(_("the report date {day} is before the audit date {audit_day}").format(
            day=format_date(when), audit_day=format_date(audit.plan.date)))
    fieldwork = [d for d in [*(i.date for i in audit.checklist), *(f.date for f in audit.findings)] if d is not None]
    if fieldwork and when < max(fieldwork):
        raise UsageError(_("the report date {day} is before the last fieldwork date {last}").format(
            day=format_date(when), last=format_date(max(fieldwork))),
            _("the report is issued after the last result and finding"))
    directory = Directory.of(load_manifest(root))
    recipients = [_party_id(directory, recipient, _("`{name}` is neither a person nor a role or unit of qms.yaml")
                            .format(name=recipient)) for recipient in distribution]
    audit.report = AuditReport(issued=when, by=who, summary=Text(vi=summary.strip(), en=summary.strip()),
                               conclusions=Text(vi=conclusions.strip(), en=conclusions.strip()),
                               distribution=recipients)
    _move(audit, "reported", when, who)
    audit_store.save_audit(root, audit)
    return audit


@_locked
def close(root: Path, audit_id: str, *, by: str = "", day: dt.date | None = None) -> Audit:
    who = _actor(root, by)
    audit = audit_store.load_audit(root, audit_id)
    if audit.state != "reported":
        raise _refuse(audit, _("close"), ("reported",))
    when = day or dt.date.today()
    assert audit.report is not None
    if when < audit.report.issued:
        raise UsageError(_("the closing date is before the report date {day}").format(
            day=format_date(audit.report.issued)))
    audit.closed = when
    _move(audit, "closed", when, who)
    audit_store.save_audit(root, audit)
    return audit
