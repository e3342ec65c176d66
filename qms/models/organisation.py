"""The repository manifest ``qms.yaml``: organisation, context (4.1, 4.2), scope (4.3),
policy (5.2), objectives (6.2), document-code scheme, calendar and check configuration."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, field_validator

from qms.calendar.settings import CalendarSettings
from qms.i18n import _
from qms.models.common import DocumentControl, Identifier, InternalNote, NFCStr, Strict, Text
from qms.models.legal import LegalSettings
from qms.models.process import Form, RecordSpec
from qms.standards.editions import declarable_standards


class Unit(Strict):
    id: Identifier
    name: Text
    parent: Identifier | None = None
    one_stop_desk: bool = Field(default=False, description="This unit is the one-stop desk (Bộ phận Một cửa)")


class Role(Strict):
    id: Identifier
    title: Text
    unit: Identifier | None = None
    responsibilities: list[Text] = Field(default_factory=list)
    authorities: list[Text] = Field(default_factory=list)


class Person(Strict):
    id: Identifier
    name: NFCStr
    role: Identifier
    unit: Identifier | None = None
    auditor: bool = False


class Organisation(Strict):
    name: Text
    short_name: Text | None = None
    address: Text | None = None
    default_language: Literal["vi", "en"] = "vi"
    logo: NFCStr | None = Field(
        default=None, pattern=r"^[A-Za-z0-9_][A-Za-z0-9_./-]*\.(?:png|jpe?g|svg)$",
        description="The agency's logo for the page header: a PNG, JPEG or SVG file inside the repository "
                    "(relative path, e.g. assets/logo.png)")
    units: list[Unit] = Field(default_factory=list)
    roles: list[Role] = Field(default_factory=list)
    people: list[Person] = Field(default_factory=list)

    @field_validator("logo")
    @classmethod
    def _inside(cls, value: str | None) -> str | None:
        if value is not None and ".." in value.split("/"):
            raise ValueError(_("the logo must be a file inside the repository, without '..'"))
        return value


class ContextIssue(Strict):
    id: Identifier
    kind: Literal["internal", "external"]
    description: Text
    monitored_by: Identifier | None = None


class InterestedParty(Strict):
    id: Identifier
    name: Text
    needs: Text
    monitored_by: Identifier | None = None


class ContextDecision(Strict):
    """A decision about the context that the declared standard asks to record (qms.yaml ``context:``),
    e.g. ``climate_change`` (ISO 9001:2015/Amd 1:2024, 4.1): is climate change a relevant issue?"""

    relevant: bool = Field(description="The decision: the matter is a relevant issue for the organisation")
    rationale: Text = Field(description="Why (and, when relevant, where it is handled: a context issue, a risk)")
    decided: date | None = Field(default=None, description="When the decision was taken or last reviewed")


def _known_standard(value: str) -> str:
    known = declarable_standards()
    folded = {"".join(k.split()).casefold(): k for k in known}
    match = folded.get("".join(value.split()).casefold())
    if match is None:
        shown = value if len(value) <= 60 else value[:60] + "…"
        raise ValueError(_("unknown standard {value!r}; qms knows: {known}").format(value=shown, known=", ".join(known)))
    return match


KnownStandard = Annotated[NFCStr, AfterValidator(_known_standard)]


class Applicability(Strict):
    clause: NFCStr
    applicable: bool
    justification: Text | None = None


class Scope(Strict):
    statement: Text
    sites: list[Text] = Field(default_factory=list)
    applicability: list[Applicability] = Field(default_factory=list)


class Policy(Strict):
    text: Text
    communicated_via: list[Text] = Field(default_factory=list)
    document: DocumentControl | None = None


class ObjectivePlan(Strict):
    """ISO 9001:2015 6.2.2: what, resources, who, when, how results are evaluated."""

    what: Text
    resources: Text
    responsible: Identifier
    due: date | NFCStr
    evaluation: Text


class Objective(Strict):
    id: Identifier
    statement: Text
    measure: NFCStr = Field(description="What is measured, e.g. 'on_time_rate'")
    target: NFCStr = Field(description="e.g. '>= 98%'")
    plan: ObjectivePlan
    kpis: list[Identifier] = Field(default_factory=list)


class DocumentCodes(Strict):
    process_pattern: NFCStr = r"^QT-[A-Z0-9]+(-[A-Z0-9]+)*$"
    form_pattern: NFCStr = r"^BM-[A-Z0-9.-]+$"
    manual_code: NFCStr = "STCL"


class Waiver(Strict):
    code: NFCStr = Field(pattern=r"^QMS\d{3}$")
    subject: NFCStr = Field(default="", description="Subject id (process, step ...) or empty for all")
    path: NFCStr = Field(default="", description="Repository-relative path glob or empty for all")
    reason: NFCStr = Field(min_length=3)
    approver: NFCStr = Field(min_length=2)
    expires: date


class CheckConfig(Strict):
    profile: Literal["iso", "strict"] = "iso"
    select: list[NFCStr] = Field(default_factory=list)
    ignore: list[NFCStr] = Field(default_factory=list)
    severity: dict[str, Literal["error", "warning", "info", "off"]] = Field(default_factory=dict)
    fail_on: Literal["error", "warning", "info", "never"] = "error"
    review_interval_months: int = Field(default=12, ge=1, le=120)
    annual_reading: Literal["calendar_year", "rolling_12_months"] = Field(
        default="rolling_12_months",
        description="How 'at least once a year' (QĐ 19/2014/QĐ-TTg Art. 4(4)(b)) is read for internal audits "
                    "and management reviews: once in each calendar year, or never more than 12 months apart")
    waivers: list[Waiver] = Field(default_factory=list)


class GlossaryEntry(Strict):
    """A term or abbreviation of the organisation's glossary (Định nghĩa / viết tắt).

    ``term`` may differ per language (``{vi: UBND, en: PC}``); each procedure's section
    "Definitions and abbreviations" lists the entries its text uses.
    """

    term: Text
    meaning: Text
    kind: Literal["term", "abbreviation"] = "abbreviation"


class ExternalProvider(Strict):
    id: Identifier
    name: Text
    provides: Text
    evaluated: date | None = None


class Manifest(Strict):
    """``qms.yaml``."""

    standard: KnownStandard = Field(
        default="ISO 9001:2015", json_schema_extra={"enum": list[Any](declarable_standards())},
        description="The standard the system follows: an edition (or amended edition) from qms/standards/data")
    organisation: Organisation
    context_issues: list[ContextIssue] = Field(default_factory=list)
    interested_parties: list[InterestedParty] = Field(default_factory=list)
    context: dict[Identifier, ContextDecision] = Field(
        default_factory=dict, description="Context decisions the standard asks to record, e.g. climate_change "
                                          "(ISO 9001:2015/Amd 1:2024, 4.1)")
    scope: Scope
    policy: Policy
    objectives: list[Objective] = Field(default_factory=list)
    external_providers: list[ExternalProvider] = Field(default_factory=list)
    manual: DocumentControl | None = None
    forms: list[Form] = Field(default_factory=list, description="Organisation-wide forms register")
    document_codes: DocumentCodes = Field(default_factory=DocumentCodes)
    calendar: CalendarSettings = Field(default_factory=CalendarSettings)
    check: CheckConfig = Field(default_factory=CheckConfig)
    glossary: list[GlossaryEntry] = Field(
        default_factory=list, description="Terms and abbreviations used across documents (bilingual)")
    internal_notes: list[InternalNote] = Field(
        default_factory=list, description="Notes on qms.yaml never printed in an issued document")
    legal: LegalSettings = Field(default_factory=LegalSettings, description="Legal-reference register settings")
    kpi_columns: dict[str, str] = Field(default_factory=dict, description="Dossier-log column mapping")
    limits: dict[str, int | str] = Field(
        default_factory=dict,
        description="Lower qms's resource limits for this repository (see docs/security-limits.md); "
                    "values above the limit in force are ignored with a warning")
    # ISO 9001:2008 leftovers, accepted so that the QMS8xx rules can explain their replacement.
    exclusions: list[Any] | None = Field(default=None, description="2008 only; use scope.applicability")
    management_representative: Any = Field(default=None, description="2008 only; use roles (5.3)")


class RecordEntry(RecordSpec):
    process: Identifier | None = None


class RecordRegister(Strict):
    """``records/register.yaml``: records kept across the QMS (ISO 9001:2015 7.5.3)."""

    records: list[RecordEntry] = Field(default_factory=list)
