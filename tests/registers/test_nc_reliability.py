"""Reliability of the register: concurrent id allocation, SIGKILL mid-write, clones merged with git."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from nc_helpers import NEW_ARGS, load_nc, qms_proc

from qms.engine import CheckOptions, run_check
from qms.store.workspace import load_workspace

NC_DIR = "records/nonconformities"

WRITER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from qms.registers.nc import create_nc
    root, go, n, tag = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    while not go.exists():
        time.sleep(0.001)
    for i in range(n):
        create_nc(root, process="QT-01", title=f"{tag} {i}", description="race", source="monitoring",
                  severity="minor", by={"A": "an", "B": "binh"}[tag])
""")


def _all_records(root: Path) -> list[Path]:
    return sorted((root / NC_DIR).glob("*.yaml"))


def _assert_valid_register(root: Path) -> None:
    report = run_check(load_workspace(root), CheckOptions(profile="strict"))
    bad = [f"{d.location.render()} {d.code} {d.message}" for d in report.diagnostics
           if d.location.path.startswith(NC_DIR) and d.code not in ("QMS503", "QMS504")]
    assert bad == []


def test_two_processes_create_100_records_each(repo: Path, tmp_path: Path) -> None:
    script = tmp_path / "writer.py"
    script.write_text(WRITER, encoding="utf-8")
    go = tmp_path / "go"
    procs = [subprocess.Popen([sys.executable, str(script), str(repo), str(go), "100", tag],
                              stderr=subprocess.PIPE, text=True) for tag in ("A", "B")]
    time.sleep(0.5)  # both interpreters are up and spinning on the start flag
    go.touch()
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    files = _all_records(repo)
    records = [load_nc(f) for f in files]
    assert len(records) == 200
    assert len({r.id for r in records}) == 200
    assert all(f.stem == r.id for f, r in zip(files, records, strict=True))
    year = records[0].raised_on.year
    assert {r.id for r in records} == {f"NC-{year}-{n:04d}" for n in range(1, 201)}  # no gaps either
    titles = {r.title.en for r in records}
    assert titles == {f"{t} {i}" for t in "AB" for i in range(100)}
    _assert_valid_register(repo)


def test_command_line_race(repo: Path) -> None:
    loop = " ; ".join([" ".join([sys.executable, "-m", "qms", *(f"'{a}'" for a in NEW_ARGS)])] * 8)
    env = {**os.environ, "QMS_LANG": "en"}
    procs = [subprocess.Popen(["sh", "-c", loop], cwd=repo, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [p.communicate(timeout=300) for p in procs]
    assert all(p.returncode == 0 for p in procs), outputs
    created = [line for out, _ in outputs for line in out.splitlines()]
    assert len(created) == 16
    assert len(set(created)) == 16
    assert len(_all_records(repo)) == 16
    _assert_valid_register(repo)


KILLED_WRITER = textwrap.dedent("""
    import datetime as dt, sys
    from pathlib import Path
    from qms.registers import nc as reg
    root = Path(sys.argv[1])
    day = dt.date(2026, 3, 2)
    print("ready", flush=True)
    while True:
        n = reg.create_nc(root, process="QT-01", title="t " * 200, description="d " * 400, source="complaint",
                          severity="major", by="cuong", today=day)
        reg.correct(root, n.id, description="c " * 300, by="cuong", today=day)
        reg.analyse(root, n.id, method="five-why", whys=["w " * 100] * 5, root_cause="r", similar="s",
                    by="cuong", today=day)
        reg.plan(root, n.id, action="a " * 200, owner="chu_tich", due=dt.date(2026, 3, 20), by="cuong", today=day)
        reg.implement(root, n.id, by="cuong", today=day)
""")


@pytest.mark.parametrize("delay", [0.3, 0.55, 0.8])
def test_sigkill_mid_write_leaves_only_whole_files(repo: Path, tmp_path: Path, delay: float) -> None:
    script = tmp_path / "killed.py"
    script.write_text(KILLED_WRITER, encoding="utf-8")
    proc = subprocess.Popen([sys.executable, str(script), str(repo)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    guard = time.monotonic() + 120  # a busy machine may start slowly: kill only once writing has begun
    while not _all_records(repo) and proc.poll() is None and time.monotonic() < guard:
        time.sleep(0.01)
    time.sleep(delay)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    files = _all_records(repo)
    assert files, "the writer made no progress before it was killed"
    for f in files:
        record = load_nc(f)  # parses and validates: never a torn file
        assert record.id == f.stem
        assert record.history[-1].status == record.status
    _assert_valid_register(repo)
    # the register keeps working afterwards (the lock died with its holder)
    assert qms_proc(repo, *NEW_ARGS).returncode == 0


def _git(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org", "GIT_CONFIG_GLOBAL": os.devnull,
           "GIT_CONFIG_NOSYSTEM": "1"}
    return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=check)


def test_two_clones_same_day_merge_then_renumber(repo: Path, tmp_path: Path) -> None:
    origin = tmp_path / "origin.git"
    _git(tmp_path, "init", "-q", "--bare", "-b", "main", str(origin))
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "seed")
    _git(repo, "push", "-q", str(origin), "main")
    a, b = tmp_path / "officer-a", tmp_path / "officer-b"
    for clone in (a, b):
        _git(tmp_path, "clone", "-q", str(origin), str(clone))

    args_a = [*NEW_ARGS[:4], "--title", "Hồ sơ trả trễ (A)", *NEW_ARGS[6:-2], "--by", "an"]
    args_b = [*NEW_ARGS[:4], "--title", "Thiếu biểu mẫu (B)", *NEW_ARGS[6:-2], "--by", "binh"]
    assert qms_proc(a, *args_a).stdout.strip() == "created NC-2026-0001"
    assert qms_proc(b, *args_b).stdout.strip() == "created NC-2026-0001"
    for clone, who in ((a, "A"), (b, "B")):
        _git(clone, "add", NC_DIR)
        _git(clone, "commit", "-q", "-m", f"NC by {who}")
    _git(a, "push", "-q", "origin", "main")
    merge = _git(b, "pull", "-q", "--no-rebase", "origin", "main", check=False)
    assert merge.returncode != 0  # git refuses to merge two different NC-2026-0001 silently

    check = qms_proc(b, "check", "--no-cache", "--select", "QMS509", "--format", "json")
    assert check.returncode == 1
    assert "holds an unresolved git merge conflict" in check.stdout
    listed = qms_proc(b, "nc", "show", "NC-2026-0001")
    assert listed.returncode == 2
    assert "qms nc renumber NC-2026-0001" in listed.stderr

    moved = qms_proc(b, "nc", "renumber", "NC-2026-0001", "--by", "binh")
    assert moved.returncode == 0, moved.stderr
    assert "is now NC-2026-0002" in moved.stdout
    shared, local = load_nc(b / NC_DIR / "NC-2026-0001.yaml"), load_nc(b / NC_DIR / "NC-2026-0002.yaml")
    assert shared.title.vi == "Hồ sơ trả trễ (A)"  # the record already pushed keeps its id
    assert local.title.vi == "Thiếu biểu mẫu (B)"
    assert local.history[-1].transition == "renumber"
    assert "NC-2026-0001" in local.history[-1].note
    _assert_valid_register(b)
    clean = qms_proc(b, "check", "--no-cache", "--select", "QMS0,QMS5")
    assert clean.returncode == 0, clean.stdout

    _git(b, "add", NC_DIR)
    _git(b, "commit", "-q", "-m", "merge; renumber NC-2026-0001 -> NC-2026-0002")
    _git(b, "push", "-q", "origin", "main")
    _git(a, "pull", "-q", "--no-rebase", "origin", "main")
    assert sorted(p.name for p in (a / NC_DIR).glob("*.yaml")) == ["NC-2026-0001.yaml", "NC-2026-0002.yaml"]
    # the next record in either clone continues after the highest id
    assert qms_proc(a, *args_a).stdout.strip() == "created NC-2026-0003"


def test_copied_file_is_reported_and_renumbered(repo: Path) -> None:
    assert qms_proc(repo, *NEW_ARGS).returncode == 0
    src = repo / NC_DIR / "NC-2026-0001.yaml"
    (repo / NC_DIR / "NC-2026-0001 (copy).yaml").write_bytes(src.read_bytes())
    check = qms_proc(repo, "check", "--no-cache", "--select", "QMS509")
    assert check.returncode == 1
    assert "also used by" in check.stdout
    moved = qms_proc(repo, "nc", "renumber", "NC-2026-0001", "--by", "an")
    assert moved.returncode == 0, moved.stderr
    assert sorted(p.name for p in (repo / NC_DIR).glob("*.yaml")) == ["NC-2026-0001.yaml", "NC-2026-0002.yaml"]
    assert qms_proc(repo, "check", "--no-cache", "--select", "QMS509").returncode == 0
    again = qms_proc(repo, "nc", "renumber", "NC-2026-0001", "--by", "an")
    assert again.returncode == 1
    assert "is not duplicated" in again.stderr
