"""Fixtures for the register tests: a small QMS repository (tests/rules/base) in a temporary directory."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

BASE = Path(__file__).resolve().parent.parent / "rules" / "base"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(BASE, root)
    return root

