"""The file layer in use: rules judge what the store loaded, and the calendar is read in one place."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from qms.engine import CheckOptions, run_check
from qms.errors import QmsError
from qms.store import calendar as store_calendar
from qms.store.workspace import load_workspace

ROOT = Path(__file__).resolve().parents[2]
CONFLICT = """<<<<<<< HEAD
id: NC-2026-0009
title: ours
=======
id: NC-2026-0009
title: theirs
>>>>>>> other
"""


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A copy of the example organisation at the repository root."""
    out = tmp_path / "org"
    out.mkdir()
    shutil.copy2(ROOT / "qms.yaml", out / "qms.yaml")
    for folder in ("processes", "records", "audits"):
        shutil.copytree(ROOT / folder, out / folder)
    return out


def _codes(report: object, code: str) -> list[str]:
    return [f"{d.location.path}:{d.location.line} {d.message}" for d in report.diagnostics  # type: ignore[attr-defined]
            if d.code == code]


def test_rules_judge_the_loaded_workspace_not_the_files(repo: Path) -> None:
    """Rules never read files at check time: a conflict and the audits folder are judged as loaded,
    even after the files changed on disk (the result cache keys on what was loaded)."""
    nc_dir = repo / "records" / "nonconformities"
    (nc_dir / "NC-2026-0009.yaml").write_text("# a record\n" + CONFLICT, encoding="utf-8")
    ws = load_workspace(repo)
    conflicted = next(d for d in ws.docs if d.path.endswith("NC-2026-0009.yaml"))
    assert conflicted.conflict_line == 2
    assert "AUD-2026-01" in ws.known_audits()
    # the disk changes after loading: the conflict is resolved, the audits are gone
    (nc_dir / "NC-2026-0009.yaml").unlink()
    shutil.rmtree(repo / "audits")
    report = run_check(ws, CheckOptions(select=["QMS509", "QMS507"], today=dt.date(2026, 6, 1)))
    assert _codes(report, "QMS509") == [
        "records/nonconformities/NC-2026-0009.yaml:2 records/nonconformities/NC-2026-0009.yaml holds an "
        "unresolved git merge conflict: two records claim `NC-2026-0009`"]
    assert _codes(report, "QMS507") == [], "the audits listed when the workspace was first asked"


def test_a_file_without_both_markers_is_no_conflict(repo: Path) -> None:
    """Only a start and an end marker together make a conflict (as the register's renumber reads it)."""
    nc_dir = repo / "records" / "nonconformities"
    (nc_dir / "NC-2026-0009.yaml").write_text("<<<<<<< HEAD\nid: NC-2026-0009\n", encoding="utf-8")
    ws = load_workspace(repo)
    doc = next(d for d in ws.docs if d.path.endswith("NC-2026-0009.yaml"))
    assert doc.conflict_line is None


def _set_calendar(repo: Path, block: str) -> None:
    text = (repo / "qms.yaml").read_text(encoding="utf-8")
    old = "\ncalendar:\n  working_hours_per_day: 8\n"
    assert text.count(old) == 1, "the example's calendar section changed; adapt this test"
    (repo / "qms.yaml").write_text(text.replace(old, "\n" + block), encoding="utf-8")


def test_register_and_commands_read_the_same_calendar(repo: Path) -> None:
    """The register's due dates and `qms calendar` both honour the repository's `calendar:` section."""
    _set_calendar(repo, "calendar:\n  working_hours_per_day: 8\n  extra_days_off:\n    - date: 2026-03-03\n      reason: local holiday\n")
    from qms.registers.workdays import add_working_days

    store_calendar.repository_calendar.cache_clear()
    assert add_working_days(repo, dt.date(2026, 3, 2), 1) == dt.date(2026, 3, 4)
    env = {**os.environ, "QMS_LANG": "en"}
    out = subprocess.run([sys.executable, "-m", "qms", "calendar", "add-working-days", "2026-03-02", "1"],
                         cwd=repo, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "2026-03-04"


def test_a_broken_manifest_is_an_error_for_commands_and_the_default_for_the_register(repo: Path) -> None:
    """strict: the commands name qms.yaml; lenient: the register keeps the default calendar and
    `qms check` reports the file."""
    (repo / "qms.yaml").write_text("calendar: [unclosed\n", encoding="utf-8")
    with pytest.raises(QmsError) as caught:
        store_calendar.calendar_section(repo)
    assert "qms.yaml" in str(caught.value)
    assert store_calendar.calendar_section(repo, strict=False) == {}
    env = {**os.environ, "QMS_LANG": "en"}
    out = subprocess.run([sys.executable, "-m", "qms", "calendar", "add-working-days", "2026-03-02", "1"],
                         cwd=repo, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 2, (out.stdout, out.stderr)
    assert "qms.yaml" in out.stderr and "Traceback" not in out.stderr
