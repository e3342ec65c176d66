"""`qms kpi report` inside a repository: limits, mechanisms, calendar, objectives, --raise-nc,
HTML/PDF with charts, and the multi-process reader giving the same result as one process."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import pytest
from inprocess import run_main as run

from qms.calendar import calendar_from_settings
from qms.kpi import Classifier, to_json
from qms.kpi.charts import bar_chart, line_chart
from qms.kpi.logs import read_logs
from qms.kpi.repo import parse_target
from qms.store.dossier_logs import open_dossier_log

BASE = Path(__file__).resolve().parents[1] / "rules" / "base"
HEADER = "Mã hồ sơ,Mã thủ tục,Đơn vị,Ngày tiếp nhận,Ngày có kết quả,Trạng thái\n"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(BASE, root)
    proc = root / "processes" / "QT-01.yaml"
    proc.write_text(proc.read_text(encoding="utf-8").replace("  mechanism: one_stop\n",
                                                              '  code: "1.000001"\n  mechanism: one_stop\n'),
                    encoding="utf-8")
    manifest = root / "qms.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8")
                        + "calendar:\n  extra_days_off:\n    - {date: 2026-03-04, reason: Nghỉ bù}\n"
                        + "kpi_columns:\n  dossier_id: Số BN\n", encoding="utf-8")
    monkeypatch.chdir(root)
    return root


def write_log(path: Path, rows: list[str], header: str = HEADER) -> Path:
    path.write_text(header + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.mark.parametrize(("text", "want"), [
    (">= 98%", (">=", 98.0)), ("≥ 98%", (">=", 98.0)), ("> 97.5 %", (">", 97.5)), ("98%", (">=", 98.0)),
    ("≥98,5%", (">=", 98.5)),
])
def test_parse_target(text: str, want: tuple[str, float]) -> None:
    assert parse_target(text) == want


@pytest.mark.parametrize("text", ["about 98", ">= 120%", ""])
def test_parse_target_refuses(text: str) -> None:
    with pytest.raises(ValueError, match=r"^(about 98|>= 120%|)$"):
        parse_target(text)


def test_limits_by_code_and_id_calendar_and_objective(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # QT-01 has a 1-day limit; 2026-03-04 is an extra day off in qms.yaml, so 03/03 + 1 = 05/03
    log = write_log(repo / "log.csv", [
        "A1,1.000001,Tư pháp,03/03/2026 08:00,05/03/2026 10:00,Đã trả",  # on time (code)
        "A2,QT-01,Tư pháp,03/03/2026 08:00,04/03/2026 10:00,Đã trả",  # early (process id)
        "A3,QT-01,Một cửa,03/03/2026 08:00,06/03/2026 10:00,Đã trả",  # late
    ])
    code, out, _ = run(["kpi", "report", str(log), "--as-of", "2026-06-30", "--format", "json", "--by", "mechanism"],
                       capsys)
    data = json.loads(out)
    assert (data["early"], data["on_time"], data["late"], data["rejected_rows"]) == (1, 1, 1, 0)
    assert [b["key"] for b in data["breakdown"]] == ["one_stop"]  # from administrative.mechanism
    assert data["objectives"] == [{"id": "MT-01", "statement": "98% of dossiers on time", "measure": "on_time_rate",
                                   "target": ">= 98%", "operator": ">=", "target_percent": 98.0,
                                   "actual": pytest.approx(66.6667), "met": False}]
    assert code == 1


def test_column_mapping_from_qms_yaml_and_objective_met(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = write_log(repo / "log.csv", ["A1,QT-01,Tư pháp,03/03/2026 08:00,03/03/2026 10:00,Đã trả"],
                    header="Số BN,Mã thủ tục,Đơn vị,Ngày tiếp nhận,Ngày có kết quả,Trạng thái\n")
    code, out, _ = run(["kpi", "report", str(log), "--as-of", "2026-06-30"], capsys)
    assert "Objective MT-01 (>= 98%): 100.00% - met" in out
    assert code == 0


def test_raise_nc_is_idempotent(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = write_log(repo / "log.csv", [
        "A1,QT-01,Tư pháp,03/03/2026 08:00,05/03/2026 10:00,Đã trả",
        "A2,QT-01,Tư pháp,03/03/2026 08:00,09/03/2026 10:00,Đã trả",
    ])
    argv = ["kpi", "report", str(log), "--as-of", "2026-06-30", "--period", "2026-01..2026-06", "--by", "procedure",
            "--raise-nc", "--raised-by", "Trần Thị Bình"]
    code, _out, err = run(argv, capsys)
    assert code == 1
    files = sorted((repo / "records" / "nonconformities").glob("NC-*.yaml"))
    assert len(files) == 1, err  # the objective, for the one process whose dossiers were late
    text = files[0].read_text(encoding="utf-8")
    assert "source: monitoring" in text and "kpi:MT-01:QT-01:2026-01-01..2026-06-30" in text
    assert "process: QT-01" in text
    assert "01/01/2026 – 30/06/2026" in text  # the title and description give the period as people write dates
    assert not any("2026-01-01" in line for line in text.splitlines() if line.startswith("title:"))
    code, _out, err = run(argv, capsys)
    assert len(list((repo / "records" / "nonconformities").glob("NC-*.yaml"))) == 1
    assert "already records" in err


def test_raise_nc_goes_to_the_processes_whose_dossiers_were_late(repo: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 16 item 7: not the objective's first process, but each process with late dossiers, in the
    organisation's language and with its own figures."""
    second = (repo / "processes" / "QT-01.yaml").read_text(encoding="utf-8")
    second = second.replace("QT-01", "QT-02").replace('code: "1.000001"', 'code: "1.000002"')
    (repo / "processes" / "QT-02.yaml").write_text(second, encoding="utf-8")
    log = write_log(repo / "log.csv", [
        "A1,QT-02,Tư pháp,03/03/2026 08:00,05/03/2026 10:00,Đã trả",  # on time
        "A2,QT-02,Tư pháp,03/03/2026 08:00,09/03/2026 10:00,Đã trả",  # late
        "A3,QT-02,Tư pháp,03/03/2026 08:00,10/03/2026 10:00,Đã trả",  # late
        "A4,1.000002,Tư pháp,03/03/2026 08:00,05/03/2026 10:00,Đã trả",  # on time, by national code
    ])
    argv = ["kpi", "report", str(log), "--as-of", "2026-06-30", "--period", "2026-01..2026-06",
            "--raise-nc", "--raised-by", "Trần Thị Bình"]
    code, _out, err = run(argv, capsys)
    assert code == 1, err
    files = sorted((repo / "records" / "nonconformities").glob("NC-*.yaml"))
    assert len(files) == 1, err
    text = files[0].read_text(encoding="utf-8")
    assert "process: QT-02" in text
    assert "2 trên 4 hồ sơ của QT-02" in text  # its own figures, in Vietnamese (the organisation's language)
    assert "50%" in text


def test_raise_nc_needs_a_period(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = write_log(repo / "log.csv", ["A1,QT-01,Tư pháp,03/03/2026 08:00,05/03/2026 10:00,Đã trả"])
    code, _out, err = run(["kpi", "report", str(log), "--raise-nc"], capsys)
    assert code == 2
    assert "--period" in err


def test_calendar_command_uses_the_repository_calendar(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["calendar", "add-working-days", "2026-03-03", "1"], capsys)
    assert (code, out.strip()) == (0, "2026-03-05")


def test_html_report_has_escaped_charts(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = write_log(repo / "log.csv", [
        "A1,QT-01,<script>x</script>,03/03/2026 08:00,05/03/2026 10:00,Đã trả",
        "A2,QT-01,Tư pháp,03/04/2026 08:00,03/04/2026 10:00,Đã trả",
    ])
    out_file = repo / "kpi.html"
    code, _out, _err = run(["kpi", "report", str(log), "--as-of", "2026-06-30", "--period", "2026-01..2026-06",
                            "--format", "html", "-o", str(out_file)], capsys)
    html = out_file.read_text(encoding="utf-8")
    assert code == 0
    assert html.count("<svg") == 4  # monthly lines and bars, per procedure and per unit
    assert "<script>x" not in html and "&lt;script&gt;x&lt;/script&gt;" in html
    assert ">01/2026<" in html and ">06/2026<" in html  # every month of the period on the axis


def test_pdf_report_text(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pypdf = pytest.importorskip("pypdf")
    log = write_log(repo / "log.csv", ["A1,QT-01,Tư pháp,03/03/2026 08:00,05/03/2026 10:00,Đã trả"])
    out_file = repo / "kpi.pdf"
    code, _out, _err = run(["--lang", "vi", "kpi", "report", str(log), "--as-of", "2026-06-30", "--period",
                            "2026-01..2026-06", "--format", "pdf", "-o", str(out_file)], capsys)
    assert code == 0
    text = "".join(p.extract_text() for p in pypdf.PdfReader(str(out_file)).pages)
    assert "Báo cáo chỉ số giải quyết hồ sơ" in text
    assert "Tỷ lệ đúng hạn theo đơn vị" in text
    assert "MT-01" in text


def test_charts_are_deterministic_and_escaped() -> None:
    a = line_chart(["2026-01", "2026-02"], {"A&B": [99.0, None], "<x>": [97.5, 98.0]}, title="T<", target=98)
    assert a == line_chart(["2026-01", "2026-02"], {"A&B": [99.0, None], "<x>": [97.5, 98.0]}, title="T<", target=98)
    assert "A&amp;B" in a and "&lt;x&gt;" in a and "<x>" not in a
    b = bar_chart([("U1", 97.0), ("U2", None)], title="Bars", target=98)
    assert b.count("<rect") == 1 and "#b22222" in b  # below target: red


def _big_log(path: Path, n: int, seed: int = 7) -> Path:
    rng = random.Random(seed)
    lines = ["Mã hồ sơ,Mã thủ tục,Đơn vị,Ngày tiếp nhận,Ngày hẹn trả,Ngày có kết quả,Trạng thái"]
    for i in range(n):
        d = 1 + i % 27
        done = "" if i % 50 == 0 else f"{min(28, d + rng.randrange(0, 4)):02d}/03/2026 {rng.randrange(8, 17):02d}:00"
        status = "Rút hồ sơ" if i % 97 == 0 else "Đã trả"
        lines.append(f"H{i:06d},P{i % 7},U{i % 5},{d:02d}/03/2026 08:00,{min(28, d + 2):02d}/03/2026 17:00,"
                     f"{done},{status}")
    lines.append("H000003,P1,U1,02/03/2026 08:00,05/03/2026 17:00,04/03/2026 09:00,Đã trả")  # cross-range duplicate
    lines.append("BAD,P1,U1,not a date,05/03/2026,,")
    lines += lines[1:40]  # a repeated block at the end: duplicates of the first range
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("by", [None, "procedure", "unit", "month"])
def test_line_reader_equals_csv_reader(tmp_path: Path, by: str | None) -> None:
    """A CRLF log with duplicates within and across files gives the same result whether polars reads
    its lines or the csv module reads its rows."""
    log = _big_log(tmp_path / "big.csv", 3000)
    other = _big_log(tmp_path / "other.csv", 200, seed=8)  # a second file repeating ids of the first
    cal = calendar_from_settings()

    def csv_reader() -> str:
        clf = Classifier(cal, {}, by=by, as_of=__import__("datetime").date(2026, 3, 20))
        for p in (log, other):
            with open_dossier_log(p) as src:
                clf.add(src)
        return to_json(clf.result())

    def file_layer() -> str:
        clf = Classifier(cal, {}, by=by, as_of=__import__("datetime").date(2026, 3, 20))
        read_logs(clf, [log, other])
        return to_json(clf.result())

    want = csv_reader()
    data = json.loads(want)
    assert data["duplicate_rows"] > 200 and data["rejected_rows"] >= 2
    assert file_layer() == want


def test_quoted_csv_is_read_by_the_csv_reader(tmp_path: Path) -> None:
    log = tmp_path / "q.csv"
    log.write_text('Mã hồ sơ,Ngày tiếp nhận,Ngày hẹn trả\nA,"01/03/2026",05/03/2026\n', encoding="utf-8")
    clf = Classifier(calendar_from_settings(), {}, as_of=__import__("datetime").date(2026, 3, 20))
    read_logs(clf, [log])
    assert clf.files == [str(log)] and clf.counts.total == 1 and not clf.rejected


def test_percentages_follow_the_language(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 16 item 13: "66,67%" in Vietnamese, "66.67%" in English."""
    log = write_log(repo / "log.csv", [
        "A1,QT-01,Tư pháp,03/03/2026 08:00,05/03/2026 10:00,Đã trả",
        "A2,QT-01,Tư pháp,03/03/2026 08:00,04/03/2026 10:00,Đã trả",
        "A3,QT-01,Tư pháp,03/03/2026 08:00,09/03/2026 10:00,Đã trả",
    ])
    _code, out, _err = run(["--lang", "vi", "kpi", "report", str(log), "--as-of", "2026-06-30"], capsys)
    assert "66,67%" in out and "66.67%" not in out
    _code, out, _err = run(["--lang", "en", "kpi", "report", str(log), "--as-of", "2026-06-30"], capsys)
    assert "66.67%" in out
