"""Reading dossier logs exported by one-stop systems: CSV (any common encoding) and XLSX.

This is the only place that opens the files. A log comes out as a :class:`LogTable`: its header
and its rows as columns of strings (polars frames); the KPI layer does the rest. A UTF-8 log without
quotes is read by polars line by line (after :func:`check_log` has checked the file); any other log
by the csv module or calamine, into the same columns. Encodings: UTF-8 (with or without BOM)
and UTF-16 with a BOM are decoded. Legacy 8-bit encodings such as
Windows-1258 cannot be told apart reliably from each other, so a file that is
not valid UTF-8 is refused with a clear message and a conversion hint rather
than guessed.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import io
import itertools
import mmap
import re
import zipfile
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qms.errors import QmsError
from qms.i18n import _
from qms.models.log_columns import (
    REQUIRED,
    ColumnMap,
    LogSchema,
    accepted_headers,
    header_names,
    match_header,
    match_two_rows,
    tidy_name,
)
from qms.store.cores import usable_cores
from qms.store.limits import Limits, current
from qms.store.ooxml import check_container, check_xlsx
from qms.store.safe_open import check_file, open_bounded

if TYPE_CHECKING:
    import threading

    import polars as pl

    from qms.store.batches import Background

_PROBE_BYTES = 1 << 16
_SHEETS = (".xlsx", ".xlsm", ".xls", ".ods")

MAX_FIELD = 1 << 20
"""The longest CSV cell (1 MiB): a line with no delimiter or newline is refused, not held in memory."""
csv.field_size_limit(MAX_FIELD)


@dataclass(slots=True)
class RowSource:
    """An open log: ``rows`` yields lists of cells, ``line()`` is the current 1-based row number."""

    path: str
    rows: Iterator[list[str]]
    line: Callable[[], int]
    kind: str  # "csv" or "xlsx"


def _encoding_hint() -> str:
    return _(
        "save the file as UTF-8 (Excel: Save As > 'CSV UTF-8'), or convert it, e.g. "
        "iconv -f CP1258 -t UTF-8 in.csv > out.csv"
    )


def detect_encoding(path: Path, head: bytes) -> str:
    """The codec to read ``path`` with, judged from its first bytes; raises QmsError if not decodable."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise QmsError(
            _("{path}: the file is {encoding}; qms reads UTF-8 (or UTF-16 with a BOM) only").format(
                path=path, encoding="UTF-32"),
            _encoding_hint(),
        )
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if len(head) >= 4 and head[1:4:2] == b"\x00\x00" and head[0] and head[2]:
        raise QmsError(
            _("{path}: looks like UTF-16 text without a byte-order mark").format(path=path),
            _("save it as UTF-8, or as UTF-16 with a BOM (Excel: 'Unicode Text')"),
        )
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(head, final=False)
    except UnicodeDecodeError as exc:
        line = head[: exc.start].count(b"\n") + 1
        raise QmsError(
            _(
                "{path}:{line}: the file is not UTF-8 (byte 0x{byte:02x}); it is probably in a legacy "
                "Vietnamese encoding such as Windows-1258 (CP1258) or TCVN3"
            ).format(path=path, line=line, byte=head[exc.start]),
            _encoding_hint(),
        ) from None
    return "utf-8"


def first_bad_utf8(path: Path, block: int = 1 << 20) -> tuple[int, int, int] | None:
    """(1-based line, byte offset, byte) of the first byte of ``path`` that is not UTF-8, or None.

    Readers decode in chunks and several processes each decode a part, so the row they were at when
    decoding failed is not where the bad byte is; this finds the byte itself.
    """
    line, offset, carry = 1, 0, b""
    try:
        fh = path.open("rb")
    except OSError:
        return None
    with fh:
        while True:
            chunk = fh.read(block)
            data = carry + chunk
            if not data:
                return None
            try:
                data.decode("utf-8")
                good, carry = data, b""
            except UnicodeDecodeError as exc:
                if chunk and exc.end == len(data) and exc.reason == "unexpected end of data":
                    good, carry = data[: exc.start], data[exc.start :]  # a character cut by the block end
                else:
                    return line + data.count(b"\n", 0, exc.start), offset + exc.start, data[exc.start]
            line += good.count(b"\n")
            offset += len(good)


def not_utf8_error(path: Path, row: int, encoding: str, reason: str) -> QmsError:
    """The error for a CSV log whose text stops decoding: the line and byte offset of the first bad
    byte (for a UTF-8 log), else ``row`` (where the reader was) and the decoder's reason."""
    found = first_bad_utf8(path) if encoding.lower().replace("_", "-").startswith("utf-8") else None
    if found is None:
        return QmsError(_("{path}:{row}: the file is not valid {encoding} text here ({reason})").format(
            path=path, row=row, encoding=encoding, reason=reason), _encoding_hint())
    line, offset, byte = found
    return QmsError(_("{path}:{line}: the file is not valid UTF-8 text here (byte 0x{byte:02x} at offset {offset})").format(
        path=path, line=line, byte=byte, offset=offset), _encoding_hint())


def _sniff_delimiter(sample: str) -> str:
    lines = [ln for ln in sample.splitlines()[:30] if ln.strip()]
    best, best_count = ",", 0
    for cand in (",", ";", "\t", "|"):
        count = sum(ln.count(cand) for ln in lines)
        if count > best_count:
            best, best_count = cand, count
    return best


@contextlib.contextmanager
def open_csv(path: Path) -> Iterator[RowSource]:
    with open_bounded(path, current().log_size, "log_size") as fh_bin:
        head = fh_bin.read(_PROBE_BYTES)
        encoding = detect_encoding(path, head)
        fh_bin.seek(0)
        text = io.TextIOWrapper(fh_bin, encoding=encoding, newline="")
        try:
            sample = text.read(_PROBE_BYTES)
        except UnicodeDecodeError:
            sample = ""
        if "\x00" in sample:
            raise QmsError(
                _("{path}: the file contains NUL bytes; it is not CSV text").format(path=path),
                _("export the log again as CSV (UTF-8) or .xlsx"),
            )
        text.seek(0)
        reader = csv.reader(text, delimiter=_sniff_delimiter(sample))

        def rows() -> Iterator[list[str]]:
            try:
                yield from reader
            except csv.Error as exc:  # a cell over the field limit, a malformed quote
                raise QmsError(
                    _("{path}:{row}: cannot read the CSV row: {reason}").format(
                        path=path, row=max(reader.line_num, 1), reason=exc),  # the reader counted the bad line
                    _("export the log again as CSV (UTF-8) or .xlsx"),
                ) from None
            except UnicodeDecodeError as exc:
                raise not_utf8_error(path, reader.line_num + 1, exc.encoding, exc.reason) from None

        yield RowSource(str(path), rows(), lambda: reader.line_num, "csv")


def _cell_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


@contextlib.contextmanager
def open_xlsx(path: Path) -> Iterator[RowSource]:
    from python_calamine import CalamineWorkbook

    try:
        try:
            str(path).encode("utf-8")
        except UnicodeEncodeError:  # a name that is not UTF-8: calamine cannot open it by name
            with open_bounded(path, current().log_size, "log_size") as fh:
                workbook = CalamineWorkbook.from_filelike(io.BytesIO(fh.read()))
        else:
            workbook = CalamineWorkbook.from_path(str(path))
        sheet = workbook.get_sheet_by_index(0)
        data = sheet.to_python(skip_empty_area=False)
    except (OSError, zipfile.BadZipFile) as exc:
        raise QmsError(
            _("{path}: cannot read the workbook: {reason}").format(path=path, reason=exc),
            _("check that the file is an .xlsx workbook and is not open in another program"),
        ) from None
    except Exception as exc:  # calamine raises its own error types
        raise QmsError(
            _("{path}: cannot read the workbook: {reason}").format(path=path, reason=exc),
            _("check that the file is an .xlsx workbook and is not open in another program"),
        ) from None
    counter = [0]

    def rows() -> Iterator[list[str]]:
        for raw in data:
            counter[0] += 1
            yield [_cell_text(v) for v in raw]

    yield RowSource(str(path), rows(), lambda: counter[0], "xlsx")


@contextlib.contextmanager
def open_dossier_log(path: Path) -> Iterator[RowSource]:
    """Open a CSV or XLSX dossier log by its extension (anything not .xlsx/.xlsm/.xls is read as CSV)."""
    check_log(path)
    opener = open_xlsx if path.suffix.lower() in _SHEETS else open_csv
    with opener(path) as source:
        yield source


def check_log(path: Path) -> None:
    """Refuse a dossier log that is missing, not a regular file (a FIFO, a device), too large, or
    (xlsx) a workbook whose container or sheet size is out of bounds; nothing is decoded."""
    if not path.exists() and not path.is_symlink():
        raise QmsError(
            _("{path}: no such file").format(path=path),
            _("check the path of the dossier log"),
        )
    limits = current()
    st = check_file(path, limits.log_size, "log_size")
    key = (str(path), st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, limits)
    if key in _checked:
        return  # read_logs checks first, open_dossier_log again: inflate a workbook once
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        check_xlsx(path, limits)
    elif path.suffix.lower() == ".ods":
        check_container(path, limits, _("workbook"))
    _checked.add(key)


_checked: set[tuple[str, int, int, int, int, Limits]] = set()


# -- the log as columns --------------------------------------------------------------------------

#: Every character Python's ``str.strip()`` removes. polars' ``strip_chars()`` without arguments
#: removes Unicode White_Space, which differs (U+001C..U+001F), so cells are stripped with this set.
PY_WHITESPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
                 "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
HEADER_SCAN_ROWS = 30
#: a cell that is empty or whitespace only, as Python's ``str.strip()`` sees it (for polars)
_BLANK = "^[" + "".join(f"\\x{{{ord(c):x}}}" for c in PY_WHITESPACE) + "]*$"
_BATCH_ROWS = 250_000  # lines per polars batch
_ROW_BATCH = 200_000  # rows per batch built from Python lists
_POLARS_HEAD = 1 << 20
_PROBE_CHARS = 1 << 16  # what the csv reader sniffs the delimiter from (characters)
#: internal columns of a batch (the cells are named by their canonical column names)
ROW, CELLS, NONBLANK = "_row", "_cells", "_nonblank"


#: a step added to the polars query of each batch of a plain CSV log (see :func:`open_log_table`)
BatchStep = Callable[["pl.LazyFrame"], "pl.LazyFrame"]


class _Unsupported(Exception):
    """The rest of the file cannot be read one row per line: the csv reader reads it."""


@dataclass(slots=True)
class LogTable:
    """A dossier log as columns: its header (found among the first rows) and the data rows after it.

    ``batches`` yields polars DataFrames in row order with ``_row`` (Int64: the row number, as the
    csv reader or the sheet counts it), ``_cells`` (Int64: how many cells the row has; for a row
    with a dossier id that reaches every mapped column it may say just the header's width),
    ``_nonblank`` (Boolean: some cell holds more than whitespace; may be true for such a row too)
    and one String column per mapped canonical column (``""`` where the row is too short to have it);
    a batch may leave out the mapped columns the caller did not ask for (``wanted``).
    """

    path: str
    kind: str  # "csv", "xlsx" or "rows"
    columns: ColumnMap
    batches: Iterator[pl.DataFrame]
    #: totals rows ("Tổng cộng", "Tổng số" … with empty date cells) left out of ``batches``, as
    #: (row, label); filled while the batches are read (dossier logs only, not other schemas)
    totals: list[tuple[int, str]] = field(default_factory=list)
    #: work of the reader still running beside the batches (the scan of a long CSV log), stopped
    #: when the table is closed
    helper: Background[bool] | None = None


def find_header(path: str, rows: Iterator[list[str]], line: Callable[[], int],
                column_map: Mapping[str, str] | None, schema: LogSchema | None = None,
                pushback: list[list[str]] | None = None) -> ColumnMap:
    """The header among the first :data:`HEADER_SCAN_ROWS` rows: a row naming the dossier id and
    another column, or two rows (group headings merged over sub-headings, see
    :func:`~qms.models.log_columns.match_two_rows`), optionally followed by a row of column numbers
    ("(1)", "(2)", …, as official forms number them). Rows are consumed up to and including the
    header; a data row read to tell is appended to ``pushback`` (the caller reads it first).
    ``schema`` names the columns of another kind of log (default: the KPI report's dossier log)."""
    prev: list[str] | None = None
    pending: tuple[list[str], int, dict[str, int]] | None = None  # a one-row header, unless the next row is its second
    header: ColumnMap | None = None
    for scanned, row in enumerate(rows, start=1):
        if header is not None:  # after the header: a row of column numbers belongs to it
            if _column_numbers(row):
                return ColumnMap(header.index, line(), header.names)
            if pushback is not None:
                pushback.append(row)
            return header
        if pending is not None:
            top, top_line, top_found = pending
            two = match_two_rows(top, row, column_map, schema)
            cell = row[top_found["dossier_id"]] if top_found["dossier_id"] < len(row) else ""
            if two is not None and not cell.strip() and (len(two.found) > len(top_found) or two.ambiguous):
                header = _accept(path, line(), two.found, two.names, two.ambiguous, schema)
                continue
            header = _accept(path, top_line, top_found, header_names(top, top_found), {}, schema)
            if _column_numbers(row):
                return ColumnMap(header.index, line(), header.names)
            if pushback is not None:
                pushback.append(row)
            return header
        found = match_header(row, column_map, schema)
        if prev is not None and (two := match_two_rows(prev, row, column_map, schema)) is not None \
                and "dossier_id" in two.found and len(two.found) >= 2 and len(two.found) > len(found):
            header = _accept(path, line(), two.found, two.names, two.ambiguous, schema)
            continue
        if "dossier_id" in found and len(found) >= 2:
            pending = (row, line(), found)
            continue
        prev = row
        if scanned >= HEADER_SCAN_ROWS:
            break
    if header is not None:
        return header
    if pending is not None:  # the header is the last row
        top, top_line, top_found = pending
        return _accept(path, top_line, top_found, header_names(top, top_found), {}, schema)
    raise QmsError(
        _("{path}: no header row found in the first {n} rows").format(path=path, n=HEADER_SCAN_ROWS),
        _("the header needs at least a dossier id column ({names}) and a date column").format(
            names=accepted_headers("dossier_id")
        ),
    )


_COLUMN_NUMBER = re.compile(r"^[(\[]?([0-9]{1,3})[)\]]?$")


def _column_numbers(row: Sequence[str]) -> bool:
    """Whether ``row`` numbers the columns of the header above it: "1", "2", "3", … or "(1)", "(2)",
    … (at least three, counting up by one; empty cells between them allowed)."""
    numbers = []
    for cell in row:
        text = cell.strip() if isinstance(cell, str) else ""
        if not text:
            continue
        m = _COLUMN_NUMBER.match(text)
        if m is None:
            return False
        numbers.append(int(m.group(1)))
    return len(numbers) >= 3 and all(b == a + 1 for a, b in itertools.pairwise(numbers))


def _accept(path: str, row: int, found: dict[str, int], names: dict[str, str], ambiguous: Mapping[str, list[str]],
            schema: LogSchema | None) -> ColumnMap:
    """The header's columns, or an error naming the column it lacks or names ambiguously."""
    hint = (_("name a column {names} (or map it in qms.yaml under kpi.columns)") if schema is None
            else _("name a column {names} (or map it with --columns FILE.yaml)"))
    missing = [c for c in (schema.required if schema is not None else REQUIRED) if c not in found]
    if schema is None and "due_at" not in found and "procedure_id" not in found:
        missing.append("due_at")
    for canon, labels in ambiguous.items():
        if canon in missing or canon not in found:
            raise QmsError(
                _("{path}:{row}: the two header rows do not say which column is {column}: {headers}").format(
                    path=path, row=row, column=canon, headers=", ".join(repr(h) for h in labels)),
                (_("map the one to use in qms.yaml under kpi.columns, e.g. {column}: \"{header}\"") if schema is None
                 else _("map the one to use with --columns FILE.yaml, e.g. {column}: \"{header}\"")).format(
                    column=canon, header=labels[-1]),
            )
    if missing:
        raise QmsError(
            _("{path}:{row}: the header has no column {column}").format(path=path, row=row, column=missing[0]),
            hint.format(names=accepted_headers(missing[0], schema)),
        )
    return ColumnMap(found, row, names)


#: the label of a totals or subtotals row, in its first non-empty cell (case folded, see tidy_name)
_TOTALS = re.compile(r"^(tổng cộng|tổng số|tổng|cộng|tổng cộng chung|grand total|sub-?total|totals?)"
                     r"(\s*:.*|\s*\(.*\)|\s+hồ sơ.*|\s+toàn .*)?$")
_SUM = re.compile(r"^[0-9][0-9.,\s]*$")
_DATE_COLUMNS = ("received_at", "due_at", "completed_at", "returned_at")


def totals_label(cells: Sequence[str], cmap: ColumnMap) -> str | None:
    """The label of a totals row ("Tổng cộng", "Tổng số: 3", "Cộng", "Total"): its first non-empty
    cell, up to the dossier id's column, says so; the dossier id cell is that label, empty or a sum
    (a plain number); and every date column is empty or holds a sum. A row with a dossier id or a
    date in any date column is a dossier, never a totals row. None for any other row."""
    id_col = cmap.get("dossier_id")
    at = next((k for k in range(min(id_col + 1, len(cells))) if cells[k].strip()), None)
    if at is None or len(cells[at]) > 80:
        return None
    label = tidy_name(cells[at])
    if not _TOTALS.match(label.casefold()):
        return None
    if at != id_col and id_col < len(cells) and cells[id_col].strip() and not _SUM.match(cells[id_col].strip()):
        return None
    for name in _DATE_COLUMNS:
        i = cmap.get(name)
        text = cells[i].strip() if 0 <= i < len(cells) else ""
        if text and not _SUM.match(text):
            return None
    return label


def _frame_of_rows(rows: list[list[str]], numbers: list[int], cmap: ColumnMap) -> pl.DataFrame:
    import polars as pl

    data: dict[str, Any] = {
        ROW: pl.Series(ROW, numbers, dtype=pl.Int64),
        CELLS: pl.Series(CELLS, [len(r) for r in rows], dtype=pl.Int64),
        NONBLANK: pl.Series(NONBLANK, [any(c.strip() for c in r) for r in rows], dtype=pl.Boolean),
    }
    for canon, i in cmap.index.items():
        data[canon] = pl.Series(canon, [r[i] if i < len(r) else "" for r in rows], dtype=pl.String)
    return pl.DataFrame(data)


def _row_batches(rows: Iterator[list[str]], line: Callable[[], int], cmap: ColumnMap,
                 totals: list[tuple[int, str]] | None = None) -> Iterator[pl.DataFrame]:
    buf: list[list[str]] = []
    numbers: list[int] = []
    recv = cmap.get("received_at") if totals is not None else -1
    for row in rows:
        if totals is not None and recv >= 0 and (recv >= len(row) or not row[recv].strip()) \
                and (label := totals_label(row, cmap)):
            totals.append((line(), label))
            continue
        buf.append(row)
        numbers.append(line())
        if len(buf) >= _ROW_BATCH:
            yield _frame_of_rows(buf, numbers, cmap)
            buf, numbers = [], []
    if buf:
        yield _frame_of_rows(buf, numbers, cmap)


def table_from_rows(path: str, rows: Iterator[list[str]] | Iterable[list[str]], line: Callable[[], int],
                    column_map: Mapping[str, str] | None, kind: str = "rows",
                    schema: LogSchema | None = None) -> LogTable:
    """A table over rows of cells already in memory or streamed (``line()`` numbers the last row read)."""
    it = iter(rows)
    peeked: list[list[str]] = []
    cmap = find_header(path, it, line, column_map, schema, peeked)
    totals: list[tuple[int, str]] = []
    return LogTable(path, kind, cmap, _row_batches(itertools.chain(peeked, it), line, cmap,
                                                   totals if schema is None else None), totals)


def _split_lines(lines: pl.Series, first: int, delimiter: str, cmap: ColumnMap,
                 totals: list[tuple[int, str]] | None = None) -> pl.DataFrame:
    """One batch from whole lines (a row is one line): row numbers, cell counts and the mapped cells.

    Cells are counted, and blank rows found, only where it matters (a row too short for the header,
    or without a dossier id); elsewhere ``_cells`` is the header's width and ``_nonblank`` is true."""
    import numpy as np
    import polars as pl

    width = cmap.width
    split = lines.str.split_exact(delimiter, width - 1).struct.unnest()  # split once
    frame = split.select(
        pl.int_range(first, first + len(lines), dtype=pl.Int64).alias(ROW),
        pl.col(f"field_{width - 1}").is_null().alias("short"),
        *(pl.col(f"field_{i}").fill_null("").alias(canon) for canon, i in cmap.index.items()),
    )
    odd = frame["short"] | (frame["dossier_id"].str.strip_chars(PY_WHITESPACE) == "")
    count = np.full(len(lines), width, dtype=np.int64)
    nonblank = np.ones(len(lines), dtype=bool)
    if odd.any():
        where = np.flatnonzero(odd.to_numpy())
        sub = lines.filter(odd)
        count[where] = pl.select(pl.when(sub == "").then(0).otherwise(
            sub.str.count_matches(delimiter, literal=True) + 1)).to_series().to_numpy()
        nonblank[where] = (sub.str.strip_chars(PY_WHITESPACE + delimiter) != "").to_numpy()
    frame = frame.drop("short").with_columns(pl.Series(CELLS, count), pl.Series(NONBLANK, nonblank))
    if totals is not None and "received_at" in frame.columns:
        no_date = frame["received_at"].str.strip_chars(PY_WHITESPACE) == ""
        if no_date.any():  # few rows: a totals row, or a row the classifier rejects
            drop = np.zeros(len(lines), dtype=bool)
            for i in np.flatnonzero(no_date.to_numpy()):
                label = totals_label(str(lines[int(i)] or "").split(delimiter), cmap)
                if label:
                    totals.append((first + int(i), label))
                    drop[i] = True
            if drop.any():
                frame = frame.filter(pl.Series(~drop))
    return frame


def _csv_rest(path: Path, cmap: ColumnMap, after: int,
              totals: list[tuple[int, str]] | None = None) -> Iterator[pl.DataFrame]:
    """The rows after line ``after`` through the csv reader (every earlier row was one line)."""
    with open_csv(path) as source:
        rows = (r for r in source.rows if source.line() > after)
        yield from _row_batches(rows, source.line, cmap, totals)


def _line_table(path: Path, column_map: Mapping[str, str] | None,
                wanted: Collection[str] | None = None, schema: LogSchema | None = None,
                prepare: Callable[[pl.DataFrame], BatchStep] | None = None,
                counts: bool = True) -> LogTable | None:
    """The fast reader: polars reads the lines of a UTF-8 file without quotes; None when the head
    says the csv reader must read the file (quotes, NUL, a bare CR, UTF-16, bad UTF-8).

    ``path`` has been checked by :func:`check_log` (a regular file within the size bound)."""
    with open_bounded(path, current().log_size, "log_size") as fh:
        head = fh.read(_POLARS_HEAD)
        whole = len(head) < _POLARS_HEAD or not fh.read(1)
    encoding = detect_encoding(path, head[:_PROBE_BYTES])
    if encoding not in ("utf-8", "utf-8-sig") or b'"' in head or b"\x00" in head:
        return None
    bom = 3 if encoding == "utf-8-sig" else 0
    try:
        text = codecs.getincrementaldecoder("utf-8")().decode(head[bom:], final=whole)
    except UnicodeDecodeError:
        return None
    if "\r" in text.replace("\r\n", ""):
        return None  # a bare CR ends a row for the csv module
    delimiter = _sniff_delimiter(text[:_PROBE_CHARS])
    lines = text.split("\n")
    if not whole or not lines[-1]:
        lines.pop()  # incomplete (or empty) last piece
    if len(lines) < HEADER_SCAN_ROWS and not whole:
        return None  # absurdly long lines: the csv reader looks for the header
    counter = [0]

    def head_rows() -> Iterator[list[str]]:
        for ln in lines:
            counter[0] += 1
            ln = ln.removesuffix("\r")
            yield ln.split(delimiter) if ln else []

    spath = str(path)
    cmap = find_header(spath, head_rows(), lambda: counter[0], column_map, schema)
    totals: list[tuple[int, str]] = []
    kept = totals if schema is None else None
    if whole and not _plain_lines(path):  # the file is its head: scanned here, at once
        return LogTable(spath, "csv", cmap, _line_batches(path, delimiter, cmap, cmap.header_row, kept), totals)
    header = lines[cmap.header_row - 1].removesuffix("\r").split(delimiter)
    step = prepare(_sample(lines[cmap.header_row:cmap.header_row + _SAMPLE_ROWS], delimiter, cmap)) \
        if prepare is not None else None
    plain: Background[bool] | None = None
    if not whole:
        # the scan of the whole file for quotes and bare CRs runs beside polars, which starts reading
        # the first batch meanwhile (the cell reader takes no batch before the scan says the lines are plain)
        from qms.store.batches import in_background

        plain = in_background(lambda stop: _plain_lines(path, stop), "qms-log-scan")
    return LogTable(spath, "csv", cmap,
                    _cell_batches(path, delimiter, cmap, cmap.header_row, len(header), wanted, kept, step, counts,
                                  plain),
                    totals, plain)


_SAMPLE_ROWS = 1000


def _sample(lines: list[str], delimiter: str, cmap: ColumnMap) -> pl.DataFrame:
    """The mapped cells of the first data lines (from the head of the file), for :func:`open_log_table`'s
    ``prepare``."""
    import polars as pl

    rows = [ln.removesuffix("\r").split(delimiter) for ln in lines]
    return pl.DataFrame({canon: [r[i] if i < len(r) else "" for r in rows] for canon, i in cmap.index.items()},
                        schema=dict.fromkeys(cmap.index, pl.String))


_BARE_CR = re.compile(rb"\r[^\n]")
_CR_BLOCK = 1 << 18  # bytes per step of the bare-CR scan (numpy arrays that stay in the CPU cache)
#: from this size of log on the numpy scan (twice as fast) pays for importing numpy, which a smaller log never needs
_NUMPY_SCAN = 1 << 28
_SCAN_WINDOW = mmap.ALLOCATIONGRANULARITY << 12  # bytes mapped at a time (16 MiB with 4 KiB pages)


def _plain_lines(path: Path, stop: threading.Event | None = None) -> bool:
    """Whether every row of ``path`` is one line the csv module splits at each delimiter: no quote
    anywhere and no CR but before LF (a quick scan of the mapped file).

    A large log is scanned by one thread per core, each taking every n-th window (numpy releases
    the GIL while it compares bytes); the first window that is not plain stops them all, as
    ``stop`` does (the caller gave up: the answer is then False)."""
    import threading

    with open_bounded(path, current().log_size, "log_size") as fh:
        size = fh.seek(0, io.SEEK_END)
        use_numpy = size >= _NUMPY_SCAN
        windows = range(0, size, _SCAN_WINDOW)
        threads = min(usable_cores(), len(windows)) if use_numpy else 1
        if threads <= 1:
            return size > 0 and all(not (stop is not None and stop.is_set())
                                    and _plain_window(fh.fileno(), offset, size, use_numpy) for offset in windows)
        import numpy  # noqa: F401  (once, before the threads)

        found = stop or threading.Event()  # a window that is not plain: the others stop
        errors: list[BaseException] = []

        def scan(part: range) -> None:
            try:
                for offset in part:
                    if found.is_set():
                        return
                    if not _plain_window(fh.fileno(), offset, size, True):
                        found.set()
            except BaseException as exc:  # pragma: no cover - re-raised below
                errors.append(exc)
                found.set()

        workers = [threading.Thread(target=scan, args=(windows[k::threads],), name=f"qms-log-scan-{k}", daemon=True)
                   for k in range(threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        if errors:  # pragma: no cover - a window that cannot be mapped is not plain, see _plain_window
            raise errors[0]
        return not found.is_set()


def _plain_window(fileno: int, offset: int, size: int, use_numpy: bool) -> bool:
    """Whether the window of the file at ``offset`` holds no quote and no bare CR."""
    # mapped a window at a time: the pages of a whole mapped file would stay resident (and count
    # as the process's memory) until the scan ends
    length = min(_SCAN_WINDOW + 1, size - offset)  # one byte more: what follows a CR at the end
    try:
        view = mmap.mmap(fileno, length, access=mmap.ACCESS_READ, offset=offset)
    except (OSError, ValueError):  # a file system that cannot map it
        return False
    with view:
        if offset + length == size and view[-1:] == b"\r":
            return False
        if use_numpy:
            return _plain_view(view)
        return view.find(b'"') < 0 and not (view.find(b"\r") >= 0 and _BARE_CR.search(view) is not None)


def _plain_view(view: mmap.mmap) -> bool:
    """Whether ``view`` holds no quote and no CR that is not followed by LF before its last byte (the
    last byte is the first of the next window, or the file's last byte, which the caller checks).

    A large log is compared block by block in numpy, which releases the GIL (the scan threads run
    side by side): each byte with a quote, then, where a block holds a CR (a Windows export has one
    on every line), each byte with CR and the next one with LF."""
    import numpy as np

    data = np.frombuffer(view, dtype=np.uint8)
    size = len(data) - 1
    mark = np.empty(_CR_BLOCK, dtype=bool)
    not_lf = np.empty(_CR_BLOCK, dtype=bool)
    try:
        if data[size] == 34:  # the extra byte (a quote there is also the next window's first byte)
            return False
        for start in range(0, size, _CR_BLOCK):
            k = min(_CR_BLOCK, size - start)
            block, cr = data[start:start + k], mark[:k]
            if np.equal(block, 34, out=cr).any():
                return False
            if np.equal(block, 13, out=cr).any():
                np.not_equal(data[start + 1:start + k + 1], 10, out=not_lf[:k])
                if np.logical_and(cr, not_lf[:k], out=cr).any():
                    return False
        return True
    finally:
        del data  # the mapping cannot close while an array still points into it


def _cell_batches(path: Path, delimiter: str, cmap: ColumnMap, line: int, header: int,
                  wanted: Collection[str] | None = None,
                  totals: list[tuple[int, str]] | None = None, step: BatchStep | None = None,
                  counts: bool = True, plain: Background[bool] | None = None) -> Iterator[pl.DataFrame]:
    """polars' streaming CSV reader, quotes off, one String column per cell of the header (``header``
    cells; later cells are dropped), for a file of plain lines (:func:`_plain_lines`): every row of a
    batch is one line that reaches the header's last mapped column. From the first batch that holds
    a row this cannot tell (no text from that column on, which may be a short row; a row without an
    id and without text in the cells read; bad UTF-8), the line reader goes on (:func:`_line_batches`).

    ``counts=False``: the caller does not count a row's cells (``_cells`` is the header's width), so
    a short row is read as one with empty cells at its end, and the reader goes on.

    ``plain``: the scan of the file (:func:`_plain_lines`) still running, waited for before the
    first batch is used: a file that is not plain goes to the line reader from the header on."""
    import polars as pl

    width = cmap.width
    names = [f"c{i}" for i in range(max(width, header))]
    scan = pl.scan_csv(path, has_header=False, separator=delimiter, quote_char=None,
                       schema=dict.fromkeys(names, pl.String), skip_lines=line, truncate_ragged_lines=True,
                       raise_if_empty=False)
    probe = names[width - 1:]  # a row with a cell here reaches the last mapped column
    # the mapped columns the caller reads, and the probe: polars skips the others' text (a row whose
    # only text is in a skipped column looks blank here, and the line reader takes over from it)
    kept = {canon: i for canon, i in cmap.index.items() if wanted is None or canon in wanted or canon == "dossier_id"}
    read = sorted({names[i] for i in kept.values()} | set(probe if counts else ()), key=names.index)
    if totals is not None:  # the label of a totals row is in a cell up to the dossier id's, often an unmapped "STT"
        read = sorted(set(read) | set(names[:cmap.get("dossier_id") + 1]), key=names.index)
    # the mapped cells under their canonical names (an empty cell: ""), then the caller's step
    query = scan.select(*read, *(pl.col(names[i]).fill_null("").alias(canon) for canon, i in kept.items()))
    if step is not None:
        query = step(query)
    try:
        for batch in query.collect_batches(chunk_size=_BATCH_ROWS):
            if plain is not None:
                if not plain.result():
                    break  # the line reader reads the file from the header on
                plain = None
            if counts:
                reach = batch[probe[-1]]
                if len(probe) > 1 and reach.null_count():
                    reach = batch.select(pl.coalesce(probe)).to_series()
                if reach.null_count():
                    break
            n = batch.height
            cells = {canon: batch[canon] for canon in kept}
            added = {name: batch[name] for name in batch.columns if name not in kept and name not in read}
            nonblank = pl.repeat(True, n, eager=True)
            ids = cells["dossier_id"]
            # a cell of whitespace only is empty or starts below "!" or at U+0085 or above (PY_WHITESPACE):
            # the pattern runs only when some cell does
            no_id = (ids < "!") | (ids >= "\x85")
            if no_id.any():
                no_id = ids.str.contains(_BLANK)
            if no_id.any():
                nonblank = batch.select(pl.any_horizontal(
                    pl.col(read).fill_null("").str.strip_chars(PY_WHITESPACE) != "")).to_series()
                if (no_id & ~nonblank).any():
                    break  # a blank row, or one whose only text is beyond the header's mapped cells
            found: list[tuple[int, str]] = []
            if totals is not None and "received_at" in cells:
                recv = cells["received_at"]
                no_date = (recv < "!") | (recv >= "\x85")
                if no_date.any() and (no_date := recv.str.contains(_BLANK)).any():
                    found = _cell_totals(batch, names, read, no_date, cmap)
            frame = pl.DataFrame({ROW: pl.int_range(line + 1, line + 1 + n, dtype=pl.Int64, eager=True),
                                  CELLS: pl.repeat(width, n, dtype=pl.Int64, eager=True),
                                  NONBLANK: nonblank, **cells, **added})
            if found:
                totals.extend((line + 1 + i, label) for i, label in found)  # type: ignore[union-attr]
                frame = frame.filter(~pl.int_range(0, n, eager=True).is_in([i for i, _label in found]))
            yield frame
            line += n
        else:
            if plain is None or plain.result():  # (no batch at all: the scan is waited for here)
                return
    except pl.exceptions.PolarsError:
        pass
    yield from _line_batches(path, delimiter, cmap, line, totals)


def _cell_totals(batch: pl.DataFrame, names: list[str], read: list[str], candidates: pl.Series,
                 cmap: ColumnMap) -> list[tuple[int, str]]:
    """The totals rows among the ``candidates`` of a batch of the cell reader, as (index in the batch,
    label); every cell :func:`totals_label` looks at has been read (the others stay empty)."""
    width = max(names.index(name) for name in read) + 1
    out: list[tuple[int, str]] = []
    for i in candidates.arg_true().to_list():
        row = [""] * width
        for name in read:
            row[names.index(name)] = batch[name][i] or ""
        label = totals_label(row, cmap)
        if label:
            out.append((i, label))
    return out


def _line_batches(path: Path, delimiter: str, cmap: ColumnMap, line: int,
                  totals: list[tuple[int, str]] | None = None) -> Iterator[pl.DataFrame]:
    """polars' streaming reader, one text column per line after line ``line`` (the separator is NUL,
    which a usable file does not hold, and quotes are off); from the first line it cannot take (a
    quote, a bare CR, a NUL, bad UTF-8) the csv reader goes on, and reports what is wrong with its row."""
    import polars as pl

    scan = pl.scan_csv(path, has_header=False, separator="\x00", quote_char=None, infer_schema=False,
                       new_columns=["l"], skip_lines=line)
    try:
        for batch in scan.collect_batches(chunk_size=_BATCH_ROWS):
            lines = batch.to_series().fill_null("")
            if lines.str.contains('"', literal=True).any() or lines.str.contains("\r", literal=True).any():
                raise _Unsupported  # a row may span lines; a bare CR ends a row for the csv module
            yield _split_lines(lines, line + 1, delimiter, cmap, totals)
            line += len(lines)
    except (_Unsupported, pl.exceptions.PolarsError):
        yield from _csv_rest(path, cmap, line, totals)


@contextlib.contextmanager
def open_log_table(path: Path, column_map: Mapping[str, str] | None = None,
                   wanted: Collection[str] | None = None,
                   schema: LogSchema | None = None,
                   prepare: Callable[[pl.DataFrame], BatchStep] | None = None,
                   counts: bool = True) -> Iterator[LogTable]:
    """A CSV or XLSX dossier log as a :class:`LogTable` (checked first by :func:`check_log`).

    ``wanted``: the canonical columns the caller reads; a plain CSV log's other columns may be left
    out of the batches, which saves a third of the reading. ``schema`` reads another kind of log with
    the same reader (e.g. ``log_columns.FLOW_LOG``).

    ``prepare``: given the first data rows of a plain CSV log (its mapped cells, as the batches hold
    them), a step added to the polars query that reads each batch of its plain lines; the columns it
    adds are in those batches (others, read by the line or csv reader, do not have them).
    ``counts=False``: the caller does not look at ``_cells`` (which may then say the header's width
    for a short row), so a short row does not send the rest of a plain CSV log to a slower reader."""
    check_log(path)
    if path.suffix.lower() in _SHEETS:
        with open_xlsx(path) as source:
            yield table_from_rows(source.path, source.rows, source.line, column_map, "xlsx", schema)
        return
    table = _line_table(path, column_map, wanted, schema, prepare, counts)
    if table is not None:
        try:
            yield table
        finally:
            if table.helper is not None:  # a caller that stopped early (an error, Ctrl-C): the scan ends too
                table.helper.stop()
        return
    with open_csv(path) as source:
        yield table_from_rows(source.path, source.rows, source.line, column_map, "csv", schema)


def _load_yaml_mapping(path: Path, what: str) -> dict[str, Any]:
    from qms.store.yaml_io import load_file

    data = load_file(path)  # bounded: size, alias budget of the run, nesting
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise QmsError(
            _("{path}: the {what} file must be a mapping").format(path=path, what=what),
            _("write one 'key: value' per line"),
        )
    return {str(k): v for k, v in data.items()}


def load_limits(path: Path) -> dict[str, float]:
    """A YAML mapping procedure_id -> legal time limit in working days."""
    data = _load_yaml_mapping(path, _("limits"))
    if "limits" in data and isinstance(data["limits"], dict) and len(data) == 1:
        data = {str(k): v for k, v in data["limits"].items()}
    out: dict[str, float] = {}
    for key, value in data.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise QmsError(
                _("{path}: time limit of procedure {proc!r} must be a number of working days >= 0, got {value!r}").format(
                    path=path, proc=key, value=value
                ),
                _("write the limits file as 'procedure_id: days', e.g. '1.004227: 15'"),
            )
        out[key] = float(value)
    return out


def load_column_map(path: Path, canonical: Sequence[str]) -> dict[str, str]:
    """A YAML mapping canonical column name -> header text in the export (``kpi.columns`` in qms.yaml).

    ``canonical`` is the list of column names the KPI engine knows (``qms.models.log_columns.CANONICAL``).
    """
    data = _load_yaml_mapping(path, _("columns"))
    for outer in ("kpi", "columns"):
        if set(data) == {outer} and isinstance(data[outer], dict):
            data = {str(k): v for k, v in data[outer].items()}
    out: dict[str, str] = {}
    for key, value in data.items():
        if key not in canonical:
            raise QmsError(
                _("{path}: unknown column name {name!r}").format(path=path, name=key),
                _("use one of: {choices}").format(choices=", ".join(canonical)),
            )
        out[key] = str(value)
    return out


def load_people_map(path: Path) -> dict[str, str]:
    """A YAML mapping person (as hand-over logs write them) -> role id, for ``qms flow report --people``."""
    data = _load_yaml_mapping(path, _("people"))
    if set(data) == {"people"} and isinstance(data["people"], dict):
        data = {str(k): v for k, v in data["people"].items()}
    out: dict[str, str] = {}
    for key, value in data.items():
        if not isinstance(value, str) or not value.strip():
            raise QmsError(
                _("{path}: the role of {person!r} must be a role id, got {value!r}").format(
                    path=path, person=key, value=value),
                _("write the people file as 'Name as in the log: role_id', e.g. 'Đỗ Văn Hải: can_bo_mot_cua'"),
            )
        out[key] = value.strip()
    return out
