"""Fuzz target: XLSX dossier logs (``qms.store.dossier_logs.open_xlsx``, python-calamine, the KPI classifier).

An input that starts like a zip file (``PK\\x03\\x04``) is the workbook itself. Any other input is
the XML of the first worksheet (and, after a line ``--sst--``, of the shared-strings part), packed
here into a valid workbook, so that the fuzzer spends its time in the sheet parser rather than in
the zip layer.

Contract: the reader returns a report or raises ``QmsError``; never another exception, never a
native abort, never more than the memory bound (``-rss_limit_mb``).
"""

from __future__ import annotations

import io
import os
import re
import zipfile

from _harness import fresh_dir, main
from _kpi import GROUPINGS, classify_file

SST_MARK = b"\n--sst--\n"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
    'Target="sharedStrings.xml"/></Relationships>'
)
EMPTY_SST = '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>'


def workbook(sheet_xml: bytes, shared_strings: bytes | None = None) -> bytes:
    """A minimal .xlsx holding ``sheet_xml`` as its first worksheet."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", ROOT_RELS)
        z.writestr("xl/workbook.xml", WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        z.writestr("xl/sharedStrings.xml", shared_strings if shared_strings is not None else EMPTY_SST)
        z.writestr("xl/worksheets/sheet1.xml", sheet_xml)
    return buf.getvalue()


def to_xlsx(data: bytes) -> bytes:
    if data.startswith(b"PK\x03\x04"):
        return data
    sheet, _mark, sst = data.partition(SST_MARK)
    return workbook(sheet, sst if _mark else None)


_CELL = re.compile(rb'\br="\$?([A-Za-z]*)\$?([0-9]*)"')
_DIMENSION = re.compile(rb'ref="\$?([A-Za-z]*)\$?([0-9]*)(?::\$?([A-Za-z]*)\$?([0-9]*))?"')
#: Known issue F3 (fuzz/known_issues.py): python-calamine allocates the whole grid up to the farthest
#: cell and aborts the process when that fails. Until the reader checks the dimensions first, inputs
#: with a grid larger than this are skipped (QMS_FUZZ_STRICT=1 feeds them too).
GRID_CELLS = 4_000_000


def _column(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ch - 64)
    return n


def far_grid(book: bytes) -> bool:
    """Whether any sheet of ``book`` names a cell or an area beyond :data:`GRID_CELLS` (known issue F3)."""
    try:
        with zipfile.ZipFile(io.BytesIO(book)) as z:
            sheets = [z.read(n)[: 1 << 22] for n in z.namelist() if n.startswith("xl/worksheets/")]
    except Exception:  # not a zip, or a damaged one: the reader reports that itself
        return False
    for sheet in sheets:
        rows = cols = 1
        for m in _CELL.finditer(sheet):
            cols = max(cols, _column(m.group(1)) if len(m.group(1)) < 8 else 1 << 40)
            rows = max(rows, int(m.group(2)) if m.group(2) and len(m.group(2)) < 12 else 1)
        for m in _DIMENSION.finditer(sheet):
            for letters, digits in ((m.group(1), m.group(2)), (m.group(3) or b"", m.group(4) or b"")):
                cols = max(cols, _column(letters) if len(letters) < 8 else 1 << 40)
                rows = max(rows, int(digits) if digits and len(digits) < 12 else 1)
        if rows * cols > GRID_CELLS or cols > 16384 or rows > 1_048_576:
            return True
    return False


def test_one_input(data: bytes) -> None:
    book = to_xlsx(data)
    if not os.environ.get("QMS_FUZZ_STRICT") and far_grid(book):
        return  # known issue F3, see GRID_CELLS
    path = fresh_dir("xlsx") / "log.xlsx"
    path.write_bytes(book)
    classify_file(path, "auto", GROUPINGS[len(data) % len(GROUPINGS)])


if __name__ == "__main__":
    main(test_one_input)
