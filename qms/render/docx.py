"""Word export (issue 14, item 6): a procedure or the whole manual as a .docx in the national layout.

The document is built in memory with python-docx from the same view-models as the PDF
(:mod:`qms.render.viewmodels`), so both show the same content: the framed header table in the
page header (agency, title, Mã hiệu, Lần ban hành, Ngày ban hành, Ngày hiệu lực, Trang x/y as Word
fields), the approval block, the revision table, the sections Mục đích … Hồ sơ cần lưu and the
steps table. The steps table is the contract of the Word importer: its columns are
:func:`step_columns`, durations are written as a reader writes them (:func:`word_duration`) and
"Bước tiếp theo" gives the graph back (:func:`next_steps`).

The flowchart goes in as a PNG at print resolution: each SVG sheet is laid out by WeasyPrint with
the bundled fonts embedded, and the PDF page is rasterised by poppler (``store/raster.py``), so the
picture never depends on the host's fonts. The caller writes the bytes through ``store/``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from io import BytesIO
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.section import Section
from docx.shared import Mm, Pt, RGBColor
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from qms.i18n import _, format_number, pgettext, use_language
from qms.models.common import Duration
from qms.models.process import Process
from qms.render import viewmodels as vm
from qms.render.assets import FONT_FACES, SCHEME, prepare_fonts
from qms.render.pdf import html_to_pdf
from qms.store.raster import check_pixels, pdf_pages_to_png

FLOWCHART_DPI = 300
BODY_FONT = "Times New Roman"
BODY_SIZE = Pt(12)
TABLE_SIZE = Pt(11)
PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGIN_LEFT, MARGIN_RIGHT = Mm(30), Mm(15)
CONTENT_WIDTH_MM = 165
#: a landscape section (flowcharts of more than six lanes): the page turned, the same margins
LANDSCAPE_WIDTH_MM = 297 - 30 - 15
#: the height a landscape flowchart sheet may take: the page less its margins, the running header
#: table (it overflows the top margin by about 30 mm) and the heading line
LANDSCAPE_HEIGHT_MM = 210 - 20 - 20 - 30 - 12
#: widths (mm) of the steps table's columns; they add up to CONTENT_WIDTH_MM. The last one holds a decision's
#: outcomes ("Incomplete: 13", "Không đủ: 5"): wide enough that an outcome is not cut inside a word
STEP_WIDTHS = (14, 48, 29, 20, 28, 26)
SHADE = "E8EDF2"


# ------------------------------------------------------------------------------- the contract


def step_columns(lang: str) -> tuple[str, str, str, str, str, str]:
    """The steps table's header, in the document's language (the Word importer's contract)."""
    with use_language(lang):
        return (pgettext("steps table", "Step"), pgettext("steps table", "Activity"),
                pgettext("steps table", "Responsibility"), pgettext("steps table", "Time"),
                pgettext("steps table", "Forms/Records"), pgettext("steps table", "Next step"))


def _amount(value: float, lang: str) -> str:
    """A whole number below ten is written with two digits in Vietnamese ("02"), as agencies do."""
    if lang == "vi" and value == int(value) and 0 <= value < 10:
        return f"{int(value):02d}"
    return format_number(value, lang)


def word_duration(value: Duration | None, lang: str) -> str:
    """A duration as a reader writes it: "02 ngày làm việc", "0,5 ngày làm việc", "04 giờ", "15 ngày"
    (calendar days have no "làm việc"); "2 working days", "4 hours", "15 calendar days" in English."""
    if value is None:
        return ""
    with use_language(lang):
        if value.calendar_days:
            n = value.calendar_days
            text = (pgettext("duration as written", "{n} calendar day") if n == 1
                    else pgettext("duration as written", "{n} calendar days"))
            return text.format(n=_amount(n, lang))
        parts: list[str] = []
        if value.days:
            text = (pgettext("duration as written", "{n} working day") if value.days == 1
                    else pgettext("duration as written", "{n} working days"))
            parts.append(text.format(n=_amount(value.days, lang)))
        if value.hours:
            text = (pgettext("duration as written", "{n} hour") if value.hours == 1
                    else pgettext("duration as written", "{n} hours"))
            parts.append(text.format(n=_amount(value.hours, lang)))
        return " ".join(parts)


def next_steps(proc: Process, lang: str) -> dict[str, str]:
    """"Bước tiếp theo" of every step: step numbers ("3, 4"), or a decision's outcomes ("Có: 5; Không: 3")."""
    numbers = {s.id: i + 1 for i, s in enumerate(proc.steps)}
    out: dict[str, str] = {}
    for s in proc.steps:
        if s.decision is not None:
            out[s.id] = "; ".join(f"{vm.t(b.label, lang)}: {numbers.get(b.next, b.next)}"
                                  for b in s.decision.branches)
        else:
            out[s.id] = ", ".join(str(numbers.get(n, n)) for n in s.next)
    return out


# ------------------------------------------------------------------------------ the flowchart

_SIZE = re.compile(r'viewBox="\s*[-\d.]+[\s,]+[-\d.]+[\s,]+([\d.]+)[\s,]+([\d.]+)\s*"')


def svg_size(svg: str) -> tuple[float, float]:
    """Width and height (CSS px) of an SVG sheet, from its viewBox."""
    head = svg[: svg.find(">") + 1]
    m = _SIZE.search(head)
    if m is None:
        return 720.0, 400.0
    return float(m.group(1)), float(m.group(2))


def diagrams_pdf(svgs: Sequence[str], root: Path | None) -> tuple[bytes, int]:
    """SVG sheets as one PDF of one page per sheet, each page the size of its sheet (one layout for
    all of them), with the bundled fonts embedded; and its number of pages."""
    faces = "".join(f'@font-face {{ font-family: QmsSans; src: url("{SCHEME}{name}"); font-weight: {weight}; }}\n'
                    for name, weight in FONT_FACES.items())
    pages, bodies = [], []
    for k, svg in enumerate(svgs):
        width, height = svg_size(svg)
        # a named page per sheet: a change of page name starts a new page, of that sheet's size
        pages.append(f"@page s{k} {{ size: {width}pt {height}pt; margin: 0 }} .s{k} {{ page: s{k} }}"
                     f" .s{k} > svg {{ display: block; width: {width}pt; height: {height}pt }}")
        bodies.append(f'<div class="s{k}">{svg}</div>')
    html = (f"<!DOCTYPE html><html><head><meta charset='utf-8'><style>{faces}{''.join(pages)}"
            f" html, body {{ margin: 0; font-family: QmsSans }}</style></head>"
            f"<body>{''.join(bodies)}</body></html>")
    prepare_fonts(root)
    result = html_to_pdf(html, root)
    return result.data, result.pages


def diagram_pdf(svg: str, root: Path | None) -> bytes:
    """One SVG sheet as a one-page PDF whose page is the sheet, with the bundled fonts embedded."""
    return diagrams_pdf([svg], root)[0]


def diagram_pngs(svgs: Sequence[str], root: Path | None, dpi: int = FLOWCHART_DPI) -> list[bytes]:
    """SVG sheets as PNGs at print resolution, in order, drawn with the bundled fonts: laid out
    together and rasterised on every core (a document's flowcharts take a fraction of the time of
    one picture after another)."""
    if not svgs:
        return []
    for svg in svgs:  # (one SVG unit prints as one point)
        width, height = svg_size(svg)
        check_pixels(round(width / 72 * dpi), round(height / 72 * dpi))
    pdf, pages = diagrams_pdf(svgs, root)
    if pages != len(svgs) and len(svgs) > 1:  # pragma: no cover - a page is the size of its sheet
        return [diagram_png(svg, root, dpi) for svg in svgs]  # (a stray page would shift the others)
    return pdf_pages_to_png(pdf, len(svgs), dpi)


def diagram_png(svg: str, root: Path | None, dpi: int = FLOWCHART_DPI) -> bytes:
    """One SVG sheet as a PNG at print resolution, drawn with the bundled fonts."""
    return diagram_pngs([svg], root, dpi)[0]


# ---------------------------------------------------------------------------------- low level


def _shade(cell: _Cell, fill: str = SHADE) -> None:
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shd)


#: the lines of table text a row may hold and still be kept whole on a page (a page holds about fifty):
#: a longer row may break across pages, since Word and LibreOffice cut off a whole row taller than a page
KEEP_ROW_LINES = 24
#: the average width of a character of the table text, in millimetres (Times New Roman, 11 pt)
_CHAR_MM = 1.9


def _row_lines(values: Sequence[str | Sequence[str]], widths_mm: Sequence[float]) -> int:
    """How many lines the tallest cell of a row takes, roughly (each of its lines wrapped to its width)."""
    tallest = 0
    for value, width in zip(values, widths_mm, strict=False):
        per_line = max(int((width - 2.5) / _CHAR_MM), 1)  # less the cell's padding
        lines = [value] if isinstance(value, str) else list(value)
        tallest = max(tallest, sum(max(math.ceil(len(part) / per_line), 1)
                                   for line in lines for part in line.split("\n")))
    return tallest


def _repeat_header(table: Table, keep: Sequence[bool] | None = None) -> None:
    """The header row repeats on every page; a row breaks across pages only where ``keep`` (one flag per
    row after the header; default: every row) says it may (as in the PDF, rows are kept whole)."""
    for i, row in enumerate(table.rows):
        tr_pr = row._tr.get_or_add_trPr()
        if i == 0 or keep is None or keep[i - 1]:
            whole = OxmlElement("w:cantSplit")
            whole.set(qn("w:val"), "true")
            tr_pr.append(whole)
        if i == 0:
            el = OxmlElement("w:tblHeader")
            el.set(qn("w:val"), "true")
            tr_pr.append(el)


def _field(paragraph: Paragraph, instruction: str, size: Pt, shown: str = "1") -> None:
    """A simple Word field (PAGE, NUMPAGES) showing ``shown`` until it is updated."""
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), f" {instruction} ")
    run = OxmlElement("w:r")
    r_pr = OxmlElement("w:rPr")
    sz = OxmlElement("w:sz")
    sz.set(qn("w:val"), str(round(size.pt * 2)))
    r_pr.append(sz)
    run.append(r_pr)
    text = OxmlElement("w:t")
    text.text = shown
    run.append(text)
    fld.append(run)
    paragraph._p.append(fld)


def _set_cell(cell: _Cell, lines: Sequence[str], *, bold: bool = False, first_bold: bool = False,
              centre: bool = False, size: Pt | None = None) -> None:
    """Fill a cell with one paragraph per line (the cell's empty first paragraph is reused)."""
    items = list(lines) or [""]
    for i, line in enumerate(items):
        para = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
        if centre:
            para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = para.add_run(line)
        run.bold = bold or (first_bold and i == 0)
        run.font.size = size or TABLE_SIZE


def _widths(table: Table, widths_mm: Sequence[float]) -> None:
    """Column widths in the grid (what LibreOffice reads) and in every cell (what Word reads)."""
    table.autofit = False
    for col, w in zip(table._tbl.tblGrid.gridCol_lst, widths_mm, strict=False):
        col.w = Mm(w)
    for row in table.rows:
        for cell, w in zip(row.cells, widths_mm, strict=False):
            cell.width = Mm(w)


class WordWriter:
    """Builds one Word document; a procedure or the manual's chapters are appended to it."""

    def __init__(self, lang: str, root: Path | None, drafts: bool = False) -> None:
        self.lang = lang
        self.root = root
        self.drafts = drafts
        self.doc: DocxDocument = Document()
        self._pictures = 0
        #: the PNG of each flowchart sheet drawn ahead (:meth:`draw_ahead`), by its SVG text
        self._drawn: dict[str, bytes] = {}
        self._setup()

    # -- document setup

    def _setup(self) -> None:
        styles = self.doc.styles
        normal = styles["Normal"]
        normal.font.name = BODY_FONT
        normal.font.size = BODY_SIZE
        r_pr = normal.element.get_or_add_rPr()
        fonts = r_pr.find(qn("w:rFonts"))
        if fonts is not None:
            for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
                fonts.set(qn(attr), BODY_FONT)
        lang_el = OxmlElement("w:lang")
        lang_el.set(qn("w:val"), "vi-VN" if self.lang == "vi" else "en-GB")
        r_pr.append(lang_el)
        for name, size in (("Title", Pt(16)), ("Heading 1", Pt(14)), ("Heading 2", Pt(12.5)),
                           ("Heading 3", Pt(12))):
            style = styles[name]
            style.font.name = BODY_FONT
            style.font.size = size
            style.font.color.rgb = RGBColor(0x1F, 0x4E, 0x79)
            h_fonts = style.element.get_or_add_rPr().find(qn("w:rFonts"))
            if h_fonts is not None:
                for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
                    h_fonts.set(qn(attr), BODY_FONT)
                for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme", "w:eastAsiaTheme"):
                    h_fonts.attrib.pop(qn(attr), None)
        self._page(self.doc.sections[0])

    @staticmethod
    def _page(section: Section) -> None:
        """Portrait A4 with the document's margins (a new section copies the one before: perhaps landscape)."""
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
        section.left_margin, section.right_margin = MARGIN_LEFT, MARGIN_RIGHT
        section.top_margin, section.bottom_margin = Mm(20), Mm(20)
        section.header_distance, section.footer_distance = Mm(8), Mm(8)

    def new_section(self) -> Section:
        """A new section on a new page, with its own header.

        Pages are numbered through the whole document: LibreOffice does not compute Word's
        SECTIONPAGES field, so a per-section "Trang x/y" would be wrong there; PAGE/NUMPAGES is right
        in every program."""
        section: Section = self.doc.add_section(WD_SECTION.NEW_PAGE)
        self._page(section)
        section.header.is_linked_to_previous = False
        section.footer.is_linked_to_previous = False
        return section

    def landscape_section(self) -> Section:
        """A new page in a section of its own, turned to landscape; it keeps the running header of the
        section before it (linked), so the header table and "Trang x/y" go on."""
        section: Section = self.doc.add_section(WD_SECTION.NEW_PAGE)
        self._page(section)
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = PAGE_HEIGHT, PAGE_WIDTH
        section.header.is_linked_to_previous = True
        section.footer.is_linked_to_previous = True
        return section

    def save(self) -> bytes:
        buffer = BytesIO()
        self.doc.save(buffer)
        return buffer.getvalue()

    # -- building blocks

    def heading(self, text: str, level: int) -> None:
        self.doc.add_heading(text, level)

    def para(self, text: str, *, bold: bool = False, italic: bool = False, centre: bool = False,
             size: Pt | None = None) -> Paragraph:
        p = self.doc.add_paragraph()
        run = p.add_run(text)
        run.bold, run.italic = bold, italic
        if size is not None:
            run.font.size = size
        if centre:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        return p

    def bullets(self, items: Sequence[str]) -> None:
        for item in items:
            self.doc.add_paragraph(item, style="List Bullet")

    def none(self) -> None:
        with use_language(self.lang):
            self.para(_("None."), italic=True)

    def table(self, header: Sequence[str], rows: Sequence[Sequence[str | Sequence[str]]],
              widths: Sequence[float] | None = None, *, first_bold: bool = False) -> Table:
        """A framed table with a shaded header row that repeats on every page."""
        table: Table = self.doc.add_table(rows=1, cols=len(header))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for cell, label in zip(table.rows[0].cells, header, strict=True):
            _set_cell(cell, [label], bold=True)
            _shade(cell)
        for values in rows:
            cells = table.add_row().cells  # type: ignore[no-untyped-call,unused-ignore]  # typed in newer python-docx
            for cell, value in zip(cells, values, strict=True):
                _set_cell(cell, [value] if isinstance(value, str) else value, first_bold=first_bold)
        sizes = widths if widths is not None else [CONTENT_WIDTH_MM / len(header)] * len(header)
        _repeat_header(table, [_row_lines(values, sizes) <= KEEP_ROW_LINES for values in rows])
        if widths is not None:
            _widths(table, widths)
        return table

    def picture(self, svg: str, description: str, *, landscape: bool = False) -> None:
        """A diagram at its own size (one SVG unit prints as one point, as in the PDF: its text is sized
        for that), never wider than the text; on a landscape page it fills the landscape text width (or
        its height, whichever comes first)."""
        png = self._drawn.get(svg) or diagram_png(svg, self.root)
        width, height = svg_size(svg)
        if landscape and width > 0 and height > 0:
            shown = Mm(min(LANDSCAPE_WIDTH_MM, LANDSCAPE_HEIGHT_MM * width / height))
        else:
            shown = Mm(min(CONTENT_WIDTH_MM, width * 25.4 / 72 if width > 0 else CONTENT_WIDTH_MM))
        self.doc.add_picture(BytesIO(png), width=shown)
        self.doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
        inline = self.doc.inline_shapes[-1]._inline
        inline.docPr.set("descr", description)
        self._pictures += 1

    def draw_ahead(self, views: Sequence[vm.ProcedureView], more: Sequence[object] = ()) -> None:
        """Draw the flowchart sheets of ``views`` and the diagrams ``more`` at once, for :meth:`picture`
        to take."""
        sheets = list(dict.fromkeys([*(str(sheet) for sheet in more),
                                     *(str(sheet) for view in views for sheet in view.flowchart)]))
        self._drawn.update(zip(sheets, diagram_pngs(sheets, self.root), strict=True))

    # -- the national layout

    def page_header(self, section: Section, org: vm.OrgView, kind: str, title: str,
                    control: vm.ControlView) -> None:
        """The framed header table on every page: agency | kind and title | Mã hiệu … Trang x/y."""
        with use_language(self.lang):
            header = section.header
            header.is_linked_to_previous = False
            table = header.add_table(rows=5, cols=3, width=Mm(CONTENT_WIDTH_MM))
            table.style = "Table Grid"
            table.alignment = WD_TABLE_ALIGNMENT.CENTER
            left = table.cell(0, 0).merge(table.cell(4, 0))
            middle = table.cell(0, 1).merge(table.cell(4, 1))
            _set_cell(left, [org.name], bold=True, centre=True, size=Pt(10))
            _set_cell(middle, [kind.upper(), title], bold=True, centre=True, size=Pt(11))
            facts = [(_("Code"), control.code), (_("Issue"), control.revision),
                     (_("Date issued"), control.issued_on), (_("Effective date"), control.effective_date)]
            for i, (label, value) in enumerate(facts):
                _set_cell(table.cell(i, 2), [f"{label}: {value}"], size=Pt(9.5))
            page = table.cell(4, 2).paragraphs[0]
            run = page.add_run(f"{_('Page')}: ")
            run.font.size = Pt(9.5)
            _field(page, "PAGE", Pt(9.5))
            page.add_run("/").font.size = Pt(9.5)
            _field(page, "NUMPAGES", Pt(9.5))
            _widths(table, (45, 75, 45))
            # the table is the header's first block: drop the empty paragraph python-docx leaves before it
            first = header.paragraphs[0]
            if not first.text and first._p.getnext() is not None:
                first._p.getparent().remove(first._p)
            if control.watermark:
                mark = header.add_paragraph()
                mark.alignment = WD_ALIGN_PARAGRAPH.CENTER
                run = mark.add_run(control.watermark.upper())
                run.bold = True
                run.font.color.rgb = RGBColor(0x8A, 0x1C, 0x1C)
            else:
                header.add_paragraph()

    def cover(self, org: vm.OrgView, kind: str, title: str, control: vm.ControlView, unit: str = "",
              owner: str = "") -> None:
        """Agency, kind and title, the lead unit and the owner ("Label: value", which the importer reads
        back), then the approval block (soạn thảo / kiểm tra / phê duyệt)."""
        with use_language(self.lang):
            self.para(org.name.upper(), bold=True, centre=True)
            self.para(kind.upper(), bold=True, centre=True, size=Pt(16))
            self.para(title, bold=True, centre=True, size=Pt(14))
            if unit:
                self.para(f"{_('Lead unit')}: {unit}", centre=True)
            if owner:
                self.para(f"{_('Process owner')}: {owner}", centre=True)
            people = (control.prepared, control.reviewed, control.approved)
            # the national layout's approval block: a label column, then one column per signatory
            table = self.table(["", _("Prepared by"), _("Reviewed by"), _("Approved by")],
                               [[pgettext("approval block", "Signature"), *(s.date if s else "" for s in people)],
                                [pgettext("approval block", "Full name"), *(s.name if s else "" for s in people)],
                                [pgettext("approval block", "Position"), *(s.title if s else "" for s in people)]],
                               (27, 46, 46, 46))
            for row in table.rows:
                for cell in row.cells[1:]:
                    cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
            for cell in table.rows[2].cells[1:]:
                for run in cell.paragraphs[0].runs:
                    run.bold = True
            for cell in table.rows[1:]:
                cell.cells[0].paragraphs[0].runs[0].bold = True
            table.rows[1].height = Mm(20)

    def history(self, control: vm.ControlView) -> None:
        with use_language(self.lang):
            self.heading(_("Revision history"), 2)
            rows: list[list[str]] = [[str(i + 1), h.revision, h.date, h.pages, h.summary, h.by]
                                     for i, h in enumerate(control.history)]
            if not rows:
                # no history row: "first issue" only for a first revision, never for a revision 02 of unknown history
                first = control.revision.lstrip("0") in ("", "1")
                rows = [["1", control.revision, control.effective_date, "", _("First issue") if first else "", ""]]
            self.table([_("No."), _("Issue"), _("Date"), _("Pages"), _("Change"), _("By")], rows,
                       (12, 20, 25, 18, 60, 30))

    def notes(self, notes: Sequence[vm.NoteView]) -> None:
        if not notes:
            return
        with use_language(self.lang):
            self.para(_("Internal notes (not part of the issued document)"), bold=True)
            for n in notes:
                about = f" ({n.about})" if n.about else ""
                self.doc.add_paragraph(f"{n.kind}{about}: {n.text}", style="List Bullet")

    def procedure(self, view: vm.ProcedureView, proc: Process, section: Section) -> None:
        """One procedure in the national layout, starting in ``section``."""
        lang = self.lang
        with use_language(lang):
            self.page_header(section, view.org, _("Procedure"), view.title, view.control)
            self.cover(view.org, _("Procedure"), view.title, view.control, view.unit, view.owner)
            self.history(view.control)
            self.notes(view.internal_notes)
            self.heading(f"1. {_('Purpose')}", 1)
            self.para(view.purpose)
            self.heading(f"2. {_('Scope')}", 1)
            self.para(view.scope)
            self.heading(f"3. {_('Referenced documents')}", 1)
            if view.references:
                # each reference says whether it is a legal basis, so the importer never has to guess
                self.bullets([ref_id + (f" – {title}" if title else "")
                              + f" ({_('legal basis') if legal else pgettext('reference', 'for reference')})"
                              for ref_id, title, legal in view.references])
            else:
                self.none()
            self.heading(f"4. {_('Definitions and abbreviations')}", 1)
            if view.definitions:
                self.table([_("Term"), _("Meaning")], [[a, b] for a, b in view.definitions], (45, 120))
            else:
                self.none()
            self.heading(f"5. {_('Content')}", 1)
            n = 0
            a = view.administrative
            if a is not None and a["code"]:
                # the national procedure code (mã TTHC): the importer reads "Mã thủ tục hành chính: …" back
                self.para(f"{_('Administrative procedure code')}: {a['code']}")
            if a is not None:
                n += 1
                self.heading(f"5.{n}. {_('Dossier components')}", 2)
                # a note goes on the cell's second line, so that the importer tells it from the name
                dossier: list[list[str | list[str]]] = [
                    [str(i + 1), [name, note] if note else name, form, str(copies)]
                    for i, (name, form, copies, note) in enumerate(a["dossier"])]
                if dossier:
                    self.table([_("No."), _("Document"), _("Form"), _("Copies")], dossier, (12, 98, 35, 20))
                else:
                    self.none()
                n += 1
                self.heading(f"5.{n}. {_('Number of dossier sets')}", 2)
                self.para(a["dossier_sets_text"])
                n += 1
                self.heading(f"5.{n}. {_('Time limit')}", 2)
                self.para(a["time_limit"] + (f". {a['time_limit_note']}" if a["time_limit_note"] else ""))
                n += 1
                self.heading(f"5.{n}. {_('Fee')}", 2)
                self.para(a["fee"] or _("None."))
                n += 1
                self.heading(f"5.{n}. {_('Place of receipt and return of results')}", 2)
                self.para((a["place"] or _("None.")) + (f" ({a['mechanism']})" if a["mechanism"] else ""))
                if a["agencies"]:
                    self.para(f"{_('Participating agencies')}: {'; '.join(a['agencies'])}")
                if a["result"]:
                    n += 1
                    self.heading(f"5.{n}. {_('Result')}", 2)
                    self.para(a["result"])
            elif view.inputs or view.outputs:
                n += 1
                self.heading(f"5.{n}. {_('Inputs and outputs')}", 2)
                self.table([_("Inputs"), _("Outputs")], [["; ".join(view.inputs), "; ".join(view.outputs)]],
                           (82, 83))
            # past six lanes the flowchart has landscape pages of its own at the end of the procedure, as in
            # the PDF: its place after the steps table says so, and sections 6 and 7 go on in portrait on the
            # steps table's page (a landscape section there left that page mostly empty)
            turn = view.flowchart_landscape
            if view.flowchart and not turn:
                n += 1
                self.flowchart(view, n, landscape=False)
            n += 1
            self.heading(f"5.{n}. {_('Steps')}", 2)
            self.steps_table(view, proc)
            at_end = 0
            if view.flowchart and turn:
                n += 1
                at_end = n
                self.heading(f"5.{n}. {_('Flowchart')}", 2)
                self.para(_("The flowchart is on landscape pages at the end of the procedure."))
            self.heading(f"6. {_('Forms')}", 1)
            if view.forms:
                self.table([_("No."), _("Code"), _("Form name"), _("Legal basis")],
                           [[str(i + 1), code, title, legal] for i, (code, title, legal) in enumerate(view.forms)],
                           (12, 35, 78, 40))
            else:
                self.none()
            self.heading(f"7. {_('Records to keep')}", 1)
            if view.records:
                self.table([_("No."), _("Record"), _("Kept by"), _("Place"), _("Retention")],
                           [[str(i + 1), f"{code} – {title}", who, location, retention]
                            for i, (code, title, retention, location, who) in enumerate(view.records)],
                           (12, 58, 35, 30, 30))
            else:
                self.none()
            if at_end:
                self.flowchart(view, at_end, landscape=True)

    def flowchart(self, view: vm.ProcedureView, n: int, *, landscape: bool) -> None:
        """5.n, the flowchart; a landscape one in a section of its own, which ends the procedure (the
        next procedure's section turns the page back to portrait)."""
        if landscape:
            self.landscape_section()
        self.heading(f"5.{n}. {_('Flowchart')}", 2)
        for i, sheet in enumerate(view.flowchart):
            self.picture(str(sheet), f"{_('Flowchart')} {view.control.code} ({i + 1}/{len(view.flowchart)})",
                         landscape=landscape)

    def steps_table(self, view: vm.ProcedureView, proc: Process) -> None:
        durations = {s.id: word_duration(s.duration, self.lang) for s in proc.steps}
        following = next_steps(proc, self.lang)
        agencies = ({a.id: vm.t(a.name, self.lang) for a in proc.administrative.agencies}
                    if proc.administrative is not None else {})
        handovers: dict[str, list[str]] = {}
        with use_language(self.lang):
            for s in proc.steps:  # "Chuyển đến: …" / "Nhận từ: …", the lines the importer reads back
                if s.handover_to:
                    handovers.setdefault(s.id, []).append(
                        f"{_('Hand over to')}: {agencies.get(s.handover_to, s.handover_to)}")
                if s.handover_from:
                    handovers.setdefault(s.id, []).append(
                        f"{_('Received from')}: {agencies.get(s.handover_from, s.handover_from)}")
        extra: dict[str, list[str]] = {}  # the description as written, and a decision's question on its own line
        with use_language(self.lang):
            for s in proc.steps:
                lines = [text] if (text := vm.t(s.description, self.lang)) else []
                question = vm.t(s.decision.question, self.lang) if s.decision is not None else ""
                if question and question != vm.t(s.name, self.lang):
                    lines.append(f"{pgettext('steps table', 'Question')}: {question}")
                extra[s.id] = lines + handovers.get(s.id, [])
        rows: list[list[str | list[str]]] = []
        for row in view.steps:
            content = [row.name, *extra.get(row.id, [])]
            rows.append([str(row.number), content, row.responsible, durations.get(row.id, row.duration),
                         list(row.results), following.get(row.id, "")])
        table = self.table(step_columns(self.lang), rows, STEP_WIDTHS)
        for r in table.rows[1:]:  # the step's name is the first, bold line of "Nội dung công việc"
            r.cells[1].paragraphs[0].runs[0].bold = True


def procedure_docx(view: vm.ProcedureView, proc: Process, lang: str, root: Path | None, *,
                   drafts: bool = False) -> bytes:
    """One procedure as a .docx document (bytes)."""
    writer = WordWriter(lang, root, drafts)
    writer.draw_ahead([view])
    with use_language(lang):
        writer.doc.core_properties.title = f"{view.control.code} {view.title}"
        writer.doc.core_properties.author = view.org.name
        writer.doc.core_properties.language = "vi-VN" if lang == "vi" else "en-GB"
    writer.procedure(view, proc, writer.doc.sections[0])
    return writer.save()


# ------------------------------------------------------------------------------------- manual


def _manual_front(writer: WordWriter, m: vm.ManualView, sections: Sequence[tuple[int, str, str]],
                  procedures: Sequence[vm.ProcedureView]) -> None:
    """The manual's own chapters, in the order and with the numbers of the PDF's front matter."""
    w = writer
    with use_language(w.lang):
        w.page_header(w.doc.sections[0], m.org, m.title, m.org.name, m.control)
        w.cover(m.org, m.title, m.org.name, m.control)
        w.history(m.control)
        w.notes(m.internal_notes)
        w.heading(_("Table of contents"), 1)
        for num, label, _anchor in sections:
            w.para(f"{num}. {label}")
        for p in procedures:
            w.para(f"{p.control.code} {p.title}")
        title = {anchor: f"{num}. {label}" for num, label, anchor in sections}
        w.heading(title["sec-context"], 1)
        w.heading(f"1.1. {_('Internal and external issues')}", 2)
        w.table([_("Code"), _("Kind"), _("Context issue"), _("Monitored by")],
                [list(row) for row in m.context_issues] or [["", "", _("None."), ""]], (20, 25, 85, 35))
        w.heading(f"1.2. {_('Interested parties')}", 2)
        w.table([_("Code"), _("Interested party"), _("Needs and expectations"), _("Monitored by")],
                [list(row) for row in m.interested_parties] or [["", "", _("None."), ""]], (20, 40, 70, 35))
        if m.external_providers:
            w.heading(f"1.3. {_('External providers')}", 2)
            w.table([_("Code"), _("External provider"), _("Provides"), _("Last evaluated")],
                    [list(row) for row in m.external_providers], (20, 50, 65, 30))
        w.heading(title["sec-scope"], 1)
        w.para(m.scope)
        if m.sites:
            w.para(f"{_('Sites')}: {'; '.join(m.sites)}")
        w.table([_("Clause"), _("Applicability"), _("Justification")],
                [list(row) for row in m.applicability]
                or [["", "", _("All requirements of ISO 9001:2015 are applicable.")]], (20, 35, 110))
        w.heading(title["sec-policy"], 1)
        w.heading(f"3.1. {_('Quality policy')}", 2)
        w.para(m.policy)
        if m.policy_channels:
            w.para(f"{_('Communicated via')}: {'; '.join(m.policy_channels)}")
        w.heading(f"3.2. {_('Quality objectives')}", 2)
        w.table([_("Code"), _("Objective"), _("Target"), _("Plan"), _("Responsible"), _("Due")],
                [[o["id"], o["statement"], o["target"], f"{o['what']}; {o['resources']}; {o['evaluation']}",
                  o["responsible"], o["due"]] for o in m.objectives] or [["", _("None."), "", "", "", ""]],
                (18, 40, 20, 38, 25, 24))
        w.heading(title["sec-processes"], 1)
        for i, sheet in enumerate(m.process_map):
            w.picture(str(sheet), f"{_('Processes and their interaction')} ({i + 1}/{len(m.process_map)})")
        if m.process_map_note:
            w.para(m.process_map_note)
        # what a process receives and sends, one item a line, in the widest columns (as in the PDF)
        w.table([_("Code"), _("Process"), _("Kind"), _("Owner"), _("Receives from"), _("Sends to")],
                [[code, name, kind, owner, list(receives) or "—", list(sends) or "—"]
                 for code, name, kind, owner, receives, sends in m.processes], (22, 29, 17, 29, 34, 34))
        w.heading(title["sec-roles"], 1)
        w.table([_("Role"), _("Unit"), _("Responsibilities and authorities")],
                [[r["title"], r["unit"], [*r["responsibilities"], *r["authorities"]]] for r in m.roles],
                (40, 35, 90))
        w.heading(title["sec-matrix"], 1)
        w.para(f"{_('Clauses not covered by any process or manual section')}: {m.matrix['gaps']}")
        rows: list[list[str]] = []
        for r in m.matrix["rows"]:
            if not r["applicable"]:
                by = _("Not applicable") + (f": {r['justification']}" if r["justification"] else "")
            elif r["gap"]:
                by = _("Not addressed")
            else:
                by = ", ".join(r["by"])
            rows.append([r["clause"], r["title"], by])
        w.table([_("Clause"), _("Title"), _("Addressed by")], rows, (20, 85, 60))
        w.heading(title["sec-documents"], 1)
        w.table([_("No."), _("Code"), _("Title"), _("Issue"), _("Effective date"), _("Origin")],
                [[str(i + 1), *row] for i, row in enumerate(m.documents)], (12, 30, 56, 18, 24, 25))
        w.heading(title["sec-records"], 1)
        w.table([_("No."), _("Code"), _("Record"), _("Retention"), _("Place"), _("Kept by"), _("Process")],
                [[str(i + 1), *row] for i, row in enumerate(m.records)] or [["", "", _("None."), "", "", "", ""]],
                (10, 22, 40, 25, 25, 25, 18))
        if procedures:
            w.heading(title["sec-procedures"], 1)
            w.para(_("Each procedure below is a controlled document with its own code, issue and page numbering."))


def manual_docx(m: vm.ManualView, sections: Sequence[tuple[int, str, str]],
                procedures: Sequence[tuple[vm.ProcedureView, Process]], lang: str, root: Path | None, *,
                drafts: bool = False) -> bytes:
    """The whole manual as one .docx: the front matter, then each procedure in its own section
    (a new page, its own header table; Trang x/y counts the pages of the whole document)."""
    writer = WordWriter(lang, root, drafts)
    writer.doc.core_properties.title = f"{m.control.code} {m.title}"
    writer.doc.core_properties.author = m.org.name
    writer.doc.core_properties.language = "vi-VN" if lang == "vi" else "en-GB"
    writer.draw_ahead([v for v, _p in procedures], m.process_map)
    _manual_front(writer, m, sections, [v for v, _p in procedures])
    for view, proc in procedures:
        writer.procedure(view, proc, writer.new_section())
    return writer.save()
