"""`qms review new` and `qms review pack`: the record skeleton and the pack of 9.3.2 inputs."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
from example_repo import copy_example
from inprocess import run_main as run

from qms.engine import CheckOptions, run_check
from qms.models.review import INPUTS
from qms.store.workspace import load_workspace

HERE = Path(__file__).resolve()
BASE = HERE.parents[1] / "rules" / "base"
REPO = HERE.parents[2]


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(BASE, root)
    monkeypatch.chdir(root)
    return root


def test_new_writes_numbered_skeletons_that_check_flags(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["review", "new", "--period", "2026-01..2026-06", "--date", "2026-07-10"], capsys)
    assert (code, out.strip()) == (0, "created records/reviews/MR-2026-01.yaml")
    code, out, _ = run(["review", "new", "--period", "2026-07..2026-12", "--date", "2026-12-20", "--allow-future", "--chair", "an"],
                       capsys)
    assert out.strip() == "created records/reviews/MR-2026-02.yaml"
    ws = load_workspace(repo)
    docs = ws.of_kind("management-review")
    assert [d.path for d in docs] == ["records/reviews/MR-2026-01.yaml", "records/reviews/MR-2026-02.yaml"]
    assert all(d.model is not None for d in docs)
    report = run_check(ws, CheckOptions(select=["QMS705"], today=dt.date(2026, 12, 31)))
    assert [d.location.path for d in report.diagnostics] == [d.path for d in docs]


def test_new_refuses_unknown_chair(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run(["review", "new", "--period", "2026", "--chair", "nobody"], capsys)
    assert code == 2
    assert "unknown person 'nobody'" in err


def test_pack_html_has_every_input(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = repo / "log.csv"
    log.write_text("Mã hồ sơ,Mã thủ tục,Đơn vị,Ngày tiếp nhận,Ngày có kết quả,Trạng thái\n"
                   "A1,QT-01,Tư pháp,03/03/2026 08:00,04/03/2026 10:00,Đã trả\n"
                   "A2,QT-01,Tư pháp,03/03/2026 08:00,09/03/2026 10:00,Đã trả\n", encoding="utf-8")
    out_file = repo / "pack.html"
    code, _out, err = run(["review", "pack", "--period", "2026-01..2026-06", "--logs", str(log), "-o", str(out_file),
                           "--today", "2026-07-01", "--lang", "en"], capsys)
    assert code == 0, err
    html = out_file.read_text(encoding="utf-8")
    for key in INPUTS:
        assert f'id="{key}"' in html
    assert "MT-01" in html and "MISSED" in html  # 50 % against >= 98 %
    assert "<svg" in html
    assert "No internal audit took place in the period" in html  # no audits/ in this repository


def test_pack_pdf_in_vietnamese(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pypdf = pytest.importorskip("pypdf")
    out_file = repo / "pack.pdf"
    code, _out, err = run(["review", "pack", "--period", "2026", "--lang", "vi", "-o", str(out_file)], capsys)
    assert code == 0, err
    text = "".join(p.extract_text() for p in pypdf.PdfReader(str(out_file)).pages)
    assert "Tài liệu xem xét của lãnh đạo" in text
    assert "Sự không phù hợp và hành động khắc phục" in text
    assert "Các cơ hội cải tiến" in text
    # the context issues table says "Vấn đề", not the document's "Lần ban hành" (issue 16 item 10)
    assert "Vấn đề" in text


def _audit_ncs_moved_on(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """In a copy of the example organisation, AUD-2026-01 raised NC-2026-0004 (major) and NC-2026-0005 (minor):
    close the first through every step, plan an action for the second that falls due on 2026-03-02."""
    by = ["--by", "Bùi Văn Khánh"]
    steps = [
        ["nc", "correct", "NC-2026-0004", "--description", "Lập bảng yêu cầu năng lực", "--date", "2026-02-02"],
        ["nc", "analyse", "NC-2026-0004", "--method", "five-why", "--why", "Chưa phân công", "--root-cause",
         "Không có người phụ trách", "--similar", "Không có", "--date", "2026-02-03"],
        ["nc", "plan", "NC-2026-0004", "--action", "Phân công", "--owner", "bui_van_khanh", "--due", "2026-02-10",
         "--date", "2026-02-03"],
        ["nc", "implement", "NC-2026-0004", "--date", "2026-02-09"],
        ["nc", "verify", "NC-2026-0004", "--effective", "yes", "--evidence", "Bảng đã ban hành", "--date",
         "2026-02-20"],
        ["nc", "close", "NC-2026-0004", "--date", "2026-02-20"],
        ["nc", "correct", "NC-2026-0005", "--description", "Tạm dừng", "--date", "2026-02-02"],
        ["nc", "analyse", "NC-2026-0005", "--method", "five-why", "--why", "a", "--root-cause", "b", "--similar",
         "Không có", "--date", "2026-02-03"],
        ["nc", "plan", "NC-2026-0005", "--action", "c", "--owner", "bui_van_khanh", "--due", "2026-03-02", "--date",
         "2026-02-03"],
    ]
    for argv in steps:
        code, _out, err = run([*argv, *by], capsys)
        assert code == 0, (argv, err)


@pytest.mark.parametrize(("lang", "expected"), [
    ("en", ["Nonconformities raised", "Status of corrective actions", "<td>2</td><td>1 open (1 overdue); 1 closed</td>"]),
    ("vi", ["Số sự không phù hợp đã lập", "Tình trạng hành động khắc phục",
            "<td>2</td><td>1 chưa đóng (1 quá hạn); 1 đã đóng</td>"]),
])
def test_pack_audit_row_shows_the_status_of_the_ncs_it_raised(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], lang: str,
        expected: list[str]) -> None:
    """9.3.2 c: each audit row of the pack says how many nonconformities its findings raised and how many are
    still open (and overdue) or closed, in words (the row used to stop at the counts of findings)."""
    root = copy_example(tmp_path / "org")
    monkeypatch.chdir(root)
    _audit_ncs_moved_on(root, capsys)
    out_file = root / "pack.html"
    code, _out, err = run(["review", "pack", "--period", "2026", "--lang", lang, "-o", str(out_file),
                           "--today", "2026-06-01"], capsys)
    assert code == 0, err
    html = out_file.read_text(encoding="utf-8")
    audit = html[html.index('id="audit_results"'):html.index('id="external_providers"')]
    for text in expected:
        assert text in audit
    assert "planned" not in audit and "implemented" not in audit  # words, never the state codes
    # before the action fell due nothing is overdue
    code, _out, err = run(["review", "pack", "--period", "2026", "--lang", lang, "-o", str(out_file),
                           "--today", "2026-03-02", "--force"], capsys)
    assert code == 0, err
    html = out_file.read_text(encoding="utf-8")
    audit = html[html.index('id="audit_results"'):html.index('id="external_providers"')]
    assert expected[2].replace(" (1 overdue)", "").replace(" (1 quá hạn)", "") in audit


@pytest.mark.parametrize(("lang", "source", "late"), [
    ("en", "internal audit (AUD-2026-01 / F02)", "<td>1 (1 overdue)</td>"),
    ("vi", "đánh giá nội bộ (AUD-2026-01 / F02)", "<td>1 (1 quá hạn)</td>"),
])
def test_pack_nc_table_marks_overdue_actions_and_names_the_audit(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], lang: str,
        source: str, late: str) -> None:
    """9.3.2 c 4: the NC table (section 6) used to count every pending action alike and not say which audit
    raised a record; an overdue action is said in words (the rule of `qms nc list --overdue`) and an NC
    raised by an audit names it."""
    root = copy_example(tmp_path / "org")
    monkeypatch.chdir(root)
    _audit_ncs_moved_on(root, capsys)
    out_file = root / "pack.html"

    def nc_row(today: str, *more: str) -> str:
        code, _out, err = run(["review", "pack", "--period", "2026", "--lang", lang, "-o", str(out_file),
                               "--today", today, *more], capsys)
        assert code == 0, err
        html = out_file.read_text(encoding="utf-8")
        table = html[html.index('id="nonconformities"'):html.index('id="monitoring"')]
        table = re.sub(r"<span[^>]*>|</span>", "", table)  # ids are wrapped to keep them on one line
        return table[table.index("<td>NC-2026-0005</td>"):].split("</tr>", 1)[0]

    row = nc_row("2026-06-01")
    assert source in row and late in row, row
    overdue_listed = run(["nc", "list", "--overdue", "--as-of", "2026-06-01"], capsys)[1]
    assert "NC-2026-0005" in overdue_listed  # the same rule says so
    row = nc_row("2026-03-02", "--force")  # the action falls due that day: not overdue yet
    assert "<td>1</td>" in row and late not in row, row


def test_pack_outside_a_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    code, _out, err = run(["review", "pack", "--period", "2026", "-o", str(tmp_path / "p.pdf")], capsys)
    assert code == 2
    assert "qms.yaml" in err


def test_example_review_record_is_clean() -> None:
    ws = load_workspace(REPO)
    docs = [d for d in ws.of_kind("management-review") if d.path == "records/reviews/MR-2026-01.yaml"]
    assert docs and docs[0].model is not None
    report = run_check(ws, CheckOptions(select=["QMS701", "QMS702", "QMS703", "QMS705", "QMS706"],
                                        today=dt.date(2026, 8, 1)))
    assert [d for d in report.diagnostics if d.location.path.startswith("records/reviews/")] == []


def test_pack_audit_row_names_findings_without_a_record_and_records_not_found() -> None:
    """9.3.2 c: a major/minor finding with no nonconformity record yet, or naming a record that does not exist,
    is said so in the audit row rather than counted as nothing."""
    from qms.calendar import WorkingCalendar
    from qms.i18n import use_language
    from qms.review.pack import _audit_ncs

    ws = load_workspace(REPO)
    audit = next(m for _d, m in ws.models("audit") if m.id == "AUD-2026-01")
    f01, f02 = audit.findings[0], audit.findings[1]
    assert (f01.nc, f02.nc) == ("NC-2026-0004", "NC-2026-0005")
    changed = audit.model_copy(update={"findings": [f01.model_copy(update={"nc": ""}),
                                                    f02.model_copy(update={"nc": "NC-2026-0099"})]})
    others = [m for _d, m in ws.models("nonconformity") if m.audit is None]
    with use_language("en"):
        assert _audit_ncs(changed, others, dt.date(2026, 6, 1), WorkingCalendar()) == (
            0, "1 record not found in records/nonconformities/; "
               "1 major or minor finding without a nonconformity record")
