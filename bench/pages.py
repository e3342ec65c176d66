"""Render every page type of the example organisation to PNG, in both languages, to look at them.

    .venv/bin/python bench/pages.py [--out out/pages] [--dpi 60] [--lang vi --lang en] [--all-pages]

Each document is written by the real command line (PDF), then `pdftoppm` turns its pages into PNGs:
by default the first page of each document plus one page of each procedure section of the manual
(cover and header, table of contents, interaction map, clause matrix, a flowchart); `--all-pages`
writes every page. The list of PNGs is printed at the end; open them in an image viewer.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def documents(lang: str) -> dict[str, list[str]]:
    """Name -> qms arguments (without -o) of every document type."""
    return {
        "manual": ["render", "manual", "--jobs", "2"],
        "procedure": ["render", "procedure", "QT-HT-01"],
        "procedure-liên-thông": ["render", "procedure", "QT-DD-01"],
        "matrix": ["render", "matrix"],
        "records": ["render", "records"],
        "audit-programme": ["audit", "programme", "--year", "2026", "--from-file", "--format", "pdf"],
        "audit-plan": ["audit", "show", "AUD-2026-01", "--document", "plan", "--format", "pdf"],
        "audit-checklist": ["audit", "show", "AUD-2026-01", "--document", "checklist", "--format", "pdf"],
        "audit-report": ["audit", "show", "AUD-2026-01", "--document", "report", "--format", "pdf"],
        "nc-register": ["nc", "report", "--format", "pdf"],
        "migration-report": ["migrate", "report", "--format", "pdf"],
        "doc-show-manual": ["doc", "show", "STCL", "--format", "pdf"],
        "review-pack": ["review", "pack", "--period", "2026"],
        "kpi-report": ["kpi", "report", str(ROOT / "fuzz" / "corpus" / "csv" / "vietnamese.csv"), "--as-of",
                       "2019-06-30", "--format", "pdf"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "out" / "pages")
    parser.add_argument("--dpi", type=int, default=60)
    parser.add_argument("--lang", action="append", choices=["vi", "en"])
    parser.add_argument("--all-pages", action="store_true")
    parser.add_argument("--only", action="append", help="render only these document names")
    args = parser.parse_args(argv)
    if shutil.which("pdftoppm") is None:
        print("pdftoppm (poppler-utils) is needed", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for lang in args.lang or ["vi", "en"]:
        for name, cmd in documents(lang).items():
            if args.only and name not in args.only:
                continue
            pdf = args.out / f"{name}-{lang}.pdf"
            run = subprocess.run([sys.executable, "-m", "qms", "--root", str(ROOT), "--lang", lang, *cmd,
                                  "-o", str(pdf)], capture_output=True, text=True, check=False)
            if run.returncode not in (0, 1) or not pdf.exists():
                print(f"{name} ({lang}): exit {run.returncode}\n{run.stderr[-800:]}", file=sys.stderr)
                continue
            info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=False).stdout
            pages = int(next((line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")), "1"))
            wanted = range(1, pages + 1) if args.all_pages else sorted({1, 2, min(3, pages)} if name == "manual"
                                                                        else {1, pages})
            if name == "manual" and not args.all_pages:  # sections of the front matter and a flowchart
                wanted = sorted({*wanted, *range(4, min(pages, 12) + 1, 2), min(pages, 20)})
            for n in wanted:
                prefix = args.out / f"{name}-{lang}-p{n:03d}"
                subprocess.run(["pdftoppm", "-r", str(args.dpi), "-png", "-singlefile", "-f", str(n), "-l", str(n),
                                str(pdf), str(prefix)], check=True)
                written.append(prefix.with_suffix(".png"))
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
