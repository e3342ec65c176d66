"""F9: Ctrl-C (SIGINT) prints one line, leaves no partial output and no temp file, and exits 130,
with or without ``render --jobs``; the workers print no traceback and do not outlive the command.

A real ``qms render manual`` runs on a copy of the example organisation with a cold render cache;
the signal is sent once the command is demonstrably rendering (its workers exist and have used CPU).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from outputs_helpers import example_repo

CLK_TCK = os.sysconf("SC_CLK_TCK")
GUARD = 600.0  # generous: the machine may be busy; this is a timeout, not a timing


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text(encoding="ascii")
    except OSError:
        return []
    return [int(x) for x in text.split()]


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime + stime


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _like_a_terminal() -> None:
    """Ctrl-C as a terminal delivers it. A CI runner may start the suite from a background job, where the
    shell sets SIGINT to "ignore" and every child inherits that (Python then installs no handler)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _start(repo: Path, tmp_path: Path, *extra: str) -> subprocess.Popen[str]:
    # a cache of its own: a manual rendered earlier in the session would come from the cache, and the
    # command could finish before the signal arrives
    env = {**os.environ, "QMS_LANG": "en", "XDG_CACHE_HOME": str(tmp_path / "xdg-cache"),
           "QMS_CACHE_DIR": str(tmp_path / "qms-cache")}
    env.pop("QMS_DEBUG", None)
    return subprocess.Popen([sys.executable, "-m", "qms", "render", "manual", "-o", str(tmp_path / "out" / "manual.pdf"),
                             *extra], cwd=repo, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, preexec_fn=_like_a_terminal)


def _wait_until(proc: subprocess.Popen[str], ready: object) -> None:
    deadline = time.monotonic() + GUARD
    while not ready():  # type: ignore[operator]
        if proc.poll() is not None:
            pytest.fail(f"the render ended before it could be interrupted: {proc.returncode} {proc.stderr.read()}"
                        if proc.stderr else "the render ended early")
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail("the render never reached the point to interrupt")
        time.sleep(0.05)


def _assert_clean_interrupt(proc: subprocess.Popen[str], tmp_path: Path, repo: Path, workers: list[int]) -> None:
    try:
        out, err = proc.communicate(timeout=GUARD)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        pytest.fail("the command did not stop after SIGINT")
    assert proc.returncode == 130, (proc.returncode, out, err)
    assert err == "interrupted\n", err  # one line, no traceback from the parent or a worker
    assert not (tmp_path / "out" / "manual.pdf").exists(), "a partial output file was left"
    leftovers = [p for base in (tmp_path, repo) for p in base.rglob("*.tmp")]
    assert not leftovers, leftovers
    deadline = time.monotonic() + 60
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(w) for w in workers), "a worker outlived the command"


@pytest.mark.parametrize("delivery", ["group", "workers first"])
def test_ctrl_c_during_render_with_two_jobs(tmp_path: Path, delivery: str) -> None:
    """F9: Ctrl-C (SIGINT to the process group) during `render --jobs 2`: one line, exit 130, no partial
    output, no temp file, no worker traceback, no worker left running. The signal reaches the processes
    of the group in no fixed order: "workers first" lets the workers see it well before the parent."""
    repo = example_repo(tmp_path / "repo", with_git=False)
    proc = _start(repo, tmp_path, "--jobs", "2")
    workers: list[int] = []

    def rendering() -> bool:
        workers[:] = _children(proc.pid)
        return len(workers) >= 2 and max(_cpu_seconds(w) for w in workers) >= 0.5

    _wait_until(proc, rendering)
    if delivery == "workers first":
        for worker in workers:
            os.kill(worker, signal.SIGINT)
        time.sleep(1.0)  # not a timing assertion: any delay must give the same result
    os.killpg(proc.pid, signal.SIGINT)  # what the terminal does on Ctrl-C
    _assert_clean_interrupt(proc, tmp_path, repo, workers)


def test_ctrl_c_during_render_in_one_process(tmp_path: Path) -> None:
    """F9: SIGINT during `render` without --jobs: one line, exit 130, no partial output, no temp file."""
    repo = example_repo(tmp_path / "repo", with_git=False)
    proc = _start(repo, tmp_path)
    _wait_until(proc, lambda: _cpu_seconds(proc.pid) >= 2.5)
    os.killpg(proc.pid, signal.SIGINT)
    _assert_clean_interrupt(proc, tmp_path, repo, [])


SPIN = """
import sys, time
import click
from qms.cli import main as m

class Font:
    def __del__(self):
        time.sleep(0.5)  # a destructor: a KeyboardInterrupt raised here would be swallowed by Python

@click.command("spin")
def spin():
    print("ready", flush=True)
    while True:
        font = Font()
        del font
        time.sleep(0.02)

m.SUBCOMMANDS["spin"] = "__main__:spin"
m.main(["spin"])
"""


def _interrupt_script(script: str, cwd: Path, settle: float = 0.0) -> tuple[int, str]:
    """Run ``script`` (a qms command that prints "ready"), send Ctrl-C once it is ready (after ``settle``
    seconds), and return its exit code and standard error."""
    env = {**os.environ, "QMS_LANG": "en"}
    proc = subprocess.Popen([sys.executable, "-c", script], cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True,
                            preexec_fn=_like_a_terminal)
    assert proc.stdout is not None
    assert proc.stdout.readline() == "ready\n"
    time.sleep(settle)  # not a timing assertion: any delay must give the same result
    os.killpg(proc.pid, signal.SIGINT)
    try:
        _out, err = proc.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        pytest.fail("the interrupt was swallowed: the command kept running")
    return proc.returncode, err


def test_ctrl_c_that_lands_in_a_destructor_is_not_lost(tmp_path: Path) -> None:
    """F9: a SIGINT delivered while Python runs a __del__ method (WeasyPrint frees fonts in one) still
    ends the command with one line and exit 130; Python alone would swallow it and run on."""
    code, err = _interrupt_script(SPIN, tmp_path, settle=0.3)  # inside the destructor most of the time
    assert code == 130, err
    assert err.splitlines()[-1:] == ["interrupted"], err
    assert "Traceback" not in err, err


SWALLOW = """
import sys, time
from pathlib import Path
import click
from qms.cli import main as m
from qms.store.atomic import atomic_write_text

@click.command("swallow")
def swallow():
    print("ready", flush=True)
    for _ in range(200):  # as WeasyPrint draws an SVG image: every exception caught, Ctrl-C included
        try:
            time.sleep(0.02)
        except BaseException:
            pass
    atomic_write_text(Path("out.pdf"), "a document drawn without its flowchart")

m.SUBCOMMANDS["swallow"] = "__main__:swallow"
m.main(["swallow"])
"""


def test_ctrl_c_swallowed_by_a_library_writes_nothing(tmp_path: Path) -> None:
    """F9: a library that catches every exception (WeasyPrint while it draws an SVG flowchart) swallows the
    KeyboardInterrupt; the command still writes no output and exits 130 with one line."""
    code, err = _interrupt_script(SWALLOW, tmp_path)
    assert code == 130, err
    assert err == "interrupted\n", err
    assert not (tmp_path / "out.pdf").exists() and not list(tmp_path.glob("*.tmp"))
