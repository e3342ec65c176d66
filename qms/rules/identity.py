"""QMS1xx: identity and references."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from pathlib import PurePosixPath
from typing import Any, ClassVar

from qms.diagnostics import Diagnostic, Severity
from qms.i18n import N_, _
from qms.models.organisation import Manifest
from qms.rules.base import CheckContext, Rule, location_of, pointer
from qms.safe_regex import Matcher, UnsafePattern, compile_untrusted
from qms.standards import catalogue, normalise_clause
from qms.store.workspace import LoadedDoc


def _suggest(value: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.6)
    return _("did you mean `{name}`?").format(name=close[0]) if close else ""


def _raw_ids(items: object, key: str) -> set[str]:
    """The ``key`` of every mapping in the raw list ``items`` (anything else is ignored)."""
    if not isinstance(items, list):
        return set()
    return {item[key] for item in items if isinstance(item, dict) and isinstance(item.get(key), str)}


class Index:
    """Ids known across the repository, computed once per check."""

    def __init__(self, ctx: CheckContext) -> None:
        ws = ctx.workspace
        m: Manifest | None = ws.manifest
        directory = ctx.directory()
        self.units: set[str] = set(directory.units)
        self.roles: set[str] = set(directory.roles)
        self.people: set[str] = set(directory.people)
        self.objectives = {o.id for o in m.objectives} if m else set()
        self.processes = ws.declared_process_ids()
        self.forms: set[str] = {f.code for f in m.forms} if m else set()
        self.records: set[str] = set()
        self.kpis: set[str] = set()
        for _doc, proc in ws.processes():
            self.forms.update(f.code for f in proc.forms)
            self.records.update(r.code for r in proc.records)
            self.kpis.update(k.id for k in proc.kpis)
        for _doc, reg in ws.models("record-register"):
            self.records.update(r.code for r in reg.records)
        self.manifest_ok = m is not None
        # A process or record-register file that failed to load still declares what it lists (its raw
        # data), so references to its KPIs, forms and records are not "unknown" as well. A file that did
        # not parse at all declares nothing we can read: those references are not judged (``partial``).
        self.partial = False
        for doc in ws.of_kind("process") + ws.of_kind("record-register"):
            if doc.model is not None:
                continue
            if not isinstance(doc.raw, dict):
                self.partial = True
                continue
            self.kpis.update(_raw_ids(doc.raw.get("kpis"), "id"))
            self.forms.update(_raw_ids(doc.raw.get("forms"), "code"))
            self.records.update(_raw_ids(doc.raw.get("records"), "code"))

    @classmethod
    def of(cls, ctx: CheckContext) -> Index:
        idx = ctx.cache.get("index")
        if not isinstance(idx, Index):
            idx = cls(ctx)
            ctx.cache["index"] = idx
        return idx


class DuplicateId(Rule):
    """Two things share an id.

    What it checks:
    Process ids are unique across files; ids of units, roles, people, objectives, steps, KPIs and risks
    are unique within their list.

    Why:
    Every document and record must be uniquely identified (7.5.2 a).

    Example:
    Two files in `processes/` both say `id: QT-HT-01`.

    Fix:
    Give one of them a new id (and rename its file to match).
    """

    code = "QMS101"
    name = "duplicate-id"
    clauses = ("7.5.2",)

    def _dupes(self, doc: LoadedDoc[Any], items: list[Any], base: str, attr: str = "id") -> Iterator[Diagnostic]:
        """``base`` is a slash-separated path such as ``organisation/units``."""
        seen: dict[str, int] = {}
        parts = base.split("/")
        for i, item in enumerate(items):
            value = getattr(item, attr)
            if value in seen:
                first = location_of(doc, pointer(*parts, seen[value], attr))
                yield self.at(doc, pointer(*parts, i, attr),
                              _("duplicate id `{value}` (first at line {line})").format(value=value, line=first.line),
                              hint=_("give each entry its own id"), subject=str(value), related=(first,))
            else:
                seen[value] = i

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        ws = ctx.workspace
        first_doc: dict[str, LoadedDoc[Any]] = {}
        for doc, proc in ws.processes():
            if proc.id in first_doc:
                other = first_doc[proc.id]
                yield self.at(doc, "/id", _("process id `{id}` is also used by {path}").format(id=proc.id, path=other.path),
                              hint=_("give each process its own id"), subject=proc.id,
                              related=(location_of(other, "/id"),))
            else:
                first_doc[proc.id] = doc
            yield from self._dupes(doc, proc.steps, "steps")
            yield from self._dupes(doc, proc.kpis, "kpis")
            yield from self._dupes(doc, proc.risks, "risks")
            yield from self._dupes(doc, proc.forms, "forms", "code")
            yield from self._dupes(doc, proc.records, "records", "code")
        mdoc = ws.manifest_doc
        m = ws.manifest
        if mdoc is not None and m is not None:
            yield from self._dupes(mdoc, m.organisation.units, "organisation/units")
            yield from self._dupes(mdoc, m.organisation.roles, "organisation/roles")
            yield from self._dupes(mdoc, m.organisation.people, "organisation/people")
            yield from self._dupes(mdoc, m.objectives, "objectives")
            yield from self._dupes(mdoc, m.forms, "forms", "code")


class IdFileName(Rule):
    """A process id differs from its file name.

    What it checks:
    `processes/QT-HT-01.yaml` holds `id: QT-HT-01`.

    Why:
    People find documents by code; a file named after another code misleads them (7.5.2 a).

    Example:
    `processes/QT-HT-01.yaml` with `id: QT-HT-02`.

    Fix:
    Rename the file or correct the id.
    """

    code = "QMS102"
    name = "id-file-name-mismatch"
    clauses = ("7.5.2",)

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        for doc, proc in ctx.workspace.processes():
            stem = PurePosixPath(doc.path).stem
            if stem != proc.id:
                yield self.at(doc, "/id", _("process id `{id}` does not match the file name `{stem}`").format(id=proc.id, stem=stem),
                              hint=_("rename the file to {id}.yaml or set `id: {stem}`").format(id=proc.id, stem=stem), subject=proc.id)


class _RefRule(Rule):
    message: ClassVar[str] = ""
    default_hint: ClassVar[str] = ""

    def bad(self, doc: LoadedDoc[Any], ptr: str, value: str, known: set[str]) -> Diagnostic:
        hint, fix = self.suggest(doc, ptr, value, known)
        return self.at(doc, ptr, _(self.message).format(value=value), hint=hint or _(self.default_hint),
                       subject=value, fix=fix)


class UnknownRole(_RefRule):
    """A reference names a role (or unit) that qms.yaml does not define.

    What it checks:
    Owners, responsible parties, KPI and risk owners and objective plans name roles (or units)
    defined under `organisation.roles` / `organisation.units`.

    Why:
    Responsibilities and authorities must be assigned to defined roles (5.3).

    Example:
    ```yaml
    owner: chu_tich_ubnd   # no such role
    ```

    Fix:
    Use a defined role id, or add the role to qms.yaml.
    """

    code = "QMS103"
    name = "unknown-role"
    clauses = ("5.3",)
    message = N_("unknown role `{value}`")
    default_hint = N_("define the role in qms.yaml first, or correct the reference")

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        idx = Index.of(ctx)
        if not idx.manifest_ok:
            return
        roles_units = idx.roles | idx.units
        for doc, proc in ctx.workspace.processes():
            if proc.owner not in idx.roles:
                yield self.bad(doc, "/owner", proc.owner, idx.roles)
            agencies = {a.id for a in proc.administrative.agencies} if proc.administrative else set()
            for i, step in enumerate(proc.steps):
                if step.responsible and step.responsible not in roles_units | agencies:
                    yield self.bad(doc, pointer("steps", i, "responsible"), step.responsible,
                                   roles_units | agencies)
            for i, k in enumerate(proc.kpis):
                if k.responsible and k.responsible not in roles_units:
                    yield self.bad(doc, pointer("kpis", i, "responsible"), k.responsible, roles_units)
            for i, r in enumerate(proc.risks):
                if r.owner and r.owner not in roles_units:
                    yield self.bad(doc, pointer("risks", i, "owner"), r.owner, roles_units)
            for i, rec in enumerate(proc.records):
                if rec.responsible and rec.responsible not in roles_units:
                    yield self.bad(doc, pointer("records", i, "responsible"), rec.responsible, roles_units)
        mdoc = ctx.workspace.manifest_doc
        m = ctx.workspace.manifest
        if mdoc is None or m is None:
            return
        for i, p in enumerate(m.organisation.people):
            if p.role not in idx.roles:
                yield self.bad(mdoc, pointer("organisation", "people", i, "role"), p.role, idx.roles)
        for i, o in enumerate(m.objectives):
            if o.plan.responsible not in roles_units:
                yield self.bad(mdoc, pointer("objectives", i, "plan", "responsible"), o.plan.responsible,
                               roles_units)
        for i, c in enumerate(m.context_issues):
            if c.monitored_by and c.monitored_by not in roles_units:
                yield self.bad(mdoc, pointer("context_issues", i, "monitored_by"), c.monitored_by, roles_units)
        for i, ip in enumerate(m.interested_parties):
            if ip.monitored_by and ip.monitored_by not in roles_units:
                yield self.bad(mdoc, pointer("interested_parties", i, "monitored_by"), ip.monitored_by,
                               roles_units)


class UnknownUnit(_RefRule):
    """A reference names a unit that qms.yaml does not define.

    What it checks:
    Process units, role units, people's units and unit parents name units under `organisation.units`.

    Why:
    Each process must be assigned to an organisational unit (4.4.1 e, 5.3).

    Example:
    ```yaml
    unit: phong_tu_phap   # defined as tu_phap
    ```

    Fix:
    Use the defined unit id.
    """

    code = "QMS104"
    name = "unknown-unit"
    clauses = ("5.3",)
    message = N_("unknown unit `{value}`")
    default_hint = N_("define the unit in qms.yaml first, or correct the reference")

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        idx = Index.of(ctx)
        if not idx.manifest_ok:
            return
        for doc, proc in ctx.workspace.processes():
            if proc.unit not in idx.units:
                yield self.bad(doc, "/unit", proc.unit, idx.units)
        mdoc = ctx.workspace.manifest_doc
        m = ctx.workspace.manifest
        if mdoc is None or m is None:
            return
        for i, r in enumerate(m.organisation.roles):
            if r.unit and r.unit not in idx.units:
                yield self.bad(mdoc, pointer("organisation", "roles", i, "unit"), r.unit, idx.units)
        for i, p in enumerate(m.organisation.people):
            if p.unit and p.unit not in idx.units:
                yield self.bad(mdoc, pointer("organisation", "people", i, "unit"), p.unit, idx.units)
        for i, u in enumerate(m.organisation.units):
            if u.parent and u.parent not in idx.units:
                yield self.bad(mdoc, pointer("organisation", "units", i, "parent"), u.parent, idx.units)


class UnknownProcess(_RefRule):
    """A reference names a process that does not exist.

    What it checks:
    `interactions` and the record register's `process` name existing process ids.

    Why:
    The sequence and interaction of processes must be determined (4.4.1 b).

    Example:
    ```yaml
    interactions: [QT-KS-01]   # no such process
    ```

    Fix:
    Use an existing process id.
    """

    code = "QMS105"
    name = "unknown-process"
    clauses = ("4.4.1",)
    message = N_("unknown process `{value}`")
    default_hint = N_("use the id of an existing process")

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        idx = Index.of(ctx)
        for doc, proc in ctx.workspace.processes():
            for i, other in enumerate(proc.interaction_targets()):
                if other not in idx.processes:
                    ptr = pointer("interactions", i) if isinstance(proc.interactions[i], str) \
                        else pointer("interactions", i, "to")
                    yield self.bad(doc, ptr, other, idx.processes)
        for doc, reg in ctx.workspace.models("record-register"):
            for i, rec in enumerate(reg.records):
                if rec.process and rec.process not in idx.processes:
                    yield self.bad(doc, pointer("records", i, "process"), rec.process, idx.processes)


class UnknownForm(_RefRule):
    """A step uses a form that is not in any forms register.

    What it checks:
    Every code under a step's `forms` is defined in the process's `forms` or in qms.yaml `forms`.

    Why:
    Forms are controlled documents and must be identified and available (7.5.2, 7.5.3).

    Example:
    ```yaml
    steps:
      - id: B1
        forms: [BM-99]
    ```

    Fix:
    Add the form to `forms:` or correct the code.
    """

    code = "QMS106"
    name = "unknown-form"
    clauses = ("7.5.3",)
    message = N_("unknown form `{value}`")
    default_hint = N_("add the form to `forms:` of the process or of qms.yaml")

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        idx = Index.of(ctx)
        if not idx.manifest_ok or idx.partial:  # a register is unknown: QMS013 / the loader says so
            return
        for doc, proc in ctx.workspace.processes():
            for i, step in enumerate(proc.steps):
                for j, code in enumerate(step.forms):
                    if code not in idx.forms:
                        yield self.bad(doc, pointer("steps", i, "forms", j), code, idx.forms)


class UnknownRecord(_RefRule):
    """A step produces a record that is not in any record register.

    What it checks:
    Every code under a step's `records` is listed in the process's `records` or in `records/register.yaml`.

    Why:
    Retained documented information must be identified, stored and retained (7.5.3.2).

    Example:
    ```yaml
    steps:
      - id: B4
        records: [HS-99]
    ```

    Fix:
    Add the record (with retention and location) to `records:`.
    """

    code = "QMS107"
    name = "unknown-record"
    clauses = ("7.5.3.2",)
    message = N_("unknown record `{value}`")
    default_hint = N_("add the record, with retention and location, to `records:`")

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        idx = Index.of(ctx)
        if idx.partial:  # a file that lists records did not parse: the loader reports it
            return
        for doc, proc in ctx.workspace.processes():
            for i, step in enumerate(proc.steps):
                for j, code in enumerate(step.records):
                    if code not in idx.records:
                        yield self.bad(doc, pointer("steps", i, "records", j), code, idx.records)


class UnknownObjective(_RefRule):
    """A KPI names an objective that does not exist, or an objective names an unknown KPI.

    What it checks:
    `kpis[].objective` names an objective in qms.yaml, and `objectives[].kpis` names defined KPIs.

    Why:
    Quality objectives must be measurable and monitored (6.2.1).

    Example:
    ```yaml
    kpis:
      - id: KPI-KS-01
        objective: MT-99
    ```

    Fix:
    Use an existing objective id.
    """

    code = "QMS108"
    name = "unknown-objective"
    clauses = ("6.2.1",)
    message = N_("unknown objective `{value}`")
    default_hint = N_("use the id of an objective in qms.yaml")

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        idx = Index.of(ctx)
        if not idx.manifest_ok:
            return
        for doc, proc in ctx.workspace.processes():
            for i, k in enumerate(proc.kpis):
                if k.objective and k.objective not in idx.objectives:
                    yield self.bad(doc, pointer("kpis", i, "objective"), k.objective, idx.objectives)
        mdoc = ctx.workspace.manifest_doc
        m = ctx.workspace.manifest
        if mdoc is None or m is None:
            return
        for i, o in enumerate(m.objectives):
            for j, kid in enumerate(o.kpis):
                if kid not in idx.kpis and not idx.partial:
                    yield self.at(mdoc, pointer("objectives", i, "kpis", j), _("unknown KPI `{value}`").format(value=kid),
                                  hint=_suggest(kid, idx.kpis) or _("define the KPI in a process"), subject=kid)


class UnknownClause(_RefRule):
    """A clause number does not exist in ISO 9001:2015.

    What it checks:
    `clauses` of processes and `scope.applicability[].clause` are ISO 9001:2015 clause numbers.

    Why:
    A wrong clause number breaks the clause ↔ process matrix (4.4) and misleads auditors.

    Example:
    ```yaml
    clauses: ["4.2.3"]   # an ISO 9001:2008 number
    ```

    Fix:
    Use the 2015 number (`qms migrate map 4.2.3` tells which).
    """

    code = "QMS109"
    name = "unknown-clause"
    clauses = ("4.4",)
    message = N_("unknown ISO 9001:2015 clause `{value}`")
    default_hint = N_("use a 2015 clause number; `qms migrate map CLAUSE` converts 2008 numbers")

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        known = catalogue("2015")
        for doc, proc in ctx.workspace.processes():
            for i, c in enumerate(proc.clauses):
                if normalise_clause(c) not in known:
                    yield self.bad(doc, pointer("clauses", i), c, set(known))
        mdoc = ctx.workspace.manifest_doc
        m = ctx.workspace.manifest
        if mdoc is None or m is None:
            return
        for i, a in enumerate(m.scope.applicability):
            if normalise_clause(a.clause) not in known:
                yield self.bad(mdoc, pointer("scope", "applicability", i, "clause"), a.clause, set(known))


class UnknownStep(_RefRule):
    """A step's `next` or a decision branch names a step that does not exist.

    What it checks:
    Every `next` and `branches[].next` names a step id of the same process.

    Why:
    The sequence of the process must be determined (4.4.1 b).

    Example:
    ```yaml
    - id: B2
      next: [B9]
    ```

    Fix:
    Point at an existing step.
    """

    code = "QMS110"
    name = "unknown-step"
    clauses = ("4.4.1",)
    message = N_("unknown step `{value}`")
    default_hint = N_("point at a step id of this process")

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        for doc, proc in ctx.workspace.processes():
            ids = {s.id for s in proc.steps}
            for i, step in enumerate(proc.steps):
                for j, nxt in enumerate(step.next):
                    if nxt not in ids:
                        yield self.bad(doc, pointer("steps", i, "next", j), nxt, ids)
                if step.decision:
                    for j, br in enumerate(step.decision.branches):
                        if br.next not in ids:
                            yield self.bad(doc, pointer("steps", i, "decision", "branches", j, "next"),
                                           br.next, ids)


class UnknownAgency(_RefRule):
    """A hand-over step names an agency that the procedure does not list.

    What it checks:
    `handover_to` / `handover_from` name an agency under `administrative.agencies`.

    Why:
    Interconnected procedures must name every participating agency (4.4.1 b, 8.4).

    Example:
    ```yaml
    handover_to: thue   # not in administrative.agencies
    ```

    Fix:
    Add the agency or correct the id.
    """

    code = "QMS111"
    name = "unknown-agency"
    clauses = ("8.4",)
    message = N_("unknown agency `{value}`")
    default_hint = N_("add the agency to `administrative.agencies` or correct the id")

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        for doc, proc in ctx.workspace.processes():
            agencies = {a.id for a in proc.administrative.agencies} if proc.administrative else set()
            for i, step in enumerate(proc.steps):
                for field_name in ("handover_to", "handover_from"):
                    value = getattr(step, field_name)
                    if value and value not in agencies:
                        yield self.bad(doc, pointer("steps", i, field_name), value, agencies)


class DocumentCodeScheme(Rule):
    """A document code does not follow the organisation's code scheme.

    What it checks:
    Process ids and their document codes match `document_codes.process_pattern`, and form codes match
    `document_codes.form_pattern` (regular expressions in qms.yaml; the defaults are the Vietnamese
    `QT-…` for procedures and `BM-…` for forms). An invalid pattern is reported on qms.yaml.

    Why:
    Documented information must be identified consistently (7.5.2 a); a code outside the scheme is
    hard to find in the document list and on the one-stop desk.

    Example:
    ```yaml
    id: QTHT01      # the scheme is QT-...
    ```

    Fix:
    Rename the code to follow the scheme (`QT-HT-01`), or change the scheme in qms.yaml
    (`document_codes: {process_pattern: "^PR-[0-9]+$"}`).
    """

    code = "QMS112"
    name = "document-code-scheme"
    severity = Severity.WARNING
    clauses = ("7.5.2",)

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        mdoc = ctx.workspace.manifest_doc
        m = ctx.workspace.manifest
        if mdoc is None or m is None:
            return
        patterns: dict[str, Matcher] = {}
        defaults = frozenset(str(f.default) for f in type(m.document_codes).model_fields.values())
        for field_name in ("process_pattern", "form_pattern"):
            text = getattr(m.document_codes, field_name)
            try:  # linear time: a repository's pattern is untrusted (no catastrophic backtracking)
                patterns[field_name] = compile_untrusted(text, defaults)
            except UnsafePattern as exc:
                yield self.at(mdoc, pointer("document_codes", field_name),
                              _("`{field}` is not a valid regular expression: {reason}").format(
                                  field=field_name, reason=exc),
                              hint=_("write a regular expression without back-references or look-around "
                                     "(qms runs repository patterns in linear time), e.g. ^QT-[A-Z0-9-]+$"))
        proc_re = patterns.get("process_pattern")
        form_re = patterns.get("form_pattern")
        for doc, proc in ctx.workspace.processes():
            if proc_re is not None:
                for ptr, value in (("/id", proc.id), ("/document/code", proc.document.code)):
                    if not proc_re.search(value):
                        yield self.at(doc, ptr, _("`{code}` does not follow the procedure code scheme {scheme}").format(
                            code=value, scheme=proc_re.pattern),
                            hint=_("rename it, or set `document_codes.process_pattern` in qms.yaml"), subject=value)
            if form_re is not None:
                for i, form in enumerate(proc.forms):
                    if not form_re.search(form.code):
                        yield self.at(doc, pointer("forms", i, "code"),
                                      _("`{code}` does not follow the form code scheme {scheme}").format(
                                          code=form.code, scheme=form_re.pattern),
                                      hint=_("rename it, or set `document_codes.form_pattern` in qms.yaml"),
                                      subject=form.code)
        if form_re is not None:
            for i, form in enumerate(m.forms):
                if not form_re.search(form.code):
                    yield self.at(mdoc, pointer("forms", i, "code"),
                                  _("`{code}` does not follow the form code scheme {scheme}").format(
                                      code=form.code, scheme=form_re.pattern),
                                  hint=_("rename it, or set `document_codes.form_pattern` in qms.yaml"),
                                  subject=form.code)


class UnknownPerson(Rule):
    """An open record or an unapproved document names somebody the organisation does not know.

    What it checks:
    The preparer and reviewer of a document in `draft` or `in_review`, the owners of the unfinished
    actions of an open nonconformity, and the recipients of the report of an audit that is not closed
    name a person of `organisation.people` (by id or by name) or, for owners and recipients, a role
    or unit id. Approved documents and closed records are evidence of who did what at the time: they
    are not checked, so people who have since left stay in them.

    Why:
    Responsibilities and authorities are assigned to people and roles (5.3); an action whose owner
    nobody can identify is not planned (10.2.1 c), and a sign-off by an unknown person is no evidence
    of review (7.5.2 c).

    Example:
    ```yaml
    actions:
      - {id: CA-1, description: Train the desk, owner: Ông Không Tồn Tại, due: 2027-03-01}
    ```

    Fix:
    Name a person from `organisation.people` (or a role or unit id for an owner or recipient), or
    add the person to qms.yaml.
    """

    code = "QMS113"
    name = "unknown-person"
    clauses = ("5.3", "7.5.2")

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        from qms.analysis.documents import controlled_documents

        ws = ctx.workspace
        if ws.manifest is None:
            return
        directory = ctx.directory()

        def unknown_person(doc: LoadedDoc[Any], ptr: str, name: str) -> Iterator[Diagnostic]:
            if directory.person(name) is None:
                yield self.at(doc, ptr, _("`{name}` is not in organisation.people").format(name=name),
                              hint=_("name a person from qms.yaml, or add them to organisation.people "
                                     "(closest: {known})").format(known=", ".join(directory.suggestions(name))),
                              subject=name)

        def unknown_party(doc: LoadedDoc[Any], ptr: str, name: str) -> Iterator[Diagnostic]:
            if directory.party(name) is None:
                yield self.at(doc, ptr, _("`{name}` is neither a person nor a role or unit of qms.yaml").format(
                                  name=name),
                              hint=_("name a person, role or unit from qms.yaml (closest: {known})").format(
                                  known=", ".join(directory.suggestions(name, ("person", "role", "unit")))),
                              subject=name)

        for doc, base, control, _raw in controlled_documents(ws):
            if control.state not in ("draft", "in_review"):
                continue
            for key in ("prepared_by", "reviewed_by"):
                signatory = getattr(control, key)
                if signatory is not None and signatory.name:
                    yield from unknown_person(doc, f"{base}/{key}/name", signatory.name)
        for doc, nc in ws.models("nonconformity"):
            if nc.status in ("closed", "rejected"):
                continue
            for i, action in enumerate(nc.actions):
                if action.done is None:
                    yield from unknown_party(doc, pointer("actions", i, "owner"), action.owner)
        for doc, audit in ws.models("audit"):
            if audit.state == "closed" or audit.report is None:
                continue
            for i, who in enumerate(audit.report.distribution):
                yield from unknown_party(doc, pointer("report", "distribution", i), who)


RULES: tuple[type[Rule], ...] = (
    DuplicateId, IdFileName, UnknownRole, UnknownUnit, UnknownProcess, UnknownForm, UnknownRecord,
    UnknownObjective, UnknownClause, UnknownStep, UnknownAgency, DocumentCodeScheme, UnknownPerson,
)
