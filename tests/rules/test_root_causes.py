"""Issue 16 item 12: each mistake is reported once, at its root, with a hint that fits it."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from qms.engine import CheckOptions, run_check
from qms.i18n import use_language
from qms.store.workspace import load_workspace

BASE = Path(__file__).resolve().parent / "base"
PROC = "processes/QT-01.yaml"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(BASE, root)
    return root


def _edit(root: Path, old: str, new: str, rel: str = PROC) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _found(root: Path) -> list[tuple[str, str, int, str, str]]:
    report = run_check(load_workspace(root), CheckOptions(today=dt.date(2026, 6, 1)))
    return [(d.code, d.location.path, d.location.line, d.message, d.hint) for d in report.diagnostics
            if not d.code.startswith(("QMS304", "QMS305"))]


def test_an_impossible_date_is_one_finding_with_a_date_hint(repo: Path) -> None:
    _edit(repo, "effective_date: 2026-01-05", "effective_date: 2027-13-04")
    at_line = [f for f in _found(repo) if f[1] == PROC and f[2] == 59]
    assert [f[0] for f in at_line] == ["QMS001"]
    assert "not a date that exists" in at_line[0][3]
    assert "quote" not in at_line[0][4] and "YYYY-MM-DD" in at_line[0][4]


def test_a_tab_indented_file_is_told_it_uses_tabs(repo: Path) -> None:
    (repo / "processes" / "QT-02.yaml").write_text("id: QT-02\ntitle:\n\tvi: Thử\n\ten: Test\n", encoding="utf-8")
    [finding] = [f for f in _found(repo) if f[1] == "processes/QT-02.yaml"]
    assert finding[0] == "QMS001" and "tab" in finding[3] and "spaces" in finding[4]
    with use_language("vi"):
        [vi] = [f for f in _found(repo) if f[1] == "processes/QT-02.yaml"]
    assert "tab" in vi[3] and "cannot start" not in vi[3]


def test_a_dangling_next_does_not_cascade(repo: Path) -> None:
    _edit(repo, "    next: [B2]", "    next: [B44]")
    codes = [f[0] for f in _found(repo) if f[1] == PROC]
    assert "QMS110" in codes
    assert not {"QMS203", "QMS204", "QMS207"} & set(codes), codes


def test_a_2008_clause_is_not_also_an_unknown_clause(repo: Path) -> None:
    _edit(repo, 'clauses: ["8.1", "8.5.1"]', 'clauses: ["4.2.3", "8.1", "8.5.1"]')
    codes = [f[0] for f in _found(repo) if f[1] == PROC and f[2] == 10]
    assert codes == ["QMS802"]


def test_a_broken_process_is_not_unknown_everywhere_else(repo: Path) -> None:
    # one schema error in QT-01 ...
    _edit(repo, "  time_limit: 1d", "  time_limit: soon")
    # ... referred to from an NC record and an audit programme
    (repo / "audits").mkdir()
    (repo / "audits" / "programme-2026.yaml").write_text(
        "year: 2026\naudits:\n  - {processes: [QT-01], month: 3, auditors: [binh]}\n", encoding="utf-8")
    found = _found(repo)
    assert any(f[1] == PROC and f[0].startswith("QMS01") for f in found)
    assert not [f for f in found if "unknown process" in f[3]], found


def test_a_same_day_limit_is_counted_in_hours(repo: Path) -> None:
    """Issue 16 item 13: "takes 10 working hours; the limit is 8 hours", not "1.25 working days"."""
    _edit(repo, "    duration: 4h\n", "    duration: 8h\n")
    [msg] = [f[3] for f in _found(repo) if f[0] == "QMS214"]
    assert "10 working hours" in msg and "8 hours" in msg and "over by 2" in msg


def test_day_counts_follow_the_language(repo: Path) -> None:
    """Issue 16 item 13: Vietnamese writes "2,25", not "2.25"."""
    _edit(repo, "  time_limit: 1d", "  time_limit: 2d")
    _edit(repo, "    duration: 4h\n", "    duration: 2d\n")
    with use_language("vi"):
        [msg] = [f[3] for f in _found(repo) if f[0] == "QMS214"]
    assert "2,25 ngày làm việc" in msg and "vượt 0,25" in msg
