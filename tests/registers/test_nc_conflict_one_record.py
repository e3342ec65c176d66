"""A merge conflict between two changes of one record is not "two records with one id"."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from qms.registers import nc as reg

NC = "NC-2026-0001"
FILE = f"records/nonconformities/{NC}.yaml"


def test_conflict_between_two_changes_of_one_record_is_not_renumbered(repo: Path, run_qms: Any) -> None:
    """R8: two officers change the same record in two clones (one records the correction, the other amends
    the title) and merge. `nc show`, `qms check` and `nc renumber` said "two records claim the id" and
    renumbering copied the one nonconformity into a second record; now they say it is one record changed
    twice, renumber refuses (exit 1, nothing written) and the hint says how to resolve it by hand."""
    d = dt.date
    reg.create_nc(repo, process="QT-01", title="Trả trễ", description="Hồ sơ trả trễ", source="complaint",
                  severity="minor", by="Lê Văn Cường", today=d(2026, 3, 2))
    path = repo / FILE
    base = path.read_text(encoding="utf-8")
    reg.correct(repo, NC, description="Trả kết quả", by="Lê Văn Cường", today=d(2026, 3, 3))
    ours = path.read_text(encoding="utf-8")
    path.write_text(base, encoding="utf-8")
    reg.amend(repo, NC, field="title", value="Trả kết quả trễ hạn", reason="chính tả", by="Trần Thị Bình",
              today=d(2026, 3, 3))
    theirs = path.read_text(encoding="utf-8")
    conflicted = f"<<<<<<< HEAD\n{ours}=======\n{theirs}>>>>>>> other-clone\n"
    path.write_text(conflicted, encoding="utf-8")

    hint = f"git checkout --theirs {FILE}"
    r = run_qms("--root", str(repo), "nc", "show", NC)
    assert r.exit_code == 2 and hint in r.stderr and "renumber" not in r.stderr
    r = run_qms("--root", str(repo), "check", "--select", "QMS509", "--format", "json")
    [diag] = json.loads(r.stdout)["diagnostics"]
    assert "two changes of" in diag["message"] and hint in diag["hint"]
    r = run_qms("--root", str(repo), "nc", "renumber", NC, "--by", "Lê Văn Cường")
    assert r.exit_code == 1 and "split one nonconformity" in r.stderr and hint in r.stderr
    assert path.read_text(encoding="utf-8") == conflicted
    assert sorted(p.name for p in path.parent.glob("NC-*.yaml")) == [f"{NC}.yaml"]
