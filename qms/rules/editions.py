"""QMS809: the decisions that the amendments of the declared edition ask a repository to record.

The editions and their amendments are data (``qms/standards/data/edition_*.yaml`` and
``amendment_*.yaml``); an amendment that asks for a decision names it under ``decisions:`` and the
decision is recorded in qms.yaml ``context.<key>``. A new amendment of that kind needs no code.
"""

from __future__ import annotations

from collections.abc import Iterator

from qms.diagnostics import Diagnostic, Severity
from qms.i18n import _, get_language
from qms.rules.base import CheckContext, Rule, pointer
from qms.standards.editions import amendments_in_force


class AmendmentDecisionRecorded(Rule):
    """qms.yaml does not record a decision that an amendment of the declared standard asks for.

    What it checks:
    For each amendment of the declared edition that is in force on the day of the check (for
    ISO 9001:2015: ISO 9001:2015/Amd 1:2024, published 23 February 2024), each decision it asks for
    is recorded in qms.yaml under `context:` with `relevant: true` or `false` and a `rationale`.
    Amd 1:2024 asks, in 4.1, whether climate change is a relevant issue (`context.climate_change`);
    its note to 4.2 adds that interested parties may have climate-related requirements. When the
    decision is "relevant", the check also wants a context issue or an interested party (name or
    needs) that mentions it (the decision's `keywords` in the amendment's data: "climate", "khí hậu").

    Why:
    The amendment has been part of ISO 9001:2015 since its publication, and certification bodies
    assess it in their audits; the decision has to be evidenced (4.1), whatever its outcome.

    Example:
    ```yaml
    context_issues:
      - {id: CTX-01, kind: external, description: {vi: Thay đổi pháp luật, en: Legal changes}}
    # no `context: {climate_change: ...}`
    ```

    Fix:
    Record the decision, e.g.
    `context: {climate_change: {relevant: true, rationale: {vi: ..., en: ...}, decided: 2026-01-15}}`,
    and, when climate change is relevant, list it among the context issues (4.1) or in the needs of
    the interested parties concerned (4.2).
    """

    code = "QMS809"
    name = "amendment-decision-recorded"
    severity = Severity.WARNING
    clauses = ("4.1", "4.2")

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        doc = ctx.workspace.manifest_doc
        manifest = ctx.workspace.manifest
        if doc is None or manifest is None:
            return
        lang = get_language()
        for amendment in amendments_in_force(manifest.standard, ctx.today):
            for decision in amendment.decisions:
                question = decision.question.get(lang) or decision.question["en"]
                recorded = manifest.context.get(decision.key)
                if recorded is None:
                    where = "/context" if manifest.context else "/standard"
                    yield self.at(
                        doc, where,
                        _("qms.yaml does not record the decision {amendment} asks for in {clause}: {question}")
                        .format(amendment=amendment.standard, clause=decision.clause, question=question),
                        hint=_("add `context: {{{key}: {{relevant: true|false, rationale: ...}}}}` to qms.yaml")
                        .format(key=decision.key),
                        subject=decision.key)
                    continue
                if recorded.relevant and decision.keywords and not _mentions(ctx, decision.keywords):
                    yield self.at(
                        doc, pointer("context", decision.key, "relevant"),
                        _("`context.{key}` is recorded as relevant but no context issue or interested party's "
                          "needs mention it").format(key=decision.key),
                        hint=_("list it in `context_issues` (4.1) or in the needs of the interested parties "
                               "concerned (4.2)"),
                        subject=decision.key)


def _mentions(ctx: CheckContext, keywords: tuple[str, ...]) -> bool:
    manifest = ctx.workspace.manifest
    if manifest is None:
        return False
    texts: list[str] = []
    for issue in manifest.context_issues:
        texts.extend((issue.description.vi, issue.description.en))
    for party in manifest.interested_parties:
        texts.extend((party.needs.vi, party.needs.en, party.name.vi, party.name.en))
    folded = " ".join(texts).casefold()
    return any(word in folded for word in keywords)


RULES = (AmendmentDecisionRecorded,)
