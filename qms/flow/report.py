"""The flow report as text, JSON and CSV (HTML and PDF: :mod:`qms.flow.html`)."""

from __future__ import annotations

from typing import Any

from qms.flow.analyse import FlowResult, ProcResult
from qms.flow.labels import Labels
from qms.i18n import _, format_date, format_number, format_percent, ngettext
from qms.output.safe import one_line


def deviation_label(kind: str) -> str:
    return {
        "skipped_step": _("a step was skipped"),
        "out_of_order": _("steps out of order"),
        "unknown_step": _("a step not in the map"),
        "unknown_agency": _("an agency not in the map"),
        "loop": _("a loop the map does not have"),
        "wrong_end": _("ended somewhere other than an end step"),
    }.get(kind, kind)


def to_json(result: FlowResult, compare: FlowResult | None = None) -> str:
    from qms.output.jsonfmt import to_json as dump

    data = result.to_dict()
    if compare is not None:
        data["compare"] = compare.to_dict()
    return dump(data, indent=2) + "\n"


def _h(value: float | None) -> str:
    return "-" if value is None else format_number(value, digits=1)


def _steps_table(p: ProcResult, other: ProcResult | None, labels: Labels) -> list[list[Any]]:
    head = [_("step"), _("dossiers"), _("median h"), _("p90 h"), _("median d"), _("budget h"), _("over budget"),
            _("h over budget")]
    if other is not None:
        head += [_("median h (compared)"), _("over budget (compared)")]
    head.append(_("name"))
    names = labels.steps.get(p.procedure, {})
    rows: list[list[Any]] = [head]
    for s in p.steps:
        row: list[Any] = [s.step, s.count, _h(s.median_hours), _h(s.p90_hours),
                          _h(s.median_hours / s.hours_per_day), _h(s.budget_hours), s.over_budget,
                          _h(s.hours_over_budget)]
        if other is not None:
            o = other.step(s.step)
            row += [_h(o.median_hours) if o else "-", o.over_budget if o else "-"]
        row.append(one_line(names.get(s.step, "")))
        rows.append(row)
    return rows


def _agency_table(p: ProcResult, labels: Labels) -> list[list[Any]]:
    rows: list[list[Any]] = [[_("agency"), _("dossiers"), _("median h"), _("p90 h"), _("total h"),
                              _("waiting h before")]]
    for a in p.agencies:
        rows.append([one_line(labels.agency(p.procedure, a.agency)), a.count, _h(a.median_hours), _h(a.p90_hours), _h(a.total_hours), _h(a.waiting_hours)])
    return rows


def unchecked_line(n: int) -> str:
    return ngettext("{n} dossier was not checked against the map: one of its hand-overs could not be matched to a step",
                    "{n} dossiers were not checked against the map: a hand-over of each could not be matched to a step",
                    n).format(n=n)


def duplicates_line(n: int) -> str:
    return ngettext("{n} hand-over was in the logs more than once and is counted once",
                    "{n} hand-overs were in the logs more than once and are counted once", n).format(n=n)


def to_text(result: FlowResult, by: str = "step", compare: FlowResult | None = None,
            labels: Labels | None = None) -> str:
    """The report for a terminal: agencies and steps by name (the JSON keeps the ids)."""
    from qms.output.table import columns

    labels = labels or Labels()
    lines: list[str] = []
    clock = (_("elapsed hours (24/7)") if result.elapsed
             else _("working hours ({hours} h a working day)").format(hours=format_number(result.hours_per_day)))
    lines.append(_("Where dossiers lose time, in {clock}").format(clock=clock))
    if result.period is not None:
        lines.append(_("Period: {start} to {end}").format(start=format_date(result.period[0]),
                                                          end=format_date(result.period[1])))
    if compare is not None and compare.period is not None:
        lines.append(_("Compared with: {start} to {end}").format(start=format_date(compare.period[0]),
                                                                 end=format_date(compare.period[1])))
    others = {p.procedure: p for p in compare.procedures} if compare is not None else {}
    for p in result.procedures:
        lines.append("")
        title = f"{p.procedure} {one_line(p.title)}".strip()
        lines.append(ngettext("{procedure}: {n} dossier, {late} late, {nc} not following the map",
                              "{procedure}: {n} dossiers, {late} late, {nc} not following the map", p.dossiers).format(
            procedure=title, n=p.dossiers, late=p.late, nc=p.nonconforming))
        if by == "agency":
            lines.extend("  " + ln for ln in columns(_agency_table(p, labels)))
        else:
            lines.extend("  " + ln for ln in columns(_steps_table(p, others.get(p.procedure), labels)))
        if p.bottlenecks:  # one step a line, by its number on the flowchart and its name
            lines.append("  " + _("Bottlenecks (most working time over budget first)") + ":")
            lines.extend("    " + one_line(labels.step(p.procedure, s)) for s in p.bottlenecks)
        lines.append("  " + _("Waiting between agencies: {wait} h; within steps: {within} h").format(
            wait=_h(p.waiting_hours), within=_h(p.within_hours)))
        if p.late_by_step:
            lines.append("  " + _("Late dossiers by the step where each lost most time") + ":")
            lines.extend(f"    {one_line(labels.step(p.procedure, k))}: {format_number(v)}"
                         for k, v in sorted(p.late_by_step.items(), key=lambda kv: -kv[1]))
        for d in p.deviations:
            lines.append("  " + ngettext("{count} dossier: {what}, e.g. {examples}",
                                         "{count} dossiers: {what}, e.g. {examples}", d.count).format(
                count=d.count, what=deviation_label(d.kind), examples=", ".join(one_line(e) for e in d.examples)))
        if p.unmatched_events:
            lines.append("  " + ngettext("{n} hand-over could not be matched to a step",
                                         "{n} hand-overs could not be matched to a step",
                                         p.unmatched_events).format(n=p.unmatched_events))
        if p.unchecked:
            lines.append("  " + unchecked_line(p.unchecked))
    for f in result.findings():
        lines.append("")
        lines.append(_("finding: the real routes of {procedure} often differ from its map ({n} of {total} dossiers, "
                       "{share}); the map may be out of date (7.5.3, 4.4.1)").format(
            procedure=f["procedure"], n=f["nonconforming"], total=f["dossiers"],
            share=format_percent(100 * f["share"], digits=1)))
    if result.unknown_people:
        lines.append("")
        lines.append(ngettext("{n} hand-over by a person not in organisation.people (or --people) was not matched",
                              "{n} hand-overs by people not in organisation.people (or --people) were not matched",
                              result.unknown_people).format(n=result.unknown_people))
    if result.duplicates:
        lines.append("")
        lines.append(duplicates_line(result.duplicates))
    if result.rejected_total:
        lines.append("")
        lines.append(_("Rejected rows: {n}").format(n=result.rejected_total))
        for r in result.rejected[:50]:
            ident = f" [{one_line(r.dossier_id)}]" if r.dossier_id else ""
            lines.append(f"  {one_line(r.path)}:{r.row}{ident}: {one_line(r.reason)}")
        if result.rejected_total > 50:
            lines.append("  " + _("... and {n} more (see --format json)").format(n=result.rejected_total - 50))
    return "\n".join(lines) + "\n"


def to_csv(result: FlowResult, by: str = "step", labels: Labels | None = None) -> str:
    """One row per step (or agency), with its id and its name."""
    from qms.output.csvfmt import rows_to_csv

    labels = labels or Labels()
    if by == "agency":
        header = ["procedure", "agency", "count", "median_hours", "p90_hours", "total_hours", "waiting_hours"]
        rows: list[list[Any]] = [[p.procedure, *(a.to_dict()[k] for k in header[1:]),
                                  labels.agency(p.procedure, a.agency)]
                                 for p in result.procedures for a in p.agencies]
        return rows_to_csv([*header, "agency_name"], rows)
    header = ["procedure", "step", "count", "median_hours", "p90_hours", "median_days", "p90_days", "budget_hours",
              "over_budget", "hours_over_budget"]
    rows = [[p.procedure, *(s.to_dict()[k] for k in header[1:]), labels.steps.get(p.procedure, {}).get(s.step, "")]
            for p in result.procedures for s in p.steps]
    return rows_to_csv([*header, "step_name"], rows)
