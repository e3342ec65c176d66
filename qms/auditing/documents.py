"""Audit documents through the shared document pipeline (and the checklist as .xlsx).

- the programme as a matrix of processes × months;
- the audit plan;
- the printable checklist with blank columns for fieldwork (and its .xlsx export);
- the audit report with summary, findings and conclusions.

Each document is a view-model (plain strings in the chosen language) filled into a Jinja2 template
under ``qms/auditing/templates`` (autoescaped), with the bundled fonts and the document-control
header of every qms document (:mod:`qms.render.api`); the programme, a controlled plan, also gets
the approval block. Labels are translated with :mod:`qms.i18n`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from qms.analysis.people import Directory
from qms.auditing.programme import localise_reason
from qms.auditing.xlsx import Sheet, workbook
from qms.i18n import N_, _, format_date, format_number, get_language, use_language
from qms.models.audit import Audit, AuditProgramme
from qms.models.common import Text
from qms.models.organisation import Manifest
from qms.standards import catalogue
from qms.store.workspace import Workspace

GRADE_LABELS = {"major": N_("Major nonconformity"), "minor": N_("Minor nonconformity"),
                "observation": N_("Observation"), "ofi": N_("Opportunity for improvement")}
RESULT_LABELS = {"conforming": N_("Conforming"), "nonconforming": N_("Nonconforming"),
                 "observation": N_("Observation"), "not_audited": N_("Not audited")}
STATE_LABELS = {"planned": N_("planned"), "in_progress": N_("in progress"), "reported": N_("reported"),
                "closed": N_("closed")}


def _t(text: Text | None, lang: str) -> str:
    return text.get(lang) if text is not None else ""


def _people(manifest: Manifest | None) -> Directory:
    return Directory.of(manifest)


def _name(pid: str, people: Directory) -> str:
    """A person as a document shows them: by name, never by id."""
    person = people.people.get(pid)
    return person.name if person is not None else people.display(pid, get_language())


def _when(start: dt.date, end: dt.date | None = None) -> str:
    return format_date(start) + (f" – {format_date(end)}" if end else "")


def _render(template: str, ws: Workspace, lang: str, *, code: str, kind: str, title: str,
            issued: dt.date | None = None, controlled: bool = False, prepared: str = "", approved: str = "",
            **context: Any) -> str:
    """One audit document through the shared pipeline: view-model → Jinja2 template → HTML with the bundled
    fonts and the document-control header (:mod:`qms.render.api`)."""
    from qms.render import api

    manifest = ws.manifest
    org = api.org_view(manifest, lang) if manifest is not None else api.OrgView("", "", "")
    when = format_date(issued) if issued else ""
    control = api.ControlView(code, "01", when, "approved" if controlled else "record",
                              api.SignatoryView(prepared, "", when) if prepared else None, None,
                              api.SignatoryView(approved, "", "") if approved else None, [], issued_on=when)
    full = {"control": control, "org": org, "doc_kind": kind, "doc_title": title, "controlled": controlled,
            **context}
    return api.render_html_document(template, full, ws.root, lang, search_package="qms.auditing")


# -- programme -----------------------------------------------------------------------------------


def programme_html(prog: AuditProgramme, ws: Workspace, lang: str) -> str:
    with use_language(lang):
        manifest = ws.manifest
        procs = {pid: p for pid, (_d, p) in ws.process_by_id().items()}
        row_ids: list[str] = list(procs)
        for a in prog.audits:
            row_ids.extend(p for p in a.processes if p not in row_ids)
        people = _people(manifest)
        rows: list[dict[str, Any]] = []
        for pid in row_ids:
            rows.append({"code": pid, "title": procs[pid].title.get(lang) if pid in procs else "",
                         "months": [[(a.id, "") for a in prog.audits if a.month == m and pid in a.processes]
                                    for m in range(1, 13)]})
        system = [a for a in prog.audits if a.clauses]
        if system:
            rows.append({"code": _("System level (clauses)"), "title": "",
                         "months": [[(a.id, ", ".join(a.clauses)) for a in system if a.month == m]
                                    for m in range(1, 13)]})
        audits = [{"id": a.id, "month": str(a.month), "processes": ", ".join(a.processes),
                   "clauses": ", ".join(a.clauses), "auditors": "; ".join(_name(x, people) for x in a.auditors),
                   "reason": localise_reason(a.reason, lang)} for a in prog.audits]
        meta = [(_("Year"), str(prog.year)), (_("Audit cycle"), _("{n} months").format(n=prog.cycle_months)),
                (_("Prepared on"), format_date(prog.prepared) if prog.prepared else "")]
        title = _("Internal audit programme {year}").format(year=prog.year)
        return _render("audit_programme.j2", ws, lang, code=f"CT-DGNB-{prog.year}", kind=_("Audit programme"),
                       title=title, issued=prog.prepared, controlled=True,
                       prepared=people.display(prog.prepared_by, lang), approved=people.display(prog.approved_by, lang),
                       meta=[(k, v) for k, v in meta if v], months=[str(m) for m in range(1, 13)], rows=rows,
                       audits=audits)


# -- plan ----------------------------------------------------------------------------------------


def plan_html(audit: Audit, ws: Workspace, lang: str) -> str:
    with use_language(lang):
        people = _people(ws.manifest)
        p = audit.plan
        meta = [
            (_("Audit"), audit.id), (_("State"), _(STATE_LABELS[audit.state])),
            (_("Objectives"), _t(p.objectives, lang)), (_("Scope"), _t(p.scope, lang)),
            (_("Processes"), ", ".join(p.processes)), (_("Additional clauses"), ", ".join(p.clauses)),
            (_("Date"), _when(p.date, p.end_date)), (_("Location"), _t(p.location, lang)),
            (_("Lead auditor"), _name(p.lead, people)),
            (_("Audit team"), "; ".join(_name(t, people) for t in p.team)),
            (_("Auditees"), "; ".join(people.label(a, lang) for a in p.auditees)),
        ]
        agenda = [(a.time, a.activity.get(lang), ", ".join(_name(w, people) for w in a.who)) for a in p.agenda]
        return _render("audit_plan.j2", ws, lang, code=audit.id, kind=_("Audit plan"),
                       title=_("Internal audit plan {id}").format(id=audit.id), issued=None,
                       meta=[(k, v) for k, v in meta if v], criteria=[c.get(lang) for c in p.criteria],
                       agenda=agenda)


# -- checklist -----------------------------------------------------------------------------------


def checklist_rows(audit: Audit, lang: str, *, blank: bool) -> list[list[str]]:
    rows = []
    for i in audit.checklist:
        result = "" if blank or i.result is None else _(RESULT_LABELS[i.result])
        evidence = "" if blank else i.evidence
        rows.append([i.id, i.clause, i.process or "", i.question.get(lang), result, evidence, ""])
    return rows


def checklist_headers() -> list[str]:
    return [_("No."), _("Clause"), _("Process"), _("Question"),
            _("Result (C / NC / OBS / not audited)"), _("Evidence"), _("Notes")]


def checklist_html(audit: Audit, ws: Workspace, lang: str, *, blank: bool = True) -> str:
    with use_language(lang):
        people = _people(ws.manifest)
        p = audit.plan
        meta = [(_("Audit"), audit.id), (_("Date"), format_date(p.date)), (_("Scope"), _t(p.scope, lang)),
                (_("Audit team"), "; ".join(_name(a, people) for a in p.auditors))]
        return _render("audit_checklist.j2", ws, lang, code=audit.id, kind=_("Audit checklist"),
                       title=_("Internal audit checklist {id}").format(id=audit.id),
                       meta=[(k, v) for k, v in meta if v], headers=checklist_headers(),
                       rows=checklist_rows(audit, lang, blank=blank),
                       legend=_("C = conforming, NC = nonconforming, OBS = observation"))


def checklist_xlsx(audit: Audit, ws: Workspace, lang: str, *, blank: bool = False) -> bytes:
    """The checklist as a workbook: one row per question, fieldwork columns to fill in."""
    with use_language(lang):
        rows: list[list[str | int | float | None]] = [list(checklist_headers())]
        rows.extend(list(r) for r in checklist_rows(audit, lang, blank=blank))
        info: list[list[str | int | float | None]] = [
            [_("Field"), _("Value")], [_("Audit"), audit.id], [_("Date"), format_date(audit.plan.date)],
            [_("Scope"), _t(audit.plan.scope, lang)], [_("Lead auditor"), _name(audit.plan.lead, _people(ws.manifest))],
            [_("Result values"), "conforming / nonconforming / observation / not_audited"],
        ]
        return workbook([Sheet(_("Checklist"), rows, widths=[7, 9, 12, 80, 18, 45, 25]),
                         Sheet(_("Audit"), info, widths=[20, 80])])


# -- report --------------------------------------------------------------------------------------


def result_counts(audit: Audit) -> dict[str, int]:
    counts = dict.fromkeys(RESULT_LABELS, 0)
    counts["pending"] = 0
    for i in audit.checklist:
        counts[i.result or "pending"] += 1
    return counts


def grade_counts(audit: Audit) -> dict[str, int]:
    counts = dict.fromkeys(GRADE_LABELS, 0)
    for f in audit.findings:
        counts[f.grade] += 1
    return counts


def report_html(audit: Audit, ws: Workspace, lang: str) -> str:
    with use_language(lang):
        people = _people(ws.manifest)
        p = audit.plan
        rep = audit.report
        cat = catalogue("2015")
        meta = [
            (_("Audit"), audit.id), (_("State"), _(STATE_LABELS[audit.state])), (_("Scope"), _t(p.scope, lang)),
            (_("Date"), _when(p.date, p.end_date)),
            (_("Audit team"), "; ".join(_name(a, people) for a in p.auditors)),
            (_("Audit criteria"), "; ".join(c.get(lang) for c in p.criteria)),
        ]
        if rep is not None:
            meta += [(_("Report issued"), f"{format_date(rep.issued)} — {_name(rep.by, people)}")]
            if rep.distribution:
                meta += [(_("Distribution"), "; ".join(people.label(d, lang) for d in rep.distribution))]
        counts = result_counts(audit)
        results = [(_(RESULT_LABELS[k]), format_number(v, lang)) for k, v in counts.items() if k in RESULT_LABELS]
        if counts["pending"]:
            results.append((_("No result"), format_number(counts["pending"], lang)))
        grades = [(_(GRADE_LABELS[k]), format_number(v, lang)) for k, v in grade_counts(audit).items()]
        findings = [{"id": f.id, "grade": f.grade, "grade_label": _(GRADE_LABELS[f.grade]),
                     "clause": f"{f.clause} {cat[f.clause].label(lang)}" if f.clause in cat else f.clause,
                     "process": f.process or "", "statement": f.statement.get(lang), "evidence": f.evidence,
                     "nc": f.nc or ""} for f in audit.findings]
        return _render("audit_report.j2", ws, lang, code=audit.id, kind=_("Audit report"),
                       title=_("Internal audit report {id}").format(id=audit.id),
                       issued=rep.issued if rep is not None else None,
                       meta=[(k, v) for k, v in meta if v], draft=rep is None,
                       summary=_t(rep.summary, lang) if rep else "",
                       conclusions=_t(rep.conclusions, lang) if rep else "",
                       results=results, grades=grades, findings=findings)
