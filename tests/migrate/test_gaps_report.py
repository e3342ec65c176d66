"""Gap analysis of the 2008 sample, planned-action export and the HTML transition report."""

from __future__ import annotations

import csv
import html
import io
import json
import re
import shutil
from pathlib import Path

import pytest
import yaml

from qms.cli.main import main
from qms.migrate.apply import plan_migration, write
from qms.migrate.gaps import analyse
from qms.store.workspace import load_workspace

SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "iso2008-city"
REQUIRED = ["4.1", "4.2", "4.3", "5.1", "5.3", "6.1", "6.3", "7.1.6", "7.4", "8.4", "8.5.5", "8.5.6",
            "9.1.3", "9.3.2", "10.1"]


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        main(args)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "city"
    shutil.copytree(SAMPLE, root)
    return root


def statuses(root: Path) -> dict[str, str]:
    return {g.clause: g.status for g in analyse(load_workspace(root)).gaps}


def test_gaps_of_the_2008_sample(repo: Path) -> None:
    report = analyse(load_workspace(repo))
    got = {g.clause: g for g in report.gaps}
    assert list(got) == REQUIRED
    for clause in ("4.1", "4.2", "4.3", "5.1", "5.3", "6.1"):
        assert got[clause].status == "missing", clause
        assert got[clause].action
    for clause in ("6.3", "7.1.6", "7.4", "8.4", "8.5.5", "8.5.6", "9.1.3", "9.3.2", "10.1"):
        assert got[clause].status == "partial", clause  # only through 2008 clauses or parents
    assert any("QT-06" in e for e in got["6.1"].evidence)
    assert "risks" in got["9.3.2"].action
    assert "external providers" in got["9.3.2"].action
    codes = {d.code for d in report.leftovers}
    assert {"QMS801", "QMS802", "QMS803", "QMS804", "QMS805", "QMS806", "QMS807", "QMS808"} - codes == {"QMS803"}


def test_after_migration_only_real_gaps_remain(repo: Path) -> None:
    write(plan_migration(repo))
    got = statuses(repo)
    assert got["4.3"] == got["5.3"] == "covered"
    assert got["4.1"] == got["4.2"] == "missing"  # a migration cannot invent the context
    # clauses rewritten from multi-target or "to confirm" rows stay partial until a person confirms them;
    # 8.5.3 -> 6.1 was obtained by inverting the 2015 -> 2008 table, hence to confirm
    for clause in ("5.1", "6.1", "6.3", "7.1.6", "7.4", "8.4", "8.5.5", "8.5.6", "9.1.3", "10.1"):
        assert got[clause] == "partial", clause
    assert got["9.3.2"] == "partial"  # the new review inputs are not there yet


def test_cli_check_json_and_actions(repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_yaml = tmp_path / "actions.yaml"
    code, out, _err = run_cli(["--root", str(repo), "migrate", "check", "--format", "json", "--actions-out",
                               str(out_yaml), "--owner", "chanh_van_phong", "--due", "2026-09-30"], capsys)
    assert code == 1
    data = json.loads(out)
    assert data["standard"] == "ISO 9001:2008"
    assert data["summary"]["missing"] == 6
    actions = yaml.safe_load(out_yaml.read_text(encoding="utf-8"))["actions"]
    assert [a["clause"] for a in actions] == REQUIRED
    assert all(a["owner"] == "chanh_van_phong" and a["due"] == "2026-09-30" for a in actions)
    out_csv = tmp_path / "actions.csv"
    code, _out, _err = run_cli(["--root", str(repo), "migrate", "check", "--actions-out", str(out_csv),
                                "--owner", "chanh_van_phong", "--due", "2026-09-30"], capsys)
    rows = list(csv.DictReader(io.StringIO(out_csv.read_text(encoding="utf-8"))))
    assert code == 1
    assert rows[0]["id"] == "MIG-01"
    assert rows[0]["clause"] == "4.1"


@pytest.mark.parametrize(("extra", "message"), [
    (["--actions-out", "a.yaml"], "needs --owner"),
    (["--actions-out", "a.yaml", "--owner", "chanh_van_phon", "--due", "2026-09-30"], "did you mean chanh_van_phong"),
    (["--actions-out", "a.txt", "--owner", "chanh_van_phong", "--due", "2026-09-30"], ".yaml, .yml or .csv"),
    (["--actions-out", "a.yaml", "--owner", "chanh_van_phong", "--due", "30/09/2026"], "Invalid value"),
])
def test_cli_check_bad_input(repo: Path, extra: list[str], message: str,
                             capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run_cli(["--root", str(repo), "migrate", "check", *extra], capsys)
    assert code == 2
    assert message in err
    assert "Traceback" not in err


def test_html_report_before_and_after(repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    planned = tmp_path / "planned.html"
    code, _out, _err = run_cli(["--lang", "en", "--root", str(repo), "migrate", "report", "-o", str(planned)], capsys)
    text = planned.read_text(encoding="utf-8")
    assert code == 0
    words = re.sub(r"<(?!/?t[hd]>)[^>]+>", "", text)  # codes sit in <span class="nb"> (render.env.protect_codes)
    assert '<html lang="en">' in text
    assert "<th>Migration</th><td>planned</td>" in words
    for needle in ("Mapping used", "Gaps", "Changed files", "processes/QT-06.yaml", "to confirm", "read in the published table",
                   "Control of documents", "ISO 9001:2008 leftovers"):
        assert needle in words, needle
    assert "<script" not in text
    # the organisation's language by default: a Vietnamese report, labels and clause titles included
    vi = tmp_path / "planned-vi.html"
    monkeypatch.delenv("QMS_LANG")
    code, _out, _err = run_cli(["--root", str(repo), "migrate", "report", "-o", str(vi)], capsys)
    text = vi.read_text(encoding="utf-8")
    assert code == 0
    assert '<html lang="vi">' in text
    for needle in ("Báo cáo chuyển đổi", "Bảng tương ứng đã dùng", "Tệp thay đổi", "Kiểm soát tài liệu",
                   "cần xác nhận", "đã đối chiếu với bảng tương ứng đã công bố"):
        assert needle in text, needle
    # the table's verification tags are for the product, never for the issued report (either language)
    for tag in ("seen_dis", "seen_n1293", "seen_variant", "inverse-of", "recalled", ">inverse<"):
        assert tag not in text, tag
    for tag in ("seen_dis", "seen_n1293", "seen_variant", "inverse-of", ">inverse<", ">recalled<"):
        assert tag not in words, tag
    run_cli(["--root", str(repo), "migrate", "apply"], capsys)
    applied = tmp_path / "applied.json"
    code, _out, _err = run_cli(["--root", str(repo), "migrate", "report", "-o", str(applied)], capsys)
    vm = json.loads(applied.read_text(encoding="utf-8"))
    assert code == 0
    assert vm["state"] == "applied"
    assert vm["summary"]["changed_files"] == 13
    assert any(m["from"] == "4.2" and m["confidence"] == "verified" for m in vm["mapping"])
    assert any(m["from"] == "8.5.3" and m["confidence"] == "to confirm" for m in vm["mapping"])
    assert any(m["from"] == "8.2.2" and m["confidence"] == "to confirm" for m in vm["mapping"])


def test_html_escapes_user_text(repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    qt = repo / "processes" / "QT-06.yaml"
    hostile = "<script>alert(1)</script> & preventive action"
    qt.write_text(qt.read_text(encoding="utf-8").replace(
        "en: Identify potential nonconformities}", f'en: "{hostile}"}}'), encoding="utf-8")
    out = tmp_path / "r.html"
    code, _out, _err = run_cli(["--root", str(repo), "migrate", "report", "-o", str(out)], capsys)
    text = out.read_text(encoding="utf-8")
    assert code == 0
    assert "<script>" not in text
    assert html.escape("<script>alert(1)</script>") in text


def test_pdf_report_through_the_render_layer(repo: Path, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    pypdf = pytest.importorskip("pypdf")
    run_cli(["--root", str(repo), "migrate", "apply"], capsys)
    out = tmp_path / "transition.pdf"
    code, _out, err = run_cli(["--lang", "en", "--root", str(repo), "migrate", "report", "-o", str(out)], capsys)
    assert code == 0, err
    reader = pypdf.PdfReader(str(out))
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
    # the bundled fonts: no typographic ligatures (ﬁ) in the text layer, so "files" is found as typed
    assert not {chr(c) for c in range(0xFB00, 0xFB07)} & set(text)
    for needle in ("transition report", "Mapping used", "Gaps", "Changed files", "processes/QT-06.yaml",
                   "to confirm", "Control of documents", "Actions to address risks and opportunities"):
        assert needle in text, needle


def test_report_needs_a_known_format(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run_cli(["--root", str(repo), "migrate", "report", "-o", "out.docx"], capsys)
    assert code == 2
    assert "report format" in err


def test_actions_csv_speaks_the_organisation_language(repo: Path, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A1: in a Vietnamese organisation `migrate check --actions-out a.csv` writes Vietnamese column names and
    statuses ("Tình trạng", "chưa đáp ứng"); before, "status" and "missing". Cells still go through the one
    CSV writer, which neutralises formulas."""
    from qms.i18n import use_language
    from qms.migrate.gaps import actions_csv

    monkeypatch.delenv("QMS_LANG")
    out_csv = tmp_path / "a.csv"
    code, _out, _err = run_cli(["--root", str(repo), "migrate", "check", "--actions-out", str(out_csv),
                                "--owner", "chanh_van_phong", "--due", "2026-09-30"], capsys)
    assert code == 1
    text = out_csv.read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == ["Mã", "Điều khoản", "Tên điều khoản", "Tình trạng", "Hành động cần làm",
                             "Người phụ trách", "Hạn hoàn thành", "Nguồn"]
    assert rows[0]["Mã"] == "MIG-01" and rows[0]["Tình trạng"] == "chưa đáp ứng"
    assert {r["Tình trạng"] for r in rows} <= {"chưa đáp ứng", "đáp ứng một phần"}
    assert "missing" not in text and "partial" not in text
    hostile = [{"id": "MIG-01", "clause": "4.1", "title": "=HYPERLINK(\"http://x\")", "status": "missing",
                "action": "+cmd|' /C calc'!A0", "owner": "x", "due": "2026-09-30", "source": "qms migrate check"}]
    with use_language("vi"):
        row = next(csv.DictReader(io.StringIO(actions_csv(hostile))))
    assert row["Tên điều khoản"].startswith("'=") and row["Hành động cần làm"].startswith("'+")
