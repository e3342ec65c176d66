"""Hand-over events from the logs: every row checked, bad rows rejected with their number and reason.

A row is one hand-over (or one step) of a dossier: its code, its procedure, the step (id or name) or
the agency and person handling it, the time it was received and the time it was handed on. The
logs are read by :func:`qms.store.dossier_logs.open_log_table` (the one reader of dossier logs) with
the columns of :data:`qms.models.log_columns.FLOW_LOG`; this module checks the cells column by
column (polars) and keeps the good rows as one frame of events.

Rejection messages name the row, the column (as the file writes it) and what is wrong; the only cell
they repeat is the dossier code (cut to :data:`MAX_ID` characters, on one line). Names, identity
numbers or phone numbers of applicants, wherever a log holds them, are never read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qms.calendar import MAX_YEAR, MIN_YEAR
from qms.i18n import _
from qms.kpi.classify import RejectedRow
from qms.kpi.dates import BLANK, DAY_SHIFT, FIRST_COVERED_DAY, LAST_COVERED_DAY, PACKED, DateMemo
from qms.models.log_columns import ColumnMap

if TYPE_CHECKING:
    import polars as pl

    from qms.store.dossier_logs import LogTable

MAX_ID = 64
"""The longest dossier code kept; a longer cell is rejected (a code is short, a long cell is not a code)."""
MAX_REJECTED = 1000
"""Rejected rows listed one by one; the rest are counted."""

_DATES = ("received_at", "completed_at", "due_at")

#: the columns of the events frame, in file and row order (text cells are categoricals)
EVENT_COLUMNS = ("dossier", "proc", "step_cell", "agency_cell", "handler_cell", "start", "end", "due")


@dataclass(slots=True)
class Events:
    frame: pl.DataFrame  # EVENT_COLUMNS, in file and row order
    rejected: list[RejectedRow] = field(default_factory=list)
    rejected_total: int = 0
    has_step: bool = False
    has_agency: bool = False
    has_handler: bool = False
    files: list[str] = field(default_factory=list)
    #: the log has a column of the time each hand-over was handed on or completed; without it (a sheet
    #: that records only when each party received the dossier) a hand-over ends when the next begins
    has_end: bool = True


def _positions(cells: pl.Series, distinct: pl.Series) -> pl.Series:
    """For each categorical cell of ``cells``, its position in ``distinct`` (the distinct cells): a
    table over the categoricals' codes where they are small (always, but for a process that has cast
    millions of distinct texts), else a lookup by hashing."""
    import numpy as np
    import polars as pl

    from qms.flow.codes import TABLE_MAX

    codes, keys = cells.to_physical(), distinct.to_physical()
    top = keys.max()
    if isinstance(top, int) and top < TABLE_MAX and not keys.null_count():
        table = np.zeros(top + 1, dtype=np.uint32)
        table[keys.to_numpy()] = np.arange(len(keys), dtype=np.uint32)
        return pl.Series(table[codes.to_numpy()])
    return codes.replace_strict(keys, pl.int_range(0, len(keys), dtype=pl.UInt32, eager=True))


def _safe_id(text: str) -> str:
    from qms.output.safe import one_line

    return one_line(text.strip()[:MAX_ID])


@dataclass(frozen=True, slots=True)
class _Procedure:
    process: str | None  # the process id (None: not in the process map)
    kept: bool  # False: another procedure than the one asked for
    empty: bool  # the cell is empty


class EventReader:
    """Collects the events of several logs. ``resolve`` maps a procedure cell to a process id (None:
    unknown); ``only`` keeps the rows of one process (other procedures are left out, not rejected)."""

    def __init__(self, resolve: Callable[[str], str | None], *, only: str | None = None,
                 as_of: dt.date | None = None) -> None:
        self.resolve = resolve
        self.only = only
        self.as_of = as_of.toordinal() if as_of is not None else None
        self.memo = DateMemo()
        self.frames: list[pl.DataFrame] = []
        self.rejected: list[RejectedRow] = []
        self.rejected_total = 0
        self.present: set[str] = set()
        self.files: list[str] = []
        self._proc_memo: dict[str, _Procedure] = {}

    def _procedure(self, cell: str) -> _Procedure:
        """What a procedure cell stands for (memoised: a log repeats a few cells)."""
        found = self._proc_memo.get(cell)
        if found is None:
            text = cell.strip()
            if self.only is not None and not text:
                text = self.only  # the procedure given with --procedure
            process = self.resolve(text) if text else None
            # with --procedure, the rows of other procedures are left out, not rejected
            kept = self.only is None or process == self.only or (process is None and text == self.only)
            found = self._proc_memo[cell] = _Procedure(process, kept, not text)
        return found

    def _reject(self, path: str, hits: list[tuple[int, str, str]]) -> None:
        """Rejects the rows ``hits`` of a batch, as (row, dossier code, reason): listed in row order."""
        self.rejected_total += len(hits)
        room = max(MAX_REJECTED - len(self.rejected), 0)
        import heapq

        self.rejected.extend(RejectedRow(path, row, why, did) for row, did, why in heapq.nsmallest(room, hits))

    def add_table(self, table: LogTable) -> None:
        self.files.append(table.path)
        cmap = table.columns
        self.present.update(cmap.index)
        from qms.store.batches import read_ahead

        for batch in read_ahead(table.batches):  # the next batch is read while this one is checked
            self._batch(batch, cmap, table.path)

    def prepare(self, sample: pl.DataFrame) -> Callable[[pl.LazyFrame], pl.LazyFrame]:
        """The work on a batch's columns, as a step of the query that reads it (polars spreads it over
        the cores, while the batch is read), judged from ``sample`` (the first rows of the log): the
        dossier codes without surrounding whitespace (the other cells are looked up once per distinct
        value, where the lookup ignores it), the other text cells as categoricals (one small integer
        per event, each distinct text kept once: the analysis looks values up once per distinct cell,
        and memory does not grow with the text) and the dates, packed where polars can parse them
        (:meth:`DateMemo.plan`; :meth:`_batch` finishes them)."""
        import polars as pl

        from qms.store.dossier_logs import PY_WHITESPACE

        cat = pl.Categorical

        def cell(name: str) -> pl.Expr:
            """A column of cells (a column the log does not have: empty cells)."""
            return pl.col(name) if name in sample.columns else pl.lit("", dtype=pl.String)

        columns = [cell("dossier_id").str.strip_chars(PY_WHITESPACE).alias("dossier"),
                   cell("procedure_id").cast(cat).alias("proc_cell"),
                   *(cell(name).cast(cat).alias(f"{name}_cell") for name in ("step", "agency", "handler"))]
        return self.memo.reading_step(sample, [name for name in _DATES if name in sample.columns], columns)

    def _batch(self, df: pl.DataFrame, cmap: ColumnMap, path: str) -> None:
        import polars as pl

        from qms.store.dossier_logs import NONBLANK, ROW

        if not df[NONBLANK].all():  # filtering copies every column: only when there is a blank row
            df = df.filter(pl.col(NONBLANK))
        if not df.height:
            return
        if PACKED not in df.columns:  # a batch the reader did not prepare (a sheet, a quoted CSV file)
            df = self.prepare(df)(df.lazy()).collect()
        lab = cmap.label
        cat = pl.Categorical
        dates = [name for name in _DATES if name in df.columns]
        parsed = dict(zip(dates, self.memo.finish_read(df, dates), strict=True))
        row_numbers = df[ROW]
        # the cells still needed, each in one piece: the streaming reader hands a batch over in many
        # pieces, and every expression over columns cut differently would put them together again
        df = df.select("dossier", "proc_cell", "step_cell", "agency_cell", "handler_cell").rechunk()
        # the procedure of each row, looked up once per distinct cell (a few in a log); a column the
        # same for every row (most logs: each cell is a process id, every procedure kept, none empty)
        # is a constant or the cells themselves, not a gathered copy
        distinct = df["proc_cell"].unique()
        texts = distinct.cast(pl.String).to_list()
        found = [self._procedure(c) for c in texts]
        which: pl.Series | None = None

        def per_row(values: list[Any], dtype: pl.DataType) -> pl.Series:
            nonlocal which
            if which is None:
                which = _positions(df["proc_cell"], distinct)
            return pl.Series(values, dtype=dtype).gather(which)

        def flag(values: list[bool]) -> pl.Expr | pl.Series:
            return pl.lit(values[0]) if len(set(values)) == 1 else per_row(values, pl.Boolean())

        proc = (pl.col("proc_cell") if all(f.process == c for f, c in zip(found, texts, strict=True))
                else per_row([f.process for f in found], cat()))
        kept, no_proc = flag([f.kept for f in found]), flag([f.empty for f in found])
        frame = df.select(
            "dossier", proc.alias("proc"), "step_cell", "agency_cell", "handler_cell",
            *((parsed[name] if name in parsed else pl.lit(BLANK, dtype=pl.Int64)).alias(short)
              for name, short in zip(_DATES, ("start", "end", "due"), strict=True)),
            kept.alias("kept"), no_proc.alias("no_proc"))
        # the reasons a row is rejected, in order (a row is rejected for the first that holds). The
        # packed dates are compared with bounds and masks, not divided: a packed value's day is its
        # value divided by ``day``, so "day < d" is "value < d * day"
        ids, start, end, due = pl.col("dossier"), pl.col("start"), pl.col("end"), pl.col("due")
        day = 1 << DAY_SHIFT
        time_of_day, whole_days = day - 1, ~(day - 1)
        timed = ((end & time_of_day) > 0) & ((start & time_of_day) > 0)
        covered = FIRST_COVERED_DAY * day, (LAST_COVERED_DAY + 1) * day

        def off_calendar(col: pl.Expr) -> pl.Expr:
            """A date in a year the working-day calendar has no table for (a typo such as 03/03/0206)."""
            return (col >= 0) & ((col < covered[0]) | (col >= covered[1]))

        # a code of more characters than MAX_ID has more bytes than that: the characters are counted
        # only when some code has
        too_long = (ids.str.len_chars() > MAX_ID if (frame["dossier"].str.len_bytes() > MAX_ID).any()
                    else pl.lit(False))
        checks: list[tuple[pl.Expr, str, bool]] = [
            (ids == "", _("{column} is empty").format(column=lab("dossier_id")), False),
            (too_long, _("{column} is longer than {n} characters: not a dossier code").format(
                column=lab("dossier_id"), n=MAX_ID), False)]
        if "procedure_id" in cmap.index or self.only is None:
            checks += [(pl.col("no_proc"), _("{column} is empty").format(column=lab("procedure_id")), True),
                       (pl.col("proc").is_null(), _("the procedure is not in the process map (processes/)"), True)]
        checks += [
            (start == -2, _("{column} is empty").format(column=lab("received_at")), True),
            (start == -1, _("{column} is not a date or a date and time").format(column=lab("received_at")), True),
            (end == -1, _("{column} is not a date or a date and time").format(column=lab("completed_at")), True),
            (due == -1, _("{column} is not a date or a date and time").format(column=lab("due_at")), True),
            *((off_calendar(col), _("{column} is in a year the working-day calendar does not cover ({first}–{last}): "
                                    "correct the date").format(column=lab(name), first=MIN_YEAR, last=MAX_YEAR - 1),
               True) for col, name in ((start, "received_at"), (end, "completed_at"), (due, "due_at"))),
            ((end >= 0) & ((end < (start & whole_days)) | (timed & (end < start))),
             _("handed on ({end}) before it was received ({start})").format(end=lab("completed_at"),
                                                                           start=lab("received_at")), True)]
        alive_expr = pl.col("kept")
        if self.as_of is not None:  # hand-overs after the date of the report are left out, not rejected
            alive_expr = alive_expr & (start < (self.as_of + 1) * day)
        # one column saying whether a row is rejected for some reason: the reasons are told apart
        # only among the rows that are (few)
        flags = frame.select(alive_expr.alias("alive"),
                             pl.any_horizontal(cond.fill_null(False) for cond, _why, _ids in checks).alias("bad"))
        alive = flags["alive"]
        bad = flags["bad"] & alive
        if bad.any():
            rows = row_numbers.filter(bad)
            suspects = frame.filter(bad)
            reasons = suspects.select(cond.fill_null(False).alias(f"c{k}") for k, (cond, _why, _ids) in enumerate(checks))
            left = pl.repeat(True, len(rows), eager=True)
            hits: list[tuple[int, str, str]] = []
            for k, (_cond, why, with_id) in enumerate(checks):
                hit = reasons[f"c{k}"] & left
                if hit.any():
                    picked = rows.filter(hit).to_list()
                    codes = ([_safe_id(i) for i in suspects["dossier"].filter(hit).to_list()] if with_id
                             else [""] * len(picked))
                    hits.extend(zip(picked, codes, [why] * len(picked), strict=True))
                    left = left & ~hit
            self._reject(path, hits)
            alive = alive & ~bad
        if not alive.any():
            return
        if self.as_of is not None:  # handed on after the date of the report: still open then
            after = (self.as_of + 1) * day
            if (frame["end"] >= after).any():
                frame = frame.with_columns(pl.when(end >= after).then(-2).otherwise(end).alias("end"))
        frame = frame.drop("kept", "no_proc")
        self.frames.append(frame if alive.all() else frame.filter(alive))

    def events(self) -> Events:
        import polars as pl

        cat = pl.Categorical
        schema = {"dossier": pl.String, "proc": cat, "step_cell": cat, "agency_cell": cat, "handler_cell": cat,
                  "start": pl.Int64, "end": pl.Int64, "due": pl.Int64}
        frame = pl.concat(self.frames, rechunk=False) if self.frames else pl.DataFrame(schema=schema)
        return Events(frame, self.rejected, self.rejected_total, "step" in self.present,
                      "agency" in self.present, "handler" in self.present, self.files,
                      "completed_at" in self.present)


def read_events(logs: Sequence[Path], resolve: Callable[[str], str | None], *, column_map: Mapping[str, str] | None,
                only: str | None = None, as_of: dt.date | None = None) -> Events:
    """Every valid hand-over of ``logs``, in file and row order, and the rejected rows."""
    from qms.models.log_columns import FLOW_LOG
    from qms.store.dossier_logs import open_log_table

    reader = EventReader(resolve, only=only, as_of=as_of)
    for path in logs:
        # the flow reader does not count a row's cells: a short row is one with empty cells at its end
        with open_log_table(path, column_map, schema=FLOW_LOG, prepare=reader.prepare, counts=False) as table:
            if only is None and "procedure_id" not in table.columns.index:
                from qms.errors import QmsError
                from qms.models.log_columns import accepted_headers

                raise QmsError(
                    _("{path}: the log has no procedure column, so its dossiers cannot be set against a process "
                      "map").format(path=path),
                    _("name a column {names}, or give the procedure with --procedure ID").format(
                        names=accepted_headers("procedure_id", FLOW_LOG)))
            reader.add_table(table)
    return reader.events()
