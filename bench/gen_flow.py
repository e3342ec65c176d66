"""Generate hand-over logs (Phiếu kiểm soát quá trình giải quyết hồ sơ) for the example organisation.

Each dossier follows the process map of its procedure (branches chosen at random, decisions mostly
"complete"); each step takes its budget times a random factor, and a hand-over to another agency
waits a while first (most waiting is at the ward People's Committee and the tax sub-department of the
interconnected land procedure QT-DD-01). A few dossiers deviate: a step skipped, two steps swapped,
a step done twice, a dossier that stops before an end step. Times are on the repository calendar, in
office hours (08:00-12:00, 13:00-17:00). The log also has an applicant-name and a phone column, which
qms must never read.

    python bench/gen_flow.py --dossiers 300 --out examples/flow/handover-log.csv           # the shipped log
    python bench/gen_flow.py --events 1000000 --out bench/out/flow-1m.csv                 # benchmark
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qms.calendar import WorkingCalendar  # noqa: E402

HEADER = ["Mã hồ sơ", "Mã thủ tục", "Họ tên người nộp", "Số điện thoại", "Bước", "Cơ quan", "Người xử lý",
          "Thời gian nhận", "Thời gian giao", "Ngày hẹn trả"]
PROCEDURES = {"QT-DD-01": 0.4, "QT-HT-01": 0.35, "QT-HT-02": 0.25}
SPANS = ((8 * 60, 12 * 60), (13 * 60, 17 * 60))  # office hours, minutes of the day
#: how much slower than its budget a step usually is (median factor), by step
SLOW = {("QT-DD-01", "B5"): 1.2, ("QT-DD-01", "B8"): 1.0, ("QT-HT-01", "B4"): 1.1}
#: median waiting before a hand-over into an agency, in working hours
WAIT = {"ubnd_phuong": 4.0, "chi_cuc_thue": 4.0, "vpdkdd": 2.0, "organisation": 1.0}
AGENCY_NAMES = {"ubnd_phuong": "UBND phường nơi có đất", "vpdkdd": "Chi nhánh Văn phòng đăng ký đất đai thành phố",
                "chi_cuc_thue": "Chi cục Thuế thành phố", "organisation": "UBND TP Sông Lam"}
OFFICERS = {"ubnd_phuong": "Công chức địa chính phường", "vpdkdd": "Viên chức VPĐKĐĐ",
            "chi_cuc_thue": "Công chức Chi cục Thuế"}
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi"]
GIVEN = ["An", "Bình", "Chi", "Dũng", "Hà", "Khoa", "Linh", "Minh", "Nam", "Phương", "Quân", "Thảo"]


@dataclass
class StepInfo:
    id: str
    name: str
    kind: str
    agency: str
    handler: str
    hours: float
    succ: list[str]


def load_maps(hours_per_day: float = 8.0) -> dict[str, dict[str, StepInfo]]:
    from qms.analysis.people import Directory
    from qms.store.workspace import load_workspace

    ws = load_workspace(ROOT, kinds=("manifest", "process"))
    directory = Directory.of(ws.manifest)
    by_role = {}
    for person in directory.people.values():
        by_role.setdefault(person.role, person.name)
    maps: dict[str, dict[str, StepInfo]] = {}
    for _doc, proc in ws.processes():
        if proc.id not in PROCEDURES:
            continue
        agencies = {a.id for a in proc.administrative.agencies} if proc.administrative else set()
        # the names the repository gives its agencies and itself (a log names them as people write them)
        AGENCY_NAMES["organisation"] = ws.manifest.organisation.name.vi
        for a in proc.administrative.agencies if proc.administrative else []:
            AGENCY_NAMES[a.id] = a.name.vi
            OFFICERS.setdefault(a.id, f"Công chức {a.name.vi}")
        steps = {}
        for s in proc.steps:
            agency = s.responsible if s.responsible in agencies else "organisation"
            handler = OFFICERS.get(agency) or by_role.get(s.responsible or "", s.responsible or "")
            hours = s.duration.in_days(hours_per_day) * hours_per_day if s.duration else 1.0
            steps[s.id] = StepInfo(s.id, s.name.vi, s.kind, agency, handler, hours, s.successors())
        maps[proc.id] = steps
    return maps


class Clock:
    """Moments as (day ordinal, minute of the day) moved forward by working minutes."""

    def __init__(self, cal: WorkingCalendar) -> None:
        self.cal = cal
        self.work: dict[int, bool] = {}

    def working(self, day: int) -> bool:
        w = self.work.get(day)
        if w is None:
            w = self.work[day] = self.cal.is_working_day(dt.date.fromordinal(day))
        return w

    def add(self, day: int, minute: int, minutes: float) -> tuple[int, int]:
        left = max(0.0, minutes)
        while True:
            if self.working(day):
                for s, e in SPANS:
                    if minute < s:
                        minute = s
                    if minute < e:
                        room = e - minute
                        if left <= room:
                            return day, int(minute + left)
                        left -= room
                        minute = e
            day, minute = day + 1, 0


def route_of(steps: dict[str, StepInfo], rng: random.Random) -> list[str]:
    start = next(s for s in steps.values() if s.kind == "start")
    route = [start.id]
    cur = start
    while cur.succ and len(route) < 40:
        nxt = cur.succ[0] if len(cur.succ) == 1 or rng.random() < 0.9 else rng.choice(cur.succ[1:])
        route.append(nxt)
        cur = steps[nxt]
    return route


def deviate(route: list[str], rng: random.Random, loops: bool = True) -> list[str]:
    r = rng.random()
    if len(route) < 4:
        return route
    if r < 0.03:  # a step skipped
        i = rng.randrange(1, len(route) - 1)
        return route[:i] + route[i + 1:]
    if r < 0.05:  # two steps swapped
        i = rng.randrange(1, len(route) - 2)
        return [*route[:i], route[i + 1], route[i], *route[i + 2:]]
    if r < 0.06 and loops:  # back to a step done before
        i = rng.randrange(1, len(route) - 2)
        return [*route[:i + 2], route[i], *route[i + 2:]]
    if r < 0.07:  # stopped before the end step
        return route[:-1]
    return route


def fmt(day: int, minute: int) -> str:
    d = dt.date.fromordinal(day)
    return f"{d.day:02d}/{d.month:02d}/{d.year:04d} {minute // 60:02d}:{minute % 60:02d}"


def rows(n_dossiers: int | None, n_events: int | None, seed: int, first: dt.date, months: int,
         comparable: bool = False) -> Iterator[list[str]]:
    """The rows of the log; ``comparable``: step ids only, every hand-over finished and no step done twice,
    so that per-event and per-dossier figures coincide (the PM4Py comparison)."""
    rng = random.Random(seed)
    cal = WorkingCalendar(years=(first.year, first.year + 2))
    clock = Clock(cal)
    maps = load_maps()
    procs = list(PROCEDURES)
    weights = [PROCEDURES[p] for p in procs]
    limits = {"QT-DD-01": 20, "QT-HT-01": 1, "QT-HT-02": 3}
    span_days = months * 30 - 8  # received before the end of the last month
    base = first.toordinal()
    i = events = 0
    while (n_dossiers is None or i < n_dossiers) and (n_events is None or events < n_events):
        i += 1
        proc = rng.choices(procs, weights)[0]
        steps = maps[proc]
        day = base + rng.randrange(span_days)
        while not clock.working(day):
            day += 1
        minute = rng.randrange(8 * 60, 16 * 60 + 30)
        due = cal.add_working_days(dt.date.fromordinal(day), limits.get(proc, 5))
        code = f"{proc[3:5]}{first.year % 100:02d}-{i:07d}"
        applicant = f"{rng.choice(SURNAMES)} Văn {rng.choice(GIVEN)}"
        phone = f"09{rng.randrange(10**8):08d}"
        route = deviate(route_of(steps, rng), rng, loops=not comparable)
        agency = "organisation"
        for k, sid in enumerate(route):
            st = steps[sid]
            if k and st.agency != agency:
                day, minute = clock.add(day, minute, 60 * rng.lognormvariate(0, 0.6) * WAIT.get(st.agency, 1.0))
            agency = st.agency
            factor = rng.lognormvariate(0, 0.45) * SLOW.get((proc, sid), 0.7)
            end_day, end_minute = clock.add(day, minute, 60 * st.hours * factor)
            open_step = k == len(route) - 1 and rng.random() < 0.01 and not comparable
            # some systems write the step's name: only names a CSV writes without quotes, so that the log
            # stays on the fast reader (a quoted log is read by the csv module, about ten times slower)
            named = rng.random() < 0.1 and not comparable
            step_cell = st.name if named and not any(c in st.name for c in ',"\n') else sid
            yield [code, proc, applicant, phone, step_cell, AGENCY_NAMES[st.agency], st.handler, fmt(day, minute),
                   "" if open_step else fmt(end_day, end_minute), f"{due.day:02d}/{due.month:02d}/{due.year:04d}"]
            events += 1
            day, minute = end_day, end_minute


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dossiers", type=int, default=None)
    ap.add_argument("--events", type=int, default=None)
    ap.add_argument("--seed", type=int, default=18)
    ap.add_argument("--first", default="2026-01-02", help="first day dossiers are received")
    ap.add_argument("--months", type=int, default=6)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--comparable", action="store_true",
                    help="step ids only, every hand-over finished, no step done twice (PM4Py comparison)")
    args = ap.parse_args()
    if args.dossiers is None and args.events is None:
        args.dossiers = 300
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(rows(args.dossiers, args.events, args.seed, dt.date.fromisoformat(args.first), args.months,
                              args.comparable))


if __name__ == "__main__":
    main()
