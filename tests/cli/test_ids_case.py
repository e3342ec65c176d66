"""Issue 16 item 19: ids match case-insensitively where that is unambiguous; unknown ids list every known
id, the closest first."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

BASE = Path(__file__).resolve().parents[1] / "rules" / "base"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(BASE, root)
    text = (root / "processes" / "QT-01.yaml").read_text(encoding="utf-8")
    for n in range(2, 15):
        pid = f"QT-{n:02d}"
        (root / "processes" / f"{pid}.yaml").write_text(text.replace("QT-01", pid), encoding="utf-8")
    return root


def test_lower_case_ids_are_accepted(repo: Path, run_qms: Any, tmp_path: Path) -> None:
    r = run_qms("--root", str(repo), "render", "procedure", "qt-07", "--format", "html", "-o", str(tmp_path / "s"))
    assert r.exit_code == 0, r.stderr
    assert (tmp_path / "s" / "QT-07.html").is_file()
    r = run_qms("--root", str(repo), "nc", "new", "--process", "qt-03", "--title", "Trễ hạn", "--description",
                "Một hồ sơ trễ", "--source", "late_dossier", "--severity", "minor", "--by", "an")
    assert r.exit_code == 0, r.stderr
    [nc] = (repo / "records" / "nonconformities").glob("NC-*.yaml")
    assert "process: QT-03" in nc.read_text(encoding="utf-8")


def test_an_unknown_id_lists_every_id_closest_first(repo: Path, run_qms: Any, tmp_path: Path) -> None:
    r = run_qms("--root", str(repo), "render", "procedure", "HT-ZZZ", "-o", str(tmp_path / "x.pdf"))
    assert r.exit_code == 2
    hint = r.stderr.split("known procedures:", 1)[1]
    listed = [s.strip() for s in hint.split(",")]
    assert sorted(listed) == [f"QT-{n:02d}" for n in range(1, 15)]
    r = run_qms("--root", str(repo), "render", "procedure", "QX-9", "-o", str(tmp_path / "x.pdf"))
    assert r.exit_code == 2
    assert "did you mean `QT-09`?" in r.stderr
