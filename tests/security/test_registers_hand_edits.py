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


def test_register_listing_leaves_out_and_names_invalid_records(tmp_path: Path, run_qms: Any) -> None:
    """H2: records broken by hand (an id with path characters, a date that does not exist, a file with
    only an id) are not listed or counted as if they were records: `nc list` and `nc stats` name each
    file in a warning and exit 1, and the statistics count only the valid records."""
    import json

    root = copy_example(tmp_path / "org")
    reg = root / "records" / "nonconformities"
    before = json.loads(run_qms("--root", str(root), "nc", "stats", "--format", "json").stdout)
    for name, old, new in (("NC-2026-0002.yaml", "raised_on: 2026-10-14", "raised_on: 2026-31-12"),
                           ("NC-2026-0003.yaml", "id: NC-2026-0003", "id: ../../x")):
        text = (reg / name).read_text(encoding="utf-8")
        assert old in text
        (reg / name).write_text(text.replace(old, new, 1), encoding="utf-8")
    (reg / "NC-2026-0050.yaml").write_text("id: NC-2026-0050\n", encoding="utf-8")

    r = run_qms("--root", str(root), "nc", "list", "--format", "json")
    assert r.exit_code == 1
    listed = {row["file"] for row in json.loads(r.stdout)}
    assert listed == {"NC-2026-0001.yaml", "NC-2026-0004.yaml", "NC-2026-0005.yaml"}
    for name in ("NC-2026-0002.yaml", "NC-2026-0003.yaml", "NC-2026-0050.yaml"):
        assert f"records/nonconformities/{name}" in r.stderr
    r = run_qms("--root", str(root), "nc", "stats", "--format", "json")
    assert r.exit_code == 1
    assert "records/nonconformities/NC-2026-0050.yaml" in r.stderr
    after = json.loads(r.stdout)
    assert after["total"] == before["total"] - 2, after
    assert "" not in after["by_status"], after
