"""Item 13: documents name people, roles and units, never their ids, and write every date dd/mm/yyyy.

The NC register, the audit report and the management review pack of the example organisation are
rendered to PDF in both languages by the real command line; pdftotext reads them back.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def _example(tmp_path: Path) -> Path:
    root = tmp_path / "example"
    root.mkdir()
    for name in ("qms.yaml", "processes", "records", "audits"):
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, root / name, ignore=shutil.ignore_patterns(".lock", ".qms-cache"))
        else:
            shutil.copy2(REPO / name, root / name)
    return root


def _ids(root: Path) -> list[str]:
    org = yaml.safe_load((root / "qms.yaml").read_text(encoding="utf-8"))["organisation"]
    return [x["id"] for kind in ("units", "roles", "people") for x in org.get(kind, [])]


def _pdftext(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True,
                          timeout=120).stdout


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_pdfs_show_names_and_one_date_form(tmp_path: Path, lang: str) -> None:
    """Item 13: no role, unit or person id and no ISO yyyy-mm-dd date in the NC register, the audit report
    or the review pack (PDF, {lang})."""
    if shutil.which("pdftotext") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("pdftotext (poppler-utils) is required under CI")
        pytest.skip("pdftotext is not installed")
    root = _example(tmp_path)
    audit = sorted(p.stem for p in (root / "audits").glob("AUD-*.yaml"))[0]
    out = tmp_path / "out"
    commands = {
        "nc-register.pdf": ["nc", "report"],
        "audit-report.pdf": ["audit", "show", audit, "--format", "pdf", "--document", "report"],
        "review-pack.pdf": ["review", "pack", "--period", "2026-01..2026-12", "--today", "2026-12-01"],
    }
    ids = _ids(root)
    assert "chanh_van_phong" in ids
    env = {**os.environ, "QMS_LANG": "en", "QMS_CACHE_DIR": str(tmp_path / "cache")}
    for name, args in commands.items():
        proc = subprocess.run([sys.executable, "-m", "qms", "--lang", lang, *args, "-o", str(out / name)],
                              cwd=root, capture_output=True, text=True, env=env, timeout=600, check=False)
        assert proc.returncode == 0, (name, proc.stdout, proc.stderr)
        text = _pdftext(out / name)
        assert text.strip(), name
        raw = [i for i in ids if re.search(rf"(?<![\w]){re.escape(i)}(?![\w])", text)]
        assert not raw, (name, raw)
        assert not ISO_DATE.findall(text), (name, ISO_DATE.findall(text))
        assert re.search(r"\b\d{2}/\d{2}/\d{4}\b", text), name
