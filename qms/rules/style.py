"""House style (profile ``strict``): conventions of Vietnamese ISO procedure documents that the standard
itself does not require. ``qms check --profile strict`` runs them; the ``iso`` profile does not."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from qms.diagnostics import Diagnostic, Severity
from qms.i18n import _
from qms.models.common import Text
from qms.rules.base import CheckContext, Rule, pointer
from qms.store.workspace import LoadedDoc


class StepIdSequence(Rule):
    """Step ids do not follow B1, B2, … Bn in the order written.

    What it checks:
    The steps of a process are numbered `B1`, `B2`, … in the order they are written (Bước 1, Bước 2 …).
    Only the first step out of sequence is reported.

    Why:
    House style: the step table ("Trình tự thực hiện") of Vietnamese procedure documents numbers its
    steps this way; readers and auditors refer to "Bước 3". Not an ISO requirement.

    Example:
    ```yaml
    steps:
      - id: B1
      - id: B3      # expected B2
    ```

    Fix:
    Renumber the steps (and the `next` / branch references to them).
    """

    code = "QMS250"
    name = "step-id-sequence"
    severity = Severity.WARNING
    profile = "strict"
    family = "style"

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        for doc, proc in ctx.workspace.processes():
            for i, step in enumerate(proc.steps):
                expected = f"B{i + 1}"
                if step.id != expected:
                    yield self.at(doc, pointer("steps", i, "id"),
                                  _("step id `{step}` is out of sequence; expected `{expected}`").format(
                                      step=step.id, expected=expected),
                                  hint=_("number steps B1, B2, … in the order written"), subject=step.id)
                    break


class DecisionWithoutDescription(Rule):
    """A decision step does not describe its criteria.

    What it checks:
    Every step with `kind: decision` has a `description` that says what is checked and against what
    (the legal conditions, the dossier list ...).

    Why:
    House style: the question alone ("Hồ sơ hợp lệ?") does not tell a new officer how to decide;
    writing the criteria down supports consistent decisions (4.4.1 c, 7.1.6).

    Example:
    ```yaml
      - id: B2
        kind: decision
        decision: {question: {vi: "Hợp lệ?", en: "Valid?"}, branches: [...]}
    ```

    Fix:
    Add `description: {vi: "Đối chiếu thành phần hồ sơ theo mục 5.2 ...", en: "..."}`.
    """

    code = "QMS251"
    name = "decision-without-description"
    severity = Severity.WARNING
    clauses = ("4.4.1",)
    profile = "strict"
    family = "style"

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        for doc, proc in ctx.workspace.processes():
            for i, step in enumerate(proc.steps):
                if step.kind == "decision" and step.description is None:
                    yield self.at(doc, pointer("steps", i, "id"),
                                  _("decision `{step}` does not describe its criteria").format(step=step.id),
                                  hint=_("add `description:` with what is checked and against what"),
                                  subject=step.id)


class NoLegalBasis(Rule):
    """An administrative procedure cites no legal basis.

    What it checks:
    A process with an `administrative` block has at least one reference with `legal_basis: true`
    (section 5.x "Căn cứ pháp lý" of the procedure document).

    Why:
    House style: the legal basis ties every time limit, fee and dossier item of the procedure to the
    law it comes from; the statutory requirements of the service must be determined (8.2.2 a).

    Example:
    ```yaml
    references:
      - {id: BM-01}     # no legal_basis: true
    administrative: {time_limit: 1d}
    ```

    Fix:
    Add `references: [{id: Luật Hộ tịch 2014, legal_basis: true}, ...]`.
    """

    code = "QMS252"
    name = "procedure-without-legal-basis"
    severity = Severity.WARNING
    clauses = ("8.2.2",)
    profile = "strict"
    family = "style"

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        for doc, proc in ctx.workspace.processes():
            if proc.administrative is not None and not any(r.legal_basis for r in proc.references):
                ptr = "/references" if isinstance(doc.raw, dict) and "references" in doc.raw else "/administrative"
                yield self.at(doc, ptr,
                              _("administrative procedure `{process}` cites no legal basis").format(process=proc.id),
                              hint=_("add a reference with `legal_basis: true`"), subject=proc.id, key=True)


def _untranslated(text: Text | None) -> str:
    """'' if ``text`` is properly bilingual, else what is wrong with it."""
    if text is None:
        return ""
    vi, en = text.vi.strip(), text.en.strip()
    if not vi:
        return _("lacks its Vietnamese text")
    if not en:
        return _("lacks its English translation")
    if vi == en:
        return _("has identical Vietnamese and English text")
    return ""


class MissingTranslation(Rule):
    """Running text lacks its Vietnamese or English version.

    What it checks:
    Purposes, scopes, step names and decision questions of processes, and the scope statement, policy and
    objective statements of qms.yaml, give both `vi` and `en`, and the two differ. A plain string fills
    both languages with the same text: that is fine for names and codes, and is flagged here only for
    these sentences.

    Why:
    House style: the system is published in Vietnamese and English; a plain string here means one
    audience reads the other language.

    Example:
    ```yaml
    purpose: Quy định trình tự đăng ký khai sinh.
    ```

    Fix:
    `purpose: {vi: Quy định trình tự đăng ký khai sinh., en: Sets out how births are registered.}`
    """

    code = "QMS253"
    name = "missing-translation"
    severity = Severity.WARNING
    profile = "strict"
    family = "style"

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        for doc, proc in ctx.workspace.processes():
            fields: list[tuple[str, Text | None]] = [("/purpose", proc.purpose), ("/scope", proc.scope)]
            for i, step in enumerate(proc.steps):
                fields.append((pointer("steps", i, "name"), step.name))
                if step.decision is not None:
                    fields.append((pointer("steps", i, "decision", "question"), step.decision.question))
            yield from self._report(doc, fields)
        mdoc = ctx.workspace.manifest_doc
        m = ctx.workspace.manifest
        if mdoc is None or m is None:
            return
        mfields: list[tuple[str, Text | None]] = [("/scope/statement", m.scope.statement),
                                                  ("/policy/text", m.policy.text)]
        for i, o in enumerate(m.objectives):
            mfields.append((pointer("objectives", i, "statement"), o.statement))
        yield from self._report(mdoc, mfields)

    def _report(self, doc: LoadedDoc[Any], fields: list[tuple[str, Text | None]]) -> Iterator[Diagnostic]:
        for ptr, text in fields:
            problem = _untranslated(text)
            if problem:
                yield self.at(doc, ptr, _("`{field}` {problem}").format(field=ptr.lstrip("/"), problem=problem),
                              hint=_("write `{vi: ..., en: ...}`"), subject=ptr)


class RoleWithoutResponsibilities(Rule):
    """A role that owns processes or objectives does not list its responsibilities.

    What it checks:
    Every role that owns a process (`owner`) or an objective plan (`plan.responsible`) has at least one
    entry under `responsibilities`.

    Why:
    Top management shall assign, communicate and make understood the responsibilities and authorities
    of relevant roles (5.3); the role description is where they are written down. The requirement is
    ISO; listing them in qms.yaml rather than a job description is house style.

    Example:
    ```yaml
    roles:
      - id: truong_phong_tu_phap
        title: {vi: Trưởng phòng Tư pháp, en: Head of the Justice Division}
        # owns QT-HT-01, no responsibilities
    ```

    Fix:
    Add `responsibilities: [{vi: Chủ trì các quy trình hộ tịch, en: Owns the civil-status procedures}]`.
    """

    code = "QMS350"
    name = "role-without-responsibilities"
    severity = Severity.WARNING
    clauses = ("5.3",)
    profile = "strict"
    family = "style"

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        mdoc = ctx.workspace.manifest_doc
        m = ctx.workspace.manifest
        if mdoc is None or m is None:
            return
        owning: set[str] = {p.owner for _d, p in ctx.workspace.processes()}
        owning.update(o.plan.responsible for o in m.objectives)
        for i, role in enumerate(m.organisation.roles):
            if role.id in owning and not role.responsibilities:
                yield self.at(mdoc, pointer("organisation", "roles", i, "id"),
                              _("role `{role}` owns processes or objectives but lists no responsibilities").format(
                                  role=role.id),
                              hint=_("add `responsibilities:` to the role"), subject=role.id)


class ObjectivePlanOverdue(Rule):
    """The plan of a quality objective is past its due date.

    What it checks:
    `objectives[].plan.due`, when it is a date, is not before today.

    Why:
    The plan must say when it will be completed (6.2.2 d); a past date means the objective needs
    re-planning or closing at the next management review (9.3.2 c).

    Example:
    ```yaml
    plan:
      due: 2025-12-31
    ```

    Fix:
    Evaluate the objective, then set a new due date or replace the objective.
    """

    code = "QMS351"
    name = "objective-plan-overdue"
    severity = Severity.WARNING
    clauses = ("6.2.2",)
    profile = "strict"
    family = "style"

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        mdoc = ctx.workspace.manifest_doc
        m = ctx.workspace.manifest
        if mdoc is None or m is None:
            return
        for i, o in enumerate(m.objectives):
            due = o.plan.due
            if isinstance(due, dt.date) and due < ctx.today:
                yield self.at(mdoc, pointer("objectives", i, "plan", "due"),
                              _("the plan of objective `{objective}` was due on {due}").format(
                                  objective=o.id, due=due.isoformat()),
                              hint=_("evaluate the objective and re-plan it"), subject=o.id)


RULES: tuple[type[Rule], ...] = (
    StepIdSequence, DecisionWithoutDescription, NoLegalBasis, MissingTranslation, RoleWithoutResponsibilities,
    ObjectivePlanOverdue,
)
