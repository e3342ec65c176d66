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
from typing import TYPE_CHECKING

from qms.flow.codes import combos
from qms.i18n import _
from qms.kpi.classify import RejectedRow
from qms.kpi.dates import DAY_SHIFT, DateMemo
from qms.models.log_columns import ColumnMap

if TYPE_CHECKING:
    import polars as pl

    from qms.store.dossier_logs import LogTable

MAX_ID = 64
"""The longest dossier code kept; a longer cell is rejected (a code is short, a long cell is not a code)."""
MAX_REJECTED = 1000
"""Rejected rows listed one by one; the rest are counted."""

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

    def _reject(self, path: str, rows: Sequence[int], ids: Sequence[str], why: str) -> None:
        self.rejected_total += len(rows)
        room = MAX_REJECTED - len(self.rejected)
        for row, did in list(zip(rows, ids, strict=True))[: max(room, 0)]:
            self.rejected.append(RejectedRow(path, row, why, did))

    def add_table(self, table: LogTable) -> None:
        self.files.append(table.path)
        cmap = table.columns
        self.present.update(cmap.index)
        from qms.store.batches import read_ahead

        for batch in read_ahead(table.batches):  # the next batch is read while this one is checked
            self._batch(batch, cmap, table.path)

    def _batch(self, df: pl.DataFrame, cmap: ColumnMap, path: str) -> None:
        import polars as pl

        from qms.store.dossier_logs import NONBLANK, PY_WHITESPACE, ROW

        if not df[NONBLANK].all():  # filtering copies every column: only when there is a blank row
            df = df.filter(pl.col(NONBLANK))
        if not df.height:
            return
        n = df.height
        lab = cmap.label

        def col(name: str, strip: bool = False) -> pl.Series:
            """A column of cells; ``strip``: without surrounding whitespace (the other cells are looked
            up once per distinct value, where the lookup ignores it)."""
            if name in df.columns:
                return df[name].str.strip_chars(PY_WHITESPACE) if strip else df[name]
            return pl.repeat("", n, dtype=pl.String, eager=True)

        ids = col("dossier_id", strip=True)
        # the procedure of each row, looked up once per distinct cell (a few in a log)
        which, distinct = combos(pl.DataFrame({"cell": col("procedure_id").cast(pl.Categorical)}), ["cell"])
        found = [self._procedure(c) for c in distinct["cell"].cast(pl.String)]
        proc_ids = pl.Series([f.process for f in found], dtype=pl.Categorical).gather(which)
        alive = pl.Series([f.kept for f in found], dtype=pl.Boolean).gather(which)
        no_proc = pl.Series([f.empty for f in found], dtype=pl.Boolean).gather(which)
        del which
        start, end, due = self.memo.parse_frame(
            pl.DataFrame({"s": col("received_at"), "e": col("completed_at"), "d": col("due_at")}), ["s", "e", "d"])
        rows = df[ROW]

        def reject(cond: pl.Series, why: str, with_id: bool = True) -> None:
            nonlocal alive
            hit = cond.fill_null(False) & alive
            if hit.any():
                picked_rows = rows.filter(hit).to_list()
                picked_ids = [_safe_id(i) for i in ids.filter(hit).to_list()] if with_id else [""] * len(picked_rows)
                self._reject(path, picked_rows, picked_ids, why)
                alive = alive & ~hit

        reject(ids == "", _("{column} is empty").format(column=lab("dossier_id")), with_id=False)
        if (ids.str.len_bytes() > MAX_ID).any():  # counting bytes is cheaper; a character is 1 to 4 bytes
            reject(ids.str.len_chars() > MAX_ID,
                   _("{column} is longer than {n} characters: not a dossier code").format(column=lab("dossier_id"),
                                                                                          n=MAX_ID),
                   with_id=False)
        if "procedure_id" in cmap.index or self.only is None:
            reject(no_proc, _("{column} is empty").format(column=lab("procedure_id")))
            reject(proc_ids.is_null(), _("the procedure is not in the process map (processes/)"))
        reject(start == -2, _("{column} is empty").format(column=lab("received_at")))
        reject(start == -1, _("{column} is not a date or a date and time").format(column=lab("received_at")))
        reject(end == -1, _("{column} is not a date or a date and time").format(column=lab("completed_at")))
        reject(due == -1, _("{column} is not a date or a date and time").format(column=lab("due_at")))
        day = 1 << DAY_SHIFT
        timed = ((end % day) > 0) & ((start % day) > 0)
        reject((end >= 0) & (((end // day) < (start // day)) | (timed & (end < start))),
               _("handed on ({end}) before it was received ({start})").format(end=lab("completed_at"),
                                                                             start=lab("received_at")))
        if self.as_of is not None:
            alive = alive & ((start // day) <= self.as_of)
            end = pl.select(pl.when((end // day) > self.as_of).then(-2).otherwise(end)).to_series()
        if not alive.any():
            return
        # text cells as categoricals (one small integer per event, each distinct text kept once): the
        # analysis looks values up once per distinct cell, and memory does not grow with the text; the
        # dossier codes (nearly one per dossier) stay text, which the analysis compares row by row
        cat = pl.Categorical
        cells = pl.DataFrame({"dossier": ids, "proc": proc_ids, "step_cell": col("step"), "agency_cell": col("agency"),
                              "handler_cell": col("handler"), "start": start, "end": end, "due": due})
        if not alive.all():
            cells = cells.filter(alive)
        self.frames.append(cells.with_columns(pl.col("step_cell", "agency_cell", "handler_cell").cast(cat)))

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
        with open_log_table(path, column_map, schema=FLOW_LOG) as table:
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
