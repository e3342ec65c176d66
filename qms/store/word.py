"""Reading Word procedures (.docx, .docm): the one place python-docx opens a file.

The file is judged before any parser sees it: a legacy binary .doc, an encrypted document (both are
OLE compound files), something that is not a zip, and a zip without ``word/document.xml`` are
refused with a message that says what to do. The container is bounded with
:func:`qms.store.ooxml.check_container` (members, declared and real sizes, ratios) and read into
memory once; a .docm loses its macro parts before python-docx sees it (macros are never run or kept).

What comes back is plain data: the body's paragraphs and tables in order, the header parts, the
comments, and counts of what Word holds but a procedure cannot (text boxes, drawings, images,
content controls, tracked changes), each with its location ("table 3, row 4"), so that the importer
can map it, keep it as a note, or report it as dropped.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qms.errors import QmsError
from qms.i18n import _
from qms.store.limits import current as current_limits
from qms.store.ooxml import check_container
from qms.store.safe_open import open_bounded, read_bounded

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W = "{" + W + "}"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MACRO_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"
_PLAIN_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_VBA = re.compile(r"(?i)(vbaProject|vbaData|\.bin$)")


class WordRefused(QmsError):
    """A file the Word importer will not read (exit 2)."""


@dataclass(slots=True)
class Run:
    text: str
    font: str = ""


@dataclass(slots=True)
class Para:
    """A paragraph: its runs (text with font name), its style, and the automatic number Word shows."""

    runs: list[Run]
    style: str = ""
    number: str = ""  # the label of automatic numbering ("Bước 1:", "2.") or ""
    level: int = 0
    where: str = ""  # "paragraph 12" / "table 3, row 4, column 2" / "header, paragraph 1"
    comments: list[str] = field(default_factory=list)  # ids of comments anchored here


@dataclass(slots=True)
class Cell:
    paras: list[Para]
    origin: tuple[int, int]  # (row, column) of the cell this grid position belongs to (merged cells)
    span: int = 1


@dataclass(slots=True)
class Table:
    number: int  # 1-based among the tables of its part
    rows: list[list[Cell]]  # a full grid: a merged cell repeats at every position it covers
    where: str = ""


@dataclass(slots=True)
class Comment:
    id: str
    author: str
    text: str


@dataclass(slots=True)
class WordFile:
    name: str
    body: list[Para | Table] = field(default_factory=list)
    header: list[Para | Table] = field(default_factory=list)
    comments: dict[str, Comment] = field(default_factory=dict)
    macros_dropped: list[str] = field(default_factory=list)
    insertions: int = 0
    deletions: int = 0
    text_boxes: int = 0
    drawings: int = 0
    images: int = 0
    content_controls: int = 0
    numbered: int = 0


def _sniff(path: Path, head: bytes) -> None:
    """Refuse what is not a .docx/.docm container, saying what it is."""
    if head.startswith(_OLE_MAGIC):
        raw = read_bounded(path, current_limits().archive_unpacked, "archive_unpacked")
        if "EncryptedPackage".encode("utf-16-le") in raw:
            raise WordRefused(
                _("{path}: the document is encrypted (password protected)").format(path=path),
                _("open it in Word or LibreOffice, remove the password (File > Info > Protect Document) and "
                  "save it as .docx"))
        if "WordDocument".encode("utf-16-le") in raw:
            raise WordRefused(
                _("{path}: this is a legacy binary Word document (.doc); qms reads .docx only").format(path=path),
                _("convert it with LibreOffice (soffice --headless --convert-to docx FILE) or run "
                  "qms import docx --convert"))
        raise WordRefused(_("{path}: an OLE compound file that is not a Word document").format(path=path),
                          _("save the document as .docx"))
    if not head.startswith(b"PK"):
        raise WordRefused(_("{path}: not a Word document (.docx)").format(path=path),
                          _("give a .docx or .docm file, or a folder of them"))


def is_legacy_doc(path: Path) -> bool:
    """True for an OLE compound file holding a Word 97-2003 document (and not encrypted)."""
    if not path.is_file() or not _head(path).startswith(_OLE_MAGIC):
        return False
    raw = read_bounded(path, current_limits().archive_unpacked, "archive_unpacked")
    return "WordDocument".encode("utf-16-le") in raw and "EncryptedPackage".encode("utf-16-le") not in raw


def _head(path: Path) -> bytes:
    with open_bounded(path, current_limits().log_size, "log_size") as fh:
        return fh.read(8)


def _clean_package(path: Path, data: bytes, word: WordFile) -> bytes:
    """The package without macro parts; a .docm's main part declared as a plain document."""
    try:
        src = zipfile.ZipFile(io.BytesIO(data))
        names = src.namelist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise WordRefused(_("{path}: the document is damaged ({reason})").format(path=path, reason=exc),
                          _("open it in Word or LibreOffice and save it again")) from None
    if "word/document.xml" not in names or "[Content_Types].xml" not in names:
        raise WordRefused(_("{path}: a zip file without a Word document in it").format(path=path),
                          _("give a .docx or .docm file, or a folder of them"))
    macros = [n for n in names if _VBA.search(n.rsplit("/", 1)[-1])]
    types = src.read("[Content_Types].xml").decode("utf-8", "replace")
    if not macros and _MACRO_MAIN not in types:
        return data
    word.macros_dropped = macros
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename in macros:
                continue
            content = src.read(info)
            if info.filename == "[Content_Types].xml":
                content = types.replace(_MACRO_MAIN, _PLAIN_MAIN).encode("utf-8")
            elif info.filename.endswith(".rels"):
                text = content.decode("utf-8", "replace")
                text = re.sub(r"<Relationship [^>]*(?:vbaProject|vbaData)[^>]*/>", "", text)
                content = text.encode("utf-8")
            dst.writestr(info.filename, content)
    return out.getvalue()


def read_word(path: Path) -> WordFile:
    """Read ``path`` (.docx or .docm) into plain data; refuse anything else with a clear message."""
    limits = current_limits()
    if not path.is_file():
        raise WordRefused(_("{path}: no such file").format(path=path), _("check the path"))
    head = _head(path)
    _sniff(path, head)
    check_container(path, limits, _("document"))
    data = read_bounded(path, limits.archive_unpacked, "archive_unpacked")
    word = WordFile(name=path.name)
    data = _clean_package(path, data, word)
    import docx

    try:
        document: Any = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises KeyError, ValueError, lxml errors... on damaged parts
        raise _damaged(path, data, exc) from None
    _Walker(document, word).run()
    return word


def _damaged(path: Path, data: bytes, exc: Exception) -> WordRefused:
    """Why python-docx could not open ``data``: the part whose XML is broken, at its line and column, or a
    main part that is not a Word document; the library's own words (English, with object names) otherwise."""
    from lxml import etree

    hint = _("open it in Word or LibreOffice and save it again as .docx")
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        for name in package.namelist():
            if not name.endswith((".xml", ".rels")):
                continue
            try:
                etree.fromstring(package.read(name), parser=etree.XMLParser(resolve_entities=False, no_network=True,
                                                                           huge_tree=False))
            except etree.XMLSyntaxError as err:
                line, col = err.position if err.position else (0, 0)
                return WordRefused(_("{path}: {part}:{line}:{col}: the XML of this part of the document is "
                                     "damaged").format(path=path, part=name, line=line, col=col), hint)
        types = etree.fromstring(package.read("[Content_Types].xml"),
                                 parser=etree.XMLParser(resolve_entities=False, no_network=True))
    declared = next((o.get("ContentType", "") for o in types.iter("{*}Override")
                     if o.get("PartName") == "/word/document.xml"), _PLAIN_MAIN)
    if declared != _PLAIN_MAIN:
        return WordRefused(_("{path}: the main part of the package is declared as {type}, not as a Word "
                             "document").format(path=path, type=declared), hint)
    return WordRefused(_("{path}: cannot read the document: {reason}").format(path=path, reason=exc), hint)


class _Numbering:
    """Automatic numbering: each (numId, level) counts its paragraphs; a higher level resets the lower."""

    def __init__(self, document: Any) -> None:
        self.formats: dict[tuple[str, int], tuple[str, str, int]] = {}
        self.counters: dict[str, list[int]] = {}
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return
        abstract: dict[str, dict[int, tuple[str, str, int]]] = {}
        for an in root.findall(_W + "abstractNum"):
            levels: dict[int, tuple[str, str, int]] = {}
            for lvl in an.findall(_W + "lvl"):
                ilvl = int(lvl.get(_W + "ilvl", "0"))
                fmt = lvl.find(_W + "numFmt")
                text = lvl.find(_W + "lvlText")
                start = lvl.find(_W + "start")
                levels[ilvl] = (fmt.get(_W + "val", "decimal") if fmt is not None else "decimal",
                                text.get(_W + "val", "") if text is not None else "",
                                int(start.get(_W + "val", "1")) if start is not None else 1)
            abstract[an.get(_W + "abstractNumId", "")] = levels
        for num in root.findall(_W + "num"):
            ref = num.find(_W + "abstractNumId")
            if ref is None:
                continue
            for ilvl, spec in abstract.get(ref.get(_W + "val", ""), {}).items():
                self.formats[(num.get(_W + "numId", ""), ilvl)] = spec

    def label(self, num_id: str, ilvl: int) -> str:
        spec = self.formats.get((num_id, ilvl))
        if spec is None:
            return ""
        counts = self.counters.setdefault(num_id, [0] * 9)
        if ilvl >= len(counts):
            return ""
        if counts[ilvl] == 0:
            counts[ilvl] = spec[2] - 1
        counts[ilvl] += 1
        for deeper in range(ilvl + 1, len(counts)):
            counts[deeper] = 0
        fmt, text, _start = spec
        if fmt == "bullet":
            return "-"

        def value(m: re.Match[str]) -> str:
            level = int(m.group(1)) - 1
            n = counts[level] if 0 <= level < len(counts) else 0
            sub = self.formats.get((num_id, level), spec)[0]
            return _format_number(max(n, 1), sub)

        return re.sub(r"%(\d)", value, text)


def _format_number(n: int, fmt: str) -> str:
    if fmt in ("upperRoman", "lowerRoman"):
        pairs = ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
        out = ""
        for v, s in pairs:
            while n >= v:
                out, n = out + s, n - v
        return out if fmt == "upperRoman" else out.lower()
    if fmt in ("upperLetter", "lowerLetter"):
        s = chr(ord("A") + (n - 1) % 26)
        return s if fmt == "upperLetter" else s.lower()
    return str(n)


class _Walker:
    def __init__(self, document: Any, word: WordFile) -> None:
        self.document = document
        self.word = word
        self.numbering = _Numbering(document)
        self.styles: dict[str, tuple[str, str, int]] = {}  # style id -> (name, font, numId for headings)
        self.style_num: dict[str, tuple[str, int]] = {}
        try:
            for st in document.styles.element.findall(_W + "style"):
                sid = st.get(_W + "styleId", "")
                name_el = st.find(_W + "name")
                font = st.find(f"{_W}rPr/{_W}rFonts")
                self.styles[sid] = (name_el.get(_W + "val", sid) if name_el is not None else sid,
                                    (font.get(_W + "ascii") or font.get(_W + "hAnsi") or "") if font is not None else "",
                                    0)
                num = st.find(f"{_W}pPr/{_W}numPr/{_W}numId")
                if num is not None:
                    lvl = st.find(f"{_W}pPr/{_W}numPr/{_W}ilvl")
                    self.style_num[sid] = (num.get(_W + "val", ""), int(lvl.get(_W + "val", "0")) if lvl is not None else 0)
        except (AttributeError, ValueError):
            pass
        self.default_font = ""
        try:
            rpr = document.styles.element.find(f"{_W}docDefaults/{_W}rPrDefault/{_W}rPr/{_W}rFonts")
            if rpr is not None:
                self.default_font = rpr.get(_W + "ascii") or rpr.get(_W + "hAnsi") or ""
        except AttributeError:
            pass

    def run(self) -> None:
        body = self.document.element.body
        self.word.body = self._blocks(body, "")
        seen: set[str] = set()
        for section in self.document.sections:
            for hdr in (section.first_page_header, section.header):
                try:
                    if hdr.is_linked_to_previous:
                        continue
                    part = hdr.part
                except (AttributeError, KeyError, ValueError):
                    continue
                name = str(part.partname)
                if name in seen:
                    continue
                seen.add(name)
                self.word.header.extend(self._blocks(part.element, _("header") + ", "))
        self._comments()

    def _comments(self) -> None:
        part = None
        for rel in self.document.part.rels.values():
            if rel.reltype.endswith("/comments") and not rel.is_external:
                part = rel.target_part
        if part is None:
            return
        from lxml import etree

        try:
            root = etree.fromstring(part.blob, parser=etree.XMLParser(resolve_entities=False, no_network=True))
        except etree.XMLSyntaxError:
            return
        for c in root.findall(_W + "comment"):
            text = " ".join("".join(t.text or "" for t in p.iter(_W + "t")) for p in c.findall(_W + "p")).strip()
            cid = c.get(_W + "id", "")
            self.word.comments[cid] = Comment(cid, c.get(_W + "author", ""), text)

    def _blocks(self, parent: Any, prefix: str) -> list[Para | Table]:
        out: list[Para | Table] = []
        paras = tables = 0
        for child in parent.iterchildren():
            tag = child.tag
            if tag == _W + "sdt":  # a block content control: read its content in place
                self.word.content_controls += 1
                content = child.find(_W + "sdtContent")
                if content is not None:
                    for sub in self._blocks(content, prefix):
                        out.append(sub)
                continue
            if tag == _W + "p":
                paras += 1
                out.append(self._para(child, f"{prefix}" + _("paragraph {n}").format(n=paras)))
            elif tag == _W + "tbl":
                tables += 1
                out.append(self._table(child, tables, prefix))
        return out

    def _font_of(self, run: Any, para_style: str) -> str:
        fonts = run.find(f"{_W}rPr/{_W}rFonts")
        if fonts is not None:
            name = fonts.get(_W + "ascii") or fonts.get(_W + "hAnsi") or fonts.get(_W + "cs") or ""
            if name:
                return str(name)
        rstyle = run.find(f"{_W}rPr/{_W}rStyle")
        if rstyle is not None:
            font = self.styles.get(rstyle.get(_W + "val", ""), ("", "", 0))[1]
            if font:
                return font
        return self.styles.get(para_style, ("", "", 0))[1] or self.default_font

    def _para(self, p: Any, where: str) -> Para:
        style_el = p.find(f"{_W}pPr/{_W}pStyle")
        style_id = style_el.get(_W + "val", "") if style_el is not None else ""
        runs: list[Run] = []
        comments: list[str] = []
        for el in p.iter():
            tag = el.tag
            if not isinstance(tag, str):
                continue  # an XML comment, a processing instruction or an unexpanded entity: no text of Word's
            if tag == _W + "ins":
                self.word.insertions += 1
            elif tag == _W + "del":
                self.word.deletions += 1
            elif tag in (_W + "commentRangeStart", _W + "commentReference"):
                cid = el.get(_W + "id", "")
                if cid not in comments:
                    comments.append(cid)
            elif tag == _W + "txbxContent":
                self.word.text_boxes += 1
            elif tag == _W + "drawing" or tag.endswith("}pict"):
                if el.find(".//{http://schemas.openxmlformats.org/drawingml/2006/picture}pic") is not None \
                        or el.find(".//{urn:schemas-microsoft-com:vml}imagedata") is not None:
                    self.word.images += 1
                else:
                    self.word.drawings += 1
            elif tag == _W + "sdt":
                self.word.content_controls += 1
            elif tag == _W + "r" and self._readable(el, p):
                text = []
                for t in el:
                    if t.tag == _W + "t":
                        # the text, and the tails of what a producer put inside (XML comments,
                        # processing instructions, unexpanded entities): never those nodes' own text
                        text.append((t.text or "") + "".join(c.tail or "" for c in t))
                    elif t.tag == _W + "tab":
                        text.append("\t")
                    elif t.tag in (_W + "br", _W + "cr"):
                        text.append("\n")
                if text:
                    runs.append(Run("".join(text), self._font_of(el, style_id)))
        number = ""
        level = 0
        num = p.find(f"{_W}pPr/{_W}numPr")
        num_id, ilvl = "", 0
        if num is not None:
            nid = num.find(_W + "numId")
            lvl = num.find(_W + "ilvl")
            num_id = nid.get(_W + "val", "") if nid is not None else ""
            ilvl = int(lvl.get(_W + "val", "0")) if lvl is not None else 0
        elif style_id in self.style_num:
            num_id, ilvl = self.style_num[style_id]
        if num_id and num_id != "0":
            number = self.numbering.label(num_id, ilvl)
            level = ilvl
            if number:
                self.word.numbered += 1
        return Para(runs, self.styles.get(style_id, (style_id, "", 0))[0], number, level, where, comments)

    @staticmethod
    def _readable(run: Any, outer: Any) -> bool:
        """A run of the text as if every change were accepted: not deleted, not inside a text box."""
        parent = run.getparent()
        while parent is not None and parent is not outer:
            if parent.tag in (_W + "del", _W + "moveFrom", _W + "txbxContent", _W + "fallback",
                              "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"):
                return False
            parent = parent.getparent()
        return True

    def _table(self, tbl: Any, number: int, prefix: str) -> Table:
        where = prefix + _("table {n}").format(n=number)
        grid: list[list[Cell]] = []
        for r, tr in enumerate(tbl.findall(_W + "tr")):
            row: list[Cell] = []
            col = 0
            for tc in tr.findall(_W + "tc"):
                span_el = tc.find(f"{_W}tcPr/{_W}gridSpan")
                span = int(span_el.get(_W + "val", "1")) if span_el is not None else 1
                span = max(1, min(span, 64))
                vmerge = tc.find(f"{_W}tcPr/{_W}vMerge")
                cont = vmerge is not None and vmerge.get(_W + "val", "continue") == "continue"
                if cont and r > 0 and col < len(grid[r - 1]):
                    above = grid[r - 1][col]
                    cell = Cell(above.paras, above.origin, span)
                else:
                    paras = []
                    cwhere = f"{where}, " + _("row {row}, column {col}").format(row=r + 1, col=col + 1)
                    for p in tc.iter(_W + "p"):
                        paras.append(self._para(p, cwhere))
                    cell = Cell(paras, (r, col), span)
                for _i in range(span):
                    row.append(cell)
                col += span
            grid.append(row)
        return Table(number, grid, where)
