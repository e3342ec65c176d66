"""20b: a green ``pytest -n`` run ends without a KeyboardInterrupt traceback, however long a worker's
last garbage collection takes (execnet SIGINTs a worker still busy 5 s after it was told to stop)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]

CONFTEST = """
import gc, sys, time
sys.path.insert(0, {tests!r})

def _slow_gc_callback(phase, info):  # like hypothesis's: Python code that runs on every collection
    if SLOW[0] and phase == "start":
        time.sleep(0.5)

SLOW = [False]
gc.callbacks.append(_slow_gc_callback)

def pytest_configure(config):
    def last_collections():  # like pytest's unraisable-exception cleanup, but slower than 5 s
        SLOW[0] = True
        for _ in range(16):
            gc.collect()
    config.add_cleanup(last_collections)
{hook}
"""

HOOK = """
import pytest
from xdist_shutdown import ignore_late_sigint

@pytest.hookimpl(tryfirst=True)
def pytest_unconfigure(config):
    ignore_late_sigint(config)
"""


def _run(tmp_path: Path, hook: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    (tmp_path / "conftest.py").write_text(CONFTEST.format(tests=str(TESTS), hook=hook), encoding="utf-8")
    (tmp_path / "test_one.py").write_text("def test_one():\n    assert True\n", encoding="utf-8")
    return subprocess.run([sys.executable, "-m", "pytest", "-n", "1", "-p", "xdist", "-p", "no:cacheprovider",
                           "-q", str(tmp_path)], cwd=tmp_path, capture_output=True, text=True, timeout=300)


def test_late_worker_gc_ends_clean(tmp_path: Path) -> None:
    """20b: a worker whose final gc.collect() outlasts execnet's 5 s grace ends without a traceback."""
    result = _run(tmp_path, HOOK)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout
    assert "KeyboardInterrupt" not in result.stdout + result.stderr


def test_without_the_cure_the_traceback_shows(tmp_path: Path) -> None:
    """20b: the reproduction is real: without ignore_late_sigint the same run prints the traceback."""
    result = _run(tmp_path, "")
    assert "KeyboardInterrupt" in result.stdout + result.stderr, result.stdout + result.stderr
