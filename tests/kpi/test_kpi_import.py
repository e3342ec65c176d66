"""Reading messy real-world exports (CSV in several encodings, XLSX) through `qms kpi report`."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from inprocess import run_main as run

VI_HEADER = "Mã hồ sơ,Mã thủ tục,Đơn vị,Ngày tiếp nhận,Ngày hẹn trả,Ngày có kết quả,Ngày trả kết quả,Trạng thái"


@pytest.fixture(autouse=True)
def _outside_a_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests use explicit files only: run them where no qms.yaml is found upward."""
    monkeypatch.chdir(tmp_path)


def report(path: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, dict[str, object], str]:
    code, out, err = run(["kpi", "report", str(path), "--format", "json", "--as-of", "2019-06-30", *extra], capsys)
    return code, (json.loads(out) if out.strip() else {}), err


MESSY = (
    "BÁO CÁO TÌNH HÌNH GIẢI QUYẾT HỒ SƠ,,,,,,,\n"  # a title row above the header
    ",,,,,,,\n"
    + VI_HEADER
    + "\n"
    "HS001,1.001,Phường 1,2019-03-01 08:00:00,2019-03-08 17:00,2019-03-07 10:00,2019-03-07,Đã trả kết quả\n"
    "\n"  # blank line
    "HS002,1.001,Phường 1,01/03/2019 08:00,08/03/2019,08/03/2019 16:00,,Đã trả kết quả\n"
    "HS003,1.001,Phường 2,1/3/2019,43532,43537.5,,Đã trả kết quả\n"  # Excel serials: due 08/03, done 13/03
    "HS004,1.001,Phường 2,31/02/2019,08/03/2019,,,Đang xử lý\n"  # bad date
    "HS005,1.001,Phường 2,2019-03-01T08:00:00+07:00,2019-03-08,,,Rút hồ sơ\n"
    "HS001,1.001,Phường 1,2019-03-01,2019-03-08,2019-03-08,,Đã trả kết quả\n"  # duplicate
)


def test_messy_csv_with_title_row_blank_lines_and_mixed_dates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p = tmp_path / "log.csv"
    p.write_text(MESSY, encoding="utf-8")
    code, data, _ = report(p, capsys, "--by", "unit")
    assert code == 0
    assert (data["early"], data["on_time"], data["late"], data["excluded"]) == (1, 1, 1, 1)
    assert data["rejected_rows"] == 1
    assert data["rejected"] == [
        {"path": str(p), "row": 8, "dossier_id": "HS004", "reason": data["rejected"][0]["reason"]}  # type: ignore[index]
    ]
    assert "31/02/2019" in data["rejected"][0]["reason"]  # type: ignore[index]
    assert data["duplicates"] == [
        {"dossier_id": "HS001", "path": str(p), "row": 10, "first_path": str(p), "first_row": 4}
    ]
    assert data["on_time_rate"] == pytest.approx(66.6667, abs=1e-3)
    for key in ("total", "resolved", "in_progress", "overdue_in_progress", "breakdown"):
        assert key in data


def test_utf8_bom_and_semicolons(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "bom.csv"
    text = MESSY.replace(",", ";")
    p.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    code, data, _ = report(p, capsys)
    assert code == 0
    assert data["total"] == 3


def test_utf16_with_bom_is_decoded(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "u16.csv"
    p.write_bytes(MESSY.replace(",", "\t").encode("utf-16"))
    code, data, _ = report(p, capsys)
    assert code == 0
    assert data["total"] == 3
    assert data["excluded"] == 1


def test_windows_1258_is_refused_clearly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "legacy.csv"
    p.write_bytes(MESSY.encode("cp1258", errors="replace"))
    code, out, err = run(["kpi", "report", str(p)], capsys)
    assert code == 2
    assert out == ""
    assert str(p) in err
    assert "UTF-8" in err
    assert "Windows-1258" in err
    assert "hint:" in err
    assert "Traceback" not in err


def test_missing_file_and_no_header_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["kpi", "report", str(tmp_path / "nope.csv")], capsys)
    assert code == 2
    assert "no such file" in err
    p = tmp_path / "junk.csv"
    p.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    code, _, err = run(["kpi", "report", str(p)], capsys)
    assert code == 2
    assert "no header row" in err
    assert "Mã hồ sơ" in err


def test_target_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "log.csv"
    p.write_text(MESSY, encoding="utf-8")
    code, data, _ = report(p, capsys, "--target", "98")
    assert code == 1
    assert data["target"] == {"metric": "on_time_rate", "target": 98.0, "actual": pytest.approx(66.6667, abs=1e-3), "met": False}
    code, data, _ = report(p, capsys, "--target", "60")
    assert code == 0
    assert data["target"]["met"] is True
    code, out, _ = run(["kpi", "report", str(p), "--as-of", "2019-06-30", "--target", "98"], capsys)
    assert code == 1
    assert "MISSED" in out


def test_csv_and_text_formats(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "log.csv"
    p.write_text(MESSY, encoding="utf-8")
    code, out, _ = run(["kpi", "report", str(p), "--format", "csv", "--by", "unit", "--as-of", "2019-06-30"], capsys)
    lines = out.strip().splitlines()
    assert code == 0
    assert lines[0].startswith("key,total,resolved,early")
    assert lines[-1].startswith("TOTAL,3,3,1,1,1")
    code, out, _ = run(["--lang", "vi", "kpi", "report", str(p), "--as-of", "2019-06-30"], capsys)
    assert code == 0
    assert "Tỷ lệ đúng hạn" in out
    assert f"{p}:8" in out


def test_limits_and_columns_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = tmp_path / "log.csv"
    log.write_text("Số BN,TTHC,Nhận lúc,Xong lúc\nA,1.001,2019-01-31,2019-02-12\nB,1.001,2019-01-31,2019-02-13\n", encoding="utf-8")
    limits = tmp_path / "limits.yaml"
    limits.write_text('"1.001": 3\n', encoding="utf-8")
    cols = tmp_path / "cols.yaml"
    cols.write_text(
        "kpi:\n  columns:\n    dossier_id: Số BN\n    procedure_id: TTHC\n    received_at: Nhận lúc\n    completed_at: Xong lúc\n",
        encoding="utf-8",
    )
    code, data, _ = report(log, capsys, "--limits", str(limits), "--columns", str(cols))
    assert code == 0
    assert (data["on_time"], data["late"]) == (1, 1)
    limits.write_text('"1.001": soon\n', encoding="utf-8")
    code, _, err = run(["kpi", "report", str(log), "--limits", str(limits), "--columns", str(cols)], capsys)
    assert code == 2
    assert "1.001" in err


def _write_xlsx(path: Path, rows: list[list[object]]) -> None:
    """A real minimal .xlsx: strings as inline strings, numbers as numeric cells."""

    def cell(ref: str, v: object) -> str:
        if isinstance(v, (int, float)):
            return f'<c r="{ref}"><v>{v}</v></c>'
        return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(v))}</t></is></c>'

    body = "".join(
        f'<row r="{r}">' + "".join(cell(f"{chr(65 + c)}{r}", v) for c, v in enumerate(row) if v != "") + "</row>"
        for r, row in enumerate(rows, start=1)
    )
    ns = "http://schemas.openxmlformats.org"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(
            "[Content_Types].xml",
            f'<Types xmlns="{ns}/package/2006/content-types">'
            f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            f'<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        )
        z.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{ns}/package/2006/relationships"><Relationship Id="rId1" '
            f'Type="{ns}/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        z.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{ns}/spreadsheetml/2006/main" xmlns:r="{ns}/officeDocument/2006/relationships">'
            '<sheets><sheet name="Hồ sơ" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{ns}/package/2006/relationships"><Relationship Id="rId1" '
            f'Type="{ns}/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        )
        z.writestr(
            "xl/worksheets/sheet1.xml",
            f'<worksheet xmlns="{ns}/spreadsheetml/2006/main"><sheetData>{body}</sheetData></worksheet>',
        )


def test_xlsx_with_title_row_and_serial_dates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "log.xlsx"
    _write_xlsx(
        p,
        [
            ["SỔ THEO DÕI HỒ SƠ"],
            VI_HEADER.split(","),
            ["HS1", "1.001", "P1", 43525, 43532, 43531.4375, "", "Đã trả kết quả"],  # early
            ["HS2", "1.001", "P1", "01/03/2019", "08/03/2019", "08/03/2019 09:00", "", ""],  # on time
            [12345, "1.001", "P1", "2019-03-01", 43532, 43535, "", ""],  # numeric id; late
            ["HS4", "1.001", "P1", "not a date", 43532, "", "", ""],
        ],
    )
    code, data, _ = report(p, capsys)
    assert code == 0
    assert (data["early"], data["on_time"], data["late"]) == (1, 1, 1)
    assert [(r["row"], r["dossier_id"]) for r in data["rejected"]] == [(6, "HS4")]  # type: ignore[index,union-attr]


def test_corrupt_xlsx_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "broken.xlsx"
    p.write_bytes(b"PK\x03\x04 this is not a workbook")
    code, _, err = run(["kpi", "report", str(p)], capsys)
    assert code == 2
    assert "cannot read the workbook" in err
    assert "Traceback" not in err
