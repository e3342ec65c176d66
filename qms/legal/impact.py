"""Change impact: which procedures cite a document, what change starts their update clock, and by when.

QĐ 19/2014/QĐ-TTg, Art. 4(4)(a): the quality system is updated no later than three months after a new
legal document takes effect (``legal.update_period_months`` of qms.yaml). The period is counted as the
Civil Code 2015 counts periods (Arts. 147–148): the day the document takes effect is not counted; a
period in months ends at the end of the corresponding day of the last month (the last day of that month
when it has none); a last day that is a day off moves to the next working day of the repository calendar.
So a document in force on 01/07/2025 must be reflected by 01/10/2025.

A procedure must be updated when a document it cites is replaced or expires (whatever its own dates), and
when an amendment of that document — or an amendment of the amendment, along the chain — takes effect
after the procedure's own effective date.
"""

from __future__ import annotations

import calendar as _cal
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from qms.calendar import WorkingCalendar
from qms.legal.citation import fold
from qms.legal.register import Entry, Index
from qms.models.process import Process
from qms.store.workspace import LoadedDoc, Workspace

ChangeKind = Literal["superseded", "amended", "expired"]


def add_months(day: dt.date, months: int) -> dt.date:
    """The corresponding day ``months`` later; the last day of the month when that month is shorter."""
    total = day.month - 1 + months
    year, month = day.year + total // 12, total % 12 + 1
    return dt.date(year, month, min(day.day, _cal.monthrange(year, month)[1]))


def update_due(in_force: dt.date, months: int, cal: WorkingCalendar | None) -> dt.date:
    """The last day to update a procedure for a change in force on ``in_force`` (Civil Code Arts. 147–148)."""
    end = add_months(in_force, months)
    return cal.add_working_days(end, 0) if cal is not None else end


@dataclass(frozen=True, slots=True)
class Change:
    """A change of a cited document that starts the update clock."""

    kind: ChangeKind
    document: Entry  # the changed document (the one cited, or an amendment along its chain)
    by: str  # number of the replacing or amending document ("" for an expiry)
    by_entry: Entry | None
    when: dt.date | None  # the day it takes effect (None: not known yet)
    part: str = ""
    evidence: str = ""
    repeal: bool = False  # the change repeals ``part`` (bãi bỏ) rather than amending it


def changes_of(index: Index, entry: Entry) -> list[Change]:
    """Every change that concerns a procedure citing ``entry``: its replacements, its expiry, and the
    amendments of it and of its amendments (a chain such as 118/2025 ← 367/2025 ← 224/2026)."""
    out: list[Change] = []
    for link in entry.doc.superseded_by:
        out.append(Change("superseded", entry, link.document, index.link_target(link), index.link_date(link),
                          link.part, link.evidence))
    if entry.doc.status == "expired":
        when = entry.doc.expired_on + dt.timedelta(days=1) if entry.doc.expired_on is not None else None
        out.append(Change("expired", entry, "", None, when))
    seen = {entry.index}
    todo = [entry]
    while todo:
        current = todo.pop(0)
        for link in current.doc.amended_by:
            target = index.link_target(link)
            out.append(Change("amended", current, link.document, target, index.link_date(link), link.part,
                              link.evidence, link.repeal))
            if target is not None and target.index not in seen:
                seen.add(target.index)
                todo.append(target)
    return out


@dataclass(frozen=True, slots=True)
class Citing:
    """One citation of a register document in a procedure."""

    process: str
    doc: LoadedDoc[Any]
    pointer: str
    text: str
    entry: Entry
    effective: dt.date | None


@dataclass(frozen=True, slots=True)
class Affected:
    citing: Citing
    change: Change | None  # the change that sets the due date; None: nothing to update
    due: dt.date | None
    overdue: bool

    def to_dict(self) -> dict[str, Any]:
        return {"process": self.citing.process, "due": self.due.isoformat() if self.due else None,
                "overdue": self.overdue}


def citations(ws: Workspace, index: Index) -> Iterator[Citing]:
    """Every resolvable citation of the procedures: ``references[].id`` and ``forms[].legal_basis``."""
    for doc, proc in ws.processes():
        yield from _citations_of(doc, proc, index)


def _citations_of(doc: LoadedDoc[Any], proc: Process, index: Index) -> Iterator[Citing]:
    effective = proc.document.effective_date
    for i, ref in enumerate(proc.references):
        entry = index.resolve(ref.id)
        if entry is not None:
            yield Citing(proc.id, doc, f"/references/{i}/id", ref.id, entry, effective)
    for i, form in enumerate(proc.forms):
        if form.legal_basis:
            entry = index.resolve(form.legal_basis)
            if entry is not None:
                yield Citing(proc.id, doc, f"/forms/{i}/legal_basis", form.legal_basis, entry, effective)


def cites_repealed_part(citing: Citing, change: Change) -> bool:
    """Whether the citation names the very part of the cited document that ``change`` repeals
    ("khoản 9 Điều 1 NĐ 367/2025/NĐ-CP" when NĐ 224/2026 repeals khoản 9 Điều 1 of it)."""
    if not (change.repeal and change.part) or change.document.index != citing.entry.index:
        return False
    part = fold(change.part)
    return bool(part) and re.search(rf"(?<!\w){re.escape(part)}(?!\w)", fold(citing.text)) is not None


def pending_change(index: Index, citing: Citing) -> Change | None:
    """The earliest change the procedure has not caught up with (None when it is up to date).

    A replacement or an expiry is pending whatever the procedure's dates: it still cites the old document.
    So is the repeal of the very part the procedure cites. Another amendment is pending when it takes
    effect after the procedure's effective date (or when the procedure has none). A change without a
    known date sorts last.
    """
    pending: list[Change] = []
    for change in changes_of(index, citing.entry):
        if change.kind == "amended" and change.when is not None and citing.effective is not None \
                and change.when <= citing.effective and not cites_repealed_part(citing, change):
            continue
        pending.append(change)
    if not pending:
        return None
    return min(pending, key=lambda c: (c.when is None, c.when or dt.date.max, c.kind != "superseded"))


def assess(index: Index, citing: Citing, months: int, cal: WorkingCalendar | None, as_of: dt.date) -> Affected:
    change = pending_change(index, citing)
    if change is None or change.when is None:
        return Affected(citing, change, None, False)
    due = update_due(change.when, months, cal)
    return Affected(citing, change, due, due < as_of)


@dataclass(slots=True)
class Impact:
    """The answer of ``qms refs impact REF``."""

    entry: Entry
    status: str
    superseded_by: list[str]
    affected: list[Affected]

    def to_dict(self) -> dict[str, Any]:
        return {"reference": self.entry.doc.number, "status": self.status, "superseded_by": self.superseded_by,
                "affected": [a.to_dict() for a in self.affected]}


def impact(ws: Workspace, ref: Entry, index: Index, months: int,
           cal: WorkingCalendar | None, as_of: dt.date) -> Impact:
    """Every procedure citing ``ref`` directly or through a document that ``ref`` replaces (along the chain),
    with the day it must be updated by. One row per procedure: the earliest due date wins."""
    from qms.legal.register import status_on

    wanted = {ref.index} | {e.index for e in index.predecessors(ref)}
    best: dict[str, Affected] = {}
    for citing in citations(ws, index):
        if citing.entry.index not in wanted:
            continue
        found = assess(index, citing, months, cal, as_of)
        kept = best.get(citing.process)
        if kept is None or (found.due is not None and (kept.due is None or found.due < kept.due)):
            best[citing.process] = found
    rows = sorted(best.values(), key=lambda a: (a.due is None, a.due or dt.date.max, a.citing.process))
    return Impact(ref, status_on(ref.doc, index, as_of), [e.doc.number for e in index.successors(ref)], rows)
