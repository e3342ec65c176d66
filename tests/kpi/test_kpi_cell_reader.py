"""polars' CSV reader takes the cells of a plain log (no quote, no bare CR, every row reaching the
header's last column); every result, row number and reason is the csv module's. Wherever it cannot
tell (an empty last cell, which may be a short row; more cells than the header; a bare CR; a quote;
a blank line), the line reader and then the csv module go on, with the same results."""

from __future__ import annotations

import datetime as dt
import json
import mmap
from pathlib import Path

import pytest
from test_kpi_polars import HEADER, LIMITS, make_log  # the messy logs of the golden tests

from qms.calendar import WorkingCalendar
from qms.kpi import Classifier, to_json
from qms.kpi.logs import read_logs
from qms.store import dossier_logs


def _reference(log: Path, by: str | None) -> str:
    """The result of the same file read row by row by the csv module (its row numbers count lines)."""
    clf = Classifier(WorkingCalendar(years=(2017, 2020)), LIMITS, as_of=dt.date(2019, 6, 30), by=by)
    with dossier_logs.open_dossier_log(log) as source:
        clf.add(source)
    return to_json(clf.result())


def _result(log: Path, by: str | None) -> str:
    clf = Classifier(WorkingCalendar(years=(2017, 2020)), LIMITS, as_of=dt.date(2019, 6, 30), by=by)
    read_logs(clf, [log])
    return to_json(clf.result())


def plain_log(path: Path, rows: int, seed: int, *, crlf: bool) -> list[str]:
    """A messy log (dates, ids, statuses, blank ids with other cells) whose every row has a last cell."""
    make_log(path, rows, seed, crlf=crlf, blank_lines=False)
    lines = path.read_text(encoding="utf-8").splitlines()
    out = [lines[0] + ",", lines[1] + ",Ghi chú"]
    out += [f"{line},ghi chú {i}" for i, line in enumerate(lines[2:]) if line.count(",") == len(HEADER) - 1]
    nl = "\r\n" if crlf else "\n"
    path.write_text(nl.join(out) + nl, encoding="utf-8")
    return out


@pytest.mark.parametrize("crlf", [False, True])
@pytest.mark.parametrize("batch", [97, 1_000_000])
def test_a_plain_log_is_read_by_polars_cells_as_the_csv_module_reads_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, crlf: bool, batch: int) -> None:
    """A plain log is read by the cell reader alone (the line reader is never asked), in batches or
    at once, and gives the csv module's results, rejected rows and row numbers."""
    log = tmp_path / "plain.csv"
    plain_log(log, 1500, 11, crlf=crlf)
    monkeypatch.setattr(dossier_logs, "_BATCH_ROWS", batch)

    def refuse(*_a: object) -> None:
        raise AssertionError("the line reader was asked to read a plain log")

    reference = {by: _reference(log, by) for by in (None, "unit", "month")}
    monkeypatch.setattr(dossier_logs, "_line_batches", refuse)
    for by, expected in reference.items():
        assert _result(log, by) == expected
    data = json.loads(reference[None])
    assert data["rows_read"] > 1000 and data["rejected"]  # messy enough to mean something


@pytest.mark.parametrize("case", ["empty last cell", "short row", "more cells", "bare CR", "quote", "blank line",
                                  "only separators", "blank id with cells", "text only in an unread column"])
@pytest.mark.parametrize("batch", [97, 1_000_000])
def test_a_row_the_cell_reader_cannot_tell_hands_the_rest_over(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str, batch: int) -> None:
    """Deep in a plain CRLF log, one row the cell reader cannot tell from its cells: the results,
    rejected rows, their row numbers and reasons are still the csv module's."""
    monkeypatch.setattr(dossier_logs, "_BATCH_ROWS", batch)
    log = tmp_path / "deep.csv"
    lines = plain_log(log, 1500, 12, crlf=True)
    at = 700
    cells = lines[at].split(",")
    if case == "empty last cell":
        lines[at] = ",".join([*cells[:-1], ""])
    elif case == "short row":
        lines[at] = ",".join(cells[:5])
    elif case == "more cells":
        lines[at] = ",".join([*cells, "thêm", "nữa"])
    elif case == "bare CR":
        lines[at] = ",".join([*cells[:3], "Phường\r1", *cells[4:]])  # in the mechanism column, not mapped by --by unit
    elif case == "quote":
        lines[at] = ",".join([*cells[:3], '"Một, cửa"', *cells[4:]])  # one cell for the csv module
    elif case == "blank line":
        lines.insert(at, "")
    elif case == "only separators":
        lines.insert(at, "," * len(cells))
    elif case == "text only in an unread column":
        # without --by unit the reader skips the unit column: this row must not be taken as blank
        lines.insert(at, ",".join("UBND phường 3" if i == 2 else "" for i in range(len(cells))))
    else:
        lines.insert(at, ",".join(["", *cells[1:]]))
    log.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8"))
    for by in (None, "unit"):
        assert _result(log, by) == _reference(log, by)
    assert json.loads(_reference(log, None))["rows_read"] > 1000


def test_the_reader_keeps_every_column_the_classification_reads() -> None:
    """The cell reader skips the columns the classifier does not name in ``columns_used()``: every
    column the classifier looks up in a batch must be named there, or it would read as missing."""
    import importlib
    import re

    module = importlib.import_module("qms.kpi.classify")  # the package exports a function of that name
    source = Path(str(module.__file__)).read_text(encoding="utf-8")
    looked_up = set(re.findall(r'cell\("([a-z_]+)"\)', source)) | set(re.findall(r'parse\("([a-z_]+)"\)', source))
    looked_up |= set(re.findall(r'df\["([a-z_]+)"\]', source))
    assert looked_up, "the classifier looks columns up by name"
    clf = Classifier(WorkingCalendar(years=(2017, 2020)), LIMITS, as_of=dt.date(2019, 6, 30))
    assert looked_up <= clf.columns_used(), looked_up - clf.columns_used()


@pytest.mark.parametrize("bare_cr", [False, True])
def test_the_numpy_scan_of_a_large_log_finds_a_bare_cr(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       bare_cr: bool) -> None:
    """A large CRLF log is scanned for a bare CR in numpy blocks (here every log, in 64-byte blocks):
    with a bare CR deep in it the results are still the csv module's; without, the cell reader reads it."""
    monkeypatch.setattr(dossier_logs, "_NUMPY_SCAN", 0)
    monkeypatch.setattr(dossier_logs, "_CR_BLOCK", 64)
    log = tmp_path / "large.csv"
    lines = plain_log(log, 600, 13, crlf=True)
    if bare_cr:
        cells = lines[300].split(",")
        lines[300] = ",".join([*cells[:3], "Phường\r1", *cells[4:]])
        log.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8"))
    assert dossier_logs._plain_lines(log) is not bare_cr
    for by in (None, "unit"):
        assert _result(log, by) == _reference(log, by)


@pytest.mark.parametrize("at", [62, 63, 64, 65, 127])
def test_a_bare_cr_at_a_block_edge_is_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, at: int) -> None:
    """The numpy scan looks at the byte after each CR across block edges: a CR that ends a block and
    is followed by a letter is bare, one followed by LF is not (64-byte blocks)."""
    monkeypatch.setattr(dossier_logs, "_NUMPY_SCAN", 0)
    monkeypatch.setattr(dossier_logs, "_CR_BLOCK", 64)
    data = bytearray(b"x" * 200)
    data[at] = ord("\r")
    log = tmp_path / "edge.csv"
    log.write_bytes(bytes(data))
    assert dossier_logs._plain_lines(log) is False
    data[at + 1] = ord("\n")
    log.write_bytes(bytes(data))
    assert dossier_logs._plain_lines(log) is True


def _small_scan(monkeypatch: pytest.MonkeyPatch, threads: int, numpy_scan: bool) -> int:
    """The log scan with the smallest windows the system maps, 64-byte numpy blocks, ``threads``
    threads and the regex or the numpy scan; returns the window size."""
    window = mmap.ALLOCATIONGRANULARITY
    monkeypatch.setattr(dossier_logs, "usable_cores", lambda: threads)
    monkeypatch.setattr(dossier_logs, "_SCAN_WINDOW", window)
    monkeypatch.setattr(dossier_logs, "_NUMPY_SCAN", 0 if numpy_scan else 1 << 40)
    monkeypatch.setattr(dossier_logs, "_CR_BLOCK", 64)
    return window


@pytest.mark.parametrize("threads", [1, 3])
@pytest.mark.parametrize("numpy_scan", [False, True])
@pytest.mark.parametrize("delta", [-1, 0, 1])
def test_a_bare_cr_at_a_window_edge_is_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, numpy_scan: bool,
                                             delta: int, threads: int) -> None:
    """The log is mapped a window at a time, each window one byte longer than its step: a CR that
    ends a window is judged by the first byte of the next, by the regex and by the numpy scan alike,
    whether one thread scans every window or several share them."""
    window = _small_scan(monkeypatch, threads, numpy_scan)
    at = window - 1 + delta
    data = bytearray(b"x" * (3 * window))
    data[at] = ord("\r")
    log = tmp_path / "window.csv"
    log.write_bytes(bytes(data))
    assert dossier_logs._plain_lines(log) is False
    data[at + 1] = ord("\n")
    log.write_bytes(bytes(data))
    assert dossier_logs._plain_lines(log) is True


@pytest.mark.parametrize("threads", [1, 2, 4])
@pytest.mark.parametrize("numpy_scan", [False, True])
@pytest.mark.parametrize("where", ["first", "block edge", "window edge", "last window", "last byte"])
def test_a_quote_anywhere_is_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, numpy_scan: bool,
                                   where: str, threads: int) -> None:
    """One quote anywhere in the log hands it to the csv reader (a quoted cell may span lines): in the
    first byte, at a block or window edge, in the last window, in the last byte; by the regex and the
    numpy scan, with the windows shared by one or several threads."""
    window = _small_scan(monkeypatch, threads, numpy_scan)
    size = 5 * window + 17
    at = {"first": 0, "block edge": 127, "window edge": 2 * window, "last window": 5 * window + 3,
          "last byte": size - 1}[where]
    data = bytearray(b"a,b\r\n" * (size // 5) + b"x" * (size % 5))
    log = tmp_path / "quote.csv"
    log.write_bytes(bytes(data))
    assert dossier_logs._plain_lines(log) is True
    data[at] = ord('"')
    log.write_bytes(bytes(data))
    assert dossier_logs._plain_lines(log) is False


@pytest.mark.parametrize("case", ["plain", "quoted line break", "bare CR", "quote in the last line"])
def test_a_log_longer_than_its_head_is_scanned_while_polars_reads(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str) -> None:
    """A log longer than the head the reader looks at first is scanned for quotes and bare CRs
    beside polars' first batch: a plain one is read by the cell reader alone; one with a quoted line
    break, a bare CR or a quote far past the head gives the csv module's results all the same."""
    monkeypatch.setattr(dossier_logs, "_POLARS_HEAD", 8192)
    monkeypatch.setattr(dossier_logs, "_BATCH_ROWS", 200)
    log = tmp_path / "long.csv"
    lines = plain_log(log, 1500, 14, crlf=True)
    assert log.stat().st_size > 10 * 8192
    at = len(lines) - 1 if case == "quote in the last line" else 900
    cells = lines[at].split(",")
    if case == "quoted line break":
        lines[at] = ",".join([*cells[:3], '"Một cửa\r\nliên thông"', *cells[4:]])
    elif case == "bare CR":
        lines[at] = ",".join([*cells[:3], "Phường\r1", *cells[4:]])
    elif case == "quote in the last line":
        lines[at] = ",".join([*cells[:3], '"Một, cửa"', *cells[4:]])
    log.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8"))
    asked: list[int] = []
    line_batches = dossier_logs._line_batches

    def spy(path: Path, delimiter: str, cmap: object, line: int, *rest: object) -> object:
        asked.append(line)
        return line_batches(path, delimiter, cmap, line, *rest)  # type: ignore[arg-type]

    monkeypatch.setattr(dossier_logs, "_line_batches", spy)
    for by in (None, "unit"):
        assert _result(log, by) == _reference(log, by)
    # a log that is not plain is read by the line reader from its header (the second line) on, once
    # for each result, and not from where polars had got to
    assert asked == ([] if case == "plain" else [2, 2])


def test_an_error_of_the_scan_beside_polars_reaches_the_caller(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dossier_logs, "_POLARS_HEAD", 8192)
    log = tmp_path / "long.csv"
    plain_log(log, 1500, 15, crlf=False)

    def fail(_path: Path, _stop: object = None) -> bool:
        raise OSError(5, "Input/output error", str(_path))

    monkeypatch.setattr(dossier_logs, "_plain_lines", fail)
    with pytest.raises(OSError, match="Input/output error"):
        _result(log, None)


def test_a_reader_that_stops_early_stops_the_scan_beside_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A caller that closes a long log before its first batch (an error of its own, Ctrl-C) stops the
    scan that runs beside polars: no scan thread is left, and the windows after the stop are not read."""
    import threading
    import time

    monkeypatch.setattr(dossier_logs, "_POLARS_HEAD", 8192)
    monkeypatch.setattr(dossier_logs, "_SCAN_WINDOW", mmap.ALLOCATIONGRANULARITY)
    log = tmp_path / "long.csv"
    plain_log(log, 1500, 16, crlf=False)
    windows = -(-log.stat().st_size // mmap.ALLOCATIONGRANULARITY)
    assert windows > 20
    scanned: list[int] = []
    plain_window = dossier_logs._plain_window

    def slow(fileno: int, offset: int, size: int, use_numpy: bool) -> bool:
        scanned.append(offset)
        time.sleep(0.05)
        return plain_window(fileno, offset, size, use_numpy)

    monkeypatch.setattr(dossier_logs, "_plain_window", slow)
    with dossier_logs.open_log_table(log) as table:
        assert table.helper is not None
        time.sleep(0.1)
    assert not [t for t in threading.enumerate() if t.name == "qms-log-scan"]
    assert 0 < len(scanned) < windows


def test_the_dates_of_a_plain_log_are_parsed_while_it_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The dates of a plain log are parsed in the query that reads each batch, in the shape of its
    first rows (the classifier parses no batch itself); a column that changes shape half-way (an
    export appended to another, ISO dates after dd/mm/yyyy, empty in the first rows) still gives the
    csv module's results, rejections and row numbers."""
    import importlib

    classify = importlib.import_module("qms.kpi.classify")  # the package exports a function of that name
    monkeypatch.setattr(dossier_logs, "_BATCH_ROWS", 300)
    log = tmp_path / "shapes.csv"
    header = ",".join([*HEADER, "Ghi chú"])  # a last cell in every row: the cell reader reads them all
    rows = []
    for i in range(2400):
        day = dt.date(2018, 3, 1) + dt.timedelta(days=i % 400)
        due = day + dt.timedelta(days=7)
        if i < 1200:
            recv, done, ask = f"{day:%d/%m/%Y} 08:{i % 60:02d}", f"{due:%d/%m/%Y}", ""
        else:  # the second export: ISO dates, a supplementation request, some cells no date at all
            recv = f"{day:%Y-%m-%d} 09:{i % 60:02d}:00" if i % 97 else "31/02/2018"
            done = f"{due + dt.timedelta(days=i % 3):%Y-%m-%d}"
            ask = f"{day + dt.timedelta(days=1):%Y-%m-%d}" if i % 5 == 0 else ""
        rows.append(",".join([f"HS{i:05d}", "1.001", "Phường 1", "Một cửa", recv, f"{due:%d/%m/%Y}", done, done,
                              "Đã trả kết quả", "", ask, ask, f"ghi chú {i}"]))
    log.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    prepared: list[bool] = []
    batch = classify.Classifier._batch

    def spy(self: object, df: object, *rest: object) -> object:
        prepared.append(classify.PACKED in df.columns)  # type: ignore[attr-defined]
        return batch(self, df, *rest)  # type: ignore[arg-type]

    reference = {by: _reference(log, by) for by in (None, "month")}
    monkeypatch.setattr(classify.Classifier, "_batch", spy)
    for by, expected in reference.items():
        assert _result(log, by) == expected
    assert prepared == [True] * 16  # 8 batches of 300 rows, twice
    data = json.loads(reference[None])
    assert data["rows_read"] == 2400 and data["rejected"]
