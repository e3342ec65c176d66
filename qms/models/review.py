"""A management review record (ISO 9001:2015 9.3): ``records/reviews/MR-YYYY-NN.yaml``.

The inputs (9.3.2) are summarised one by one; the outputs (9.3.3) are actions, each with an
owner, a due date and a status, so that the next review can report on them (9.3.2 a).
``owner`` and ``due`` are optional in the schema so that ``qms check`` can point at the
missing one (QMS701) instead of refusing the whole file.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import ConfigDict, Field

from qms.models.common import Identifier, NFCStr, Strict, Text

REVIEW_ID_PATTERN = r"^MR-\d{4}-\d{2,}$"
ActionStatus = Literal["open", "in_progress", "done", "cancelled"]

#: The inputs of 9.3.2, in the order of the standard: key -> clause.
INPUTS: dict[str, str] = {
    "previous_actions": "9.3.2 a",
    "context_changes": "9.3.2 b",
    "customer_satisfaction": "9.3.2 c 1",
    "objectives": "9.3.2 c 2",
    "process_performance": "9.3.2 c 3",
    "nonconformities": "9.3.2 c 4",
    "monitoring": "9.3.2 c 5",
    "audit_results": "9.3.2 c 6",
    "external_providers": "9.3.2 c 7",
    "resources": "9.3.2 d",
    "risk_actions": "9.3.2 e",
    "improvement_opportunities": "9.3.2 f",
}

#: The output kinds of 9.3.3.
OUTPUTS: dict[str, str] = {
    "improvements": "9.3.3 a",
    "qms_changes": "9.3.3 b",
    "resource_needs": "9.3.3 c",
}


class ReviewPeriod(Strict):
    start: dt.date = Field(alias="from")
    end: dt.date = Field(alias="to")

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class ReviewInput(Strict):
    """What the review considered for one input of 9.3.2, and where the evidence is."""

    summary: Text
    refs: list[NFCStr] = Field(default_factory=list, description="Files, NC ids, audit ids, report names")


class ReviewInputs(Strict):
    previous_actions: ReviewInput | None = None
    context_changes: ReviewInput | None = None
    customer_satisfaction: ReviewInput | None = None
    objectives: ReviewInput | None = None
    process_performance: ReviewInput | None = None
    nonconformities: ReviewInput | None = None
    monitoring: ReviewInput | None = None
    audit_results: ReviewInput | None = None
    external_providers: ReviewInput | None = None
    resources: ReviewInput | None = None
    risk_actions: ReviewInput | None = None
    improvement_opportunities: ReviewInput | None = None


class ReviewAction(Strict):
    """A decision or action of the review (9.3.3)."""

    id: Identifier
    description: Text
    owner: Identifier | None = Field(default=None, description="Person or role id")
    due: dt.date | None = None
    status: ActionStatus = "open"
    done: dt.date | None = None
    note: Text | None = None


class ReviewOutputs(Strict):
    improvements: list[ReviewAction] = Field(default_factory=list, description="9.3.3 a")
    qms_changes: list[ReviewAction] = Field(default_factory=list, description="9.3.3 b")
    resource_needs: list[ReviewAction] = Field(default_factory=list, description="9.3.3 c")

    def actions(self) -> list[tuple[str, int, ReviewAction]]:
        """(output kind, index, action) for every action."""
        out = []
        for kind in OUTPUTS:
            for i, action in enumerate(getattr(self, kind)):
                out.append((kind, i, action))
        return out


class ManagementReview(Strict):
    """``records/reviews/MR-YYYY-NN.yaml``."""

    id: NFCStr = Field(pattern=REVIEW_ID_PATTERN)
    date: dt.date = Field(description="the day of the review meeting")
    recorded_at: dt.datetime | None = Field(default=None, description="when the record was created, with time zone")
    chair: Identifier = Field(description="Person id of top management chairing the review")
    attendees: list[Identifier] = Field(default_factory=list, description="Person ids")
    period: ReviewPeriod
    previous: NFCStr | None = Field(default=None, description="Id of the previous review")
    inputs: ReviewInputs = Field(default_factory=ReviewInputs)
    outputs: ReviewOutputs = Field(default_factory=ReviewOutputs)
    conclusion: Text | None = Field(default=None, description="Suitability, adequacy and effectiveness of the QMS")
    minutes: NFCStr = Field(default="", description="Reference of the signed minutes (biên bản)")
