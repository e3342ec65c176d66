"""Register statistics: counts by process, clause, source, month and status; days to close."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from qms.store.nc_store import NcSummary


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0..100) by the nearest-rank method: a value that actually occurred."""
    if not values:
        raise ValueError("percentile of no values")
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass(slots=True)
class NcStats:
    total: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    by_process: dict[str, int] = field(default_factory=dict)
    by_clause: dict[str, int] = field(default_factory=dict)
    by_source: dict[str, int] = field(default_factory=dict)
    by_severity: dict[str, int] = field(default_factory=dict)
    by_month: dict[str, int] = field(default_factory=dict)
    closed: int = 0
    mean_days_to_close: float | None = None
    p90_days_to_close: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "total": self.total, "by_status": self.by_status, "by_process": self.by_process,
            "by_clause": self.by_clause, "by_source": self.by_source, "by_severity": self.by_severity,
            "by_month": self.by_month, "closed": self.closed,
            "mean_days_to_close": self.mean_days_to_close, "p90_days_to_close": self.p90_days_to_close,
        }

    def rows(self) -> list[tuple[str, str, float | int | None]]:
        """(dimension, key, value) rows for CSV."""
        out: list[tuple[str, str, float | int | None]] = [("total", "", self.total), ("closed", "", self.closed)]
        for dim in ("status", "process", "clause", "source", "severity", "month"):
            for key, count in getattr(self, f"by_{dim}").items():
                out.append((dim, key, count))
        out.append(("mean_days_to_close", "", self.mean_days_to_close))
        out.append(("p90_days_to_close", "", self.p90_days_to_close))
        return out


def _sorted(counter: Counter[str]) -> dict[str, int]:
    return dict(sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))


def compute(rows: Sequence[NcSummary]) -> NcStats:
    """Statistics over ``rows``. Days to close are calendar days from ``raised_on`` to ``closed_on``."""
    stats = NcStats(total=len(rows))
    stats.by_status = _sorted(Counter(r.status for r in rows))
    stats.by_process = _sorted(Counter(r.process for r in rows))
    stats.by_clause = _sorted(Counter(r.clause or "-" for r in rows))
    stats.by_source = _sorted(Counter(r.source for r in rows))
    stats.by_severity = _sorted(Counter(r.severity for r in rows))
    stats.by_month = dict(sorted(Counter(r.raised_on[:7] or "-" for r in rows).items()))
    days: list[float] = []
    for r in rows:
        if r.status == "closed" and r.raised_on and r.closed_on:
            days.append(float((dt.date.fromisoformat(r.closed_on) - dt.date.fromisoformat(r.raised_on)).days))
    stats.closed = len(days)
    if days:
        stats.mean_days_to_close = round(sum(days) / len(days), 1)
        stats.p90_days_to_close = percentile(days, 90)
    return stats
