"""View-models: plain, language-resolved data for the templates (no model objects reach Jinja).

Every string here is NFC (the models normalise their input; labels come from the catalogue).
Templates escape it; SVG builders escape it too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from qms.analysis.documents import IMPORT_PLACEHOLDER_ID
from qms.analysis.glossary import collation_key, document_text, used_term
from qms.analysis.matrix import clause_matrix
from qms.analysis.people import Directory
from qms.i18n import N_, format_number, format_target, ngettext, translate
from qms.legal.wording import Citations
from qms.models.common import DocumentControl, Duration, InternalNote, Signatory, Text
from qms.models.legal import LegalRegister
from qms.models.organisation import Manifest, RecordEntry
from qms.models.process import Interaction, Process
from qms.render import svg
from qms.render.env import format_date, strip_bidi
from qms.standards import catalogue
from qms.store.workspace import Workspace


def t(text: Text | None, lang: str) -> str:
    """``text`` in ``lang``, without bidirectional controls (which would print it backwards)."""
    return strip_bidi(text.get(lang)) if text is not None else ""


def duration_text(value: Duration | None, lang: str) -> str:
    if value is None:
        return ""
    if value.calendar_days:
        return translate("{n} calendar days", lang).format(n=value.calendar_days)
    parts: list[str] = []
    if value.days:
        parts.append(translate("{n} working days", lang).format(n=format_number(value.days, lang)) if value.days != 1
                     else translate("1 working day", lang))
    if value.hours:
        parts.append(translate("{n} h", lang).format(n=format_number(value.hours, lang)))
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
    issued_on: str = ""
    # "Dự thảo" / "Draft" on every page: a draft revision, or any document rendered with --drafts
    watermark: str = ""
    # 7.5.3.2: who holds copies (name, number of copies) and the copy mark printed in the footer
    distribution: list[tuple[str, str]] = field(default_factory=list)
    copy_mark: str = ""


def copy_mark(state: str | None, drafts: bool, lang: str) -> str:
    """"Controlled copy" on an approved document; anything else (a draft, an obsolete revision,
    a --drafts print) is an uncontrolled copy."""
    if state == "approved" and not drafts:
        return translate("Controlled copy", lang)
    return translate("Uncontrolled copy", lang)


def watermark_text(state: str | None, drafts: bool, lang: str) -> str:
    """The watermark: "Obsolete" on a withdrawn document (every page, so that nobody uses it by mistake);
    "Draft" on a draft revision, and on every other document in --drafts mode."""
    if state == "obsolete":
        return translate("Obsolete", lang)
    return translate("Draft", lang) if drafts or state in ("draft", "in_review") else ""


@dataclass(slots=True)
class NoteView:
    """An internal note, printed only with ``qms render --drafts``."""

    kind: str
    about: str
    text: str


_NOTE_KINDS = {"verification": "Verification", "research": "Research", "drafting": "Drafting",
               "other": "Note"}


def note_views(notes: list[InternalNote], drafts: bool, lang: str) -> list[NoteView]:
    if not drafts:
        return []  # never in an issued document
    return [NoteView(translate(_NOTE_KINDS[n.kind], lang), n.about, t(n.text, lang)) for n in notes]


def _signatory(s: Signatory | None, lang: str) -> SignatoryView | None:
    if s is None:
        return None
    return SignatoryView(s.name, t(s.title, lang), format_date(s.date, lang))


def effective_text(value: dt.date | None, lang: str) -> str:
    """The effective date as printed: never a blank "Ngày hiệu lực:" for a revision not in effect yet (a draft,
    or a revision approved without its date), but "chưa có hiệu lực" / "not yet in effect", the way a
    missing issue date reads "chưa ban hành"."""
    return format_date(value, lang) if value is not None else translate("not yet in effect", lang)


def control_view(doc: DocumentControl | None, default_code: str, lang: str, drafts: bool = False,
                 directory: Directory | None = None) -> ControlView:
    if doc is None:
        # no control block (registers, reports): a record, never "Draft – not approved", and no draft watermark
        # unless --drafts asks for one
        return ControlView(default_code, "01", "", "record", None, None, None, [],
                           watermark=watermark_text(None, drafts, lang))
    return ControlView(
        code=doc.code,
        revision=f"{doc.revision:02d}",
        effective_date=effective_text(doc.effective_date, lang),
        state=doc.state,
        prepared=_signatory(doc.prepared_by, lang),
        # a draft shows no sign-off: a reviewer once the revision is reviewed, an approver once approved
        reviewed=_signatory(doc.reviewed_by, lang) if doc.state in ("in_review", "approved", "obsolete") else None,
        approved=_signatory(doc.approved_by, lang) if doc.state in ("approved", "obsolete") else None,
        history=[RevisionView(f"{h.revision:02d}", format_date(h.date, lang), t(h.summary, lang), h.pages, h.by)
                 for h in sorted(doc.history, key=lambda h: (h.revision, h.date))],
        # never a blank "Ngày ban hành:" in the header and on the cover of a document not issued yet
        issued_on=format_date(doc.issued_on, lang) if doc.issued_on else translate("not yet issued", lang),
        watermark=watermark_text(doc.state, drafts, lang),
        distribution=[(directory.label(d.to, lang) if directory is not None else d.to, format_number(d.copies, lang))
                      for d in doc.distribution],
        copy_mark=copy_mark(doc.state, drafts, lang),
    )


@dataclass(slots=True)
class OrgView:
    name: str
    short_name: str
    address: str
    # the logo: a repository-relative path (a PDF fetches it through render.fetcher.SafeFetcher,
    # which bounds and checks the image); the HTML site copies it to assets/logo.<ext>
    logo: str = ""

    @property
    def logo_site(self) -> str:
        return "assets/logo" + self.logo[self.logo.rfind("."):] if self.logo else ""


def org_view(manifest: Manifest, lang: str) -> OrgView:
    org = manifest.organisation
    return OrgView(t(org.name, lang), t(org.short_name, lang) or t(org.name, lang), t(org.address, lang),
                   org.logo or "")


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
    internal_notes: list[NoteView] = field(default_factory=list)
    # more than six lanes: the flowchart's pages are landscape (A3 landscape with `flowchart_a3`)
    flowchart_landscape: bool = False
    flowchart_a3: bool = False
    # the flowchart again, its first sheet at most this many points tall (qms.render.pdf.html_to_pdf, refit)
    refit_flowchart: Callable[[float], list[Markup]] | None = field(default=None, repr=False, compare=False)
    owner: str = ""  # the owner role's title (the Word cover names it; the importer reads it back)
    unit: str = ""  # the lead unit's name


class Names:
    """Resolves role, unit, agency and form identifiers to display labels."""

    def __init__(self, manifest: Manifest, lang: str, proc: Process | None = None) -> None:
        self.lang = lang
        self.directory = Directory.of(manifest)
        self.forms = {f.code: t(f.title, lang) for f in manifest.forms}
        # participating agencies (liên thông) name the lanes of the steps they do
        self.agencies = ({a.id: t(a.name, lang) for a in proc.administrative.agencies}
                         if proc is not None and proc.administrative is not None else {})
        # the roles an imported draft names that qms.yaml does not have yet: the Word file's words for them
        self.proposed = {r.id: t(r.title, lang) for r in proc.proposed_roles} if proc is not None else {}

    def unit(self, ident: str | None) -> str:
        unit = self.directory.units.get(ident or "")
        return t(unit.name, self.lang) if unit is not None else ""

    def who(self, ident: str | None) -> str:
        """A role's title, else a unit's name, else a person's name, else an agency's or a proposed role's
        name, else ``ident`` as written; nothing for the placeholder ``qms import`` writes (a field to fill)."""
        if not ident or ident == IMPORT_PLACEHOLDER_ID:
            return ""
        role, person = self.directory.roles.get(ident), self.directory.people.get(ident)
        return ((t(role.title, self.lang) if role is not None else "") or self.unit(ident)
                or (person.name if person is not None else "") or self.agencies.get(ident)
                or self.proposed.get(ident) or ident)


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
        amount = format_number(adm.fee.amount_vnd, lang, digits=0)  # "50.000 đồng", "VND 50,000"
        parts.append(f"{amount} đồng" if lang == "vi" else f"VND {amount}")
    if adm.fee.text is not None:
        parts.append(t(adm.fee.text, lang))
    return "; ".join(parts)


def definitions(proc: Process, manifest: Manifest, raw: Any, lang: str) -> list[tuple[str, str]]:
    """Section 4: the glossary entries the procedure's text uses, and its own definitions, in
    Vietnamese dictionary order (Đ after D)."""
    text = document_text(raw if raw is not None else proc.model_dump(mode="json", by_alias=True), lang)
    rows: dict[str, str] = {}
    for entry in manifest.glossary:
        term = used_term(entry, text, lang)
        if term is not None:
            rows[term] = t(entry.meaning, lang)
    rows.update({d.term: t(d.meaning, lang) for d in proc.definitions})
    return sorted(rows.items(), key=lambda row: collation_key(row[0]))


def flowchart_input(proc: Process, names: Names, lang: str) -> tuple[list[svg.FlowStep], list[svg.Lane]]:
    """The steps and lanes of ``proc``'s swimlane flowchart (:func:`qms.render.svg.swimlane`)."""
    numbers = {s.id: i + 1 for i, s in enumerate(proc.steps)}
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
    return flow, lanes


def citations_of(ws: Workspace) -> Citations:
    """The citations of ``ws``, resolved against its legal register when it has one that loads."""
    docs = ws.of_kind("legal-register")
    model = docs[0].model if docs else None
    return Citations(model if isinstance(model, LegalRegister) else None)


def reference_views(proc: Process, lang: str, citations: Citations) -> list[tuple[str, str, bool]]:
    """Section 3: each reference as the language cites it, with its own title or else the register's."""
    return [(citations.cite(r.id, lang), t(r.title, lang) or citations.title(r.id, lang), r.legal_basis)
            for r in proc.references]


def procedure_view(proc: Process, manifest: Manifest, lang: str, source_path: str, *,
                   drafts: bool = False, raw: Any = None, a3: bool = False,
                   citations: Citations | None = None) -> ProcedureView:
    """One procedure in ``lang``; ``a3``: landscape flowchart pages (more than six lanes) on A3;
    ``citations`` resolves legal references against the register (without one, an English document
    still names the kinds and parts of its citations in English)."""
    cite = citations or Citations()
    names = Names(manifest, lang, proc)
    numbers = {s.id: i + 1 for i, s in enumerate(proc.steps)}
    forms_by_code = dict(names.forms)
    forms_by_code.update({f.code: t(f.title, lang) for f in proc.forms})
    records_by_code = {r.code: t(r.title, lang) for r in proc.records}
    rows: list[StepRow] = []
    for i, s in enumerate(proc.steps):
        results = [f"{code} {forms_by_code.get(code, '')}".strip() for code in s.forms]
        results += [f"{code} {records_by_code.get(code, '')}".strip() for code in s.records]
        results += [t(o, lang) for o in s.outputs]
        branches: list[str] = []
        if s.decision is not None:
            for b in s.decision.branches:
                branches.append(translate("{label}: go to step {n}", lang).format(
                    label=t(b.label, lang), n=numbers.get(b.next, b.next)))
        rows.append(StepRow(i + 1, s.id, t(s.name, lang), t(s.description, lang) or
                            (t(s.decision.question, lang) if s.decision else ""),
                            names.who(s.responsible), duration_text(s.duration, lang), results, branches))
    flow, lanes = flowchart_input(proc, names, lang)
    wide_a3 = a3 and svg.landscape(lanes)

    def flowchart_sheets(first_height: float | None = None) -> list[Markup]:
        return [Markup(sheet) for sheet in svg.swimlane(proc.document.code or proc.id, flow, lanes, lang=lang,
                                                         a3=wide_a3, first_height=first_height)]

    flowchart = flowchart_sheets()
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
            "dossier_sets_text": ngettext("{n} set", "{n} sets", adm.dossier_sets, lang).format(
                n=format_number(adm.dossier_sets, lang)),
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
        control=control_view(proc.document, proc.id, lang, drafts, names.directory),
        org=org_view(manifest, lang),
        purpose=t(proc.purpose, lang),
        scope=t(proc.scope, lang),
        references=reference_views(proc, lang, cite),
        definitions=definitions(proc, manifest, raw, lang),
        administrative=administrative,
        inputs=[t(x, lang) for x in proc.inputs],
        outputs=[t(x, lang) for x in proc.outputs],
        steps=rows,
        flowchart=flowchart,
        flowchart_landscape=svg.landscape(lanes),
        flowchart_a3=wide_a3,
        refit_flowchart=flowchart_sheets if len(flow) > 1 else None,
        forms=[(code, forms_by_code.get(code, ""), cite.cite(legal.get(code, ""), lang)) for code in form_codes],
        records=[(r.code, t(r.title, lang), r.retention_text(lang), t(r.location, lang), names.who(r.responsible))
                 for r in proc.records],
        source_path=source_path,
        anchor=f"proc-{proc.id}",
        owner=names.who(proc.owner),
        unit=names.unit(proc.unit) or names.who(proc.unit),
        internal_notes=note_views([*proc.internal_notes,
                                   *(n for f in proc.forms for n in f.internal_notes)], drafts, lang),
    )


@dataclass(slots=True)
class TocEntry:
    number: str
    title: str
    anchor: str  # internal anchor (front matter) or "" for a procedure
    page: int | None = None  # fixed page number (procedures in the assembled manual)
    href: str = ""  # link target in the HTML site
    # pages of the procedure as printed on the paper (each procedure restarts at Trang 1/N)
    pages: int | None = None


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
    processes: list[tuple[str, str, str, str, list[str], list[str]]]
    roles: list[dict[str, Any]]
    matrix: dict[str, Any]
    documents: list[tuple[str, str, str, str, str]]
    records: list[tuple[str, str, str, str, str, str]]
    procedures: list[TocEntry] = field(default_factory=list)
    interactions: list[InteractionView] = field(default_factory=list)
    external_providers: list[tuple[str, str, str, str]] = field(default_factory=list)
    internal_notes: list[NoteView] = field(default_factory=list)
    # why the interaction map is given as a table (too many processes or interactions to draw)
    process_map_note: str = ""


@dataclass(slots=True)
class InteractionView:
    """One edge of the interaction map: ``source`` sends ``what`` to ``target``.

    ``directed`` is False for the old undirected form (a bare process id), drawn without an arrowhead.
    """

    source: str
    source_title: str
    target: str
    target_title: str
    what: str
    directed: bool


def interaction_views(procs: list[Process], lang: str) -> list[InteractionView]:
    titles = {p.id: t(p.title, lang) for p in procs}
    edges: list[InteractionView] = []
    seen: set[tuple[str, str]] = set()
    for p in procs:
        for item in p.interactions:
            if isinstance(item, Interaction):
                edges.append(InteractionView(p.id, titles[p.id], item.to, titles.get(item.to, item.to),
                                             t(item.what, lang), True))
                continue
            pair = (min(p.id, item), max(p.id, item))
            if pair in seen:
                continue  # an undirected pair listed on both sides is one edge
            seen.add(pair)
            edges.append(InteractionView(p.id, titles[p.id], item, titles.get(item, item), "", False))
    return edges


def _relations(pid: str, interactions: list[InteractionView]) -> tuple[list[str], list[str]]:
    """What process ``pid`` receives and from whom, what it sends and to whom (``↔``: direction not given)."""
    def item(other: str, what: str, arrow: str = "") -> str:
        return f"{arrow}{other}" + (f": {what}" if what else "")

    receives = [item(i.source, i.what, "" if i.directed else "↔ ") for i in interactions if i.target == pid]
    sends = [item(i.target, i.what, "" if i.directed else "↔ ") for i in interactions if i.source == pid]
    return receives, sends


def _map_note(process_map: list[Markup], n: int, m: int, lang: str) -> str:
    if process_map or not n:
        return ""
    return translate(N_("The {n} processes and their {m} interactions do not fit a readable drawing (at most 40 "
                        "interactions on a page, no text under 7 pt): the table below gives, for each process, what "
                        "it receives and from which process, and what it sends and to which process."),
                     lang).format(n=n, m=m)


# Where the manual prints what a qms.yaml section holds: (section number, section title)
MANUAL_SECTIONS: dict[str, tuple[str, str]] = {
    "context_issues": ("1.1", "Internal and external issues"),
    "interested_parties": ("1.2", "Interested parties"),
    "external_providers": ("1.3", "External providers"),
    "scope": ("2", "Scope and applicability"),
    "policy": ("3.1", "Quality policy"),
    "objectives": ("3.2", "Quality objectives"),
    "roles": ("5", "Roles, responsibilities and authorities"),
}


_KINDS = {"management": "Management process", "core": "Core process", "support": "Support process"}


def _cited(by: str, manual_code: str, lang: str) -> str:
    """A matrix "addressed by" entry as the reader finds it: a manual section or a document code."""
    if by.startswith("qms.yaml#"):
        number, _title = MANUAL_SECTIONS.get(by.removeprefix("qms.yaml#"), ("", ""))
        if number:
            return translate("{code} section {number}", lang).format(code=manual_code, number=number)
        return manual_code
    return by


def matrix_view(ws: Workspace, lang: str) -> dict[str, Any]:
    m = clause_matrix(ws, lang)
    cat = catalogue("2015")
    manual_code = ws.manifest.document_codes.manual_code if ws.manifest is not None else ""
    if ws.manifest is not None and ws.manifest.manual is not None:
        manual_code = ws.manifest.manual.code
    codes = {p.id: p.document.code for _d, p in ws.processes()}
    rows = []
    for r in m.rows:
        title = r.clause.label(lang)
        untitled = r.clause.untitled
        if untitled:
            # the standard gives this subclause a number only: show it under its parent's title
            parent = cat.get(r.clause.id.rsplit(".", 1)[0])
            title = parent.label(lang) if parent is not None else ""
        rows.append({
            "clause": r.clause.id,
            "title": title,
            "untitled": untitled,
            "level": r.clause.level,
            "applicable": r.applicable,
            "justification": r.justification,
            "by": list(dict.fromkeys(_cited(codes.get(b, b), manual_code, lang) for b in r.addressed_by)),
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
            rows.append((entry.code, t(entry.title, lang), entry.retention_text(lang), t(entry.location, lang),
                         names.who(entry.responsible), entry.process or ""))
    for _doc, proc in ws.processes():
        for spec in proc.records:
            if spec.code in seen:
                continue
            seen.add(spec.code)
            rows.append((spec.code, t(spec.title, lang), spec.retention_text(lang), t(spec.location, lang),
                         names.who(spec.responsible), proc.id))
    return rows


def manual_view(ws: Workspace, lang: str, drafts: bool = False) -> ManualView:
    manifest = ws.manifest
    cite = citations_of(ws)
    assert manifest is not None
    names = Names(manifest, lang)
    procs = [p for _d, p in ws.processes()]
    nodes = [svg.MapNode(p.id, t(p.title, lang), p.kind, tuple(p.interaction_targets())) for p in procs]
    interactions = interaction_views(procs, lang)
    band_labels = {"management": translate("Management processes", lang),
                   "core": translate("Core processes", lang),
                   "support": translate("Support processes", lang)}
    band_labels["other"] = translate("Other processes", lang)
    roles = [{"title": t(r.title, lang), "unit": names.unit(r.unit),
              "responsibilities": [t(x, lang) for x in r.responsibilities],
              "authorities": [t(x, lang) for x in r.authorities]} for r in manifest.organisation.roles]
    documents: list[tuple[str, str, str, str, str]] = []
    if manifest.manual is not None:
        documents.append((manifest.manual.code, translate("Quality manual", lang),
                          f"{manifest.manual.revision:02d}", effective_text(manifest.manual.effective_date, lang),
                          translate("Internal", lang)))
    for p in sorted(procs, key=lambda p: p.document.code):
        documents.append((p.document.code, t(p.title, lang), f"{p.document.revision:02d}",
                          effective_text(p.document.effective_date, lang), translate("Internal", lang)))
    for f in manifest.forms:
        documents.append((f.code, t(f.title, lang), "", "", cite.cite(f.legal_basis, lang) or translate("Form", lang)))
    edges = [svg.MapEdge(i.source, i.target, i.what, i.directed) for i in interactions]
    process_map = [Markup(s) for s in svg.interaction_map(nodes, band_labels, edges=edges, lang=lang)]
    return ManualView(
        org=org_view(manifest, lang),
        control=control_view(manifest.manual, manifest.document_codes.manual_code, lang, drafts, names.directory),
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
        objectives=[{"id": o.id, "statement": t(o.statement, lang), "target": format_target(o.target, lang),
                     "what": t(o.plan.what, lang), "resources": t(o.plan.resources, lang),
                     "responsible": names.who(o.plan.responsible),
                     "due": format_date(o.plan.due, lang) if isinstance(o.plan.due, dt.date) else o.plan.due,
                     "evaluation": t(o.plan.evaluation, lang)} for o in manifest.objectives],
        process_map=process_map,
        process_map_note=_map_note(process_map, len(procs), len(interactions), lang),
        processes=[(p.id, t(p.title, lang), translate(_KINDS[p.kind], lang), names.who(p.owner),
                    *_relations(p.id, interactions)) for p in procs],
        roles=roles,
        matrix=matrix_view(ws, lang),
        documents=documents,
        records=record_rows(ws, lang),
        interactions=interactions,
        external_providers=[(e.id, t(e.name, lang), t(e.provides, lang), format_date(e.evaluated, lang))
                            for e in manifest.external_providers],
        internal_notes=note_views([*manifest.internal_notes, *(n for f in manifest.forms for n in f.internal_notes)],
                                  drafts, lang),
    )
