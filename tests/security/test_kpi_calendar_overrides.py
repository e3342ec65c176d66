"""`qms check` and the calendar commands agree on the ``calendar:`` override table of qms.yaml: a
date listed both as an extra day off and as an extra working day is a finding of `qms check`, at its
line, not only an error of `qms calendar` and `qms kpi report` on a repository `qms check` passed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from inprocess import run_main as run

BASE = Path(__file__).resolve().parents[1] / "rules" / "base"


def test_a_date_both_off_and_worked_is_a_check_finding(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    """O1: extra_days_off and extra_working_days both list 2026-03-09: `qms check` fails naming the date."""
    root = tmp_path / "repo"
    shutil.copytree(BASE, root)
    manifest = root / "qms.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8")
                        + "calendar:\n  extra_days_off:\n    - {date: 2026-03-09, reason: Nghỉ bù}\n"
                        + "  extra_working_days:\n    - {date: 2026-03-09, reason: Làm bù}\n", encoding="utf-8")
    monkeypatch.chdir(root)
    code, out, err = run(["--lang", "en", "check", "--no-cache"], capsys)
    assert code == 1, out + err
    assert "2026-03-09" in out and "qms.yaml" in out, out
