"""`qms render … --sign`, the empty approver field in the approval block, and the fast assembly."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import make_repo, pdftotext_pages
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from pypdf import PdfReader

from qms.cli.main import cli
from qms.signing import DEFAULT_BOX

PASSWORD = "mật-khẩu 123"
PDFSIG = shutil.which("pdfsig")


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"), x509.NameAttribute(NameOID.COMMON_NAME, cn)])


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A throw-away CA and a document-signing certificate (non-repudiation) in a PKCS#12 file."""
    base = tmp_path_factory.mktemp("pki")
    now = dt.datetime.now(dt.UTC)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca = (x509.CertificateBuilder().subject_name(_name("Render Test CA")).issuer_name(_name("Render Test CA"))
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                       data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                       crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = (x509.CertificateBuilder().subject_name(_name("Trần Thị Bình")).issuer_name(ca.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(hours=1)).not_valid_after(now + dt.timedelta(days=10))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    enc = serialization.BestAvailableEncryption(PASSWORD.encode("utf-8"))
    (base / "signer.p12").write_bytes(pkcs12.serialize_key_and_certificates(b"b", key, cert, [ca], enc))
    (base / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    (base / "password.txt").write_text(PASSWORD + "\n", encoding="utf-8")
    return {"p12": base / "signer.p12", "ca": base / "ca.pem", "password": base / "password.txt"}


def _sig_fields(path: Path) -> dict[str, tuple[list[float], bool]]:
    """Signature field name -> (widget rectangle, signed)."""
    reader = PdfReader(str(path))
    out = {}
    for field in reader.root_object["/AcroForm"]["/Fields"]:
        f = field.get_object()
        if f.get("/FT") == "/Sig":
            out[str(f["/T"])] = ([round(float(v), 1) for v in f["/Rect"]], "/V" in f)
    return out


def _verify(path: Path, ca: Path) -> None:
    result = CliRunner().invoke(cli, ["verify", str(path), "--trust", str(ca)])
    assert result.exit_code == 0, result.output
    if PDFSIG:
        report = subprocess.run([PDFSIG, str(path)], capture_output=True, text=True, timeout=60,
                                check=False).stdout
        assert "Signature is Valid" in report, report
        assert "Total document signed" in report, report


def test_render_sign_fills_the_approver_field_of_the_approval_block(tmp_path: Path, pki: dict[str, Path]) -> None:
    repo = make_repo(tmp_path / "repo")
    plain, signed = tmp_path / "plain.pdf", tmp_path / "signed.pdf"
    runner = CliRunner(env={"QMS_LANG": None})  # the organisation's language, for messages and the document
    result = runner.invoke(cli, ["--root", str(repo), "render", "procedure", "QT-HT-01", "-o", str(plain)])
    assert result.exit_code == 0, result.output
    empty = _sig_fields(plain)
    assert list(empty) == ["approver"]
    rect, is_signed = empty["approver"]
    assert not is_signed
    # the field is the approver's cell on the cover: right-hand third of the page, below the title
    assert rect[0] > 595 * 0.5 and rect[2] < 595 and 842 * 0.2 < rect[1] < rect[3] < 842 * 0.9
    assert [round(float(v), 1) for v in DEFAULT_BOX] != rect

    result = runner.invoke(cli, ["--root", str(repo), "render", "procedure", "QT-HT-01", "-o", str(signed),
                                 "--sign", "--p12", str(pki["p12"]), "--password-file", str(pki["password"]),
                                 "--field", "approver"])
    assert result.exit_code == 0, result.output
    assert "đã ký" in result.output and "approver" in result.output, result.output  # the field named by --field
    filled = _sig_fields(signed)
    assert filled == {"approver": (rect, True)}  # the existing field was filled, no box was added
    assert signed.read_bytes().startswith(plain.read_bytes())  # an incremental update of the render
    assert "Mục đích" in "\n".join(pdftotext_pages(signed))
    _verify(signed, pki["ca"])


def test_render_sign_manual_pdfa_invisible(tmp_path: Path, pki: dict[str, Path]) -> None:
    repo = make_repo(tmp_path / "repo", procedures=2)
    out = tmp_path / "manual.pdf"
    result = CliRunner().invoke(cli, ["--root", str(repo), "render", "manual", "-o", str(out), "--lang", "en",
                                      "--pdf-variant", "pdf/a-3b", "--jobs", "2", "--sign", "--p12",
                                      str(pki["p12"]), "--password-file", str(pki["password"])])
    assert result.exit_code == 0, result.output
    reader = PdfReader(str(out))
    assert b"pdfaid:part" in reader.root_object["/Metadata"].get_object().get_data()
    assert "/AF" in reader.root_object
    fields = _sig_fields(out)
    assert fields["approver"][1] is False  # the approval block's field stays empty for the approver
    assert fields["Signature1"][1] is True
    _verify(out, pki["ca"])


def test_render_sign_refuses_bad_input_before_rendering(tmp_path: Path, pki: dict[str, Path]) -> None:
    repo = make_repo(tmp_path / "repo")
    out = tmp_path / "x.pdf"
    bad = tmp_path / "bad.txt"
    bad.write_text("wrong\n", encoding="utf-8")
    sign = ["--sign", "--p12", str(pki["p12"])]
    for args, expected in [
        (["procedure", "QT-HT-01", "-o", str(out), "--sign"], "--sign needs --p12"),
        (["procedure", "QT-HT-01", "-o", str(out), *sign, "--password-file", str(bad)], "password is wrong"),
        (["manual", "-o", str(out), "--field", "approver"], "options of --sign"),
        (["manual", "--format", "html", "-o", str(tmp_path / "site"), *sign], "PDF output only"),
    ]:
        result = CliRunner().invoke(cli, ["--root", str(repo), "render", *args], standalone_mode=False)
        assert result.exception is not None
        assert expected in str(getattr(result.exception, "message", result.exception))
    assert not out.exists()  # refused before rendering


def test_fast_assembly_matches_pypdf(tmp_path: Path) -> None:
    from qms.render.pdf import html_to_pdf, merge_pdfs, merge_with_pypdf

    def doc(title: str, pages: int) -> bytes:
        body = "".join(f'<h1 style="break-before: page">{title} {n} (đ) [x] 5 0 R</h1>' for n in range(pages))
        return html_to_pdf(f"<html><head><title>{title}</title></head><body>{body}</body></html>", None).data

    front, parts = doc("Front", 2), [(f"Phần {i}", doc(f"Part {i}", i)) for i in (1, 3)]
    fast = merge_pdfs(front, parts, outline_title="Procedures")
    slow = merge_with_pypdf(front, parts, outline_title="Procedures")
    (tmp_path / "fast.pdf").write_bytes(fast)
    a, b = PdfReader(tmp_path / "fast.pdf"), PdfReader(__import__("io").BytesIO(slow))
    assert len(a.pages) == len(b.pages) == 6
    assert [p.extract_text() for p in a.pages] == [p.extract_text() for p in b.pages]
    outline = a.outline
    titles = [o.title for o in outline if not isinstance(o, list)]
    assert titles[-1] == "Procedures"
    assert [o.title for o in outline[-1]] == ["Phần 1", "Phần 3"]  # type: ignore[union-attr]
    assert a.get_destination_page_number(outline[-1][1]) == 3  # type: ignore[index]
    assert len(fast) < len(front) + sum(len(d) for _t, d in parts)  # the embedded fonts are kept once
    if shutil.which("qpdf"):
        subprocess.run(["qpdf", "--check", str(tmp_path / "fast.pdf")], check=True, capture_output=True)


def test_page_stamps_land_on_the_parts_pages_in_both_assemblers() -> None:
    """Line k of the stamps, composed of its pieces, is drawn on the k-th page of the parts (not on
    the front matter), at the bottom of the page, by the fast assembler and by the pypdf fallback alike."""
    import io

    from qms.render.assemble import Stamps
    from qms.render.pdf import html_to_pdf, merge_pdfs, merge_with_pypdf

    def doc(title: str, pages: int, size: str = "A4") -> bytes:
        body = "".join(f'<h1 style="break-before: page">{title} {n}</h1>' for n in range(pages))
        return html_to_pdf(f"<html><head><style>@page {{ size: {size} }}</style></head><body>{body}</body></html>",
                           None).data

    front, parts = doc("Front", 2), [("A", doc("Part A", 2)), ("B", doc("Part B", 1, "A4 landscape"))]
    pieces = html_to_pdf("<style>@page { size: 70mm 4mm; margin: 0 }</style>"
                         + "".join(f'<div style="break-after: page">{t}</div>' for t in ("Stamp", "3", "4", "5")), None).data
    # "Stamp 3", "Stamp 4", "Stamp 5": the word (about 40 points wide), then the digit 60 points from its start
    stamps = Stamps(pieces, [(70.0, ((0, 0.0), (k, 60.0))) for k in (1, 2, 3)])
    for merged in (merge_pdfs(front, parts, stamps=stamps), merge_with_pypdf(front, parts, stamps=stamps)):
        reader = PdfReader(io.BytesIO(merged))
        texts = [" ".join(p.extract_text().split()) for p in reader.pages]  # pypdf breaks the line between forms
        assert len(texts) == 5
        assert not any("Stamp" in t for t in texts[:2])
        for k, text in enumerate(texts[2:]):
            assert f"Stamp {k + 3}" in text, texts
            assert "Part" in text  # the page's own content is still there
        assert float(reader.pages[4].mediabox.width) > float(reader.pages[4].mediabox.height)
        found: list[tuple[float, float]] = []

        def visit(text: str, cm: Any, tm: Any, font: Any, size: Any, found: list[tuple[float, float]] = found) -> None:
            if "Stamp" in text:
                found.append((cm[4] + tm[4] * cm[0], cm[5] + tm[5] * cm[3]))

        reader.pages[4].extract_text(visitor_text=visit)
        assert found and all(y < 60 for _x, y in found), found  # in the bottom margin, not at the top


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_composed_page_numbers_read_whole_and_centred(tmp_path: Path, lang: str) -> None:
    """The manual-wide numbers are composed from the words and ten digit pieces: numbers of one to
    four digits, repeated digits included, read back whole with pdftotext, and each line sits on
    the centre of the text column (5 mm right of the page's centre) on portrait and landscape pages."""
    import re

    from qms.render.assemble import STAMP_SHIFT
    from qms.render.cache import RenderCache
    from qms.render.documents import _page_stamps
    from qms.render.pdf import html_to_pdf, merge_pdfs

    root = make_repo(tmp_path / "repo")
    numbers = [7, 10, 99, 100, 1111, 1398, 2020]

    def doc(pages: int, size: str = "A4") -> bytes:
        body = "".join(f'<p style="break-before: page">page {n}</p>' for n in range(pages))
        return html_to_pdf(f"<style>@page {{ size: {size} }}</style>{body}", None).data

    stamps = _page_stamps(root, RenderCache(root), lang, 1, 2020)
    chosen = type(stamps)(stamps.pdf, [stamps.lines[n - 1] for n in numbers])
    parts = [("A", doc(len(numbers) - 1)), ("B", doc(1, "A4 landscape"))]
    out = tmp_path / "m.pdf"
    out.write_bytes(merge_pdfs(doc(1), parts, stamps=chosen))
    pages = pdftotext_pages(out)
    phrase = "Trang {n} của sổ tay" if lang == "vi" else "Page {n} of the manual"
    for n, text in zip(numbers, pages[1:], strict=True):
        assert phrase.format(n=n) in text, (n, text)
    # the line's middle, from poppler's word boxes
    bbox = subprocess.run(["pdftotext", "-bbox", str(out), "-"], check=True, capture_output=True).stdout.decode()
    sheets = re.findall(r'<page width="([\d.]+)"(.*?)</page>', bbox, re.S)[1:]
    assert len(sheets) == len(numbers)
    for width, body in sheets:
        words = [(float(a), float(b)) for a, b in re.findall(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"', body)]
        line = words[-5:]  # Trang N của sổ tay / Page N of the manual: the last five words of the page
        middle = (line[0][0] + line[-1][1]) / 2
        assert abs(middle - (float(width) / 2 + STAMP_SHIFT)) < 1.5, (middle, width)
