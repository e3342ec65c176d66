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
* The reference day is ``as_of`` (default today), or the end of ``period`` if earlier.
  With a period, resolved dossiers count when completed within it, unresolved
  ones when received on or before the reference day.

The hot loop works on strings and packed integers (see :mod:`qms.kpi.dates`)
and uses the calendar's lookup arrays directly, so there is no per-row object.
"""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from qms.calendar import WorkingCalendar
from qms.errors import QmsError
from qms.i18n import _
from qms.kpi.columns import (
    REQUIRED,
    ColumnMap,
    accepted_headers,
    header_names,
    match_header,
    normalise_header,
)
from qms.kpi.dates import BLANK, DAY_SHIFT, INVALID, TIME_MASK, DateCache

EARLY, ON_TIME, LATE, IN_PROGRESS, OVERDUE, EXCLUDED = range(6)
OUT_OF_PERIOD = 6  # a claim code only, not a category
CATEGORIES: tuple[str, ...] = ("early", "on_time", "late", "in_progress", "overdue_in_progress", "excluded")
GROUPINGS: tuple[str, ...] = ("procedure", "unit", "month", "mechanism")
_HEADER_SCAN_ROWS = 30
_EXCLUDED_WORDS = ("rut", "huy", "withdraw", "cancel", "dung giai quyet", "dung xu ly")
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


def _normalise_status(text: str) -> str:
    s = unicodedata.normalize("NFD", text.strip().lower())
    s = "".join(ch for ch in s if unicodedata.category(ch) != "Mn")
    return s.replace("đ", "d")


def is_excluded_status(text: str) -> bool:
    """Withdrawn (rút) or cancelled (hủy) dossiers, in Vietnamese or English."""
    s = _normalise_status(text)
    return any(word in s for word in _EXCLUDED_WORDS)


def is_returned_status(text: str) -> bool:
    """The status says the result was returned or ready ("Đã trả kết quả", "Hoàn thành", "returned")."""
    s = _normalise_status(text)
    return any(w in s for w in _RETURNED_WORDS) and not any(w in s for w in _NOT_WORDS)


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


class Classifier:
    """Feed it one or more row streams, then read :meth:`result`.

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
        ref = self.as_of if period is None else min(self.as_of, period[1])
        self.reference_day = ref
        self.dates = DateCache()
        self.counts = Counts()
        self.groups: dict[str, Counts] = {}
        self.rejected: list[RejectedRow] = []
        self.duplicates: list[Duplicate] = []
        self.files: list[str] = []
        self.rows_read = 0
        self.out_of_period = 0
        self._seen: dict[str, int] = {}
        self._status_cache: dict[str, bool] = {}
        self._month_cache: dict[int, str] = {}
        self._raw_groups: dict[str, list[int]] = {}
        #: procedure id or code -> mechanism, used by ``--by mechanism`` when a row has none
        self.mechanisms = {str(k).strip(): str(v) for k, v in (mechanisms or {}).items()}
        #: procedure name (normalised: no accents, lower case) -> the key of its limit and mechanism
        self.procedure_names = {normalise_header(str(k)): str(v).strip() for k, v in (procedure_names or {}).items()}
        self._returned_cache: dict[str, bool] = {}
        self.series_names = tuple(series)
        for name in self.series_names:
            if name not in ("procedure", "unit", "mechanism"):
                raise QmsError(
                    _("unknown grouping {by!r}").format(by=name),
                    _("use one of: {choices}").format(choices="procedure, unit, mechanism"),
                )
        self._series: tuple[tuple[str, int], ...] = ()
        #: (grouping, key, "YYYY-MM") -> counters, for monthly charts
        self.series_counts: dict[tuple[str, str, str], list[int]] = {}
        #: per claimed dossier id, in claim order: its category (or OUT_OF_PERIOD) and group
        #: counters; kept only by the chunk workers of :mod:`qms.kpi.parallel`
        self._claims: list[int] | None = None
        self._gclaims: list[list[int] | None] = []

    # -- header -------------------------------------------------------------
    def _find_header(self, stream: RowStream) -> ColumnMap:
        for scanned, row in enumerate(stream.rows, start=1):
            found = match_header(row, self.column_map)
            if "dossier_id" in found and len(found) >= 2:
                missing = [c for c in REQUIRED if c not in found]
                if "due_at" not in found and "procedure_id" not in found:
                    missing.append("due_at")
                if missing:
                    raise QmsError(
                        _("{path}:{row}: the header has no column {column}").format(
                            path=stream.path, row=stream.line(), column=missing[0]
                        ),
                        _("name a column {names} (or map it in qms.yaml under kpi.columns)").format(
                            names=accepted_headers(missing[0])
                        ),
                    )
                return ColumnMap(found, stream.line(), header_names(row, found))
            if scanned >= _HEADER_SCAN_ROWS:
                break
        raise QmsError(
            _("{path}: no header row found in the first {n} rows").format(path=stream.path, n=_HEADER_SCAN_ROWS),
            _("the header needs at least a dossier id column ({names}) and a date column").format(
                names=accepted_headers("dossier_id")
            ),
        )

    # -- helpers ---------------------------------------------------------------
    def _reject(self, stream: RowStream, reason: str, dossier_id: str = "") -> None:
        self.rejected.append(RejectedRow(stream.path, stream.line(), reason, dossier_id))

    @staticmethod
    def _no_result_date(cmap: ColumnMap, status: str) -> str:
        cols = [cmap.label(c) for c in ("completed_at", "returned_at") if cmap.get(c) >= 0]
        if cols:
            where = repr(cols[0]) if len(cols) == 1 else _("{a} or {b}").format(a=repr(cols[0]), b=repr(cols[1]))
            return _("the status {status!r} says the result was returned, but {columns} is empty; "
                     "write the result date").format(status=" ".join(status.split()), columns=where)
        return _("the status {status!r} says the result was returned, but the log has no result date column "
                 "(e.g. 'Ngày trả kết quả')").format(status=" ".join(status.split()))

    def _bad_date(self, column: str, text: str) -> str:
        """``column`` is the file's own header (``ColumnMap.label``)."""
        return _("{column}: {reason}").format(column=column, reason=self.dates.reason(text))

    def _key_of(self, proc: str) -> str:
        """The limit/mechanism key of a procedure cell: itself, or the process its name is the title of."""
        if proc in self.limits or proc in self.mechanisms:
            return proc
        return self.procedure_names.get(normalise_header(proc), proc) if self.procedure_names else proc

    def limit_of(self, proc: str) -> int | None:
        """The legal time limit (working days) of a stripped procedure cell: by code or id, else by name."""
        lim = self.limits.get(proc)
        if lim is None and self.procedure_names:
            lim = self.limits.get(self._key_of(proc))
        return lim

    def mechanism_of(self, proc: str) -> str:
        return self.mechanisms.get(self._key_of(proc), "")

    def _returned(self, status: str) -> bool:
        v = self._returned_cache.get(status)
        if v is None:
            v = self._returned_cache[status] = is_returned_status(status)
        return v

    def _month(self, ordinal: int) -> str:
        m = self._month_cache.get(ordinal)
        if m is None:
            d = dt.date.fromordinal(ordinal)
            m = self._month_cache[ordinal] = f"{d.year:04d}-{d.month:02d}"
        return m

    def _excluded(self, status: str) -> bool:
        v = self._status_cache.get(status)
        if v is None:
            v = self._status_cache[status] = is_excluded_status(status)
        return v

    def _ensure_calendar(self, first_ordinal: int, last_ordinal: int) -> None:
        lo = dt.date.fromordinal(first_ordinal).year
        hi = dt.date.fromordinal(max(first_ordinal, last_ordinal)).year
        self.calendar.ensure_years(lo, hi + 1)

    def _pause_days(self, start: int, end: int) -> int:
        cal = self.calendar
        self._ensure_calendar(start, end)
        before = cal.before
        return before[end - cal.base + 1] - before[start - cal.base + 1]

    def _shift(self, day: int, n: int) -> int:
        """The n-th working day after ``day`` (n >= 1); n == 0: first working day on or after ``day``."""
        cal = self.calendar
        self._ensure_calendar(day, day + n * 2 + 370)
        i = day - cal.base
        k = cal.before[i + 1] + n - 1 if n > 0 else cal.before[i]
        return cal.workdays[k] + cal.base

    # -- the loop --------------------------------------------------------------
    def add(self, stream: RowStream) -> None:
        """Read all data rows of one stream (the header is found first)."""
        cmap = self._find_header(stream)
        file_no = len(self.files)
        self.files.append(stream.path)
        self._consume(stream, cmap, file_no)

    def _bind_series(self, cmap: ColumnMap) -> None:
        cols = {"procedure": cmap.get("procedure_id"), "unit": cmap.get("unit"), "mechanism": cmap.get("mechanism")}
        self._series = tuple((name, cols[name]) for name in self.series_names)

    def _consume(self, stream: RowStream, cmap: ColumnMap, file_no: int, line_base: int = -1) -> None:
        """The hot loop. ``line_base >= 0`` says every row is exactly one line and the
        first row read is line ``line_base + 1`` (the chunked reader); otherwise
        ``stream.line()`` gives the row number."""
        i_id, i_proc, i_unit = cmap.get("dossier_id"), cmap.get("procedure_id"), cmap.get("unit")
        i_recv, i_due, i_comp = cmap.get("received_at"), cmap.get("due_at"), cmap.get("completed_at")
        i_ret, i_stat, i_mech = cmap.get("returned_at"), cmap.get("status"), cmap.get("mechanism")
        i_pd, i_ps, i_pe = cmap.get("paused_days"), cmap.get("pause_started_at"), cmap.get("pause_ended_at")
        width = cmap.width
        lab = cmap.label
        stream_line = stream.line
        fixed = line_base >= 0
        self._bind_series(cmap)

        path = stream.path
        rejected = self.rejected

        dates = self.dates
        vget = dates.values.get
        dget = dates.days.get
        tget = dates.times.get
        dparse = dates.parse
        seen = self._seen
        seen_get = seen.get
        dup_tag = file_no << 40
        limits = self.limits
        ref = self.reference_day.toordinal()
        pstart = self.period[0].toordinal() if self.period else -1
        values = self.counts.values
        by = self.by
        key_col = {"procedure": i_proc, "unit": i_unit, "mechanism": i_mech}.get(by or "", -1)
        by_month = by == "month"
        group_of = self._group_of
        raw_get = self._raw_groups.get
        series = self._series
        status_get = self._status_cache.get
        excluded = self._excluded
        shift = self._shift
        month = self._month
        claims = self._claims
        track = claims is not None
        claims_append = (claims if claims is not None else []).append
        gclaims_append = self._gclaims.append
        k = 0
        rows_read = 0
        out_of_period = 0
        for row in stream.rows:
            k += 1
            if len(row) < width:
                if any(c.strip() for c in row):
                    rows_read += 1
                    rejected.append(RejectedRow(path, line_base + k if fixed else stream_line(), _("the row has {n} cells, the header needs {width}").format(n=len(row), width=width)))
                continue
            did = row[i_id]
            if not did or did[0] == " " or did[-1] == " ":
                did = did.strip()
                if not did:
                    if any(c.strip() for c in row):
                        rows_read += 1
                        rejected.append(RejectedRow(path, line_base + k if fixed else stream_line(), _("{column} is empty").format(column=lab("dossier_id"))))
                    continue
            rows_read += 1
            # received_at (required)
            s = row[i_recv]
            d = dget(s[:11])
            t = tget(s[11:])
            if d is not None and t is not None:
                recv = d | t
            else:
                x = vget(s)
                recv = x if x is not None else dparse(s)
            if recv < 0:
                rejected.append(RejectedRow(path, line_base + k if fixed else stream_line(), self._bad_date(lab("received_at"), s) if recv == INVALID else _("{column} is empty").format(column=lab("received_at")), did))
                continue
            recv_day = recv >> DAY_SHIFT
            # completion
            comp = BLANK
            if i_comp >= 0:
                s = row[i_comp]
                if s:
                    d = dget(s[:11])
                    t = tget(s[11:])
                    if d is not None and t is not None:
                        comp = d | t
                    else:
                        x = vget(s)
                        comp = x if x is not None else dparse(s)
                    if comp == INVALID:
                        rejected.append(RejectedRow(path, line_base + k if fixed else stream_line(), self._bad_date(lab("completed_at"), s), did))
                        continue
            if comp == BLANK and i_ret >= 0:
                s = row[i_ret]
                if s:
                    d = dget(s[:11])
                    t = tget(s[11:])
                    if d is not None and t is not None:
                        comp = d | t
                    else:
                        x = vget(s)
                        comp = x if x is not None else dparse(s)
                    if comp == INVALID:
                        rejected.append(RejectedRow(path, line_base + k if fixed else stream_line(), self._bad_date(lab("returned_at"), s), did))
                        continue
            if comp == BLANK and i_stat >= 0 and row[i_stat] and self._returned(row[i_stat]):
                rejected.append(RejectedRow(path, line_base + k if fixed else stream_line(), self._no_result_date(cmap, row[i_stat]), did))
                continue
            if comp >= 0 and (comp >> DAY_SHIFT) < recv_day:
                rejected.append(RejectedRow(path, line_base + k if fixed else stream_line(), _("the result date is before the receipt date"), did))
                continue
            # due
            due = BLANK
            if i_due >= 0:
                s = row[i_due]
                if s:
                    d = dget(s[:11])
                    t = tget(s[11:])
                    if d is not None and t is not None:
                        due = d | t
                    else:
                        x = vget(s)
                        due = x if x is not None else dparse(s)
                    if due == INVALID:
                        rejected.append(RejectedRow(path, line_base + k if fixed else stream_line(), self._bad_date(lab("due_at"), s), did))
                        continue
            if due >= 0:
                due_day = due >> DAY_SHIFT
                due_t = due & TIME_MASK
                if due_day < recv_day:
                    rejected.append(RejectedRow(path, line_base + k if fixed else stream_line(), _("the due date is before the receipt date"), did))
                    continue
            else:
                proc = row[i_proc].strip() if i_proc >= 0 else ""
                lim = limits.get(proc)
                if lim is None:
                    lim = self.limit_of(proc)
                if lim is None:
                    rejected.append(RejectedRow(path, line_base + k if fixed else stream_line(), _("no due date and no time limit known for procedure {proc!r}").format(proc=proc), did))
                    continue
                due_day = shift(recv_day, lim)
                due_t = 0
            # supplementation pauses
            paused = 0
            if i_pd >= 0:
                s = row[i_pd].strip()
                if s:
                    try:
                        paused = int(s)
                    except ValueError:
                        paused = -1
                    if paused < 0:
                        rejected.append(RejectedRow(path, line_base + k if fixed else stream_line(), _("{column} must be a whole number >= 0, got {value!r}").format(column=lab("paused_days"), value=s), did))
                        continue
            if i_ps >= 0 and row[i_ps].strip():
                s = row[i_ps]
                x = vget(s)
                ps = x if x is not None else dparse(s)
                if ps == INVALID:
                    rejected.append(RejectedRow(path, line_base + k if fixed else stream_line(), self._bad_date(lab("pause_started_at"), s), did))
                    continue
                pe = BLANK
                if i_pe >= 0 and row[i_pe].strip():
                    s = row[i_pe]
                    pe = dparse(s)
                    if pe == INVALID:
                        rejected.append(RejectedRow(path, line_base + k if fixed else stream_line(), self._bad_date(lab("pause_ended_at"), s), did))
                        continue
                ps_day = ps >> DAY_SHIFT
                if pe >= 0:
                    pe_day = pe >> DAY_SHIFT
                elif comp >= 0:
                    pe_day = min(comp >> DAY_SHIFT, ref)
                else:
                    pe_day = ref
                if pe_day < ps_day:
                    if pe >= 0:
                        rejected.append(RejectedRow(path, line_base + k if fixed else stream_line(), _("the supplementation pause ends before it starts"), did))
                        continue
                    pe_day = ps_day
                paused += self._pause_days(ps_day, pe_day)
            if paused:
                due_day = shift(due_day, paused)
            # duplicates (only valid rows claim an id)
            first = seen_get(did)
            if first is not None:
                self.duplicates.append(
                    Duplicate(did, path, line_base + k if fixed else stream_line(), self.files[first >> 40],
                              first & 0xFFFFFFFFFF)
                )
                continue
            seen[did] = dup_tag | (line_base + k if fixed else stream_line())
            # withdrawn / cancelled
            if i_stat >= 0 and row[i_stat]:
                s = row[i_stat]
                ex = status_get(s)
                if ex is None:
                    ex = excluded(s)
            else:
                ex = False
            if ex:
                if recv_day > ref or (pstart >= 0 and recv_day < pstart):
                    out_of_period += 1
                    if track:
                        claims_append(OUT_OF_PERIOD)
                        gclaims_append(None)
                    continue
                cat = EXCLUDED
                day_for_month = recv_day
            elif comp >= 0 and (comp >> DAY_SHIFT) <= ref:
                cd = comp >> DAY_SHIFT
                if cd < pstart:
                    out_of_period += 1
                    if track:
                        claims_append(OUT_OF_PERIOD)
                        gclaims_append(None)
                    continue
                if cd < due_day:
                    cat = EARLY
                elif cd > due_day or (due_t and (comp & TIME_MASK) > due_t):
                    cat = LATE
                else:
                    cat = ON_TIME
                day_for_month = cd
            else:
                if recv_day > ref:
                    out_of_period += 1
                    if track:
                        claims_append(OUT_OF_PERIOD)
                        gclaims_append(None)
                    continue
                cat = OVERDUE if ref > due_day else IN_PROGRESS
                day_for_month = recv_day
            values[cat] += 1
            gv = None
            if by is not None:
                if by_month:
                    gv = group_of(month(day_for_month))
                else:
                    s = row[key_col] if key_col >= 0 else ""
                    gv = raw_get(s)
                    if gv is None:
                        gv = self._resolve_group(s, row, i_proc)
                gv[cat] += 1
            if track:
                claims_append(cat)
                gclaims_append(gv)
            if series:
                m = month(day_for_month)
                for name, col in series:
                    s = row[col] if col >= 0 else ""
                    key = self._series_key(name, s, row, i_proc)
                    sk = (name, key, m)
                    sv = self.series_counts.get(sk)
                    if sv is None:
                        sv = self.series_counts[sk] = [0] * len(CATEGORIES)
                    sv[cat] += 1
        self.rows_read += rows_read
        self.out_of_period += out_of_period

    def _group_of(self, key: str) -> list[int]:
        g = self.groups.get(key)
        if g is None:
            g = self.groups[key] = Counts()
        return g.values

    def _resolve_group(self, raw: str, row: list[str], i_proc: int) -> list[int]:
        """The counters of a row's group: the stripped cell, or for ``--by mechanism`` with a
        blank cell the procedure's mechanism from the repository; "(blank)" otherwise.
        Cells are memoised raw, except blank mechanism cells (their group depends on the row)."""
        key = raw.strip()
        if not key and self.by == "mechanism" and self.mechanisms and i_proc >= 0:
            return self._group_of(self.mechanism_of(row[i_proc].strip()) or "(blank)")
        gv = self._raw_groups[raw] = self._group_of(key or "(blank)")
        return gv

    def _series_key(self, name: str, raw: str, row: list[str], i_proc: int) -> str:
        key = raw.strip()
        if not key and name == "mechanism" and self.mechanisms and i_proc >= 0:
            key = self.mechanism_of(row[i_proc].strip())
        return key or "(blank)"

    def result(self) -> KpiResult:
        return KpiResult(
            as_of=self.as_of,
            reference_day=self.reference_day,
            period=self.period,
            by=self.by,
            files=list(self.files),
            counts=self.counts,
            groups=dict(sorted(self.groups.items())),
            rejected=self.rejected,
            duplicates=self.duplicates,
            rows_read=self.rows_read,
            out_of_period=self.out_of_period,
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

