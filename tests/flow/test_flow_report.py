"""``qms flow report`` (issue 18) against real logs through the real CLI."""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, SHIPPED_LOG, Run
from flowlogs import APPLICANT, D1, DEVIANTS, HEADER, PHONE, PROC, route, row, write_csv, write_xlsx

Flow = Callable[..., Run]
PROCEDURE_KEYS = {"procedure", "dossiers", "late", "steps", "bottlenecks", "nonconforming", "deviations",
                  "waiting_hours_between_agencies", "late_by_step"}
STEP_KEYS = {"step", "count", "median_hours", "p90_hours", "budget_hours", "over_budget", "hours_over_budget"}


def _proc(data: dict[str, Any], pid: str) -> dict[str, Any]:
    return next(p for p in data["procedures"] if p["procedure"] == pid)


def _steps(proc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["step"]: s for s in proc["steps"]}


def test_working_hours_per_step_on_the_calendar(qms_flow: Flow, tmp_path: Path) -> None:
    """Item 2: per-step working hours skip the lunch break, the evening and the weekend; budgets come from
    the map; late is judged on the appointment date; the late dossier lost most time at B2."""
    log = write_csv(tmp_path / "d1.csv", D1)
    res = qms_flow(log, "--format", "json", "--as-of", "2026-03-31")
    assert res.code == 0, res.err
    data = res.json()
    proc = _proc(data, "QT-HT-01")
    assert set(proc) >= PROCEDURE_KEYS
    steps = _steps(proc)
    assert all(set(s) >= STEP_KEYS for s in steps.values())
    assert {k: s["median_hours"] for k, s in steps.items()} == {"B1": 1.5, "B2": 2.0, "B3": 1.5, "B4": 2.0, "B6": 1.0}
    assert {k: s["budget_hours"] for k, s in steps.items()} == {"B1": 1.0, "B2": 1.0, "B3": 3.0, "B4": 2.0, "B6": 1.0}
    assert steps["B4"]["median_days"] == 0.25
    assert (proc["dossiers"], proc["late"], proc["nonconforming"]) == (1, 1, 0)
    assert proc["bottlenecks"] == ["B2", "B1"]
    assert steps["B2"]["over_budget"] == 1 and steps["B2"]["hours_over_budget"] == 1.0
    assert proc["late_by_step"] == {"B2": 1}
    assert data["rejected_rows"] == []


def test_elapsed_clock_counts_every_hour(qms_flow: Flow, tmp_path: Path) -> None:
    """Item 7: on a 24/7 clock the weekend counts (Friday 16:00 to Monday 09:00 is 65 hours)."""
    log = write_csv(tmp_path / "d1.csv", D1)
    data = qms_flow(log, "--format", "json", "--elapsed", "--as-of", "2026-03-31").json()
    steps = _steps(_proc(data, "QT-HT-01"))
    assert steps["B4"]["median_hours"] == 65.0
    assert steps["B3"]["median_hours"] == 2.5
    assert data["clock"] == "elapsed"


def test_conformance_kinds_and_examples(qms_flow: Flow, tmp_path: Path) -> None:
    """Item 3: skipped step, out of order, unknown step, loop and wrong end are each counted with the
    dossier codes as examples; an open dossier is in progress, not 'ended elsewhere'."""
    log = write_csv(tmp_path / "routes.csv", [*D1, *DEVIANTS])
    data = qms_flow(log, "--format", "json", "--as-of", "2026-03-20").json()
    proc = _proc(data, "QT-HT-01")
    kinds = {d["kind"]: set(d["examples"]) for d in proc["deviations"]}
    assert kinds == {"skipped_step": {"D2", "D7"}, "out_of_order": {"D7"}, "unknown_step": {"D5"},
                     "loop": {"D3"}, "wrong_end": {"D4"}}
    assert {d["kind"]: d["count"] for d in proc["deviations"]}["skipped_step"] == 2
    assert proc["nonconforming"] == 5
    assert proc["dossiers"] == 7
    assert proc["overdue"] == 2  # D6 and D7: open, past the legal limit of 1 working day
    assert proc["unmatched_events"] == 1  # the B9 hand-over
    # 5 of 7 dossiers off the map: the map looks out of date -> a finding and exit code 1
    assert data["findings"] and data["findings"][0]["procedure"] == "QT-HT-01"
    res = qms_flow(log, "--as-of", "2026-03-20")
    assert res.code == 1
    assert "the map may be out of date (7.5.3, 4.4.1)" in res.out


def test_rejected_rows_have_numbers_and_reasons_but_no_personal_data(qms_flow: Flow, tmp_path: Path) -> None:
    """Item 1 and the Decisions: bad rows are rejected with their row number and the reason; the applicant's
    name and phone number reach no output, not even a rejection."""
    bad = [
        row("", "B1", "06/03/2026 08:00", "06/03/2026 09:00"),  # row 7: no dossier code
        row("D9", "B1", APPLICANT, "06/03/2026 09:00"),  # row 8: the received cell holds a name
        row("D9", "B1", "06/03/2026 10:00", "06/03/2026 09:00"),  # row 9: handed on before received
        row("D9", "B1", "06/03/2026 08:00", "06/03/2026 09:00", proc="QT-ZZ-99"),  # row 10: unknown procedure
        row("X" * 10_000, "B1", "06/03/2026 08:00", "06/03/2026 09:00"),  # row 11: not a code
    ]
    log = write_csv(tmp_path / "bad.csv", [*D1, *bad])
    res = qms_flow(log, "--format", "json", "--as-of", "2026-03-31")
    assert res.code == 0, res.err
    rejected = {r["row"]: r for r in res.json()["rejected_rows"]}
    assert sorted(rejected) == [7, 8, 9, 10, 11]
    assert "Mã hồ sơ is empty" in rejected[7]["reason"]
    assert "Thời gian nhận is not a date" in rejected[8]["reason"]
    assert "before it was received" in rejected[9]["reason"]
    assert "not in the process map" in rejected[10]["reason"]
    assert "longer than 64 characters" in rejected[11]["reason"] and rejected[11]["dossier_id"] == ""
    for fmt in ("text", "json", "csv"):
        out = qms_flow(log, "--format", fmt, "--as-of", "2026-03-31").out
        assert APPLICANT not in out and PHONE not in out and "XXXX" * 20 not in out, fmt
    html = tmp_path / "r.html"
    qms_flow(log, "--format", "html", "-o", html, "--as-of", "2026-03-31")
    text = html.read_text(encoding="utf-8")
    assert APPLICANT not in text and PHONE not in text


def test_xlsx_with_headers_in_another_order(qms_flow: Flow, tmp_path: Path) -> None:
    """Item 1: an XLSX log with Vietnamese headers in another order gives the same figures as the CSV."""
    order = [7, 4, 0, 6, 1, 5, 2, 3]
    header = [HEADER[i] for i in order]
    rows = [[r[i] for i in order] for r in D1]
    book = write_xlsx(tmp_path / "d1.xlsx", rows, header)
    data = qms_flow(book, "--format", "json", "--as-of", "2026-03-31").json()
    steps = _steps(_proc(data, "QT-HT-01"))
    assert steps["B4"]["median_hours"] == 2.0 and steps["B3"]["median_hours"] == 1.5


def test_columns_file_maps_unusual_headers(qms_flow: Flow, tmp_path: Path) -> None:
    """Item 1: --columns maps an export's own headers."""
    header = ["Số HS", "TTHC", "Người nộp", "ĐT", "Công đoạn", "Nhận lúc", "Giao lúc", "Hẹn"]
    log = write_csv(tmp_path / "odd.csv", D1, header)
    cols = tmp_path / "cols.yaml"
    cols.write_text("dossier_id: Số HS\nprocedure_id: TTHC\nstep: Công đoạn\nreceived_at: Nhận lúc\n"
                    "completed_at: Giao lúc\ndue_at: Hẹn\n", encoding="utf-8")
    res = qms_flow(log, "--columns", cols, "--format", "json", "--as-of", "2026-03-31")
    assert res.code == 0, res.err
    assert _steps(_proc(res.json(), "QT-HT-01"))["B2"]["median_hours"] == 2.0
    bad = tmp_path / "bad.yaml"
    bad.write_text("nonsense: X\n", encoding="utf-8")
    res = qms_flow(log, "--columns", bad, "--as-of", "2026-03-31")
    assert res.code == 2 and "unknown column name 'nonsense'" in res.err


def test_steps_matched_by_people_and_roles_without_a_step_column(qms_flow: Flow, tmp_path: Path) -> None:
    """Item 1 and the Decisions: without a step column, hand-overs are matched to steps by the role of the
    person (organisation.people, or --people); unknown people are unmatched events and counted."""
    header = ["Mã hồ sơ", "Mã thủ tục", "Người xử lý", "Thời gian nhận", "Thời gian giao"]
    people = ["Anh Tư", "Ngô Thị Hoa", "Ngô Thị Hoa", "Trần Thị Bình", "Đỗ Văn Hải"]
    rows = [[r[0], r[1], who, r[5], r[6]] for r, who in zip(D1, people, strict=True)]
    rows.append(["D8", "QT-HT-01", "Người Lạ", "10/03/2026 08:00", "10/03/2026 09:00"])
    log = write_csv(tmp_path / "people.csv", rows, header)
    data = qms_flow(log, "--format", "json", "--as-of", "2026-03-31").json()
    proc = _proc(data, "QT-HT-01")
    assert data["unknown_people"] == 2  # Anh Tư and Người Lạ
    assert set(_steps(proc)) == {"B2", "B3", "B4", "B6"}
    people_file = tmp_path / "people.yaml"
    people_file.write_text("Anh Tư: can_bo_mot_cua\n", encoding="utf-8")
    data = qms_flow(log, "--people", people_file, "--format", "json", "--as-of", "2026-03-31").json()
    steps = _steps(_proc(data, "QT-HT-01"))
    assert data["unknown_people"] == 1
    assert {k: s["median_hours"] for k, s in steps.items()} == {"B1": 1.5, "B2": 2.0, "B3": 1.5, "B4": 2.0, "B6": 1.0}


def test_shipped_log_interconnected_procedure(qms_flow_process: Flow) -> None:
    """Items 2 and 6: the shipped log of the example organisation: waiting between agencies of the
    interconnected land procedure is reported apart from time within steps; bottlenecks are ranked by
    the working time lost over budget; every step of the map has its budget. (Run as a real subprocess,
    as a user runs it; the other tests call the same entry point in-process.)"""
    qms_flow = qms_flow_process
    res = qms_flow(SHIPPED_LOG, "--format", "json", "--as-of", "2026-07-31")
    assert res.code == 0, res.err
    data = res.json()
    land = _proc(data, "QT-DD-01")
    assert land["waiting_hours_between_agencies"] > 0
    assert {a["agency"] for a in land["agencies"]} >= {"organisation", "vpdkdd", "chi_cuc_thue"}
    lost = {s["step"]: s["hours_over_budget"] for s in land["steps"]}
    assert land["bottlenecks"] == sorted((s for s in lost if lost[s] > 0), key=lambda s: -lost[s])
    assert land["bottlenecks"][0] == "B5"  # slow by construction in the generator
    assert all(s["budget_hours"] is not None for s in land["steps"])
    assert sum(land["late_by_step"].values()) == land["late"]
    assert data["rejected_rows"] == []
    agency = qms_flow(SHIPPED_LOG, "--by", "agency", "--procedure", "QT-DD-01", "--as-of", "2026-07-31")
    # people read agency names; the ids stay in the JSON
    assert "Area branch of the land registration office" in agency.out and "Local tax office" in agency.out
    assert "vpdkdd" not in agency.out and "chi_cuc_thue" not in agency.out and "QT-HT-01" not in agency.out


def test_csv_output_and_formula_cells(qms_flow: Flow, tmp_path: Path) -> None:
    """Item 2 (csv): one row per step; an agency cell that looks like a formula is written inert."""
    header = ["Mã hồ sơ", "Mã thủ tục", "Bước", "Cơ quan", "Thời gian nhận", "Thời gian giao"]
    rows = [[r[0], r[1], r[4], "=HYPERLINK(\"http://x\")" if r[4] == "B3" else "", r[5], r[6]] for r in D1]
    log = write_csv(tmp_path / "agency.csv", rows, header)
    out = qms_flow(log, "--format", "csv", "--as-of", "2026-03-31").out
    table = list(csv.reader(io.StringIO(out)))
    assert table[0][:3] == ["procedure", "step", "count"]
    assert [r[1] for r in table[1:]] == ["B1", "B2", "B3", "B4", "B6"]
    out = qms_flow(log, "--format", "csv", "--by", "agency", "--as-of", "2026-03-31").out
    agencies = [r[1] for r in csv.reader(io.StringIO(out))][1:]
    assert "'=HYPERLINK(\"http://x\")" in agencies
    data = qms_flow(log, "--format", "json", "--as-of", "2026-03-31").json()
    assert {d["kind"] for d in _proc(data, "QT-HT-01")["deviations"]} == {"unknown_agency"}


def test_procedure_option(qms_flow: Flow) -> None:
    """--procedure keeps one process; an unknown one is a usage error with a suggestion."""
    data = qms_flow(SHIPPED_LOG, "--procedure", "QT-HT-01", "--format", "json", "--as-of", "2026-07-31").json()
    assert [p["procedure"] for p in data["procedures"]] == ["QT-HT-01"]
    assert data["rejected_rows"] == []
    res = qms_flow(SHIPPED_LOG, "--procedure", "QT-HT-1")
    assert res.code == 2 and "did you mean QT-HT-01?" in res.err and "Traceback" not in res.err


def test_compare_two_periods(qms_flow: Flow) -> None:
    """Decisions (--compare): the JSON holds the compared period's figures beside the main period's."""
    data = qms_flow(SHIPPED_LOG, "--period", "2026-04..2026-06", "--compare", "2026-01..2026-03", "--format", "json",
                    "--as-of", "2026-07-31").json()
    assert data["period"] == {"from": "2026-04-01", "to": "2026-06-30"}
    assert data["compare"]["period"] == {"from": "2026-01-01", "to": "2026-03-31"}
    whole = qms_flow(SHIPPED_LOG, "--format", "json", "--as-of", "2026-07-31").json()
    for pid in ("QT-DD-01", "QT-HT-01"):
        assert _proc(data, pid)["dossiers"] + _proc(data["compare"], pid)["dossiers"] == _proc(whole, pid)["dossiers"]
    text = qms_flow(SHIPPED_LOG, "--period", "2026-04..2026-06", "--compare", "2026-01..2026-03",
                    "--as-of", "2026-07-31").out
    assert "median h (compared)" in text


def test_raise_nc_once_per_period(qms_flow: Flow, example_copy: Path) -> None:
    """Item 5: --raise-nc raises one NC per procedure whose bottleneck exceeded its budget too often, citing
    the step, the figures and the period; a rerun over the same period finds it and raises nothing."""
    log = example_copy / "log.csv"
    shutil.copy2(SHIPPED_LOG, log)
    ncs = example_copy / "records" / "nonconformities"
    before = set(ncs.glob("*.yaml"))
    res = qms_flow(log, "--period", "2026-01..2026-06", "--raise-nc", "--raised-by", "Vũ Thị Giang",
                   "--as-of", "2026-07-31", cwd=example_copy)
    assert res.code == 0, res.err
    new = set(ncs.glob("*.yaml")) - before
    assert len(new) == res.err.count("raised NC-") >= 1
    texts = "\n".join(p.read_text(encoding="utf-8") for p in new)
    assert "flow:QT-DD-01:B5:2026-01-01..2026-06-30" in texts
    assert "B5" in texts and "01/01/2026 – 30/06/2026" in texts  # the period as people write dates
    titles = [line for line in texts.splitlines() if line.startswith("title:")]
    assert titles and not any("2026-01" in t for t in titles)
    again = qms_flow(log, "--period", "2026-01..2026-06", "--raise-nc", "--raised-by", "Vũ Thị Giang",
                     "--as-of", "2026-07-31", cwd=example_copy)
    assert again.code == 0, again.err
    assert set(ncs.glob("*.yaml")) - before == new
    assert "already records the bottleneck of QT-DD-01" in again.err
    check = qms_flow(log, "--raise-nc", cwd=example_copy)
    assert check.code == 2 and "--raise-nc needs a --period" in check.err


def test_raise_nc_finds_a_record_raised_since_the_register_was_read(qms_flow: Flow, example_copy: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Item 5, two `--raise-nc` at once: the second read the register before the first wrote its record;
    under the register's lock it finds that record and raises nothing (it used to raise a second one)."""
    from qms.flow import nc_link

    log = example_copy / "log.csv"
    shutil.copy2(SHIPPED_LOG, log)
    ncs = example_copy / "records" / "nonconformities"
    args = (log, "--period", "2026-01..2026-06", "--raise-nc", "--raised-by", "Vũ Thị Giang", "--as-of", "2026-07-31")
    first = qms_flow(*args, cwd=example_copy)
    assert first.code == 0 and "raised NC-" in first.err, first.err
    files = sorted(ncs.glob("*.yaml"))
    monkeypatch.setattr(nc_link, "existing_flow_markers", lambda root: {})  # read before the other one wrote
    again = qms_flow(*args, cwd=example_copy)
    assert again.code == 0, again.err
    assert sorted(ncs.glob("*.yaml")) == files, again.err
    assert "raised NC-" not in again.err and "already records the bottleneck of QT-DD-01" in again.err


def test_html_and_pdf_reports(qms_flow: Flow, tmp_path: Path) -> None:
    """Item 4: HTML and PDF through the document pipeline: step table coloured by severity with its legend,
    the chart of working time per agency and the monthly trend, in Vietnamese under --lang vi."""
    html = tmp_path / "flow.html"
    res = qms_flow(SHIPPED_LOG, "--format", "html", "-o", html, "--as-of", "2026-07-31", lang="vi")
    assert res.code == 0, res.err
    text = html.read_text(encoding="utf-8")
    assert "Hồ sơ bị chậm ở đâu" in text and "Số ngày làm việc theo cơ quan" in text
    assert 'class="high"' in text and "vượt thời gian định mức ở hơn 25% hồ sơ" in text
    assert text.count("<svg") >= 2
    pdf = tmp_path / "flow.pdf"
    res = qms_flow(SHIPPED_LOG, "--format", "pdf", "-o", pdf, "--procedure", "QT-DD-01", "--as-of", "2026-07-31")
    assert res.code == 0, res.err
    assert pdf.read_bytes().startswith(b"%PDF")
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        if os.environ.get("CI") == "true":
            pytest.fail("pdftotext is missing (Debian package poppler-utils, installed by make setup)")
        pytest.skip("pdftotext not installed")
    import subprocess

    words = subprocess.run([pdftotext, str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    # a step is named by its number on the flowchart and its name, never by its id
    assert "Working days per agency" in words and "Confirm land status" in words and "B5" not in words
    assert re.search(r"Date issued: \d\d/\d\d/\d{4}", words), "the report gives its issue date"


def test_outside_a_repository_is_a_clear_error(qms_flow: Flow, tmp_path: Path) -> None:
    """The process map is needed: outside a repository the command says so (exit 2, no traceback)."""
    log = write_csv(tmp_path / "d1.csv", D1)
    res = qms_flow(log, cwd=tmp_path)
    assert res.code == 2 and "needs a QMS repository" in res.err and "Traceback" not in res.err


def test_missing_header_column(qms_flow: Flow, tmp_path: Path) -> None:
    """A log without a received-time column is refused with the accepted headers (exit 2); the
    repository, loaded meanwhile on a helper thread, is waited for (no thread is left behind)."""
    import threading

    log = write_csv(tmp_path / "nohead.csv", [["D1", "QT-HT-01", "B1"]], ["Mã hồ sơ", "Mã thủ tục", "Bước"])
    res = qms_flow(log)
    assert res.code == 2 and "has no column received_at" in res.err and "--columns" in res.err
    assert REPO.exists()
    assert not [t for t in threading.enumerate() if t.name == "qms-flow-setup"]


def test_cells_with_surrounding_spaces(qms_flow: Flow, tmp_path: Path) -> None:
    """Item 1: codes, steps and agencies written with spaces around them (hand-typed sheets) are the same
    codes, steps and agencies; a blank agency cell is not an unknown agency."""
    header = ["Mã hồ sơ", "Mã thủ tục", "Bước", "Cơ quan", "Thời gian nhận", "Thời gian giao"]
    rows = [[f" {r[0]} ", f"{r[1]}  ", f"  {r[4]}", "  ", r[5], r[6]] for r in D1]
    log = write_csv(tmp_path / "spaces.csv", rows, header)
    data = qms_flow(log, "--format", "json", "--as-of", "2026-03-31").json()
    proc = _proc(data, "QT-HT-01")
    assert proc["dossiers"] == 1 and proc["deviations"] == [] and proc["unmatched_events"] == 0
    assert _steps(proc)["B3"]["median_hours"] == 1.5


def test_log_without_procedure_column(qms_flow: Flow, tmp_path: Path) -> None:
    """Item 1: a log without a procedure column needs --procedure (exit 2 with the accepted headers);
    with it, the rows are that procedure's."""
    header = ["Mã hồ sơ", "Bước", "Thời gian nhận", "Thời gian giao"]
    log = write_csv(tmp_path / "noproc.csv", [[r[0], r[4], r[5], r[6]] for r in D1], header)
    res = qms_flow(log, "--as-of", "2026-03-31")
    assert res.code == 2 and "no procedure column" in res.err and "Mã thủ tục" in res.err
    data = qms_flow(log, "--procedure", "QT-HT-01", "--format", "json", "--as-of", "2026-03-31").json()
    assert _steps(_proc(data, "QT-HT-01"))["B4"]["median_hours"] == 2.0


def test_row_order_and_codes_shared_by_procedures_do_not_change_the_figures(qms_flow: Flow, tmp_path: Path) -> None:
    """Item 2: the figures do not depend on how the log orders its rows (an export sorted by the time
    received interleaves the dossiers), and one dossier code used by two procedures is two dossiers."""
    base = qms_flow(SHIPPED_LOG, "--format", "json", "--as-of", "2026-12-31").json()
    with SHIPPED_LOG.open(encoding="utf-8", newline="") as fh:
        header, *rows = list(csv.reader(fh))

    def received(r: list[str]) -> tuple[str, str, str, str]:
        day, time = r[7].split(" ")
        d, m, y = day.split("/")
        return y, m, d, time

    by_time = sorted(rows, key=received)  # stable: a dossier's rows received at one moment keep their order
    assert [r[0] for r in by_time] != [r[0] for r in rows]
    ht01 = list(dict.fromkeys(r[0] for r in rows if r[1] == "QT-HT-01"))
    ht02 = list(dict.fromkeys(r[0] for r in rows if r[1] == "QT-HT-02"))
    shared = dict(zip(ht02, ht01, strict=False))  # QT-HT-02's dossiers take QT-HT-01's codes
    renamed = [[shared.get(r[0], r[0]) if r[1] == "QT-HT-02" else r[0], *r[1:]] for r in by_time]
    assert len(shared) > 10

    def figures(data: dict[str, Any]) -> list[Any]:
        return [{k: v for k, v in p.items() if k != "deviations"} | {"deviations": [
            (d["kind"], d["count"]) for d in p["deviations"]]} for p in data["procedures"]]

    for variant, name in ((by_time, "by-time.csv"), (renamed, "shared-codes.csv")):
        log = write_csv(tmp_path / name, variant, header)
        data = qms_flow(log, "--format", "json", "--as-of", "2026-12-31").json()
        assert data["rejected_rows"] == [] and figures(data) == figures(base), name
    assert qms_flow(tmp_path / "by-time.csv", "--format", "json", "--as-of", "2026-12-31").json() == base


def _json_in_process(log: Path, as_of: str) -> Any:
    """The JSON report of ``log``, run in this process (so that a test can patch the engine)."""
    import json

    from click.testing import CliRunner

    from qms.cli.main import cli

    res = CliRunner().invoke(cli, ["--root", str(REPO), "flow", "report", str(log), "--format", "json",
                                   "--as-of", as_of])
    assert res.exit_code in (0, 1), res.output
    return json.loads(res.output)


@pytest.mark.parametrize("block", [5, 97])
def test_blocks_of_rows_give_the_figures_of_whole_columns(monkeypatch: pytest.MonkeyPatch, block: int) -> None:
    """The hand-over times, the waits between agencies and the agency visits are computed a block of
    rows at a time; a visit, a wait or a dossier that runs across blocks counts as it does in one block."""
    import qms.flow.analyse as analyse

    whole = _json_in_process(SHIPPED_LOG, "2026-07-31")
    monkeypatch.setattr(analyse, "_BLOCK", block)
    assert _json_in_process(SHIPPED_LOG, "2026-07-31") == whole
    assert any(p["agencies"] and p["handovers"] for p in whole["procedures"])


def test_one_dossier_and_one_hand_over_are_singular(qms_flow: Flow, tmp_path: Path) -> None:
    """The terminal report counts in English with the right number (Vietnamese nouns have none)."""
    log = write_csv(tmp_path / "one.csv", route("D5", ["B1", "B9", "B2", "B3", "B4", "B6"]))
    en = qms_flow(log, "--as-of", "2026-03-31").out
    assert "1 dossier, 0 late, 1 not following the map" in en and "1 dossiers" not in en
    assert "1 hand-over could not be matched to a step" in en
    vi = qms_flow(log, "--as-of", "2026-03-31", lang="vi").out
    assert "1 hồ sơ, 0 trễ hạn, 1 không theo sơ đồ quy trình" in vi
    assert "1 lần giao nhận không khớp được với bước nào" in vi
    two = write_csv(tmp_path / "two.csv", [*route("D5", ["B1", "B9", "B2", "B3", "B4", "B6"]),
                                           *route("D8", ["B1", "B9", "B2", "B3", "B4", "B6"])])
    many = qms_flow(two, "--as-of", "2026-03-31").out
    assert "2 dossiers, 0 late, 2 not following the map" in many and "2 hand-overs could not be matched" in many


def test_log_of_receipt_times_only(qms_flow: Flow, tmp_path: Path) -> None:
    """Item 1, "one row per hand-over": a sheet that records only when each party received the dossier
    (no time handed on) is timed hand-over to hand-over; a dossier whose last hand-over is to an end step
    finished then (on time or late by it), one whose last is elsewhere is still in progress."""
    header = [h for h in HEADER if h != "Thời gian giao"]
    drop = HEADER.index("Thời gian giao")
    d9 = [row("D9", s, f"10/03/2026 {h}:00", "") for s, h in (("B1", "08"), ("B2", "09"), ("B3", "10"))]
    rows = [[c for i, c in enumerate(r) if i != drop] for r in [*D1, *d9]]
    data = qms_flow(write_csv(tmp_path / "received.csv", rows, header), "--format", "json",
                    "--as-of", "2026-03-31").json()
    proc = _proc(data, "QT-HT-01")
    hours = {k: (s["count"], s["median_hours"]) for k, s in _steps(proc).items()}
    # B3 of D1 lasts until B4 was received (11:30 to 16:00, lunch not counted); the end step B6 is not timed
    assert hours == {"B1": (2, 1.25), "B2": (2, 1.5), "B3": (1, 3.5), "B4": (1, 2.0)}
    assert (proc["dossiers"], proc["late"], proc["overdue"], proc["nonconforming"]) == (2, 1, 1, 0)


def test_overlapping_exports_count_each_hand_over_once(qms_flow: Flow, tmp_path: Path) -> None:
    """Item 1, real use: exports of overlapping periods (and a row entered twice) hold the same hand-over
    more than once; it is counted once, and the report says how many were dropped. A step done twice at
    different times (D3's loop) is not a repeat."""
    rows = [*D1, *DEVIANTS]
    one = write_csv(tmp_path / "jan-mar.csv", rows)
    overlap = write_csv(tmp_path / "mar.csv", [*D1[2:], *DEVIANTS[:3], D1[0]])  # D1[0] twice in this file
    alone = qms_flow(one, "--format", "json", "--as-of", "2026-03-31").json()
    both = qms_flow(one, overlap, "--format", "json", "--as-of", "2026-03-31").json()
    assert both.pop("duplicate_rows") == len(D1) - 2 + 3 + 1 and alone.pop("duplicate_rows") == 0
    assert both == alone
    assert "more than once" not in qms_flow(one, "--as-of", "2026-03-31").out
    assert "7 hand-overs were in the logs more than once and are counted once" in qms_flow(
        one, overlap, "--as-of", "2026-03-31").out


def test_batches_prepared_by_the_reader_and_by_the_checker_agree(monkeypatch: pytest.MonkeyPatch,
                                                                   tmp_path: Path) -> None:
    """The plain lines of a log are prepared in the query that reads them (codes, categoricals,
    dates); from a row that query cannot take (a short row) the line reader goes on and the checker
    prepares its batches itself. Both give the same events, rejections and row numbers as a log read
    in one batch."""
    import json

    import qms.flow.events as events
    import qms.store.dossier_logs as dossier_logs

    bad = [row("", "B1", "06/03/2026 08:00", "06/03/2026 09:00"),
           row("D9", "B1", "06/03/2026 10:00", "06/03/2026 09:00"),
           row("D9", "B1", "31/02/2026 08:00", "06/03/2026 09:00")]
    # a short row (read as one with empty cells at its end), then a row whose only text is in a
    # column the query does not read (the applicant's name): the line reader goes on from there
    rows = [*D1, bad[0], *DEVIANTS[:9], bad[1], ["D8", PROC], *DEVIANTS[9:12], ["", "", APPLICANT],
            *DEVIANTS[12:], bad[2]]
    log = write_csv(tmp_path / "mixed.csv", rows)
    seen: list[bool] = []
    batch = events.EventReader._batch

    def spy(self: events.EventReader, df: Any, *args: Any) -> None:
        seen.append(events.PACKED in df.columns)
        batch(self, df, *args)

    monkeypatch.setattr(events.EventReader, "_batch", spy)

    def report() -> Any:
        return _json_in_process(log, "2026-12-31")

    whole = report()
    assert seen == [False]  # one batch, which holds the row without a code: the line reader reads it all
    seen.clear()
    monkeypatch.setattr(dossier_logs, "_BATCH_ROWS", 4)
    assert report() == whole
    assert seen == [True] * 5 + [False] * 4  # rows 2-21 prepared as they are read, then the line reader
    # listed in row order, whatever the reason and the batch
    assert [(r["row"], r["reason"]) for r in whole["rejected_rows"]] == [
        (7, "Mã hồ sơ is empty"), (17, "handed on (Thời gian giao) before it was received (Thời gian nhận)"),
        (18, "Thời gian nhận is empty"), (22, "Mã hồ sơ is empty"),
        (36, "Thời gian nhận is not a date or a date and time")]
    assert APPLICANT not in json.dumps(whole, ensure_ascii=False)


def test_late_as_the_kpi_report_decides_on_days_off_and_dates_off_the_calendar(qms_flow: Flow, tmp_path: Path) -> None:
    """Decisions, "late" as the KPI engine decides it: an appointment on a day off (Saturday 07/03/2026)
    is due on the next working day, so D1, finished on Monday, is on time, while the same route due on
    Friday is late. A date in a year the working-day calendar does not cover (a typo such as 0206)
    rejects its row with the column and the years covered; the report goes on (it used to stop for
    the whole log, naming no row)."""
    def due(rows: list[list[str]], code: str, day: str) -> list[list[str]]:
        return [[code, *r[1:7], day] for r in rows]

    rows = [*due(D1, "SAT", "07/03/2026"), *due(D1, "FRI", "06/03/2026"),
            row("TYPO", "B1", "06/03/2026 08:00", "06/03/2026 09:00", "06/03/0206"),
            row("OLD", "B1", "06/03/1206 08:00", "06/03/2026 09:00")]
    res = qms_flow(write_csv(tmp_path / "due.csv", rows), "--format", "json", "--as-of", "2026-03-31")
    assert res.code == 0, res.err
    data = res.json()
    proc = _proc(data, "QT-HT-01")
    assert (proc["dossiers"], proc["late"]) == (2, 1)
    assert proc["late_by_step"] and sum(proc["late_by_step"].values()) == 1
    rejected = {(r["row"], r["dossier_id"]): r["reason"] for r in data["rejected_rows"]}
    assert set(rejected) == {(2 * len(D1) + 2, "TYPO"), (2 * len(D1) + 3, "OLD")}, rejected
    assert "Ngày hẹn trả" in rejected[(2 * len(D1) + 2, "TYPO")] and "1901" in rejected[(2 * len(D1) + 2, "TYPO")]
    assert "Thời gian nhận" in rejected[(2 * len(D1) + 3, "OLD")]


@pytest.mark.parametrize("rows", [D1, []], ids=["rows", "header only"])
def test_an_error_in_the_repository_setup_is_reported_as_before(qms_flow: Flow, tmp_path: Path,
                                                               rows: list[list[str]]) -> None:
    """The repository (process maps, calendar) is loaded while the log's first rows are read: a bad
    ``--calendar`` file is still reported with its place and the fix, whether or not the log has
    rows to look procedures up for, and nothing is written."""
    bad = tmp_path / "calendar.yaml"
    bad.write_text("holidays: [2026-01-01\nworking_saturdays: []\n", encoding="utf-8")
    log = write_csv(tmp_path / "d1.csv", rows)
    out = tmp_path / "report.json"
    res = qms_flow(log, "--calendar", bad, "--format", "json", "-o", out)
    assert res.code == 2 and "Traceback" not in res.err, res.err
    assert f"{bad}:" in res.err and not out.exists()


def test_a_report_without_a_second_period_gives_the_events_back_as_it_goes() -> None:
    """Without --compare the events are read once and analysed once: the analysis empties the
    events' frame once it has its own columns (their memory then serves its later steps); the figures
    are those of an analysis that keeps it, and with --compare the frame is kept for the second period."""
    import datetime as dt

    from qms.cli.calendar import load_calendar
    from qms.flow.analyse import analyse
    from qms.flow.events import read_events
    from qms.flow.report import to_json
    from qms.flow.usecase import FlowRequest, analyse_logs, build_setup

    req = FlowRequest(logs=(SHIPPED_LOG,), root=REPO, as_of=dt.date(2026, 7, 31), fmt="json")
    setup, resolve = build_setup(req, load_calendar)
    kept, given_back = (read_events(req.logs, resolve, column_map=None, as_of=req.as_of) for _ in range(2))
    assert kept.frame.height > 1000
    assert to_json(analyse(given_back, setup, release=True), None) == to_json(analyse(kept, setup), None)
    assert given_back.frame.height == 0 and kept.frame.height > 1000
    halves = (dt.date(2026, 1, 1), dt.date(2026, 3, 31)), (dt.date(2026, 4, 1), dt.date(2026, 7, 31))
    first, second = analyse_logs(FlowRequest(logs=req.logs, root=REPO, as_of=req.as_of, period=halves[0],
                                             compare=halves[1]), load_calendar)
    assert second is not None and sum(p.dossiers for p in second.procedures) > 0
    assert sum(p.dossiers for p in first.procedures) > 0
