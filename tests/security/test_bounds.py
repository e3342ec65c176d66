"""Issue 19, item 4 (F3, F4) and two F12 items: every reader is bounded before it spends.

Each case runs a real ``qms`` process (``python -m qms``) under generous guards, never timings:
a wall-clock timeout (``GUARD_SECONDS``) and an address-space limit (``RLIMIT_AS``, 1.5 GiB, set in
``preexec_fn``; ``qms`` starts and checks the example organisation under it, see
``test_guard_lets_qms_run``). A hang or an unbounded allocation fails the test through the guard;
a bounded refusal is exit 1 or 2 with a message naming the file.
"""

from __future__ import annotations

import os
import resource
import shutil
import stat
import struct
import subprocess
import sys
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
GUARD_SECONDS = 60
ADDRESS_SPACE = 1536 * 1024 * 1024
NS = "http://schemas.openxmlformats.org"


def _guard() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


def qms(*args: str, cwd: Path, prefix: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    """``qms ARGS`` in ``cwd`` as a real process, under the timeout and the memory limit."""
    env = {**os.environ, "QMS_NO_CACHE": "1", "QMS_LANG": "en"}
    return subprocess.run([*prefix, sys.executable, "-m", "qms", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=GUARD_SECONDS, preexec_fn=_guard, env=env, check=False)


def python(code: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """A real Python process importing qms, under the same guards (for readers no command reaches)."""
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True,
                          timeout=GUARD_SECONDS, preexec_fn=_guard, check=False)


def refused(proc: subprocess.CompletedProcess[str], *names: str) -> str:
    """Assert a bounded refusal: exit 1 or 2, no traceback, every name in the output; return it."""
    text = proc.stdout + proc.stderr
    assert proc.returncode in (1, 2), (proc.returncode, text[-2000:])
    assert "Traceback" not in text and "panicked" not in text, text[-2000:]
    for name in names:
        assert name in text, (name, text[-2000:])
    return text


@pytest.fixture
def repo(example_copy: Path) -> Path:
    return example_copy


def _workbook(path: Path, members: dict[str, bytes | str]) -> None:
    base: dict[str, bytes | str] = {
        "[Content_Types].xml": f'<Types xmlns="{NS}/package/2006/content-types">'
        '<Default Extension="xml" ContentType="application/xml"/></Types>',
        "_rels/.rels": f'<Relationships xmlns="{NS}/package/2006/relationships"><Relationship Id="rId1" '
        f'Type="{NS}/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{NS}/spreadsheetml/2006/main" '
        f'xmlns:r="{NS}/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/>'
        "</sheets></workbook>",
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{NS}/package/2006/relationships"><Relationship '
        f'Id="rId1" Type="{NS}/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        "</Relationships>",
    }
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, data in {**base, **members}.items():
            z.writestr(name, data)


def test_guard_lets_qms_run(repo: Path) -> None:
    """The guards are not the finding: qms checks the example organisation under them (exit 0)."""
    proc = qms("check", cwd=repo)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_sparse_3gb_process_file_is_refused_from_its_size(repo: Path) -> None:
    """F4: a 3 GB sparse processes/*.yaml is refused from fstat's size, before any read."""
    big = repo / "processes" / "huge.yaml"
    with big.open("wb") as fh:
        fh.truncate(3 * 1024**3)
    text = refused(qms("check", cwd=repo), "processes/huge.yaml", "yaml_size")
    assert "3 GiB" in text


def test_sparse_csv_log_is_refused_not_read_whole(tmp_path: Path) -> None:
    """F4: a 1 GB sparse (all NUL) dossier log is refused from its first bytes, not read as one field."""
    log = tmp_path / "log.csv"
    with log.open("wb") as fh:
        fh.truncate(1024**3)
    proc = qms("kpi", "report", str(log), cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    refused(proc, str(log), "NUL")


def test_csv_cell_over_the_field_limit_is_refused(tmp_path: Path) -> None:
    """F4: a CSV cell longer than 1 MiB is a located error (the one-process reader), not held whole."""
    log = tmp_path / "log.csv"
    header = "Mã hồ sơ,Mã thủ tục,Đơn vị,Ngày tiếp nhận,Ngày hẹn trả,Ngày có kết quả,Ngày trả kết quả,Trạng thái\n"
    log.write_text(header + "HS1,1.001,P1,2026-01-02,2026-01-05,,,\n" + '"' + "a" * (2 << 20) + '"\n',
                   encoding="utf-8")
    proc = qms("kpi", "report", str(log), "--engine", "python", "--workers", "1", cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    refused(proc, f"{log}:3", "field")


def test_xlsx_cell_at_xfd1048576_is_refused_not_aborted(tmp_path: Path) -> None:
    """F3: a 1.5 KB xlsx with one cell at XFD1048576 is exit 2 with a message, not SIGABRT in calamine."""
    log = tmp_path / "far.xlsx"
    _workbook(log, {"xl/worksheets/sheet1.xml": f'<worksheet xmlns="{NS}/spreadsheetml/2006/main"><sheetData>'
                    '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
                    "</sheetData></worksheet>"})
    assert log.stat().st_size < 2048
    proc = qms("kpi", "report", str(log), cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    refused(proc, str(log), "sheet_cells", "1,048,576")


def test_xlsx_declared_dimension_is_bounded(tmp_path: Path) -> None:
    """F3: a sheet that only declares <dimension ref="A1:XFD1048576"> is refused as well."""
    log = tmp_path / "dim.xlsx"
    _workbook(log, {"xl/worksheets/sheet1.xml": f'<worksheet xmlns="{NS}/spreadsheetml/2006/main">'
                    '<dimension ref="A1:XFD1048576"/><sheetData><row r="1"><c r="A1"><v>1</v></c></row>'
                    "</sheetData></worksheet>"})
    proc = qms("kpi", "report", str(log), cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    refused(proc, str(log), "sheet_cells")


def test_xlsx_cells_without_references_are_placed_and_bounded(tmp_path: Path) -> None:
    """F3: cells written without `r=` (allowed by OOXML) are placed by a real XML parser and bounded
    (here with a lowered --limit sheet_cells, so the file stays small)."""
    log = tmp_path / "norefs.xlsx"
    cells = "<c><v>1</v></c>" * 2000
    _workbook(log, {"xl/worksheets/sheet1.xml": f'<worksheet xmlns="{NS}/spreadsheetml/2006/main"><sheetData>'
                    f"<row>{cells}</row></sheetData></worksheet>"})
    proc = qms("--limit", "sheet_cells=1000", "kpi", "report", str(log), cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    refused(proc, str(log), "column 1,001", "sheet_cells")


def test_xlsx_zip_bomb_is_refused(tmp_path: Path) -> None:
    """F4: an xlsx whose shared strings inflate to 1 GiB is refused without inflating it."""
    log = tmp_path / "bomb.xlsx"
    _workbook(log, {"xl/worksheets/sheet1.xml": f'<worksheet xmlns="{NS}/spreadsheetml/2006/main"><sheetData/>'
                    "</worksheet>"})
    with zipfile.ZipFile(log, "a", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z, \
            z.open("xl/sharedStrings.xml", "w", force_zip64=True) as member:
        block = b" " * (1 << 20)
        for _ in range(1024):
            member.write(block)
    assert log.stat().st_size < 4 * 1024 * 1024
    proc = qms("kpi", "report", str(log), cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    refused(proc, str(log), "zip bomb")


def test_xlsx_member_that_lies_about_its_size_is_refused(tmp_path: Path) -> None:
    """F4: declared sizes can lie; a member declaring 1 KiB that inflates to 64 MiB is refused."""
    log = tmp_path / "liar.xlsx"
    _workbook(log, {"xl/worksheets/sheet1.xml": f'<worksheet xmlns="{NS}/spreadsheetml/2006/main"><sheetData/>'
                    "</worksheet>", "xl/sharedStrings.xml": b" " * (64 << 20)})
    data = bytearray(log.read_bytes())
    name = b"xl/sharedStrings.xml"
    for sig, size_at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):  # local header, central directory
        pos = data.find(sig)
        while pos >= 0:
            name_len = struct.unpack_from("<H", data, pos + (26 if sig == b"PK\x03\x04" else 28))[0]
            start = pos + (30 if sig == b"PK\x03\x04" else 46)
            if bytes(data[start:start + name_len]) == name:
                struct.pack_into("<I", data, pos + size_at, 1024)
            pos = data.find(sig, pos + 4)
    log.write_bytes(bytes(data))
    proc = qms("kpi", "report", str(log), cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    refused(proc, str(log), "sharedStrings.xml")


def _laughs(levels: int = 9, width: int = 10) -> str:
    """A billion-laughs document: ``width ** levels`` values from a few hundred bytes."""
    lines = ["a0: &a0 [" + ", ".join(["lol"] * width) + "]"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


def _just_under_cap() -> str:
    """Aliases expanding to about 160,000 values: under the per-file cap of 200,000."""
    return ("id: QT-ALIAS\nx0: &x0 [" + ", ".join(["v"] * 40) + "]\n"
            "x1: &x1 [" + ", ".join(["*x0"] * 40) + "]\n"
            "x2: [" + ", ".join(["*x1"] * 97) + "]\n")


def test_aliases_repeated_across_files_share_one_budget(repo: Path) -> None:
    """F4: files each just under the per-file alias cap add up; the run's budget refuses the rest."""
    for i in range(9):
        (repo / "processes" / f"QT-ALIAS-{i}.yaml").write_text(_just_under_cap(), encoding="utf-8")
    text = refused(qms("check", cwd=repo), "QT-ALIAS-", "this run")
    assert "QMS004" in text


def test_alias_bomb_in_limits_file_is_refused(tmp_path: Path) -> None:
    """F4: an alias bomb given to `kpi report --limits` is refused (exit 2, names the file)."""
    log = tmp_path / "log.csv"
    log.write_text("Mã hồ sơ,Mã thủ tục\nHS1,1.001\n", encoding="utf-8")
    bomb = tmp_path / "limits.yaml"
    bomb.write_text(_laughs(), encoding="utf-8")
    proc = qms("kpi", "report", str(log), "--limits", str(bomb), cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    refused(proc, str(bomb), "alias")


def test_alias_bomb_in_columns_file_is_refused(tmp_path: Path) -> None:
    """F4: an alias bomb given to `kpi report --columns` is refused (exit 2, names the file)."""
    log = tmp_path / "log.csv"
    log.write_text("Mã hồ sơ,Mã thủ tục\nHS1,1.001\n", encoding="utf-8")
    bomb = tmp_path / "columns.yaml"
    bomb.write_text(_laughs(), encoding="utf-8")
    proc = qms("kpi", "report", str(log), "--columns", str(bomb), cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    refused(proc, str(bomb), "alias")


def test_alias_bomb_in_migration_input_does_not_hang(repo: Path) -> None:
    """F4: `qms migrate apply --dry-run` on a repository holding an alias bomb ends with a message."""
    (repo / "processes" / "QT-BOMB.yaml").write_text("id: QT-BOMB\n" + _laughs(), encoding="utf-8")
    refused(qms("migrate", "apply", "--dry-run", cwd=repo), "processes/QT-BOMB.yaml", "alias")


def test_catastrophic_process_pattern_runs_in_linear_time(repo: Path) -> None:
    """F4: document_codes.process_pattern `^(A+)+$` against a long id does not hang `qms check`."""
    manifest = repo / "qms.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8")
                        + "document_codes:\n  process_pattern: '^(A+)+$'\n", encoding="utf-8")
    long_id = "A" * 70 + "-1"
    (repo / "processes" / f"{long_id}.yaml").write_text(
        (repo / "processes" / "QT-CT-01.yaml").read_text(encoding="utf-8").replace("QT-CT-01", long_id),
        encoding="utf-8")
    text = refused(qms("check", "--fail-on", "warning", cwd=repo), long_id, "QMS112")
    assert "^(A+)+$" in text


def test_unsupported_pattern_is_a_finding(repo: Path) -> None:
    """F4: a pattern RE2 cannot run in linear time (a back-reference) is reported, not run."""
    manifest = repo / "qms.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8")
                        + "document_codes:\n  process_pattern: '^(QT)-\\1$'\n", encoding="utf-8")
    text = refused(qms("check", "--fail-on", "warning", cwd=repo), "qms.yaml", "process_pattern")
    assert "back-references" in text


@pytest.fixture
def fifo_dir() -> Iterator[Path]:
    directory = Path(tempfile.mkdtemp())
    yield directory
    shutil.rmtree(directory, ignore_errors=True)


def test_fifo_behind_a_symlink_never_blocks(repo: Path, fifo_dir: Path) -> None:
    """F4: a FIFO behind a symlink in processes/ (inside and outside the repository) hangs no command."""
    os.mkfifo(repo / "pipe")
    os.symlink("../pipe", repo / "processes" / "QT-PIPE.yaml")
    os.mkfifo(fifo_dir / "outside")
    os.symlink(fifo_dir / "outside", repo / "processes" / "QT-OUT.yaml")
    text = refused(qms("check", cwd=repo), "processes/QT-PIPE.yaml", "FIFO", "processes/QT-OUT.yaml")
    assert "outside the repository" in text
    os.symlink("../../pipe", repo / "records" / "nonconformities" / "NC-2026-0099.yaml")
    for command in (("nc", "list"), ("nc", "show", "NC-2026-0099"), ("matrix",), ("doc", "status")):
        proc = qms(*command, cwd=repo)  # each ends (the guard's timeout would fail the test)
        assert proc.returncode in (0, 1, 2), (command, proc.returncode, proc.stderr)
        assert "Traceback" not in proc.stderr, (command, proc.stderr)
    log = repo / "log.csv"
    os.symlink(fifo_dir / "outside", log)
    proc = qms("kpi", "report", str(log), cwd=fifo_dir)
    assert proc.returncode == 2
    refused(proc, str(log), "FIFO")


def test_oversize_pdf_to_verify_is_refused(tmp_path: Path) -> None:
    """F4: `qms verify` on a 3 GB (sparse) PDF is refused from its size, before reading it."""
    pdf = tmp_path / "big.pdf"
    with pdf.open("wb") as fh:
        fh.write(b"%PDF-1.7\n")
        fh.truncate(3 * 1024**3)
    proc = qms("verify", str(pdf), cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    refused(proc, str(pdf), "pdf_size")


def _png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))


_FETCH = """
import sys
from pathlib import Path
from qms.render.fetcher import SafeFetcher
root = Path.cwd()
try:
    SafeFetcher(root).fetch((root / sys.argv[1]).as_uri())
except ValueError as exc:
    print(exc, file=sys.stderr)
    sys.exit(1)
"""


def _fetch(repo: Path, name: str) -> subprocess.CompletedProcess[str]:
    """The renderer's only door to repository files (the WeasyPrint URL fetcher), in a real process.

    No command renders a repository image today; the fetcher is where one would enter.
    """
    return subprocess.run([sys.executable, "-c", _FETCH, name], cwd=repo, capture_output=True, text=True,
                          timeout=GUARD_SECONDS, preexec_fn=_guard, check=False)


def test_image_pixel_bomb_is_refused_from_its_header(repo: Path) -> None:
    """F4: a 100 000 × 100 000 PNG of a few hundred bytes is refused from its header (image_pixels)."""
    (repo / "logo.png").write_bytes(_png(100_000, 100_000))
    (repo / "small.png").write_bytes(_png(64, 64))
    refused(_fetch(repo, "logo.png"), "logo.png", "image_pixels")
    assert _fetch(repo, "small.png").returncode == 0


def test_svg_with_external_reference_or_entities_is_refused(repo: Path) -> None:
    """F4: SVG images that reference http:/file: URLs or paths out of the repository, or declare
    entities, are refused; a self-contained SVG is served."""
    cases = {
        "http.svg": '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
                    '<image xlink:href="http://example.org/x.png"/></svg>',
        "file.svg": '<svg xmlns="http://www.w3.org/2000/svg"><image href="file:///etc/passwd"/></svg>',
        "up.svg": '<svg xmlns="http://www.w3.org/2000/svg"><image href="../../secret.png"/></svg>',
        "css.svg": '<svg xmlns="http://www.w3.org/2000/svg"><rect style="fill:url(http://x/y#z)"/></svg>',
        "entity.svg": '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY e "x">]>'
                      '<svg xmlns="http://www.w3.org/2000/svg">&e;</svg>',
    }
    for name, text in cases.items():
        (repo / name).write_text(text, encoding="utf-8")
        refused(_fetch(repo, name), name, "SVG")
    (repo / "ok.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"><use href="#a"/>'
                                 '<rect style="fill:url(#g)"/></svg>', encoding="utf-8")
    ok = _fetch(repo, "ok.svg")
    assert ok.returncode == 0, ok.stderr


@pytest.mark.parametrize(("codec", "bom", "named"), [
    ("utf-32-le", b"\xff\xfe\x00\x00", "UTF-32LE"),
    ("utf-32-be", b"", "UTF-32BE"),
    ("utf-16-le", b"\xff\xfe", "UTF-16LE"),
    ("utf-16-be", b"", "UTF-16BE"),
])
def test_utf16_and_utf32_files_are_named(repo: Path, codec: str, bom: bytes, named: str) -> None:
    """F12: a UTF-32 (or UTF-16, with or without BOM) process file gets a message naming the
    encoding and saying to save as UTF-8."""
    src = repo / "processes" / "QT-CT-01.yaml"
    src.write_bytes(bom + src.read_text(encoding="utf-8").encode(codec))
    text = refused(qms("check", cwd=repo), "processes/QT-CT-01.yaml", named, "save the file as UTF-8")
    assert "QMS003" in text


def test_utf32_dossier_log_is_named(tmp_path: Path) -> None:
    """F12: a UTF-32 dossier log is refused with a message naming UTF-32 (not read as UTF-16)."""
    log = tmp_path / "log.csv"
    log.write_bytes("Mã hồ sơ,Mã thủ tục\nHS1,1.001\n".encode("utf-32"))
    proc = qms("kpi", "report", str(log), cwd=tmp_path)
    assert proc.returncode == 2
    refused(proc, str(log), "UTF-32", "UTF-8")


def test_unreadable_processes_folder_is_an_error(repo: Path) -> None:
    """F12: an unreadable processes/ (chmod 000) is exit 2 naming it, never an empty folder.

    Root reads any folder whatever its mode, so when the tests run as root the qms process is
    started as the unprivileged user ``nobody`` with ``setpriv`` (real permission denial, no
    fault injection); as another user chmod alone is enough.
    """
    prefix: tuple[str, ...] = ()
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            if os.environ.get("CI") == "true":
                pytest.fail("setpriv is needed to drop root in CI")
            pytest.skip("running as root without setpriv")
        prefix = (setpriv, "--reuid=65534", "--regid=65534", "--clear-groups")
        shared = Path(tempfile.mkdtemp())
        try:
            target = shared / "repo"
            shutil.copytree(repo, target)
            for path in [shared, *target.rglob("*"), target]:
                path.chmod(path.stat().st_mode | stat.S_IROTH | (stat.S_IXOTH if path.is_dir() else 0))
            _unreadable_case(target, prefix)
        finally:
            (shared / "repo" / "processes").chmod(0o755)
            shutil.rmtree(shared, ignore_errors=True)
    else:
        try:
            _unreadable_case(repo, prefix)
        finally:
            (repo / "processes").chmod(0o755)


def _unreadable_case(repo: Path, prefix: tuple[str, ...]) -> None:
    assert qms("check", cwd=repo, prefix=prefix).returncode == 0  # the user can read the repository
    (repo / "processes").chmod(0)
    proc = qms("check", cwd=repo, prefix=prefix)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    refused(proc, "processes", "cannot list the folder")


def test_repository_may_only_lower_limits(repo: Path) -> None:
    """Limits: `limits:` in qms.yaml (untrusted) lowers a limit but cannot raise one; --limit can."""
    manifest = repo / "qms.yaml"
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text(text + "limits:\n  yaml_size: 1KiB\n", encoding="utf-8")
    refused(qms("check", cwd=repo), "yaml_size", "processes/")
    assert qms("--limit", "yaml_size=1MiB", "check", cwd=repo).returncode == 0
    manifest.write_text(text + "limits:\n  yaml_size: 8GiB\n", encoding="utf-8")
    big = repo / "processes" / "huge.yaml"
    with big.open("wb") as fh:
        fh.truncate(64 * 1024**2)
    proc = qms("check", cwd=repo)
    out = refused(proc, "processes/huge.yaml", "yaml_size")
    assert "may only lower a limit" in out
