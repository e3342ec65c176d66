"""Atomic writes keep file modes and never leave temporary files behind."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from qms.store.atomic import atomic_write_bytes, atomic_write_text


def test_new_file_gets_the_umask_default(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        target = tmp_path / "a.yaml"
        atomic_write_text(target, "x: 1\n")
    finally:
        os.umask(old)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert target.read_text() == "x: 1\n"


def test_existing_mode_is_kept(tmp_path: Path) -> None:
    target = tmp_path / "a.yaml"
    target.write_text("old\n")
    target.chmod(0o640)
    atomic_write_text(target, "new\n")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert target.read_text() == "new\n"
    assert [p.name for p in tmp_path.iterdir()] == ["a.yaml"]


def test_exclusive_never_overwrites(tmp_path: Path) -> None:
    target = tmp_path / "NC-2026-0001.yaml"
    atomic_write_bytes(target, b"first\n", exclusive=True)
    with pytest.raises(FileExistsError):
        atomic_write_bytes(target, b"second\n", exclusive=True)
    assert target.read_bytes() == b"first\n"
    assert [p.name for p in tmp_path.iterdir()] == ["NC-2026-0001.yaml"]
