"""View-models: plain, language-resolved data for the templates (no model objects reach Jinja).

Every string here is NFC (the models normalise their input; labels come from the catalogue).
Templates escape it; SVG builders escape it too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from qms.analysis.matrix import clause_matrix
from qms.i18n import translate
from qms.models.common import DocumentControl, Duration, Signatory, Text
from qms.models.organisation import Manifest, RecordEntry
from qms.models.process import Process
from qms.render import svg
from qms.render.env import format_date
from qms.store.workspace import Workspace


def t(text: Text | None, lang: str) -> str:
    return text.get(lang) if text is not None else ""


def duration_text(value: Duration | None, lang: str) -> str:
    if value is None:
        return ""
    if value.calendar_days:
        return translate("{n} calendar days", lang).format(n=value.calendar_days)
    parts: list[str] = []
    if value.days:
        parts.append(translate("{n} working days", lang).format(n=f"{value.days:g}") if value.days != 1
                     else translate("1 working day", lang))
    if value.hours:
        parts.append(translate("{n} h", lang).format(n=f"{value.hours:g}"))
    return " ".join(parts) or "0"


@dataclass(slots=True)
class SignatoryView:
    name: str
    title: str
    date: str


@dataclass(slots=True)
class RevisionView:
    revision: str
    date: str
    summary: str
    pages: str
    by: str


@dataclass(slots=True)
class ControlView:
    """The control block: Mã hiệu, Lần ban hành, Ngày hiệu lực, approval block, revision history."""

    code: str
    revision: str
    effective_date: str
    state: str
    prepared: SignatoryView | None
    reviewed: SignatoryView | None
    approved: SignatoryView | None
    history: list[RevisionView]


def _signatory(s: Signatory | None, lang: str) -> SignatoryView | None:
    if s is None:
        return None
    return SignatoryView(s.name, t(s.title, lang), format_date(s.date, lang))


def control_view(doc: DocumentControl | None, default_code: str, lang: str) -> ControlView:
    if doc is None:
        return ControlView(default_code, "01", "", "draft", None, None, None, [])
    return ControlView(
        code=doc.code,
        revision=f"{doc.revision:02d}",
        effective_date=format_date(doc.effective_date, lang),
        state=doc.state,
        prepared=_signatory(doc.prepared_by, lang),
        # a draft shows no sign-off: a reviewer once the revision is reviewed, an approver once approved
        reviewed=_signatory(doc.reviewed_by, lang) if doc.state in ("in_review", "approved", "obsolete") else None,
        approved=_signatory(doc.approved_by, lang) if doc.state in ("approved", "obsolete") else None,
        history=[RevisionView(f"{h.revision:02d}", format_date(h.date, lang), t(h.summary, lang), h.pages, h.by)
                 for h in sorted(doc.history, key=lambda h: (h.revision, h.date))],
    )


@dataclass(slots=True)
class OrgView:
    name: str
    short_name: str
    address: str


def org_view(manifest: Manifest, lang: str) -> OrgView:
    org = manifest.organisation
    return OrgView(t(org.name, lang), t(org.short_name, lang) or t(org.name, lang), t(org.address, lang))


@dataclass(slots=True)
class StepRow:
    number: int
    id: str
    name: str
    description: str
    responsible: str
    duration: str
    results: list[str]
    branches: list[str]


@dataclass(slots=True)
class ProcedureView:
    id: str
    title: str
    control: ControlView
    org: OrgView
    purpose: str
    scope: str
    references: list[tuple[str, str, bool]]
    definitions: list[tuple[str, str]]
    administrative: dict[str, Any] | None
    inputs: list[str]
    outputs: list[str]
    steps: list[StepRow]
    flowchart: list[Markup]
    forms: list[tuple[str, str, str]]
    records: list[tuple[str, str, str, str, str]]
    source_path: str
    anchor: str = ""


class Names:
    """Resolves role, unit, agency and form identifiers to display labels."""

    def __init__(self, manifest: Manifest, lang: str) -> None:
        org = manifest.organisation
        self.lang = lang
        self.roles = {r.id: t(r.title, lang) for r in org.roles}
        self.units = {u.id: t(u.name, lang) for u in org.units}
        self.people = {p.id: p.name for p in org.people}
        self.forms = {f.code: t(f.title, lang) for f in manifest.forms}

    def who(self, ident: str | None) -> str:
        if not ident:
            return ""
        return self.roles.get(ident) or self.units.get(ident) or self.people.get(ident) or ident


_FORM_KINDS = {
    "original": "original",
    "copy": "copy",
    "certified_copy": "certified copy",
    "original_or_copy": "original or copy",
    "show_original": "original shown for comparison",
}
_MECHANISMS = {"none": "not through the one-stop desk", "one_stop": "one-stop",
               "interconnected": "interconnected one-stop"}


def _fee_text(proc: Process, lang: str) -> str:
    adm = proc.administrative
    if adm is None or adm.fee is None:
        return ""
    parts: list[str] = []
    if adm.fee.amount_vnd is not None:
        parts.append(f"{adm.fee.amount_vnd:,}".replace(",", ".") + " đồng" if lang == "vi"
                     else f"VND {adm.fee.amount_vnd:,}")
    if adm.fee.text is not None:
        parts.append(t(adm.fee.text, lang))
    return "; ".join(parts)


def procedure_view(proc: Process, manifest: Manifest, lang: str, source_path: str) -> ProcedureView:
    names = Names(manifest, lang)
    numbers = {s.id: i + 1 for i, s in enumerate(proc.steps)}
    forms_by_code = dict(names.forms)
    forms_by_code.update({f.code: t(f.title, lang) for f in proc.forms})
    rows: list[StepRow] = []
    for i, s in enumerate(proc.steps):
        results = [f"{code} {forms_by_code.get(code, '')}".strip() for code in s.forms]
        results += list(s.records) + [t(o, lang) for o in s.outputs]
        branches: list[str] = []
        if s.decision is not None:
            for b in s.decision.branches:
                branches.append(translate("{label}: go to step {n}", lang).format(
                    label=t(b.label, lang), n=numbers.get(b.next, b.next)))
        rows.append(StepRow(i + 1, s.id, t(s.name, lang), t(s.description, lang) or
                            (t(s.decision.question, lang) if s.decision else ""),
                            names.who(s.responsible), duration_text(s.duration, lang), results, branches))
    lane_keys: list[str] = []
    for s in proc.steps:
        key = s.responsible or ""
        if key not in lane_keys:
            lane_keys.append(key)
    lanes = [svg.Lane(k, names.who(k) or translate("Unassigned", lang)) for k in lane_keys]
    flow = [
        svg.FlowStep(
            id=s.id, number=numbers[s.id], label=t(s.name, lang), kind=s.kind, lane=s.responsible or "",
            duration=duration_text(s.duration, lang),
            exits=tuple((b.next, t(b.label, lang)) for b in s.decision.branches) if s.decision
            else tuple((n, "") for n in s.next),
        )
        for s in proc.steps
    ]
    flowchart = [Markup(sheet) for sheet in svg.swimlane(proc.id, flow, lanes)]
    adm = proc.administrative
    administrative: dict[str, Any] | None = None
    if adm is not None:
        administrative = {
            "code": adm.code,
            "mechanism": translate(_MECHANISMS[adm.mechanism], lang),
            "time_limit": duration_text(adm.time_limit, lang),
            "time_limit_note": t(adm.time_limit_note, lang),
            "fee": _fee_text(proc, lang),
            "dossier": [(t(d.name, lang), translate(_FORM_KINDS[d.form], lang), d.copies, t(d.note, lang))
                        for d in adm.dossier],
            "dossier_sets": adm.dossier_sets,
            "place": t(adm.place, lang),
            "result": t(adm.result, lang),
            "agencies": [t(a.name, lang) for a in adm.agencies],
        }
    form_codes: list[str] = []
    for f in proc.forms:
        form_codes.append(f.code)
    for s in proc.steps:
        for code in s.forms:
            if code not in form_codes:
                form_codes.append(code)
    legal = {f.code: f.legal_basis for f in manifest.forms}
    legal.update({f.code: f.legal_basis for f in proc.forms})
    return ProcedureView(
        id=proc.id,
        title=t(proc.title, lang),
        control=control_view(proc.document, proc.id, lang),
        org=org_view(manifest, lang),
        purpose=t(proc.purpose, lang),
        scope=t(proc.scope, lang),
        references=[(r.id, t(r.title, lang), r.legal_basis) for r in proc.references],
        definitions=[(d.term, t(d.meaning, lang)) for d in proc.definitions],
        administrative=administrative,
        inputs=[t(x, lang) for x in proc.inputs],
        outputs=[t(x, lang) for x in proc.outputs],
        steps=rows,
        flowchart=flowchart,
        forms=[(code, forms_by_code.get(code, ""), legal.get(code, "")) for code in form_codes],
        records=[(r.code, t(r.title, lang), r.retention, t(r.location, lang), names.who(r.responsible))
                 for r in proc.records],
        source_path=source_path,
        anchor=f"proc-{proc.id}",
    )


@dataclass(slots=True)
class TocEntry:
    number: str
    title: str
    anchor: str  # internal anchor (front matter) or "" for a procedure
    page: int | None = None  # fixed page number (procedures in the assembled manual)
    href: str = ""  # link target in the HTML site


@dataclass(slots=True)
class ManualView:
    org: OrgView
    control: ControlView
    title: str
    context_issues: list[tuple[str, str, str, str]]
    interested_parties: list[tuple[str, str, str, str]]
    scope: str
    sites: list[str]
    applicability: list[tuple[str, str, str]]
    policy: str
    policy_channels: list[str]
    objectives: list[dict[str, str]]
    process_map: list[Markup]
    processes: list[tuple[str, str, str, str, str]]
    roles: list[dict[str, Any]]
    matrix: dict[str, Any]
    documents: list[tuple[str, str, str, str, str]]
    records: list[tuple[str, str, str, str, str, str]]
    procedures: list[TocEntry] = field(default_factory=list)


_KINDS = {"management": "Management process", "core": "Core process", "support": "Support process"}


def matrix_view(ws: Workspace, lang: str) -> dict[str, Any]:
    m = clause_matrix(ws, lang)
    rows = []
    for r in m.rows:
        rows.append({
            "clause": r.clause.id,
            "title": r.clause.label(lang),
            "level": r.clause.level,
            "applicable": r.applicable,
            "justification": r.justification,
            "by": [b.replace("qms.yaml#", "qms.yaml § ") for b in r.addressed_by],
            "gap": r.gap,
        })
    return {"rows": rows, "gaps": len(m.gaps())}


def record_rows(ws: Workspace, lang: str) -> list[tuple[str, str, str, str, str, str]]:
    manifest = ws.manifest
    assert manifest is not None
    names = Names(manifest, lang)
    rows: list[tuple[str, str, str, str, str, str]] = []
    seen: set[str] = set()
    for _doc, reg in ws.models("record-register"):
        for r in reg.records:
            entry: RecordEntry = r
            seen.add(entry.code)
            rows.append((entry.code, t(entry.title, lang), entry.retention, t(entry.location, lang),
                         names.who(entry.responsible), entry.process or ""))
    for _doc, proc in ws.processes():
        for spec in proc.records:
            if spec.code in seen:
                continue
            seen.add(spec.code)
            rows.append((spec.code, t(spec.title, lang), spec.retention, t(spec.location, lang),
                         names.who(spec.responsible), proc.id))
    return rows


def manual_view(ws: Workspace, lang: str) -> ManualView:
    manifest = ws.manifest
    assert manifest is not None
    names = Names(manifest, lang)
    procs = [p for _d, p in ws.processes()]
    nodes = [svg.MapNode(p.id, t(p.title, lang), p.kind, tuple(p.interactions)) for p in procs]
    band_labels = {"management": translate("Management processes", lang),
                   "core": translate("Core processes", lang),
                   "support": translate("Support processes", lang)}
    band_labels["other"] = translate("Other processes", lang)
    roles = [{"title": t(r.title, lang), "unit": names.units.get(r.unit or "", ""),
              "responsibilities": [t(x, lang) for x in r.responsibilities],
              "authorities": [t(x, lang) for x in r.authorities]} for r in manifest.organisation.roles]
    documents: list[tuple[str, str, str, str, str]] = []
    if manifest.manual is not None:
        documents.append((manifest.manual.code, translate("Quality manual", lang),
                          f"{manifest.manual.revision:02d}", format_date(manifest.manual.effective_date, lang),
                          translate("Internal", lang)))
    for p in sorted(procs, key=lambda p: p.document.code):
        documents.append((p.document.code, t(p.title, lang), f"{p.document.revision:02d}",
                          format_date(p.document.effective_date, lang), translate("Internal", lang)))
    for f in manifest.forms:
        documents.append((f.code, t(f.title, lang), "", "", f.legal_basis or translate("Form", lang)))
    return ManualView(
        org=org_view(manifest, lang),
        control=control_view(manifest.manual, manifest.document_codes.manual_code, lang),
        title=translate("Quality manual", lang),
        context_issues=[(c.id, translate("Internal" if c.kind == "internal" else "External", lang),
                         t(c.description, lang), names.who(c.monitored_by)) for c in manifest.context_issues],
        interested_parties=[(p.id, t(p.name, lang), t(p.needs, lang), names.who(p.monitored_by))
                            for p in manifest.interested_parties],
        scope=t(manifest.scope.statement, lang),
        sites=[t(s, lang) for s in manifest.scope.sites],
        applicability=[(a.clause, translate("Applicable" if a.applicable else "Not applicable", lang),
                        t(a.justification, lang)) for a in manifest.scope.applicability],
        policy=t(manifest.policy.text, lang),
        policy_channels=[t(c, lang) for c in manifest.policy.communicated_via],
        objectives=[{"id": o.id, "statement": t(o.statement, lang), "target": o.target,
                     "what": t(o.plan.what, lang), "resources": t(o.plan.resources, lang),
                     "responsible": names.who(o.plan.responsible),
                     "due": format_date(o.plan.due, lang) if isinstance(o.plan.due, dt.date) else o.plan.due,
                     "evaluation": t(o.plan.evaluation, lang)} for o in manifest.objectives],
        process_map=[Markup(s) for s in svg.interaction_map(nodes, band_labels)],
        processes=[(p.id, t(p.title, lang), translate(_KINDS[p.kind], lang), names.who(p.owner),
                    ", ".join(p.interactions)) for p in procs],
        roles=roles,
        matrix=matrix_view(ws, lang),
        documents=documents,
        records=record_rows(ws, lang),
    )
