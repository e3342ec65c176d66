"""Generate a synthetic dossier log shaped like a Vietnamese city's one-stop export.

Shape: 240 procedures with legal time limits of 1..20 working days, 24 units,
about 127,535 dossiers a year, on-time rate near 99.7 %, a few withdrawn and
in-progress dossiers, Vietnamese headers and dd/mm/yyyy HH:MM dates.

    python bench/gen_dossiers.py --rows 127535 --out bench/out/dossiers.csv
    python bench/gen_dossiers.py --rows 5000 --out bench/out/dossiers.xlsx

Also writes ``<out>.limits.yaml`` (procedure_id -> working days).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qms.calendar import WorkingCalendar  # noqa: E402

HEADER = [
    "Mã hồ sơ",
    "Mã thủ tục",
    "Đơn vị",
    "Cơ chế",
    "Ngày tiếp nhận",
    "Ngày hẹn trả",
    "Ngày có kết quả",
    "Ngày trả kết quả",
    "Trạng thái",
]
PER_YEAR = 127_535
PROCEDURES = 240
UNITS = [f"UBND phường {i}" for i in range(1, 17)] + [f"Phòng {n}" for n in (
    "Tư pháp", "Tài nguyên và Môi trường", "Quản lý đô thị", "Kinh tế", "Lao động - TB&XH",
    "Văn hóa và Thông tin", "Y tế", "Nội vụ")]
MECHANISMS = ["Một cửa", "Một cửa liên thông", "Trực tuyến toàn trình", "Trực tuyến một phần"]


def make_rows(n: int, seed: int, start_year: int, as_of: dt.date) -> Iterator[list[str]]:
    rng = random.Random(seed)
    years = max(1, min(8, round(n / PER_YEAR)))
    cal = WorkingCalendar(years=(start_year, start_year + years + 1))
    cal.ensure_years(start_year, start_year + years + 1)  # the tables are built lazily
    base = cal.base
    first = dt.date(start_year, 1, 1).toordinal() - base
    last = min(dt.date(start_year + years - 1, 12, 31).toordinal(), as_of.toordinal()) - base
    workdays = [w for w in cal.workdays if first <= w <= last]
    before = cal.before
    all_work = cal.workdays
    procs = [(f"1.{rng.randrange(0, 13000):06d}", rng.choice((1, 2, 3, 5, 5, 7, 10, 10, 15, 20))) for _ in range(PROCEDURES)]
    proc_weights = [1.0 / (i + 1) ** 0.9 for i in range(PROCEDURES)]
    day_str: dict[int, str] = {}

    def ds(i: int) -> str:
        s = day_str.get(i)
        if s is None:
            s = day_str[i] = dt.date.fromordinal(i + base).strftime("%d/%m/%Y")
        return s

    minutes = [f"{h:02d}:{m:02d}" for h in range(7, 17) for m in range(60) if (h, m) >= (7, 30)]
    as_of_i = as_of.toordinal() - base
    chosen = rng.choices(range(PROCEDURES), weights=proc_weights, k=n)
    for seq in range(n):
        proc_id, limit = procs[chosen[seq]]
        r = workdays[rng.randrange(len(workdays))]
        due = all_work[before[r + 1] + limit - 1]
        u = rng.random()
        if u < 0.004:
            status, comp = "Rút hồ sơ", ""
        else:
            k = before[r + 1]
            if u < 0.007:  # late
                done = all_work[before[due + 1] + rng.randrange(0, 6)]
            else:
                done = all_work[k + rng.randrange(0, max(1, limit))] if limit > 0 else r
            if done > as_of_i:
                status, comp = "Đang xử lý", ""
            else:
                status = "Đã trả kết quả"
                comp = f"{ds(done)} {rng.choice(minutes)}"
        yield [
            f"H{seq:09d}",
            proc_id,
            rng.choice(UNITS),
            MECHANISMS[seq % 4],
            f"{ds(r)} {rng.choice(minutes)}",
            f"{ds(due)} 17:00",
            comp,
            comp,
            status,
        ]


def write_csv(path: Path, rows: Iterator[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(HEADER) + "\r\n")
        fh.writelines(",".join(row) + "\r\n" for row in rows)


def _col(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def write_xlsx(path: Path, table: Iterator[list[str]]) -> None:
    """A minimal .xlsx (one sheet, inline strings) written with zipfile; no openpyxl needed."""
    parts = []
    for r, row in enumerate(table, start=1):
        cells = "".join(
            f'<c r="{_col(c)}{r}" t="inlineStr"><is><t>{escape(v)}</t></is></c>' for c, v in enumerate(row) if v
        )
        parts.append(f'<row r="{r}">{cells}</row>')
    sheet = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        + "".join(parts)
        + "</sheetData></worksheet>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            "</Types>",
        )
        z.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>",
        )
        z.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
            "</Relationships>",
        )
        z.writestr("xl/worksheets/sheet1.xml", sheet)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=PER_YEAR)
    ap.add_argument("--out", type=Path, required=True, help="FILE.csv or FILE.xlsx")
    ap.add_argument("--seed", type=int, default=20190131)
    ap.add_argument("--start-year", type=int, default=2018)
    ap.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date(2026, 1, 1))
    args = ap.parse_args(argv)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    rows = make_rows(args.rows, args.seed, args.start_year, args.as_of)
    if args.out.suffix.lower() == ".xlsx":
        write_xlsx(args.out, iter([HEADER, *rows]))
    else:
        write_csv(args.out, rows)
    rng = random.Random(args.seed)
    procs = [(f"1.{rng.randrange(0, 13000):06d}", rng.choice((1, 2, 3, 5, 5, 7, 10, 10, 15, 20))) for _ in range(PROCEDURES)]
    limits = args.out.with_suffix(args.out.suffix + ".limits.yaml")
    limits.write_text("".join(f'"{p}": {d}\n' for p, d in dict(procs).items()), encoding="utf-8")
    print(f"wrote {args.rows} rows to {args.out} (limits: {limits})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
