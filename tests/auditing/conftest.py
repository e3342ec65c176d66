"""A small agency for audit tests: three units, two processes and four auditors."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from audit_helpers import MANIFEST, write_process


@pytest.fixture
def agency(tmp_path: Path) -> Path:
    root = tmp_path / "agency"
    root.mkdir()
    (root / "qms.yaml").write_text(MANIFEST, encoding="utf-8")
    write_process(root, "QT-01", n=1)
    write_process(root, "QT-02", n=2, title_vi="Đăng ký kết hôn", title_en="Marriage registration",
                  code="1.000002")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(["git", "-C", str(root), "config", "user.name", "Tester"], check=True)
    return root
