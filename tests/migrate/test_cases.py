"""Golden cases: tests/migrate/cases/<case>/input migrates to exactly tests/migrate/cases/<case>/expected.

To update a case after an intended change: copy `input` over `expected` and run
`qms --root tests/migrate/cases/<case>/expected migrate apply`, then review the diff.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from qms.migrate.apply import plan_migration, write

CASES = Path(__file__).parent / "cases"


def _files(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): p.read_text(encoding="utf-8")
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("case", sorted(p.name for p in CASES.iterdir() if (p / "input").is_dir()))
def test_case(case: str, tmp_path: Path) -> None:
    root = tmp_path / case
    shutil.copytree(CASES / case / "input", root)
    write(plan_migration(root))
    assert _files(root) == _files(CASES / case / "expected")
    again = plan_migration(root)
    assert not again.changed
