"""Classifying dossiers as early / on time / late / in progress / overdue, streamed row by row.

Rules (see docs/kpi.md):

* A dossier is *resolved* when it has a completion date (``completed_at``,
  else ``returned_at``) on or before the reference day.
* Resolved: **early** when the result is ready on a day before the due day;
  **on time** on the due day, unless both a due time and a completion time are
  given and the completion time is later; **late** otherwise.
* Unresolved: **overdue in progress** when the reference day is after the due
  day, else **in progress**.
* Withdrawn or cancelled dossiers (status) are **excluded** and counted.
* Without ``due_at``, the due day is the procedure's legal time limit in
  working days counted from the day of receipt (the receipt day is day 0;
  a limit of 0 means the first working day on or after receipt).
* Supplementation pauses push the due day back by the paused working days
  (``paused_days``, or the working days in ``(pause_started_at, pause_ended_at]``).
* One-stop obligations, when the log has the columns: dossiers whose appointment was reset more
  than once (``appointment_resets`` > 1) and late dossiers (resolved late, or overdue in progress)
  without a letter of apology (``apology_letter`` blank or "no"). Counted over the dossiers counted;
  a log without the column leaves its dossiers unchecked, and the report says so.
* The reference day is ``as_of`` (default today), or the end of ``period`` if earlier.
  With a period, resolved dossiers count when completed within it, unresolved
  ones when received on or before the reference day.

The rule is written once, as a columnar computation over the batches of a
:class:`qms.store.dossier_logs.LogTable` (polars only): dates are packed
integers (see :mod:`qms.kpi.dates`), string functions whose exact Python
behaviour matters (status words, procedure ids and names, group keys) run once
per distinct value, due days from legal limits and supplementation pauses are
gathered from the calendar's lookup arrays, and "first occurrence wins" over
dossier ids is applied over whole files in row order.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from qms.calendar import MAX_YEAR, MIN_YEAR, WorkingCalendar
from qms.errors import QmsError
from qms.i18n import _
from qms.kpi.dates import BLANK, DAY_SHIFT, FIRST_COVERED_DAY, INVALID, LAST_COVERED_DAY, PACKED, DateMemo
from qms.models.log_columns import ColumnMap, name_order, procedure_name_key, tidy_name

if TYPE_CHECKING:
    import polars as pl

    from qms.store.dossier_logs import LogTable

EARLY, ON_TIME, LATE, IN_PROGRESS, OVERDUE, EXCLUDED = range(6)
OUT_OF_PERIOD = 6  # a claim code only, not a category
CATEGORIES: tuple[str, ...] = ("early", "on_time", "late", "in_progress", "overdue_in_progress", "excluded")
GROUPINGS: tuple[str, ...] = ("procedure", "unit", "month", "mechanism")
#: Withdrawn (rút), cancelled (hủy) or stopped (dừng giải quyết) dossiers, as whole words after accents and case
#: are removed: "chuyển" (moved on) holds the letters of "huy", and "tạm dừng" is a pause, not a stop.
_EXCLUDED = re.compile(r"\b(?:rut|huy|withdraw\w*|cancel\w*)\b|(?<!tam )\bdung (?:giai quyet|xu ly)\b")
#: Statuses saying the result was ready or handed back (after accents and case are removed) ...
_RETURNED_WORDS = ("da tra ket qua", "da co ket qua", "da giai quyet", "da hoan thanh", "da xu ly xong",
                   "hoan thanh", "returned", "completed", "resolved", "done")
#: ... unless they also say it was not (yet)
_NOT_WORDS = ("chua", "dang", "not ", "in progress", "khong")


class RowStream(Protocol):
    path: str
    rows: Iterator[list[str]]

    def line(self) -> int: ...


@dataclass(frozen=True, slots=True)
class RejectedRow:
    path: str
    row: int
    reason: str
    dossier_id: str = ""

    def to_dict(self) -> dict[str, object]:
        return {"path": self.path, "row": self.row, "dossier_id": self.dossier_id, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class TotalsRow:
    """A totals or subtotals row of a log ("Tổng cộng"), left out: it is not a dossier."""

    path: str
    row: int
    label: str

    def to_dict(self) -> dict[str, object]:
        return {"path": self.path, "row": self.row, "label": self.label}


@dataclass(frozen=True, slots=True)
class Duplicate:
    dossier_id: str
    path: str
    row: int
    first_path: str
    first_row: int

    def to_dict(self) -> dict[str, object]:
        return {
            "dossier_id": self.dossier_id,
            "path": self.path,
            "row": self.row,
            "first_path": self.first_path,
            "first_row": self.first_row,
        }


@dataclass(slots=True)
class Counts:
    """Counters for one group (or the whole log), indexed by category."""

    values: list[int] = field(default_factory=lambda: [0] * len(CATEGORIES))

    def __getitem__(self, category: str) -> int:
        return self.values[CATEGORIES.index(category)]

    @property
    def resolved(self) -> int:
        return self.values[EARLY] + self.values[ON_TIME] + self.values[LATE]

    @property
    def total(self) -> int:
        """Dossiers counted (resolved + unresolved); excluded ones are not part of the total."""
        return self.resolved + self.values[IN_PROGRESS] + self.values[OVERDUE]

    @property
    def on_time_rate(self) -> float | None:
        """(early + on time) / resolved, as a fraction; None when nothing is resolved."""
        r = self.resolved
        return (self.values[EARLY] + self.values[ON_TIME]) / r if r else None

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"total": self.total, "resolved": self.resolved}
        for name, value in zip(CATEGORIES, self.values, strict=True):
            out[name] = value
        rate = self.on_time_rate
        out["on_time_rate"] = None if rate is None else round(rate * 100, 4)
        return out


#: ``resets``/``apology`` cell of a row whose log has no such column
NO_COLUMN = -2
_YES_WORDS = ("co", "da", "x", "yes", "y", "true", "1", "issued")
_NO_WORDS = ("khong", "chua", "no", "n", "false", "0", "-")


@dataclass(slots=True)
class OneStopCounts:
    """The one-stop obligations counted over the dossiers counted (see the module doc)."""

    dossiers: int = 0
    #: dossiers whose log has the appointment-resets column (and a readable number)
    reset_checked: int = 0
    reset_more_than_once: int = 0
    late: int = 0
    #: late dossiers whose log has the apology column
    late_checked: int = 0
    late_without_apology: int = 0

    def to_dict(self) -> dict[str, object]:
        """``reset_more_than_once`` and ``late_without_apology`` are None when nothing could be checked."""
        return {
            "reset_more_than_once": self.reset_more_than_once if self.reset_checked else None,
            "reset_checked": self.reset_checked,
            "reset_unchecked": self.dossiers - self.reset_checked,
            "late": self.late,
            "late_without_apology": self.late_without_apology if self.late_checked or not self.late else None,
            "late_checked": self.late_checked,
            "late_unchecked": self.late - self.late_checked,
        }


def _whole_number(text: str, cap: int | None = None) -> int:
    """A whole number >= 0 as Python reads it (at most ``cap``); 0 when blank, -1 when not such a number."""
    s = text.strip()
    if not s:
        return 0
    try:
        value = int(s)
    except ValueError:
        return -1
    if value < 0:
        return -1
    return value if cap is None else min(value, cap)


def _resets_value(text: str) -> int:
    """``appointment_resets``: a whole number >= 0; 0 when blank; -1 when unreadable (not checked)."""
    return _whole_number(text)


def _apology_value(text: str) -> int:
    """``apology_letter``: 1 issued (yes, a number, a date, a reference), 0 not issued (blank or no)."""
    s = _normalise_status(text)
    if not s or s in _NO_WORDS:
        return 0
    return 1


@dataclass(slots=True)
class KpiResult:
    as_of: dt.date
    reference_day: dt.date
    period: tuple[dt.date, dt.date] | None
    by: str | None
    files: list[str]
    counts: Counts
    groups: dict[str, Counts]
    rejected: list[RejectedRow]
    duplicates: list[Duplicate]
    rows_read: int
    out_of_period: int
    one_stop: OneStopCounts = field(default_factory=OneStopCounts)
    #: the first and last day the counted dossiers touch (receipt to due day), None without dossiers
    first_day: dt.date | None = None
    last_day: dt.date | None = None
    #: totals rows left out of every count (not dossiers, not errors)
    totals: list[TotalsRow] = field(default_factory=list)


def _normalise_status(text: str) -> str:
    s = unicodedata.normalize("NFD", text.strip().lower())
    s = "".join(ch for ch in s if unicodedata.category(ch) != "Mn")
    return s.replace("đ", "d")


def is_excluded_status(text: str) -> bool:
    """Withdrawn (rút) or cancelled (hủy) dossiers, in Vietnamese or English."""
    return _EXCLUDED.search(_normalise_status(text)) is not None


def is_returned_status(text: str) -> bool:
    """The status says the result was returned or ready ("Đã trả kết quả", "Hoàn thành", "returned")."""
    s = _normalise_status(text)
    return any(w in s for w in _RETURNED_WORDS) and not any(w in s for w in _NOT_WORDS)


def _status_code(text: str) -> int:
    """1: the status says the result was returned; 2: the dossier is withdrawn or cancelled."""
    return int(is_returned_status(text)) | 2 * int(is_excluded_status(text))


def parse_period(text: str) -> tuple[dt.date, dt.date]:
    """``2018-04..2019-04`` (months, inclusive), ``2019`` or ``2019-01-15..2019-03-31``."""
    def bound(part: str, end: bool) -> dt.date:
        part = part.strip()
        try:
            if len(part) == 4:
                return dt.date(int(part), 12, 31) if end else dt.date(int(part), 1, 1)
            if len(part) == 7:
                y, m = int(part[:4]), int(part[5:7])
                first = dt.date(y, m, 1)
                if not end:
                    return first
                nxt = dt.date(y + (m == 12), m % 12 + 1, 1)
                return nxt - dt.timedelta(days=1)
            return dt.date.fromisoformat(part)
        except ValueError:
            raise QmsError(
                _("bad period {text!r}").format(text=text),
                _("use YYYY-MM..YYYY-MM, YYYY or YYYY-MM-DD..YYYY-MM-DD, e.g. 2018-04..2019-04"),
            ) from None

    lo, sep, hi = text.partition("..")
    start = bound(lo, False)
    stop = bound(hi if sep else lo, True)
    if stop < start:
        raise QmsError(
            _("bad period {text!r}: it ends before it starts").format(text=text),
            _("write the earlier month first, e.g. 2018-04..2019-04"),
        )
    return start, stop


# Reasons a row is rejected, in the order the checks run (the first that applies is reported).
_R_SHORT, _R_NO_ID, _R_RECEIVED, _R_COMPLETED, _R_RETURNED, _R_NO_RESULT, _R_RESULT_BEFORE = range(1, 8)
_R_DUE, _R_DUE_BEFORE, _R_NO_LIMIT, _R_PAUSED, _R_PAUSE_START, _R_PAUSE_END, _R_PAUSE_ORDER = range(8, 15)
#: a date of one of these columns in a year the calendar has no table for rejects the row
_R_RECEIVED_YEAR, _R_DUE_YEAR, _R_PAUSE_START_YEAR, _R_PAUSE_END_YEAR = range(15, 19)
_R_PAUSE_EARLY = 19  # a supplementation pause that starts before the dossier was received
_MAX_ORDINAL = dt.date.max.toordinal()
_UNIX_EPOCH = dt.date(1970, 1, 1).toordinal()
_MAX_MEMO = 1_000_000
_HASH_SEED = 17  # dossier ids are hashed to find, quickly, that none repeats
_PAUSE_CAP = 10**9  # paused days beyond this cannot be a calendar (the calendar refuses such years)


def _paused_value(text: str) -> int:
    """``paused_days``: a whole number >= 0 as Python reads it; 0 when blank, -1 when not a number."""
    return _whole_number(text, _PAUSE_CAP)


def _int(value: Any) -> int:
    """A polars aggregate (an int for a non-empty integer column) as an int."""
    return int(value)


_FEW_VALUES = 8  # up to this many distinct values, a column is mapped by comparisons (faster than a lookup)


def _by_equality(col: pl.Series, mapping: Mapping[str, Any], dtype: Any) -> pl.Series:
    """``mapping[cell]`` for each cell of ``col``; null where the cell is not a key."""
    import polars as pl

    cell = pl.col("v")
    chain: Any = pl
    for key, value in mapping.items():
        chain = chain.when(cell == key).then(pl.lit(value, dtype=dtype))
    return col.to_frame("v").select(chain.otherwise(pl.lit(None, dtype=dtype))).to_series().rechunk().alias(col.name)


def _date_reason(text: str) -> str:
    from qms.kpi.dates import DateError, parse_value

    try:
        parse_value(text)
    except DateError as exc:
        return str(exc)
    return ""


#: the date columns parsed whole for every batch (returned_at and pause_ended_at only where needed)
_PARSED_DATES = ("received_at", "completed_at", "due_at", "pause_started_at")


class Classifier:
    """Feed it logs (:meth:`add_table`) or row streams (:meth:`add`), then read :meth:`result`.

    ``limits`` maps procedure_id -> legal time limit in working days (used
    when a row has no due date; fractions are rounded up to whole days).
    """

    def __init__(
        self,
        calendar: WorkingCalendar,
        limits: Mapping[str, float] | None = None,
        as_of: dt.date | None = None,
        period: tuple[dt.date, dt.date] | None = None,
        by: str | None = None,
        column_map: Mapping[str, str] | None = None,
        mechanisms: Mapping[str, str] | None = None,
        series: Iterable[str] = (),
        procedure_names: Mapping[str, str] | None = None,
        cutoffs: Mapping[str, dt.time] | None = None,
        reason_lang: str | None = None,
    ) -> None:
        if by is not None and by not in GROUPINGS:
            raise QmsError(
                _("unknown grouping {by!r}").format(by=by),
                _("use one of: {choices}").format(choices=", ".join(GROUPINGS)),
            )
        self.calendar = calendar
        self.limits: dict[str, int] = {}
        for key, value in (limits or {}).items():
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0 or math.isnan(value):
                raise QmsError(
                    _("time limit for procedure {proc!r} must be a number of working days >= 0, got {value!r}").format(
                        proc=key, value=value
                    ),
                    _("write the limits file as 'procedure_id: days', e.g. '1.004227: 15'"),
                )
            self.limits[str(key).strip()] = math.ceil(value)
        self.as_of = as_of or dt.date.today()
        self.period = period
        self.by = by
        self.column_map = dict(column_map or {})
        self.reference_day = self.as_of if period is None else min(self.as_of, period[1])
        #: procedure id or code -> mechanism, used by ``--by mechanism`` when a row has none
        self.mechanisms = {str(k).strip(): str(v) for k, v in (mechanisms or {}).items()}
        #: procedure name (normalised: no accents, lower case) -> the key of its limit and mechanism
        self.procedure_names = {procedure_name_key(str(k)): str(v).strip() for k, v in (procedure_names or {}).items()}
        self.series_names = tuple(series)
        #: procedure id or code -> cut-off hour: received later, the limit counts from the next working day
        self.cutoffs = {str(k).strip(): v for k, v in (cutoffs or {}).items()}
        #: the language of the reasons of rejected rows (the document's); None: the messages'
        self.reason_lang = reason_lang
        #: the first and last day the counted dossiers touch (receipt, due day), for estimate years
        self.first_day: dt.date | None = None
        self.last_day: dt.date | None = None
        for name in self.series_names:
            if name not in ("procedure", "unit", "mechanism"):
                raise QmsError(
                    _("unknown grouping {by!r}").format(by=name),
                    _("use one of: {choices}").format(choices="procedure, unit, mechanism"),
                )
        self.dates = DateMemo()
        self.counts = Counts()
        self.groups: dict[str, Counts] = {}
        self.rejected: list[RejectedRow] = []
        self.duplicates: list[Duplicate] = []
        self.totals: list[TotalsRow] = []
        self.files: list[str] = []
        self.rows_read = 0
        self.out_of_period = 0
        self.one_stop = OneStopCounts()
        #: (grouping, key, "YYYY-MM") -> counters, for monthly charts (procedure and unit keys: :func:`name_key`)
        self._series: dict[tuple[str, str, str], list[int]] = {}
        #: grouping (procedure, unit) -> name key -> the spellings of the name met in the logs (tidied)
        self._spellings: dict[str, dict[str, set[str]]] = {"procedure": {}, "unit": {}}
        #: the dossier ids claimed so far (first valid occurrence): id, file (index in ``files``), row
        self._claims: pl.DataFrame | None = None
        self._memo: dict[str, dict[str, Any]] = {}
        self._tables: tuple[tuple[int, int, int], pl.Series, pl.Series, pl.Series] | None = None

    # -- lookups by value --------------------------------------------------------
    def _key_of(self, proc: str) -> str:
        """The limit/mechanism key of a procedure cell: itself, or the process its name is the title of."""
        if proc in self.limits or proc in self.mechanisms:
            return proc
        return self.procedure_names.get(procedure_name_key(proc), proc) if self.procedure_names else proc

    def cutoff_of(self, proc: str) -> int:
        """The cut-off of a stripped procedure cell as a packed time of day (seconds + 1); -1 when none."""
        cut = self.cutoffs.get(proc)
        if cut is None:
            cut = self.cutoffs.get(self.procedure_names.get(procedure_name_key(proc), proc)) if self.procedure_names \
                else None
        return -1 if cut is None else cut.hour * 3600 + cut.minute * 60 + 1

    def limit_of(self, proc: str) -> int | None:
        """The legal time limit (working days) of a stripped procedure cell: by code or id, else by name."""
        lim = self.limits.get(proc)
        if lim is None and self.procedure_names:
            lim = self.limits.get(self._key_of(proc))
        return lim

    def mechanism_of(self, proc: str) -> str:
        return self.mechanisms.get(self._key_of(proc), "")

    def _map(self, name: str, col: pl.Series, fn: Any, dtype: Any) -> pl.Series:
        """``fn`` applied once per distinct value of ``col`` (remembered across batches)."""
        memo = self._memo.setdefault(name, {})
        if len(memo) > _MAX_MEMO:
            memo.clear()
        if 0 < len(memo) <= _FEW_VALUES:  # a column of few values (a status): most batches repeat them
            out = _by_equality(col, memo, dtype)
            if not out.null_count():
                return out
        uniq = col.unique().to_list()
        for v in uniq:
            if v not in memo:
                memo[v] = fn(v)
        if len(uniq) <= _FEW_VALUES:
            return _by_equality(col, {v: memo[v] for v in uniq}, dtype)
        return col.replace_strict(uniq, [memo[v] for v in uniq], default=None, return_dtype=dtype)

    # -- the calendar, for arrays of days --------------------------------------------
    def _ensure_calendar(self, first: int, last: int) -> None:
        lo = dt.date.fromordinal(max(1, first)).year
        hi = dt.date.fromordinal(min(_MAX_ORDINAL, max(first, last))).year
        # rows with dates outside MIN_YEAR..MAX_YEAR - 1 are rejected; the margin stops at the last year
        self.calendar.ensure_years(max(lo, MIN_YEAR), min(hi + 1, MAX_YEAR))

    def _lookup(self) -> tuple[int, pl.Series, pl.Series]:
        """The calendar's base day and its ``before`` and ``workdays`` tables as polars columns."""
        tables = self._calendar_tables()
        return self.calendar.base, tables[1], tables[2]

    def _calendar_tables(self) -> tuple[tuple[int, int, int], pl.Series, pl.Series, pl.Series]:
        """The calendar's ``before``, ``workdays`` and ``is_work`` tables as polars columns (made again
        when the calendar grows)."""
        import polars as pl

        cal = self.calendar
        key = (cal.base, len(cal.before), len(cal.workdays))
        if self._tables is None or self._tables[0] != key:
            self._tables = (key, pl.Series(list(cal.before), dtype=pl.Int64),
                            pl.Series(list(cal.workdays), dtype=pl.Int64),
                            pl.Series([bool(w) for w in cal.is_work], dtype=pl.Boolean))
        return self._tables

    def _working(self, day: pl.Series) -> pl.Series:
        """Whether each day is a working day."""
        if not len(day):
            return day.cast(bool)
        self._ensure_calendar(_int(day.min()), _int(day.max()))
        return self._calendar_tables()[3].gather(day - self.calendar.base)

    def _shift(self, day: pl.Series, n: pl.Series) -> pl.Series:
        """The n-th working day after ``day`` (n >= 1); n == 0: the first working day on or after ``day``."""
        if not len(day):
            return day
        self._ensure_calendar(_int(day.min()), _int((day + n * 2 + 370).max()))
        base, before, workdays = self._lookup()
        i = day - base
        k = (before.gather(i + 1) + n - 1).zip_with(n > 0, before.gather(i))
        # a day past the calendar's last year (a pause of tens of thousands of days) is its last working day
        return workdays.gather(k.clip(upper_bound=len(workdays) - 1)) + base

    def _pause_days(self, start: pl.Series, end: pl.Series) -> pl.Series:
        """Working days in ``(start, end]``."""
        if not len(start):
            return start
        self._ensure_calendar(_int(start.min()), _int(end.max()))
        base, before, _w = self._lookup()
        return before.gather(end - base + 1) - before.gather(start - base + 1)

    # -- reading -------------------------------------------------------------------
    def columns_used(self) -> frozenset[str]:
        """The canonical columns this classification reads (a reader may skip the others)."""
        used = {"dossier_id", "procedure_id", "received_at", "completed_at", "returned_at", "due_at", "status",
                "paused_days", "pause_started_at", "pause_ended_at", "appointment_resets", "apology_letter"}
        keys = {"procedure": "procedure_id", "unit": "unit", "mechanism": "mechanism"}
        used.update(keys[name] for name in {self.by or "", *self.series_names} if name in keys)
        return frozenset(used)

    def add(self, stream: RowStream) -> None:
        """Read all data rows of one stream of rows (the header is found first)."""
        from qms.store.dossier_logs import table_from_rows

        self.add_table(table_from_rows(stream.path, stream.rows, stream.line, self.column_map))

    def prepare(self, sample: pl.DataFrame) -> Callable[[pl.LazyFrame], pl.LazyFrame]:
        """The parsing of the date columns as a step of the query that reads each batch of a plain CSV
        log (:func:`qms.store.dossier_logs.open_log_table`'s ``prepare``): polars spreads it over the
        cores while the batch is read, instead of a query of its own in :meth:`_batch`. The shape of
        each column is judged once, from ``sample`` (the first rows of the log); a cell of another
        shape later on is parsed by :meth:`DateMemo.finish` as by :meth:`DateMemo.parse_frame`."""
        used = self.columns_used()
        return self.dates.reading_step(sample, [name for name in _PARSED_DATES if name in sample.columns and name in used])

    def add_table(self, table: LogTable) -> None:
        """Classify every row of one log."""
        import polars as pl

        from qms.store.batches import read_ahead

        parts = [self._batch(batch, table.columns, table.path) for batch in read_ahead(table.batches)]
        file_no = len(self.files)
        self.files.append(table.path)
        self.totals.extend(TotalsRow(table.path, row, label) for row, label in table.totals)
        valid = pl.concat(parts) if parts else None
        if valid is not None and valid.height:
            self._tally(valid, file_no, table.path)

    def _batch(self, df: pl.DataFrame, cmap: ColumnMap, path: str) -> pl.DataFrame:
        """Check and classify one batch: rejected rows are recorded, the valid ones come back with
        their dossier id, row, category (or OUT_OF_PERIOD) and grouping keys."""
        import polars as pl

        from qms.store.dossier_logs import CELLS, NONBLANK, PY_WHITESPACE, ROW

        n = df.height
        dates = self.dates
        ref = self.reference_day.toordinal()
        pstart = self.period[0].toordinal() if self.period else -1
        day_of = 1 << DAY_SHIFT  # packed value // day_of: the day; % day_of: the time of day

        def cell(name: str) -> pl.Series | None:
            return df[name] if name in df.columns else None

        def const(value: int | bool, dtype: Any = pl.Int64, size: int = n) -> pl.Series:
            return pl.repeat(value, size, dtype=dtype, eager=True)

        wanted: list[str] = [c for c in _PARSED_DATES if c in df.columns]
        # parsed by polars while the batch was read (see prepare), else here
        values = dates.finish_read(df, wanted) if PACKED in df.columns else dates.parse_frame(df, wanted)
        parsed = dict(zip(wanted, values, strict=True))

        def parse(name: str) -> pl.Series:
            return parsed[name] if name in parsed else const(BLANK)

        def parse_where(col: pl.Series, where: pl.Series) -> pl.Series:
            """The cells where ``where`` holds parsed; BLANK elsewhere."""
            return const(BLANK).scatter(where.arg_true(), dates.parse_frame(col.filter(where).to_frame("c"), ["c"])[0])

        raw_ids = df["dossier_id"]
        ids = raw_ids
        if raw_ids.str.starts_with(" ").any() or raw_ids.str.ends_with(" ").any():
            spaced = raw_ids.str.starts_with(" ") | raw_ids.str.ends_with(" ")  # only these are stripped
            ids = raw_ids.zip_with(~spaced, raw_ids.str.strip_chars(PY_WHITESPACE))
        short = df[CELLS] < cmap.width
        no_id = ids == ""
        skip = (short | no_id) & ~df[NONBLANK]
        checks: list[tuple[int, pl.Series]] = []  # the first that holds is the row's reason

        def reject(code: int, cond: pl.Series) -> None:
            checks.append((code, cond))

        reject(_R_SHORT, short)
        reject(_R_NO_ID, no_id)
        recv = parse("received_at")
        reject(_R_RECEIVED, recv < 0)
        recv_day = recv // day_of

        def off_calendar(value: pl.Series) -> pl.Series:
            """A date (not blank, not invalid) in a year the calendar has no table for."""
            day = value // day_of
            return (value >= 0) & ((day < FIRST_COVERED_DAY) | (day > LAST_COVERED_DAY))

        reject(_R_RECEIVED_YEAR, off_calendar(recv))
        # the result: completed_at, else returned_at
        comp = parse("completed_at")
        reject(_R_COMPLETED, comp == INVALID)
        ret_col = cell("returned_at")
        if ret_col is not None:
            use = comp == BLANK
            # (where the return date is empty too, as in most logs, it stays blank: nothing to parse)
            if use.any() and not (ret_col.filter(use) == "").all():
                ret = parse_where(ret_col, use)
                reject(_R_RETURNED, ret == INVALID)
                comp = ret.zip_with(use, comp)
        stat = cell("status")
        status = None
        if stat is not None:
            status = self._map("status", stat, _status_code, pl.Int8)
            reject(_R_NO_RESULT, (comp == BLANK) & (status % 2 == 1))
        comp_day = comp // day_of
        reject(_R_RESULT_BEFORE, (comp >= 0) & (comp_day < recv_day))
        # due: the due date, else the legal time limit in working days after receipt
        due = parse("due_at")
        reject(_R_DUE, due == INVALID)
        reject(_R_DUE_YEAR, off_calendar(due))
        reject(_R_DUE_BEFORE, (due >= 0) & ((due // day_of) < recv_day))
        proc = cell("procedure_id")
        no_due = due < 0
        lim = const(-1)  # only where there is no due date
        if proc is None:
            blank_limit = self.limit_of("")
            lim = const(-1 if blank_limit is None else blank_limit)
        elif no_due.all():
            lim = self._map("limit", proc, self._limit_or_minus, pl.Int64)
        elif no_due.any():
            lim = lim.scatter(no_due.arg_true(),
                              self._map("limit", proc.filter(no_due), self._limit_or_minus, pl.Int64))
        reject(_R_NO_LIMIT, no_due & (lim < 0))
        # received after the procedure's cut-off hour: the limit counts from the next working day
        late_in_day = None
        if self.cutoffs and proc is not None and no_due.any():
            cut = self._map("cutoff", proc, lambda v: self.cutoff_of(v.strip()), pl.Int64)
            late_in_day = (cut > 0) & ((recv % day_of) > cut)
        # supplementation pauses
        pd_col = cell("paused_days")
        paused = const(0)
        if pd_col is not None:
            paused = self._map("paused", pd_col, _paused_value, pl.Int64)
            reject(_R_PAUSED, paused < 0)
        ps = parse("pause_started_at")
        has_ps = ps != BLANK
        pausing = bool(has_ps.any())  # without a pause start, no pause check can hold
        ps_day = pe_day = has_ps  # placeholders, read only when pausing
        if pausing:
            reject(_R_PAUSE_START, has_ps & (ps == INVALID))
            reject(_R_PAUSE_START_YEAR, has_ps & off_calendar(ps))
            pe = const(BLANK)
            pe_col = cell("pause_ended_at")
            if pe_col is not None:
                pe = parse_where(pe_col, has_ps)
                reject(_R_PAUSE_END, has_ps & (pe == INVALID))
                reject(_R_PAUSE_END_YEAR, has_ps & off_calendar(pe))
            ps_day = ps // day_of
            pe_day = (pe // day_of).zip_with(pe >= 0, comp_day.clip(upper_bound=ref).zip_with(comp >= 0, const(ref)))
            reject(_R_PAUSE_ORDER, has_ps & (pe >= 0) & (pe_day < ps_day))
            reject(_R_PAUSE_EARLY, has_ps & (ps >= 0) & (recv >= 0) & (ps_day < recv_day))
        failed = checks[0][1]
        for _code, cond in checks[1:]:
            failed = failed | cond
        self.rows_read += n - int(skip.sum())
        bad = failed & ~skip
        if bad.any():  # the reason of a rejected row: the first check that holds
            conds = pl.DataFrame({f"r{i}": cond for i, (_code, cond) in enumerate(checks)}).filter(bad)
            chain: Any = pl
            for i, (code, _cond) in enumerate(checks):
                chain = chain.when(pl.col(f"r{i}")).then(pl.lit(code, dtype=pl.Int8))
            reason = const(0, pl.Int8).scatter(bad.arg_true(), conds.select(chain.otherwise(pl.lit(0, dtype=pl.Int8))).to_series())
            self._record_rejected(df, cmap, path, bad, reason, ids)
        ok = ~failed & ~skip
        m = int(ok.sum())
        if not m:
            return pl.DataFrame({"id": [], "row": [], "cat": [], "resets": [], "apology": []},
                                schema={"id": pl.String, "row": pl.Int64, "cat": pl.Int8, "resets": pl.Int64,
                                        "apology": pl.Int8})

        every = m == n

        def keep(col: pl.Series) -> pl.Series:
            return col if every else col.filter(ok)

        # the due day of each valid row
        recv_day, comp, comp_day, due = keep(recv_day), keep(comp), keep(comp_day), keep(due)
        due_day = due // day_of
        # the due time (seconds + 1); 00:00:00 is how exports write a date-only due day, so it is none
        time_of_day = pl.col("due") % day_of
        due_t = due.to_frame("due").select(pl.when((pl.col("due") >= 0) & (time_of_day != 1)).then(time_of_day)
                                           .otherwise(0)).to_series()
        by_limit = due < 0
        given = ~by_limit
        if given.any():  # a due day that is a day off ends at the end of the next working day (BLDS 2015
            # Art. 148(5)): a system that missed a swapped day off, or counted calendar days, set it there
            where = given.arg_true()
            day = due_day.filter(given)
            off = ~self._working(day)
            if off.any():
                at = where.filter(off)
                due_day = due_day.scatter(at, self._shift(day.filter(off), const(0, size=len(at))))
                due_t = due_t.scatter(at, const(0, size=len(at)))
        if by_limit.any():
            days = keep(lim)
            if late_in_day is not None:
                days = days + keep(late_in_day).cast(pl.Int64)
            due_day = due_day.scatter(by_limit.arg_true(),
                                      self._shift(recv_day.filter(by_limit), days.filter(by_limit)))
        pause = keep(has_ps)
        total = keep(paused).clone()
        if pausing and pause.any():
            start = keep(ps_day).filter(pause)
            end = keep(pe_day).filter(pause)
            total = total.scatter(pause.arg_true(),
                                  total.filter(pause) + self._pause_days(start, end.zip_with(end >= start, start)))
        moved = total != 0
        if moved.any():
            due_day = due_day.scatter(moved.arg_true(), self._shift(due_day.filter(moved), total.filter(moved)))

        # the category: withdrawn or cancelled; resolved (early, on time, late); unresolved
        excluded = keep(status) >= 2 if status is not None else const(False, pl.Boolean, m)
        resolved = ~excluded & (comp >= 0) & (comp_day <= ref)
        frame = pl.DataFrame({"excluded": excluded, "resolved": resolved, "unresolved": ~excluded & ~resolved,
                              "late": (comp_day > due_day) | ((due_t > 0) & ((comp % day_of) > due_t)),
                              "recv": recv_day, "comp": comp_day, "due": due_day})
        col = pl.col
        outside = (col("recv") > ref) | (col("recv") < pstart) if pstart >= 0 else col("recv") > ref

        def lit8(value: int) -> pl.Expr:
            return pl.lit(value, dtype=pl.Int8)

        cat = frame.select(
            pl.when(col("excluded") & outside).then(lit8(OUT_OF_PERIOD))
            .when(col("excluded")).then(lit8(EXCLUDED))
            .when(col("resolved") & (col("comp") < pstart)).then(lit8(OUT_OF_PERIOD))
            .when(col("resolved") & (col("comp") < col("due"))).then(lit8(EARLY))
            .when(col("resolved") & col("late")).then(lit8(LATE))
            .when(col("resolved")).then(lit8(ON_TIME))
            .when(col("unresolved") & (col("recv") > ref)).then(lit8(OUT_OF_PERIOD))
            .when(col("unresolved") & (col("due") < ref)).then(lit8(OVERDUE))
            .otherwise(lit8(IN_PROGRESS))
        ).to_series()

        rs_col, ap_col = cell("appointment_resets"), cell("apology_letter")
        resets = (keep(self._map("resets", rs_col, _resets_value, pl.Int64)) if rs_col is not None
                  else const(NO_COLUMN, size=m))
        apology = (keep(self._map("apology", ap_col, _apology_value, pl.Int8)) if ap_col is not None
                   else const(NO_COLUMN, pl.Int8, m))
        out = pl.DataFrame({"id": keep(ids), "row": keep(df[ROW]), "cat": cat, "resets": resets, "apology": apology})
        first, last = _int(recv_day.min()), _int(due_day.max())
        if self.first_day is None or first < self.first_day.toordinal():
            self.first_day = dt.date.fromordinal(first)
        if self.last_day is None or last > self.last_day.toordinal():
            self.last_day = dt.date.fromordinal(min(last, _MAX_ORDINAL))
        if self.by == "month" or self.series_names:
            month_day = comp_day.zip_with(resolved, recv_day)
            months = (month_day - _UNIX_EPOCH).cast(pl.Int32).cast(pl.Date).dt.strftime("%Y-%m")
            out = out.with_columns(months.alias("month"))
        names = {self.by} if self.by in ("procedure", "unit", "mechanism") else set()
        for name in sorted(names | set(self.series_names)):
            out = out.with_columns(self._keys(df, name, ok).alias(f"key_{name}"))
        return out

    def _limit_or_minus(self, raw: str) -> int:
        lim = self.limit_of(raw.strip())
        return -1 if lim is None else lim

    def _keys(self, df: pl.DataFrame, name: str, keep: pl.Series) -> pl.Series:
        """The group key of each kept row for a grouping: its stripped cell; for ``mechanism`` with a
        blank cell the mechanism of the row's procedure in the repository; "(blank)" otherwise."""
        import polars as pl

        column = {"procedure": "procedure_id", "unit": "unit", "mechanism": "mechanism"}[name]
        height = int(keep.sum())
        raw = df[column].filter(keep) if column in df.columns else pl.Series([""] * height, dtype=pl.String)
        if name in self._spellings:  # one group per name however the rows spell it (see name_key)
            keys = self._map(f"name_{name}", raw, lambda v: self._name_key(name, v), pl.String)
        else:
            keys = self._map("strip", raw, str.strip, pl.String)
        fallback = pl.Series(["(blank)"] * height, dtype=pl.String)
        if name == "mechanism" and self.mechanisms and "procedure_id" in df.columns:
            fallback = self._map("mechanism_of", df["procedure_id"].filter(keep),
                                 lambda p: self.mechanism_of(p.strip()) or "(blank)", pl.String)
        return pl.select(pl.when(keys == "").then(fallback).otherwise(keys)).to_series()

    def _name_key(self, grouping: str, raw: str) -> str:
        tidy = tidy_name(raw)
        key = tidy.casefold()
        if key:
            self._spellings[grouping].setdefault(key, set()).add(tidy)
        return key

    def _shown(self, grouping: str, key: str) -> str:
        """The name a group is shown under: of the spellings met, one starting with a capital if there
        is one, then the one with fewest capitals, then the first in code-point order (the same whatever
        the order of the rows)."""
        spellings = self._spellings.get(grouping, {}).get(key)
        if not spellings:
            return key
        return min(spellings, key=lambda t: (not t[:1].isupper(), sum(ch.isupper() for ch in t), t))

    @property
    def series_counts(self) -> dict[tuple[str, str, str], list[int]]:
        """(grouping, key, "YYYY-MM") -> counters, for monthly charts; a name key shown as :meth:`_shown`."""
        return {(g, self._shown(g, key), month): values for (g, key, month), values in self._series.items()}

    def _record_rejected(self, df: pl.DataFrame, cmap: ColumnMap, path: str, bad: pl.Series, reason: pl.Series,
                         ids: pl.Series) -> None:
        """Reasons for the rejected rows (few), in row order, in the words of the file's header."""
        if self.reason_lang is not None:
            from qms.i18n import use_language

            with use_language(self.reason_lang):
                self._record_reasons(df, cmap, path, bad, reason, ids)
        else:
            self._record_reasons(df, cmap, path, bad, reason, ids)

    def _record_reasons(self, df: pl.DataFrame, cmap: ColumnMap, path: str, bad: pl.Series, reason: pl.Series,
                        ids: pl.Series) -> None:
        from qms.output.safe import one_line
        from qms.store.dossier_logs import CELLS, ROW

        lab = cmap.label
        picked = df.filter(bad)
        rows = picked[ROW].to_list()
        dossier = ids.filter(bad).to_list()

        def text(name: str, i: int) -> str:
            return str(picked[name][i]) if name in picked.columns else ""

        for i, code in enumerate(reason.filter(bad).to_list()):
            did = dossier[i]
            if code == _R_SHORT:
                why = _("the row has {n} cells, the header needs {width}").format(n=picked[CELLS][i], width=cmap.width)
                did = ""
            elif code == _R_NO_ID:
                why = _("{column} is empty").format(column=lab("dossier_id"))
                did = ""
            elif code == _R_RECEIVED:
                s = text("received_at", i)
                why = (_("{column}: {reason}").format(column=lab("received_at"), reason=_date_reason(s)) if s.strip()
                       else _("{column} is empty").format(column=lab("received_at")))
            elif code in (_R_COMPLETED, _R_RETURNED, _R_DUE, _R_PAUSE_START, _R_PAUSE_END):
                name = {_R_COMPLETED: "completed_at", _R_RETURNED: "returned_at", _R_DUE: "due_at",
                        _R_PAUSE_START: "pause_started_at", _R_PAUSE_END: "pause_ended_at"}[code]
                why = _("{column}: {reason}").format(column=lab(name), reason=_date_reason(text(name, i)))
            elif code in (_R_RECEIVED_YEAR, _R_DUE_YEAR, _R_PAUSE_START_YEAR, _R_PAUSE_END_YEAR):
                name = {_R_RECEIVED_YEAR: "received_at", _R_DUE_YEAR: "due_at", _R_PAUSE_START_YEAR: "pause_started_at",
                        _R_PAUSE_END_YEAR: "pause_ended_at"}[code]
                why = _("{column} ({date}): the year is outside the years the working-day calendar covers, "
                        "{first}–{last}; correct the date").format(
                    column=lab(name), date=one_line(text(name, i).strip()[:40]), first=MIN_YEAR, last=MAX_YEAR - 1)
            elif code == _R_NO_RESULT:
                why = self._no_result_date(cmap, text("status", i))
            elif code in (_R_RESULT_BEFORE, _R_DUE_BEFORE):
                # the result is the completion date, else the return date (as the check takes it)
                name = "due_at" if code == _R_DUE_BEFORE else (
                    "completed_at" if text("completed_at", i).strip() else "returned_at")
                why = _("{column} ({date}) is before {received} ({received_date})").format(
                    column=lab(name), date=one_line(text(name, i).strip()[:40]), received=lab("received_at"),
                    received_date=one_line(text("received_at", i).strip()[:40]))
            elif code == _R_NO_LIMIT:
                why = _("no due date and no time limit known for procedure {proc!r}").format(
                    proc=text("procedure_id", i).strip())
            elif code == _R_PAUSED:
                why = _("{column} must be a whole number >= 0, got {value!r}").format(
                    column=lab("paused_days"), value=text("paused_days", i).strip())
            elif code == _R_PAUSE_EARLY:
                why = _("{column} ({date}) is before {received} ({received_date})").format(
                    column=lab("pause_started_at"), date=one_line(text("pause_started_at", i).strip()[:40]),
                    received=lab("received_at"), received_date=one_line(text("received_at", i).strip()[:40]))
            else:
                why = _("the supplementation pause ends before it starts")
            self.rejected.append(RejectedRow(path, rows[i], why, did))

    @staticmethod
    def _no_result_date(cmap: ColumnMap, status: str) -> str:
        cols = [cmap.label(c) for c in ("completed_at", "returned_at") if cmap.get(c) >= 0]
        if cols:
            where = repr(cols[0]) if len(cols) == 1 else _("{a} or {b}").format(a=repr(cols[0]), b=repr(cols[1]))
            return _("the status {status!r} says the result was returned, but {columns} is empty; "
                     "write the result date").format(status=" ".join(status.split()), columns=where)
        return _("the status {status!r} says the result was returned, but the log has no result date column "
                 "(e.g. 'Ngày trả kết quả')").format(status=" ".join(status.split()))

    # -- first occurrence wins, then count -------------------------------------------------
    def _tally(self, valid: pl.DataFrame, file_no: int, path: str) -> None:
        """Apply "first occurrence wins" to the valid rows of one file (against the ids of earlier
        files too) and add the rest to the counters."""
        import polars as pl

        ids = valid["id"]
        hashes = ids.hash(_HASH_SEED)
        earlier = self._claims
        # distinct hashes, none seen before, mean distinct new ids: the exact check runs only otherwise.
        # Codes in strictly increasing order (an export sorted by dossier code) are distinct without
        # hashing them all into a table
        n = len(ids)
        increasing = n < 2 or bool((ids.slice(1, n - 1) > ids.slice(0, n - 1)).all())
        if (not increasing and hashes.n_unique() < n) or (
                earlier is not None and hashes.is_in(earlier["hash"].implode()).any()):
            dup = ~ids.is_first_distinct()
            if earlier is not None:
                dup = dup | ids.is_in(earlier["id"].implode())
            if dup.any():
                claimed = valid.filter(~dup).select("id", pl.lit(file_no, dtype=pl.Int32).alias("file"), "row")
                where = claimed if earlier is None else pl.concat([earlier.select("id", "file", "row"), claimed])
                later = valid.filter(dup).select("id", "row").join(
                    where.select("id", "file", pl.col("row").alias("first_row")), on="id", how="left",
                    maintain_order="left")
                for did, row, file, first_row in later.select("id", "row", "file", "first_row").iter_rows():
                    self.duplicates.append(Duplicate(did, path, row, self.files[file], first_row))
                valid = valid.filter(~dup)
                hashes = hashes.filter(~dup)
        self._claims = pl.concat([c for c in (earlier, valid.select(
            "id", pl.lit(file_no, dtype=pl.Int32).alias("file"), "row", hashes.alias("hash"))) if c is not None])
        for cat, count in valid.group_by("cat").len().iter_rows():
            if cat == OUT_OF_PERIOD:
                self.out_of_period += count
            else:
                self.counts.values[cat] += count
        self._one_stop(valid)
        counted = pl.col("cat") != OUT_OF_PERIOD
        if self.by is not None:
            key = "month" if self.by == "month" else f"key_{self.by}"
            for group, cat, count in valid.select(key, "cat").filter(counted).group_by(key, "cat").len().iter_rows():
                self.groups.setdefault(group, Counts()).values[cat] += count
        for name in self.series_names:
            keys = (f"key_{name}", "month", "cat")
            for group, month, cat, count in valid.select(keys).filter(counted).group_by(keys).len().iter_rows():
                values = self._series.setdefault((name, group, month), [0] * len(CATEGORIES))
                values[cat] += count

    def _one_stop(self, valid: pl.DataFrame) -> None:
        """Add the one-stop obligations of the counted dossiers (neither out of the period nor
        excluded) of one file."""
        import polars as pl

        col = pl.col
        counted = ~col("cat").is_in([OUT_OF_PERIOD, EXCLUDED])
        late = col("cat").is_in([LATE, OVERDUE])  # counted categories
        row = valid.select(
            counted.sum().alias("dossiers"),
            (counted & (col("resets") >= 0)).sum().alias("reset_checked"),
            (counted & (col("resets") > 1)).sum().alias("reset_more_than_once"),
            late.sum().alias("late"),
            (late & (col("apology") != NO_COLUMN)).sum().alias("late_checked"),
            (late & (col("apology") == 0)).sum().alias("late_without_apology"),
        ).row(0, named=True)
        o = self.one_stop
        for name, value in row.items():
            setattr(o, name, getattr(o, name) + int(value or 0))

    def result(self) -> KpiResult:
        return KpiResult(
            as_of=self.as_of,
            reference_day=self.reference_day,
            period=self.period,
            by=self.by,
            files=list(self.files),
            counts=self.counts,
            groups=dict(sorted(((self._shown(self.by or "", key), counts) for key, counts in self.groups.items()),
                               key=lambda item: name_order(item[0]))),
            rejected=self.rejected,
            duplicates=self.duplicates,
            rows_read=self.rows_read,
            out_of_period=self.out_of_period,
            one_stop=self.one_stop,
            first_day=self.first_day,
            last_day=self.last_day,
            totals=list(self.totals),
        )


def classify(
    streams: Iterable[RowStream],
    calendar: WorkingCalendar,
    limits: Mapping[str, float] | None = None,
    *,
    as_of: dt.date | None = None,
    period: tuple[dt.date, dt.date] | None = None,
    by: str | None = None,
    column_map: Mapping[str, str] | None = None,
) -> KpiResult:
    """Classify every dossier of the given row streams (see module doc for the rules)."""
    clf = Classifier(calendar, limits, as_of=as_of, period=period, by=by, column_map=column_map)
    for stream in streams:
        clf.add(stream)
    return clf.result()


def iter_rows_of(rows: Iterable[list[str]], path: str = "<rows>") -> RowStream:
    """Wrap an in-memory table (first row(s) incl. the header) as a stream; handy for tests and callers."""

    class _Stream:
        def __init__(self) -> None:
            self.path = path
            self._n = 0
            self.rows = self._gen(rows)

        def _gen(self, src: Iterable[list[str]]) -> Iterator[list[str]]:
            for r in src:
                self._n += 1
                yield r

        def line(self) -> int:
            return self._n

    return _Stream()

