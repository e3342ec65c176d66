"""Classifying a large CSV log with polars (vectorised), with results identical to the row loop.

The file is read in blocks of whole lines. Each block is read by polars as one
text column (a row is exactly one line: files with a quote character, a NUL
or a bare carriage return are left to the row loop), the cells are split out
and every row is put in one of two lanes:

* the **fast lane** - rows the vectorised code can decide with certainty:
  enough cells, a plain dossier id, dates in the common forms
  (``dd/mm/yyyy``, ``yyyy-mm-dd`` with 1-2 digit day and month, optionally
  `` HH:MM[:SS]`` or ``THH:MM[:SS]``, and whole Excel serials), a whole
  number of paused days, and none of the reasons to reject a row. Due days
  from legal limits and supplementation pauses use the calendar's lookup
  arrays (day -> working days before it, k -> k-th working day) by gather;
* the **row lane** - every other row (blank or short rows, rejected rows,
  dates with UTC offsets or fractions, whitespace around values ...) is handed
  to the existing row loop (:meth:`Classifier._consume`) with its real row
  number, so reasons and edge cases come from the one implementation.

Neither lane claims dossier ids: both report (id, row, category, group) for
each valid row, and "first occurrence wins" is applied afterwards over the
whole file in row order (and against the ids of earlier files). Nothing is
added to the classifier until the whole file has been read, so a file that
turns out not to fit (a quote in the middle, bad UTF-8) is simply read again
by the row loop, which reports it exactly as before.

String functions whose exact Python behaviour matters (``str.strip`` of group
keys and procedure ids, the status words of withdrawn/cancelled dossiers) are
evaluated in Python once per distinct value and mapped back.
"""

from __future__ import annotations

import codecs
import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qms.kpi.classify import (
    EARLY,
    EXCLUDED,
    IN_PROGRESS,
    LATE,
    ON_TIME,
    OUT_OF_PERIOD,
    OVERDUE,
    Classifier,
    Duplicate,
    RejectedRow,
    iter_rows_of,
)
from qms.kpi.columns import ColumnMap
from qms.kpi.dates import _TIME_PLAIN, BLANK, DAY_SHIFT, INVALID, TIME_MASK, DateError, parse_value

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import polars as pl

    I64 = npt.NDArray[np.int64]
    Bools = npt.NDArray[np.bool_]

#: ``--engine auto`` uses polars for CSV files of at least this size.
MIN_POLARS_BYTES = 32 << 20
_BATCH_ROWS = 1_000_000
_HEAD = 1 << 20
_PROBE_CHARS = 1 << 16  # what the row reader sniffs the delimiter from (characters)
_UNIX_EPOCH = dt.date(1970, 1, 1).toordinal()
_MAX_PAUSE = 100_000  # larger paused_days go to the row loop (which widens the calendar row by row)



class _Unsupported(Exception):
    """The file cannot be read as one row per line: the row loop reads it instead."""


def available() -> bool:
    """polars (with the streaming batches of 1.3x and later) and numpy can be imported."""
    try:
        import numpy  # noqa: F401
        import polars
    except ImportError:
        return False
    return hasattr(polars.LazyFrame, "collect_batches")


# -- dates ---------------------------------------------------------------------

class DateMemo:
    """Parsing date cells exactly as :class:`qms.kpi.dates.DateCache` does, once per distinct value.

    A cell of more than 11 characters with a space or ``T`` at position 10 is
    split into its day part (``cell[:11]``) and its time part (``cell[11:]``),
    each with few distinct values; the value is their union when both are
    known (the date part holds no space or ``T``, the time part is a plain
    ``HH:MM[:SS]``), the same decomposition the row loop's cache uses. Any
    other cell is parsed whole with :func:`qms.kpi.dates.parse_value`.
    Values: packed ``int`` >= 0, -2 (BLANK: empty or spaces), -1 (INVALID).
    """

    def __init__(self) -> None:
        self.days: dict[str, int | None] = {}
        self.times: dict[str, int | None] = {}
        self.whole: dict[str, int] = {}

    @staticmethod
    def _day(key: str) -> int | None:
        if " " in key[:10] or "T" in key[:10]:
            return None
        try:
            return parse_value(key + "00:00") & ~TIME_MASK
        except DateError:
            return None

    @staticmethod
    def _time(key: str) -> int | None:
        if not _TIME_PLAIN.fullmatch(key):
            return None
        try:
            return parse_value("2000-01-01 " + key) & TIME_MASK
        except DateError:
            return None

    @staticmethod
    def _whole(text: str) -> int:
        if not text.strip():
            return BLANK
        try:
            return parse_value(text)
        except DateError:
            return INVALID

    @staticmethod
    def _lookup(keys: pl.Series, memo: dict[str, Any], fn: Callable[[str], Any]) -> pl.Series:
        import polars as pl

        uniq = keys.unique().to_list()
        for k in uniq:
            if k not in memo:
                memo[k] = fn(k)
        return keys.replace_strict(uniq, [memo[k] for k in uniq], default=None, return_dtype=pl.Int64)

    def parse(self, col: pl.Series) -> I64:
        import numpy as np
        import polars as pl

        n = len(col)
        out = np.full(n, INVALID, dtype=np.int64)
        split = ((col.str.len_chars() > 11) & col.str.slice(10, 1).is_in([" ", "T"])).to_numpy()
        if split.any():
            sub = col.filter(pl.Series(split))
            day = self._lookup(sub.str.slice(0, 11), self.days, self._day)
            tod = self._lookup(sub.str.slice(11), self.times, self._time)
            both = (day | tod).fill_null(-1).to_numpy()
            out[split] = both
            done = np.zeros(n, dtype=bool)
            done[split] = both >= 0
        else:
            done = split
        rest = ~done
        if rest.any():
            out[rest] = self._lookup(col.filter(pl.Series(rest)), self.whole, self._whole).to_numpy()
        return out


# -- the file ------------------------------------------------------------------

class _Claims(dict[str, int]):
    """The ``seen`` of the row lane: never reports a duplicate, records each claim in order."""

    def __init__(self) -> None:
        super().__init__()
        self.order: list[tuple[str, int]] = []

    def get(self, key: str, default: Any = None) -> Any:
        return None

    def __setitem__(self, key: str, value: int) -> None:
        self.order.append((key, value))


class _LineRows:
    """Rows (cells of one line each) with their real row numbers, for the row loop."""

    def __init__(self, path: str, lines: list[str], numbers: list[int], delimiter: str) -> None:
        self.path = path
        self._lines, self._numbers, self._delimiter = lines, numbers, delimiter
        self._i = -1
        self.rows: Iterator[list[str]] = self._gen()

    def _gen(self) -> Iterator[list[str]]:
        sep = self._delimiter
        for i, ln in enumerate(self._lines):
            self._i = i
            yield ln.split(sep) if ln else []

    def line(self) -> int:
        return self._numbers[self._i]


class PolarsFile:
    """One CSV file classified with polars into ``clf`` (see the module doc)."""

    def __init__(self, clf: Classifier, path: Path) -> None:
        self.clf = clf
        self.path = path
        self.spath = str(path)
        self.frames: list[pl.DataFrame] = []
        self.rejected: list[RejectedRow] = []
        self.rows_read = 0
        self.maps: dict[str, dict[str, Any]] = {}
        self.dates = DateMemo()

    # -- plan ----------------------------------------------------------------
    def _head(self) -> tuple[str, ColumnMap]:
        """The delimiter and the columns, judged from the head of the file as the row reader does."""
        from qms.store.dossier_logs import _PROBE_BYTES, _sniff_delimiter, detect_encoding

        with self.path.open("rb") as fh:
            head = fh.read(_HEAD)
            whole = len(head) < _HEAD or not fh.read(1)
        encoding = detect_encoding(self.path, head[:_PROBE_BYTES])
        if encoding not in ("utf-8", "utf-8-sig"):
            raise _Unsupported
        bom = 3 if encoding == "utf-8-sig" else 0
        if b'"' in head or b"\x00" in head:
            raise _Unsupported
        try:
            text = codecs.getincrementaldecoder("utf-8")().decode(head[bom:], final=whole)
        except UnicodeDecodeError:
            raise _Unsupported from None
        if "\r" in text.replace("\r\n", ""):
            raise _Unsupported  # a bare CR ends a row for the csv module
        delimiter = _sniff_delimiter(text[:_PROBE_CHARS])
        lines = text.split("\n")
        if not whole or not lines[-1]:
            lines.pop()  # incomplete (or empty) last piece
        lines = [ln.removesuffix("\r") for ln in lines]
        if len(lines) < 30 and not whole:
            raise _Unsupported  # absurdly long lines: let the row reader look for the header
        stream = iter_rows_of([ln.split(delimiter) if ln else [] for ln in lines], self.spath)
        return delimiter, self.clf._find_header(stream)

    # -- reading ---------------------------------------------------------------
    def run(self, last_file: bool) -> bool:
        try:
            delimiter, cmap = self._head()
            self._read(delimiter, cmap, cmap.header_row)
        except _Unsupported:
            return False
        self._commit(last_file)
        return True

    def _read(self, delimiter: str, cmap: ColumnMap, header_line: int) -> None:
        """The lines after the header, in batches, through polars' streaming CSV reader (one text
        column: the separator is NUL, which a usable file does not contain, and quotes are off)."""
        import polars as pl

        line = header_line
        scan = pl.scan_csv(self.path, has_header=False, separator="\x00", quote_char=None, infer_schema=False,
                           new_columns=["l"], skip_lines=header_line)
        try:
            for batch in scan.collect_batches(chunk_size=_BATCH_ROWS):
                lines = batch.to_series().fill_null("")
                # one row per "\n" (blank lines included). A quote may make a row span lines, and
                # the csv module ends a row at a bare CR (polars took off the CR of each CRLF)
                if lines.str.contains('"', literal=True).any() or lines.str.contains("\r", literal=True).any():
                    raise _Unsupported
                self._block(lines, line + 1, delimiter, cmap)
                line += len(lines)
        except pl.exceptions.PolarsError:
            raise _Unsupported from None  # bad UTF-8, a NUL ...: the row reader reports it with its row

    # -- one block -------------------------------------------------------------
    def _map(self, name: str, col: pl.Series, fn: Callable[[str], Any], dtype: Any) -> pl.Series:
        """``fn`` applied once per distinct value (memoised across blocks)."""
        memo = self.maps.setdefault(name, {})
        new = [v for v in col.unique().to_list() if v not in memo]
        for v in new:
            memo[v] = fn(v)
        return col.replace_strict(memo, return_dtype=dtype)

    def _block(self, lines: pl.Series, first_line: int, delimiter: str, cmap: ColumnMap) -> None:
        import numpy as np
        import polars as pl

        clf = self.clf
        n = len(lines)
        width = cmap.width
        numbers = np.arange(first_line, first_line + n, dtype=np.int64)
        n_cells = lines.str.count_matches(delimiter, literal=True).to_numpy() + 1
        fast = (n_cells >= width) & (lines != "").to_numpy()
        cells = lines.str.split_exact(delimiter, width - 1).struct.unnest()

        def col(name: str) -> pl.Series | None:
            i = cmap.get(name)
            return None if i < 0 else cells[f"field_{i}"].fill_null("")

        ids = col("dossier_id")
        assert ids is not None
        fast &= ((ids != "") & ~ids.str.starts_with(" ") & ~ids.str.ends_with(" ")).to_numpy()
        dates = self.dates
        recv_col = col("received_at")
        assert recv_col is not None
        recv = dates.parse(recv_col)
        fast &= recv >= 0
        recv_day = recv >> DAY_SHIFT

        # the result date: completed_at, else returned_at
        res = np.full(n, BLANK, dtype=np.int64)
        c = col("completed_at")
        if c is not None:
            res = dates.parse(c)
            fast &= res != INVALID
        c = col("returned_at")
        if c is not None:
            use = res == BLANK
            if use.any():
                ret = np.full(n, BLANK, dtype=np.int64)
                ret[use] = dates.parse(c.filter(pl.Series(use)))
                fast &= ret != INVALID
                res = np.where(use, ret, res)
        res_day = res >> DAY_SHIFT
        stat = col("status")
        if stat is not None:
            # "returned" without a result date: the row loop rejects it with its reason
            no_res = res == BLANK
            if no_res.any():
                returned = self._map("returned", stat.filter(pl.Series(no_res)), clf._returned, pl.Boolean)
                fast[np.flatnonzero(no_res)[returned.to_numpy()]] = False
        fast &= (res < 0) | (res_day >= recv_day)

        # due: explicit, or the legal limit in working days after receipt
        due = np.full(n, BLANK, dtype=np.int64)
        c = col("due_at")
        if c is not None:
            due = dates.parse(c)
            fast &= (due == BLANK) | ((due >= 0) & ((due >> DAY_SHIFT) >= recv_day))
        due_blank = due < 0
        due_day = np.where(due_blank, 0, due >> DAY_SHIFT)
        due_t = np.where(due_blank, 0, due & TIME_MASK)
        lim = np.full(n, -1, dtype=np.int64)
        need_lim = fast & due_blank
        if need_lim.any():
            proc = col("procedure_id")
            limits = clf.limits
            if proc is not None:
                def limit_of(raw: str) -> int:
                    v = clf.limit_of(raw.strip())
                    return -1 if v is None else v

                lim = self._map("limit", proc, limit_of, pl.Int64).to_numpy()
            else:
                lim.fill(limits.get("", -1))
            fast &= ~due_blank | (lim >= 0)
            need_lim &= fast

        # supplementation pauses
        paused = np.zeros(n, dtype=np.int64)
        c = col("paused_days")
        if c is not None:
            ok = c.str.contains(r"^[0-9]{1,6}$").to_numpy()
            fast &= (c == "").to_numpy() | ok
            paused = np.where(ok, c.cast(pl.Int64, strict=False).fill_null(0).to_numpy(), 0)
            fast &= paused <= _MAX_PAUSE
        ps_day = np.full(n, -1, dtype=np.int64)
        pe_day = ps_day
        c = col("pause_started_at")
        if c is not None:
            ps = dates.parse(c)
            fast &= ps != INVALID
            has_ps = fast & (ps >= 0)
            if has_ps.any():
                ps_day = np.where(has_ps, ps >> DAY_SHIFT, -1)
                pe = np.full(n, BLANK, dtype=np.int64)
                c2 = col("pause_ended_at")
                if c2 is not None:
                    pe[has_ps] = dates.parse(c2.filter(pl.Series(has_ps)))
                    fast &= ~has_ps | (pe == BLANK) | ((pe >= 0) & ((pe >> DAY_SHIFT) >= ps_day))
                ref = clf.reference_day.toordinal()
                open_end = np.where(res >= 0, np.minimum(res_day, ref), ref)
                pe_day = np.where(pe >= 0, pe >> DAY_SHIFT, np.maximum(open_end, ps_day))

        # calendar: widen once for the block, then gather from the lookup arrays
        has_pause = fast & (ps_day >= 0)
        spans = [(recv_day[need_lim], recv_day[need_lim] + lim[need_lim] * 2 + 370),
                 (ps_day[has_pause], pe_day[has_pause])]
        spans = [(a, b) for a, b in spans if len(a)]
        if spans:
            lo = min(int(a.min()) for a, _b in spans)
            hi = max(int(b.max()) for _a, b in spans)
            clf._ensure_calendar(lo, max(lo, hi))
        if need_lim.any():
            due_day[need_lim] = self._shift(recv_day[need_lim], lim[need_lim])
        if has_pause.any():
            base, before, _w = self._calendar()
            paused[has_pause] += before[pe_day[has_pause] - base + 1] - before[ps_day[has_pause] - base + 1]
        shifted = fast & (paused != 0)
        if shifted.any():
            sd, sp = due_day[shifted], paused[shifted]
            clf._ensure_calendar(int(sd.min()), int(sd.max()) + int(sp.max()) * 2 + 370)
            due_day[shifted] = self._shift(sd, sp)

        # the categories of the fast lane
        mask = pl.Series(fast)
        ref = clf.reference_day.toordinal()
        pstart = clf.period[0].toordinal() if clf.period else -1
        if stat is not None:
            ex = self._map("status", stat.filter(mask), lambda s: bool(s) and clf._excluded(s), pl.Boolean).to_numpy()
        else:
            ex = np.zeros(int(fast.sum()), dtype=bool)
        rd, cd, dd, rv = recv_day[fast], res_day[fast], due_day[fast], res[fast]
        dt_ = due_t[fast]
        resolved = (rv >= 0) & (cd <= ref)
        late = (cd > dd) | ((dt_ != 0) & ((rv & TIME_MASK) > dt_))
        cat = np.where(
            ex,
            np.where((rd > ref) | ((pstart >= 0) & (rd < pstart)), OUT_OF_PERIOD, EXCLUDED),
            np.where(
                resolved,
                np.where(cd < pstart, OUT_OF_PERIOD, np.where(cd < dd, EARLY, np.where(late, LATE, ON_TIME))),
                np.where(rd > ref, OUT_OF_PERIOD, np.where(ref > dd, OVERDUE, IN_PROGRESS)),
            ),
        ).astype(np.int8)
        month_day = np.where(~ex & resolved, cd, rd)
        keys = self._keys(cells, cmap, mask, month_day)
        frame = pl.DataFrame({"id": ids.filter(mask), "line": numbers[fast], "cat": cat, "key": keys})
        self.rows_read += len(frame)

        # the row lane
        if not fast.all():
            slow = ~fast
            frame = pl.concat([frame, self._row_lane(lines.filter(pl.Series(slow)).to_list(),
                                                     numbers[slow].tolist(), delimiter, cmap)])
            frame = frame.sort("line")
        self.frames.append(frame)

    def _calendar(self) -> tuple[int, I64, I64]:
        import numpy as np

        cal = self.clf.calendar
        before = np.frombuffer(cal.before, dtype=np.int32).astype(np.int64)
        workdays = np.frombuffer(cal.workdays, dtype=np.int32).astype(np.int64)
        return cal.base, before, workdays

    def _shift(self, day: I64, k: I64) -> I64:
        """Classifier._shift for arrays: the k-th working day after ``day`` (k == 0: on or after)."""
        import numpy as np

        base, before, workdays = self._calendar()
        i = day - base
        idx = np.where(k > 0, before[i + 1] + k - 1, before[i])
        out: I64 = workdays[idx] + base
        return out

    def _keys(self, cells: pl.DataFrame, cmap: ColumnMap, mask: pl.Series, month_day: I64) -> pl.Series:
        import polars as pl

        clf = self.clf
        by = clf.by
        n = int(mask.sum())
        if by is None:
            return pl.Series("key", [None] * n, dtype=pl.String)
        if by == "month":
            days = pl.Series("key", month_day - _UNIX_EPOCH, dtype=pl.Int64).cast(pl.Int32).cast(pl.Date)
            return days.dt.strftime("%Y-%m")
        i = cmap.get({"procedure": "procedure_id", "unit": "unit", "mechanism": "mechanism"}[by])
        raw = cells[f"field_{i}"].fill_null("").filter(mask) if i >= 0 else pl.Series("key", [""] * n)
        keys = self._map("key:" + by, raw, lambda s: s.strip(), pl.String)
        i_proc = cmap.get("procedure_id")
        if by == "mechanism" and clf.mechanisms and i_proc >= 0:
            proc = cells[f"field_{i_proc}"].fill_null("").filter(mask)
            mech = self._map("mechanism", proc, lambda s: clf.mechanism_of(s.strip()), pl.String)
            keys = pl.DataFrame({"k": keys, "m": mech}).select(
                pl.when(pl.col("k") == "").then(pl.col("m")).otherwise(pl.col("k"))).to_series()
        return pl.DataFrame({"k": keys}).select(
            pl.when(pl.col("k") == "").then(pl.lit("(blank)")).otherwise(pl.col("k"))).to_series().alias("key")

    def _row_lane(self, lines: list[str], numbers: list[int], delimiter: str, cmap: ColumnMap) -> pl.DataFrame:
        """The rows the vectorised code does not decide, through the row loop; (id, line, cat, key) of the valid ones."""
        import polars as pl

        clf = self.clf
        row = Classifier(clf.calendar, None, as_of=clf.as_of, period=clf.period, by=clf.by,
                         column_map=clf.column_map, mechanisms=clf.mechanisms)
        row.limits = clf.limits
        row.procedure_names = clf.procedure_names
        row.dates = clf.dates
        row._status_cache = clf._status_cache
        claims = _Claims()
        row._seen = claims
        row._claims = []
        row.files = [self.spath]
        row._consume(_LineRows(self.spath, lines, numbers, delimiter), cmap, 0)
        self.rejected.extend(row.rejected)
        self.rows_read += row.rows_read
        names = {id(g.values): k for k, g in row.groups.items()}
        keys = [None if g is None else names[id(g)] for g in row._gclaims]
        return pl.DataFrame(
            {
                "id": [k for k, _ in claims.order],
                "line": [v & 0xFFFFFFFFFF for _, v in claims.order],
                "cat": row._claims,
                "key": keys,
            },
            schema={"id": pl.String, "line": pl.Int64, "cat": pl.Int8, "key": pl.String},
        )

    # -- first occurrence wins, then count -------------------------------------
    def _commit(self, last_file: bool) -> None:
        import polars as pl

        clf = self.clf
        file_no = len(clf.files)
        clf.files.append(self.spath)
        schema = {"id": pl.String, "line": pl.Int64, "cat": pl.Int8, "key": pl.String}
        frames = [f.cast(schema) for f in self.frames]  # type: ignore[arg-type]
        valid = pl.concat(frames) if frames else pl.DataFrame(schema=schema)
        self.frames = []
        claimed = valid["id"].is_first_distinct()
        seen = clf._seen
        prior = None
        if seen:
            prior = valid["id"].is_in(pl.Series(list(seen), dtype=pl.String).implode())
            claimed &= ~prior
        kept = valid.filter(claimed)
        values = clf.counts.values
        for cat, key, count in kept.group_by(["cat", "key"]).len().iter_rows():
            if cat == OUT_OF_PERIOD:
                clf.out_of_period += count
                continue
            values[cat] += count
            if clf.by is not None:
                clf._group_of(key)[cat] += count
        dups = valid.filter(~claimed)
        if len(dups):
            firsts = dups.select("id", "line").join(
                kept.select("id", pl.col("line").alias("first")), on="id", how="left"
            ).sort("line")
            for did, line, first in firsts.iter_rows():
                if first is None:
                    tag = seen[did]
                    clf.duplicates.append(Duplicate(did, self.spath, line, clf.files[tag >> 40], tag & 0xFFFFFFFFFF))
                else:
                    clf.duplicates.append(Duplicate(did, self.spath, line, self.spath, first))
        clf.rejected.extend(self.rejected)
        clf.rows_read += self.rows_read
        if not last_file:
            tag = file_no << 40
            seen.update(zip(kept["id"].to_list(), (tag | ln for ln in kept["line"].to_list()), strict=False))


def add_file_polars(clf: Classifier, path: Path, *, last_file: bool = True) -> bool:
    """Classify the CSV file ``path`` into ``clf`` with polars; False (nothing added) when the
    file must be read by the row reader instead (quotes, NUL, bare CR, UTF-16, bad UTF-8,
    charts requested, polars not installed)."""
    if clf.series_names or not available():
        return False
    return PolarsFile(clf, path).run(last_file)


__all__ = ["MIN_POLARS_BYTES", "DateMemo", "add_file_polars", "available"]
