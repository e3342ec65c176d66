"""Hostile input against ``qms check --fix``: fixes write only regular files inside the repository."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from qms.errors import QmsError
from qms.store.text_edit import EditableText, read_for_edit, write_edited

RULES = Path(__file__).resolve().parents[1] / "rules"
TODAY = "2026-06-01"
NFD_TITLE = "title: {vi: Chu\u031bng thu\u031bc, en: Certified copies}"


def _repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(RULES / "base", root)
    return root


def _qms(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QMS_NO_CACHE": "1", "QMS_LANG": "en"}
    return subprocess.run([sys.executable, "-m", "qms", "--root", str(root), *args], capture_output=True,
                          text=True, env=env, timeout=120, check=False)


def test_fix_never_writes_through_a_symlink(tmp_path: Path) -> None:
    """X1: a process file that is a link (inside the repository) is not rewritten, nor is its target."""
    root = _repo(tmp_path)
    real = root / "processes" / "real.yaml.txt"
    text = (root / "processes/QT-01.yaml").read_text(encoding="utf-8")
    real.write_text(text.replace("id: QT-01", "id: QT-02").replace(
        "title: {vi: Chứng thực bản sao, en: Certified copies}", NFD_TITLE), encoding="utf-8")
    (root / "processes/QT-02.yaml").symlink_to(real.name)
    before = real.read_bytes()
    out = _qms(root, "check", "--today", TODAY, "--fix")
    assert "processes/QT-02.yaml: not fixed:" in out.stdout, out.stdout + out.stderr
    assert "not a regular file" in out.stdout
    assert (root / "processes/QT-02.yaml").is_symlink()
    assert real.read_bytes() == before
    assert out.returncode in (0, 1)  # a refused file is reported, not a crash


def test_fix_refuses_a_file_changed_since_it_was_read(tmp_path: Path) -> None:
    """X2: if the file changes between the check and the write, nothing is written to it."""
    root = _repo(tmp_path)
    path = root / "processes/QT-01.yaml"
    current = read_for_edit(root, "processes/QT-01.yaml")
    path.write_text(path.read_text(encoding="utf-8") + "# edited meanwhile\n", encoding="utf-8")
    edited = path.read_bytes()
    with pytest.raises(QmsError, match="changed while it was being fixed"):
        write_edited(root, current, current.text.replace("QT-01", "QT-99"))
    assert path.read_bytes() == edited


def test_fix_paths_cannot_leave_the_repository(tmp_path: Path) -> None:
    """X3: a path with `..` or an absolute path never reaches the writer."""
    root = _repo(tmp_path)
    (tmp_path / "outside.yaml").write_text("id: x\n", encoding="utf-8")
    for rel in ("../outside.yaml", str(tmp_path / "outside.yaml")):
        with pytest.raises(QmsError, match="not a regular file inside the repository"):
            read_for_edit(root, rel)
        with pytest.raises(QmsError):
            write_edited(root, EditableText(rel, "id: y\n", False, ""), "id: z\n")
    assert (tmp_path / "outside.yaml").read_text(encoding="utf-8") == "id: x\n"


def test_a_failed_write_is_reported_not_crashed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """X4: when the file system refuses the write (read-only, full), the file is listed as not fixed."""
    import errno

    import qms.store.text_edit as text_edit
    from qms.engine import CheckOptions
    from qms.fixing import fix_repository

    root = _repo(tmp_path)
    path = root / "processes/QT-01.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "title: {vi: Chứng thực bản sao, en: Certified copies}", NFD_TITLE), encoding="utf-8")
    before = path.read_bytes()

    def refuse(target: Path, data: bytes) -> None:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(target))

    monkeypatch.setattr(text_edit, "atomic_write_bytes", refuse)
    outcome = fix_repository(root, CheckOptions(today=dt.date(2026, 6, 1)))
    assert outcome.fixed == 0
    assert outcome.refused["processes/QT-01.yaml"].startswith("cannot write processes/QT-01.yaml")
    assert path.read_bytes() == before
