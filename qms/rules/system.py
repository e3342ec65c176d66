"""QMS3xx (leadership and planning) and QMS401-409 (documented information): system-level rules."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterator

from qms.analysis.documents import controlled_documents
from qms.analysis.matrix import clause_matrix
from qms.diagnostics import Diagnostic, Severity
from qms.i18n import _, get_language
from qms.models.organisation import Manifest
from qms.rules.base import CheckContext, Rule, pointer
from qms.standards import normalise_clause, parent_clauses
from qms.standards.editions import mandatory_information
from qms.store.workspace import LoadedDoc, Workspace


def _manifest(ctx: CheckContext) -> tuple[LoadedDoc[Manifest], Manifest] | None:
    doc = ctx.workspace.manifest_doc
    m = ctx.workspace.manifest
    if doc is None or m is None:
        return None
    return doc, m


def not_applicable(m: Manifest) -> set[str]:
    return {normalise_clause(a.clause) for a in m.scope.applicability if not a.applicable}


def is_applicable(clause: str, excluded: set[str]) -> bool:
    return not any(p in excluded for p in parent_clauses(clause))


def _related(a: str, b: str) -> bool:
    """``a`` and ``b`` are the same clause or one contains the other."""
    return a == b or a.startswith(b + ".") or b.startswith(a + ".")


# --------------------------------------------------------------------------------------------------
# 3xx: leadership and planning
# --------------------------------------------------------------------------------------------------


class UnjustifiedNonApplicability(Rule):
    """A requirement is declared not applicable without a justification.

    What it checks:
    Every `scope.applicability` entry with `applicable: false` has a `justification`.

    Why:
    The scope must state the justification for any requirement that cannot be applied, and a
    requirement may be declared not applicable only if that does not affect conformity of the services
    (4.3).

    Example:
    ```yaml
    scope:
      applicability:
        - {clause: "8.3", applicable: false}
    ```

    Fix:
    Add `justification: {vi: ..., en: ...}` saying why the requirement cannot apply.
    """

    code = "QMS301"
    name = "unjustified-non-applicability"
    clauses = ("4.3",)
    family = "system"

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        found = _manifest(ctx)
        if found is None:
            return
        doc, m = found
        for i, a in enumerate(m.scope.applicability):
            if not a.applicable and a.justification is None:
                yield self.at(doc, pointer("scope", "applicability", i, "applicable"),
                              _("clause {clause} is declared not applicable without a justification").format(
                                  clause=a.clause),
                              hint=_("add `justification:` explaining why the requirement cannot apply"),
                              subject=a.clause)


class PolicyNotCommunicated(Rule):
    """The quality policy does not say how it is communicated.

    What it checks:
    `policy.communicated_via` lists at least one channel (notice board, website, meeting ...).

    Why:
    The quality policy shall be available as documented information, communicated, understood and
    applied within the organization, and available to relevant interested parties (5.2.2).

    Example:
    ```yaml
    policy:
      text: {vi: ..., en: ...}
    ```

    Fix:
    Add `communicated_via: [{vi: Niêm yết tại Bộ phận Một cửa, en: Posted at the one-stop desk}]`.
    """

    code = "QMS302"
    name = "policy-not-communicated"
    clauses = ("5.2.2",)
    family = "system"

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        found = _manifest(ctx)
        if found is None:
            return
        doc, m = found
        if not m.policy.communicated_via:
            yield self.at(doc, "/policy", _("the quality policy does not say how it is communicated"),
                          hint=_("add `communicated_via:` under `policy`"), subject="policy", key=True)


_NUMBER = re.compile(r"\d")


class ObjectiveNotMeasurable(Rule):
    """A quality objective has no measurable target.

    What it checks:
    Each objective's `target` contains a number (`>= 98%`, `<= 2`, `100%`).

    Why:
    Quality objectives shall be measurable (6.2.1 b); "improve service" cannot be shown to be met.

    Example:
    ```yaml
    objectives:
      - id: MT-02
        target: "better service"
    ```

    Fix:
    State the target as a number: `target: ">= 90%"`.
    """

    code = "QMS303"
    name = "objective-not-measurable"
    clauses = ("6.2.1",)
    family = "system"

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        found = _manifest(ctx)
        if found is None:
            return
        doc, m = found
        for i, o in enumerate(m.objectives):
            if not _NUMBER.search(o.target):
                yield self.at(doc, pointer("objectives", i, "target"),
                              _("objective `{objective}` has no measurable target: `{target}`").format(
                                  objective=o.id, target=o.target),
                              hint=_("state a number, e.g. `>= 95%`"), subject=o.id)


def _records_by_process(ws: Workspace) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for _doc, proc in ws.processes():
        out.setdefault(proc.id, []).extend(r.code for r in proc.records)
    for _doc, reg in ws.models("record-register"):
        for r in reg.records:
            if r.process:
                out.setdefault(r.process, []).append(r.code)
    return out


class MandatoryDocumentedInformation(Rule):
    """Documented information that ISO 9001:2015 requires is missing.

    What it checks:
    The list of mandatory documented information shipped with qms (`mandatory_documented_information.yaml`)
    is satisfied. Documents to maintain: the scope (4.3), the quality policy (5.2.2) and the quality
    objectives (6.2.1) are in qms.yaml. Records to retain (7.1.5.1, 7.2, 8.4.1, 8.5.6, 8.6, 8.7.2, 9.1.1,
    9.2.2, 9.3.3, 10.2.2): some process that addresses the clause keeps at least one record (in its
    `records:` or in `records/register.yaml` with `process:`); for 8.4.1 an `external_providers` entry
    with an `evaluated` date also counts. Requirements marked conditional ("as applicable", "to the
    extent necessary") are not checked; design records (8.3.x) are required only when 8.3 applies, and
    any clause declared not applicable in `scope.applicability` is skipped.

    Why:
    These are the documents and records the standard names explicitly; their absence is a nonconformity
    in any certification audit (7.5.1 a).

    Example:
    No process addresses 9.3 and keeps a record: the results of management reviews (9.3.3) are not
    retained.

    Fix:
    Add the record to the process that addresses the clause (e.g. `records: [{code: HS-XX-01, ...}]`
    in the management-review process).
    """

    code = "QMS304"
    name = "mandatory-documented-information"
    clauses = ("7.5.1",)
    family = "system"

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        found = _manifest(ctx)
        if found is None:
            return
        doc, m = found
        data = mandatory_information("2015")  # from the edition's data (edition_2015.yaml `mandatory:`)
        excluded = not_applicable(m)
        maintained = {"4.3": True, "5.2.2": True, "6.2.1": bool(m.objectives)}
        where = {"4.3": "/scope", "5.2.2": "/policy", "6.2.1": "/objectives"}
        records = _records_by_process(ctx.workspace)
        process_clauses = {p.id: [normalise_clause(c) for c in p.clauses] for _d, p in ctx.workspace.processes()}
        for kind in ("maintain", "retain"):
            for item in data.get(kind, []):
                raw_clause = str(item["clause"])
                clause = normalise_clause(raw_clause)
                cond = item.get("conditional")
                if cond:
                    if not str(cond).startswith("only if"):
                        continue
                    if not is_applicable(clause, excluded):
                        continue
                if not is_applicable(clause, excluded):
                    continue
                if kind == "maintain":
                    if clause not in maintained or maintained[clause]:
                        continue
                    ptr = where[clause]
                else:
                    holders = [pid for pid, cls in process_clauses.items()
                               if any(_related(c, clause) for c in cls) and records.get(pid)]
                    if holders:
                        continue
                    if clause == "8.4.1" and any(p.evaluated for p in m.external_providers):
                        continue
                    ptr = "/scope"
                item_text = str(item.get("item_vi") or item["item"]) if get_language() == "vi" else str(item["item"])
                verb = _("maintained") if kind == "maintain" else _("retained")
                yield self.at(doc, ptr,
                              _("mandatory documented information is not {verb}: {item} ({clause})").format(
                                  verb=verb, item=item_text, clause=raw_clause),
                              hint=(_("add it to qms.yaml") if kind == "maintain" else
                                    _("keep a record in a process that addresses clause {clause}").format(
                                        clause=clause)),
                              subject=clause, key=True, clauses=(clause,))


class ClauseNotAddressed(Rule):
    """An applicable ISO 9001:2015 clause is addressed by no process or document.

    What it checks:
    Every clause of ISO 9001:2015 that is applicable (not excluded in `scope.applicability`) is listed
    in the `clauses` of at least one process, or is addressed by a section of qms.yaml (context,
    interested parties, scope, policy, objectives, roles, external providers) — the same computation as
    `qms matrix`. Listing a clause covers its sub-clauses and its parents. One finding is reported per
    uncovered clause, at the highest uncovered level (if all of 7.1.5 is uncovered, 7.1.5 is reported,
    not 7.1.5.1 and 7.1.5.2).

    Why:
    The QMS must establish the processes needed for all applicable requirements (4.4.1); an unaddressed
    clause is a requirement nobody implements, and the scope may not exclude it silently (4.3).

    Example:
    No process lists 9.2 (internal audit).

    Fix:
    Add the clause to the `clauses` of the process that implements it, or — if it truly cannot be
    applied — declare it in `scope.applicability` with a justification.
    """

    code = "QMS305"
    name = "clause-not-addressed"
    clauses = ("4.3", "4.4.1")
    family = "system"

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        found = _manifest(ctx)
        if found is None:
            return
        doc, _m = found
        lang = get_language()
        matrix = clause_matrix(ctx.workspace, lang)
        gaps = {r.clause.id for r in matrix.gaps()}
        for row in matrix.gaps():
            cid = row.clause.id
            if any(p in gaps for p in parent_clauses(cid)[:-1]):
                continue
            yield self.at(doc, "/scope",
                          _("clause {clause} ({title}) is addressed by no process or document").format(
                              clause=cid, title=row.clause.label(lang)),
                          hint=_("list it in the `clauses` of the process that implements it, or declare it "
                                 "not applicable with a justification"),
                          subject=cid, key=True, clauses=(cid,))


class ObjectiveWithoutKpi(Rule):
    """A quality objective is not measured by any KPI.

    What it checks:
    Each objective lists KPIs under `kpis`, or some process KPI names it in `objective:`.

    Why:
    Objectives shall be monitored (6.2.1 e) and the plan must say how results are evaluated (6.2.2 e);
    without a KPI nobody measures progress (9.1.1).

    Example:
    ```yaml
    objectives:
      - id: MT-02
        target: ">= 90%"
        # no kpis, and no KPI says objective: MT-02
    ```

    Fix:
    Add a KPI to the process that delivers the objective with `objective: MT-02`.
    """

    code = "QMS306"
    name = "objective-without-kpi"
    clauses = ("6.2.1", "9.1.1")
    family = "system"

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        found = _manifest(ctx)
        if found is None:
            return
        doc, m = found
        measured = {k.objective for _d, p in ctx.workspace.processes() for k in p.kpis if k.objective}
        for i, o in enumerate(m.objectives):
            if not o.kpis and o.id not in measured:
                yield self.at(doc, pointer("objectives", i, "id"),
                              _("objective `{objective}` is not measured by any KPI").format(objective=o.id),
                              hint=_("add a KPI with `objective: {objective}` to a process").format(
                                  objective=o.id),
                              subject=o.id)


class RiskWithoutTreatment(Rule):
    """A risk or opportunity has no planned action.

    What it checks:
    Every entry under a process's `risks` has a `treatment`.

    Why:
    The organization shall plan actions to address risks and opportunities (6.1.2 a); a risk register
    without actions is only a list of worries.

    Example:
    ```yaml
    risks:
      - id: R-KS-01
        description: {vi: ..., en: ...}
        likelihood: 3
        impact: 4
    ```

    Fix:
    Add `treatment: {vi: ..., en: ...}`.
    """

    code = "QMS307"
    name = "risk-without-treatment"
    clauses = ("6.1.2",)
    family = "system"

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        for doc, proc in ctx.workspace.processes():
            for i, r in enumerate(proc.risks):
                if r.treatment is None:
                    yield self.at(doc, pointer("risks", i, "id"),
                                  _("{kind} `{risk}` has no treatment").format(
                                      kind=_("opportunity") if r.kind == "opportunity" else _("risk"), risk=r.id),
                                  hint=_("add `treatment:` with the planned action"), subject=r.id)


class RiskWithoutOwner(Rule):
    """A risk or opportunity has no owner.

    What it checks:
    Every entry under a process's `risks` has an `owner` (a role or unit id).

    Why:
    Actions to address risks must be assigned to someone who integrates and implements them in the
    processes (6.1.2 b, 5.3).

    Example:
    ```yaml
    risks:
      - id: R-KS-01
        treatment: {vi: ..., en: ...}
    ```

    Fix:
    Add `owner: truong_phong_tu_phap`.
    """

    code = "QMS308"
    name = "risk-without-owner"
    clauses = ("6.1.2",)
    family = "system"

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        for doc, proc in ctx.workspace.processes():
            for i, r in enumerate(proc.risks):
                if not r.owner:
                    yield self.at(doc, pointer("risks", i, "id"),
                                  _("{kind} `{risk}` has no owner").format(
                                      kind=_("opportunity") if r.kind == "opportunity" else _("risk"), risk=r.id),
                                  hint=_("add `owner:` with a role id"), subject=r.id)


# --------------------------------------------------------------------------------------------------
# 40x: documented information
# --------------------------------------------------------------------------------------------------


class DocumentControlIncomplete(Rule):
    """A controlled document lacks its code, issue number, effective date or approver.

    What it checks:
    The control block of every controlled document — a process's `document`, qms.yaml `manual` and
    `policy.document` — gives `code`, `revision` (Lần ban hành), `effective_date` (Ngày hiệu lực) and
    `approved_by` (Phê duyệt). Drafts and documents in review (`draft`, `in_review`) are not issued yet
    and are skipped.

    Why:
    Documented information must be identified (title, date, reference number) and reviewed and approved
    for suitability before issue (7.5.2 a, c).

    Example:
    ```yaml
    document:
      code: QT-HT-01
      revision: 1
      # no effective_date, no approved_by
    ```

    Fix:
    Add the missing fields, e.g. `effective_date: 2026-01-05` and
    `approved_by: {name: Nguyễn Văn An, title: {vi: Chủ tịch UBND, en: Chairperson}}`.
    """

    code = "QMS401"
    name = "document-control-incomplete"
    clauses = ("7.5.2",)
    family = "system"

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        for doc, ptr, dc, raw in controlled_documents(ctx.workspace):
            if dc.state in ("draft", "in_review"):
                continue  # not issued yet: approval completes the block (QMS410 covers documents in force)
            missing: list[str] = []
            if not dc.code.strip():
                missing.append("code")
            if not (isinstance(raw, dict) and "revision" in raw):
                missing.append("revision")
            if dc.effective_date is None:
                missing.append("effective_date")
            if dc.approved_by is None:
                missing.append("approved_by")
            if missing:
                yield self.at(doc, ptr,
                              _("controlled document `{code}` lacks {fields}").format(
                                  code=dc.code or ptr, fields=", ".join(f"`{f}`" for f in missing)),
                              hint=_("add the missing fields to the control block"), subject=dc.code, key=True)


def add_months(day: dt.date, months: int) -> dt.date:
    total = day.month - 1 + months
    year, month = day.year + total // 12, total % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class DocumentReviewOverdue(Rule):
    """A controlled document's periodic review is overdue.

    What it checks:
    For every controlled document that is in force (not `draft` or `obsolete`), the last review —
    `last_review`, or else `effective_date` — plus the review interval — the document's
    `review_interval_months`, or else qms.yaml `check.review_interval_months` (default 12) — is not
    before today.

    Why:
    Documented information must be reviewed and updated as necessary to stay suitable (7.5.2 c, 7.5.3);
    laws behind administrative procedures change every year.

    Example:
    ```yaml
    document:
      effective_date: 2024-01-05
      review_interval_months: 12   # due 2025-01-05
    ```

    Fix:
    Review the document; record the date in `last_review:` (and issue a new revision if it changed).
    """

    code = "QMS402"
    name = "document-review-overdue"
    severity = Severity.WARNING
    clauses = ("7.5.2",)
    family = "system"

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        m = ctx.workspace.manifest
        default = m.check.review_interval_months if m is not None else 12
        for doc, ptr, dc, _raw in controlled_documents(ctx.workspace):
            if dc.state in ("draft", "obsolete"):
                continue
            last = dc.last_review or dc.effective_date
            if last is None:
                continue  # QMS401
            interval = dc.review_interval_months or default
            due = add_months(last, interval)
            if due < ctx.today:
                field_name = "last_review" if dc.last_review else "effective_date"
                yield self.at(doc, f"{ptr}/{field_name}",
                              _("review of `{code}` was due on {due} ({interval} months after {last})").format(
                                  code=dc.code, due=due.isoformat(), interval=interval, last=last.isoformat()),
                              hint=_("review the document and record `last_review:`"), subject=dc.code)


RULES: tuple[type[Rule], ...] = (
    UnjustifiedNonApplicability, PolicyNotCommunicated, ObjectiveNotMeasurable,
    MandatoryDocumentedInformation, ClauseNotAddressed, ObjectiveWithoutKpi, RiskWithoutTreatment,
    RiskWithoutOwner, DocumentControlIncomplete, DocumentReviewOverdue,
)
