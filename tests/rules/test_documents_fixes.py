"""Issue 13: the old forms (free-text retention, undirected interactions, no `issued_on`) are still
read, reported, and rewritten by `qms check --fix` / `--unsafe-fixes` into the new forms."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

BASE = Path(__file__).parent / "base"

OLD_PROCESS = """\
id: QT-02
title: {vi: Thử, en: Test}
kind: support
owner: chu_tich
unit: lanh_dao
purpose: {vi: Thử, en: Test}
scope: {vi: Thử, en: Test}
interactions: [QT-01]
records:
  - {code: HS-02, title: {vi: Sổ, en: Register}, retention: 5 years, location: {vi: Tư pháp, en: Justice}}
  - code: HS-03
    title: {vi: Sổ, en: Register}
    retention: "vĩnh viễn"
    location: {vi: Tư pháp, en: Justice}
  - code: HS-04
    title: {vi: Sổ, en: Register}
    retention: 10 năm sau khi hết hiệu lực
    location: {vi: Tư pháp, en: Justice}
document:
  code: QT-02
  revision: 1
  effective_date: 2026-01-05
  approved_by: {name: Nguyễn Văn An, date: 2026-01-02}
"""

CODES = "QMS122,QMS123,QMS124"


def _qms(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "qms", *args], cwd=root, capture_output=True, text=True,
                          timeout=300, check=False)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(BASE, root)
    (root / "processes" / "QT-02.yaml").write_text(OLD_PROCESS, encoding="utf-8")
    return root


def test_old_forms_load_and_are_reported(repo: Path) -> None:
    """Old forms are not schema errors: they load, and each is one warning of the new rules."""
    r = _qms(repo, "check", "--no-cache", "--select", CODES, "--format", "json")
    assert r.returncode == 0, r.stdout + r.stderr  # warnings only
    found = sorted(d["code"] for d in __import__("json").loads(r.stdout)["diagnostics"])
    assert found == ["QMS122", "QMS123", "QMS123", "QMS123", "QMS124"]


def test_safe_fixes_rewrite_only_unambiguous_retention(repo: Path) -> None:
    """`--fix` rewrites "5 years" and "vĩnh viễn" (quotes kept) and leaves the unsafe ones."""
    r = _qms(repo, "check", "--no-cache", "--select", CODES, "--fix")
    text = (repo / "processes" / "QT-02.yaml").read_text(encoding="utf-8")
    assert "retention: {years: 5}," in text
    assert 'retention: "permanent"' in text
    assert "retention: 10 năm sau khi hết hiệu lực" in text
    assert "interactions: [QT-01]" in text
    assert "issued_on" not in text
    assert "Fixed 2 findings" in r.stdout


def test_unsafe_fixes_write_the_new_forms_and_the_check_is_clean(repo: Path) -> None:
    """`--unsafe-fixes` adds `issued_on` (the approval date), directs the interaction and structures
    every retention; the file then reads back as the new model and the check is clean."""
    r = _qms(repo, "check", "--no-cache", "--select", CODES, "--unsafe-fixes")
    assert r.returncode == 0, r.stdout + r.stderr
    path = repo / "processes" / "QT-02.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["interactions"] == [{"to": "QT-01"}]
    assert data["document"]["issued_on"].isoformat() == "2026-01-02"
    assert [rec["retention"] for rec in data["records"]] == [
        {"years": 5}, "permanent", {"years": 10, "after": {"vi": "hết hiệu lực", "en": "hết hiệu lực"}}]
    again = _qms(repo, "check", "--no-cache", "--select", CODES)
    assert again.returncode == 0 and again.stdout.startswith("All clean"), again.stdout

    from qms.store.workspace import load_workspace

    ws = load_workspace(repo)
    proc = ws.process_by_id()["QT-02"][1]
    assert [r.retention_text("vi") for r in proc.records] == ["5 năm", "Vĩnh viễn", "10 năm sau khi hết hiệu lực"]
    assert [r.retention_text("en") for r in proc.records][:2] == ["5 years", "Permanent"]


def test_issued_on_is_inserted_in_a_flow_control_block(tmp_path: Path) -> None:
    """A one-line control block `{code: ..., effective_date: ...}` gets `issued_on` inside the braces."""
    root = tmp_path / "repo"
    shutil.copytree(BASE, root)
    path = root / "processes" / "QT-02.yaml"
    path.write_text(OLD_PROCESS.split("document:")[0] +
                    "document: {code: QT-02, revision: 1, effective_date: 2026-01-05}\n", encoding="utf-8")
    _qms(root, "check", "--no-cache", "--select", "QMS122", "--unsafe-fixes")
    text = path.read_text(encoding="utf-8")
    assert "document: {code: QT-02, revision: 1, issued_on: 2026-01-05, effective_date: 2026-01-05}" in text
