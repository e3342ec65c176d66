"""Helpers shared by the register tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

from qms.models.nonconformity import Nonconformity


def qms_proc(root: Path, *args: str, env: dict[str, str] | None = None,
            timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run the real command line in ``root``."""
    full_env = {**os.environ, "QMS_LANG": "en", **(env or {})}
    return subprocess.run([sys.executable, "-m", "qms", *args], cwd=root, capture_output=True, text=True,
                          env=full_env, timeout=timeout, check=False)


def load_nc(path: Path) -> Nonconformity:
    """Parse and fully validate one record file."""
    return Nonconformity.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


NEW_ARGS = ("nc", "new", "--process", "QT-01", "--title", "Trả kết quả trễ hạn",
            "--description", "Hồ sơ chứng thực trả trễ 1 ngày", "--source", "late_dossier",
            "--severity", "minor", "--clause", "8.5.1", "--by", "Lê Văn Cường")
