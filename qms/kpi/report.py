"""Turning a :class:`KpiResult` into JSON, CSV or text, and comparing it with a quality objective."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qms.i18n import _, bilingual, format_date, format_number, format_percent
from qms.kpi.charts import shown_percent
from qms.kpi.classify import CATEGORIES, Counts, KpiResult
from qms.legal import regimes
from qms.output.safe import one_line

if TYPE_CHECKING:
    from qms.kpi.repo import ObjectiveTarget

_TEXT_REJECTED_LIMIT = 20


@dataclass(frozen=True, slots=True)
class TargetCheck:
    """An objective such as "on time >= 98 %" and whether the result meets it."""

    target_percent: float
    actual_percent: float | None
    met: bool

    def to_dict(self) -> dict[str, Any]:
        return {"metric": "on_time_rate", "target": self.target_percent, "actual": self.actual_percent, "met": self.met}


#: the group of rows whose grouping cell is empty; JSON and CSV keep it as is (machine formats)
BLANK_GROUP = "(blank)"


def group_label(key: str) -> str:
    """A group key as a person reads it: the empty cell's group in the report's language."""
    return _("(blank)") if key == BLANK_GROUP else key


def month_label(month: str) -> str:
    """A month key (``YYYY-MM``, as JSON and CSV keep it) as people read it: ``MM/YYYY``."""
    year, sep, mon = month.partition("-")
    return f"{mon}/{year}" if sep and year.isdigit() and mon.isdigit() else month


def compare(actual: float, op: str, target: float) -> bool:
    """``actual op target`` for percentages (a 1e-9 tolerance for float noise)."""
    if op == ">":
        return actual > target + 1e-9
    if op == "<=":
        return actual <= target + 1e-9
    if op == "<":
        return actual < target - 1e-9
    return actual + 1e-9 >= target


def check_target(counts: Counts, target_percent: float, op: str = ">=") -> TargetCheck:
    """Met when on-time rate >= target. With nothing resolved the objective cannot be shown met."""
    rate = counts.on_time_rate
    actual = None if rate is None else rate * 100
    met = actual is not None and compare(actual, op, target_percent)
    return TargetCheck(target_percent, None if actual is None else round(actual, 4), met)


@dataclass(frozen=True, slots=True)
class ObjectiveResult:
    """A quality objective of the repository (``measure: on_time_rate``) against the result."""

    id: str
    statement: str
    target_text: str
    op: str
    target: float
    actual: float | None
    met: bool

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "statement": self.statement, "measure": "on_time_rate", "target": self.target_text,
                "operator": self.op, "target_percent": self.target, "actual": self.actual, "met": self.met}


def check_objectives(counts: Counts, objectives: Sequence[ObjectiveTarget], lang: str = "en") -> list[ObjectiveResult]:
    out = []
    for obj in objectives:
        chk = check_target(counts, obj.value, obj.op)
        out.append(ObjectiveResult(obj.id, obj.statement(lang), obj.target_text, obj.op, obj.value, chk.actual_percent,
                                   chk.met))
    return out


def _group_met(counts: Counts, target: float | None, objectives: Sequence[ObjectiveResult]) -> bool | None:
    if target is not None:
        return check_target(counts, target).met
    if objectives:
        return all(check_target(counts, o.target, o.op).met for o in objectives)
    return None


def to_dict(result: KpiResult, target: float | None = None,
            objectives: Sequence[ObjectiveResult] = ()) -> dict[str, Any]:
    out: dict[str, Any] = {
        "as_of": result.as_of.isoformat(),
        "reference_day": result.reference_day.isoformat(),
        "period": None
        if result.period is None
        else {"from": result.period[0].isoformat(), "to": result.period[1].isoformat()},
        "files": result.files,
        "rows_read": result.rows_read,
    }
    out.update(result.counts.to_dict())
    out["rejected_rows"] = len(result.rejected)
    out["duplicate_rows"] = len(result.duplicates)
    out["totals_rows"] = len(result.totals)
    out["out_of_period"] = result.out_of_period
    out["one_stop"] = result.one_stop.to_dict()
    out["calendar"] = calendar_provenance(result)
    if target is not None:
        out["target"] = check_target(result.counts, target).to_dict()
    if objectives:
        out["objectives"] = [o.to_dict() for o in objectives]
    out["by"] = result.by
    breakdown = []
    for key, counts in result.groups.items():
        row: dict[str, Any] = {"key": key}
        row.update(counts.to_dict())
        met = _group_met(counts, target, objectives)
        if met is not None:
            row["meets_target"] = met
        breakdown.append(row)
    out["breakdown"] = breakdown
    out["rejected"] = [r.to_dict() for r in result.rejected]
    out["duplicates"] = [d.to_dict() for d in result.duplicates]
    out["totals"] = [t.to_dict() for t in result.totals]
    return out


def to_json(result: KpiResult, target: float | None = None, objectives: Sequence[ObjectiveResult] = ()) -> str:
    return json.dumps(to_dict(result, target, objectives), ensure_ascii=False, indent=2) + "\n"


_CSV_FIELDS = ("key", "total", "resolved", *CATEGORIES, "on_time_rate")


def to_csv(result: KpiResult, target: float | None = None, objectives: Sequence[ObjectiveResult] = ()) -> str:
    """One row per group of the breakdown, then a TOTAL row."""
    from qms.output.csvfmt import rows_to_csv

    judged = target is not None or bool(objectives)
    fields = [*_CSV_FIELDS, "meets_target"] if judged else list(_CSV_FIELDS)
    rows: list[list[Any]] = []
    for key, counts in [*result.groups.items(), ("TOTAL", result.counts)]:
        d = counts.to_dict()
        row = [key, *(d[f] for f in _CSV_FIELDS[1:])]
        if judged:
            row.append(_group_met(counts, target, objectives))
        rows.append(row)
    return rows_to_csv(fields, rows)


def _pct(rate: float | None, targets: Sequence[float] = ()) -> str:
    """A rate as printed: never carried up to 100 % or to a target it misses (see :func:`shown_percent`)."""
    return "-" if rate is None else format_percent(shown_percent(rate * 100, targets), fixed=True)


def _targets(target: float | None, objectives: Sequence[ObjectiveResult]) -> list[float]:
    return [target] if target is not None else [o.target for o in objectives]


def calendar_provenance(result: KpiResult) -> dict[str, Any]:
    """Which calendar produced the report: the years of the official-schedule table, the ``holidays`` package
    version used for other years, and the years of the report whose schedule is an estimate (not announced)."""
    from qms.calendar import provenance
    from qms.calendar.official import is_estimate

    out = dict(provenance())
    years: list[int] = []
    if result.first_day is not None and result.last_day is not None:
        last = max(result.last_day, result.reference_day).year
        years = [y for y in range(result.first_day.year, last + 1) if is_estimate(y)]
    elif is_estimate(result.reference_day.year):
        years = [result.reference_day.year]
    out["estimate_years"] = years
    return out


def calendar_line(result: KpiResult) -> str:
    info = calendar_provenance(result)
    official = ", ".join(str(y) for y in info["official_years"]) or "-"
    line = _("official schedules {years}; other years from holidays {version}").format(
        years=official, version=info["holidays"])
    if info["estimate_years"]:
        line += "; " + _("estimates (schedule not announced): {years}").format(
            years=", ".join(str(y) for y in info["estimate_years"]))
    return line


def one_stop_lines(result: KpiResult) -> list[tuple[str, str]]:
    """The one-stop obligations as (label, value) pairs; the value says when they could not be counted."""
    o = result.one_stop
    resets = (str(o.reset_more_than_once) if o.reset_checked
              else _("could not be counted (the log has no column for appointment resets, e.g. 'appointment resets')"))
    if o.late and not o.late_checked:
        apology = _("could not be counted (the log has no column for apology letters, e.g. 'apology letter')")
    else:
        apology = str(o.late_without_apology)
    out = [(_("Appointment reset more than once"), resets), (_("Late without an apology letter"), apology)]
    if o.reset_checked and o.dossiers > o.reset_checked:
        out.append((_("Dossiers without a readable reset count"), str(o.dossiers - o.reset_checked)))
    if o.late_checked and o.late > o.late_checked:
        out.append((_("Late dossiers from logs without an apology column"), str(o.late - o.late_checked)))
    return out


def one_stop_basis(result: KpiResult) -> str:
    """What the one-stop obligations cite: the law of the regime (or regimes) of the period, from the
    regime data (``qms/legal/data/regimes.yaml``); without a period, the regime of the reference day."""
    start, end = result.period or (result.reference_day, result.reference_day)
    cited = [bilingual(r.obligations_vi, r.obligations_en) for r in regimes.overlapping(start, end)
             if r.obligations_en]
    return " / ".join(dict.fromkeys(cited)) or _("no one-stop regime covers the period")


def _rows_text(lines: list[str], title: str, rows: list[tuple[str, int, str]]) -> None:
    """A titled list of rows of the logs (``path:row: text``), the first ones, then how many more."""
    if not rows:
        return
    lines.append("")
    lines.append(title)
    for path, row, text in rows[:_TEXT_REJECTED_LIMIT]:
        lines.append(f"  {one_line(path)}:{row}: {one_line(text)}")
    more = len(rows) - _TEXT_REJECTED_LIMIT
    if more > 0:
        lines.append("  " + _("... and {n} more (use --format json for all)").format(n=more))


def to_text(result: KpiResult, target: float | None = None, objectives: Sequence[ObjectiveResult] = ()) -> str:
    c = result.counts
    label = {
        "total": _("Dossiers counted"),
        "resolved": _("Resolved"),
        "early": _("Early"),
        "on_time": _("On time"),
        "late": _("Late"),
        "in_progress": _("In progress"),
        "overdue_in_progress": _("Overdue, in progress"),
        "excluded": _("Excluded (withdrawn or cancelled)"),
    }
    lines = [_("Dossier processing KPI as of {day}").format(day=format_date(result.reference_day))]
    if result.period:
        lines.append(
            _("Period: {start} to {end}").format(start=format_date(result.period[0]), end=format_date(result.period[1]))
        )
    width = max(len(v) for v in label.values()) + 2
    lines.append(f"{label['total']:<{width}}{c.total:>10}")
    lines.append(f"{label['resolved']:<{width}}{c.resolved:>10}")
    for name in CATEGORIES:
        lines.append(f"  {label[name]:<{width - 2}}{c[name]:>10}")
    rate_label, rejected_label = _("On-time rate"), _("Rejected rows")
    duplicate_label, outside_label = _("Duplicate rows"), _("Outside the period")
    goals = _targets(target, objectives)
    lines.append(f"{rate_label:<{width}}{_pct(c.on_time_rate, goals):>10}")
    lines.append(f"{rejected_label:<{width}}{len(result.rejected):>10}")
    lines.append(f"{duplicate_label:<{width}}{len(result.duplicates):>10}")
    if result.out_of_period:
        lines.append(f"{outside_label:<{width}}{result.out_of_period:>10}")
    if result.totals:
        totals_label = _("Totals rows left out")
        lines.append(f"{totals_label:<{width}}{len(result.totals):>10}")
    lines.append(_("Calendar") + ": " + calendar_line(result))
    lines.append(_("One-stop obligations ({basis}):").format(basis=one_stop_basis(result)))
    for name, value in one_stop_lines(result):
        lines.append(f"  {name}: {value}")
    if target is not None:
        chk = check_target(c, target)
        verdict = _("met") if chk.met else _("MISSED")
        lines.append(
            _("Objective: on time >= {target}% - {verdict}").format(target=format_number(target), verdict=verdict)
        )
    for obj in objectives:
        verdict = _("met") if obj.met else _("MISSED")
        lines.append(
            _("Objective {id} ({target}): {actual} - {verdict}").format(
                id=one_line(obj.id), target=one_line(obj.target_text),
                actual=_pct(c.on_time_rate, goals),  # the whole counts: obj.actual is rounded
                verdict=verdict)
        )
    if result.groups:
        lines.append("")
        head = [_("Group"), _("Total"), _("Resolved"), _("Late"), _("Overdue"), _("On-time rate")]
        shown = month_label if result.by == "month" else group_label
        keys = {key: one_line(shown(key)) for key in result.groups}  # group keys are cells of the log
        key_w = max(len(head[0]), *(len(k) for k in keys.values())) + 2
        widths = [max(14, len(h) + 2) for h in head[1:]]  # a heading longer than 14 widens its column
        lines.append(f"{head[0]:<{key_w}}" + "".join(f"{h:>{w}}" for h, w in zip(head[1:], widths, strict=True)))
        for key, g in result.groups.items():
            flag = "  !" if _group_met(g, target, objectives) is False else ""
            cells = (g.total, g.resolved, g["late"], g["overdue_in_progress"], _pct(g.on_time_rate, goals))
            lines.append(f"{keys[key]:<{key_w}}" + "".join(f"{v:>{w}}" for v, w in zip(cells, widths, strict=True))
                         + flag)
    _rows_text(lines, _("Rejected rows:"), [(r.path, r.row, r.reason) for r in result.rejected])
    _rows_text(lines, _("Totals rows left out (they are not dossiers; check that no dossier is written in them):"),
               [(t.path, t.row, t.label) for t in result.totals])
    if result.duplicates:
        lines.append("")
        lines.append(_("Duplicate dossier ids (later rows ignored):"))
        for d in result.duplicates[:_TEXT_REJECTED_LIMIT]:
            lines.append(
                "  "
                + _("{path}:{row}: {id} already at {first_path}:{first_row}").format(
                    path=one_line(d.path), row=d.row, id=one_line(d.dossier_id), first_path=one_line(d.first_path),
                    first_row=d.first_row
                )
            )
        more = len(result.duplicates) - _TEXT_REJECTED_LIMIT
        if more > 0:
            lines.append("  " + _("... and {n} more (use --format json for all)").format(n=more))
    return "\n".join(lines) + "\n"
