"""``qms doc``: status, revise, approve, history and show, on a real git repository in a temp dir."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from qms.cli.main import main

BASE = Path(__file__).parent.parent / "rules" / "base"
PROC = "processes/QT-01.yaml"
MANUAL = """
# Sổ tay chất lượng
manual:
  code: STCL
  revision: 1
  effective_date: 2026-01-05
  prepared_by: {name: Lê Văn Cường}
  approved_by: {name: Nguyễn Văn An}
  history:
    - {revision: 1, date: 2026-01-05, summary: Ban hành lần đầu}
"""


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", *args], cwd=root,
                          capture_output=True, text=True, check=True).stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(BASE, root)
    with (root / "qms.yaml").open("a", encoding="utf-8") as fh:
        fh.write(MANUAL)
    text = (root / PROC).read_text(encoding="utf-8")
    text = text.replace("document:\n", "# Kiểm soát tài liệu: do ISO secretary maintain\ndocument:\n")
    text = text.replace("  revision: 1\n", "  revision: 1  # lần ban hành\n")
    (root / PROC).write_text(text, encoding="utf-8")
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-qm", "Ban hành lần đầu")
    return root


def qms(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> tuple[int, str, str]:
    try:
        main(["--root", str(root), *args])
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def control(root: Path, rel: str = PROC, key: str = "document") -> dict:
    data = yaml.safe_load((root / rel).read_text(encoding="utf-8"))
    return data[key]


def test_status_lists_manual_procedures_and_forms(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = qms(capsys, repo, "doc", "status", "--format", "json")
    assert code == 0
    rows = {r["code"]: r for r in json.loads(out)["documents"]}
    assert set(rows) == {"STCL", "QT-01", "BM-01"}
    assert rows["QT-01"] == {
        "id": "QT-01", "kind": "procedure", "code": "QT-01", "title": "Certified copies", "revision": 1,
        "effective_date": "2026-01-05", "next_review": "2027-01-05", "state": "approved",
        "path": "processes/QT-01.yaml", "controlled_by": None, "changed_after_approval": False,
        "approval_commit": None}
    assert rows["BM-01"]["controlled_by"] == "STCL"
    assert rows["BM-01"]["revision"] == 1
    assert rows["STCL"]["kind"] == "manual"

    code, out, _err = qms(capsys, repo, "doc", "status", "--format", "csv")
    table = list(csv.DictReader(io.StringIO(out)))
    assert [r["code"] for r in table] == ["STCL", "QT-01", "BM-01"]
    assert table[1]["next_review"] == "2027-01-05"

    code, out, _err = qms(capsys, repo, "--lang", "vi", "doc", "status")
    assert code == 0
    assert "QT-01" in out
    assert "đã phê duyệt" in out
    assert "05/01/2027" in out and "2027-01-05" not in out  # the table shows dates as people read them


def test_revise_keeps_comments_and_layout(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = (repo / PROC).read_text(encoding="utf-8")
    code, out, err = qms(capsys, repo, "doc", "revise", "QT-01", "--summary", "Cập nhật lệ phí",
                         "--summary-en", "Fee updated", "--pages", "2", "--by", "binh", "--date", "2026-04-01")
    assert code == 0, err
    assert "revision 2" in out
    after = (repo / PROC).read_text(encoding="utf-8")
    # everything before the control block is byte-for-byte the same
    head = before.split("# Kiểm soát tài liệu")[0]
    assert after.startswith(head)
    assert "# Kiểm soát tài liệu: do ISO secretary maintain\n" in after
    assert "  revision: 2  # lần ban hành\n" in after
    assert ("    - {revision: 2, date: 2026-04-01, pages: '2', summary: {vi: Cập nhật lệ phí, en: Fee updated}, "
            "by: Trần Thị Bình}\n") in after
    doc = control(repo)
    assert doc["revision"] == 2
    assert doc["state"] == "draft"
    assert "effective_date" not in doc
    assert doc["prepared_by"] == {"name": "Trần Thị Bình", "date": __import__("datetime").date(2026, 4, 1),
                                  "title": {"en": "Justice officer", "vi": "Công chức tư pháp"}}
    assert [h["revision"] for h in doc["history"]] == [1, 2]
    assert not list(repo.rglob(".*.tmp"))  # atomic write left no temp file


def test_revise_refuses_a_second_open_revision(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert qms(capsys, repo, "doc", "revise", "QT-01", "--summary", "Lần 2")[0] == 0
    before = (repo / PROC).read_bytes()
    code, _out, err = qms(capsys, repo, "doc", "revise", "QT-01", "--summary", "Lần 3")
    assert code == 1
    assert "still draft" in err
    assert (repo / PROC).read_bytes() == before


def test_approval_order_and_independence(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert qms(capsys, repo, "doc", "revise", "QT-01", "--summary", "Lần 2", "--by", "Trần Thị Bình",
               "--date", "2026-04-01")[0] == 0
    before = (repo / PROC).read_bytes()

    code, _out, err = qms(capsys, repo, "doc", "approve", "QT-01", "--as", "approver", "--by", "an")
    assert code == 1
    assert "has not been reviewed yet" in err
    assert (repo / PROC).read_bytes() == before

    code, out, err = qms(capsys, repo, "doc", "approve", "QT-01", "--as", "reviewer", "--by", "cuong",
                         "--date", "2026-04-02")
    assert code == 0, err
    assert control(repo)["state"] == "in_review"

    code, _out, err = qms(capsys, repo, "doc", "approve", "QT-01", "--as", "reviewer", "--by", "an")
    assert code == 1
    assert "already reviewed" in err

    # the preparer (given by person id) cannot approve
    code, _out, err = qms(capsys, repo, "doc", "approve", "QT-01", "--as", "approver", "--by", "binh",
                          "--date", "2026-04-03")
    assert code == 1
    assert "cannot also approve" in err

    code, out, err = qms(capsys, repo, "doc", "approve", "QT-01", "--as", "approver", "--by", "an",
                         "--date", "2026-04-03", "--effective", "2026-04-10")
    assert code == 0, err
    assert "effective 10/04/2026" in out
    doc = control(repo)
    assert doc["state"] == "approved"
    assert str(doc["effective_date"]) == "2026-04-10"
    assert doc["approvals"] == [
        {"revision": 2, "as": "reviewer", "by": "Lê Văn Cường", "date": __import__("datetime").date(2026, 4, 2)},
        {"revision": 2, "as": "approver", "by": "Nguyễn Văn An", "date": __import__("datetime").date(2026, 4, 3)},
    ]
    assert doc["approved_by"]["name"] == "Nguyễn Văn An"

    code, _out, err = qms(capsys, repo, "doc", "approve", "QT-01", "--as", "approver", "--by", "an")
    assert code == 1
    assert "already approved" in err

    # the result passes the document-control rules
    code, out, _err = qms(capsys, repo, "check", "--no-cache", "--select", "QMS41", "--today", "2026-05-01")
    assert code == 0, out


def test_effective_date_before_approval_is_refused(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    qms(capsys, repo, "doc", "revise", "QT-01", "--summary", "Lần 2")
    qms(capsys, repo, "doc", "approve", "QT-01", "--as", "reviewer", "--by", "cuong", "--date", "2026-04-02")
    code, _out, err = qms(capsys, repo, "doc", "approve", "QT-01", "--as", "approver", "--by", "an",
                          "--date", "2026-04-03", "--effective", "2026-04-01")
    assert code == 2
    assert "before the approval date" in err


def test_form_code_revises_the_document_that_issues_it(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = qms(capsys, repo, "doc", "revise", "BM-01", "--summary", "Mẫu mới theo TT 01/2025")
    assert code == 0, err
    assert "BM-01 is issued with STCL" in out
    manual = control(repo, "qms.yaml", "manual")
    assert manual["revision"] == 2
    assert manual["history"][-1]["summary"] == "Mẫu mới theo TT 01/2025"
    assert "# Sổ tay chất lượng\n" in (repo / "qms.yaml").read_text(encoding="utf-8")


def test_unknown_id_and_bad_dates_are_usage_errors(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = qms(capsys, repo, "doc", "revise", "QT-011", "--summary", "x")
    assert code == 2
    assert "no controlled document `QT-011`" in err
    assert "did you mean `QT-01`?" in err
    code, _out, err = qms(capsys, repo, "doc", "approve", "QT-01", "--as", "reviewer", "--by", "an",
                          "--date", "01/04/2026")
    assert code == 2
    assert "YYYY-MM-DD" in err
    assert "Traceback" not in err


def test_history_and_superseded_revision_from_git(repo: Path, capsys: pytest.CaptureFixture[str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    qms(capsys, repo, "doc", "revise", "QT-01", "--summary", "Cập nhật lệ phí", "--date", "2026-04-01")
    git(repo, "commit", "-qam", "QT-01 lần 2: dự thảo")
    qms(capsys, repo, "doc", "approve", "QT-01", "--as", "reviewer", "--by", "cuong", "--date", "2026-04-02")
    qms(capsys, repo, "doc", "approve", "QT-01", "--as", "approver", "--by", "an", "--date", "2026-04-03")
    git(repo, "commit", "-qam", "QT-01 lần 2: phê duyệt")
    first = git(repo, "rev-list", "--max-parents=0", "HEAD").strip()
    approved = git(repo, "rev-parse", "HEAD").strip()

    code, out, _err = qms(capsys, repo, "doc", "history", "QT-01", "--format", "json")
    assert code == 0
    revs = json.loads(out)["revisions"]
    assert [r["revision"] for r in revs] == [1, 2]
    assert revs[0]["commit"] == first
    assert revs[1]["commit"] == approved  # the approved commit, not the draft one
    assert [a["as"] for a in revs[1]["approvals"]] == ["reviewer", "approver"]
    assert revs[1]["current"] is True

    code, out, _err = qms(capsys, repo, "doc", "history", "QT-01")
    assert "revision 2  01/04/2026  Cập nhật lệ phí" in out
    assert "approved: Nguyễn Văn An, 03/04/2026" in out

    code, out, _err = qms(capsys, repo, "doc", "show", "QT-01", "--revision", "1")
    assert code == 0
    assert out.startswith("# Hết hiệu lực / Superseded\n")
    old = yaml.safe_load(out)
    assert old["document"]["revision"] == 1
    assert str(old["document"]["effective_date"]) == "2026-01-05"
    assert out.split("\n", 2)[2] == git(repo, "show", f"{first}:{PROC}")

    code, out, _err = qms(capsys, repo, "doc", "show", "QT-01", "--revision", "2")
    assert "Superseded" not in out

    monkeypatch.delenv("QMS_LANG")  # the documents below default to the organisation's language
    code, out, _err = qms(capsys, repo, "doc", "show", "QT-01", "--revision", "1", "--format", "html")
    assert code == 0
    assert 'class="qms-superseded-watermark"' in out
    assert "Hết hiệu lực / Superseded" in out
    assert "Chứng thực bản sao" in out  # laid out by the render layer, in the organisation's language
    code, out, _err = qms(capsys, repo, "doc", "show", "QT-01", "--format", "html")
    assert "Superseded" not in out

    # the manual has no procedure layout: a page of the shared pipeline with the control block,
    # the approval block and the source
    code, out, _err = qms(capsys, repo, "doc", "show", "STCL", "--format", "html")
    assert code == 0
    assert '<h1>STCL – Lần ban hành 01</h1>' in out
    assert 'data-code="STCL"' in out and 'class="approval"' in out and "QmsSans" in out
    assert "Superseded" not in out

    code, _out, err = qms(capsys, repo, "doc", "show", "QT-01", "--revision", "7")
    assert code == 2
    assert "no revision 7" in err


def test_show_needs_git_for_old_revisions(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "plain"
    shutil.copytree(BASE, root)
    text = (root / PROC).read_text(encoding="utf-8").replace("revision: 1\n", "revision: 2\n", 1)
    (root / PROC).write_text(text, encoding="utf-8")
    code, _out, err = qms(capsys, root, "doc", "show", "QT-01", "--revision", "1")
    assert code == 2
    assert "not inside a git repository" in err or "no commit" in err


def test_superseded_revision_as_pdf(repo: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from pypdf import PdfReader

    first = git(repo, "rev-parse", "HEAD").strip()
    qms(capsys, repo, "doc", "revise", "QT-01", "--summary", "Cập nhật lệ phí", "--date", "2026-04-01")
    qms(capsys, repo, "doc", "approve", "QT-01", "--as", "reviewer", "--by", "cuong", "--date", "2026-04-02")
    qms(capsys, repo, "doc", "approve", "QT-01", "--as", "approver", "--by", "an", "--date", "2026-04-03")
    git(repo, "commit", "-qam", "QT-01 lần 2")

    old_pdf = tmp_path / "QT-01-rev1.pdf"
    monkeypatch.delenv("QMS_LANG")  # the document defaults to the organisation's language
    code, _out, err = qms(capsys, repo, "doc", "show", "QT-01", "--revision", "1", "--format", "pdf", "-o",
                         str(old_pdf))
    assert code == 0, err
    reader = PdfReader(old_pdf)
    pages = ["".join(p.extract_text().split()) for p in reader.pages]
    assert all("Hếthiệulực/Superseded" in text for text in pages)  # watermark on every page
    assert "Lầnbanhành:01" in pages[0]
    assert reader.attachments == {f"QT-01.rev1.{first[:12]}.yaml": [git(repo, "show", f"{first}:{PROC}").encode()]}
    assert b"pdfaid:part" in reader.trailer["/Root"]["/Metadata"].get_object().get_data()

    current = tmp_path / "QT-01.pdf"
    assert qms(capsys, repo, "doc", "show", "QT-01", "--format", "pdf", "-o", str(current))[0] == 0
    text = "".join("".join(p.extract_text().split()) for p in PdfReader(current).pages)
    assert "Superseded" not in text
    assert "Lầnbanhành:02" in text

    code, _out, err = qms(capsys, repo, "doc", "show", "QT-01", "--format", "pdf")
    assert code == 2
    assert "-o FILE" in err


def test_process_forms_are_issued_with_their_procedure(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = repo / PROC
    text = path.read_text(encoding="utf-8").replace(
        "records:\n", "forms:\n  - {code: BM-CT-01, title: {vi: Sổ chứng thực, en: Certification log}}\nrecords:\n", 1)
    path.write_text(text, encoding="utf-8")
    code, out, _err = qms(capsys, repo, "doc", "status", "--format", "json")
    rows = {r["code"]: r for r in json.loads(out)["documents"]}
    assert rows["BM-CT-01"]["controlled_by"] == "QT-01"
    assert rows["BM-CT-01"]["path"] == PROC
    code, out, err = qms(capsys, repo, "doc", "revise", "bm-ct-01", "--summary", "Thêm cột ghi chú")
    assert code == 0, err
    assert control(repo)["revision"] == 2


def test_a_revised_draft_carries_no_old_approval(repo: Path, capsys: pytest.CaptureFixture[str],
                                                 tmp_path: Path) -> None:
    """Issue 16 item 2: the new revision shows no reviewer or approver until it is approved."""
    code, _out, err = qms(capsys, repo, "doc", "revise", "QT-01", "--summary", "Lần 2", "--by", "binh",
                          "--date", "2026-04-01")
    assert code == 0, err
    doc = control(repo)
    assert "reviewed_by" not in doc
    assert "approved_by" not in doc
    # the previous revision's sign-offs are not lost: git holds them
    assert "approved_by: {name: Nguyễn Văn An}" in git(repo, "show", f"HEAD:{PROC}")
    site = tmp_path / "site"
    code, _out, err = qms(capsys, repo, "render", "procedure", "QT-01", "--format", "html", "-o", str(site))
    assert code == 0, err
    page = "".join(p.read_text(encoding="utf-8") for p in site.rglob("*.html"))
    assert "Trần Thị Bình" in page  # the preparer of the draft
    assert "Nguyễn Văn An" not in page and "Lê Văn Cường" not in page


def test_a_hand_edited_draft_does_not_render_its_stale_sign_offs(repo: Path, capsys: pytest.CaptureFixture[str],
                                                                  tmp_path: Path) -> None:
    """Issue 16 item 2: whatever the file says, a draft page names no approver."""
    text = (repo / PROC).read_text(encoding="utf-8").replace("  revision: 1  # lần ban hành\n",
                                                              "  revision: 2\n  state: draft\n")
    (repo / PROC).write_text(text, encoding="utf-8")
    site = tmp_path / "site"
    code, _out, err = qms(capsys, repo, "render", "procedure", "QT-01", "--format", "html", "-o", str(site))
    assert code == 0, err
    page = "".join(p.read_text(encoding="utf-8") for p in site.rglob("*.html"))
    assert "Nguyễn Văn An" not in page and "Lê Văn Cường" not in page


def test_sign_offs_name_people_of_the_organisation(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 16 item 3: unknown signatories and self-review are refused; nothing is written."""
    assert qms(capsys, repo, "doc", "revise", "QT-01", "--summary", "Lần 2", "--by", "binh",
               "--date", "2026-04-01")[0] == 0
    before = (repo / PROC).read_bytes()
    code, _out, err = qms(capsys, repo, "doc", "approve", "QT-01", "--as", "reviewer", "--by", "Ông Không Tồn Tại")
    assert code == 2
    assert "Ông Không Tồn Tại" in err and "organisation.people" in err
    code, _out, err = qms(capsys, repo, "doc", "approve", "QT-01", "--as", "reviewer", "--by", "Trần Thị Bình")
    assert code == 1
    assert "cannot also review" in err
    assert (repo / PROC).read_bytes() == before
    # a name in another case and spacing is the same person, recorded as written in qms.yaml
    code, _out, err = qms(capsys, repo, "doc", "approve", "QT-01", "--as", "reviewer", "--by", "lê  văn cường",
                          "--date", "2026-04-02")
    assert code == 0, err
    assert control(repo)["reviewed_by"]["name"] == "Lê Văn Cường"
    code, _out, err = qms(capsys, repo, "doc", "revise", "QT-01", "--summary", "x", "--by", "Ai Đó")
    assert code in (1, 2)
