"""Benchmark: ``qms nc list --overdue`` over 10,000 nonconformity records, whole process, median.

    python bench/bench_nc.py [--records 10000] [--runs 7] [--dir bench/out/nc-repo]

Generates a repository (the test mini organisation plus N records written directly as files, at
mixed lifecycle states), then times the real command line. Reports the median of warm runs (the
content-hash index in the user's qms cache folder is current) and of cold runs (index deleted before each run).
Target: warm median <= 1.5 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASE = ROOT / "tests" / "rules" / "base"
TARGET_S = 1.5

HEAD = """\
id: {id}
title: {{vi: Trả kết quả trễ hạn hồ sơ số {n}, en: Dossier {n} returned late}}
description: Hồ sơ được trả trễ so với thời hạn giải quyết theo quy định.
source: {source}
severity: {severity}
process: QT-01
clause: '{clause}'
raised_by: Vũ Thị Giang
raised_on: {raised}
status: {status}
"""
PLAN = """\
correction: {{description: Trả kết quả và xin lỗi công dân, by: Vũ Thị Giang, date: {raised}}}
cause:
  method: five_why
  whys: [Hồ sơ chờ ký, Lãnh đạo đi công tác]
  root_cause: Chưa có ủy quyền ký thay
  similar: Rà soát sổ theo dõi; không có trường hợp tương tự
  date: {raised}
actions:
- {{id: CA-1, description: Ban hành quyết định ủy quyền ký thay, owner: chu_tich, due: {due}{done}}}
"""
HISTORY = """\
history:
- {{at: '{raised} 09:00:00+07:00', by: Vũ Thị Giang, transition: create, status: open}}
"""


def generate(root: Path, count: int, seed: int = 2026) -> None:
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(BASE, root)
    out = root / "records" / "nonconformities"
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    start = dt.date(2026, 1, 5)
    for n in range(1, count + 1):
        raised = start + dt.timedelta(days=rng.randrange(300))
        status = rng.choice(["open", "planned", "planned", "implemented", "closed"])
        text = HEAD.format(id=f"NC-2026-{n:04d}", n=n, source=rng.choice(["internal_audit", "complaint",
                           "late_dossier", "monitoring"]), severity=rng.choice(["minor", "major"]),
                           clause=rng.choice(["8.5.1", "8.2.1", "7.5.3"]), raised=raised, status=status)
        if status != "open":
            due = raised + dt.timedelta(days=rng.randrange(5, 60))
            done = "" if status == "planned" else f", done: {due}"
            text += PLAN.format(raised=raised, due=due, done=done)
        if status == "implemented":
            text += f"review_due: {raised + dt.timedelta(days=70)}\n"
        text += HISTORY.format(raised=raised)
        (out / f"NC-2026-{n:04d}.yaml").write_text(text, encoding="utf-8")


def _qms() -> list[str]:
    exe = Path(sys.executable).with_name("qms")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "qms"]


def time_runs(root: Path, runs: int, cold: bool) -> tuple[list[float], int]:
    times: list[float] = []
    lines = 0
    cmd = [*_qms(), "nc", "list", "--overdue", "--today", "2026-11-30", "--format", "csv"]
    for _ in range(runs):
        if cold:
            from qms.store.cache_dir import base_dir, repository_id

            (base_dir() / "repos" / repository_id(root) / "nc-index.json").unlink(missing_ok=True)
        t0 = time.perf_counter()
        result = subprocess.run(cmd, cwd=root, capture_output=True, text=True, check=True,
                                env={**os.environ, "QMS_LANG": "en"})
        times.append(time.perf_counter() - t0)
        lines = len(result.stdout.splitlines()) - 1
    return times, lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--dir", type=Path, default=ROOT / "bench" / "out" / "nc-repo")
    args = parser.parse_args()
    t0 = time.perf_counter()
    generate(args.dir, args.records)
    print(f"generated {args.records} records in {time.perf_counter() - t0:.2f} s")
    time_runs(args.dir, 1, cold=False)  # builds the index once
    warm, found = time_runs(args.dir, args.runs, cold=False)
    cold, _ = time_runs(args.dir, max(3, args.runs // 2), cold=True)
    med = statistics.median(warm)
    print(f"qms nc list --overdue: {found} overdue of {args.records}")
    print(f"  warm (index current): median {med:.3f} s  (min {min(warm):.3f}, max {max(warm):.3f})")
    print(f"  cold (index deleted): median {statistics.median(cold):.3f} s")
    print(f"  target <= {TARGET_S} s: {'met' if med <= TARGET_S else 'MISSED'}")
    return 0 if med <= TARGET_S else 1


if __name__ == "__main__":
    raise SystemExit(main())
