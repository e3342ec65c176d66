"""Dossier-processing KPIs: on-time rate of administrative procedures from one-stop logs."""

from __future__ import annotations

from qms.kpi.classify import (
    CATEGORIES,
    GROUPINGS,
    Classifier,
    Counts,
    Duplicate,
    KpiResult,
    RejectedRow,
    classify,
    is_excluded_status,
    iter_rows_of,
    parse_period,
)
from qms.kpi.report import TargetCheck, check_target, to_csv, to_dict, to_json, to_text

__all__ = [
    "CATEGORIES",
    "GROUPINGS",
    "Classifier",
    "Counts",
    "Duplicate",
    "KpiResult",
    "RejectedRow",
    "TargetCheck",
    "check_target",
    "classify",
    "is_excluded_status",
    "iter_rows_of",
    "parse_period",
    "to_csv",
    "to_dict",
    "to_json",
    "to_text",
]
