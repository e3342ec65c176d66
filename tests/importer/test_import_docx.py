"""``qms import docx`` on every file of ``examples/word/``: the drafts load, and ``qms check`` either
passes them or every finding it draws in a draft sits on a line that says where in the Word file the
field came from."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
WORD = REPO / "examples" / "word"
DOCS = sorted(WORD.glob("*.docx"))


def test_the_example_set_covers_the_layouts() -> None:
    """Item 9/17: 2008- and 2015-era, table and paragraphs, merged cells, LibreOffice re-saves."""
    names = {p.name for p in DOCS}
    assert len(names) >= 7
    assert any("2008" in n for n in names) and any("2015" in n for n in names)
    assert sum(n.endswith("-lo.docx") for n in names) >= 2
    assert (WORD / "generate.py").is_file()


def test_the_generator_reproduces_the_set(tmp_path: Path) -> None:
    """Item 9: the committed files come from the committed script (python-docx files byte for byte)."""
    import subprocess

    subprocess.run([sys.executable, str(WORD / "generate.py"), "--out", str(tmp_path)], check=True,
                   capture_output=True, timeout=120)
    for made in tmp_path.glob("*.docx"):
        assert made.read_bytes() == (WORD / made.name).read_bytes(), made.name


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_example_imports_and_checks(doc: Path, example_copy: Path, run_qms, tmp_path: Path) -> None:
    """Item 1: one draft per document; it loads, and each finding in it points at a commented line."""
    r = run_qms("import", "docx", str(doc), "--format", "json", cwd=example_copy)
    assert r.exit_code == 0, r.stderr
    report = json.loads(r.stdout)
    (entry,) = report["documents"]
    assert entry["problems"] == []
    draft = Path(entry["draft"])
    text = draft.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    assert data["steps"], "every example has steps"
    assert data["document"]["state"] == "draft"
    r = run_qms("check", "--format", "json", cwd=example_copy)
    findings = json.loads(r.stdout)["diagnostics"]
    lines = text.splitlines()
    rel = draft.relative_to(example_copy).as_posix()
    mine = [f for f in findings if f["path"] == rel]
    for f in mine:
        line = lines[f["line"] - 1]
        assert doc.name in line or "giá trị tạm" in line, (f, line)  # the draft speaks the organisation's language
    assert not [f for f in findings if f["path"] != rel and f["severity"] == "error"]
    # item 12: every placeholder is a finding at the field it fills (QMS126), valid values included
    noted = {n["about"] for n in data.get("internal_notes", []) if str(n.get("about", "")).startswith("/")
             and "giá trị tạm" in str(n.get("text", ""))}
    flagged = [f["pointer"] for f in mine if f["code"] == "QMS126"]
    assert noted and len(flagged) == len(noted)
    if "/kind" in noted:
        assert "/kind" in flagged


def test_steps_table_with_next_column_gives_the_graph(example_copy: Path, run_qms) -> None:
    """Items 2, 13, 14: "Bước tiếp theo" with "Có: 3; Không: 5" becomes a decision; durations as written."""
    r = run_qms("import", "docx", str(WORD / "QT-TP-01-2015-bang.docx"), cwd=example_copy)
    assert r.exit_code == 0, r.stderr
    text = (example_copy / "processes" / "QT-TP-01.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    steps = {s["id"]: s for s in data["steps"]}
    assert steps["B2"]["kind"] == "decision"
    assert [(b["label"], b["next"]) for b in steps["B2"]["decision"]["branches"]] == [("Có", "B3"), ("Không", "B5")]
    assert steps["B1"]["next"] == ["B2"] and steps["B4"]["next"] == ["B6"]
    assert steps["B3"]["duration"] == "2d"  # 02 ngày làm việc
    assert steps["B2"]["duration"] == "0.5d"  # ½ ngày
    assert steps["B6"]["duration"] == "1d"  # Trong ngày
    assert steps["B1"]["responsible"] == "can_bo_mot_cua"  # "CB một cửa"
    # the draft is in the organisation's language (Vietnamese), whatever the language of messages
    assert re.search(r"duration: 0\.5d  # .*bảng 4, dòng 3; \"½ ngày\"; cần xác nhận đơn vị", text)
    assert data["records"][0]["retention"] == "permanent" and data["records"][1]["retention"] == {"years": 5}
    assert data["document"]["history"][0]["revision"] == 1
    assert data["document"]["approved_by"]["name"] == "Lê Văn Cường"
    # the reviewer signs as "Trưởng phòng Tư pháp": the unit tu_phap is the lead unit, never the owner (a role)
    assert data["unit"] == "tu_phap" and data["owner"] != "tu_phap"


@pytest.mark.parametrize("name", ["QT-QLDT-03-o-gop.docx", "QT-QLDT-03-o-gop-lo.docx"])
def test_merged_cells(name: str, example_copy: Path, run_qms) -> None:
    """Items 2, 17: vertically merged "Trách nhiệm" and step cells, columns in another order, header in
    the page header; python-docx's and LibreOffice's merges read alike."""
    r = run_qms("import", "docx", str(WORD / name), "--format", "json", cwd=example_copy)
    assert r.exit_code == 0, r.stderr
    data = yaml.safe_load((example_copy / "processes" / "QT-QLDT-03.yaml").read_text(encoding="utf-8"))
    resp = [s.get("responsible") for s in data["steps"]]
    assert resp == ["can_bo_mot_cua", "chuyen_vien_qldt", "chuyen_vien_qldt", "truong_phong_qldt", "lanh_dao"]
    assert data["steps"][0]["description"] == "Chuyển hồ sơ cho Phòng Quản lý đô thị"
    assert data["document"]["revision"] == 3 and data["title"].startswith("Cấp giấy phép")


def test_paragraph_steps_2008_and_decision(example_copy: Path, run_qms) -> None:
    """Items 2, 3, 4, 14: "Bước N:" paragraphs, "Nếu … thì …", calendar days to confirm, 2008 clauses
    migrated with the migration's log and confidence, proposed roles."""
    r = run_qms("import", "docx", str(WORD / "QT-NV-02-2008-doan-van.docx"), "--format", "json", cwd=example_copy)
    assert r.exit_code == 0, r.stderr
    report = json.loads(r.stdout)["documents"][0]
    assert report["edition"] == "2008"
    changes = report["migration"]["changes"]
    assert any(c["action"] == "clause" and c["before"] == "7.5.1" for c in changes)
    assert {c["confidence"] for c in changes} <= {"certain", "to confirm"}
    data = yaml.safe_load(Path(report["draft"]).read_text(encoding="utf-8"))
    assert "7.5.1" not in data["clauses"]
    steps = {s["id"]: s for s in data["steps"]}
    assert steps["B2"]["duration"] == "15cd"  # "Không quá 15 ngày": calendar days, to confirm
    assert steps["B3"]["kind"] == "decision"
    assert steps["B4"]["responsible"] == "lanh_dao"  # "LĐ UBND"
    assert "chuyen_vien_phu_trach" in report["proposed_roles"]
    notes = " ".join(n["text"] for n in data["internal_notes"])
    assert "cần xác nhận đơn vị" in notes
    # the migration's notes name their evidence in words, never the correlation table's raw tags
    assert "căn cứ 8.5.1: ghi theo trí nhớ (cần xác nhận)" in notes
    assert not re.search(r"\brecalled\b|inverse-of|seen_", notes), notes


def test_numbering_tracked_changes_comments_and_tcvn3(example_copy: Path, run_qms) -> None:
    """Item 11: steps in automatic numbering, a pending insertion read as accepted, a deletion dropped,
    a reviewer's comment beside its step (--comments), a .VnTime paragraph converted, NFD headings."""
    r = run_qms("import", "docx", str(WORD / "QT-VP-04-danh-so-tu-dong.docx"), "--comments", "--format", "json",
                cwd=example_copy)
    assert r.exit_code == 0, r.stderr
    report = json.loads(r.stdout)["documents"][0]
    converted = " ".join(report["converted"])
    assert "tracked changes" in converted and "TCVN3" in converted and "automatic numbering" in converted
    data = yaml.safe_load(Path(report["draft"]).read_text(encoding="utf-8"))
    assert [s["id"] for s in data["steps"]] == ["B1", "B2", "B3"]
    assert data["steps"][1]["name"].endswith("và chỉ đạo giải quyết") and "bản giấy" not in data["steps"][1]["name"]
    assert data["purpose"] == "quản lý thống nhất văn bản đến của cơ quan."
    assert data["scope"] == "Văn phòng UBND thành phố."
    note = next(n for n in data["internal_notes"] if n["about"] == "/steps/0")
    assert note["text"].startswith("Trần Thị Bình: Nên ghi rõ")


def test_administrative_fields(example_copy: Path, run_qms) -> None:
    """Item 2: the one-stop fields (thành phần hồ sơ, số bộ, thời hạn, phí, nơi tiếp nhận)."""
    r = run_qms("import", "docx", str(WORD / "QT-HT-07-tthc.docx"), cwd=example_copy)
    assert r.exit_code == 0, r.stderr
    data = yaml.safe_load((example_copy / "processes" / "QT-HT-07.yaml").read_text(encoding="utf-8"))
    adm = data["administrative"]
    assert adm["time_limit"] == "1d" and adm["dossier_sets"] == 1
    assert adm["fee"]["amount_vnd"] == 0
    assert adm["dossier"][1]["form"] == "certified_copy"
    assert adm["place"].startswith("Bộ phận Một cửa")
    assert all(ref["legal_basis"] for ref in data["references"])


def test_dry_run_diff_force_and_defaults(example_copy: Path, run_qms, tmp_path: Path) -> None:
    """Items 1, 12, 15: --dry-run writes nothing; a second import is refused without --force; --diff shows the
    change and writes nothing; --defaults fills owner, unit and kind."""
    doc = str(WORD / "QT-VP-04-danh-so-tu-dong.docx")
    target = example_copy / "processes" / "QT-VP-04.yaml"
    r = run_qms("import", "docx", doc, "--dry-run", cwd=example_copy)
    assert r.exit_code == 0 and not target.exists()
    assert run_qms("import", "docx", doc, cwd=example_copy).exit_code == 0
    before = target.read_bytes()
    defaults = tmp_path / "defaults.yaml"
    defaults.write_text("owner: chanh_van_phong\nunit: van_phong\nkind: support\n", encoding="utf-8")
    r = run_qms("import", "docx", doc, "--defaults", str(defaults), cwd=example_copy)
    assert r.exit_code == 2 and "--force" in r.stderr and target.read_bytes() == before
    r = run_qms("import", "docx", doc, "--defaults", str(defaults), "--diff", cwd=example_copy)
    assert r.exit_code == 0 and "-owner: chua_xac_dinh" in r.stdout and "+owner: chanh_van_phong" in r.stdout
    assert target.read_bytes() == before
    r = run_qms("import", "docx", doc, "--defaults", str(defaults), "--force", cwd=example_copy)
    assert r.exit_code == 0
    data = yaml.safe_load(target.read_text(encoding="utf-8"))
    assert (data["owner"], data["unit"], data["kind"]) == ("chanh_van_phong", "van_phong", "support")


def test_add_roles_patches_qms_yaml(example_copy: Path, run_qms) -> None:
    """Item 3: proposed roles go into qms.yaml only with --add-roles; the draft then has no unknown role."""
    manifest = example_copy / "qms.yaml"
    before = manifest.read_text(encoding="utf-8")
    r = run_qms("import", "docx", str(WORD / "QT-VP-04-danh-so-tu-dong.docx"), cwd=example_copy)
    assert r.exit_code == 0 and manifest.read_text(encoding="utf-8") == before
    assert "van_thu" in r.stdout
    r = run_qms("import", "docx", str(WORD / "QT-VP-04-danh-so-tu-dong.docx"), "--force", "--add-roles",
                cwd=example_copy)
    assert r.exit_code == 0, r.stderr
    after = manifest.read_text(encoding="utf-8")
    assert "id: van_thu" in after and after.startswith(before.split("\n", 1)[0])
    r = run_qms("check", "--format", "json", cwd=example_copy)
    assert "unknown role `van_thu`" not in r.stdout
