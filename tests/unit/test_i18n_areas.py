"""Each area speaks Vietnamese under ``--lang vi`` / ``use_language("vi")`` and English otherwise."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from qms.engine import CheckOptions, run_check
from qms.errors import InvalidTransition
from qms.i18n import use_language
from qms.registers import nc as reg
from qms.store.workspace import load_workspace

ROOT = Path(__file__).resolve().parents[2]
CITY_2008 = ROOT / "examples" / "iso2008-city"
RULES_BASE = ROOT / "tests" / "rules" / "base"
D = dt.date
JUNE_1 = D(2026, 6, 1)


def _messages(root: Path, prefix: str, today: D = JUNE_1) -> list[str]:
    report = run_check(load_workspace(root), CheckOptions(today=today, profile="strict"))
    return [f"{d.code} {d.message} | {d.hint}" for d in report.diagnostics if d.code.startswith(prefix)]


@pytest.fixture
def city(tmp_path: Path) -> Path:
    root = tmp_path / "city"
    shutil.copytree(CITY_2008, root, ignore=shutil.ignore_patterns(".qms-cache", ".lock"))
    return root


@pytest.fixture
def base(tmp_path: Path) -> Path:
    root = tmp_path / "base"
    shutil.copytree(RULES_BASE, root)
    return root


# -- QMS8xx: ISO 9001:2008 leftovers ------------------------------------------------------------


def test_legacy_findings_in_vietnamese(city: Path) -> None:
    english = _messages(city, "QMS80")
    assert any(m.startswith("QMS804 \"") and "is ISO 9001:2008 wording" in m for m in english)
    with use_language("vi"):
        vi = _messages(city, "QMS80")
    assert len(vi) == len(english)
    qms804 = [m for m in vi if m.startswith("QMS804")]
    assert qms804 and all("là thuật ngữ của ISO 9001:2008" in m for m in qms804)
    assert any("hành động giải quyết rủi ro và cơ hội" in m for m in qms804)
    assert any(m.startswith("QMS801") and "hệ thống quản lý chất lượng khai báo áp dụng ISO 9001:2008" in m
               for m in vi)
    assert any(m.startswith("QMS802") and "là số điều khoản của ISO 9001:2008" in m for m in vi)


def test_legacy_through_the_cli(run_qms: Callable[..., Any], city: Path) -> None:
    out = run_qms("--lang", "vi", "check", cwd=city).stdout
    assert "QMS806" in out and "là thuật ngữ của ISO 9001:2008" in out
    assert "is ISO 9001:2008 wording" not in out


# -- QMS5xx and qms nc: nonconformities ---------------------------------------------------------


def _new_nc(root: Path) -> str:
    nc = reg.create_nc(root, process="QT-01", title="Trả kết quả trễ hạn", description="Hồ sơ trả trễ 1 ngày",
                       source="late_dossier", severity="minor", clause="8.5.1", by="Lê Văn Cường",
                       today=D(2026, 3, 2))
    return nc.id


def test_refused_transition_in_vietnamese(base: Path) -> None:
    nc_id = _new_nc(base)
    with pytest.raises(InvalidTransition) as english:
        reg.close(base, nc_id, by="Trần Thị Bình", today=D(2026, 3, 3))
    assert str(english.value.args[0]) == f"cannot close {nc_id}: its status is `open`"
    with use_language("vi"), pytest.raises(InvalidTransition) as vi:
        reg.close(base, nc_id, by="Trần Thị Bình", today=D(2026, 3, 3))
    assert vi.value.args[0] == f"không thể đóng {nc_id}: trạng thái hiện tại là `đang mở`"


def test_nc_rules_in_vietnamese(base: Path) -> None:
    nc_id = _new_nc(base)
    reg.correct(base, nc_id, description="Trả kết quả", by="Lê Văn Cường", today=D(2026, 3, 2))
    reg.analyse(base, nc_id, method="five-why", whys=["Chờ ký"], root_cause="Chưa ủy quyền ký thay",
                similar="Không có", by="Lê Văn Cường", today=D(2026, 3, 3))
    reg.plan(base, nc_id, action="Ban hành quyết định ủy quyền", owner="chu_tich", due=D(2026, 3, 10),
             by="Lê Văn Cường", today=D(2026, 3, 4))
    english = _messages(base, "QMS503", today=D(2026, 3, 20))
    assert english == [f"QMS503 {nc_id} CA-1 was due on 2026-03-10 (10 days ago) | record it done with "
                       f"`qms nc implement {nc_id} --action CA-1`, or agree a new date"]
    with use_language("vi"):
        vi = _messages(base, "QMS503", today=D(2026, 3, 20))
    assert vi == [f"QMS503 {nc_id} CA-1 đã đến hạn ngày 2026-03-10 (quá hạn 10 ngày) | ghi nhận đã thực hiện "
                  f"bằng `qms nc implement {nc_id} --action CA-1`, hoặc thống nhất thời hạn mới"]


def test_nc_list_and_show_labels(run_qms: Callable[..., Any], base: Path) -> None:
    nc_id = _new_nc(base)
    english = run_qms("nc", "list", cwd=base).stdout
    assert "open" in english and "late_dossier" in english
    vi = run_qms("--lang", "vi", "nc", "list", cwd=base).stdout
    assert "đang mở" in vi and "hồ sơ trễ hạn" in vi and "nhẹ" in vi
    assert "late_dossier" not in vi
    shown = run_qms("--lang", "vi", "nc", "show", nc_id, cwd=base).stdout
    assert "Trạng thái: đang mở" in shown
    assert "tạo → đang mở" in shown
    # machine formats keep the codes
    csv_out = run_qms("--lang", "vi", "nc", "list", "--format", "csv", cwd=base).stdout
    assert ",open,minor,QT-01,late_dossier," in csv_out


# -- qms migrate ----------------------------------------------------------------------------------


def test_migrate_check_in_vietnamese(run_qms: Callable[..., Any], city: Path) -> None:
    english = run_qms("migrate", "check", cwd=city).stdout
    assert "preventive-action procedure: QT-06" in english
    vi = run_qms("--lang", "vi", "migrate", "check", cwd=city).stdout
    assert "thủ tục hành động phòng ngừa: QT-06" in vi and "5.4.2 → 6.1, cần xác nhận" in vi
    assert "là thuật ngữ của ISO 9001:2008" in vi
    assert "preventive-action procedure" not in vi and "is ISO 9001:2008 wording" not in vi


def test_migrate_out_refusal_in_vietnamese(run_qms: Callable[..., Any], city: Path) -> None:
    res = run_qms("--lang", "vi", "migrate", "apply", "--out", "inside", cwd=city)
    assert res.exit_code != 0
    assert "--out inside nằm bên trong kho dữ liệu" in res.stderr


# -- QMS6xx and qms audit: internal audit ---------------------------------------------------------


def test_audit_rules_in_vietnamese(example_copy: Path) -> None:
    late = D(2031, 1, 1)
    english = _messages(example_copy, "QMS606", today=late)
    assert english == ["QMS606 the newest audit programme (2026) plans no audit after month 12; its 12-month cycle "
                       "ran out on 2027-12-31 | propose the next one with `qms audit programme --year 2031 --write`"]
    with use_language("vi"):
        vi = _messages(example_copy, "QMS606", today=late)
    assert vi == ["QMS606 chương trình đánh giá mới nhất (2026) không có cuộc đánh giá nào sau tháng 12; chu kỳ 12 "
                  "tháng của nó đã hết ngày 2027-12-31 | đề xuất chương trình "
                  "tiếp theo bằng `qms audit programme --year 2031 --write`"]


def test_audit_list_and_show_labels(run_qms: Callable[..., Any], example_copy: Path) -> None:
    english = run_qms("audit", "show", "AUD-2026-01", cwd=example_copy).stdout
    assert english.startswith("AUD-2026-01  closed\n")
    assert "F01 major 7.2" in english
    vi = run_qms("--lang", "vi", "audit", "show", "AUD-2026-01", cwd=example_copy).stdout
    assert vi.startswith("AUD-2026-01  đã đóng\n")
    assert "phù hợp 9, không phù hợp 3" in vi
    assert "F01 nặng 7.2" in vi
    listed = run_qms("--lang", "vi", "audit", "list", cwd=example_copy).stdout
    assert "đã đóng" in listed and "closed" not in listed
    assert "27/01/2026" in listed and "2026-01-27" not in listed, listed  # dates as people read them


def test_nc_register_html_labels(base: Path) -> None:
    from qms.registers.nc_report import render_html

    _new_nc(base)
    english = render_html(base, "en")
    assert "<td>late dossier</td><td>minor</td>" in english  # a document shows words, not codes
    vi = render_html(base, "vi")
    assert "<td>hồ sơ trễ hạn</td><td>nhẹ</td>" in vi
    assert "<td>tạo</td><td>đang mở</td>" in vi
