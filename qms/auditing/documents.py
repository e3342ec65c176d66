"""Audit documents as self-contained, escaped HTML (and the checklist as .xlsx).

- the programme as a matrix of processes × months;
- the audit plan;
- the printable checklist with blank columns for fieldwork (and its .xlsx export);
- the audit report with summary, findings and conclusions.

Every value from the repository is HTML-escaped; the CSS is inline so a file can be mailed or
printed as is. Labels are translated with :mod:`qms.i18n`; data is shown in the chosen language.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterable, Sequence

from qms.analysis.people import Directory
from qms.auditing.xlsx import Sheet, workbook
from qms.i18n import N_, _, format_date, use_language
from qms.models.audit import Audit, AuditProgramme
from qms.models.common import Text
from qms.models.organisation import Manifest
from qms.standards import catalogue
from qms.store.workspace import Workspace

_CSS = """
body{font-family:"Noto Sans","DejaVu Sans",Arial,sans-serif;font-size:11pt;margin:1.5cm;color:#111}
h1{font-size:16pt;margin:0 0 .3em}h2{font-size:13pt;margin:1.2em 0 .4em}
.org{font-weight:bold;text-transform:uppercase;font-size:10pt}
table{border-collapse:collapse;width:100%;margin:.4em 0}th,td{border:1px solid #555;padding:3px 5px;
vertical-align:top;text-align:left}th{background:#eee}td.c{text-align:center}td.blank{min-width:6em;height:3.2em}
dl{display:grid;grid-template-columns:max-content auto;gap:.2em 1em}dt{font-weight:bold}dd{margin:0}
.major{color:#a00;font-weight:bold}.minor{color:#c60;font-weight:bold}.small{font-size:9pt;color:#444}
@media print{body{margin:0}}@page{size:A4 landscape;margin:1.2cm}
"""

GRADE_LABELS = {"major": N_("Major nonconformity"), "minor": N_("Minor nonconformity"),
                "observation": N_("Observation"), "ofi": N_("Opportunity for improvement")}
RESULT_LABELS = {"conforming": N_("Conforming"), "nonconforming": N_("Nonconforming"),
                 "observation": N_("Observation"), "not_audited": N_("Not audited")}
STATE_LABELS = {"planned": N_("planned"), "in_progress": N_("in progress"), "reported": N_("reported"),
                "closed": N_("closed")}


def e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _t(text: Text | None, lang: str) -> str:
    return text.get(lang) if text is not None else ""


def _page(title: str, lang: str, manifest: Manifest | None, body: Iterable[str]) -> str:
    org = _t(manifest.organisation.name, lang) if manifest else ""
    return (f'<!DOCTYPE html>\n<html lang="{e(lang)}"><head><meta charset="utf-8">'
            f"<title>{e(title)}</title><style>{_CSS}</style></head><body>"
            f'<div class="org">{e(org)}</div><h1>{e(title)}</h1>' + "".join(body) + "</body></html>\n")


def _people(manifest: Manifest | None) -> Directory:
    return Directory.of(manifest)


def _name(pid: str, people: Directory) -> str:
    """A person as a document shows them: by name, never by id."""
    person = people.people.get(pid)
    return person.name if person is not None else pid


def _when(start: dt.date, end: dt.date | None = None) -> str:
    return format_date(start) + (f" – {format_date(end)}" if end else "")


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]], raw: bool = False) -> str:
    """``rows`` cells are escaped unless ``raw`` (then the caller escaped them)."""
    head = "".join(f"<th>{e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c if raw else e(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


# -- programme -----------------------------------------------------------------------------------


def programme_html(prog: AuditProgramme, ws: Workspace, lang: str) -> str:
    with use_language(lang):
        manifest = ws.manifest
        procs = {pid: p for pid, (_d, p) in ws.process_by_id().items()}
        row_ids: list[str] = list(procs)
        for a in prog.audits:
            row_ids.extend(p for p in a.processes if p not in row_ids)
        system = [a for a in prog.audits if a.clauses]
        head = ["", *[str(m) for m in range(1, 13)]]
        rows: list[list[str]] = []
        people = _people(manifest)

        def cell(audits: list[str]) -> str:
            return "<br>".join(audits)

        for pid in row_ids:
            label = f"{e(pid)}<br><span class=small>{e(procs[pid].title.get(lang)) if pid in procs else ''}</span>"
            cells = [label]
            for m in range(1, 13):
                hits = [f"<b>●</b> {e(a.id)}" for a in prog.audits if a.month == m and pid in a.processes]
                cells.append(cell(hits))
            rows.append(cells)
        if system:
            cells = [e(_("System level (clauses)"))]
            for m in range(1, 13):
                hits = [f"<b>●</b> {e(a.id)}<br><span class=small>{e(', '.join(a.clauses))}</span>"
                        for a in system if a.month == m]
                cells.append(cell(hits))
            rows.append(cells)
        listing = _table(
            [_("Audit"), _("Month"), _("Processes"), _("Clauses"), _("Auditors"), _("Reason")],
            [[a.id, str(a.month), ", ".join(a.processes), ", ".join(a.clauses),
              "; ".join(_name(x, people) for x in a.auditors), a.reason] for a in prog.audits])
        meta = (f"<dl><dt>{e(_('Year'))}</dt><dd>{prog.year}</dd><dt>{e(_('Audit cycle'))}</dt>"
                f"<dd>{e(_('{n} months').format(n=prog.cycle_months))}</dd>"
                f"<dt>{e(_('Prepared'))}</dt><dd>{e(format_date(prog.prepared))} "
                f"{e(prog.prepared_by)}</dd><dt>{e(_('Approved by'))}</dt><dd>{e(prog.approved_by)}</dd></dl>")
        return _page(_("Internal audit programme {year}").format(year=prog.year), lang, manifest, [
            meta, f"<h2>{e(_('Processes × months'))}</h2>", _table(head, rows, raw=True),
            f"<h2>{e(_('Audits'))}</h2>", listing])


# -- plan ----------------------------------------------------------------------------------------


def plan_html(audit: Audit, ws: Workspace, lang: str) -> str:
    with use_language(lang):
        manifest = ws.manifest
        people = _people(manifest)
        p = audit.plan
        when = _when(p.date, p.end_date)
        meta = [
            (_("Audit"), audit.id), (_("State"), _(STATE_LABELS[audit.state])),
            (_("Objectives"), _t(p.objectives, lang)), (_("Scope"), _t(p.scope, lang)),
            (_("Processes"), ", ".join(p.processes)), (_("Additional clauses"), ", ".join(p.clauses)),
            (_("Date"), when), (_("Location"), _t(p.location, lang)),
            (_("Lead auditor"), _name(p.lead, people)),
            (_("Audit team"), "; ".join(_name(t, people) for t in p.team)),
            (_("Auditees"), "; ".join(people.label(a, lang) for a in p.auditees)),
        ]
        dl = "<dl>" + "".join(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in meta if v) + "</dl>"
        crit = "<ul>" + "".join(f"<li>{e(c.get(lang))}</li>" for c in p.criteria) + "</ul>"
        agenda = _table([_("Time"), _("Activity"), _("Who")],
                        [[a.time, a.activity.get(lang), ", ".join(_name(w, people) for w in a.who)] for a in p.agenda])
        return _page(_("Internal audit plan {id}").format(id=audit.id), lang, manifest, [
            dl, f"<h2>{e(_('Audit criteria'))}</h2>", crit, f"<h2>{e(_('Agenda'))}</h2>", agenda])


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
        manifest = ws.manifest
        people = _people(manifest)
        p = audit.plan
        meta = (f"<dl><dt>{e(_('Audit'))}</dt><dd>{e(audit.id)}</dd><dt>{e(_('Date'))}</dt>"
                f"<dd>{e(format_date(p.date))}</dd><dt>{e(_('Scope'))}</dt><dd>{e(_t(p.scope, lang))}</dd>"
                f"<dt>{e(_('Audit team'))}</dt><dd>{e('; '.join(_name(a, people) for a in p.auditors))}</dd></dl>")
        head = "".join(f"<th>{e(h)}</th>" for h in checklist_headers())
        body = []
        for row in checklist_rows(audit, lang, blank=blank):
            cells = "".join(f"<td>{e(c)}</td>" for c in row[:4])
            cells += "".join(f'<td class="blank">{e(c)}</td>' for c in row[4:])
            body.append(f"<tr>{cells}</tr>")
        legend = e(_("C = conforming, NC = nonconforming, OBS = observation"))
        return _page(_("Internal audit checklist {id}").format(id=audit.id), lang, manifest, [
            meta, f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>",
            f'<p class="small">{legend}</p>',
            f"<p>{e(_('Auditor signature'))}: ____________________ &nbsp; {e(_('Date'))}: __________</p>"])


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
        manifest = ws.manifest
        people = _people(manifest)
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
        dl = "<dl>" + "".join(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in meta if v) + "</dl>"
        counts = result_counts(audit)
        grades = grade_counts(audit)
        stats = _table([_("Checklist result"), _("Items")],
                       [[_(RESULT_LABELS[k]), str(v)] for k, v in counts.items() if k in RESULT_LABELS]
                       + ([[_("No result"), str(counts["pending"])]] if counts["pending"] else []))
        gstats = _table([_("Finding grade"), _("Count")], [[_(GRADE_LABELS[k]), str(v)] for k, v in grades.items()])
        frows = []
        for f in audit.findings:
            clause = f"{f.clause} {cat[f.clause].label(lang)}" if f.clause in cat else f.clause
            frows.append([e(f.id), f'<span class="{e(f.grade)}">{e(_(GRADE_LABELS[f.grade]))}</span>', e(clause),
                          e(f.process or ""), e(f.statement.get(lang)), e(f.evidence), e(f.nc)])
        findings = (_table([_("No."), _("Grade"), _("Clause"), _("Process"), _("Finding"), _("Evidence"),
                            _("Nonconformity")], frows, raw=True)
                    if frows else f"<p>{e(_('No findings.'))}</p>")
        body = [dl, f"<h2>{e(_('Summary'))}</h2>", f"<p>{e(_t(rep.summary, lang) if rep else '')}</p>",
                f"<h2>{e(_('Results'))}</h2>", stats, gstats, f"<h2>{e(_('Findings'))}</h2>", findings,
                f"<h2>{e(_('Conclusions'))}</h2>", f"<p>{e(_t(rep.conclusions, lang) if rep else '')}</p>"]
        if rep is None:
            body.insert(0, f"<p><b>{e(_('Draft: the report has not been issued.'))}</b></p>")
        return _page(_("Internal audit report {id}").format(id=audit.id), lang, manifest, body)
