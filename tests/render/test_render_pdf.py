"""Real WeasyPrint PDFs, checked through their text, fonts and PDF/A structure."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import pdftotext_pages
from pypdf import PdfReader

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None or shutil.which("pdffonts") is None,
                                   reason="poppler-utils (pdftotext, pdffonts) not installed")

VI_PHRASES = [
    "Người soạn thảo", "Người kiểm tra", "Người phê duyệt", "Theo dõi sửa đổi", "Mục lục",
    "Bối cảnh của tổ chức", "Phạm vi và khả năng áp dụng", "Chính sách và mục tiêu chất lượng",
    "Các quá trình và sự tương tác", "Vai trò, trách nhiệm và quyền hạn", "Ma trận điều khoản và quá trình",
    "Danh mục tài liệu", "Danh mục hồ sơ", "1. Mục đích", "2. Phạm vi", "3. Tài liệu viện dẫn",
    "4. Định nghĩa/viết tắt", "5. Nội dung", "6. Biểu mẫu", "7. Hồ sơ cần lưu", "Thành phần hồ sơ",
    "Thời hạn giải quyết", "Nơi tiếp nhận và trả kết quả", "Nội dung công việc", "Biểu mẫu/Kết quả",
    "Lưu đồ", "Quy định trình tự đăng ký khai sinh cho trẻ em đúng quy định, đúng hạn.",
    "Ủy ban nhân dân thành phố Sông Lam", "Phó Chủ tịch UBND", "Trần Thị Bình", "Giấy khai sinh",
]


@needs_poppler
def test_vietnamese_manual_text_and_headers(rendered: dict[str, Path]) -> None:
    pages = pdftotext_pages(rendered["manual-vi"])
    text = "\n".join(pages)
    for phrase in VI_PHRASES:
        assert phrase in text, phrase
    assert "Mã hiệu: STCL" in pages[0]
    assert "Lần ban hành: 01" in pages[0]
    assert "Ngày hiệu lực: 05/01/2026" in pages[0]


@needs_poppler
def test_procedure_page_numbers_restart_and_toc_is_right(rendered: dict[str, Path]) -> None:
    pages = pdftotext_pages(rendered["manual-vi"])
    front_total = int(re.search(r"Trang 1/(\d+)", pages[0]).group(1))  # type: ignore[union-attr]
    toc = "\n".join(pages[:front_total])
    for code in ("QT-HT-01", "QT-HT-02"):
        # the TOC gives the pages printed on the procedure's paper (tr. 1–N) and the manual page where it starts
        found = re.search(rf"{code} .*?\.{{3,}}\s*tr\. 1–(\d+)\s*(\d+)", toc)
        assert found is not None, code
        printed, listed = int(found.group(1)), int(found.group(2))
        first = pages[listed - 1]
        assert f"Mã hiệu: {code}" in first
        total = int(re.search(r"Trang 1/(\d+)", first).group(1))  # type: ignore[union-attr]
        assert printed == total
        last = pages[listed - 1 + total - 1]
        assert f"Trang {total}/{total}" in last
        assert f"Mã hiệu: {code}" in last
    assert len(pages) > front_total
    # the footer also gives the manual-wide page, on the front matter and on every procedure page
    for number, page in enumerate(pages, start=1):
        assert f"Trang {number} của sổ tay" in page, (number, page[-200:])
        assert len(re.findall(r"Trang \d+ của sổ tay", page)) == 1


@needs_poppler
def test_english_labels_and_dates(rendered: dict[str, Path]) -> None:
    text = "\n".join(pdftotext_pages(rendered["manual-en"]))
    for phrase in ("Prepared by", "Reviewed by", "Approved by", "Revision history", "1. Purpose", "2. Scope",
                   "Work content", "Records to keep", "Effective date: 05/01/2026", "Birth registration"):
        assert phrase in text, phrase
    assert "Mục đích" not in text


@needs_poppler
def test_every_font_is_embedded(rendered: dict[str, Path]) -> None:
    for name in ("manual-vi", "manual-en", "procedure"):
        out = subprocess.run(["pdffonts", str(rendered[name])], check=True, capture_output=True, text=True).stdout
        rows = [line for line in out.splitlines()[2:] if line.strip()]
        assert rows
        for row in rows:
            assert re.search(r"CID TrueType\s+Identity-H\s+yes\b", row), row
            assert "QmsSans" in row, row


def test_pdfa3b_structure_and_source_attachments(rendered: dict[str, Path]) -> None:
    reader = PdfReader(str(rendered["manual-en"]))
    root = reader.trailer["/Root"]
    assert "/OutputIntents" in root
    xmp = root["/Metadata"].get_object().get_data().decode("utf-8")
    assert re.search(r"pdfaid:part(=\"|>)3", xmp)
    assert "/AF" in root
    names = set(reader.attachments)
    assert {"qms.yaml", "processes/QT-HT-01.yaml", "records/register.yaml"} <= names
    assert reader.attachments["processes/QT-HT-01.yaml"][0].startswith(b"id: QT-HT-01")


def test_standalone_procedure_has_its_own_numbering(rendered: dict[str, Path]) -> None:
    reader = PdfReader(str(rendered["procedure"]))
    assert len(reader.pages) >= 2
    assert not reader.attachments  # no variant: nothing attached


def test_tagged_option(repo: Path, tmp_path: Path) -> None:
    from qms.render.documents import RenderOptions, render

    out = tmp_path / "tagged.pdf"
    render(repo, "records", None, out, RenderOptions(lang="vi", tagged=True))
    root = PdfReader(str(out)).trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert root["/MarkInfo"]["/Marked"]
