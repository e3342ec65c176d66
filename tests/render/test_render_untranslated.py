"""A document in one language that prints texts of the other (given as `{vi: ...}` only) says so."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data" / "mini"


def test_an_english_document_names_the_texts_it_prints_in_vietnamese(tmp_path: Path,
                                                                      run_qms: Callable[..., Any]) -> None:
    """A step name given in Vietnamese only was printed, in Vietnamese, in the English procedure without a word
    (`qms check` passes; only the strict profile flags it): `qms render --lang en` now warns with the text's
    path:line:col and a hint. Internal notes are never printed, so they are not counted; the Vietnamese
    document of the same file is complete and warns of nothing."""
    root = tmp_path / "repo"
    shutil.copytree(DATA, root)
    proc = root / "processes" / "QT-HT-01.yaml"
    text = proc.read_text(encoding="utf-8")
    old = "name: {vi: Ký Giấy khai sinh, en: Sign the birth certificate}"
    assert old in text
    text = text.replace(old, "name: {vi: Ký Giấy khai sinh}") + "internal_notes:\n  - {kind: research, text: {vi: Ghi chú}}\n"
    proc.write_text(text, encoding="utf-8")
    line = text.splitlines().index("    name: {vi: Ký Giấy khai sinh}") + 1
    result = run_qms("--root", str(root), "render", "procedure", "QT-HT-01", "--lang", "en", "--format", "html",
                     "-o", str(tmp_path / "en"), "--no-progress")
    assert result.exit_code == 0, result.stderr
    assert (f"warning: processes/QT-HT-01.yaml:{line}:11: `steps/3/name` has no English text; the English document "
            "prints the Vietnamese") in result.stderr
    assert "internal_notes" not in result.stderr
    assert "hint: add `en:` beside `vi:`" in result.stderr
    assert result.stderr.count("warning:") == 1
    result = run_qms("--root", str(root), "render", "procedure", "QT-HT-01", "--lang", "vi", "--format", "html",
                     "-o", str(tmp_path / "vi"), "--no-progress")
    assert result.exit_code == 0 and "warning" not in result.stderr, result.stderr


def test_a_document_that_prints_a_raw_id_says_where_and_what_was_meant(tmp_path: Path,
                                                                        run_qms: Callable[..., Any]) -> None:
    """A step whose `responsible` has a typo (`pho_chu_tichh`) printed the raw id in the flowchart's lane and
    the steps table of the Vietnamese procedure, and `qms render` said nothing. It now warns, in the document's
    language, with the path:line:col of the id and the id it most likely meant; the text shows in the HTML."""
    root = tmp_path / "repo"
    shutil.copytree(DATA, root)
    proc = root / "processes" / "QT-HT-01.yaml"
    text = proc.read_text(encoding="utf-8")
    assert "    responsible: pho_chu_tich\n" in text
    text = text.replace("    responsible: pho_chu_tich\n", "    responsible: pho_chu_tichh\n", 1)
    proc.write_text(text, encoding="utf-8")
    line = text.splitlines().index("    responsible: pho_chu_tichh") + 1
    result = run_qms("--root", str(root), "--lang", "vi", "render", "procedure", "QT-HT-01", "--format", "html",
                     "-o", str(tmp_path / "vi"), "--no-progress")
    assert result.exit_code == 0, result.stderr
    assert (f"cảnh báo: processes/QT-HT-01.yaml:{line}:18: `pho_chu_tichh` không phải là vai trò, đơn vị, cá nhân "
            "hay cơ quan phối hợp nào; tài liệu in nguyên mã này") in result.stderr
    assert "gợi ý: có phải ý bạn là `pho_chu_tich`?" in result.stderr
    assert "pho_chu_tichh" in (tmp_path / "vi" / "QT-HT-01.html").read_text(encoding="utf-8")
