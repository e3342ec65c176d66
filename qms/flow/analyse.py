"""From events to the report: steps matched, times in working hours, routes checked against the map,
figures per step, agency and procedure. Everything is a columnar computation over all events (polars);
only distinct routes (few, however many dossiers) are checked one by one in Python.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from qms.flow.clock import WorkClock
from qms.flow.codes import combos
from qms.flow.events import Events
from qms.flow.procmap import DEVIATIONS, ProcMap
from qms.kpi.dates import DAY_SHIFT, TIME_MASK

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import polars as pl

    I64 = npt.NDArray[np.int64]

MAX_EXAMPLES = 5
#: a procedure whose share of dossiers off the map reaches this is reported: its map may be out of date
MAP_FINDING_SHARE = 0.2
#: ... among at least this many dossiers (fewer say little about the map)
MAP_FINDING_MIN = 5
_UNKNOWN = "\x00"  # a step the map does not have, inside a route key
_SEP = "\x1f"
_BLOCK = 1 << 20  # rows of hand-over times computed at a time
_NO_CODE = (1 << 32) - 1  # the code of a null categorical (no category has it)
_LOOKED_UP = ("proc", "step_cell", "agency_cell")  # the cells a hand-over's step and agency are found by
_AT = "_at"  # a row's place in the events frame


@dataclass(slots=True)
class StepStat:
    step: str
    count: int
    median_hours: float
    p90_hours: float
    budget_hours: float | None
    over_budget: int
    hours_over_budget: float
    hours_per_day: float

    def to_dict(self) -> dict[str, Any]:
        return {"step": self.step, "count": self.count, "median_hours": _r(self.median_hours),
                "p90_hours": _r(self.p90_hours), "budget_hours": _r(self.budget_hours),
                "over_budget": self.over_budget, "hours_over_budget": _r(self.hours_over_budget),
                "median_days": _r(self.median_hours / self.hours_per_day),
                "p90_days": _r(self.p90_hours / self.hours_per_day),
                "budget_days": _r(self.budget_hours / self.hours_per_day) if self.budget_hours is not None else None}


@dataclass(slots=True)
class AgencyStat:
    agency: str
    count: int
    median_hours: float
    p90_hours: float
    total_hours: float
    waiting_hours: float  # waiting for the hand-over into this agency

    def to_dict(self) -> dict[str, Any]:
        return {"agency": self.agency, "count": self.count, "median_hours": _r(self.median_hours),
                "p90_hours": _r(self.p90_hours), "total_hours": _r(self.total_hours),
                "waiting_hours": _r(self.waiting_hours)}


@dataclass(slots=True)
class Deviation:
    kind: str
    count: int
    examples: list[str]

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "count": self.count, "examples": self.examples}


@dataclass(slots=True)
class ProcResult:
    procedure: str
    title: str
    dossiers: int
    late: int
    overdue: int
    steps: list[StepStat]
    agencies: list[AgencyStat]
    bottlenecks: list[str]
    nonconforming: int
    deviations: list[Deviation]
    waiting_hours: float
    within_hours: float
    late_by_step: dict[str, int]
    handovers: list[dict[str, Any]]
    unmatched_events: int
    hours_per_day: float
    monthly: list[dict[str, Any]] = field(default_factory=list)
    #: dossiers not checked against the map: a log without a step column, and a hand-over of theirs
    #: matched to no step
    unchecked: int = 0

    def step(self, step_id: str) -> StepStat | None:
        return next((s for s in self.steps if s.step == step_id), None)

    def to_dict(self) -> dict[str, Any]:
        hpd = self.hours_per_day
        return {"procedure": self.procedure, "title": self.title, "dossiers": self.dossiers, "late": self.late,
                "overdue": self.overdue, "steps": [s.to_dict() for s in self.steps],
                "bottlenecks": self.bottlenecks, "nonconforming": self.nonconforming,
                "deviations": [d.to_dict() for d in self.deviations],
                "waiting_hours_between_agencies": _r(self.waiting_hours),
                "waiting_days_between_agencies": _r(self.waiting_hours / hpd),
                "hours_within_steps": _r(self.within_hours), "days_within_steps": _r(self.within_hours / hpd),
                "late_by_step": self.late_by_step, "agencies": [a.to_dict() for a in self.agencies],
                "handovers": self.handovers, "unmatched_events": self.unmatched_events,
                "unchecked_dossiers": self.unchecked, "monthly": self.monthly}


@dataclass(slots=True)
class FlowResult:
    procedures: list[ProcResult]
    rejected: list[Any]
    rejected_total: int
    unmatched_events: int
    unknown_people: int
    hours_per_day: float
    elapsed: bool
    period: tuple[dt.date, dt.date] | None = None
    #: hand-overs found more than once (overlapping exports, a row entered twice): counted once
    duplicates: int = 0

    def findings(self) -> list[dict[str, Any]]:
        """Procedures whose real routes often differ from their map (7.5.3, 4.4.1)."""
        out = []
        for p in self.procedures:
            checked = p.dossiers - p.unchecked  # the share of the dossiers whose route is known
            if checked >= MAP_FINDING_MIN and p.nonconforming / checked >= MAP_FINDING_SHARE:
                out.append({"procedure": p.procedure, "kind": "map_out_of_date", "nonconforming": p.nonconforming,
                            "dossiers": checked, "share": round(p.nonconforming / checked, 4),
                            "clauses": ["7.5.3", "4.4.1"]})
        return out

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "procedures": [p.to_dict() for p in self.procedures],
            "rejected_rows": [r.to_dict() for r in self.rejected],
            "rejected_total": self.rejected_total,
            "unmatched_events": self.unmatched_events,
            "unknown_people": self.unknown_people,
            "duplicate_rows": self.duplicates,
            "hours_per_day": self.hours_per_day,
            "clock": "elapsed" if self.elapsed else "working",
            "findings": self.findings(),
        }
        if self.period is not None:
            data["period"] = {"from": self.period[0].isoformat(), "to": self.period[1].isoformat()}
        return data


def _r(value: float | None) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return round(float(value), 2)


def _f(value: Any) -> float:
    return float(value) if value is not None else 0.0


@dataclass(slots=True)
class Setup:
    maps: Mapping[str, ProcMap]
    clock: WorkClock
    limits: Mapping[str, float]  # process id -> legal time limit in working days
    role_of: Callable[[str], str | None]  # a person as the log writes them -> role id (None: unknown)
    as_of: dt.date
    period: tuple[dt.date, dt.date] | None = None
    titles: Mapping[str, str] = field(default_factory=dict)
    #: process id -> cut-off hour (``administrative.cutoff``): a hand-over received later counts from the
    #: opening of the next working day, and a dossier received later has its legal limit counted from it
    cutoffs: Mapping[str, dt.time] = field(default_factory=dict)


def _steps(ev: pl.DataFrame, events: Events, setup: Setup) -> tuple[pl.DataFrame, int]:
    """``ev`` (sorted by dossier and time) with its ``step`` column matched from the sequence of agencies
    or people of each dossier (a log without a step column); and the count of unknown people."""
    import polars as pl

    maps = setup.maps
    cat = pl.Categorical
    unknown = 0
    if events.has_handler:
        names = ev.select(pl.col("handler_cell").unique())
        roles = [setup.role_of(n) if n.strip() else None for n in names["handler_cell"]]
        names = names.with_columns(pl.Series("party", roles, dtype=pl.String),
                                   pl.Series("unknown", [r is None and bool(n.strip())
                                                         for n, r in zip(names["handler_cell"], roles, strict=True)]))
        ev = ev.join(names, on="handler_cell", how="left", maintain_order="left")
        if events.has_agency:
            # the staff of a participating agency are seldom in organisation.people: a hand-over by a person
            # of no known role is matched by the agency the log names, when that agency takes part in the
            # procedure (the organisation's own unknown people stay unmatched)
            pairs = ev.filter(pl.col("party").is_null()).select("proc", "agency_cell").unique()
            found = [maps[p].agency_of_cell(c) if c.strip() else None for p, c in pairs.iter_rows()]
            ags = [a if a is not None and a != maps[p].home else None
                   for (p, _c), a in zip(pairs.iter_rows(), found, strict=True)]
            ev = (ev.join(pairs.with_columns(pl.Series("by_agency", ags, dtype=pl.String)), on=["proc", "agency_cell"],
                          how="left", maintain_order="left")
                  .with_columns(pl.coalesce("party", "by_agency").alias("party"),
                                pl.col("unknown") & pl.col("by_agency").is_null())
                  .drop("by_agency"))
        unknown = int(ev["unknown"].sum())
        ev = ev.drop("unknown")
    else:
        pairs = ev.select("proc", "agency_cell").unique()
        ags = [maps[p].agency_of_cell(c) if c.strip() else None for p, c in pairs.iter_rows()]
        ev = ev.join(pairs.with_columns(pl.Series("party", ags, dtype=pl.String)), on=["proc", "agency_cell"],
                     how="left", maintain_order="left")
    ev = ev.with_columns(pl.col("party").fill_null(_UNKNOWN))
    routes = ev.group_by("did", maintain_order=True).agg(pl.col("proc").first(),
                                                         pl.col("party").str.join(_SEP).alias("key"),
                                                         (pl.col("end").last() >= 0).alias("completed"))
    keys = routes.select("proc", "key", "completed").unique()
    matched = []
    for proc, key, completed in keys.iter_rows():
        parties = [None if p == _UNKNOWN else p for p in key.split(_SEP)]
        matched.append(_SEP.join(s or _UNKNOWN for s in maps[proc].match_parties(parties, bool(completed))))
    keys = keys.with_columns(pl.Series("steps", matched, dtype=pl.String))
    per = routes.join(keys, on=["proc", "key", "completed"], how="left", maintain_order="left")
    col = per.select(pl.col("steps").str.split(_SEP)).explode("steps").to_series()
    step = pl.select(pl.when(col == _UNKNOWN).then(None).otherwise(col)).to_series().cast(cat).alias("step")
    return ev.drop("party").with_columns(step), unknown


def _dossier_ids(ev: pl.DataFrame) -> pl.DataFrame:
    """``ev`` (in file and row order) with ``did`` (one integer per dossier), sorted by dossier, then
    time, then file and row.

    Logs usually list each dossier's hand-overs together: then the dossiers are numbered in the
    order they appear; otherwise each (procedure, dossier code) gets a number first. Rows already in
    order (a log usually lists a dossier's hand-overs by time) are not sorted again."""
    import numpy as np
    import polars as pl

    if not ev.height:
        return ev.with_columns(pl.lit(0, dtype=pl.Int64).alias("did"))
    # the first row of each run of rows of one (procedure, dossier code)
    first = ev.select(((pl.col("proc") != pl.col("proc").shift(1)) | (pl.col("dossier") != pl.col("dossier").shift(1))
                       ).fill_null(True))[:, 0]
    heads_at = first.to_numpy()
    runs = pl.Series("did", np.cumsum(heads_at, dtype=np.int64))
    heads = ev["dossier"].filter(first)
    if heads.n_unique() == runs[-1] or ev.select("proc", "dossier").filter(first).n_unique() == runs[-1]:
        # one run per dossier: in order when each run's times do not go back
        ev = ev.with_columns(runs)
        start = ev["start"].to_numpy()
        in_order = bool(np.all((start[1:] >= start[:-1]) | heads_at[1:]))
    else:
        # one integer per (procedure, dossier code), numbered in order
        key = (pl.col("proc").to_physical().cast(pl.Int64) * (1 << 32)
               + pl.col("dossier").cast(pl.Categorical).to_physical().cast(pl.Int64))
        ev = ev.with_columns(key.rank("dense").cast(pl.Int64).alias("did"))
        in_order = ev.select(((pl.col("did").diff() > 0) | ((pl.col("did").diff() == 0)
                                                           & (pl.col("start").diff() >= 0))).fill_null(True).all()).item()
    del first, runs, heads, heads_at
    if not in_order:
        ev = ev.sort(["did", "start"], maintain_order=True)
    return ev.set_sorted("did")


def _drop_repeats(ev: pl.DataFrame) -> tuple[pl.DataFrame, int]:
    """``ev`` (sorted by dossier, then time, then file and row) without the hand-overs it holds more
    than once (the same dossier, step, agency, person and times: exports of overlapping periods, a
    row entered twice), the first kept; and how many were dropped. Only the rows of one dossier that
    start at the same moment are compared (few)."""
    import numpy as np
    import polars as pl

    if ev.height < 2:
        return ev, 0
    same = ev.select(((pl.col("did") == pl.col("did").shift(1)) & (pl.col("start") == pl.col("start").shift(1)))
                     .fill_null(False))[:, 0]
    if not same.any():
        return ev, 0
    rows = np.flatnonzero((same | same.shift(-1).fill_null(False)).to_numpy())
    keys = ev[rows].select("did", "start", "end", *(pl.col(c).to_physical() for c in
                                                   ("proc", "step_cell", "agency_cell", "handler_cell")))
    again = rows[~keys.select(pl.struct(pl.all()).is_first_distinct())[:, 0].to_numpy()]
    if not len(again):
        return ev, 0
    keep = np.ones(ev.height, dtype=bool)
    keep[again] = False
    return ev.filter(pl.Series(keep)).set_sorted("did"), len(again)


def _chain_ends(ev: pl.DataFrame) -> pl.DataFrame:
    """A log that records only when each party received the dossier (no time handed on, as the
    process-control sheet): each hand-over ends when the next one of its dossier begins; a dossier's
    last one stays open. ``ev`` is sorted by dossier, then time."""
    import polars as pl

    same = (pl.col("did").shift(-1) == pl.col("did")).fill_null(False)
    return ev.with_columns(pl.when(same).then(pl.col("start").shift(-1)).otherwise(pl.lit(-2, dtype=pl.Int64))
                           .alias("end"))


def _end_at_end_steps(ev: pl.DataFrame, pair_table: pl.DataFrame, setup: Setup) -> tuple[pl.DataFrame, Any]:
    """After :func:`_chain_ends`: a dossier whose last hand-over is to an end step of the map finished
    when it got there. Returns ``ev`` and the mask of those hand-overs (their own duration is unknown)."""
    import numpy as np
    import polars as pl

    is_end = pl.Series([s is not None and s in setup.maps[p].ends
                        for p, s in pair_table.select(pl.col("proc").cast(pl.String), pl.col("step").cast(pl.String))
                        .iter_rows()], dtype=pl.Boolean)
    last = (ev["did"] != ev["did"].shift(-1)).fill_null(True)
    final = last & is_end.gather(ev["pair"]) & (ev["end"] == -2)
    ev = ev.with_columns(pl.when(final).then(pl.col("start")).otherwise(pl.col("end")).alias("end"))
    return ev, np.asarray(final.to_numpy(), dtype=bool)


def _cells(ev: pl.DataFrame, setup: Setup, has_step: bool,
           numbered: tuple[Any, pl.DataFrame] | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``ev`` with what its cells stand for, looked up once per combination of cells (a new column
    each, spread with one gather, not a joined copy of every event):

    * ``step``: the step the step cell names (``has_step``; else the column is there already);
    * ``agency``: the agency of the hand-over: the log's, else the one responsible for its step, else
      the procedure's home agency; ``ag_unknown``: the log names an agency the map does not have;
    * ``pair``: the number of the (procedure, step), which the step figures are grouped by;

    and the pairs by number: ``proc``, ``step``, ``budget`` (the step's budget in hours).

    ``numbered``: the number of each row's combination of :data:`_LOOKED_UP` and the combinations
    (:func:`qms.flow.codes.combos`), when they are known already."""
    import polars as pl

    from qms.output.safe import one_line

    number, cells = numbered or combos(ev, ("proc", "step_cell" if has_step else "step", "agency_cell"))
    steps: list[str | None] = []
    agencies, unknown, pairs = [], [], []
    pair_of: dict[tuple[str, str | None], int] = {}
    for proc, step_cell, cell in cells.iter_rows():
        m = setup.maps[proc]
        step = (m.step_of(step_cell) if step_cell.strip() else None) if has_step else step_cell
        steps.append(step)
        pairs.append(pair_of.setdefault((proc, step), len(pair_of)))
        cell = cell.strip()
        known = m.agency_of_cell(cell) if cell else None
        if known is None and cell:
            agencies.append(one_line(cell[:60]))  # an agency the map does not have, as the log names it
            unknown.append(True)
        else:
            agencies.append(known or (m.agency_of_step(step) if step else m.home))
            unknown.append(False)
    at = pl.Series(number)  # converted once for the gathers
    found = [pl.Series("agency", agencies, dtype=pl.Categorical).gather(at),
             pl.Series("ag_unknown", unknown, dtype=pl.Boolean).gather(at),
             pl.Series("pair", pairs, dtype=pl.UInt32).gather(at)]
    if has_step:
        found.append(pl.Series("step", steps, dtype=pl.Categorical).gather(at))
    table = pl.DataFrame({"proc": pl.Series([p for p, _s in pair_of], dtype=pl.Categorical),
                          "step": pl.Series([s for _p, s in pair_of], dtype=pl.Categorical),
                          "budget": pl.Series([setup.maps[p].budgets.get(s) if s else None for p, s in pair_of],
                                              dtype=pl.Float64)})
    return ev.drop("step_cell", "handler_cell", "agency_cell").hstack(found), table


def _lost(per_step: pl.DataFrame) -> pl.DataFrame:
    """For the late dossiers, the number whose most time over budget went into each step (``proc``,
    ``step``, ``n``): the step most over its budget, else (no budget) the longest, then the first by
    name."""
    import polars as pl

    late = per_step.filter(pl.col("late")).select("did", "proc", "step", "dur",
                                                  pl.col("over").fill_null(pl.col("dur")))
    # the rows most over budget of each dossier, of those the longest, of those the first step by name
    # (maxima over each dossier's rows, not a sort of them)
    late = late.filter(pl.col("over") == pl.col("over").max().over("did"))
    late = late.filter(pl.col("dur") == pl.col("dur").max().over("did"))
    return (late.group_by("did").agg(pl.col("proc").first(), pl.col("step").min())
            .group_by("proc", "step").agg(pl.len().alias("n")))


def _cutoffs(proc: pl.Series, setup: Setup) -> I64:
    """The cut-off of each row's procedure as a packed time of day (seconds + 1; 0: none)."""
    import numpy as np
    import polars as pl

    codes = pl.Series(list(setup.cutoffs), dtype=pl.Categorical).to_physical()  # the categoricals' codes
    packed = [t.hour * 3600 + t.minute * 60 + 1 for t in setup.cutoffs.values()]
    cut = proc.to_physical().replace_strict(codes, packed, default=0, return_dtype=pl.Int64)
    return np.asarray(cut.to_numpy(), dtype=np.int64)


def _after_cutoff(packed: I64, cutoff: I64) -> I64:
    """1 where a moment has a time of day after its cut-off, else 0."""
    import numpy as np

    tod = packed & TIME_MASK
    return np.asarray((cutoff > 0) & (tod > cutoff), dtype=np.int64)


def _handover_times(clock: WorkClock, ev: pl.DataFrame, cut_of: Callable[[pl.Series], I64] | None
                    ) -> tuple[npt.NDArray[np.float64], I64, npt.NDArray[np.float64]]:
    """The working hours of each hand-over (NaN: still open); and the rows handed over from another
    agency, with the hours waited since the hand-over before. ``cut_of``: the cut-off of each row of a
    procedure column (see :func:`_cutoffs`).

    A block of rows at a time (the rows a block starts with are compared with the last row of the
    block before): the columns are read a block at a time, and the temporaries are reused instead of
    a fresh array for each step over whole columns."""
    import numpy as np

    n = ev.height
    dur = np.empty(n, dtype=np.float64)
    waited: list[I64] = []
    waits: list[npt.NDArray[np.float64]] = []
    prev_did, prev_agency, prev_end = -1, -1, np.nan
    for at, (s, e, di, ag) in _blocks(ev, ("start", "end", "did", "agency"), _BLOCK):
        done = e >= 0
        hs = clock.hours(s, end=False, cutoff=cut_of(ev["proc"].slice(at, len(s))) if cut_of is not None else None)
        he = clock.hours(np.where(done, e, s), end=True)
        he[~done] = np.nan
        d = np.maximum(he - hs, 0.0)
        d[~done] = np.nan
        dur[at:at + len(d)] = d
        same = di == np.concatenate(([prev_did], di[:-1]))
        before = np.concatenate(([prev_end], he[:-1]))
        hit = np.flatnonzero(same & (ag != np.concatenate(([prev_agency], ag[:-1]))) & ~np.isnan(before))
        waited.append(at + hit)
        waits.append(np.maximum(hs[hit] - before[hit], 0.0))
        prev_did, prev_agency, prev_end = int(di[-1]), int(ag[-1]), float(he[-1])
    if not waited:
        return dur, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    return dur, np.concatenate(waited), np.concatenate(waits)


def _blocks(ev: pl.DataFrame, names: Sequence[str], size: int) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """The columns ``names`` of ``ev`` a block of rows at a time, as numpy arrays (categoricals as
    their codes, a null as :data:`_NO_CODE`)."""
    for at in range(0, ev.height, size):
        part = ev.slice(at, size)
        yield at, tuple(_numbers(part[name]) for name in names)


def _numbers(col: pl.Series) -> npt.NDArray[Any]:
    import numpy as np
    import polars as pl

    if col.dtype == pl.Categorical:
        col = col.to_physical().fill_null(_NO_CODE)
    return np.asarray(col.to_numpy())


def _agency_visits(ev: pl.DataFrame) -> pl.DataFrame:
    """The working time of each dossier in each agency it visited: ``proc``, ``agency``, ``dur``.

    A visit is a run of timed hand-overs of one dossier in one agency; visits are summed a block of
    rows at a time, then added up by dossier and agency, grouped on one integer (a visit cut by the
    end of a block is two there, which the grouping joins again)."""
    import numpy as np
    import polars as pl

    keys: list[I64] = []
    sums: list[npt.NDArray[np.float64]] = []
    rows: list[I64] = []
    for at, (part, did, agency) in _blocks(ev, ("dur", "did", "agency"), _BLOCK):
        sel = np.flatnonzero(~np.isnan(part))
        if not len(sel):
            continue
        key = (did[sel] << 32) | agency[sel]
        first = np.ones(len(sel), dtype=bool)
        first[1:] = key[1:] != key[:-1]
        starts = np.flatnonzero(first)
        keys.append(key[starts])
        sums.append(np.add.reduceat(part[sel], starts))
        rows.append(at + sel[starts])
    if not keys:
        return ev.select("proc", "agency", "dur").clear()
    key, dur, row = np.concatenate(keys), np.concatenate(sums), np.concatenate(rows)
    merged = _merge_revisits(key, dur, row)
    if merged is None:
        per = pl.DataFrame({"key": key, "dur": dur, "row": row}).group_by("key").agg(pl.col("row").first(),
                                                                                    pl.col("dur").sum())
        merged = per["dur"].to_numpy(), per["row"].to_numpy()
    dur, first_row = merged[0], pl.Series(merged[1])
    return pl.DataFrame([ev["proc"].gather(first_row), ev["agency"].gather(first_row), pl.Series("dur", dur)])


_LAGS = 16  # visits of a dossier merged pairwise in numpy; a dossier with more, and they are grouped by hashing


def _merge_revisits(key: I64, dur: npt.NDArray[np.float64], row: I64
                    ) -> tuple[npt.NDArray[np.float64], I64] | None:
    """The visits ``key`` (dossier and agency), ``dur`` and ``row`` with each (dossier, agency) once:
    a dossier that went back to an agency (the one-stop desk that hands the result out), or a visit
    cut by the end of a block, adds its time to the first visit. The keys of a dossier are
    consecutive and few: each is compared with the ones before it in its dossier, a distance at a
    time. None when a dossier has more than :data:`_LAGS` visits (the caller groups them)."""
    import numpy as np

    n = len(key)
    if n < 2:
        return dur, row
    did = key >> 32
    starts = np.flatnonzero(np.concatenate(([True], did[1:] != did[:-1])))
    most = int(np.diff(np.append(starts, n)).max())
    if most > _LAGS:
        return None
    # the first visit of each key: the farthest earlier one of its dossier with the same key (a key
    # names its dossier, so an equal key a distance back is in the same dossier)
    first = np.arange(n)
    for lag in range(1, most):
        same = np.flatnonzero(key[lag:] == key[:-lag])
        first[same + lag] = same
    kept = first == np.arange(n)
    if kept.all():
        return dur, row
    return np.bincount(first, weights=dur, minlength=n)[kept], row[kept]


def _agency_figures(ev: pl.DataFrame, waits: pl.DataFrame) -> tuple[pl.DataFrame, ...]:
    """Per procedure: the time in each agency (``per_agency``), the waiting for a hand-over into it
    (``wait_into``), the hand-overs between two agencies (``handovers``), the time within steps
    (``within``) and the hand-overs matched to no step (``unmatched``)."""
    import polars as pl

    per_agency = (_agency_visits(ev).group_by("proc", "agency")
                  .agg(pl.len().alias("count"), pl.col("dur").median().alias("median"),
                       pl.col("dur").quantile(0.9, "linear").alias("p90"), pl.col("dur").sum().alias("total")))
    wait_into = waits.group_by("proc", "agency").agg(pl.col("wait").sum().alias("waiting"))
    handovers = waits.group_by("proc", "prev_agency", "agency").agg(
        pl.len().alias("count"), pl.col("wait").median().alias("median"), pl.col("wait").sum().alias("total"))
    within = ev.group_by("proc").agg(pl.col("dur").fill_nan(None).sum().alias("within"))
    unmatched = ev.filter(pl.col("step").is_null()).group_by("proc").agg(pl.len().alias("n"))
    return per_agency, wait_into, handovers, within, unmatched


def _dossier_figures(dossiers: pl.DataFrame) -> tuple[pl.DataFrame, dict[Any, tuple[Any, ...]], pl.DataFrame]:
    """Per procedure: the completed and late dossiers of each month (``month``), the counts of
    dossiers, late, overdue, off the map and unchecked (``counts``), and the dossiers off the map with
    each kind of deviation (``off_map``: few)."""
    import polars as pl

    epoch = dt.date(1970, 1, 1).toordinal()
    # grouped by year and month as numbers; only the groups (a few a year) written as text
    date = (pl.col("month_day") - epoch).cast(pl.Int32).cast(pl.Date)
    month = (dossiers.filter(pl.col("completed"))
             .group_by("proc", date.dt.year().alias("year"), date.dt.month().alias("m"))
             .agg(pl.len().alias("dossiers"), pl.col("late").sum().alias("late"))
             .sort("proc", "year", "m")
             .select("proc", pl.format("{}-{}", pl.col("year").cast(pl.String).str.zfill(4),
                                       pl.col("m").cast(pl.String).str.zfill(2)).alias("month"), "dossiers", "late"))
    counts = {r[0]: r[1:] for r in dossiers.group_by("proc").agg(
        pl.len(), pl.col("late").sum(), pl.col("overdue").sum(), (pl.col("kinds") != "").sum(),
        pl.col("unchecked").sum()).iter_rows()}
    off_map = (dossiers.filter(pl.col("kinds") != "").select("proc", "dossier", pl.col("kinds").str.split(_SEP))
               .explode("kinds"))
    return month, counts, off_map


def _per_dossier(ev: pl.DataFrame) -> pl.DataFrame:
    """One row per dossier of ``ev`` (sorted by dossier), in order: ``proc``, ``dossier``, ``route`` (the
    codes of its steps; null: not in the map), ``completed``, ``received``, ``finished``, ``due``,
    ``ag_unknown`` and ``rows`` (its hand-overs).

    The rows of a dossier are consecutive: each figure is one numpy reduction over the runs (hashing
    every row to group them took four times as long)."""
    import numpy as np
    import polars as pl

    route = ev.group_by("did", maintain_order=True).agg(pl.col("step").to_physical().alias("route"))["route"]
    n = ev.height
    if not n:
        return ev.select("proc", "dossier").clear().with_columns(
            route, *(pl.Series(name, [], dtype=dtype) for name, dtype in (
                ("completed", pl.Boolean), ("received", pl.Int64), ("finished", pl.Int64), ("due", pl.Int64),
                ("ag_unknown", pl.Boolean), ("rows", pl.UInt32))))
    did = ev["did"].to_numpy()
    first = np.flatnonzero(np.concatenate(([True], did[1:] != did[:-1])))
    last = np.concatenate((first[1:], [n])) - 1
    start, end, due = (ev[name].to_numpy() for name in ("start", "end", "due"))
    return pl.DataFrame([
        ev["proc"].gather(first), ev["dossier"].gather(first), route,
        pl.Series("completed", end[last] >= 0),
        pl.Series("received", np.minimum.reduceat(start, first)),
        pl.Series("finished", np.maximum.reduceat(end, first)),
        pl.Series("due", np.maximum.reduceat(due, first)),
        pl.Series("ag_unknown", np.logical_or.reduceat(ev["ag_unknown"].to_numpy(), first)),
        pl.Series("rows", (last - first + 1).astype(np.uint32)),
    ])


def _checked_dossiers(dossiers: pl.DataFrame, setup: Setup, has_step: bool) -> pl.DataFrame:
    """``dossiers`` (see :func:`_per_dossier`) with what the map says of each route, checked once per
    distinct route: ``kinds`` (its deviations, joined by :data:`_SEP`; empty: none), ``repeat`` (a step
    with more than one hand-over) and ``unchecked`` (a route that is not known, see below)."""
    import polars as pl

    distinct = dossiers.select("proc", "route", "completed", "ag_unknown").unique()
    step_ids = sorted({s for m in setup.maps.values() for s in m.ids})
    step_of_code = dict(zip(pl.Series(step_ids, dtype=pl.Categorical).to_physical().to_list(), step_ids, strict=True))
    kinds, repeats, unchecked = [], [], []
    for proc, route, completed, unk in distinct.iter_rows():
        visited = [None if c is None else step_of_code.get(c) for c in route]
        # without a step column, a hand-over matched to no step (a person of no known role) leaves the
        # route unknown: the dossier is not checked against the map rather than called off it
        blind = not has_step and None in visited
        kinds.append("" if blind else _SEP.join(setup.maps[proc].deviations(visited, bool(completed), bool(unk))))
        unchecked.append(blind)
        done_steps = [s for s in visited if s is not None]
        repeats.append(len(set(done_steps)) < len(done_steps))  # a step with more than one hand-over
    distinct = distinct.with_columns(pl.Series("kinds", kinds, dtype=pl.String),
                                     pl.Series("repeat", repeats, dtype=pl.Boolean),
                                     pl.Series("unchecked", unchecked, dtype=pl.Boolean))
    return dossiers.join(distinct, on=["proc", "route", "completed", "ag_unknown"], how="left", maintain_order="left")


def analyse(events: Events, setup: Setup, *, release: bool = False) -> FlowResult:
    """The report's figures for ``events``. Some independent parts run on a second thread while this
    one goes on (numpy and polars release the GIL for most of their work): the cell combinations are
    numbered while the dossiers are put in order, the working hours of the hand-overs computed while
    the routes are checked, the figures per agency made while the late dossiers are found, and those
    per dossier while those per step are made.

    ``release``: the caller needs ``events.frame`` no more (no second period to analyse): it is
    emptied once the analysis has its own columns, so that the memory of the columns the analysis
    drops as it goes (codes, cells, times) can serve its later steps."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="qms-flow") as pool:
        return _analyse(events, setup, pool, release)


def _analyse(events: Events, setup: Setup, pool: ThreadPoolExecutor, release: bool) -> FlowResult:
    import numpy as np
    import polars as pl

    clock = setup.clock
    hpd = clock.hours_per_day
    frame = events.frame
    numbering = None
    if events.has_step and frame.height:
        # the combinations of cells the hand-overs' steps and agencies are looked up by, numbered on the
        # second thread while the dossiers are put in order here; each row carries its place in the
        # log (``_at``) to find its number after the rows are sorted and filtered
        numbering = pool.submit(combos, frame, _LOOKED_UP)
        frame = frame.with_row_index(_AT)
    ev, duplicates = _drop_repeats(_dossier_ids(frame))
    del frame
    if release:
        events.frame = events.frame.clear()
    if setup.period is not None:
        lo, hi = (d.toordinal() for d in setup.period)
        first = pl.col("start").first().over("did") // (1 << DAY_SHIFT)
        ev = ev.filter((first >= lo) & (first <= hi))
    if not events.has_end:
        ev = _chain_ends(ev)
    ev, unknown_people = _steps(ev, events, setup) if not events.has_step else (ev, 0)
    # the step, agency and (procedure, step) pair of each hand-over
    if numbering is not None:
        number, cells = numbering.result()
        ev, pair_table = _cells(ev.drop(_AT), setup, True, (number[ev[_AT].to_numpy()], cells))
    else:
        ev, pair_table = _cells(ev, setup, events.has_step)
    final = None
    if not events.has_end:
        ev, final = _end_at_end_steps(ev, pair_table, setup)
    # the working hours of each hand-over (numpy, a block of rows at a time) on the second thread, while
    # the routes are checked on this one; the calendar is used by that thread alone until it is done
    timing = pool.submit(_handover_times, clock, ev, (lambda proc: _cutoffs(proc, setup))
                         if setup.cutoffs and not clock.elapsed else None)
    dossiers = _checked_dossiers(_per_dossier(ev), setup, events.has_step)
    dur, at, wait = timing.result()
    if final is not None:
        dur[final] = np.nan  # the dossier reached its end step then: how long it stayed there is not known
    ev = ev.drop("dossier", "start", "end", "due", "ag_unknown")
    # waiting for a hand-over: from the previous hand-over of the same dossier by another agency
    waits = pl.DataFrame({"proc": ev["proc"].gather(at), "agency": ev["agency"].gather(at),
                          "prev_agency": ev["agency"].gather(at - 1), "wait": wait})
    del at, wait
    ev = ev.with_columns(pl.Series("dur", dur))
    del dur
    # the figures per agency on the second thread, while the late dossiers are found on this one (not
    # while the figures per step are made: the copies of both would be in memory at once)
    by_agency = pool.submit(_agency_figures, ev, waits)
    # late: the appointment in the log, else the legal limit counted on the calendar (as the KPI report)
    limit = dossiers["proc"].cast(pl.String).replace_strict(list(setup.limits), [math.ceil(v) for v in setup.limits.values()],
                                            default=None, return_dtype=pl.Int64)
    received = dossiers["received"].to_numpy()
    received_day = received >> DAY_SHIFT
    lim = limit.fill_null(-1).to_numpy()
    if setup.cutoffs:
        # received after the cut-off hour: the limit counts from the next working day (as the KPI report)
        lim = np.where(lim >= 0, lim + _after_cutoff(received, _cutoffs(dossiers["proc"], setup)), lim)
    due_from_limit = np.where(lim >= 0, clock.due_day(received_day, np.maximum(lim, 0)) << DAY_SHIFT, -1)
    due = dossiers["due"].to_numpy()
    # an appointment on a day off is due at the end of the next working day, without its time (Civil Code
    # 2015 Art. 148(5)), as the KPI report decides it
    given = due >= 0
    on_day = np.where(given, due >> DAY_SHIFT, received_day)  # (a day the calendar covers)
    work_day = clock.due_day(on_day, np.zeros(len(on_day), dtype=np.int64)) if given.any() else on_day
    due = np.where(given & (work_day != on_day), work_day << DAY_SHIFT, due)
    due = np.where(given, due, due_from_limit)
    fin = dossiers["finished"].to_numpy()
    completed = dossiers["completed"].to_numpy()
    fin_day, due_day = fin >> DAY_SHIFT, due >> DAY_SHIFT
    fin_t, due_t = fin & TIME_MASK, due & TIME_MASK
    has_due = due >= 0
    late = completed & has_due & ((fin_day > due_day) | ((fin_day == due_day) & (fin_t > 0) & (due_t > 0)
                                                         & (fin_t > due_t)))
    overdue = ~completed & has_due & (setup.as_of.toordinal() > due_day)
    dossiers = dossiers.with_columns(pl.Series("late", late), pl.Series("overdue", overdue),
                                     pl.Series("month_day", np.where(completed, fin_day, 0)))
    per_agency, wait_into, handovers, within, unmatched = by_agency.result()
    # the figures per dossier on the second thread, while those per step are made on this one
    by_dossier = pool.submit(_dossier_figures, dossiers)
    # -- per step ---------------------------------------------------------------------------
    # the working time of each dossier in each step: a dossier with one hand-over per step (most) has it
    # in that row; only the others are grouped
    # each hand-over's dossier: the dossiers are in the order of their hand-overs
    per_dossier = dossiers["rows"].to_numpy()
    repeat = np.repeat(dossiers["repeat"].to_numpy(), per_dossier)
    timed = ev.select("did", "proc", "step", "pair", "dur").with_columns(pl.Series("repeat", repeat),
                                                                 pl.Series("late", np.repeat(late, per_dossier)))
    keep = pl.col("step").is_not_null() & pl.col("dur").is_not_nan()
    per_step = timed.filter(keep & ~pl.col("repeat")).drop("repeat")  # one copy of the rows kept
    if repeat.any():
        again = (timed.filter(keep & pl.col("repeat")).group_by("did", "step")
                 .agg(pl.col("proc").first(), pl.col("pair").first(), pl.col("dur").sum(), pl.col("late").first())
                 .select(per_step.columns))
        per_step = pl.concat([per_step, again], rechunk=False)
        del again
    del repeat, timed, per_dossier
    # each row's budget looked up once per (procedure, step): no joined copy of every row; the
    # figures grouped by the number of the pair
    per_step = per_step.with_columns((pl.col("dur") - pair_table["budget"].gather(per_step["pair"])).alias("over"))
    step_stats = per_step.group_by("pair").agg(
        pl.len().alias("count"), pl.col("dur").median().alias("median"),
        pl.col("dur").quantile(0.9, "linear").alias("p90"), (pl.col("over") > 1e-9).sum().alias("over_budget"),
        pl.col("over").clip(lower_bound=0.0).sum().alias("hours_over"))
    step_stats = pl.concat([pair_table[step_stats["pair"]], step_stats], how="horizontal")
    lost = _lost(per_step)
    month, counts, off_map = by_dossier.result()
    # -- per procedure ------------------------------------------------------------------------
    out: list[ProcResult] = []
    for proc in sorted(setup.maps):
        m = setup.maps[proc]
        if proc not in counts:
            continue
        n_dossiers, n_late, n_overdue, nonconforming, n_unchecked = counts[proc]
        off = off_map.filter(pl.col("proc") == proc)
        rows = {r["step"]: r for r in step_stats.filter(pl.col("proc") == proc).iter_rows(named=True)}
        order = {s: i for i, s in enumerate(m.ids)}
        steps = [StepStat(s, r["count"], _f(r["median"]), _f(r["p90"]), r["budget"], int(r["over_budget"]),
                          _f(r["hours_over"]), hpd)
                 for s, r in sorted(rows.items(), key=lambda kv: order.get(kv[0], len(order)))]
        bottlenecks = [s.step for s in sorted(steps, key=lambda s: (-s.hours_over_budget, order[s.step]))
                       if s.hours_over_budget > 1e-9]
        devs = []
        for kind in DEVIATIONS:
            hit = off.filter(pl.col("kinds") == kind)["dossier"]
            if len(hit):
                devs.append(Deviation(kind, len(hit), hit.sort().head(MAX_EXAMPLES).to_list()))
        waits_into = {r[0]: r[1] for r in wait_into.filter(pl.col("proc") == proc).select("agency", "waiting").iter_rows()}
        agencies = [AgencyStat(r["agency"], r["count"], _f(r["median"]), _f(r["p90"]), _f(r["total"]),
                               _f(waits_into.get(r["agency"])))
                    for r in per_agency.filter(pl.col("proc") == proc).sort("agency").iter_rows(named=True)]
        hand = [{"from": r["prev_agency"], "to": r["agency"], "count": r["count"], "median_hours": _r(r["median"]),
                 "total_hours": _r(r["total"])}
                for r in handovers.filter(pl.col("proc") == proc).sort("prev_agency", "agency").iter_rows(named=True)]
        late_by = {r[0]: int(r[1]) for r in lost.filter(pl.col("proc") == proc).sort("step").select("step", "n").iter_rows()}
        w = within.filter(pl.col("proc") == proc)["within"]
        u = unmatched.filter(pl.col("proc") == proc)["n"]
        monthly = [{"month": r["month"], "dossiers": r["dossiers"], "late": int(r["late"])}
                   for r in month.filter(pl.col("proc") == proc).iter_rows(named=True)]
        out.append(ProcResult(
            proc, setup.titles.get(proc, ""), n_dossiers, int(n_late), int(n_overdue), steps, agencies,
            bottlenecks, int(nonconforming), devs, sum(h["total_hours"] or 0.0 for h in hand),
            _f(w[0]) if len(w) else 0.0, late_by, hand, int(u[0]) if len(u) else 0, hpd, monthly,
            int(n_unchecked)))
    return FlowResult(out, events.rejected, events.rejected_total, int(ev["step"].null_count()), unknown_people, hpd,
                      clock.elapsed, setup.period, duplicates)
