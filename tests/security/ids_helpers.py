"""Helpers for the id, CSV and text-escaping hostile-input tests: a copy of the example repository and
the real command line run as a subprocess."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FORMULA = "=2+5+cmd|' /C calc'!A0"
WORKFLOW_LINE = "::error file=x::forged by a title"


def example_repo(tmp_path: Path) -> Path:
    """A private copy of the example organisation (qms.yaml, processes/, records/, audits/)."""
    root = tmp_path / "repo"
    root.mkdir()
    for name in ("qms.yaml", "processes", "records", "audits"):
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, root / name, ignore=shutil.ignore_patterns(".lock", ".qms-cache", ".gitignore"))
        else:
            shutil.copy2(src, root / name)
    return root


def qms(root: Path, *args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    """``python -m qms ARGS`` run in ``root`` (English messages, no colour)."""
    env = {**os.environ, "QMS_LANG": "en", "NO_COLOR": "1"}
    env.pop("QMS_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "qms", *args], cwd=root, capture_output=True, text=True,
                          env=env, timeout=timeout, check=False)


def qms_in_process(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The same run as :func:`qms`, through the same entry point (``qms.cli.main.main``) in this process:
    for the many refusals that prove argument checking, not the process (no interpreter start per case)."""
    from inprocess import run_in_process

    code, out, err = run_in_process(root, list(args), {"QMS_LANG": "en", "NO_COLOR": "1", "QMS_DEBUG": None})
    return subprocess.CompletedProcess(["qms", *args], code, out, err)


def snapshot(*dirs: Path) -> dict[str, str]:
    """Every file (and link) under ``dirs`` with a digest of its bytes: what "nothing written" compares."""
    out: dict[str, str] = {}
    for d in dirs:
        for p in sorted(d.rglob("*")):
            if p.is_symlink():
                out[str(p)] = "link:" + os.readlink(p)
            elif p.is_file():
                out[str(p)] = hashlib.sha256(p.read_bytes()).hexdigest()
            else:
                out[str(p)] = "dir"
    return out


def set_nc_field(root: Path, nc_id: str, key: str, value: str) -> None:
    """Replace a top-level text field of a record with ``value`` (written as a YAML double-quoted string)."""
    import json

    path = root / "records" / "nonconformities" / f"{nc_id}.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    out: list[str] = []
    skipping = False
    for line in lines:
        if skipping and line.startswith("  "):
            continue
        skipping = False
        if line.startswith(f"{key}:"):
            out.append(f"{key}: {json.dumps(value, ensure_ascii=False)}")
            skipping = True
            continue
        out.append(line)
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
