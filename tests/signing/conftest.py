"""Throw-away PKI and tiny PDFs for the signing tests.

A session-scoped CA issues a document-signing certificate (digital signature + non-repudiation)
and a TLS-style certificate without non-repudiation; both are packed into password-protected
PKCS#12 files. PDFs are built with pypdf: one A4 page with an uncompressed content stream (so a
test can flip one byte of the signed text) and, optionally, a YAML attachment and PDF/A-3b
identification (XMP ``pdfaid``, ``/AF``, output intent) like the render layer's archive copies.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

PASSWORD = "mật-khẩu 123"
PAGE_TEXT = b"Quy trinh QT-01 - Ban hanh lan 2"
YAML_SOURCE = "id: QT-01\ntitle: {vi: Chứng thực bản sao, en: Certified copies}\n"
XMP = """<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">
<pdfaid:part>3</pdfaid:part><pdfaid:conformance>B</pdfaid:conformance></rdf:Description>
</rdf:RDF></x:xmpmeta><?xpacket end="w"?>"""


@dataclass(frozen=True)
class Pki:
    ca_pem: Path
    p12: Path  # document-signing certificate, password PASSWORD
    p12_no_nr: Path  # certificate without non-repudiation
    password_file: Path
    other_ca_pem: Path  # an unrelated CA


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "UBND xã Mẫu"),
                      x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _ca(cn: str) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    key = _key()
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(_name(cn)).issuer_name(_name(cn))
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                         crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))
    return key, cert


def _leaf(ca_key: rsa.RSAPrivateKey, ca: x509.Certificate, cn: str, non_repudiation: bool
          ) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    key = _key()
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(_name(cn)).issuer_name(ca.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(hours=1)).not_valid_after(now + dt.timedelta(days=10))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=non_repudiation,
                                         key_encipherment=False, data_encipherment=False, key_agreement=False,
                                         key_cert_sign=False, crl_sign=False, encipher_only=False,
                                         decipher_only=False), critical=True)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    return key, cert


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    base = tmp_path_factory.mktemp("pki")
    ca_key, ca = _ca("QMS Test CA")
    _other_key, other = _ca("Unrelated CA")
    enc = serialization.BestAvailableEncryption(PASSWORD.encode("utf-8"))
    files: dict[str, Path] = {}
    for label, nr in (("signer", True), ("no-nr", False)):
        key, cert = _leaf(ca_key, ca, "Nguyễn Văn An", nr)
        files[label] = base / f"{label}.p12"
        files[label].write_bytes(pkcs12.serialize_key_and_certificates(b"an", key, cert, [ca], enc))
    (base / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    (base / "other.pem").write_bytes(other.public_bytes(serialization.Encoding.PEM))
    (base / "password.txt").write_text(PASSWORD + "\n", encoding="utf-8")
    return Pki(base / "ca.pem", files["signer"], files["no-nr"], base / "password.txt", base / "other.pem")


def make_pdf(path: Path, *, attachment: bool = False, pdfa: bool = False) -> Path:
    """A one-page A4 PDF; optionally with a YAML attachment and PDF/A-3b identification."""
    writer = PdfWriter()
    page = writer.add_blank_page(width=595, height=842)
    font = DictionaryObject({NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
                             NameObject("/BaseFont"): NameObject("/Helvetica")})
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})})
    content = DecodedStreamObject()
    content.set_data(b"BT /F1 14 Tf 72 760 Td (" + PAGE_TEXT + b") Tj ET\n")
    page[NameObject("/Contents")] = writer._add_object(content)
    if attachment:
        writer.add_attachment("QT-01.yaml", YAML_SOURCE.encode("utf-8"))
    if pdfa:
        meta = DecodedStreamObject()
        meta.set_data(XMP.encode("utf-8"))
        meta.update({NameObject("/Type"): NameObject("/Metadata"), NameObject("/Subtype"): NameObject("/XML")})
        writer._root_object[NameObject("/Metadata")] = writer._add_object(meta)
        icc = DecodedStreamObject()
        icc.set_data(b"placeholder ICC profile")
        icc[NameObject("/N")] = NumberObject(3)
        intent = DictionaryObject({NameObject("/Type"): NameObject("/OutputIntent"),
                                   NameObject("/S"): NameObject("/GTS_PDFA1"),
                                   NameObject("/OutputConditionIdentifier"): TextStringObject("sRGB"),
                                   NameObject("/DestOutputProfile"): writer._add_object(icc)})
        writer._root_object[NameObject("/OutputIntents")] = ArrayObject([writer._add_object(intent)])
        if attachment:
            names = writer._root_object["/Names"]["/EmbeddedFiles"]["/Names"]
            spec = names[1].get_object()
            spec[NameObject("/AFRelationship")] = NameObject("/Source")
            writer._root_object[NameObject("/AF")] = ArrayObject([names[1]])
    with path.open("wb") as fh:
        writer.write(fh)
    return path


@pytest.fixture
def tiny_pdf(tmp_path: Path) -> Path:
    return make_pdf(tmp_path / "in.pdf")
