"""Issue 13: the approver's signature issues a revision — `qms doc approve --as approver` records
`issued_on` (Ngày ban hành) beside `effective_date`; `qms doc revise` clears both."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import yaml

BASE = Path(__file__).resolve().parents[1] / "rules" / "base"


def _qms(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "qms", *args], cwd=root, capture_output=True, text=True,
                          timeout=240, check=False)


def test_approval_sets_issued_on_and_revision_clears_it(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(BASE, root)
    path = root / "processes" / "QT-01.yaml"
    steps = [("doc", "revise", "QT-01", "--summary", "Sửa bước 2", "--summary-en", "Step 2 changed",
              "--by", "Trần Thị Bình", "--date", "2026-03-01")]
    for step in steps:
        r = _qms(root, *step)
        assert r.returncode == 0, r.stdout + r.stderr
    block = yaml.safe_load(path.read_text(encoding="utf-8"))["document"]
    assert "issued_on" not in block and "effective_date" not in block
    for role, name, day in (("reviewer", "Lê Văn Cường", "2026-03-02"), ("approver", "Nguyễn Văn An", "2026-03-03")):
        r = _qms(root, "doc", "approve", "QT-01", "--as", role, "--by", name, "--date", day,
                 *(["--effective", "2026-03-10"] if role == "approver" else []))
        assert r.returncode == 0, r.stdout + r.stderr
    block = yaml.safe_load(path.read_text(encoding="utf-8"))["document"]
    assert block["issued_on"].isoformat() == "2026-03-03"
    assert block["effective_date"].isoformat() == "2026-03-10"
    r = _qms(root, "check", "--no-cache", "--select", "QMS122")
    assert r.returncode == 0 and r.stdout.startswith("All clean"), r.stdout


def test_future_approval_is_refused_and_a_holiday_effective_date_warns(tmp_path: Path) -> None:
    """Issue 16 items 5 and 6 for document control: `--date` records when a revision or an approval
    happened, so a day after today is refused (exit 2, nothing written) unless `--allow-future`; the
    effective date is a planned date, allowed in the future, but a holiday draws a warning that names
    the next working day."""
    root = tmp_path / "repo"
    shutil.copytree(BASE, root)
    path = root / "processes" / "QT-01.yaml"
    before = path.read_bytes()
    r = _qms(root, "doc", "revise", "QT-01", "--summary", "Sửa bước 2", "--by", "Trần Thị Bình",
             "--date", "2999-01-01")
    assert r.returncode == 2, r.stdout + r.stderr
    assert "--date 2999-01-01" in r.stderr and "--allow-future" in r.stderr
    assert path.read_bytes() == before
    r = _qms(root, "doc", "revise", "QT-01", "--summary", "Sửa bước 2", "--by", "Trần Thị Bình",
             "--date", "2026-03-01")
    assert r.returncode == 0, r.stderr
    r = _qms(root, "doc", "approve", "QT-01", "--as", "reviewer", "--by", "Lê Văn Cường",
             "--date", "2999-01-01")
    assert r.returncode == 2 and "--allow-future" in r.stderr
    for role, name in (("reviewer", "Lê Văn Cường"), ("approver", "Nguyễn Văn An")):
        # 2027-02-08 is the third day of Tết 2027 (a day off); the command goes on without a terminal
        r = _qms(root, "doc", "approve", "QT-01", "--as", role, "--by", name, "--date", "2026-03-03",
                 *(["--effective", "2027-02-08"] if role == "approver" else []))
        assert r.returncode == 0, r.stdout + r.stderr
    assert "--effective 2027-02-08" in r.stderr and "2027-02-11" in r.stderr, r.stderr
    block = yaml.safe_load(path.read_text(encoding="utf-8"))["document"]
    assert block["effective_date"].isoformat() == "2027-02-08"
