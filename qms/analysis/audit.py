"""Audit planning: who would audit their own work (impartiality) and what a programme leaves uncovered.

Shared by the programme generator and plan commands (``qms.auditing``) and by the QMS6xx rules, so a
proposal and a check always agree.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from qms.analysis.people import Directory
from qms.i18n import _
from qms.models.organisation import Manifest, Person
from qms.models.process import Process
from qms.standards import catalogue, normalise_clause, parent_clauses
from qms.store.workspace import LoadedDoc, Workspace

if TYPE_CHECKING:  # the models load only when audit files exist (see FileKind)
    from qms.models.audit import AuditProgramme

# -- impartiality ----------------------------------------------------------------------------------


@dataclass(slots=True)
class Auditees:
    """The roles and units whose work an audit examines."""

    roles: dict[str, str] = field(default_factory=dict)  # role id -> why
    units: dict[str, str] = field(default_factory=dict)  # unit id -> why


def system_auditees(manifest: Manifest, directory: Directory | None = None) -> Auditees:
    """Who does the system-level work written in qms.yaml (objectives, context, interested parties)."""
    units = (directory or Directory.of(manifest)).units
    out = Auditees()
    owners: list[tuple[str, str]] = [(o.plan.responsible, _("is responsible for objective {id}").format(id=o.id))
                                     for o in manifest.objectives]
    owners += [(c.monitored_by, _("is responsible for context issue {id}").format(id=c.id))
               for c in manifest.context_issues if c.monitored_by]
    owners += [(p.monitored_by, _("is responsible for interested party {id}").format(id=p.id))
               for p in manifest.interested_parties if p.monitored_by]
    for who, why in owners:
        (out.units if who in units else out.roles).setdefault(who, why)
    return out


def process_auditees(proc: Process, directory: Directory) -> Auditees:
    out = Auditees()
    out.units[proc.unit] = _("runs process {id}").format(id=proc.id)
    out.roles[proc.owner] = _("owns process {id}").format(id=proc.id)
    for step in proc.steps:
        if step.responsible:
            target = out.units if step.responsible in directory.units else out.roles
            target.setdefault(step.responsible, _("performs step {step} of {id}").format(step=step.id, id=proc.id))
    return out


def conflict(person: Person, manifest: Manifest, processes: Iterable[Process], system: bool,
             directory: Directory | None = None) -> str:
    """Why ``person`` would audit their own work (empty when impartial).

    ``directory`` is the index of ``manifest``'s people, roles and units; pass it when asking about
    many people, so it is built once."""
    directory = directory or Directory.of(manifest)
    scopes = [process_auditees(p, directory) for p in processes]
    if system:
        scopes.append(system_auditees(manifest, directory))
    unit = directory.unit_of(person)
    for scope in scopes:
        if person.role in scope.roles:
            return _("their role `{role}` {reason}").format(role=person.role, reason=scope.roles[person.role])
        if unit and unit in scope.units:
            return _("their unit `{unit}` {reason}").format(unit=unit, reason=scope.units[unit])
    return ""


# -- clause coverage -----------------------------------------------------------------------------


def applicable_clauses(manifest: Manifest | None) -> list[str]:
    cat = catalogue("2015")
    excluded = [normalise_clause(a.clause) for a in manifest.scope.applicability if not a.applicable] \
        if manifest else []
    return [c for c in cat if not any(c == e or c.startswith(e + ".") for e in excluded)]


def uncovered_clauses(manifest: Manifest | None, covered: Iterable[str]) -> list[str]:
    """Top-most applicable clauses that ``covered`` does not reach.

    As in the clause matrix, a clause is covered by itself, by an ancestor (``8.5`` covers ``8.5.1``)
    and by a descendant (``8.5.1`` reaches ``8.5``). Only the highest uncovered clause of a branch is
    returned, so that covering the returned clauses covers everything.
    """
    given = {normalise_clause(c) for c in covered}

    def is_covered(cid: str) -> bool:
        if any(p in given for p in parent_clauses(cid)):
            return True
        return any(g.startswith(cid + ".") for g in given)

    applicable = applicable_clauses(manifest)
    out: list[str] = []
    for cid in applicable:
        if is_covered(cid):
            continue
        parent = cid.rsplit(".", 1)[0] if "." in cid else ""
        if parent and not is_covered(parent) and parent in applicable:
            continue
        out.append(cid)
    return out


def programme_clauses(programme: AuditProgramme, processes: dict[str, Process]) -> set[str]:
    covered: set[str] = set()
    for entry in programme.audits:
        covered.update(entry.clauses)
        for pid in entry.processes:
            proc = processes.get(pid)
            if proc is not None:
                covered.update(proc.clauses)
    return covered


def process_months(programme: AuditProgramme) -> dict[str, list[int]]:
    months: dict[str, list[int]] = {}
    for entry in programme.audits:
        for pid in entry.processes:
            months.setdefault(pid, []).append(entry.month)
    return {k: sorted(set(v)) for k, v in months.items()}


def cycle_gap(months: list[int], cycle: int) -> str:
    """Why these audit months leave a gap longer than ``cycle`` months (empty when they do not)."""
    if not months:
        return _("it is not audited at all")
    if months[0] > cycle:
        return _("its first audit is in month {month}, after the first {cycle} months").format(
            month=months[0], cycle=cycle)
    for a, b in itertools.pairwise(months):
        if b - a > cycle:
            return _("months {a} and {b} are more than {cycle} months apart").format(a=a, b=b, cycle=cycle)
    if months[-1] < 12 - cycle + 1:
        return _("its last audit is in month {month}, leaving more than {cycle} months to the next year").format(
            month=months[-1], cycle=cycle)
    return ""


def rolling_gap(last_month: int, first_month: int, cycle: int) -> str:
    """Why the gap from an audit in ``last_month`` of one year to ``first_month`` of the next exceeds ``cycle``."""
    gap = first_month + 12 - last_month
    if gap > cycle:
        return _("its first audit (month {first}) is {gap} months after its last audit of the previous year "
                 "(month {last}), more than {cycle}").format(first=first_month, gap=gap, last=last_month, cycle=cycle)
    return ""


def month_end(year: int, month: int) -> dt.date:
    """The last day of ``month`` of ``year``; months past 12 run into the following years."""
    y, m = divmod(year * 12 + month, 12)  # the month after, 0-based
    return dt.date(y, m + 1, 1) - dt.timedelta(days=1)


def current_programmes(ws: Workspace, today: dt.date) -> list[tuple[LoadedDoc[Any], AuditProgramme]]:
    """Programmes for this year and later years (past programmes are records, not plans)."""
    return [(d, p) for d, p in ws.models("audit-programme") if p.year >= today.year]
