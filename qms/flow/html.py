"""The flow report as HTML or PDF: per procedure its swimlane flowchart with each step's median,
90th percentile and share of dossiers over budget, coloured and bordered by severity (with the
legend); the step table with the same severity; the bottlenecks; a chart of working time per agency
(within steps and waiting between agencies); the monthly trend of late dossiers and the deviations
from the map. Rendered through :mod:`qms.render.api` (controlled-document header, bundled fonts, safe PDF
writing)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from qms.flow.analyse import FlowResult, ProcResult, StepStat
from qms.flow.labels import HOME, Labels
from qms.flow.report import deviation_label, duplicates_line, unchecked_line
from qms.i18n import _, format_date, format_number, format_percent, ngettext, pgettext

if TYPE_CHECKING:
    from qms.models.organisation import Manifest
    from qms.models.process import Process
    from qms.render.viewmodels import Names

MAX_REJECTED = 50
#: share of dossiers over budget -> severity class (the legend lists them)
SEVERITY = ((0.25, "high"), (0.10, "medium"), (0.0, "low"))


def severity(share: float) -> str:
    for floor, name in SEVERITY:
        if share > floor:
            return name
    return "none"


def level_word(level: str) -> str:
    """The severity as a word, printed beside the colour (the report reads in black and white too)."""
    return {"high": pgettext("severity", "high"), "medium": pgettext("severity", "medium"),
            "low": pgettext("severity", "low")}.get(level, "")


def _h(value: float | None) -> str:
    return "–" if value is None else format_number(value, digits=1)


def _share(s: StepStat) -> float:
    return s.over_budget / s.count if s.count else 0.0


def _flowchart(p: ProcResult, proc: Process | None, names: Names | None, lang: str) -> tuple[list[Markup], bool]:
    """The procedure's swimlane flowchart, each step annotated with its median, 90th percentile and
    share of dossiers over budget, and coloured (fill and border) by that share's severity."""
    if proc is None or names is None or not proc.steps:
        return [], False
    from qms.render import svg
    from qms.render.viewmodels import flowchart_input

    flow, lanes = flowchart_input(proc, names, lang)
    notes: dict[str, str] = {}
    levels: dict[str, str] = {}
    for s in p.steps:
        share = _share(s)
        level = severity(share)
        text = _("median {median} h, p90 {p90} h").format(median=_h(s.median_hours), p90=_h(s.p90_hours))
        if s.budget_hours is not None:
            text += "; " + _("over budget: {share}").format(share=format_percent(100 * share, digits=0))
            if level != "none":
                text += f" ({level_word(level)})"
                levels[s.step] = level
        notes[s.step] = text
    seen = {s.step for s in p.steps}
    for f in flow:
        if f.id not in seen:
            notes[f.id] = _("no dossier")
    sheets = svg.swimlane(proc.document.code or proc.id, flow, lanes, lang=lang, annotations=notes, levels=levels)
    return [Markup(sheet) for sheet in sheets], svg.landscape(lanes)  # built by swimlane: every text escaped


def _trend(p: ProcResult, other: ProcResult | None) -> str:
    from qms.kpi.charts import line_chart

    months: dict[str, tuple[int, int]] = {}
    for m in [*(other.monthly if other is not None else []), *p.monthly]:
        n, late = months.get(m["month"], (0, 0))
        months[m["month"]] = (n + m["dossiers"], late + m["late"])
    if len(months) < 2:
        return ""
    keys = sorted(months)
    rates = [100.0 * (1 - months[k][1] / months[k][0]) if months[k][0] else None for k in keys]
    return line_chart(keys, {p.procedure: rates}, title=_("Dossiers not late, per month (%)"))


def _section(p: ProcResult, other: ProcResult | None, labels: Labels, proc: Process | None, names: Names | None,
             lang: str) -> dict[str, Any]:
    from qms.flow.charts import agency_chart

    hpd = p.hours_per_day
    steps = []
    for s in p.steps:
        share = _share(s)
        level = severity(share)
        o = other.step(s.step) if other is not None else None
        word = level_word(level)
        steps.append({"step": labels.step(p.procedure, s.step), "count": s.count, "median": _h(s.median_hours),
                      "p90": _h(s.p90_hours), "median_days": _h(s.median_hours / hpd), "budget": _h(s.budget_hours),
                      "over": s.over_budget,
                      "share": format_percent(100 * share, digits=1) + (f" ({word})" if word else ""),
                      "lost": _h(s.hours_over_budget), "severity": level,
                      "compare_median": _h(o.median_hours) if o is not None else "–",
                      "compare_share": format_percent(100 * _share(o), digits=1) if o is not None and o.count
                      else "–"})
    chart = ""
    if len(p.agencies) > 1:
        chart = agency_chart([(labels.agency(p.procedure, a.agency), a.total_hours / hpd, a.waiting_hours / hpd)
                              for a in p.agencies],
                             title=_("Working days per agency"), within_label=_("within steps"),
                             waiting_label=_("waiting for the hand-over"))
    flowchart, landscape = _flowchart(p, proc, names, lang)
    return {
        "title": f"{p.procedure} – {p.title}".strip(" –"),
        "facts": ngettext("{n} dossier, {late} late, {nc} not following the map",
                          "{n} dossiers, {late} late, {nc} not following the map", p.dossiers).format(
            n=p.dossiers, late=p.late, nc=p.nonconforming),
        "steps": steps,
        "flowchart": flowchart,
        "landscape": landscape,
        "bottlenecks": [ngettext("{step}: {hours} working hours over budget in {n} dossier",
                                 "{step}: {hours} working hours over budget in {n} dossiers", s.over_budget).format(
            step=labels.step(p.procedure, s.step), hours=_h(s.hours_over_budget), n=s.over_budget)
            for s in (p.step(b) for b in p.bottlenecks) if s is not None],
        "waiting": _("Waiting between agencies: {wait} working days; within steps: {within} working days").format(
            wait=_h(p.waiting_hours / hpd), within=_h(p.within_hours / hpd)),
        "late_by_step": [f"{labels.step(p.procedure, k)}: {v}"
                         for k, v in sorted(p.late_by_step.items(), key=lambda kv: -kv[1])],
        "deviations": [(deviation_label(d.kind), d.count, ", ".join(d.examples)) for d in p.deviations],
        "unchecked": unchecked_line(p.unchecked) if p.unchecked else "",
        "agency_svg": Markup(chart),  # built by agency_chart: every text escaped
        "trend_svg": Markup(_trend(p, other)),  # built by line_chart: every text escaped
    }


def report_context(result: FlowResult, compare: FlowResult | None, labels: Labels | None = None,
                   processes: Mapping[str, Process] | None = None, manifest: Manifest | None = None,
                   lang: str = "en") -> dict[str, Any]:
    from qms.render.viewmodels import Names

    labels = labels or Labels()
    procs = processes or {}
    others = {p.procedure: p for p in compare.procedures} if compare is not None else {}
    sections = []
    for p in result.procedures:
        proc = procs.get(p.procedure)
        names = Names(manifest, lang, proc) if manifest is not None and proc is not None else None
        sections.append(_section(p, others.get(p.procedure), labels, proc, names, lang))
    return {
        "period": (f"{format_date(result.period[0])} – {format_date(result.period[1])}" if result.period else None),
        "compare": (f"{format_date(compare.period[0])} – {format_date(compare.period[1])}"
                    if compare is not None and compare.period else None),
        "sections": sections,
        "findings": [_("The real routes of {procedure} often differ from its map ({n} of {total} dossiers); "
                       "the map may be out of date (7.5.3, 4.4.1).").format(
            procedure=f["procedure"], n=f["nonconforming"], total=f["dossiers"]) for f in result.findings()],
        "duplicates": duplicates_line(result.duplicates) if result.duplicates else "",
        "rejected": result.rejected_total,
        "rejected_rows": [(f"{Path(r.path).name}:{r.row}", r.dossier_id, r.reason)
                          for r in result.rejected[:MAX_REJECTED]],
        "legend": [("high", level_word("high"), _("over budget in more than 25% of dossiers")),
                   ("medium", level_word("medium"), _("over budget in 10 to 25% of dossiers")),
                   ("low", level_word("low"), _("over budget in up to 10% of dossiers"))],
    }


def render_html(result: FlowResult, compare: FlowResult | None, *, root: Path, lang: str) -> str:
    from qms.render import api
    from qms.render.env import format_date
    from qms.store.workspace import load_workspace

    ws = load_workspace(root, kinds=("manifest", "process"))
    manifest = ws.manifest
    processes = {p.id: p for _d, p in ws.processes()}
    labels = Labels.of(processes.values(), manifest, lang, HOME)
    org = api.org_view(manifest, lang) if manifest is not None else api.OrgView("", "", "")
    today = dt.date.today()
    stamp = result.period[1] if result.period else today
    day = format_date(today, lang)
    control = api.ControlView(f"BC-FLOW-{stamp:%Y%m}", "01", day, "approved", None, None, None, [], issued_on=day)
    return api.render_html_document("flow_report.j2", {"control": control, "org": org, "doc_kind": _("Report"),
                                                       "doc_title": _("Where dossiers lose time"),
                                                       "report": report_context(result, compare, labels, processes,
                                                                                 manifest, lang)},
                                    root, lang, search_package="qms.flow")


def write_report(result: FlowResult, compare: FlowResult | None, fmt: str, output: Path | None, *, root: Path,
                 lang: str, by: str = "step") -> str:
    """Render; write ``output`` (atomically) if given. Returns the HTML."""
    del by
    html = render_html(result, compare, root=root, lang=lang)
    if output is not None:
        from qms.render import api

        api.write_document(html, output, fmt, root)
    return html
