"""Defects a commune's quality officer met feeding real one-stop exports to `qms kpi report` (round 8)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from qms.cli.main import main


@pytest.fixture(autouse=True)
def _outside_a_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Explicit files only: run where no qms.yaml is found upward."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("QMS_LANG", raising=False)


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        code = int(main(argv) or 0)
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


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
    assert [(g["key"], g["total"]) for g in json.loads(out)["breakdown"]] == [("Tư pháp", 13)]
