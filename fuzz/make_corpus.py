"""Write the seed corpora of the fuzz targets (``fuzz/corpus/<target>/``) and their fixed data.

Seeds come from the repository's own example files (kept small: a few KB each) and from small
generated logs, workbooks and PDFs. The output is committed; run this again only to change the
seeds (``python fuzz/make_corpus.py``). The PDFs are signed by a throw-away CA created here
(``fuzz/data/fuzz-ca.pem``); its key is not kept.
"""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import io
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

FUZZ = Path(__file__).resolve().parent
REPO = FUZZ.parent
CORPUS = FUZZ / "corpus"
DATA = FUZZ / "data"
sys.path.insert(0, str(FUZZ))
os.environ["QMS_FUZZ_REPLAY"] = "1"  # plain imports: no coverage instrumentation

SEED_MAX = 12 * 1024


def _put(target: str, content: bytes, name: str | None = None) -> None:
    assert len(content) <= SEED_MAX, f"{target}/{name}: seed of {len(content)} bytes is too large"
    directory = CORPUS / target
    directory.mkdir(parents=True, exist_ok=True)
    name = name or hashlib.sha1(content).hexdigest()[:16]
    (directory / name).write_bytes(content)


YAML_SNIPPETS = {
    "anchors": b"base: &b {owner: chu_tich, unit: mot_cua}\nsteps:\n  - <<: *b\n    name: a\n  - *b\n",
    "yaml11": b"a: yes\nb: No\nc: 010\nd: 1_000\ne: 0x1F\nf: 12:30\ng: 2026-01-05\nh: 2026-01-05 10:30:00\ni: .inf\nj: ~\n",
    "flow": b"title: {vi: Th\xe1\xbb\xa7 t\xe1\xbb\xa5c, en: Procedure}\nlist: [1, [2, [3, {a: b}]]]\n",
    "tags": b"a: !!str 5\nb: !custom x\nc: !!binary aGVsbG8=\nd: !!python/object:os.system x\n",
    "multidoc": b"id: a\n---\nid: b\n",
    "duplicate": b"id: QT-01\ntitle: a\nid: QT-02\n",
    "bom": codecs.BOM_UTF8 + b"id: QT-01\n",
    "utf16": "id: QT-01\n".encode("utf-16"),
    "block": b"text: |\n  line one\n  line two\nfolded: >-\n  a\n  b\nq: 'it''s'\ndq: \"\\u00e9\\t\"\n",
    "complex-key": b"? [a, b]\n: 1\n? {x: y}\n: 2\n1: int key\n",
    "bomb": b"a: &a [x, x, x, x]\nb: &b [*a, *a, *a, *a]\nc: &c [*b, *b, *b, *b]\nd: [*c, *c, *c, *c]\n",
    "nested": b"a:\n" + b"".join(b"  " * i + b"- \n" for i in range(1, 30)),
}


def yaml_seeds() -> None:
    for name, content in YAML_SNIPPETS.items():
        _put("yaml", content, name)
    _put("yaml", (REPO / "processes" / "QT-XX-01.yaml").read_bytes(), "process")
    _put("yaml", (REPO / "records" / "nonconformities" / "NC-2026-0001.yaml").read_bytes(), "nc")
    _put("yaml", (DATA / "minimal-qms.yaml").read_bytes(), "manifest")


def _small_audit() -> bytes:
    """The example audit, its lists cut to one entry (the file stays valid and a few KB)."""
    data: Any = yaml.safe_load((REPO / "audits" / "AUD-2026-01.yaml").read_text(encoding="utf-8"))

    def cut(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: cut(v) for k, v in value.items()}
        if isinstance(value, list):
            return [cut(v) for v in value[:1]]
        return value

    return yaml.safe_dump(cut(data), allow_unicode=True, sort_keys=False).encode("utf-8")


def record_seeds() -> None:
    ncs = sorted((REPO / "records" / "nonconformities").glob("NC-*.yaml"))
    for path in ncs:
        _put("nc_record", path.read_bytes(), path.stem)
    first, second = ncs[0].read_text(encoding="utf-8"), ncs[1].read_text(encoding="utf-8")
    conflict = f"<<<<<<< ours\n{first}=======\n{second}>>>>>>> theirs\n"
    _put("nc_record", conflict.encode("utf-8")[:SEED_MAX], "conflict")
    audit = _small_audit()
    programme = (REPO / "audits" / "programme-2026.yaml").read_bytes()
    _put("audit_record", b"\x00" + audit, "audit")
    _put("audit_record", b"\x01" + programme, "programme")
    slots = {0: DATA / "minimal-qms.yaml", 1: REPO / "tests" / "rules" / "base" / "processes" / "QT-01.yaml",
             4: ncs[0]}
    for slot, path in slots.items():
        _put("check", bytes([slot]) + path.read_bytes(), f"slot{slot}")
    _put("check", bytes([2]) + audit, "slot2")
    _put("check", bytes([3]) + programme, "slot3")
    _put("check", bytes([5 + 7]) + (REPO / "records" / "register.yaml").read_bytes()[:SEED_MAX - 1], "slot5-json")


CSV_HEADER = "dossier_id,procedure_id,unit,received_at,due_at,completed_at,status\n"
CSV_SEEDS = {
    "canonical.csv": (CSV_HEADER + "A,P,U,2019-03-01,2019-03-08,2019-03-07,\nB,P,U,2019-03-01,2019-03-08,2019-03-11,\n"
                      "C,P,U,2019-03-01,,2019-03-05,\nD,P,U,2019-06-01,2019-06-10,,\nE,P,U,2019-03-01,2019-03-08,,rút hồ sơ\n"
                      "A,P,U,2019-03-01,2019-03-08,2019-03-07,\n").encode("utf-8"),
    "vietnamese.csv": ("Mã hồ sơ;Mã thủ tục;Đơn vị;Cơ chế;Ngày tiếp nhận;Ngày hẹn trả;Ngày có kết quả;Ngày trả kết quả;Trạng thái\n"
                       "000.00.01.H01-190301-0001;1.004227;Phòng Tư pháp;Một cửa;01/03/2019 08:30;15/03/2019 17:00;"
                       "14/03/2019 10:00;15/03/2019 09:00;Đã trả kết quả\n"
                       "000.00.01.H01-190301-0002;1.000001;UBND phường 1;Trực tuyến;01/03/2019 14:00;;;;Đang xử lý\n"
                       ).encode(),
    "bom-quoted.csv": codecs.BOM_UTF8 + (
        b'dossier_id,procedure_id,received_at,completed_at,paused_days,pause_started_at,pause_ended_at\n'
        b'"X,1","1.004227","2019-01-02 08:00","2019-02-20","3","2019-01-10","2019-01-14"\n'
        b'"X""2",P,2019-13-45,,abc,,\n'),
    "utf16.csv": ("dossier_id\tprocedure_id\treceived_at\tdue_at\tcompleted_at\n"
                  "1\tP\t2019-03-01\t2019-03-04\t2019-03-04\n").encode("utf-16"),
    "tab-cr.csv": b"dossier_id\treceived_at\tdue_at\r\nA\t2019-03-01\t2019-03-08\r\nB\t\t\r\n",
}


def log_seeds() -> None:
    from fuzz_xlsx import SST_MARK, workbook

    for name, content in CSV_SEEDS.items():
        _put("csv", content, name)
    sys.path.insert(0, str(REPO / "bench"))
    from gen_dossiers import HEADER, make_rows

    rows = [HEADER, *list(make_rows(12, 7, 2018, dt.date(2019, 6, 30)))[:12]]
    out = io.StringIO()
    import csv

    csv.writer(out).writerows(rows)
    _put("csv", out.getvalue().encode("utf-8"), "generated.csv")

    def cell(ref: str, text: str) -> str:
        return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'

    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    header = "".join(cell(f"{c}1", h) for c, h in zip("ABCDE", ("dossier_id", "procedure_id", "received_at",
                                                                "due_at", "completed_at"), strict=True))
    body = "".join(cell(f"{c}2", v) for c, v in zip("ABCDE", ("A", "P", "2019-03-01", "2019-03-08", "2019-03-07"),
                                                       strict=True))
    numeric = ('<row r="3"><c r="A3"><v>42</v></c><c r="B3" t="s"><v>0</v></c><c r="C3"><v>43525.5</v></c>'
               '<c r="D3" t="b"><v>1</v></c><c r="E3" t="e"><v>#N/A</v></c></row>')
    sheet = f'<?xml version="1.0"?><worksheet {ns}><dimension ref="A1:E3"/><sheetData><row r="1">{header}</row>' \
            f'<row r="2">{body}</row>{numeric}</sheetData></worksheet>'
    sst = f'<?xml version="1.0"?><sst {ns} count="1" uniqueCount="1"><si><t>1.004227</t></si></sst>'
    _put("xlsx", sheet.encode("utf-8"), "sheet.xml")
    _put("xlsx", sheet.encode("utf-8") + SST_MARK + sst.encode("utf-8"), "sheet-sst.xml")
    merged = f'<?xml version="1.0"?><worksheet {ns}><sheetData><row r="1">{header}</row></sheetData>' \
             '<mergeCells count="1"><mergeCell ref="A2:B3"/></mergeCells></worksheet>'
    _put("xlsx", merged.encode("utf-8"), "merged.xml")
    _put("xlsx", workbook(sheet.encode("utf-8")), "whole.xlsx")


def config_seeds() -> None:
    _put("kpi_config", b"\x00limits:\n  '1.004227': 15\n  '1.000001': 0.5\n", "limits")
    _put("kpi_config", b"\x00'1.004227': 15\nP: 3\n", "limits-flat")
    _put("kpi_config", "\x01kpi:\n  columns:\n    dossier_id: Số biên nhận\n    received_at: Ngày nộp\n".encode(), "columns")
    _put("kpi_config", b"\x02calendar:\n  weekend: [sat, sun]\n  working_hours_per_day: 8\n"
                       b"  extra_days_off: [2026-01-02]\n  extra_working_days: [2026-01-10]\n", "calendar")
    _put("kpi_config", b"\x01a: &a [x, x]\nb: &b [*a, *a]\ndossier_id: *b\n", "aliases")


def _pki(base: Path) -> tuple[Path, Path]:
    """A throw-away CA (written to fuzz/data/fuzz-ca.pem) and a signer's PKCS#12 under ``base``."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    def name(cn: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"), x509.NameAttribute(NameOID.COMMON_NAME, cn)])

    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    end = dt.datetime(2076, 1, 1, tzinfo=dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (x509.CertificateBuilder().subject_name(name("qms fuzz CA")).issuer_name(name("qms fuzz CA"))
          .public_key(ca_key.public_key()).serial_number(1).not_valid_before(start).not_valid_after(end)
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (x509.CertificateBuilder().subject_name(name("Nguyễn Văn An")).issuer_name(ca.subject)
            .public_key(key.public_key()).serial_number(2).not_valid_before(start).not_valid_after(end)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    DATA.mkdir(exist_ok=True)
    (DATA / "fuzz-ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    p12 = base / "signer.p12"
    p12.write_bytes(pkcs12.serialize_key_and_certificates(b"an", key, leaf, [ca], serialization.NoEncryption()))
    return DATA / "fuzz-ca.pem", p12


def _tiny_pdf(path: Path) -> None:
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    writer = PdfWriter()
    page = writer.add_blank_page(width=200, height=200)
    font = DictionaryObject({NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
                             NameObject("/BaseFont"): NameObject("/Helvetica")})
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})})
    content = DecodedStreamObject()
    content.set_data(b"BT /F1 12 Tf 20 100 Td (QT-01 lan 2) Tj ET\n")
    page[NameObject("/Contents")] = writer._add_object(content)
    writer.add_metadata({"/Title": "QT-01"})
    with path.open("wb") as fh:
        writer.write(fh)


def pdf_seeds() -> None:
    from pyhanko.pdf_utils.generic import pdf_string
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    from qms.signing.sign import sign_pdf

    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        _ca, p12 = _pki(base)
        plain = base / "plain.pdf"
        _tiny_pdf(plain)
        _put("pdf_verify", plain.read_bytes(), "unsigned.pdf")
        signed = base / "signed.pdf"
        sign_pdf(plain, signed, p12, None)
        _put("pdf_verify", signed.read_bytes(), "signed.pdf")
        twice = base / "twice.pdf"
        sign_pdf(signed, twice, p12, None)
        _put("pdf_verify", twice.read_bytes(), "signed-twice.pdf")
        with signed.open("rb") as fh:
            writer = IncrementalPdfFileWriter(io.BytesIO(fh.read()))
            info = writer.trailer["/Info"]
            info["/Title"] = pdf_string("changed after signing")
            writer.update_container(info)
            out = io.BytesIO()
            writer.write(out)
        _put("pdf_verify", out.getvalue(), "metadata-changed.pdf")
        _put("pdf_verify", signed.read_bytes() + b"\n% appended after signing\n", "appended.pdf")


def main() -> None:
    if CORPUS.exists():
        shutil.rmtree(CORPUS)
    yaml_seeds()
    record_seeds()
    log_seeds()
    config_seeds()
    pdf_seeds()
    for directory in sorted(CORPUS.iterdir()):
        files = list(directory.iterdir())
        print(f"{directory.name}: {len(files)} seeds, {sum(f.stat().st_size for f in files)} bytes")


if __name__ == "__main__":
    main()
