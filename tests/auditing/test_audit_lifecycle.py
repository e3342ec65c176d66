"""Plan → checklist → record → finding (→ nonconformity) → report → close, through the real CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from qms.engine import CheckOptions, run_check
from qms.registers.nc import get_nc
from qms.store.audit_store import load_audit
from qms.store.workspace import load_workspace


def plan(run_qms: Any, root: Path, *extra: str) -> Any:
    return run_qms("--root", str(root), "audit", "plan", "--date", "2026-03-10", "--process", "QT-01",
                   "--lead", "dung", "--team", "giang", "--today", "2026-02-01", *extra)


@pytest.fixture
def planned(agency: Path, run_qms: Any) -> Path:
    r = plan(run_qms, agency)
    assert r.exit_code == 0, r.stderr
    r = run_qms("--root", str(agency), "audit", "checklist", "AUD-2026-01")
    assert r.exit_code == 0, r.stderr
    return agency


def test_plan_writes_a_complete_plan(planned: Path) -> None:
    audit = load_audit(planned, "AUD-2026-01")
    assert audit.state == "planned"
    p = audit.plan
    assert (p.lead, p.team, p.processes) == ("dung", ["giang"], ["QT-01"])
    assert p.scope.en == "QT-01 Certified copies"
    assert p.scope.vi == "QT-01 Chứng thực bản sao"
    assert [c.en for c in p.criteria][:1] == ["ISO 9001:2015 (TCVN ISO 9001:2015)"]
    assert "NĐ 23/2015/NĐ-CP" in [c.vi for c in p.criteria]
    assert p.auditees == ["tu_phap_ho_tich", "tu_phap"]
    assert p.agenda[0].activity.en == "Opening meeting"
    assert p.agenda[-1].activity.en == "Closing meeting"
    assert any("QT-01" in a.activity.en for a in p.agenda)


def test_plan_refuses_an_auditor_of_their_own_process(agency: Path, run_qms: Any) -> None:
    r = run_qms("--root", str(agency), "audit", "plan", "--date", "2026-03-10", "--process", "QT-01",
                "--lead", "binh")
    assert r.exit_code == 2
    assert "own work" in r.stderr
    assert "Traceback" not in r.stderr
    r = run_qms("--root", str(agency), "audit", "plan", "--date", "2026-03-10", "--process", "QT-01",
                "--lead", "an")
    assert r.exit_code == 2
    assert "not an auditor" in r.stderr
    r = run_qms("--root", str(agency), "audit", "plan", "--date", "2026-03-10", "--process", "QT-9",
                "--lead", "dung")
    assert r.exit_code == 2
    assert "unknown process" in r.stderr
    assert not (agency / "audits").exists()


def test_plan_takes_defaults_from_the_programme(agency: Path, run_qms: Any) -> None:
    assert run_qms("--root", str(agency), "audit", "programme", "--year", "2026", "--write").exit_code == 0
    prog = yaml.safe_load((agency / "audits" / "programme-2026.yaml").read_text(encoding="utf-8"))
    entry = prog["audits"][0]
    r = run_qms("--root", str(agency), "audit", "plan", entry["id"], "--date", f"2026-{entry['month']:02d}-15")
    assert r.exit_code == 0, r.stderr
    audit = load_audit(agency, entry["id"])
    assert audit.programme == 2026
    assert audit.plan.processes == entry["processes"]
    assert audit.plan.auditors == entry["auditors"]
    r = run_qms("--root", str(agency), "audit", "plan", entry["id"], "--date", "2026-03-10")
    assert r.exit_code == 2
    assert "already exists" in r.stderr


def test_plan_without_an_id_never_takes_a_programmed_id(agency: Path, run_qms: Any) -> None:
    """Issue 16 item 1: an unprogrammed audit gets an id that no programme entry or file uses."""
    root = str(agency)
    assert run_qms("--root", root, "audit", "programme", "--year", "2026", "--write").exit_code == 0
    prog = yaml.safe_load((agency / "audits" / "programme-2026.yaml").read_text(encoding="utf-8"))
    programmed = {a["id"] for a in prog["audits"]}
    assert programmed
    r = run_qms("--root", root, "audit", "plan", "--date", "2026-05-04", "--process", "QT-02", "--lead", "dung")
    assert r.exit_code == 0, r.stderr
    new = {p.stem for p in (agency / "audits").glob("AUD-*.yaml")}
    assert len(new) == 1
    assert not new & programmed
    # every programmed audit can still be planned under its own id
    entry = prog["audits"][0]
    r = run_qms("--root", root, "audit", "plan", entry["id"], "--date", f"2026-{entry['month']:02d}-15")
    assert r.exit_code == 0, r.stderr
    r = run_qms("--root", root, "check", "--select", "QMS608", "--format", "json")
    assert r.exit_code == 0, r.stdout


def test_a_programme_written_later_skips_the_ids_of_unprogrammed_audits(agency: Path, run_qms: Any) -> None:
    """Issue 16 item 1, the other way round: the programme does not reuse an unprogrammed audit's id."""
    root = str(agency)
    r = run_qms("--root", root, "audit", "plan", "--date", "2026-05-04", "--process", "QT-02", "--lead", "dung")
    assert r.exit_code == 0, r.stderr
    assert (agency / "audits" / "AUD-2026-01.yaml").is_file()
    assert run_qms("--root", root, "audit", "programme", "--year", "2026", "--write").exit_code == 0
    prog = yaml.safe_load((agency / "audits" / "programme-2026.yaml").read_text(encoding="utf-8"))
    ids = [a["id"] for a in prog["audits"]]
    assert "AUD-2026-01" not in ids
    assert len(ids) == len(set(ids))
    r = run_qms("--root", root, "check", "--select", "QMS608")
    assert r.exit_code == 0, r.stdout

def test_check_finds_an_audit_filed_under_a_programmed_id_with_another_scope(agency: Path, run_qms: Any) -> None:
    """Issue 16 item 1: `qms check` notices two scopes under one id."""
    root = str(agency)
    assert run_qms("--root", root, "audit", "programme", "--year", "2026", "--write").exit_code == 0
    prog = yaml.safe_load((agency / "audits" / "programme-2026.yaml").read_text(encoding="utf-8"))
    entry = prog["audits"][0]
    other = "QT-02" if "QT-02" not in entry["processes"] else "QT-01"
    r = run_qms("--root", root, "audit", "plan", entry["id"], "--date", f"2026-{entry['month']:02d}-15",
                "--process", other, "--lead", "dung")
    if r.exit_code != 0:  # the programmed auditor may be impartial only for the programmed scope
        r = run_qms("--root", root, "audit", "plan", entry["id"], "--date", f"2026-{entry['month']:02d}-15",
                    "--process", other, "--lead", "giang")
    assert r.exit_code == 0, r.stderr
    r = run_qms("--root", root, "check", "--select", "QMS608", "--format", "json")
    assert r.exit_code == 1, r.stdout
    found = json.loads(r.stdout)["diagnostics"]
    assert [d["code"] for d in found] == ["QMS608"]
    assert found[0]["path"] == f"audits/{entry['id']}.yaml"

def test_checklist_questions_are_specific_and_bilingual(planned: Path) -> None:
    items = load_audit(planned, "AUD-2026-01").checklist
    en = {i.source: i.question.en for i in items}
    vi = {i.source: i.question.vi for i in items}
    assert en["steps/B3"] == ("Is step B3 'Examine the dossier' done by the Justice Division within 2 working "
                              "days? Sample 5 dossiers from the dossier tracking log (BM-06).")
    assert vi["steps/B3"] == ("Bước B3 'Thẩm định hồ sơ' có do Phòng Tư pháp thực hiện trong vòng 2 ngày làm việc "
                              "không? Lấy mẫu 5 hồ sơ từ sổ theo dõi hồ sơ (BM-06).")
    assert en["records/BM-03"].startswith("Are records BM-03 'Certification register' kept for 5 years at the "
                                          "stated location (Justice Division archive)")
    assert "Phòng Tư pháp" in vi["records/BM-03"]
    assert "5 năm" in vi["records/BM-03"]
    assert en["kpis/KPI-1"].startswith("Is the KPI KPI-1 'On-time rate' measured monthly")
    assert "2 working days" in en["administrative/time_limit"]
    assert "BM-01" in en["forms/BM-01"]
    assert "R-1" in en["risks/R-1"]
    generic = [i for i in items if i.source.startswith("clause/")]
    assert {i.clause for i in generic} >= {"8.1", "8.5", "7.5"}
    assert all(i.question.vi and i.question.en and i.question.vi != i.question.en for i in items
               if i.source.startswith("clause/"))
    assert [i.id for i in items] == [f"Q{n:02d}" for n in range(1, len(items) + 1)]
    # the clause of each question is a real 2015 clause
    from qms.standards import clause_exists

    assert all(clause_exists(i.clause) for i in items)


def test_a_minor_finding_raises_a_linked_nonconformity(planned: Path, run_qms: Any) -> None:
    root = str(planned)
    r = run_qms("--root", root, "audit", "record", "AUD-2026-01", "Q01", "Q02", "--result", "conforming",
                "--evidence", "dossiers 001-005", "--by", "dung", "--date", "2026-03-10")
    assert r.exit_code == 0, r.stderr
    assert load_audit(planned, "AUD-2026-01").state == "in_progress"
    r = run_qms("--root", root, "audit", "finding", "AUD-2026-01", "--grade", "minor", "--item", "Q03",
                "--statement", "Two of five dossiers were examined in 3 days", "--evidence", "dossiers 002, 004",
                "--date", "2026-03-10")
    assert r.exit_code == 0, r.stderr
    assert "NC-2026-0001" in r.stdout
    r = run_qms("--root", root, "audit", "finding", "AUD-2026-01", "--grade", "ofi",
                "--statement", "An electronic queue would help", "--date", "2026-03-10")
    assert r.exit_code == 0, r.stderr
    audit = load_audit(planned, "AUD-2026-01")
    f1, f2 = audit.findings
    assert (f1.id, f1.grade, f1.nc, f1.process, f1.clause) == ("F01", "minor", "NC-2026-0001", "QT-01", "8.5.1")
    assert (f2.grade, f2.nc) == ("ofi", "")
    nc = get_nc(planned, "NC-2026-0001")
    assert (nc.audit, nc.finding, nc.source, nc.severity, nc.process) == (
        "AUD-2026-01", "F01", "internal_audit", "minor", "QT-01")
    assert nc.evidence == "dossiers 002, 004"
    assert nc.raised_by == "Phạm Thị Dung"
    report = run_check(load_workspace(planned), CheckOptions(select=["QMS604"]))
    assert report.diagnostics == []
    # break the back link: the rule notices
    path = planned / "records" / "nonconformities" / "NC-2026-0001.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("finding: F01", "finding: F09"), encoding="utf-8")
    report = run_check(load_workspace(planned), CheckOptions(select=["QMS604"]))
    assert [d.code for d in report.diagnostics] == ["QMS604"]


def test_finding_statement_in_two_languages(planned: Path, run_qms: Any) -> None:
    root = str(planned)
    r = run_qms("--root", root, "audit", "finding", "AUD-2026-01", "--grade", "observation",
                "--statement", "Sổ theo dõi hồ sơ ghi thiếu giờ tiếp nhận",
                "--statement-en", "The dossier log misses the time of receipt", "--date", "2026-03-10")
    assert r.exit_code == 0, r.stderr
    [f] = load_audit(planned, "AUD-2026-01").findings
    assert f.statement.vi == "Sổ theo dõi hồ sơ ghi thiếu giờ tiếp nhận"
    assert f.statement.en == "The dossier log misses the time of receipt"


def test_major_finding_needs_evidence_and_nothing_is_written_on_error(planned: Path, run_qms: Any) -> None:
    path = planned / "audits" / "AUD-2026-01.yaml"
    before = path.read_bytes()
    r = run_qms("--root", str(planned), "audit", "finding", "AUD-2026-01", "--grade", "major",
                "--statement", "No register")
    assert r.exit_code == 2
    assert "evidence" in r.stderr
    r = run_qms("--root", str(planned), "audit", "finding", "AUD-2026-01", "--grade", "severe",
                "--statement", "x", "--evidence", "y")
    assert r.exit_code == 2
    assert "unknown grade" in r.stderr
    assert path.read_bytes() == before
    assert not (planned / "records" / "nonconformities").exists()


def _complete(root: Path, run_qms: Any) -> None:
    r = run_qms("--root", str(root), "audit", "record", "AUD-2026-01", "--remaining", "--result", "conforming",
                "--evidence", "seen", "--date", "2026-03-10")
    assert r.exit_code == 0, r.stderr


def test_state_machine_refuses_invalid_transitions(planned: Path, run_qms: Any) -> None:
    root = str(planned)
    path = planned / "audits" / "AUD-2026-01.yaml"

    def refused(*args: str) -> None:
        before = path.read_bytes()
        r = run_qms("--root", root, "audit", *args)
        assert r.exit_code == 1, (args, r.stdout, r.stderr)
        assert path.read_bytes() == before
        assert "Traceback" not in r.stderr

    refused("report", "AUD-2026-01", "--summary", "s", "--conclusions", "c")  # planned
    refused("close", "AUD-2026-01")  # planned
    run_qms("--root", root, "audit", "record", "AUD-2026-01", "Q01", "--result", "conforming", "--evidence", "ok",
            "--date", "2026-03-10")
    refused("report", "AUD-2026-01", "--summary", "s", "--conclusions", "c")  # items without result
    refused("checklist", "AUD-2026-01")  # would lose results without --force
    _complete(planned, run_qms)
    r = run_qms("--root", root, "audit", "report", "AUD-2026-01", "--summary", "Effective",
                "--conclusions", "Conforms", "--date", "2026-03-12", "--distribute", "chu_tich")
    assert r.exit_code == 0, r.stderr
    refused("record", "AUD-2026-01", "Q01", "--result", "not_audited")
    refused("finding", "AUD-2026-01", "--grade", "ofi", "--statement", "late idea")
    refused("report", "AUD-2026-01", "--summary", "s", "--conclusions", "c")
    r = run_qms("--root", root, "audit", "close", "AUD-2026-01", "--date", "2026-03-13")
    assert r.exit_code == 0, r.stderr
    refused("close", "AUD-2026-01")
    audit = load_audit(planned, "AUD-2026-01")
    assert audit.state == "closed"
    assert audit.closed is not None
    assert [h.state for h in audit.history] == ["planned", "in_progress", "reported", "closed"]


def test_list_and_show_json(planned: Path, run_qms: Any) -> None:
    _complete(planned, run_qms)
    r = run_qms("--root", str(planned), "audit", "list", "--format", "json")
    assert r.exit_code == 0
    rows = json.loads(r.stdout)
    assert rows[0]["id"] == "AUD-2026-01"
    assert rows[0]["state"] == "in_progress"
    assert rows[0]["checklist"]["conforming"] == len(load_audit(planned, "AUD-2026-01").checklist)
    r = run_qms("--root", str(planned), "audit", "show", "AUD-2026-01", "--format", "json")
    data = json.loads(r.stdout)
    assert data["plan"]["lead"] == "dung"
    assert data["summary"]["findings"]["major"] == 0
    r = run_qms("--root", str(planned), "audit", "show", "AUD-2026-99")
    assert r.exit_code == 1
    assert "does not exist" in r.stderr
    r = run_qms("--root", str(planned), "audit", "show", "nonsense")
    assert r.exit_code == 2
    assert "not a valid audit id" in r.stderr


def test_a_broken_audit_file_is_reported_with_its_location(planned: Path, run_qms: Any) -> None:
    path = planned / "audits" / "AUD-2026-01.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("state: planned", "state: finished"), encoding="utf-8")
    r = run_qms("--root", str(planned), "audit", "show", "AUD-2026-01")
    assert r.exit_code == 2
    assert "audits/AUD-2026-01.yaml:" in r.stderr
    assert "Traceback" not in r.stderr


def test_written_audit_files_carry_no_yaml_anchors(planned: Path, run_qms: Any) -> None:
    """Issue 16 item 8: record, report and close write plain YAML that a person can edit (no &id001/*id001)."""
    root = str(planned)
    _complete(planned, run_qms)
    r = run_qms("--root", root, "audit", "finding", "AUD-2026-01", "--grade", "minor", "--item", "Q03",
                "--statement", "Two dossiers late", "--evidence", "dossiers 002, 004", "--date", "2026-03-10")
    assert r.exit_code == 0, r.stderr
    r = run_qms("--root", root, "audit", "report", "AUD-2026-01", "--summary", "Effective",
                "--conclusions", "Conforms", "--date", "2026-03-12", "--distribute", "chu_tich")
    assert r.exit_code == 0, r.stderr
    r = run_qms("--root", root, "audit", "close", "AUD-2026-01", "--date", "2026-03-13")
    assert r.exit_code == 0, r.stderr
    written = [planned / "audits" / "AUD-2026-01.yaml", *sorted((planned / "audits").glob("programme-*.yaml")),
               *sorted((planned / "records" / "nonconformities").glob("NC-*.yaml"))]
    for path in written:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"[&*]id\d{3}", text), (path.name, text)
    assert load_audit(planned, "AUD-2026-01").state == "closed"


def test_report_recipients_are_people_roles_or_units(planned: Path, run_qms: Any) -> None:
    """Issue 16 item 3: `audit report --distribute` refuses unknown recipients and writes nothing."""
    _complete(planned, run_qms)
    path = planned / "audits" / "AUD-2026-01.yaml"
    before = path.read_bytes()
    r = run_qms("--root", str(planned), "audit", "report", "AUD-2026-01", "--summary", "s", "--conclusions", "c",
                "--date", "2026-03-12", "--distribute", "ong_khong_ton_tai")
    assert r.exit_code == 2
    assert "ong_khong_ton_tai" in r.stderr
    assert path.read_bytes() == before
    r = run_qms("--root", str(planned), "audit", "report", "AUD-2026-01", "--summary", "s", "--conclusions", "c",
                "--date", "2026-03-12", "--distribute", "Nguyễn Văn An", "--distribute", "thu_ky_iso",
                "--distribute", "mot_cua")
    assert r.exit_code == 0, r.stderr
    report = load_audit(planned, "AUD-2026-01").report
    assert report is not None
    assert report.distribution == ["an", "thu_ky_iso", "mot_cua"]


def test_auditors_writing_at_once_lose_nothing(planned: Path) -> None:
    """Two auditors of a team record at the same moment (real processes): every finding and every
    result is kept, each finding has its own id, and each nonconformity it opened links back to it."""
    import subprocess
    import sys

    base = [sys.executable, "-m", "qms", "--root", str(planned), "audit"]
    day = ["--date", "2026-03-10"]
    jobs = [[*base, "finding", "AUD-2026-01", "--grade", "minor", "--statement", f"Finding {i}",
             "--evidence", f"dossier {i}", *day] for i in range(4)]
    jobs += [[*base, "record", "AUD-2026-01", f"Q0{i + 1}", "--result", "conforming", "--evidence", f"seen {i}",
              *day] for i in range(4)]
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for cmd in jobs]
    for p in procs:
        _out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    audit = load_audit(planned, "AUD-2026-01")
    assert sorted(f.statement.en for f in audit.findings) == [f"Finding {i}" for i in range(4)]
    assert len({f.id for f in audit.findings}) == 4
    assert [i.result for i in audit.checklist[:4]] == ["conforming"] * 4
    for f in audit.findings:
        assert f.nc is not None
        nc = get_nc(planned, f.nc)
        assert (nc.audit, nc.finding) == ("AUD-2026-01", f.id)
