"""The audit documents: programme matrix, plan, printable checklist, .xlsx export and report."""

from __future__ import annotations

import html.parser
import io
from pathlib import Path
from typing import Any

import pytest
from audit_helpers import write_process
from python_calamine import CalamineWorkbook

from qms.auditing.xlsx import Sheet, column_letter, workbook
from qms.store.audit_store import load_audit


class _Text(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def text_of(doc: str) -> tuple[str, list[str]]:
    p = _Text()
    p.feed(doc)
    return " ".join(p.parts), p.tags


@pytest.fixture
def audited(agency: Path, run_qms: Any) -> Path:
    # a title that must be escaped
    write_process(agency, "QT-02", n=2, title_vi="Kết hôn <script>alert(1)</script>",
                  title_en="Marriage <b>&</b> co", code="1.000002")
    root = str(agency)
    steps = [
        ("plan", "--date", "2026-03-10", "--process", "QT-02", "--lead", "dung", "--team", "giang"),
        ("checklist", "AUD-2026-01"),
        ("record", "AUD-2026-01", "Q01", "--result", "nonconforming", "--evidence", "dossier <7> unsigned",
         "--date", "2026-03-10"),
        ("finding", "AUD-2026-01", "--grade", "major", "--item", "Q01", "--statement",
         "Receipts not issued", "--evidence", "dossier <7> unsigned", "--date", "2026-03-10"),
        ("record", "AUD-2026-01", "--remaining", "--result", "not_audited", "--date", "2026-03-10"),
        ("report", "AUD-2026-01", "--summary", "Summary text", "--conclusions", "Needs action",
         "--date", "2026-03-11"),
    ]
    for args in steps:
        r = run_qms("--root", root, "audit", *args)
        assert r.exit_code == 0, (args, r.stderr)
    # the programme is written after the unprogrammed audit: its entries take the other ids
    assert run_qms("--root", root, "audit", "programme", "--year", "2026", "--write").exit_code == 0
    return agency


def test_programme_matrix_has_processes_by_months(audited: Path, run_qms: Any) -> None:
    # round 10, item 3: a programme saved in Vietnamese; the English document said its reasons in Vietnamese
    assert run_qms("--lang", "vi", "--root", str(audited), "audit", "programme", "--year", "2026", "--write",
                   "--force").exit_code == 0
    assert "lần đánh giá thứ 1 trong năm" in (audited / "audits" / "programme-2026.yaml").read_text(encoding="utf-8")
    r = run_qms("--lang", "en", "--root", str(audited), "audit", "programme", "--year", "2026", "--from-file", "--format", "html")
    assert r.exit_code == 0, r.stderr
    doc = r.stdout
    assert "<b>&</b>" not in doc
    assert "Marriage &lt;b&gt;&amp;&lt;/b&gt; co" in doc
    text, tags = text_of(doc)
    assert "script" not in tags
    assert "Processes × months" in text
    assert "QT-01" in text
    assert "QT-02" in text
    head = doc[doc.index("<thead>"):doc.index("</thead>")]
    assert all(f"<th>{m}</th>" in head for m in range(1, 13))
    assert "System level (clauses)" in text
    assert "audit 1 of the year" in text and "lần đánh giá" not in text, text
    r = run_qms("--lang", "vi", "--root", str(audited), "audit", "programme", "--year", "2026", "--from-file",
                "--format", "html")
    assert "<script>" not in r.stdout
    assert "Kết hôn &lt;script&gt;alert(1)&lt;/script&gt;" in r.stdout
    assert "Quá trình × tháng" in r.stdout
    assert "lần đánh giá thứ 1 trong năm" in r.stdout and "audit 1 of the year" not in r.stdout


def test_plan_and_report_documents(audited: Path, run_qms: Any, tmp_path: Path) -> None:
    out = tmp_path / "plan.html"
    r = run_qms("--lang", "en", "--root", str(audited), "audit", "show", "AUD-2026-01", "--format", "html", "--document", "plan",
                "-o", str(out))
    assert r.exit_code == 0, r.stderr
    text, _tags = text_of(out.read_text(encoding="utf-8"))
    for expected in ("Internal audit plan AUD-2026-01", "Audit criteria", "Agenda", "Opening meeting",
                     "Phạm Thị Dung", "10/03/2026"):
        assert expected in text
    assert "(dung)" not in text and "2026-03-10" not in text
    r = run_qms("--lang", "en", "--root", str(audited), "audit", "show", "AUD-2026-01", "--format", "html")
    doc = r.stdout
    assert "<script>" not in doc
    assert "dossier &lt;7&gt; unsigned" in doc
    text, _tags = text_of(doc)
    for expected in ("Internal audit report AUD-2026-01", "Summary text", "Needs action", "Major nonconformity",
                     "NC-2026-0001", "Receipts not issued", "Conclusions"):
        assert expected in text
    r = run_qms("--lang", "vi", "--root", str(audited), "audit", "show", "AUD-2026-01", "--format", "html")
    text, _tags = text_of(r.stdout)
    assert "Báo cáo đánh giá nội bộ AUD-2026-01" in text
    assert "Kết luận" in text


def test_printable_checklist_has_blank_fieldwork_columns(audited: Path, run_qms: Any) -> None:
    r = run_qms("--lang", "en", "--root", str(audited), "audit", "show", "AUD-2026-01", "--format", "html",
                "--document", "checklist")
    doc = r.stdout
    assert r.exit_code == 0
    audit = load_audit(audited, "AUD-2026-01")
    assert doc.count('<td class="blank"></td>') == 3 * len(audit.checklist)
    assert "dossier &lt;7&gt; unsigned" not in doc  # blank by default
    r = run_qms("--lang", "en", "--root", str(audited), "audit", "show", "AUD-2026-01", "--format", "html",
                "--document", "checklist", "--filled")
    assert "dossier &lt;7&gt; unsigned" in r.stdout


def test_checklist_xlsx_reads_back(audited: Path, run_qms: Any, tmp_path: Path) -> None:
    out = tmp_path / "checklist.xlsx"
    r = run_qms("--lang", "en", "--root", str(audited), "audit", "show", "AUD-2026-01", "--format", "xlsx",
                "--document", "checklist", "-o", str(out))
    assert r.exit_code == 0, r.stderr
    wb = CalamineWorkbook.from_path(str(out))
    assert wb.sheet_names == ["Checklist", "Audit"]
    rows = wb.get_sheet_by_name("Checklist").to_python()
    audit = load_audit(audited, "AUD-2026-01")
    assert rows[0][:4] == ["No.", "Clause", "Process", "Question"]
    assert len(rows) == len(audit.checklist) + 1
    first = audit.checklist[0]
    assert rows[1][:6] == [first.id, first.clause, "QT-02", first.question.en, "Nonconforming",
                           "dossier <7> unsigned"]
    r = run_qms("--lang", "en", "--root", str(audited), "audit", "show", "AUD-2026-01", "--format", "xlsx", "--document", "plan")
    assert r.exit_code == 2
    r = run_qms("--lang", "en", "--root", str(audited), "audit", "show", "AUD-2026-01", "--format", "xlsx",
                "--document", "checklist")
    assert r.exit_code == 2
    assert "-o FILE" in r.stderr


def test_xlsx_writer_round_trips_text_numbers_and_awkward_characters(tmp_path: Path) -> None:
    rows: list[list[str | int | float | None]] = [
        ["Tiêu đề", "n", "x"], ["a & b <c> \"d\"", 3, 2.5], ["ctrl\x01char", None, "Đúng hạn ✓"]]
    data = workbook([Sheet("Sheet: one/two", rows), Sheet("Sheet: one/two", [["again"]])])
    path = tmp_path / "t.xlsx"
    path.write_bytes(data)
    wb = CalamineWorkbook.from_path(str(path))
    assert wb.sheet_names == ["Sheet- one-two", "Sheet- one-two (2)"]
    got = wb.get_sheet_by_index(0).to_python()
    assert got[0] == ["Tiêu đề", "n", "x"]
    assert got[1][0] == 'a & b <c> "d"'
    assert got[1][1] == 3
    assert got[1][2] == 2.5
    assert got[2][0] == "ctrlchar"
    assert got[2][2] == "Đúng hạn ✓"
    assert workbook([Sheet("s", rows)]) == workbook([Sheet("s", rows)])  # deterministic
    assert [column_letter(i) for i in (0, 25, 26, 701, 702)] == ["A", "Z", "AA", "ZZ", "AAA"]
    assert io.BytesIO(data).read(2) == b"PK"


def test_pdf_documents_through_the_render_layer(audited: Path, run_qms: Any, tmp_path: Path) -> None:
    from pypdf import PdfReader

    def pdf_text(*args: str) -> str:
        out = tmp_path / "doc.pdf"
        r = run_qms("--lang", "en", "--root", str(audited), *args, "--format", "pdf", "-o", str(out))
        assert r.exit_code == 0, r.stderr
        text = " ".join(page.extract_text() for page in PdfReader(str(out)).pages)
        return " ".join(text.split())  # table cells wrap lines

    report = pdf_text("audit", "show", "AUD-2026-01", "--document", "report")
    assert "Internal audit report AUD-2026-01" in report
    assert "NC-2026-0001" in report
    assert "Receipts not issued" in report
    # the grade and clause columns break between words, never inside one ("Major noncon formity")
    assert report.count("Major nonconformity") == 2, report  # the count table and finding F01
    assert "8.5.1 Control of production and service provision QT-02" in report, report
    checklist = pdf_text("--lang", "vi", "audit", "show", "AUD-2026-01", "--document", "checklist")
    assert "Danh mục kiểm tra đánh giá nội bộ AUD-2026-01" in checklist
    assert "Thẩm định hồ sơ" in checklist
    programme = pdf_text("audit", "programme", "--year", "2026", "--from-file")
    assert "Internal audit programme 2026" in programme
    r = run_qms("--lang", "en", "--root", str(audited), "audit", "show", "AUD-2026-01", "--format", "pdf")
    assert r.exit_code == 2
    assert "-o FILE" in r.stderr
