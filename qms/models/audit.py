"""Internal audit (ISO 9001:2015 9.2, ISO 19011:2018): the yearly programme and one file per audit.

``audits/programme-YYYY.yaml`` is the audit programme (9.2.2 a); ``audits/AUD-YYYY-NN.yaml`` is one
audit with its plan, checklist, fieldwork results, findings and report.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from qms.i18n import _
from qms.models.common import Identifier, NFCStr, Strict, Text

AuditState = Literal["planned", "in_progress", "reported", "closed"]
ItemResult = Literal["conforming", "nonconforming", "observation", "not_audited"]
FindingGrade = Literal["major", "minor", "observation", "ofi"]

AUDIT_ID_PATTERN = r"^AUD-\d{4}-\d{2,3}$"
NONCONFORMITY_GRADES: tuple[str, ...] = ("major", "minor")

# Allowed state changes; anything else is refused (exit 1, nothing written).
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "planned": ("in_progress",),
    "in_progress": ("reported",),
    "reported": ("closed",),
    "closed": (),
}


class ProgrammeAudit(Strict):
    """One planned audit of the programme."""

    id: NFCStr = Field(default="", description="Audit id once planned, e.g. AUD-2027-01")
    processes: list[Identifier] = Field(default_factory=list)
    clauses: list[NFCStr] = Field(
        default_factory=list,
        description="Clauses audited in addition to those the processes address (system-level clauses)",
    )
    month: int = Field(ge=1, le=12)
    auditors: list[Identifier] = Field(default_factory=list, description="Person ids; the first leads")
    reason: NFCStr = ""

    @model_validator(mode="after")
    def _something(self) -> ProgrammeAudit:
        if not self.processes and not self.clauses:
            raise ValueError(_("an audit needs `processes` or `clauses`"))
        return self


class AuditProgramme(Strict):
    """``audits/programme-YYYY.yaml``."""

    year: int = Field(ge=2000, le=2100)
    cycle_months: int = Field(default=12, ge=1, le=12, description="Every process is audited within this many months")
    prepared: dt.date | None = None
    prepared_by: NFCStr = ""
    approved_by: NFCStr = ""
    audits: list[ProgrammeAudit] = Field(default_factory=list)


class AgendaItem(Strict):
    time: NFCStr = Field(description="e.g. '08:00-08:30' or '2026-03-10 08:00'")
    activity: Text
    who: list[Identifier] = Field(default_factory=list)


class AuditPlan(Strict):
    """The audit plan (ISO 19011:2018 6.3.2): objectives, scope, criteria, date, team, agenda."""

    objectives: Text | None = None
    scope: Text
    processes: list[Identifier] = Field(default_factory=list)
    clauses: list[NFCStr] = Field(default_factory=list, description="Clauses audited beyond the processes' own")
    criteria: list[Text] = Field(default_factory=list)
    date: dt.date
    end_date: dt.date | None = None
    location: Text | None = None
    lead: Identifier = Field(description="Lead auditor (person id)")
    team: list[Identifier] = Field(default_factory=list, description="Other auditors (person ids)")
    auditees: list[Identifier] = Field(default_factory=list, description="Person, role or unit ids")
    agenda: list[AgendaItem] = Field(default_factory=list)

    @field_validator("end_date")
    @classmethod
    def _ends_after_start(cls, end: dt.date | None, info: ValidationInfo) -> dt.date | None:
        start = info.data.get("date")
        if end is not None and isinstance(start, dt.date) and end < start:
            raise ValueError(_("`end_date` {end} is before the audit `date` {start}; the last day comes on or "
                               "after the first").format(end=end.isoformat(), start=start.isoformat()))
        return end

    @property
    def last_day(self) -> dt.date:
        return self.end_date or self.date

    @property
    def auditors(self) -> list[str]:
        return [self.lead, *[t for t in self.team if t != self.lead]]


class ChecklistItem(Strict):
    """A checklist question and, after fieldwork, its result and evidence."""

    id: Identifier
    clause: NFCStr = ""
    process: Identifier | None = None
    source: NFCStr = Field(default="", description="What the question was generated from, e.g. steps/B3")
    question: Text
    result: ItemResult | None = None
    evidence: NFCStr = ""
    auditor: Identifier | None = None
    date: dt.date | None = None


class Finding(Strict):
    """A graded audit finding; a major or minor one is linked to a nonconformity record."""

    id: Identifier
    grade: FindingGrade
    statement: Text
    clause: NFCStr = ""
    process: Identifier | None = None
    evidence: NFCStr = ""
    item: Identifier | None = Field(default=None, description="Checklist item id")
    nc: NFCStr = Field(default="", description="Nonconformity id in records/nonconformities/")
    raised_by: Identifier | None = None
    date: dt.date | None = None

    @field_validator("nc")
    @classmethod
    def _nc_id(cls, value: str) -> str:
        if value and not re.fullmatch(r"NC-\d{4}-\d{4}", value):
            raise ValueError(_("`{value}` is not a nonconformity id such as NC-2026-0001").format(value=value))
        return value

    @property
    def is_nonconformity(self) -> bool:
        return self.grade in NONCONFORMITY_GRADES


class AuditReport(Strict):
    issued: dt.date
    by: Identifier
    summary: Text
    conclusions: Text
    distribution: list[Identifier] = Field(default_factory=list)


class StateChange(Strict):
    state: AuditState
    date: dt.date = Field(description="the day the change happened")
    recorded_at: dt.datetime | None = Field(default=None, description="when the entry was written, with time zone")
    by: NFCStr = ""
    note: NFCStr = Field(default="", description="e.g. audit roles handed to a successor (state kept)")


class Audit(Strict):
    """``audits/AUD-YYYY-NN.yaml``: one internal audit."""

    id: NFCStr = Field(pattern=AUDIT_ID_PATTERN)
    state: AuditState = "planned"
    programme: int | None = Field(default=None, description="Year of the programme this audit belongs to")
    plan: AuditPlan
    checklist: list[ChecklistItem] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)
    report: AuditReport | None = None
    closed: dt.date | None = None
    history: list[StateChange] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> Audit:
        if self.state in ("reported", "closed") and self.report is None:
            raise ValueError(_("an audit in state `{state}` needs a `report`").format(state=self.state))
        if self.state == "closed" and self.closed is None:
            raise ValueError(_("a closed audit needs the `closed` date"))
        return self

    @property
    def year(self) -> int:
        return int(self.id.split("-")[1])

    def item(self, item_id: str) -> ChecklistItem | None:
        return next((i for i in self.checklist if i.id == item_id), None)

    def finding(self, finding_id: str) -> Finding | None:
        return next((f for f in self.findings if f.id == finding_id), None)
