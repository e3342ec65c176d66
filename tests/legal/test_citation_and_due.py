"""Canonical citations and the Civil Code due date of a legal update (issue 15, Deliver 1 and 2)."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest

from qms.calendar import WorkingCalendar
from qms.legal.citation import parse
from qms.legal.impact import add_months, update_due
from qms.legal.register import Index
from qms.models.legal import LegalRegister

D = dt.date.fromisoformat


@pytest.mark.parametrize("text", [
    "NĐ 61/2018/NĐ-CP", "Nghị định 61/2018/NĐ-CP", "Nghị định số 61/2018/NĐ-CP", "nghị định số 61/2018/nđ-cp",
    "Nghị định số 61 / 2018 / NĐ - CP", "Nghị định số 61/2018/N\u00d0-CP", "NĐ 061/2018/NĐ-CP",
])
@pytest.mark.parametrize("form", ["NFC", "NFD", "NFKC", "NFKD"])
def test_one_document_whatever_the_wording_and_normal_form(text: str, form: str) -> None:
    assert parse(unicodedata.normalize(form, text)).key == "61/2018/NĐ-CP"


def _register() -> Index:
    return Index.build(LegalRegister.model_validate({"documents": [
        {"number": "61/2018/NĐ-CP", "kind": "decree", "title": "Một cửa", "evidence": "codified"},
        {"number": "60/2014/QH13", "kind": "law", "title": {"vi": "Luật Hộ tịch", "en": "Law on Civil Status"},
         "evidence": "recalled"},
        {"number": "1329/QĐ-BTP", "kind": "tthc_list", "title": "Công bố TTHC", "evidence": "to_confirm"},
        {"number": "TCVN ISO 9001:2015", "kind": "standard", "title": "QMS", "evidence": "recalled"},
    ]}))


@pytest.mark.parametrize(("text", "number"), [
    ("NĐ 61/2018", "61/2018/NĐ-CP"),  # short form: the number, the year and a kind that fits
    ("Luật Hộ tịch 2014", "60/2014/QH13"),  # a law by title and year
    ("Luật Hộ Tịch năm 2014", "60/2014/QH13"),
    ("Luật 60/2014/QH13", "60/2014/QH13"),
    ("Quyết định số 1329/QĐ-BTP", "1329/QĐ-BTP"),
    ("tcvn  iso 9001:2015", "TCVN ISO 9001:2015"),
])
def test_resolve(text: str, number: str) -> None:
    entry = _register().resolve(text)
    assert entry is not None and entry.doc.number == number


@pytest.mark.parametrize("text", ["Thông tư 61/2018", "Luật Hộ tịch 2015", "NĐ 16/2018/NĐ-CP", "Nghị định 61/2019"])
def test_do_not_resolve(text: str) -> None:
    assert _register().resolve(text) is None


@pytest.mark.parametrize(("start", "months", "end"), [
    ("2025-07-01", 3, "2025-10-01"),  # the example: in force 01/07/2025 → 01/10/2025
    ("2025-11-30", 3, "2026-02-28"),  # no 30 February: the last day of the month
    ("2024-11-30", 3, "2025-02-28"),
    ("2023-11-29", 3, "2024-02-29"),
    ("2025-12-31", 1, "2026-01-31"),
])
def test_add_months_ends_on_the_corresponding_day(start: str, months: int, end: str) -> None:
    assert add_months(D(start), months) == D(end)


def test_a_last_day_that_is_a_day_off_moves_to_the_next_working_day() -> None:
    cal = WorkingCalendar(years=(2020, 2027))
    assert update_due(D("2025-07-01"), 3, cal) == D("2025-10-01")  # a Wednesday
    assert update_due(D("2021-01-04"), 3, cal) == D("2021-04-05")  # 04/04/2021 is a Sunday
    assert update_due(D("2025-10-02"), 3, cal) == D("2026-01-05")  # 02/01/2026 swapped, 3-4/1 weekend
