"""The KPI report as HTML or PDF: summary, objectives, and per procedure and per unit a chart of the
monthly on-time rate, a bar chart of the rate and the table of counts.

Rendered through :mod:`qms.render.api` (controlled-document header, safe PDF writing)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markupsafe import Markup

from qms.i18n import _, format_percent, format_target, get_language
from qms.kpi.charts import bar_chart, line_chart, shown_percent
from qms.kpi.classify import CATEGORIES, Counts, KpiResult
from qms.kpi.report import ObjectiveResult, calendar_line, check_target, month_label, one_stop_lines
from qms.models.log_columns import name_order

#: Lines drawn per monthly chart (the groups with most resolved dossiers); the tables list all.
MAX_LINES = 8
#: Bars drawn per bar chart (the lowest on-time rates first).
MAX_BARS = 40
#: Rejected rows listed by name (file:row and reason); the rest are counted ("and N more").
MAX_REJECTED = 50


@dataclass(slots=True)
class Row:
    key: str
    resolved: int
    early: int
    on_time: int
    late: int
    overdue: int
    rate: str
    missed: bool


@dataclass(slots=True)
class Section:
    title: str
    key_label: str
    line_svg: Markup
    bar_svg: Markup
    note: str
    rows: list[Row] = field(default_factory=list)


def _pct(rate: float | None, targets: Sequence[float] = ()) -> str:
    """A rate as printed: never carried up to 100 % or to a target it misses (see :func:`shown_percent`)."""
    return "–" if rate is None else format_percent(shown_percent(rate * 100, targets), fixed=True)


def _months(result: KpiResult, series: Mapping[tuple[str, str, str], list[int]]) -> list[str]:
    found = sorted({m for (_g, _k, m) in series})
    if result.period is None or not found:
        return found
    start, end = result.period
    out, y, m = [], start.year, start.month
    while (y, m) <= (end.year, end.month):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def build_sections(result: KpiResult, series: Mapping[tuple[str, str, str], list[int]],
                   goal: tuple[str, float] | None) -> list[Section]:
    months = _months(result, series)
    sections = []
    titles = {"procedure": (_("On-time rate by procedure"), _("Administrative procedure")),
              "unit": (_("On-time rate by unit"), _("Unit"))}
    for grouping, (title, key_label) in titles.items():
        totals: dict[str, Counts] = {}
        monthly: dict[str, dict[str, Counts]] = {}
        for (g, key, month), values in series.items():
            if g != grouping:
                continue
            tot = totals.setdefault(key, Counts())
            per = monthly.setdefault(key, {}).setdefault(month, Counts())
            for i in range(len(CATEGORIES)):
                tot.values[i] += values[i]
                per.values[i] += values[i]
        if not totals:
            continue
        biggest = sorted(totals, key=lambda k: (-totals[k].resolved, k))[:MAX_LINES]
        lines = {}
        for key in biggest:
            rates = []
            for m in months:
                c = monthly[key].get(m)
                r = c.on_time_rate if c is not None else None
                rates.append(None if r is None else r * 100)
            lines[_("(blank)") if key == "(blank)" else key] = rates
        target = goal[1] if goal else None
        line_svg = line_chart([month_label(m) for m in months], lines, title=_("Monthly on-time rate ({what})").format(what=key_label.lower()),
                              target=target)
        ranked = sorted(totals, key=lambda k: (totals[k].on_time_rate if totals[k].on_time_rate is not None else 2, k))
        bars = [(_("(blank)") if k == "(blank)" else k,
                 None if totals[k].on_time_rate is None else (totals[k].on_time_rate or 0) * 100)
                for k in ranked[:MAX_BARS]]
        bar_svg = bar_chart(bars, title=_("On-time rate over the period ({what})").format(what=key_label.lower()),
                            target=target)
        note = ""
        if len(totals) > MAX_LINES:
            note = _("The chart shows the {n} {what} with most resolved dossiers of {total}; the table lists all.").format(
                n=MAX_LINES, what=key_label.lower(), total=len(totals))
        rows = []
        for key in sorted(totals, key=name_order):
            c = totals[key]
            missed = goal is not None and not check_target(c, goal[1], goal[0]).met
            rows.append(Row(key, c.resolved, c["early"], c["on_time"], c["late"], c["overdue_in_progress"],
                            _pct(c.on_time_rate, [goal[1]] if goal else []), missed))
        sections.append(Section(title, key_label, Markup(line_svg), Markup(bar_svg), note, rows))
    return sections


def report_context(result: KpiResult, series: Mapping[tuple[str, str, str], list[int]], *,
                   target: float | None, objectives: Sequence[ObjectiveResult]) -> dict[str, Any]:
    c = result.counts
    goal: tuple[str, float] | None = None
    if target is not None:
        goal = (">=", target)
    elif objectives:
        goal = (objectives[0].op, objectives[0].target)
    goals = [target] if target is not None else [o.target for o in objectives]
    summary = [
        (_("Dossiers counted"), str(c.total)),
        (_("Resolved"), str(c.resolved)),
        (_("Early"), str(c["early"])),
        (_("On time"), str(c["on_time"])),
        (_("Late"), str(c["late"])),
        (_("In progress"), str(c["in_progress"])),
        (_("Overdue, in progress"), str(c["overdue_in_progress"])),
        (_("Excluded (withdrawn or cancelled)"), str(c["excluded"])),
        (_("On-time rate"), _pct(c.on_time_rate, goals)),
        *one_stop_lines(result),
        (_("Calendar"), calendar_line(result)),
    ]
    objs = [{"id": o.id, "statement": o.statement, "target": format_target(o.target_text),
             "actual": _pct(c.on_time_rate, goals), "met": o.met} for o in objectives]
    if target is not None:
        chk = check_target(c, target)
        objs.insert(0, {"id": "", "statement": _("On-time rate (--target)"), "target": format_target(f">= {target}%"),
                        "actual": _pct(c.on_time_rate, goals),
                        "met": chk.met})
    lang = get_language()  # the report is rendered in the language of messages (see write_report)
    period = None
    if result.period:
        period = f"{_date(result.period[0], lang)} – {_date(result.period[1], lang)}"
    return {
        "reference_day": _date(result.reference_day, lang),
        "period": period,
        "summary": summary,
        "objectives": objs,
        "sections": build_sections(result, series, goal),
        "rejected": len(result.rejected),
        "rejected_rows": [(f"{Path(r.path).name}:{r.row}", r.dossier_id, r.reason)
                          for r in result.rejected[:MAX_REJECTED]],
        "rejected_more": (_("... and {n} more (use --format json for all)").format(n=len(result.rejected) - MAX_REJECTED)
                          if len(result.rejected) > MAX_REJECTED else ""),
        "duplicates": len(result.duplicates),
        "totals": "; ".join(f"{Path(t.path).name}:{t.row} ({t.label})" for t in result.totals[:MAX_REJECTED])
                  + ("; " + _("... and {n} more (use --format json for all)").format(n=len(result.totals) - MAX_REJECTED)
                     if len(result.totals) > MAX_REJECTED else ""),
    }


def render_html(result: KpiResult, series: Mapping[tuple[str, str, str], list[int]], *, target: float | None,
                objectives: Sequence[ObjectiveResult], root: Path | None, lang: str) -> str:
    from qms.render import api

    report = report_context(result, series, target=target, objectives=objectives)
    org = api.OrgView("", "", "")
    if root is not None:
        from qms.kpi.repo import load_repo_kpi

        manifest = load_repo_kpi(root).manifest
        if manifest is not None:
            org = api.org_view(manifest, lang)
    stamp = result.period[1] if result.period else result.reference_day
    day = _date(result.reference_day, lang)  # issued and effective on its reference day: no empty date lines
    control = api.ControlView(f"BC-KPI-{stamp:%Y%m}", "01", day, "approved", None, None, None, [], issued_on=day)
    title = _("Dossier processing KPI report")
    return api.render_html_document("kpi_report.j2", {"control": control, "org": org, "doc_kind": _("Report"),
                                                      "doc_title": title, "report": report}, root, lang,
                                    search_package="qms.kpi")


def _date(day: dt.date, lang: str) -> str:
    from qms.render.env import format_date

    return format_date(day, lang)


def write_report(result: KpiResult, series: Mapping[tuple[str, str, str], list[int]], fmt: str,
                 output: Path | None, *, target: float | None, objectives: Sequence[ObjectiveResult],
                 root: Path | None, lang: str) -> str:
    """Render; write ``output`` (atomically) if given. Returns the HTML."""
    html = render_html(result, series, target=target, objectives=objectives, root=root, lang=lang)
    if output is not None:
        from qms.render import api

        api.write_document(html, output, fmt, root)
    return html
