"""The README's `qms check` session is what a user sees when they type it.

The fenced block of "## Checking" that starts with ``$ qms check`` is replayed in a copy of the example
organisation: each ``$ sed …`` line is run by the shell, each ``$ qms …`` line by a real ``qms``
process, and the lines printed must be the README's (the number of files checked aside, which grows
with the example).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from example_repo import copy_example

ROOT = Path(__file__).resolve().parents[2]
_FILES = re.compile(r"\b\d+ (files|tệp)\b")


def _session() -> list[tuple[str, list[str]]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = next(b for b in re.findall(r"^```\n(.*?)^```$", text, re.M | re.S) if b.startswith("$ qms check"))
    steps: list[tuple[str, list[str]]] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], []))
        elif line.strip():
            steps[-1][1].append(line)
    return steps


def test_the_readme_check_session_replays(tmp_path: Path) -> None:
    """README: `qms check` on the example, one step lengthened with the README's own `sed`, then
    `qms check` and `qms --lang en check` print exactly the finding, hint and summary shown; without
    --lang or QMS_LANG, in the organisation's language (the example's is Vietnamese)."""
    steps = _session()
    assert [cmd.split()[0] for cmd, _out in steps] == ["qms", "sed", "qms", "qms"], steps
    repo = copy_example(tmp_path / "example")
    env = {**os.environ, "QMS_NO_CACHE": "1"}
    env.pop("QMS_LANG", None)
    for command, shown in steps:
        command = command.split("   #", 1)[0].strip()
        if command.startswith("qms "):
            args = command.split()[1:]
            r = subprocess.run([sys.executable, "-m", "qms", *args], cwd=repo, capture_output=True, text=True,
                               env=env, timeout=180, check=False)
        else:
            r = subprocess.run(command, shell=True, cwd=repo, capture_output=True, text=True, timeout=60,
                               check=False)
            assert r.returncode == 0, r.stderr
        printed = [_FILES.sub("N files", line) for line in r.stdout.splitlines()]
        assert printed == [_FILES.sub("N files", line) for line in shown], (command, r.stdout)
