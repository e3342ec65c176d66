"""Hostile legal registers and citations (issue 15): loops, huge citations, escapes, links, bad types."""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

BASE = Path(__file__).resolve().parents[1] / "rules" / "base"


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (2 * 1024**3, 2 * 1024**3))


def _qms(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QMS_NO_CACHE": "1", "QMS_LANG": "en"}
    return subprocess.run([sys.executable, "-m", "qms", "--root", str(root), *args], capture_output=True, text=True,
                          timeout=120, check=False, env=env, preexec_fn=_limits)


def _repo(tmp_path: Path, register: str, citation: str = "NĐ 61/2018/NĐ-CP") -> Path:
    root = tmp_path / "repo"
    shutil.copytree(BASE, root)
    (root / "legal").mkdir()
    (root / "legal" / "register.yaml").write_text(register, encoding="utf-8")
    proc = root / "processes" / "QT-01.yaml"
    proc.write_text(proc.read_text(encoding="utf-8").replace("NĐ 23/2015/NĐ-CP", citation), encoding="utf-8")
    return root


LOOP = """documents:
  - {number: 61/2018/NĐ-CP, kind: decree, title: A, status: superseded, evidence: recalled,
     superseded_by: [{document: 118/2025/NĐ-CP, from: 2025-07-01}], amended_by: [{document: 61/2018/NĐ-CP}]}
  - {number: 118/2025/NĐ-CP, kind: decree, title: B, status: superseded, evidence: recalled,
     superseded_by: [{document: 61/2018/NĐ-CP, from: 2025-08-01}], amended_by: [{document: 118/2025/NĐ-CP}]}
"""


def test_cycles_in_the_chain_terminate(tmp_path: Path) -> None:
    """L1: a register whose documents replace and amend each other (and themselves) does not hang `check`,
    `refs impact` or `due`; the memory limit and the timeout are the guards."""
    root = _repo(tmp_path, LOOP)
    r = _qms(root, "check", "--select", "QMS15", "--as-of", "2026-01-01", "--format", "json")
    assert r.returncode in (0, 1), r.stderr
    json.loads(r.stdout)
    r = _qms(root, "refs", "impact", "61/2018/NĐ-CP", "--format", "json", "--as-of", "2026-01-01")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["affected"][0]["process"] == "QT-01"
    assert _qms(root, "due", "--as-of", "2026-01-01", "--format", "json").returncode == 0


def test_huge_citation_is_read_in_linear_time(tmp_path: Path) -> None:
    """L2: a citation of 300,000 characters made to trip a backtracking pattern is read and reported."""
    citation = "1/" * 50_000 + "NĐ-" * 30_000 + "x" * 40_000
    root = _repo(tmp_path, "documents: []\n", citation=citation.replace('"', ""))
    r = _qms(root, "check", "--select", "QMS150", "--format", "json")
    assert r.returncode in (0, 1), r.stderr
    assert all(d["code"] == "QMS150" for d in json.loads(r.stdout)["diagnostics"])


def test_escape_sequences_in_titles_stay_on_their_line(tmp_path: Path) -> None:
    """L3: a title with a terminal escape and a line break cannot forge output lines of `refs list`."""
    register = ('documents:\n  - {number: 61/2018/NĐ-CP, kind: decree, evidence: recalled,\n'
                '     title: "Evil\\e[2J\\nFORGED LINE"}\n')
    root = _repo(tmp_path, register)
    r = _qms(root, "refs", "list")
    assert r.returncode == 0, r.stderr
    assert "\x1b" not in r.stdout
    assert not any(line.startswith("FORGED") for line in r.stdout.splitlines())


def test_register_linked_outside_the_repository_is_refused(tmp_path: Path) -> None:
    """L4: legal/register.yaml as a link to a file outside the repository is not read."""
    root = _repo(tmp_path, "documents: []\n")
    outside = tmp_path / "outside.yaml"
    outside.write_text(LOOP, encoding="utf-8")
    (root / "legal" / "register.yaml").unlink()
    (root / "legal" / "register.yaml").symlink_to(outside)
    r = _qms(root, "refs", "list")
    assert r.returncode == 2
    assert "legal/register.yaml" in r.stderr and "Traceback" not in r.stderr
    r = _qms(root, "check", "--format", "json")
    assert any(d["path"] == "legal/register.yaml" for d in json.loads(r.stdout)["diagnostics"])


def test_bad_types_are_located_not_tracebacks(tmp_path: Path) -> None:
    """L5: wrong kinds, statuses and dates are schema findings at path:line:col; `refs` exits 2 with a hint."""
    register = ("documents:\n  - number: 61/2018/NĐ-CP\n    kind: edict\n    title: A\n    evidence: recalled\n"
                "    in_force: 2018-13-45\n    status: gone\n")
    root = _repo(tmp_path, register)
    r = _qms(root, "check", "--format", "json")
    found = [(d["path"], d["line"]) for d in json.loads(r.stdout)["diagnostics"] if d["path"] == "legal/register.yaml"]
    assert ("legal/register.yaml", 3) in found and ("legal/register.yaml", 7) in found
    r = _qms(root, "refs", "impact", "NĐ 61/2018")
    assert r.returncode == 2 and "qms check" in r.stderr and "Traceback" not in r.stderr
