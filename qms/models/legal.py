"""The register of legal references (``legal/register.yaml``) and the ``legal:`` settings of qms.yaml.

One entry per legal document the procedures cite: its number and symbol (số ký hiệu), kind, bilingual
title, issuer, dates, status, the documents that amend or replace it (each from a date), and an evidence
tag saying how the facts were verified, like the tags of the reference data. Citations are matched in a
canonical form by ``qms.legal``.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import ConfigDict, Field, model_validator

from qms.i18n import _
from qms.models.common import NFCStr, Strict, Text

LegalKind = Literal["constitution", "code", "law", "ordinance", "resolution", "decree", "decision", "tthc_list",
                    "circular", "joint_circular", "directive", "official_letter", "standard", "other"]
LegalStatus = Literal["in_force", "amended", "superseded", "expired"]
#: How a fact was verified, from strongest to weakest: the official text or gazette, the official legal
#: codification (Bộ pháp điển), a legal database or the national press, two independent secondary
#: sources, recalled from memory, not verified.
Evidence = Literal["official", "codified", "secondary", "two_sources", "recalled", "to_confirm"]
VERIFIED_EVIDENCE: frozenset[str] = frozenset({"official", "codified", "secondary"})


class LegalLink(Strict):
    """A change made to the document by another one, from a date."""

    document: NFCStr = Field(description="Number and symbol of the amending or replacing document, "
                                         "e.g. '118/2025/NĐ-CP'")
    from_: dt.date | None = Field(default=None, alias="from",
                                  description="Day the change takes effect (default: the other document's "
                                              "in-force date)")
    part: NFCStr = Field(default="", description="The part concerned, e.g. 'khoản 9 Điều 1'")
    repeal: bool = Field(default=False, description="The change repeals (bãi bỏ) the part instead of amending it")
    evidence: Evidence = "to_confirm"
    note: Text | None = None

    model_config = ConfigDict(extra="forbid", populate_by_name=True, defer_build=True)


class LegalDocument(Strict):
    """One legal document (văn bản), standard or other referenced text."""

    number: NFCStr = Field(min_length=1, description="Number and symbol (số ký hiệu), e.g. '61/2018/NĐ-CP', "
                                                    "'60/2014/QH13', 'TCVN ISO 9001:2015'")
    kind: LegalKind
    title: Text
    issuer: Text | None = None
    issued: dt.date | None = Field(default=None, description="Date of issue (ngày ban hành)")
    in_force: dt.date | None = Field(default=None, description="Date of entry into force (ngày có hiệu lực)")
    status: LegalStatus = "in_force"
    expired_on: dt.date | None = Field(default=None, description="Last day in force, for status expired")
    superseded_by: list[LegalLink] = Field(default_factory=list, description="Documents that replace it")
    amended_by: list[LegalLink] = Field(default_factory=list, description="Documents that amend or partly "
                                                                           "repeal it")
    aliases: list[NFCStr] = Field(default_factory=list, description="Other ways procedures cite it, e.g. "
                                                                    "'Luật Hộ tịch 2014'")
    evidence: Evidence = Field(description="How the facts of this entry were verified")
    source: NFCStr = Field(default="", description="Where they were verified (a name, never a local path)")
    note: Text | None = None

    @model_validator(mode="after")
    def _dates(self) -> LegalDocument:
        if self.issued is not None and self.in_force is not None and self.in_force < self.issued:
            raise ValueError(_("`in_force` ({in_force}) is before `issued` ({issued})").format(
                in_force=self.in_force.isoformat(), issued=self.issued.isoformat()))
        return self


class LegalRegister(Strict):
    """``legal/register.yaml``: the legal documents the procedures cite."""

    documents: list[LegalDocument] = Field(default_factory=list)


class LegalSettings(Strict):
    """The ``legal:`` section of qms.yaml."""

    update_period_months: int = Field(
        default=3, ge=1, le=24,
        description="Months after a new or amending legal document takes effect within which the procedures "
                    "citing it must be updated (QĐ 19/2014/QĐ-TTg, Art. 4(4)(a): three months)")
    basis: NFCStr = Field(default="QĐ 19/2014/QĐ-TTg, Điều 4 khoản 4 điểm a",
                          description="The source of the update period")
