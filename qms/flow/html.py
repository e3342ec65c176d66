"""The flow report as HTML or PDF: per procedure the step table coloured by how often each step
exceeded its budget (with the legend), the bottlenecks, a chart of working time per agency (within
steps and waiting between agencies), the monthly trend of late dossiers and the deviations from the
map. Rendered through :mod:`qms.render.api` (controlled-document header, bundled fonts, safe PDF
writing)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from markupsafe import Markup

from qms.flow.analyse import FlowResult, ProcResult
from qms.flow.report import deviation_label
from qms.i18n import _, format_number, format_percent

MAX_REJECTED = 50
#: share of dossiers over budget -> severity class (the legend lists them)
SEVERITY = ((0.25, "high"), (0.10, "medium"), (0.0, "low"))


def severity(share: float) -> str:
    for floor, name in SEVERITY:
        if share > floor:
            return name
    return "none"


def _h(value: float | None) -> str:
    return "–" if value is None else format_number(value, digits=1)


def _section(p: ProcResult, other: ProcResult | None) -> dict[str, Any]:
    from qms.flow.charts import agency_chart
    from qms.kpi.charts import line_chart

    hpd = p.hours_per_day
    steps = []
    for s in p.steps:
        share = s.over_budget / s.count if s.count else 0.0
        o = other.step(s.step) if other is not None else None
        steps.append({"step": s.step, "count": s.count, "median": _h(s.median_hours), "p90": _h(s.p90_hours),
                      "median_days": _h(s.median_hours / hpd), "budget": _h(s.budget_hours),
                      "over": s.over_budget, "share": format_percent(100 * share, digits=1),
                      "lost": _h(s.hours_over_budget), "severity": severity(share),
                      "compare_median": _h(o.median_hours) if o is not None else "–",
                      "compare_share": format_percent(100 * o.over_budget / o.count, digits=1)
                      if o is not None and o.count else "–"})
    chart = ""
    if len(p.agencies) > 1:
        chart = agency_chart([(a.agency, a.total_hours / hpd, a.waiting_hours / hpd) for a in p.agencies],
                             title=_("Working days per agency"), within_label=_("within steps"),
                             waiting_label=_("waiting for the hand-over"))
    trend = ""
    if len(p.monthly) > 1:
        months = [m["month"] for m in p.monthly]
        rates = [100.0 * (1 - m["late"] / m["dossiers"]) if m["dossiers"] else None for m in p.monthly]
        trend = line_chart(months, {p.procedure: rates}, title=_("Dossiers not late, per month (%)"))
    return {
        "title": f"{p.procedure} – {p.title}".strip(" –"),
        "facts": _("{n} dossiers, {late} late, {nc} not following the map").format(
            n=p.dossiers, late=p.late, nc=p.nonconforming),
        "steps": steps,
        "bottlenecks": ", ".join(p.bottlenecks),
        "waiting": _("Waiting between agencies: {wait} working days; within steps: {within} working days").format(
            wait=_h(p.waiting_hours / hpd), within=_h(p.within_hours / hpd)),
        "late_by_step": ", ".join(f"{k} ({v})" for k, v in sorted(p.late_by_step.items(), key=lambda kv: -kv[1])),
        "deviations": [(deviation_label(d.kind), d.count, ", ".join(d.examples)) for d in p.deviations],
        "agency_svg": Markup(chart),  # built by agency_chart: every text escaped
        "trend_svg": Markup(trend),  # built by line_chart: every text escaped
    }


def report_context(result: FlowResult, compare: FlowResult | None) -> dict[str, Any]:
    others = {p.procedure: p for p in compare.procedures} if compare is not None else {}
    return {
        "period": (f"{result.period[0].isoformat()} – {result.period[1].isoformat()}" if result.period else None),
        "compare": (f"{compare.period[0].isoformat()} – {compare.period[1].isoformat()}"
                    if compare is not None and compare.period else None),
        "sections": [_section(p, others.get(p.procedure)) for p in result.procedures],
        "findings": [_("The real routes of {procedure} often differ from its map ({n} of {total} dossiers); "
                       "the map may be out of date (7.5.3, 4.4.1).").format(
            procedure=f["procedure"], n=f["nonconforming"], total=f["dossiers"]) for f in result.findings()],
        "rejected": result.rejected_total,
        "rejected_rows": [(f"{Path(r.path).name}:{r.row}", r.dossier_id, r.reason)
                          for r in result.rejected[:MAX_REJECTED]],
        "legend": [("high", _("over budget in more than 25 % of dossiers")),
                   ("medium", _("over budget in 10 to 25 % of dossiers")),
                   ("low", _("over budget in up to 10 % of dossiers"))],
    }


def render_html(result: FlowResult, compare: FlowResult | None, *, root: Path, lang: str) -> str:
    from qms.kpi.repo import load_repo_kpi
    from qms.render import api
    from qms.render.env import format_date

    manifest = load_repo_kpi(root).manifest
    org = api.org_view(manifest, lang) if manifest is not None else api.OrgView("", "", "")
    today = dt.date.today()
    stamp = result.period[1] if result.period else today
    control = api.ControlView(f"BC-FLOW-{stamp:%Y%m}", "01", format_date(today, lang), "approved",
                              None, None, None, [])
    return api.render_html_document("flow_report.j2", {"control": control, "org": org, "doc_kind": _("Report"),
                                                       "doc_title": _("Where dossiers lose time"),
                                                       "report": report_context(result, compare)},
                                    root, lang, search_package="qms.flow")


def write_report(result: FlowResult, compare: FlowResult | None, fmt: str, output: Path | None, *, root: Path,
                 lang: str, by: str = "step") -> str:
    """Render; write ``output`` (atomically) if given. Returns the HTML."""
    del by
    html = render_html(result, compare, root=root, lang=lang)
    if output is not None:
        if fmt == "pdf":
            from qms.render import api

            api.write_pdf(html, output, root)
        else:
            from qms.store.atomic import atomic_write_text

            atomic_write_text(output, html)
    return html
