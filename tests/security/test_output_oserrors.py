"""F10: operating-system errors are user errors (exit 2 with the path, the reason and what to do),
never "a bug in qms" (exit 3); and a failing write leaves the old file intact byte for byte.

The fault-injection cases run the real command line through ``outputs_faults.py``, which makes the
N-th disk step of the store's atomic writer fail with ENOSPC, EACCES or EROFS in turn.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from outputs_helpers import example_repo, kpi_log, qms, signing_key, snapshot, tiny_pdf

FAULTS = Path(__file__).with_name("outputs_faults.py")
NC_NEW = ("nc", "new", "--process", "QT-CT-01", "--title", "Trả kết quả trễ hạn", "--description", "Trễ 1 ngày",
          "--source", "late_dossier", "--severity", "minor", "--by", "Lê Văn Cường")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return example_repo(tmp_path / "repo")


def _user_error(run: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert run.returncode == 2, (run.returncode, run.stdout, run.stderr)
    assert "Traceback" not in run.stderr and "bug in qms" not in run.stderr, run.stderr
    lines = run.stderr.splitlines()
    assert any(line.startswith("error: ") for line in lines), run.stderr
    assert any(line.startswith("  hint: ") for line in lines), run.stderr
    for needle in needles:
        assert needle in run.stderr, (needle, run.stderr)


def _chattr(path: Path, flag: str) -> bool:
    if shutil.which("chattr") is None:
        return False
    return subprocess.run(["chattr", flag, str(path)], capture_output=True, check=False).returncode == 0


@contextlib.contextmanager
def _immutable(path: Path) -> Iterator[bool]:
    """``chattr +i`` (True), or False where the file system or the user cannot (fault injection instead)."""
    done = _chattr(path, "+i")
    try:
        yield done
    finally:
        if done:
            _chattr(path, "-i")


def _faulty(cwd: Path, n: int, err: str, *args: str | Path, report: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QMS_LANG": "en", "QMS_FAULT_AT": str(n), "QMS_FAULT_ERRNO": err,
           "QMS_FAULT_REPORT": str(report)}
    env.pop("QMS_DEBUG", None)
    return subprocess.run([sys.executable, str(FAULTS), *map(str, args)], cwd=cwd, capture_output=True, text=True,
                          env=env, timeout=300, check=False)


def _stable(root: Path) -> dict[str, bytes]:
    """The repository's files, without caches, locks and ignore files qms keeps for itself."""
    return {k: v for k, v in snapshot(root).items()
            if ".qms-cache" not in k and not k.endswith((".lock", ".gitignore"))}


def test_symlink_loop_in_the_output_path(repo: Path) -> None:
    """F10: `render -o loop/out.pdf`, where loop is a symlink to itself, exits 2 before any work."""
    (repo / "loop").symlink_to("loop")
    run = qms(repo, "render", "procedure", "QT-CT-01", "-o", "loop/out.pdf")
    _user_error(run, "loop/out.pdf", "symbolic link")


def test_symlink_loop_as_an_input(repo: Path, tmp_path: Path) -> None:
    """F10: a looping symlink given as the PKCS#12 key or the --limits file exits 2 with its name."""
    key = signing_key(tmp_path / "key")
    pdf = tiny_pdf(tmp_path / "p.pdf")
    (tmp_path / "loop.p12").symlink_to("loop.p12")
    run = qms(tmp_path, "sign", pdf, "--p12", "loop.p12", "--password-file", key.password_file, "-o", "s.pdf")
    _user_error(run, "loop.p12")
    kpi_log(repo / "log.csv")
    (repo / "limits.yaml").symlink_to("limits.yaml")
    run = qms(repo, "kpi", "report", "log.csv", "--limits", "limits.yaml")
    _user_error(run, "limits.yaml")


def test_read_only_directory(repo: Path) -> None:
    """F10: a read-only register directory: `nc new` exits 2 naming the file, and writes nothing; an output
    into a read-only directory is refused before any work."""
    ncdir = repo / "records/nonconformities"
    kpi_log(repo / "log.csv")
    (repo / "ro").mkdir()
    before = _stable(repo)
    if os.geteuid() != 0:
        ncdir.chmod(0o555)
        (repo / "ro").chmod(0o555)
        try:
            _user_error(qms(repo, *NC_NEW), "records/nonconformities", "permission")
            _user_error(qms(repo, "kpi", "report", "log.csv", "-o", "ro/r.txt"), "read-only")
        finally:
            ncdir.chmod(0o755)
            (repo / "ro").chmod(0o755)
    else:  # root ignores permission bits: an immutable directory is what is read-only for root
        with _immutable(ncdir) as done, _immutable(repo / "ro") as done_ro:
            if done and done_ro:
                _user_error(qms(repo, *NC_NEW), "records/nonconformities", "immutable")
                _user_error(qms(repo, "kpi", "report", "log.csv", "-o", "ro/r.txt"), "read-only")
            else:
                assert os.environ.get("CI") != "true", "chattr is needed for this test under CI"
                run = _faulty(repo, 1, "EACCES", *NC_NEW, report=repo.parent / "calls")
                _user_error(run, "records/nonconformities", "Permission denied", "permissions")
    assert _stable(repo) == before


def test_full_disk(repo: Path) -> None:
    """F10: a full disk (ENOSPC) while writing a record exits 2 with the path and a hint; nothing is left."""
    before = _stable(repo)
    run = _faulty(repo, 3, "ENOSPC", *NC_NEW, report=repo.parent / "calls")
    _user_error(run, "records/nonconformities/NC-2026-", "No space left on device", "disk space")
    assert _stable(repo) == before
    assert not list(repo.rglob("*.tmp"))


def test_immutable_file(repo: Path) -> None:
    """F10: an immutable record (chattr +i, else EPERM injected at the rename) exits 2; it stays intact."""
    created = qms(repo, *NC_NEW)
    assert created.returncode == 0, created.stderr
    nc_id = re.search(r"NC-\d{4}-\d{4,}", created.stdout)
    assert nc_id
    record = repo / f"records/nonconformities/{nc_id.group(0)}.yaml"
    before = record.read_bytes()
    args = ("nc", "correct", nc_id.group(0), "--description", "Đã trả hồ sơ", "--by", "Lê Văn Cường")
    with _immutable(record) as done:
        if done:
            run = qms(repo, *args)
        else:
            assert os.environ.get("CI") != "true", "chattr is needed for this test under CI"
            run = _faulty(repo, 5, "EPERM", *args, report=repo.parent / "calls")
        _user_error(run, record.name, "Operation not permitted", "immutable")
    assert record.read_bytes() == before


def test_lock_that_is_a_symlink_is_not_followed(repo: Path, tmp_path: Path) -> None:
    """F10: records/nonconformities/.lock as a symlink is refused (exit 2); its target is untouched."""
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n", encoding="utf-8")
    lock = repo / "records/nonconformities/.lock"
    lock.unlink(missing_ok=True)
    lock.symlink_to(victim)
    run = qms(repo, *NC_NEW)
    _user_error(run, ".lock", "symbolic link")
    assert victim.read_text(encoding="utf-8") == "precious\n"
    assert not list((repo / "records/nonconformities").glob("NC-*-0006.yaml"))


def test_pkcs12_without_a_key(tmp_path: Path) -> None:
    """F10: a PKCS#12 file with a certificate but no private key exits 2 with a message (not exit 3)."""
    key = signing_key(tmp_path / "key")
    pdf = tiny_pdf(tmp_path / "p.pdf")
    run = qms(tmp_path, "sign", pdf, "--p12", key.p12_without_key, "--password-file", key.password_file,
              "-o", "s.pdf")
    _user_error(run, "cert-only.p12", "no private key")
    assert not (tmp_path / "s.pdf").exists()


def test_over_long_argument(repo: Path) -> None:
    """F10: a file name longer than the system allows (ENAMETOOLONG) exits 2, as output and as input."""
    long_name = "a" * 300
    _user_error(qms(repo, "render", "procedure", "QT-CT-01", "-o", f"{long_name}.pdf"), "shorter")
    _user_error(qms(repo, "kpi", "report", f"{long_name}.csv"))


def test_date_outside_the_calendar(repo: Path) -> None:
    """F10: a due date beyond the calendar's years (CalendarRangeError) exits 2 with the range."""
    created = qms(repo, *NC_NEW)
    nc_id = re.search(r"NC-\d{4}-\d{4,}", created.stdout)
    assert nc_id, created.stderr
    for args in (("correct", "--description", "Đã trả"),
                 ("analyse", "--method", "five-why", "--why", "a", "--root-cause", "r", "--similar", "no")):
        step = qms(repo, "nc", args[0], nc_id.group(0), *args[1:], "--by", "Lê Văn Cường")
        assert step.returncode == 0, step.stderr
    run = qms(repo, "nc", "plan", nc_id.group(0), "--action", "a", "--owner", "le_van_cuong", "--due", "30wd",
              "--date", "2100-12-20", "--allow-future", "--by", "Lê Văn Cường")
    _user_error(run, "2100", "1901 to 2100")


def test_output_under_a_regular_file(repo: Path) -> None:
    """F10: `render -o afile/out.pdf`, where afile is a regular file, exits 2 (not 3) before any work."""
    (repo / "afile").write_text("x\n", encoding="utf-8")
    _user_error(qms(repo, "render", "procedure", "QT-CT-01", "-o", "afile/out.pdf"), "afile", "not a directory")
    assert (repo / "afile").read_text(encoding="utf-8") == "x\n"


def test_a_real_bug_still_exits_3(repo: Path) -> None:
    """F10: exit 3 stays for real bugs: an exception that is not an OS error is still reported as one."""
    code = ("import sys, qms.store.atomic as a\n"
            "def boom(*x, **k): raise ZeroDivisionError('injected')\n"
            "a.atomic_write_bytes = boom\n"
            "import qms.store.nc_store as s; s.atomic_write_text = boom\n"
            "from qms.cli.main import main; main(sys.argv[1:])\n")
    run = subprocess.run([sys.executable, "-c", code, *NC_NEW], cwd=repo, capture_output=True, text=True,
                         env={**os.environ, "QMS_LANG": "en"}, timeout=120, check=False)
    assert run.returncode == 3, run.stderr
    assert "bug in qms" in run.stderr


ERRNOS = ("ENOSPC", "EACCES", "EROFS")


def _prepare(repo: Path, command: str) -> tuple[str, ...]:
    """Bring ``repo`` to where ``command`` rewrites an existing file; return its arguments."""
    if command == "nc new":
        return NC_NEW
    if command == "nc plan":
        created = qms(repo, *NC_NEW)
        nc_id = re.search(r"NC-\d{4}-\d{4,}", created.stdout)
        assert nc_id, created.stderr
        for args in (("correct", "--description", "Đã trả"),
                     ("analyse", "--method", "five-why", "--why", "a", "--root-cause", "r", "--similar", "no")):
            assert qms(repo, "nc", args[0], nc_id.group(0), *args[1:], "--by", "le_van_cuong").returncode == 0
        return ("nc", "plan", nc_id.group(0), "--action", "Sửa quy trình", "--owner", "le_van_cuong",
                "--due", "10wd", "--by", "le_van_cuong")
    if command == "doc revise":
        return ("doc", "revise", "QT-CT-01", "--summary", "Sửa bước 2", "--by", "le_van_cuong")
    if command == "audit plan":
        return ("audit", "plan", "--date", "2026-12-01", "--process", "QT-CT-01", "--lead", "le_van_cuong")
    if command == "review new":
        return ("review", "new", "--period", "2026-01..2026-06", "--date", "2026-07-01")
    assert command == "render -o"
    tiny_pdf(repo.parent / "out.pdf")
    return ("render", "procedure", "QT-CT-01", "-o", str(repo.parent / "out.pdf"))


@pytest.mark.parametrize("command", ["nc new", "nc plan", "doc revise", "audit plan", "review new", "render -o"])
def test_every_store_write_failing_in_turn(tmp_path: Path, command: str) -> None:
    """F10: every disk step of the store's writes fails in turn (ENOSPC, EACCES, EROFS): each run exits 2
    with a message, and the files are intact byte for byte (no temp file left); then the command works."""
    repo = example_repo(tmp_path / "repo")
    args = _prepare(repo, command)
    # the same command once on a copy first: what it keeps in the user's shared cache (the holidays of
    # the years it needs) is there, as after any earlier use of qms. Filling that cache is a write of
    # its own, which a fault may hit and the command rightly survives (the cache is disposable);
    # whether this run would fill it depends on which tests the session ran before.
    warm = tmp_path / "warm" / "repo"
    shutil.copytree(repo, warm, symlinks=True)
    assert qms(warm, *[str(a).replace(str(tmp_path), str(tmp_path / "warm")) for a in args]).returncode == 0
    report = tmp_path / "calls"
    n = 0
    while True:
        n += 1
        assert n < 60, "the command never finished without a fault"
        before = _stable(repo)
        out_before = (tmp_path / "out.pdf").read_bytes() if (tmp_path / "out.pdf").exists() else None
        run = _faulty(repo, n, ERRNOS[n % 3], *args, report=report)
        calls = int(report.read_text(encoding="utf-8"))
        if calls < n:  # no fault was reached: the command ran to the end
            assert run.returncode == 0, run.stderr
            break
        if run.returncode == 0:
            # the fault hit a write of the render cache, which is disposable: rendering goes on without it
            assert command == "render -o", run.stdout
            assert (tmp_path / "out.pdf").read_bytes().startswith(b"%PDF-")
            assert _stable(repo) == before
            continue
        _user_error(run, os.strerror(getattr(errno, ERRNOS[n % 3])))
        assert _stable(repo) == before, f"files changed after a failed write (step {n})"
        if out_before is not None:
            assert (tmp_path / "out.pdf").read_bytes() == out_before
        assert not list(tmp_path.rglob(".*.tmp")), "a temp file was left behind"
    assert n > 4, "no write was ever made"
