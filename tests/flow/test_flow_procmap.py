"""Conformance semantics of the process map (issue 18 item 3 and the Decisions): several `next` without a
decision are alternatives, unless the step declares `parallel: true`."""

from __future__ import annotations

from typing import Any

import pytest

from qms.flow.procmap import ProcMap
from qms.models.process import Process


def _process(parallel: bool) -> Process:
    """S -> F; F -> A, B (alternatives, or a parallel fork); A -> J; B -> B2 -> J; J -> E."""
    steps: list[dict[str, Any]] = [
        {"id": "S", "kind": "start", "name": "start", "next": ["F"]},
        {"id": "F", "name": "fork", "next": ["A", "B"], "parallel": parallel},
        {"id": "A", "name": "a", "next": ["J"], "duration": "2h"},
        {"id": "B", "name": "b", "next": ["B2"]},
        {"id": "B2", "name": "b2", "next": ["J"]},
        {"id": "J", "name": "join", "next": ["E"]},
        {"id": "E", "kind": "end", "name": "end"},
    ]
    return Process.model_validate({"id": "QT-X", "title": "x", "kind": "core", "owner": "r", "unit": "u",
                                   "purpose": "p", "scope": "s", "steps": steps, "document": {"code": "QT-X"}})


@pytest.mark.parametrize(("route", "alternatives", "parallel"), [
    (["S", "F", "A", "J", "E"], [], []),
    (["S", "F", "B", "B2", "J", "E"], [], []),
    # both branches done: interleaved work is what a parallel fork allows; alternatives do not
    (["S", "F", "A", "B", "B2", "J", "E"], ["out_of_order"], []),
    (["S", "F", "B", "A", "B2", "J", "E"], ["out_of_order"], []),
    # skipping a step, ending before an end step, going back
    (["S", "F", "B", "J", "E"], ["skipped_step"], ["skipped_step"]),
    (["S", "F", "A", "J"], ["wrong_end"], ["wrong_end"]),
    (["S", "F", "A", "J", "A", "J", "E"], ["loop"], ["loop"]),
    (["F", "A", "J", "E"], ["skipped_step"], ["skipped_step"]),
])
def test_alternatives_and_parallel_forks(route: list[str], alternatives: list[str], parallel: list[str]) -> None:
    """Decisions: several `next` = alternatives unless `parallel: true`; conformance is built on it."""
    alt = ProcMap.of(_process(False), 8.0, "organisation")
    par = ProcMap.of(_process(True), 8.0, "organisation")
    assert sorted(alt.deviations(route, completed=True)) == sorted(alternatives)
    assert sorted(par.deviations(route, completed=True)) == sorted(parallel)


def test_open_dossier_has_not_ended_elsewhere() -> None:
    """A dossier whose last hand-over is still open is in progress, not 'ended somewhere else'."""
    alt = ProcMap.of(_process(False), 8.0, "organisation")
    assert alt.deviations(["S", "F", "A"], completed=False) == []
    assert alt.deviations(["S", "F", "A"], completed=True) == ["wrong_end"]


def test_consecutive_rows_of_one_step_are_one_visit() -> None:
    """Two hand-overs inside one step (e.g. between two officers) are not a loop."""
    alt = ProcMap.of(_process(False), 8.0, "organisation")
    assert alt.deviations(["S", "F", "A", "A", "J", "E"], completed=True) == []


def test_parallel_is_in_the_schema() -> None:
    """The process model (and so schemas/process.schema.json) declares `parallel`."""
    schema = Process.model_json_schema()
    step = schema["$defs"]["Step"]["properties"]
    assert step["parallel"]["default"] is False
    assert "alternatives" in step["parallel"]["description"]


def _desk_process() -> Process:
    """S -> C; C -> D (on), P (supplement: an end); D -> X (the branch) -> R (end). The desk does S, C, D, P, R."""
    steps: list[dict[str, Any]] = [
        {"id": "S", "kind": "start", "name": "receive", "responsible": "desk", "next": ["C"]},
        {"id": "C", "kind": "decision", "name": "complete?", "responsible": "desk",
         "decision": {"question": "complete?", "branches": [{"label": "yes", "next": "D"},
                                                             {"label": "no", "next": "P"}]}},
        {"id": "D", "name": "send", "responsible": "desk", "next": ["X"]},
        {"id": "X", "name": "assess", "responsible": "branch", "next": ["R"]},
        {"id": "R", "kind": "end", "name": "return", "responsible": "desk"},
        {"id": "P", "kind": "end", "name": "supplement", "responsible": "desk"},
    ]
    return Process.model_validate({"id": "QT-Y", "title": "y", "kind": "core", "owner": "r", "unit": "u",
                                   "purpose": "p", "scope": "s", "steps": steps, "document": {"code": "QT-Y"}})


@pytest.mark.parametrize(("parties", "completed", "steps"), [
    # the route with fewest faults: the desk's three hand-overs of a finished dossier end at an end step
    (["desk", "desk", "desk"], True, ["S", "C", "P"]),
    # still open: the dossier goes on (earlier steps of the map first)
    (["desk", "desk", "desk"], False, ["S", "C", "D"]),
    (["desk", "desk", "desk", "branch", "desk"], True, ["S", "C", "D", "X", "R"]),
    # a hand-over of no known party stays unmatched and out of the route
    (["desk", None, "desk", "desk", "branch", "desk"], True, ["S", None, "C", "D", "X", "R"]),
    (["branch", "desk"], True, ["X", "R"]),
    ([None, "nobody"], True, [None, None]),
])
def test_steps_matched_from_parties(parties: list[str | None], completed: bool, steps: list[str | None]) -> None:
    """Item 1: without a step column, each hand-over's party is matched to the step that gives the route the
    map finds fewest faults with."""
    m = ProcMap.of(_desk_process(), 8.0, "organisation")
    assert m.match_parties(parties, completed) == steps
