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
        watch = _OpenWatch(lock_file)
        reassign = subprocess.Popen([*base, "people", "reassign", "giang", "cuong", "--by", "Tester",
                                     "--date", "2026-03-01"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    text=True, env=env)
        while not watch.opened(0.05):  # reassign tries to take the lock ...
            if reassign.poll() is not None:  # ... or has done its work without it
                out, err = reassign.communicate()
                raise AssertionError(f"reassign finished without waiting for the audits' lock:\n{out}{err}")
        watch.close()
        assert audit_file.read_bytes() == before
        findings = [subprocess.Popen([*base, "audit", "finding", "AUD-2026-01", "--grade", "minor", "--statement",
                                      f"Finding {i}", "--evidence", f"dossier {i}", "--date", "2026-03-10"],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
                    for i in range(2)]
    for p in [reassign, *findings]:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, out + err
    audit = load_audit(agency, "AUD-2026-01")
    assert (audit.plan.lead, list(audit.plan.team)) == ("dung", ["cuong"])
    assert sorted(f.statement.en for f in audit.findings) == ["Finding 0", "Finding 1"]
    for f in audit.findings:
        assert f.nc is not None and get_nc(agency, f.nc).finding == f.id
