"""Hostile YAML text stays inert; the fetcher serves only package assets and repository files."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import pdftotext_pages
from pypdf import PdfReader

from qms.errors import QmsError

#: A right-to-left override typed into a step name: it once printed the rest of the line backwards
#: ("Ký ýk gnăđ ..." for "Ký đăng ký ...") in the PDF's steps table and in the HTML
RLO_NAME = "Ký \u202eđăng ký\u202c Giấy khai sinh \u2067cho trẻ\u2069"
HOSTILE = '<script>alert(1)</script><link rel="attachment" href="file:///etc/passwd"><img src="http://127.0.0.1:9/x">'


def _make_hostile(repo: Path) -> None:
    path = repo / "processes" / "QT-HT-01.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("title: {vi: Đăng ký khai sinh, en: Birth registration}",
                        "title: {vi: 'Khai sinh " + HOSTILE.replace("'", "''") + "', en: Birth}")
    text = text.replace("  - {id: Luật Hộ tịch 2014, legal_basis: true}",
                        "  - {id: '../../etc/passwd', url: 'file:///etc/passwd', legal_basis: true}")
    text = text.replace("name: {vi: Ký Giấy khai sinh,", f'name: {{vi: "{RLO_NAME}",')
    path.write_text(text, encoding="utf-8")


def _no_bidi_controls(text: str) -> None:
    assert not any(0x202A <= ord(c) <= 0x202E or 0x2066 <= ord(c) <= 0x2069 for c in text)


def test_hostile_strings_are_escaped_in_html(repo: Path) -> None:
    from qms.render.documents import load_for_render, procedure_html, procedure_views

    _make_hostile(repo)
    ws = load_for_render(repo)
    view = procedure_views(ws, "vi")[0][0]
    html = procedure_html(view, "vi")
    assert "<script>" not in html
    assert "<link rel=\"attachment\"" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    # the flowchart SVG escapes its text too
    assert "&lt;link rel=&#34;attachment&#34;" in html or "&lt;link rel=&quot;attachment&quot;" in html
    # bidirectional overrides and isolates are dropped: the name reads in the order it was typed
    _no_bidi_controls(html)
    assert html.count("Ký đăng ký Giấy khai sinh cho trẻ") >= 1


def test_hostile_strings_stay_inert_in_the_pdf(repo: Path, tmp_path: Path) -> None:
    from qms.render.documents import RenderOptions, render

    _make_hostile(repo)
    out = tmp_path / "p.pdf"
    opts = RenderOptions(lang="vi", variant="pdf/a-3b")
    render(repo, "procedure", "QT-HT-01", out, opts)
    reader = PdfReader(str(out))
    assert set(reader.attachments) == {"processes/QT-HT-01.yaml"}
    assert opts.refused == []  # nothing even tried to fetch: the tags are text
    text = "\n".join(pdftotext_pages(out))
    assert "<script>alert(1)</script>" in text
    # "C1: a right-to-left override in a step name does not print the name backwards"
    _no_bidi_controls(text)
    assert "Ký đăng ký Giấy khai sinh cho trẻ" in " ".join(text.split())
    assert "ýk gnăđ" not in text


def test_link_attachment_to_etc_passwd_is_refused(repo: Path) -> None:
    from pypdf import PdfReader as Reader

    from qms.render.pdf import html_to_pdf

    html = ('<html><head><link rel="attachment" href="file:///etc/passwd">'
            '<link rel="attachment" href="../outside.txt">'
            '<link rel="stylesheet" href="http://127.0.0.1:9/x.css"></head>'
            '<body><p>x</p><img src="https://example.invalid/a.png"></body></html>')
    (repo.parent / "outside.txt").write_text("secret", encoding="utf-8")
    result = html_to_pdf(html, repo)
    import io

    assert not Reader(io.BytesIO(result.data)).attachments
    assert any("/etc/passwd" in u for u in result.refused)
    assert any("outside.txt" in u for u in result.refused)
    assert any(u.startswith("http://127.0.0.1") for u in result.refused)
    assert any(u.startswith("https://example.invalid") for u in result.refused)


def test_repository_files_may_be_attached_from_html(repo: Path) -> None:
    import io

    from pypdf import PdfReader as Reader

    from qms.render.pdf import html_to_pdf

    result = html_to_pdf('<html><head><link rel="attachment" href="qms.yaml"></head><body>x</body></html>', repo)
    assert list(Reader(io.BytesIO(result.data)).attachments) == ["qms.yaml"]


def test_fetcher_rules(repo: Path) -> None:
    from qms.render.fetcher import RefusedURL, SafeFetcher

    fetcher = SafeFetcher(repo)
    assert fetcher.fetch("qms-asset:css/print.css").read().startswith(b"/*")
    for url in ("file:///etc/passwd", "qms-asset:../../etc/passwd", "qms-asset:fonts/nope.ttf",
                (repo / "processes" / ".." / ".." / "x").as_uri(), "http://example.invalid/",
                "ftp://example.invalid/x", "data:text/plain,hi", (repo / ".git" / "config").as_uri()):
        with pytest.raises(RefusedURL):
            fetcher.fetch(url)
    link = repo / "link.yaml"
    link.symlink_to("/etc/passwd")
    with pytest.raises(RefusedURL):
        fetcher.fetch(link.as_uri())
    assert fetcher.fetch((repo / "qms.yaml").as_uri()).read().startswith(b"#")


def test_attachment_paths_outside_the_repository_are_refused(repo: Path, tmp_path: Path) -> None:
    from qms.render import api

    html = api.render_html_document("records.j2", _records_context(repo), repo, "vi")
    for bad in ("../outside.yaml", "/etc/passwd", "processes/../../x.yaml", "processes"):
        with pytest.raises(QmsError):
            api.write_pdf(html, tmp_path / "x.pdf", repo, attachments=[bad])


def _records_context(repo: Path) -> dict[str, object]:
    from qms.render import api
    from qms.render.viewmodels import record_rows
    from qms.store.workspace import load_workspace

    ws = load_workspace(repo)
    assert ws.manifest is not None
    return {"control": api.control_view(ws.manifest.manual, "STCL", "vi"), "org": api.org_view(ws.manifest, "vi"),
            "doc_kind": "Phụ lục", "doc_title": "Danh mục hồ sơ", "records": record_rows(ws, "vi")}


def test_public_api_renders_a_controlled_document(repo: Path, tmp_path: Path) -> None:
    from qms.render import api

    html = api.render_html_document("records.j2", _records_context(repo), repo, "vi")
    pages = api.write_pdf(html, tmp_path / "r.pdf", repo, attachments=["records/register.yaml"],
                          variant="pdf/a-3b")
    assert pages >= 1
    text = "\n".join(pdftotext_pages(tmp_path / "r.pdf"))
    assert "Danh mục hồ sơ" in text
    assert "Trang 1/" in text
    assert "Mã hiệu: STCL" in text
    assert set(PdfReader(str(tmp_path / "r.pdf")).attachments) == {"records/register.yaml"}


def test_missing_template_variable_is_a_clear_error(repo: Path) -> None:
    from qms.render import api

    with pytest.raises(QmsError, match="undefined"):
        api.render_html_document("records.j2", {"records": []}, repo, "vi")


def test_text_written_on_several_lines_keeps_its_lines(repo: Path) -> None:
    """A purpose of two paragraphs and a step description listing its checks one per line (a YAML block
    `|`) ran together into one paragraph in the PDF and HTML ("sau: - Tờ khai đúng mẫu; - Giấy chứng sinh
    ..."). Each line now prints on its own line and a blank line leaves a gap; the text stays escaped."""
    from qms.render.documents import load_for_render, procedure_html, procedure_views

    path = repo / "processes" / "QT-HT-01.yaml"
    text = path.read_text(encoding="utf-8")
    old = "  vi: Quy định trình tự đăng ký khai sinh cho trẻ em đúng quy định, đúng hạn.\n"
    assert old in text and "    name: {vi: Ký Giấy khai sinh, en: Sign the birth certificate}\n" in text
    text = text.replace(old, "  vi: |\n    Đoạn một của mục đích.\n\n    Đoạn hai <b>của</b> mục đích.\n")
    text = text.replace("    name: {vi: Ký Giấy khai sinh, en: Sign the birth certificate}\n",
                        "    name: {vi: Ký Giấy khai sinh, en: Sign the birth certificate}\n"
                        "    description:\n      vi: \"Kiểm tra:\\n- Tờ khai đúng mẫu;\\n- Giấy chứng sinh hợp lệ.\"\n"
                        "      en: \"Check:\\n- the form;\\n- the certificate.\"\n")
    path.write_text(text, encoding="utf-8")
    ws = load_for_render(repo)
    html = procedure_html(procedure_views(ws, "vi")[0][0], "vi")
    assert "<p>Đoạn một của mục đích.<br>\n<br>\nĐoạn hai &lt;b&gt;của&lt;/b&gt; mục đích.</p>" in html
    assert "Kiểm tra:<br>\n- Tờ khai đúng mẫu;<br>\n- Giấy chứng sinh hợp lệ." in html
