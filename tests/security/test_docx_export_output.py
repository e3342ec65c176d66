"""Issue 14, item 6: `qms render … --format docx -o FILE` goes through the output guard.

Every case runs the real command line in a subprocess on a copy of the example organisation kept
under git, and checks the exit code, the message, and that nothing in the repository changed.
"""

from __future__ import annotations

import subprocess
import zipfile
from pathlib import Path

import pytest
from outputs_helpers import example_repo, qms, snapshot, tiny_pdf


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return example_repo(tmp_path / "repo")


def _refused(run: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert run.returncode == 2, (run.returncode, run.stdout, run.stderr)
    assert "Traceback" not in run.stderr, run.stderr
    for needle in needles:
        assert needle in run.stderr, run.stderr


def test_docx_onto_a_process_file_is_refused(repo: Path) -> None:
    """F2 for Word: `render procedure QT-CT-01 --format docx -o processes/QT-CT-01.yaml --force` is
    refused and the procedure stays byte for byte."""
    before = snapshot(repo)
    run = qms(repo, "render", "procedure", "QT-CT-01", "--format", "docx", "-o", "processes/QT-CT-01.yaml",
              "--force")
    _refused(run, "refusing to write", "processes/QT-CT-01.yaml")
    assert snapshot(repo) == before


def test_docx_onto_qms_yaml_is_refused(repo: Path) -> None:
    """F2 for Word: the manual as docx onto qms.yaml is refused."""
    before = snapshot(repo)
    run = qms(repo, "render", "manual", "--format", "docx", "-o", "qms.yaml")
    _refused(run, "refusing to write", "qms.yaml")
    assert snapshot(repo) == before


def test_docx_over_a_pdf_needs_force(repo: Path, tmp_path: Path) -> None:
    """F12 for Word: an existing file of another type (a PDF) is not replaced without --force; with it,
    the file becomes a Word package."""
    pdf = tiny_pdf(tmp_path / "QT-CT-01.pdf")
    before = pdf.read_bytes()
    run = qms(repo, "render", "procedure", "QT-CT-01", "--format", "docx", "-o", pdf)
    _refused(run, "refusing to write")
    assert pdf.read_bytes() == before
    run = qms(repo, "render", "procedure", "QT-CT-01", "--format", "docx", "-o", pdf, "--force")
    assert run.returncode == 0, run.stderr
    assert zipfile.is_zipfile(pdf)


def test_docx_of_a_register_is_a_usage_error(repo: Path, tmp_path: Path) -> None:
    """`render matrix --format docx` is a usage error (exit 2) and writes nothing."""
    out = tmp_path / "m.docx"
    run = qms(repo, "render", "matrix", "--format", "docx", "-o", out)
    _refused(run, "--format docx")
    assert not out.exists()


def test_docx_into_a_directory_is_refused(repo: Path, tmp_path: Path) -> None:
    """-o naming a directory gives a clear message (exit 2), not a traceback."""
    run = qms(repo, "render", "procedure", "QT-CT-01", "--format", "docx", "-o", tmp_path)
    _refused(run)


def test_docx_with_pdf_options_is_a_usage_error(repo: Path, tmp_path: Path) -> None:
    """--pdf-variant and --tagged apply to PDF only."""
    run = qms(repo, "render", "procedure", "QT-CT-01", "--format", "docx", "--tagged", "-o", tmp_path / "x.docx")
    _refused(run, "PDF")
    assert not (tmp_path / "x.docx").exists()
