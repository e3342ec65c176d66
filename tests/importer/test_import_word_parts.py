"""Item 11: what Word files really hold besides paragraphs and tables — text boxes and drawn shapes
(reported, not read), images (reported), content controls (their text read in place)."""

from __future__ import annotations

import io
import json
import struct
import zlib
from pathlib import Path

from docx import Document
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

REPO = Path(__file__).resolve().parents[2]

_TEXTBOX = (
    '<w:r {w} xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
    '<w:drawing><wp:anchor><wp:extent cx="1000" cy="1000"/><wp:docPr id="9" name="Lưu đồ"/>'
    '<a:graphic><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
    '<wps:wsp><wps:txbx><w:txbxContent><w:p><w:r><w:t>Bước 9: ô trong lưu đồ</w:t></w:r></w:p>'
    '</w:txbxContent></wps:txbx></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing></w:r>'
)


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


def test_text_boxes_images_and_content_controls(example_copy: Path, run_qms, tmp_path: Path) -> None:
    doc = Document()
    doc.add_paragraph("Mã hiệu: QT-LD-01")
    doc.add_paragraph("Mục đích")
    purpose = doc.add_paragraph("Kiểm tra các phần của tệp Word.")
    doc.add_comment(purpose.runs, text="Mục đích cần cụ thể hơn.", author="Lê Văn Cường")
    doc.add_paragraph("Phạm vi")
    body = doc.element.body
    sdt = parse_xml(f'<w:sdt {nsdecls("w")}><w:sdtContent><w:p><w:r><w:t>Toàn cơ quan.</w:t></w:r></w:p>'
                    '</w:sdtContent></w:sdt>')
    body.insert(len(body) - 1, sdt)
    doc.add_paragraph("Nội dung")
    shape = doc.add_paragraph()
    shape._p.append(parse_xml(_TEXTBOX.format(w=nsdecls("w"))))
    doc.add_picture(io.BytesIO(_png()))
    doc.add_paragraph("Bước 1: Tiếp nhận")
    doc.add_paragraph("Bước 2: Xử lý")
    path = tmp_path / "QT-LD-01.docx"
    doc.save(path)
    r = run_qms("import", "docx", str(path), "--format", "json", "--comments", cwd=example_copy)
    assert r.exit_code == 0, r.stderr
    report = json.loads(r.stdout)["documents"][0]
    dropped = " ".join(report["dropped"])
    assert "text boxes: 1" in dropped and "images: 1" in dropped
    assert any("content controls: 1" in k for k in report["kept"])
    data = Path(report["draft"]).read_text(encoding="utf-8")
    assert "ô trong lưu đồ" not in data  # a text box is reported, not read
    assert "scope: Toàn cơ quan." in data
    assert "id: B2" in data and "id: B9" not in data
    assert "Lê Văn Cường: Mục đích cần cụ thể hơn." in data  # a comment outside the steps is not dropped
