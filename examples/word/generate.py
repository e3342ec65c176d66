"""Generate the Word procedures of ``examples/word/`` in several real-world layouts (python-docx).

    .venv/bin/python examples/word/generate.py            # writes the .docx files beside this script
    .venv/bin/python examples/word/generate.py --resave   # also the LibreOffice re-saves (soffice)

Layouts: a 2015-era procedure with a steps table and a "Bước tiếp theo" column; a 2008-era one with
unnumbered lower-case headings and the steps as paragraphs; one with merged cells and the header
table in the page header; one whose steps are automatic numbering with tracked changes, comments
and a TCVN3 (.VnTime) paragraph; an administrative procedure with the one-stop fields. Also the
provincial list of administrative procedures (``danh-muc-tthc.xlsx``).
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from docx import Document
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from qms.importer.legacy_fonts import to_tcvn3  # noqa: E402

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def header_table(doc, code: str, title: str, rev: int, issued: str, *, in_header: bool = False) -> None:
    target = doc.sections[0].header if in_header else doc
    table = target.add_table(rows=3, cols=3, **({"width": doc.sections[0].page_width} if in_header else {}))
    table.style = "Table Grid" if not in_header else table.style
    a = table.cell(0, 0).merge(table.cell(2, 0))
    a.text = "UỶ BAN NHÂN DÂN THÀNH PHỐ"
    t = table.cell(0, 1).merge(table.cell(2, 1))
    t.text = "QUY TRÌNH\n" + title.upper()
    table.cell(0, 2).text = f"Mã hiệu: {code}"
    table.cell(1, 2).text = f"Lần ban hành: {rev:02d}\nNgày ban hành: {issued}"
    table.cell(2, 2).text = "Trang: 1/3"


def approval(doc) -> None:
    t = doc.add_table(rows=4, cols=4)
    t.style = "Table Grid"
    rows = [["", "Soạn thảo", "Kiểm tra", "Phê duyệt"],
            ["Họ tên", "Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"],
            ["Chức vụ", "Công chức Tư pháp", "Trưởng phòng Tư pháp", "Chủ tịch UBND"],
            ["Chữ ký", "", "", ""]]
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            t.cell(r, c).text = text


def revisions(doc) -> None:
    doc.add_paragraph("THEO DÕI SỬA ĐỔI TÀI LIỆU")
    t = doc.add_table(rows=2, cols=4)
    t.style = "Table Grid"
    for c, text in enumerate(["Lần sửa đổi", "Ngày sửa đổi", "Nội dung sửa đổi", "Trang"]):
        t.cell(0, c).text = text
    for c, text in enumerate(["1", "15/03/2019", "Cập nhật thời hạn giải quyết theo Nghị định mới", "3"]):
        t.cell(1, c).text = text


def table(doc, rows: list[list[str]]):
    t = doc.add_table(rows=len(rows), cols=len(rows[0]))
    t.style = "Table Grid"
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            t.cell(r, c).text = text
    return t


def records_table(doc, rows: list[list[str]]) -> None:
    table(doc, [["TT", "Tên hồ sơ", "Mã hiệu", "Nơi lưu", "Thời gian lưu"], *rows])


def qt_2015_table(path: Path) -> None:
    doc = Document()
    header_table(doc, "QT-TP-01", "Chứng thực bản sao từ bản chính", 2, "10/01/2020")
    approval(doc)
    revisions(doc)
    doc.add_paragraph("1. MỤC ĐÍCH")
    doc.add_paragraph("Quy định trình tự chứng thực bản sao từ bản chính đúng pháp luật và đúng hạn.")
    doc.add_paragraph("2. PHẠM VI ÁP DỤNG")
    doc.add_paragraph("Áp dụng tại Bộ phận Một cửa và Phòng Tư pháp UBND thành phố.")
    doc.add_paragraph("3. TÀI LIỆU VIỆN DẪN")
    doc.add_paragraph("- Nghị định 23/2015/NĐ-CP: về cấp bản sao từ sổ gốc, chứng thực bản sao từ bản chính")
    doc.add_paragraph("- TCVN ISO 9001:2015")
    doc.add_paragraph("4. ĐỊNH NGHĨA, TỪ VIẾT TẮT")
    doc.add_paragraph("- UBND: Ủy ban nhân dân")
    doc.add_paragraph("- CB: Cán bộ")
    doc.add_paragraph("5. NỘI DUNG QUY TRÌNH")
    table(doc, [
        ["Bước", "Nội dung công việc", "Trách nhiệm", "Thời gian", "Biểu mẫu/Hồ sơ", "Bước tiếp theo"],
        ["1", "Tiếp nhận hồ sơ", "CB một cửa", "01 giờ", "BM-TP-01", "2"],
        ["2", "Hồ sơ đầy đủ?", "Công chức Tư pháp", "½ ngày", "", "Có: 3; Không: 5"],
        ["3", "Chứng thực bản sao", "Công chức Tư pháp", "02 ngày làm việc", "HS-TP-01", "4"],
        ["4", "Ký chứng thực", "Phó Chủ tịch", "04 giờ", "", "6"],
        ["5", "Hướng dẫn bổ sung hồ sơ", "CB một cửa", "01 giờ", "BM-TP-02", ""],
        ["6", "Trả kết quả", "CB một cửa", "Trong ngày", "", ""],
    ])
    doc.add_paragraph("6. BIỂU MẪU")
    table(doc, [["TT", "Tên biểu mẫu", "Mã hiệu"],
                ["1", "Phiếu tiếp nhận hồ sơ", "BM-TP-01"],
                ["2", "Phiếu hướng dẫn bổ sung", "BM-TP-02"]])
    doc.add_paragraph("7. HỒ SƠ CẦN LƯU")
    records_table(doc, [["1", "Sổ chứng thực bản sao", "HS-TP-01", "Phòng Tư pháp", "Vĩnh viễn"],
                        ["2", "Phiếu tiếp nhận", "HS-TP-02", "Bộ phận Một cửa", "5 năm"]])
    doc.save(path)


def qt_2008_paragraphs(path: Path) -> None:
    doc = Document()
    header_table(doc, "QT-NV-02", "Tuyển dụng công chức", 1, "05/06/2012")
    approval(doc)
    doc.add_paragraph("Muc dich")
    doc.add_paragraph("Đảm bảo tuyển dụng công chức đúng tiêu chuẩn, đáp ứng yêu cầu điều khoản 6.2.2 ISO 9001:2008.")
    doc.add_paragraph("phạm vi")
    doc.add_paragraph("Áp dụng cho việc tuyển dụng công chức của UBND thành phố.")
    doc.add_paragraph("Tài liệu tham khảo")
    doc.add_paragraph("- Sổ tay chất lượng theo TCVN ISO 9001:2008, mục 7.5.1")
    doc.add_paragraph("- Luật Cán bộ, công chức 2008")
    doc.add_paragraph("Nội dung")
    doc.add_paragraph("Bước 1: Lập kế hoạch tuyển dụng")
    doc.add_paragraph("- Trách nhiệm: Trưởng phòng Nội vụ")
    doc.add_paragraph("- Thời gian: 05 ngày làm việc")
    doc.add_paragraph("- Biểu mẫu: BM-NV-01")
    doc.add_paragraph("Bước 2: Thông báo tuyển dụng")
    doc.add_paragraph("- Trách nhiệm: CV phụ trách")
    doc.add_paragraph("- Thời gian: Không quá 15 ngày")
    doc.add_paragraph("Bước 3: Xét tuyển hồ sơ")
    doc.add_paragraph("Nếu hồ sơ chưa đầy đủ thì thông báo cho người dự tuyển bổ sung.")
    doc.add_paragraph("- Trách nhiệm: Hội đồng tuyển dụng")
    doc.add_paragraph("- Thời gian: 1/2 ngày")
    doc.add_paragraph("Bước 4: Phê duyệt kết quả")
    doc.add_paragraph("- Trách nhiệm: LĐ UBND")
    doc.add_paragraph("- Thời gian: 15 ngày (không kể thời gian niêm yết)")
    doc.add_paragraph("Hồ sơ lưu")
    records_table(doc, [["1", "Kế hoạch tuyển dụng", "HS-NV-01", "Phòng Nội vụ", "10 năm"],
                        ["2", "Quyết định công nhận kết quả", "HS-NV-02", "Phòng Nội vụ", "Lưu vĩnh viễn"]])
    doc.save(path)


def _set_vmerge(t, row: int, col: int, value: str | None) -> None:
    tc = t.rows[row]._tr.tc_lst[col]
    tcpr = tc.get_or_add_tcPr()
    el = tcpr.find(qn("w:vMerge"))
    if el is None:
        el = parse_xml(f"<w:vMerge {nsdecls('w')}/>")
        tcpr.append(el)
    if value:
        el.set(qn("w:val"), value)
    else:
        for r in tc.iter(qn("w:r")):
            r.getparent().remove(r)


def qt_merged(path: Path) -> None:
    doc = Document()
    header_table(doc, "QT-QLDT-03", "Cấp giấy phép xây dựng nhà ở riêng lẻ", 3, "01/07/2021", in_header=True)
    doc.add_paragraph("I. MỤC ĐÍCH")
    doc.add_paragraph("Cấp giấy phép xây dựng nhà ở riêng lẻ đúng quy định.")
    doc.add_paragraph("II. PHẠM VI")
    doc.add_paragraph("Phòng Quản lý đô thị và Bộ phận Một cửa.")
    doc.add_paragraph("III. NỘI DUNG")
    t = doc.add_table(rows=7, cols=5)
    t.style = "Table Grid"
    head = ["Trách nhiệm", "TT", "Trình tự công việc", "Thời gian", "Kết quả"]
    for c, text in enumerate(head):
        t.cell(0, c).text = text
    body = [
        ["CB một cửa", "1", "Tiếp nhận hồ sơ, kiểm tra thành phần", "04 giờ", "BM-QLDT-01"],
        ["", "", "Chuyển hồ sơ cho Phòng Quản lý đô thị", "", ""],
        ["Chuyên viên QLĐT", "2", "Thẩm định hồ sơ, kiểm tra thực địa", "07 ngày làm việc", ""],
        ["", "3", "Dự thảo giấy phép", "02 ngày làm việc", ""],
        ["Trưởng phòng QLĐT", "4", "Xem xét, trình ký", "01 ngày làm việc", ""],
        ["LĐ UBND", "5", "Ký giấy phép", "01 ngày làm việc", "HS-QLDT-01"],
    ]
    for r, row in enumerate(body, start=1):
        for c, text in enumerate(row):
            t.cell(r, c).text = text
    # "CB một cửa" spans rows 1-2 and step 1 continues on row 2; "Chuyên viên QLĐT" spans rows 3-4
    for col in (0, 1):
        _set_vmerge(t, 1, col, "restart")
        _set_vmerge(t, 2, col, None)
    _set_vmerge(t, 3, 0, "restart")
    _set_vmerge(t, 4, 0, None)
    doc.add_paragraph("IV. HỒ SƠ")
    records_table(doc, [["1", "Giấy phép xây dựng (bản lưu)", "HS-QLDT-01", "Phòng QLĐT", "Vĩnh viễn"]])
    doc.save(path)


_NUMBERING = (
    '<w:abstractNum {ns} w:abstractNumId="90"><w:multiLevelType w:val="singleLevel"/>'
    '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="Bước %1:"/>'
    '<w:lvlJc w:val="left"/></w:lvl></w:abstractNum>'
)


def _numbered(doc, text: str):
    p = doc.add_paragraph(text)
    ppr = p._p.get_or_add_pPr()
    ppr.append(parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="0"/><w:numId w:val="90"/></w:numPr>'))
    return p


def qt_numbering(path: Path) -> None:
    doc = Document()
    numbering = doc.part.numbering_part.element
    numbering.insert(0, parse_xml(_NUMBERING.format(ns=nsdecls("w"))))
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    header_table(doc, "QT-VP-04", "Quản lý văn bản đến", 1, "20/02/2022")
    p = doc.add_paragraph()
    run = p.add_run(to_tcvn3("mục đích"))
    run.font.name = ".VnTime"
    p = doc.add_paragraph()
    run = p.add_run(to_tcvn3("quản lý thống nhất văn bản đến của cơ quan."))
    run.font.name = ".VnTime"
    # an NFD heading, as some converters leave it
    import unicodedata

    doc.add_paragraph(unicodedata.normalize("NFD", "Phạm vi áp dụng"))
    doc.add_paragraph(unicodedata.normalize("NFD", "Văn phòng UBND thành phố."))
    doc.add_paragraph("Nội dung quy trình")
    s1 = _numbered(doc, "Tiếp nhận, đăng ký văn bản đến")
    doc.add_paragraph("Trách nhiệm: Văn thư")
    doc.add_paragraph("Thời gian: 04 giờ")
    s2 = _numbered(doc, "Trình lãnh đạo cho ý kiến phân phối")
    # a tracked insertion and a deletion in step 2
    s2._p.append(parse_xml(
        f'<w:ins {nsdecls("w")} w:id="1" w:author="Bình" w:date="2024-01-01T00:00:00Z">'
        '<w:r><w:t xml:space="preserve"> và chỉ đạo giải quyết</w:t></w:r></w:ins>'))
    s2._p.append(parse_xml(
        f'<w:del {nsdecls("w")} w:id="2" w:author="Bình" w:date="2024-01-01T00:00:00Z">'
        '<w:r><w:delText xml:space="preserve"> (bản giấy)</w:delText></w:r></w:del>'))
    doc.add_paragraph("Trách nhiệm: Chánh Văn phòng")
    doc.add_paragraph("Thời gian: 1/2 ngày")
    _numbered(doc, "Chuyển văn bản đến đơn vị xử lý")
    doc.add_paragraph("Trách nhiệm: Văn thư")
    doc.add_paragraph("Thời gian: 02 giờ")
    doc.add_comment(s1.runs, text="Nên ghi rõ sổ đăng ký điện tử.", author="Trần Thị Bình", initials="TB")
    doc.add_paragraph("Biểu mẫu")
    doc.add_paragraph("- Sổ đăng ký văn bản đến (BM-VP-01)")
    doc.save(path)


def qt_tthc(path: Path) -> None:
    doc = Document()
    header_table(doc, "QT-HT-07", "Đăng ký kết hôn", 1, "01/03/2023")
    approval(doc)
    doc.add_paragraph("1. Mục đích")
    doc.add_paragraph("Giải quyết thủ tục đăng ký kết hôn đúng quy định.")
    doc.add_paragraph("2. Phạm vi")
    doc.add_paragraph("Công dân Việt Nam cư trú trên địa bàn thành phố.")
    doc.add_paragraph("3. Căn cứ pháp lý")
    doc.add_paragraph("- Luật Hộ tịch 2014")
    doc.add_paragraph("- Nghị định 123/2015/NĐ-CP")
    doc.add_paragraph("4. Nội dung")
    doc.add_paragraph("Thành phần hồ sơ:")
    doc.add_paragraph("- Tờ khai đăng ký kết hôn")
    doc.add_paragraph("- Bản sao có chứng thực giấy xác nhận tình trạng hôn nhân")
    doc.add_paragraph("Số lượng hồ sơ: 01 bộ")
    doc.add_paragraph("Thời hạn giải quyết: Trong ngày")
    doc.add_paragraph("Phí, lệ phí: Miễn lệ phí")
    doc.add_paragraph("Nơi tiếp nhận: Bộ phận Một cửa UBND thành phố")
    table(doc, [
        ["TT", "Nội dung", "Trách nhiệm", "Thời gian", "Biểu mẫu/Kết quả"],
        ["B1", "Tiếp nhận và kiểm tra hồ sơ", "CB một cửa", "01 giờ", "BM-HT-01"],
        ["B2", "Ghi sổ hộ tịch, trình ký", "Công chức Tư pháp", "03 giờ", ""],
        ["B3", "Ký giấy chứng nhận kết hôn", "Phó Chủ tịch", "02 giờ", "Giấy chứng nhận kết hôn"],
        ["B4", "Trả kết quả", "CB một cửa", "01 giờ", "HS-HT-07"],
    ])
    doc.add_paragraph("5. Hồ sơ cần lưu")
    records_table(doc, [["1", "Sổ đăng ký kết hôn", "HS-HT-07", "Phòng Tư pháp", "Vĩnh viễn"]])
    doc.save(path)


def _xlsx(path: Path, rows: list[list[str]]) -> None:
    """A minimal workbook with inline strings (no spreadsheet library needed)."""
    def col(i: int) -> str:
        return chr(ord("A") + i)

    sheet_rows = []
    for r, row in enumerate(rows, start=1):
        cells = "".join(f'<c r="{col(c)}{r}" t="inlineStr"><is><t>{escape(v)}</t></is></c>' for c, v in enumerate(row))
        sheet_rows.append(f'<row r="{r}">{cells}</row>')
    sheet = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
             '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
             + "".join(sheet_rows) + "</sheetData></worksheet>")
    files = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="TTHC" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": sheet,
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in files.items():
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            zf.writestr(info, text)


def tthc_list(path: Path) -> None:
    _xlsx(path, [
        ["DANH MỤC THỦ TỤC HÀNH CHÍNH THUỘC THẨM QUYỀN GIẢI QUYẾT CỦA UBND CẤP HUYỆN"],
        ["STT", "Mã TTHC", "Tên thủ tục hành chính", "Lĩnh vực", "Thời hạn giải quyết", "Địa điểm thực hiện",
         "Phí, lệ phí", "Căn cứ pháp lý", "Cơ chế"],
        ["1", "1.001193", "Đăng ký khai sinh", "Hộ tịch", "Trong ngày", "Bộ phận Một cửa UBND cấp huyện",
         "Miễn phí", "Luật Hộ tịch 2014; Nghị định 123/2015/NĐ-CP", "Một cửa"],
        ["2", "1.000894", "Đăng ký kết hôn", "Hộ tịch", "05 ngày làm việc", "Bộ phận Một cửa UBND cấp huyện",
         "Lệ phí: 1.500.000 đồng", "Luật Hộ tịch 2014", "Một cửa"],
        ["3", "1.003141", "Cấp giấy phép xây dựng nhà ở riêng lẻ", "Xây dựng", "15 ngày",
         "Bộ phận Một cửa UBND cấp huyện", "75.000 đồng", "Luật Xây dựng 2014; Nghị định 15/2021/NĐ-CP",
         "Liên thông"],
    ])


LAYOUTS = {
    "QT-TP-01-2015-bang.docx": qt_2015_table,
    "QT-NV-02-2008-doan-van.docx": qt_2008_paragraphs,
    "QT-QLDT-03-o-gop.docx": qt_merged,
    "QT-VP-04-danh-so-tu-dong.docx": qt_numbering,
    "QT-HT-07-tthc.docx": qt_tthc,
}
RESAVED = ("QT-TP-01-2015-bang.docx", "QT-QLDT-03-o-gop.docx")


def _stable(path: Path) -> None:
    """Fixed timestamps inside the package, so regenerating gives the same bytes."""
    with zipfile.ZipFile(path) as zf:
        items = [(i, zf.read(i)) for i in zf.infolist()]
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as out:
        for info, data in items:
            if info.filename == "docProps/core.xml":
                import re

                data = re.sub(rb"<dcterms:(created|modified)([^>]*)>[^<]*<",
                              rb"<dcterms:\1\2>2024-01-01T00:00:00Z<", data)
            if info.filename.endswith(".xml"):
                import re

                data = re.sub(rb'w:date="[^"]*"', b'w:date="2024-01-01T00:00:00Z"', data)
            new = copy.copy(info)
            new.date_time = (2024, 1, 1, 0, 0, 0)
            out.writestr(new, data)
    tmp.replace(path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=HERE)
    parser.add_argument("--resave", action="store_true", help="also write the LibreOffice re-saves (soffice)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for name, make in LAYOUTS.items():
        make(args.out / name)
        _stable(args.out / name)
    tthc_list(args.out / "danh-muc-tthc.xlsx")
    if args.resave:
        soffice = shutil.which("soffice")
        if soffice is None:
            print("soffice not found", file=sys.stderr)
            return 1
        with tempfile.TemporaryDirectory() as tmp:
            for name in RESAVED:
                src = Path(tmp) / name.replace(".docx", "-lo.odt")
                subprocess.run([soffice, f"-env:UserInstallation={Path(tmp, 'p').as_uri()}", "--headless",
                                "--convert-to", "odt", "--outdir", tmp, str(args.out / name)], check=True,
                               capture_output=True, timeout=180)
                odt = Path(tmp) / name.replace(".docx", ".odt")
                odt.rename(src)
                subprocess.run([soffice, f"-env:UserInstallation={Path(tmp, 'p').as_uri()}", "--headless",
                                "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(args.out), str(src)],
                               check=True, capture_output=True, timeout=180)
    print(f"wrote {len(LAYOUTS)} documents and danh-muc-tthc.xlsx to {args.out}", file=sys.stderr)
    _ = dt
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
