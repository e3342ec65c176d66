"""Item 23: `qms people reassign OLD NEW` hands open work to a successor; closed records keep the old name."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from nc_helpers import NEW_ARGS, load_nc, qms_proc

from qms.models.audit import Audit

BASE = Path(__file__).resolve().parent.parent / "rules" / "base"

OPEN_AUDIT = """\
id: AUD-2026-01
state: planned
plan:
  scope: QT-01
  processes: [QT-01]
  date: 2026-09-20
  lead: binh
  team: [cuong]
  agenda:
    - {time: '08:00-09:00', activity: Opening meeting, who: [binh, cuong]}
"""
CLOSED_AUDIT = """\
id: AUD-2026-02
state: closed
plan: {scope: QT-01, processes: [QT-01], date: 2026-02-10, lead: binh}
report: {issued: 2026-02-12, by: binh, summary: Done, conclusions: Conforming}
closed: 2026-02-15
"""


def _ok(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    proc = qms_proc(root, *args)
    assert proc.returncode == 0, (args, proc.stdout, proc.stderr)
    return proc


@pytest.fixture(scope="module")
def _office_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Binh owns an open action (NC-2026-0001), a done one on a closed record (NC-2026-0002), leads an open
    and a closed audit, and prepares a draft revision of QT-01."""
    repo = tmp_path_factory.mktemp("office") / "repo"
    shutil.copytree(BASE, repo)
    _ok(repo, *NEW_ARGS, "--date", "2026-03-02")
    _ok(repo, "nc", "correct", "NC-2026-0001", "--description", "Trả kết quả", "--by", "Lê Văn Cường", "--date", "2026-03-02")
    _ok(repo, "nc", "analyse", "NC-2026-0001", "--method", "five-why", "--why", "Chờ ký", "--root-cause", "Thiếu ủy quyền",
        "--similar", "Không có", "--by", "Lê Văn Cường", "--date", "2026-03-03")
    _ok(repo, "nc", "plan", "NC-2026-0001", "--action", "Ban hành ủy quyền", "--owner", "binh", "--due", "2026-09-30",
        "--by", "Lê Văn Cường", "--date", "2026-03-04")
    _ok(repo, "nc", "plan", "NC-2026-0001", "--action", "Tập huấn", "--owner", "chu_tich", "--due", "2026-09-30",
        "--by", "Lê Văn Cường", "--date", "2026-03-04")
    _ok(repo, *NEW_ARGS, "--date", "2026-03-02")
    for args in (["correct", "--description", "Trả kết quả"],
                 ["analyse", "--method", "five-why", "--why", "Chờ ký", "--root-cause", "R", "--similar", "Không"],
                 ["plan", "--action", "Ban hành", "--owner", "Trần Thị Bình", "--due", "2026-03-20"],
                 ["implement"], ["verify", "--effective", "yes", "--evidence", "Không còn trễ"], ["close"]):
        _ok(repo, "nc", args[0], "NC-2026-0002", *args[1:], "--by", "Lê Văn Cường", "--date", "2026-03-10")
    (repo / "audits").mkdir()
    (repo / "audits/AUD-2026-01.yaml").write_text(OPEN_AUDIT, encoding="utf-8")
    (repo / "audits/AUD-2026-02.yaml").write_text(CLOSED_AUDIT, encoding="utf-8")
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    _ok(repo, "doc", "revise", "QT-01", "--summary", "Cập nhật biểu mẫu", "--by", "Trần Thị Bình")
    return repo


@pytest.fixture
def office(_office_template: Path, tmp_path: Path) -> Path:
    """A private copy of the office (built once per module by the commands above), git history included."""
    return Path(shutil.copytree(_office_template, tmp_path / "repo", symlinks=True))


def _snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*.yaml"))
            if ".git" not in p.parts}


def _audit(root: Path, name: str) -> Audit:
    return Audit.model_validate(yaml.safe_load((root / "audits" / name).read_text(encoding="utf-8")))


def test_dry_run_lists_every_change_and_writes_nothing(office: Path) -> None:
    """--dry-run prints the open work that would move and leaves every file byte for byte."""
    before = _snapshot(office)
    proc = _ok(office, "people", "reassign", "Trần Thị Bình", "cuong", "--dry-run")
    out = proc.stdout
    assert "NC-2026-0001  actions/CA-1/owner: Trần Thị Bình → Lê Văn Cường" in out
    assert "AUD-2026-01  plan/lead: binh → cuong" in out
    assert "QT-01  document/prepared_by: Trần Thị Bình → Lê Văn Cường" in out
    assert "NC-2026-0002" not in out and "AUD-2026-02" not in out and "CA-2" not in out
    assert "dry run" in out
    assert _snapshot(office) == before


def test_reassign_moves_open_work_and_keeps_closed_records(office: Path) -> None:
    """Open action, open audit roles and the draft's preparer move, each record with a history entry;
    the closed NC and the closed audit keep the old name."""
    closed_nc = (office / "records/nonconformities/NC-2026-0002.yaml").read_bytes()
    closed_audit = (office / "audits/AUD-2026-02.yaml").read_bytes()
    _ok(office, "people", "reassign", "binh", "Lê Văn Cường", "--by", "Nguyễn Văn An", "--date", "2026-06-01")
    nc = load_nc(office / "records/nonconformities/NC-2026-0001.yaml")
    assert [a.owner for a in nc.actions] == ["Lê Văn Cường", "chu_tich"]
    entry = nc.history[-1]
    assert (entry.transition, entry.status, entry.by) == ("reassign", "planned", "Nguyễn Văn An")
    assert (entry.field, entry.old, entry.new) == ("actions/CA-1/owner", "Trần Thị Bình", "Lê Văn Cường")
    audit = _audit(office, "AUD-2026-01.yaml")
    assert audit.plan.lead == "cuong" and audit.plan.team == []
    assert audit.plan.agenda[0].who == ["cuong"]
    assert audit.history[-1].state == "planned" and "binh" in audit.history[-1].note
    control = yaml.safe_load((office / "processes/QT-01.yaml").read_text(encoding="utf-8"))["document"]
    assert control["state"] == "draft" and control["prepared_by"]["name"] == "Lê Văn Cường"
    assert (office / "records/nonconformities/NC-2026-0002.yaml").read_bytes() == closed_nc
    assert (office / "audits/AUD-2026-02.yaml").read_bytes() == closed_audit
    assert _audit(office, "AUD-2026-02.yaml").plan.lead == "binh"  # a valid closed audit, read and left
    check = qms_proc(office, "check", "--select", "QMS5")
    assert "QMS508" not in check.stdout and "QMS510" not in check.stdout, check.stdout
    again = _ok(office, "people", "reassign", "binh", "cuong", "--by", "Nguyễn Văn An")
    assert "nothing to reassign" in again.stdout


def test_unknown_successor_and_non_auditor_are_refused(office: Path) -> None:
    """NEW must be a person of qms.yaml; audit roles go only to an auditor; nothing is written on refusal."""
    before = _snapshot(office)
    unknown = qms_proc(office, "people", "reassign", "binh", "Ông Không Tồn Tại", "--by", "Nguyễn Văn An")
    assert unknown.returncode == 2 and "organisation.people" in unknown.stderr
    assert "Traceback" not in unknown.stderr
    not_auditor = qms_proc(office, "people", "reassign", "binh", "an", "--by", "Nguyễn Văn An")
    assert not_auditor.returncode == 2 and "auditor" in not_auditor.stderr
    same = qms_proc(office, "people", "reassign", "binh", "Trần Thị Bình", "--by", "Nguyễn Văn An")
    assert same.returncode == 2
    assert _snapshot(office) == before


def test_messages_are_translated(office: Path) -> None:
    """Under --lang vi the summary line is Vietnamese."""
    proc = _ok(office, "--lang", "vi", "people", "reassign", "binh", "cuong", "--dry-run")
    assert "dry run" not in proc.stdout and "thay đổi" in proc.stdout


def test_date_before_a_records_last_step_is_refused_before_any_write(office: Path) -> None:
    """A hand-over dated before an open record's last step is refused up front: no file is half-updated."""
    before = _snapshot(office)
    proc = qms_proc(office, "people", "reassign", "binh", "cuong", "--by", "Nguyễn Văn An", "--date", "2026-03-03")
    assert proc.returncode == 2 and "NC-2026-0001" in proc.stderr and "Traceback" not in proc.stderr
    assert _snapshot(office) == before


def test_a_hand_over_dated_before_the_audits_last_step_is_refused(office: Path) -> None:
    """R8: `--date` before the last history step of an audit was written as that step's date instead (the
    record said the hand-over happened on another day); it is refused, as for a nonconformity, before
    anything is written."""
    path = office / "audits" / "AUD-2026-01.yaml"
    path.write_text(OPEN_AUDIT + "history:\n  - {state: planned, date: 2026-07-01, by: An}\n", encoding="utf-8")
    before = _snapshot(office)
    proc = qms_proc(office, "people", "reassign", "binh", "cuong", "--by", "Nguyễn Văn An", "--date", "2026-06-15")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "AUD-2026-01 (2026-07-01)" in proc.stderr and "2026-06-15" in proc.stderr
    assert _snapshot(office) == before


REPORTED_AUDIT = """\
id: AUD-2026-03
state: reported
plan: {scope: QT-01, processes: [QT-01], date: 2026-04-10, lead: binh, team: [cuong]}
report: {issued: 2026-04-12, by: binh, summary: Hai phát hiện, conclusions: Phù hợp một phần}
"""


def test_a_reported_audit_keeps_who_audited(office: Path) -> None:
    """A reported audit is evidence of who audited: its lead and team keep their names (what is left,
    the findings' follow-up, is carried by the nonconformities), and the command says it left it."""
    path = office / "audits" / "AUD-2026-03.yaml"
    path.write_text(REPORTED_AUDIT, encoding="utf-8")
    before = path.read_bytes()
    proc = _ok(office, "people", "reassign", "binh", "cuong", "--by", "Nguyễn Văn An", "--date", "2026-06-01")
    assert path.read_bytes() == before
    assert "AUD-2026-03: reported" in proc.stderr and "keep their names" in proc.stderr
    assert "not a readable" not in proc.stderr  # the closed and the reported audit were read, and left
    assert _audit(office, "AUD-2026-01.yaml").plan.lead == "cuong"  # the planned audit still moves
    vi = qms_proc(office, "--lang", "vi", "people", "reassign", "binh", "cuong", "--dry-run")
    assert "AUD-2026-03: đã báo cáo" in vi.stderr
