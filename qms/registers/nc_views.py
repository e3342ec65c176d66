"""The nonconformity register as the commands show it: list, record sheet and statistics, each as
text, CSV (through :mod:`qms.output.csvfmt`) and JSON (:func:`qms.output.jsonfmt.to_json`).

Every cell of user text goes through :func:`qms.output.safe.one_line`: records are read without
validation, so a title may hold a line break or an escape sequence.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from qms.i18n import _, format_date
from qms.models.nonconformity import CorrectiveAction, EffectivenessReview, HistoryEntry, Nonconformity
from qms.output.csvfmt import rows_to_csv
from qms.output.jsonfmt import to_json
from qms.output.safe import lines as block
from qms.output.safe import one_line as t
from qms.registers.nc import label
from qms.registers.nc_stats import NcStats
from qms.store.nc_store import NcSummary

if TYPE_CHECKING:
    from qms.calendar import WorkingCalendar

LIST_HEADER = ["id", "status", "severity", "process", "source", "clause", "raised_on", "next_due",
               "review_due", "closed_on", "overdue", "title"]


# -- list ----------------------------------------------------------------------------------


def _day(value: dt.date | str | None) -> str:
    """A date as people read it (dd/mm/yyyy); an ISO text of the listing index too; "" for none."""
    if not value:
        return ""
    if not isinstance(value, str):
        return format_date(value)
    try:
        return format_date(dt.date.fromisoformat(value))
    except ValueError:
        return value  # a record broken by hand: shown as written (escaped by the caller)


def _moment(value: dt.datetime) -> str:
    """A moment as people read it: dd/mm/yyyy HH:MM:SS."""
    return f"{format_date(value)} {value.strftime('%H:%M:%S')}"


def summary_dict(row: NcSummary, today: dt.date, calendar: WorkingCalendar | None = None) -> dict[str, Any]:
    data = asdict(row)
    data["overdue"] = row.overdue(today, calendar)
    return data


def list_json(rows: Sequence[NcSummary], day: dt.date, calendar: WorkingCalendar | None = None) -> str:
    return to_json([summary_dict(r, day, calendar) for r in rows])


def list_csv(rows: Sequence[NcSummary], day: dt.date, lang: str, calendar: WorkingCalendar | None = None) -> str:
    return rows_to_csv(LIST_HEADER, [[r.id, r.status, r.severity, r.process, r.source, r.clause, r.raised_on,
                                      r.next_due, r.review_due, r.closed_on, "yes" if r.overdue(day, calendar) else "",
                                      r.title(lang)] for r in rows])


def list_text(rows: Sequence[NcSummary], day: dt.date, lang: str, calendar: WorkingCalendar | None = None) -> str:
    """The register as a table with a count line (or a line saying that nothing matches)."""
    if not rows:
        return _("no nonconformities match")
    lines: list[str] = []
    # every cell is user text read without validation: one line each, controls escaped
    labels = [(t(label(r.status)), t(label(r.severity)), t(label(r.source))) for r in rows]
    # labels are translated codes: widen the columns when a language needs more room
    w_status = max(11, len(_("STATUS")), *(len(x[0]) for x in labels))
    w_sev = max(5, len(_("SEV.")), *(len(x[1]) for x in labels))
    w_source = max(14, len(_("SOURCE")), *(len(x[2]) for x in labels))
    w_raised = max(10, len(_("RAISED")))
    w_process = max(10, len(_("PROCESS")), *(len(t(r.process)) for r in rows))
    for r, (status_, severity_, source_) in zip(rows, labels, strict=True):
        due = _day(r.next_due or (r.review_due if r.status == "implemented" else ""))
        mark = "!" if r.overdue(day, calendar) else " "
        lines.append(f"{t(r.id):<13} {status_:<{w_status}} {severity_:<{w_sev}} "
                     f"{t(r.process):<{w_process}} {source_:<{w_source}} "
                     f"{t(_day(r.raised_on)):<{w_raised}} {mark}{t(due):<10} {t(r.title(lang))}")
    head = (f"{_('ID'):<13} {_('STATUS'):<{w_status}} {_('SEV.'):<{w_sev}} {_('PROCESS'):<{w_process}} "
            f"{_('SOURCE'):<{w_source}} {_('RAISED'):<{w_raised}}  {_('DUE'):<10} {_('TITLE')}")
    return "\n".join([head, *lines, _("{count} record(s)").format(count=len(rows))])


# -- one record ----------------------------------------------------------------------------


def record_json(record: Nonconformity) -> str:
    """The record on one line."""
    return to_json(record.model_dump(mode="json", exclude_none=True))


def record_csv(record: Nonconformity) -> str:
    """The record as ``field,value`` lines (nested fields as dotted paths)."""
    return rows_to_csv(["field", "value"], [list(r) for r in _flatten(record.model_dump(
        mode="json", exclude_none=True))])


def _flatten(value: Any, prefix: str = "") -> list[tuple[str, Any]]:
    if isinstance(value, dict):
        out: list[tuple[str, Any]] = []
        for k, v in value.items():
            out.extend(_flatten(v, f"{prefix}.{k}" if prefix else str(k)))
        return out
    if isinstance(value, list):
        out = []
        for i, v in enumerate(value):
            out.extend(_flatten(v, f"{prefix}.{i}"))
        return out
    if isinstance(value, int | float) and not isinstance(value, bool):
        return [(prefix, value)]  # a number stays a number in the CSV
    return [(prefix, "" if value is None else str(value))]


def _change(entry: HistoryEntry) -> str:
    """The field change an amend or reassign entry records, on the entry's line."""
    if not entry.field:
        return ""
    deep = "        "
    text = f"  {t(entry.field)}: {block(entry.old or '-', deep)} → {block(entry.new or '-', deep)}"
    return text + (f" ({_('reason')}: {block(entry.reason, '        ')})" if entry.reason else "")


def _history_when(entry: HistoryEntry) -> str:
    """The day a step happened; the moment it was recorded when that was on another day."""
    if entry.at is not None:  # an entry of an earlier version: the moment of the step
        return _moment(entry.at)
    if entry.recorded_at is not None and entry.recorded_at.date() != entry.day:
        return _("{date} (recorded {moment})").format(date=_day(entry.day), moment=_moment(entry.recorded_at))
    return _moment(entry.recorded_at) if entry.recorded_at is not None else _day(entry.day)


def _actions_and_reviews(actions: list[CorrectiveAction], reviews: list[EffectivenessReview],
                         who: Callable[[str], str]) -> list[str]:
    lines: list[str] = []
    if actions:
        lines += ["", f"(c) {_('Corrective actions')}"]
        lines += [f"    {t(x.id)} {block(x.description, '        ')} — {t(who(x.owner))}, {_('due')} {_day(x.due)}"
                  + (f", {_('done')} {_day(x.done)}" if x.done else "") for x in actions]
    for rv in reviews:
        verdict = _("effective") if rv.effective else _("not effective")
        lines += ["", f"(d) {_('Effectiveness review')} ({_day(rv.date)}, {t(who(rv.by))}): {verdict}",
                  f"    {block(rv.evidence, '    ')}"]
    return lines


def record_text(record: Nonconformity, lang: str, who: Callable[[str], str] = str) -> str:
    """A readable record sheet. Ids and names are kept on their line (:func:`qms.output.safe.one_line`);
    multi-line text keeps its line breaks, each line escaped and indented (:func:`qms.output.safe.lines`)."""
    lines = [f"{record.id}  {t(record.title.get(lang))}",
             f"{_('Status')}: {label(record.status)}    {_('Severity')}: {label(record.severity)}    "
             f"{_('Source')}: {label(record.source)}",
             f"{_('Process')}: {t(record.process)}    {_('Clause')}: {t(record.clause or '-')}"
             + (f"    {_('Audit')}: {t(record.audit)} {t(record.finding or '')}" if record.audit else ""),
             f"{_('Raised by')}: {t(who(record.raised_by))}, {_day(record.raised_on)}",
             "", block(record.description.get(lang), "")]
    if record.evidence:
        lines += ["", f"{_('Evidence')}: {block(record.evidence)}"]
    if record.correction:
        c = record.correction
        lines += ["", f"(a) {_('Correction')} ({_day(c.date)}, {t(who(c.by))}): {block(c.description)}"]
    rounds = record.analysis_rounds()
    for k, rnd in enumerate(rounds, 1):
        a = rnd.analysis
        heading = _("Cause analysis") if len(rounds) == 1 else _("Cause analysis {n} of {total}").format(
            n=k, total=len(rounds))
        state = f" — {_('superseded')}" if rnd.superseded else ""
        lines += ["", f"(b) {heading} ({label(a.method)}, {_day(a.date)}, {t(who(a.by))}){state}"]
        lines += [f"    {_('why')} {i}: {block(w, '        ')}" for i, w in enumerate(a.whys, 1)]
        lines += [f"    {label(cat)}: {t('; '.join(items))}" for cat, items in a.fishbone.items()]
        lines += [f"    {_('Root cause')}: {block(a.root_cause, '        ')}",
                  f"    {_('Similar nonconformities')}: {block(a.similar, '        ')}"
                  + (f" ({t(', '.join(a.similar_ncs))})" if a.similar_ncs else "")]
        lines += _actions_and_reviews(rnd.actions, rnd.reviews, who)
    if not rounds:
        lines += _actions_and_reviews(record.actions, record.reviews, who)
    if record.review_due:
        lines += ["", f"{_('Effectiveness review due')}: {_day(record.review_due)}"]
    if record.risk_update:
        lines += [f"(e) {_('Risks and opportunities')}: {block(record.risk_update)}"]
    if record.qms_change:
        lines += [f"(f) {_('Change to the QMS')}: {block(record.qms_change)}"]
    if record.rejection_reason:
        lines += ["", f"{_('Rejected')}: {block(record.rejection_reason)}"]
    if record.closed_on:
        lines += ["", f"{_('Closed on')}: {_day(record.closed_on)}"]
    lines += ["", _("History")]
    lines += [f"    {_history_when(h)}  {t(who(h.by))}  {label(h.transition)} → {label(h.status)}"
              + (f"  {block(h.note, '        ')}" if h.note else "") + _change(h)
              for h in record.history]
    return "\n".join(lines)


# -- statistics ----------------------------------------------------------------------------


def stats_json(result: NcStats) -> str:
    return to_json(result.to_dict())


def stats_csv(result: NcStats) -> str:
    return rows_to_csv(["dimension", "key", "value"], [list(r) for r in result.rows()])


def stats_text(result: NcStats) -> str:
    out = [_("{count} nonconformities, {closed} closed").format(count=result.total, closed=result.closed)]
    for dim, title in (("process", _("By process")), ("clause", _("By clause")), ("source", _("By source")),
                       ("severity", _("By severity")), ("status", _("By status")), ("month", _("By month"))):
        counts: dict[str, int] = getattr(result, f"by_{dim}")
        if counts:
            out.append(f"\n{title}")
            coded = dim in ("source", "severity", "status")
            out.extend(f"  {t(label(key) if coded else key):<16} {value:>6}" for key, value in counts.items())
    if result.mean_days_to_close is not None:
        out.append("")
        out.append(_("Days to close: mean {mean:g}, 90th percentile {p90:g}").format(
            mean=result.mean_days_to_close, p90=result.p90_days_to_close))
    return "\n".join(out)
