"""Item 5: audit and review records keep the day something happened and, apart from it, the moment
the entry was written; dates of things that happened are never in the future (plans may be)."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import yaml


def qms_proc(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "qms", *args], cwd=root, capture_output=True, text=True,
                          env={**os.environ, "QMS_LANG": "en"}, timeout=120, check=False)


def test_audit_history_records_the_moment_and_refuses_future_fieldwork(agency: Path) -> None:
    """Item 5: audit history entries carry `recorded_at`; `audit record --date` in the future is refused,
    while `audit plan --date` (a plan) may lie in the future."""
    root = agency
    planned = (dt.date.today() + dt.timedelta(days=60))
    while planned.weekday() >= 5:
        planned += dt.timedelta(days=1)
    proc = qms_proc(root, "audit", "plan", "--date", planned.isoformat(), "--process", "QT-01", "--lead", "dung",
                    "--team", "giang", "--today", "2026-02-01")
    assert proc.returncode == 0, proc.stderr
    [path] = list((root / "audits").glob("AUD-*.yaml"))
    audit_id = path.stem
    entry = yaml.safe_load(path.read_text(encoding="utf-8"))["history"][0]
    assert entry["date"] == dt.date(2026, 2, 1)
    assert isinstance(entry["recorded_at"], dt.datetime) and entry["recorded_at"].tzinfo is not None
    future = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    proc = qms_proc(root, "audit", "plan", "--date", planned.isoformat(), "--process", "QT-01", "--lead", "dung",
                    "--team", "giang", "--today", future)
    assert proc.returncode == 2 and "--today" in proc.stderr and "in the future" in proc.stderr, proc.stderr
    assert qms_proc(root, "audit", "checklist", audit_id).returncode == 0
    proc = qms_proc(root, "audit", "record", audit_id, "Q01", "--result", "conforming", "--by", "dung",
                    "--date", future)
    assert proc.returncode == 2 and "in the future" in proc.stderr, proc.stderr


def test_review_meeting_in_the_future_is_refused(agency: Path) -> None:
    """Item 5: `review new --date` records the meeting: a future date needs --allow-future; the record
    keeps the moment it was created (`recorded_at`)."""
    root = agency
    future = (dt.date.today() + dt.timedelta(days=5)).isoformat()
    proc = qms_proc(root, "review", "new", "--period", "2026-01..2026-06", "--date", future)
    assert proc.returncode == 2 and "in the future" in proc.stderr, proc.stderr
    proc = qms_proc(root, "review", "new", "--period", "2026-01..2026-06", "--date", "2026-07-10")
    assert proc.returncode == 0, proc.stderr
    [path] = list((root / "records" / "reviews").glob("MR-*.yaml"))
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["date"] == dt.date(2026, 7, 10)
    assert isinstance(data["recorded_at"], dt.datetime) and data["recorded_at"].tzinfo is not None
