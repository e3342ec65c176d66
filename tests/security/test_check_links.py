"""`qms check` resolves each folder once per load: links are still judged by where they lead."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from example_repo import copy_example


def _check(root: Path) -> dict[str, list[str]]:
    r = subprocess.run([sys.executable, "-m", "qms", "--root", str(root), "check", "--no-cache", "--format", "json"],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode in (0, 1), r.stderr
    found: dict[str, list[str]] = {}
    for d in json.loads(r.stdout)["diagnostics"]:
        found.setdefault(d["path"], []).append(d["message"])
    return found


def test_a_process_folder_linked_outside_is_reported_file_by_file(tmp_path: Path) -> None:
    """F5: processes/ is a link to a folder outside the repository: each of its files is a file that points
    outside, exactly as when each file is a link."""
    root = copy_example(tmp_path / "repo")
    outside = tmp_path / "elsewhere"
    (root / "processes").rename(outside)
    os.symlink(outside, root / "processes")
    names = sorted(p.name for p in outside.glob("*.yaml"))
    found = _check(root)
    for name in names:
        assert any("points outside the repository" in m for m in found[f"processes/{name}"]), name


def test_links_inside_the_repository_still_load(tmp_path: Path) -> None:
    """F5: a folder linked to another folder of the repository, and a file linked inside it, are read."""
    root = copy_example(tmp_path / "repo")
    (root / "processes").rename(root / "kept")
    os.symlink("kept", root / "processes")
    first = sorted((root / "kept").glob("*.yaml"))[0]
    first.rename(root / "kept" / "original.txt")
    os.symlink("original.txt", first)
    found = _check(root)
    assert not any("points outside" in m for ms in found.values() for m in ms), found
