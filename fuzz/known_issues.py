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


KNOWN_ISSUES: tuple[KnownIssue, ...] = (
    KnownIssue(
        frozenset({"pdf_verify"}), frozenset(), ("verify.py", "_one"),
        "issue 19 F8/item 7: a malformed signature (a damaged certificate in the CMS blob, a signing-certificate "
        "attribute that does not match the signer) makes pyHanko's `signer_cert` raise (ValueError, "
        "SignatureValidationError, ...) before validation; `qms verify` exits 3 instead of NOT OK (exit 1)",
        ("signing-certificate-mismatch", "damaged-certificate"),
    ),
    KnownIssue(
        frozenset({"csv", "xlsx"}), frozenset({"CalendarRangeError"}), ("core.py", "_build"),
        "issue 19 F10/item 9: a dossier dated outside 1901..2100 (e.g. received 4038-01-01) raises "
        "CalendarRangeError out of the KPI classifier; `qms kpi report` exits 3. Better: reject the row "
        "as a bad date (like any unreadable date) and go on",
        ("year-4038", "year-1899"),
    ),
    KnownIssue(
        frozenset({"xlsx"}), frozenset(), ("fuzz_xlsx.py", "far_grid"),
        "issue 19 F3/item 4: a sheet naming a far cell (XFD1048576, or a column `AJJJJ...`) makes python-calamine "
        "allocate the whole grid and abort the process (SIGABRT, 'memory allocation of N bytes failed'). "
        "A native abort cannot be tolerated in-process, so fuzz_xlsx.py skips such inputs (GRID_CELLS) "
        "unless QMS_FUZZ_STRICT=1",
        ("far-column",),
        native=True,
    ),
)
