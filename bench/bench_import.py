#!/usr/bin/env python3
"""Benchmark `qms import docx` on 240 Word procedures against python-docx alone, in the same run.

    python bench/bench_import.py [--procedures 240] [--runs 3]

The 240 files are made from the layouts of ``examples/word/generate.py`` (each with its own code).
Baseline (whole process, median of --runs): a bare script that opens every file with python-docx and
walks every paragraph and table cell. Measured: ``qms import docx DIR --out TMP`` (reading, mapping,
writing the drafts; a progress bar on stderr). Target: at most 3x the baseline.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
BIN = Path(sys.executable).parent

BASELINE = """
import sys, glob
from docx import Document
n = 0
for f in sorted(glob.glob(sys.argv[1] + '/*.docx')):
    d = Document(f)
    for p in d.paragraphs:
        n += len(p.text)
    for t in d.tables:
        for row in t.rows:
            for cell in row.cells:
                n += len(cell.text)
    for s in d.sections:
        for p in s.header.paragraphs:
            n += len(p.text)
print(n)
"""


def make_corpus(target: Path, count: int) -> None:
    sys.path.insert(0, str(REPO / "examples" / "word"))
    import zipfile

    from generate import LAYOUTS  # type: ignore[import-not-found]

    seeds = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, make in LAYOUTS.items():
            path = Path(tmp) / name
            make(path)
            seeds.append(path.read_bytes())
        for i in range(count):
            seed = seeds[i % len(seeds)]
            out = target / f"QT-B{i:03d}.docx"
            # give each copy its own document code, so every draft gets its own id
            with zipfile.ZipFile(__import__("io").BytesIO(seed)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
                for info in src.infolist():
                    data = src.read(info)
                    if info.filename in ("word/document.xml", "word/header1.xml", "word/header2.xml"):
                        for code in (b"QT-TP-01", b"QT-NV-02", b"QT-QLDT-03", b"QT-VP-04", b"QT-HT-07"):
                            data = data.replace(code, f"QT-B{i:03d}".encode())
                    dst.writestr(info, data)


def timed(cmd: list[str], runs: int, cwd: Path) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--procedures", type=int, default=240)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="qms-bench-import-") as tmp:
        root = Path(tmp)
        corpus = root / "word"
        corpus.mkdir()
        make_corpus(corpus, args.procedures)
        repo = root / "repo"
        repo.mkdir()
        shutil.copy(REPO / "qms.yaml", repo / "qms.yaml")
        base = timed([sys.executable, "-c", BASELINE, str(corpus)], args.runs, repo)
        times = []
        for _ in range(args.runs):
            out = root / "out"
            shutil.rmtree(out, ignore_errors=True)
            start = time.perf_counter()
            subprocess.run([str(BIN / "qms"), "import", "docx", str(corpus), "--out", str(out)], cwd=repo,
                           check=True, stdout=subprocess.DEVNULL)
            times.append(time.perf_counter() - start)
            assert len(list(out.glob("*.yaml"))) == args.procedures
        imp = statistics.median(times)
    ratio = imp / base
    print(f"{args.procedures} procedures, median of {args.runs} runs")
    print(f"  python-docx open and walk : {base:6.2f} s")
    print(f"  qms import docx           : {imp:6.2f} s  ({ratio:.2f}x; target <= 3x)")
    return 0 if ratio <= 3 else 1


if __name__ == "__main__":
    raise SystemExit(main())
