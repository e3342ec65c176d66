"""The management review pack: every input of ISO 9001:2015 9.3.2 gathered from the repository.

Sources: earlier review records (actions), ``qms.yaml`` (context, interested parties, objectives,
external providers), ``processes/`` (KPIs, risks, resources), ``records/nonconformities/``,
``audits/`` (when present), dossier logs given with ``--logs`` (KPIs and charts) and hand-over logs
given with ``--flow-logs`` (where dossiers lose time: the bottleneck summary of ``qms flow report``).
Anything missing is said so in its section rather than left out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markupsafe import Markup

from qms.calendar import WorkingCalendar
from qms.i18n import N_, _, code_text, format_date, format_percent, format_target, pgettext
from qms.models.audit import Audit
from qms.models.common import Text
from qms.models.nonconformity import Nonconformity
from qms.models.review import INPUTS, ManagementReview

TITLES: dict[str, str] = {
    "previous_actions": N_("Status of actions from previous management reviews"),
    "context_changes": N_("Changes in external and internal issues"),
    "customer_satisfaction": N_("Citizen satisfaction and feedback from interested parties"),
    "objectives": N_("Extent to which quality objectives have been met"),
    "process_performance": N_("Process performance and conformity of services"),
    "nonconformities": N_("Nonconformities and corrective actions"),
    "monitoring": N_("Monitoring and measurement results"),
    "audit_results": N_("Audit results"),
    "external_providers": N_("Performance of external providers"),
    "resources": N_("Adequacy of resources"),
    "risk_actions": N_("Effectiveness of actions taken to address risks and opportunities"),
    "improvement_opportunities": N_("Opportunities for improvement"),
}

#: What a document prints for a resource kind (7.1.2-7.1.6) and a KPI's frequency: words, never the codes
_RESOURCE_KINDS = {"people": N_("People"), "infrastructure": N_("Infrastructure"),
                   "environment": N_("Work environment"), "monitoring": N_("Monitoring and measuring resources"),
                   "knowledge": N_("Organisational knowledge"), "information": N_("Information")}
_FREQUENCIES = {"daily": N_("Daily"), "weekly": N_("Weekly"), "monthly": N_("Monthly"), "quarterly": N_("Quarterly"),
                "yearly": N_("Yearly")}


@dataclass(slots=True)
class Table:
    head: list[str]
    rows: list[list[str]]
    caption: str = ""  # printed above the table


@dataclass(slots=True)
class Section:
    key: str
    clause: str
    title: str
    notes: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[Markup] = field(default_factory=list)


def _t(text: Text | None, lang: str) -> str:
    return "" if text is None else text.get(lang)


def _in(day: dt.date | None, span: tuple[dt.date, dt.date]) -> bool:
    return day is not None and span[0] <= day <= span[1]


def _nc_overdue(nc: Nonconformity, day: dt.date, calendar: WorkingCalendar) -> bool:
    """A pending corrective action or the effectiveness review is past its date (as ``qms nc list --overdue``:
    a date on a day off of the repository calendar runs to the end of the next working day)."""
    if nc.status in ("closed", "rejected"):
        return False
    if any(a.due is not None and calendar.past_due(a.due, day) for a in nc.pending_actions()):
        return True
    return bool(nc.status == "implemented" and nc.review_due is not None and calendar.past_due(nc.review_due, day))


def _nc_source(nc: Nonconformity) -> str:
    """Where a nonconformity came from, in words; one raised by an audit names the audit (and finding)."""
    if not nc.audit:
        return code_text(nc.source)
    audit = f"{nc.audit} / {nc.finding}" if nc.finding else nc.audit
    return f"{code_text(nc.source)} ({audit})"


def _nc_pending(nc: Nonconformity, day: dt.date, calendar: WorkingCalendar) -> str:
    """The pending corrective actions of a nonconformity, the overdue ones said in words (the rule of
    ``qms nc list --overdue``, ``_nc_overdue``), and an overdue effectiveness review."""
    pending = nc.pending_actions()
    text = str(len(pending))
    if nc.status in ("closed", "rejected"):
        return text
    late = sum(1 for a in pending if a.due is not None and calendar.past_due(a.due, day))
    if late:
        text = _("{n} ({overdue} overdue)").format(n=len(pending), overdue=late)
    if nc.status == "implemented" and nc.review_due is not None and calendar.past_due(nc.review_due, day):
        text += "; " + _("effectiveness review overdue")
    return text


def _audit_ncs(audit: Audit, ncs: list[Nonconformity], day: dt.date, calendar: WorkingCalendar) -> tuple[int, str]:
    """How many nonconformities an audit's findings raised, and their status in words (9.3.2 c 6: the results
    of audits; c 4: the status of corrective actions). A record counts when a finding names it or when it
    names the audit; a major or minor finding with no record yet, or naming a record that does not exist,
    is said so."""
    by_id = {nc.id: nc for nc in ncs}
    named = {f.nc for f in audit.findings if f.nc}
    linked = sorted(named | {nc.id for nc in ncs if nc.audit == audit.id})
    found = [by_id[i] for i in linked if i in by_id]
    missing = len(linked) - len(found)
    unraised = sum(1 for f in audit.findings if f.is_nonconformity and not f.nc
                   and not any(nc.audit == audit.id and nc.finding == f.id for nc in found))
    still_open = [nc for nc in found if nc.status not in ("closed", "rejected")]
    overdue = sum(1 for nc in still_open if _nc_overdue(nc, day, calendar))
    closed = sum(1 for nc in found if nc.status == "closed")
    rejected = sum(1 for nc in found if nc.status == "rejected")
    parts = []
    if still_open:
        parts.append(_("{n} open ({overdue} overdue)").format(n=len(still_open), overdue=overdue) if overdue
                     else _("{n} open").format(n=len(still_open)))
    if closed:
        parts.append(_("{n} closed").format(n=closed))
    if rejected:
        parts.append(_("{n} rejected as not a nonconformity").format(n=rejected))
    if missing:
        parts.append(_("{n} record not found in records/nonconformities/").format(n=missing))
    if unraised:
        parts.append(_("{n} major or minor finding without a nonconformity record").format(n=unraised))
    return len(found), "; ".join(parts) or "–"


def gather(root: Path, span: tuple[dt.date, dt.date], logs: list[Path], lang: str, *,
           today: dt.date | None = None, as_of: dt.date | None = None,
           flow_logs: list[Path] | None = None) -> list[Section]:
    """The twelve sections of the pack, in the order of 9.3.2."""
    from qms.store.workspace import load_workspace

    day = today or dt.date.today()
    from qms.analysis.people import Directory

    ws = load_workspace(root)
    manifest = ws.manifest
    directory = Directory.of(manifest)

    def who(text: str | None) -> str:
        return directory.display(text, lang) or "–"

    sections = {k: Section(k, INPUTS[k], _(TITLES[k])) for k in INPUTS}
    procs = [p for _d, p in ws.processes()]
    none = _("None in the period.")

    from qms.store.calendar import load_calendar

    calendars: list[WorkingCalendar] = []

    def work_calendar() -> WorkingCalendar:
        """The repository calendar (overdue dates on it), loaded once when first needed."""
        if not calendars:
            calendars.append(load_calendar(root=root))
        return calendars[0]

    # a) previous reviews' actions
    earlier: list[ManagementReview] = sorted((m for _d, m in ws.models("management-review") if m.date <= span[1]),
                                             key=lambda m: (m.date, m.id))
    s = sections["previous_actions"]
    rows = []
    for review in earlier:
        for _kind, _i, action in review.outputs.actions():
            late = (action.status in ("open", "in_progress") and action.due is not None and action.due < day
                    and work_calendar().past_due(action.due, day))
            rows.append([review.id, action.id, _t(action.description, lang), who(action.owner),
                         format_date(action.due) if action.due else "–",
                         code_text(action.status) + (" " + _("(overdue)") if late else "")])
    if rows:
        s.tables.append(Table([_("Review"), _("Action"), _("Description"), _("Owner"), _("Due"), _("Status")], rows))
    else:
        s.notes.append(_("No earlier management review is recorded."))

    if manifest is not None:
        # b) context
        s = sections["context_changes"]
        s.tables.append(Table([_("Id"), _("Kind"), pgettext("context of the organisation", "Issue"), _("Monitored by")],
                              [[c.id, _("Internal") if c.kind == "internal" else _("External"),
                                _t(c.description, lang), who(c.monitored_by)]
                               for c in manifest.context_issues]))
        # c1) interested parties
        s = sections["customer_satisfaction"]
        s.tables.append(Table([_("Id"), _("Interested party"), _("Needs and expectations")],
                              [[p.id, _t(p.name, lang), _t(p.needs, lang)] for p in manifest.interested_parties]))
        # c7) external providers
        s = sections["external_providers"]
        rows = []
        for ep in manifest.external_providers:
            stale = ep.evaluated is None or ep.evaluated < dt.date(day.year - 1, day.month, min(day.day, 28))
            rows.append([ep.id, _t(ep.name, lang), _t(ep.provides, lang),
                         (format_date(ep.evaluated) if ep.evaluated else "–") + (" " + _("(due)") if stale else "")])
        if rows:
            s.tables.append(Table([_("Id"), _("Provider"), _("Provides"), _("Last evaluated")], rows))
        else:
            s.notes.append(_("No external provider is listed in qms.yaml."))

    # c4) nonconformities
    ncs = [m for _d, m in ws.models("nonconformity")]
    s = sections["nonconformities"]
    period_ncs = [nc for nc in ncs if _in(nc.raised_on, span) or nc.status not in ("closed", "rejected")]
    complaints = [nc for nc in period_ncs if nc.source == "complaint"]
    if period_ncs:
        s.tables.append(Table([_("Id"), _("Process"), _("Source"), _("Raised"), _("Status"), _("Pending actions")],
                              [[nc.id, nc.process, _nc_source(nc), format_date(nc.raised_on), code_text(nc.status),
                                _nc_pending(nc, day, work_calendar())] for nc in sorted(period_ncs, key=lambda n: n.id)]))
    else:
        s.notes.append(none)
    s = sections["customer_satisfaction"]
    if complaints:
        s.tables.append(Table([_("Id"), _("Complaint"), _("Status")],
                              [[nc.id, _t(nc.title, lang), code_text(nc.status)] for nc in complaints]))
    else:
        s.notes.append(_("No complaint was recorded as a nonconformity in the period."))

    # c6) audits (built by the audit module; absent in young repositories)
    s = sections["audit_results"]
    audits = [m for _d, m in ws.models("audit") if _in(m.plan.date, span)]
    if audits:
        calendar = work_calendar()
        rows = []
        for a in sorted(audits, key=lambda a: a.id):
            grades = {g: sum(1 for f in a.findings if f.grade == g) for g in ("major", "minor", "observation", "ofi")}
            raised, status = _audit_ncs(a, ncs, day, calendar)
            rows.append([a.id, format_date(a.plan.date), code_text(a.state), str(grades["major"]), str(grades["minor"]),
                         str(grades["observation"]), str(grades["ofi"]), str(raised), status])
        s.tables.append(Table([_("Audit"), _("Date"), _("State"), _("Major"), _("Minor"), _("Observations"),
                               _("Opportunities"), _("Nonconformities raised"), _("Status of corrective actions")],
                              rows))
    else:
        s.notes.append(_("No internal audit took place in the period (audits/)."))

    # d) resources, e) risks, f) opportunities
    s = sections["resources"]
    rows = [[p.id, _(_RESOURCE_KINDS.get(r.kind, r.kind)), _t(r.description, lang)] for p in procs for r in p.resources]
    if rows:
        s.tables.append(Table([_("Process"), _("Kind"), _("Resource")], rows))
    else:
        s.notes.append(_("No resources are described in processes/."))
    s = sections["risk_actions"]
    risks = [(p, r) for p in procs for r in p.risks if r.kind == "risk"]
    rows = [[p.id, r.id, _t(r.description, lang), str(r.score), _t(r.treatment, lang) or "–", who(r.owner)]
            for p, r in sorted(risks, key=lambda pr: (-pr[1].score, pr[0].id, pr[1].id))]
    rows += [[nc.process, nc.id, nc.risk_update or "", "", "", ""] for nc in ncs if nc.risk_update]
    if rows:
        s.tables.append(Table([_("Process"), _("Risk"), _("Description"), _("Score"), _("Treatment"), _("Owner")],
                              rows))
    else:
        s.notes.append(none)
    s = sections["improvement_opportunities"]
    rows = [[p.id, r.id, _t(r.description, lang)] for p in procs for r in p.risks if r.kind == "opportunity"]
    rows += [[f.process or "–", f"{a.id}/{f.id}", _t(f.statement, lang)] for a in audits for f in a.findings
             if f.grade == "ofi"]
    rows += [[nc.process, nc.id, nc.qms_change or ""] for nc in ncs if nc.qms_change]
    if rows:
        s.tables.append(Table([_("Process"), _("Source"), _("Opportunity")], rows))
    else:
        s.notes.append(none)

    # c2) objectives, c3) process performance, c5) monitoring: the KPIs
    _kpi_sections(root, span, logs, lang, as_of or min(day, span[1]), sections, procs)
    # c3) process performance: where dossiers lose time, from the hand-over logs
    _flow_section(root, span, flow_logs or [], lang, as_of or min(day, span[1]), sections["process_performance"],
                  procs, manifest)
    return [sections[k] for k in INPUTS]


def _flow_section(root: Path, span: tuple[dt.date, dt.date], flow_logs: list[Path], lang: str, as_of: dt.date,
                  s: Section, procs: list[Any], manifest: Any) -> None:
    """The bottleneck summary of ``qms flow report`` over the period: per procedure the worst steps, the
    waiting between agencies and the dossiers that did not follow the map."""
    if not flow_logs:
        s.notes.append(_("No hand-over log was given (--flow-logs): where dossiers lose time is not shown in this "
                         "pack."))
        return
    from qms.flow.labels import HOME, Labels
    from qms.flow.usecase import FlowRequest, analyse_logs
    from qms.i18n import format_number
    from qms.store import calendar as store_calendar

    req = FlowRequest(logs=tuple(flow_logs), root=root, as_of=as_of, period=span, lang=lang)
    result, _compare = analyse_logs(req, lambda path, settings: store_calendar.load_calendar(path, settings, root))
    labels = Labels.of(procs, manifest, lang, HOME)
    caption = _("Where dossiers lose time (hand-over logs, working hours on the repository calendar): the steps "
                "that lost most working time over their budget, worst first.")
    rows = []
    for p in result.procedures:
        hpd = p.hours_per_day
        worst = []
        for b in p.bottlenecks[:3]:
            st = p.step(b)
            if st is not None:
                worst.append(_("{step}: over budget in {over} of {count} dossiers, {hours} h over").format(
                    step=labels.step(p.procedure, b), over=st.over_budget, count=st.count,
                    hours=format_number(st.hours_over_budget, digits=1)))
        rows.append([f"{p.procedure} – {p.title}".strip(" –"), str(p.dossiers), str(p.late),
                     "; ".join(worst) or "–", format_number(p.waiting_hours / hpd, digits=1),
                     str(p.nonconforming)])
    if rows:
        s.tables.append(Table([_("Process"), _("Dossiers"), _("Late"), _("Bottlenecks"),
                               _("Waiting between agencies (working days)"), _("Not following the map")], rows,
                              caption))
    else:
        s.notes.append(_("The hand-over logs hold no dossier of the period."))
    for f in result.findings():
        s.notes.append(_("The real routes of {procedure} often differ from its map ({n} of {total} dossiers); "
                         "the map may be out of date (7.5.3, 4.4.1).").format(
            procedure=f["procedure"], n=f["nonconforming"], total=f["dossiers"]))
    if result.rejected_total:
        s.notes.append(_("{n} rows of the hand-over logs were rejected (see qms flow report).").format(
            n=result.rejected_total))


def _kpi_sections(root: Path, span: tuple[dt.date, dt.date], logs: list[Path], lang: str, as_of: dt.date,
                  sections: dict[str, Section], procs: list[Any]) -> None:
    from qms.kpi.repo import load_repo_kpi

    repo = load_repo_kpi(root)
    s_obj, s_proc, s_mon = sections["objectives"], sections["process_performance"], sections["monitoring"]
    kpi_rows = [[p.id, k.id, _t(k.name, lang), format_target(k.target, lang), k.objective or "–",
                 _(_FREQUENCIES.get(k.frequency, k.frequency))] for p in procs
                for k in p.kpis]
    if kpi_rows:
        s_proc.tables.append(Table([_("Process"), _("KPI"), _("Name"), _("Target"), _("Objective"), _("Frequency")],
                                   kpi_rows))
    if not logs:
        note = _("No dossier log was given (--logs): the on-time rate is not measured in this pack.")
        for s in (s_obj, s_mon):
            s.notes.append(note)
        if repo.objectives:
            s_obj.tables.append(Table([_("Objective"), _("Target"), _("Actual"), _("Verdict")],
                                      [[f"{o.id} – {o.statement(lang)}", format_target(o.target_text, lang), "–", "–"]
                                       for o in repo.objectives]))
        return
    from qms.calendar import calendar_from_settings
    from qms.kpi import Classifier
    from qms.kpi.html import build_sections
    from qms.kpi.logs import read_logs
    from qms.kpi.report import check_objectives

    clf = Classifier(calendar_from_settings(repo.calendar), repo.limits, as_of=as_of, period=span, by="procedure",
                     column_map=repo.columns, mechanisms=repo.mechanisms, series=("procedure", "unit"),
                     procedure_names=repo.names)
    read_logs(clf, logs)
    result = clf.result()
    results = check_objectives(result.counts, repo.objectives, lang)
    if results:
        s_obj.tables.append(Table([_("Objective"), _("Target"), _("Actual"), _("Verdict")],
                                  [[f"{o.id} – {o.statement}", format_target(o.target_text, lang),
                                    "–" if o.actual is None else format_percent(o.actual, fixed=True),
                                    _("met") if o.met else _("MISSED")] for o in results]))
    else:
        s_obj.notes.append(_("No objective is measured by the on-time rate."))
    c = result.counts
    rate = c.on_time_rate
    s_mon.notes.append(_("{total} dossiers counted, {resolved} resolved: {early} early, {on_time} on time, "
                         "{late} late; on-time rate {rate}.").format(
        total=c.total, resolved=c.resolved, early=c["early"], on_time=c["on_time"], late=c["late"],
        rate="–" if rate is None else format_percent(rate * 100, fixed=True)))
    goal = (results[0].op, results[0].target) if results else None
    for sec in build_sections(result, clf.series_counts, goal):
        target = s_proc if sec.key_label != _("Unit") else s_mon
        target.charts.extend([sec.line_svg, sec.bar_svg])
        target.tables.append(Table([sec.key_label, _("Resolved"), _("Late"), _("On-time rate")],
                                   [[r.key, str(r.resolved), str(r.late), r.rate + (" !" if r.missed else "")]
                                    for r in sec.rows]))


def render_pack(root: Path, span: tuple[dt.date, dt.date], logs: list[Path], lang: str, *,
                today: dt.date | None = None, flow_logs: list[Path] | None = None) -> str:
    from qms.kpi.repo import load_repo_kpi
    from qms.render import api
    from qms.render.env import format_date

    day = today or dt.date.today()
    sections = gather(root, span, logs, lang, today=day, flow_logs=flow_logs)
    manifest = load_repo_kpi(root).manifest
    org = api.org_view(manifest, lang) if manifest is not None else api.OrgView("", "", "")
    control = api.ControlView(f"XXLD-{span[1]:%Y}", "01", format_date(day, lang), "approved", None, None, None, [],
                              issued_on=format_date(day, lang))
    title = _("Management review pack {start} – {end}").format(start=format_date(span[0], lang),
                                                               end=format_date(span[1], lang))
    return api.render_html_document("review_pack.j2", {"control": control, "org": org,
                                                       "doc_kind": _("Management review"), "doc_title": title,
                                                       "sections": sections}, root, lang, search_package="qms.review")


def write_pack(root: Path, span: tuple[dt.date, dt.date], logs: list[Path], lang: str, output: Path, kind: str, *,
               today: dt.date | None = None, flow_logs: list[Path] | None = None) -> None:
    """``qms review pack``: render the pack in ``lang`` and write it to ``output`` as PDF or HTML
    (atomically, through the store; the caller has checked ``output`` with ``guard_output``)."""
    from qms.i18n import use_language

    with use_language(lang) as chosen:
        html = render_pack(root, span, logs, chosen, today=today, flow_logs=flow_logs)
        from qms.render import api

        api.write_document(html, output, kind, root)
