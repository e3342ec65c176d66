"""The qms entry point (``qms.cli.main.main``) run in this process, with what a subprocess would be given.

For tests whose subject is what a command answers, not the process: one interpreter serves many runs
instead of starting ``python -m qms`` (and importing qms) for each. Tests about the process itself
(signals, exit on interrupt, imports, the environment, real concurrency) keep a real subprocess.
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pytest


def run_in_process(cwd: Path, args: list[str], env: Mapping[str, str | None]) -> tuple[int, str, str]:
    """Run ``qms ARGS`` in ``cwd`` with the variables of ``env`` set (``None``: unset); return the exit
    code, standard output and standard error. A fresh run's limits and English are restored before and
    after, and so are the working directory and the environment."""
    from qms.cli.main import main
    from qms.i18n import set_language
    from qms.store import limits

    saved_env = {name: os.environ.get(name) for name in env}
    saved_cwd = os.getcwd()
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", newline="")
    err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", newline="")
    code = 0
    for name, value in env.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    limits.reset()
    set_language("en")
    try:
        os.chdir(cwd)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                main(list(args))
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        os.chdir(saved_cwd)
        for name, value in saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        limits.reset()
        set_language("en")
    texts = []
    for stream in (out, err):
        stream.flush()
        buffer = stream.buffer
        assert isinstance(buffer, io.BytesIO)
        texts.append(buffer.getvalue().decode("utf-8"))
    return code, texts[0], texts[1]


def run_main(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """``qms ARGV`` through ``qms.cli.main.main`` in this process (cwd and environment as they are), with
    the output ``capsys`` captured: the exit code, standard output and standard error."""
    from qms.cli.main import main

    try:
        code = int(main(argv) or 0)
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err
