"""Each rule of the process-map, system and style families fires at the right line of a purpose-built broken
copy of the example organisation (a real procedure with one textual edit), and the step-graph search stays
bounded on loopy graphs."""

from __future__ import annotations

import datetime as dt
import itertools
import random
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from qms.analysis.graph import StepGraph
from qms.engine import CheckOptions, run_check
from qms.models.common import Text
from qms.models.process import Process, Step
from qms.rules import process_map, style, system
from qms.store.workspace import load_workspace

REPO = Path(__file__).resolve().parents[2]
TODAY = dt.date(2026, 11, 28)

DESCRIPTION_B2 = """    description:
      vi: Đối chiếu tờ khai, giấy chứng sinh và giấy tờ xuất trình với thành phần hồ sơ đã công bố; người đi đăng ký trong thời hạn 60 ngày kể từ ngày sinh.
      en: Compare the form, the birth certificate and the documents shown with the dossier list; registration is due within 60 days of birth.
"""
DECISION_B2 = """    decision:
      question: {vi: "Hồ sơ có đầy đủ, hợp lệ không?", en: "Is the dossier complete and valid?"}
      branches:
        - {label: {vi: Đủ, en: Complete}, next: B3}
        - {label: {vi: Chưa đủ, en: Incomplete}, next: B5}
"""
AGENCIES = """  agencies:
    - {id: vpdkdd, name: {vi: Chi nhánh Văn phòng đăng ký đất đai khu vực, en: Area branch of the land registration office}}
    - {id: chi_cuc_thue, name: {vi: Thuế cơ sở quản lý địa bàn, en: Local tax office}}
"""


@dataclass
class Break:
    code: str
    path: str  # where the finding must be
    anchor: str  # regex; the finding's line is the first line (or the `nth`) matching it after the edit
    edits: list[tuple[str, str, str]] = field(default_factory=list)  # (file, old, new); old must be unique
    nth: int = 1
    message: str = ""


HT01 = "processes/QT-HT-01.yaml"
HT02 = "processes/QT-HT-02.yaml"
Q = "qms.yaml"

BREAKS = [
    Break("QMS201", HT01, r"^steps:", [(HT01, "    kind: start\n", "    kind: task\n")]),
    Break("QMS202", "processes/QT-XX-01.yaml", r"^steps:", [("processes/QT-XX-01.yaml", "    kind: end\n", "")]),
    Break("QMS203", HT01, r"^  - id: B5", [(HT01, "Incomplete}, next: B5}", "Incomplete}, next: B6}")]),
    Break("QMS204", HT01, r"^  - id: B5", [(HT01, "    forms: [BM-02]\n    next: [B6]\n", "    forms: [BM-02]\n")]),
    Break("QMS205", HT01, r"^    next: \[B3, B5\]", [(HT01, DECISION_B2, "    next: [B3, B5]\n")]),
    Break("QMS206", HT01, r"^    decision:", [(HT01, "Incomplete}, next: B5}", "Incomplete}, next: B3}")]),
    Break("QMS207", HT01, r"^  - id: B3", [(HT01, "    duration: 2h\n    next: [B6]\n", "    duration: 2h\n    next: [B3]\n")],
          message="the loop B3→B4→B3 has no exit"),
    Break("QMS208", HT01, r"^  - id: B3",
          [(HT01, "    responsible: cong_chuc_tu_phap\n    duration: 3h\n", "    duration: 3h\n")]),
    Break("QMS209", HT01, r"^  - id: B3", [(HT01, "    duration: 3h\n", "")]),
    Break("QMS210", HT02, r"^  - id: B1", [(HT02, "    responsible: can_bo_mot_cua\n    duration: 1h\n    forms: [BM-01]\n",
                                            "    responsible: cong_chuc_tu_phap\n    duration: 1h\n    forms: [BM-01]\n")]),
    Break("QMS211", HT02, r"^  - id: B5", [(HT02, "en: Return the result}\n    responsible: can_bo_mot_cua",
                                            "en: Return the result}\n    responsible: pho_chu_tich")]),
    Break("QMS212", "processes/QT-DD-01.yaml", r"^  mechanism: interconnected", [("processes/QT-DD-01.yaml", AGENCIES, "")]),
    Break("QMS213", "processes/QT-DD-01.yaml", r"^    - \{id: chi_cuc_thue",
          [("processes/QT-DD-01.yaml", "    handover_from: chi_cuc_thue\n", "")],
          message="no step receives the result back from agency `chi_cuc_thue`"),
    Break("QMS214", "processes/QT-XD-01.yaml", r"^  time_limit: 15d",
          [("processes/QT-XD-01.yaml", "    duration: 6d\n", "    duration: 12d\n")],
          message="B1→B2→B3→B4→B5→B6 takes 17 working days; the legal limit is 15 (over by 2)"),
    Break("QMS220", "processes/QT-XX-01.yaml", r"^id:", [
        ("processes/QT-XX-01.yaml",
         "evaluation:\n  vi: Đánh giá việc thực hiện các quyết định của lần xem xét trước.\n"
         "  en: Implementation of the previous review's decisions is evaluated.\n", "")],
          message="process `QT-XX-01` has no evaluation (4.4.1 g))"),
    Break("QMS250", HT01, r"^  - id: B7", [(HT01, "  - id: B6\n", "  - id: B7\n"),
                                            (HT01, "    duration: 2h\n    next: [B6]\n", "    duration: 2h\n    next: [B7]\n"),
                                            (HT01, "    forms: [BM-02]\n    next: [B6]\n", "    forms: [BM-02]\n    next: [B7]\n")],
          message="step id `B7` is out of sequence; expected `B6`"),
    Break("QMS251", HT01, r"^  - id: B2", [(HT01, DESCRIPTION_B2, "")]),
    Break("QMS252", HT01, r"^references:", [
        (HT01, "  - {id: Luật Hộ tịch 2014, legal_basis: true}\n  - {id: NĐ 123/2015/NĐ-CP, legal_basis: true}\n"
               "  - {id: TT 04/2020/TT-BTP, legal_basis: true}\n",
         "  - {id: Luật Hộ tịch 2014}\n  - {id: NĐ 123/2015/NĐ-CP}\n  - {id: TT 04/2020/TT-BTP}\n")]),
    Break("QMS253", HT01, r"^purpose:", [
        (HT01, "purpose:\n  vi: Quy định trình tự đăng ký khai sinh cho trẻ em đúng quy định, đúng hạn.\n"
               "  en: Sets out how births are registered lawfully and on time.\n",
         "purpose: Quy định trình tự đăng ký khai sinh cho trẻ em đúng quy định, đúng hạn.\n")]),
    Break("QMS301", Q, r"^      applicable: false", [
        (Q, "      justification:\n        vi: Không sử dụng thiết bị đo lường cần hiệu chuẩn để cung cấp dịch vụ hành chính công.\n"
            "        en: No measuring equipment requiring calibration is used to provide public administrative services.\n", "")],
          nth=2),
    Break("QMS302", Q, r"^policy:", [
        (Q, "  communicated_via:\n    - {vi: Niêm yết tại Trung tâm Phục vụ hành chính công và trang thông tin điện tử, "
            "en: Posted at the service centre and on the ward website}\n", "")]),
    Break("QMS303", Q, r'^    target: "cao hơn', [(Q, '    target: ">= 90%"\n    kpis: [KPI-DL-01]', '    target: "cao hơn năm trước"\n    kpis: [KPI-DL-01]')]),
    Break("QMS304", Q, r"^scope:", [
        ("processes/QT-XX-01.yaml", "    records: [HS-XX-01]\n", ""),
        ("processes/QT-XX-01.yaml",
         "records:\n  - code: HS-XX-01\n    title: {vi: Biên bản họp xem xét của lãnh đạo, en: Management review minutes}\n"
         "    retention: {years: 10}\n    location: {vi: Văn phòng HĐND và UBND, en: Office of the People's Council and Committee}\n"
         "    responsible: thu_ky_iso\n", ""),
    ], message="mandatory documented information is not retained: Evidence of results of management reviews (9.3.3)"),
    Break("QMS305", Q, r"^scope:", [("processes/QT-DG-01.yaml", 'clauses: ["9.2"]', 'clauses: ["9.1.1"]')],
          message="clause 9.2 (Internal audit) is addressed by no process or document"),
    Break("QMS306", Q, r"^  - id: MT-02", [(Q, "    kpis: [KPI-DL-01]\n", ""), ("processes/QT-DL-01.yaml", "    objective: MT-02\n", "")]),
    Break("QMS307", HT01, r"^  - id: R-KS-01", [
        (HT01, "    treatment: {vi: Người yêu cầu đọc lại và ký xác nhận trước khi trình ký, "
               "en: Applicant re-reads and signs before the certificate is signed}\n", "")]),
    Break("QMS308", HT01, r"^  - id: R-KS-01", [(HT01, "    owner: pho_chanh_van_phong\n", "")]),
    Break("QMS350", Q, r"^    - id: pho_truong_phong_kinh_te", [
        (Q, "      responsibilities:\n        - {vi: Chủ trì cấp giấy phép xây dựng, en: Owns construction permitting}\n"
            "        - {vi: \"Chủ trì thủ tục đăng ký, cấp Giấy chứng nhận quyền sử dụng đất\", "
            "en: \"Owns land registration and land-use-right certificates\"}\n", "")]),
    Break("QMS351", Q, r"^      due: 2026-03-31", [(Q, "      due: 2027-12-31\n      evaluation: {vi: Báo cáo hằng tháng",
                                                      "      due: 2026-03-31\n      evaluation: {vi: Báo cáo hằng tháng")]),
    Break("QMS401", HT01, r"^document:", [
        (HT01, "  approved_by: {name: Trần Thị Bình, title: {vi: Phó Chủ tịch UBND, en: Vice-Chairperson}}\n", "")],
          message="controlled document `QT-HT-01` lacks `approved_by`"),
    Break("QMS402", HT01, r"^  effective_date: 2025-01-05", [
        (HT01, "  effective_date: 2026-01-05\n", "  effective_date: 2025-01-05\n")],
          message="review of `QT-HT-01` was due on 2026-01-05 (12 months after 2025-01-05)"),
]


def _copy_example(tmp: Path) -> Path:
    root = tmp / "example"
    root.mkdir()
    shutil.copy2(REPO / "qms.yaml", root / "qms.yaml")
    for name in ("processes", "records"):
        shutil.copytree(REPO / name, root / name)
    return root


def _line_of(text: str, anchor: str, nth: int) -> int:
    hits = [i for i, line in enumerate(text.splitlines(), start=1) if re.search(anchor, line)]
    assert len(hits) >= nth, f"anchor {anchor!r} not found"
    return hits[nth - 1]


@pytest.mark.parametrize("brk", BREAKS, ids=[b.code for b in BREAKS])
def test_rule_fires_on_broken_example(brk: Break, tmp_path: Path) -> None:
    root = _copy_example(tmp_path)
    clean = run_check(load_workspace(root), CheckOptions(select=[brk.code], profile="strict", today=TODAY))
    assert not clean.diagnostics, [d.message for d in clean.diagnostics]
    for rel, old, new in brk.edits:
        path = root / rel
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1, f"{rel}: the edit must match exactly once: {old!r}"
        path.write_text(text.replace(old, new), encoding="utf-8")
    line = _line_of((root / brk.path).read_text(encoding="utf-8"), brk.anchor, brk.nth)
    report = run_check(load_workspace(root), CheckOptions(select=[brk.code], profile="strict", today=TODAY))
    got = [(d.location.path, d.location.line, d.message) for d in report.diagnostics if d.code == brk.code]
    assert any(p == brk.path and ln == line for p, ln, _m in got), got
    if brk.message:
        assert any(m == brk.message for _p, _ln, m in got), got


def test_every_rule_of_these_families_is_broken_somewhere() -> None:
    codes = {r.code for family in (process_map, system, style) for r in family.RULES}
    assert codes == {b.code for b in BREAKS}


# ------------------------------------------------------------------------------------------------
# The longest-path search on graphs with cycles
# ------------------------------------------------------------------------------------------------


def _process(edges: dict[str, list[str]], n: int) -> Process:
    steps = []
    for i in range(n):
        sid = f"B{i + 1}"
        kind = "start" if i == 0 else ("end" if i == n - 1 else "task")
        steps.append(Step(id=sid, name=Text(vi=sid, en=sid), kind=kind, next=edges.get(sid, []) if i < n - 1 else []))
    return Process.model_validate({
        "id": "QT-X", "title": "x", "kind": "core", "owner": "o", "unit": "u", "purpose": "p", "scope": "s",
        "steps": [s.model_dump() for s in steps], "document": {"code": "QT-X"},
    })


def _random_edges(rng: random.Random, n: int, density: float) -> dict[str, list[str]]:
    edges: dict[str, list[str]] = {}
    for i in range(n - 1):
        targets = {f"B{i + 2}"}
        targets.update(f"B{j + 1}" for j in range(n) if j != i and rng.random() < density)
        edges[f"B{i + 1}"] = sorted(targets)
    return edges


def _brute_force(g: StepGraph, start: str, weight: dict[str, float]) -> float:
    best = 0.0
    ends = set(g.ends())

    def walk(node: str, seen: set[str], total: float) -> None:
        nonlocal best
        if node in ends:
            best = max(best, total)
        for nxt in g.succ[node]:
            if nxt not in seen:
                walk(nxt, seen | {nxt}, total + weight[nxt])

    walk(start, {start}, weight[start])
    return best


def test_longest_path_is_a_valid_simple_path_and_exact_on_dags() -> None:
    rng = random.Random(20261128)
    for _ in range(200):
        n = rng.randint(2, 8)
        g = StepGraph.of(_process(_random_edges(rng, n, 0.3), n))
        weight = {s: float(rng.randint(1, 9)) for s in g.order}
        total, path = g.longest_path("B1", weight)
        assert path[0] == "B1"
        assert g.steps[path[-1]].kind == "end"
        assert len(set(path)) == len(path), "a loop was traversed twice"
        assert all(b in g.succ[a] for a, b in itertools.pairwise(path))
        assert total == sum(weight[s] for s in path)
        exact = _brute_force(g, "B1", weight)
        assert total <= exact
        if not g.components() or all(len(c) == 1 and c[0] not in g.succ[c[0]] for c in g.components()):
            assert total == exact


def test_longest_path_is_bounded_on_dense_cyclic_graphs() -> None:
    rng = random.Random(7)
    n = 30
    g = StepGraph.of(_process(_random_edges(rng, n, 0.5), n))
    weight = dict.fromkeys(g.order, 1.0)
    started = time.perf_counter()
    total, path = g.longest_path("B1", weight)
    assert time.perf_counter() - started < 0.5
    assert len(set(path)) == len(path)
    assert path[0] == "B1"
    assert path[-1] == f"B{n}"
    assert all(b in g.succ[a] for a, b in itertools.pairwise(path))
    assert total == len(path)
