"""A provincial decision's list as it is really published (round 7, real use): title rows, the lĩnh vực as
group rows ("I | LĨNH VỰC HỘ TỊCH") instead of a column, legal bases one per line with dashes, and a time
limit that names a clock hour ("sau 15 giờ")."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "examples" / "word"))

from generate import _xlsx  # noqa: E402

ROWS = [
    ["UỶ BAN NHÂN DÂN TỈNH NGHỆ AN"],
    ["DANH MỤC THỦ TỤC HÀNH CHÍNH THUỘC THẨM QUYỀN GIẢI QUYẾT CỦA UBND CẤP XÃ"],
    ["(Kèm theo Quyết định số 1234/QĐ-UBND ngày 15/7/2025 của Chủ tịch UBND tỉnh)"],
    [],
    ["STT", "Mã TTHC", "Tên thủ tục hành chính", "Thời hạn giải quyết", "Địa điểm thực hiện", "Phí, lệ phí",
     "Căn cứ pháp lý"],
    ["I", "LĨNH VỰC HỘ TỊCH"],
    ["1", "1.001193", "Thủ tục đăng ký khai sinh",
     "Ngay trong ngày tiếp nhận hồ sơ; trường hợp nhận hồ sơ sau 15 giờ mà không giải quyết được ngay thì trả "
     "kết quả trong ngày làm việc tiếp theo", "UBND xã", "Miễn lệ phí",
     "- Luật Hộ tịch 2014;\n- Nghị định 123/2015/NĐ-CP."],
    ["2", "1.000894", "Thủ tục đăng ký kết hôn", "03 ngày làm việc", "UBND xã", "Miễn lệ phí", "Luật Hộ tịch 2014"],
    ["II", "LĨNH VỰC CHỨNG THỰC"],
    ["1", "2.000815", "Chứng thực bản sao từ bản chính", "Trong ngày", "UBND xã", "2.000 đồng/trang",
     "Nghị định 23/2015/NĐ-CP"],
]


def test_group_rows_dashed_bases_and_clock_hours(example_copy: Path, run_qms, tmp_path: Path) -> None:
    """X1: the group rows give each procedure its lĩnh vực (ids QT-HT-…, QT-CT-…; the purpose names it) and are
    not reported as skipped; a cell of dash-listed legal bases gives one reference each, without the dashes;
    "Ngay trong ngày …; … sau 15 giờ …" is a same-day limit (1d, the text kept as the note), not 15 hours."""
    src = tmp_path / "danh-muc.xlsx"
    _xlsx(src, ROWS)
    out = tmp_path / "drafts"
    r = run_qms("import", "xlsx", str(src), "--out", str(out), "--format", "json", cwd=example_copy)
    assert r.exit_code == 0, (r.stdout, r.stderr)
    report = json.loads(r.stdout)
    assert [s["id"] for s in report["skeletons"]] == ["QT-HT-01", "QT-HT-02", "QT-CT-01"], report
    assert report["skipped"] == []
    birth = yaml.safe_load((out / "QT-HT-01.yaml").read_text(encoding="utf-8"))
    assert "lĩnh vực Hộ tịch" in birth["purpose"]
    assert [x["id"] for x in birth["references"]] == ["Luật Hộ tịch 2014", "Nghị định 123/2015/NĐ-CP"]
    assert birth["administrative"]["time_limit"] == "1d"
    assert "sau 15 giờ" in birth["administrative"]["time_limit_note"]
    copy = yaml.safe_load((out / "QT-CT-01.yaml").read_text(encoding="utf-8"))
    assert "lĩnh vực Chứng thực" in copy["purpose"]
