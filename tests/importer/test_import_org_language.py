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
    Vietnamese. The list's own data (names, places) stays as written."""
    root = _org(tmp_path, lang)
    out = tmp_path / "skeletons"
    done = run_qms("--root", str(root), "import", "xlsx", str(XLSX), "--out", str(out))
    assert done.exit_code == 0, done.stderr
    path = out / "QT-HT-01.yaml"
    text = path.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    assert data["title"] == "Đăng ký khai sinh"
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
