"""Programme generation: coverage, impartiality and load balance as properties over random organisations,
plus the risk-based ordering and the ``qms audit programme`` command."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qms.analysis.audit import conflict, cycle_gap, process_months, programme_clauses, uncovered_clauses
from qms.auditing.programme import Priority, propose
from qms.engine import CheckOptions, run_check
from qms.models.audit import AuditProgramme
from qms.models.organisation import Manifest
from qms.models.process import Process
from qms.standards import catalogue
from qms.store.workspace import LoadedDoc, Workspace
from qms.store.yaml_io import SourceMap

CLAUSES = list(catalogue("2015"))
TODAY = dt.date(2026, 11, 1)


@st.composite
def organisations(draw: st.DrawFn, *, neutral_auditors: bool = False) -> tuple[Manifest, list[Process]]:
    """A random agency. With ``neutral_auditors`` the auditors sit in a unit that runs nothing."""
    n_units = draw(st.integers(1, 5))
    units = [f"u{i}" for i in range(n_units)]
    n_roles = draw(st.integers(1, 6))
    roles = [{"id": f"r{i}", "title": f"Role {i}", "unit": draw(st.sampled_from(units))} for i in range(n_roles)]
    people: list[dict[str, Any]] = []
    for i in range(draw(st.integers(0, 8))):
        role = draw(st.sampled_from(roles))
        people.append({"id": f"p{i}", "name": f"Person {i}", "role": role["id"],
                       "unit": draw(st.sampled_from([role["unit"], *units])), "auditor": draw(st.booleans())})
    if neutral_auditors:
        units.append("audit_pool")
        roles.append({"id": "auditor_role", "title": "Auditor", "unit": "audit_pool"})
        people = [p for p in people if not p["auditor"]]
        for i in range(draw(st.integers(1, 5))):
            people.append({"id": f"a{i}", "name": f"Auditor {i}", "role": "auditor_role", "unit": "audit_pool",
                           "auditor": True})
    process_units = [u for u in units if u != "audit_pool"]
    process_roles = [r["id"] for r in roles if r["id"] != "auditor_role"]
    excluded = draw(st.lists(st.sampled_from(["8.3", "7.1.5.2", "8.5.3"]), unique=True, max_size=2))
    objectives = [{"id": f"MT-{i}", "statement": "x", "measure": "m", "target": "> 1",
                   "plan": {"what": "x", "resources": "x", "due": "2027-12-31", "evaluation": "x",
                            "responsible": draw(st.sampled_from(process_roles))}}
                  for i in range(draw(st.integers(0, 2)))]
    manifest = Manifest.model_validate({
        "organisation": {"name": "Org", "units": [{"id": u, "name": u} for u in units], "roles": roles,
                         "people": people},
        "scope": {"statement": "s", "applicability": [{"clause": c, "applicable": False} for c in excluded]},
        "policy": {"text": "p"},
        "objectives": objectives,
    })
    procs: list[Process] = []
    for i in range(draw(st.integers(1, 8))):
        steps = [{"id": f"B{j}", "name": f"Step {j}",
                  "responsible": draw(st.sampled_from([*process_roles, *process_units]))}
                 for j in range(draw(st.integers(0, 4)))]
        risks = [{"id": f"R{j}", "description": "r", "likelihood": draw(st.integers(1, 5)),
                  "impact": draw(st.integers(1, 5))} for j in range(draw(st.integers(0, 2)))]
        effective = draw(st.dates(dt.date(2020, 1, 1), dt.date(2026, 12, 31)))
        procs.append(Process.model_validate({
            "id": f"QT-{i:02d}", "title": f"Process {i}", "kind": "core",
            "owner": draw(st.sampled_from(process_roles)), "unit": draw(st.sampled_from(process_units)),
            "purpose": "p", "scope": "s", "clauses": draw(st.lists(st.sampled_from(CLAUSES), max_size=6)),
            "steps": steps, "risks": risks, "document": {"code": f"QT-{i:02d}", "effective_date": effective},
        }))
    return manifest, procs


def workspace(manifest: Manifest, procs: list[Process], programme: AuditProgramme | None = None) -> Workspace:
    ws = Workspace(root=Path("/nonexistent"))
    ws.docs.append(LoadedDoc("qms.yaml", "manifest", manifest, SourceMap()))
    for p in procs:
        ws.docs.append(LoadedDoc(f"processes/{p.id}.yaml", "process", p, SourceMap()))
    if programme is not None:
        ws.docs.append(LoadedDoc(f"audits/programme-{programme.year}.yaml", "audit-programme", programme,
                                 SourceMap()))
    return ws


ORGS = organisations()
SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(org=ORGS, cycle=st.integers(1, 12), team=st.integers(1, 3))
def test_every_process_and_applicable_clause_is_covered(org: tuple[Manifest, list[Process]], cycle: int,
                                                        team: int) -> None:
    manifest, procs = org
    prop = propose(workspace(manifest, procs), 2027, cycle_months=cycle, today=TODAY, team_size=team)
    prog = prop.programme
    months = process_months(prog)
    for p in procs:
        assert cycle_gap(months.get(p.id, []), cycle) == "", (p.id, months.get(p.id), cycle)
    assert uncovered_clauses(manifest, programme_clauses(prog, {p.id: p for p in procs})) == []
    # the rules agree with the generator
    report = run_check(workspace(manifest, procs, prog),
                       CheckOptions(select=["QMS601", "QMS602", "QMS603"], today=dt.date(2027, 1, 1)))
    assert report.diagnostics == []


@SETTINGS
@given(org=ORGS, team=st.integers(1, 3))
def test_nobody_audits_their_own_unit_or_process(org: tuple[Manifest, list[Process]], team: int) -> None:
    manifest, procs = org
    by_id = {p.id: p for p in procs}
    people = {p.id: p for p in manifest.organisation.people}
    prog = propose(workspace(manifest, procs), 2027, today=TODAY, team_size=team).programme
    for entry in prog.audits:
        scope = [by_id[p] for p in entry.processes]
        for pid in entry.auditors:
            person = people[pid]
            assert person.auditor
            assert conflict(person, manifest, scope, bool(entry.clauses)) == ""
            assert person.unit not in {p.unit for p in scope}
            assert person.role not in {p.owner for p in scope}
        eligible = [p for p in manifest.organisation.people
                    if p.auditor and not conflict(p, manifest, scope, bool(entry.clauses))]
        assert len(entry.auditors) == min(team, len(eligible))
        assert len(set(entry.auditors)) == len(entry.auditors)


@SETTINGS
@given(org=organisations(neutral_auditors=True), team=st.integers(1, 3))
def test_load_is_balanced_when_everyone_may_audit(org: tuple[Manifest, list[Process]], team: int) -> None:
    manifest, procs = org
    prog = propose(workspace(manifest, procs), 2027, today=TODAY, team_size=team).programme
    auditors = [p.id for p in manifest.organisation.people if p.auditor]
    load = dict.fromkeys(auditors, 0)
    for entry in prog.audits:
        for a in entry.auditors:
            load[a] += 1
    assert max(load.values()) - min(load.values()) <= 1


@SETTINGS
@given(org=ORGS, cycle=st.sampled_from([3, 4, 6, 12]))
def test_priority_processes_are_audited_more_often_and_early(org: tuple[Manifest, list[Process]],
                                                             cycle: int) -> None:
    manifest, procs = org
    prop = propose(workspace(manifest, procs), 2027, cycle_months=cycle, today=TODAY)
    months = process_months(prop.programme)
    base = 12 // cycle
    for p in procs:
        pr = prop.priorities[p.id]
        expected = min(12, base * 2) if pr.is_priority else base
        assert len(months[p.id]) == expected
        if pr.is_priority:
            window = 12 // expected
            assert months[p.id][0] <= (window + 1) // 2


def test_risk_nonconformities_late_dossiers_and_changes_raise_priority() -> None:
    manifest, procs = _fixed()
    late = {"1.000003": 4}
    ncs = {"NC-2026-0001": {"process": "QT-02", "status": "open"},
           "NC-2026-0002": {"process": "QT-05", "status": "closed"}}
    prop = propose(workspace(manifest, procs), 2027, today=TODAY, late=late, nonconformities=ncs)
    pr = prop.priorities
    assert pr["QT-01"].high_risk
    assert pr["QT-01"].risk_id == "R1"
    assert pr["QT-01"].risk_score == 20
    assert pr["QT-02"].open_ncs == 1
    assert pr["QT-03"].late == 4
    assert pr["QT-04"].changed == dt.date(2026, 6, 1)
    assert not pr["QT-05"].is_priority
    assert pr["QT-05"].open_ncs == 0
    months = process_months(prop.programme)
    assert [len(months[f"QT-0{i}"]) for i in range(1, 6)] == [2, 2, 2, 2, 1]
    assert max(months[f"QT-0{i}"][0] for i in range(1, 5)) <= 3
    assert months["QT-05"][0] > 3
    reasons = {a.id: a.reason for a in prop.programme.audits}
    assert any("QT-03" in r and "4 late dossiers" in r for r in reasons.values())


def _fixed() -> tuple[Manifest, list[Process]]:
    manifest = Manifest.model_validate({
        "organisation": {"name": "Org", "units": [{"id": u, "name": u} for u in ("a", "b", "c")],
                         "roles": [{"id": "ra", "title": "A", "unit": "a"}, {"id": "rc", "title": "C", "unit": "c"}],
                         "people": [{"id": "x", "name": "X", "role": "rc", "unit": "c", "auditor": True}]},
        "scope": {"statement": "s"}, "policy": {"text": "p"}})

    def proc(i: int, **extra: Any) -> Process:
        data: dict[str, Any] = {"id": f"QT-0{i}", "title": "t", "kind": "core", "owner": "ra", "unit": "a",
                                "purpose": "p", "scope": "s", "document": {"code": f"QT-0{i}",
                                                                           "effective_date": "2020-01-01"}}
        data.update(extra)
        return Process.model_validate(data)

    return manifest, [
        proc(1, risks=[{"id": "R1", "description": "d", "likelihood": 4, "impact": 5},
                       {"id": "R2", "description": "d", "likelihood": 1, "impact": 1}]),
        proc(2),
        proc(3, administrative={"code": "1.000003", "time_limit": "2d"}),
        proc(4, document={"code": "QT-04", "effective_date": "2020-01-01",
                          "history": [{"revision": 2, "date": "2026-06-01", "summary": "s"}]}),
        proc(5),
    ]


def test_priority_reasons_are_readable() -> None:
    pr = Priority("QT-01", open_ncs=2, risk_score=12, risk_id="R1", late=3, changed=dt.date(2026, 5, 1))
    assert pr.reasons() == ["2 open nonconformities", "high risk R1 (score 12)", "3 late dossiers",
                            "changed on 01/05/2026"]


# -- the command ---------------------------------------------------------------------------------


def test_programme_command_json_write_and_refuse_overwrite(agency: Path, run_qms: Any) -> None:
    r = run_qms("--root", str(agency), "audit", "programme", "--year", "2027", "--format", "json",
                "--today", "2026-11-01")
    assert r.exit_code == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["year"] == 2027
    audited = {p for a in data["audits"] for p in a["processes"]}
    assert audited == {"QT-01", "QT-02"}
    for a in data["audits"]:
        assert 1 <= a["month"] <= 12
        assert a["reason"]
        assert a["auditors"], a
        if a["processes"]:
            assert set(a["auditors"]) <= {"dung", "giang"}  # binh and cuong work on both processes
        else:
            assert "dung" not in a["auditors"]  # responsible for objective MT-01
    assert not (agency / "audits").exists()

    r = run_qms("--root", str(agency), "audit", "programme", "--year", "2027", "--write")
    assert r.exit_code == 0, r.stderr
    path = agency / "audits" / "programme-2027.yaml"
    before = path.read_bytes()
    r = run_qms("--root", str(agency), "audit", "programme", "--year", "2027", "--write")
    assert r.exit_code == 2
    assert "already exists" in r.stderr
    assert "--force" in r.stderr
    assert path.read_bytes() == before
    # hand edit, re-check: moving QT-02 away leaves it unaudited
    text = path.read_text(encoding="utf-8").replace("- QT-02", "- QT-01")
    path.write_text(text, encoding="utf-8")
    r = run_qms("--root", str(agency), "check", "--no-cache", "--select", "QMS601", "--today", "2027-01-10")
    assert r.exit_code == 1
    assert "QT-02" in r.stdout
    r = run_qms("--root", str(agency), "audit", "programme", "--year", "2027", "--write", "--force")
    assert r.exit_code == 0
    r = run_qms("--root", str(agency), "check", "--no-cache", "--select", "QMS6", "--today", "2027-01-10")
    assert r.exit_code == 0, r.stdout
    r = run_qms("--root", str(agency), "audit", "programme", "--year", "2027", "--from-file", "--format", "html")
    assert r.exit_code == 0
    assert "<table>" in r.stdout
    assert "QT-02" in r.stdout


def test_programme_reads_kpi_json(agency: Path, run_qms: Any, tmp_path: Path) -> None:
    kpi = tmp_path / "kpi.json"
    kpi.write_text(json.dumps({"by": "procedure", "breakdown": [
        {"key": "1.000002", "late": 3, "overdue_in_progress": 1}, {"key": "QT-01", "late": 0}]}))
    r = run_qms("--root", str(agency), "audit", "programme", "--year", "2027", "--format", "json",
                "--kpi-json", str(kpi), "--today", "2026-11-01")
    assert r.exit_code == 0, r.stderr
    pri = {p["process"]: p for p in json.loads(r.stdout)["priorities"]}
    assert pri["QT-02"]["late_dossiers"] == 4
    assert pri["QT-02"]["priority"]
    assert pri["QT-01"]["late_dossiers"] == 0
    assert not pri["QT-01"]["priority"]


@pytest.mark.parametrize(("content", "message"), [
    ("{not json", "is not JSON"),
    ('{"by": "unit", "breakdown": []}', "no per-procedure breakdown"),
])
def test_programme_rejects_bad_kpi_json(agency: Path, run_qms: Any, tmp_path: Path, content: str,
                                        message: str) -> None:
    kpi = tmp_path / "kpi.json"
    kpi.write_text(content)
    r = run_qms("--root", str(agency), "audit", "programme", "--year", "2027", "--kpi-json", str(kpi))
    assert r.exit_code == 2
    assert message in r.stderr
    assert "Traceback" not in r.stderr


def test_written_programme_follows_on_from_last_years(example_copy: Path, run_qms: Any) -> None:
    """A programme proposed and written for the year after an existing one passes QMS601: each process
    is audited again within the cycle counted from its last audit of the previous year's programme."""
    r = run_qms("--root", str(example_copy), "audit", "programme", "--year", "2027", "--write",
                "--as-of", "2026-12-07")
    assert r.exit_code == 0, r.stderr
    r = run_qms("--root", str(example_copy), "check", "--no-cache", "--select", "QMS601", "--today", "2027-01-10")
    assert r.exit_code == 0, r.stdout
