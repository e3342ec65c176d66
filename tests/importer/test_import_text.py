"""Durations as written, legacy fonts and role matching: the text rules of the importer."""

from __future__ import annotations

from pathlib import Path

import pytest

from qms.analysis.people import Directory
from qms.importer.durations import read_duration
from qms.importer.legacy_fonts import convert, font_encoding, to_tcvn3
from qms.importer.roles import RoleMatcher
from qms.store.workspace import load_manifest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("text", "value", "confirm"), [
    ("02 ngày làm việc", "2d", False), ("1/2 ngày", "0.5d", True), ("½ ngày", "0.5d", True),
    ("04 giờ", "4h", False), ("Trong ngày", "1d", False), ("Không quá 15 ngày", "15cd", True),
    ("15 ngày (không kể thời gian niêm yết)", "15cd", True), ("0,5 ngày làm việc", "0.5d", False),
    ("30 phút", "0.5h", False), ("15 ngày làm việc", "15d", False),
])
def test_durations_as_written(text: str, value: str, confirm: bool) -> None:
    """Item 14: the unit the document states is kept; days without "làm việc" are calendar days to confirm."""
    d = read_duration(text)
    assert d is not None and (d.value, d.to_confirm) == (value, confirm)


def test_no_duration() -> None:
    assert read_duration("Ngay") is None and read_duration("Theo thực tế") is None


def test_legacy_fonts_by_name() -> None:
    """Item 11: TCVN3 (.VnTime, .VnTimeH) and VNI-Times runs become Unicode."""
    assert font_encoding(".VnTime") == "tcvn3" and font_encoding(".VnTimeH") == "tcvn3-upper"
    assert font_encoding("VNI-Times") == "vni" and font_encoding("Times New Roman") == ""
    assert convert("Môc ®Ých", "tcvn3") == "Mục đích"
    assert convert("Tr¸ch nhiÖm", "tcvn3") == "Trách nhiệm"
    assert convert("quy tr×nh", "tcvn3-upper") == "QUY TRÌNH"
    assert convert("Muïc ñích, traùch nhieäm, ngöôøi", "vni") == "Mục đích, trách nhiệm, người"
    text = "phạm vi áp dụng, hồ sơ lưu, thời gian giải quyết"
    assert convert(to_tcvn3(text), "tcvn3") == text


def test_roles_by_normalised_text() -> None:
    """Item 3: case, diacritics and abbreviations ("CB một cửa", "LĐ UBND", "CV phụ trách")."""
    m = RoleMatcher(Directory.of(load_manifest(REPO)))
    assert m.match("CB một cửa") == "can_bo_mot_cua"
    assert m.match("cán bộ MỘT CỬA") == "can_bo_mot_cua"
    assert m.match("Trưởng phòng Kinh tế") == "truong_phong_kinh_te"
    assert m.match("truong phong kinh te") == "truong_phong_kinh_te"
    assert m.match("TP Kinh tế") == "truong_phong_kinh_te"
    assert m.match("LĐ UBND") == "lanh_dao"
    assert m.match("CC xây dựng") == "cong_chuc_xay_dung"
    assert m.match("Hội đồng tuyển dụng") is None
