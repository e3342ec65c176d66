"""Run the fuzz targets: ``python fuzz/run.py [--seconds N] [TARGET ...]`` (``make fuzz``).

Each target runs as its own process under libFuzzer (atheris) with a time budget, a per-input
timeout and a memory bound. New inputs go to a working corpus (``fuzz/scratch/<target>/``, ignored
by git) and start from the committed seeds (``fuzz/corpus/<target>/``); a crash, hang or memory
overrun is written to ``fuzz/crashes/<target>/`` (ignored by git). Turn each one into a regression
test by copying it to ``fuzz/regressions/<target>/`` once the reader is fixed.

The module is importable: the CI smoke test runs every target for a few seconds through
:func:`run_target`.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

FUZZ = Path(__file__).resolve().parent

#: target name -> script. ``docx`` is the Word reader of ``qms import docx`` (bounded unzip, python-docx,
#: the importer's mapping).
TARGETS: dict[str, str | None] = {
    "yaml": "fuzz_yaml.py",
    "check": "fuzz_check.py",
    "nc_record": "fuzz_nc_record.py",
    "audit_record": "fuzz_audit_record.py",
    "kpi_config": "fuzz_kpi_config.py",
    "csv": "fuzz_csv.py",
    "xlsx": "fuzz_xlsx.py",
    "pdf_verify": "fuzz_pdf_verify.py",
    "docx": "fuzz_docx.py",
}

#: libFuzzer bounds applied to every target: a single input may take at most TIMEOUT seconds and the
#: process at most RSS_LIMIT_MB megabytes; inputs are at most MAX_LEN bytes (PDF seeds are ~10 KB).
TIMEOUT = 10
RSS_LIMIT_MB = 1024
MAX_LEN = 16384

_DONE = re.compile(r"Done (\d+) runs in (\d+) second")
_STAT = re.compile(r"#(\d+)\s+\w+\s+cov: (\d+) ft: (\d+) corp: (\d+)")


@dataclass(slots=True)
class Outcome:
    target: str
    returncode: int
    seconds: float
    runs: int
    coverage: int
    corpus: int
    crashes: list[Path]
    log_tail: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.crashes


def available() -> list[str]:
    return [name for name, script in TARGETS.items() if script is not None]


def run_target(name: str, seconds: int, work: Path, crashes: Path, *, extra: tuple[str, ...] = (),
               python: str = sys.executable) -> Outcome:
    """Fuzz ``name`` for ``seconds``; new corpus entries go to ``work``, crash inputs to ``crashes``."""
    script = TARGETS[name]
    if script is None:
        raise ValueError(f"fuzz target {name} has no reader yet")
    work.mkdir(parents=True, exist_ok=True)
    crashes.mkdir(parents=True, exist_ok=True)
    cmd = [python, str(FUZZ / script), f"-max_total_time={seconds}", f"-timeout={TIMEOUT}",
           f"-rss_limit_mb={RSS_LIMIT_MB}", f"-max_len={MAX_LEN}", f"-artifact_prefix={crashes}/",
           "-print_final_stats=1", *extra, str(work), str(FUZZ / "corpus" / name)]
    before = set(crashes.iterdir())
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    start = time.monotonic()
    # the hard guard: libFuzzer's own budget plus time to load the corpus and write the artefacts
    # Linux keeps a process's peak RSS across fork and exec, and libFuzzer's memory check reads that
    # peak: run from a large parent (a test worker), the target would start "over the limit". A small
    # shell that forks the target (and does not exec it) gives it a fresh peak.
    wrapped = ["/bin/sh", "-c", '"$@"; exit $?', "sh", *cmd]
    proc = subprocess.run(wrapped, capture_output=True, text=True, errors="replace", env=env,
                          timeout=seconds + TIMEOUT + 120, check=False)
    elapsed = time.monotonic() - start
    log = proc.stderr
    runs = coverage = corpus = 0
    if (m := _DONE.search(log)) is not None:
        runs = int(m.group(1))
    stats = _STAT.findall(log)
    if stats:
        last = stats[-1]
        runs = max(runs, int(last[0]))
        coverage, corpus = int(last[1]), int(last[3])
    found = sorted(p for p in set(crashes.iterdir()) - before
                   if p.name.startswith(("crash-", "timeout-", "oom-", "leak-", "slow-unit-")))
    return Outcome(name, proc.returncode, elapsed, runs, coverage, corpus, found, "\n".join(log.splitlines()[-40:]))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("targets", nargs="*", help=f"targets to run (default: all of {', '.join(available())})")
    ap.add_argument("--seconds", type=int, default=int(os.environ.get("FUZZ_SECONDS", "300")),
                    help="time budget per target (default: $FUZZ_SECONDS or 300)")
    args = ap.parse_args(argv)
    names = args.targets or available()
    for name in names:
        if TARGETS.get(name) is None:
            ap.error(f"unknown or not yet available target {name!r}; choose from {', '.join(available())}")
    failed = 0
    print(f"{'target':<14}{'seconds':>9}{'runs':>11}{'runs/s':>9}{'cov':>6}{'corpus':>8}  result")
    for name in names:
        out = run_target(name, args.seconds, FUZZ / "scratch" / name, FUZZ / "crashes" / name)
        rate = out.runs / out.seconds if out.seconds else 0.0
        verdict = "ok" if out.ok else f"FAILED (exit {out.returncode}; {len(out.crashes)} crash file(s))"
        print(f"{name:<14}{out.seconds:>9.0f}{out.runs:>11}{rate:>9.0f}{out.coverage:>6}{out.corpus:>8}  {verdict}",
              flush=True)
        if not out.ok:
            failed += 1
            for path in out.crashes:
                print(f"    {path}")
            print("    " + "\n    ".join(out.log_tail.splitlines()[-15:]))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
