"""Defects a quality officer met feeding real one-stop exports to `qms kpi report` (round 7)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from inprocess import run_main as run


@pytest.fixture(autouse=True)
def _outside_a_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Explicit files only: run where no qms.yaml is found upward."""
    monkeypatch.chdir(tmp_path)


HEADER = "Mã hồ sơ;Mã TTHC;Ngày tiếp nhận;Ngày hẹn trả;Ngày có kết quả;Trạng thái\n"


def test_status_words_are_whole_words_and_a_pause_is_not_a_withdrawal(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A dossier "Chuyển xử lý" (moved to the next step: 'chuyển' holds the letters of 'hủy') or
    "Tạm dừng xử lý" (paused for supplementation) is still being processed: it counts (here overdue),
    it is not excluded as withdrawn or cancelled; "Dừng xử lý", "Đã hủy" and "Đã rút" still are."""
    log = tmp_path / "log.csv"
    log.write_text(HEADER + "".join(
        f"{i};P;02/03/2026;06/03/2026;;{status}\n" for i, status in enumerate(
            ["Chuyển xử lý", "Đã chuyển liên thông", "Tạm dừng xử lý", "Tạm dừng giải quyết (chờ bổ sung)",
             "Dừng xử lý", "Đã hủy", "Huỷ hồ sơ", "Đã rút hồ sơ", "Công dân rút hồ sơ"])), encoding="utf-8")
    code, out, err = run(["kpi", "report", str(log), "--format", "json", "--as-of", "2026-03-31"], capsys)
    assert code == 0, err
    data = json.loads(out)
    assert (data["overdue_in_progress"], data["excluded"]) == (4, 5)


def test_a_due_date_exported_at_midnight_has_no_due_time(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A one-stop export writes a date-only "Ngày hẹn trả" as "06/01/2026 00:00:00"; a result at 10:00 on
    that day is on time (the xlsx reader already reads such a cell as a date), not late. A real due
    time (17:00) still makes a later result late."""
    log = tmp_path / "log.csv"
    log.write_text(HEADER
                   + "A;P;05/01/2026 08:30:00;06/01/2026 00:00:00;06/01/2026 10:00:00;Đã trả kết quả\n"
                   + "B;P;2026-01-05 08:30;2026-01-06 00:00;2026-01-06 10:00;Đã trả kết quả\n"
                   + "C;P;05/01/2026 08:30;06/01/2026 17:00;06/01/2026 17:30;Đã trả kết quả\n"
                   + "D;P;05/01/2026 08:30;06/01/2026 00:00;07/01/2026 00:00;Đã trả kết quả\n", encoding="utf-8")
    _code, out, err = run(["kpi", "report", str(log), "--format", "json", "--as-of", "2026-03-31"], capsys)
    data = json.loads(out)
    assert (data["on_time"], data["late"]) == (2, 2), err


def test_vietnamese_breakdown_table_keeps_its_columns_apart(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The text breakdown in Vietnamese: "Đang giải quyết, quá hạn" (the summary's term) is longer than the 14-character columns,
    so the headings ran together ("Quá hạnQuá hạn đang xử lýTỷ lệ đúng hạn"); each heading now ends
    where its column of figures ends."""
    log = tmp_path / "log.csv"
    log.write_text(HEADER + "A;1.001193;05/01/2026;06/01/2026;06/01/2026;\n", encoding="utf-8")
    code, out, err = run(["--lang", "vi", "kpi", "report", str(log), "--by", "procedure", "--as-of", "2026-03-31"],
                         capsys)
    assert code == 0, err
    lines = out.splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("Nhóm"))
    heading, row = lines[head], lines[head + 1]
    labels = ["Tổng", "Đã giải quyết", "Quá hạn", "Đang giải quyết, quá hạn", "Tỷ lệ đúng hạn"]
    values = ["1", "1", "0", "0", "100,00%"]
    assert heading.split("  ")[0] == "Nhóm" and row.startswith("1.001193 ")
    ends = [heading.index(" " + label + (" " if label != labels[-1] else "")) + len(label) + 1 for label in labels]
    assert [row[:end].rstrip().rsplit(" ", 1)[-1] for end in ends] == values
    assert heading.rstrip().endswith("Tỷ lệ đúng hạn")


def test_rejected_rows_of_a_vietnamese_document_are_in_vietnamese(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """With English messages, `--format html --lang vi` wrote the reasons of rejected rows in English
    ("Ngày tiếp nhận is empty") into the Vietnamese document; they follow the document's language, and
    the text report still follows the messages."""
    log = tmp_path / "log.csv"
    log.write_text(HEADER + "A;P;05/01/2026;06/01/2026;06/01/2026;\nB;P;;06/01/2026;;\nC;P;31/02/2026;;;\n",
                   encoding="utf-8")
    html = tmp_path / "r.html"
    code, _out, err = run(["--lang", "en", "kpi", "report", str(log), "--format", "html", "--lang", "vi",
                           "-o", str(html), "--as-of", "2026-03-31"], capsys)
    assert code == 0, err
    page = html.read_text(encoding="utf-8")
    assert "cột Ngày tiếp nhận bị trống" in page
    assert "is empty" not in page and "is not a date" not in page
    code, out, err = run(["--lang", "en", "kpi", "report", str(log), "--as-of", "2026-03-31"], capsys)
    assert "Ngày tiếp nhận is empty" in out


BASE = Path(__file__).resolve().parents[1] / "rules" / "base"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The rules' base repository (Vietnamese organisation, objective MT-01 >= 98%), QT-01 with code 1.000001."""
    root = tmp_path / "repo"
    shutil.copytree(BASE, root)
    proc = root / "processes" / "QT-01.yaml"
    proc.write_text(proc.read_text(encoding="utf-8").replace("  mechanism: one_stop\n",
                                                              '  code: "1.000001"\n  mechanism: one_stop\n'),
                    encoding="utf-8")
    monkeypatch.chdir(root)
    return root


def test_raise_nc_per_procedure_is_written_in_the_organisation_language(
        repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`--raise-nc --by procedure --target 98` wrote its nonconformity in English ("Late dossiers of
    procedure 1.000001 …", with a Vietnamese "66,67%" inside) into a Vietnamese organisation's register;
    it is written in the organisation's language, like the objective's, and only once."""
    log = repo / "log.csv"
    log.write_text(HEADER + "A;1.000001;02/03/2026;03/03/2026;03/03/2026;\nB;1.000001;02/03/2026;03/03/2026;"
                   "04/03/2026;\nC;1.000001;02/03/2026;03/03/2026;03/03/2026;\n", encoding="utf-8")
    argv = ["--lang", "en", "kpi", "report", str(log), "--period", "2026-03", "--as-of", "2026-06-30",
            "--by", "procedure", "--target", "98", "--raise-nc", "--raised-by", "Trần Thị Bình"]
    code, _out, err = run(argv, capsys)
    assert code == 1 and "raised NC-" in err
    files = sorted((repo / "records" / "nonconformities").glob("NC-*.yaml"))
    assert len(files) == 1, err
    text = files[0].read_text(encoding="utf-8")
    assert "Late dossiers" not in text and "dossiers resolved late" not in text
    assert "1.000001" in text and "66,67%" in text and "process: QT-01" in text
    code, _out, err = run(argv, capsys)
    assert "already records" in err
    assert len(list((repo / "records" / "nonconformities").glob("NC-*.yaml"))) == 1


def test_raise_nc_finds_the_process_of_a_log_that_names_its_procedures(
        repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A log with only "Tên thủ tục" (the limit is found by the process title): --raise-nc said "no late
    dossier belongs to a process of the repository" and raised nothing; the title leads to the process,
    for the objective and for a procedure below --target."""
    log = repo / "log.csv"
    log.write_text("Mã hồ sơ;Tên thủ tục;Ngày tiếp nhận;Ngày có kết quả\n"
                   "A;Chứng thực bản sao;02/03/2026;03/03/2026\nB;CHỨNG THỰC  BẢN SAO;02/03/2026;05/03/2026\n",
                   encoding="utf-8")
    base = ["kpi", "report", str(log), "--period", "2026-03", "--as-of", "2026-06-30", "--raise-nc",
            "--raised-by", "Trần Thị Bình"]
    code, _out, err = run(base, capsys)
    assert code == 1 and "raised NC-" in err, err
    code, _out, err = run([*base, "--by", "procedure", "--target", "98"], capsys)
    assert code == 1 and "raised NC-" in err, err
    texts = [p.read_text(encoding="utf-8") for p in sorted((repo / "records" / "nonconformities").glob("*.yaml"))]
    assert len(texts) == 2 and all("process: QT-01" in t for t in texts)


def test_a_rate_below_the_target_never_shows_as_reaching_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """24,899 of 25,408 on time is 97.997 %: the report printed "98,00% … KHÔNG ĐẠT" against "≥ 98%", and one
    late dossier in 200,000 printed as "100,00%". Rates are cut, not rounded, to two decimals; a target of
    97.5 reads "97,5" in Vietnamese."""
    log = tmp_path / "log.csv"
    ok, late = "05/01/2026;06/01/2026;06/01/2026;\n", "05/01/2026;06/01/2026;07/01/2026;\n"
    log.write_text(HEADER + "".join(f"X{i};P;{ok}" for i in range(24899))
                   + "".join(f"L{i};P;{late}" for i in range(509)), encoding="utf-8")
    code, out, _err = run(["--lang", "vi", "kpi", "report", str(log), "--as-of", "2026-03-31", "--target", "98"],
                          capsys)
    assert code == 1
    assert "97,99%" in out and "98,00%" not in out
    code, out, _err = run(["--lang", "vi", "kpi", "report", str(log), "--as-of", "2026-03-31", "--target", "97.5"],
                          capsys)
    assert code == 0 and ">= 97,5%" in out


def test_monthly_chart_reads_in_vietnamese_and_shows_a_lone_month() -> None:
    """The monthly chart of a Vietnamese report labelled a 97.5 % target "97.5%", and a month between two
    empty months (no line to draw) was a 1.8-unit dot, invisible at 60 dpi; the label reads "97,5%" and a
    lone point is drawn large enough to see, while points on a line keep their size."""
    import re

    from qms.i18n import use_language
    from qms.kpi.charts import line_chart

    with use_language("vi"):
        svg = line_chart(["2026-01", "2026-02", "2026-03", "2026-04"], {"A": [50.0, None, 100.0, 90.0]},
                         title="T", target=97.5)
    assert ">97,5%<" in svg and "97.5" not in svg
    radii = [float(r) for r in re.findall(r'<circle [^>]*r="([\d.]+)"', svg)]
    assert len(radii) == 3 and radii[0] >= 3 and radii[1] < 3 and radii[2] < 3


def test_a_target_given_on_the_command_line_is_named_in_the_document_language(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The objectives table of a Vietnamese HTML report named a `--target` objective "--target – Tỷ lệ đúng
    hạn"; it reads "Tỷ lệ đúng hạn (--target)", with no option name standing as an objective id."""
    log = tmp_path / "log.csv"
    log.write_text(HEADER + "A;P;05/01/2026;06/01/2026;06/01/2026;\n", encoding="utf-8")
    html = tmp_path / "r.html"
    code, _out, err = run(["kpi", "report", str(log), "--format", "html", "--lang", "vi", "--target", "97.5",
                           "-o", str(html), "--as-of", "2026-03-31"], capsys)
    assert code == 0, err
    page = html.read_text(encoding="utf-8")
    assert "<td>Tỷ lệ đúng hạn (--target)</td><td><span class=\"nb\">≥ 97,5%</span></td>" in page
    assert "--target –" not in page
