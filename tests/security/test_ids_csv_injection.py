"""F6: CSV injection. Every CSV output goes through one writer (qms/output/csvfmt.py), which writes a text
cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return with a leading ``'``;
numbers that qms writes stay numbers. The xlsx checklist writes text as inline strings, never formulas.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from ids_helpers import FORMULA, example_repo, qms, set_nc_field

from qms.output.csvfmt import cell, dicts_to_csv, rows_to_csv

TRIGGERS = [FORMULA, "+SUM(1,2)", "-2+3", "@SUM(A1:A2)", "\t=1+1", "\r=1+1"]


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def _column(text: str, name: str) -> list[str]:
    rows = _rows(text)
    i = rows[0].index(name)
    return [r[i] for r in rows[1:]]


@pytest.mark.parametrize("value", TRIGGERS)
def test_the_writer_neutralises_formula_text(value: str) -> None:
    """F6: a text cell starting with = + - @ TAB CR is written with a leading quote, and reads back as text."""
    out = rows_to_csv(["title"], [[value]])
    assert _rows(out)[1] == ["'" + value]


@pytest.mark.parametrize(("value", "written"), [
    (-0.5, "-0.5"), (-3, "-3"), (Decimal("-1.25"), "-1.25"), (0, "0"), (True, "True"), (None, ""),
    ("plain", "plain"), ("a=b", "a=b"), (" =1", " =1"), ("-", "'-"),
])
def test_numbers_qms_writes_stay_numbers(value: object, written: str) -> None:
    """F6: numbers passed as numbers (-0.5, Decimal) are written unchanged; only text is neutralised."""
    assert _rows(rows_to_csv(None, [[value]]))[0] == [written]
    assert _rows(dicts_to_csv(["v"], [{"v": value}]))[1] == [written]
    assert cell(-0.5) == -0.5


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    from qms.registers import nc as reg

    root = example_repo(tmp_path)
    for n, value in enumerate(TRIGGERS[:5], start=1):
        if n == 1:  # closed and sealed: a hand edit would be reported (QMS513); an amendment is the way
            reg.amend(root, "NC-2026-0001", field="title", value=value, reason="kiểm thử", by="Nguyễn Văn An")
        else:
            set_nc_field(root, f"NC-2026-000{n}", "title", value)
    return root


def test_nc_list_csv(repo: Path) -> None:
    """F6: `qms nc list --format csv` writes formula-like titles as quoted text."""
    r = qms(repo, "nc", "list", "--format", "csv", "--no-cache")
    assert r.returncode == 0, r.stderr
    titles = _column(r.stdout, "title")
    assert sorted(titles) == sorted("'" + v for v in TRIGGERS[:5])
    assert not any(t.startswith(("=", "+", "-", "@", "\t", "\r")) for t in titles)


def test_nc_show_csv(repo: Path) -> None:
    """F6: `qms nc show ID --format csv` writes the formula-like title as text; numbers stay numbers."""
    r = qms(repo, "nc", "show", "NC-2026-0001", "--format", "csv")
    assert r.returncode == 0, r.stderr
    fields = {row[0]: row[1] for row in _rows(r.stdout)[1:]}
    assert fields["title.en"] == fields["title.vi"] == "'" + FORMULA
    assert fields["id"] == "NC-2026-0001"


def test_nc_stats_csv(repo: Path) -> None:
    """F6: `qms nc stats --format csv`: a formula-like process (read without validation) is written as text."""
    set_nc_field(repo, "NC-2026-0002", "process", "=HYPERLINK(\"http://x\")")
    r = qms(repo, "nc", "stats", "--format", "csv")
    assert r.returncode == 0, r.stderr
    keys = _column(r.stdout, "key")
    assert "'=HYPERLINK(\"http://x\")" in keys
    assert not any(k.startswith("=") for k in keys)


def test_kpi_report_csv(tmp_path: Path) -> None:
    """F6: `qms kpi report --by unit --format csv`: a unit cell of the log that is a formula comes out as text,
    and the on-time rates qms computes stay numbers."""
    log = tmp_path / "log.csv"
    log.write_text(
        "Mã hồ sơ,Mã thủ tục,Đơn vị,Ngày tiếp nhận,Ngày hẹn trả,Ngày có kết quả,Trạng thái\n"
        f"A1,1.0001,{FORMULA},03/03/2026 08:00,05/03/2026 17:00,04/03/2026 10:00,Đã trả\n"
        "A2,1.0001,-1+1,03/03/2026 08:00,05/03/2026 17:00,06/03/2026 10:00,Đã trả\n", encoding="utf-8")
    r = qms(tmp_path, "kpi", "report", str(log), "--by", "unit", "--as-of", "2026-06-30", "--format", "csv")
    assert r.returncode == 0, r.stderr
    rows = {row[0]: row for row in _rows(r.stdout)[1:]}
    assert set(rows) == {"'" + FORMULA, "'-1+1", "TOTAL"}
    assert rows["'" + FORMULA][-1] == "100.0"
    assert rows["'-1+1"][-1] == "0.0"


def test_doc_status_csv(repo: Path) -> None:
    """F6: `qms doc status --format csv`: a procedure title that is a formula is written as text."""
    proc = repo / "processes" / "QT-HT-01.yaml"
    proc.write_text(re.sub(r"(?m)^title: .*$", "title: " + json.dumps({"vi": FORMULA, "en": FORMULA}),
                           proc.read_text(encoding="utf-8"), count=1), encoding="utf-8")
    r = qms(repo, "--lang", "en", "doc", "status", "--format", "csv")
    assert r.returncode == 0, r.stderr
    rows = {row[0]: row for row in _rows(r.stdout)[1:]}
    header = _rows(r.stdout)[0]
    assert rows["QT-HT-01"][header.index("title")] == "'" + FORMULA
    assert rows["QT-HT-01"][header.index("revision")].isdigit()


def test_matrix_csv(repo: Path) -> None:
    """F6: `qms matrix --format csv`: a formula-like exclusion justification in qms.yaml is written as text."""
    manifest = repo / "qms.yaml"
    text = manifest.read_text(encoding="utf-8")
    old = re.search(r"(?m)^        en: Administrative procedures are laid down.*$", text)
    assert old is not None
    manifest.write_text(text.replace(old.group(0), "        en: " + json.dumps("@SUM(1+1)*cmd|' /C calc'!A0")),
                        encoding="utf-8")
    r = qms(repo, "matrix", "--format", "csv", "--lang", "en")
    assert r.returncode == 0, r.stderr
    rows = {row[0]: row for row in _rows(r.stdout)[1:]}
    assert rows["8.3"][4] == "'@SUM(1+1)*cmd|' /C calc'!A0"
    assert rows["8.3"][2] == "2"


def test_migrate_actions_csv_goes_through_the_writer() -> None:
    """F6: `qms migrate check --actions-out x.csv` writes its rows with the same writer (formula text neutralised)."""
    from qms.migrate.gaps import ACTION_FIELDS, actions_csv

    row = dict.fromkeys(ACTION_FIELDS, "x")
    row["title"] = FORMULA
    assert _rows(actions_csv([row]))[1][list(ACTION_FIELDS).index("title")] == "'" + FORMULA


def test_migrate_actions_csv_command(repo: Path, tmp_path: Path) -> None:
    """F6: the real `migrate check --actions-out` CSV has no cell that a spreadsheet would evaluate."""
    out = tmp_path / "actions.csv"
    r = qms(repo, "migrate", "check", "--actions-out", str(out), "--owner", "chu_tich", "--due", "2026-12-31")
    assert r.returncode in (0, 1), r.stderr
    rows = _rows(out.read_text(encoding="utf-8"))
    assert rows[0] == ["id", "clause", "title", "status", "action", "owner", "due", "source"]
    for row in rows:
        assert not any(c.startswith(("=", "+", "-", "@", "\t", "\r")) for c in row)


def test_xlsx_writes_a_formula_title_as_an_inline_string(repo: Path, tmp_path: Path) -> None:
    """F6: the audit checklist .xlsx stores a `=2+5+cmd|' /C calc'!A0` scope as an inline string, never a
    formula (`<f>`): Excel shows it as text."""
    audit = repo / "audits" / "AUD-2026-01.yaml"
    text = audit.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^  scope:\n    vi: .*\n    en: .*$", "  scope:\n    vi: " + json.dumps(FORMULA)
                  + "\n    en: " + json.dumps(FORMULA), text, count=1)
    assert FORMULA.replace("'", "") in text.replace("'", "")
    audit.write_text(text, encoding="utf-8")
    out = tmp_path / "checklist.xlsx"
    r = qms(repo, "audit", "show", "AUD-2026-01", "--format", "xlsx", "--document", "checklist", "-o", str(out))
    assert r.returncode == 0, r.stderr
    with zipfile.ZipFile(out) as zf:
        sheets = {n: zf.read(n).decode("utf-8") for n in zf.namelist() if n.startswith("xl/worksheets/")}
    assert sheets
    # the writer escapes <, > and & only, so the text appears as is
    cells = [c for xml in sheets.values() for c in re.findall(r"<c [^>]*>.*?</c>", xml) if FORMULA in c]
    assert cells, "the scope did not reach the workbook"
    for c in cells:
        assert 't="inlineStr"' in c and "<is><t" in c
        assert "<f>" not in c and "<f " not in c
    assert not any("<f>" in xml or "<f " in xml for xml in sheets.values())


def test_a_carriage_return_inside_a_cell_cannot_forge_a_row() -> None:
    """F6: a bare CR inside a text cell is quoted, so a reader never splits the row (no forged rows)."""
    out = rows_to_csv(["id", "title", "n"], [["NC-1", "ok\r=HYPERLINK(\"x\")", -0.5], ["NC-2", "b", 1]])
    assert _rows(out) == [["id", "title", "n"], ["NC-1", "ok\r=HYPERLINK(\"x\")", "-0.5"], ["NC-2", "b", "1"]]
