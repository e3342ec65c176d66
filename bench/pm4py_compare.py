"""qms flow report beside PM4Py: the same answers on a small log, and the speed on a large one.

PM4Py is not a dependency of qms (it pulls in a large stack and is AGPL): this script runs in an
environment of its own, e.g.

    python -m venv /somewhere/pm4py && /somewhere/pm4py/bin/pip install pm4py
    /somewhere/pm4py/bin/python bench/pm4py_compare.py answers      # writes bench/pm4py/answers.json
    /somewhere/pm4py/bin/python bench/pm4py_compare.py speed --events 1000000

``answers``: on bench/pm4py/comparison-log.csv (``bench/gen_flow.py --comparable``: step ids only, every
hand-over finished, no step done twice), PM4Py computes per procedure the median service time of
each step on a 24/7 clock (``get_service_time``) and the number of dossiers that do not fit the Petri
net ``qms flow pnml`` exports from the process map (``conformance_diagnostics_token_based_replay``).
The committed file is compared with qms's own figures by tests/flow/test_flow_pm4py.py.

``speed``: on a large generated log, the time of PM4Py computing the same (reading the log, service
times and token-based replay per procedure) against ``qms flow report --elapsed --format json`` (the
whole report: reading, per-step durations, conformance and every other figure), each the median of
``--runs`` (3) after a warm-up, on two footings:

* **in process** (the target's figure): each already imported in its own interpreter, timing the call
  that computes the answer (PM4Py's functions; qms's report use case, from loading the repository to
  the JSON text);
* **whole commands** (for information): a fresh interpreter each run, imports included (``qms flow
  report`` as a user types it; a script that imports PM4Py and computes).

The runs of the two alternate (qms, PM4Py, qms, PM4Py, ...), so that both meet the machine in the
same state, and the ratio of each pair of runs is printed beside the ratio of the medians. The nets
are exported once beforehand, outside every time.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
LOG = HERE / "pm4py" / "comparison-log.csv"
ANSWERS = HERE / "pm4py" / "answers.json"
FMT = "%d/%m/%Y %H:%M"
PROCEDURES = ["QT-DD-01", "QT-HT-01", "QT-HT-02"]  # the procedures bench/gen_flow.py writes logs of


def qms_cmd() -> list[str]:
    venv = ROOT / ".venv" / "bin" / "python"
    return [os.environ.get("QMS_PYTHON", str(venv)), "-m", "qms"]


def nets(procs: list[str], folder: Path) -> dict[str, Path]:
    out = {}
    for proc in procs:
        path = folder / f"{proc}.pnml"
        subprocess.run([*qms_cmd(), "flow", "pnml", proc, "-o", str(path)], cwd=ROOT, check=True,
                       capture_output=True)
        out[proc] = path
    return out


COLUMNS = ["Mã hồ sơ", "Mã thủ tục", "Bước", "Thời gian nhận", "Thời gian giao"]


def pm4py_answers(log: Path, files: dict[str, Path]) -> dict[str, dict[str, object]]:
    """PM4Py's figures for ``log`` against the nets ``files`` (procedure -> PNML file): the log is read
    with pandas (only the columns PM4Py needs), then per procedure the median service time of each step
    and the token-based replay of every dossier."""
    import pandas as pd
    import pm4py

    df = pd.read_csv(log, dtype=str, keep_default_na=False, usecols=COLUMNS)
    df = df.rename(columns={"Mã hồ sơ": "case:concept:name", "Bước": "concept:name", "Mã thủ tục": "proc"})
    df["start_timestamp"] = pd.to_datetime(df["Thời gian nhận"], format=FMT)
    df["time:timestamp"] = pd.to_datetime(df["Thời gian giao"], format=FMT)
    df = df.sort_values(["case:concept:name", "start_timestamp"], kind="stable")
    out: dict[str, dict[str, object]] = {}
    for proc in sorted(df["proc"].unique()):
        part = df[df["proc"] == proc]
        service = pm4py.get_service_time(part, aggregation_measure="median", start_timestamp_key="start_timestamp")
        net, im, fm = pm4py.read_pnml(str(files[proc]))
        replay = pm4py.conformance_diagnostics_token_based_replay(part, net, im, fm)
        out[proc] = {
            "dossiers": int(part["case:concept:name"].nunique()),
            "median_hours": {k: round(v / 3600, 2) for k, v in sorted(service.items())},
            "not_fitting": sum(1 for r in replay if not r["trace_is_fit"]),
        }
    return out


def answers(_args: argparse.Namespace) -> int:
    import pm4py

    with tempfile.TemporaryDirectory() as tmp:
        procedures = pm4py_answers(LOG, nets(PROCEDURES, Path(tmp)))
    data = {"pm4py_version": pm4py.__version__, "log": str(LOG.relative_to(ROOT)), "clock": "24/7",
            "procedures": procedures}
    ANSWERS.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {ANSWERS.relative_to(ROOT)}")
    return 0


#: qms's report use case timed in its own interpreter (qms's environment), already imported and with
#: the process settings the command makes (its allocators': qms.cli.flow.prepare_process): after a
#: warm-up it prints "ready", then for each line it reads runs the report once and prints the wall and
#: CPU seconds of that run
QMS_IN_PROCESS = """
import datetime as dt, json, resource, sys, time
from pathlib import Path
from qms.cli.flow import prepare_process
prepare_process()  # as `qms flow report` does, before polars is imported
from qms.cli.calendar import load_calendar
from qms.flow.usecase import FlowRequest, run_flow_report
root, log = Path(sys.argv[1]), Path(sys.argv[2])
req = FlowRequest(logs=(log,), root=root, as_of=dt.date(2026, 12, 31), fmt="json", elapsed=True)
def cpu():
    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime
run_flow_report(req, load_calendar)  # warm-up
print("ready", flush=True)
for _line in sys.stdin:
    start, start_cpu = time.perf_counter(), cpu()
    run_flow_report(req, load_calendar)
    print(json.dumps([time.perf_counter() - start, cpu() - start_cpu]), flush=True)
"""


def speed(args: argparse.Namespace) -> int:
    log = HERE / "out" / f"flow-{args.events}-comparable.csv"
    if not log.exists():
        subprocess.run([*qms_cmd()[:1], str(HERE / "gen_flow.py"), "--events", str(args.events), "--comparable",
                        "--out", str(log)], check=True)
    qms = [*qms_cmd(), "flow", "report", str(log), "--format", "json", "--elapsed", "--as-of", "2026-12-31"]

    def cpu() -> float:
        """CPU seconds of this process's threads and of the children it waited for."""
        own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime

    def timed(fn: object) -> tuple[float, float]:
        """Wall and CPU seconds of one call."""
        start, start_cpu = time.perf_counter(), cpu()
        fn()  # type: ignore[operator]
        return time.perf_counter() - start, cpu() - start_cpu

    def median(runs: list[tuple[float, float]]) -> tuple[float, float]:
        return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)

    # qms as installed: its bytecode written once (the warm-up), as pip writes it at install time
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}

    def run_qms() -> None:
        subprocess.run(qms, cwd=ROOT, check=False, stdout=subprocess.DEVNULL, env=env)

    with tempfile.TemporaryDirectory() as tmp:
        files = nets(PROCEDURES, Path(tmp))  # exported once, outside every time

        def run_pm4py() -> None:
            pm4py_answers(log, files)

        # the runs of qms and PM4Py alternate, so that both meet the machine in the same state (a
        # shared machine's speed drifts over a minute); each side's median is taken over its runs
        inside = subprocess.Popen([qms_cmd()[0], "-c", QMS_IN_PROCESS, str(ROOT), str(log)], cwd=ROOT, env=env,
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        pipe_in, pipe_out = inside.stdin, inside.stdout
        assert pipe_in is not None and pipe_out is not None
        if pipe_out.readline().strip() != "ready":
            raise SystemExit("qms's in-process runner did not start")
        timed(run_pm4py)  # warm-up

        def run_inside() -> tuple[float, float]:
            pipe_in.write("run\n")
            pipe_in.flush()
            wall, used = json.loads(pipe_out.readline())
            return float(wall), float(used)

        q_runs, p_runs = [], []
        for _ in range(args.runs):
            q_runs.append(run_inside())
            p_runs.append(timed(run_pm4py))
        pipe_in.close()
        inside.wait()
        (q_in, q_in_cpu), (p_in, p_in_cpu) = median(q_runs), median(p_runs)
        run_qms()  # warm-up: the file cache, qms's own imports and their bytecode
        script = [sys.executable, str(Path(__file__).resolve()), "once", str(log), *(str(files[p]) for p in PROCEDURES)]
        q_cmd, p_cmd = [], []
        for _ in range(args.runs):
            q_cmd.append(timed(run_qms))
            p_cmd.append(timed(lambda: subprocess.run(script, check=True, capture_output=True)))
        (q, q_cpu), (p, p_cpu) = median(q_cmd), median(p_cmd)
    rounds = ", ".join(f"{pr[0] / qr[0]:.1f}x" for qr, pr in zip(q_runs, p_runs, strict=True))
    met = p_in >= 10 * q_in
    print(f"{args.events:,} events, in process (already imported): qms {q_in:.2f} s ({q_in_cpu:.2f} s CPU), "
          f"PM4Py {p_in:.2f} s ({p_in_cpu:.2f} s CPU): qms {p_in / q_in:.1f}x faster, {p_in_cpu / q_in_cpu:.1f}x "
          f"in CPU (target >= 10x: {'met' if met else 'MISSED'}; run by run: {rounds})")
    print(f"{args.events:,} events, whole commands (imports included): qms {q:.2f} s ({q_cpu:.2f} s CPU), "
          f"PM4Py {p:.2f} s ({p_cpu:.2f} s CPU): qms {p / q:.1f}x faster, {p_cpu / q_cpu:.1f}x in CPU")
    return 0 if met else 1


def once(args: argparse.Namespace) -> int:
    """PM4Py's answers for one log as a whole command (imports included), for ``speed``."""
    pm4py_answers(Path(args.log), dict(zip(PROCEDURES, (Path(n) for n in args.nets), strict=True)))
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="what", required=True)
    sub.add_parser("answers")
    sp = sub.add_parser("speed")
    sp.add_argument("--events", type=int, default=1_000_000)
    sp.add_argument("--runs", type=int, default=3)
    op = sub.add_parser("once")  # used by speed
    op.add_argument("log")
    op.add_argument("nets", nargs=len(PROCEDURES))
    args = ap.parse_args(argv)
    return {"answers": answers, "speed": speed, "once": once}[args.what](args)


if __name__ == "__main__":
    sys.exit(main())
