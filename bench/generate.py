#!/usr/bin/env python3
"""Generate a complete synthetic QMS repository that passes `qms check`.

    python bench/generate.py --processes 240 --out /tmp/agency

240 procedures by default, each with 8-15 steps and about 200 lines, ~20 units and ~60 roles:
the size of a Vietnamese city People's Committee. Deterministic for a given --seed.
"""

from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

import yaml

UNITS = 20
ROLES = 60
ALL_CLAUSES = [
    "4.1", "4.2", "4.3", "4.4", "4.4.1", "4.4.2", "5.1", "5.1.1", "5.1.2", "5.2", "5.3", "6.1", "6.1.1", "6.1.2",
    "6.2", "6.3", "7.1", "7.1.1", "7.1.2", "7.1.3", "7.1.4", "7.1.5", "7.1.5.1", "7.1.6", "7.2", "7.3", "7.4",
    "7.5", "7.5.1", "7.5.2", "7.5.3", "8.1", "8.2", "8.4", "8.5", "8.6", "8.7", "9.1", "9.2", "9.3", "10.1",
    "10.2", "10.3",
]


def text(vi: str, en: str) -> dict[str, str]:
    return {"vi": vi, "en": en}


def manifest(n_proc: int) -> dict[str, object]:
    units = [{"id": "lanh_dao", "name": text("Lãnh đạo UBND", "Leadership")},
             {"id": "mot_cua", "name": text("Bộ phận Một cửa", "One-stop desk"), "one_stop_desk": True}]
    units += [{"id": f"phong_{i:02d}", "name": text(f"Phòng chuyên môn số {i}", f"Division {i}")}
              for i in range(1, UNITS - 1)]
    roles = [{"id": "chu_tich", "title": text("Chủ tịch UBND", "Chairperson"), "unit": "lanh_dao"},
             {"id": "can_bo_mot_cua", "title": text("Công chức Một cửa", "One-stop officer"), "unit": "mot_cua"}]
    for i in range(ROLES - 2):
        unit = units[2 + i % (UNITS - 2)]["id"]
        roles.append({"id": f"vai_tro_{i:02d}", "title": text(f"Công chức {i}", f"Officer {i}"), "unit": unit})
    people = [{"id": f"nguoi_{i:02d}", "name": f"Nguyễn Văn {chr(65 + i % 26)}{i}", "role": roles[i]["id"],
               "unit": roles[i]["unit"], "auditor": i % 3 == 0} for i in range(ROLES)]
    return {
        "standard": "ISO 9001:2015",
        "organisation": {"name": text("UBND thành phố Tổng hợp", "Synthetic City PC"), "default_language": "vi",
                         "units": units, "roles": roles, "people": people},
        "context_issues": [{"id": "CTX-01", "kind": "external", "description": text("Pháp luật thay đổi",
                                                                                    "Legal changes"),
                            "monitored_by": "chu_tich"}],
        "interested_parties": [{"id": "IP-01", "name": text("Người dân", "Citizens"),
                                "needs": text("Đúng hạn", "On time"), "monitored_by": "chu_tich"}],
        "scope": {"statement": text("Giải quyết thủ tục hành chính", "Handling administrative procedures"),
                  "applicability": [{"clause": "8.3", "applicable": False,
                                     "justification": text("Không thiết kế dịch vụ", "No service design")}]},
        "policy": {"text": text("Minh bạch, đúng hạn", "Transparent and on time"),
                   "communicated_via": [text("Niêm yết tại Bộ phận Một cửa", "Posted at the one-stop desk")]},
        "objectives": [{"id": "MT-01", "statement": text("98% hồ sơ đúng hạn", "98% of dossiers on time"),
                        "measure": "on_time_rate", "target": ">= 98%", "kpis": ["KPI-0001"],
                        "plan": {"what": text("Theo dõi", "Track"), "resources": text("Phần mềm", "Software"),
                                 "responsible": "chu_tich", "due": "2027-12-31",
                                 "evaluation": text("Báo cáo tháng", "Monthly report")}}],
        "context": {"climate_change": {"relevant": False, "rationale": text(
            "Thủ tục hành chính không phụ thuộc khí hậu", "Administrative procedures do not depend on the climate")}},
        "manual": {"code": "STCL", "revision": 1, "issued_on": "2026-01-05", "effective_date": "2026-01-05",
                   "prepared_by": {"name": "Nguyễn Văn B1"}, "reviewed_by": {"name": "Nguyễn Văn C2"},
                   "approved_by": {"name": "Nguyễn Văn A0"},
                   "history": [{"revision": 1, "date": "2026-01-05", "summary": text("Ban hành", "First issue")}]},
        "forms": [{"code": "BM-01", "title": text("Giấy tiếp nhận hồ sơ và hẹn trả kết quả", "Receipt slip")},
                  {"code": "BM-02", "title": text("Phiếu yêu cầu bổ sung hồ sơ", "Supplement request")}],
        "calendar": {"working_hours_per_day": 8},
    }


def process(i: int, rng: random.Random, roles: list[dict[str, object]], n_proc: int) -> dict[str, object]:
    pid = f"QT-{i:04d}"
    n_steps = rng.randint(8, 15)
    staff = list(roles[2:])
    owner = rng.choice(staff)
    steps: list[dict[str, object]] = []
    for s in range(1, n_steps + 1):
        step: dict[str, object] = {
            "id": f"B{s}",
            "name": text(f"Bước xử lý số {s} của thủ tục {i}", f"Processing step {s} of procedure {i}"),
            "responsible": "can_bo_mot_cua" if s in (1, n_steps) else rng.choice(staff)["id"],
            "duration": "2h" if s in (1, n_steps) else f"{rng.choice([1, 2, 3, 4])}h",
        }
        if s == 1:
            step["kind"] = "start"
            step["at_one_stop_desk"] = True
            step["forms"] = ["BM-01"]
        if s == n_steps:
            step["kind"] = "end"
            step["at_one_stop_desk"] = True
        if s == 2:
            step["kind"] = "decision"
            step["decision"] = {"question": text("Hồ sơ đầy đủ?", "Is the dossier complete?"),
                                "branches": [{"label": text("Đủ", "Complete"), "next": "B3"},
                                             {"label": text("Chưa đủ", "Incomplete"), "next": f"B{n_steps}"}]}
        elif s < n_steps:
            step["next"] = [f"B{s + 1}"]
        if s == 3:
            step["records"] = [f"HS-{i:04d}"]
        steps.append(step)
    clauses = ["8.1", "8.2", "8.5", "8.5.1", "8.5.2"]
    clauses.append(ALL_CLAUSES[i % len(ALL_CLAUSES)])
    return {
        "id": pid,
        "title": text(f"Thủ tục hành chính số {i}", f"Administrative procedure {i}"),
        "kind": "core",
        "owner": owner["id"],
        "unit": owner["unit"],
        "purpose": text(f"Quy định trình tự giải quyết thủ tục số {i}", f"How procedure {i} is handled"),
        "scope": text("Áp dụng tại UBND thành phố", "Applies at the city PC"),
        "references": [{"id": f"Nghị định {i}/2020/NĐ-CP", "legal_basis": True}],
        "clauses": sorted(set(clauses)),
        "inputs": [text("Hồ sơ của người dân", "The citizen's dossier")],
        "outputs": [text("Kết quả giải quyết", "The decision")],
        "interactions": [{"to": f"QT-{(i % n_proc) + 1:04d}", "what": text("Kết quả", "Results")}],
        "administrative": {
            "code": f"1.{i:06d}", "mechanism": "one_stop", "time_limit": f"{n_steps}d",
            "fee": {"amount_vnd": 1000 * (i % 50)},
            "dossier": [{"name": text(f"Thành phần hồ sơ {k}", f"Dossier item {k}"), "copies": 1}
                        for k in range(1, 4)],
            "place": text("Bộ phận Một cửa", "One-stop desk"),
        },
        "steps": steps,
        "records": [{"code": f"HS-{i:04d}", "title": text("Sổ theo dõi", "Tracking log"), "retention": {"years": 5},
                     "location": text("Lưu trữ cơ quan", "Agency archive"), "responsible": owner["id"]}],
        "kpis": [{"id": f"KPI-{i:04d}", "name": text("Tỷ lệ đúng hạn", "On-time rate"), "target": ">= 98%",
                  "objective": "MT-01", "responsible": owner["id"]}],
        "risks": [{"id": f"R-{i:04d}", "description": text("Trễ hạn", "Late dossiers"), "likelihood": 2,
                   "impact": 3, "treatment": text("Nhắc việc tự động", "Automatic reminders"),
                   "owner": owner["id"]}],
        "resources": [{"kind": "people", "description": text("Công chức thụ lý", "Case officers")}],
        "evaluation": text("Theo dõi hằng tháng", "Monthly monitoring"),
        "document": {"code": pid, "revision": 1, "issued_on": "2026-01-05", "effective_date": "2026-01-05",
                     "prepared_by": {"name": "Nguyễn Văn B1"}, "reviewed_by": {"name": "Nguyễn Văn C2"},
                     "approved_by": {"name": "Nguyễn Văn A0"},
                     "history": [{"revision": 1, "date": "2026-01-05", "summary": text("Ban hành", "First issue")}]},
    }


def generate(out: Path, n_proc: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    (out / "processes").mkdir(parents=True)
    (out / "records").mkdir()
    (out / "audits").mkdir()
    m = manifest(n_proc)
    dump = lambda data: yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=110)  # noqa: E731
    (out / "qms.yaml").write_text(dump(m), encoding="utf-8")
    roles = m["organisation"]["roles"]  # type: ignore[index]
    for i in range(1, n_proc + 1):
        (out / "processes" / f"QT-{i:04d}.yaml").write_text(dump(process(i, rng, roles, n_proc)), encoding="utf-8")
    (out / "records" / "register.yaml").write_text("records: []\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--processes", type=int, default=240)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    generate(args.out, args.processes, args.seed)
    print(f"wrote {args.processes} processes to {args.out}")


if __name__ == "__main__":
    main()
