"""Item 4: superseded cause analyses stay in the evidence, each with the actions it produced."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pypdf
from nc_helpers import NEW_ARGS, load_nc, qms_proc

NC = "NC-2026-0001"


def _ok(root: Path, *args: str) -> None:
    proc = qms_proc(root, *args)
    assert proc.returncode == 0, (args, proc.stderr)


def _reanalysed(root: Path) -> None:
    """First analysis and CA-1, found not effective; a second analysis and CA-2."""
    _ok(root, *NEW_ARGS, "--date", "2026-03-02")
    _ok(root, "nc", "correct", NC, "--description", "Trả ngay", "--by", "Lê Văn Cường", "--date", "2026-03-02")
    _ok(root, "nc", "analyse", NC, "--method", "five-why", "--why", "Chờ ký", "--root-cause", "Thiếu ủy quyền ký thay",
        "--similar", "Không có", "--by", "Lê Văn Cường", "--date", "2026-03-03")
    _ok(root, "nc", "plan", NC, "--action", "Ban hành ủy quyền ký thay", "--owner", "chu_tich", "--due", "2026-03-20",
        "--by", "Lê Văn Cường", "--date", "2026-03-04")
    _ok(root, "nc", "implement", NC, "--by", "Lê Văn Cường", "--date", "2026-03-10")
    _ok(root, "nc", "verify", NC, "--effective", "no", "--evidence", "Vẫn còn hồ sơ trễ", "--by", "Trần Thị Bình",
        "--date", "2026-04-10")
    _ok(root, "nc", "analyse", NC, "--method", "fishbone", "--factor", "method:Không có sổ theo dõi hạn",
        "--root-cause", "Thiếu sổ theo dõi hạn xử lý", "--similar", "Không có", "--by", "Lê Văn Cường", "--date", "2026-04-11")
    _ok(root, "nc", "plan", NC, "--action", "Lập sổ theo dõi hạn", "--owner", "binh", "--due", "2026-04-30",
        "--by", "Lê Văn Cường", "--date", "2026-04-12")


def _order(text: str, *needles: str) -> list[int]:
    return [text.index(n) for n in needles]


def test_show_lists_every_analysis_with_its_own_actions(repo: Path) -> None:
    """`nc show`: analysis 1 (superseded) → CA-1 → the ineffective review → analysis 2 → CA-2, in that order."""
    _reanalysed(repo)
    assert len(load_nc(repo / f"records/nonconformities/{NC}.yaml").previous_analyses) == 1
    out = qms_proc(repo, "nc", "show", NC).stdout
    positions = _order(out, "Cause analysis 1 of 2", "Thiếu ủy quyền ký thay", "CA-1 Ban hành ủy quyền ký thay",
                       "Vẫn còn hồ sơ trễ", "Cause analysis 2 of 2", "Thiếu sổ theo dõi hạn xử lý",
                       "CA-2 Lập sổ theo dõi hạn")
    assert positions == sorted(positions), out
    first = out[out.index("Cause analysis 1 of 2"):out.index("\n", out.index("Cause analysis 1 of 2"))]
    assert "superseded" in first
    second = out[out.index("Cause analysis 2 of 2"):]
    assert "CA-1" not in second.split("History")[0]  # the old action is not shown as answering the new analysis
    vi = qms_proc(repo, "--lang", "vi", "nc", "show", NC).stdout
    assert "Phân tích nguyên nhân lần 1/2" in vi and "đã được thay thế" in vi


def test_report_html_and_pdf_show_both_analyses(repo: Path, tmp_path: Path) -> None:
    """`nc report` (HTML and PDF record sheet): both analyses, chronologically, each followed by its actions."""
    _reanalysed(repo)
    html_path = tmp_path / "nc.html"
    _ok(repo, "nc", "report", "-o", str(html_path))
    html = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html_path.read_text(encoding="utf-8")))
    sheet = html[html.index(f"{NC} —"):]
    positions = _order(sheet, "Cause analysis 1 of 2", "Thiếu ủy quyền ký thay", "CA-1", "Vẫn còn hồ sơ trễ",
                       "Cause analysis 2 of 2", "Thiếu sổ theo dõi hạn xử lý", "CA-2")
    assert positions == sorted(positions), sheet
    pdf_path = tmp_path / "nc.pdf"
    _ok(repo, "--lang", "vi", "nc", "report", "-o", str(pdf_path))
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in pypdf.PdfReader(str(pdf_path)).pages))
    sheet = text[text.index(f"{NC} —"):]
    positions = _order(sheet, "Phân tích nguyên nhân lần 1/2", "Thiếu ủy quyền ký thay", "CA-1",
                       "Phân tích nguyên nhân lần 2/2", "Thiếu sổ theo dõi hạn xử lý", "CA-2")
    assert positions == sorted(positions), sheet


def test_single_analysis_keeps_the_plain_heading(repo: Path) -> None:
    """A record analysed once shows one "Cause analysis" heading, no numbering and nothing superseded."""
    _ok(repo, *NEW_ARGS, "--date", "2026-03-02")
    _ok(repo, "nc", "correct", NC, "--description", "Trả ngay", "--by", "Lê Văn Cường", "--date", "2026-03-02")
    _ok(repo, "nc", "analyse", NC, "--method", "five-why", "--why", "Chờ ký", "--root-cause", "R",
        "--similar", "Không có", "--by", "Lê Văn Cường", "--date", "2026-03-03")
    out = qms_proc(repo, "nc", "show", NC).stdout
    assert "(b) Cause analysis (" in out and "1 of" not in out and "superseded" not in out


def test_analysis_without_its_whys_or_factors_says_which_option_is_missing(
        example_copy: Path, run_qms: Any) -> None:
    """A 5-why analysis without --why (or a fishbone without --factor) is refused naming the option to
    pass, not with the name of an internal model; nothing is written."""
    path = example_copy / "records" / "nonconformities" / "NC-2026-0003.yaml"
    before = path.read_bytes()
    for method, option in (("five-why", "--why"), ("fishbone", "--factor")):
        r = run_qms("--root", str(example_copy), "nc", "analyse", "NC-2026-0003", "--method", method,
                    "--root-cause", "r", "--similar", "s", "--by", "Hoàng Văn Em")
        assert r.exit_code == 2, r.stderr
        assert option in r.stderr and "CauseAnalysis" not in r.stderr, r.stderr
    assert path.read_bytes() == before


def test_new_refuses_an_audit_reference_check_would_reject(example_copy: Path, run_qms: Any) -> None:
    """`nc new --audit` with a malformed id, an audit that does not exist, or --finding without --audit is
    refused with the reason and a hint (exit 2, no file), instead of writing a record QMS507 rejects."""
    reg = example_copy / "records" / "nonconformities"
    before = sorted(p.name for p in reg.iterdir())
    base = ["--root", str(example_copy), "nc", "new", "--process", "QT-HT-01", "--title", "t", "--description",
            "d", "--source", "internal", "--severity", "minor", "--by", "Hoàng Văn Em"]
    for extra, words in ((["--audit", "../x"], ["AUD-YYYY-NN"]),
                         (["--audit", "AUD-2099-01"], ["AUD-2099-01", "qms audit list"]),
                         (["--finding", "F01"], ["--audit"])):
        r = run_qms(*base, *extra)
        assert r.exit_code == 2, (extra, r.stderr)
        assert all(w in r.stderr for w in words) and "pattern" not in r.stderr, r.stderr
    assert sorted(p.name for p in reg.iterdir()) == before
    r = run_qms(*base, "--audit", "AUD-2026-01", "--finding", "F09")
    assert r.exit_code == 0, r.stderr
