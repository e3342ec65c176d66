"""Rendering defects found in use (tenth round), checked on the HTML the PDF is printed from (no PDF render)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import make_repo


def _procedure_html(root: Path, lang: str) -> str:
    from qms.render import documents as d

    ws = d.load_for_render(root)
    return d.procedure_html(d.procedure_views(ws, lang)[0][0], lang)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize(("lang", "label", "placeholder"), [("vi", "Ngày ban hành", "chưa ban hành"),
                                                             ("en", "Date issued", "not yet issued")])
def test_a_document_without_issue_date_says_so(tmp_path: Path, lang: str, label: str, placeholder: str) -> None:
    """R10-1: a document with no `issued_on` printed an empty "Ngày ban hành:" in the page header and on the
    cover; it now says "chưa ban hành" / "not yet issued" in both places."""
    root = make_repo(tmp_path / "repo")
    proc = (root / "processes" / "QT-HT-01.yaml").read_text(encoding="utf-8")
    assert "issued_on" not in proc
    html = _procedure_html(root, lang)
    text = _text(html)
    assert f"{label}: {placeholder}" in text  # the running page header
    assert f"<th>{label}</th><td>{placeholder}</td>" in html  # the cover's control block
    assert f'data-issued="{placeholder}"' in html  # the header WeasyPrint prints on later pages


def test_an_issued_document_prints_its_date(tmp_path: Path) -> None:
    """R10-1: the placeholder never replaces a real issue date."""
    root = make_repo(tmp_path / "repo")
    path = root / "processes" / "QT-HT-01.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("  effective_date: 2026-01-05\n",
                                 "  issued_on: 2026-01-02\n  effective_date: 2026-01-05\n", 1), encoding="utf-8")
    html = _procedure_html(root, "vi")
    assert "Ngày ban hành: 02/01/2026" in _text(html)
    assert "chưa ban hành" not in html


@pytest.mark.parametrize(("lang", "sets", "expected"), [("en", 1, "1 set"), ("en", 3, "3 sets"),
                                                         ("vi", 1, "1 bộ"), ("vi", 3, "3 bộ")])
def test_dossier_sets_singular_and_plural(tmp_path: Path, lang: str, sets: int, expected: str) -> None:
    """R10-2: the English procedure printed "1 set(s)"; it now says "1 set" / "3 sets" ("1 bộ" / "3 bộ")."""
    root = make_repo(tmp_path / "repo")
    path = root / "processes" / "QT-HT-01.yaml"
    text = path.read_text(encoding="utf-8")
    assert "  dossier_sets: 1\n" in text
    path.write_text(text.replace("  dossier_sets: 1\n", f"  dossier_sets: {sets}\n", 1), encoding="utf-8")
    html = _procedure_html(root, lang)
    assert f"<p>{expected}</p>" in html
    assert "set(s)" not in html


#: the text width of an A4 page in print.css (210 mm less the 25 mm and 15 mm margins) and a cell's padding
_TEXT_WIDTH_MM = 210 - 25 - 15
_CELL_PADDING_MM = 2 * 1.6 + 0.5


@pytest.mark.parametrize(("lang", "words"), [
    ("vi", {4: ["Thời gian lưu", "Vĩnh viễn", "10 năm"], 7: ["Quá trình", "QT-HT-05", "QT-DG-01"]}),
    ("en", {4: ["Retention", "Permanent", "10 years"], 7: ["Process", "QT-HT-05", "QT-DG-01"]})])
def test_record_register_columns_hold_their_words_on_one_line(lang: str, words: dict[int, list[str]]) -> None:
    """R10-3: in the record register (the manual's annex) "Thời gian lưu" and "Quá trình" wrapped one word per
    line; the columns now have fixed widths in which the heading, a retention and a process code fit a line."""
    from importlib.resources import files

    from qms.render import textmetrics as tm

    css = files("qms.render").joinpath("assets/css/print.css").read_text(encoding="utf-8")
    assert re.search(r"table\.records\s*\{[^}]*table-layout:\s*fixed", css)
    widths = {int(n): float(w) for n, w in
              re.findall(r"table\.records th:nth-child\((\d)\)\s*\{\s*width:\s*([\d.]+)%", css)}
    assert sorted(widths) == [1, 2, 3, 4, 5, 6, 7] and sum(widths.values()) == pytest.approx(100)
    for column, texts in words.items():
        room = widths[column] / 100 * _TEXT_WIDTH_MM - _CELL_PADDING_MM
        for text in texts:
            assert tm.text_width(text, 9, bold=True) * 25.4 / 72 <= room, (lang, column, text, room)
