"""Gather everything that falls due from the loaded workspace, sorted by date, with owners.

Sources (each a function of :data:`SOURCES`, in this order):

* corrective actions of nonconformities that are not done (``actions[].due``, ``owner``);
* effectiveness reviews of implemented nonconformities (``review_due``);
* internal audits: planned and running audits (their plan date) and programme entries not yet
  planned (the last day of their planned month);
* the next management review (last review + ``check.review_interval_months``, or the system's
  start + the interval when none is recorded) and review actions not done;
* documents due for periodic review (``last_review`` or effective date + review interval);
* legal updates: procedures citing a document of the legal register (``legal/register.yaml``) that was
  replaced, expired or amended after the procedure took effect, due the update period after the change
  took effect (QĐ 19/2014/QĐ-TTg Art. 4(4)(a); ``qms refs impact``).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from qms.analysis.people import Directory
from qms.analysis.review import reviews, system_start
from qms.calendar import WorkingCalendar
from qms.doccontrol.catalog import add_months, collect, next_review
from qms.errors import UsageError
from qms.i18n import _, use_language
from qms.models.nonconformity import FINAL_STATUSES
from qms.store.workspace import Workspace

DEFAULT_WITHIN = "30d"
_WITHIN = re.compile(r"^\s*(\d{1,4})\s*([dwm]?)\s*$", re.IGNORECASE)

#: item kind -> its label (translated when shown)
KINDS: dict[str, str] = {
    "nc-action": "NC action",
    "nc-review": "NC effectiveness review",
    "audit": "Internal audit",
    "review": "Management review",
    "review-action": "Review action",
    "document": "Document review",
    "legal": "Legal update",
}


def kind_label(kind: str) -> str:
    labels = {
        "nc-action": _("NC action"),
        "nc-review": _("NC effectiveness review"),
        "audit": _("Internal audit"),
        "review": _("Management review"),
        "review-action": _("Review action"),
        "document": _("Document review"),
        "legal": _("Legal update"),
    }
    return labels.get(kind, kind)


def parse_within(text: str, as_of: dt.date) -> dt.date:
    """The last day of the window: ``30d`` (days), ``6w`` (weeks) or ``3m`` (months) after ``as_of``."""
    m = _WITHIN.match(text)
    if m is None:
        raise UsageError(_("--within `{value}` is not a period").format(value=text),
                         _("write a number of days, weeks or months, e.g. 30d, 6w or 3m"))
    n, unit = int(m.group(1)), m.group(2).lower() or "d"
    if unit == "m":
        return add_months(as_of, n)
    return as_of + dt.timedelta(days=n * (7 if unit == "w" else 1))


@dataclass(frozen=True, slots=True)
class DueItem:
    """One thing that falls due on ``date``."""

    date: dt.date
    kind: str
    ref: str  # what it is, e.g. NC-2026-0002/CA-1, AUD-2026-07, QT-01
    summary: str  # in the agenda's language
    owner: str  # people's names or role titles, never raw ids where the directory knows them
    path: str  # repository-relative file the date comes from
    overdue: bool = False

    @property
    def key(self) -> str:
        """Stable identity of the item across runs (the iCalendar UID is derived from it)."""
        return f"{self.kind}:{self.ref}"


@dataclass(slots=True)
class Agenda:
    as_of: dt.date
    until: dt.date
    lang: str
    organisation: str
    items: list[DueItem] = field(default_factory=list)

    @property
    def overdue(self) -> list[DueItem]:
        return [i for i in self.items if i.overdue]


@dataclass(slots=True)
class _Ctx:
    ws: Workspace
    lang: str
    directory: Directory

    def who(self, *idents: str | None) -> str:
        """Names of people, titles of roles and names of units, joined; unknown text as written."""
        names: list[str] = []
        for ident in idents:
            if not ident:
                continue
            names.append(self.directory.label(ident, self.lang, by_name=True))
        return ", ".join(dict.fromkeys(names))


def _nc_items(c: _Ctx) -> Iterator[DueItem]:
    for doc, nc in c.ws.models("nonconformity"):
        if nc.status in FINAL_STATUSES:
            continue
        title = nc.title.get(c.lang)
        for action in nc.pending_actions():
            yield DueItem(action.due, "nc-action", f"{nc.id}/{action.id}",
                          _("Corrective action {action} of {nc}: {description}").format(
                              action=action.id, nc=nc.id, description=action.description),
                          c.who(action.owner), doc.path)
        if nc.status == "implemented" and nc.review_due is not None:
            owners = sorted({a.owner for a in nc.actions}) or [nc.raised_by]
            yield DueItem(nc.review_due, "nc-review", nc.id,
                          _("Effectiveness review of {nc}: {title}").format(nc=nc.id, title=title),
                          c.who(*owners), doc.path)


def _last_day(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _audit_items(c: _Ctx) -> Iterator[DueItem]:
    audits = {a.id: (d, a) for d, a in c.ws.models("audit")}
    for doc, audit in sorted(audits.values(), key=lambda da: da[1].id):
        if audit.state not in ("planned", "in_progress"):
            continue
        plan = audit.plan
        day = plan.date if audit.state == "planned" else (plan.end_date or plan.date)
        yield DueItem(day, "audit", audit.id,
                      _("Internal audit {audit}: {processes}").format(
                          audit=audit.id, processes=", ".join(plan.processes) or plan.scope.get(c.lang)),
                      c.who(plan.lead), doc.path)
    # an audit file that cannot be read still exists: its entry is not "to plan" (it is named in a warning)
    on_file = set(audits) | {PurePosixPath(d.path).stem for d in c.ws.of_kind("audit")}
    for doc, programme in sorted(c.ws.models("audit-programme"), key=lambda dp: dp[1].year):
        for i, entry in enumerate(programme.audits):
            if entry.id and entry.id in on_file:
                continue  # planned: its own file gives the date (or it is done)
            ref = entry.id or f"{programme.year}-{entry.month:02d}-{i + 1}"
            yield DueItem(_last_day(programme.year, entry.month), "audit", ref,
                          _("Internal audit {audit} to plan for {month}: {processes}").format(
                              audit=entry.id or _("(no id yet)"), month=f"{entry.month:02d}/{programme.year}",
                              processes=", ".join(entry.processes or entry.clauses) or entry.reason),
                          c.who(*entry.auditors[:1]), doc.path)


def _review_items(c: _Ctx, as_of: dt.date) -> Iterator[DueItem]:
    manifest = c.ws.manifest
    interval = manifest.check.review_interval_months if manifest is not None else 12
    held = reviews(c.ws)
    top = list(c.directory.roles)[:1]
    if held:
        doc, last = held[-1]
        yield DueItem(add_months(last.date, interval), "review", f"after:{last.id}",
                      _("Next management review (the last was {review} on {date})").format(
                          review=last.id, date=last.date.strftime("%d/%m/%Y")),
                      c.who(last.chair), doc.path)
    else:
        started = system_start(c.ws)
        if started is not None:
            yield DueItem(add_months(started, interval), "review", "first",
                          _("First management review of the system"),
                          c.who(*top), "qms.yaml")
    for doc, review in held:
        for _kind, _i, action in review.outputs.actions():
            if action.status not in ("open", "in_progress") or action.due is None:
                continue
            yield DueItem(action.due, "review-action", f"{review.id}/{action.id}",
                          _("Action {action} of management review {review}: {description}").format(
                              action=action.id, review=review.id, description=action.description.get(c.lang)),
                          c.who(action.owner), doc.path)


def _document_items(c: _Ctx) -> Iterator[DueItem]:
    for cd in collect(c.ws):
        if cd.control is None:
            continue  # a form issued with its parent document is reviewed with it
        day = next_review(cd.control, c.ws)
        if day is None:
            continue
        owner: list[str | None] = []
        if cd.kind == "procedure":
            proc = c.ws.process_by_id().get(cd.id)
            owner = [proc[1].owner] if proc is not None else []
        elif cd.control.approved_by is not None:
            owner = [cd.control.approved_by.name]
        yield DueItem(day, "document", cd.code,
                      _("Periodic review of {code}: {title}").format(code=cd.code, title=cd.title_text(c.lang)),
                      c.who(*owner), cd.path)


def _legal_items(c: _Ctx, as_of: dt.date) -> Iterator[DueItem]:
    from qms.legal.impact import assess, citations
    from qms.legal.service import optional_view

    view = optional_view(c.ws)
    if view is None:
        return
    seen: set[tuple[str, str]] = set()
    owners = {proc.id: proc.owner for _doc, proc in c.ws.processes()}
    for citing in citations(c.ws, view.index):
        found = assess(view.index, citing, view.months, view.calendar, as_of)
        change = found.change
        if change is None or found.due is None:
            continue
        key = (citing.process, change.by or change.document.doc.number)
        if key in seen:
            continue
        seen.add(key)
        if change.kind == "superseded":
            summary = _("Update {process}: it cites {old}, replaced by {new} from {date}")
        elif change.kind == "amended":
            summary = _("Update {process}: {new} changes {old} from {date}")
        else:
            summary = _("Update {process}: it cites {old}, no longer in force from {date}")
        when = change.when.strftime("%d/%m/%Y") if change.when is not None else "?"
        yield DueItem(found.due, "legal", f"{citing.process}/{change.by or change.document.doc.number}",
                      summary.format(process=citing.process, old=change.document.doc.number, new=change.by,
                                     date=when),
                      c.who(owners.get(citing.process)), citing.doc.path)


#: every source of due items
SOURCES: tuple[Callable[[_Ctx, dt.date], Iterator[DueItem]], ...] = (
    lambda c, _d: _nc_items(c),
    lambda c, _d: _audit_items(c),
    _review_items,
    lambda c, _d: _document_items(c),
    _legal_items,
)


#: kinds of files whose dates make the agenda: one that cannot be read leaves items out
SOURCE_KINDS = ("manifest", "process", "nonconformity", "audit", "audit-programme", "management-review",
                "legal-register")


def unreadable(ws: Workspace) -> list[tuple[str, int, int]]:
    """``(path, line, column)`` of every file of :data:`SOURCE_KINDS` that failed to load or validate."""
    out: list[tuple[str, int, int]] = []
    for doc in ws.docs:
        if doc.kind in SOURCE_KINDS and doc.model is None:
            first = (doc.load_problems or doc.schema_problems or [None])[0]
            out.append((doc.path, first.line if first else 1, first.column if first else 1))
    return out


def gather(ws: Workspace, as_of: dt.date, until: dt.date, lang: str,
           work_calendar: WorkingCalendar | None = None) -> Agenda:
    """Everything due on or before ``until`` (overdue items, before ``as_of``, always), by date. With the
    repository's ``work_calendar``, a date on a day off is overdue only after the next working day (as
    ``qms nc list --overdue`` decides it); without, after the date itself."""
    manifest = ws.manifest
    org = manifest.organisation if manifest is not None else None
    c = _Ctx(ws, lang, Directory.of(manifest))
    items: list[DueItem] = []
    with use_language(lang):
        for source in SOURCES:
            for item in source(c, as_of):
                if item.date > until:
                    continue
                items.append(DueItem(item.date, item.kind, item.ref, item.summary, item.owner, item.path,
                                     overdue=work_calendar.past_due(item.date, as_of) if work_calendar is not None
                                     else item.date < as_of))
    order = list(KINDS)
    items.sort(key=lambda i: (i.date, order.index(i.kind) if i.kind in order else len(order), i.ref))
    return Agenda(as_of, until, lang, org.name.get(lang) if org is not None else "", items)
