"""A private copy of the example organisation at the repository root (for tests that change it)."""

from __future__ import annotations

import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PARTS = ("qms.yaml", "processes", "records", "audits", "legal")


def copy_example(target: Path) -> Path:
    """Copy the example's files (not its locks or caches) into the new folder ``target``."""
    target.mkdir()
    for name in PARTS:
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, target / name, ignore=shutil.ignore_patterns(".lock", ".qms-cache"))
        elif src.exists():
            shutil.copy2(src, target / name)
    return target
