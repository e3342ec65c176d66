"""Proposing a risk-based internal audit programme (ISO 9001:2015 9.2.2 a).

Every process is audited within the audit cycle. Processes with open nonconformities, a high risk
score, late dossiers or a recent change are *priority* processes: they are audited twice as often
and in the first half of each window. System-level clauses that no process addresses get an audit
of their own. Auditors are assigned so that nobody audits their own unit or process, least-loaded
first.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from qms.analysis.audit import conflict, process_months, uncovered_clauses
from qms.analysis.people import Directory
from qms.errors import QmsError
from qms.i18n import LANGUAGES, N_, _, format_date, get_language, ngettext, translate
from qms.models.audit import AuditProgramme, ProgrammeAudit
from qms.models.organisation import Manifest, Person
from qms.models.process import Process
from qms.store.workspace import Workspace

HIGH_RISK_SCORE = 10  # likelihood × impact on a 5×5 matrix: 10 and above is "high"
RECENT_CHANGE_DAYS = 365
OPEN_NC_STATUSES_EXCLUDED = frozenset({"closed", "rejected"})


@dataclass(slots=True)
class Priority:
    """Why a process is (or is not) audited more often and earlier."""

    process: str
    open_ncs: int = 0
    risk_score: int = 0
    risk_id: str = ""
    late: int = 0
    changed: dt.date | None = None

    @property
    def high_risk(self) -> bool:
        return self.risk_score >= HIGH_RISK_SCORE

    @property
    def is_priority(self) -> bool:
        return self.open_ncs > 0 or self.high_risk or self.late > 0 or self.changed is not None

    @property
    def weight(self) -> int:
        return self.open_ncs * 5 + self.late + self.risk_score + (3 if self.changed else 0)

    def reasons(self) -> list[str]:
        out: list[str] = []
        if self.open_ncs:
            out.append(ngettext("{n} open nonconformity", "{n} open nonconformities", self.open_ncs).format(
                n=self.open_ncs))
        if self.high_risk:
            out.append(_("high risk {risk} (score {score})").format(risk=self.risk_id, score=self.risk_score))
        if self.late:
            out.append(ngettext("{n} late dossier", "{n} late dossiers", self.late).format(n=self.late))
        if self.changed:
            out.append(_("changed on {day}").format(day=format_date(self.changed)))
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "process": self.process,
            "priority": self.is_priority,
            "open_nonconformities": self.open_ncs,
            "max_risk_score": self.risk_score,
            "max_risk": self.risk_id or None,
            "late_dossiers": self.late,
            "changed": self.changed.isoformat() if self.changed else None,
            "reasons": self.reasons(),
        }


@dataclass(slots=True)
class Proposal:
    programme: AuditProgramme
    priorities: dict[str, Priority] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "year": self.programme.year,
            "cycle_months": self.programme.cycle_months,
            "prepared": self.programme.prepared.isoformat() if self.programme.prepared else None,
            "audits": [
                {
                    "id": a.id,
                    "processes": list(a.processes),
                    "clauses": list(a.clauses),
                    "month": a.month,
                    "auditors": list(a.auditors),
                    "reason": a.reason,
                }
                for a in self.programme.audits
            ],
            "priorities": [p.to_dict() for p in self.priorities.values()],
            "warnings": list(self.warnings),
        }


def open_nonconformities(records: Mapping[str, Mapping[str, Any]]) -> dict[str, int]:
    """Open nonconformities per process, from raw register records."""
    out: dict[str, int] = {}
    for rec in records.values():
        process = rec.get("process")
        status = str(rec.get("status", "open"))
        if isinstance(process, str) and status not in OPEN_NC_STATUSES_EXCLUDED:
            out[process] = out.get(process, 0) + 1
    return out


def assess(proc: Process, *, today: dt.date, open_ncs: Mapping[str, int], late: Mapping[str, int]) -> Priority:
    pr = Priority(proc.id, open_ncs=open_ncs.get(proc.id, 0))
    for risk in proc.risks:
        if risk.kind == "risk" and risk.score > pr.risk_score:
            pr.risk_score, pr.risk_id = risk.score, risk.id
    keys = [proc.id]
    if proc.administrative and proc.administrative.code:
        keys.append(proc.administrative.code)
    pr.late = sum(late.get(k, 0) for k in keys)
    # a change is a revision after the first issue: a system issued recently is new, not changed
    dates = [h.date for h in proc.document.history if h.revision > 1]
    if proc.document.effective_date and proc.document.revision > 1:
        dates.append(proc.document.effective_date)
    recent = [d for d in dates if d > today - dt.timedelta(days=RECENT_CHANGE_DAYS)]
    pr.changed = max(recent) if recent else None
    return pr


def _windows(count: int) -> list[tuple[int, int]]:
    """``count`` consecutive windows of months covering 1..12 (first and last month, inclusive)."""
    length = 12 / count
    return [(math.floor(j * length) + 1, math.floor((j + 1) * length)) for j in range(count)]


def _offsets(windows: list[tuple[int, int]], half: str) -> list[int]:
    """Offsets into each window: all of them, or the first half (priority processes go early)."""
    shortest = min(b - a + 1 for a, b in windows)
    if half == "first":
        return list(range((shortest + 1) // 2))
    return list(range(shortest))


def _place(load: dict[int, int], windows: list[tuple[int, int]], half: str, prefer_late: bool = False,
           latest_first: int = 12) -> list[int]:
    """Months (one per window, same offset in each) with the least load; ties go early (or late).

    ``latest_first`` is the latest month the first audit may take (the cycle counted from the last audit
    of the previous year's programme); when no offset meets it, the earliest one is taken.
    """
    best: tuple[int, int] | None = None
    best_months: list[int] = []
    offsets = _offsets(windows, half)
    offsets = [off for off in offsets if windows[0][0] + off <= latest_first] or offsets[:1]
    for off in offsets:
        months = [a + off for a, _b in windows]
        total = sum(load[m] for m in months)
        key = (total, -off if prefer_late else off)
        if best is None or key < best:
            best, best_months = key, months
    for m in best_months:
        load[m] += 1
    return best_months


def _auditors(people: list[Person], manifest: Manifest, directory: Directory, scope: list[Process], system: bool,
              load: dict[str, int], team_size: int) -> list[str]:
    eligible = [p for p in people if not conflict(p, manifest, scope, system, directory)]
    eligible.sort(key=lambda p: (load[p.id], p.id))
    chosen = [p.id for p in eligible[:team_size]]
    for pid in chosen:
        load[pid] += 1
    return chosen


def propose(
    ws: Workspace,
    year: int,
    *,
    cycle_months: int = 12,
    today: dt.date | None = None,
    late: Mapping[str, int] | None = None,
    nonconformities: Mapping[str, Mapping[str, Any]] | None = None,
    team_size: int = 2,
) -> Proposal:
    """A programme for ``year`` in which every process and applicable clause is audited."""
    manifest = ws.manifest
    if manifest is None:
        raise QmsError(_("qms.yaml cannot be read"), _("run `qms check` and fix qms.yaml first"))
    if not 1 <= cycle_months <= 12:
        raise QmsError(_("the audit cycle must be 1 to 12 months"), _("use --cycle-months 12 for a yearly cycle"))
    if team_size < 1:
        raise QmsError(_("the audit team needs at least one auditor"), _("use --team-size 1 or more"))
    day = today or dt.date.today()
    proposal = Proposal(AuditProgramme(year=year, cycle_months=cycle_months, prepared=day))
    broken = [d.path for d in ws.of_kind("process") if d.model is None]
    if broken:
        proposal.warnings.append(_("not planned, fix these files first: {paths}").format(paths=", ".join(broken)))
    processes = sorted((p for _d, p in ws.processes()), key=lambda p: p.id)
    seen: set[str] = set()
    unique: list[Process] = []
    for p in processes:
        if p.id not in seen:
            seen.add(p.id)
            unique.append(p)
    open_ncs = open_nonconformities(nonconformities or {})
    for p in unique:
        proposal.priorities[p.id] = assess(p, today=day, open_ncs=open_ncs, late=late or {})

    base = math.ceil(12 / cycle_months)
    # the cycle runs on from last year's programme (QMS601 counts the gap across the year's end)
    rolling = manifest.check.annual_reading == "rolling_12_months"
    previous = next((p for _d, p in ws.models("audit-programme") if p.year == year - 1), None) if rolling else None
    last_before = {pid: months[-1] for pid, months in process_months(previous).items()} if previous else {}
    load = dict.fromkeys(range(1, 13), 0)
    slots: dict[tuple[int, str], list[Process]] = {}
    order = sorted(unique, key=lambda p: (not proposal.priorities[p.id].is_priority,
                                          -proposal.priorities[p.id].weight, p.id))
    for proc in order:
        pr = proposal.priorities[proc.id]
        count = min(12, base * 2) if pr.is_priority else base
        windows = _windows(count)
        latest = last_before[proc.id] + cycle_months - 12 if proc.id in last_before else 12
        months = (_place(load, windows, "first", latest_first=latest) if pr.is_priority
                  else _place(load, windows, "any", True, latest_first=latest))
        for m in months:
            slots.setdefault((m, proc.unit), []).append(proc)

    covered: set[str] = set()
    for proc in unique:
        covered.update(proc.clauses)
    system_clauses = uncovered_clauses(manifest, covered)
    system_months = _place(load, _windows(base), "any", prefer_late=True) if system_clauses else []

    entries: list[tuple[int, str, list[Process], list[str]]] = []
    for (month, unit), procs in slots.items():
        entries.append((month, unit, procs, []))
    for month in system_months:
        entries.append((month, "", [], system_clauses))
    entries.sort(key=lambda e: (e[0], e[1] == "", e[1]))

    directory = Directory.of(manifest)
    auditors = directory.auditors()
    if not auditors:
        proposal.warnings.append(_("nobody in qms.yaml is marked `auditor: true`; no auditors assigned"))
    person_load = dict.fromkeys((p.id for p in auditors), 0)
    counts: dict[str, int] = {}
    # audits planned outside the programme keep their ids; programme entries take the others
    taken = {a.id for _d, a in ws.models("audit") if a.programme != year}
    free = (ident for n in range(1, 1000) if (ident := f"AUD-{year}-{n:02d}") not in taken)
    for month, _unit, procs, clauses in entries:
        team = _auditors(auditors, manifest, directory, procs, bool(clauses), person_load, team_size)
        ident = next(free)
        if auditors and not team:
            proposal.warnings.append(_("{id}: no impartial auditor is available; appoint one from another unit")
                                     .format(id=ident))
        reasons: list[str] = []
        for p in procs:
            counts[p.id] = counts.get(p.id, 0) + 1
            why = proposal.priorities[p.id].reasons()
            visit = _("audit {n} of the year").format(n=counts[p.id])
            reasons.append(f"{p.id}: " + "; ".join([*why, visit] if why else [_("routine audit"), visit]))
        if clauses:
            reasons.append(_("system-level clauses not addressed by any process: {clauses}")
                           .format(clauses=", ".join(clauses)))
        proposal.programme.audits.append(ProgrammeAudit(
            id=ident, processes=[p.id for p in procs], clauses=list(clauses), month=month,
            auditors=team, reason=" | ".join(reasons)))
    return proposal


#: the sentences of a reason :func:`propose` writes, each with its plural (None: no plural); the
#: fields they hold (numbers, ids, dd/mm/yyyy dates, clause numbers) read the same in every language
_REASON_ITEMS: tuple[tuple[str, str | None], ...] = (
    (N_("{n} open nonconformity"), N_("{n} open nonconformities")),
    (N_("high risk {risk} (score {score})"), None),
    (N_("{n} late dossier"), N_("{n} late dossiers")),
    (N_("changed on {day}"), None),
    (N_("routine audit"), None),
    (N_("audit {n} of the year"), None),
)
_REASON_SYSTEM = N_("system-level clauses not addressed by any process: {clauses}")

#: what each field of those sentences can hold: a reason with anything else was edited by a person
_REASON_FIELDS = {"n": r"\d+", "score": r"\d+", "risk": r"[^\s;|]+", "day": r"\d{2}/\d{2}/\d{4}",
                  "clauses": r"[0-9][0-9.]*(?:, [0-9][0-9.]*)*"}

_Fields = dict[str, str]


@functools.lru_cache(maxsize=len(LANGUAGES))
def _reason_patterns(lang: str) -> tuple[re.Pattern[str], list[tuple[re.Pattern[str], int]]]:
    def pattern(template: str) -> re.Pattern[str]:
        pieces = re.split(r"\{(\w+)\}", translate(template, lang))
        return re.compile("".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>{_REASON_FIELDS[p]})"
                                   for i, p in enumerate(pieces)))

    items = [(pattern(form), idx) for idx, forms in enumerate(_REASON_ITEMS) for form in forms if form]
    return pattern(_REASON_SYSTEM), items


def _parse_reason(reason: str, lang: str) -> list[tuple[str | None, list[tuple[int, _Fields]]]] | None:
    """The parts of a generated reason written in ``lang``; None when it is not one, word for word."""
    system, items = _reason_patterns(lang)
    parts: list[tuple[str | None, list[tuple[int, _Fields]]]] = []
    for chunk in reason.split(" | "):
        whole = system.fullmatch(chunk)
        if whole is not None:
            parts.append((None, [(-1, whole.groupdict())]))
            continue
        pid, sep, rest = chunk.partition(": ")
        if not sep or not pid or not rest:
            return None
        found: list[tuple[int, _Fields]] = []
        for text in rest.split("; "):
            hit = next(((idx, m.groupdict()) for rx, idx in items if (m := rx.fullmatch(text)) is not None), None)
            if hit is None:
                return None
            found.append(hit)
        parts.append((pid, found))
    return parts


def localise_reason(reason: str, lang: str) -> str:
    """A programme entry's reason in ``lang``. :func:`propose` writes it in the language of the run (the
    organisation's, in a saved programme); a reason it wrote is said again in ``lang``, and a reason a
    person typed or edited is shown as written."""
    for source in LANGUAGES:
        parts = _parse_reason(reason, source) if reason else None
        if parts is None:
            continue
        out: list[str] = []
        for pid, found in parts:
            if pid is None:
                out.append(translate(_REASON_SYSTEM, lang).format(**found[0][1]))
                continue
            texts: list[str] = []
            for idx, fields in found:
                one, many = _REASON_ITEMS[idx]
                chosen = one if many is None or fields.get("n") == "1" else many
                texts.append(translate(chosen, lang).format(**fields))
            out.append(f"{pid}: " + "; ".join(texts))
        return " | ".join(out)
    return reason


def to_text(proposal: Proposal, who: Callable[[str], str] = str) -> str:
    """The programme as text; ``who`` shows a person id by name."""
    prog = proposal.programme
    lines = [_("Internal audit programme {year} (cycle: {cycle} months)").format(year=prog.year,
                                                                             cycle=prog.cycle_months)]
    for a in prog.audits:
        scope = ", ".join(a.processes) if a.processes else _("system level")
        if a.clauses:
            scope += " + " + _("clauses") + " " + ", ".join(a.clauses)
        team = ", ".join(who(x) for x in a.auditors) or _("(no auditor)")
        lines.append(f"  {a.id}  {_('month')} {a.month:>2}  {scope}")
        lines.append(f"      {_('auditors')}: {team}")
        lines.append(f"      {_('reason')}: {localise_reason(a.reason, get_language())}")
    for w in proposal.warnings:
        lines.append(_("warning: {message}").format(message=w))
    return "\n".join(lines) + "\n"
