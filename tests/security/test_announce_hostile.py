"""Hostile input around `qms announce` and its records (records/announcements/)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def qms(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QMS_LANG": "en"}
    return subprocess.run([sys.executable, "-m", "qms", "--root", str(root), *args], capture_output=True,
                          text=True, env=env, timeout=180, check=False)


def test_announcement_folder_linked_outside_is_refused(example_copy: Path, tmp_path: Path) -> None:
    """A1: records/announcements as a link to a folder outside the repository: exit 2, nothing written there."""
    folder = example_copy / "records" / "announcements"
    for old in folder.glob("*.yaml"):
        old.unlink()
    folder.rmdir()
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    folder.symlink_to(outside, target_is_directory=True)
    out = qms(example_copy, "announce", "--date", "2026-02-02", "--by", "nguyen_van_an")
    assert out.returncode == 2, (out.stdout, out.stderr)
    assert "Traceback" not in out.stderr and "outside" in out.stderr
    assert list(outside.iterdir()) == []


def test_forged_announcement_record_is_a_finding_not_a_crash(example_copy: Path) -> None:
    """A2: a hand-made record with a malformed fingerprint and id is a located schema finding (exit 1)."""
    bad = example_copy / "records" / "announcements" / "CB-2026-09.yaml"
    bad.write_text("id: ../../etc/passwd\ndate: 2026-01-01\nby: x\nfingerprint: 'zz'\n"
                   "parts: {scope: a, applicability: b, processes: c}\n", encoding="utf-8")
    out = qms(example_copy, "check")
    assert out.returncode == 1, out.stdout
    assert "records/announcements/CB-2026-09.yaml:1:" in out.stdout and "Traceback" not in out.stderr


def test_invalid_manifest_is_a_config_error(example_copy: Path) -> None:
    """A3: with an invalid qms.yaml nothing is announced: exit 2 with what to do, no record written."""
    folder = example_copy / "records" / "announcements"
    before = sorted(p.name for p in folder.glob("*.yaml"))
    manifest = example_copy / "qms.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("scope:", "scope_typo:", 1), encoding="utf-8")
    out = qms(example_copy, "announce", "--by", "nguyen_van_an")
    assert out.returncode == 2 and "qms check" in out.stderr and "Traceback" not in out.stderr, out.stderr
    assert sorted(p.name for p in folder.glob("*.yaml")) == before
