"""Defects a commune's quality officer met feeding real one-stop exports to `qms kpi report` (round 8)."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from inprocess import run_main as run


@pytest.fixture(autouse=True)
def _outside_a_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Explicit files only: run where no qms.yaml is found upward."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("QMS_LANG", raising=False)


ISO = re.compile(r"\b\d{4}-\d{2}(-\d{2})?\b")
LOG = ("Mã hồ sơ;Mã TTHC;Đơn vị;Ngày tiếp nhận;Ngày hẹn trả;Ngày có kết quả;Trạng thái\n"
       "HS1;1.001;Tư pháp;04/05/2026;06/05/2026;05/05/2026;Đã trả kết quả\n"
       "HS2;1.001;Tư pháp;04/05/2026;06/05/2026;07/05/2026;Đã trả kết quả\n"
       "HS3;1.002;Địa chính;06/04/2026;08/04/2026;;Đang xử lý\n")


def test_vietnamese_reports_write_dates_as_dd_mm_yyyy(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """D3: the Vietnamese text report (`--lang vi` of the command, or the top-level one) and the HTML report
    write the reference day, the period and the months of --by month and of the charts as dd/mm/yyyy
    (mm/yyyy), never 2026-05-31; JSON keeps ISO dates for machines."""
    log = tmp_path / "log.csv"
    log.write_text(LOG, encoding="utf-8")
    base = ["kpi", "report", str(log), "--as-of", "2026-05-31", "--period", "2026-04..2026-05"]
    code, out, err = run([*base, "--by", "month", "--lang", "vi"], capsys)
    assert code == 0, err
    assert "tính đến ngày 31/05/2026" in out and "Kỳ báo cáo: 01/04/2026 đến 31/05/2026" in out
    assert re.search(r"^04/2026 +1 ", out, re.M) and re.search(r"^05/2026 +2 ", out, re.M), out
    assert not ISO.search(out), out
    code, out, err = run(["--lang", "vi", *base, "--format", "html"], capsys)
    assert code == 0, err
    assert "31/05/2026" in out and ">04/2026<" in out and ">05/2026<" in out
    assert not ISO.search(re.sub(r"BC-KPI-\d+", "", out)), ISO.findall(out)
    code, out, err = run([*base, "--by", "month", "--format", "json"], capsys)
    data = json.loads(out)
    assert data["reference_day"] == "2026-05-31" and [g["key"] for g in data["breakdown"]] == ["2026-04", "2026-05"]


def test_spellings_of_one_procedure_name_are_one_procedure(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """D4: rows naming a procedure in NFC and NFD, with a double space, in other case, with a trailing
    full stop, with the eth look-alike of Đ or a d with a combining stroke, are one procedure in the
    breakdown, and each finds the procedure's time limit in the repository by its title; a truly
    different name ("Chứng thực chữ ký") and a name with another tone mark stay apart."""
    import unicodedata

    from example_repo import copy_example

    repo = copy_example(tmp_path / "repo")
    copy = "Chứng thực bản sao từ bản chính"
    sign = "Chứng thực chữ ký trong giấy tờ, văn bản"
    names = [copy, unicodedata.normalize("NFD", copy), "Chứng  thực bản sao từ bản chính ", copy.lower(),
             copy + ".", copy.upper(), sign, sign + ".", "CHỨNG THỰC chữ ký trong giấy tờ, văn bản",
             "Chứng thực chữ ký", "Chứng thực bản sao từ bản chinh"]
    rows = "".join(f"HS{i};{name};Tư pháp;04/05/2026 08:00;05/05/2026 09:00\n" for i, name in enumerate(names))
    rows += "HSD1;\u00d0ăng ký khai sinh;T\u01b0 pháp;04/05/2026;05/05/2026\nHSD2;D\u0335ăng ký khai sinh;Tư  pháp;04/05/2026;05/05/2026\n"
    rows += "HSD3;Đăng ký khai sinh;tư pháp;04/05/2026;05/05/2026\n"
    log = tmp_path / "log.csv"
    log.write_text("Mã hồ sơ;Tên thủ tục;Đơn vị;Ngày tiếp nhận;Ngày có kết quả\n" + rows, encoding="utf-8")
    limits = tmp_path / "limits.yaml"
    limits.write_text('"Đăng ký khai sinh": 1\n', encoding="utf-8")
    code, out, err = run(["--root", str(repo), "kpi", "report", str(log), "--as-of", "2026-05-31", "--by", "procedure",
                          "--format", "json", "--limits", str(limits)], capsys)
    data = json.loads(out)
    groups = {g["key"]: g["total"] for g in data["breakdown"]}
    assert groups == {copy: 6, "Chứng thực bản sao từ bản chinh": 1, sign: 3, "Đăng ký khai sinh": 3}, groups
    assert [r["dossier_id"] for r in data["rejected"]] == ["HS9"], data["rejected"]  # no limit for that name
    assert data["on_time"] == 13, err
    code, out, err = run(["--root", str(repo), "kpi", "report", str(log), "--as-of", "2026-05-31", "--by", "unit",
                          "--format", "json", "--limits", str(limits)], capsys)
    assert code == 0, err
    assert [(g["key"], g["total"]) for g in json.loads(out)["breakdown"]] == [("Tư pháp", 13)]


def write_xlsx(path: Path, rows: list[list[object]], merged: tuple[str, ...] = ()) -> None:
    """A real .xlsx as one-stop systems export it: inline strings, numeric cells, merged ranges (the
    value in the first cell of a range, the others absent)."""
    ns = "http://schemas.openxmlformats.org"

    def cell(ref: str, v: object) -> str:
        if isinstance(v, (int, float)):
            return f'<c r="{ref}"><v>{v}</v></c>'
        return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(v))}</t></is></c>'

    body = "".join(f'<row r="{r}">' + "".join(cell(f"{chr(65 + c)}{r}", v) for c, v in enumerate(row) if v != "")
                   + "</row>" for r, row in enumerate(rows, start=1))
    merges = (f'<mergeCells count="{len(merged)}">' + "".join(f'<mergeCell ref="{m}"/>' for m in merged)
              + "</mergeCells>") if merged else ""
    rels = f"{ns}/package/2006/relationships"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", f'<Types xmlns="{ns}/package/2006/content-types">'
                   '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                   '<Default Extension="xml" ContentType="application/xml"/>'
                   '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                   'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType='
                   '"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
        z.writestr("_rels/.rels", f'<Relationships xmlns="{rels}"><Relationship Id="rId1" Type="{ns}/officeDocument/'
                   '2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", f'<workbook xmlns="{ns}/spreadsheetml/2006/main" xmlns:r="{ns}/officeDocument/'
                   '2006/relationships"><sheets><sheet name="Sổ theo dõi" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", f'<Relationships xmlns="{rels}"><Relationship Id="rId1" Type="{ns}/'
                   'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
        z.writestr("xl/worksheets/sheet1.xml", f'<worksheet xmlns="{ns}/spreadsheetml/2006/main"><sheetData>{body}'
                   f"</sheetData>{merges}</worksheet>")


def test_a_header_of_two_rows_with_merged_group_headings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """D1: an XLSX export whose header spans two rows ("Thời gian" merged over "Tiếp nhận", "Hẹn trả",
    "Trả kết quả"; the other headings merged down both rows), then a row of column numbers, is read:
    the columns are named as the two rows say together, and reasons use those names. The same header
    in CSV, with "Hồ sơ" over "Mã"/"Tên thủ tục" and "Ngày trả kết quả" over "Theo hẹn"/"Thực tế", is
    read too; two columns that could each be the result date stop the report with both names and a
    mapping hint, and the mapping settles it."""
    log = tmp_path / "so-theo-doi.xlsx"
    write_xlsx(log, [
        ["UBND XÃ AN BÌNH"],
        ["SỔ THEO DÕI HỒ SƠ THÁNG 5/2026"],
        ["STT", "Mã hồ sơ", "Tên thủ tục", "Thời gian", "", "", "Trạng thái"],
        ["", "", "", "Tiếp nhận", "Hẹn trả", "Trả kết quả", ""],
        ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)"],
        [1, "HS1", "Đăng ký khai sinh", "04/05/2026 08:00", "05/05/2026", "05/05/2026 09:00", "Đã trả kết quả"],
        [2, "HS2", "Đăng ký khai sinh", "04/05/2026 08:00", "05/05/2026", "06/05/2026 09:00", "Đã trả kết quả"],
        [3, "HS3", "Đăng ký khai sinh", "không rõ", "05/05/2026", "", "Đang xử lý"],
    ], merged=("A3:A4", "B3:B4", "C3:C4", "D3:F3", "G3:G4"))
    code, out, err = run(["kpi", "report", str(log), "--as-of", "2026-05-31", "--format", "json"], capsys)
    assert code == 0, err
    data = json.loads(out)
    assert (data["on_time"], data["late"], data["rejected_rows"]) == (1, 1, 1), data
    assert data["rejected"][0]["row"] == 8 and data["rejected"][0]["reason"].startswith("Thời gian tiếp nhận:")

    csv = tmp_path / "log.csv"
    head = ("Hồ sơ;;Ngày tiếp nhận;Ngày trả kết quả;\n"
            "Mã;Tên thủ tục;;{due};Thực tế\n")
    body = "HS1;Chứng thực;04/05/2026;06/05/2026;05/05/2026\nHS2;Chứng thực;04/05/2026;05/05/2026;06/05/2026\n"
    csv.write_text(head.format(due="Theo hẹn") + body, encoding="utf-8")
    code, out, err = run(["kpi", "report", str(csv), "--as-of", "2026-05-31", "--format", "json"], capsys)
    assert code == 0, err
    assert (json.loads(out)["early"], json.loads(out)["late"]) == (1, 1)
    # a data row without an id under a one-row header is a rejected row, not a second header row
    one = tmp_path / "one.csv"
    one.write_text("Mã hồ sơ;Ngày tiếp nhận;Ngày hẹn trả;Ghi chú\n;04/05/2026;06/05/2026;Hoàn thành\n"
                   "HS1;04/05/2026;06/05/2026;Đang xử lý\n", encoding="utf-8")
    code, out, err = run(["kpi", "report", str(one), "--as-of", "2026-05-31", "--format", "json"], capsys)
    assert [(r["row"], r["reason"]) for r in json.loads(out)["rejected"]] == [(2, "Mã hồ sơ is empty")], err
    csv.write_text(head.format(due="Lần 1") + body, encoding="utf-8")
    code, out, err = run(["kpi", "report", str(csv), "--as-of", "2026-05-31"], capsys)
    assert code == 2 and "Traceback" not in err
    assert f"{csv}:2: the two header rows do not say which column is returned_at" in err
    assert "'Ngày trả kết quả lần 1', 'Ngày trả kết quả thực tế'" in err and "kpi.columns" in err
    columns = tmp_path / "columns.yaml"
    columns.write_text('returned_at: "Ngày trả kết quả thực tế"\ndue_at: "Ngày trả kết quả lần 1"\n', encoding="utf-8")
    code, out, err = run(["kpi", "report", str(csv), "--as-of", "2026-05-31", "--format", "json",
                          "--columns", str(columns)], capsys)
    assert code == 0, err
    assert (json.loads(out)["early"], json.loads(out)["late"]) == (1, 1)


def test_a_totals_row_is_left_out_with_a_note(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """D2: a totals row at the bottom ("Tổng cộng" with sums in number columns and empty date cells; "Tổng
    số: 3" in a quoted CSV; "Cộng" as a subtotal) is left out and listed as such, not rejected; a row
    labelled "Tổng cộng" that holds a receipt date, and a row with an id but no date, are still dossiers
    (counted or rejected), never hidden."""
    log = tmp_path / "log.xlsx"
    write_xlsx(log, [
        ["STT", "Mã hồ sơ", "Ngày tiếp nhận", "Ngày hẹn trả", "Ngày có kết quả", "Số ngày tạm dừng"],
        [1, "HS1", "04/05/2026", "06/05/2026", "05/05/2026", 0],
        ["Cộng", "", "", "", "", 0],
        [2, "HS2", "04/05/2026", "06/05/2026", "07/05/2026", 1],
        [3, "HS3", "", "06/05/2026", "07/05/2026", 0],
        ["Tổng cộng", "HS4", "04/05/2026", "06/05/2026", "05/05/2026", 0],
        ["Tổng cộng", "HS7", "", "", "", 0],
        ["Tổng cộng", 4, "", "", "", 1],
    ], merged=("A8:B8",))
    plain = tmp_path / "log.csv"
    plain.write_text("STT;Mã hồ sơ;Ngày tiếp nhận;Ngày hẹn trả;Ngày có kết quả\n"
                     "1;HS5;04/05/2026;06/05/2026;05/05/2026\nTỔNG SỐ:;1;;;\n", encoding="utf-8")
    quoted = tmp_path / "quoted.csv"
    quoted.write_text('"Mã hồ sơ","Ngày tiếp nhận","Ngày hẹn trả","Ngày có kết quả"\n'
                      '"HS6","04/05/2026","06/05/2026","05/05/2026"\n"Tổng số: 1 hồ sơ","","",""\n', encoding="utf-8")
    code, out, err = run(["kpi", "report", str(log), str(plain), str(quoted), "--as-of", "2026-05-31",
                          "--format", "json"], capsys)
    assert code == 0, err
    data = json.loads(out)
    assert data["total"] == 5 and [r["dossier_id"] for r in data["rejected"]] == ["HS3", "HS7"], data["rejected"]
    assert [(Path(t["path"]).name, t["row"], t["label"]) for t in data["totals"]] == [
        ("log.xlsx", 3, "Cộng"), ("log.xlsx", 8, "Tổng cộng"), ("log.csv", 3, "TỔNG SỐ"),
        ("quoted.csv", 3, "Tổng số: 1 hồ sơ")]
    code, out, err = run(["--lang", "vi", "kpi", "report", str(log), "--as-of", "2026-05-31"], capsys)
    assert "Dòng tổng cộng không tính               2" in out and f"{log}:8: Tổng cộng" in out


def test_a_time_written_before_the_date(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """D5: a one-stop system that writes the time before the date ("08:30 04/05/2026", "16:00, 04/05/2026")
    was rejected with "'08:30' is not a date"; the time is read with its date, so a result at 17:30 on a
    day due at 17:00 is late and one at 09:30 is on time. A two-digit year is still refused clearly."""
    log = tmp_path / "log.csv"
    log.write_text("Mã hồ sơ;Ngày tiếp nhận;Ngày hẹn trả;Ngày có kết quả\n"
                   "A1;08:30 04/05/2026;17:00 05/05/2026;17:30 05/05/2026\n"
                   "A2;16:00, 04/05/2026;17:00:00 05/05/2026;09:30 05/05/2026\n"
                   "A3;04/05/26;05/05/2026;05/05/2026\n", encoding="utf-8")
    code, out, err = run(["kpi", "report", str(log), "--as-of", "2026-05-31", "--format", "json"], capsys)
    data = json.loads(out)
    assert code == 0 and (data["on_time"], data["late"]) == (1, 1), err
    assert [(r["dossier_id"], r["reason"]) for r in data["rejected"]] == [
        ("A3", "Ngày tiếp nhận: '04/05/26' is not a date (use YYYY-MM-DD or dd/mm/yyyy)")]


def test_groups_are_in_vietnamese_order(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """D6: the breakdown listed "Tư pháp" before "Địa chính" (code-point order puts Đ after every
    Latin letter); groups now follow the Vietnamese alphabet (Đ right after D) in text and JSON."""
    log = tmp_path / "log.csv"
    log.write_text(LOG + "HS4;1.003;Văn hóa;04/05/2026;06/05/2026;05/05/2026;\nHS5;1.003;Dân tộc;04/05/2026;06/05/2026;;\n",
                   encoding="utf-8")
    code, out, err = run(["kpi", "report", str(log), "--as-of", "2026-05-31", "--by", "unit", "--format", "json"],
                         capsys)
    assert code == 0, err
    assert [g["key"] for g in json.loads(out)["breakdown"]] == ["Dân tộc", "Địa chính", "Tư pháp", "Văn hóa"]


def test_headers_with_a_note_in_brackets(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """D7: template headers that end with a note in brackets ("Mã hồ sơ (*)", "Ngày tiếp nhận
    (dd/mm/yyyy)", "Tên thủ tục (*)") were not recognised ("no header row found"); they are read
    as the headers without the note, and reasons still quote the file's own header."""
    log = tmp_path / "log.csv"
    log.write_text("Mã hồ sơ (*);Tên thủ tục (*);Ngày tiếp nhận (dd/mm/yyyy);Ngày hẹn trả [dd/mm/yyyy];"
                   "Ngày có kết quả\nA1;Chứng thực;04/05/2026;06/05/2026;05/05/2026\nA2;Chứng thực;x;06/05/2026;\n",
                   encoding="utf-8")
    code, out, err = run(["kpi", "report", str(log), "--as-of", "2026-05-31", "--by", "procedure",
                          "--format", "json"], capsys)
    data = json.loads(out)
    assert code == 0 and data["early"] == 1 and data["breakdown"][0]["key"] == "Chứng thực", err
    assert data["rejected"][0]["reason"].startswith("Ngày tiếp nhận (dd/mm/yyyy): 'x'")
