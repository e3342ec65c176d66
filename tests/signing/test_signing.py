"""PAdES signing and verification: real pyHanko signatures, checked by pyHanko and by Poppler's pdfsig."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import PAGE_TEXT, PASSWORD, YAML_SOURCE, Pki, make_pdf
from pypdf import PdfReader

from qms.signing import DEFAULT_BOX, SigningError, UnreadablePdf, sign_pdf, verify_pdf

PDFSIG = shutil.which("pdfsig")
needs_pdfsig = pytest.mark.skipif(PDFSIG is None, reason="Poppler's pdfsig is not installed")


def qms(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "qms", *map(str, args)], capture_output=True, text=True,
                          timeout=120, check=False)


def pdfsig(path: Path) -> str:
    assert PDFSIG is not None
    return subprocess.run([PDFSIG, str(path)], capture_output=True, text=True, timeout=60, check=False).stdout


def flip_one_byte(data: bytes, needle: bytes = PAGE_TEXT) -> bytes:
    at = data.index(needle)
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1 :]


@pytest.fixture
def signed(tmp_path: Path, tiny_pdf: Path, pki: Pki) -> Path:
    out = tmp_path / "signed.pdf"
    sign_pdf(tiny_pdf, out, pki.p12, PASSWORD)
    return out


def test_signature_is_pades_and_trusted_with_the_test_ca(signed: Path, pki: Pki) -> None:
    report = verify_pdf(signed, [pki.ca_pem])
    assert report.ok
    (sig,) = report.signatures
    assert sig.pades
    assert sig.subfilter == "/ETSI.CAdES.detached"
    assert sig.signer == "Nguyễn Văn An"
    assert "QMS Test CA" in sig.issuer
    assert sig.intact
    assert sig.valid
    assert sig.trusted
    assert sig.coverage == "ENTIRE_FILE"
    assert not sig.modified_after_signing
    assert sig.signing_time is not None


def test_signing_is_an_incremental_update(tiny_pdf: Path, signed: Path) -> None:
    original = tiny_pdf.read_bytes()
    data = signed.read_bytes()
    assert data.startswith(original)
    assert len(data) > len(original)
    assert data.count(b"%%EOF") == original.count(b"%%EOF") + 1


@needs_pdfsig
def test_pdfsig_accepts_the_signature_and_detects_a_one_byte_change(signed: Path, tmp_path: Path,
                                                                     pki: Pki) -> None:
    out = pdfsig(signed)
    assert "Signature is Valid." in out
    assert "ETSI.CAdES.detached" in out
    assert "Nguyễn Văn An" in out
    assert "Total document signed" in out

    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(flip_one_byte(signed.read_bytes()))
    out = pdfsig(tampered)
    assert "Signature is Valid." not in out
    assert "Digest Mismatch" in out

    report = verify_pdf(tampered, [pki.ca_pem])
    assert not report.ok
    assert not report.signatures[0].intact
    run = qms("verify", tampered, "--trust", pki.ca_pem)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "digest mismatch" in run.stdout


def test_cli_verify_exit_codes_and_json(signed: Path, pki: Pki, tmp_path: Path) -> None:
    ok = qms("verify", signed, "--trust", pki.ca_pem, "--format", "json")
    assert ok.returncode == 0, ok.stderr
    doc = json.loads(ok.stdout)
    assert doc["ok"] is True
    assert doc["trust_source"] == "file"
    (sig,) = doc["signatures"]
    assert sig["signer"] == "Nguyễn Văn An"
    assert sig["intact"]
    assert sig["trusted"]
    assert sig["modification_level"] == "NONE"

    # the system store does not know the throw-away CA; neither does another CA
    for extra in ([], ["--trust", pki.other_ca_pem]):
        run = qms("verify", signed, *extra)
        assert run.returncode == 1, run.stdout
        assert "does not chain to a trusted root" in run.stdout
        assert "Traceback" not in run.stderr


def test_cli_verify_unreadable_input_exits_2_without_traceback(tmp_path: Path, signed: Path, pki: Pki) -> None:
    not_pdf = tmp_path / "notes.pdf"
    not_pdf.write_text("hello", encoding="utf-8")
    truncated = tmp_path / "truncated.pdf"
    truncated.write_bytes(signed.read_bytes()[:300])
    garbage_ca = tmp_path / "ca.pem"
    garbage_ca.write_text("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", encoding="utf-8")
    cases = [
        ("verify", tmp_path / "missing.pdf"),
        ("verify", not_pdf),
        ("verify", truncated, "--format", "json"),
        ("verify", signed, "--trust", garbage_ca),
        ("verify", signed, "--trust", tmp_path / "missing.pem"),
    ]
    for args in cases:
        run = qms(*args)
        assert run.returncode == 2, (args, run.stdout, run.stderr)
        assert "Traceback" not in run.stderr
        assert "error:" in run.stderr


def test_unsigned_pdf_is_not_ok(tiny_pdf: Path, pki: Pki) -> None:
    run = qms("verify", tiny_pdf, "--trust", pki.ca_pem)
    assert run.returncode == 1
    assert "not signed" in run.stdout


def test_changes_after_signing_are_reported(signed: Path, tmp_path: Path, pki: Pki) -> None:
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    with signed.open("rb") as fh:
        writer = IncrementalPdfFileWriter(fh)
        page = writer.root["/Pages"]["/Kids"][0].get_object()
        stream = generic.StreamObject(stream_data=b"BT /F1 14 Tf 72 700 Td (Sua sau khi ky) Tj ET\n")
        page["/Contents"] = writer.add_object(stream)
        writer.update_container(page)
        out = io.BytesIO()
        writer.write(out)
    changed = tmp_path / "changed.pdf"
    changed.write_bytes(out.getvalue())
    report = verify_pdf(changed, [pki.ca_pem])
    (sig,) = report.signatures
    assert sig.intact
    assert sig.trusted
    assert sig.modified_after_signing
    assert sig.modification_level == "OTHER"
    assert not report.ok
    assert report.revisions == 3
    assert qms("verify", changed, "--trust", pki.ca_pem).returncode == 1


def test_a_second_signature_keeps_the_first_valid(signed: Path, pki: Pki) -> None:
    sign_pdf(signed, signed, pki.p12, PASSWORD, field="approver")  # in place
    report = verify_pdf(signed, [pki.ca_pem])
    assert [s.field for s in report.signatures] == ["Signature1", "approver"]
    first, second = report.signatures
    assert first.modified_after_signing
    assert first.modification_level in ("LTA_UPDATES", "FORM_FILLING")
    assert second.coverage == "ENTIRE_FILE"
    assert report.ok


def test_visible_signature_box_on_page_one(tiny_pdf: Path, tmp_path: Path, pki: Pki) -> None:
    out = tmp_path / "visible.pdf"
    result = sign_pdf(tiny_pdf, out, pki.p12, PASSWORD, field="approver")
    assert result.visible
    assert result.field == "approver"
    page = PdfReader(out).pages[0]
    widgets = [a.get_object() for a in page["/Annots"]]
    (widget,) = [w for w in widgets if w.get("/T") == "approver"]
    assert [round(float(v)) for v in widget["/Rect"]] == list(DEFAULT_BOX)
    assert "/AP" in widget  # it has an appearance: the visible box
    run = qms("verify", out, "--trust", pki.ca_pem)
    assert run.returncode == 0, run.stdout


def test_existing_empty_field_is_filled_where_the_layout_put_it(tiny_pdf: Path, tmp_path: Path, pki: Pki) -> None:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields

    with tiny_pdf.open("rb") as fh:
        writer = IncrementalPdfFileWriter(fh)
        fields.append_signature_field(writer, fields.SigFieldSpec("approver", on_page=0, box=(60, 200, 260, 260)))
        buf = io.BytesIO()
        writer.write(buf)
    laid_out = tmp_path / "laid-out.pdf"
    laid_out.write_bytes(buf.getvalue())
    out = tmp_path / "signed.pdf"
    sign_pdf(laid_out, out, pki.p12, PASSWORD, field="approver")
    widget = next(a.get_object() for a in PdfReader(out).pages[0]["/Annots"] if a.get_object().get("/T") == "approver")
    assert [round(float(v)) for v in widget["/Rect"]] == [60, 200, 260, 260]
    assert verify_pdf(out, [pki.ca_pem]).ok
    with pytest.raises(SigningError, match="already signed"):
        sign_pdf(out, tmp_path / "again.pdf", pki.p12, PASSWORD, field="approver")


def test_pdfa_structure_and_attachments_survive_signing(tmp_path: Path, pki: Pki) -> None:
    archive = make_pdf(tmp_path / "archive.pdf", attachment=True, pdfa=True)
    out = tmp_path / "archive-signed.pdf"
    sign_pdf(archive, out, pki.p12, PASSWORD)
    assert out.read_bytes().startswith(archive.read_bytes())
    reader = PdfReader(out)
    assert reader.attachments == {"QT-01.yaml": [YAML_SOURCE.encode("utf-8")]}
    root = reader.trailer["/Root"]
    assert b"<pdfaid:part>3</pdfaid:part>" in root["/Metadata"].get_object().get_data()
    assert b"<pdfaid:conformance>B</pdfaid:conformance>" in root["/Metadata"].get_object().get_data()
    assert root["/AF"][0].get_object()["/AFRelationship"] == "/Source"
    assert root["/OutputIntents"][0].get_object()["/S"] == "/GTS_PDFA1"
    assert verify_pdf(out, [pki.ca_pem]).ok


def test_cli_sign_with_password_file(tiny_pdf: Path, tmp_path: Path, pki: Pki) -> None:
    out = tmp_path / "out.pdf"
    run = qms("sign", tiny_pdf, "--p12", pki.p12, "--password-file", pki.password_file, "-o", out,
              "--field", "approver")
    assert run.returncode == 0, run.stderr
    assert "Nguyễn Văn An" in run.stdout
    assert qms("verify", out, "--trust", pki.ca_pem).returncode == 0


def test_cli_sign_refuses_bad_input_without_traceback(tiny_pdf: Path, tmp_path: Path, pki: Pki) -> None:
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("not the password\n", encoding="utf-8")
    not_pdf = tmp_path / "x.pdf"
    not_pdf.write_bytes(b"%PDF-1.7\ngarbage")
    out = tmp_path / "out.pdf"
    cases = [
        (["--p12", pki.p12, "--password-file", wrong], "password is wrong"),
        (["--p12", pki.p12], "password"),
        (["--p12", pki.p12_no_nr, "--password-file", pki.password_file], "non-repudiation"),
        (["--p12", tmp_path / "missing.p12", "--password-file", pki.password_file], "cannot read"),
    ]
    for extra, message in cases:
        run = qms("sign", tiny_pdf, *extra, "-o", out)
        assert run.returncode == 2, (extra, run.stderr)
        assert message in run.stderr
        assert "Traceback" not in run.stderr
    run = qms("sign", not_pdf, "--p12", pki.p12, "--password-file", pki.password_file, "-o", out)
    assert run.returncode == 2, run.stderr
    assert "not a readable PDF" in run.stderr
    assert not out.exists()


def test_unreadable_pdf_raises_a_user_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.4\n%%EOF\n")
    with pytest.raises(UnreadablePdf):
        verify_pdf(bad)


def test_render_layer_pdfa3b_keeps_its_structure_when_signed(tmp_path: Path, pki: Pki) -> None:
    """A real PDF/A-3b archive copy from the render layer (WeasyPrint) with a YAML source attached."""
    pdf = pytest.importorskip("qms.render.pdf")
    source = YAML_SOURCE.encode("utf-8")
    result = pdf.html_to_pdf("<html><head><meta charset='utf-8'></head><body><h1>QT-01</h1>"
                             "<p>Chứng thực bản sao</p></body></html>", None,
                             attachments=[pdf.PdfAttachment("QT-01.yaml", source, "source YAML")],
                             variant="pdf/a-3b")
    archive = tmp_path / "QT-01.pdf"
    archive.write_bytes(result.data)
    before = PdfReader(archive)
    xmp_before = before.trailer["/Root"]["/Metadata"].get_object().get_data()
    assert b"pdfaid:part" in xmp_before

    out = tmp_path / "QT-01.signed.pdf"
    sign_pdf(archive, out, pki.p12, PASSWORD, field="approver")
    assert out.read_bytes().startswith(archive.read_bytes())
    after = PdfReader(out)
    root = after.trailer["/Root"]
    assert after.attachments == {"QT-01.yaml": [source]}
    assert root["/Metadata"].get_object().get_data() == xmp_before  # XMP (pdfaid) untouched
    assert root["/OutputIntents"][0].get_object()["/S"] == "/GTS_PDFA1"
    af_before = [f.get_object()["/AFRelationship"] for f in before.trailer["/Root"]["/AF"]]
    assert af_before
    assert [f.get_object()["/AFRelationship"] for f in root["/AF"]] == af_before
    assert dict(after.metadata or {}) == dict(before.metadata or {})  # Info dictionary untouched
    assert verify_pdf(out, [pki.ca_pem]).ok
