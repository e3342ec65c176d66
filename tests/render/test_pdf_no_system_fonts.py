"""Every command that writes a PDF works on a host with no fonts at all (issue 13, item 1).

The documents tests/e2e/test_document_language.py renders (the manual, matrix and records of the
example, the audit programme, checklist and report, the NC register, the KPI and flow reports, the
review pack) are rendered there under the same empty configuration, and checked for ligatures; this
test runs the other commands.

Each command runs in a real subprocess whose fontconfig configuration names no font directory, so the
only fonts are the bundled ones the document pipeline declares (``base.j2``). Before the audit
documents and the migration report went through that pipeline, Pango found no font and the process
died with SIGSEGV. The text must also extract without ligature characters (U+FB00–FB06): searching
the PDF for "files" has to find "files".
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import make_repo
from fontless import LIGATURES, empty_fontconfig


def _pdftotext() -> str:
    found = shutil.which("pdftotext")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("pdftotext (poppler-utils) is required under CI")
        pytest.skip("pdftotext (poppler-utils) is not installed")
    return found


def test_the_fontconfig_of_the_test_has_no_fonts(tmp_path: Path) -> None:
    """The premise: under this configuration fontconfig lists no font (otherwise the test below proves nothing)."""
    if shutil.which("fc-list") is None:
        pytest.skip("fc-list is not installed")
    listed = subprocess.run(["fc-list"], env=empty_fontconfig(tmp_path), capture_output=True, text=True,
                            timeout=60, check=False)
    assert listed.stdout.strip() == ""


def test_every_pdf_command_works_without_system_fonts(tmp_path: Path, example_copy: Path) -> None:
    """A1: the audit plan, the migration report, doc show (procedure and manual), a procedure and the
    tagged records list exit 0 under an empty fontconfig, and their text has no ligatures (the other
    documents: tests/e2e/test_document_language.py)."""
    pdftotext = _pdftotext()
    env = empty_fontconfig(tmp_path)
    mini = make_repo(tmp_path / "mini")
    out = tmp_path / "out"
    out.mkdir()
    example = ["--root", str(example_copy)]
    commands: dict[str, list[str]] = {
        "plan": [*example, "audit", "show", "AUD-2026-01", "--document", "plan", "--format", "pdf"],
        "migration": [*example, "migrate", "report", "--format", "pdf"],
        "migration-en": ["--lang", "en", *example, "migrate", "report", "--format", "pdf"],
        "doc-manual": [*example, "doc", "show", "STCL", "--format", "pdf"],
        "doc-procedure": [*example, "doc", "show", "QT-HT-01", "--format", "pdf"],
        "procedure": ["--root", str(mini), "render", "procedure", "QT-HT-01"],
        "records": ["--root", str(mini), "render", "records", "--tagged"],
    }

    def run(name: str) -> tuple[str, subprocess.CompletedProcess[str]]:
        args = [sys.executable, "-m", "qms", *commands[name], "-o", str(out / f"{name}.pdf")]
        return name, subprocess.run(args, env=env, capture_output=True, text=True, timeout=300, check=False)

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = dict(pool.map(run, commands))
    for name, proc in results.items():
        assert proc.returncode == 0, f"{name}: exit {proc.returncode}\n{proc.stderr[-2000:]}"
        assert "Traceback" not in proc.stderr
        text = subprocess.run([pdftotext, str(out / f"{name}.pdf"), "-"], capture_output=True, text=True,
                              timeout=60, check=True).stdout
        assert len(text.strip()) > 100, name
        assert not LIGATURES & set(text), f"{name}: ligature characters in the extracted text"
    english = subprocess.run([pdftotext, str(out / "migration-en.pdf"), "-"], capture_output=True, text=True,
                             timeout=60, check=True).stdout
    assert "transition report" in english and "Changed files" in english
    vietnamese = subprocess.run([pdftotext, str(out / "plan.pdf"), "-"], capture_output=True, text=True,
                                timeout=60, check=True).stdout
    assert "Kế hoạch đánh giá nội bộ" in vietnamese
