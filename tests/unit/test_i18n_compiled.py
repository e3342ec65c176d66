"""Runs read each area's compiled catalogue (``.mo``), not its ``.po``: every ``.mo`` must be what its
``.po`` compiles to, and reading one must give the same messages as reading the other."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from qms.i18n import _mo_messages, _po_messages, catalogue, compile_po

LOCALE = Path(__file__).resolve().parents[2] / "qms" / "i18n" / "locale"
CATALOGUES = sorted(LOCALE.glob("*/*.po"))


def test_there_are_catalogues() -> None:
    assert len(CATALOGUES) > 10 and {p.parent.name for p in CATALOGUES} == {"vi"}


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_each_compiled_catalogue_holds_the_messages_of_its_po(po: Path) -> None:
    """The messages, not the bytes: the header of a compiled file names the Babel that wrote it."""
    mo = po.with_suffix(".mo")
    name = mo.relative_to(LOCALE.parents[2])
    assert mo.is_file(), f"{name} is missing: run `make catalogues`"
    assert _mo_messages(mo.read_bytes()) == _po_messages(po.read_bytes(), po.parent.name), (
        f"{name} is older than its .po: run `make catalogues` and commit it")


def test_compiling_the_same_po_again_gives_the_same_file() -> None:
    """`make catalogues` run twice leaves git with nothing to commit, whenever it runs (a .po without
    a creation date in its header would otherwise get the time of compiling)."""
    po = next(p for p in CATALOGUES if b"POT-Creation-Date:" not in p.read_bytes())
    first = compile_po(po.read_bytes(), "vi")
    assert compile_po(po.read_bytes(), "vi") == first
    assert b"POT-Creation-Date: 2026-01-01 00:00+0000" in first


def test_no_compiled_catalogue_without_its_po() -> None:
    assert sorted(p.with_suffix(".po") for p in LOCALE.glob("*/*.mo")) == CATALOGUES


def test_the_compiled_catalogues_hold_the_messages_of_the_po_files() -> None:
    """The language's messages as runs read them (from the .mo files) are those of the .po files:
    translated, not fuzzy, a message in a context keyed as gettext keys it."""
    from_po: dict[str, str] = {}
    for po in CATALOGUES:
        from_po.update(_po_messages(po.read_bytes(), "vi"))
    vi = catalogue("vi")
    assert len(vi) > 2000
    assert vi == {key: unicodedata.normalize("NFC", text) for key, text in from_po.items()}


def test_compiling_keeps_what_a_run_reads_and_leaves_the_rest() -> None:
    """Fuzzy and untranslated messages are left out, a context and a plural form survive compiling, and
    text with a percent sign (not a placeholder here: qms formats with braces) compiles."""
    po = """msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Language: vi\\n"

msgid "Issue"
msgstr "Vấn đề"

msgctxt "document"
msgid "Issue"
msgstr "Lần ban hành"

msgid "over budget in up to 10% of dossiers"
msgstr "vượt định mức ở không quá 10% hồ sơ"

#, fuzzy
msgid "Draft"
msgstr "Bản nháp cũ"

msgid "Untranslated"
msgstr ""

msgid "{n} dossier"
msgid_plural "{n} dossiers"
msgstr[0] "{n} hồ sơ"
""".encode()
    expected = {"Issue": "Vấn đề", "document\x04Issue": "Lần ban hành",
                "over budget in up to 10% of dossiers": "vượt định mức ở không quá 10% hồ sơ"}
    assert _po_messages(po, "vi") == expected
    assert _mo_messages(compile_po(po, "vi")) == expected
