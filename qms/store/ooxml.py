"""Bounding Office Open XML containers (xlsx, docx) before a native reader sees them.

A workbook is a zip file of XML parts. Two small files can hurt a reader: a zip bomb (a part that
inflates to gigabytes) and a sheet that declares or uses a cell far away (``XFD1048576``), for
which a reader allocates rows × columns. :func:`check_container` bounds the container (number of
members, declared and *actual* uncompressed sizes, compression ratio); :func:`check_xlsx` also
streams every worksheet through expat, without building a tree, and refuses a sheet whose
rows × columns exceed the limit. The Word importer calls :func:`check_container` for .docx.
"""

from __future__ import annotations

import contextlib
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from xml.parsers import expat

from qms.store.limits import Limits, MiB, human
from qms.store.safe_open import FileRefused, open_bounded

_CHUNK = 1 << 16
_CELL_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d{1,7})$")
_SHEET = re.compile(r"^xl/worksheets/[^/]+\.xml$", re.IGNORECASE)


def _refuse(path: Path, reason: str, hint: str = "") -> FileRefused:
    from qms.i18n import _

    return FileRefused(path, reason, hint or _(
        "open the file in its office program and save it again; if it is genuine and large, "
        "raise the limit for this run (qms --limit NAME=VALUE)"), "too-large")


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n


def _stream(path: Path, zf: zipfile.ZipFile, info: zipfile.ZipInfo, budget: list[int],
            sink: Callable[[bytes], None] | None) -> None:
    """Decompress ``info`` in chunks, spending ``budget[0]`` bytes; refuse when it runs out
    (declared sizes may lie, so the real output is counted)."""
    from qms.i18n import _

    with zf.open(info) as member:
        while True:
            chunk = member.read(_CHUNK)
            if not chunk:
                return
            budget[0] -= len(chunk)
            if budget[0] < 0:
                raise _refuse(path, _("the member {name} inflates beyond the limit of {limit} (archive_unpacked); "
                                      "a zip bomb?").format(name=info.filename, limit=human(budget[1])))
            if sink is not None:
                sink(chunk)


@contextlib.contextmanager
def _open_zip(path: Path, limits: Limits, what: str) -> Iterator[tuple[zipfile.ZipFile, list[zipfile.ZipInfo]]]:
    """The zip container of the regular file ``path`` (size checked with fstat first)."""
    from qms.i18n import _

    with open_bounded(path, limits.log_size, "log_size") as fh:
        try:
            zf = zipfile.ZipFile(fh)
            infos = zf.infolist()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
            # NotImplementedError: a member claims a zip version the reader does not know (found by fuzzing)
            raise FileRefused(path, _("cannot read the {what}: not a valid zip container ({reason})").format(
                what=what, reason=exc),
                              _("check that the file is an .xlsx/.docx file and is not damaged"), "io") from None
        with zf:
            yield zf, infos


def _check_members(path: Path, infos: list[zipfile.ZipInfo], limits: Limits) -> None:
    from qms.i18n import _, format_number

    if len(infos) > limits.archive_entries:
        raise _refuse(path, _("the container holds {count} members, above the limit of {limit} "
                              "(archive_entries)").format(count=format_number(len(infos), digits=0),
                                                          limit=format_number(limits.archive_entries, digits=0)))
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > MiB and info.file_size > limits.archive_ratio * max(info.compress_size, 1):
            raise _refuse(path, _("the member {name} is compressed {ratio}:1, above the limit of {limit}:1 "
                                  "(archive_ratio); a zip bomb?").format(
                name=info.filename, ratio=format_number(info.file_size // max(info.compress_size, 1), digits=0),
                limit=format_number(limits.archive_ratio, digits=0)))
    if total > limits.archive_unpacked:
        raise _refuse(path, _("the container declares {size} uncompressed, above the limit of {limit} "
                              "(archive_unpacked)").format(size=human(total), limit=human(limits.archive_unpacked)))


def check_container(path: Path, limits: Limits, what: str = "") -> None:
    """Refuse an OOXML/ODF container out of bounds: members, declared sizes and ratios, and the
    real decompressed total (every member is inflated once, in chunks, and discarded).

    ``what`` names the file in messages ("workbook", "document").
    """
    from qms.i18n import _

    with _open_zip(path, limits, what or _("Office file")) as (zf, infos):
        _check_members(path, infos, limits)
        budget = [limits.archive_unpacked, limits.archive_unpacked]
        for info in infos:
            _stream_checked(path, zf, info, budget, None)


def _stream_checked(path: Path, zf: zipfile.ZipFile, info: zipfile.ZipInfo, budget: list[int],
                    sink: Callable[[bytes], None] | None) -> None:
    from qms.i18n import _

    try:
        _stream(path, zf, info, budget, sink)
    except FileRefused:
        raise
    except (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError, NotImplementedError, RuntimeError) as exc:
        raise FileRefused(path, _("cannot read the member {name}: {reason}").format(name=info.filename, reason=exc),
                          _("check that the file is an .xlsx/.docx file and is not damaged"), "io") from None


class _SheetBounds:
    """Streams one worksheet's XML and tracks the declared and used extent."""

    def __init__(self, path: Path, name: str, max_cells: int) -> None:
        self.path, self.name, self.max_cells = path, name, max_cells
        self.row = 0
        self.col = 0
        self.max_row = 0
        self.max_col = 0
        self.parser = expat.ParserCreate()
        self.parser.StartElementHandler = self._start
        self.parser.StartDoctypeDeclHandler = self._doctype
        self.parser.EntityDeclHandler = self._entity

    def _doctype(self, *_args: object) -> None:
        from qms.i18n import _

        raise _refuse(self.path, _("the member {name} has a DOCTYPE; Office files never do").format(name=self.name))

    def _entity(self, *_args: object) -> None:
        self._doctype()

    def _bound(self, rows: int, cols: int, what: str) -> None:
        from qms.i18n import _, format_number

        if rows * cols > self.max_cells:
            message = (_("the sheet {name} declares {rows} rows × {cols} columns, above the limit of "
                         "{limit} cells (sheet_cells)") if what == "declares" else
                       _("the sheet {name} uses cells up to row {rows}, column {cols}, above the limit of "
                         "{limit} cells (sheet_cells)"))
            raise _refuse(self.path, message.format(name=self.name, rows=format_number(rows, digits=0),
                                                    cols=format_number(cols, digits=0),
                                                    limit=format_number(self.max_cells, digits=0)))

    def _ref(self, text: str) -> tuple[int, int] | None:
        m = _CELL_REF.match(text)
        if m is None:
            return None
        return int(m.group(2)), _column_number(m.group(1))

    def _start(self, tag: str, attrs: dict[str, str]) -> None:
        local = tag.rpartition(":")[2]
        if local == "c":
            ref = attrs.get("r")
            parsed = self._ref(ref) if ref else None
            if parsed is not None:
                row, self.col = parsed
                if row > self.row:
                    self.row = row
            else:
                self.col += 1
            if self.col > self.max_col or self.row > self.max_row:
                self.max_col = max(self.max_col, self.col)
                self.max_row = max(self.max_row, self.row)
                self._bound(self.max_row, self.max_col, "uses")
        elif local == "row":
            r = attrs.get("r")
            self.row = int(r) if r and r.isdigit() else self.row + 1
            self.col = 0
            if self.row > self.max_row:
                self.max_row = self.row
                self._bound(self.max_row, max(self.max_col, 1), "uses")
        elif local == "dimension":
            ref = attrs.get("ref", "")
            ends = [self._ref(part) for part in ref.split(":")]
            if ends and all(e is not None for e in ends):
                rows = max(e[0] for e in ends if e) - min(e[0] for e in ends if e) + 1
                cols = max(e[1] for e in ends if e) - min(e[1] for e in ends if e) + 1
                far = max(e[0] for e in ends if e), max(e[1] for e in ends if e)
                self._bound(rows, cols, "declares")
                self._bound(far[0], far[1], "uses")

    def feed(self, chunk: bytes) -> None:
        from qms.i18n import _

        try:
            self.parser.Parse(chunk, False)
        except expat.ExpatError as exc:
            raise FileRefused(self.path, _("the sheet {name} is not valid XML: {reason}").format(
                name=self.name, reason=exc), _("open the file in Excel and save it again"), "io") from None

    def close(self) -> None:
        with contextlib.suppress(expat.ExpatError):  # a truncated sheet: the reader reports it
            self.parser.Parse(b"", True)


_REF_LETTERS = re.compile(rb' r="\$?([A-Za-z]{1,3})\$?\d')
_REF_NUMBERS = re.compile(rb' r="\$?[A-Za-z]{0,3}\$?(\d{1,9})"')
_DIMENSION = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?dimension\s[^>]*?\bref=\"([^\"]{0,40})\"")
_MAX_TAG = 1 << 20


class _FastSheetScan(_SheetBounds):
    """The extent of a worksheet found with regular expressions over whole tags (C speed).

    Exact when every row and cell carries its ``r`` reference (as Excel and calamine's writers do);
    otherwise ``exact`` turns False and the caller streams the sheet again through expat.
    """

    def __init__(self, path: Path, name: str, max_cells: int) -> None:
        super().__init__(path, name, max_cells)
        self.carry = b""
        self.exact = True

    def feed(self, chunk: bytes) -> None:
        from qms.i18n import _

        buf = self.carry + chunk
        cut = buf.rfind(b">") + 1
        part, self.carry = buf[:cut], buf[cut:]
        if len(self.carry) > _MAX_TAG:
            raise FileRefused(self.path, _("the sheet {name} is not valid XML: {reason}").format(
                name=self.name, reason=_("a tag or text longer than 1 MiB")),
                _("open the file in Excel and save it again"), "io")
        if not part or not self.exact:
            return
        if b"<!" in part and (b"<!DOCTYPE" in part or b"<!ENTITY" in part):
            self._doctype()
        if self.max_row == 0 and b"dimension" in part:
            for ref in _DIMENSION.findall(part):
                self._start("dimension", {"ref": ref.decode("ascii", "replace")})
        letters = _REF_LETTERS.findall(part)
        numbers = _REF_NUMBERS.findall(part)
        cells = part.count(b"<c ") + part.count(b"<c>") + part.count(b"<c/")
        rows = part.count(b"<row ") + part.count(b"<row>") + part.count(b"<row/")
        if len(letters) != cells or len(numbers) != cells + rows:
            self.exact = False  # a row or cell without its reference, or prefixed tags: expat places them
            return
        top_row = max(map(int, set(numbers)), default=0)
        top_col = max(map(_column_number_b, set(letters)), default=0)
        if top_row > self.max_row or top_col > self.max_col:
            self.max_row = max(self.max_row, top_row)
            self.max_col = max(self.max_col, top_col)
            self._bound(self.max_row, max(self.max_col, 1), "uses")

    def close(self) -> None:
        pass


def _column_number_b(letters: bytes) -> int:
    return _column_number(letters.decode("ascii"))


def check_xlsx(path: Path, limits: Limits) -> None:
    """:func:`check_container`, and every worksheet's declared and used extent within ``sheet_cells``."""
    from qms.i18n import _

    with _open_zip(path, limits, _("workbook")) as (zf, infos):
        _check_members(path, infos, limits)
        budget = [limits.archive_unpacked, limits.archive_unpacked]
        for info in infos:
            if _SHEET.match(info.filename):
                fast = _FastSheetScan(path, info.filename, limits.sheet_cells)
                _stream_checked(path, zf, info, budget, fast.feed)
                if not fast.exact:  # references missing: place every cell with expat
                    sheet = _SheetBounds(path, info.filename, limits.sheet_cells)
                    _stream_checked(path, zf, info, [info.file_size + 1, info.file_size + 1], sheet.feed)
                    sheet.close()
            else:
                _stream_checked(path, zf, info, budget, None)
