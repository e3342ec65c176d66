"""Issue 18 item 7: qms's per-step durations (24/7 clock) and its count of dossiers that do not fit the
map agree with PM4Py's answers on the same small log, computed by bench/pm4py_compare.py (PM4Py is
never a dependency: its answers are committed in bench/pm4py/answers.json)."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from conftest import REPO, Run

ANSWERS = json.loads((REPO / "bench" / "pm4py" / "answers.json").read_text(encoding="utf-8"))


def test_durations_and_non_fitting_dossiers_match_pm4py(qms_flow: Callable[..., Run]) -> None:
    """Per procedure: the same dossiers, the same median service time per step (to 0.01 h) and the same
    number of dossiers that do not fit the Petri net exported by `qms flow pnml` (token-based replay)."""
    res = qms_flow(REPO / ANSWERS["log"], "--elapsed", "--format", "json", "--as-of", "2026-12-31")
    assert res.code == 0, res.err
    ours = {p["procedure"]: p for p in res.json()["procedures"]}
    assert set(ours) == set(ANSWERS["procedures"])
    for pid, theirs in ANSWERS["procedures"].items():
        mine = ours[pid]
        assert mine["dossiers"] == theirs["dossiers"], pid
        assert mine["nonconforming"] == theirs["not_fitting"], pid
        medians = {s["step"]: s["median_hours"] for s in mine["steps"]}
        assert set(medians) == set(theirs["median_hours"]), pid
        for step, hours in theirs["median_hours"].items():
            assert medians[step] == pytest.approx(hours, abs=0.011), (pid, step)
    assert sum(p["not_fitting"] for p in ANSWERS["procedures"].values()) > 0  # the log has deviations


def test_pnml_export_is_a_workflow_net() -> None:
    """`qms flow pnml` writes a PNML net with one visible transition per step, a source and a sink."""
    import subprocess
    import sys
    import xml.etree.ElementTree as ET

    out = subprocess.run([sys.executable, "-m", "qms", "flow", "pnml", "QT-DD-01"], cwd=REPO, capture_output=True,
                         text=True, timeout=120, check=True).stdout
    root = ET.fromstring(out)
    places = {p.get("id") for p in root.iter("place")}
    assert {"source", "sink"} <= places
    visible = sorted(t.findtext("name/text") or "" for t in root.iter("transition") if t.find("toolspecific") is None)
    assert visible == sorted(f"B{i}" for i in range(1, 14))
    bad = subprocess.run([sys.executable, "-m", "qms", "flow", "pnml", "QT-DD-1"], cwd=REPO, capture_output=True,
                         text=True, timeout=120, check=False)
    assert bad.returncode == 2 and "did you mean QT-DD-01?" in bad.stderr
    assert "QT-DD-1: no process" in bad.stderr and "--procedure" not in bad.stderr  # a positional argument
