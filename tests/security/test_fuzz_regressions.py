"""Crash inputs found by fuzzing, replayed against their target's contract.

Every file in ``fuzz/regressions/<target>/`` was a crash. It goes through the target's contract
with no tolerance: the reader must return a value or raise the project's own errors. Reproducers of
known crashes whose fix belongs to another item of issue 19 (``fuzz/known_issues.py``) are strict
expected failures: when the fix lands, the test passes unexpectedly and fails, and the entry in
known_issues.py is deleted.
"""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
FUZZ = REPO / "fuzz"
REGRESSIONS = FUZZ / "regressions"


def _known() -> dict[tuple[str, str], tuple[str, bool]]:
    sys.path.insert(0, str(FUZZ))
    try:
        known_issues = importlib.import_module("known_issues")
    finally:
        sys.path.remove(str(FUZZ))
    out: dict[tuple[str, str], tuple[str, bool]] = {}
    for issue in known_issues.KNOWN_ISSUES:
        for target in issue.targets:
            for name in issue.reproducers:
                if (REGRESSIONS / target / name).is_file():
                    out[(target, name)] = (issue.reference, issue.native)
    return out


KNOWN = _known()


def _cases() -> list[object]:
    cases: list[object] = []
    for path in sorted(REGRESSIONS.glob("*/*")):
        target, name = path.parent.name, path.name
        marks = [pytest.mark.xfail(strict=True, reason=KNOWN[(target, name)][0])] if (target, name) in KNOWN else []
        cases.append(pytest.param(target, name, marks=marks, id=f"{target}/{name}"))
    return cases


def _target(name: str, monkeypatch: pytest.MonkeyPatch) -> Callable[[bytes], None]:
    monkeypatch.setenv("QMS_FUZZ_REPLAY", "1")  # plain imports: no coverage instrumentation
    monkeypatch.setenv("QMS_FUZZ_STRICT", "1")  # no known issue is skipped or tolerated
    monkeypatch.syspath_prepend(str(FUZZ))
    module = importlib.import_module(f"fuzz_{name}")
    fn = module.test_one_input
    assert callable(fn)
    return fn  # type: ignore[no-any-return]


@pytest.mark.parametrize(("target", "name"), _cases())
def test_fuzz_crash_reproducer_keeps_the_contract(target: str, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Item 12: a crash found by fuzzing (fuzz/regressions/TARGET/NAME) no longer breaks the reader's contract."""
    path = REGRESSIONS / target / name
    if KNOWN.get((target, name), ("", False))[1]:  # a native abort: replay it in a bounded child process
        code = ("import resource, sys\n"
                "resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))\n"
                f"sys.path.insert(0, {str(FUZZ)!r})\n"
                f"import fuzz_{target}\n"
                f"fuzz_{target}.test_one_input(open({str(path)!r}, 'rb').read())\n")
        env = {**os.environ, "QMS_FUZZ_REPLAY": "1", "QMS_FUZZ_STRICT": "1"}
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env,
                              check=False)
        assert proc.returncode == 0, proc.stderr[-2000:]
        return
    _target(target, monkeypatch)(path.read_bytes())


def test_there_are_reproducers() -> None:
    """Item 12: the crashes found while fuzzing are kept as reproducers."""
    assert len(list(REGRESSIONS.glob("*/*"))) >= 1


def _repo_with_process(tmp_path: Path, content: bytes) -> Path:
    root = tmp_path / "repo"
    (root / "processes").mkdir(parents=True)
    (root / "qms.yaml").write_bytes((FUZZ / "data" / "minimal-qms.yaml").read_bytes())
    (root / "processes" / "QT-FZ-01.yaml").write_bytes(content)
    return root


@pytest.mark.parametrize("key", ["!. x", "2026-13-45", "!!int x", "!!float abc", "? !!binary xx\n"])
def test_check_reports_an_unreadable_mapping_key(tmp_path: Path, key: str) -> None:
    """Fuzz find (yaml): a mapping key with an unknown tag or an unreadable typed value (`2026-13-45:`)
    made the careful YAML loader raise, and `qms check` exit 3; it is now a located finding (exit 1)."""
    text = f"{key}: 1\n"
    root = _repo_with_process(tmp_path, text.encode("utf-8"))
    proc = subprocess.run([sys.executable, "-m", "qms", "--root", str(root), "check", "--no-cache"],
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "internal error" not in proc.stderr
    assert "processes/QT-FZ-01.yaml:1:" in proc.stdout


def test_renumber_reports_an_unreadable_timestamp_in_a_conflict_side(tmp_path: Path) -> None:
    """Fuzz find (nc_record): one side of a merge conflict with a timestamp PyYAML cannot build (second 60)
    made `parse_text` raise ValueError, and `qms nc renumber` exit 3; it is now a located error (exit 2)."""
    root = tmp_path / "repo"
    root.mkdir()
    for part in ("qms.yaml", "processes", "records"):
        src = REPO / part
        if src.is_dir():
            shutil.copytree(src, root / part)
        else:
            (root / part).write_bytes(src.read_bytes())
    record = root / "records" / "nonconformities" / "NC-2026-0005.yaml"
    text = record.read_text(encoding="utf-8")
    bad = text.replace("16:54:06+00:00", "16:54:60+00:00")
    assert bad != text
    record.write_text(f"<<<<<<< ours\n{text}=======\n{bad}>>>>>>> theirs\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "qms", "--root", str(root), "nc", "renumber", "NC-2026-0005",
                           "--by", "vu_thi_giang"], capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "internal error" not in proc.stderr
    assert "NC-2026-0005.yaml (theirs):" in proc.stderr and "is not a date that exists" in proc.stderr


@pytest.mark.parametrize(("option", "content"), [("--calendar", "calendar:\n  extra_days_off: [2025-01-89]\n"),
                                                 ("--limits", "P: 2025-02-30\n"),
                                                 ("--columns", "dossier_id: 2025-13-01\n")])
def test_kpi_side_file_with_an_impossible_date(tmp_path: Path, option: str, content: str) -> None:
    """Fuzz find (kpi_config): a --calendar/--limits/--columns file with an impossible date (2025-01-89)
    made PyYAML raise ValueError, and `qms kpi report` exit 3; it is now a located error (exit 2)."""
    (tmp_path / "log.csv").write_text("dossier_id,procedure_id,received_at,due_at\nA,P,2026-03-02,2026-03-09\n",
                                      encoding="utf-8")
    (tmp_path / "side.yaml").write_text(content, encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "qms", "kpi", "report", "log.csv", "--as-of", "2026-06-01",
                           option, "side.yaml"], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                          check=False)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "internal error" not in proc.stderr
    assert "side.yaml:" in proc.stderr and "is not a date that exists" in proc.stderr
