"""Time and memory of every hostile case of issue 19, each a real ``qms`` subprocess.

    python bench/bench_hostile.py                 # every case, a table of figures
    python bench/bench_hostile.py F4 F8           # cases whose id starts with F4 or F8
    python bench/bench_hostile.py --json out.json # the figures as JSON too

Every case generates its input in a fresh temporary directory, runs one ``qms`` command as a child
process (in its own session, with a hard timeout and an address-space limit, so the bench never
hangs or exhausts the machine) and measures the child's wall time and peak RSS (``os.wait4``).
A case PASSes when it ends in at most 2 s and 300 MB, with exit 1 or 2 and a message (issue 19
item 4), or, for the cases whose right answer is a clean run (CSV/newline escaping), with the check
the case names. It prints figures; it is not a test.

The case list is :data:`CASES`; each case is a :class:`Case` whose ``build`` writes the input under a
work directory and returns the :class:`Invocation`. Tests may import the builders.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QMS = [sys.executable, "-m", "qms"]

TARGET_SECONDS = 2.0
TARGET_MB = 300.0
HARD_TIMEOUT = 30.0
ADDRESS_SPACE = 4 << 30  # RLIMIT_AS of every child: a runaway case fails, the machine does not


@dataclass(slots=True)
class Result:
    """What one child did: its exit code (negative: killed by that signal), output and figures."""

    exit_code: int
    seconds: float
    peak_mb: float
    stdout: str
    stderr: str
    timed_out: bool = False

    def message(self) -> str:
        for text in (self.stderr, self.stdout):
            for line in text.splitlines():
                if line.strip():
                    return line.strip()
        return ""


Check = Callable[[Result, Path], str | None]
"""A case's verdict on a result: None when the behaviour is right, else what is wrong."""


def refused(result: Result, _work: Path) -> str | None:
    """The default target: exit 1 or 2 with a message."""
    if result.exit_code not in (1, 2):
        return f"exit {result.exit_code}, expected 1 or 2"
    if not result.message():
        return "no message"
    return None


@dataclass(slots=True)
class Invocation:
    args: list[str]  # after `qms`
    cwd: Path
    check: Check = refused
    interrupt_after: float | None = None  # send SIGINT (Ctrl-C) to the child's group after this many seconds
    env: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Case:
    id: str  # e.g. "F4.3"; the finding first
    title: str
    build: Callable[[Path], Invocation]
    needs_non_root: bool = False  # permission cases mean nothing to root


# -- generated input ------------------------------------------------------------------------------

EXAMPLE_PARTS = ("qms.yaml", "processes", "records", "audits")


def example_repo(work: Path) -> Path:
    """A copy of the example organisation (it passes `qms check`)."""
    root = work / "repo"
    root.mkdir(parents=True, exist_ok=True)
    for part in EXAMPLE_PARTS:
        src = ROOT / part
        if src.is_dir():
            shutil.copytree(src, root / part, ignore=shutil.ignore_patterns(".lock", ".qms-cache"))
        else:
            shutil.copy2(src, root / part)
    return root


def alias_bomb(levels: int = 9, width: int = 10, key: str = "lol") -> str:
    """The billion laughs: ``width ** levels`` values from a few hundred bytes."""
    lines = [f"a0: &a0 [{', '.join(['lol'] * width)}]"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * width)}]")
    lines.append(f"{key}: *a{levels - 1}")
    return "\n".join(lines) + "\n"


def alias_bomb_value(levels: int = 9, width: int = 10) -> str:
    """A block list whose items define the bomb's levels: the value itself expands to ``width ** levels``."""
    lines = [f"  - &a0 [{', '.join(['lol'] * width)}]"]
    lines.extend(f"  - &a{i} [{', '.join([f'*a{i - 1}'] * width)}]" for i in range(1, levels))
    return "\n".join(lines) + "\n"


def alias_file_near_cap(doc_id: str) -> str:
    """A process-like file whose aliases expand to ~123,000 values, under the per-file cap of 200,000."""
    levels = [f"a0: &a0 [{', '.join(['x'] * 10)}]"]
    levels.extend(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 4))
    return f"id: {doc_id}\n" + "\n".join(levels) + f"\nsteps: [{', '.join(['*a3'] * 10)}]\n"


def xlsx_bytes(sheet_xml: str | bytes) -> bytes:
    """A minimal workbook holding ``sheet_xml`` as its only sheet."""
    from zipfile import ZIP_DEFLATED

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", ZIP_DEFLATED) as z:
        _xlsx_skeleton(z)
        z.writestr("xl/worksheets/sheet1.xml", sheet_xml)
    return buf.getvalue()


def _xlsx_skeleton(z: zipfile.ZipFile) -> None:
    z.writestr("[Content_Types].xml",
               '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
               '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
               '<Default Extension="xml" ContentType="application/xml"/>'
               '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
               '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
               "</Types>")
    z.writestr("_rels/.rels",
               '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
               '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
               "</Relationships>")
    z.writestr("xl/workbook.xml",
               '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
               'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
               '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
    z.writestr("xl/_rels/workbook.xml.rels",
               '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
               '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
               "</Relationships>")


_SHEET_HEAD = ('<?xml version="1.0" encoding="UTF-8"?><worksheet '
               'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
_HEADER_ROW = ('<row r="1"><c r="A1" t="inlineStr"><is><t>dossier_id</t></is></c>'
               '<c r="B1" t="inlineStr"><is><t>received_at</t></is></c>'
               '<c r="C1" t="inlineStr"><is><t>due_at</t></is></c></row>')


def xlsx_far_cell() -> bytes:
    """F3: 1.5 KB, one cell at XFD1048576 (the last cell of a sheet)."""
    sheet = (_SHEET_HEAD + _HEADER_ROW + '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
             "</sheetData></worksheet>")
    return xlsx_bytes(sheet)


def write_xlsx_bomb(path: Path, expanded_mib: int = 1024) -> None:
    """F4: a small xlsx whose sheet inflates to ``expanded_mib`` MiB (one huge text cell)."""
    chunk = b"A" * (1 << 20)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        _xlsx_skeleton(z)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            fh.write((_SHEET_HEAD + _HEADER_ROW + '<row r="2"><c r="A2" t="inlineStr"><is><t>').encode())
            for _ in range(expanded_mib):
                fh.write(chunk)
            fh.write(b"</t></is></c></row></sheetData></worksheet>")


LOG_CSV = ("dossier_id,procedure_id,unit,received_at,due_at,completed_at,status\n"
           "A,P,U,2026-03-02,2026-03-09,2026-03-06,\nB,P,U,2026-03-02,2026-03-09,2026-03-10,\n")


def write_log(work: Path, name: str = "log.csv") -> Path:
    path = work / name
    path.write_text(LOG_CSV, encoding="utf-8")
    return path


def write_pki(work: Path, *, with_key: bool = True) -> tuple[Path, Path]:
    """A throw-away signer: a PKCS#12 file (optionally without its key) and its password file."""
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "bench signer")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(1).not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True)
            .sign(key, hashes.SHA256()))
    password = b"bench"
    p12 = work / ("id.p12" if with_key else "nokey.p12")
    p12.write_bytes(pkcs12.serialize_key_and_certificates(
        b"signer", key if with_key else None, cert, None, serialization.BestAvailableEncryption(password)))
    pw = work / "pw"
    pw.write_bytes(password + b"\n")
    return p12, pw


SIGNED_SEEDS = ROOT / "fuzz" / "corpus" / "pdf_verify"
FUZZ_CA = ROOT / "fuzz" / "data" / "fuzz-ca.pem"


def flip_signature_digit(pdf: bytes) -> bytes:
    """Change one hex digit of the signature itself: the signatureValue at the end of the CMS, just
    before the zero padding (a digit early in /Contents may fall in the unsigned certificate bag,
    which neither qms nor pdfsig can tell from a valid signature)."""
    m = re.search(rb"/Contents\s*<([0-9a-fA-F]+)>", pdf)
    assert m is not None, "no signature value found"
    end = m.start(1) + len(m.group(1).rstrip(b"0"))
    i = end - 20
    digit = pdf[i:i + 1]
    return pdf[:i] + (b"1" if digit != b"1" else b"2") + pdf[i + 1:]


def nc_record(root: Path, name: str = "NC-2026-0001.yaml") -> Path:
    return root / "records" / "nonconformities" / name


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# -- checks for cases whose right answer is not a refusal ------------------------------------------

_FORMULA = re.compile(r"^[=+\-@\t\r]")


def csv_is_inert(result: Result, _work: Path) -> str | None:
    if result.exit_code != 0:
        return f"exit {result.exit_code}, expected 0"
    for row in csv.reader(io.StringIO(result.stdout)):
        for cell in row:
            if _FORMULA.match(cell) and not re.fullmatch(r"-?\d+(\.\d+)?", cell):
                return f"formula cell {cell[:30]!r}"
    return None


def no_injected_lines(result: Result, _work: Path) -> str | None:
    if result.exit_code not in (0, 1):
        return f"exit {result.exit_code}"
    for line in result.stdout.splitlines():
        if line.startswith("::"):
            return f"injected line {line[:40]!r}"
    return None


def interrupted_cleanly(result: Result, work: Path) -> str | None:
    if result.exit_code != 130:
        return f"exit {result.exit_code}, expected 130"
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    if len(lines) != 1:
        return f"{len(lines)} lines on stderr, expected 1"
    out = work / "repo" / "out"
    partial = [p.name for p in out.rglob("*") if p.is_file() and not p.read_bytes().rstrip().endswith(b"%%EOF")]
    return f"partial output {partial[:3]}" if partial else None


def findings(result: Result, _work: Path) -> str | None:
    if result.exit_code != 1:
        return f"exit {result.exit_code}, expected 1 (a finding)"
    return None


def mentions(word: str, expected_exit: tuple[int, ...] = (1, 2)) -> Check:
    def check(result: Result, _work: Path) -> str | None:
        if result.exit_code not in expected_exit:
            return f"exit {result.exit_code}"
        if word.lower() not in (result.stdout + result.stderr).lower():
            return f"no mention of {word}"
        return None

    return check


def _mode_kept(path_of: Callable[[Path], Path], mode: int) -> Check:
    def check(result: Result, work: Path) -> str | None:
        path = path_of(work)
        actual = path.stat().st_mode & 0o777
        if result.exit_code in (1, 2) and result.message():
            return None  # refused with a message: fine
        if actual != mode:
            return f"mode {actual:o}, expected {mode:o}"
        return None

    return check


def _refused_and_kept(path_of: Callable[[Path], Path], before: bytes) -> Check:
    def check(result: Result, work: Path) -> str | None:
        problem = refused(result, work)
        if problem is None and path_of(work).read_bytes() != before:
            return "the file was changed"
        return problem

    return check


# -- the cases ------------------------------------------------------------------------------------


def _f1_forged_cache(work: Path) -> Invocation:
    root = example_repo(work)
    edit(root / "processes" / "QT-CT-01.yaml", "id: QT-CT-01", "id: QT-CT-01\nunknown_field_x: 1")
    subprocess.run([*QMS, "--root", str(root), "check"], capture_output=True, timeout=HARD_TIMEOUT, check=False)
    for entry in (root / ".qms-cache").glob("check-*.json"):
        data = json.loads(entry.read_text(encoding="utf-8"))
        data["diagnostics"] = []
        for k, v in list(data.get("summary", {}).items()):
            if isinstance(v, int):
                data["summary"][k] = 0
        entry.write_text(json.dumps(data), encoding="utf-8")
    return Invocation(["--root", str(root), "check"], root, findings)


def _f2_render_onto_process(work: Path) -> Invocation:
    root = example_repo(work)
    target = root / "processes" / "QT-CT-01.yaml"
    return Invocation(["render", "procedure", "QT-CT-01", "-o", "processes/QT-CT-01.yaml"], root,
                      _refused_and_kept(lambda w: w / "repo" / "processes" / "QT-CT-01.yaml", target.read_bytes()))


def _f2_render_onto_manifest(work: Path) -> Invocation:
    root = example_repo(work)
    return Invocation(["render", "manual", "-o", "qms.yaml"], root,
                      _refused_and_kept(lambda w: w / "repo" / "qms.yaml", (root / "qms.yaml").read_bytes()))


def _f2_sign_onto_key(work: Path) -> Invocation:
    p12, pw = write_pki(work)
    shutil.copy2(SIGNED_SEEDS / "unsigned.pdf", work / "p.pdf")
    return Invocation(["sign", "p.pdf", "--p12", p12.name, "--password-file", pw.name, "-o", p12.name], work,
                      _refused_and_kept(lambda w: w / "id.p12", p12.read_bytes()))


def _f2_kpi_onto_log(work: Path) -> Invocation:
    log = write_log(work)
    return Invocation(["kpi", "report", "log.csv", "--as-of", "2026-06-01", "--format", "csv", "-o", "log.csv"], work,
                      _refused_and_kept(lambda w: w / "log.csv", log.read_bytes()))


def _f3_far_cell(work: Path) -> Invocation:
    (work / "log.xlsx").write_bytes(xlsx_far_cell())
    return Invocation(["kpi", "report", "log.xlsx", "--as-of", "2026-06-01"], work)


def _f4_sparse_yaml(work: Path) -> Invocation:
    root = example_repo(work)
    with (root / "processes" / "QT-ZZ-01.yaml").open("wb") as fh:
        fh.write(b"id: QT-ZZ-01\n")
        fh.truncate(3 << 30)  # sparse: 3 GiB on paper, a few KB on disk
    return Invocation(["--root", str(root), "check", "--no-cache"], root)


def _f4_xlsx_bomb(work: Path) -> Invocation:
    write_xlsx_bomb(work / "bomb.xlsx")
    return Invocation(["kpi", "report", "bomb.xlsx", "--as-of", "2026-06-01"], work)


def _f4_aliases_across_files(work: Path) -> Invocation:
    root = example_repo(work)
    for i in range(60):
        (root / "processes" / f"QT-AL-{i:02d}.yaml").write_text(alias_file_near_cap(f"QT-AL-{i:02d}"), encoding="utf-8")
    return Invocation(["--root", str(root), "check", "--no-cache"], root)


def _f4_bomb_in_limits(work: Path) -> Invocation:
    write_log(work)
    (work / "limits.yaml").write_text("P:\n" + alias_bomb_value(), encoding="utf-8")
    return Invocation(["kpi", "report", "log.csv", "--as-of", "2026-06-01", "--limits", "limits.yaml"], work)


def _f4_bomb_in_columns(work: Path) -> Invocation:
    write_log(work)
    (work / "columns.yaml").write_text("dossier_id:\n" + alias_bomb_value(), encoding="utf-8")
    return Invocation(["kpi", "report", "log.csv", "--as-of", "2026-06-01", "--columns", "columns.yaml"], work)


def _f4_bomb_in_calendar(work: Path) -> Invocation:
    write_log(work)
    (work / "calendar.yaml").write_text("extra_days_off:\n" + alias_bomb_value(), encoding="utf-8")
    return Invocation(["kpi", "report", "log.csv", "--as-of", "2026-06-01", "--calendar", "calendar.yaml"], work)


def _migration_repo(work: Path) -> Path:
    root = work / "repo"
    shutil.copytree(ROOT / "examples" / "iso2008-city", root)
    process = sorted((root / "processes").glob("*.yaml"))[0]
    process.write_text(process.read_text(encoding="utf-8") + alias_bomb(key="bomb"), encoding="utf-8")
    return root


def _f4_bomb_in_migrate_check(work: Path) -> Invocation:
    root = _migration_repo(work)
    return Invocation(["--root", str(root), "migrate", "check"], root)


def _f4_bomb_in_migrate_apply(work: Path) -> Invocation:
    root = _migration_repo(work)
    return Invocation(["--root", str(root), "migrate", "apply", "--dry-run"], root)


def _f4_catastrophic_regex(work: Path) -> Invocation:
    root = example_repo(work)
    manifest = root / "qms.yaml"
    text = manifest.read_text(encoding="utf-8")
    text = re.sub(r"^document_codes:.*?(?=^\S)", "", text, flags=re.S | re.M)
    text += "document_codes:\n  process_pattern: '^([A-Z]+)+-[0-9]+$'\n"
    manifest.write_text(text, encoding="utf-8")
    proc = root / "processes" / "QT-XX-01.yaml"
    edit(proc, "id: QT-XX-01", "id: " + "QT" * 20)
    return Invocation(["--root", str(root), "check", "--no-cache"], root)


def _f4_fifo_behind_symlink(work: Path) -> Invocation:
    root = example_repo(work)
    os.mkfifo(root / "pipe")
    (root / "processes" / "QT-FF-01.yaml").symlink_to(Path("..") / "pipe")
    return Invocation(["--root", str(root), "check", "--no-cache"], root)


def _f4_fifo_nc_list(work: Path) -> Invocation:
    root = example_repo(work)
    os.mkfifo(root / "pipe")
    nc_record(root, "NC-2026-0099.yaml").symlink_to(Path("..") / ".." / "pipe")
    return Invocation(["--root", str(root), "nc", "list"], root)


def _f5_id_traversal(work: Path) -> Invocation:
    root = example_repo(work)
    elsewhere = work / "elsewhere"
    elsewhere.mkdir()
    shutil.copy2(nc_record(root, "NC-2026-0005.yaml"), elsewhere / "v.yaml")
    depth = "../" * 3
    return Invocation(["--root", str(root), "nc", "correct", f"{depth}elsewhere/v", "--description", "x", "--by", "bench"],
                      root / "records" / "nonconformities")


def _nc_with_title(work: Path, title: str) -> Path:
    root = example_repo(work)
    edit(nc_record(root, "NC-2026-0005.yaml"), "title:\n  vi: Không có bằng chứng",
         f"title: {json.dumps(title)}\nx_old_title:\n  vi: Không có bằng chứng")
    path = nc_record(root, "NC-2026-0005.yaml")
    text = path.read_text(encoding="utf-8")
    # drop the old title's continuation: keep the file valid YAML with one title
    text = re.sub(r"^x_old_title:.*\n(?:  .*\n)*", "", text, flags=re.M)
    path.write_text(text, encoding="utf-8")
    return root


def _f6_csv_injection(work: Path) -> Invocation:
    root = _nc_with_title(work, "=2+5+cmd|' /C calc'!A0")
    return Invocation(["--root", str(root), "nc", "list", "--format", "csv"], root, csv_is_inert)


def _f7_newline_injection(work: Path) -> Invocation:
    root = _nc_with_title(work, "Trễ hạn\n::error file=x::owned")
    return Invocation(["--root", str(root), "nc", "list"], root, no_injected_lines)


def _verify(work: Path, pdf: bytes) -> Invocation:
    (work / "in.pdf").write_bytes(pdf)
    return Invocation(["verify", "in.pdf", "--trust", str(FUZZ_CA)], work, findings)


def _f8_flipped_digit(work: Path) -> Invocation:
    return _verify(work, flip_signature_digit((SIGNED_SEEDS / "signed.pdf").read_bytes()))


def _f8_appended(work: Path) -> Invocation:
    return _verify(work, (SIGNED_SEEDS / "signed.pdf").read_bytes() + b"\n% appended after signing\n")


def _f8_metadata(work: Path) -> Invocation:
    return _verify(work, (SIGNED_SEEDS / "metadata-changed.pdf").read_bytes())


def _f8_flipped_byte_in_contents(work: Path) -> Invocation:
    pdf = (SIGNED_SEEDS / "signed.pdf").read_bytes()
    m = re.search(rb"/Contents\s*<", pdf)
    assert m is not None
    i = m.end() + 40
    return _verify(work, pdf[:i] + b"Z" + pdf[i + 1:])


def _f9_ctrl_c_render(work: Path) -> Invocation:
    root = example_repo(work)
    return Invocation(["--root", str(root), "render", "manual", "-o", "out/manual.pdf", "--jobs", "2", "--no-progress"],
                      root, interrupted_cleanly, interrupt_after=4.0)


def _f10_output_under_a_file(work: Path) -> Invocation:
    root = example_repo(work)
    (root / "afile").write_text("x", encoding="utf-8")
    return Invocation(["render", "procedure", "QT-CT-01", "-o", "afile/out.pdf"], root)


def _f10_symlink_loop(work: Path) -> Invocation:
    root = example_repo(work)
    (root / "processes" / "QT-LP-01.yaml").symlink_to("QT-LP-01.yaml")
    return Invocation(["--root", str(root), "check", "--no-cache"], root)


def _f10_lock_symlink(work: Path) -> Invocation:
    root = example_repo(work)
    lock = root / "records" / "nonconformities" / ".lock"
    lock.unlink(missing_ok=True)
    lock.symlink_to(lock)
    return Invocation(["--root", str(root), "nc", "new", "--process", "QT-HT-01", "--title", "t", "--description", "d",
                       "--source", "internal", "--severity", "minor", "--by", "bench"], root)


def _f10_p12_without_key(work: Path) -> Invocation:
    p12, pw = write_pki(work, with_key=False)
    shutil.copy2(SIGNED_SEEDS / "unsigned.pdf", work / "p.pdf")
    return Invocation(["sign", "p.pdf", "--p12", p12.name, "--password-file", pw.name, "-o", "out.pdf"], work)


def _f10_calendar_range(work: Path) -> Invocation:
    return Invocation(["calendar", "add-working-days", "2100-12-20", "30"], work)


def _f10_kpi_date_range(work: Path) -> Invocation:
    (work / "log.csv").write_text("dossier_id,procedure_id,received_at\nA,P,4038-01-01\n", encoding="utf-8")
    (work / "limits.yaml").write_text("P: 5\n", encoding="utf-8")
    return Invocation(["kpi", "report", "log.csv", "--as-of", "2026-06-01", "--limits", "limits.yaml"], work)


def _f11(old: str, new: str, drop: bool = False) -> Callable[[Path], Invocation]:
    def build(work: Path) -> Invocation:
        root = example_repo(work)
        edit(nc_record(root), old, "" if drop else new)
        return Invocation(["--root", str(root), "check", "--no-cache"], root, findings)

    return build


def _f12_unreadable_dir(work: Path) -> Invocation:
    root = example_repo(work)
    (root / "processes").chmod(0)
    return Invocation(["--root", str(root), "check", "--no-cache"], root)


def _f12_utf32(work: Path) -> Invocation:
    root = example_repo(work)
    (root / "processes" / "QT-U3-01.yaml").write_bytes("id: QT-U3-01\n".encode("utf-32"))
    return Invocation(["--root", str(root), "check", "--no-cache"], root, mentions("UTF-32"))


def _f12_bad_offset(work: Path) -> Invocation:
    root = example_repo(work)
    edit(nc_record(root), "- at: 2026-03-09 16:50:20+00:00", "- at: 2026-03-09 16:50:20+99:00")
    return Invocation(["--root", str(root), "check", "--no-cache"], root, findings)


def _f12_mode_kept(work: Path) -> Invocation:
    root = example_repo(work)
    path = nc_record(root, "NC-2026-0005.yaml")
    path.chmod(0o444)
    return Invocation(["--root", str(root), "nc", "correct", "NC-2026-0005", "--description", "x", "--by", "bench",
                       "--date", "2026-01-28"], root,
                      _mode_kept(lambda w: nc_record(w / "repo", "NC-2026-0005.yaml"), 0o444))


def _f12_html_into_foreign_dir(work: Path) -> Invocation:
    root = example_repo(work)
    site = root / "site"
    site.mkdir()
    (site / "keep.txt").write_text("mine", encoding="utf-8")
    return Invocation(["render", "manual", "--format", "html", "-o", "site"], root,
                      _refused_and_kept(lambda w: w / "repo" / "site" / "keep.txt", b"mine"))


def _f12_parallel_line(work: Path) -> Invocation:
    lines = ["dossier_id,procedure_id,received_at,due_at,completed_at,note"]
    row = "D{0:07d},P,2026-03-02,2026-03-09,2026-03-06," + "n" * 400
    n = 20_000  # ~9 MB in few rows: above the parallel reader's 8 MB threshold
    lines.extend(row.format(i) for i in range(n))
    bad_line = 15_001
    data = ("\n".join(lines) + "\n").encode("utf-8")
    offset = sum(len(ln) + 1 for ln in lines[: bad_line - 1])
    data = data[:offset] + b"\xff" + data[offset + 1:]
    (work / "log.csv").write_bytes(data)

    def check(result: Result, _w: Path) -> str | None:
        problem = refused(result, _w)
        if problem is None and f"log.csv:{bad_line}" not in result.stderr:
            return f"wrong line: {result.message()[:60]}"
        return problem

    return Invocation(["kpi", "report", "log.csv", "--as-of", "2026-06-01", "--workers", "2"], work, check)


def _control_example(work: Path) -> Invocation:
    root = example_repo(work)

    def clean(result: Result, _w: Path) -> str | None:
        return None if result.exit_code == 0 else f"exit {result.exit_code}, expected 0"

    return Invocation(["--root", str(root), "check", "--no-cache"], root, clean)


CASES: list[Case] = [
    Case("C0", "control: the example repository passes check", _control_example),
    Case("F1", "forged .qms-cache entry makes a broken repo pass", _f1_forged_cache),
    Case("F2.1", "render -o onto processes/QT-CT-01.yaml", _f2_render_onto_process),
    Case("F2.2", "render -o onto qms.yaml", _f2_render_onto_manifest),
    Case("F2.3", "sign -o onto the signer's .p12", _f2_sign_onto_key),
    Case("F2.4", "kpi report -o onto its input log", _f2_kpi_onto_log),
    Case("F3", "xlsx with one cell at XFD1048576", _f3_far_cell),
    Case("F4.1", "sparse 3 GiB processes/*.yaml", _f4_sparse_yaml),
    Case("F4.2", "xlsx zip bomb (1 GiB sheet)", _f4_xlsx_bomb),
    Case("F4.3", "aliases under the per-file cap in 60 files", _f4_aliases_across_files),
    Case("F4.4", "alias bomb in --limits", _f4_bomb_in_limits),
    Case("F4.5", "alias bomb in --columns", _f4_bomb_in_columns),
    Case("F4.6", "alias bomb in --calendar", _f4_bomb_in_calendar),
    Case("F4.7", "alias bomb in migrate check input", _f4_bomb_in_migrate_check),
    Case("F4.8", "alias bomb in migrate apply input", _f4_bomb_in_migrate_apply),
    Case("F4.9", "catastrophic process_pattern regex", _f4_catastrophic_regex),
    Case("F4.10", "FIFO behind a symlink in processes/", _f4_fifo_behind_symlink),
    Case("F4.11", "FIFO behind a symlink in the NC register", _f4_fifo_nc_list),
    Case("F5", "nc correct ../../../elsewhere/v", _f5_id_traversal),
    Case("F6", "CSV injection in nc list --format csv", _f6_csv_injection),
    Case("F7", "newline + ::error in an NC title (nc list)", _f7_newline_injection),
    Case("F8.1", "verify: hex digit changed in signature", _f8_flipped_digit),
    Case("F8.2", "verify: bytes appended after signing", _f8_appended),
    Case("F8.3", "verify: /Title changed in an update", _f8_metadata),
    Case("F8.4", "verify: non-hex byte inside /Contents", _f8_flipped_byte_in_contents),
    Case("F9", "Ctrl-C during render --jobs 2 (timed from ^C)", _f9_ctrl_c_render),
    Case("F10.1", "render -o afile/out.pdf (afile is a file)", _f10_output_under_a_file),
    Case("F10.2", "symlink loop in processes/", _f10_symlink_loop),
    Case("F10.3", "register .lock is a symlink loop", _f10_lock_symlink),
    Case("F10.4", "PKCS#12 without a key", _f10_p12_without_key),
    Case("F10.5", "calendar date past 2100", _f10_calendar_range),
    Case("F10.6", "kpi log dated year 4038", _f10_kpi_date_range),
    Case("F11.1", "NC raised_on after first history entry", _f11("raised_on: 2026-03-09", "raised_on: 2026-03-15")),
    Case("F11.2", "NC closed_on before the close entry", _f11("closed_on: 2026-05-19", "closed_on: 2026-05-10")),
    Case("F11.3", "NC closed, action never implemented", _f11("  done: 2026-03-20\n", "", drop=True)),
    Case("F11.4", "NC history entry dated 2099", _f11("- at: 2026-05-18 16:50:21", "- at: 2099-05-18 16:50:21")),
    Case("F11.5", "NC correction dated before raised_on", _f11("  by: Phạm Thị Dung\n  date: 2026-03-09",
                                                             "  by: Phạm Thị Dung\n  date: 2026-03-01")),
    Case("F11.6", "NC review dated before implementation", _f11("- date: 2026-05-18", "- date: 2026-03-15")),
    Case("F12.1", "unreadable processes/ directory", _f12_unreadable_dir, needs_non_root=True),
    Case("F12.2", "kpi --workers 2 names the bad byte's line", _f12_parallel_line),
    Case("F12.3", "+99:00 offset in NC history", _f12_bad_offset),
    Case("F12.4", "UTF-32 process file", _f12_utf32),
    Case("F12.5", "rewrite keeps a 0444 record's mode", _f12_mode_kept),
    Case("F12.6", "html -o into a foreign non-empty dir", _f12_html_into_foreign_dir),
]


# -- running ---------------------------------------------------------------------------------------


def _limit_child() -> None:  # runs in the child between fork and exec
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # a bench started in the background ignores SIGINT; qms must not
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def run_invocation(inv: Invocation, timeout: float = HARD_TIMEOUT) -> Result:
    """Run ``qms`` as described, in its own session, and measure it with ``os.wait4``."""
    env = dict(os.environ, QMS_LANG="en", PYTHONWARNINGS="ignore", **inv.env)
    env.pop("QMS_DEBUG", None)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.monotonic()
        proc = subprocess.Popen([*QMS, *inv.args], cwd=inv.cwd, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                env=env, start_new_session=True, preexec_fn=_limit_child)
        timed_out = threading.Event()

        def kill() -> None:
            timed_out.set()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)

        timer = threading.Timer(timeout, kill)
        timer.start()
        interrupter = None
        if inv.interrupt_after is not None:
            def interrupt() -> None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGINT)

            interrupter = threading.Timer(inv.interrupt_after, interrupt)
            interrupter.start()
        try:
            _pid, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
            if interrupter is not None:
                interrupter.cancel()
        seconds = time.monotonic() - start
        if inv.interrupt_after is not None:  # an interrupted case is timed from the Ctrl-C
            seconds = max(0.0, seconds - inv.interrupt_after)
        proc.returncode = os.waitstatus_to_exitcode(status)
        with contextlib.suppress(ProcessLookupError, PermissionError):  # workers left behind in the session
            os.killpg(proc.pid, signal.SIGKILL)
        out.seek(0)
        err.seek(0)
        return Result(proc.returncode, seconds, usage.ru_maxrss / 1024.0,
                      out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"),
                      timed_out.is_set())


@dataclass(slots=True)
class Row:
    id: str
    title: str
    exit_code: int | None
    seconds: float | None
    peak_mb: float | None
    message: str
    verdict: str  # PASS, FAIL or SKIP
    reason: str


def run_case(case: Case, timeout: float = HARD_TIMEOUT) -> Row:
    if case.needs_non_root and os.geteuid() == 0:
        return Row(case.id, case.title, None, None, None, "", "SKIP", "root ignores permissions")
    work = Path(tempfile.mkdtemp(prefix="qms-hostile-"))
    try:
        try:
            inv = case.build(work)
        except Exception as exc:
            return Row(case.id, case.title, None, None, None, "", "SKIP", f"cannot build the case: {exc}")
        result = run_invocation(inv, timeout)
        reasons = []
        if result.timed_out:
            reasons.append(f"killed after {timeout:.0f} s")
        elif result.exit_code < 0:
            reasons.append(f"killed by signal {-result.exit_code}")
        if result.seconds > TARGET_SECONDS:
            reasons.append(f"{result.seconds:.1f} s > {TARGET_SECONDS:.0f} s")
        if result.peak_mb > TARGET_MB:
            reasons.append(f"{result.peak_mb:.0f} MB > {TARGET_MB:.0f} MB")
        if not result.timed_out:
            problem = inv.check(result, work)
            if problem:
                reasons.append(problem)
        return Row(case.id, case.title, result.exit_code, result.seconds, result.peak_mb, result.message(),
                   "FAIL" if reasons else "PASS", "; ".join(reasons))
    finally:
        _force_remove(work)


def _force_remove(path: Path) -> None:
    for p in [path, *path.rglob("*")] if path.exists() else []:
        if p.is_dir() and not p.is_symlink():
            with contextlib.suppress(OSError):
                p.chmod(0o755)
    shutil.rmtree(path, ignore_errors=True)


def _fmt(value: float | int | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("only", nargs="*", help="run only the cases whose id starts with one of these")
    ap.add_argument("--timeout", type=float, default=HARD_TIMEOUT, help="hard timeout per case (s)")
    ap.add_argument("--json", type=Path, default=None, help="also write the rows as JSON to this file")
    args = ap.parse_args(argv)
    cases = [c for c in CASES if not args.only or any(c.id.startswith(o) for o in args.only)]
    rows: list[Row] = []
    print(f"target: at most {TARGET_SECONDS:.0f} s and {TARGET_MB:.0f} MB, exit 1 or 2 with a message "
          f"(or the case's own check); hard limit {args.timeout:.0f} s, {ADDRESS_SPACE >> 30} GiB address space")
    print(f"{'case':<7}{'what':<46}{'exit':>5}{'secs':>7}{'MB':>7}  {'verdict':<7} first line of output / reason")
    for case in cases:
        row = run_case(case, args.timeout)
        rows.append(row)
        detail = row.message[:70] if row.verdict == "PASS" else f"{row.reason} | {row.message[:60]}"
        print(f"{row.id:<7}{row.title[:45]:<46}{_fmt(row.exit_code, 'd'):>5}{_fmt(row.seconds, '.2f'):>7}"
              f"{_fmt(row.peak_mb, '.0f'):>7}  {row.verdict:<7} {detail}", flush=True)
    passed = sum(r.verdict == "PASS" for r in rows)
    failed = sum(r.verdict == "FAIL" for r in rows)
    print(f"{passed} PASS, {failed} FAIL, {len(rows) - passed - failed} SKIP of {len(rows)} cases")
    if args.json is not None:
        args.json.write_text(json.dumps([asdict(r) for r in rows], ensure_ascii=False, indent=2) + "\n",
                             encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
