"""What every fuzz target shares: the reader contract, a scratch directory, and the atheris entry point.

A target is a script ``fuzz/fuzz_<reader>.py`` that defines ``test_one_input(data: bytes)``. The function
feeds ``data`` to one reader and checks the reader's contract: it returns a value or raises one of the
errors the project expects (``QmsError`` and its subclasses, located load problems, diagnostics). Any
other exception escapes, and libFuzzer records the input as a crash. Hangs and memory blow-ups are
caught by libFuzzer's ``-timeout`` and ``-rss_limit_mb`` (see ``fuzz/run.py``).

The targets import without atheris, so the regression test can replay crash inputs
(``fuzz/regressions/<target>/``) with plain pytest.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import sys
import tempfile
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

FUZZ_DIR = Path(__file__).resolve().parent
REPO = FUZZ_DIR.parent
DATA = FUZZ_DIR / "data"

try:  # atheris is a dev dependency; without it the targets still import (for the regression replays)
    import atheris
except ImportError:  # pragma: no cover - depends on the environment
    atheris = None


def instrumented() -> contextlib.AbstractContextManager[Any]:
    """Wrap the imports of the code under test: coverage-instrument qms (and only qms) when fuzzing."""
    if atheris is None or os.environ.get("QMS_FUZZ_REPLAY"):
        return contextlib.nullcontext()
    return atheris.instrument_imports(include=["qms"])  # type: ignore[no-any-return]


_SCRATCH: list[Path] = []


def scratch() -> Path:
    """A private temporary directory for this process, removed at exit."""
    if not _SCRATCH:
        path = Path(tempfile.mkdtemp(prefix="qms-fuzz-"))
        atexit.register(shutil.rmtree, path, True)
        _SCRATCH.append(path)
    return _SCRATCH[0]


def fresh_dir(name: str) -> Path:
    """An empty directory ``name`` inside the scratch directory (emptied on every call)."""
    path = scratch() / name
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Silence stdout and stderr of the code under test (click echoes, warnings)."""
    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        yield


class ContractViolation(AssertionError):
    """The reader returned something its contract does not allow."""


def expect(condition: bool, what: str) -> None:
    if not condition:
        raise ContractViolation(what)


def known_issue(target: str, exc: BaseException) -> str | None:
    """The reference of a known, reported crash that ``exc`` is an instance of, else None.

    ``fuzz/known_issues.py`` lists crashes found by fuzzing whose fix belongs to another change;
    they are tolerated (so that fuzzing goes on finding new ones) unless ``QMS_FUZZ_STRICT=1``.
    """
    if os.environ.get("QMS_FUZZ_STRICT"):
        return None
    from known_issues import KNOWN_ISSUES

    frames = {(Path(f.filename).name, f.name) for f in traceback.extract_tb(exc.__traceback__)}
    for issue in KNOWN_ISSUES:
        if target in issue.targets and issue.frame in frames and (
                not issue.exceptions or type(exc).__name__ in issue.exceptions):
            return issue.reference
    return None


def tolerant(target: str, test_one_input: Callable[[bytes], None]) -> Callable[[bytes], None]:
    """``test_one_input`` with the known issues of ``target`` tolerated."""

    def run(data: bytes) -> None:
        try:
            test_one_input(data)
        except Exception as exc:
            if known_issue(target, exc) is None:
                raise

    return run


def target_name(script: str) -> str:
    return Path(script).stem.removeprefix("fuzz_")


def main(test_one_input: Callable[[bytes], None]) -> None:
    """Run ``test_one_input`` under atheris with the command line's libFuzzer options."""
    if atheris is None:
        sys.exit("atheris is not installed: pip install -e '.[dev]'")
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 1000))
    atheris.Setup(sys.argv, tolerant(target_name(sys.argv[0]), test_one_input))
    atheris.Fuzz()
