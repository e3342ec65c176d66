"""The register through its commands: create, the 10.2.1 lifecycle, refusals, listing, show, stats."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from nc_helpers import NEW_ARGS, load_nc, qms_proc

from qms.engine import CheckOptions, run_check
from qms.errors import InvalidTransition, RecordNotFound, UsageError
from qms.registers import nc as reg
from qms.store.workspace import load_workspace

D = dt.date


def _new(root: Path, **kw: Any) -> Any:
    values: dict[str, Any] = {"process": "QT-01", "title": "Trả kết quả trễ hạn",
                              "description": "Hồ sơ chứng thực trả trễ 1 ngày", "source": "late_dossier",
                              "severity": "minor", "clause": "8.5.1", "by": "Lê Văn Cường",
                              "today": D(2026, 3, 2)}
    values.update(kw)
    return reg.create_nc(root, **values)


MARCH_2 = D(2026, 3, 2)


def _to_closed(root: Path, nc_id: str, start: D = MARCH_2) -> None:
    reg.correct(root, nc_id, description="Trả kết quả, xin lỗi công dân", by="Lê Văn Cường", today=start)
    reg.analyse(root, nc_id, method="five-why", whys=["Chờ ký", "Lãnh đạo đi công tác"],
                root_cause="Chưa có ủy quyền ký thay", similar="Rà soát QT-01: không có", by="Lê Văn Cường",
                today=start + dt.timedelta(days=1))
    reg.plan(root, nc_id, action="Ban hành quyết định ủy quyền", owner="chu_tich", due=5, by="Lê Văn Cường",
             today=start + dt.timedelta(days=2))
    reg.implement(root, nc_id, by="Lê Văn Cường", today=start + dt.timedelta(days=5))
    reg.verify(root, nc_id, effective=True, evidence="Sổ theo dõi tháng sau không có hồ sơ trễ", by="Trần Thị Bình",
               today=start + dt.timedelta(days=30))
    reg.close(root, nc_id, risk_update="Thêm rủi ro R-02", by="Trần Thị Bình", today=start + dt.timedelta(days=31))


def _qms5(root: Path, today: D) -> list[str]:
    report = run_check(load_workspace(root), CheckOptions(today=today, profile="strict"))
    return [f"{d.location.render()} {d.code} {d.message}" for d in report.diagnostics
            if d.location.path.startswith("records/nonconformities") or d.code.startswith("QMS5")]


def test_create_allocates_sequential_ids_and_writes_valid_files(repo: Path) -> None:
    first = _new(repo)
    (repo / "audits" / "AUD-2026-01").mkdir(parents=True)  # the audit the finding comes from
    second = _new(repo, source="internal", severity="major", audit="AUD-2026-01", finding="F-1")
    assert (first.id, second.id) == ("NC-2026-0001", "NC-2026-0002")
    assert second.source == "internal_audit"
    on_disk = load_nc(repo / "records/nonconformities/NC-2026-0002.yaml")
    assert on_disk == second
    assert [h.transition for h in on_disk.history] == ["create"]
    assert on_disk.history[0].by == "Lê Văn Cường"
    assert _new(repo, today=D(2027, 1, 4)).id == "NC-2027-0001"


def test_full_lifecycle_passes_check(repo: Path) -> None:
    nc = _new(repo)
    _to_closed(repo, nc.id)
    done = reg.get_nc(repo, nc.id)
    assert done.status == "closed"
    assert [h.status for h in done.history] == [
        "open", "contained", "analysed", "planned", "implemented", "verified", "closed"]
    assert done.actions[0].due == D(2026, 3, 11)  # 5 working days after Wed 4 March
    assert done.review_due is None
    assert done.closed_on == D(2026, 4, 2)
    assert done.risk_update == "Thêm rủi ro R-02"
    assert _qms5(repo, D(2026, 6, 1)) == []


def test_due_dates_skip_vietnamese_public_holidays(repo: Path) -> None:
    nc = _new(repo, today=D(2026, 4, 24))
    reg.correct(repo, nc.id, description="x", by="an", today=D(2026, 4, 24))
    reg.analyse(repo, nc.id, method="fishbone", fishbone={"people": ["thiếu người"]}, root_cause="r",
                similar="s", by="an", today=D(2026, 4, 24))
    planned = reg.plan(repo, nc.id, action="a", owner="chu_tich", due=3, by="an", today=D(2026, 4, 24))
    # Fri 24 April 2026: 27 April (Hung Kings), 30 April and 1 May are days off, so the third
    # working day is Mon 4 May (weekends alone would give Wed 29 April)
    assert planned.actions[0].due == D(2026, 5, 4)


def test_invalid_transition_exit_1_and_nothing_written(repo: Path) -> None:
    created = qms_proc(repo, *NEW_ARGS)
    assert created.returncode == 0, created.stderr
    path = repo / "records/nonconformities/NC-2026-0001.yaml"
    before = path.read_bytes()
    result = qms_proc(repo, "nc", "close", "NC-2026-0001", "--by", "an")
    assert result.returncode == 1
    assert "cannot close NC-2026-0001: its status is `open`" in result.stderr
    assert "allowed next steps: correct, reject" in result.stderr
    assert "Traceback" not in result.stderr
    assert path.read_bytes() == before


def test_unknown_process_exit_2_with_suggestion(repo: Path) -> None:
    args = list(NEW_ARGS)
    args[args.index("QT-01")] = "QT-1"
    result = qms_proc(repo, *args)
    assert result.returncode == 2
    assert "unknown process 'QT-1'" in result.stderr
    assert "did you mean `QT-01`?" in result.stderr
    assert not (repo / "records/nonconformities").exists() or not list(
        (repo / "records/nonconformities").glob("*.yaml"))


def test_new_json_prints_the_record_on_one_line(run_qms: Callable[..., Any], repo: Path) -> None:
    result = run_qms(*NEW_ARGS, "--format", "json", cwd=repo)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.count("\n") == 1
    data = json.loads(result.stdout)
    assert data["id"] == "NC-2026-0001"
    assert data["status"] == "open"
    assert data["process"] == "QT-01"


def test_closed_record_is_never_changed_except_by_logged_reopen(repo: Path) -> None:
    nc = _new(repo)
    _to_closed(repo, nc.id)
    path = repo / "records/nonconformities" / f"{nc.id}.yaml"
    before = path.read_bytes()
    for attempt in (lambda: reg.correct(repo, nc.id, description="x", by="an", today=D(2026, 5, 1)),
                    lambda: reg.reject(repo, nc.id, reason="x", by="an", today=D(2026, 5, 1)),
                    lambda: reg.close(repo, nc.id, by="an", today=D(2026, 5, 1))):
        with pytest.raises(InvalidTransition, match="is closed"):
            attempt()
    assert path.read_bytes() == before
    reopened = reg.reopen(repo, nc.id, reason="Tái diễn trong tháng 5", by="Trần Thị Bình", today=D(2026, 5, 5))
    assert reopened.status == "contained"
    assert reopened.closed_on is None
    assert reopened.history[-1].transition == "reopen"
    assert reopened.history[-1].note == "Tái diễn trong tháng 5"
    assert len(reopened.history) == 8


def test_ineffective_review_reopens_the_analysis_and_keeps_the_old_one(repo: Path) -> None:
    nc = _new(repo)
    reg.correct(repo, nc.id, description="c", by="an", today=D(2026, 3, 2))
    reg.analyse(repo, nc.id, method="five-why", whys=["w"], root_cause="first cause", similar="s", by="an",
                today=D(2026, 3, 2))
    reg.plan(repo, nc.id, action="a1", owner="chu_tich", due=D(2026, 3, 20), by="an", today=D(2026, 3, 3))
    reg.implement(repo, nc.id, by="an", today=D(2026, 3, 10))
    back = reg.verify(repo, nc.id, effective=False, evidence="vẫn trễ", by="binh", today=D(2026, 4, 10))
    assert back.status == "contained"
    again = reg.analyse(repo, nc.id, method="fishbone", fishbone={"method": ["quy trình thiếu bước"]},
                        root_cause="second cause", similar="s2", by="an", today=D(2026, 4, 11))
    assert again.cause is not None
    assert again.cause.root_cause == "second cause"
    assert [c.root_cause for c in again.previous_analyses] == ["first cause"]
    assert again.reviews[0].effective is False


def test_partial_implementation_stays_planned(repo: Path) -> None:
    nc = _new(repo)
    reg.correct(repo, nc.id, description="c", by="an", today=D(2026, 3, 2))
    reg.analyse(repo, nc.id, method="five-why", whys=["w"], root_cause="r", similar="s", by="an",
                today=D(2026, 3, 2))
    reg.plan(repo, nc.id, action="a1", owner="chu_tich", due=D(2026, 3, 20), by="an", today=D(2026, 3, 3))
    reg.plan(repo, nc.id, action="a2", owner="chu_tich", due=D(2026, 3, 25), by="an", today=D(2026, 3, 3))
    half = reg.implement(repo, nc.id, actions=["CA-2"], by="an", today=D(2026, 3, 9))
    assert half.status == "planned"
    assert [a.id for a in half.pending_actions()] == ["CA-1"]
    with pytest.raises(UsageError, match="CA-2 is already done"):
        reg.implement(repo, nc.id, actions=["CA-2"], by="an", today=D(2026, 3, 9))
    full = reg.implement(repo, nc.id, by="an", today=D(2026, 3, 10), review_in=10)
    assert full.status == "implemented"
    assert full.review_due == D(2026, 3, 24)


def test_reject_needs_reason_and_is_final(repo: Path) -> None:
    nc = _new(repo)
    rejected = reg.reject(repo, nc.id, reason="Hồ sơ được gia hạn hợp lệ", by="an", today=D(2026, 3, 3))
    assert rejected.status == "rejected"
    assert rejected.rejection_reason == "Hồ sơ được gia hạn hợp lệ"
    with pytest.raises(InvalidTransition):
        reg.correct(repo, nc.id, description="x", by="an", today=D(2026, 3, 4))
    assert _qms5(repo, D(2026, 6, 1)) == []


def test_backdating_before_the_last_step_is_refused(repo: Path) -> None:
    nc = _new(repo, today=D(2026, 3, 10))
    with pytest.raises(UsageError, match="before the record's last step"):
        reg.correct(repo, nc.id, description="x", by="an", today=D(2026, 3, 9))


def test_unknown_record_suggests_the_nearest(repo: Path) -> None:
    _new(repo)
    with pytest.raises(RecordNotFound) as exc:
        reg.get_nc(repo, "NC-2026-0010")
    assert "NC-2026-0001" in exc.value.hint
    with pytest.raises(UsageError) as bad:  # malformed: refused before any path is built, still helped
        reg.get_nc(repo, "NC-2026-001")
    assert "NC-2026-0001" in bad.value.hint


def test_actor_defaults_to_git_user_name(repo: Path) -> None:
    """Git's user.name names a person of qms.yaml (here without diacritics): recorded as qms.yaml spells it."""
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run(["git", "-C", str(repo), "config", "user.name", "le van cuong"], check=True)
    nc = _new(repo, by=None)
    assert nc.raised_by == "Lê Văn Cường"
    assert nc.history[0].by == "Lê Văn Cường"


def test_hand_edited_invalid_record_is_a_located_error(run_qms: Callable[..., Any], repo: Path) -> None:
    nc = _new(repo)
    path = repo / "records/nonconformities" / f"{nc.id}.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("severity: minor", "severity: huge"),
                    encoding="utf-8")
    result = run_qms("nc", "correct", nc.id, "--description", "x", "--by", "an", cwd=repo)
    assert result.exit_code == 2
    assert f"records/nonconformities/{nc.id}.yaml:7:11" in result.stderr  # line 1: the schema comment
    assert "Traceback" not in result.stderr


def _populate(repo: Path) -> None:
    a = _new(repo)  # 0001 closed
    _to_closed(repo, a.id)
    b = _new(repo, source="complaint", severity="major", clause="8.2.1", today=D(2026, 4, 6))  # 0002 planned
    reg.correct(repo, b.id, description="c", by="an", today=D(2026, 4, 6))
    reg.analyse(repo, b.id, method="five-why", whys=["w"], root_cause="r", similar="s", by="an",
                today=D(2026, 4, 6))
    reg.plan(repo, b.id, action="a", owner="chu_tich", due=D(2026, 4, 30), by="an", today=D(2026, 4, 7))
    _new(repo, source="monitoring", clause=None, today=D(2026, 4, 20))  # 0003 open


def test_list_filters_and_formats(run_qms: Callable[..., Any], repo: Path) -> None:
    _populate(repo)
    res = run_qms("nc", "list", "--format", "json", "--today", "2026-05-04", cwd=repo)
    rows = json.loads(res.stdout)
    assert [r["id"] for r in rows] == ["NC-2026-0001", "NC-2026-0002", "NC-2026-0003"]
    # due 30/04/2026, a day off: it runs to the end of Monday 04/05 (Civil Code 2015 Art. 148(5))
    assert json.loads(run_qms("nc", "list", "--overdue", "--today", "2026-05-04", "--format", "json",
                              cwd=repo).stdout) == []
    overdue = json.loads(run_qms("nc", "list", "--overdue", "--today", "2026-05-05", "--format", "json",
                                 cwd=repo).stdout)
    assert [r["id"] for r in overdue] == ["NC-2026-0002"]
    assert json.loads(run_qms("nc", "list", "--overdue", "--today", "2026-04-30", "--format", "json",
                              cwd=repo).stdout) == []
    by_status = json.loads(run_qms("nc", "list", "--status", "open", "--status", "closed", "--format", "json",
                                   cwd=repo).stdout)
    assert [r["id"] for r in by_status] == ["NC-2026-0001", "NC-2026-0003"]
    by_source = json.loads(run_qms("nc", "list", "--source", "complaint", "--format", "json", cwd=repo).stdout)
    assert [r["id"] for r in by_source] == ["NC-2026-0002"]
    by_sev = json.loads(run_qms("nc", "list", "--severity", "minor", "--process", "QT-01", "--format", "json",
                                cwd=repo).stdout)
    assert [r["id"] for r in by_sev] == ["NC-2026-0001", "NC-2026-0003"]
    csv_out = run_qms("nc", "list", "--format", "csv", "--today", "2026-05-05", cwd=repo).stdout.splitlines()
    assert csv_out[0].startswith("id,status,severity,process")
    assert csv_out[2].startswith("NC-2026-0002,planned,major,QT-01,complaint,8.2.1,2026-04-06,2026-04-30,")
    assert ",yes," in csv_out[2]
    text = run_qms("nc", "list", cwd=repo).stdout
    assert "NC-2026-0003" in text
    assert "3 record(s)" in text
    # the cached index gives the same answer as a fresh parse
    fresh = json.loads(run_qms("nc", "list", "--format", "json", "--no-cache", "--today", "2026-05-04",
                               cwd=repo).stdout)
    assert fresh == rows


def test_list_reports_unreadable_files_and_goes_on(run_qms: Callable[..., Any], repo: Path) -> None:
    _populate(repo)
    (repo / "records/nonconformities/NC-2026-0009.yaml").write_text("id: [broken\n", encoding="utf-8")
    res = run_qms("nc", "list", "--format", "json", cwd=repo)
    assert res.exit_code == 1  # every readable record is listed; the exit code says one was not
    assert len(json.loads(res.stdout)) == 3
    assert "NC-2026-0009.yaml is not a readable record" in res.stderr


def test_show_formats(run_qms: Callable[..., Any], repo: Path) -> None:
    _populate(repo)
    data = json.loads(run_qms("nc", "show", "NC-2026-0001", "--format", "json", cwd=repo).stdout)
    assert data["status"] == "closed"
    assert data["cause"]["root_cause"] == "Chưa có ủy quyền ký thay"
    csv_rows = run_qms("nc", "show", "NC-2026-0001", "--format", "csv", cwd=repo).stdout.splitlines()
    assert "cause.root_cause,Chưa có ủy quyền ký thay" in csv_rows
    text = run_qms("nc", "show", "NC-2026-0001", cwd=repo).stdout
    assert "Root cause: Chưa có ủy quyền ký thay" in text
    assert "close → closed" in text
    vi = run_qms("--lang", "vi", "nc", "show", "NC-2026-0001", cwd=repo).stdout
    assert "Nguyên nhân gốc: Chưa có ủy quyền ký thay" in vi


def test_stats(run_qms: Callable[..., Any], repo: Path) -> None:
    _populate(repo)
    nc = _new(repo, today=D(2026, 5, 4))
    _to_closed(repo, nc.id, start=D(2026, 5, 4))
    data = json.loads(run_qms("nc", "stats", "--format", "json", cwd=repo).stdout)
    assert data["total"] == 4
    assert data["closed"] == 2
    assert data["by_source"] == {"late_dossier": 2, "complaint": 1, "monitoring": 1}
    assert data["by_month"] == {"2026-03": 1, "2026-04": 2, "2026-05": 1}
    assert data["by_clause"] == {"8.5.1": 2, "-": 1, "8.2.1": 1}
    assert data["mean_days_to_close"] == 31.0
    assert data["p90_days_to_close"] == 31.0
    csv_out = run_qms("nc", "stats", "--format", "csv", cwd=repo).stdout
    assert "process,QT-01,4" in csv_out
    text = run_qms("nc", "stats", cwd=repo).stdout
    assert "Days to close: mean 31, 90th percentile 31" in text


def test_plan_owner_must_be_known_to_the_organisation(repo: Path) -> None:
    """Issue 16 item 3: `nc plan --owner` refuses unknown names; persons are recorded by name."""
    nc = _new(repo)
    reg.correct(repo, nc.id, description="Trả kết quả", by="Lê Văn Cường", today=MARCH_2)
    reg.analyse(repo, nc.id, method="five-why", whys=["Chờ ký"], root_cause="Chưa ủy quyền", similar="Không",
                by="Lê Văn Cường", today=MARCH_2)
    path = repo / "records/nonconformities" / f"{nc.id}.yaml"
    before = path.read_bytes()
    r = qms_proc(repo, "nc", "plan", nc.id, "--action", "Ủy quyền ký", "--owner", "Ông Không Tồn Tại",
                 "--due", "2026-03-20", "--by", "Lê Văn Cường", "--date", "2026-03-02")
    assert r.returncode == 2, r.stderr
    assert "Ông Không Tồn Tại" in r.stderr and "Traceback" not in r.stderr
    assert path.read_bytes() == before
    planned = reg.plan(repo, nc.id, action="Ủy quyền ký", owner="binh", due=D(2026, 3, 20), by="Lê Văn Cường",
                       today=MARCH_2)
    assert planned.actions[-1].owner == "Trần Thị Bình"
    planned = reg.plan(repo, nc.id, action="Tập huấn", owner="can_bo_mot_cua", due=D(2026, 3, 20), by="Lê Văn Cường",
                       today=MARCH_2)
    assert planned.actions[-1].owner == "can_bo_mot_cua"


def test_records_qms_writes_name_their_schema_for_editors(repo: Path) -> None:
    """Issue 16 item 17: NC and review records carry the `yaml-language-server` schema line the other files have."""
    from qms.review.records import new_review

    nc = _new(repo)
    nc_path = repo / "records/nonconformities" / f"{nc.id}.yaml"
    review_path = new_review(repo, "2026-01..2026-06", (D(2026, 1, 1), D(2026, 6, 30)), D(2026, 7, 1), None)
    for path, schema in ((nc_path, "nonconformity"), (review_path, "management-review")):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first == f"# yaml-language-server: $schema=../../schemas/{schema}.schema.json"
        target = (path.parent / first.split("$schema=")[1]).resolve()
        assert target == (repo / "schemas" / f"{schema}.schema.json").resolve()


def test_an_action_due_on_a_day_off_is_overdue_after_the_next_working_day(
        run_qms: Callable[..., Any], repo: Path) -> None:
    """An action due on 01/01/2027 (New Year, a day off) runs to the end of Monday 04/01/2027 (Civil Code 2015
    Art. 148(5), as the KPI report): `nc list --overdue` and the list's overdue flag say so on the repository
    calendar, not the next calendar day (Saturday 02/01), and the review pack and QMS503 agree."""
    from qms.calendar import WorkingCalendar
    from qms.review.pack import _nc_overdue

    nc = _new(repo, today=D(2026, 12, 28))
    reg.correct(repo, nc.id, description="c", by="an", today=D(2026, 12, 28))
    reg.analyse(repo, nc.id, method="five-why", whys=["w"], root_cause="r", similar="s", by="an",
                today=D(2026, 12, 28))
    reg.plan(repo, nc.id, action="a", owner="chu_tich", due=D(2027, 1, 1), by="an", today=D(2026, 12, 29))
    for day, want in (("2027-01-02", []), ("2027-01-04", []), ("2027-01-05", [nc.id])):
        res = run_qms("nc", "list", "--overdue", "--today", day, "--format", "json", "--no-cache", cwd=repo)
        assert [r["id"] for r in json.loads(res.stdout)] == want, day
        listed = json.loads(run_qms("nc", "list", "--today", day, "--format", "json", cwd=repo).stdout)
        assert [r["overdue"] for r in listed] == [bool(want)], day
    record = load_nc(repo / "records/nonconformities" / f"{nc.id}.yaml")
    cal = WorkingCalendar()
    assert not _nc_overdue(record, D(2027, 1, 4), cal)
    assert _nc_overdue(record, D(2027, 1, 5), cal)
    assert not [d for d in _qms5(repo, D(2027, 1, 4)) if "QMS503" in d]  # `qms check` agrees
    assert [d for d in _qms5(repo, D(2027, 1, 5)) if "QMS503" in d]
