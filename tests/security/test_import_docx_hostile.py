"""Hostile input to ``qms import docx``: every case exits 2 with a clear message and writes nothing."""

from __future__ import annotations

import io
import os
import shutil
import stat
import subprocess
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
WORD = REPO / "examples" / "word"
GOOD = WORD / "QT-TP-01-2015-bang.docx"
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
            and ".qms-cache" not in p.parts}


def _refused(run_qms, repo: Path, path: Path, *extra: str) -> str:
    before = _snapshot(repo)
    r = run_qms("import", "docx", str(path), *extra, cwd=repo)
    assert r.exit_code == 2, (r.stdout, r.stderr)
    assert "Traceback" not in r.stderr
    assert _snapshot(repo) == before, "nothing may be written"
    return r.stderr


def test_legacy_doc_is_refused_with_the_conversion_hint(example_copy: Path, run_qms, tmp_path: Path) -> None:
    """H1: a legacy binary .doc (OLE compound file with a WordDocument stream) is refused; the hint names
    LibreOffice and --convert."""
    doc = tmp_path / "QT-01.doc"
    doc.write_bytes(OLE + b"\x00" * 504 + "WordDocument".encode("utf-16-le") + b"\x00" * 1024)
    err = _refused(run_qms, example_copy, doc)
    assert "legacy binary Word document (.doc)" in err and "--convert" in err


def test_encrypted_document_is_refused(example_copy: Path, run_qms, tmp_path: Path) -> None:
    """H2: an encrypted .docx (an OLE container with an EncryptedPackage) is refused: remove the password."""
    doc = tmp_path / "QT-02.docx"
    doc.write_bytes(OLE + b"\x00" * 504 + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 1024)
    err = _refused(run_qms, example_copy, doc)
    assert "encrypted" in err and "password" in err


def test_corrupt_document_is_refused(example_copy: Path, run_qms, tmp_path: Path) -> None:
    """H3: a truncated .docx is refused as damaged."""
    doc = tmp_path / "QT-03.docx"
    doc.write_bytes(GOOD.read_bytes()[: GOOD.stat().st_size // 2])
    err = _refused(run_qms, example_copy, doc)
    assert "zip" in err or "damaged" in err


def test_zip_bomb_is_refused_before_inflating(example_copy: Path, run_qms, tmp_path: Path) -> None:
    """H4: a member that inflates far beyond the bound (ratio and unpacked size) is refused."""
    doc = tmp_path / "QT-04.docx"
    with zipfile.ZipFile(GOOD) as src, zipfile.ZipFile(doc, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info))
        with dst.open("word/media/bomb.bin", "w") as fh:
            block = b"\x00" * (1 << 20)
            for _ in range(300):
                fh.write(block)
    assert doc.stat().st_size < 2 << 20
    err = _refused(run_qms, example_copy, doc)
    assert "zip bomb" in err


@pytest.mark.parametrize("content", [b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, b"%PDF-1.7\n", b"hello"])
def test_not_word_is_refused(example_copy: Path, run_qms, tmp_path: Path, content: bytes) -> None:
    """H5: a file that is not Word at all (an image, a PDF, text) named .docx is refused."""
    doc = tmp_path / "QT-05.docx"
    doc.write_bytes(content)
    err = _refused(run_qms, example_copy, doc)
    assert "not a Word document" in err


def test_zip_without_document_is_refused(example_copy: Path, run_qms, tmp_path: Path) -> None:
    """H5: a zip (an .xlsx, say) that holds no word/document.xml is refused."""
    doc = tmp_path / "QT-06.docx"
    shutil.copy(WORD / "danh-muc-tthc.xlsx", doc)
    err = _refused(run_qms, example_copy, doc)
    assert "without a Word document" in err


def test_one_bad_file_writes_nothing_at_all(example_copy: Path, run_qms, tmp_path: Path) -> None:
    """H6: a folder with a good and a bad file: the run stops at the bad one before any draft is written."""
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(GOOD, folder / "a.docx")
    (folder / "b.docx").write_bytes(b"not word")
    _refused(run_qms, example_copy, folder)


def test_doc_in_a_folder_is_not_skipped(example_copy: Path, run_qms, tmp_path: Path) -> None:
    """H1: a legacy .doc inside a folder stops the run with the conversion hint; it is never skipped silently."""
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(GOOD, folder / "a.docx")
    (folder / "b.doc").write_bytes(OLE + b"\x00" * 504 + "WordDocument".encode("utf-16-le") + b"\x00" * 1024)
    err = _refused(run_qms, example_copy, folder)
    assert "b.doc" in err and "--convert" in err


def test_overwrite_needs_force(example_copy: Path, run_qms) -> None:
    """H7: a draft that would replace an existing process is refused without --force; nothing written."""
    assert run_qms("import", "docx", str(GOOD), cwd=example_copy).exit_code == 0
    err = _refused(run_qms, example_copy, GOOD)
    assert "--force" in err
    target = example_copy / "processes" / "QT-HT-01.yaml"
    before = target.read_bytes()
    r = run_qms("import", "docx", str(WORD / "QT-HT-07-tthc.docx"), "--out", str(example_copy / "processes"),
                cwd=example_copy)
    assert r.exit_code == 0 and target.read_bytes() == before


def test_docm_macros_are_dropped_and_reported(example_copy: Path, run_qms, tmp_path: Path) -> None:
    """H8: a .docm is imported like a .docx; its vbaProject is never kept and the report says so."""
    doc = tmp_path / "QT-TP-01.docm"
    with zipfile.ZipFile(GOOD) as src, zipfile.ZipFile(doc, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"wordprocessingml.document.main+xml", b"x").replace(
                    b'ContentType="application/vnd.openxmlformats-officedocument.x"',
                    b'ContentType="application/vnd.ms-word.document.macroEnabled.main+xml"')
            dst.writestr(info.filename, data)
        dst.writestr("word/vbaProject.bin", b"Attribute VB_Name = \"AutoOpen\"\nShell \"calc\"")
    r = run_qms("import", "docx", str(doc), "--format", "json", cwd=example_copy)
    assert r.exit_code == 0, r.stderr
    assert "macros: word/vbaProject.bin" in r.stdout
    written = (example_copy / "processes" / "QT-TP-01.yaml").read_text(encoding="utf-8")
    assert "AutoOpen" not in written and "Shell" not in written


def _fake_soffice(tmp_path: Path, body: str) -> Path:
    bindir = tmp_path / "bin"
    bindir.mkdir()
    exe = bindir / "soffice"
    exe.write_text("#!/bin/sh\n" + body, encoding="utf-8")
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR)
    return bindir


def test_convert_runs_soffice_bounded(example_copy: Path, run_qms, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """H9: --convert runs soffice with a throw-away profile (-env:UserInstallation), a timeout and a
    memory cap; a converter that hangs is stopped and the run exits 2 with nothing written."""
    from qms.store import import_store

    log = tmp_path / "args.txt"
    bindir = _fake_soffice(tmp_path, f'echo "$@" > {log}\nulimit -v > {log}.mem\nsleep 30\n')
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setattr(import_store, "CONVERT_TIMEOUT", 2)
    doc = tmp_path / "QT-09.doc"
    doc.write_bytes(OLE + b"\x00" * 504 + "WordDocument".encode("utf-16-le") + b"\x00" * 1024)
    err = _refused(run_qms, example_copy, doc, "--convert")
    assert "did not convert the file within 2 seconds" in err
    args = log.read_text(encoding="utf-8")
    assert "-env:UserInstallation=file://" in args and "--headless" in args
    assert int((tmp_path / "args.txt.mem").read_text().strip()) * 1024 <= import_store.CONVERT_MEMORY
    profile = args.split("-env:UserInstallation=file://", 1)[1].split()[0]
    assert not Path(profile).exists(), "the throw-away profile is removed"


def test_convert_real_doc_with_libreoffice(example_copy: Path, run_qms, tmp_path: Path) -> None:
    """H10: a real .doc written by LibreOffice is converted with --convert and imported."""
    soffice = shutil.which("soffice")
    if soffice is None:
        if os.environ.get("CI") == "true":
            pytest.fail("soffice (libreoffice-writer-nogui) is required under CI")
        pytest.skip("soffice not installed")
    subprocess.run([soffice, f"-env:UserInstallation={(tmp_path / 'p').as_uri()}", "--headless",
                    "--convert-to", "doc", "--outdir", str(tmp_path), str(GOOD)], check=True,
                   capture_output=True, timeout=180)
    doc = tmp_path / (GOOD.stem + ".doc")
    assert doc.read_bytes().startswith(OLE)
    err = _refused(run_qms, example_copy, doc)
    assert "--convert" in err
    r = run_qms("import", "docx", str(doc), "--convert", "--format", "json", cwd=example_copy)
    assert r.exit_code == 0, r.stderr
    assert "converted with LibreOffice" in r.stdout
    assert (example_copy / "processes" / "QT-TP-01.yaml").is_file()
    _ = io
