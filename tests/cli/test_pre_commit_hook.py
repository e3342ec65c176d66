"""Issue 16 item 17: `qms check` ships as a pre-commit hook; the manifest is valid and its entry point works."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from pre_commit.clientlib import load_manifest

ROOT = Path(__file__).resolve().parents[2]


def test_manifest_is_valid_for_pre_commit() -> None:
    [hook] = load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))
    assert hook["id"] == "qms-check"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False  # cross-file rules need the whole repository


def test_the_hook_entry_passes_the_example_and_fails_a_broken_copy(tmp_path: Path) -> None:
    [hook] = load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))
    entry = shlex.split(hook["entry"])
    # the entry is the console script pre-commit installs into the hook's environment
    exe = Path(sys.executable).with_name(entry[0])
    assert exe.is_file(), exe
    argv = [str(exe), *entry[1:], *hook["args"]]
    env = {**os.environ, "QMS_LANG": "en"}
    clean = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, env=env, timeout=120, check=False)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    repo = tmp_path / "repo"
    repo.mkdir()
    for part in ("qms.yaml", "processes", "records", "audits"):
        src = ROOT / part
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, repo / part)
    proc = repo / "processes" / "QT-XD-01.yaml"
    proc.write_text(proc.read_text(encoding="utf-8").replace("duration: 6d", "duration: 11d"), encoding="utf-8")
    broken = subprocess.run(argv, cwd=repo, capture_output=True, text=True, env=env, timeout=120, check=False)
    assert broken.returncode == 1
    assert "QMS214" in broken.stdout
