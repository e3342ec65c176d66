"""Benchmark ``qms flow report`` (whole process, JSON output including conformance) against a plain
``polars.read_csv`` of the same hand-over log, measured in the same run.

    python bench/bench_flow.py                   # 1,000,000 events
    python bench/bench_flow.py --events 10000000 # the issue's size (slow to generate; ~1.5 GB CSV)

Targets (issue 18 item 7), as ratios because this machine's speed drifts between days: at most 4x the
wall time of ``polars.read_csv`` and at most 3 GB peak memory. Each measurement is a fresh subprocess
run in the repository (the process maps come from it), after one untimed warm-up run of every command
(warm file cache), the runs of qms and of polars alternating; the figures are the median of
``--runs`` runs (3 by default) of the wall and CPU time (user + system of the child); peak memory is the child's max RSS. Logs are generated into
bench/out/ by bench/gen_flow.py when missing. The speed against PM4Py is measured by
bench/pm4py_compare.py (PM4Py lives in an environment of its own).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_kpi import bench_side_by_side, ratio  # the same measuring code as the KPI benchmark

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
POLARS_READ = "import sys, polars; print(polars.read_csv(sys.argv[1]).height)"


def ensure_log(events: int) -> Path:
    path = OUT / f"flow-{events}.csv"
    if not path.exists():
        print(f"generating {events:,} events -> {path.relative_to(ROOT)} ...", flush=True)
        subprocess.run([sys.executable, str(HERE / "gen_flow.py"), "--events", str(events), "--out", str(path)],
                       check=True)
    return path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--events", type=int, default=1_000_000)
    args = ap.parse_args(argv)
    log = ensure_log(args.events)
    print(f"{args.events:,} events ({log.stat().st_size / 1e6:.0f} MB CSV):", flush=True)
    cmd = [sys.executable, "-m", "qms", "--root", str(ROOT), "flow", "report", str(log), "--format", "json",
           "--as-of", "2026-12-31"]
    q, floor = bench_side_by_side([("qms flow report", cmd),
                                   ("polars.read_csv", [sys.executable, "-c", POLARS_READ, str(log)])], args.runs)
    ok = ratio("qms / polars.read_csv", q, floor, "wall <= 4x", q.wall <= 4 * floor.wall)
    met = q.peak_mb <= 3072
    print(f"  qms peak {q.peak_mb:.0f} MB (target <= 3072 MB: {'met' if met else 'MISSED'})")
    return 0 if ok and met else 1


if __name__ == "__main__":
    raise SystemExit(main())
