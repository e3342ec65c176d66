"""A record of a self-announcement: ``records/announcements/CB-YYYY-NN.yaml``.

An agency announces that its quality system conforms to TCVN ISO 9001 (công bố hệ thống quản lý chất
lượng phù hợp TCVN ISO 9001) and announces again when it changes the scope of the system
(QĐ 19/2014/QĐ-TTg, Art. 4(4)(c)). ``qms announce`` writes this record with a fingerprint (SHA-256
over a canonical form) of what was announced: the scope, the applicability of the standard's clauses
(exclusions) and the process list, and each part's own fingerprint, so that ``qms check`` (QMS157)
can tell which part changed since.
"""

from __future__ import annotations

import datetime as dt

from pydantic import ConfigDict, Field

from qms.models.common import Identifier, NFCStr, Strict

ANNOUNCEMENT_ID_PATTERN = r"^CB-\d{4}-\d{2,}$"
SHA256_PATTERN = r"^[0-9a-f]{64}$"


class AnnouncedParts(Strict):
    """The SHA-256 fingerprint of each announced part, over its canonical form."""

    scope: str = Field(pattern=SHA256_PATTERN, description="scope.statement and scope.sites")
    applicability: str = Field(pattern=SHA256_PATTERN, description="scope.applicability, by clause")
    processes: str = Field(pattern=SHA256_PATTERN, description="the sorted ids of processes/")


class Announcement(Strict):
    """``records/announcements/CB-YYYY-NN.yaml``: one self-announcement of conformity to TCVN ISO 9001."""

    model_config = ConfigDict(title="Announcement")

    id: str = Field(pattern=ANNOUNCEMENT_ID_PATTERN, description="CB-YYYY-NN")
    date: dt.date = Field(description="Day of the announcement")
    by: NFCStr = Field(min_length=1, description="Who announced (a person id or a name)")
    note: NFCStr = ""
    recorded_at: dt.datetime | None = Field(default=None, description="When the record was written")
    standard: NFCStr = Field(default="TCVN ISO 9001:2015", description="The standard announced against")
    fingerprint: str = Field(pattern=SHA256_PATTERN, description="SHA-256 over scope, applicability and processes")
    parts: AnnouncedParts
    processes: list[Identifier] = Field(default_factory=list, description="The process ids announced")
