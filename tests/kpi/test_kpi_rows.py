"""Issue 16, item 16: KPI rows a ward's officer hit in real use.

Each test runs ``qms kpi report`` through :func:`qms.cli.main.main`, also with the former
``--engine``/``--workers`` values (accepted no-ops since issue 17), and expects the same answer.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from qms.cli.main import main

BASE = Path(__file__).resolve().parents[1] / "rules" / "base"
ENGINES = ("python", "polars", "parallel")


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    """The former engine options (now accepted no-ops: one engine reads every log)."""
    return str(request.param)


def run(argv: list[str]) -> int:
    try:
        return int(main(argv) or 0)
    except SystemExit as exc:
        return int(exc.code or 0)


def report(capsys: pytest.CaptureFixture[str], log: Path, engine: str, *extra: str) -> dict[str, object]:
    capsys.readouterr()
    workers = "2" if engine == "parallel" else "1"
    code = run(["kpi", "report", str(log), "--format", "json", "--as-of", "2027-03-31", "--engine",
                "python" if engine == "parallel" else engine, "--workers", workers, *extra])
    captured = capsys.readouterr()
    assert code in (0, 1), captured.err
    data: dict[str, object] = json.loads(captured.out)
    return data


def write_log(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    path.write_text("\n".join(",".join(r) for r in [header, *rows]) + "\n", encoding="utf-8")
    return path


HEADER = ["Mã hồ sơ", "Mã thủ tục", "Ngày tiếp nhận", "Ngày hẹn trả", "Ngày có kết quả", "Ngày trả kết quả",
          "Trạng thái"]


def test_returned_status_without_result_date_is_rejected(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                         engine: str) -> None:
    """A row whose status says the result was returned but that has no result date is rejected with its
    row number and a reason naming the file's own result-date columns; it is not counted as overdue."""
    monkey_dir = tmp_path / "w"
    monkey_dir.mkdir()
    log = write_log(monkey_dir / "log.csv", HEADER, [
        ["HS-1", "1.001", "01/03/2027", "05/03/2027", "04/03/2027", "04/03/2027", "Đã trả kết quả"],
        ["HS-2", "1.001", "01/03/2027", "05/03/2027", "", "", "Đã trả kết quả"],
        ["HS-3", "1.001", "01/03/2027", "05/03/2027", "", "", "Đang xử lý"],
        ["HS-4", "1.001", "01/03/2027", "05/03/2027", "", "", "Chưa trả kết quả"],
    ])
    data = report(capsys, log, engine)
    assert data["overdue_in_progress"] == 2  # HS-3 and HS-4 only
    assert data["early"] == 1
    rejected = data["rejected"]
    assert isinstance(rejected, list) and len(rejected) == 1
    assert rejected[0]["row"] == 3 and rejected[0]["dossier_id"] == "HS-2"
    reason = rejected[0]["reason"]
    assert "Ngày có kết quả" in reason and "Ngày trả kết quả" in reason and "Đã trả kết quả" in reason
    assert "completed_at" not in reason and "returned_at" not in reason


def test_rejection_reasons_name_the_files_headers(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                  engine: str) -> None:
    """Rejection reasons name the columns as the file's header writes them, never the internal names."""
    log = write_log(tmp_path / "log.csv", HEADER, [
        ["HS-1", "1.001", "", "05/03/2027", "", "", ""],
        ["HS-2", "1.001", "hôm qua", "05/03/2027", "", "", ""],
        ["HS-3", "1.001", "01/03/2027", "32/03/2027", "", "", ""],
        ["HS-4", "1.001", "01/03/2027", "05/03/2027", "2027-13-01", "", ""],
        ["", "1.001", "01/03/2027", "05/03/2027", "", "", ""],
    ])
    data = report(capsys, log, engine)
    reasons = {r["row"]: r["reason"] for r in data["rejected"]}  # type: ignore[attr-defined]
    assert set(reasons) == {2, 3, 4, 5, 6}
    assert "Ngày tiếp nhận" in reasons[2] and "Ngày tiếp nhận" in reasons[3]
    assert "Ngày hẹn trả" in reasons[4]
    assert "Ngày có kết quả" in reasons[5]
    assert "Mã hồ sơ" in reasons[6]
    for reason in reasons.values():
        for internal in ("received_at", "due_at", "completed_at", "dossier_id"):
            assert internal not in reason, reason


def test_procedure_name_column_and_limits_by_name(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                  monkeypatch: pytest.MonkeyPatch, engine: str) -> None:
    """"Tên thủ tục" is the procedure column, and the legal time limit is found by the process title,
    whatever the accents and case (QT-01 "Chứng thực bản sao", 1 working day)."""
    repo = tmp_path / "repo"
    shutil.copytree(BASE, repo)
    monkeypatch.chdir(repo)
    log = write_log(tmp_path / "log.csv", ["Số hồ sơ", "Tên thủ tục", "Ngày tiếp nhận", "Ngày trả kết quả"], [
        ["HS-1", "Chứng thực bản sao", "01/03/2027", "02/03/2027"],
        ["HS-2", "chung thuc ban sao", "01/03/2027", "05/03/2027"],
        ["HS-3", "CHỨNG THỰC BẢN SAO ", "01/03/2027", "01/03/2027"],
        ["HS-4", "Thủ tục không có", "01/03/2027", "01/03/2027"],
    ])
    data = report(capsys, log, engine, "--by", "procedure")
    assert (data["early"], data["on_time"], data["late"]) == (1, 1, 1)
    rejected = data["rejected"]
    assert isinstance(rejected, list) and [r["row"] for r in rejected] == [5]
    assert "Thủ tục không có" in rejected[0]["reason"]


def test_html_report_lists_rejected_rows(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The HTML report lists the rejected rows (row number and reason), at most MAX_REJECTED of them,
    then says how many more there are."""
    from qms.kpi.html import MAX_REJECTED

    rows = [["HS-0", "1.001", "01/03/2027", "05/03/2027", "04/03/2027", "", ""]]
    rows += [[f"HS-{i}", "1.001", "hôm qua", "05/03/2027", "", "", ""] for i in range(1, MAX_REJECTED + 6)]
    log = write_log(tmp_path / "log.csv", HEADER, rows)
    out = tmp_path / "r.html"
    for engine in ("python", "polars"):
        assert run(["--lang", "en", "kpi", "report", str(log), "--format", "html", "-o", str(out), "--as-of", "2027-03-31",
                    "--engine", engine, "--force"]) == 0
        html = out.read_text(encoding="utf-8")
        assert "log.csv:3" in html and f"log.csv:{MAX_REJECTED + 2}" in html
        assert f"log.csv:{MAX_REJECTED + 3}" not in html
        assert "5 more" in html
        assert "Ngày tiếp nhận" in html
