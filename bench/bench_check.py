#!/usr/bin/env python3
"""Benchmark `qms check` against two baselines measured in the same run.

    python bench/bench_check.py [--processes 240] [--runs 5] [--scale 2400]

Baselines (whole process, median of --runs):
  floor            a bare script that only parses the same files with yaml.CSafeLoader
  check-jsonschema validating the same files against the schemas `qms schema` exports

Targets on a 2-core machine: qms check <= 2x the floor and faster than check-jsonschema; a repeat run
on unchanged files (result cache) <= 0.5 s; 10x the processes costs about 10x the time.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent

FLOOR = """
import sys, glob, yaml
root = sys.argv[1]
files = [root + '/qms.yaml'] + sorted(glob.glob(root + '/processes/*.yaml')) + [root + '/records/register.yaml']
for f in files:
    with open(f, 'rb') as fh:
        yaml.load(fh, Loader=yaml.CSafeLoader)
"""


def timed(cmd: list[str], runs: int, env: dict[str, str] | None = None, cwd: Path | None = None) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, env=env, cwd=cwd)
        times.append(time.perf_counter() - start)
        if proc.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.decode()[-500:]}")
    return statistics.median(times)


def qms_cmd(root: Path, *extra: str) -> list[str]:
    return [str(BIN / "qms"), "--root", str(root), "check", *extra]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--processes", type=int, default=240)
    parser.add_argument("--scale", type=int, default=2400, help="second size for the linearity check (0 = skip)")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))
    from generate import generate

    tmp = Path(tempfile.mkdtemp(prefix="qms-bench-"))
    try:
        root = tmp / "agency"
        generate(root, args.processes)
        schemas = tmp / "schemas"
        subprocess.run([str(BIN / "qms"), "schema", "--out", str(schemas)], check=True, capture_output=True)
        env = {**os.environ, "QMS_NO_CACHE": "1"}
        check = subprocess.run(qms_cmd(root, "--no-cache"), capture_output=True, text=True)
        print(f"qms check exit code on the generated repository: {check.returncode}")
        if check.returncode != 0:
            print(check.stdout[-2000:])
        t_qms = timed(qms_cmd(root, "--no-cache"), args.runs, env)
        t_floor = timed([sys.executable, "-c", FLOOR, str(root)], args.runs)
        files = sorted(str(p) for p in (root / "processes").glob("*.yaml"))
        t_cjs = timed([str(BIN / "check-jsonschema"), "--schemafile", str(schemas / "process.schema.json"),
                       *files], max(1, args.runs // 2))
        subprocess.run(qms_cmd(root), capture_output=True)  # warm the result cache
        t_cached = timed(qms_cmd(root), args.runs)
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        n = args.processes
        print(f"processes: {n}, runs: {args.runs} (median, whole process)")
        print(f"  floor (CSafeLoader parse only)   {t_floor:7.3f} s")
        print(f"  qms check --no-cache             {t_qms:7.3f} s   ratio to floor {t_qms / t_floor:5.2f}x "
              f"(target <= 2x)")
        print(f"  check-jsonschema (process only)  {t_cjs:7.3f} s   qms is {t_cjs / t_qms:5.2f}x faster")
        print(f"  qms check, unchanged files       {t_cached:7.3f} s   (target <= 0.5 s)")
        print(f"  peak memory of any child         {peak:7.1f} MiB")
        if args.scale:
            big = tmp / "big"
            generate(big, args.scale)
            t_big = timed(qms_cmd(big, "--no-cache"), max(1, args.runs // 2), env)
            t_big_floor = timed([sys.executable, "-c", FLOOR, str(big)], max(1, args.runs // 2))
            print(f"processes: {args.scale}")
            print(f"  floor                            {t_big_floor:7.3f} s")
            print(f"  qms check --no-cache             {t_big:7.3f} s   ratio to floor {t_big / t_big_floor:5.2f}x; "
                  f"time per process {t_big / args.scale * 1000:.2f} ms vs {t_qms / n * 1000:.2f} ms at {n}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
