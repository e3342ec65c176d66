"""`qms flow report` lets glibc's allocator serve whole-column arrays from its heap and keep freed ones,
so the next array of the same size costs no fresh pages from the kernel."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from conftest import REPO, SHIPPED_LOG

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt (Linux)")

#: page faults of the second of two 64 MiB arrays, the first one freed
CODE = """
import resource, sys
{setup}
import numpy as np

def faults():
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt

first = np.ones(1 << 23)
del first
before = faults()
second = np.ones(1 << 23)
print("FAULTS", faults() - before)
"""


def _faults(setup: str, *args: str) -> int:
    # 4 KiB pages: numpy asks for huge pages, whose faults are too few to tell the two cases apart
    env = {**os.environ, "NUMPY_MADVISE_HUGEPAGE": "0"}
    out = subprocess.run([sys.executable, "-c", CODE.format(setup=setup), *args], cwd=REPO, env=env,
                         capture_output=True, text=True, check=True)
    line = [ln for ln in out.stdout.splitlines() if ln.startswith("FAULTS")][-1]
    return int(line.split()[1])


def test_a_freed_block_is_reused_without_faults() -> None:
    pages = (1 << 26) // 4096
    assert _faults("") >= pages // 2  # a fresh mapping: every page faults in
    assert _faults("from qms.cli.common import keep_large_blocks\nkeep_large_blocks()") < pages // 20


@pytest.mark.parametrize("command", ["flow", "kpi"])
def test_the_flow_report_keeps_large_blocks(command: str) -> None:
    """The flow report sets it before it reads a log; the KPI report leaves glibc's defaults."""
    run = ("from qms.cli.main import main\n"
           "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n")
    args = (["flow", "report", str(SHIPPED_LOG), "--format", "json", "--as-of", "2026-07-31"] if command == "flow"
            else ["kpi", "report", str(SHIPPED_LOG), "--format", "json"])
    pages = (1 << 26) // 4096
    faults = _faults(run, *args)
    assert (faults < pages // 20) is (command == "flow"), faults
