"""QMS2xx: process maps — the shape of the step graph, one-stop shape, the legal time budget and 4.4.1
completeness.

The step graph and its algorithms live in ``qms.analysis.graph``; these rules judge what they find.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator

from qms.analysis.graph import StepGraph
from qms.diagnostics import Diagnostic, Severity
from qms.i18n import _, format_number
from qms.legal import regimes as regime_data
from qms.models.process import Process, Step
from qms.rules.base import CheckContext, Rule, pointer
from qms.store.workspace import LoadedDoc


def graph_of(ctx: CheckContext, proc: Process) -> StepGraph:
    key = f"step-graph:{id(proc)}"
    g = ctx.cache.get(key)
    if not isinstance(g, StepGraph):
        g = StepGraph.of(proc)
        ctx.cache[key] = g
    return g


def fmt_days(value: float) -> str:
    """A number of days in the language of messages ("0,5" in Vietnamese, "0.5" in English)."""
    return format_number(round(value, 2))


def _step_ptr(g: StepGraph, sid: str, *rest: str | int) -> str:
    return pointer("steps", g.index[sid], *rest)


class _GraphRule(Rule):
    family = "process-map"

    #: Rules that follow paths through the graph: a link to a step that does not exist (QMS110, the
    #: root cause) would make them report steps "unreachable" or "without a next step" that are not.
    follows_paths = False

    def graphs(self, ctx: CheckContext) -> Iterator[tuple[LoadedDoc[Process], Process, StepGraph]]:
        for doc, proc in ctx.workspace.processes():
            if proc.steps:
                g = graph_of(ctx, proc)
                if self.follows_paths and g.dangling:
                    continue
                yield doc, proc, g


# --------------------------------------------------------------------------------------------------
# Shape of the graph
# --------------------------------------------------------------------------------------------------


class SingleStart(_GraphRule):
    """A process map does not have exactly one start step.

    What it checks:
    A process with steps has exactly one step with `kind: start`.

    Why:
    The sequence of a process must be determined (4.4.1 b); a map with no start, or with two, does not
    say where the work begins, and the reachability and time-budget checks need a single entry point.

    Example:
    ```yaml
    steps:
      - id: B1
        name: {vi: Tiếp nhận hồ sơ, en: Receive the dossier}
        next: [B2]        # kind defaults to task: no start step
    ```

    Fix:
    Mark the first step `kind: start`; merge or re-kind any other start step.
    """

    code = "QMS201"
    name = "single-start-step"
    clauses = ("4.4.1",)

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        for doc, proc, g in self.graphs(ctx):
            starts = g.starts()
            if not starts:
                yield self.at(doc, "/steps", _("process `{process}` has no start step").format(process=proc.id),
                              hint=_("mark the first step `kind: start`"), subject=proc.id, key=True)
            for extra in starts[1:]:
                yield self.at(doc, _step_ptr(g, extra, "kind"),
                              _("step `{step}` is a second start step (the first is `{first}`)").format(
                                  step=extra, first=starts[0]),
                              hint=_("a process has exactly one start; make this a `task`"), subject=extra)


class ExplicitEnd(_GraphRule):
    """A process map has no end step, or an end step continues to other steps.

    What it checks:
    A process with steps has at least one step with `kind: end`, and end steps have no `next` or
    decision branches.

    Why:
    The output of a process (4.4.1 a) is delivered at its end; a map without an explicit end does not
    show when the work is finished, and an "end" that continues is not an end.

    Example:
    ```yaml
      - id: B6
        name: {vi: Trả kết quả, en: Return the result}
        next: [B1]        # neither kind: end nor a real end
    ```

    Fix:
    Mark the last step(s) `kind: end` and remove their `next`.
    """

    code = "QMS202"
    name = "explicit-end-step"
    clauses = ("4.4.1",)

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        for doc, proc, g in self.graphs(ctx):
            ends = g.ends()
            if not ends:
                yield self.at(doc, "/steps", _("process `{process}` has no end step").format(process=proc.id),
                              hint=_("mark the step that delivers the result `kind: end`"), subject=proc.id,
                              key=True)
            for sid in ends:
                if g.steps[sid].successors():
                    field_name = "decision" if g.steps[sid].decision is not None else "next"
                    yield self.at(doc, _step_ptr(g, sid, field_name),
                                  _("end step `{step}` continues to other steps").format(step=sid),
                                  hint=_("remove `next` from the end step, or make it a `task`"),
                                  subject=sid, key=True)


class UnreachableStep(_GraphRule):
    """A step cannot be reached from the start step.

    What it checks:
    Following `next` and decision branches from the start step reaches every step.

    Why:
    A step no path leads to is never performed: the documented sequence (4.4.1 b) and the actual one
    differ, and its time is silently left out of the time budget.

    Example:
    ```yaml
      - id: B1
        kind: start
        next: [B3]
      - id: B2          # nothing points here
        next: [B3]
    ```

    Fix:
    Point a `next` or a branch at the step, or delete it.
    """

    follows_paths = True
    code = "QMS203"
    name = "unreachable-step"
    clauses = ("4.4.1",)

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        for doc, _proc, g in self.graphs(ctx):
            starts = g.starts()
            if len(starts) != 1:
                continue
            seen = g.reachable(starts)
            for sid in g.order:
                if sid not in seen:
                    yield self.at(doc, _step_ptr(g, sid, "id"),
                                  _("step `{step}` cannot be reached from the start step `{start}`").format(
                                      step=sid, start=starts[0]),
                                  hint=_("point a `next` or a decision branch at it, or remove it"), subject=sid)


class NoPathToEnd(_GraphRule):
    """No path leads from a step to an end step.

    What it checks:
    From every step, following `next` and decision branches reaches a step with `kind: end`.
    Steps caught in a loop that nothing leaves are reported once, by QMS207, instead.

    Why:
    A dossier that reaches such a step is never finished: there is no output (4.4.1 a, b).

    Example:
    ```yaml
      - id: B5
        name: {vi: Lưu hồ sơ, en: File the dossier}
        # no next, and not kind: end
    ```

    Fix:
    Give the step a `next` towards the end, or make it an end step.
    """

    follows_paths = True
    code = "QMS204"
    name = "no-path-to-end"
    clauses = ("4.4.1",)

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        for doc, _proc, g in self.graphs(ctx):
            ends = g.ends()
            if not ends:
                continue
            can_finish = g.reachable(ends, backwards=True)
            trapped = {s for comp in g.cycles_without_exit() for s in comp}
            for sid in g.order:
                if sid in can_finish or sid in trapped:
                    continue
                if g.succ[sid]:
                    msg = _("no path leads from step `{step}` to an end step").format(step=sid)
                else:
                    msg = _("step `{step}` has no next step and is not an end step").format(step=sid)
                yield self.at(doc, _step_ptr(g, sid, "id"), msg,
                              hint=_("add a `next` towards the end, or mark it `kind: end`"), subject=sid)


def _is_decision(step: Step) -> bool:
    return step.kind == "decision" or step.decision is not None


class DecisionExits(_GraphRule):
    """A decision does not have at least two labelled exits.

    What it checks:
    A step with `kind: decision` states its question and gives its exits as `decision.branches`, each
    with a `label`; labels within one decision differ. Exits written as a bare `next` list are not
    labelled. (A decision with a single exit is QMS206.)

    Why:
    The criteria that route a dossier are part of the process's criteria and methods (4.4.1 c); an
    unlabelled fork does not say which way to go.

    Example:
    ```yaml
      - id: B2
        kind: decision
        name: {vi: "Hồ sơ đầy đủ?", en: "Dossier complete?"}
        next: [B3, B5]    # which exit is "yes"?
    ```

    Fix:
    Write the exits as branches:
    `decision: {question: ..., branches: [{label: {vi: Đủ, en: Complete}, next: B3}, ...]}`.
    """

    code = "QMS205"
    name = "decision-exits"
    clauses = ("4.4.1",)

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        for doc, _proc, g in self.graphs(ctx):
            for sid in g.order:
                step = g.steps[sid]
                if not _is_decision(step):
                    continue
                if step.decision is None:
                    if len(step.next) == 1:
                        continue  # a single exit: QMS206
                    where = "next" if step.next else "kind"
                    yield self.at(doc, _step_ptr(g, sid, where),
                                  _("decision `{step}` has no labelled exits").format(step=sid),
                                  hint=_("give `decision:` a question and at least two labelled `branches`"),
                                  subject=sid)
                    continue
                seen: dict[str, int] = {}
                for j, br in enumerate(step.decision.branches):
                    label = (br.label.vi.strip().casefold(), br.label.en.strip().casefold())
                    key = "|".join(label)
                    if key in seen:
                        yield self.at(doc, _step_ptr(g, sid, "decision", "branches", j, "label"),
                                      _("decision `{step}` has two exits labelled `{label}`").format(
                                          step=sid, label=br.label.vi or br.label.en),
                                      hint=_("label each exit with the answer that leads there"), subject=sid)
                    else:
                        seen[key] = j


class SuperfluousDecision(_GraphRule):
    """A decision has a single exit.

    What it checks:
    A step with `kind: decision` (or a `decision:` block) leads to exactly one step.

    Why:
    A question whose every answer leads to the same place decides nothing; the map claims a check that
    does not route anything (4.4.1 b, c). Either an exit is missing (e.g. the "incomplete dossier" path)
    or the step is a task.

    Example:
    ```yaml
      - id: B2
        kind: decision
        decision:
          question: {vi: "Đủ điều kiện?", en: "Eligible?"}
          branches:
            - {label: {vi: Có, en: "Yes"}, next: B3}
    ```

    Fix:
    Add the missing branch, or make the step a `task` with `next`.
    """

    code = "QMS206"
    name = "superfluous-decision"
    severity = Severity.WARNING
    clauses = ("4.4.1",)

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        for doc, _proc, g in self.graphs(ctx):
            for sid in g.order:
                step = g.steps[sid]
                if not _is_decision(step):
                    continue
                targets = set(step.successors())
                if len(targets) == 1:
                    where = "decision" if step.decision is not None else "next"
                    yield self.at(doc, _step_ptr(g, sid, where),
                                  _("decision `{step}` has a single exit (to `{target}`)").format(
                                      step=sid, target=next(iter(targets))),
                                  hint=_("add the other branch, or make the step a `task`"), subject=sid,
                                  key=True)


class LoopWithoutExit(_GraphRule):
    """A loop has no exit.

    What it checks:
    Every cycle of steps (for example a rework loop) has at least one edge that leaves it.

    Why:
    A dossier that enters the loop circulates for ever and never reaches the output (4.4.1 a, b).

    Example:
    ```yaml
      - id: B3
        next: [B4]
      - id: B4
        next: [B3]     # B3 ⇄ B4, no way out
    ```

    Fix:
    Turn one step of the loop into a decision with a branch that leaves it.
    """

    follows_paths = True
    code = "QMS207"
    name = "loop-without-exit"
    clauses = ("4.4.1",)

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        for doc, _proc, g in self.graphs(ctx):
            for comp in g.cycles_without_exit():
                loop = "→".join([*comp, comp[0]]) if len(comp) > 1 else f"{comp[0]}→{comp[0]}"
                yield self.at(doc, _step_ptr(g, comp[0], "id"),
                              _("the loop {loop} has no exit").format(loop=loop),
                              hint=_("add a decision branch that leaves the loop"), subject=comp[0])


class StepResponsible(_GraphRule):
    """A step names no responsible role or unit.

    What it checks:
    Every step has `responsible:` (a role or unit id, or a participating agency).

    Why:
    Responsibilities and authorities for each process must be assigned (4.4.1 e, 5.3); the "Trách nhiệm"
    column of the step table may not be empty.

    Example:
    ```yaml
      - id: B3
        name: {vi: Thẩm định hồ sơ, en: Appraise the dossier}
        duration: 4h
    ```

    Fix:
    Add `responsible: cong_chuc_tu_phap` (a role of qms.yaml).
    """

    code = "QMS208"
    name = "step-without-responsible"
    clauses = ("4.4.1", "5.3")

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        for doc, _proc, g in self.graphs(ctx):
            for sid in g.order:
                if not g.steps[sid].responsible:
                    yield self.at(doc, _step_ptr(g, sid, "id"),
                                  _("step `{step}` has no responsible role or unit").format(step=sid),
                                  hint=_("add `responsible:` with a role or unit id"), subject=sid)


class StepDuration(_GraphRule):
    """A step has no duration.

    What it checks:
    Every step has `duration:` in working days or hours (`0.5d`, `4h`, `1d 4h`).

    Why:
    Without per-step times the process cannot be planned or shown to meet the legal time limit
    (4.4.1 c, 8.1); the "Thời gian" column of the step table may not be empty.

    Example:
    ```yaml
      - id: B4
        name: {vi: Ký duyệt, en: Sign}
        responsible: chu_tich
    ```

    Fix:
    Add `duration: 2h`.
    """

    code = "QMS209"
    name = "step-without-duration"
    clauses = ("4.4.1", "8.1")

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        for doc, _proc, g in self.graphs(ctx):
            for sid in g.order:
                if g.steps[sid].duration is None:
                    yield self.at(doc, _step_ptr(g, sid, "id"),
                                  _("step `{step}` has no duration").format(step=sid),
                                  hint=_("add `duration:` such as `4h` or `0.5d`"), subject=sid)


# --------------------------------------------------------------------------------------------------
# One-stop and interconnected procedures
# --------------------------------------------------------------------------------------------------


def at_desk(step: Step, owners: set[str]) -> bool:
    return step.at_one_stop_desk or (step.responsible is not None and step.responsible in owners)


def one_stop_basis_text(proc: Process, today: dt.date) -> str:
    """The one-stop documents in force on the day ``proc`` takes effect (today when it has no date), as a
    citation: "118/2025/NĐ-CP, amended by 367/2025/NĐ-CP". Empty before the first regime of the data."""
    day = proc.document.effective_date if proc.document is not None else None
    entries = regime_data.one_stop_basis(day or today)
    parts: list[str] = []
    for entry in entries:
        if entry.role == "amends":
            parts.append(_("amended by {doc}").format(doc=entry.document))
        elif entry.role == "repeals":
            parts.append(_("{part} repealed by {doc}").format(part=entry.part, doc=entry.document))
        else:
            parts.append(entry.document)
    return ", ".join(parts)


class _OneStopRule(_GraphRule):
    def procedures(self, ctx: CheckContext) -> Iterator[tuple[LoadedDoc[Process], Process, StepGraph, set[str]]]:
        if ctx.workspace.manifest is None:  # the desk's roles and units are unknown: QMS013 says so
            return
        owners = ctx.directory().desk_owners()
        for doc, proc, g in self.graphs(ctx):
            adm = proc.administrative
            if adm is not None and adm.mechanism in ("one_stop", "interconnected"):
                yield doc, proc, g, owners

    @staticmethod
    def basis(proc: Process, ctx: CheckContext) -> str:
        text = one_stop_basis_text(proc, ctx.today)
        return " (" + _("one-stop basis: {documents}").format(documents=text) + ")" if text else ""


class OneStopReceipt(_OneStopRule):
    """A one-stop procedure does not start with receipt at the one-stop desk.

    What it checks:
    In a procedure with `administrative.mechanism: one_stop` or `interconnected`, the start step is
    performed at the one-stop desk (Bộ phận Tiếp nhận và Trả kết quả): it has `at_one_stop_desk: true`,
    or its `responsible` is a unit with `one_stop_desk: true` or a role of such a unit.

    Why:
    Under the one-stop mechanism the desk (Bộ phận Một cửa) receives the dossiers of the procedures it
    handles, whether they are filed in person, by post or online; the process must be carried out as the
    legal requirements determine (8.1, 8.2.2). The documents in force on the procedure's effective date
    are cited in the finding: NĐ 61/2018/NĐ-CP (Art. 14, Art. 16) until 30/06/2025, then NĐ 118/2025/NĐ-CP,
    amended by NĐ 367/2025/NĐ-CP, whose khoản 9 Điều 1 NĐ 224/2026/NĐ-CP repealed from 01/07/2026 (the
    chain is data: `qms/legal/data/regimes.yaml`). A procedure that the law exempts from receipt at the
    desk (NĐ 61/2018 Art. 14(5)) is not a one-stop procedure: declare `mechanism: none`.

    Example:
    ```yaml
      - id: B1
        kind: start
        responsible: cong_chuc_tu_phap   # a justice officer, not the desk
    ```

    Fix:
    Make the desk receive the dossier: `responsible: can_bo_mot_cua` (or `at_one_stop_desk: true`),
    including a dossier filed online or by post; for a procedure exempt from desk receipt write
    `mechanism: none`.
    """

    code = "QMS210"
    name = "one-stop-receipt"
    clauses = ("8.1", "8.2.2")

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        for doc, proc, g, owners in self.procedures(ctx):
            for sid in g.starts()[:1]:
                if not at_desk(g.steps[sid], owners):
                    yield self.at(doc, _step_ptr(g, sid, "id"),
                                  _("one-stop procedure `{process}` starts with step `{step}`, "
                                    "which is not at the one-stop desk").format(process=proc.id, step=sid)
                                  + self.basis(proc, ctx),
                                  hint=_("the desk receives the dossier: set `responsible` to a one-stop role "
                                         "or `at_one_stop_desk: true`"), subject=sid)


class OneStopReturn(_OneStopRule):
    """A one-stop procedure does not end with the return of the result at the desk.

    What it checks:
    In a `one_stop` or `interconnected` procedure every end step is performed at the one-stop desk
    (`at_one_stop_desk: true`, or a responsible unit/role of the desk).

    Why:
    Results, including refusals, are returned through the desk that received the dossier, at the desk,
    by post or online (8.1, 8.6 release of the output). The finding cites the one-stop documents in force
    on the procedure's effective date (NĐ 61/2018/NĐ-CP until 30/06/2025; NĐ 118/2025/NĐ-CP, amended by
    NĐ 367/2025/NĐ-CP and, from 01/07/2026, NĐ 224/2026/NĐ-CP).

    Example:
    ```yaml
      - id: B6
        kind: end
        name: {vi: Trả kết quả, en: Return the result}
        responsible: pho_chu_tich
    ```

    Fix:
    Hand the result to the desk in a last step: `responsible: can_bo_mot_cua`.
    """

    code = "QMS211"
    name = "one-stop-return"
    clauses = ("8.1", "8.6")

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        for doc, proc, g, owners in self.procedures(ctx):
            for sid in g.ends():
                if not at_desk(g.steps[sid], owners):
                    yield self.at(doc, _step_ptr(g, sid, "id"),
                                  _("one-stop procedure `{process}` ends with step `{step}`, "
                                    "which is not at the one-stop desk").format(process=proc.id, step=sid)
                                  + self.basis(proc, ctx),
                                  hint=_("return the result at the desk: set `responsible` to a one-stop role "
                                         "or `at_one_stop_desk: true`"), subject=sid)


class InterconnectedAgencies(_GraphRule):
    """An interconnected procedure names no participating agency.

    What it checks:
    A procedure with `administrative.mechanism: interconnected` lists its participating agencies
    under `administrative.agencies`.

    Why:
    In the interconnected one-stop mechanism (một cửa liên thông) several agencies share the work; they
    are external providers of part of the process and must be determined (4.4.1 b, 8.4.1).

    Example:
    ```yaml
    administrative:
      mechanism: interconnected
      time_limit: 20d
      # no agencies
    ```

    Fix:
    Add `agencies: [{id: thue, name: {vi: Chi cục Thuế, en: Tax sub-department}}]`.
    """

    code = "QMS212"
    name = "interconnected-agencies"
    clauses = ("4.4.1", "8.4.1")

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        for doc, proc in ctx.workspace.processes():
            adm = proc.administrative
            if adm is not None and adm.mechanism == "interconnected" and not adm.agencies:
                yield self.at(doc, "/administrative/mechanism",
                              _("interconnected procedure `{process}` names no participating agency").format(
                                  process=proc.id),
                              hint=_("list them under `administrative.agencies`"), subject=proc.id)


class InterconnectedHandover(_GraphRule):
    """An interconnected procedure lacks a hand-over to or from a participating agency.

    What it checks:
    For every agency under `administrative.agencies` of an `interconnected` procedure there is a step
    with `handover_to: <agency>` and a step with `handover_from: <agency>`.

    Why:
    The dossier must be sent to each agency and its result received back; an undocumented hand-over is
    where interconnected dossiers get lost or late (4.4.1 b, 8.4.1, 8.5.4).

    Example:
    ```yaml
    agencies: [{id: thue, name: {vi: Chi cục Thuế, en: Tax sub-department}}]
    steps:
      - id: B4
        handover_to: thue   # but no step has handover_from: thue
    ```

    Fix:
    Add the missing hand-over step (`kind: handover`, `handover_from: thue`).
    """

    code = "QMS213"
    name = "interconnected-handover"
    clauses = ("4.4.1", "8.4.1")

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        for doc, proc in ctx.workspace.processes():
            adm = proc.administrative
            if adm is None or adm.mechanism != "interconnected":
                continue
            sent = {s.handover_to for s in proc.steps if s.handover_to}
            back = {s.handover_from for s in proc.steps if s.handover_from}
            for i, agency in enumerate(adm.agencies):
                ptr = pointer("administrative", "agencies", i, "id")
                if agency.id not in sent:
                    yield self.at(doc, ptr,
                                  _("no step hands the dossier over to agency `{agency}`").format(agency=agency.id),
                                  hint=_("add a step with `handover_to: {agency}`").format(agency=agency.id),
                                  subject=agency.id)
                if agency.id not in back:
                    yield self.at(doc, ptr,
                                  _("no step receives the result back from agency `{agency}`").format(
                                      agency=agency.id),
                                  hint=_("add a step with `handover_from: {agency}`").format(agency=agency.id),
                                  subject=agency.id)


# --------------------------------------------------------------------------------------------------
# Time budget
# --------------------------------------------------------------------------------------------------


class TimeBudget(_GraphRule):
    """The longest path through the steps exceeds the legal time limit.

    What it checks:
    The sum of step durations along the longest path from the start step to an end step is at most
    `administrative.time_limit`. Days and hours may be mixed; hours are converted with the length of a
    working day of qms.yaml (the total of `calendar.office_hours`, else `calendar.working_hours_per_day`,
    default 8). A limit written in calendar days (`15cd`) is compared with the working days it holds at
    least (15 calendar days: 10 working days). Loops are counted once: back edges found
    by a depth-first search from the start are dropped and the longest path of the remaining DAG is
    computed by dynamic programming, so the check stays linear even for branchy maps. Steps without a
    duration count as zero (QMS209 reports them).

    Why:
    The legal time limit (thời hạn giải quyết) is a statutory requirement for the service (8.2.2);
    a process planned to take longer makes late results certain (8.1 a, 4.4.1 c).

    Example:
    ```yaml
    administrative: {time_limit: 10d}
    steps: # B1 0.5d → B2 6d → B4 3d → B6 2d
    ```
    reports "B1→B2→B4→B6 takes 11.5 working days; the legal limit is 10 (over by 1.5)".

    Fix:
    Shorten the internal step times so that the longest path fits, or correct the legal limit.
    """

    follows_paths = True
    code = "QMS214"
    name = "time-budget-exceeded"
    clauses = ("8.1", "8.2.2")

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        hpd = ctx.hours_per_day or 8.0
        for doc, proc, g in self.graphs(ctx):
            adm = proc.administrative
            starts = g.starts()
            if adm is None or len(starts) != 1:
                continue
            weight = {sid: (s.duration.in_days(hpd) if s.duration else 0.0) for sid, s in g.steps.items()}
            total, path = g.longest_path(starts[0], weight)
            limit = adm.time_limit.in_days(hpd)
            if path and total > limit + 1e-9:
                if adm.time_limit.calendar_days:
                    message = _("{path} takes {total} working days; the legal limit of {cd} calendar days holds "
                                "at least {limit} (over by {over})").format(
                        path="→".join(path), total=fmt_days(total), cd=adm.time_limit.calendar_days,
                        limit=fmt_days(limit), over=fmt_days(total - limit))
                elif limit <= 1 + 1e-9:  # a same-day or one-day limit is counted in hours
                    message = _("{path} takes {total} working hours; the legal limit is {limit} hours "
                                "(over by {over})").format(
                        path="→".join(path), total=fmt_days(total * hpd), limit=fmt_days(limit * hpd),
                        over=fmt_days((total - limit) * hpd))
                else:
                    message = _("{path} takes {total} working days; the legal limit is {limit} "
                                "(over by {over})").format(path="→".join(path), total=fmt_days(total),
                                                          limit=fmt_days(limit), over=fmt_days(total - limit))
                yield self.at(doc, "/administrative/time_limit", message,
                              hint=_("shorten the steps on this path or correct `time_limit`"), subject=proc.id)


# --------------------------------------------------------------------------------------------------
# Completeness of a process (4.4.1 a-h)
# --------------------------------------------------------------------------------------------------


class ProcessCompleteness(Rule):
    """A process does not determine everything ISO 9001:2015 4.4.1 asks of it.

    What it checks:
    Each process determines: a) its `inputs` and `outputs`; b) its sequence (`steps`) and its
    `interactions` with other processes; c) criteria and methods — at least one KPI under `kpis`;
    d) `resources`; e) responsibilities — the process `owner` and `unit` are required by the schema and
    each step's `responsible` is QMS208, so nothing is added here; f) `risks` (risks and opportunities);
    g) `evaluation` — how the process is evaluated and changed. Each finding cites its item
    (4.4.1 a … g). In a process whose `document.state` is `draft` (a skeleton or a draft written by
    `qms import`) the findings are warnings: the draft is still being completed.

    Why:
    ISO 9001:2015 4.4.1 requires the organization to determine these for every QMS process; they are
    what an auditor asks for first.

    Example:
    ```yaml
    id: QT-HT-02
    inputs: []          # 4.4.1 a
    kpis: []            # 4.4.1 c
    ```

    Fix:
    Fill in the missing section; `qms rule QMS220` lists them all.
    """

    code = "QMS220"
    name = "process-incomplete"
    clauses = ("4.4.1",)
    family = "process-map"

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        for doc, proc in ctx.workspace.processes():
            missing: list[tuple[str, str, str]] = []
            if not proc.inputs:
                missing.append(("a", "inputs", _("no inputs")))
            if not proc.outputs:
                missing.append(("a", "outputs", _("no outputs")))
            if not proc.steps:
                missing.append(("b", "steps", _("no steps (sequence)")))
            if not proc.interactions:
                missing.append(("b", "interactions", _("no interactions with other processes")))
            if not proc.kpis:
                missing.append(("c", "kpis", _("no KPI (criteria and methods)")))
            if not proc.resources:
                missing.append(("d", "resources", _("no resources")))
            if not proc.risks:
                missing.append(("f", "risks", _("no risks or opportunities")))
            if proc.evaluation is None:
                missing.append(("g", "evaluation", _("no evaluation")))
            for letter, field_name, what in missing:
                clause = f"4.4.1 {letter})"
                ptr = f"/{field_name}" if isinstance(doc.raw, dict) and field_name in doc.raw else "/id"
                found = self.at(doc, ptr,
                                _("process `{process}` has {what} ({clause})").format(
                                    process=proc.id, what=what, clause=clause),
                                hint=_("add `{field}:` to the process").format(field=field_name),
                                subject=proc.id, key=True, clauses=(clause,))
                if proc.document.state == "draft":
                    found = dataclasses.replace(found, severity=Severity.WARNING)
                yield found


RULES: tuple[type[Rule], ...] = (
    SingleStart, ExplicitEnd, UnreachableStep, NoPathToEnd, DecisionExits, SuperfluousDecision,
    LoopWithoutExit, StepResponsible, StepDuration, OneStopReceipt, OneStopReturn, InterconnectedAgencies,
    InterconnectedHandover, TimeBudget, ProcessCompleteness,
)
