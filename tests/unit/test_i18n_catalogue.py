"""Every user-facing string routed through the i18n layer has a Vietnamese translation."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from babel.messages.extract import extract_from_dir

from qms.i18n import CONTEXT_SEP, _, catalogue, pgettext, translate, use_language

PACKAGE = Path(__file__).resolve().parents[2] / "qms"
KEYWORDS = {"_": None, "gettext": None, "N_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}


def _msgids() -> set[str]:
    found: set[str] = set()
    for _fname, _lineno, message, _comments, context in extract_from_dir(
        str(PACKAGE), method_map=[("**.py", "python")], keywords=KEYWORDS
    ):
        if isinstance(message, tuple):
            found.update(m for m in message if m)
        elif message:
            found.add(f"{context}{CONTEXT_SEP}{message}" if context else message)
    return found


def test_every_message_has_a_vietnamese_translation() -> None:
    vi = catalogue("vi")
    missing = sorted(m for m in _msgids() if m not in vi)
    assert not missing, "untranslated messages:\n" + "\n".join(missing)


def test_translations_are_nfc_and_keep_placeholders() -> None:
    import string

    fmt = string.Formatter()
    for msgid, text in catalogue("vi").items():
        assert unicodedata.is_normalized("NFC", text), msgid
        want = {f for _l, f, _s, _c in fmt.parse(msgid) if f}
        got = {f for _l, f, _s, _c in fmt.parse(text) if f}
        assert want == got, f"placeholders differ for {msgid!r}: {want} vs {got}"


def test_language_switch() -> None:
    with use_language("vi"):
        assert _("hint: {hint}") != "hint: {hint}"
    assert _("hint: {hint}") == "hint: {hint}"
    assert translate("hint: {hint}", "en") == "hint: {hint}"


def test_one_english_word_with_two_meanings_has_two_translations() -> None:
    """Issue 16 item 10: "Issue" is "Lần ban hành" of a document and "Vấn đề" of the organisation's context."""
    with use_language("vi"):
        assert _("Issue") == "Lần ban hành"
        assert pgettext("context of the organisation", "Issue") == "Vấn đề"
    assert pgettext("context of the organisation", "Issue") == "Issue"
