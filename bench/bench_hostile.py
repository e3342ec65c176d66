#!/usr/bin/env python3
"""Time and peak memory of `qms` on each hostile input of issue 19 (item 4, "every reader is bounded").

    python bench/bench_hostile.py

Figure to meet: every case ends in at most 2 s and 300 MB, with exit 1 or 2 and a message.
Each case is one `qms` process; its wall time and peak resident memory (from wait4's rusage)
are printed. The tests (tests/security/test_bounds.py) assert the behaviour under generous guards;
this script reports the figures.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
NS = "http://schemas.openxmlformats.org"
LIMIT_S, LIMIT_MB = 2.0, 300.0


def _example(target: Path) -> Path:
    target.mkdir()
    for name in ("qms.yaml", "processes", "records", "audits"):
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, target / name, ignore=shutil.ignore_patterns(".lock", ".qms-cache"))
        else:
            shutil.copy2(src, target / name)
    return target


def _workbook(path: Path, sheet: str, extra: dict[str, bytes] | None = None) -> None:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", f'<Types xmlns="{NS}/package/2006/content-types"/>')
        z.writestr("xl/workbook.xml", f'<workbook xmlns="{NS}/spreadsheetml/2006/main" xmlns:r="{NS}/'
                   'officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/>'
                   "</sheets></workbook>")
        z.writestr("xl/_rels/workbook.xml.rels", f'<Relationships xmlns="{NS}/package/2006/relationships">'
                   f'<Relationship Id="rId1" Type="{NS}/officeDocument/2006/relationships/worksheet" '
                   'Target="worksheets/sheet1.xml"/></Relationships>')
        z.writestr("xl/worksheets/sheet1.xml", sheet)
        for name, data in (extra or {}).items():
            z.writestr(name, data)


def _laughs() -> str:
    lines = ["a0: &a0 [" + ", ".join(["lol"] * 10) + "]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    return "\n".join(lines) + "\n"


def cases(base: Path) -> list[tuple[str, list[str], Path]]:
    out: list[tuple[str, list[str], Path]] = []
    sparse = _example(base / "sparse")
    with (sparse / "processes" / "huge.yaml").open("wb") as fh:
        fh.truncate(3 * 1024**3)
    out.append(("3 GB sparse processes/*.yaml", ["check"], sparse))

    _workbook(base / "far.xlsx", f'<worksheet xmlns="{NS}/spreadsheetml/2006/main"><sheetData><row r="1048576">'
              '<c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData></worksheet>')
    out.append(("xlsx, one cell at XFD1048576", ["kpi", "report", str(base / "far.xlsx")], base))

    _workbook(base / "bomb.xlsx", f'<worksheet xmlns="{NS}/spreadsheetml/2006/main"><sheetData/></worksheet>')
    with zipfile.ZipFile(base / "bomb.xlsx", "a", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z, \
            z.open("xl/sharedStrings.xml", "w", force_zip64=True) as member:
        block = b" " * (1 << 20)  # streamed: this process stays small, so the children's rusage is theirs
        for _ in range(1024):
            member.write(block)
    out.append(("xlsx zip bomb (1 GiB)", ["kpi", "report", str(base / "bomb.xlsx")], base))

    across = _example(base / "across")
    member = ("id: QT-A\nx0: &x0 [" + ", ".join(["v"] * 40) + "]\nx1: &x1 [" + ", ".join(["*x0"] * 40)
              + "]\nx2: [" + ", ".join(["*x1"] * 97) + "]\n")
    for i in range(9):
        (across / "processes" / f"QT-A-{i}.yaml").write_text(member, encoding="utf-8")
    out.append(("aliases just under the cap, 9 files", ["check"], across))

    log = base / "log.csv"
    log.write_text("Mã hồ sơ,Mã thủ tục\nHS1,1.001\n", encoding="utf-8")
    (base / "bomb.yaml").write_text(_laughs(), encoding="utf-8")
    out.append(("alias bomb in --limits", ["kpi", "report", str(log), "--limits", str(base / "bomb.yaml")], base))
    out.append(("alias bomb in --columns", ["kpi", "report", str(log), "--columns", str(base / "bomb.yaml")], base))

    migrate = _example(base / "migrate")
    (migrate / "processes" / "QT-BOMB.yaml").write_text("id: QT-BOMB\n" + _laughs(), encoding="utf-8")
    out.append(("alias bomb in migration input", ["migrate", "apply", "--dry-run"], migrate))

    regex = _example(base / "regex")
    manifest = regex / "qms.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8") + "document_codes:\n  process_pattern: '^(A+)+$'\n",
                        encoding="utf-8")
    long_id = "A" * 70 + "-1"
    (regex / "processes" / f"{long_id}.yaml").write_text(
        (regex / "processes" / "QT-CT-01.yaml").read_text(encoding="utf-8").replace("QT-CT-01", long_id),
        encoding="utf-8")
    out.append(("catastrophic process_pattern", ["check", "--fail-on", "warning"], regex))

    fifo = _example(base / "fifo")
    os.mkfifo(fifo / "pipe")
    os.symlink("../pipe", fifo / "processes" / "QT-PIPE.yaml")
    out.append(("FIFO behind a symlink in processes/", ["check"], fifo))

    with (base / "big.pdf").open("wb") as fh:
        fh.write(b"%PDF-1.7\n")
        fh.truncate(3 * 1024**3)
    out.append(("3 GB PDF to verify", ["verify", str(base / "big.pdf")], base))

    with (base / "nul.csv").open("wb") as fh:
        fh.truncate(1024**3)
    out.append(("1 GB sparse CSV log", ["kpi", "report", str(base / "nul.csv")], base))
    return out


def measure(args: list[str], cwd: Path) -> tuple[int, float, float, str]:
    env = {**os.environ, "QMS_NO_CACHE": "1"}
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "qms", *args], cwd=cwd, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    err = proc.stderr.read().decode("utf-8", "replace")
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, time.perf_counter() - start, usage.ru_maxrss / 1024, err.strip().splitlines()[0] if err else ""


def main() -> None:
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        for name, args, cwd in cases(Path(tmp)):
            code, seconds, mb, first = measure(args, cwd)
            good = code in (1, 2) and seconds <= LIMIT_S and mb <= LIMIT_MB
            ok &= good
            print(f"{'ok ' if good else 'BAD'} {name:40s} exit {code}  {seconds:5.2f} s  {mb:6.1f} MB  {first[:80]}")
    print(f"target: exit 1 or 2, <= {LIMIT_S} s, <= {LIMIT_MB:.0f} MB per case: {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
