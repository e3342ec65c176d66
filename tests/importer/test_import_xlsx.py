"""``qms import xlsx``: the provincial list of administrative procedures → skeleton procedures."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "examples" / "word"))

from generate import _xlsx  # noqa: E402


def _list(path: Path, n: int) -> Path:
    rows = [["DANH MỤC THỦ TỤC HÀNH CHÍNH"],
            ["Cơ chế", "Tên thủ tục hành chính", "STT", "Lĩnh vực", "Mã TTHC", "Thời hạn giải quyết",
             "Phí, lệ phí", "Căn cứ pháp lý", "Địa điểm thực hiện"]]
    for i in range(1, n + 1):
        rows.append(["Liên thông" if i % 3 == 0 else "Một cửa", f"Thủ tục thử số {i}", str(i), "Đất đai",
                     f"9.{i:06d}", "05 ngày làm việc" if i % 2 else "15 ngày", "Miễn phí",
                     "Luật Đất đai 2024; Nghị định 123/2015/NĐ-CP", "Bộ phận Một cửa"])
    _xlsx(path, rows)
    return path


def test_skeletons_fill_the_administrative_fields_and_check_with_warnings(example_copy: Path, run_qms,
                                                                          tmp_path: Path) -> None:
    """Items 5, 16: headers in any order under a title row; ids from document_codes; mã TTHC kept; steps
    missing is a warning, so a fresh import does not fail qms check."""
    src = _list(tmp_path / "list.xlsx", 12)
    r = run_qms("import", "xlsx", str(src), "--format", "json", cwd=example_copy)
    assert r.exit_code == 0, r.stderr
    report = json.loads(r.stdout)
    assert len(report["skeletons"]) == 12 and report["written"]
    ids = [s["id"] for s in report["skeletons"]]
    assert len(set(ids)) == 12 and all(i.startswith("QT-DD-") for i in ids)
    assert "QT-DD-01" not in ids  # the example organisation already has QT-DD-01
    first = yaml.safe_load(Path(report["skeletons"][0]["draft"]).read_text(encoding="utf-8"))
    adm = first["administrative"]
    assert adm["code"] == "9.000001" and adm["time_limit"] == "5d" and adm["fee"]["amount_vnd"] == 0
    assert first["steps"] == [] and first["document"]["state"] == "draft"
    assert first["references"][1]["id"] == "Nghị định 123/2015/NĐ-CP"
    third = yaml.safe_load(Path(report["skeletons"][2]["draft"]).read_text(encoding="utf-8"))
    assert any("liên thông" in n["text"] for n in third["internal_notes"])
    second = Path(report["skeletons"][1]["draft"]).read_text(encoding="utf-8")
    # the skeleton speaks the organisation's language (Vietnamese) although messages are in English
    assert "time_limit: 15cd" in second and "cần xác nhận đơn vị" in second and "unit to confirm" not in second
    r = run_qms("check", "--format", "json", cwd=example_copy)
    assert r.exit_code == 0, r.stdout
    found = json.loads(r.stdout)["diagnostics"]
    missing = [d for d in found if d["code"] == "QMS220" and "no steps" in d["message"]]
    assert len(missing) == 12 and {d["severity"] for d in missing} == {"warning"}


def test_reimport_is_refused_without_force_and_keeps_ids(example_copy: Path, run_qms, tmp_path: Path) -> None:
    """Item 16: a second import of the same list maps each mã TTHC to its skeleton; without --force nothing
    is replaced."""
    src = _list(tmp_path / "list.xlsx", 3)
    first = json.loads(run_qms("import", "xlsx", str(src), "--format", "json", cwd=example_copy).stdout)
    r = run_qms("import", "xlsx", str(src), cwd=example_copy)
    assert r.exit_code == 2 and "--force" in r.stderr
    again = json.loads(run_qms("import", "xlsx", str(src), "--force", "--format", "json", cwd=example_copy).stdout)
    assert [s["id"] for s in again["skeletons"]] == [s["id"] for s in first["skeletons"]]


def test_list_without_headers_is_refused(example_copy: Path, run_qms, tmp_path: Path) -> None:
    """Item 5: a sheet without a recognisable header row exits 2 and names the expected columns."""
    src = tmp_path / "bad.xlsx"
    _xlsx(src, [["a", "b"], ["1", "2"]])
    r = run_qms("import", "xlsx", str(src), cwd=example_copy)
    assert r.exit_code == 2 and "Tên TTHC" in r.stderr
