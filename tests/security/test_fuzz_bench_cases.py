"""The hostile-input bench (bench/bench_hostile.py) can still build every case of issue 19.

The bench prints figures and is not a test; this keeps its generators from rotting when the example
organisation changes (each builder edits real example files and asserts its edit applied).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[2]
HEAVY = {"F4.2", "F12.2"}  # a 1 GiB zip bomb and a 9 MB log: built by the bench only


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("qms_bench_hostile", REPO / "bench" / "bench_hostile.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


BENCH = _bench()


@pytest.mark.parametrize("case", [c for c in BENCH.CASES if c.id not in HEAVY], ids=lambda c: c.id)
def test_bench_case_builds(case: object, tmp_path: Path) -> None:
    """Items 4 and 12: every hostile case F1-F12 of the bench generates its input and a qms command."""
    work = tmp_path / "work"
    work.mkdir()
    try:
        inv = case.build(work)  # type: ignore[attr-defined]
        assert inv.args and inv.cwd.is_dir()
    finally:
        BENCH._force_remove(work)  # F12.1 leaves an unreadable directory behind


def test_bench_cases_cover_every_finding() -> None:
    """Item 4: the bench has at least one case for each finding F1-F12, with unique ids."""
    ids = [c.id for c in BENCH.CASES]
    assert len(ids) == len(set(ids))
    for n in range(1, 13):
        assert any(i == f"F{n}" or i.startswith(f"F{n}.") for i in ids), f"no case for F{n}"


def test_alias_file_stays_under_the_per_file_cap() -> None:
    """F4.3: the across-files case uses files each under the per-file alias cap (so only a per-run budget stops it)."""
    from qms.store.yaml_io import load_text

    loaded = load_text(BENCH.alias_file_near_cap("QT-AL-01"))
    assert not [p for p in loaded.problems if p.kind == "alias-limit"]
