"""Fast, cached parsing of the date/time strings found in dossier logs.

A parsed value is one ``int``: ``ordinal << 17 | tod`` where ``ordinal`` is the
proleptic Gregorian day number (``date.toordinal()``) and ``tod`` is 0 when the
value has no time of day, else seconds since midnight + 1 (1..86400). So
``value >> 17`` is the day and ``value & TIME_MASK`` the optional time.

Accepted forms (the date part, optionally followed by a space or ``T`` and
``HH:MM`` or ``HH:MM:SS`` (or preceded by the time: ``08:30 04/05/2026``), optional fractional seconds, an optional 12-hour mark
(``AM``/``PM``, or ``SA``/``CH`` as Vietnamese Windows writes them) and a UTC offset,
which is converted to Vietnam time, UTC+7):

* ISO 8601 ``YYYY-MM-DD`` (also ``YYYY/MM/DD``);
* Vietnamese ``dd/mm/yyyy`` (also ``d/m/yyyy``, ``dd-mm-yyyy``, ``dd.mm.yyyy``);
* Excel serial numbers (``43496`` or ``43496.5``; 1900 date system);
* Vietnamese words, with accents or without (``14 giờ 30 phút, ngày 03 tháng 3 năm 2026``,
  ``03/03/2026 8h30 sáng``, ``Thứ Ba, 03/03/2026``), when the cell is no figures-only form.

Every distinct string is parsed once: :class:`DateMemo` parses a column of a log, :class:`DateCache`
one value at a time.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from qms.calendar import MAX_YEAR, MIN_YEAR
from qms.i18n import _

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import polars as pl

    I64 = npt.NDArray[np.int64]

DAY_SHIFT = 17
TIME_MASK = (1 << DAY_SHIFT) - 1
#: 1899-12-30, the day Excel serial 0 stands for (1900 date system, leap-year bug included).
EXCEL_EPOCH = dt.date(1899, 12, 30).toordinal()
_EXCEL_MAX = 2958465  # 9999-12-31
_VN_OFFSET_S = 7 * 3600

_DATE_ISO = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})")
_DATE_DMY = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})")
_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d{1,9})?)?"
                   r"(?:\s*(AM|PM|A\.M\.|P\.M\.|SA|CH|S\.A\.|C\.H\.))?\s*(Z|[+-]\d{2}:?\d{2})?", re.IGNORECASE)
#: the 12-hour clock's afternoon marks: English, and Vietnamese "CH" (chiều) as Windows writes it
_PM = frozenset({"PM", "P.M.", "CH", "C.H."})
_TIME_PLAIN = re.compile(r"\d{1,2}:\d{2}(?::\d{2})?")
_SERIAL = re.compile(r"\d{1,7}(?:\.\d+)?")
#: a time of day before the date, as some one-stop systems write it: "08:30 04/05/2026"
_TIME_FIRST = re.compile(r"(\d{1,2}:\d{2}(?::\d{2})?(?:\s*(?:AM|PM|SA|CH))?)\s*,?\s+"
                         r"(\d{1,2}[/.\-]\d{1,2}[/.\-]\d{4}|\d{4}[-/]\d{1,2}[-/]\d{1,2})", re.IGNORECASE)

_MAX_CACHE = 1_000_000
INVALID = -1
#: the first and last days (ordinals) a date may fall on for the working-day calendar to count with it;
#: a year of margin at the end, since time limits count forward (a date outside rejects its row)
FIRST_COVERED_DAY = dt.date(MIN_YEAR, 1, 1).toordinal()
LAST_COVERED_DAY = dt.date(MAX_YEAR - 1, 12, 31).toordinal()
BLANK = -2


class DateError(ValueError):
    """A value that is not a date in any accepted form; the message says why."""


def _parse_date_part(text: str) -> int:
    m = _DATE_ISO.fullmatch(text)
    if m:
        y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    else:
        m = _DATE_DMY.fullmatch(text)
        if not m:
            raise DateError(_("{text!r} is not a date (use YYYY-MM-DD or dd/mm/yyyy)").format(text=text))
        d, mo, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
    try:
        return dt.date(y, mo, d).toordinal()
    except ValueError:
        raise DateError(_("{text!r} is not a date that exists").format(text=text)) from None


def _parse_time_part(text: str) -> tuple[int, int]:
    """Seconds since midnight and the UTC offset in seconds (or None-like sentinel 1 for 'no offset')."""
    m = _TIME.fullmatch(text)
    if not m:
        raise DateError(_("{text!r} is not a time of day (use HH:MM or HH:MM:SS)").format(text=text))
    h, mi, s = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
    half = m.group(4)
    if half:  # 12-hour clock: "2:05 PM", "2:05:00 CH" (Vietnamese Windows), "12:30 SA" is 00:30
        if not 1 <= h <= 12:
            raise DateError(_("{text!r} is not a valid time of day").format(text=text))
        h = h % 12 + (12 if half.upper() in _PM else 0)
    if h > 23 or mi > 59 or s > 59:
        raise DateError(_("{text!r} is not a valid time of day").format(text=text))
    offset = 1  # sentinel: no offset given
    tz = m.group(5)
    if tz:
        if tz == "Z":
            offset = 0
        else:
            from qms.models.common import utc_offset_minutes  # deferred: few logs carry offsets

            digits = tz[1:].replace(":", "")
            minutes = utc_offset_minutes(tz[0], digits[:2], digits[2:])
            if minutes is None:
                raise DateError(_("{text!r} has an invalid UTC offset {offset}: offsets run from -12:00 to +14:00, "
                                  "minutes from 00 to 59").format(text=text, offset=tz))
            offset = minutes * 60
    return h * 3600 + mi * 60 + s, offset


#: month names in words, as :func:`_plain` writes them ("tháng Ba", "tháng Giêng", "tháng Chạp")
_MONTH_WORDS = {"gieng": 1, "mot": 1, "hai": 2, "ba": 3, "tu": 4, "nam": 5, "sau": 6, "bay": 7, "tam": 8,
                "chin": 9, "muoi": 10, "muoi mot": 11, "muoi hai": 12, "chap": 12}
_MONTH = "|".join(sorted((re.escape(w) for w in _MONTH_WORDS), key=len, reverse=True))
_WEEKDAYS = {"hai": 1, "ba": 2, "tu": 3, "nam": 4, "sau": 5, "bay": 6}
_SPOKEN_WEEKDAY = re.compile(r"\b(?:thu\s*(hai|ba|tu|nam|sau|bay|[2-7])|(chu\s*nhat|cn))\b\s*[,\-–]?")
_SPOKEN_DATE = re.compile(rf"(?:\bngay\s*)?\b(\d{{1,2}})\s+thang\s+(\d{{1,2}}|{_MONTH})\s*,?\s*(?:nam\s+)?(\d{{4}})\b")
_SPOKEN_TIME = re.compile(r"\b(\d{1,2})\s*(?:gio|h)\s*(?:(\d{1,2})\s*(?:phut|p)?)?(?![\w:])")
_SPOKEN_HALF = (("sang", "SA"), ("chieu", "CH"), ("toi", "CH"))
_SPOKEN_NOISE = re.compile(r"\b(?:luc|vao|ngay|buoi)\b")


def _plain(text: str) -> str:
    """Lower case, without accents (đ -> d): the Vietnamese words of a date, however they are encoded."""
    import unicodedata

    s = unicodedata.normalize("NFD", text)
    s = "".join(ch for ch in s if unicodedata.category(ch) != "Mn")
    return s.replace("đ", "d").replace("Đ", "D").lower()


def _spoken(text: str) -> tuple[str, int | None] | None:
    """A date written in Vietnamese words ("14 giờ 30 phút, ngày 03 tháng 3 năm 2026", "8h30 sáng",
    "Thứ Ba, 03/03/2026") rewritten in figures ("14:30 03/03/2026"), with the ISO weekday the cell names
    (or None); None when the cell has no such words."""
    s = _plain(text)
    if s.isascii() and not any(ch.isalpha() for ch in s if ch not in "tTzZ"):
        return None
    weekday: int | None = None
    m = _SPOKEN_WEEKDAY.search(s)
    if m:
        word = m.group(1)
        weekday = 7 if m.group(2) else (int(word) - 1 if word.isdigit() else _WEEKDAYS[word])
        s = s[:m.start()] + " " + s[m.end():]
    m = _SPOKEN_DATE.search(s)
    if m:
        month = m.group(2)
        number = int(month) if month.isdigit() else _MONTH_WORDS[" ".join(month.split())]
        s = f"{s[:m.start()]} {m.group(1)}/{number}/{m.group(3)} {s[m.end():]}"
    s = _SPOKEN_TIME.sub(lambda t: f"{int(t.group(1)):02d}:{int(t.group(2) or 0):02d}", s)
    s = _SPOKEN_NOISE.sub(" ", s)
    half = next((mark for word, mark in _SPOKEN_HALF if re.search(rf"\b{word}\b", s)), None)
    if half is not None:
        s = re.sub(r"\b(?:sang|chieu|toi)\b", " ", s)
        s = re.sub(r"(\d{1,2}:\d{2}(?::\d{2})?)", rf"\1 {half}", s, count=1)
    s = " ".join(s.replace(",", " ").split())
    return s, weekday


def parse_value(text: str) -> int:
    """Parse one date or date-time string into the packed ``int`` form (no cache); a date written in
    Vietnamese words is read too (see :func:`_spoken`)."""
    try:
        return _parse_figures(text)
    except DateError:
        spoken = _spoken(text.strip())
        if spoken is None:
            raise
    figures, weekday = spoken
    try:
        value = _parse_figures(figures)
    except DateError:
        raise DateError(_("{text!r} is not a date (use YYYY-MM-DD or dd/mm/yyyy)").format(text=text.strip())) from None
    day = dt.date.fromordinal(value >> DAY_SHIFT)
    if weekday is not None and day.isoweekday() != weekday:
        raise DateError(_("{text!r}: the day of the week does not match the date {date}").format(
            text=text.strip(), date=day.strftime("%d/%m/%Y")))
    return value


def _parse_figures(text: str) -> int:
    s = text.strip()
    if not s:
        raise DateError(_("empty date"))
    if _SERIAL.fullmatch(s):
        serial = float(s)
        if not 1 <= serial <= _EXCEL_MAX:
            raise DateError(
                _("{text!r} is not a date (numbers are read as Excel serial dates 1..{max})").format(
                    text=s, max=_EXCEL_MAX
                )
            )
        whole = int(serial)
        frac = serial - whole
        ordinal = EXCEL_EPOCH + whole
        if frac == 0:
            return ordinal << DAY_SHIFT
        secs = min(86399, round(frac * 86400))
        return (ordinal << DAY_SHIFT) | (secs + 1)
    first = _TIME_FIRST.fullmatch(s)
    if first:  # "08:30 04/05/2026", "08:30:15, 04/05/2026": the time written before the date
        s = f"{first.group(2)} {first.group(1)}"
    cut = -1
    for i, ch in enumerate(s):
        if ch == " " or ch == "T":
            cut = i
            break
    if cut < 0:
        return _parse_date_part(s) << DAY_SHIFT
    ordinal = _parse_date_part(s[:cut])
    rest = s[cut + 1 :].strip()
    if not rest:
        return ordinal << DAY_SHIFT
    secs, offset = _parse_time_part(rest)
    if offset != 1:
        total = ordinal * 86400 + secs - offset + _VN_OFFSET_S
        ordinal, secs = divmod(total, 86400)
    return (ordinal << DAY_SHIFT) | (secs + 1)


class DateCache:
    """``parse(text)`` with memoisation; bad values are cached too (as their error message).

    Besides whole strings, the date part and the time part of date-times are
    cached separately, so logs with a distinct time on every row stay fast.
    """

    __slots__ = ("days", "errors", "times", "values")

    def __init__(self) -> None:
        self.values: dict[str, int] = {}
        self.errors: dict[str, str] = {}
        self.days: dict[str, int] = {}
        self.times: dict[str, int] = {}

    def parse(self, text: str) -> int:
        """Packed value; -1 when ``text`` is invalid (see ``errors[text]``), -2 when it is blank.

        Date-only strings and failures are memoised whole. For a date-time
        whose date part has 10 characters, the date part *with its separator*
        (``text[:11]``) goes to ``days`` and the time part (``text[11:]``) to
        ``times``; hot loops look those up directly (see :meth:`lookup`).
        """
        v = self.values.get(text)
        if v is not None:
            return v
        if len(text) > 11:
            day = self.days.get(text[:11])
            tod = self.times.get(text[11:])
            if day is not None and tod is not None:
                return day | tod
        if not text.strip():
            return BLANK
        try:
            v = parse_value(text)
        except DateError as exc:
            if len(self.errors) < _MAX_CACHE:
                self.errors[text] = str(exc)
            v = INVALID
        else:
            if len(text) > 11 and text[10] in " T" and _TIME_PLAIN.fullmatch(text[11:]):
                self.days[text[:11]] = v & ~TIME_MASK
                self.times[text[11:]] = v & TIME_MASK
                return v
        if len(self.values) < _MAX_CACHE:
            self.values[text] = v
        return v

    def reason(self, text: str) -> str:
        if text in self.errors:
            return self.errors[text]
        try:
            parse_value(text)
        except DateError as exc:
            return str(exc)
        return ""


def day_of(value: int) -> dt.date:
    return dt.date.fromordinal(value >> DAY_SHIFT)


_UNIX_ORDINAL = dt.date(1970, 1, 1).toordinal()
_HOUR, _MIN = "(?:[01][0-9]|2[0-3])", "[0-5][0-9]"
#: Cell shapes parsed by polars (regex of the whole cell, strptime format, has a time of day). A cell
#: of such a shape means the same to :func:`parse_value` (ASCII digits, hours 00-23, minutes and seconds
#: 00-59; a day that does not exist is left to Python, which reports it).
_SHAPES: tuple[tuple[str, str, bool], ...] = (
    (rf"^[0-9]{{2}}/[0-9]{{2}}/[0-9]{{4}} {_HOUR}:{_MIN}$", "%d/%m/%Y %H:%M", True),
    (rf"^[0-9]{{2}}/[0-9]{{2}}/[0-9]{{4}} {_HOUR}:{_MIN}:{_MIN}$", "%d/%m/%Y %H:%M:%S", True),
    (r"^[0-9]{2}/[0-9]{2}/[0-9]{4}$", "%d/%m/%Y", False),
    (rf"^[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}} {_HOUR}:{_MIN}:{_MIN}$", "%Y-%m-%d %H:%M:%S", True),
    (rf"^[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}T{_HOUR}:{_MIN}:{_MIN}$", "%Y-%m-%dT%H:%M:%S", True),
    (rf"^[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}} {_HOUR}:{_MIN}$", "%Y-%m-%d %H:%M", True),
    (r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "%Y-%m-%d", False),
)


_TODO = -3  # not parsed by polars
PACKED = "#packed"
"""The suffix of a date column's packed values computed while a batch is read (:meth:`DateMemo.plan`
in the reader's query), and the name of a column that says a batch has them."""
_DAY_MS = 86_400_000


def _shape_of(col: pl.Series) -> tuple[str, str, bool] | None:
    """The shape of the first non-empty cells of a column, if it is one polars parses."""
    sample = [v for v in col.head(1000).to_list() if v][:20]
    for shape in _SHAPES:
        pattern = re.compile(shape[0], re.ASCII)
        if sample and sum(1 for v in sample if pattern.match(v)) * 2 > len(sample):
            return shape
    return None


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
        """Packed values of a column of cells (see :meth:`parse_frame`), as a numpy array."""
        return self.parse_frame(col.to_frame("c"), ["c"])[0].to_numpy()

    def parse_frame(self, df: pl.DataFrame, names: list[str]) -> list[pl.Series]:
        """Packed values (Int64) of columns of cells: each column's shape (:data:`_SHAPES`, judged
        from its first cells) parsed by polars for all columns at once, every other cell once per
        distinct value in Python."""
        first, exprs = self.plan(df, names)
        lazy = df.lazy()
        if first:
            lazy = lazy.with_columns(first)
        values = lazy.select(exprs).collect()
        return self.finish(df, names, [values[name] for name in names])

    @staticmethod
    def plan(df: pl.DataFrame, names: list[str]) -> tuple[list[pl.Expr], list[pl.Expr]]:
        """The polars part of :meth:`parse_frame`, for a query of the caller's that computes other
        columns too: expressions to add to ``df`` first, then one expression per name giving the
        packed value of the cells polars parses and a placeholder for the others, which
        :meth:`finish` fills in."""
        import polars as pl

        first, exprs = [], []
        for name in names:
            col = pl.col(name)
            shape = _shape_of(df[name])
            if shape is None:
                exprs.append(pl.when(col.str.len_bytes() == 0).then(pl.lit(BLANK, dtype=pl.Int64))
                             .otherwise(pl.lit(_TODO, dtype=pl.Int64)).alias(name))
                continue
            pattern, fmt, timed = shape
            # the epoch milliseconds of a cell of the shape (a matching cell means the same to Python);
            # polars parses each cell (no cache: nearly every date-time is distinct)
            if timed:
                stamp = col.str.strptime(pl.Datetime("ms"), fmt, strict=False, cache=False).cast(pl.Int64)
            else:
                stamp = col.str.strptime(pl.Date, fmt, strict=False, cache=False).cast(pl.Int64) * _DAY_MS
            first.append(pl.when(col.str.contains(pattern)).then(stamp)
                         .otherwise(pl.lit(None, dtype=pl.Int64)).alias(f"{name}_s"))
            ms = pl.col(f"{name}_s")
            day = ms // _DAY_MS + _UNIX_ORDINAL
            value = day * (1 << DAY_SHIFT) + (((ms % _DAY_MS) // 1000 + 1) if timed else 0)
            exprs.append(pl.when(col.str.len_bytes() == 0).then(pl.lit(BLANK, dtype=pl.Int64))
                         .when(day >= 1).then(value)  # year 0 is a date for polars only
                         .otherwise(pl.lit(_TODO, dtype=pl.Int64)).fill_null(_TODO).alias(name))
        return first, exprs

    def reading_step(self, sample: pl.DataFrame, names: list[str],
                     columns: Sequence[pl.Expr] = ()) -> Callable[[pl.LazyFrame], pl.LazyFrame]:
        """A step for the query that reads each batch of a log (a reader's ``prepare``): the caller's
        ``columns``, the packed value of each date column ``names`` where polars parses it (``name +
        PACKED``, planned from ``sample``, the log's first rows) and a column :data:`PACKED` saying the
        batch has them; :meth:`finish_read` finishes them."""
        import polars as pl

        first, packed = self.plan(sample, names)
        added = [*columns, *(expr.alias(name + PACKED) for name, expr in zip(names, packed, strict=True)),
                 pl.lit(True).alias(PACKED)]
        scratch = [expr.meta.output_name() for expr in first]

        def step(lazy: pl.LazyFrame) -> pl.LazyFrame:
            return (lazy.with_columns(first) if first else lazy).with_columns(added).drop(scratch)

        return step

    def finish_read(self, df: pl.DataFrame, names: list[str]) -> list[pl.Series]:
        """The packed values of the date columns ``names`` of a batch :meth:`reading_step` prepared."""
        return self.finish(df, names, [df[name + PACKED] for name in names])

    def finish(self, df: pl.DataFrame, names: list[str], planned: list[pl.Series]) -> list[pl.Series]:
        """The packed values of the columns ``names`` of ``df`` (``planned``: what the expressions of
        :meth:`plan` gave for them, in the same order), each cell polars did not parse parsed here."""
        out = []
        for name, values in zip(names, planned, strict=True):
            packed = values.rechunk()  # one chunk: later arithmetic aligns no chunks
            todo = packed == _TODO
            if todo.all():
                packed = self._rest(df[name])
            elif todo.any():
                packed = packed.clone().scatter(todo.arg_true(), self._rest(df[name].filter(todo)))
            out.append(packed)
        return out

    def _rest(self, col: pl.Series) -> pl.Series:
        """The cells polars was not asked to parse or could not: parsed by polars after all when they
        have a shape of their own (the plan was judged from other cells: the first rows of a log whose
        column is empty there), else in Python once per distinct value."""
        if _shape_of(col) is None:
            return self._slow(col)
        first, exprs = self.plan(col.to_frame("c"), ["c"])
        packed = col.to_frame("c").lazy().with_columns(first).select(exprs).collect()["c"]
        todo = packed == _TODO
        if todo.any():
            packed = packed.scatter(todo.arg_true(), self._slow(col.filter(todo)))
        return packed

    def _slow(self, col: pl.Series) -> pl.Series:
        import polars as pl

        n = len(col)
        out = pl.repeat(INVALID, n, dtype=pl.Int64, eager=True)
        done = pl.repeat(False, n, eager=True)
        split = (col.str.len_chars() > 11) & col.str.slice(10, 1).is_in([" ", "T"])
        if split.any():
            sub = col.filter(split)
            day = self._lookup(sub.str.slice(0, 11), self.days, self._day)
            tod = self._lookup(sub.str.slice(11), self.times, self._time)
            both = (day | tod).fill_null(-1)
            where = split.arg_true()
            out = out.scatter(where, both)
            done = done.scatter(where, both >= 0)
        rest = ~done
        if rest.any():
            out = out.scatter(rest.arg_true(), self._lookup(col.filter(rest), self.whole, self._whole))
        return out
