"""QMS41x: document control — approval before issue, independent approval, approval order, change history.

The generic completeness and periodic-review checks of control blocks are QMS401 and QMS402
(``system``); this family checks what ``qms doc revise`` / ``qms doc approve`` record.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from qms.analysis.documents import controlled_documents, state_label
from qms.analysis.people import same_person
from qms.diagnostics import Diagnostic, Severity
from qms.i18n import _
from qms.models.common import DocumentControl
from qms.rules.base import CheckContext, Rule
from qms.store.workspace import LoadedDoc


def _documents(ctx: CheckContext) -> Iterator[tuple[LoadedDoc[Any], str, DocumentControl, Any]]:
    yield from controlled_documents(ctx.workspace)


class InForceNotApproved(Rule):
    """A document is in force but its current revision is not approved.

    What it checks:
    A control block whose `effective_date` is today or earlier has `state: approved` (or `obsolete`),
    not `draft` or `in_review`.

    Why:
    Documented information must be reviewed and approved for suitability and adequacy before it is
    issued (7.5.2 c); a draft with an effective date is being used without approval.

    Example:
    ```yaml
    document:
      code: QT-HT-01
      revision: 2
      effective_date: 2026-01-05
      state: draft
    ```

    Fix:
    Finish the approval (`qms doc approve QT-HT-01 --as reviewer ...`, then `--as approver ...`, which
    sets the effective date), or remove the effective date until the revision is approved.
    """

    code = "QMS410"
    name = "document-in-force-not-approved"
    clauses = ("7.5.2",)

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        for doc, ptr, dc, _raw in _documents(ctx):
            if dc.state in ("draft", "in_review") and dc.effective_date is not None and dc.effective_date <= ctx.today:
                yield self.at(doc, f"{ptr}/state",
                              _("`{code}` revision {revision} is in force since {date} but is {state}").format(
                                  code=dc.code, revision=dc.revision, date=dc.effective_date.isoformat(),
                                  state=state_label(dc.state)),
                              hint=_("approve it with `qms doc approve`, or remove `effective_date` until then"),
                              subject=dc.code)


class ApproverIsPreparer(Rule):
    """The person who approves a document also prepared it.

    What it checks:
    The approver of the current revision — the `approvals` entry `as: approver`, or else
    `approved_by.name` — is not the person in `prepared_by.name` (names compared case-insensitively).

    Why:
    Approval for suitability and adequacy (7.5.2 c) is a check by someone with authority other than the
    author; self-approval is no check. (`qms doc approve` refuses it; this finds hand edits.)

    Example:
    ```yaml
    prepared_by: {name: Trần Thị Bình}
    approved_by: {name: Trần Thị Bình}
    ```

    Fix:
    Have the document approved by someone else with the authority (e.g. the Chairperson), and record
    it with `qms doc approve ID --as approver --by NAME`.
    """

    code = "QMS411"
    name = "approver-is-preparer"
    clauses = ("7.5.2",)

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        for doc, ptr, dc, _raw in _documents(ctx):
            preparer = dc.prepared_by.name if dc.prepared_by else ""
            if not preparer:
                continue
            message = _("`{code}` is approved by its preparer {name}").format(code=dc.code, name=preparer)
            hint = _("the approver must be someone other than the preparer")
            entries = [(i, a) for i, a in enumerate(dc.approvals)
                       if a.revision == dc.revision and a.as_ == "approver"]
            for i, a in entries:
                if same_person(a.by, preparer):
                    yield self.at(doc, f"{ptr}/approvals/{i}/by", message, hint=hint, subject=dc.code)
            if not entries and dc.approved_by is not None and same_person(dc.approved_by.name, preparer):
                yield self.at(doc, f"{ptr}/approved_by/name", message, hint=hint, subject=dc.code)


class EffectiveBeforeApproval(Rule):
    """A document takes effect before it was approved.

    What it checks:
    The `effective_date` is not earlier than the approval date of the current revision: the date of its
    `approvals` entry `as: approver`, or else `approved_by.date`.

    Why:
    A document may be issued only after approval (7.5.2 c); an earlier effective date means it was used
    unapproved, or one of the dates is wrong.

    Example:
    ```yaml
    effective_date: 2026-01-05
    approved_by: {name: Nguyễn Văn An, date: 2026-01-10}
    ```

    Fix:
    Correct the wrong date; a document takes effect on or after the day it is approved.
    """

    code = "QMS412"
    name = "effective-before-approval"
    clauses = ("7.5.2",)

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        for doc, ptr, dc, _raw in _documents(ctx):
            if dc.effective_date is None:
                continue
            dates = [a.date for a in dc.approvals if a.revision == dc.revision and a.as_ == "approver"]
            approved = max(dates) if dates else (dc.approved_by.date if dc.approved_by else None)
            if approved is not None and dc.effective_date < approved:
                yield self.at(doc, f"{ptr}/effective_date",
                              _("`{code}` takes effect on {effective}, before its approval on {approved}").format(
                                  code=dc.code, effective=dc.effective_date.isoformat(),
                                  approved=approved.isoformat()),
                              hint=_("set the effective date on or after the approval date"), subject=dc.code)


class ApprovalsOutOfOrder(Rule):
    """An approval is recorded before the review it depends on.

    What it checks:
    In `approvals`, every `as: approver` entry of a revision comes after an `as: reviewer` entry of the
    same revision, and is not dated before it.

    Why:
    A document is reviewed for adequacy and then approved for issue (7.5.2 c); an approval without a
    prior review skips a control the QMS defines.

    Example:
    ```yaml
    approvals:
      - {revision: 2, as: approver, by: Nguyễn Văn An, date: 2026-03-01}
      - {revision: 2, as: reviewer, by: Lê Văn Cường, date: 2026-03-02}
    ```

    Fix:
    Record the review first (`qms doc approve ID --as reviewer --by NAME`), then the approval; correct
    dates entered by hand.
    """

    code = "QMS413"
    name = "approvals-out-of-order"
    clauses = ("7.5.2",)

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        for doc, ptr, dc, _raw in _documents(ctx):
            reviewed: dict[int, Any] = {}
            for i, a in enumerate(dc.approvals):
                if a.as_ == "reviewer":
                    reviewed.setdefault(a.revision, a)
                    continue
                review = reviewed.get(a.revision)
                if review is None:
                    yield self.at(doc, f"{ptr}/approvals/{i}",
                                  _("revision {revision} of `{code}` is approved by {name} before any review").format(
                                      revision=a.revision, code=dc.code, name=a.by),
                                  hint=_("record the reviewer's approval before the approver's"), subject=dc.code)
                elif a.date < review.date:
                    yield self.at(doc, f"{ptr}/approvals/{i}/date",
                                  _("revision {revision} of `{code}` is approved on {date}, before its review on "
                                    "{review}").format(revision=a.revision, code=dc.code, date=a.date.isoformat(),
                                                       review=review.date.isoformat()),
                                  hint=_("correct the dates: review comes before approval"), subject=dc.code)


class RevisionWithoutHistory(Rule):
    """The current revision has no row in the revision history.

    What it checks:
    `history` has a row whose `revision` equals the control block's `revision`.

    Why:
    Changes to documented information must be controlled and identifiable (7.5.3.2 c); the history table
    (Theo dõi sửa đổi: Lần sửa đổi, Trang, Nội dung thay đổi, Ngày) is where readers see what changed.

    Example:
    ```yaml
    revision: 3
    history:
      - {revision: 1, date: 2025-01-05, summary: Ban hành lần đầu}
      - {revision: 2, date: 2025-09-01, summary: Cập nhật phí}
    ```

    Fix:
    Open revisions with `qms doc revise ID --summary "..."`, which adds the row, or add the missing row.
    """

    code = "QMS414"
    name = "revision-without-history"
    severity = Severity.WARNING
    clauses = ("7.5.3.2",)

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        for doc, ptr, dc, raw in _documents(ctx):
            if any(e.revision == dc.revision for e in dc.history):
                continue
            has_key = isinstance(raw, dict) and "revision" in raw
            yield self.at(doc, f"{ptr}/revision" if has_key else ptr,
                          _("revision {revision} of `{code}` has no history row").format(
                              revision=dc.revision, code=dc.code),
                          hint=_("add `- {{revision: {revision}, date: ..., summary: ...}}` to `history`").format(
                              revision=dc.revision),
                          subject=dc.code, key=not has_key)


RULES: tuple[type[Rule], ...] = (
    InForceNotApproved, ApproverIsPreparer, EffectiveBeforeApproval, ApprovalsOutOfOrder, RevisionWithoutHistory,
)
