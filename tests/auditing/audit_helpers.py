"""Builders for the audit tests' small agency."""

from __future__ import annotations

from pathlib import Path

MANIFEST = """\
standard: ISO 9001:2015
organisation:
  name: {vi: UBND xã Thử, en: Test Commune PC}
  units:
    - {id: lanh_dao, name: {vi: Lãnh đạo, en: Leadership}}
    - {id: mot_cua, name: {vi: Bộ phận Một cửa, en: One-stop desk}, one_stop_desk: true}
    - {id: tu_phap, name: {vi: Phòng Tư pháp, en: Justice Division}}
    - {id: noi_vu, name: {vi: Phòng Nội vụ, en: Home Affairs Division}}
    - {id: van_phong, name: {vi: Văn phòng, en: Office}}
  roles:
    - {id: chu_tich, title: {vi: Chủ tịch, en: Chairperson}, unit: lanh_dao}
    - {id: can_bo_mot_cua, title: {vi: Công chức một cửa, en: One-stop officer}, unit: mot_cua}
    - {id: tu_phap_ho_tich, title: {vi: Công chức tư pháp, en: Justice officer}, unit: tu_phap}
    - {id: truong_noi_vu, title: {vi: Trưởng phòng Nội vụ, en: Head of Home Affairs}, unit: noi_vu}
    - {id: thu_ky_iso, title: {vi: Thư ký ISO, en: ISO secretary}, unit: van_phong}
  people:
    - {id: an, name: Nguyễn Văn An, role: chu_tich, unit: lanh_dao}
    - {id: binh, name: Trần Thị Bình, role: tu_phap_ho_tich, unit: tu_phap, auditor: true}
    - {id: cuong, name: Lê Văn Cường, role: can_bo_mot_cua, unit: mot_cua, auditor: true}
    - {id: dung, name: Phạm Thị Dung, role: truong_noi_vu, unit: noi_vu, auditor: true}
    - {id: giang, name: Vũ Thị Giang, role: thu_ky_iso, unit: van_phong, auditor: true}
scope:
  statement: {vi: Giải quyết thủ tục hành chính, en: Handling administrative procedures}
  applicability:
    - {clause: "8.3", applicable: false, justification: {vi: Không thiết kế, en: No design}}
policy:
  text: {vi: Minh bạch, en: Transparent}
objectives:
  - id: MT-01
    statement: {vi: 98% đúng hạn, en: 98% on time}
    measure: on_time_rate
    target: ">= 98%"
    plan:
      what: {vi: Theo dõi, en: Track}
      resources: {vi: Phần mềm, en: Software}
      responsible: truong_noi_vu
      due: 2027-12-31
      evaluation: {vi: Báo cáo, en: Report}
forms:
  - {code: BM-01, title: {vi: Giấy tiếp nhận, en: Receipt slip}}
  - {code: BM-06, title: {vi: Sổ theo dõi hồ sơ, en: Dossier tracking log}}
"""

PROCESS = """\
id: {id}
title: {{vi: "{title_vi}", en: "{title_en}"}}
kind: core
owner: tu_phap_ho_tich
unit: tu_phap
purpose: {{vi: Mục đích, en: Purpose}}
scope: {{vi: Phạm vi, en: Scope}}
references:
  - {{id: NĐ 23/2015/NĐ-CP, legal_basis: true}}
clauses: ["8.1", "8.5.1", "7.5.3"]
administrative:
  code: "{code}"
  time_limit: 2d
  place: {{vi: Bộ phận Một cửa, en: the one-stop desk}}
steps:
  - {{id: B1, kind: start, name: {{vi: Tiếp nhận, en: Receive}}, responsible: can_bo_mot_cua, duration: 1h,
      forms: [BM-01], next: [B3]}}
  - {{id: B3, name: {{vi: Thẩm định hồ sơ, en: Examine the dossier}}, responsible: tu_phap, duration: 2d,
      records: [BM-03], next: [B4]}}
  - {{id: B4, kind: end, name: {{vi: Trả kết quả, en: Return the result}}, responsible: can_bo_mot_cua, duration: 1h}}
records:
  - {{code: BM-03, title: {{vi: Sổ chứng thực, en: Certification register}}, retention: 5 years,
      location: {{vi: Phòng Tư pháp, en: Justice Division archive}}}}
kpis:
  - {{id: KPI-{n}, name: {{vi: Tỷ lệ đúng hạn, en: On-time rate}}, target: ">= 98%", frequency: monthly}}
risks:
  - {{id: R-{n}, description: {{vi: Giả mạo, en: Forgery}}, likelihood: {likelihood}, impact: 4,
      treatment: {{vi: Đối chiếu, en: Compare with the original}}}}
document:
  code: {id}
  effective_date: {effective}
"""


def write_process(root: Path, pid: str, *, n: int = 1, title_vi: str = "Chứng thực bản sao",
                  title_en: str = "Certified copies", code: str = "1.000001", likelihood: int = 1,
                  effective: str = "2020-01-01") -> None:
    text = PROCESS.format(id=pid, n=n, title_vi=title_vi, title_en=title_en, code=code, likelihood=likelihood,
                          effective=effective)
    (root / "processes").mkdir(parents=True, exist_ok=True)
    (root / "processes" / f"{pid}.yaml").write_text(text, encoding="utf-8")
