"""A nonconformity and its corrective action (ISO 9001:2015 10.2), one YAML file per record.

The lifecycle follows 10.2.1: ``open`` → correction/containment (a) → cause
analysis (b) → action plan (c) → ``implemented`` → effectiveness review (d) →
``closed``; or ``rejected`` (not a nonconformity). Updates to risks and
opportunities (e) and to the QMS (f) are recorded on the record. The history
is append-only; :data:`TRANSITIONS` is the single table both the commands and
the QMS508 rule replay it against.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from qms.i18n import _, format_date
from qms.models.common import Identifier, NFCStr, Strict, Text

NC_ID_PATTERN = r"^NC-\d{4}-\d{4,}$"
AUDIT_ID_PATTERN = r"^AUD-\d{4}-\d{2,}$"
ACTION_ID_PATTERN = r"^CA-\d+$"
SEAL_PATTERN = r"^sha256:[0-9a-f]{64}$"

#: Vietnam's offset, used for history timestamps written without one.
VN_TZ = dt.timezone(dt.timedelta(hours=7))

NcId = Annotated[str, Field(pattern=NC_ID_PATTERN)]
AuditId = Annotated[str, Field(pattern=AUDIT_ID_PATTERN)]
Source = Literal["internal_audit", "external_audit", "complaint", "late_dossier", "monitoring"]
NcSeverity = Literal["major", "minor"]
Status = Literal["open", "contained", "analysed", "planned", "implemented", "verified", "closed", "rejected"]
TransitionName = Literal[
    "create", "correct", "analyse", "plan", "implement", "verify", "close", "reject", "reopen", "renumber",
    "amend", "reassign", "seal",
]
FishboneCategory = Literal["people", "method", "equipment", "material", "measurement", "environment"]

SOURCES: tuple[str, ...] = ("internal_audit", "external_audit", "complaint", "late_dossier", "monitoring")
SEVERITIES: tuple[str, ...] = ("major", "minor")
STATUSES: tuple[str, ...] = (
    "open", "contained", "analysed", "planned", "implemented", "verified", "closed", "rejected",
)
FISHBONE_CATEGORIES: tuple[str, ...] = ("people", "method", "equipment", "material", "measurement", "environment")
FINAL_STATUSES = frozenset({"closed", "rejected"})

#: transition -> {status before ("" = no record yet): statuses it may lead to}
TRANSITIONS: dict[str, dict[str, frozenset[str]]] = {
    "create": {"": frozenset({"open"})},
    "correct": {"open": frozenset({"contained"})},
    "analyse": {"contained": frozenset({"analysed"})},
    "plan": {"analysed": frozenset({"planned"}), "planned": frozenset({"planned"})},
    "implement": {"planned": frozenset({"planned", "implemented"})},
    # an ineffective review reopens the cause analysis
    "verify": {"implemented": frozenset({"verified", "contained"})},
    "close": {"verified": frozenset({"closed"})},
    "reject": {s: frozenset({"rejected"}) for s in ("open", "contained", "analysed")},
    "reopen": {"closed": frozenset({"contained"}), "rejected": frozenset({"open"})},
    "renumber": {s: frozenset({s}) for s in STATUSES},
    # an audited correction of a field (closed records included); the status is kept
    "amend": {s: frozenset({s}) for s in STATUSES},
    # an action handed to a successor when its owner leaves; the status is kept
    "reassign": {s: frozenset({s}) for s in STATUSES},
    # a record closed or rejected before qms sealed records, sealed as it stands; the status is kept
    "seal": {s: frozenset({s}) for s in FINAL_STATUSES},
}

#: Transitions that record a change of one field (``field``, ``old``, ``new``) rather than a lifecycle step.
FIELD_CHANGES = frozenset({"amend", "reassign"})

#: Fields ``qms nc amend`` may correct: plain text and enumerated values, never ids, dates, status or
#: history. ``N`` stands for a corrective action id (``CA-1``) or a 1-based review number.
AMENDABLE_FIELDS: tuple[str, ...] = (
    "title", "title/vi", "title/en", "description", "description/vi", "description/en",
    "severity", "source", "process", "clause", "finding", "evidence", "raised_by",
    "risk_update", "qms_change", "rejection_reason",
    "correction/description", "cause/root_cause", "cause/similar",
    "actions/CA-N/description", "actions/CA-N/owner", "reviews/N/evidence", "reviews/N/note",
)
_AMENDABLE_RE = re.compile(
    r"^(?:title(?:/(?:vi|en))?|description(?:/(?:vi|en))?|severity|source|process|clause|finding|evidence"
    r"|raised_by|risk_update|qms_change|rejection_reason|correction/description|cause/(?:root_cause|similar)"
    r"|actions/CA-[1-9]\d*/(?:description|owner)|reviews/[1-9]\d*/(?:evidence|note))$")


def amendable(field: str) -> bool:
    """Whether ``field`` (a path such as ``actions/CA-1/owner``) names an amendable field."""
    return _AMENDABLE_RE.match(field) is not None


def allowed_from(status: str) -> list[str]:
    """The transitions that may start from ``status`` (for messages)."""
    return [name for name, table in TRANSITIONS.items()
            if status in table and name not in ("renumber", "seal", *FIELD_CHANGES)]


class HistoryEntry(Strict):
    """One append-only line of the record's history.

    ``date`` is the day the step happened (the ``--date`` given, else the day it was recorded) and
    ``recorded_at`` the moment the entry was written, with its time zone: a step recorded on 5 March for
    1 March says so, and never claims a clock time on 1 March. Entries written before qms kept the two
    apart have ``at`` (the day and clock time of the step) instead of ``date``.
    """

    at: dt.datetime | None = Field(default=None, description="when the step happened (entries of earlier "
                                                             "versions; new entries have `date` and `recorded_at`)")
    date: dt.date | None = Field(default=None, description="the day the step happened")
    recorded_at: dt.datetime | None = Field(default=None, description="when the entry was written, with time zone")
    by: NFCStr = Field(min_length=1)
    transition: TransitionName
    status: Status = Field(description="the status after this transition")
    note: NFCStr = ""
    field: str | None = Field(default=None, description="amend/reassign: the field changed, e.g. actions/CA-1/owner")
    old: NFCStr | None = Field(default=None, description="amend/reassign: the value before")
    new: NFCStr | None = Field(default=None, description="amend/reassign: the value after")
    reason: NFCStr | None = Field(default=None, description="amend/reassign: why the value was changed")
    seal: Annotated[str, Field(pattern=SEAL_PATTERN)] | None = Field(
        default=None, description="a step that left the record closed or rejected: the digest of the record as "
                                  "this step left it (sha256 of its content), so a later hand edit shows")

    @field_validator("at", "recorded_at")
    @classmethod
    def _aware(cls, value: dt.datetime | None) -> dt.datetime | None:
        return value.replace(tzinfo=VN_TZ) if value is not None and value.tzinfo is None else value

    @model_validator(mode="after")
    def _dated(self) -> HistoryEntry:
        if self.at is None and self.date is None:
            raise ValueError(_("a history entry needs `date:` (the day the step happened)"))
        return self

    @property
    def day(self) -> dt.date:
        """The day the step happened."""
        if self.date is not None:
            return self.date
        assert self.at is not None  # guaranteed by the validator
        return self.at.date()

    @property
    def day_key(self) -> str:
        """The field that holds :attr:`day` (``date``, or ``at`` in entries of earlier versions)."""
        return "date" if self.date is not None else "at"

    def before(self, other: HistoryEntry) -> bool:
        """Whether this entry is earlier than ``other``: by day, then by the moments both record."""
        if self.day != other.day:
            return self.day < other.day
        if self.at is not None and other.at is not None:
            return self.at < other.at
        if self.recorded_at is not None and other.recorded_at is not None:
            return self.recorded_at < other.recorded_at
        return False


class Correction(Strict):
    """10.2.1 a): what was done to control and correct the nonconformity and deal with consequences."""

    description: NFCStr = Field(min_length=1)
    by: NFCStr = ""
    date: dt.date


class CauseAnalysis(Strict):
    """10.2.1 b): the root cause (5-why or fishbone) and the search for similar nonconformities."""

    method: Literal["five_why", "fishbone"]
    whys: list[NFCStr] = Field(default_factory=list, description="5-why chain, first why first")
    fishbone: dict[FishboneCategory, list[NFCStr]] = Field(default_factory=dict)
    root_cause: NFCStr = Field(min_length=1)
    similar: NFCStr = Field(min_length=1, description="where similar nonconformities were looked for, and result")
    similar_ncs: list[NcId] = Field(default_factory=list)
    by: NFCStr = ""
    date: dt.date

    @model_validator(mode="after")
    def _method_filled(self) -> CauseAnalysis:
        if self.method == "five_why" and not any(w.strip() for w in self.whys):
            raise ValueError(_("a 5-why analysis needs `whys:` (at least one why)"))
        if self.method == "fishbone" and not any(any(i.strip() for i in v) for v in self.fishbone.values()):
            raise ValueError(_("a fishbone analysis needs `fishbone:` causes under at least one category"))
        return self


class CorrectiveAction(Strict):
    """10.2.1 c): one corrective action with an owner and a due date."""

    id: Annotated[str, Field(pattern=ACTION_ID_PATTERN)]
    description: NFCStr = Field(min_length=1)
    owner: NFCStr = Field(min_length=1)
    due: dt.date
    done: dt.date | None = None


class EffectivenessReview(Strict):
    """10.2.1 d): evidence that the corrective action worked (or did not)."""

    date: dt.date
    by: NFCStr = ""
    evidence: NFCStr = Field(min_length=1)
    effective: bool
    note: NFCStr = ""


class Nonconformity(Strict):
    """``records/nonconformities/NC-YYYY-NNNN.yaml``."""

    id: NcId
    title: Text
    description: Text
    source: Source
    severity: NcSeverity
    process: Identifier
    clause: str | None = None
    audit: AuditId | None = None
    finding: NFCStr | None = None
    evidence: NFCStr | None = None
    raised_by: NFCStr = Field(min_length=1)
    raised_on: dt.date
    status: Status
    correction: Correction | None = None
    cause: CauseAnalysis | None = None
    previous_analyses: list[CauseAnalysis] = Field(
        default_factory=list, description="analyses superseded after an ineffective review, oldest first")
    actions: list[CorrectiveAction] = Field(default_factory=list)
    review_due: dt.date | None = Field(default=None, description="when the effectiveness review is due")
    reviews: list[EffectivenessReview] = Field(default_factory=list)
    risk_update: NFCStr | None = Field(default=None, description="10.2.1 e) update to risks and opportunities")
    qms_change: NFCStr | None = Field(default=None, description="10.2.1 f) change to the QMS")
    rejection_reason: NFCStr | None = None
    closed_on: dt.date | None = None
    history: list[HistoryEntry] = Field(default_factory=list)

    @property
    def year(self) -> int:
        return int(self.id.split("-")[1])

    @property
    def number(self) -> int:
        return int(self.id.split("-")[2])

    def pending_actions(self) -> list[CorrectiveAction]:
        return [a for a in self.actions if a.done is None]

    def analysis_rounds(self) -> list[AnalysisRound]:
        """Every cause analysis, oldest first, with the actions planned and the reviews made after it.

        The history says which: each ``plan`` entry added the next action and each ``verify`` entry the
        next review, and they belong to the last ``analyse`` before them. Actions or reviews the history
        does not account for (a record written by hand) go to the latest analysis.
        """
        analyses = [*self.previous_analyses, *([self.cause] if self.cause is not None else [])]
        if not analyses:
            return []
        rounds = [AnalysisRound(a, [], [], superseded=i < len(analyses) - 1) for i, a in enumerate(analyses)]
        k, n_actions, n_reviews = 0, 0, 0
        for entry in self.history:
            current = rounds[min(max(k - 1, 0), len(rounds) - 1)]
            if entry.transition == "analyse":
                k += 1
            elif entry.transition == "plan" and n_actions < len(self.actions):
                current.actions.append(self.actions[n_actions])
                n_actions += 1
            elif entry.transition == "verify" and n_reviews < len(self.reviews):
                current.reviews.append(self.reviews[n_reviews])
                n_reviews += 1
        rounds[-1].actions.extend(self.actions[n_actions:])
        rounds[-1].reviews.extend(self.reviews[n_reviews:])
        return rounds


def content_seal(nc: Nonconformity) -> str:
    """The digest that seals a closed or rejected record: SHA-256 of its content as the model reads it
    (layout, quoting and comments do not count), leaving out the seal of its last history entry."""
    data = nc.model_dump(mode="json", exclude_none=True)
    if data.get("history"):
        data["history"][-1].pop("seal", None)
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def apply_seal(nc: Nonconformity) -> Nonconformity:
    """``nc`` with its last history entry sealed when the record is closed or rejected (in place)."""
    if nc.status in FINAL_STATUSES and nc.history:
        nc.history[-1].seal = None
        nc.history[-1].seal = content_seal(nc)
    return nc


SealState = Literal["unsealed", "intact", "changed", "unsealed_step"]


def seal_state(nc: Nonconformity) -> SealState:
    """Whether a closed or rejected record is as the step that sealed it left it.

    ``unsealed``: not closed or rejected, or closed before qms sealed records; ``intact``: the last entry's
    seal matches; ``changed``: it does not (the content was edited since); ``unsealed_step``: earlier
    entries are sealed but the last is not (a step added or a seal removed by hand).
    """
    if nc.status not in FINAL_STATUSES or not nc.history:
        return "unsealed"
    last = nc.history[-1]
    if last.seal is not None:
        return "intact" if last.seal == content_seal(nc) else "changed"
    return "unsealed_step" if any(h.seal for h in nc.history) else "unsealed"


def seal_problem(nc: Nonconformity, path: str) -> tuple[str, str] | None:
    """Message and hint when the closed or rejected record ``nc`` (in file ``path``) was changed after the
    step that sealed it (rule QMS513), else None."""
    state = seal_state(nc)
    if state == "unsealed_step":
        message = _("{id} is `{status}` but its last history step carries no seal, although earlier steps do: "
                    "the history was edited by hand after the record was sealed").format(id=nc.id, status=nc.status)
    elif state == "changed":
        message = _("{id} is `{status}` but its content no longer matches the seal of its last step ({date}): "
                    "the file was edited by hand after that").format(
            id=nc.id, status=nc.status, date=format_date(nc.history[-1].day))
    else:
        return None
    hint = _("closed records are evidence and are never rewritten silently: restore the sealed version from git "
             "(`git log -p -- {path}` shows the edit) and correct it with `qms nc amend`, or reopen the record "
             "with `qms nc reopen {id} --reason TEXT`").format(path=path, id=nc.id)
    return message, hint


@dataclass(slots=True)
class AnalysisRound:
    """One cause analysis with the corrective actions it produced and the reviews of them."""

    analysis: CauseAnalysis
    actions: list[CorrectiveAction]
    reviews: list[EffectivenessReview]
    superseded: bool = False
