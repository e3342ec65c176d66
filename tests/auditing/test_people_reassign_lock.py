"""`qms people reassign` holds the audits' lock (and the register's) from reading to writing, like the
audit commands, so no finding recorded at the same moment is lost."""

from __future__ import annotations

import ctypes
import os
import select
import subprocess
import sys
from pathlib import Path
from typing import Any

from qms.registers.nc import get_nc
from qms.store.audit_store import audit_lock, load_audit


class _OpenWatch:
    """Linux inotify on one file: tells when any process opens it (filelock opens the lock file on every
    attempt to take the lock)."""

    IN_OPEN = 0x20

    def __init__(self, path: Path) -> None:
        self.libc = ctypes.CDLL(None, use_errno=True)
        self.fd = self.libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        assert self.fd >= 0 and self.libc.inotify_add_watch(self.fd, bytes(path), self.IN_OPEN) >= 0

    def opened(self, wait: float) -> bool:
        return bool(select.select([self.fd], [], [], wait)[0])

    def close(self) -> None:
        os.close(self.fd)


def _waiting(cmd: list[str], lock_file: Path) -> subprocess.Popen[str]:
    """Start ``cmd`` while this test holds ``lock_file``; return once it tries to take the lock (fail if it
    finishes without trying)."""
    watch = _OpenWatch(lock_file)
    try:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env={**os.environ, "QMS_LANG": "en"})
        while not watch.opened(0.05):  # it tries to take the lock ...
            if proc.poll() is not None:  # ... or has done its work without it
                out, err = proc.communicate()
                raise AssertionError(f"{cmd[5:8]} finished without waiting for the audits' lock:\n{out}{err}")
    finally:
        watch.close()
    return proc


def _done(proc: subprocess.Popen[str]) -> str:
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, out + err
    return out + err


def test_reassign_waits_for_the_audit_lock_and_loses_no_finding(agency: Path, run_qms: Any) -> None:
    """R8 item 2: while another command holds `audits/.lock`, `people reassign` waits for it instead of
    rewriting the audit from a copy read before; two auditors recording findings at the same moment (real
    processes) keep both findings and their nonconformities, and the hand-over is applied too."""
    root = str(agency)
    r = run_qms("--root", root, "audit", "plan", "--date", "2026-03-10", "--process", "QT-01",
                "--lead", "dung", "--team", "giang", "--today", "2026-02-01")
    assert r.exit_code == 0, r.stderr
    r = run_qms("--root", root, "audit", "checklist", "AUD-2026-01")
    assert r.exit_code == 0, r.stderr
    audit_file = agency / "audits" / "AUD-2026-01.yaml"
    lock_file = (agency / "audits" / ".lock").resolve()
    env = {**os.environ, "QMS_LANG": "en"}
    base = [sys.executable, "-m", "qms", "--root", root]
    with audit_lock(agency):  # another audit command is between reading and writing the audit
        before = audit_file.read_bytes()
        reassign = _waiting([*base, "people", "reassign", "giang", "cuong", "--by", "dung", "--date",
                             "2026-03-01"], lock_file)
        assert audit_file.read_bytes() == before
        findings = [subprocess.Popen([*base, "audit", "finding", "AUD-2026-01", "--grade", "minor", "--statement",
                                      f"Finding {i}", "--evidence", f"dossier {i}", "--date", "2026-03-10"],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
                    for i in range(2)]
    for p in [reassign, *findings]:
        _done(p)
    audit = load_audit(agency, "AUD-2026-01")
    assert (audit.plan.lead, list(audit.plan.team)) == ("dung", ["cuong"])
    assert sorted(f.statement.en for f in audit.findings) == ["Finding 0", "Finding 1"]
    for f in audit.findings:
        assert f.nc is not None and get_nc(agency, f.nc).finding == f.id


def test_plan_and_programme_write_wait_for_the_audit_lock(agency: Path, run_qms: Any) -> None:
    """R8: `audit plan` allocates the next audit id and `audit programme --write` replaces the programme
    under the audits' lock, like the other audit commands: neither picks an id another plan is taking nor
    writes between the reading and writing of `people reassign`."""
    root = str(agency)
    r = run_qms("--root", root, "audit", "plan", "--date", "2026-03-10", "--process", "QT-01",
                "--lead", "dung", "--today", "2026-02-01")
    assert r.exit_code == 0, r.stderr
    lock_file = (agency / "audits" / ".lock").resolve()
    base = [sys.executable, "-m", "qms", "--root", root, "audit"]
    with audit_lock(agency):
        planned = _waiting([*base, "plan", "--date", "2026-04-10", "--process", "QT-02", "--lead", "dung",
                            "--today", "2026-02-01"], lock_file)
        assert not (agency / "audits" / "AUD-2026-02.yaml").exists()
    assert "AUD-2026-02" in _done(planned)
    with audit_lock(agency):
        written = _waiting([*base, "programme", "--year", "2027", "--write", "--as-of", "2026-11-01"], lock_file)
        assert not (agency / "audits" / "programme-2027.yaml").exists()
    _done(written)
    assert (agency / "audits" / "programme-2027.yaml").is_file()
