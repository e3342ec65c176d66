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
