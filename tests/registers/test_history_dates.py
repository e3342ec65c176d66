"""Item 5: history entries record the day a step happened and, apart from it, the moment they were
written; a step dated in the future is refused unless --allow-future. Real subprocesses throughout."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import yaml
from nc_helpers import NEW_ARGS, load_nc, qms_proc

from qms.engine import CheckOptions, run_check
from qms.store.workspace import load_workspace

NC = "NC-2026-0001"
FILE = f"records/nonconformities/{NC}.yaml"


def _raw_history(root: Path, file: str = FILE) -> list[dict[str, object]]:
    data = yaml.safe_load((root / file).read_text(encoding="utf-8"))
    history = data["history"]
    assert isinstance(history, list)
    return history


def test_back_dated_step_keeps_the_given_day_without_a_clock_time(repo: Path) -> None:
    """Item 5: `--date 2026-03-02` records that day, and separately when the entry was written (with a
    time zone); no clock time of today is attached to the given day."""
    before = dt.datetime.now().astimezone().replace(microsecond=0)
    proc = qms_proc(repo, *NEW_ARGS, "--date", "2026-03-02")
    assert proc.returncode == 0, proc.stderr
    proc = qms_proc(repo, "nc", "correct", NC, "--description", "Trả ngay", "--by", "Lê Văn Cường", "--date", "2026-03-03")
    assert proc.returncode == 0, proc.stderr
    after = dt.datetime.now().astimezone()
    for raw, day in zip(_raw_history(repo), (dt.date(2026, 3, 2), dt.date(2026, 3, 3)), strict=True):
        assert "at" not in raw, raw  # no invented moment on the given day
        assert raw["date"] == day
        stamp = raw["recorded_at"]
        assert isinstance(stamp, dt.datetime) and stamp.tzinfo is not None, stamp
        assert before - dt.timedelta(seconds=1) <= stamp <= after, (stamp, before, after)
    nc = load_nc(repo / FILE)
    assert [h.day for h in nc.history] == [dt.date(2026, 3, 2), dt.date(2026, 3, 3)]
    shown = qms_proc(repo, "nc", "show", NC)
    assert "02/03/2026 (recorded " in shown.stdout, shown.stdout  # dd/mm/yyyy, as people read dates
    listed = qms_proc(repo, "nc", "list").stdout
    assert "02/03/2026" in listed and "2026-03-02" not in listed, listed


def test_future_step_is_refused_unless_allowed(repo: Path) -> None:
    """Item 5: a step dated after today is refused (exit 2, nothing written); --allow-future accepts it."""
    future = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    proc = qms_proc(repo, *NEW_ARGS, "--date", future)
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert "is in the future" in proc.stderr and "--allow-future" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (repo / "records" / "nonconformities").exists() or not list(
        (repo / "records" / "nonconformities").glob("*.yaml"))
    vi = qms_proc(repo, "--lang", "vi", *NEW_ARGS, "--date", future)
    assert vi.returncode == 2 and "tương lai" in vi.stderr, vi.stderr
    proc = qms_proc(repo, *NEW_ARGS, "--date", future, "--allow-future")
    assert proc.returncode == 0, proc.stderr
    year = future[:4]
    [path] = list((repo / "records" / "nonconformities").glob(f"NC-{year}-*.yaml"))
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))["history"][0]
    assert raw["date"] == dt.date.fromisoformat(future)
    assert raw["recorded_at"].date() <= dt.date.today() + dt.timedelta(days=1)


def test_later_step_in_the_future_is_refused(repo: Path) -> None:
    """Item 5: every lifecycle step refuses a future --date, not only `nc new`."""
    assert qms_proc(repo, *NEW_ARGS, "--date", "2026-03-02").returncode == 0
    future = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    proc = qms_proc(repo, "nc", "correct", NC, "--description", "x", "--by", "Lê Văn Cường", "--date", future)
    assert proc.returncode == 2 and "is in the future" in proc.stderr, proc.stderr
    assert len(load_nc(repo / FILE).history) == 1


def test_old_records_with_at_still_load_and_check_clean(tmp_path: Path) -> None:
    """Item 5: records written before `date`/`recorded_at` existed (entries with `at:`) load and check clean."""
    root = tmp_path / "example"
    root.mkdir()
    src = Path(__file__).resolve().parents[2]
    for name in ("qms.yaml", "processes", "records", "audits"):
        if (src / name).is_dir():
            shutil.copytree(src / name, root / name)
        else:
            shutil.copy2(src / name, root / name)
    legacy = [p for p in (root / "records" / "nonconformities").glob("*.yaml")
              if "- at: " in p.read_text(encoding="utf-8")]
    assert legacy, "the example keeps records in the earlier form"
    proc = qms_proc(root, "check", "--no-cache")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    shown = qms_proc(root, "nc", "show", legacy[0].stem)
    assert shown.returncode == 0, shown.stderr


def _entry_check(repo: Path, codes: list[str]) -> list[str]:
    report = run_check(load_workspace(repo), CheckOptions(today=dt.date(2026, 6, 1), select=codes))
    return [f"{d.code} {d.location.pointer} {d.message}" for d in report.diagnostics]


def test_entry_recorded_before_it_happened_is_reported(repo: Path) -> None:
    """Item 5: QMS512 reports an entry whose `date:` is after the day it was recorded (`recorded_at:`);
    QMS508 orders entries by their day whether they use `at:` or `date:`."""
    assert qms_proc(repo, *NEW_ARGS, "--date", "2026-03-02").returncode == 0
    path = repo / FILE
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["history"][0]["recorded_at"] = dt.datetime(2026, 2, 20, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    data["history"].append({"at": dt.datetime(2026, 3, 1, 9, 0), "by": "Cường", "transition": "correct",
                            "status": "contained"})
    data["correction"] = {"description": "x", "by": "Cường", "date": dt.date(2026, 3, 2)}
    data["status"] = "contained"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    found = _entry_check(repo, ["QMS512", "QMS508"])
    assert any(f.startswith("QMS512 /history/0/date") and "recorded on 2026-02-20" in f for f in found), found
    assert any(f.startswith("QMS508 /history/1/at") and "earlier than the one before" in f for f in found), found
