"""A yes/no question is asked in the user's language and answered in it: "[c/K]", "có"/"không" in Vietnamese.

The question is only asked on a terminal, so these tests run `qms` on a real pseudo-terminal."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

NC = "records/nonconformities/NC-2026-0002.yaml"
#: 2026-11-29 is a Sunday: `--due` on it asks whether to keep it
PLAN = ("--lang", "vi", "nc", "plan", "NC-2026-0002", "--action", "Rà soát mẫu", "--owner", "bui_van_khanh",
        "--due", "2026-11-29", "--by", "nguyen_van_an", "--date", "2026-11-02")


def _answer_on_a_terminal(root: Path, answer: str) -> tuple[int, str]:
    """Run `qms` with its stdin and stderr on a pseudo-terminal, answer the first question, return the exit
    code and what the terminal showed (a generous guard kills a command that keeps asking)."""
    master, slave = pty.openpty()
    env = {**os.environ, "QMS_LANG": "vi"}
    proc = subprocess.Popen([sys.executable, "-m", "qms", *PLAN], cwd=root, stdin=slave, stderr=slave,
                            stdout=subprocess.DEVNULL, env=env, close_fds=True)
    os.close(slave)
    shown, asked, deadline = b"", False, time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            ready, _w, _x = select.select([master], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(master, 4096)
                except OSError:  # the command ended and closed the terminal
                    break
                if not chunk:
                    break
                shown += chunk
                if not asked and shown.rstrip().endswith(b"]:"):
                    os.write(master, answer.encode("utf-8") + b"\n")
                    asked = True
            elif proc.poll() is not None:
                break
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=60)
        os.close(master)
    return proc.returncode, shown.decode("utf-8", errors="replace")


@pytest.mark.parametrize(("answer", "code", "written"), [("có", 0, True), ("Không", 1, False)])
def test_vietnamese_question_takes_a_vietnamese_answer(example_copy: Path, answer: str, code: int,
                                                       written: bool) -> None:
    """Y1: the question used to end in click's English "[y/N]" and refuse "có" as invalid input, asking again
    for ever; it now ends in "[c/K]" and "có" keeps the date, "Không" writes nothing (exit 1)."""
    before = (example_copy / NC).read_bytes()
    rc, shown = _answer_on_a_terminal(example_copy, answer)
    assert "Vẫn giữ ngày 2026-11-29? [c/K]:" in shown, shown
    assert "[y/N]" not in shown and "invalid input" not in shown and "không hợp lệ" not in shown, shown
    assert rc == code, shown
    after = (example_copy / NC).read_bytes()
    assert (after != before) is written
    if written:
        assert "due: 2026-11-29" in after.decode("utf-8")
    else:
        assert "chưa ghi gì: không giữ --due 2026-11-29" in shown
