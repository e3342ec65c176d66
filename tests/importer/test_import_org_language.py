"""The words `qms import` writes itself (placeholders, generated purposes, comments) follow the organisation's
language; the document's own text goes into the language it is written in (round 11, real use)."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
XLSX = REPO / "examples" / "word" / "danh-muc-tthc.xlsx"


def _org(tmp_path: Path, lang: str) -> Path:
    from example_repo import copy_example

    root = copy_example(tmp_path / f"org-{lang}")
    manifest = root / "qms.yaml"
    text = manifest.read_text(encoding="utf-8")
    assert "default_language: vi" in text
    manifest.write_text(text.replace("default_language: vi", f"default_language: {lang}"), encoding="utf-8")
    return root


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_xlsx_skeleton_placeholders_follow_the_organisation_language(tmp_path: Path, lang: str, run_qms) -> None:
    """X1: `import xlsx` into an English organisation writes its placeholder scope, the purpose it makes up and
    the "procedure code" comment in English (before: "(chưa có trong văn bản gốc)", "Giải quyết thủ tục hành
    chính …" and ", mã TTHC" whatever the organisation's language); a Vietnamese organisation keeps them in
    Vietnamese. The list's own data (names, places) stays as written, in the `vi` slot of an English
    organisation (before: plain strings, which stand for English there)."""
    root = _org(tmp_path, lang)
    out = tmp_path / "skeletons"
    done = run_qms("--root", str(root), "import", "xlsx", str(XLSX), "--out", str(out))
    assert done.exit_code == 0, done.stderr
    path = out / "QT-HT-01.yaml"
    text = path.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    # the list is Vietnamese: in an English organisation its own text is in the `vi` slot (round 11, L3)
    assert data["title"] == ({"vi": "Đăng ký khai sinh"} if lang == "en" else "Đăng ký khai sinh")
    comments = "\n".join(line.split("#", 1)[1] for line in text.splitlines() if "#" in line)
    if lang == "en":
        assert data["scope"] == "(not in the source document)"
        assert data["purpose"] == "Handles the administrative procedure Đăng ký khai sinh (field: Hộ tịch)"
        assert "administrative procedure code" in comments
        for vi in ("chưa có", "Giải quyết thủ tục", "mã TTHC", "lĩnh vực"):
            assert vi not in text, vi
    else:
        assert data["scope"] == "(chưa có trong văn bản gốc)"
        assert data["purpose"] == "Giải quyết thủ tục hành chính Đăng ký khai sinh (lĩnh vực Hộ tịch)"
        assert "mã TTHC" in comments


def test_docx_placeholder_text_follows_the_organisation_language(tmp_path: Path, run_qms) -> None:
    """X2: a Word file without a scope section, imported into an English organisation, gets the English
    placeholder text (before: "(chưa có trong văn bản gốc)")."""
    root = _org(tmp_path, "en")
    src = tmp_path / "QT-DC-03.docx"
    d = docx.Document()
    for text in ("1. Purpose", "To control documents.", "3. Procedure", "Step 1: Draft the document",
                 "Responsibility: Office clerk", "Time: 2 working days", "Step 2: Approve the document"):
        d.add_paragraph(text)
    d.save(str(src))
    done = run_qms("--root", str(root), "import", "docx", str(src), "--out", str(tmp_path / "drafts"))
    assert done.exit_code == 0, done.stderr
    text = (tmp_path / "drafts" / "QT-DC-03.yaml").read_text(encoding="utf-8")
    assert "chưa có" not in text
    assert "(not in the source document)" in text


def _vietnamese_docx(path: Path) -> None:
    d = docx.Document()
    for text in ("1. MỤC ĐÍCH", "Quy định trình tự tiếp nhận và giải quyết đơn khiếu nại của công dân.",
                 "2. PHẠM VI", "Áp dụng đối với Thanh tra phường.", "3. NỘI DUNG",
                 "Bước 1: Tiếp nhận đơn", "Trách nhiệm: Chánh Văn phòng", "Thời gian: 02 ngày làm việc",
                 "Bước 2: Xác minh nội dung đơn"):
        d.add_paragraph(text)
    d.save(str(path))


def _english_docx(path: Path) -> None:
    d = docx.Document()
    for text in ("1. Purpose", "To control the documents of the Ward People's Committee (Ủy ban nhân dân phường).",
                 "2. Scope", "All documents issued by the ward.", "3. Procedure",
                 "Step 1: Draft the document", "Responsibility: Chief of Office", "Time: 2 working days",
                 "Step 2: Approve the document"):
        d.add_paragraph(text)
    d.save(str(path))


def test_the_language_of_a_document_is_judged_from_its_text(tmp_path: Path, run_qms) -> None:
    """L1: a Vietnamese Word file imported into an English organisation puts its text into the `vi` slot and an
    English one into a Vietnamese organisation into the `en` slot (before: both went in as plain strings, which
    stand for the organisation's language, so the English document printed Vietnamese as if it were English);
    the report says which language was judged, in text and JSON; a document in the organisation's language
    stays plain strings."""
    vi_doc, en_doc = tmp_path / "QT-TTR-09.docx", tmp_path / "QT-VP-09.docx"
    _vietnamese_docx(vi_doc)
    _english_docx(en_doc)
    for org, other in (("en", "vi"), ("vi", "en")):
        root = _org(tmp_path, org)
        out = tmp_path / f"drafts-{org}"
        done = run_qms("--root", str(root), "import", "docx", str(vi_doc), str(en_doc), "--out", str(out))
        assert done.exit_code == 0, done.stderr
        assert "language of the document: Vietnamese (judged from its text: " in done.stdout
        assert "language of the document: English (judged from its words)" in done.stdout
        foreign = yaml.safe_load((out / ("QT-TTR-09.yaml" if other == "vi" else "QT-VP-09.yaml")).read_text("utf-8"))
        own = yaml.safe_load((out / ("QT-VP-09.yaml" if other == "vi" else "QT-TTR-09.yaml")).read_text("utf-8"))
        assert list(foreign["purpose"]) == [other] and list(foreign["steps"][0]["name"]) == [other], foreign
        assert isinstance(own["purpose"], str) and isinstance(own["steps"][0]["name"], str), own
        assert foreign["steps"][0]["responsible"] == "chanh_van_phong"  # ids are not text
        done = run_qms("--root", str(root), "import", "docx", str(vi_doc), "--dry-run", "--format", "json")
        doc = __import__("json").loads(done.stdout)["documents"][0]
        assert (doc["language"], doc["language_by"]) == ("vi", "diacritics") and doc["vietnamese_letter_share"] > 0.15


def test_lang_overrides_the_judged_language(tmp_path: Path, run_qms) -> None:
    """L2: `import docx --lang en` puts the text of a document the importer would judge Vietnamese into the `en`
    slot, and the report says the language was given."""
    root = _org(tmp_path, "vi")
    src = tmp_path / "QT-TTR-09.docx"
    _vietnamese_docx(src)
    done = run_qms("--root", str(root), "import", "docx", str(src), "--lang", "en", "--out", str(tmp_path / "d"))
    assert done.exit_code == 0, done.stderr
    assert "language of the document: English (given with --lang)" in done.stdout
    draft = yaml.safe_load((tmp_path / "d" / "QT-TTR-09.yaml").read_text(encoding="utf-8"))
    assert draft["purpose"] == {"en": "Quy định trình tự tiếp nhận và giải quyết đơn khiếu nại của công dân."}
