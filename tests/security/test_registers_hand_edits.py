"""Audit and nonconformity files edited by hand with mistakes: `qms check` names each mistake with
path:line:col, and the commands that read the file say what is wrong instead of going on silently."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from example_repo import copy_example


def test_audit_ending_before_it_starts_is_reported(tmp_path: Path, run_qms: Any) -> None:
    """H1: an audit whose `end_date` is before its `date` is an error of `qms check` at the plan, and
    `qms audit show` refuses it with the same message instead of showing a negative duration."""
    root = copy_example(tmp_path / "org")
    audit = root / "audits" / "AUD-2026-01.yaml"
    text = audit.read_text(encoding="utf-8")
    assert text.count("  date: 2026-01-27\n") >= 1
    audit.write_text(text.replace("  date: 2026-01-27\n", "  date: 2026-01-27\n  end_date: 2026-01-20\n", 1),
                     encoding="utf-8")
    r = run_qms("--root", str(root), "check", "--no-cache")
    assert r.exit_code == 1
    lines = [x for x in r.stdout.splitlines() if x.startswith("audits/AUD-2026-01.yaml:")]
    assert any("end_date" in x and "2026-01-20" in x for x in lines), r.stdout
    r = run_qms("--root", str(root), "audit", "show", "AUD-2026-01")
    assert r.exit_code == 2
    assert "audits/AUD-2026-01.yaml:" in r.stderr and "end_date" in r.stderr
