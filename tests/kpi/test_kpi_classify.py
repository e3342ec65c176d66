"""Classification rules: early / on time / late / in progress / overdue / excluded."""

from __future__ import annotations

import datetime as dt

import pytest

from qms.calendar import calendar_from_settings
from qms.errors import QmsError
from qms.kpi import KpiResult, classify, iter_rows_of, parse_period

D = dt.date.fromisoformat
CAL = calendar_from_settings(years=(2017, 2027))
HEADER = ["dossier_id", "procedure_id", "unit", "received_at", "due_at", "completed_at", "status"]


def run(rows: list[list[str]], header: list[str] = HEADER, **kw: object) -> KpiResult:
    kw.setdefault("as_of", D("2019-06-30"))
    return classify([iter_rows_of([header, *rows], "log.csv")], CAL, **kw)  # type: ignore[arg-type]


def cats(result: KpiResult) -> dict[str, int]:
    return {k: v for k, v in result.counts.to_dict().items() if isinstance(v, int) and v}


def test_early_on_time_late_by_day() -> None:
    r = run(
        [
            ["A", "P", "U", "2019-03-01", "2019-03-08", "2019-03-07", ""],
            ["B", "P", "U", "2019-03-01", "2019-03-08", "2019-03-08", ""],
            ["C", "P", "U", "2019-03-01", "2019-03-08", "2019-03-11", ""],
        ]
    )
    assert r.counts["early"] == 1
    assert r.counts["on_time"] == 1
    assert r.counts["late"] == 1
    assert r.counts.on_time_rate == pytest.approx(2 / 3)


def test_due_time_on_the_due_day() -> None:
    r = run(
        [
            ["A", "P", "U", "2019-03-01 08:00", "2019-03-08 16:30", "2019-03-08 16:30", ""],
            ["B", "P", "U", "2019-03-01 08:00", "2019-03-08 16:30", "2019-03-08 16:31", ""],
            ["C", "P", "U", "2019-03-01 08:00", "2019-03-08 16:30", "2019-03-08", ""],  # no time: day level
            ["D", "P", "U", "2019-03-01 08:00", "2019-03-08", "2019-03-08 23:59", ""],  # no due time
        ]
    )
    assert (r.counts["on_time"], r.counts["late"]) == (3, 1)


def test_unresolved_in_progress_and_overdue() -> None:
    r = run(
        [
            ["A", "P", "U", "2019-06-20", "2019-06-30", "", "Đang xử lý"],
            ["B", "P", "U", "2019-06-20", "2019-06-28", "", "Đang xử lý"],
            ["C", "P", "U", "2019-06-20", "2019-06-28", "2019-07-02", ""],  # completed after as_of
        ],
        as_of=D("2019-06-30"),
    )
    assert r.counts["in_progress"] == 1
    assert r.counts["overdue_in_progress"] == 2
    assert r.counts.resolved == 0
    assert r.counts.on_time_rate is None


def test_withdrawn_and_cancelled_are_excluded() -> None:
    r = run(
        [
            ["A", "P", "U", "2019-03-01", "2019-03-08", "", "Rút hồ sơ"],
            ["B", "P", "U", "2019-03-01", "2019-03-08", "", "Đã huỷ"],
            ["C", "P", "U", "2019-03-01", "2019-03-08", "", "Cancelled"],
            ["D", "P", "U", "2019-03-01", "2019-03-08", "2019-03-05", "Đã trả kết quả"],
        ]
    )
    assert r.counts["excluded"] == 3
    assert r.counts.total == 1
    assert r.counts["early"] == 1


def test_due_from_procedure_limit_across_tet() -> None:
    header = ["dossier_id", "procedure_id", "received_at", "completed_at"]
    rows = [
        ["A", "1.001", "2019-01-31 09:00", "2019-02-12 16:00"],
        ["B", "1.001", "2019-01-31 09:00", "2019-02-13 08:00"],
        ["C", "9.999", "2019-01-31 09:00", "2019-02-01"],
        ["D", "1.000", "2019-02-02", "2019-02-11"],  # limit 0 on a Saturday during Tết
    ]
    r = run(rows, header, limits={"1.001": 3, "1.000": 0})
    assert r.counts["on_time"] == 2
    assert r.counts["late"] == 1
    assert len(r.rejected) == 1
    assert r.rejected[0].row == 4
    assert "9.999" in r.rejected[0].reason


def test_supplementation_pause_by_days_and_by_dates() -> None:
    header = ["dossier_id", "received_at", "due_at", "completed_at", "paused_days", "Ngày yêu cầu bổ sung", "Ngày nhận bổ sung"]
    rows = [
        ["A", "2019-03-01", "2019-03-08", "2019-03-12", "2", "", ""],  # due moves to 12/03
        ["B", "2019-03-01", "2019-03-08", "2019-03-12", "", "2019-03-04", "2019-03-06"],  # 2 working days
        ["C", "2019-03-01", "2019-03-08", "2019-03-12", "1", "", ""],  # due 11/03 -> late
        ["D", "2019-03-01", "2019-03-08", "2019-03-12", "x", "", ""],
    ]
    r = run(rows, header)
    assert r.counts["on_time"] == 2
    assert r.counts["late"] == 1
    assert [x.row for x in r.rejected] == [5]


def test_a_pause_before_receipt_is_rejected_and_a_pause_past_the_calendar_does_not_crash() -> None:
    """A pause that starts before the dossier was received is rejected, with both dates; a pause of
    more working days than the calendar holds (50,000) puts the due day on the calendar's last working
    day instead of failing (both went through an index past the calendar's tables: exit 3). Found by
    the CSV fuzz target: "2010", a serial number, is a day in 1905."""
    header = ["dossier_id", "procedure_id", "received_at", "completed_at", "paused_days", "Ngày yêu cầu bổ sung",
              "Ngày nhận bổ sung"]
    rows = [
        ["A", "P", "2019-01-02 08:00", "2019-02-20", "3", "2010", "2019-01-14"],
        ["B", "P", "2019-01-02 08:00", "2019-02-20", "50000", "", ""],
        ["C", "P", "2019-01-02 08:00", "2019-02-20", "3", "", ""],
        ["D", "P", "2019-01-02 08:00", "2019-02-20", "", "2019-01-02", "2019-01-04"],  # the day of receipt: fine
    ]
    r = run(rows, header, limits={"P": 3.0})
    assert [(x.row, x.dossier_id) for x in r.rejected] == [(2, "A")]
    assert r.rejected[0].reason == "Ngày yêu cầu bổ sung (2010) is before received_at (2019-01-02 08:00)"
    assert cats(r) == {"total": 3, "resolved": 3, "early": 1, "late": 2}


def test_returned_at_is_used_when_completed_at_is_missing() -> None:
    header = ["dossier_id", "received_at", "due_at", "completed_at", "returned_at"]
    r = run([["A", "2019-03-01", "2019-03-08", "", "2019-03-09"]], header)
    assert r.counts["late"] == 1


def test_bad_rows_are_reported_never_dropped() -> None:
    r = run(
        [
            ["A", "P", "U", "2019-02-30", "2019-03-08", "", ""],
            ["", "P", "U", "2019-03-01", "2019-03-08", "", ""],
            ["C", "P", "U", "2019-03-05", "2019-03-08", "2019-03-04", ""],
            ["D", "P", "U", "2019-03-05", "2019-03-01", "", ""],
            ["E", "P", "U"],
            ["", "", "", "", "", "", ""],  # a blank line is not a row
            ["F", "P", "U", "2019-03-01", "2019-03-08", "2019-03-07", ""],
        ]
    )
    assert r.rows_read == 6
    assert [(x.row, x.dossier_id) for x in r.rejected] == [(2, "A"), (3, ""), (4, "C"), (5, "D"), (6, "")]
    assert "2019-02-30" in r.rejected[0].reason
    assert r.rejected[2].reason == "completed_at (2019-03-04) is before received_at (2019-03-05)"
    assert r.rejected[3].reason == "due_at (2019-03-01) is before received_at (2019-03-05)"
    assert r.counts.total == 1


def test_a_date_before_the_receipt_is_named_by_the_files_column() -> None:
    """The reason names the column as the file writes it, and the cells: the return date when there is no
    completion date, in Vietnamese under --lang vi."""
    from qms.i18n import use_language

    header = ["Mã hồ sơ", "Mã thủ tục", "Ngày tiếp nhận", "Ngày hẹn trả", "Ngày có kết quả", "Ngày trả kết quả"]
    rows = [["A", "P", "05/03/2019", "08/03/2019", "", "04/03/2019 16:00"],
            ["B", "P", "05/03/2019", "08/03/2019", "01/03/2019", "06/03/2019"]]
    r = run(rows, header)
    assert [x.reason for x in r.rejected] == [
        "Ngày trả kết quả (04/03/2019 16:00) is before Ngày tiếp nhận (05/03/2019)",
        "Ngày có kết quả (01/03/2019) is before Ngày tiếp nhận (05/03/2019)"]
    with use_language("vi"):
        vi = run(rows, header)
    assert vi.rejected[0].reason == "Ngày trả kết quả (04/03/2019 16:00) sớm hơn Ngày tiếp nhận (05/03/2019)"


def test_duplicates_are_reported_with_the_first_row() -> None:
    r = run(
        [
            ["A", "P", "U", "2019-03-01", "2019-03-08", "2019-03-07", ""],
            ["A", "P", "U", "2019-03-01", "2019-03-08", "2019-03-11", ""],
        ]
    )
    assert r.counts.total == 1
    assert r.counts["early"] == 1
    (dup,) = r.duplicates
    assert (dup.dossier_id, dup.row, dup.first_row) == ("A", 3, 2)


@pytest.mark.parametrize("codes", [["A", "B", "B", "C"], ["A", "B", "C", "A"], ["C", "B", "B", "A"]],
                         ids=["sorted", "unsorted", "descending"])
def test_a_code_seen_twice_is_a_duplicate_however_the_codes_are_ordered(codes: list[str]) -> None:
    """A log sorted by dossier code is known to hold each code once without hashing them all; a
    code written twice in a row is still found (the order only decides how it is looked for)."""
    rows = [[c, "P", "U", "2019-03-01", "2019-03-08", "2019-03-07", ""] for c in codes]
    r = run(rows)
    assert r.counts.total == 3
    (dup,) = r.duplicates
    first = codes.index(dup.dossier_id)
    assert (dup.row, dup.first_row) == (codes.index(dup.dossier_id, first + 1) + 2, first + 2)
    assert not run([r for r in rows if r[0] != dup.dossier_id] + [rows[first]]).duplicates


def test_period_counts_resolved_in_period_and_open_at_its_end() -> None:
    rows = [
        ["A", "P", "U", "2019-03-01", "2019-03-08", "2019-03-07", ""],  # resolved in March: in
        ["B", "P", "U", "2019-02-01", "2019-02-20", "2019-02-19", ""],  # resolved in Feb: out
        ["C", "P", "U", "2019-04-25", "2019-05-06", "2019-05-03", ""],  # open on 30/04: in progress
        ["D", "P", "U", "2019-05-10", "2019-05-17", "", ""],  # received after the period: out
    ]
    r = run(rows, period=parse_period("2019-03..2019-04"), as_of=D("2019-06-30"))
    assert r.reference_day == D("2019-04-30")
    assert r.counts["early"] == 1
    assert r.counts["in_progress"] == 1
    assert r.out_of_period == 2


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [("2018-04..2019-04", "2018-04-01", "2019-04-30"), ("2019", "2019-01-01", "2019-12-31"), ("2020-02", "2020-02-01", "2020-02-29")],
)
def test_parse_period(text: str, start: str, end: str) -> None:
    assert parse_period(text) == (D(start), D(end))


def test_parse_period_rejects_garbage() -> None:
    with pytest.raises(QmsError):
        parse_period("April")
    with pytest.raises(QmsError):
        parse_period("2019-05..2019-01")


def test_breakdown_by_procedure_and_month() -> None:
    rows = [
        ["A", "P1", "U1", "2019-03-01", "2019-03-08", "2019-03-07", ""],
        ["B", "P2", "U1", "2019-03-01", "2019-03-08", "2019-04-01", ""],
        ["C", "P2", "", "2019-03-01", "2019-03-08", "2019-03-08", ""],
    ]
    r = run(rows, by="procedure")
    assert {k: (g.total, g["late"]) for k, g in r.groups.items()} == {"P1": (1, 0), "P2": (2, 1)}
    r = run(rows, by="month")
    assert {k: g.total for k, g in r.groups.items()} == {"2019-03": 2, "2019-04": 1}
    r = run(rows, by="unit")
    assert set(r.groups) == {"U1", "(blank)"}


def test_header_needs_a_dossier_id() -> None:
    with pytest.raises(QmsError, match="no header row"):
        run([["x"]], ["foo", "bar"])
    with pytest.raises(QmsError, match="received_at"):
        run([["x"]], ["dossier_id", "due_at"])


def test_negative_limit_is_refused() -> None:
    with pytest.raises(QmsError, match="time limit"):
        run([], limits={"P": -1})


def test_blank_group_is_named_in_the_reports_language() -> None:
    """Issue 16 item 9: the group of rows with an empty unit reads "(để trống)" under --lang vi, in the
    text report and the PDF/HTML template; JSON and CSV (machine formats) keep the key "(blank)"."""
    from qms.i18n import use_language
    from qms.kpi.report import to_csv, to_json, to_text

    rows = [
        ["A", "P1", "U1", "2019-03-01", "2019-03-08", "2019-03-07", ""],
        ["C", "P2", "", "2019-03-01", "2019-03-08", "2019-03-08", ""],
    ]
    r = run(rows, by="unit")
    with use_language("vi"):
        text = to_text(r)
        assert "(để trống)" in text and "(blank)" not in text, text
        assert '"(blank)"' in to_json(r) and "(blank)" in to_csv(r)
    assert "(blank)" in to_text(r)
    from pathlib import Path

    import qms.kpi

    template = (Path(qms.kpi.__file__).parent / "templates" / "kpi_report.j2").read_text(encoding="utf-8")
    assert "_('(blank)') if row.key == '(blank)'" in template


def test_rejection_reasons_name_the_files_headers() -> None:
    """Issue 16 item 9: a rejected row's reason names the column as the file's header writes it
    ("Ngày tiếp nhận"), not the internal name (`received_at`), in both languages."""
    from qms.i18n import use_language

    header = ["Mã hồ sơ", "Mã thủ tục", "Đơn vị", "Ngày tiếp nhận", "Ngày hẹn trả", "Ngày trả kết quả", "Trạng thái"]
    rows = [
        ["A", "P", "U", "2019-02-30", "2019-03-08", "", ""],
        ["B", "P", "U", "", "2019-03-08", "", ""],
        ["C", "P", "U", "2019-03-01", "2019-03-08", "2019-03-40", ""],
    ]
    r = run(rows, header)
    reasons = [x.reason for x in r.rejected]
    assert len(reasons) == 3, reasons
    assert reasons[0].startswith("Ngày tiếp nhận: "), reasons
    assert reasons[1] == "Ngày tiếp nhận is empty", reasons
    assert reasons[2].startswith("Ngày trả kết quả: "), reasons
    assert not any(name in " ".join(reasons) for name in ("received_at", "completed_at"))
    with use_language("vi"):
        r = run(rows, header)
    assert r.rejected[1].reason == "cột Ngày tiếp nhận bị trống"
