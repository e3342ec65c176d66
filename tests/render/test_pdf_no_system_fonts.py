"""Every command that writes a PDF works on a host with no fonts at all (issue 13, item 1).

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

LIGATURES = {chr(c) for c in range(0xFB00, 0xFB07)}


def _pdftotext() -> str:
    found = shutil.which("pdftotext")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("pdftotext (poppler-utils) is required under CI")
        pytest.skip("pdftotext (poppler-utils) is not installed")
    return found


def _empty_fontconfig(tmp: Path) -> dict[str, str]:
    conf = tmp / "fonts.conf"
    conf.write_text('<?xml version="1.0"?>\n<fontconfig><cachedir>' + str(tmp / "fc-cache")
                    + "</cachedir></fontconfig>\n", encoding="utf-8")
    env = dict(os.environ, FONTCONFIG_FILE=str(conf), QMS_LANG="")
    env.pop("FONTCONFIG_PATH", None)
    env.pop("QMS_LANG")
    return env


def test_the_fontconfig_of_the_test_has_no_fonts(tmp_path: Path) -> None:
    """The premise: under this configuration fontconfig lists no font (otherwise the test below proves nothing)."""
    if shutil.which("fc-list") is None:
        pytest.skip("fc-list is not installed")
    listed = subprocess.run(["fc-list"], env=_empty_fontconfig(tmp_path), capture_output=True, text=True,
                            timeout=60, check=False)
    assert listed.stdout.strip() == ""


def test_every_pdf_command_works_without_system_fonts(tmp_path: Path, example_copy: Path) -> None:
    """A1: audit programme/plan/checklist/report, migration report, doc show (procedure and manual), NC register,
    review pack and the render kinds exit 0 under an empty fontconfig, and their text has no ligatures."""
    pdftotext = _pdftotext()
    env = _empty_fontconfig(tmp_path)
    mini = make_repo(tmp_path / "mini")
    out = tmp_path / "out"
    out.mkdir()
    example = ["--root", str(example_copy)]
    commands: dict[str, list[str]] = {
        "programme": [*example, "audit", "programme", "--year", "2026", "--from-file", "--format", "pdf"],
        "plan": [*example, "audit", "show", "AUD-2026-01", "--document", "plan", "--format", "pdf"],
        "checklist": [*example, "audit", "show", "AUD-2026-01", "--document", "checklist", "--format", "pdf"],
        "report": [*example, "audit", "show", "AUD-2026-01", "--document", "report", "--format", "pdf"],
        "report-en": ["--lang", "en", *example, "audit", "show", "AUD-2026-01", "--format", "pdf"],
        "migration": [*example, "migrate", "report", "--format", "pdf"],
        "migration-en": ["--lang", "en", *example, "migrate", "report", "--format", "pdf"],
        "doc-manual": [*example, "doc", "show", "STCL", "--format", "pdf"],
        "doc-procedure": [*example, "doc", "show", "QT-HT-01", "--format", "pdf"],
        "nc": [*example, "nc", "report", "--format", "pdf"],
        "review": [*example, "review", "pack", "--period", "2026"],
        "procedure": ["--root", str(mini), "render", "procedure", "QT-HT-01"],
        "manual": ["--root", str(mini), "render", "manual", "--lang", "en"],
        "matrix": ["--root", str(mini), "render", "matrix"],
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
    vietnamese = subprocess.run([pdftotext, str(out / "programme.pdf"), "-"], capture_output=True, text=True,
                                timeout=60, check=True).stdout
    assert "Chương trình đánh giá nội bộ" in vietnamese
