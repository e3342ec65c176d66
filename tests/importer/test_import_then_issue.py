"""An imported Word procedure taken further: exported back to Word, and approved (round 11, real use).

One procedure built with python-docx as a district inspectorate writes it (a responsibility that names no
role of qms.yaml, no owner or lead unit on the cover, its own issue date and revision), imported once through
the CLI into a copy of the example organisation; each test works on its own copy of that repository.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import docx
import pytest
import yaml


def _build(path: Path) -> None:
    doc = docx.Document()
    t = doc.add_table(rows=4, cols=3)
    t.cell(0, 0).merge(t.cell(3, 0)).text = "UBND QUẬN HOÀN KIẾM\nTHANH TRA QUẬN"
    t.cell(0, 1).merge(t.cell(3, 1)).text = "QUY TRÌNH\nGIẢI QUYẾT ĐƠN KHIẾU NẠI"
    for r, text in enumerate(("Mã hiệu: QT-TTR-05", "Lần ban hành: 02", "Ngày ban hành: 15/08/2016", "Trang: 1/6")):
        t.cell(r, 2).text = text
    for text in ("1. MỤC ĐÍCH", "Quy định trình tự tiếp nhận và giải quyết đơn khiếu nại của công dân.",
                 "2. PHẠM VI", "Áp dụng đối với Thanh tra quận.", "5. NỘI DUNG QUY TRÌNH"):
        doc.add_paragraph(text)
    rows = [["Bước", "Nội dung công việc", "Trách nhiệm", "Thời gian", "Biểu mẫu/Kết quả"],
            ["B1", "Tiếp nhận đơn khiếu nại", "Thanh tra viên", "02 ngày làm việc", "BM-01"],
            ["B2", "Xác minh nội dung khiếu nại", "Tổ xác minh", "05 ngày làm việc", "BM-03"],
            ["B3", "Lưu hồ sơ", "Thanh tra viên", "01 ngày làm việc", "Hồ sơ"]]
    table = doc.add_table(rows=len(rows), cols=len(rows[0]))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    doc.save(str(path))


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from example_repo import copy_example

    from qms.cli.main import main

    base = tmp_path_factory.mktemp("then-issue")
    root = copy_example(base / "repo")
    src = base / "QT-TTR-05.docx"
    _build(src)
    code = 0
    try:
        main(["--root", str(root), "import", "docx", str(src)])
    except SystemExit as exc:
        code = int(exc.code or 0)
    assert code == 0
    return root


@pytest.fixture
def repo(imported: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(imported, tmp_path / "repo"))


def _docx_text(path: Path) -> str:
    d = docx.Document(str(path))
    parts = [p.text for p in d.paragraphs]
    tables = list(d.tables) + [t for s in d.sections for t in s.header.tables]
    parts += [c.text for t in tables for row in t.rows for c in row.cells]
    parts += [p.text for s in d.sections for p in s.header.paragraphs]
    return "\n".join(parts)


def _png() -> bytes:
    """A 1×1 PNG: the flowchart's picture (rasterised through a PDF render) is not what these tests look at;
    its SVG, which holds the lane names, is."""
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (1, 1), "white").save(buf, format="PNG")
    return buf.getvalue()


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_word_export_of_an_imported_draft_prints_names_not_ids(repo: Path, lang: str, run_qms,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """W1: `render procedure --format docx` of an imported draft prints the Word file's words for the roles
    qms.yaml does not have yet ("Thanh tra viên", "Tổ xác minh") and nothing for the owner and lead unit Word
    never held (before: `thanh_tra_vien`, `to_xac_minh` in the steps table and the flowchart's lanes, and
    "Đơn vị chủ trì: chua_xac_dinh" on the cover), in both languages; the document code stays in the control
    header."""
    import qms.render.docx as word

    svgs: list[str] = []
    monkeypatch.setattr(word, "diagram_pngs", lambda sheets, root, dpi=0: svgs.extend(sheets) or [_png() for _s in sheets])
    draft = yaml.safe_load((repo / "processes" / "QT-TTR-05.yaml").read_text(encoding="utf-8"))
    ids = {s["responsible"] for s in draft["steps"]} | {draft["owner"], draft["unit"]}
    assert {"thanh_tra_vien", "to_xac_minh", "chua_xac_dinh"} <= ids, ids
    out = repo / f"out-{lang}.docx"
    done = run_qms("--root", str(repo), "render", "procedure", "QT-TTR-05", "--format", "docx", "--lang", lang,
                   "-o", str(out))
    assert done.exit_code == 0, done.stderr
    assert "is no role" not in done.stderr, done.stderr  # nothing is printed as written any more
    assert svgs and "Thanh tra viên" in svgs[0] and "Tổ xác minh" in svgs[0]
    assert not any(ident in svg for ident in ids for svg in svgs), svgs[0][:300]
    text = _docx_text(out)
    assert "Thanh tra viên" in text and "Tổ xác minh" in text
    assert "QT-TTR-05" in text
    raw = sorted(set(re.findall(r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b", text)))
    assert not raw, raw
    for ident in ids | {s["id"] for s in draft["steps"]}:
        assert not re.search(rf"(?<![\w-]){re.escape(ident)}(?![\w-])", text), ident


def _draft(repo: Path) -> dict[str, Any]:
    return yaml.safe_load((repo / "processes" / "QT-TTR-05.yaml").read_text(encoding="utf-8"))


def test_approval_is_refused_while_import_notes_are_open(repo: Path, run_qms) -> None:
    """W2a: `doc approve` of a fresh import is refused (exit 1, file unchanged), naming what the import left to
    check (placeholders, proposed roles), since a review or approval states the text is adequate (7.5.2 c) and
    nobody has checked those yet (before: both approvals went through and the draft was issued with
    `chua_xac_dinh` as owner and every "check this" note and comment still in it)."""
    path = repo / "processes" / "QT-TTR-05.yaml"
    before = path.read_bytes()
    for role, who in (("reviewer", "Lê Văn Cường"), ("approver", "Trần Thị Bình")):
        done = run_qms("--root", str(repo), "doc", "approve", "QT-TTR-05", "--as", role, "--by", who)
        assert done.exit_code == 1, (role, done.stdout, done.stderr)
        for item in ("/kind", "/owner", "/unit", "thanh_tra_vien", "to_xac_minh"):
            assert item in done.stderr, (item, done.stderr)
        assert "internal_notes" in done.stderr  # the hint says what to do
        assert path.read_bytes() == before
    assert all(n.get("from_import") is True for n in _draft(repo)["internal_notes"])


def test_approval_keeps_the_word_issue_date_and_drops_the_import_comments(repo: Path, run_qms) -> None:
    """W2b: once the notes are resolved, reviewer then approver approve; the revision keeps the date of issue
    the Word file gave it (15/08/2016, revision 2), the approval is recorded with its own date and the
    effective date is the approval's (docs/doc-control.md), and the comments the import wrote ("QT-TTR-05.docx,
    bảng 2, dòng 2", the "check every commented field" header) are gone from the issued file while a comment
    of the user's stays (before: issued_on was replaced by the approval date and every import comment stayed)."""
    from ruamel.yaml import YAML

    path = repo / "processes" / "QT-TTR-05.yaml"
    y = YAML()
    data = y.load(path.read_text(encoding="utf-8"))
    data["owner"], data["unit"] = "chanh_van_phong", "van_phong"
    for step in data["steps"]:
        step["responsible"] = "chanh_van_phong"
    del data["proposed_roles"], data["internal_notes"]
    data.yaml_add_eol_comment("checked against the 2016 paper copy", "purpose")
    with path.open("w", encoding="utf-8") as fh:
        y.dump(data, fh)
    text = path.read_text(encoding="utf-8")
    assert "# QT-TTR-05.docx, " in text and text.startswith("# ")
    done = run_qms("--root", str(repo), "doc", "approve", "QT-TTR-05", "--as", "reviewer", "--by", "Lê Văn Cường",
                   "--date", "2026-03-02")
    assert done.exit_code == 0, done.stderr
    done = run_qms("--root", str(repo), "doc", "approve", "QT-TTR-05", "--as", "approver", "--by", "Trần Thị Bình",
                   "--date", "2026-03-03")
    assert done.exit_code == 0, done.stderr
    assert "2016" in done.stdout and "qms import" in done.stdout  # it says what it kept and what it removed
    text = path.read_text(encoding="utf-8")
    control = yaml.safe_load(text)["document"]
    assert control["state"] == "approved" and control["revision"] == 2
    assert str(control["issued_on"]) == "2016-08-15"
    assert str(control["approved_by"]["date"]) == "2026-03-03" and str(control["effective_date"]) == "2026-03-03"
    assert [(a["as"], str(a["date"])) for a in control["approvals"]] == [("reviewer", "2026-03-02"),
                                                                         ("approver", "2026-03-03")]
    assert "QT-TTR-05.docx" not in text and "qms import" not in text, text[:400]
    assert "# checked against the 2016 paper copy" in text
    assert not text.startswith("#")
    # revision 2 has the history row the Word file supports (W3): `qms check` has no QMS414 to report
    done = run_qms("--root", str(repo), "check")
    assert "QT-TTR-05" in done.stdout and "QMS414" not in done.stdout, done.stdout


def test_imported_revision_keeps_its_issue_and_date_in_the_history(repo: Path) -> None:
    """W3: a Word file that says "Lần ban hành: 02" and "Ngày ban hành: 15/08/2016" but has no revision table
    gets the history row it supports (revision 2, 2016-08-15, "Ban hành lại (nhập từ tệp Word)"), so the
    revision table prints issue 02 with its date and QMS414 ("revision 2 has no history row") has nothing to
    flag (before: no row, the table printed "1 | 02 | chưa có hiệu lực | Ban hành lần đầu" and QMS414 fired
    once the draft was approved)."""
    from qms.models.process import Process
    from qms.render.viewmodels import control_view

    proc = Process.model_validate(_draft(repo))
    control = proc.document
    assert control is not None and control.revision == 2
    assert [(h.revision, h.date.isoformat()) for h in control.history] == [(2, "2016-08-15")]
    view = control_view(control, proc.id, "vi")
    assert [(h.revision, h.date, h.summary) for h in view.history] == [("02", "15/08/2016",
                                                                        "Ban hành lại (nhập từ tệp Word)")]
    assert "Ban hành lần đầu" not in view.history[0].summary
    assert any(e.revision == control.revision for e in control.history)  # what QMS414 asks


def test_without_history_a_later_revision_is_never_called_first_issue() -> None:
    """W4: a control block with revision 02 and no history row renders without "Ban hành lần đầu" in the HTML
    revision table, which still says it for a revision 01 (before: every revision was the first issue)."""
    import datetime as dt

    from qms.models.common import DocumentControl
    from qms.render.env import environment, translator
    from qms.render.viewmodels import control_view

    template = environment().from_string(
        '{% from "_control.j2" import history_table with context %}{{ history_table(control) }}')
    for rev, first in ((2, False), (1, True)):
        dc = DocumentControl.model_validate({"code": "QT-X-01", "revision": rev, "state": "draft",
                                             "issued_on": dt.date(2024, 3, 15)})
        html = template.render(control=control_view(dc, "QT-X-01", "vi"), _=translator("vi"), lang="vi")
        assert ("Ban hành lần đầu" in html) is first, html


def test_a_step_form_is_never_the_organisations_form_of_the_same_code(repo: Path, run_qms,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """W5: the Word file's steps name forms BM-01 and BM-03 without titles, and the organisation's register
    has a BM-01 ("Giấy tiếp nhận hồ sơ và hẹn trả kết quả") and a BM-03: the draft lists BM-01 and BM-03 of its
    own, each title a placeholder whose note names the register's form of that code, and the Word export
    prints the placeholder, not the register's title (before: the steps table and the forms list printed
    "BM-01 Giấy tiếp nhận hồ sơ và hẹn trả kết quả" for the inspectorate's form)."""
    import qms.render.docx as word

    draft = _draft(repo)
    assert [(f["code"], f["title"]) for f in draft["forms"]] == [("BM-01", "(chưa có trong văn bản gốc)"),
                                                                ("BM-03", "(chưa có trong văn bản gốc)")]
    about = {n["about"] for n in draft["internal_notes"]}
    assert {"/forms/0/title", "/forms/1/title"} <= about, about
    text = (repo / "processes" / "QT-TTR-05.yaml").read_text(encoding="utf-8")
    # the comment names the step that cites the form and the register's form of that code
    assert re.search(r"title: .*# QT-TTR-05\.docx, bảng 2, dòng 2; .*Giấy tiếp nhận hồ sơ và hẹn trả kết quả", text)
    monkeypatch.setattr(word, "diagram_pngs", lambda sheets, root, dpi=0: [_png() for _s in sheets])
    out = repo / "forms.docx"
    done = run_qms("--root", str(repo), "render", "procedure", "QT-TTR-05", "--format", "docx", "-o", str(out))
    assert done.exit_code == 0, done.stderr
    printed = _docx_text(out)
    assert "BM-01 (chưa có trong văn bản gốc)" in printed
    assert "Giấy tiếp nhận hồ sơ" not in printed, printed
