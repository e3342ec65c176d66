"""Benchmark whole-process ``qms kpi report`` against a plain pandas script.

    python bench/bench_kpi.py                # 127,535 rows (target <= 1.5 s)
    python bench/bench_kpi.py --big          # also 10,000,000 rows (target <= 12 s, <= 3 GB)
    python bench/bench_kpi.py --engines auto,python,polars

``--engines`` lists the ``qms kpi report --engine`` values to time (default
``auto``); the output names the reader each run used (``auto`` picks polars
for CSV files of 32 MB or more).

Each measurement is a fresh subprocess; wall time is the median of ``--runs``
runs and peak memory is the child's max RSS (``os.wait4``). Input files are
generated into bench/out/ by bench/gen_dossiers.py when missing. pandas is
not a dependency: when it is not importable the comparison is skipped.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
AS_OF = "2026-01-01"

PANDAS_SCRIPT = r"""
import sys
import pandas as pd
path = sys.argv[1]
df = pd.read_csv(path, dtype=str, keep_default_na=False)
df.columns = ["id", "proc", "unit", "mech", "recv", "due", "comp", "ret", "status"]
fmt = "%d/%m/%Y %H:%M"
due = pd.to_datetime(df["due"], format=fmt)
comp = pd.to_datetime(df["comp"].where(df["comp"] != "", None), format=fmt)
excluded = df["status"].str.contains("Rút|Hủy|huỷ", case=False, regex=True)
dup = df["id"].duplicated()
as_of = pd.Timestamp(sys.argv[2])
ok = ~excluded & ~dup
resolved = ok & comp.notna() & (comp.dt.normalize() <= as_of)
cd, dd = comp.dt.normalize(), due.dt.normalize()
early = resolved & (cd < dd)
on_time = resolved & (cd == dd) & (comp <= due)
late = resolved & ~early & ~on_time
open_ = ok & ~resolved
overdue = open_ & (dd < as_of)
n_res = int(resolved.sum())
print({"resolved": n_res, "early": int(early.sum()), "on_time": int(on_time.sum()), "late": int(late.sum()),
       "in_progress": int((open_ & ~overdue).sum()), "overdue": int(overdue.sum()),
       "excluded": int(excluded.sum()), "duplicates": int(dup.sum()),
       "on_time_rate": (int(early.sum()) + int(on_time.sum())) / n_res * 100 if n_res else None})
"""


def measure(cmd: list[str]) -> tuple[float, float, int]:
    """Wall seconds, peak RSS in MB and exit code of one subprocess run."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.stderr is not None:
        err = proc.stderr.read().decode("utf-8", "replace")
        proc.stderr.close()
        if proc.returncode not in (0, 1):
            print(err, file=sys.stderr)
    return wall, usage.ru_maxrss / 1024, proc.returncode


def bench(label: str, cmd: list[str], runs: int) -> tuple[float, float]:
    walls, peaks = [], []
    for _ in range(runs):
        wall, peak, code = measure(cmd)
        if code not in (0, 1):
            raise SystemExit(f"{label}: exit code {code}")
        walls.append(wall)
        peaks.append(peak)
    med = statistics.median(walls)
    print(f"  {label:<20} median {med:7.2f} s  (runs: {', '.join(f'{w:.2f}' for w in walls)})  peak {max(peaks):7.0f} MB")
    return med, max(peaks)


def ensure_log(rows: int) -> Path:
    path = OUT / f"dossiers-{rows}.csv"
    if not path.exists():
        print(f"generating {rows} rows -> {path.relative_to(HERE.parent)} ...", flush=True)
        subprocess.run([sys.executable, str(HERE / "gen_dossiers.py"), "--rows", str(rows), "--out", str(path)], check=True)
    return path


def resolved_engine(engine: str, log: Path) -> str:
    """The reader ``--engine engine`` uses for ``log`` (python splits large files across processes)."""
    if engine == "auto":
        sys.path.insert(0, str(HERE.parent))
        from qms.kpi.fast import MIN_POLARS_BYTES, available

        engine = "polars" if available() and log.stat().st_size >= MIN_POLARS_BYTES else "python"
    return engine


def have_pandas() -> bool:
    return subprocess.run([sys.executable, "-c", "import pandas"], capture_output=True).returncode == 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--big", action="store_true", help="also run the 10,000,000-row case (slow to generate)")
    ap.add_argument("--rows", type=int, default=127_535)
    ap.add_argument("--engines", default="auto", help="comma-separated --engine values to time")
    args = ap.parse_args(argv)
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    qms = [sys.executable, "-m", "qms"]
    cases = [(args.rows, 1.5, None)]
    if args.big:
        cases.append((10_000_000, 12.0, 3072.0))
    pandas_ok = have_pandas()
    failed = False
    for rows, target_s, target_mb in cases:
        log = ensure_log(rows)
        runs = args.runs if rows < 1_000_000 else max(1, min(args.runs, 3))
        print(f"{rows:,} rows ({log.stat().st_size / 1e6:.0f} MB CSV):")
        first_wall = 0.0
        for engine in engines:
            cmd = [*qms, "kpi", "report", str(log), "--as-of", AS_OF, "--format", "json", "--engine", engine]
            q_wall, q_peak = bench(f"qms {engine} ({resolved_engine(engine, log)})", cmd, runs)
            first_wall = first_wall or q_wall
            verdict = "OK" if q_wall <= target_s and (target_mb is None or q_peak <= target_mb) else "MISSED"
            failed |= verdict != "OK"
            limit = f" and <= {target_mb:.0f} MB" if target_mb else ""
            print(f"  target <= {target_s} s{limit}: {verdict}")
        if pandas_ok:
            p_wall, _ = bench("pandas", [sys.executable, "-c", PANDAS_SCRIPT, str(log), AS_OF], runs)
            print(f"  qms {engines[0]} / pandas time: {first_wall / p_wall:.2f}x "
                  f"({'faster' if first_wall < p_wall else 'slower'})")
        else:
            print("  pandas not installed, skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
