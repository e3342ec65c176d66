"""Dates of a dossier log written in Vietnamese words, as a one-stop receipt ("Giấy tiếp nhận hồ sơ và
hẹn trả kết quả") or a hand-kept register writes them: "14 giờ 30 phút, ngày 03 tháng 3 năm 2026",
"8h30 sáng", "Thứ Ba, 03/03/2026"; with accents, decomposed accents or none."""

from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path

import pytest

from qms.cli.main import main
from qms.i18n import use_language
from qms.kpi.dates import TIME_MASK, DateError, day_of, parse_value


def when(text: str) -> tuple[dt.date, int | None]:
    v = parse_value(text)
    tod = v & TIME_MASK
    return day_of(v), (tod - 1) // 60 if tod else None


MARCH3 = dt.date(2026, 3, 3)


@pytest.mark.parametrize(("text", "minutes"), [
    ("ngày 03 tháng 03 năm 2026", None),
    ("3 tháng 3 năm 2026", None),
    ("Ngày 3 tháng 3, 2026", None),
    ("ngay 03 thang 03 nam 2026", None),  # a legacy export without accents
    (unicodedata.normalize("NFD", "ngày 03 tháng 3 năm 2026"), None),
    ("ngày 03 tháng Ba năm 2026", None),  # the month in words
    ("14 giờ 30 phút, ngày 03 tháng 3 năm 2026", 14 * 60 + 30),  # as the receipt prints the due time
    ("Lúc 14 giờ 30, ngày 03/03/2026", 14 * 60 + 30),
    ("03/03/2026 14h30", 14 * 60 + 30),
    ("03/03/2026 8h", 8 * 60),
    ("03/03/2026 2:30 chiều", 14 * 60 + 30),
    ("03/03/2026 8:30 sáng", 8 * 60 + 30),
    ("03/03/2026 7:15 tối", 19 * 60 + 15),
    ("8 giờ 30 sáng ngày 03/03/2026", 8 * 60 + 30),
    ("Thứ Ba, 03/03/2026", None),
    ("Thứ 3, 03/03/2026 08:00", 8 * 60),
])
def test_vietnamese_words_are_read(text: str, minutes: int | None) -> None:
    """D1: a date written in Vietnamese words means the day (and time) it says."""
    assert when(text) == (MARCH3, minutes)


def test_month_name_may_be_may() -> None:
    """D1: "tháng Năm" (May) is a month, "năm 2026" the year, in one cell."""
    assert when("ngày 5 tháng Năm năm 2026") == (dt.date(2026, 5, 5), None)
    assert when("Thứ Năm, ngày 05 tháng 3 năm 2026") == (dt.date(2026, 3, 5), None)


@pytest.mark.parametrize(("text", "needle"), [
    ("Thứ Hai, 03/03/2026", "03/03/2026"),  # 3 March 2026 is a Tuesday
    ("ngày 31 tháng 2 năm 2026", "31 tháng 2"),  # not a day that exists
    ("14 giờ 75 phút, ngày 03/03/2026", "14 giờ 75"),
    ("ngày 03 tháng 3", "ngày 03 tháng 3"),  # no year
])
def test_wrong_words_are_refused_with_the_whole_cell(text: str, needle: str) -> None:
    """D2: a cell the words make wrong is refused, and the message quotes the whole cell (not only its
    first word, as "'ngày' is not a date" did)."""
    with use_language("en"), pytest.raises(DateError) as err:
        parse_value(text)
    assert needle in str(err.value)


def test_a_log_in_words_is_counted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    """D1: end to end, the rows of such a log are classified, not rejected."""
    log = tmp_path / "log.csv"
    log.write_text("Mã hồ sơ,Ngày tiếp nhận,Ngày hẹn trả,Ngày có kết quả,Trạng thái\n"
                   'A1,"8 giờ 00, ngày 02 tháng 3 năm 2026","17 giờ 00 phút, ngày 03 tháng 3 năm 2026",'
                   '"03/03/2026 4:30 chiều",Đã trả\n'
                   'A2,"Thứ Hai, 02/03/2026 8h","Thứ Ba, 03/03/2026 5:00 chiều","ngày 04 tháng 3 năm 2026",'
                   "Đã trả\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    try:
        code = int(main(["--lang", "en", "kpi", "report", str(log), "--as-of", "2026-03-31", "--format", "json"])
                   or 0)
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    assert code == 0, err
    assert '"rejected_rows": 0' in out and '"on_time": 1' in out and '"late": 1' in out, out
