"""QMS8xx: ISO 9001:2008 leftovers, each reported with its ISO 9001:2015 replacement.

The retired terms, the term matcher and the 2008 clause numbers live in ``qms.analysis.legacy``,
shared with ``qms migrate``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import Any, ClassVar

from qms.analysis.legacy import (
    LEGACY_FIELDS,
    SKIPPED_KEYS,
    TERMS,
    LegacyClause,
    Term,
    declared_edition,
    find_term,
    iter_strings,
    legacy_clauses,
    prefilter,
    quick_fold,
    string_values,
    text_docs,
)
from qms.diagnostics import Applicability, Diagnostic, Fix, Severity
from qms.i18n import N_, _, get_language, ngettext
from qms.rules.base import CheckContext, Rule, pointer
from qms.standards import catalogue
from qms.standards.correlation import evidence_words
from qms.store.workspace import LoadedDoc
from qms.store.yaml_io import LazySourceMap


def _cached_legacy_clauses(ctx: CheckContext, doc: LoadedDoc[Any], edition: str) -> list[LegacyClause]:
    """:func:`legacy_clauses`, computed once per document for QMS802 and QMS803."""
    key = f"legacy-clauses:{doc.path}"
    found = ctx.cache.get(key)
    if found is None:
        found = legacy_clauses(doc.raw, edition)
        ctx.cache[key] = found
    return list(found)


def _targets_hint(item: LegacyClause) -> str:
    if not item.targets:
        return _("it has no ISO 9001:2015 counterpart; remove it or choose the clause the process now serves")
    joined = ", ".join(item.targets)
    sure = _("verified") if item.confidence == "verified" else _("to confirm")
    return ngettext("use the ISO 9001:2015 clause {clauses} (correlation {sure}, evidence {evidence}); "
                    "`qms migrate apply` rewrites it",
                    "use the ISO 9001:2015 clauses {clauses} (correlation {sure}, evidence {evidence}); "
                    "`qms migrate apply` rewrites it",
                    len(item.targets)).format(clauses=joined, sure=sure, evidence=evidence_words(item.evidence))


# -- rules --------------------------------------------------------------------------------------

class LegacyStandard(Rule):
    """qms.yaml declares ISO 9001:2008, an edition withdrawn in 2018.

    What it checks:
    `standard:` in qms.yaml is not `ISO 9001:2008`.

    Why:
    All ISO 9001:2008 certificates expired on 15 September 2018 (IAF Resolution 2017-13); Vietnamese
    agencies had to convert to TCVN ISO 9001:2015 before 30 June 2021 (Công văn 419/BKHCN-TĐC).

    Example:
    ```yaml
    standard: ISO 9001:2008
    ```

    Fix:
    Run `qms migrate check` to see the gaps, then `qms migrate apply`, which sets
    `standard: ISO 9001:2015` and rewrites clause numbers and retired terms.
    """

    code = "QMS801"
    name = "legacy-standard-2008"
    severity = Severity.ERROR
    clauses = ("4.4",)

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        doc = ctx.workspace.manifest_doc
        if doc is not None and declared_edition(ctx.workspace) == "2008":
            yield self.at(doc, "/standard", _("the QMS declares ISO 9001:2008, which was withdrawn in 2018"),
                          hint=_("set `standard: ISO 9001:2015` after migrating (`qms migrate check`, "
                                 "then `qms migrate apply`)"), subject="standard")


class LegacyClauseNumber(Rule):
    """A process lists an ISO 9001:2008 clause number.

    What it checks:
    Under `standard: ISO 9001:2008`, every number in a process's `clauses` whose ISO 9001:2015
    counterpart differs; under ISO 9001:2015, numbers that exist only in the 2008 edition
    (such as 4.2.3, 4.2.4 or 5.5.2).

    Why:
    The 2015 edition renumbered the standard; a 2008 number claims coverage of the wrong
    requirement (4.4).

    Example:
    ```yaml
    clauses: ["4.2.3"]   # 2008: control of documents
    ```

    Fix:
    Use the 2015 clauses given in the hint (`clauses: ["7.5.2", "7.5.3"]`), or run `qms migrate apply`.
    Rows of the correlation table marked "to confirm" need a person to check them. Under ISO 9001:2015,
    a number with exactly one counterpart is rewritten by `qms check --fix` when the correlation is
    verified (a safe fix), and by `--unsafe-fixes` when it is marked "to confirm".
    """

    code = "QMS802"
    name = "legacy-clause-number"
    severity = Severity.ERROR
    clauses = ("4.4",)

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        edition = declared_edition(ctx.workspace)
        for doc in ctx.workspace.of_kind("process"):
            for item in _cached_legacy_clauses(ctx, doc, edition):
                if item.reason == "context":
                    continue
                yield self.at(doc, pointer("clauses", item.index),
                              _("`{clause}` is an ISO 9001:2008 clause number").format(clause=item.clause),
                              hint=_targets_hint(item),
                              subject=item.clause, fix=self._fix(doc, item))

    def _fix(self, doc: LoadedDoc[Any], item: LegacyClause) -> Fix | None:
        """The 2015 number, when the correlation gives exactly one, for a number that exists only in 2008.

        Safe when the correlation row is verified; unsafe when it is marked "to confirm". Under
        `standard: ISO 9001:2008` there is no fix: the whole repository migrates at once (`qms migrate`).
        """
        if item.reason != "2008-only" or len(item.targets) != 1 or not isinstance(doc.raw, dict):
            return None
        value = doc.raw["clauses"][item.index]
        return self.replace_value(
            doc, pointer("clauses", item.index), str(value), item.targets[0],
            _("replace the ISO 9001:2008 clause `{old}` by `{new}`").format(old=item.clause, new=item.targets[0]),
            Applicability.SAFE if item.confidence == "verified" else Applicability.UNSAFE)


class LegacyClauseMeaning(Rule):
    """A clause number that changed meaning in 2015 is used with its 2008 meaning.

    What it checks:
    Under ISO 9001:2015, a number found in both editions (such as 8.5.3 or 8.2.2) in a process whose
    title or purpose uses the clause's 2008 title ("preventive action", "internal audit").

    Why:
    8.5.3 was preventive action in 2008 but is property of customers in 2015; the process claims
    a requirement it does not address (4.4).

    Example:
    ```yaml
    title: {vi: Hành động phòng ngừa, en: Preventive action}
    clauses: ["8.5.3"]
    ```

    Fix:
    Use the 2015 clause given in the hint (here 6.1), or run `qms migrate apply`.
    """

    code = "QMS803"
    name = "legacy-clause-meaning"
    severity = Severity.WARNING
    clauses = ("4.4",)

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        edition = declared_edition(ctx.workspace)
        for doc in ctx.workspace.of_kind("process"):
            for item in _cached_legacy_clauses(ctx, doc, edition):
                if item.reason != "context":
                    continue
                entry = catalogue("2008")[item.clause]
                yield self.at(doc, pointer("clauses", item.index),
                              _("`{clause}` is used with its ISO 9001:2008 meaning ({title})").format(
                                  clause=item.clause, title=entry.label(get_language())),
                              hint=_targets_hint(item), subject=item.clause)


def _may_use(ctx: CheckContext, path: str, folded: str, term: Term) -> bool:
    """Whether the prefilter of ``term`` matches the folded text of the document at ``path``.

    The three term rules share one search per document: the prefilter of all retired terms together
    (an alternation matches where any of its terms would), and only when it matches, each term's own.
    """
    key = f"legacy-any-term:{path}"
    anything = ctx.cache.get(key)
    if anything is None:
        anything = ctx.cache[key] = _any_term().search(folded) is not None
    return bool(anything) and prefilter(term.phrases).search(folded) is not None


@functools.cache
def _any_term() -> re.Pattern[str]:
    return prefilter(tuple(p for t in TERMS.values() for p in t.phrases))


class _TermRule(Rule):
    term_key: ClassVar[str]
    message: ClassVar[str]
    hint_text: ClassVar[str]

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        term = TERMS[self.term_key]
        for doc in text_docs(ctx.workspace):
            skip = SKIPPED_KEYS | (LEGACY_FIELDS if doc.kind == "manifest" else frozenset())
            key = f"legacy-folded:{doc.path}"
            folded_all = ctx.cache.get(key)
            if folded_all is None:
                # folded once per document and shared by the three term rules; the paths are only
                # walked for the rare document whose text can match
                source = doc.source_map.text if isinstance(doc.source_map, LazySourceMap) else None
                # the file's own text is a superset of its values: one translate() instead of a walk
                folded_all = quick_fold(source if source is not None else "\n".join(string_values(doc.raw, skip)))
                ctx.cache[key] = folded_all
            if not _may_use(ctx, doc.path, folded_all, term):
                continue
            for path, value in iter_strings(doc.raw, skip=skip):
                matches = find_term(value, term)
                if not matches:
                    continue
                yield self.at(doc, pointer(*path), _(self.message).format(found=matches[0].text),
                              hint=_(self.hint_text), subject=matches[0].text)


class LegacyPreventiveAction(_TermRule):
    """Text uses "preventive action" / "hành động phòng ngừa".

    What it checks:
    Every text value of qms.yaml and of the processes (revision history excepted), in Vietnamese
    or English, with or without diacritics.

    Why:
    ISO 9001:2015 has no preventive-action clause: risk-based thinking and actions to address
    risks and opportunities (6.1) replace it.

    Example:
    ```yaml
    purpose: {vi: Thực hiện hành động phòng ngừa, en: Take preventive action}
    ```

    Fix:
    Write "actions to address risks and opportunities" / "hành động giải quyết rủi ro và cơ hội"
    and plan them under 6.1; `qms migrate apply` renames the term.
    """

    code = "QMS804"
    name = "legacy-preventive-action"
    severity = Severity.WARNING
    clauses = ("6.1",)
    term_key = "preventive_action"
    message = N_("\"{found}\" is ISO 9001:2008 wording")
    hint_text = N_("write \"actions to address risks and opportunities\" / \"hành động giải quyết rủi ro và cơ hội\" "
                   "(6.1)")


class LegacyManagementRepresentative(_TermRule):
    """Text uses "management representative" / "đại diện lãnh đạo".

    What it checks:
    Every text value of qms.yaml and of the processes (revision history excepted), in Vietnamese
    or English, with or without diacritics.

    Why:
    ISO 9001:2015 no longer requires a management representative: top management assigns the
    responsibilities and authorities to relevant roles (5.3) and stays accountable (5.1).

    Example:
    ```yaml
    responsible: {vi: Đại diện lãnh đạo, en: Management representative}
    ```

    Fix:
    Name the role that holds the responsibility (5.3). The wording depends on the sentence,
    so `qms migrate apply` only suggests it.
    """

    code = "QMS805"
    name = "legacy-management-representative"
    severity = Severity.WARNING
    clauses = ("5.3",)
    term_key = "management_representative"
    message = N_("\"{found}\" is ISO 9001:2008 wording")
    hint_text = N_("name the role that holds the responsibility and authority (5.3) instead")


class LegacyDocumentedProcedure(_TermRule):
    """Text uses "documented procedure" / "thủ tục dạng văn bản".

    What it checks:
    Every text value of qms.yaml and of the processes (revision history excepted), in Vietnamese
    or English, with or without diacritics.

    Why:
    ISO 9001:2015 replaced documents, documented procedures and records by documented
    information (7.5), maintained or retained.

    Example:
    ```yaml
    purpose: {vi: Thủ tục dạng văn bản về kiểm soát tài liệu, en: Documented procedure for document control}
    ```

    Fix:
    Write "documented information" / "thông tin dạng văn bản"; `qms migrate apply` renames the term.
    """

    code = "QMS806"
    name = "legacy-documented-procedure"
    severity = Severity.WARNING
    clauses = ("7.5",)
    term_key = "documented_procedure"
    message = N_("\"{found}\" is ISO 9001:2008 wording")
    hint_text = N_("write \"documented information\" / \"thông tin dạng văn bản\" (7.5)")


class LegacyExclusions(Rule):
    """qms.yaml keeps the 2008 `exclusions` list.

    What it checks:
    qms.yaml has no `exclusions:` field.

    Why:
    ISO 9001:2015 speaks of requirements that cannot be applied, each justified in the scope
    (4.3); exclusions are no longer a concept of the standard.

    Example:
    ```yaml
    exclusions:
      - {clause: "7.3", reason: Không thiết kế dịch vụ}
    ```

    Fix:
    Move each entry to `scope.applicability` with `applicable: false` and a `justification`,
    using the 2015 clause number; `qms migrate apply` does it.
    """

    code = "QMS807"
    name = "legacy-exclusions"
    severity = Severity.ERROR
    clauses = ("4.3",)

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        doc = ctx.workspace.manifest_doc
        if doc is not None and isinstance(doc.raw, dict) and doc.raw.get("exclusions") is not None:
            yield self.at(doc, "/exclusions", _("`exclusions` is an ISO 9001:2008 concept"), key=True,
                          hint=_("move each entry to `scope.applicability` (applicable: false, justification, "
                                 "2015 clause number); `qms migrate apply` does it"), subject="exclusions")


class LegacyManagementRepresentativeField(Rule):
    """qms.yaml keeps the 2008 `management_representative` field.

    What it checks:
    qms.yaml has no `management_representative:` field.

    Why:
    ISO 9001:2015 asks top management to assign responsibilities and authorities to roles (5.3);
    a single management representative is no longer required.

    Example:
    ```yaml
    management_representative: {person: tran_thi_binh, role: pho_chu_tich}
    ```

    Fix:
    Add the representative's duties to the `responsibilities` of their role under
    `organisation.roles`; `qms migrate apply` does it.
    """

    code = "QMS808"
    name = "legacy-management-representative-field"
    severity = Severity.WARNING
    clauses = ("5.3",)

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        doc = ctx.workspace.manifest_doc
        if doc is not None and isinstance(doc.raw, dict) and doc.raw.get("management_representative") is not None:
            yield self.at(doc, "/management_representative", _("`management_representative` is an ISO 9001:2008 "
                                                                  "concept"), key=True,
                          hint=_("add the duties to the responsibilities of a role in `organisation.roles` (5.3); "
                                 "`qms migrate apply` does it"), subject="management_representative")


RULES: tuple[type[Rule], ...] = (
    LegacyStandard, LegacyClauseNumber, LegacyClauseMeaning, LegacyPreventiveAction,
    LegacyManagementRepresentative, LegacyDocumentedProcedure, LegacyExclusions,
    LegacyManagementRepresentativeField,
)
