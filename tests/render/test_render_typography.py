"""Typography of rendered documents: numbers per language, unbreakable codes, PDF metadata, and the
document language's default order (issue 13, Decisions "Language", "Numbers and dates", "Lanes")."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import make_repo, pdftotext_pages
from pypdf import PdfReader

from qms.i18n import format_number, format_percent, format_target

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None and os.environ.get("CI") != "true",
                                   reason="poppler-utils (pdftotext) not installed")

#: In ``pdftotext -layout`` output, a line of a cell that ends inside a code or legal symbol ("QT-", "TT-",
#: "QT-HT-"): the fragment is followed by the end of the line or by the gap to the next column.
BROKEN_CODE = re.compile(r"(?m)(?<![\w-])[A-ZĐ][A-ZĐ0-9]*(?:-[A-ZĐ0-9]+)*-(?=\s{2,}|$)")
#: pdftotext's plain mode joins a line that ends with "-" to the next and drops the hyphen: "TTVPCP", "QTHT"
JOINED_CODE = re.compile(r"\b(?:TTVPCP|QTHT|HTHT)")


def _layout_text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", "-layout", str(pdf), "-"], check=True,
                          capture_output=True, timeout=120).stdout.decode("utf-8")


def test_numbers_follow_the_language() -> None:
    """Numbers and percentages use Babel's patterns: "0,5" and "99,7%" in Vietnamese, "0.5" in English."""
    assert format_number(0.5, "vi") == "0,5"
    assert format_number(0.5, "en") == "0.5"
    assert format_percent(99.7, "vi") == "99,7%"
    assert format_percent(99.7, "en") == "99.7%"


@pytest.mark.parametrize(("written", "vi", "en"), [
    (">= 98%", "≥ 98%", "≥ 98%"),
    (">=98%", "≥ 98%", "≥ 98%"),
    ("≥ 98 %", "≥ 98%", "≥ 98%"),
    (">= 99.7%", "≥ 99,7%", "≥ 99.7%"),
    ("<= 0.5 ngày", "≤ 0,5 ngày", "≤ 0.5 ngày"),
    ("98%", "98%", "98%"),
    ("ít nhất >=90% và <= 2 ngày", "ít nhất ≥ 90% và ≤ 2 ngày", "ít nhất ≥ 90% và ≤ 2 ngày"),
])
def test_targets_print_comparison_signs(written: str, vi: str, en: str) -> None:
    """A target's operator prints as ≥/≤ followed by one space, never ">=98%"; its number follows the language."""
    assert format_target(written, "vi") == vi
    assert format_target(written, "en") == en


def _stress_repo(root: Path) -> Path:
    """The mini repository with a half-day step and a step full of codes and legal symbols at every offset
    of a line, so that some fall where a line must end."""
    make_repo(root)
    path = root / "processes" / "QT-HT-01.yaml"
    text = path.read_text(encoding="utf-8")
    assert "duration: 3h" in text
    words = " ".join(f"{'ô' * (i % 11 + 1)} QT-HT-{i:02d} {'a' * (i % 5 + 1)} {i:02d}/2018/TT-VPCP"
                     for i in range(1, 41))
    text = text.replace("duration: 3h", f"duration: 0.5d\n    description: \"{words}\"", 1)
    path.write_text(text, encoding="utf-8")
    return root


def _render(root: Path, kind: str, lang: str) -> Path:
    from qms.render.documents import RenderOptions, render

    out = root / "out" / f"{kind}-{lang}.pdf"
    render(root, kind, "QT-HT-01" if kind == "procedure" else None, out, RenderOptions(lang=lang))
    return out


@needs_poppler
def test_codes_never_break_at_a_hyphen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Lanes: no line of a rendered procedure ends with "QT-" or "TT-"; the same page without the
    protection does break codes at the hyphen (so the check can fail), and the text keeps plain hyphens."""
    pdf = _render(_stress_repo(tmp_path / "a"), "procedure", "vi")
    protected, plain = _layout_text(pdf), "\n".join(pdftotext_pages(pdf))
    assert all(f"QT-HT-{i:02d}" in plain for i in range(1, 41))
    assert plain.replace("/\n", "/").count("/2018/TT-VPCP") >= 40
    assert not BROKEN_CODE.findall(protected), BROKEN_CODE.findall(protected)
    assert not JOINED_CODE.findall(plain), JOINED_CODE.findall(plain)

    from qms.render import env

    monkeypatch.setattr(env, "protect_codes", lambda html: html)
    bare_pdf = _render(_stress_repo(tmp_path / "b"), "procedure", "vi")
    bare, bare_plain = _layout_text(bare_pdf), "\n".join(pdftotext_pages(bare_pdf))
    assert BROKEN_CODE.findall(bare), "control: without the protection some code should break at its hyphen"
    assert JOINED_CODE.findall(bare_plain)


@needs_poppler
def test_durations_and_targets_in_both_languages(tmp_path: Path) -> None:
    """Numbers and dates: "0,5 ngày làm việc" and "≥ 98%" in Vietnamese; "0.5 working days" in English."""
    root = _stress_repo(tmp_path / "repo")
    vi = "\n".join(pdftotext_pages(_render(root, "procedure", "vi")))
    en = "\n".join(pdftotext_pages(_render(root, "procedure", "en")))
    assert "0,5 ngày làm việc" in vi and "0.5 ngày" not in vi
    assert "0.5 working days" in en
    manual = "\n".join(pdftotext_pages(_render(root, "manual", "vi")))
    assert "≥ 98%" in manual
    assert ">=" not in manual and ">= 98" not in manual


def test_pdf_metadata_in_the_document_language(tmp_path: Path) -> None:
    """PDF Title, Author, Subject and /Lang of the manual and of a procedure are in the document's language."""
    root = make_repo(tmp_path / "repo")
    expected = {
        ("procedure", "vi"): ("QT-HT-01 Đăng ký khai sinh", "Ủy ban nhân dân thành phố Sông Lam",
                              "Quy trình QT-HT-01, lần ban hành 01"),
        ("manual", "vi"): ("STCL Sổ tay chất lượng", "Ủy ban nhân dân thành phố Sông Lam",
                           "Sổ tay chất lượng STCL, lần ban hành 01"),
        ("procedure", "en"): ("QT-HT-01 Birth registration", "Song Lam City People's Committee",
                              "Procedure QT-HT-01, issue 01"),
        ("manual", "en"): ("STCL Quality manual", "Song Lam City People's Committee",
                           "Quality manual STCL, issue 01"),
    }
    for (kind, lang), (title, author, subject) in expected.items():
        reader = PdfReader(str(_render(root, kind, lang)))
        meta = reader.metadata
        assert meta is not None
        assert (meta.title, meta.author, meta.subject) == (title, author, subject), (kind, lang)
        assert reader.trailer["/Root"]["/Lang"] == lang


def _qms(root: Path, *args: str, env_lang: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "QMS_LANG"}
    if env_lang:
        env["QMS_LANG"] = env_lang
    return subprocess.run([sys.executable, "-m", "qms", "--root", str(root), *args], cwd=root, env=env,
                          capture_output=True, text=True, timeout=300)


def _lang_of(pdf: Path) -> str:
    return str(PdfReader(str(pdf)).trailer["/Root"]["/Lang"])


def test_document_language_defaults_to_the_organisation(tmp_path: Path) -> None:
    """Language: the command's --lang, then the top-level --lang, then QMS_LANG, then the organisation's
    default language (vi here), for `render` and `nc report`."""
    root = make_repo(tmp_path / "repo")
    out = tmp_path / "out"
    out.mkdir()
    cases = [
        ((), None, "vi"),  # nothing given: the organisation's language, not English
        (("--lang", "en"), None, "en"),  # top-level --lang
        ((), "en", "en"),  # QMS_LANG
        (("--lang", "en"), "en", "vi", ),  # the command's own --lang wins (given below)
    ]
    for i, (top, env_lang, want) in enumerate(cases):
        own = ("--lang", "vi") if i == 3 else ()
        pdf = out / f"p{i}.pdf"
        run = _qms(root, *top, "render", "procedure", "QT-HT-01", "-o", str(pdf), *own, env_lang=env_lang)
        assert run.returncode == 0, run.stderr
        assert _lang_of(pdf) == want, (top, env_lang, own)
    text = "\n".join(pdftotext_pages(out / "p0.pdf")) if shutil.which("pdftotext") else ""
    assert not text or "Mục đích" in text

    for env_lang, want in ((None, "vi"), ("en", "en")):
        html = out / f"nc-{want}.html"
        run = _qms(root, "nc", "report", "-o", str(html), env_lang=env_lang)
        assert run.returncode == 0, run.stderr
        assert f'<html lang="{want}">' in html.read_text(encoding="utf-8")
