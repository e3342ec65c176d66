"""`qms check --fix` rewrites a nonconformity record under the register's lock, as the `qms nc` commands
do: a fix never lands in the middle of another writer's read-change-write cycle."""

from __future__ import annotations

import os
import subprocess
import sys
import unicodedata
from pathlib import Path

from example_repo import copy_example

HOLD = """
import sys, time
from pathlib import Path
from qms.store.nc_store import register_lock
root, marker = Path(sys.argv[1]), Path(sys.argv[2])
with register_lock(root):
    print("held", flush=True)
    time.sleep(float(sys.argv[3]))
    marker.write_text("released")  # its modification time: the last moment the lock is held
"""


def test_check_fix_waits_for_the_register_lock(tmp_path: Path) -> None:
    repo = copy_example(tmp_path / "org")
    record = repo / "records" / "nonconformities" / "NC-2026-0002.yaml"
    text = record.read_text(encoding="utf-8")
    record.write_text(unicodedata.normalize("NFD", text), encoding="utf-8")  # QMS007, a safe fix
    marker = tmp_path / "released"
    env = {**os.environ, "QMS_NO_CACHE": "1"}
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(repo), str(marker), "3"], stdout=subprocess.PIPE,
                              text=True, env=env)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        fixed = subprocess.run([sys.executable, "-m", "qms", "--root", str(repo), "check", "--fix", "--select",
                                "QMS007"], capture_output=True, text=True, env=env, timeout=120, check=False)
    finally:
        holder.wait(timeout=60)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert record.read_text(encoding="utf-8") == text  # back to NFC
    # both times from the file system's clock
    assert record.stat().st_mtime_ns >= marker.stat().st_mtime_ns, "the fix was written while the lock was held"
