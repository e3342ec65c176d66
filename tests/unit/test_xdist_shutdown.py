"""20b: a green ``pytest -n`` run ends without a KeyboardInterrupt traceback, however long a worker's
last garbage collection takes (execnet SIGINTs a worker still busy 5 s after it was told to stop)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

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


def _start(folder: Path, hook: str) -> subprocess.Popen[str]:
    folder.mkdir()
    (folder / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    (folder / "conftest.py").write_text(CONFTEST.format(tests=str(TESTS), hook=hook), encoding="utf-8")
    (folder / "test_one.py").write_text("def test_one():\n    assert True\n", encoding="utf-8")
    return subprocess.Popen([sys.executable, "-m", "pytest", "-n", "1", "-p", "xdist", "-p", "no:cacheprovider",
                             "-q", str(folder)], cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[int, str, str]]:
    """Both runs, with the cure and without it, side by side (each mostly waits: the slow collections
    and execnet's grace): name -> (exit code, stdout, stderr)."""
    base = tmp_path_factory.mktemp("xdist-shutdown")
    started = {"cured": _start(base / "cured", HOOK), "bare": _start(base / "bare", "")}
    done = {}
    for name, proc in started.items():
        out, err = proc.communicate(timeout=300)
        done[name] = (proc.returncode, out, err)
    return done


def test_late_worker_gc_ends_clean(runs: dict[str, tuple[int, str, str]]) -> None:
    """20b: a worker whose final gc.collect() outlasts execnet's 5 s grace ends without a traceback."""
    code, out, err = runs["cured"]
    assert code == 0, out + err
    assert "1 passed" in out
    assert "KeyboardInterrupt" not in out + err


def test_without_the_cure_the_traceback_shows(runs: dict[str, tuple[int, str, str]]) -> None:
    """20b: the reproduction is real: without ignore_late_sigint the same run prints the traceback."""
    _code, out, err = runs["bare"]
    assert "KeyboardInterrupt" in out + err, out + err
