"""QMS15x–16x: the legal-reference register, citations of superseded law, and the declared legal regime."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from typing import Any

from qms.calendar import WorkingCalendar, calendar_from_settings
from qms.diagnostics import Applicability, Diagnostic, Severity
from qms.i18n import _, pgettext
from qms.legal import regimes as regime_data
from qms.legal.impact import Affected, assess, citations, cites_repealed_part
from qms.legal.register import Index, evidence_label
from qms.models.legal import VERIFIED_EVIDENCE, LegalRegister
from qms.rules.base import CheckContext, Rule, closest, pointer
from qms.store.workspace import LoadedDoc


class _LegalRule(Rule):
    family = "legal"

    @staticmethod
    def register(ctx: CheckContext) -> tuple[LoadedDoc[Any], LegalRegister, Index] | None:
        """The register document, its model and its index (None when the repository has no valid register)."""
        cached = ctx.cache.get("legal-register")
        if cached is None:
            docs = ctx.workspace.models("legal-register")
            cached = (docs[0][0], docs[0][1], Index.build(docs[0][1])) if docs else ()
            ctx.cache["legal-register"] = cached
        return cached or None

    @staticmethod
    def has_register_file(ctx: CheckContext) -> bool:
        return bool(ctx.workspace.of_kind("legal-register"))

    @staticmethod
    def calendar(ctx: CheckContext) -> WorkingCalendar | None:
        cal = ctx.cache.get("legal-calendar")
        if cal is None:
            m = ctx.workspace.manifest
            try:
                cal = calendar_from_settings(m.calendar if m is not None else None)
            except ValueError:
                cal = False  # QMS9xx/loading report a broken calendar; count in calendar days here
            ctx.cache["legal-calendar"] = cal
        return cal if isinstance(cal, WorkingCalendar) else None

    @staticmethod
    def months(ctx: CheckContext) -> int:
        m = ctx.workspace.manifest
        return m.legal.update_period_months if m is not None else 3

    def assessed(self, ctx: CheckContext) -> list[Affected]:
        found = ctx.cache.get("legal-assessed")
        if found is None:
            reg = self.register(ctx)
            found = []
            if reg is not None:
                index = reg[2]
                cal, months = self.calendar(ctx), self.months(ctx)
                found = [assess(index, c, months, cal, ctx.today) for c in citations(ctx.workspace, index)]
            ctx.cache["legal-assessed"] = found
        return list(found)


_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")


def _same_years(citation: str, names: list[str]) -> list[str]:
    """The register's names that carry the same years as ``citation`` (or none): a number of another year is
    another document, never a slip of the pen worth suggesting (16/2018 for 61/2018 is; 30/2020 for
    63/2024 is not)."""
    years = set(_YEAR.findall(citation))
    return [n for n in names if set(_YEAR.findall(n)) in (years, set())] if years else names


def _evidence_note(evidence: str) -> str:
    return "" if evidence in VERIFIED_EVIDENCE else " " + _("(the register marks this fact “{evidence}”)").format(
        evidence=evidence_label(evidence))


class UnknownLegalReference(_LegalRule):
    """A procedure cites a document that the legal-reference register does not list.

    What it checks:
    When the repository has a register (`legal/register.yaml`), every `references[].id` of every process
    names a document of the register, by its number and symbol, an alias, or (for laws) its title and year.
    "NĐ 61/2018/NĐ-CP", "Nghị định 61/2018/NĐ-CP" and "Nghị định số 61/2018/NĐ-CP" are the same document,
    in any Unicode normal form. Repositories without a register are not checked.

    Why:
    An agency must keep its procedures in line with the law in force (QĐ 19/2014/QĐ-TTg Art. 4(4)(a);
    ISO 9001:2015 4.2, 7.5.3, 8.2.2). Only a document in the register has a known status, so only its
    changes can be followed.

    Example:
    ```yaml
    references:
      - {id: "NĐ 16/2018/NĐ-CP", legal_basis: true}   # the register has 61/2018/NĐ-CP
    ```

    Fix:
    Correct the citation, or add the document to `legal/register.yaml` with its status and evidence.
    """

    code = "QMS150"
    name = "unknown-legal-reference"
    severity = Severity.WARNING
    clauses = ("4.2", "7.5.3")

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        reg = self.register(ctx)
        if reg is None:
            return
        index = reg[2]
        names = index.names()
        for doc, proc in ctx.workspace.processes():
            for i, ref in enumerate(proc.references):
                if index.resolve(ref.id) is not None:
                    continue
                ptr = pointer("references", i, "id")
                hint, fix = self.suggest(doc, ptr, ref.id, _same_years(ref.id, names))
                yield self.at(doc, ptr,
                              _("`{ref}` is not in the legal-reference register").format(ref=ref.id),
                              hint=hint or _("add it to legal/register.yaml, or correct the citation"),
                              subject=proc.id, fix=fix)


class CitesSupersededDocument(_LegalRule):
    """A procedure still cites a legal document that has been replaced or has expired.

    What it checks:
    For each citation of a process (`references[].id`, `forms[].legal_basis`) that the register resolves,
    whether the document has been replaced (`superseded_by`) or has expired by the day of the check. The
    procedure must be updated within `legal.update_period_months` (default 3) of the day the replacing
    document took effect, counted as the Civil Code 2015 counts periods (Arts. 147–148: the first day is
    not counted, a period in months ends on the corresponding day, a last day that is a day off moves to
    the next working day). A warning while that period runs, an error after it. A replacement announced
    for a later day is not reported yet (`qms refs impact` shows it).

    Why:
    QĐ 19/2014/QĐ-TTg Art. 4(4)(a): the quality system is updated no later than three months after a new
    legal document takes effect; ISO 9001:2015 4.2, 7.5.3 and 8.2.2 (statutory requirements).

    Example:
    ```yaml
    references:
      - {id: "NĐ 61/2018/NĐ-CP", legal_basis: true}   # replaced by 118/2025/NĐ-CP from 01/07/2025
    ```
    checked on 2025-12-06: "cites 61/2018/NĐ-CP, replaced by 118/2025/NĐ-CP from 2025-07-01; the
    procedure had to be updated by 2025-10-01".

    Fix:
    Cite the document in force and revise the procedure; `qms refs impact REF` lists every procedure
    concerned with its due date.
    """

    code = "QMS151"
    name = "cites-superseded-document"
    severity = Severity.WARNING
    clauses = ("4.2", "7.5.3", "8.2.2")

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        for a in self.assessed(ctx):
            change = a.change
            if change is None or change.kind == "amended":
                continue
            if change.when is not None and change.when > ctx.today:
                continue
            cited = a.citing.entry.doc.number
            if change.kind == "expired":
                message = _("cites {doc}, which is no longer in force").format(doc=cited)
            elif change.when is None:
                message = _("cites {doc}, replaced by {new} (the day it took effect is not in the register)").format(
                    doc=cited, new=change.by)
            else:
                message = _("cites {doc}, replaced by {new} from {day}").format(
                    doc=cited, new=change.by, day=change.when.isoformat())
            if a.due is not None:
                message += "; " + (_("the procedure had to be updated by {due}") if a.overdue
                                   else _("update the procedure by {due}")).format(due=a.due.isoformat())
            message += _evidence_note(change.evidence)
            d = self.at(a.citing.doc, a.citing.pointer, message, subject=a.citing.process,
                        hint=_("cite the document in force and revise the procedure; "
                               "`qms refs impact` lists every procedure concerned"))
            yield dataclasses.replace(d, severity=Severity.ERROR) if a.overdue else d


class NotUpdatedAfterAmendment(_LegalRule):
    """A procedure has not been revised since an amendment of a document it cites took effect.

    What it checks:
    For each citation that the register resolves, the amendments of the document — and the amendments of
    those amendments, along the chain (e.g. 118/2025/NĐ-CP amended by 367/2025/NĐ-CP, whose khoản 9
    Điều 1 was repealed by 224/2026/NĐ-CP from 01/07/2026) — that took effect after the procedure's
    `document.effective_date`. A warning while the update period runs (`legal.update_period_months`,
    counted as for QMS151), an error after it.

    Why:
    An amendment that takes effect starts the three-month clock of QĐ 19/2014/QĐ-TTg Art. 4(4)(a) as a
    replacement does.

    Example:
    A procedure effective 2026-01-05 cites 367/2025/NĐ-CP; 224/2026/NĐ-CP repeals part of it from
    2026-07-01; checked on 2026-12-06 the update was due on 2026-10-01.

    Fix:
    Review the procedure against the amended text, revise it (new `effective_date`), and record the review.
    """

    code = "QMS152"
    name = "not-updated-after-amendment"
    severity = Severity.WARNING
    clauses = ("4.2", "7.5.3", "8.2.2")

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        for a in self.assessed(ctx):
            change = a.change
            if change is None or change.kind != "amended" or change.when is None or change.when > ctx.today:
                continue
            part = f" ({change.part})" if change.part else ""
            if cites_repealed_part(a.citing, change):
                message = _("cites {part} of {doc}, repealed by {new} from {day}").format(
                    part=change.part, doc=change.document.doc.number, new=change.by, day=change.when.isoformat())
            else:
                message = _("{new}{part} changed {doc} from {day}, after this procedure took effect").format(
                    new=change.by, part=part, doc=change.document.doc.number, day=change.when.isoformat())
            if a.due is not None:
                message += "; " + (_("the procedure had to be updated by {due}") if a.overdue
                                   else _("update the procedure by {due}")).format(due=a.due.isoformat())
            message += _evidence_note(change.evidence)
            d = self.at(a.citing.doc, a.citing.pointer, message, subject=a.citing.process,
                        hint=_("review the procedure against the amended text and revise it"))
            yield dataclasses.replace(d, severity=Severity.ERROR) if a.overdue else d


class RegisterDuplicate(_LegalRule):
    """Two entries of the legal-reference register are the same document.

    What it checks:
    No two entries of `legal/register.yaml` share a number and symbol, an alias or (laws) a title and
    year, compared in canonical form.

    Why:
    A citation must resolve to one entry, whose status and changes are the document's (7.5.3).

    Example:
    ```yaml
    documents:
      - {number: 61/2018/NĐ-CP, ...}
      - {number: "Nghị định số 61/2018/NĐ-CP", ...}
    ```

    Fix:
    Merge the two entries.
    """

    code = "QMS153"
    name = "legal-register-duplicate"
    clauses = ("7.5.3",)

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        reg = self.register(ctx)
        if reg is None:
            return
        doc, _model, index = reg
        reported: set[int] = set()
        for first, later, _key in index.clashes:
            if later.index in reported:
                continue
            reported.add(later.index)
            yield self.at(doc, pointer("documents", later.index, "number"),
                          _("{number} is the same document as entry {first} ({other})").format(
                              number=later.doc.number, first=first.index + 1, other=first.doc.number),
                          hint=_("merge the two entries"), subject=later.doc.number)


class RegisterUnknownLink(_LegalRule):
    """A register entry is replaced or amended by a document that the register does not list.

    What it checks:
    Every `superseded_by[].document` and `amended_by[].document` of `legal/register.yaml` names another
    entry of the register.

    Why:
    The chain of changes (61/2018 → 118/2025 ← 367/2025 ← 224/2026) is followed through the register;
    a missing link hides the date a change takes effect and the procedures it concerns.

    Example:
    ```yaml
    - number: 61/2018/NĐ-CP
      superseded_by: [{document: 118/2025/NĐ-CP, from: 2025-07-01}]   # no entry 118/2025/NĐ-CP
    ```

    Fix:
    Add the other document to the register, with its evidence tag.
    """

    code = "QMS154"
    name = "legal-register-unknown-link"
    clauses = ("7.5.3",)

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        reg = self.register(ctx)
        if reg is None:
            return
        doc, model, index = reg
        names = index.names()
        for i, entry in enumerate(model.documents):
            for field in ("superseded_by", "amended_by"):
                for j, link in enumerate(getattr(entry, field)):
                    if index.resolve(link.document) is not None:
                        continue
                    ptr = pointer("documents", i, field, j, "document")
                    hint, fix = self.suggest(doc, ptr, link.document, names)
                    yield self.at(doc, ptr, _("{number} is not in the register").format(number=link.document),
                                  hint=hint or _("add an entry for it, with its evidence tag"),
                                  subject=entry.number, fix=fix)


class RegisterStatus(_LegalRule):
    """A register entry's status disagrees with its links and dates.

    What it checks:
    An entry with `status: superseded` names what replaces it (`superseded_by`); one with
    `status: amended` names the amendment (`amended_by`); one with `status: expired` gives `expired_on`.
    An entry whose replacement took effect by the day of the check is not `in_force` or `amended`.

    Why:
    The status is what a reader sees first (`qms refs list`); it must say what the links say.

    Example:
    ```yaml
    - {number: 61/2018/NĐ-CP, status: in_force,
       superseded_by: [{document: 118/2025/NĐ-CP, from: 2025-07-01}]}
    ```

    Fix:
    Set the status, or add the missing link or date.
    """

    code = "QMS155"
    name = "legal-register-status"
    severity = Severity.WARNING
    clauses = ("7.5.3",)

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        reg = self.register(ctx)
        if reg is None:
            return
        doc, model, index = reg
        for i, entry in enumerate(model.documents):
            ptr = pointer("documents", i, "status")
            if entry.status == "superseded" and not entry.superseded_by:
                yield self.at(doc, ptr, _("{number} is superseded but `superseded_by` is empty").format(
                    number=entry.number), hint=_("name the replacing document and the day it took effect"),
                    subject=entry.number)
            elif entry.status == "amended" and not entry.amended_by:
                yield self.at(doc, ptr, _("{number} is amended but `amended_by` is empty").format(
                    number=entry.number), hint=_("name the amending document and the day it took effect"),
                    subject=entry.number)
            elif entry.status == "expired" and entry.expired_on is None:
                yield self.at(doc, ptr, _("{number} has expired but `expired_on` is missing").format(
                    number=entry.number), hint=_("add `expired_on:` with its last day in force"),
                    subject=entry.number)
            elif entry.status in ("in_force", "amended"):
                for link in entry.superseded_by:
                    when = index.link_date(link)
                    if when is not None and when <= ctx.today:
                        yield self.at(doc, ptr, _("{number} is marked {status} but was replaced by {new} from "
                                                  "{day}").format(number=entry.number, status=entry.status,
                                                                  new=link.document, day=when.isoformat()),
                                      hint=_("set `status: superseded`"), subject=entry.number)
                        break


class RegimeLabel(Rule):
    """A procedure names its legal regime with an old label, or with a label that names no regime.

    What it checks:
    `administrative.regime` is one of the regimes of qms's data (`qms/legal/data/regimes.yaml`):
    `2018 to 30/06/2025` (NĐ 61/2018/NĐ-CP and the TT 01/2018/TT-VPCP forms) or `2025` (NĐ 118/2025/NĐ-CP
    from 01/07/2025, TT 03/2025/TT-VPCP forms). The old label `2018-2024` is accepted as an alias of
    the first, with a safe fix: NĐ 61/2018 applied until 30/06/2025, not to the end of 2024.

    Why:
    The regime says which legal basis the procedure's facts belong to (ISO 9001:2015 8.2.2); a wrong
    boundary misdates every fact of the first half of 2025.

    Example:
    ```yaml
    administrative:
      regime: "2018-2024"
    ```

    Fix:
    `qms check --fix` writes `2018 to 30/06/2025`.
    """

    code = "QMS156"
    name = "regime-label"
    severity = Severity.WARNING
    clauses = ("8.2.2",)
    family = "legal"

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        known = [r.id for r in regime_data.regimes()]
        for doc, proc in ctx.workspace.processes():
            adm = proc.administrative
            if adm is None or not adm.regime:
                continue
            ptr = pointer("administrative", "regime")
            regime, alias = regime_data.find(adm.regime)
            if regime is not None and alias:
                fix = self.replace_value(doc, ptr, adm.regime, regime.id,
                                         _("write `{new}`").format(new=regime.id), Applicability.SAFE)
                yield self.at(doc, ptr, _("regime `{old}` is an old label of `{new}`").format(
                    old=adm.regime, new=regime.id), hint=_("write `{new}`").format(new=regime.id),
                    subject=proc.id, fix=fix)
            elif regime is None:
                best, _unique = closest(adm.regime, known)
                hint = (_("did you mean `{name}`?").format(name=best) if best
                        else _("use one of: {choices}").format(choices=", ".join(known)))
                yield self.at(doc, ptr, _("regime `{label}` is not a known legal regime").format(label=adm.regime),
                              hint=hint, subject=proc.id)


def _key(text: str) -> str:
    from qms.legal.citation import parse

    return parse(text).key


class RegimeMismatch(Rule):
    """A procedure does not match the legal regime it declares.

    What it checks:
    For a procedure with `administrative.regime` (an id or an old label of
    `qms/legal/data/regimes.yaml`): its `document.effective_date` is not after the day the regime ended
    (a procedure that takes effect in 2026 cannot follow NĐ 61/2018/NĐ-CP, which applied until
    30/06/2025); the forms its steps use do not take their `legal_basis` from the form circular of
    another regime (TT 01/2018/TT-VPCP belongs to the 2018 regime, TT 03/2025/TT-VPCP to the 2025 one);
    and its `references` do not cite the one-stop decree of another regime. The regime boundaries and
    the documents of each regime are data, not code.

    Why:
    The regime says which legal basis the procedure's facts belong to; facts of another regime make the
    procedure wrong about its statutory requirements (ISO 9001:2015 8.2.2; QĐ 19/2014/QĐ-TTg
    Art. 4(4)(a)).

    Example:
    ```yaml
    administrative:
      regime: "2018 to 30/06/2025"
    document:
      effective_date: 2026-01-05
    ```

    Fix:
    Re-model the procedure on the legal basis in force on its effective date and declare that regime
    (`regime: "2025"`), with the forms of TT 03/2025/TT-VPCP; or, for a historical procedure, give the
    effective date it had.
    """

    code = "QMS158"
    name = "regime-mismatch"
    severity = Severity.WARNING
    clauses = ("8.2.2",)
    family = "legal"

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        all_regimes = regime_data.regimes()
        manifest = ctx.workspace.manifest
        shared_forms = {f.code: f for f in manifest.forms} if manifest is not None else {}
        for doc, proc in ctx.workspace.processes():
            adm = proc.administrative
            if adm is None or not adm.regime:
                continue
            regime, _alias = regime_data.find(adm.regime)
            if regime is None:
                continue  # QMS156
            day = proc.document.effective_date if proc.document is not None else None
            if day is not None and regime.end is not None and day > regime.end:
                current = regime_data.on(day)
                yield self.at(doc, pointer("administrative", "regime"),
                              _("the procedure takes effect on {day}, after the regime `{regime}` ended on "
                                "{end}").format(day=day.isoformat(), regime=regime.id, end=regime.end.isoformat())
                              + (_("; the regime in force that day is `{current}`").format(current=current.id)
                                 if current is not None else ""),
                              hint=_("re-model the procedure on the legal basis in force on its effective date "
                                     "and declare that regime"), subject=proc.id)
            others = [r for r in all_regimes if r.id != regime.id]
            other_forms = {_key(r.forms): r for r in others}
            own_decree = _key(regime.one_stop)
            other_decrees = {k: r for r in others if (k := _key(r.one_stop)) != own_decree}
            local_forms = {f.code: f for f in proc.forms}
            for si, step in enumerate(proc.steps):
                for fi, code in enumerate(step.forms):
                    form = local_forms.get(code) or shared_forms.get(code)
                    if form is None or not form.legal_basis:
                        continue
                    owner = other_forms.get(_key(form.legal_basis))
                    if owner is None:
                        continue
                    yield self.at(doc, pointer("steps", si, "forms", fi),
                                  _("form {code} comes from {circular}, a form set of the regime `{other}`; the "
                                    "procedure declares `{regime}` ({forms})").format(
                                      code=code, circular=owner.forms, other=owner.id, regime=regime.id,
                                      forms=regime.forms),
                                  hint=_("use the form of {forms} that does the same job").format(forms=regime.forms),
                                  subject=proc.id)
            for ri, ref in enumerate(proc.references):
                owner = other_decrees.get(_key(ref.id))
                if owner is None:
                    continue
                yield self.at(doc, pointer("references", ri, "id"),
                              _("{ref} is the one-stop decree of the regime `{other}`; the procedure declares "
                                "`{regime}` ({decree})").format(ref=ref.id, other=owner.id, regime=regime.id,
                                                                decree=regime.one_stop),
                              hint=_("cite {decree}").format(decree=regime.one_stop), subject=proc.id)


class AbolishedLevel(Rule):
    """A procedure effective after 30/06/2025 is carried out at the district level, which no longer exists.

    What it checks:
    A procedure with `administrative.level: district` whose `document.effective_date` falls in a regime
    without that tier of local government. Local government has two tiers, province and commune, since
    01/07/2025 (the revised Law on Local Government of 16/06/2025); the tiers of each regime are data
    (`levels` in `qms/legal/data/regimes.yaml`).

    Why:
    A procedure must name the authority that the law in force makes competent (ISO 9001:2015 8.2.2); the
    district People's Committees and their divisions were dissolved, and most of their procedures moved
    to the commune or the province.

    Example:
    ```yaml
    administrative:
      level: district
    document:
      effective_date: 2026-01-05
    ```

    Fix:
    Write the level that handles the procedure now (`commune` or `province`), after checking the
    province's decision publishing its procedures; keep `district` only in procedures that took effect
    before 01/07/2025.
    """

    code = "QMS159"
    name = "abolished-level"
    severity = Severity.ERROR
    clauses = ("8.2.2",)
    family = "legal"

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        for doc, proc in ctx.workspace.processes():
            adm = proc.administrative
            day = proc.document.effective_date if proc.document is not None else None
            if adm is None or day is None:
                continue
            regime = regime_data.level_abolished(adm.level, day)
            if regime is None:
                continue
            yield self.at(doc, pointer("administrative", "level"),
                          _("the procedure takes effect on {day} at the {name} level (`{level}`), which does not "
                            "exist in the regime `{regime}` (levels: {levels})").format(
                              day=day.isoformat(), name=_level_name(adm.level), level=adm.level,
                              regime=regime.id, levels=", ".join(_level_name(v) for v in regime.levels)),
                          hint=_("write the level that handles the procedure now (`commune` or `province`)"),
                          subject=proc.id)


def _level_name(level: str) -> str:
    """A tier of local government as the message's language names it."""
    return {"province": pgettext("government level", "province"), "district": pgettext("government level", "district"),
            "commune": pgettext("government level", "commune")}.get(level, level)


class AnnouncementOutOfDate(_LegalRule):
    """The scope, applicability or process list changed after the last self-announcement.

    What it checks:
    The latest record in `records/announcements/` (written by `qms announce`) keeps a fingerprint of
    the scope (`scope.statement`, `scope.sites`), the applicability of the clauses
    (`scope.applicability`) and the process list (`processes/`). A changed scope is a warning; a changed
    applicability or process list alone is an info finding. With no announcement at all nothing is
    reported, except an info finding when the repository keeps a legal register
    (`legal/register.yaml`), that is, when it follows the Vietnamese rules for agencies.

    Why:
    An agency announces that its quality system conforms to TCVN ISO 9001 and announces again when it
    changes the scope of the system (QĐ 19/2014/QĐ-TTg, Art. 4(4)(c)). A changed applicability or
    process list may not change the scope, but the announced system is no longer the one in the
    repository.

    Example:
    `records/announcements/CB-2026-01.yaml` was recorded, then `scope.statement` in qms.yaml was
    extended to a new field of work.

    Fix:
    Announce again (issue the decision) and record it with `qms announce --date DATE --note "…"`.
    """

    code = "QMS157"
    name = "announcement-out-of-date"
    severity = Severity.WARNING
    clauses = ("4.3",)

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        ws = ctx.workspace
        manifest = ws.manifest
        if manifest is None:
            return
        held = [(d, a) for d, a in ws.models("announcement") if a.date <= ctx.today]
        if held:
            from qms.legal.announcement import latest

            last = latest(held)
        else:
            last = None  # no announcement recorded: nothing of qms.legal.announcement is needed
        if last is None:
            if self.has_register_file(ctx) and not ws.of_kind("announcement"):
                d = self.at(ws.manifest_doc, "/scope", _("no self-announcement of conformity to TCVN ISO 9001 is "
                                                         "recorded (records/announcements/)"),
                            hint=_("once the agency has announced, record it with `qms announce --date DATE`"),
                            path="qms.yaml")
                yield dataclasses.replace(d, severity=Severity.INFO)
            return
        from qms.legal.announcement import changed_parts, fingerprints

        doc, ann = last
        now = fingerprints(manifest, ws.declared_process_ids())
        changed = changed_parts(ann, now)
        what = _("announcement {id} of {date}").format(id=ann.id, date=ann.date.isoformat())
        if "scope" in changed:
            yield self.at(ws.manifest_doc, "/scope/statement",
                          _("the scope changed after the last self-announcement ({what})").format(what=what),
                          hint=_("announce again (QĐ 19/2014/QĐ-TTg, Art. 4(4)(c)) and record it with "
                                 "`qms announce --date DATE`"), subject=ann.id, path="qms.yaml")
        if "applicability" in changed:
            d = self.at(ws.manifest_doc, "/scope/applicability",
                        _("the applicability of the clauses changed after the last self-announcement ({what})").format(
                            what=what),
                        hint=_("check whether the announcement still holds; record a new one with `qms announce`"),
                        subject=ann.id, path="qms.yaml")
            yield d if "scope" in changed else dataclasses.replace(d, severity=Severity.INFO)
        if "processes" in changed:
            added = sorted(set(now.processes) - set(ann.processes))
            removed = sorted(set(ann.processes) - set(now.processes))
            detail = "; ".join(
                ([_("added: {ids}").format(ids=", ".join(added))] if added else [])
                + ([_("removed: {ids}").format(ids=", ".join(removed))] if removed else []))
            d = self.at(doc, "/processes",
                        _("the process list changed after the last self-announcement ({what}){detail}").format(
                            what=what, detail=f": {detail}" if detail else ""),
                        hint=_("check whether the announcement still holds; record a new one with `qms announce`"),
                        subject=ann.id)
            yield d if "scope" in changed else dataclasses.replace(d, severity=Severity.INFO)


RULES: tuple[type[Rule], ...] = (UnknownLegalReference, CitesSupersededDocument, NotUpdatedAfterAmendment,
                                 RegisterDuplicate, RegisterUnknownLink, RegisterStatus, RegimeLabel,
                                 AnnouncementOutOfDate, RegimeMismatch, AbolishedLevel)
