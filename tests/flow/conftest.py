"""Fixtures of the flow tests: the real CLI (in-process, or in a subprocess), in a copy of the example organisation."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

REPO = Path(__file__).resolve().parents[2]
SHIPPED_LOG = REPO / "examples" / "flow" / "handover-log.csv"


@dataclass
class Run:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


@pytest.fixture
def qms_flow() -> Callable[..., Run]:
    """``qms flow report ARGS`` in ``cwd`` (default: the example organisation at the root), through the
    real entry point run in this process (tests/inprocess.py): the figures, messages and files are the
    subject here, not the process; ``qms_flow_process`` runs the same in a subprocess."""
    from inprocess import run_in_process

    def run(*args: str | Path, cwd: Path = REPO, lang: str = "en") -> Run:
        code, out, err = run_in_process(cwd, ["flow", "report", *map(str, args)], {"QMS_LANG": lang})
        return Run(code, out, err)

    return run


@pytest.fixture
def qms_flow_process() -> Callable[..., Run]:
    """``python -m qms flow report ARGS`` in ``cwd``, in a real subprocess."""

    def run(*args: str | Path, cwd: Path = REPO, lang: str = "en") -> Run:
        env = {**os.environ, "QMS_LANG": lang}
        proc = subprocess.run([sys.executable, "-m", "qms", "flow", "report", *map(str, args)], cwd=cwd, env=env,
                              capture_output=True, text=True, timeout=300, check=False)
        return Run(proc.returncode, proc.stdout, proc.stderr)

    return run
