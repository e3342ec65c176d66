"""Benchmark whole-process ``qms kpi report`` against baselines measured in the same run.

    python bench/bench_kpi.py                # 127,535 rows: qms vs the pandas script
    python bench/bench_kpi.py --big          # also 10,000,000 rows: vs polars.read_csv and pandas

Targets (issue 17), as ratios because this machine's speed drifts between days:

* 127,535 rows, whole process: at most 0.75x the time of the pandas script;
* 10,000,000 rows: at most 2x the time of a plain ``polars.read_csv`` of the same file (the floor),
  at least 5x faster than the pandas script, and at most 2 GB peak memory.

Each measurement is a fresh subprocess, after one untimed warm-up run of every command (warm file
cache); the runs of the commands compared alternate, and the figures are the median of ``--runs``
runs (3 by default) of the wall time and of the CPU time (user + system of the child,
``os.wait4``); peak memory is the child's max RSS. Input files
are generated into bench/out/ by bench/gen_dossiers.py when missing. pandas is not a dependency:
when it is not importable its comparisons are skipped (and reported as such).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
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

POLARS_READ = "import sys, polars; print(polars.read_csv(sys.argv[1]).height)"


@dataclass(frozen=True, slots=True)
class Figures:
    wall: float  # median seconds
    cpu: float  # median seconds (user + system)
    peak_mb: float  # max over the runs


def measure(cmd: list[str]) -> tuple[float, float, float, int]:
    """Wall seconds, CPU seconds, peak RSS in MB and exit code of one subprocess run."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    err = proc.stderr.read().decode("utf-8", "replace")  # before waiting: a full pipe would block the child
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.stderr.close()
    proc.returncode = code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        print(err, file=sys.stderr)
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, code


def bench(label: str, cmd: list[str], runs: int) -> Figures:
    return bench_side_by_side([(label, cmd)], runs)[0]


def bench_side_by_side(cases: list[tuple[str, list[str]]], runs: int) -> list[Figures]:
    """Each command's figures over ``runs`` runs after one warm-up each (file cache, bytecode). The
    runs of the commands alternate (a, b, a, b, ...), so that a ratio between two of them is not
    skewed by the machine's speed drifting while one side runs all its runs."""
    for _label, cmd in cases:
        measure(cmd)
    walls: list[list[float]] = [[] for _ in cases]
    cpus: list[list[float]] = [[] for _ in cases]
    peaks: list[list[float]] = [[] for _ in cases]
    for _ in range(runs):
        for k, (label, cmd) in enumerate(cases):
            wall, cpu, peak, code = measure(cmd)
            if code not in (0, 1):
                raise SystemExit(f"{label}: exit code {code}")
            walls[k].append(wall)
            cpus[k].append(cpu)
            peaks[k].append(peak)
    out = []
    for k, (label, _cmd) in enumerate(cases):
        fig = Figures(statistics.median(walls[k]), statistics.median(cpus[k]), max(peaks[k]))
        print(f"  {label:<18} wall {fig.wall:7.2f} s  cpu {fig.cpu:7.2f} s  peak {fig.peak_mb:7.0f} MB"
              f"  (wall runs: {', '.join(f'{w:.2f}' for w in walls[k])})", flush=True)
        out.append(fig)
    return out


def ensure_log(rows: int) -> Path:
    path = OUT / f"dossiers-{rows}.csv"
    if not path.exists():
        print(f"generating {rows} rows -> {path.relative_to(HERE.parent)} ...", flush=True)
        subprocess.run([sys.executable, str(HERE / "gen_dossiers.py"), "--rows", str(rows), "--out", str(path)],
                       check=True)
    return path


def importable(module: str) -> bool:
    return subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True).returncode == 0


def ratio(label: str, a: Figures, b: Figures, target: str, met: bool) -> bool:
    print(f"  {label}: wall {a.wall / b.wall:.2f}x, cpu {a.cpu / b.cpu:.2f}x  (target {target}: "
          f"{'met' if met else 'MISSED'})")
    return met


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--big", action="store_true", help="also run the 10,000,000-row case (slow to generate)")
    ap.add_argument("--rows", type=int, default=127_535)
    args = ap.parse_args(argv)
    qms = [sys.executable, "-m", "qms"]
    pandas_ok = importable("pandas")
    ok = True
    sizes = [args.rows, *([10_000_000] if args.big else [])]
    for rows in sizes:
        log = ensure_log(rows)
        print(f"{rows:,} rows ({log.stat().st_size / 1e6:.0f} MB CSV):", flush=True)
        cases = [("qms kpi report", [*qms, "kpi", "report", str(log), "--as-of", AS_OF, "--format", "json"])]
        if pandas_ok:
            cases.append(("pandas script", [sys.executable, "-c", PANDAS_SCRIPT, str(log), AS_OF]))
        if rows >= 1_000_000:
            cases.append(("polars.read_csv", [sys.executable, "-c", POLARS_READ, str(log)]))
        figures = dict(zip((label for label, _cmd in cases), bench_side_by_side(cases, args.runs), strict=True))
        q, p = figures["qms kpi report"], figures.get("pandas script")
        if rows < 1_000_000:
            if p is None:
                print("  pandas not installed: the 0.75x target is not measured")
            else:
                ok &= ratio("qms / pandas", q, p, "wall <= 0.75x", q.wall <= 0.75 * p.wall)
            continue
        floor = figures["polars.read_csv"]
        ok &= ratio("qms / polars.read_csv", q, floor, "wall <= 2x", q.wall <= 2 * floor.wall)
        if p is None:
            print("  pandas not installed: the 5x target is not measured")
        else:
            ok &= ratio("pandas / qms", p, q, "wall >= 5x", p.wall >= 5 * q.wall)
        met = q.peak_mb <= 2048
        print(f"  qms peak {q.peak_mb:.0f} MB (target <= 2048 MB: {'met' if met else 'MISSED'})")
        ok &= met
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
