"""Crashes found by fuzzing whose fix belongs to another change of issue 19.

Each entry names the target, the exception type(s) and one frame ``(file, function)`` of the
traceback that identify the crash. The fuzz targets tolerate these (unless ``QMS_FUZZ_STRICT=1``),
so that a known crash does not stop the search for new ones; their reproducers sit in
``fuzz/regressions/<target>/`` and ``tests/security/test_fuzz_regressions.py`` replays them as
strict expected failures. When the fix lands, that test reports an unexpected pass: delete the
entry here, and the reproducer becomes an ordinary regression test.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class KnownIssue:
    targets: frozenset[str]
    exceptions: frozenset[str]  # exception type names; empty: any type
    frame: tuple[str, str]  # (file name, function name) that must appear in the traceback
    reference: str  # what it is and which item of issue 19 fixes it
    reproducers: tuple[str, ...] = ()  # file names in fuzz/regressions/<target>/
    native: bool = False  # the crash kills the process: replay it in a child process


KNOWN_ISSUES: tuple[KnownIssue, ...] = ()
