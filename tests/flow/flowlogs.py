"""Small hand-over logs for the flow tests (imported by the tests of this folder)."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

HEADER = ["Mã hồ sơ", "Mã thủ tục", "Họ tên người nộp", "Số điện thoại", "Bước", "Thời gian nhận", "Thời gian giao",
          "Ngày hẹn trả"]
APPLICANT = "Nguyễn Thị Bí Mật"
PHONE = "0912345678"
PROC = "QT-HT-01"


def row(code: str, step: str, start: str, end: str, due: str = "", proc: str = PROC) -> list[str]:
    return [code, proc, APPLICANT, PHONE, step, start, end, due]


#: D1 follows the map and is late (appointment on the day of receipt): known working hours per step
D1 = [
    row("D1", "B1", "06/03/2026 08:00", "06/03/2026 09:30", "06/03/2026"),  # 1.5 h (budget 1 h)
    row("D1", "B2", "06/03/2026 09:30", "06/03/2026 11:30", "06/03/2026"),  # 2 h (budget 1 h)
    row("D1", "B3", "06/03/2026 11:30", "06/03/2026 14:00", "06/03/2026"),  # 1.5 h: lunch 12-13 is not work
    row("D1", "B4", "06/03/2026 16:00", "09/03/2026 09:00", "06/03/2026"),  # 2 h: Friday 16-17 and Monday 8-9
    row("D1", "B6", "09/03/2026 09:00", "09/03/2026 10:00", "06/03/2026"),  # 1 h
]


def route(code: str, steps: list[str], day: str = "10/03/2026", last_open: bool = False) -> list[list[str]]:
    out = []
    for i, step in enumerate(steps):
        start, end = f"{day} {8 + i:02d}:00", f"{day} {8 + i:02d}:30"
        out.append(row(code, step, start, "" if last_open and i == len(steps) - 1 else end))
    return out


DEVIANTS = [
    *route("D2", ["B1", "B3", "B4", "B6"]),  # B2 skipped
    *route("D3", ["B1", "B2", "B3", "B2", "B3", "B4", "B6"]),  # back to B2: a loop the map does not have
    *route("D4", ["B1", "B2", "B3"]),  # finished at B3: not an end step
    *route("D5", ["B1", "B9", "B2", "B3", "B4", "B6"]),  # B9 is not in the map
    *route("D6", ["B1", "B2"], last_open=True),  # in progress (and overdue by --as-of)
    *route("D7", ["B1", "B3", "B2"], last_open=True),  # B2 skipped, then back: out of order
]


def write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


def write_xlsx(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    """A real minimal .xlsx: strings as inline strings."""
    all_rows = [header, *rows]

    def col(c: int) -> str:
        return chr(65 + c)

    body = "".join(
        f'<row r="{r}">' + "".join(f'<c r="{col(c)}{r}" t="inlineStr"><is><t>{escape(str(v))}</t></is></c>'
                                  for c, v in enumerate(cells) if v != "") + "</row>"
        for r, cells in enumerate(all_rows, start=1))
    ns = "http://schemas.openxmlformats.org"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml",
                   f'<Types xmlns="{ns}/package/2006/content-types">'
                   '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                   '<Default Extension="xml" ContentType="application/xml"/>'
                   '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                   'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType='
                   '"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
        z.writestr("_rels/.rels",
                   f'<Relationships xmlns="{ns}/package/2006/relationships"><Relationship Id="rId1" '
                   f'Type="{ns}/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
                   '</Relationships>')
        z.writestr("xl/workbook.xml",
                   f'<workbook xmlns="{ns}/spreadsheetml/2006/main" xmlns:r="{ns}/officeDocument/2006/relationships">'
                   '<sheets><sheet name="Giao nhận" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels",
                   f'<Relationships xmlns="{ns}/package/2006/relationships"><Relationship Id="rId1" '
                   f'Type="{ns}/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
                   '</Relationships>')
        z.writestr("xl/worksheets/sheet1.xml",
                   f'<worksheet xmlns="{ns}/spreadsheetml/2006/main"><sheetData>{body}</sheetData></worksheet>')
    return path
