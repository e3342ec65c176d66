"""Gettext-style translation backed by Babel-read catalogues.

Catalogues live in ``qms/i18n/locale/<lang>/*.po`` (one file per area, so that
areas can grow their own catalogue without touching the others), each with its
compiled ``.mo`` beside it (``make catalogues``), which is what runs read. Source
strings are English; ``vi`` is the other first-class language. Every
translated string is NFC-normalised.

Use ``_("text {name}").format(name=...)`` for messages and
``use_language("vi")`` (a context manager) or ``set_language`` to choose.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterator
from functools import cache
from importlib import resources

LANGUAGES: tuple[str, ...] = ("vi", "en")
DEFAULT_LANGUAGE = "en"
#: GNU gettext's separator between a message context (msgctxt) and its msgid in catalogue keys
CONTEXT_SEP = "\x04"

_current: contextvars.ContextVar[str] = contextvars.ContextVar("qms_language", default=DEFAULT_LANGUAGE)


def normalise_language(lang: str | None) -> str:
    if not lang:
        return DEFAULT_LANGUAGE
    code = lang.strip().lower().replace("-", "_").split("_")[0]
    return code if code in LANGUAGES else DEFAULT_LANGUAGE


@cache
def catalogue(lang: str) -> dict[str, str]:
    """All messages of one language, merged from every area's catalogue of that language.

    Each area's ``.po`` file is read in its compiled form, the ``.mo`` file beside it (``make
    catalogues`` writes them; reading a ``.po`` with Babel took a tenth of a second of every
    Vietnamese command), or from the ``.po`` itself when there is none."""
    messages: dict[str, str] = {}
    base = resources.files("qms.i18n") / "locale" / lang
    if not base.is_dir():
        return messages
    for entry in sorted(base.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".po"):
            continue
        compiled = base / (entry.name.removesuffix(".po") + ".mo")
        found = _mo_messages(compiled.read_bytes()) if compiled.is_file() else _po_messages(entry.read_bytes(), lang)
        messages.update((key, unicodedata.normalize("NFC", text)) for key, text in found.items())
    return messages


def _po_messages(data: bytes, lang: str) -> dict[str, str]:
    """The translated, not fuzzy messages of a ``.po`` catalogue (a message in a context keyed as
    gettext keys it)."""
    from babel.messages.pofile import read_po  # deferred: English runs never need it

    out: dict[str, str] = {}
    for msg in read_po(io.BytesIO(data), locale=lang):
        if not msg.id or not isinstance(msg.id, str):
            continue
        text = msg.string if isinstance(msg.string, str) else ""
        if text and not msg.fuzzy:
            out[f"{msg.context}{CONTEXT_SEP}{msg.id}" if msg.context else msg.id] = text
    return out


def _mo_messages(data: bytes) -> dict[str, str]:
    """The messages of a compiled catalogue (what :func:`compile_po` makes: the translated, not fuzzy
    messages), read by the standard library's gettext."""
    import gettext

    table = vars(gettext.GNUTranslations(io.BytesIO(data)))["_catalog"]  # msgid (or context + msgid) -> text
    return {key: text for key, text in table.items() if isinstance(key, str) and key and isinstance(text, str)}


def compile_po(data: bytes, lang: str) -> bytes:
    """The compiled (``.mo``) form of a ``.po`` catalogue, as Babel writes it (only the translated,
    not fuzzy messages). ``make catalogues`` writes it beside each ``.po``; the tests check that
    every ``.mo`` is what its ``.po`` compiles to."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    catalog = read_po(io.BytesIO(data), locale=lang)
    if b"POT-Creation-Date:" not in data:  # Babel would write the time of compiling: the same .po, another .mo
        catalog.creation_date = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    out = io.BytesIO()
    write_mo(out, catalog)
    return out.getvalue()


def set_language(lang: str | None) -> None:
    _current.set(normalise_language(lang))


def get_language() -> str:
    return _current.get()


@contextlib.contextmanager
def use_language(lang: str | None) -> Iterator[str]:
    token = _current.set(normalise_language(lang))
    try:
        yield _current.get()
    finally:
        _current.reset(token)


def translate(message: str, lang: str | None = None) -> str:
    code = normalise_language(lang) if lang else _current.get()
    if code == "en":
        return unicodedata.normalize("NFC", message)
    return catalogue(code).get(message, unicodedata.normalize("NFC", message))


def gettext(message: str) -> str:
    return translate(message)


def pgettext(context: str, message: str) -> str:
    """``message`` in the sense ``context`` gives it: one English word, two meanings ("Issue")."""
    code = _current.get()
    if code == "en":
        return unicodedata.normalize("NFC", message)
    return catalogue(code).get(f"{context}{CONTEXT_SEP}{message}", unicodedata.normalize("NFC", message))


def ngettext(singular: str, plural: str, n: int, lang: str | None = None) -> str:
    """``singular`` or ``plural`` for ``n``, in ``lang`` (the current language if not given)."""
    return translate(singular if n == 1 else plural, lang)


_ = gettext


def bilingual(vi: str, en: str, lang: str | None = None) -> str:
    """Pick one of two data values (not code strings) by language, NFC-normalised."""
    code = normalise_language(lang) if lang else _current.get()
    chosen = vi if code == "vi" and vi else (en or vi)
    return unicodedata.normalize("NFC", chosen)


def N_(message: str) -> str:
    """Mark a string for extraction without translating it now (translated where it is used)."""
    return message


#: English words of the codes whose English label is not the code with its underscores as spaces
_CODE_WORDS = {"five_why": "5 whys"}


def code_text(code: str) -> str:
    """A status, source or other code as a word for a document: its translation in the current
    language, or (where the catalogue keeps the code itself, as English does so that the command
    line shows the code to type) the code as words: "late_dossier" -> "late dossier"."""
    text = gettext(code)
    if text != code or "_" not in code:
        return text
    return _CODE_WORDS.get(code, code.replace("_", " "))


def format_number(value: float, lang: str | None = None, digits: int = 2, fixed: bool = False) -> str:
    """``value`` with the language's decimal sign and grouping ("99,7" in Vietnamese, "99.7" in English);
    ``fixed`` keeps trailing zeros ("75,00")."""
    from babel.numbers import format_decimal

    code = normalise_language(lang) if lang else _current.get()
    pattern = "#,##0" + ("." + ("0" if fixed else "#") * digits if digits > 0 else "")
    return str(format_decimal(value, format=pattern, locale=code))


def format_percent(value: float, lang: str | None = None, digits: int = 2, fixed: bool = False) -> str:
    """A percentage given in percent (99.7 -> "99,7%" in Vietnamese, "99.7%" in English)."""
    return format_number(value, lang, digits, fixed) + "%"


_OPERATORS = {">=": "≥", "=>": "≥", "≥": "≥", "<=": "≤", "=<": "≤", "≤": "≤", ">": ">", "<": "<", "=": "="}
_TARGET = re.compile(r"^\s*(?P<op>>=|=>|≥|<=|=<|≤|>|<|=)?\s*(?P<num>\d+(?:[.,]\d+)?)(?P<pct>\s*%)?"
                     r"(?P<rest>(?:\s+\S.*)?)\s*$", re.DOTALL)
_OPERATOR_IN_TEXT = re.compile(r"\s*(>=|=>|<=|=<|≥|≤)\s*")


def format_target(text: str, lang: str | None = None) -> str:
    """A target as people print it: ``>= 98%`` -> "≥ 98%", ``<= 0.5 days`` -> "≤ 0,5 days" in Vietnamese.

    Comparison operators become ≥ and ≤ followed by one space; the number follows the language
    (:func:`format_number`). Text that is not one comparison only gets its operators replaced."""
    value = unicodedata.normalize("NFC", text)
    m = _TARGET.match(value)
    if m is None:
        return _OPERATOR_IN_TEXT.sub(lambda o: " " + _OPERATORS[o.group(1)] + " ", value).strip()
    number = format_number(float(m.group("num").replace(",", ".")), lang)
    op = _OPERATORS[m.group("op")] + " " if m.group("op") else ""
    return f"{op}{number}{'%' if m.group('pct') else ''}{m.group('rest').rstrip()}"


def format_date(value: dt.date | None, lang: str | None = None) -> str:
    """A date as people read it, dd/mm/yyyy in both languages (a datetime gives its date; None gives "")."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"


def format_weekday(value: dt.date, lang: str | None = None) -> str:
    """The day of the week in the language ("Thứ Bảy", "Saturday")."""
    from babel.dates import format_date as babel_format_date

    code = normalise_language(lang) if lang else _current.get()
    return str(babel_format_date(value, "EEEE", locale=code))
