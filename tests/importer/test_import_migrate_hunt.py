"""Round 9 (real use): a 2008-era agency brings its Word procedures in and migrates them.

The procedure is built with python-docx as such an agency writes it: the control table, the approval
block, "MỤC ĐÍCH" / "PHẠM VI" / "NỘI DUNG QUY TRÌNH" headings, a steps table whose decision reads
"Nếu … thì …; nếu … thì …", and the 2008 clause references of the corrective and preventive action
procedure (8.5.2, 8.5.3 "hành động phòng ngừa").
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import yaml
from docx import Document

REPO = Path(__file__).resolve().parents[2]
CITY_2008 = REPO / "examples" / "iso2008-city"


def _table(doc: Any, rows: list[list[str]]) -> None:
    t = doc.add_table(rows=len(rows), cols=len(rows[0]))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            t.cell(r, c).text = text


def build_2008_procedure(path: Path) -> Path:
    doc = Document()
    t = doc.add_table(rows=3, cols=3)
    t.cell(0, 0).merge(t.cell(2, 0)).text = "UBND THÀNH PHỐ HÒA GIANG"
    t.cell(0, 1).merge(t.cell(2, 1)).text = "QUY TRÌNH\nHÀNH ĐỘNG KHẮC PHỤC VÀ PHÒNG NGỪA"
    for r, text in enumerate(("Mã hiệu: QT-HT-05", "Lần ban hành: 01\nNgày ban hành: 12/05/2012", "Trang: 1/4")):
        t.cell(r, 2).text = text
    doc.add_heading("1. MỤC ĐÍCH", 1)
    doc.add_paragraph("Quy định cách thực hiện hành động khắc phục và hành động phòng ngừa theo điều 8.5.2 "
                      "và 8.5.3 của TCVN ISO 9001:2008.")
    doc.add_heading("2. PHẠM VI", 1)
    doc.add_paragraph("Áp dụng cho các phòng thuộc UBND thành phố.")
    doc.add_heading("3. TÀI LIỆU VIỆN DẪN", 1)
    doc.add_paragraph("- TCVN ISO 9001:2008, điều 4.2.3, 4.2.4, 8.5.3")
    doc.add_heading("4. NỘI DUNG QUY TRÌNH", 1)
    _table(doc, [["Bước", "Nội dung công việc", "Trách nhiệm", "Thời gian"],
                 ["1", "Lập phiếu yêu cầu hành động phòng ngừa", "Thư ký ISO", "Trong ngày"],
                 ["2", "Nếu không cần hành động thì lưu hồ sơ; nếu cần thì đề xuất biện pháp khắc phục",
                  "Trưởng phòng Tư pháp", "02 ngày làm việc"],
                 ["3", "Thực hiện và theo dõi hiệu lực", "Thư ký ISO", "05 ngày làm việc"]])
    doc.save(str(path))
    return path


def test_a_2008_word_procedure_in_a_2008_repository_is_migrated_once(tmp_path: Path, run_qms) -> None:
    """M1: importing a 2008 Word procedure into a repository that still declares ISO 9001:2008 keeps the
    2008 clause numbers (and says so), so that `qms migrate apply` migrates it once with the rest of the
    system. Before, the draft held 2015 numbers already: `qms check` took 7.5.2 for the 2008 clause and
    `qms migrate apply` moved it a second time, to 8.5.1 (production and service provision)."""
    city = tmp_path / "city"
    shutil.copytree(CITY_2008, city)
    source = build_2008_procedure(tmp_path / "QT-HT-05.docx")
    r = run_qms("--lang", "vi", "import", "docx", str(source), "--from", "2008", cwd=city)
    assert r.exit_code == 0, r.stderr
    assert "ISO 9001:2008" in r.stdout and "qms migrate apply" in r.stdout  # the user is told why and what next
    draft = yaml.safe_load((city / "processes" / "QT-HT-05.yaml").read_text(encoding="utf-8"))
    assert draft["clauses"] == ["4.2.3", "4.2.4", "8.5.3", "8.5.2"]
    r = run_qms("migrate", "apply", cwd=city)
    assert r.exit_code == 0, r.stderr
    migrated = yaml.safe_load((city / "processes" / "QT-HT-05.yaml").read_text(encoding="utf-8"))
    assert "7.5.2" in migrated["clauses"] and "10.2" in migrated["clauses"], migrated["clauses"]
    assert not {"8.5.1", "7.1.1", "7.1.2"} & set(migrated["clauses"]), migrated["clauses"]


def test_the_then_branch_of_a_two_case_sentence_stops_at_the_other_case(tmp_path: Path, example_copy: Path,
                                                                       run_qms) -> None:
    """M3: "Nếu không cần hành động thì lưu hồ sơ; nếu cần thì đề xuất biện pháp khắc phục" is a decision
    whose "thì" branch is "Lưu hồ sơ"; the other case is the next step. Before, the branch step was named
    "Lưu hồ sơ; nếu cần thì đề xuất biện pháp khắc phục", an end of the flow that says to go on."""
    source = build_2008_procedure(tmp_path / "QT-HT-05.docx")
    out = tmp_path / "drafts"
    r = run_qms("import", "docx", str(source), "--out", str(out), cwd=example_copy)
    assert r.exit_code == 0, r.stderr
    steps = {s["id"]: s for s in yaml.safe_load((out / "QT-HT-05.yaml").read_text(encoding="utf-8"))["steps"]}
    decision = steps["B2"]["decision"]
    assert [b["next"] for b in decision["branches"]] == ["B2a", "B3"], decision
    assert steps["B2a"]["name"] == "Lưu hồ sơ", steps["B2a"]
    assert steps["B2"]["name"].endswith("nếu cần thì đề xuất biện pháp khắc phục")  # the sentence is kept whole


def test_a_migrated_clause_list_reads_as_clauses_not_as_python(tmp_path: Path, example_copy: Path, run_qms) -> None:
    """M4: the clauses a 2008 citation moves to read "4.2.3 → 7.5.2, 7.5.3" in the import summary, the
    draft's verification notes and the import review report. Before, all three showed the Python list
    "['7.5.2', '7.5.3']"."""
    source = build_2008_procedure(tmp_path / "QT-HT-05.docx")
    out, report = tmp_path / "drafts", tmp_path / "report.html"
    r = run_qms("--lang", "vi", "import", "docx", str(source), "--out", str(out), cwd=example_copy)
    assert r.exit_code == 0, r.stderr
    draft = (out / "QT-HT-05.yaml").read_text(encoding="utf-8")
    # the report of a dry run (no findings to check): the same table of clause changes, at a fraction of the time
    dry = run_qms("--lang", "vi", "import", "docx", str(source), "--dry-run", "--report", str(report), cwd=example_copy)
    assert dry.exit_code == 0, dry.stderr
    html = report.read_text(encoding="utf-8")
    assert "/clauses/0 4.2.3 → 7.5.2, 7.5.3 (cần xác nhận)" in r.stdout, r.stdout
    assert "/clauses/0: 4.2.3 → 7.5.2, 7.5.3 (cần xác nhận;" in draft
    assert "<td>4.2.3</td><td>7.5.2, 7.5.3</td>" in html
    for text in (r.stdout, draft, html):
        assert "['" not in text and "[&#39;" not in text


def test_a_phase_row_across_the_steps_table_is_not_a_step(tmp_path: Path, example_copy: Path, run_qms) -> None:
    """M6: a row merged across the whole steps table ("Giai đoạn 1: Tiếp nhận", a phase heading many
    agencies use) is kept as an internal note at its row, not read as a step. Before, it became a step
    whose name, responsible, duration and output were all "Giai đoạn 1: Tiếp nhận", and a role
    `giai_doan_1_tiep_nhan` was proposed for qms.yaml."""
    doc = Document()
    doc.add_paragraph("MỤC ĐÍCH")
    doc.add_paragraph("Quy định trình tự chứng thực bản sao từ bản chính.")
    doc.add_paragraph("NỘI DUNG QUY TRÌNH")
    rows = [["TT", "Trình tự công việc", "Trách nhiệm", "Thời gian"],
            ["Giai đoạn 1: Tiếp nhận", "", "", ""],
            ["1", "Tiếp nhận, kiểm tra bản chính", "CB một cửa", "15 phút"],
            ["Giai đoạn 2: Xử lý", "", "", ""],
            ["2", "Ký chứng thực", "Chủ tịch UBND", "04 giờ"]]
    t = doc.add_table(rows=len(rows), cols=4)
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            if text:
                t.cell(r, c).text = text
    for r in (1, 3):
        t.cell(r, 0).merge(t.cell(r, 3)).text = rows[r][0]
    source = tmp_path / "QT-TP-09.docx"
    doc.save(str(source))
    out = tmp_path / "drafts"
    r = run_qms("import", "docx", str(source), "--out", str(out), "--format", "json", cwd=example_copy)
    assert r.exit_code == 0, r.stderr
    report = json.loads(r.stdout)["documents"][0]
    assert report["proposed_roles"] == []
    assert [u["text"] for u in report["unmapped"]] == ["Giai đoạn 1: Tiếp nhận", "Giai đoạn 2: Xử lý"]
    draft = yaml.safe_load((out / "QT-TP-09.yaml").read_text(encoding="utf-8"))
    assert [s["name"] for s in draft["steps"]] == ["Tiếp nhận, kiểm tra bản chính", "Ký chứng thực"]
    assert {n["text"] for n in draft["internal_notes"]} >= {"Giai đoạn 1: Tiếp nhận", "Giai đoạn 2: Xử lý"}


def test_a_time_cell_merged_over_two_steps_is_counted_once(tmp_path: Path, example_copy: Path, run_qms) -> None:
    """M7: "15 phút" in one "Thời gian" cell merged down over steps 1 and 2 is the time of both: the draft
    gives it to step 1 only and says so in a verification note. Before, both steps got 15 minutes, so the
    procedure's total time counted it twice."""
    doc = Document()
    doc.add_paragraph("MỤC ĐÍCH")
    doc.add_paragraph("Quy định trình tự chứng thực bản sao từ bản chính.")
    doc.add_paragraph("NỘI DUNG QUY TRÌNH")
    rows = [["TT", "Trình tự công việc", "Trách nhiệm", "Thời gian"],
            ["1", "Tiếp nhận bản chính", "CB một cửa", "15 phút"],
            ["2", "Đối chiếu bản sao với bản chính", "", ""],
            ["3", "Ký chứng thực", "Chủ tịch UBND", "04 giờ"]]
    t = doc.add_table(rows=len(rows), cols=4)
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            if text:
                t.cell(r, c).text = text
    t.cell(1, 2).merge(t.cell(2, 2))
    t.cell(1, 3).merge(t.cell(2, 3))
    source = tmp_path / "QT-TP-10.docx"
    doc.save(str(source))
    out = tmp_path / "drafts"
    r = run_qms("--lang", "vi", "import", "docx", str(source), "--out", str(out), cwd=example_copy)
    assert r.exit_code == 0, r.stderr
    draft = yaml.safe_load((out / "QT-TP-10.yaml").read_text(encoding="utf-8"))
    steps = draft["steps"]
    assert [s.get("duration") for s in steps] == ["0.25h", None, "4h"], steps
    assert steps[1]["responsible"] == steps[0]["responsible"]  # a merged responsibility still applies to both
    assert any("15 phút" in n["text"] and "ô gộp" in n["text"] for n in draft["internal_notes"])


def test_a_dry_run_says_that_two_files_share_a_code(tmp_path: Path, example_copy: Path, run_qms) -> None:
    """M8: two Word files with the same Mã hiệu (a procedure saved twice under two names) get a warning in
    `--dry-run`, which the real run refuses. Before, the dry run listed both as fine drafts of the same
    file and only the real run said they clash."""
    one = build_2008_procedure(tmp_path / "QT-HT-05.docx")
    two = build_2008_procedure(tmp_path / "QT-HT-05 (ban sao).docx")
    r = run_qms("import", "docx", str(one), str(two), "--dry-run", "--format", "json", cwd=example_copy)
    assert r.exit_code == 0, r.stderr
    docs = json.loads(r.stdout)["documents"]
    assert not any("same code" in w for w in docs[0]["warnings"])
    assert any("same code QT-HT-05 as QT-HT-05.docx" in w for w in docs[1]["warnings"]), docs[1]["warnings"]
    r = run_qms("import", "docx", str(one), str(two), cwd=example_copy)
    assert r.exit_code == 2 and "would write the same draft" in r.stderr
