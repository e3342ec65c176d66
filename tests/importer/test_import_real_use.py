"""A procedure the way an agency's Word file really holds it (round 7, real use).

One document, built with python-docx as a district inspectorate writes it: the control table with a
merged logo cell, bold paragraphs as headings, a "3. TÀI LIỆU VIỆN DẪN" that cites "mục 4.2.3 và 8.5.3"
of the 2008 quality manual, a steps table, a "6. HỒ SƠ" table with "Lưu 05 năm", and a "7. PHỤ LỤC"
that lists the forms (BM-01 …) again. It is imported once through the CLI and checked.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from docx import Document


def _table(doc: Any, rows: list[list[str]]) -> None:
    t = doc.add_table(rows=len(rows), cols=len(rows[0]))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            t.cell(r, c).text = text


def _heading(doc: Any, text: str) -> None:
    doc.add_paragraph().add_run(text).bold = True


def _build(path: Path) -> None:
    doc = Document()
    t = doc.add_table(rows=4, cols=3)
    t.cell(0, 0).merge(t.cell(3, 0)).text = "UBND QUẬN HOÀN KIẾM\nTHANH TRA QUẬN"
    t.cell(0, 1).merge(t.cell(3, 1)).text = "QUY TRÌNH\nGIẢI QUYẾT ĐƠN KHIẾU NẠI"
    for r, text in enumerate(("Mã hiệu: QT-TTR-05", "Lần ban hành: 02", "Ngày ban hành: 15/08/2016", "Trang: 1/6")):
        t.cell(r, 2).text = text
    _heading(doc, "1. MỤC ĐÍCH")
    doc.add_paragraph("Quy định trình tự tiếp nhận và giải quyết đơn khiếu nại của công dân.")
    _heading(doc, "2. PHẠM VI")
    doc.add_paragraph("Áp dụng đối với Thanh tra quận.")
    _heading(doc, "3. TÀI LIỆU VIỆN DẪN")
    doc.add_paragraph("- Tiêu chuẩn TCVN ISO 9001:2008;")
    doc.add_paragraph("- Sổ tay chất lượng của UBND quận, mục 4.2.3 và 8.5.3.")
    _heading(doc, "5. NỘI DUNG QUY TRÌNH")
    _table(doc, [["Bước", "Nội dung công việc", "Trách nhiệm", "Thời gian", "Biểu mẫu/Kết quả"],
                 ["B1", "Tiếp nhận đơn khiếu nại", "Thanh tra viên", "½ ngày", "BM-01"],
                 ["B2", "Xác minh nội dung khiếu nại", "Thanh tra viên", "05 ngày làm việc", "BM-03"],
                 ["B3", "Lưu hồ sơ", "Thanh tra viên", "Trong ngày", "Hồ sơ"]])
    _heading(doc, "6. HỒ SƠ")
    _table(doc, [["TT", "Tên hồ sơ", "Nơi lưu", "Thời gian lưu"],
                 ["1", "Sổ tiếp nhận đơn (BM-01)", "Thanh tra quận", "Lưu 05 năm"],
                 ["2", "Biên bản xác minh (BM-03)", "Thanh tra quận", "Lưu trữ 10 năm"],
                 ["3", "Quyết định giải quyết khiếu nại (QĐ-05)", "Thanh tra quận", "Lâu dài"]])
    _heading(doc, "7. PHỤ LỤC")
    for text in ("BM-01: Sổ tiếp nhận đơn", "BM-02: Phiếu chuyển đơn", "BM-03: Biên bản xác minh"):
        doc.add_paragraph(text)
    doc.save(str(path))


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from example_repo import copy_example

    base = tmp_path_factory.mktemp("real-use")
    root = copy_example(base / "repo")
    src = base / "QT-TTR-05.docx"
    _build(src)
    from qms.cli.main import main

    code = 0
    try:
        main(["--root", str(root), "import", "docx", str(src), "--format", "json"])
    except SystemExit as exc:
        code = int(exc.code or 0)
    assert code == 0
    draft = root / "processes" / "QT-TTR-05.yaml"
    return {"root": root, "draft": draft, "data": yaml.safe_load(draft.read_text(encoding="utf-8"))}


def test_appendix_lists_forms_and_nothing_is_duplicated(imported: dict[str, Any]) -> None:
    """R1: the "7. PHỤ LỤC" list of forms gives forms, not a second copy of the records (before: BM-01 and
    BM-03 twice in records, two QMS101 errors and three placeholder retentions)."""
    data = imported["data"]
    records = [r["code"] for r in data.get("records", [])]
    assert records == ["BM-01", "BM-03", "QĐ-05"], records
    assert [f["code"] for f in data.get("forms", [])] == ["BM-01", "BM-02", "BM-03"]
    assert not any(n.get("about", "").startswith("/records/") and "placeholder" in n["text"]
                   for n in data.get("internal_notes", []))


def test_a_record_title_does_not_repeat_its_code(imported: dict[str, Any]) -> None:
    """R1b: "Sổ tiếp nhận đơn (BM-01)" in the records table is the record BM-01 titled "Sổ tiếp nhận đơn", so
    the rendered records table reads "BM-01 – Sổ tiếp nhận đơn" (before: "BM-01 – Sổ tiếp nhận đơn (BM-01)");
    a code that is only part of a longer one, or the whole cell, stays."""
    from qms.importer.mapping import _without_code

    assert [(r["code"], r["title"]) for r in imported["data"]["records"]] == [
        ("BM-01", "Sổ tiếp nhận đơn"), ("BM-03", "Biên bản xác minh"), ("QĐ-05", "Quyết định giải quyết khiếu nại")]
    assert _without_code("BM-01 – Sổ tiếp nhận đơn", "BM-01") == "Sổ tiếp nhận đơn"
    assert _without_code("Sổ tiếp nhận đơn - BM-01", "BM-01") == "Sổ tiếp nhận đơn"
    assert _without_code("BM-01A Sổ phụ", "BM-01") == "BM-01A Sổ phụ"
    assert _without_code("Sổ XBM-01", "BM-01") == "Sổ XBM-01"
    assert _without_code("(BM-01)", "BM-01") == "(BM-01)"


def test_lưu_05_năm_is_a_structured_retention(imported: dict[str, Any]) -> None:
    """R2: "Lưu 05 năm" and "Lưu trữ 10 năm" are read as {years: 5} and {years: 10} (before: kept as free
    text, a QMS123 warning each); "Lâu dài" is `permanent` (before: free text, QMS123), with a note to verify
    that keeps the words as written (older archival practice meant a long finite term by "lâu dài")."""
    assert [r["retention"] for r in imported["data"]["records"]] == [{"years": 5}, {"years": 10}, "permanent"]
    notes = [n["text"] for n in imported["data"].get("internal_notes", []) if n.get("about") == "/records/2/retention"]
    assert notes and "Lâu dài" in notes[0], imported["data"].get("internal_notes")


@pytest.mark.parametrize(("text", "exact"), [
    ("Lâu dài", False), ("lâu dài", False), ("LÂU DÀI", False), ("Lưu trữ lâu dài", False), ("Lưu lâu dài", False),
    ("L\u0061\u0302u da\u0300i", False), ("Vĩnh viễn", True), ("Lưu giữ vĩnh viễn", True), ("Vô thời hạn", True)])
def test_permanent_retention_variants(text: str, exact: bool) -> None:
    """R2b: the ways a Vietnamese records table writes "kept for good" (NFD input included) are `permanent`;
    "lâu dài" to be confirmed by a person; "dài" or "lâu" alone are not read."""
    from qms.models.common import Retention, parse_retention_text

    assert parse_retention_text(text) == (Retention(permanent=True), exact)
    assert parse_retention_text("dài") is None and parse_retention_text("lâu") is None


def test_every_clause_of_a_list_is_cited(imported: dict[str, Any]) -> None:
    """R3: "mục 4.2.3 và 8.5.3" cites both clauses: 4.2.3 → 7.5.2, 7.5.3 and 8.5.3 → 6.1 (before: 8.5.3, the
    preventive-action clause, was dropped)."""
    assert set(imported["data"]["clauses"]) == {"7.5.2", "7.5.3", "6.1"}


def test_two_files_with_one_code_are_named(tmp_path: Path, run_qms) -> None:
    """R4: two Word files of a folder with the same Mã hiệu (two units both numbered their procedure QT-TTR-05)
    are refused with both file names, so that the officer knows which two of 240 to look at (before: only the
    draft path); nothing is written."""
    from example_repo import copy_example

    root = copy_example(tmp_path / "repo")
    folder = tmp_path / "word"
    folder.mkdir()
    _build(folder / "thanh-tra.docx")
    _build(folder / "thanh-tra-ban-sua.docx")
    r = run_qms("import", "docx", str(folder), "--out", str(tmp_path / "drafts"), cwd=root)
    assert r.exit_code == 2, (r.stdout, r.stderr)
    assert "thanh-tra.docx" in r.stderr and "thanh-tra-ban-sua.docx" in r.stderr, r.stderr
    assert "QT-TTR-05.yaml" in r.stderr
    assert not (tmp_path / "drafts").exists()


def test_steps_as_a_numbered_list_with_inline_fields(tmp_path: Path, run_qms) -> None:
    """R5: a 2008 procedure whose "IV. NỘI DUNG" is a Word numbered list ("List Number": the "1." is Word's,
    not the text's), each item "… Trách nhiệm: X. Thời gian: Y", gives one step per item with its
    responsibility and duration (before: no steps at all, every item an unmapped note)."""
    from example_repo import copy_example

    root = copy_example(tmp_path / "repo")
    doc = Document()
    doc.add_paragraph().add_run("QUY TRÌNH KIỂM SOÁT HÀNH ĐỘNG PHÒNG NGỪA").bold = True
    _table(doc, [["Mã hiệu: QT-08", "Lần ban hành: 01", "Ngày ban hành: 02/01/2012", "Trang: 1/4"]])
    _heading(doc, "I. MỤC ĐÍCH")
    doc.add_paragraph("Loại bỏ nguyên nhân của sự không phù hợp tiềm ẩn.")
    _heading(doc, "IV. NỘI DUNG")
    doc.add_paragraph("Các bước thực hiện như sau:")
    for text in ("Phát hiện sự không phù hợp tiềm ẩn. Trách nhiệm: Thư ký ISO. Thời gian: 02 ngày làm việc",
                 "Đề xuất hành động phòng ngừa; Trách nhiệm: Chánh Văn phòng; Thời gian: 1/2 ngày",
                 "Thực hiện hành động phòng ngừa. Trách nhiệm: Các phòng ban. Thời gian: Theo kế hoạch"):
        doc.add_paragraph(text, style="List Number")
    src = tmp_path / "QT-08.docx"
    doc.save(str(src))
    r = run_qms("import", "docx", str(src), "--out", str(tmp_path / "drafts"), cwd=root)
    assert r.exit_code == 0, (r.stdout, r.stderr)
    data = yaml.safe_load((tmp_path / "drafts" / "QT-08.yaml").read_text(encoding="utf-8"))
    steps = data["steps"]
    assert [s["name"] for s in steps] == ["Phát hiện sự không phù hợp tiềm ẩn", "Đề xuất hành động phòng ngừa",
                                          "Thực hiện hành động phòng ngừa"], steps
    assert [s["responsible"] for s in steps[:2]] == ["thu_ky_iso", "chanh_van_phong"]
    assert [s.get("duration") for s in steps] == ["2d", "0.5d", None]
    assert any("Theo kế hoạch" in n["text"] for n in data["internal_notes"])  # kept, not a duration
    assert [s["next"] for s in steps[:2]] == [["B2"], ["B3"]]
    assert any(n["text"] == "Các bước thực hiện như sau:" for n in data["internal_notes"])


def test_a_generic_title_does_not_pick_one_of_several_roles() -> None:
    """R6: "Trưởng phòng" (the head of whichever division) in a "Trách nhiệm" cell of an organisation with two
    heads of division is not matched to one of them (before: truong_phong_vhxh, silently); it becomes a
    proposed role. A title naming the division still matches, and so does an abbreviation."""
    from example_repo import REPO

    from qms.analysis.people import Directory
    from qms.importer.roles import RoleMatcher
    from qms.store.workspace import load_manifest

    matcher = RoleMatcher(Directory.of(load_manifest(REPO)))
    assert matcher.match("Trưởng phòng") is None
    assert matcher.match("Trưởng phòng Kinh tế") == "truong_phong_kinh_te"
    assert matcher.match("TP Văn hóa - Xã hội") == "truong_phong_vhxh"
    assert matcher.match("Thư ký ISO") == "thu_ky_iso"


@pytest.mark.parametrize(("text", "where", "needle"), [
    ("owner: [x\n", ":2:1:", "invalid YAML"),
    ("owner: thanh_tra_vien\nkind: weird\n", ":2:7:", "kind"),
    ("unit: 5\n", ":1:7:", "unit"),
    ("document: draft\n", ":1:11:", "document"),
])
def test_bad_defaults_file_is_a_usage_error_at_its_line(tmp_path: Path, run_qms, text: str, where: str,
                                                        needle: str) -> None:
    """R7: a --defaults file that is not YAML, or gives `kind: weird`, a number as `unit` or a text as `document`,
    is refused (exit 2) with path:line:col and nothing written (before: no line for bad YAML, and a wrong
    value became a 'schema problem (please report)' in a draft that was written anyway)."""
    from example_repo import copy_example

    root = copy_example(tmp_path / "repo")
    src = tmp_path / "QT-TTR-05.docx"
    _build(src)
    defaults = tmp_path / "defaults.yaml"
    defaults.write_text(text, encoding="utf-8")
    r = run_qms("import", "docx", str(src), "--defaults", str(defaults), "--out", str(tmp_path / "drafts"), cwd=root)
    assert r.exit_code == 2, (r.stdout, r.stderr)
    assert f"defaults.yaml{where}" in r.stderr and needle in r.stderr, r.stderr
    assert "please report" not in r.stdout + r.stderr
    assert not (tmp_path / "drafts").exists()
