"""The columns of a dossier log: defined in :mod:`qms.models.log_columns` (the file layer reads
headers with them, and ``store/`` may not import ``kpi/``); re-exported here for the KPI code."""

from __future__ import annotations

from qms.models.log_columns import (
    CANONICAL,
    PROCEDURE_NAME_SYNONYMS,
    REQUIRED,
    SYNONYMS,
    ColumnMap,
    accepted_headers,
    header_names,
    match_header,
    normalise_header,
    procedure_name_key,
)

__all__ = [
    "CANONICAL",
    "PROCEDURE_NAME_SYNONYMS",
    "REQUIRED",
    "SYNONYMS",
    "ColumnMap",
    "accepted_headers",
    "header_names",
    "match_header",
    "normalise_header",
    "procedure_name_key",
]
