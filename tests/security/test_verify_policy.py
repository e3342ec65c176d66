"""F8: the signature-verification policy of ``qms verify``, checked against Poppler's pdfsig.

Every case signs a real PDF with ``qms sign`` (pyHanko) and a throw-away CA, damages or extends
it the way an attacker or a careless tool would (raw byte edits, pyHanko incremental updates),
then runs ``python -m qms verify`` in a subprocess and ``pdfsig`` on the same file. The
cryptographic verdict (signature valid, the signed byte ranges, whether they cover the whole
file) must agree with pdfsig. pdfsig does not judge changes made after signing: when it still
calls such a signature valid, the NOT OK verdict is qms's own policy, and the tests say so.
"""

from __future__ import annotations

import importlib.util
import io
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

PDFSIG = shutil.which("pdfsig")
TESTS = Path(__file__).resolve().parents[1]


def _signing_helpers() -> ModuleType:
    """The throw-away PKI and PDF builders of ``tests/signing/conftest.py`` (loaded by path: the
    name ``conftest`` is taken by several test folders)."""
    name = "qms_tests_signing_helpers"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, TESTS / "signing" / "conftest.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


H = _signing_helpers()


@dataclass(frozen=True)
class Keys:
    ca: Path
    p12: Path
    password_file: Path


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Keys:
    base = tmp_path_factory.mktemp("verify-pki")
    ca_key, ca = H._ca("QMS Verify Test CA")
    key, cert = H._leaf(ca_key, ca, "Trần Thị Bình", True)
    enc = serialization.BestAvailableEncryption(H.PASSWORD.encode("utf-8"))
    (base / "signer.p12").write_bytes(pkcs12.serialize_key_and_certificates(b"binh", key, cert, [ca], enc))
    (base / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    (base / "password.txt").write_text(H.PASSWORD + "\n", encoding="utf-8")
    return Keys(base / "ca.pem", base / "signer.p12", base / "password.txt")


@pytest.fixture(scope="module")
def pdfsig_tool() -> str:
    if PDFSIG is None:
        if os.environ.get("CI") == "true":
            pytest.fail("pdfsig (poppler-utils) is required in CI: make setup installs it")
        pytest.skip("Poppler's pdfsig is not installed")
    return PDFSIG


def qms(*args: str | Path, lang: str = "en") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QMS_LANG": lang}
    env.pop("QMS_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "qms", *map(str, args)], capture_output=True, text=True,
                          timeout=180, check=False, env=env)


def sign(keys: Keys, src: Path, out: Path, field: str | None = None) -> Path:
    extra = ["--field", field] if field else []
    run = qms("sign", src, "--p12", keys.p12, "--password-file", keys.password_file, "-o", out, *extra)
    assert run.returncode == 0, run.stdout + run.stderr
    return out


@pytest.fixture(scope="module")
def _signed_once(tmp_path_factory: pytest.TempPathFactory, keys: Keys) -> bytes:
    """One PDF signed by `qms sign` for the whole module (signing is the slow part of each case)."""
    base = tmp_path_factory.mktemp("verify-signed")
    return sign(keys, H.make_pdf(base / "plain.pdf"), base / "signed.pdf").read_bytes()


@pytest.fixture
def signed(tmp_path: Path, _signed_once: bytes) -> Path:
    """A private copy of the signed PDF, for the test to read and damage."""
    return write(tmp_path / "signed.pdf", _signed_once)


@dataclass
class Verdict:
    exit_code: int
    doc: dict[str, Any] | None
    text: str
    stderr: str

    def sig(self, name: str = "Signature1") -> dict[str, Any]:
        assert self.doc is not None
        return next(s for s in self.doc["signatures"] if s["field"] == name)


def verify(path: Path, keys: Keys) -> Verdict:
    """``qms verify`` in JSON and in text; both must give the same exit code and no traceback."""
    as_json = qms("verify", path, "--trust", keys.ca, "--format", "json")
    as_text = qms("verify", path, "--trust", keys.ca)
    for run in (as_json, as_text):
        assert "Traceback" not in run.stderr, run.stderr
        assert run.returncode in (0, 1, 2), (run.returncode, run.stdout, run.stderr)
    assert as_json.returncode == as_text.returncode
    doc = json.loads(as_json.stdout) if as_json.returncode in (0, 1) else None
    if as_json.returncode == 2:
        assert "error:" in as_json.stderr and "error:" in as_text.stderr
    return Verdict(as_json.returncode, doc, as_text.stdout, as_text.stderr)


def pdfsig(tool: str, path: Path) -> dict[str, dict[str, Any]]:
    """pdfsig's verdict per signature field: valid, byte ranges, whole document signed."""
    run = subprocess.run([tool, str(path)], capture_output=True, text=True, timeout=60, check=False)
    out: dict[str, dict[str, Any]] = {}
    for block in re.split(r"^Signature #\d+:$", run.stdout, flags=re.M)[1:]:
        name = re.search(r"Signature Field Name: (.*)", block)
        ranges = re.search(r"Signed Ranges: \[(\d+) - (\d+)\], \[(\d+) - (\d+)\]", block)
        assert name is not None, block
        out[name.group(1).strip()] = {
            "valid": "Signature Validation: Signature is Valid." in block,
            "ranges": [[int(ranges.group(1)), int(ranges.group(2))], [int(ranges.group(3)), int(ranges.group(4))]]
            if ranges else None,
            "total": "Total document signed" in block,
        }
    return out


def assert_agrees_with_pdfsig(verdict: Verdict, tool: str, path: Path) -> dict[str, dict[str, Any]]:
    """Same signatures, same cryptographic verdict, same byte ranges, same whole-file answer."""
    theirs = pdfsig(tool, path)
    assert verdict.doc is not None
    ours = {s["field"]: s for s in verdict.doc["signatures"]}
    assert set(ours) == set(theirs), (ours.keys(), theirs)
    for name, sig in ours.items():
        assert sig["signature_valid"] == theirs[name]["valid"], (name, sig, theirs[name])
        assert sig["byte_range"] == theirs[name]["ranges"], (name, sig["byte_range"], theirs[name])
        assert sig["covers_whole_file"] == theirs[name]["total"], (name, sig, theirs[name])
    return theirs


# -- raw edits of the signature value ---------------------------------------------------------

def contents_span(data: bytes) -> tuple[int, int]:
    """Offsets of the hex digits of the (first) signature's /Contents and the end of its DER value."""
    match = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", data)
    assert match is not None
    start = int(match.group(1)) + int(match.group(2)) + 1  # after '<'
    header = data[start : start + 8]
    assert header[:4] == b"3082", header  # SEQUENCE with a two-byte length
    der_bytes = 4 + int(header[4:8], 16)
    return start, start + 2 * der_bytes


def replace_at(data: bytes, at: int, new: bytes) -> bytes:
    return data[:at] + new + data[at + len(new) :]


def other_hex_digit(digit: int) -> bytes:
    return b"1" if digit != ord("1") else b"2"


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


# -- incremental updates after signing ---------------------------------------------------------

def incremental(src: Path, out: Path, change: Any) -> Path:
    """Apply ``change(writer)`` to ``src`` as one pyHanko incremental update, nothing else touched."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    class Exact(IncrementalPdfFileWriter):
        def _update_meta(self) -> None:  # no Producer/ModDate refresh: exactly the change under test
            return None

    writer = Exact(io.BytesIO(src.read_bytes()), strict=False)
    change(writer)
    buf = io.BytesIO()
    writer.write(buf)
    assert buf.getvalue().startswith(src.read_bytes())
    return write(out, buf.getvalue())


def form_pdf(path: Path) -> Path:
    """One A4 page with an empty text field ``remarks`` (a form an officer fills in after signing)."""
    writer = PdfWriter()
    page = writer.add_blank_page(width=595, height=842)
    field = DictionaryObject({
        NameObject("/FT"): NameObject("/Tx"), NameObject("/T"): TextStringObject("remarks"),
        NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Widget"),
        NameObject("/Rect"): ArrayObject([FloatObject(72), FloatObject(600), FloatObject(300), FloatObject(620)]),
        NameObject("/DA"): TextStringObject("/Helv 10 Tf 0 g"), NameObject("/F"): NumberObject(4)})
    ref = writer._add_object(field)
    field[NameObject("/P")] = page.indirect_reference
    page[NameObject("/Annots")] = ArrayObject([ref])
    writer._root_object[NameObject("/AcroForm")] = DictionaryObject({NameObject("/Fields"): ArrayObject([ref])})
    with path.open("wb") as fh:
        writer.write(fh)
    return path


# -- the cases ---------------------------------------------------------------------------------

def test_valid_signature_is_ok_and_agrees_with_pdfsig(signed: Path, keys: Keys, pdfsig_tool: str) -> None:
    """F8 baseline: an untouched signed PDF is OK (exit 0); valid, whole file, no changes, as pdfsig says."""
    v = verify(signed, keys)
    assert v.exit_code == 0, v.text
    assert v.doc is not None and v.doc["ok"] is True
    sig = v.sig()
    assert sig["signer"] == "Trần Thị Bình"
    assert sig["signing_time"]
    assert sig["signature_valid"] and sig["covers_whole_file"]
    assert sig["changes_after_signing"] == []
    assert sig["byte_range"][0][0] == 0 and sig["byte_range"][1][1] == signed.stat().st_size
    theirs = assert_agrees_with_pdfsig(v, pdfsig_tool, signed)
    assert theirs["Signature1"]["valid"] and theirs["Signature1"]["total"]
    assert "signature valid: yes" in v.text
    assert "covers whole file: yes" in v.text
    assert "changes after signing: none" in v.text
    assert v.text.rstrip().endswith("result: OK")


def test_hex_digit_changed_in_signature_value_is_not_ok(signed: Path, tmp_path: Path, keys: Keys,
                                                        pdfsig_tool: str) -> None:
    """F8: a hex digit changed inside the signature value gives NOT OK (exit 1), never exit 3."""
    data = signed.read_bytes()
    _start, der_end = contents_span(data)
    at = der_end - 20  # inside the RSA signature value, the last element of the CMS structure
    bad = write(tmp_path / "digit.pdf", replace_at(data, at, other_hex_digit(data[at])))
    v = verify(bad, keys)
    assert v.exit_code == 1, v.text + v.stderr
    assert v.sig()["signature_valid"] is False
    assert "the signature value is not valid" in v.text
    assert "result: NOT OK" in v.text
    assert_agrees_with_pdfsig(v, pdfsig_tool, bad)


def test_hex_digit_changed_in_cms_structure_is_not_ok(signed: Path, tmp_path: Path, keys: Keys,
                                                      pdfsig_tool: str) -> None:
    """F8: a hex digit changed in the CMS length header (an unparsable value) is NOT OK (exit 1), not exit 3."""
    data = signed.read_bytes()
    start, _end = contents_span(data)
    at = start + 4  # first digit of the outer SEQUENCE length
    bad = write(tmp_path / "structure.pdf", replace_at(data, at, b"1" if data[at] != ord("1") else b"2"))
    v = verify(bad, keys)
    assert v.exit_code == 1, v.text + v.stderr
    sig = v.sig()
    assert sig["malformed"] is True and sig["signature_valid"] is False
    assert "the signature value is malformed" in v.text
    assert_agrees_with_pdfsig(v, pdfsig_tool, bad)


def test_flipped_byte_inside_contents_is_not_ok(signed: Path, tmp_path: Path, keys: Keys,
                                                pdfsig_tool: str) -> None:
    """F8: one flipped bit inside /Contents (a byte that is no hex digit) is NOT OK (exit 1), not exit 2."""
    data = signed.read_bytes()
    _start, der_end = contents_span(data)
    # a digit other than '0': Poppler reads a foreign byte in a hex string as 0 (see the next test)
    at = next(i for i in range(der_end - 20, der_end - 600, -1) if data[i] != ord("0"))
    flipped = bytes([data[at] ^ 0x40])
    assert flipped not in b"0123456789abcdefABCDEF"
    bad = write(tmp_path / "flipped.pdf", replace_at(data, at, flipped))
    v = verify(bad, keys)
    assert v.exit_code == 1, v.text + v.stderr
    sig = v.sig()
    assert sig["malformed"] is True and sig["signature_valid"] is False
    assert f"not a hex digit at offset {at}" in v.text
    assert_agrees_with_pdfsig(v, pdfsig_tool, bad)


def test_foreign_byte_over_a_zero_digit_is_stricter_than_pdfsig(signed: Path, tmp_path: Path, keys: Keys,
                                                                   pdfsig_tool: str) -> None:
    """F8: a foreign byte in place of a '0' digit of the signature value is NOT OK (exit 1).

    The one documented difference from pdfsig: Poppler reads a foreign byte in a hex string as the
    digit 0, so here it decodes the original value and calls the signature valid (though not "Total
    document signed"). qms refuses a /Contents that is not a hex string: the file is not the one
    that was signed. Both agree on the byte ranges and that the whole file is not covered.
    """
    data = signed.read_bytes()
    _start, der_end = contents_span(data)
    at = next(i for i in range(der_end - 20, der_end - 600, -1) if data[i] == ord("0"))
    bad = write(tmp_path / "zero.pdf", replace_at(data, at, b"p"))  # '0' ^ 0x40
    v = verify(bad, keys)
    assert v.exit_code == 1, v.text + v.stderr
    sig = v.sig()
    assert sig["malformed"] is True and sig["signature_valid"] is False
    theirs = pdfsig(pdfsig_tool, bad)["Signature1"]
    assert theirs["valid"] is True  # Poppler's lenient reading: the difference this test documents
    assert sig["byte_range"] == theirs["ranges"]
    assert sig["covers_whole_file"] is False and theirs["total"] is False


def test_truncated_signature_value_is_not_ok(signed: Path, tmp_path: Path, keys: Keys, pdfsig_tool: str) -> None:
    """F8: a signature value cut short (the rest of /Contents zeroed, offsets unchanged) is NOT OK (exit 1)."""
    data = signed.read_bytes()
    start, der_end = contents_span(data)
    cut = start + 1000
    bad = write(tmp_path / "cut.pdf", data[:cut] + b"0" * (der_end - cut) + data[der_end:])
    v = verify(bad, keys)
    assert v.exit_code == 1, v.text + v.stderr
    assert v.sig()["malformed"] is True
    assert "the signature value is malformed" in v.text
    assert_agrees_with_pdfsig(v, pdfsig_tool, bad)


def test_data_hidden_after_the_signature_value_is_not_ok(signed: Path, tmp_path: Path, keys: Keys,
                                                         pdfsig_tool: str) -> None:
    """F8: bytes hidden in the zero padding of /Contents (outside the signed data) are NOT OK (exit 1).

    The signature itself still verifies (pdfsig: valid, but not "Total document signed").
    """
    data = signed.read_bytes()
    _start, der_end = contents_span(data)
    bad = write(tmp_path / "hidden.pdf", replace_at(data, der_end + 10, b"DEADBEEF"))
    v = verify(bad, keys)
    assert v.exit_code == 1, v.text + v.stderr
    sig = v.sig()
    assert sig["signature_valid"] is True and sig["covers_whole_file"] is False
    assert "data other than the signature value and its zero padding" in v.text
    theirs = assert_agrees_with_pdfsig(v, pdfsig_tool, bad)
    assert theirs["Signature1"]["valid"] and not theirs["Signature1"]["total"]


def test_file_truncated_by_one_byte_is_not_ok(signed: Path, tmp_path: Path, keys: Keys, pdfsig_tool: str) -> None:
    """F8: a signed file missing its last byte is NOT OK (exit 1): the signed range runs past the end."""
    data = signed.read_bytes()
    bad = write(tmp_path / "short.pdf", data[:-1])
    v = verify(bad, keys)
    assert v.exit_code == 1, v.text + v.stderr
    sig = v.sig()
    assert sig["signature_valid"] is False and sig["covers_whole_file"] is False
    assert f"the file is truncated: the signature covers bytes up to {len(data)}" in v.text
    assert_agrees_with_pdfsig(v, pdfsig_tool, bad)


def test_file_truncated_inside_its_signature_is_unreadable(signed: Path, tmp_path: Path, keys: Keys,
                                                           pdfsig_tool: str) -> None:
    """F8: a file cut before its last revision can be read is unreadable input (exit 2) with a message.

    pdfsig finds no signature in it either.
    """
    data = signed.read_bytes()
    bad = write(tmp_path / "cut-file.pdf", data[:-100])
    v = verify(bad, keys)
    assert v.exit_code == 2, v.text + v.stderr
    assert "is not a readable PDF" in v.stderr
    assert f"the file is truncated: a signature covers bytes up to {len(data)}" in v.stderr
    assert not any(s["valid"] for s in pdfsig(pdfsig_tool, bad).values())


def test_bytes_appended_after_eof_are_not_ok(signed: Path, tmp_path: Path, keys: Keys, pdfsig_tool: str) -> None:
    """F8: junk after %%EOF, outside the signed range, is NOT OK (exit 1) and never 'changed' with 'OK'.

    pdfsig still calls the signature valid (not the whole document): the NOT OK is qms's policy.
    """
    bad = write(tmp_path / "appended.pdf", signed.read_bytes() + b"\n% appended by someone else\n")
    v = verify(bad, keys)
    assert v.exit_code == 1, v.text + v.stderr
    sig = v.sig()
    assert sig["signature_valid"] is True and sig["covers_whole_file"] is False
    assert sig["changes_after_signing"] == ["appended-bytes"]
    assert "changes after signing: appended bytes (not allowed)" in v.text
    assert "the document was changed after signing: appended bytes" in v.text
    assert "result: OK" not in v.text and "result: NOT OK" in v.text
    theirs = assert_agrees_with_pdfsig(v, pdfsig_tool, bad)
    assert theirs["Signature1"]["valid"]  # pdfsig does not judge it: qms's own policy


@pytest.mark.parametrize("junk", [b"\n%%EOF\n", b"junk\nstartxref\n1204\n%%EOF\n"], ids=["eof", "fake-startxref"])
def test_appended_bytes_that_look_like_an_end_of_file_are_not_ok(signed: Path, tmp_path: Path, keys: Keys,
                                                                  pdfsig_tool: str, junk: bytes) -> None:
    """F8: junk after %%EOF that itself holds %%EOF or a bogus startxref is NOT OK (exit 1), not unreadable."""
    bad = write(tmp_path / "appended.pdf", signed.read_bytes() + junk)
    v = verify(bad, keys)
    assert v.exit_code == 1, v.text + v.stderr
    sig = v.sig()
    assert sig["signature_valid"] is True
    assert sig["changes_after_signing"] == ["appended-bytes"]
    assert "result: OK" not in v.text
    theirs = assert_agrees_with_pdfsig(v, pdfsig_tool, bad)
    assert theirs["Signature1"]["valid"]


def test_incremental_update_changing_title_and_author_is_not_ok(signed: Path, tmp_path: Path, keys: Keys,
                                                                pdfsig_tool: str) -> None:
    """F8: an incremental update that rewrites /Title and /Author in the Info dictionary is NOT OK (exit 1).

    pyHanko alone rates it harmless (LTA_UPDATES) and pdfsig calls the signature valid: the NOT OK
    is qms's stricter policy, because it changes what an auditor sees in the document properties.
    """
    from pyhanko.pdf_utils import generic

    def retitle(writer: Any) -> None:
        info = generic.DictionaryObject({
            generic.NameObject("/Title"): generic.TextStringObject("Quy trình đã được phê duyệt"),
            generic.NameObject("/Author"): generic.TextStringObject("Người khác")})
        writer.set_info(info)

    bad = incremental(signed, tmp_path / "retitled.pdf", retitle)
    v = verify(bad, keys)
    assert v.exit_code == 1, v.text + v.stderr
    sig = v.sig()
    assert sig["signature_valid"] is True
    assert sig["modification_level"] == "LTA_UPDATES"  # what pyHanko's difference analysis says
    assert sig["changes_after_signing"] == ["metadata"]
    assert "the document was changed after signing: metadata" in v.text
    theirs = assert_agrees_with_pdfsig(v, pdfsig_tool, bad)
    assert theirs["Signature1"]["valid"]


def test_incremental_update_replacing_xmp_metadata_is_not_ok(tmp_path: Path, keys: Keys, pdfsig_tool: str) -> None:
    """F8: an incremental update that replaces the XMP metadata stream (dc:title, dc:creator) is NOT OK."""
    from pyhanko.pdf_utils import generic

    signed = sign(keys, H.make_pdf(tmp_path / "pdfa.pdf", pdfa=True), tmp_path / "signed.pdf")

    def new_xmp(writer: Any) -> None:
        xmp = H.XMP.replace("<pdfaid:part>", "<dc:title>Forged</dc:title><pdfaid:part>")
        stream = generic.StreamObject({generic.NameObject("/Type"): generic.NameObject("/Metadata"),
                                       generic.NameObject("/Subtype"): generic.NameObject("/XML")},
                                      stream_data=xmp.encode("utf-8"))
        writer.root["/Metadata"] = writer.add_object(stream)
        writer.update_root()

    bad = incremental(signed, tmp_path / "xmp.pdf", new_xmp)
    v = verify(bad, keys)
    assert v.exit_code == 1, v.text + v.stderr
    assert "metadata" in v.sig()["changes_after_signing"]
    assert_agrees_with_pdfsig(v, pdfsig_tool, bad)


def test_incremental_update_adding_a_page_is_not_ok(signed: Path, tmp_path: Path, keys: Keys,
                                                    pdfsig_tool: str) -> None:
    """F8: an incremental update that adds a page after signing is NOT OK (exit 1), named 'pages'."""
    from pyhanko.pdf_utils import generic

    def add_page(writer: Any) -> None:
        pages = writer.root["/Pages"]
        content = writer.add_object(generic.StreamObject(stream_data=b"BT /F1 14 Tf 72 760 Td (Trang them) Tj ET\n"))
        page = generic.DictionaryObject({
            generic.NameObject("/Type"): generic.NameObject("/Page"),
            generic.NameObject("/Parent"): writer.root.raw_get("/Pages"),
            generic.NameObject("/MediaBox"): generic.ArrayObject([generic.NumberObject(v) for v in (0, 0, 595, 842)]),
            generic.NameObject("/Contents"): content})
        pages["/Kids"].append(writer.add_object(page))
        pages["/Count"] = generic.NumberObject(int(pages["/Count"]) + 1)
        writer.update_container(pages)

    bad = incremental(signed, tmp_path / "page.pdf", add_page)
    v = verify(bad, keys)
    assert v.exit_code == 1, v.text + v.stderr
    sig = v.sig()
    assert sig["signature_valid"] is True
    assert "pages" in sig["changes_after_signing"]
    assert "the document was changed after signing: pages" in v.text
    theirs = assert_agrees_with_pdfsig(v, pdfsig_tool, bad)
    assert theirs["Signature1"]["valid"]  # pdfsig does not judge it: qms's own policy


def test_incremental_update_adding_an_annotation_is_not_ok(signed: Path, tmp_path: Path, keys: Keys,
                                                           pdfsig_tool: str) -> None:
    """F8: an incremental update that adds a note annotation to page 1 is NOT OK (exit 1), named 'annotations'."""
    from pyhanko.pdf_utils import generic

    def annotate(writer: Any) -> None:
        page = writer.root["/Pages"]["/Kids"][0].get_object()
        note = generic.DictionaryObject({
            generic.NameObject("/Type"): generic.NameObject("/Annot"),
            generic.NameObject("/Subtype"): generic.NameObject("/Text"),
            generic.NameObject("/Rect"): generic.ArrayObject([generic.NumberObject(v) for v in (72, 700, 92, 720)]),
            generic.NameObject("/Contents"): generic.TextStringObject("Đã sửa hạn hoàn thành")})
        page["/Annots"] = generic.ArrayObject([writer.add_object(note)])
        writer.update_container(page)

    bad = incremental(signed, tmp_path / "annotated.pdf", annotate)
    v = verify(bad, keys)
    assert v.exit_code == 1, v.text + v.stderr
    sig = v.sig()
    assert sig["signature_valid"] is True
    assert sig["changes_after_signing"] == ["annotations"]
    assert "the document was changed after signing: annotations" in v.text
    theirs = assert_agrees_with_pdfsig(v, pdfsig_tool, bad)
    assert theirs["Signature1"]["valid"]


def test_second_signature_afterwards_is_ok(signed: Path, tmp_path: Path, keys: Keys, pdfsig_tool: str) -> None:
    """F8: a second (visible) signature added later is allowed: OK (exit 0); the first names it."""
    both = sign(keys, signed, tmp_path / "both.pdf", field="approver")
    v = verify(both, keys)
    assert v.exit_code == 0, v.text + v.stderr
    first, second = v.sig("Signature1"), v.sig("approver")
    assert first["changes_after_signing"] == ["later-signature"]
    assert first["covers_whole_file"] is False and second["covers_whole_file"] is True
    assert second["changes_after_signing"] == []
    assert "changes after signing: later signature" in v.text
    theirs = assert_agrees_with_pdfsig(v, pdfsig_tool, both)
    assert theirs["Signature1"]["valid"] and theirs["approver"]["valid"]


def test_permitted_form_fill_is_ok(tmp_path: Path, keys: Keys, pdfsig_tool: str) -> None:
    """F8: filling in a text field after signing is a permitted form fill: OK (exit 0), named 'form fill'."""
    from pyhanko.pdf_utils import generic

    signed = sign(keys, form_pdf(tmp_path / "form.pdf"), tmp_path / "signed.pdf")

    def fill(writer: Any) -> None:
        for ref in writer.root["/AcroForm"]["/Fields"]:
            field = ref.get_object()
            if field.get("/FT") == "/Tx":
                field["/V"] = generic.TextStringObject("Da kiem tra")
                writer.update_container(field)

    filled = incremental(signed, tmp_path / "filled.pdf", fill)
    v = verify(filled, keys)
    assert v.exit_code == 0, v.text + v.stderr
    sig = v.sig()
    assert sig["changes_after_signing"] == ["form-fill"]
    assert sig["modification_level"] == "FORM_FILLING"
    assert "changes after signing: form fill" in v.text
    assert_agrees_with_pdfsig(v, pdfsig_tool, filled)


def test_non_pdf_is_unreadable_input(tmp_path: Path, keys: Keys, pdfsig_tool: str) -> None:
    """F8: a file that is not a PDF is unreadable input: exit 2 with a message, no traceback."""
    bad = write(tmp_path / "invoice.pdf", b"PK\x03\x04 this is a zip archive, not a PDF\n")
    v = verify(bad, keys)
    assert v.exit_code == 2
    assert "is not a PDF file" in v.stderr
    assert pdfsig(pdfsig_tool, bad) == {}


def test_encrypted_pdf_is_unreadable_input(tmp_path: Path, keys: Keys) -> None:
    """F8: an encrypted PDF is refused as input qms cannot verify: exit 2 with a message."""
    from pypdf import PdfReader

    plain = H.make_pdf(tmp_path / "plain.pdf")
    writer = PdfWriter(clone_from=PdfReader(str(plain)))
    writer.encrypt(user_password="", owner_password="owner", algorithm="AES-128")
    locked = tmp_path / "locked.pdf"
    with locked.open("wb") as fh:
        writer.write(fh)
    v = verify(locked, keys)
    assert v.exit_code == 2
    assert "is encrypted" in v.stderr


def test_unsigned_pdf_is_not_ok(tmp_path: Path, keys: Keys, pdfsig_tool: str) -> None:
    """F8: a PDF without a signature is NOT OK (exit 1): nothing vouches for it."""
    plain = H.make_pdf(tmp_path / "plain.pdf")
    v = verify(plain, keys)
    assert v.exit_code == 1
    assert v.doc is not None and v.doc["signatures"] == [] and v.doc["ok"] is False
    assert "the PDF is not signed" in v.text
    assert pdfsig(pdfsig_tool, plain) == {}


def test_report_in_vietnamese(signed: Path, tmp_path: Path, keys: Keys) -> None:
    """F8: the verdict and the named changes are translated (QMS_LANG=vi)."""
    bad = write(tmp_path / "appended.pdf", signed.read_bytes() + b"junk")
    run = qms("verify", bad, "--trust", keys.ca, lang="vi")
    assert run.returncode == 1
    assert "chữ ký hợp lệ" in run.stdout.lower()
    assert "byte nối thêm" in run.stdout
    assert "KHÔNG ĐẠT" in run.stdout


def test_flipped_byte_in_the_first_of_two_signatures(signed: Path, tmp_path: Path, keys: Keys,
                                                      pdfsig_tool: str) -> None:
    """F8: a flipped byte in the first signature's /Contents fails both signatures (exit 1), with reasons."""
    both = sign(keys, signed, tmp_path / "both.pdf", field="approver")
    data = both.read_bytes()
    _start, der_end = contents_span(data)  # the first /ByteRange in the file is the first signature's
    at = next(i for i in range(der_end - 20, der_end - 600, -1) if data[i] != ord("0"))  # see the '0' case
    bad = write(tmp_path / "flipped.pdf", replace_at(data, at, bytes([data[at] ^ 0x40])))
    v = verify(bad, keys)
    assert v.exit_code == 1, v.text + v.stderr
    first, second = v.sig("Signature1"), v.sig("approver")
    assert first["malformed"] is True and first["signature_valid"] is False
    assert second["signature_valid"] is False
    assert any("include a malformed signature value" in p for p in second["problems"])
    assert_agrees_with_pdfsig(v, pdfsig_tool, bad)


def test_signer_name_with_a_newline_stays_on_one_line(tmp_path: Path, keys: Keys) -> None:
    """F8/F7: a certificate name with a newline and a CI workflow command cannot add a line to the report."""
    ca_key, ca = H._ca("QMS Verify Hostile CA")
    key, cert = H._leaf(ca_key, ca, "Bình\n::error file=x::forged", True)
    enc = serialization.BestAvailableEncryption(H.PASSWORD.encode("utf-8"))
    p12 = tmp_path / "hostile.p12"
    p12.write_bytes(pkcs12.serialize_key_and_certificates(b"x", key, cert, [ca], enc))
    (tmp_path / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    hostile = Keys(tmp_path / "ca.pem", p12, keys.password_file)
    signed = sign(hostile, H.make_pdf(tmp_path / "plain.pdf"), tmp_path / "signed.pdf")
    v = verify(signed, hostile)
    assert v.exit_code == 0, v.text + v.stderr
    assert v.sig()["signer"] == "Bình\n::error file=x::forged"  # JSON keeps the exact name
    assert not any(line.startswith("::") for line in v.text.splitlines())
    assert "Bình\\n::error file=x::forged" in v.text
