"""A procedure's process map as the flow report reads it: its steps, budgets, who does each step, and
which routes it allows.

Several ``next`` steps without a decision are alternatives (a dossier goes on to one of them), unless
the step says ``parallel: true``: then every next step is done, the work of the branches may
interleave in any order, and the branches meet again where their paths join.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from qms.models.log_columns import normalise_header
from qms.models.process import Process

#: the kinds of deviation from the map, in the order reports list them
DEVIATIONS: tuple[str, ...] = ("skipped_step", "out_of_order", "unknown_step", "unknown_agency", "loop", "wrong_end")


@dataclass(slots=True)
class ProcMap:
    process: Process
    hours_per_day: float
    ids: list[str] = field(default_factory=list)
    budgets: dict[str, float | None] = field(default_factory=dict)
    succ: dict[str, frozenset[str]] = field(default_factory=dict)
    reach: dict[str, frozenset[str]] = field(default_factory=dict)  # strictly after (paths of >= 1 edge)
    ends: frozenset[str] = frozenset()
    starts: frozenset[str] = frozenset()
    #: step -> the branches of parallel forks it belongs to, as (fork id, branch index)
    branches: dict[str, set[tuple[str, int]]] = field(default_factory=dict)
    #: lookup of a step cell: step id (case-folded) and step names (vi, en; normalised) -> step id
    names: dict[str, str] = field(default_factory=dict)
    #: who does a step: responsible role/unit/agency id -> step ids in map order
    by_party: dict[str, list[str]] = field(default_factory=dict)
    #: agency ids and names (normalised) -> agency id; the organisation itself is ``home``
    agencies: dict[str, str] = field(default_factory=dict)
    home: str = ""

    @classmethod
    def of(cls, proc: Process, hours_per_day: float, home: str, home_names: Iterable[str] = ()) -> ProcMap:
        m = cls(proc, hours_per_day, home=home)
        m.ids = [s.id for s in proc.steps]
        known = set(m.ids)
        for s in proc.steps:
            m.budgets[s.id] = s.duration.in_days(hours_per_day) * hours_per_day if s.duration is not None else None
            m.succ[s.id] = frozenset(n for n in s.successors() if n in known)
            m.names.setdefault(s.id.casefold(), s.id)
            for text in (s.name.vi, s.name.en):
                if text:
                    m.names.setdefault(normalise_header(text), s.id)
            if s.responsible:
                m.by_party.setdefault(s.responsible, []).append(s.id)
        for sid in m.ids:
            seen: set[str] = set()
            todo = list(m.succ[sid])
            while todo:
                n = todo.pop()
                if n not in seen:
                    seen.add(n)
                    todo.extend(m.succ[n])
            m.reach[sid] = frozenset(seen)
        m.ends = frozenset(s.id for s in proc.steps if s.kind == "end" or not m.succ[s.id])
        starts = {s.id for s in proc.steps if s.kind == "start"}
        if not starts and m.ids:
            starts = {m.ids[0]}
        m.starts = frozenset(starts)
        for s in proc.steps:
            if s.parallel and len(m.succ[s.id]) > 1:
                heads = sorted(m.succ[s.id])
                areas = [m.reach[h] | {h} for h in heads]
                common = frozenset.intersection(*areas)
                for i, area in enumerate(areas):
                    for step in area - common:
                        m.branches.setdefault(step, set()).add((s.id, i))
        adm = proc.administrative
        for key in (home, *home_names):
            if key:
                m.agencies.setdefault(normalise_header(key), home)
        if adm is not None:
            for ag in adm.agencies:
                m.agencies.setdefault(normalise_header(ag.id), ag.id)
                for text in (ag.name.vi, ag.name.en):
                    if text:
                        m.agencies.setdefault(normalise_header(text), ag.id)
        # a log that names only the agency: the organisation's own steps are done by ``home``
        for s in proc.steps:
            if s.responsible and m.agency_of_step(s.id) == home and s.responsible != home:
                m.by_party.setdefault(home, []).append(s.id)
        return m

    # -- lookups -----------------------------------------------------------------------------
    def step_of(self, cell: str) -> str | None:
        """The step a log cell names: its id (any case) or its name (accents and case do not matter)."""
        text = cell.strip()
        return self.names.get(text.casefold()) or self.names.get(normalise_header(text))

    def agency_of_cell(self, cell: str) -> str | None:
        """The agency a log cell names (an agency of the procedure, or the organisation), else None."""
        return self.agencies.get(normalise_header(cell))

    def agency_of_step(self, step: str) -> str:
        """The agency that does a step: a participating agency when it is responsible, else the organisation."""
        proc_step = self.process.step(step)
        responsible = proc_step.responsible if proc_step is not None else None
        adm = self.process.administrative
        if responsible and adm is not None and any(a.id == responsible for a in adm.agencies):
            return responsible
        return self.home

    # -- conformance --------------------------------------------------------------------------
    def _parallel_ok(self, a: str, b: str, seen: set[str]) -> bool:
        """``a`` then ``b`` is an interleaving of the branches of one parallel fork."""
        ba, bb = self.branches.get(a), self.branches.get(b)
        if not ba or not bb:
            return False
        if not any(fa == fb and ia != ib for fa, ia in ba for fb, ib in bb):
            return False
        return any(b in self.succ[s] for s in seen)

    def deviations(self, route: Sequence[str | None], completed: bool,
                   unknown_agency: bool = False) -> list[str]:
        """The kinds of deviation (:data:`DEVIATIONS`) of one dossier's route, each at most once.

        ``route`` lists the steps in the order the dossier went through them (None: a step the map
        does not have); ``completed``: the dossier's last hand-over is finished (it ended somewhere)."""
        found: set[str] = set()
        if unknown_agency:
            found.add("unknown_agency")
        steps: list[str] = []
        for s in route:
            if s is None:
                found.add("unknown_step")
            elif not steps or steps[-1] != s:
                steps.append(s)  # consecutive rows of one step are one visit
        if not steps:
            return [d for d in DEVIATIONS if d in found]
        first = steps[0]
        if first not in self.starts:
            found.add("skipped_step" if any(first in self.reach[s] for s in self.starts) else "out_of_order")
        seen = {first}
        for a, b in itertools.pairwise(steps):
            if b in self.succ[a] or self._parallel_ok(a, b, seen):
                pass
            elif b in seen:
                found.add("loop")
            elif b in self.reach[a]:
                found.add("skipped_step")
            else:
                found.add("out_of_order")
            seen.add(b)
        if completed and steps[-1] not in self.ends:
            found.add("wrong_end")
        return [d for d in DEVIATIONS if d in found]

    def match_parties(self, parties: Sequence[str | None], completed: bool = False) -> list[str | None]:
        """Steps for a dossier's hand-overs when the log has no step column.

        Each hand-over's party (the role of the person, or the agency) does one or more steps of the map;
        of all the ways to choose one of them for each hand-over, the route the map finds fewest faults
        with is taken: it starts at a start step, each step follows the previous one as the map allows,
        and a finished dossier ends at an end step. A skipped step, a step out of order or a loop each
        count one fault; among routes with as few faults, consecutive hand-overs of one party walk on to
        the next step it does rather than stay, and earlier steps of the map come first. A hand-over whose
        party does no step of the map stays unmatched (None) and is left out of the route."""
        fault, stay = 10, 1
        # best[s]: (cost, route so far) of the cheapest choice ending at step s
        best: dict[str, tuple[int, list[str]]] = {}
        slots: list[int] = []  # the positions of the hand-overs with candidates
        for i, party in enumerate(parties):
            cands = self.by_party.get(party, []) if party else []
            if not cands:
                continue
            slots.append(i)
            if not best:
                best = {c: (0 if c in self.starts else fault, [c]) for c in cands}
                continue
            nxt: dict[str, tuple[int, list[str]]] = {}
            for c in cands:
                pick: tuple[int, list[str]] | None = None
                for prev, (cost, route) in best.items():
                    if c in self.succ[prev]:
                        step_cost = 0
                    elif c == prev:
                        step_cost = stay
                    else:
                        step_cost = fault  # skipped, out of order or a loop: one fault each
                    total = cost + step_cost
                    if pick is None or total < pick[0]:
                        pick = (total, route)
                if pick is not None:
                    nxt[c] = (pick[0], [*pick[1], c])
            best = nxt
        out: list[str | None] = [None] * len(parties)
        if not best:
            return out
        end_cost = {c: (fault if completed and c not in self.ends else 0) for c in best}
        order = {s: k for k, s in enumerate(self.ids)}
        last = min(best, key=lambda c: (best[c][0] + end_cost[c], order.get(c, len(order))))
        for i, step in zip(slots, best[last][1], strict=True):
            out[i] = step
        return out

def budgets_of(maps: Mapping[str, ProcMap]) -> dict[tuple[str, str], float | None]:
    return {(pid, s): b for pid, m in maps.items() for s, b in m.budgets.items()}
