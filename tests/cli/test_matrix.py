"""`qms matrix`: the clause ↔ process/document matrix in text, json and csv, gaps, languages, exit codes."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path


def _drop_clause(repo: Path, process: str, clause: str) -> None:
    path = repo / "processes" / f"{process}.yaml"
    text = path.read_text(encoding="utf-8")
    assert f'"{clause}"' in text
    path.write_text(text.replace(f'"{clause}"', '"8.1"'), encoding="utf-8")


def test_example_has_no_gaps(run_qms, example_copy: Path) -> None:
    r = run_qms("--root", str(example_copy), "matrix", "--gaps-only")
    assert r.exit_code == 0, r.stderr
    assert r.stdout == "No gaps: every applicable clause is addressed.\n"


def test_text_lists_every_clause_with_its_processes(run_qms, example_copy: Path) -> None:
    r = run_qms("--root", str(example_copy), "matrix")
    assert r.exit_code == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].split()[:2] == ["Clause", "Clause"]
    row = next(line for line in lines if line.strip().startswith("9.2 "))
    assert "Internal audit" in row
    assert "covered" in row
    assert "QT-DG-01" in row
    excluded = next(line for line in lines if line.strip().startswith("8.3 "))
    assert "not applicable" in excluded
    assert "does not design" in excluded
    assert lines[-1] == "0 gap(s) among 91 clauses; 17 processes."


def test_gap_is_reported_in_every_format(run_qms, example_copy: Path) -> None:
    _drop_clause(example_copy, "QT-DG-01", "9.2")
    text = run_qms("--root", str(example_copy), "matrix", "--gaps-only")
    assert text.exit_code == 0
    gap_rows = [line.split()[0] for line in text.stdout.splitlines()[2:] if line.strip() and "GAP" in line]
    assert gap_rows == ["9.2", "9.2.1", "9.2.2"]

    data = json.loads(run_qms("--root", str(example_copy), "matrix", "--format", "json").stdout)
    assert data["gaps"] == ["9.2", "9.2.1", "9.2.2"]
    row = next(c for c in data["clauses"] if c["clause"] == "9.2")
    assert row == {"clause": "9.2", "title": "Internal audit", "level": 2, "applicable": True,
                   "justification": "", "addressed_by": [], "gap": True}
    assert len(data["clauses"]) == 91

    out = run_qms("--root", str(example_copy), "matrix", "--format", "csv", "--gaps-only").stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["clause"] for r in rows] == ["9.2", "9.2.1", "9.2.2"]
    assert all(r["gap"] == "yes" and r["applicable"] == "yes" for r in rows)


def test_vietnamese_titles_and_labels(run_qms, example_copy: Path) -> None:
    r = run_qms("--root", str(example_copy), "matrix", "--lang", "vi")
    assert r.exit_code == 0
    assert r.stdout.startswith("Điều khoản")
    row = next(line for line in r.stdout.splitlines() if line.strip().startswith("9.2 "))
    assert "Đánh giá nội bộ" in row
    assert "đã đáp ứng" in row
    data = json.loads(run_qms("--root", str(example_copy), "--lang", "vi", "matrix", "--format", "json").stdout)
    assert data["lang"] == "vi"
    assert next(c for c in data["clauses"] if c["clause"] == "4")["title"] == "Bối cảnh của tổ chức"


def test_bad_usage_exits_2(run_qms, example_copy: Path) -> None:
    r = run_qms("--root", str(example_copy), "matrix", "--format", "pdf")
    assert r.exit_code == 2
    r = run_qms("--root", str(example_copy / "nowhere"), "matrix")
    assert r.exit_code == 2
