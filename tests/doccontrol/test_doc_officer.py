"""A quality officer takes a procedure of the example organisation through a revision, on real git.

One run of the life cycle (revise, review, approve, commit, edit by hand) checks what the officer sees
after each step: refusals, the control block, ``doc history`` in Vietnamese and ``doc status``.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path

import pytest
import yaml
from example_repo import copy_example

from qms.cli.main import main

PROC = "processes/QT-HT-01.yaml"


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=QO", "-c", "user.email=qo@example.org", *args], cwd=root,
                          capture_output=True, text=True, check=True).stdout


def qms(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> tuple[int, str, str]:
    try:
        main(["--root", str(root), "--lang", "vi", *args])
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def control(root: Path) -> dict:
    return yaml.safe_load((root / PROC).read_text(encoding="utf-8"))["document"]


@pytest.fixture
def org(tmp_path: Path) -> Path:
    root = copy_example(tmp_path / "org")
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-qm", "Ban hành lần đầu")
    return root


def test_a_revision_through_its_whole_life(org: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """D1: a review dated before the revision was drafted is refused (it was accepted, and nothing flagged it).
    D2: the reviewer's and approver's positions (chức vụ) are recorded from their roles, so the approval
    block of the issued revision shows them (it showed empty cells after a revision).
    D3: `doc history` in Vietnamese names the state of each commit in Vietnamese (it printed "(approved)").
    D4: a procedure edited by hand after its approval, without a new revision, is reported by `doc status`
    and `doc history` (exit 1); before, nothing noticed and `doc history` presented the edit as revision 2.
    D5: `doc show --revision 1` of a superseded revision said "Bản có kiểm soát" (controlled copy) under
    its "Hết hiệu lực / Superseded" watermark; it is an uncontrolled copy. D6: the revision still in force
    (the next one is a draft, or takes effect later) was watermarked "Hết hiệu lực / Superseded"."""
    code, _out, err = qms(capsys, org, "doc", "revise", "QT-HT-01", "--summary", "Cập nhật thời hạn",
                          "--summary-en", "Time limit updated", "--by", "pham_thi_dung", "--date", "2026-03-01")
    assert code == 0, err
    git(org, "commit", "-qam", "Dự thảo lần 2")
    # D6: while revision 2 is a draft, revision 1 is the one in force: no "superseded" watermark
    code, out, err = qms(capsys, org, "doc", "show", "QT-HT-01", "--revision", "1")
    assert code == 0, err
    assert not out.startswith("# Hết hiệu lực / Superseded"), out[:200]

    # D1: the review cannot come before the draft it reviews
    before = (org / PROC).read_bytes()
    code, _out, err = qms(capsys, org, "doc", "approve", "QT-HT-01", "--as", "reviewer", "--by", "le_van_cuong",
                          "--date", "2026-02-01")
    assert code == 1, err
    assert "2026-02-01" in err and "2026-03-01" in err and "gợi ý" in err
    assert (org / PROC).read_bytes() == before

    code, _out, err = qms(capsys, org, "doc", "approve", "QT-HT-01", "--as", "reviewer", "--by", "le_van_cuong",
                          "--date", "2026-03-02")
    assert code == 0, err
    code, _out, err = qms(capsys, org, "doc", "approve", "QT-HT-01", "--as", "approver", "--by", "Trần Thị Bình",
                          "--date", "2026-03-03")
    assert code == 0, err
    git(org, "commit", "-qam", "Phê duyệt lần 2")

    # D2: positions come from the roles of organisation.people
    block = control(org)
    assert block["reviewed_by"] == {"name": "Lê Văn Cường", "date": dt.date(2026, 3, 2),
                                    "title": {"vi": "Chánh Văn phòng HĐND và UBND", "en": "Chief of Office"}}
    assert block["approved_by"]["title"] == {"vi": "Phó Chủ tịch UBND phường", "en": "Vice-Chairperson of the Ward PC"}
    assert block["prepared_by"]["title"]["vi"] == "Phó Chánh Văn phòng (tư pháp - hộ tịch)"

    # D3: the history reads in Vietnamese
    code, out, err = qms(capsys, org, "doc", "history", "QT-HT-01")
    assert code == 0, err
    assert "(approved)" not in out and "(đã phê duyệt) Phê duyệt lần 2" in out


    # D5: the superseded revision, shown from git, is an uncontrolled copy
    code, out, err = qms(capsys, org, "doc", "show", "QT-HT-01", "--revision", "1", "--format", "html")
    assert code == 0, err
    assert "Hết hiệu lực / Superseded" in out
    assert "Bản không kiểm soát" in out and "Bản có kiểm soát" not in out

    # D6: a revision approved to take effect later leaves the previous one in force until then
    assert qms(capsys, org, "doc", "revise", "QT-HT-02", "--summary", "Lần 2", "--by", "pham_thi_dung",
               "--date", "2026-03-01")[0] == 0
    assert qms(capsys, org, "doc", "approve", "QT-HT-02", "--as", "reviewer", "--by", "le_van_cuong",
               "--date", "2026-03-02")[0] == 0
    assert qms(capsys, org, "doc", "approve", "QT-HT-02", "--as", "approver", "--by", "tran_thi_binh",
               "--date", "2026-03-03", "--effective", "2099-01-05")[0] == 0
    git(org, "commit", "-qam", "Phê duyệt QT-HT-02 lần 2, hiệu lực từ 2099")
    code, out, err = qms(capsys, org, "doc", "show", "QT-HT-02", "--revision", "1")
    assert code == 0, err
    assert not out.startswith("# Hết hiệu lực / Superseded"), out[:200]

    # D4: a hand edit of the issued text is found, committed or not
    text = (org / PROC).read_text(encoding="utf-8")
    assert "  time_limit: 1d\n" in text
    (org / PROC).write_text(text.replace("  time_limit: 1d\n", "  time_limit: 3d\n"), encoding="utf-8")
    code, out, err = qms(capsys, org, "doc", "history", "QT-HT-01")  # not committed yet
    assert code == 1, (out, err)
    assert "sau khi được phê duyệt" in err
    git(org, "commit", "-qam", "sửa thời hạn")
    code, out, err = qms(capsys, org, "doc", "status", "--format", "json")
    assert code == 1, (out, err)
    assert "QT-HT-01" in err and "qms doc revise QT-HT-01" in err
    rows = {r["code"]: r for r in json.loads(out)["documents"]}
    assert rows["QT-HT-01"]["changed_after_approval"] is True
    assert rows["QT-HT-02"]["changed_after_approval"] is False

    # internal notes and the control block itself (a periodic review) are not the issued text
    git(org, "checkout", "-q", "HEAD~1", "--", PROC)
    text = (org / PROC).read_text(encoding="utf-8")
    (org / PROC).write_text(text.replace("  history:\n", "  last_review: 2026-06-01\n  history:\n", 1)
                            + "  - kind: verification\n    text: Đã đối chiếu với quyết định công bố của tỉnh\n",
                            encoding="utf-8")
    code, out, err = qms(capsys, org, "doc", "history", "QT-HT-01")
    assert code == 0, (out, err)
