"""Hostile input to the editions data paths: qms.yaml `standard:` and `context:`, and `qms migrate` editions."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

BASE = Path(__file__).resolve().parents[1] / "rules" / "base"


def qms(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QMS_LANG": "en", "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "qms", *args], capture_output=True, text=True, cwd=cwd, env=env,
                          timeout=120, check=False)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(BASE, root)
    return root


def set_manifest(root: Path, old: str, new: str) -> None:
    path = root / "qms.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_huge_unknown_standard_is_a_located_finding_with_a_short_message(repo: Path) -> None:
    """H1: a 20 000-character `standard:` is a QMS010 finding at its line; the message does not echo it whole."""
    set_manifest(repo, "standard: ISO 9001:2015\n", "standard: ISO 9001:" + "9" * 20000 + "\n")
    done = qms("check", cwd=repo)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    line = next(x for x in done.stdout.splitlines() if "QMS010" in x and "/standard" in x)
    assert line.startswith("qms.yaml:1:")
    assert "unknown standard" in line and "qms knows: ISO 9001:2015" in line
    assert len(line) < 1000


def test_a_standard_in_another_spelling_is_read_as_the_known_one(repo: Path) -> None:
    """H2: NFD text, other case and spacing name the same edition (`iso 9001 : 2015/amd 1:2024`)."""
    spelled = unicodedata.normalize("NFD", "iso 9001:2015/amd  1:2024")
    set_manifest(repo, "standard: ISO 9001:2015\n", f"standard: '{spelled}'\n")
    done = qms("check", "--select", "QMS010,QMS809", cwd=repo)
    assert "QMS010" not in done.stdout, done.stdout
    assert "QMS809" in done.stdout  # read as the amended 2015 edition, so its decision is asked for


@pytest.mark.parametrize(("context", "where"), [
    ("context: [climate_change]\n", "/context"),
    ("context: {climate_change: {relevant: 'maybe', rationale: x}}\n", "/context/climate_change/relevant"),
    ("context: {climate_change: {relevant: true}}\n", "/context/climate_change"),
    ("context: {'../../etc': {relevant: true, rationale: x}}\n", "/context"),
])
def test_malformed_context_is_a_located_schema_finding(repo: Path, context: str, where: str) -> None:
    """H3: a malformed `context:` is a schema finding (QMS010/QMS012) naming the pointer, never a traceback."""
    set_manifest(repo, "scope:\n", context + "scope:\n")
    done = qms("check", cwd=repo)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert any(("QMS010" in x or "QMS012" in x) and where in x for x in done.stdout.splitlines()), done.stdout


@pytest.mark.parametrize("args", [
    ["migrate", "map", "4.1", "--from", "../../etc/passwd"],
    ["migrate", "map", "4.1", "--to", "2015\n2008"],
    ["migrate", "map", "9" * 5000],
    ["migrate", "apply", "--from", "2008", "--to", "2015/../2026", "--dry-run"],
    ["migrate", "check", "--to", "correlation_2008"],
])
def test_hostile_editions_and_clauses_are_usage_errors(repo: Path, args: list[str]) -> None:
    """H4: an edition that is not a year (a path, a newline, a file name) or an absurd clause is exit 2."""
    done = qms(*args, cwd=repo)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert len(done.stderr) < 2000
