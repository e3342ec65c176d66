"""A process or procedure (ISO 9001:2015 4.4), including administrative-procedure fields."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from qms.i18n import _
from qms.models.common import (
    DocumentControl,
    Duration,
    Identifier,
    InternalNote,
    NFCStr,
    Retention,
    Strict,
    Text,
    parse_retention_text,
)


class Reference(Strict):
    """A referenced document; ``legal_basis`` marks the legal grounds of the procedure."""

    id: NFCStr = Field(description="Document number, e.g. 'Luật Hộ tịch 2014' or 'NĐ 123/2015/NĐ-CP'")
    title: Text | None = None
    legal_basis: bool = False
    url: NFCStr = ""


class Branch(Strict):
    label: Text
    next: Identifier


class Decision(Strict):
    question: Text
    branches: list[Branch] = Field(min_length=1)


class Step(Strict):
    id: Identifier
    name: Text
    kind: Literal["start", "task", "decision", "handover", "end"] = "task"
    responsible: Identifier | None = Field(default=None, description="Role or unit id")
    duration: Duration | None = None
    description: Text | None = None
    forms: list[NFCStr] = Field(default_factory=list, description="Form codes used")
    records: list[NFCStr] = Field(default_factory=list, description="Record codes produced")
    outputs: list[Text] = Field(default_factory=list)
    next: list[Identifier] = Field(default_factory=list)
    parallel: bool = Field(
        default=False,
        description="The step forks into parallel work: every `next` step is done (in any interleaving). "
                    "Without it, several `next` steps are alternatives (one of them is done)")
    decision: Decision | None = None
    at_one_stop_desk: bool = False
    handover_to: Identifier | None = Field(default=None, description="Participating agency id")
    handover_from: Identifier | None = Field(default=None, description="Participating agency id")

    @model_validator(mode="after")
    def _decision_shape(self) -> Step:
        if self.decision is not None and self.next:
            raise ValueError(_("a step has either `next` or `decision`, not both"))
        return self

    def successors(self) -> list[str]:
        if self.decision is not None:
            return [b.next for b in self.decision.branches]
        return list(self.next)


class DossierItem(Strict):
    name: Text
    copies: int = Field(default=1, ge=1)
    form: Literal["original", "copy", "certified_copy", "original_or_copy", "show_original"] = "original"
    note: Text | None = None


class Agency(Strict):
    id: Identifier
    name: Text


class Fee(Strict):
    amount_vnd: int | None = Field(default=None, ge=0)
    text: Text | None = None

    @model_validator(mode="after")
    def _something(self) -> Fee:
        if self.amount_vnd is None and self.text is None:
            raise ValueError(_("give `amount_vnd` or `text` (e.g. 'Miễn phí / Free of charge')"))
        return self


_HHMM = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*$")


def parse_hhmm(text: str) -> dt.time | None:
    """``HH:MM`` as a time of day; None when it is not one."""
    m = _HHMM.match(text)
    if m is None or int(m.group(1)) > 23 or int(m.group(2)) > 59:
        return None
    return dt.time(int(m.group(1)), int(m.group(2)))


class Administrative(Strict):
    """Fields of a Vietnamese administrative procedure (thủ tục hành chính)."""

    code: NFCStr = Field(default="", description="National procedure code, e.g. 1.001193")
    level: Literal["commune", "district", "province"] = "commune"
    mechanism: Literal["none", "one_stop", "interconnected"] = "one_stop"
    time_limit: Duration = Field(description="Legal time limit (thời hạn giải quyết)")
    time_limit_note: Text | None = None
    fee: Fee | None = None
    dossier: list[DossierItem] = Field(default_factory=list)
    dossier_sets: int = Field(default=1, ge=1)
    place: Text | None = Field(default=None, description="Place of receipt and return of results")
    agencies: list[Agency] = Field(default_factory=list, description="Participating agencies (liên thông)")
    result: Text | None = None
    regime: NFCStr = Field(default="", description="Legal regime the facts belong to, e.g. '2018 to 30/06/2025' or '2025'")
    cutoff: str | None = Field(
        default=None, description="Cut-off hour (\"15:00\"): a dossier received later counts from the next working "
                                  "day (same-day and short limits)")

    @field_validator("cutoff", mode="before")
    @classmethod
    def _cutoff(cls, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 24 * 60:
            value = f"{value // 60:02d}:{value % 60:02d}"  # YAML 1.1 reads 15:00 as 900 (base 60)
        if value is None:
            return None
        if not isinstance(value, str) or parse_hhmm(value) is None:
            raise ValueError(_("cutoff must be a time of day HH:MM, e.g. \"15:00\""))
        return value.strip()

    def cutoff_time(self) -> dt.time | None:
        return parse_hhmm(self.cutoff) if self.cutoff else None


class Form(Strict):
    code: NFCStr
    title: Text
    legal_basis: NFCStr = ""
    note: Text | None = None
    internal_notes: list[InternalNote] = Field(
        default_factory=list, description="Never printed in an issued document (e.g. verification status)")


class RecordSpec(Strict):
    code: NFCStr
    title: Text
    retention: Retention | NFCStr = Field(
        description="permanent, until_superseded, {years: N}, {months: N} (optionally with after: EVENT); "
                    "free text such as '5 years' is the old form")
    location: Text
    responsible: Identifier | None = None

    @field_validator("retention", mode="before")
    @classmethod
    def _keyword(cls, value: Any) -> Any:
        if isinstance(value, str) and value.strip() in ("permanent", "until_superseded"):
            return {value.strip(): True}
        return value

    def retention_text(self, lang: str) -> str:
        """The retention in ``lang``; an old free text is read where it can be, else shown as written."""
        if isinstance(self.retention, Retention):
            return self.retention.text(lang)
        parsed = parse_retention_text(self.retention)
        return parsed[0].text(lang) if parsed is not None else self.retention


class KPI(Strict):
    id: Identifier
    name: Text
    formula: Text | None = None
    target: NFCStr = Field(description="e.g. '>= 98%'")
    frequency: Literal["daily", "weekly", "monthly", "quarterly", "yearly"] = "monthly"
    objective: Identifier | None = None
    responsible: Identifier | None = None


class Risk(Strict):
    id: Identifier
    kind: Literal["risk", "opportunity"] = "risk"
    description: Text
    likelihood: int = Field(ge=1, le=5)
    impact: int = Field(ge=1, le=5)
    treatment: Text | None = None
    owner: Identifier | None = None
    review_date: NFCStr = ""

    @property
    def score(self) -> int:
        return self.likelihood * self.impact


class Resource(Strict):
    kind: Literal["people", "infrastructure", "environment", "monitoring", "knowledge", "information"] = "people"
    description: Text


class Definition(Strict):
    term: NFCStr
    meaning: Text


class Interaction(Strict):
    """A directed interaction: this process sends ``what`` to process ``to`` (4.4.1 b)."""

    to: Identifier = Field(description="The receiving process id")
    what: Text | None = Field(default=None, description="What passes, e.g. 'dossier data', 'complaints'")


class ProposedRole(Strict):
    """A role a draft names that qms.yaml does not have yet (``qms import`` proposes it from the Word text):
    documents print its title where the draft uses its id, until it is added to qms.yaml or mapped."""

    id: Identifier
    title: Text


class Process(Strict):
    id: Identifier
    title: Text
    kind: Literal["management", "core", "support"]
    owner: Identifier = Field(description="Owner role id")
    unit: Identifier = Field(description="Responsible unit id")
    purpose: Text
    scope: Text
    references: list[Reference] = Field(default_factory=list)
    definitions: list[Definition] = Field(default_factory=list)
    clauses: list[NFCStr] = Field(default_factory=list, description="ISO 9001:2015 clauses addressed")
    inputs: list[Text] = Field(default_factory=list)
    outputs: list[Text] = Field(default_factory=list)
    interactions: list[Interaction | Identifier] = Field(
        default_factory=list,
        description="Directed: [{to: PROCESS, what: ...}]; a bare process id is the old, undirected form")
    administrative: Administrative | None = None
    steps: list[Step] = Field(default_factory=list)
    forms: list[Form] = Field(default_factory=list)
    records: list[RecordSpec] = Field(default_factory=list)
    kpis: list[KPI] = Field(default_factory=list)
    risks: list[Risk] = Field(default_factory=list)
    resources: list[Resource] = Field(default_factory=list)
    evaluation: Text | None = Field(default=None, description="How the process is monitored and evaluated")
    document: DocumentControl
    proposed_roles: list[ProposedRole] = Field(
        default_factory=list,
        description="Roles the draft names that qms.yaml does not have yet (written by `qms import`): "
                    "documents print their title; `qms check` still reports them until they are added")
    internal_notes: list[InternalNote] = Field(
        default_factory=list,
        description="Verification status, research and drafting remarks: never printed in an issued "
                    "document, shown only with `qms render --drafts`")

    def interaction_targets(self) -> list[str]:
        """The ids of the processes this one interacts with, in both forms (directed and old undirected)."""
        return [i.to if isinstance(i, Interaction) else i for i in self.interactions]

    def step(self, step_id: str) -> Step | None:
        for s in self.steps:
            if s.id == step_id:
                return s
        return None
