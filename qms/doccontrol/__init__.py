"""Document control (ISO 9001:2015 7.5.2, 7.5.3): status, revisions, approvals and history via git."""

from qms.doccontrol.catalog import ControlledDoc, collect, next_review, resolve
from qms.doccontrol.history import HistoricalVersion, RevisionInfo, revisions, version_at, watermarked_yaml
from qms.doccontrol.lifecycle import Outcome, approve, revise
from qms.doccontrol.status import StatusRow, status_rows

__all__ = [
    "ControlledDoc",
    "HistoricalVersion",
    "Outcome",
    "RevisionInfo",
    "StatusRow",
    "approve",
    "collect",
    "next_review",
    "resolve",
    "revise",
    "revisions",
    "status_rows",
    "version_at",
    "watermarked_yaml",
]
