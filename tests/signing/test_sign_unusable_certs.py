"""Certificates and key files a quality officer may pick by mistake, through `qms sign` and `qms verify`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import PASSWORD, Pki, _ca, _key, _name, make_pdf
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from qms.cli.main import main


def run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    try:
        main(["--lang", "vi", *map(str, args)])
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def _p12(path: Path, issuer: tuple[object, x509.Certificate], *, usage: x509.KeyUsage | None,
         start: dt.timedelta = dt.timedelta(hours=-1)) -> Path:
    ca_key, ca = issuer
    key = _key()
    now = dt.datetime.now(dt.UTC)
    builder = (x509.CertificateBuilder().subject_name(_name("Trần Thị Bình")).issuer_name(ca.subject)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now + start).not_valid_after(now + dt.timedelta(days=10)))
    if usage is not None:
        builder = builder.add_extension(usage, critical=True)
    cert = builder.sign(ca_key, hashes.SHA256())  # type: ignore[arg-type]
    enc = serialization.BestAvailableEncryption(PASSWORD.encode("utf-8"))
    path.write_bytes(pkcs12.serialize_key_and_certificates(b"k", key, cert, [ca], enc))
    return path


def _usage(non_repudiation: bool) -> x509.KeyUsage:
    return x509.KeyUsage(digital_signature=True, content_commitment=non_repudiation, key_encipherment=False,
                         data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
                         encipher_only=False, decipher_only=False)


def _sign_with_pyhanko(src: Path, out: Path, p12: Path) -> None:
    """Sign the way another tool would, without qms's checks of the certificate."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers

    signer = signers.SimpleSigner.load_pkcs12(str(p12), passphrase=PASSWORD.encode("utf-8"))
    with src.open("rb") as fh:
        writer = IncrementalPdfFileWriter(fh)
        with out.open("wb") as target:
            signers.sign_pdf(writer, signers.PdfSignatureMetadata(field_name="Signature1"), signer=signer,
                             output=target)


def test_certificates_that_cannot_sign(tmp_path: Path, pki: Pki, capsys: pytest.CaptureFixture[str]) -> None:
    """S1: a certificate without a key-usage extension is refused by `qms sign` (it signed, and `qms verify`
    then rejected the signature). S2: `qms verify` names the missing non-repudiation of a signature made
    elsewhere (it said the certificate "does not chain to a trusted root", though it does).
    S3: a certificate not valid yet is called that (Vietnamese said "no longer valid")."""
    ca_key, ca = _ca("Other test CA")
    (tmp_path / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    src = make_pdf(tmp_path / "in.pdf")
    no_ku = _p12(tmp_path / "no-ku.p12", (ca_key, ca), usage=None)
    no_nr = _p12(tmp_path / "no-nr.p12", (ca_key, ca), usage=_usage(False))
    future = _p12(tmp_path / "future.p12", (ca_key, ca), usage=_usage(True), start=dt.timedelta(days=3))

    code, _out, err = run(capsys, "sign", src, "--p12", no_ku, "--password-file", pki.password_file,
                          "-o", tmp_path / "out.pdf")
    assert code == 2, err
    assert "non-repudiation" in err and not (tmp_path / "out.pdf").exists()

    code, _out, err = run(capsys, "sign", src, "--p12", future, "--password-file", pki.password_file,
                          "-o", tmp_path / "out.pdf")
    assert code == 2, err
    assert "chưa có hiệu lực" in err and "không còn" not in err

    for p12 in (no_ku, no_nr):
        signed = tmp_path / f"{p12.stem}.pdf"
        _sign_with_pyhanko(src, signed, p12)
        code, out, err = run(capsys, "verify", signed, "--trust", tmp_path / "ca.pem")
        assert code == 1, (out, err)
        assert "non-repudiation" in out, out
        assert "không dẫn về CA gốc tin cậy" not in out, out


def test_files_that_are_not_pkcs12(tmp_path: Path, pki: Pki, capsys: pytest.CaptureFixture[str]) -> None:
    """S4: a text file or a PEM certificate given as --p12 is called what it is, with a hint to export a
    .p12/.pfx (the message blamed the password, and the hint said to check it). S5: a password file saved by
    Notepad (UTF-8 BOM, CRLF) or with a note on its second line gives the password of its first line, as
    --help says (the BOM and the second line were taken as part of the password)."""
    src = make_pdf(tmp_path / "in.pdf")
    text = tmp_path / "key.p12"
    text.write_text("không phải PKCS#12\n", encoding="utf-8")
    pem = tmp_path / "cert.p12"
    pem.write_bytes(pki.ca_pem.read_bytes())
    for bad, word in ((text, ".p12/.pfx"), (pem, "PEM")):
        code, _out, err = run(capsys, "sign", src, "--p12", bad, "--password-file", pki.password_file,
                              "-o", tmp_path / "out.pdf")
        assert code == 2, err
        assert "không phải tệp PKCS#12" in err and "mật khẩu" not in err, err
        assert word in err, err
    # S5: the password is the first line of the file, whatever Notepad added (a BOM, CRLF, a second line)
    notepad = tmp_path / "password.txt"
    notepad.write_bytes(("\ufeff" + PASSWORD + "\r\nmật khẩu của chứng thư ký số\r\n").encode("utf-8"))
    code, _out, err = run(capsys, "sign", src, "--p12", pki.p12, "--password-file", notepad, "-o", tmp_path / "s.pdf")
    assert code == 0, err
    # a real PKCS#12 file with the wrong password still says so
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("sai\n", encoding="utf-8")
    code, _out, err = run(capsys, "sign", src, "--p12", pki.p12, "--password-file", wrong, "-o", tmp_path / "o.pdf")
    assert code == 2 and "mật khẩu" in err, err
