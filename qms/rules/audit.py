"""QMS6xx: internal audit (ISO 9001:2015 9.2; ISO 19011:2018).

Who would audit their own work (impartiality) and which clauses a set of audits leaves uncovered
are worked out in ``qms.analysis.audit``, shared with the programme generator so that a proposal and
a check always agree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from qms.analysis.audit import (
    conflict,
    current_programmes,
    cycle_gap,
    month_end,
    process_months,
    programme_clauses,
    rolling_gap,
    uncovered_clauses,
)
from qms.analysis.ids import ranked
from qms.analysis.people import Directory
from qms.diagnostics import Diagnostic, Severity
from qms.i18n import _
from qms.models.organisation import Manifest, Person
from qms.models.process import Process
from qms.rules.base import CheckContext, Rule, pointer
from qms.standards import catalogue, normalise_clause
from qms.store.workspace import LoadedDoc

if TYPE_CHECKING:  # the models load only when audit files exist (see FileKind)
    from qms.models.audit import Audit, ProgrammeAudit

REPORT_GRACE_DAYS = 30
NC_DIR = "records/nonconformities/"


# -- rules ---------------------------------------------------------------------------------------


class ProcessNotAudited(Rule):
    """A process is not audited within the audit cycle.

    What it checks:
    For the current and future audit programmes (`audits/programme-YYYY.yaml`), every process in
    `processes/` appears in at least one audit, and its audits are never more than `cycle_months`
    apart (counting from the start of the year and to its end). With the default
    `check.annual_reading: rolling_12_months`, the gap from the process's last audit in the previous
    year's programme to its first audit in this one is counted as well; with `calendar_year`, one
    audit in each programme year is enough. A process whose `document.state` is `draft` (not yet
    issued, e.g. written by `qms import`) is not yet run, so it is left out.

    Why:
    The audit programme must cover the QMS processes at planned intervals (9.2.1, 9.2.2 a), and an
    agency applying TCVN ISO 9001 audits its system internally at least once a year
    (QĐ 19/2014/QĐ-TTg, Art. 4(4)(b)).

    Example:
    ```yaml
    year: 2027
    cycle_months: 12
    audits:
      - {processes: [QT-HT-01], month: 3, auditors: [hoang_van_em]}
    # processes/QT-HT-02.yaml exists but is never audited
    ```

    Fix:
    Add the process to an audit (`qms audit programme --year 2027` proposes a complete programme).
    """

    code = "QMS601"
    name = "process-not-audited"
    clauses = ("9.2.2",)

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        ws = ctx.workspace
        rolling = ws.manifest is None or ws.manifest.check.annual_reading == "rolling_12_months"
        by_year = {p.year: p for _d, p in ws.models("audit-programme")}
        for doc, prog in current_programmes(ws, ctx.today):
            months = process_months(prog)
            previous = by_year.get(prog.year - 1) if rolling else None
            before = process_months(previous) if previous is not None else {}
            for _pdoc, proc in ws.processes():
                if proc.document.state == "draft" and proc.id not in months:
                    continue
                why = cycle_gap(months.get(proc.id, []), prog.cycle_months)
                if not why and before.get(proc.id):
                    why = rolling_gap(before[proc.id][-1], months[proc.id][0], prog.cycle_months)
                if why:
                    yield self.at(doc, "/audits",
                                  _("process `{id}` is not audited within the {cycle}-month cycle: {why}").format(
                                      id=proc.id, cycle=prog.cycle_months, why=why),
                                  hint=_("add it to an audit in the programme"), subject=proc.id, key=True)


class ClauseNotCovered(Rule):
    """An applicable ISO 9001:2015 clause is not covered by the audit programme.

    What it checks:
    For the current and future audit programmes, every applicable clause (not excluded in
    `scope.applicability`) is reached by the clauses of the audited processes or by an audit's own
    `clauses` list. Only the highest uncovered clause of each branch is reported.

    Why:
    Internal audits must establish whether the QMS conforms to the requirements of the standard as a
    whole (9.2.1 a), not only to the processes that happen to be audited.

    Example:
    ```yaml
    audits:
      - {processes: [QT-HT-01], month: 3, auditors: [hoang_van_em]}
    # nothing audits 5.2 (policy) or 9.3 (management review)
    ```

    Fix:
    Add the clauses to an audit of the system level:
    `- {clauses: ["5", "9.3"], month: 10, auditors: [vu_thi_giang]}`.
    """

    code = "QMS602"
    name = "clause-not-covered"
    clauses = ("9.2.2",)

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        ws = ctx.workspace
        if ws.manifest is None:  # the scope's applicability is unknown: QMS013 says so
            return
        procs = {pid: p for pid, (_d, p) in ws.process_by_id().items()}
        for doc, prog in current_programmes(ws, ctx.today):
            for cid in uncovered_clauses(ws.manifest, programme_clauses(prog, procs)):
                yield self.at(doc, "/audits",
                              _("clause {clause} is not covered by the {year} audit programme").format(
                                  clause=cid, year=prog.year),
                              hint=_("add \"{clause}\" to the `clauses` of an audit").format(clause=cid),
                              subject=cid, key=True)


class AuditorOwnWork(Rule):
    """An auditor is planned to audit their own unit or process.

    What it checks:
    Auditors of programme audits and the lead and team of each audit do not work in the unit that
    runs an audited process, do not hold its owner role, and do not perform one of its steps. For an
    audit with its own `clauses` (system level), they are also not responsible for the objectives,
    context issues or interested parties in qms.yaml.

    Why:
    Auditors must be selected to ensure objectivity and impartiality (9.2.2 c; ISO 19011 principle of
    independence).

    Example:
    ```yaml
    audits:
      - {processes: [QT-HT-01], month: 3, auditors: [pham_thi_dung]}   # Head of Justice, owner of QT-HT-01
    ```

    Fix:
    Choose an auditor from another unit.
    """

    code = "QMS603"
    name = "auditor-audits-own-work"
    clauses = ("9.2.2",)

    def _check(self, doc: LoadedDoc[Any], manifest: Manifest, directory: Directory,
               procs: dict[str, Process], process_ids: list[str], system: bool,
               auditors: list[tuple[str, str]]) -> Iterator[Diagnostic]:
        scope = [procs[p] for p in process_ids if p in procs]
        for ptr, pid in auditors:
            person = directory.people.get(pid)
            if person is None:
                continue
            why = conflict(person, manifest, scope, system, directory)
            if why:
                yield self.at(doc, ptr, _("auditor `{id}` would audit their own work: {why}").format(id=pid, why=why),
                              hint=_("choose an auditor from another unit"), subject=pid)

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        ws = ctx.workspace
        manifest = ws.manifest
        if manifest is None:
            return
        directory = ctx.directory()
        procs = {pid: p for pid, (_d, p) in ws.process_by_id().items()}
        for doc, prog in ws.models("audit-programme"):
            for i, entry in enumerate(prog.audits):
                yield from self._check(doc, manifest, directory, procs, entry.processes, bool(entry.clauses),
                                       [(pointer("audits", i, "auditors", j), a)
                                        for j, a in enumerate(entry.auditors)])
        for doc, audit in ws.models("audit"):
            plan = audit.plan
            team = [("/plan/lead", plan.lead)] + [(pointer("plan", "team", j), t) for j, t in enumerate(plan.team)]
            yield from self._check(doc, manifest, directory, procs, plan.processes, bool(plan.clauses), team)


def nonconformity_records(ctx: CheckContext) -> dict[str, dict[str, Any]]:
    """Raw nonconformity records by id, as the workspace loaded them (rules never read files)."""
    cached = ctx.cache.get("audit.ncs")
    if isinstance(cached, dict):
        return cached
    found: dict[str, dict[str, Any]] = {}
    for d in ctx.workspace.docs:
        if d.path.startswith(NC_DIR):
            stem = d.path[len(NC_DIR):].rsplit(".", 1)[0]
            found[stem] = d.raw if isinstance(d.raw, dict) else {}
    ctx.cache["audit.ncs"] = found
    return found


class FindingWithoutNonconformity(Rule):
    """A major or minor audit finding has no nonconformity record, or the record does not link back.

    What it checks:
    Every finding graded `major` or `minor` names a nonconformity (`nc: NC-YYYY-NNNN`) that exists in
    `records/nonconformities/` and whose `audit` and `finding` fields point back at the audit and the
    finding.

    Why:
    Nonconformities found by internal audits need correction and corrective action without undue
    delay (9.2.2 e), and their nature and actions must be retained as evidence (10.2.2).

    Example:
    ```yaml
    findings:
      - {id: F01, grade: minor, statement: "BM-06 not filled in for 2 of 5 dossiers"}   # no nc
    ```

    Fix:
    Raise findings with `qms audit finding`, which opens the nonconformity; or open one with the
    nonconformity register and write its id under `nc:`.
    """

    code = "QMS604"
    name = "finding-without-nonconformity"
    clauses = ("10.2.2",)

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        records: dict[str, dict[str, Any]] | None = None
        for doc, audit in ctx.workspace.models("audit"):
            for i, f in enumerate(audit.findings):
                if not f.is_nonconformity:
                    continue
                if not f.nc:
                    yield self.at(doc, pointer("findings", i, "grade"),
                                  (_("major finding {finding} of {audit} has no nonconformity record")
                                   if f.grade == "major"
                                   else _("minor finding {finding} of {audit} has no nonconformity record")).format(
                                      finding=f.id, audit=audit.id),
                                  hint=_("open a nonconformity and write its id under `nc:`"), subject=f.id)
                    continue
                if records is None:
                    records = nonconformity_records(ctx)
                rec = records.get(f.nc)
                if rec is None:
                    yield self.at(doc, pointer("findings", i, "nc"),
                                  _("nonconformity {nc} of finding {finding} is not in {dir}").format(
                                      nc=f.nc, finding=f.id, dir=NC_DIR),
                                  hint=_("correct the id or restore the record"), subject=f.id)
                elif str(rec.get("audit", "")) != audit.id or str(rec.get("finding", "")) != f.id:
                    yield self.at(doc, pointer("findings", i, "nc"),
                                  _("nonconformity {nc} does not link back to {audit} finding {finding} "
                                    "(it says audit `{its_audit}`, finding `{its_finding}`)").format(
                                      nc=f.nc, audit=audit.id, finding=f.id, its_audit=rec.get("audit", ""),
                                      its_finding=rec.get("finding", "")),
                                  hint=_("set `audit` and `finding` in the nonconformity record"), subject=f.id)


class AuditReportMissing(Rule):
    """An audit has no report a month after its last day.

    What it checks:
    An audit still `planned` or `in_progress` more than 30 days after its last day (`plan.end_date`,
    else `plan.date`).

    Why:
    The results of audits must be reported to relevant management (9.2.2 d) and retained as evidence
    (9.2.2 f). An audit without a report leaves findings unacted on.

    Example:
    ```yaml
    id: AUD-2026-01
    state: in_progress
    plan: {date: 2026-03-10, ...}     # checked on 2026-06-01
    ```

    Fix:
    Issue the report with `qms audit report AUD-2026-01`, or re-plan the audit with a new date.
    """

    code = "QMS605"
    name = "audit-report-missing"
    clauses = ("9.2.2",)

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        for doc, audit in ctx.workspace.models("audit"):
            if audit.state not in ("planned", "in_progress"):
                continue
            due = audit.plan.last_day + dt.timedelta(days=REPORT_GRACE_DAYS)
            if ctx.today > due:
                yield self.at(doc, "/state", _("audit {id} of {date} has no report ({days} days later)").format(
                                  id=audit.id, date=audit.plan.last_day.isoformat(),
                                  days=(ctx.today - audit.plan.last_day).days),
                              hint=_("issue it with `qms audit report {id}`").format(id=audit.id), subject=audit.id)


class ProgrammeOutOfDate(Rule):
    """The newest audit programme is older than its cycle.

    What it checks:
    When the repository has audit programmes, one of them still plans the next audit. With
    `check.annual_reading: calendar_year`, the newest programme's year has not ended. With the
    default `rolling_12_months`, the newest programme's last planned audit month plus its
    `cycle_months` has not ended (nor its year, when that is later).

    Why:
    An audit programme must be planned and maintained (9.2.2 a), and an agency applying TCVN ISO 9001
    audits internally at least once a year (QĐ 19/2014/QĐ-TTg, Art. 4(4)(b)); an expired programme
    means that no audits are planned.

    Example:
    `audits/programme-2025.yaml` is the only programme, its last audit in March, checked in 2026
    after March (or in any month of 2026 with `annual_reading: calendar_year`).

    Fix:
    Propose the next one: `qms audit programme --year 2026 --write`.
    """

    code = "QMS606"
    name = "audit-programme-out-of-date"
    severity = Severity.WARNING
    clauses = ("9.2.2",)

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        progs = ctx.workspace.models("audit-programme")
        if not progs:
            return
        doc, newest = max(progs, key=lambda dp: dp[1].year)
        ends = dt.date(newest.year, 12, 31)
        message = _("the newest audit programme ({year}) ended on {date}")
        manifest = ctx.workspace.manifest
        if (manifest is None or manifest.check.annual_reading == "rolling_12_months") and newest.audits:
            last = max(a.month for a in newest.audits)
            rolling = month_end(newest.year, last + newest.cycle_months)
            if rolling > ends:
                ends = rolling
                message = _("the newest audit programme ({year}) plans no audit after month {month}; its "
                            "{cycle}-month cycle ran out on {date}")
        if ctx.today > ends:
            yield self.at(doc, "/year", message.format(year=newest.year, date=ends.isoformat(),
                                                       month=max((a.month for a in newest.audits), default=12),
                                                       cycle=newest.cycle_months),
                          hint=_("propose the next one with `qms audit programme --year {year} --write`").format(
                              year=ctx.today.year),
                          subject=str(newest.year))


class AuditUnknownReference(Rule):
    """An audit programme or audit names an unknown process, person or clause.

    What it checks:
    Processes, auditors, audit leads and team members, and clauses in `audits/` exist; auditors are
    people marked `auditor: true` in qms.yaml; the auditees of an audit plan are people, roles or
    units of qms.yaml.

    Why:
    A hand-edited programme must still name real processes and qualified auditors (9.2.2 a, c; 7.2).

    Example:
    ```yaml
    audits:
      - {processes: [QT-HT-09], month: 3, auditors: [nobody]}
    ```

    Fix:
    Use ids from `processes/` and `organisation.people`; mark auditors with `auditor: true`; name
    auditees by the id of a person, role or unit.
    """

    code = "QMS607"
    name = "audit-unknown-reference"
    clauses = ("9.2.2",)

    def _people(self, doc: LoadedDoc[Any], people: dict[str, Person],
                refs: list[tuple[str, str]]) -> Iterator[Diagnostic]:
        for ptr, pid in refs:
            person = people.get(pid)
            if person is None:
                hint, _fix = self.suggest(doc, ptr, pid, people)
                yield self.at(doc, ptr, _("unknown person `{value}`").format(value=pid),
                              hint=hint or _("use an id from organisation.people (closest: {known})").format(
                                  known=", ".join(ranked(pid, people, 5)) or "-"), subject=pid)
            elif not person.auditor:
                yield self.at(doc, ptr, _("`{id}` is not an auditor").format(id=pid),
                              hint=_("mark them `auditor: true` in qms.yaml once trained, or choose an auditor"),
                              subject=pid)

    def _refs(self, doc: LoadedDoc[Any], base: tuple[str | int, ...], processes: list[str], clauses: list[str],
              known: set[str]) -> Iterator[Diagnostic]:
        cat = catalogue("2015")
        for j, pid in enumerate(processes):
            if pid not in known:
                yield self.at(doc, pointer(*base, "processes", j), _("unknown process `{value}`").format(value=pid),
                              hint=_("use an id from processes/"), subject=pid)
        for j, c in enumerate(clauses):
            if normalise_clause(c) not in cat:
                yield self.at(doc, pointer(*base, "clauses", j), _("unknown ISO 9001:2015 clause `{value}`").format(value=c),
                              hint=_("use a clause number such as 9.2.2"), subject=c)

    def _auditees(self, doc: LoadedDoc[Any], directory: Directory, auditees: list[str]) -> Iterator[Diagnostic]:
        parties = [*directory.people, *directory.roles, *directory.units]
        for j, value in enumerate(auditees):
            if directory.party(value) is not None:
                continue
            ptr = pointer("plan", "auditees", j)
            hint, fix = self.suggest(doc, ptr, value, parties)
            if not hint:
                hint = _("name a person, role or unit from qms.yaml (closest: {known})").format(
                    known=", ".join(directory.suggestions(value, ("person", "role", "unit"))))
            yield self.at(doc, ptr,
                          _("auditee `{name}` is neither a person nor a role or unit of qms.yaml").format(name=value),
                          hint=hint, subject=value, fix=fix)

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        ws = ctx.workspace
        if ws.manifest is None:
            return
        directory = ctx.directory()
        people = directory.people
        known = ws.declared_process_ids()
        for doc, prog in ws.models("audit-programme"):
            for i, entry in enumerate(prog.audits):
                yield from self._refs(doc, ("audits", i), entry.processes, entry.clauses, known)
                yield from self._people(doc, people, [(pointer("audits", i, "auditors", j), a)
                                                      for j, a in enumerate(entry.auditors)])
        for doc, audit in ws.models("audit"):
            a: Audit = audit
            yield from self._refs(doc, ("plan",), a.plan.processes, a.plan.clauses, known)
            yield from self._people(doc, people, [("/plan/lead", a.plan.lead)] +
                                    [(pointer("plan", "team", j), t) for j, t in enumerate(a.plan.team)])
            yield from self._auditees(doc, directory, a.plan.auditees)


class AuditContradictsProgramme(Rule):
    """An audit file carries the id of a programmed audit but not its scope.

    What it checks:
    When an audit's id (`AUD-2027-08`) is given to an audit of the programme of its year, the audit
    covers every process and clause that the programme entry names.

    Why:
    The programme (9.2.2 a) says what each planned audit covers. An audit filed under a programmed id
    with another scope hides the programmed audit: it can no longer be planned, and the processes it
    was meant to cover go unaudited.

    Example:
    ```yaml
    # audits/programme-2027.yaml
    audits:
      - {id: AUD-2027-08, processes: [QT-TL-01, QT-KP-01], month: 5, auditors: [binh]}
    # audits/AUD-2027-08.yaml
    id: AUD-2027-08
    plan: {processes: [QT-XD-01], ...}
    ```

    Fix:
    Give the unprogrammed audit an id of its own (`qms audit plan` without an id allocates a free
    one), or amend the programme entry if its scope really changed.
    """

    code = "QMS608"
    name = "audit-contradicts-programme"
    clauses = ("9.2.2",)

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        entries: dict[str, ProgrammeAudit] = {}
        for _doc, prog in ctx.workspace.models("audit-programme"):
            for entry in prog.audits:
                if entry.id:
                    entries.setdefault(entry.id, entry)
        if not entries:
            return
        for doc, audit in ctx.workspace.models("audit"):
            entry = entries.get(audit.id)
            if entry is None:
                continue
            processes = set(audit.plan.processes)
            clauses = {normalise_clause(c) for c in audit.plan.clauses}
            missing = [p for p in entry.processes if p not in processes]
            missing += [c for c in entry.clauses if normalise_clause(c) not in clauses]
            if missing:
                yield self.at(doc, "/plan", _("audit {id} leaves out {missing}, which the programme plans "
                                              "under this id").format(id=audit.id, missing=", ".join(missing)),
                              hint=_("give this audit an id of its own (`qms audit plan` without an id), or "
                                     "amend the programme entry"),
                              subject=audit.id)


RULES: tuple[type[Rule], ...] = (
    ProcessNotAudited, ClauseNotCovered, AuditorOwnWork, FindingWithoutNonconformity, AuditReportMissing,
    ProgrammeOutOfDate, AuditUnknownReference, AuditContradictsProgramme,
)
