"""Item 22: `qms nc amend` corrects a record, closed ones included, with an audited history entry."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from nc_helpers import NEW_ARGS, load_nc, qms_proc

from qms.engine import CheckOptions, run_check
from qms.store.workspace import load_workspace

NC = "NC-2026-0001"
FILE = f"records/nonconformities/{NC}.yaml"
BASE = Path(__file__).resolve().parent.parent / "rules" / "base"


def _closed(root: Path) -> None:
    steps = [
        [*NEW_ARGS, "--date", "2026-03-02"],
        ["nc", "correct", NC, "--description", "Trả kết quả, xin lỗi", "--by", "Lê Văn Cường", "--date", "2026-03-02"],
        ["nc", "analyse", NC, "--method", "five-why", "--why", "Chờ ký", "--root-cause", "Chưa ủy quyền ký thay",
         "--similar", "Không có", "--by", "Lê Văn Cường", "--date", "2026-03-03"],
        ["nc", "plan", NC, "--action", "Ban hành quyết định ủy quyền", "--owner", "chu_tich", "--due", "2026-03-20",
         "--by", "Lê Văn Cường", "--date", "2026-03-04"],
        ["nc", "implement", NC, "--by", "Lê Văn Cường", "--date", "2026-03-16"],
        ["nc", "verify", NC, "--effective", "yes", "--evidence", "Không còn hồ sơ trễ", "--by", "Trần Thị Bình",
         "--date", "2026-04-20"],
        ["nc", "close", NC, "--by", "Trần Thị Bình", "--date", "2026-04-21"],
    ]
    for args in steps:
        proc = qms_proc(root, *args)
        assert proc.returncode == 0, (args, proc.stdout, proc.stderr)


@pytest.fixture(scope="module")
def _closed_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The base repository with NC-2026-0001 taken to closed by the seven commands above, once per module."""
    root = tmp_path_factory.mktemp("amend") / "repo"
    shutil.copytree(BASE, root)
    _closed(root)
    return root


@pytest.fixture
def closed(_closed_template: Path, tmp_path: Path) -> Path:
    """A private copy of the repository holding the closed NC-2026-0001."""
    return Path(shutil.copytree(_closed_template, tmp_path / "repo"))


def _qms5(root: Path) -> list[str]:
    report = run_check(load_workspace(root), CheckOptions(today=dt.date(2026, 6, 1), profile="strict"))
    return [f"{d.code} {d.message}" for d in report.diagnostics if d.code.startswith("QMS5")]


def test_amend_closed_record_keeps_status_and_logs_old_and_new(closed: Path) -> None:
    """A closed record is corrected only through an amend entry: who, when, why, field, old and new."""
    repo = closed
    before = load_nc(repo / FILE)
    proc = qms_proc(repo, "nc", "amend", NC, "--field", "severity", "--value", "major",
                    "--reason", "Đánh giá lại theo biên bản họp", "--by", "Trần Thị Bình", "--date", "2026-05-04")
    assert proc.returncode == 0, proc.stderr
    assert "minor → major" in proc.stdout
    after = load_nc(repo / FILE)
    assert after.status == "closed" and after.severity == "major"
    assert after.closed_on == before.closed_on
    assert after.history[:-1] == before.history  # nothing earlier is rewritten
    entry = after.history[-1]
    assert (entry.transition, entry.status, entry.by) == ("amend", "closed", "Trần Thị Bình")
    assert (entry.field, entry.old, entry.new) == ("severity", "minor", "major")
    assert entry.reason == "Đánh giá lại theo biên bản họp"
    assert entry.day == dt.date(2026, 5, 4)
    assert _qms5(repo) == []
    shown = qms_proc(repo, "nc", "show", NC)
    assert "severity: minor → major" in shown.stdout and "Đánh giá lại theo biên bản họp" in shown.stdout


def test_amend_action_owner_and_title(closed: Path) -> None:
    """A nested path (actions/CA-1/owner) is amended; the owner is checked like `nc plan --owner`."""
    repo = closed
    bad = qms_proc(repo, "nc", "amend", NC, "--field", "actions/CA-1/owner", "--value", "Ông Không Tồn Tại",
                   "--reason", "x", "--by", "Trần Thị Bình")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    ok = qms_proc(repo, "nc", "amend", NC, "--field", "actions/CA-1/owner", "--value", "binh",
                  "--reason", "Phân công lại", "--by", "Trần Thị Bình", "--date", "2026-05-04")
    assert ok.returncode == 0, ok.stderr
    assert load_nc(repo / FILE).actions[0].owner == "Trần Thị Bình"  # a person id is recorded by name
    title = qms_proc(repo, "nc", "amend", NC, "--field", "title", "--value", "Trả kết quả chứng thực trễ hạn",
                     "--reason", "Sai chính tả", "--by", "Trần Thị Bình", "--date", "2026-05-05")
    assert title.returncode == 0, title.stderr
    rec = load_nc(repo / FILE)
    assert [h.field for h in rec.history if h.transition == "amend"] == ["actions/CA-1/owner", "title"]
    assert rec.history[-1].old == "Trả kết quả trễ hạn"
    assert rec.title.vi == "Trả kết quả chứng thực trễ hạn"
    assert _qms5(repo) == []


def test_refuses_fields_that_are_not_amendable(closed: Path, run_qms: Callable[..., Any],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """id, status, history and dates are refused with exit 2 and the list of amendable fields; nothing written.
    (The eleven refusals run the entry point in-process; the real process is covered by the other tests.)"""
    monkeypatch.setenv("QMS_LANG", "en")
    repo = closed
    before = (repo / FILE).read_bytes()
    for field in ("id", "status", "history", "closed_on", "actions/CA-1/due", "history/0/by", "../x"):
        proc = run_qms("nc", "amend", NC, "--field", field, "--value", "x", "--reason", "r", "--by", "B", cwd=repo)
        assert proc.exit_code == 2, (field, proc.stderr)
        assert "cannot be amended" in proc.stderr and "actions/CA-N/owner" in proc.stderr
        assert "Traceback" not in proc.stderr
    for args in (["--field", "severity", "--value", "minor", "--reason", "r"],  # unchanged
                 ["--field", "severity", "--value", "huge", "--reason", "r"],  # not a severity
                 ["--field", "actions/CA-9/owner", "--value", "chu_tich", "--reason", "r"],  # no such action
                 ["--field", "title", "--value", "x", "--reason", "  "]):  # blank reason
        proc = run_qms("nc", "amend", NC, *args, "--by", "B", cwd=repo)
        assert proc.exit_code == 2, (args, proc.stderr)
        assert "Traceback" not in proc.stderr
    assert (repo / FILE).read_bytes() == before


def test_amend_is_translated(closed: Path) -> None:
    """Under --lang vi the refusal is Vietnamese."""
    repo = closed
    proc = qms_proc(repo, "--lang", "vi", "nc", "amend", NC, "--field", "status", "--value", "open",
                    "--reason", "r", "--by", "B")
    assert proc.returncode == 2
    assert "cannot be amended" not in proc.stderr and "status" in proc.stderr
