"""Documents as people read them: their text, the abbreviations in it, the glossary, display names.

Shared by the QMS114/QMS12x rules (`rules/documents.py`) and the renderer, so that what the check
calls "used" is what the printed page shows.

- :func:`texts` walks the raw YAML of a document and yields every printed string with its JSON
  pointer, skipping ids, codes lists, enumerations and the internal notes (never printed).
- :func:`abbreviations_in` finds upper-case abbreviations (``UBND``, ``NĐ``) and ignores codes
  (``QT-HT-01``, ``BM-01``) and legal symbols (``01/2018/TT-VPCP``, ``NĐ-CP``).
- :func:`collation_key` sorts Vietnamese words as a Vietnamese dictionary does: ``Đ`` after ``D``,
  ``Ă``/``Â`` after ``A``, tones as a second level.
- :class:`DisplayNames` resolves role, unit, person and agency ids to names.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from qms.analysis.people import Directory
from qms.models.organisation import GlossaryEntry, Manifest
from qms.models.process import Process

# Keys whose values are never printed as prose: ids, references to ids, enumerations, machine fields.
SKIP_KEYS = frozenset({
    "id", "internal_notes", "next", "responsible", "owner", "unit", "handover_to", "handover_from",
    "objective", "clauses", "url", "regime", "kind", "level", "mechanism", "form", "frequency", "to",
    "approvals", "monitored_by", "role", "parent", "process", "state", "code", "forms", "records", "kpis",
    "glossary", "check", "limits", "kpi_columns", "calendar", "document_codes", "measure", "people",
    "standard", "default_language", "exclusions", "management_representative", "applicable", "pages",
    "by", "due", "date", "effective_date", "issued_on", "last_review", "revision",
})
# ...but lists named like that hold prose objects in some places: `forms`/`records`/`kpis` of a
# process hold titles. They are walked through PROSE_LISTS.
PROSE_LISTS = frozenset({"forms", "records", "kpis"})

# Codes: words joined by "-" or "/". Matching starts only at the beginning of a word and never
# backtracks inside one (possessive quantifiers), so a long word costs linear time, not quadratic.
_CODE_CHARS = re.compile(r"(?<![\w./-])[\w.]++(?:[-/][\w.]++)+")
_WORD = re.compile(r"\w+")
_ROMAN = re.compile(r"^[IVXLC]+$")


def _language_text(value: dict[str, Any], lang: str | None) -> list[tuple[str, str]]:
    if lang is None:
        return [(key, value[key]) for key in ("vi", "en") if isinstance(value.get(key), str)]
    chosen = value.get(lang) or value.get("en" if lang == "vi" else "vi")
    if isinstance(chosen, str):
        return [((lang if value.get(lang) else ("en" if lang == "vi" else "vi")), chosen)]
    return []


_LANGUAGE_KEYS = frozenset({"vi", "en"})


def texts(data: Any, lang: str | None = None, *, prefix: str = "",
          skip: frozenset[str] = SKIP_KEYS) -> Iterator[tuple[str, str]]:
    """(JSON pointer, text) of every printed string in ``data`` (raw YAML data of a document).

    A ``{vi, en}`` mapping yields its ``lang`` text (or the other one when that is empty); with
    ``lang=None`` both.
    """
    return iter(text_list(data, lang, prefix=prefix, skip=skip))


def text_list(data: Any, lang: str | None = None, *, prefix: str = "",
              skip: frozenset[str] = SKIP_KEYS) -> list[tuple[str, str]]:
    """:func:`texts` as a list, built in one walk (the check reads every document's text this way)."""
    found: list[tuple[str, str]] = []
    _walk(data, lang, prefix, skip, found, True)
    return found


def printed_strings(data: Any, lang: str | None = None) -> list[str]:
    """The strings of :func:`texts` without their pointers (cheaper: no pointer is built)."""
    found: list[tuple[str, str]] = []
    _walk(data, lang, "", SKIP_KEYS, found, False)
    return [text for _ptr, text in found]


def _walk(data: Any, lang: str | None, prefix: str, skip: frozenset[str], found: list[tuple[str, str]],
          pointers: bool) -> None:
    if isinstance(data, str):
        found.append((prefix, data))
    elif isinstance(data, list):
        for i, item in enumerate(data):
            _walk(item, lang, f"{prefix}/{i}" if pointers else "", skip, found, pointers)
    elif isinstance(data, dict):
        if data and data.keys() <= _LANGUAGE_KEYS:
            found.extend((f"{prefix}/{key}" if pointers else "", text) for key, text in _language_text(data, lang))
            return
        for key, value in data.items():
            if not isinstance(key, str):
                continue
            if key in PROSE_LISTS and isinstance(value, list) and any(isinstance(v, dict) for v in value):
                _walk(value, lang, f"{prefix}/{key}" if pointers else "", skip, found, pointers)
                continue
            if key == "references":  # a reference's id is its printed number ("NĐ 23/2015/NĐ-CP")
                _walk(value, lang, f"{prefix}/{key}" if pointers else "", skip - {"id"}, found, pointers)
                continue
            if key in skip:
                continue
            _walk(value, lang, f"{prefix}/{key}" if pointers else "", skip, found, pointers)


def abbreviations_in(text: str) -> list[str]:
    """Upper-case abbreviations in ``text``, in order, without codes and legal symbols.

    A word counts when it has two or more letters, all upper case (``UBND``, ``NĐ``, ``ISO``);
    anything joined by ``-`` or ``/`` is a code (``QT-HT-01``, ``NĐ-CP``, ``01/2018/TT-VPCP``) and
    Roman numerals are numbers.
    """
    cleaned = _CODE_CHARS.sub(" ", unicodedata.normalize("NFC", text))
    found: list[str] = []
    for m in _WORD.finditer(cleaned):
        word = m.group(0)
        letters = [c for c in word if c.isalpha()]
        if len(letters) < 2 or len(letters) != len(word) or not word.isupper() or _ROMAN.match(word):
            continue
        found.append(word)
    return found


# -- Vietnamese collation -----------------------------------------------------------------------

_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_RANK = {c: i for i, c in enumerate(_ALPHABET)}
# tone marks, in the order of Vietnamese dictionaries: none, huyền, hỏi, ngã, sắc, nặng
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}


def _letter_key(char: str) -> tuple[int, int]:
    decomposed = unicodedata.normalize("NFD", char.casefold())
    tone = 0
    kept = []
    for c in decomposed:
        if c in _TONES:
            tone = _TONES[c]
        else:
            kept.append(c)
    base = unicodedata.normalize("NFC", "".join(kept))
    if base in _RANK:
        return _RANK[base], tone
    if base.isdigit():
        return -10 + int(base) if len(base) == 1 else -1, tone
    return 100 + (ord(base[0]) if base else 0), tone


def collation_key(text: str) -> tuple[tuple[tuple[tuple[int, ...], tuple[int, ...]], ...], str]:
    """A sort key that orders Vietnamese text as a dictionary does (Đ after D, tones second), syllable by
    syllable: "ô tô" before "ông", "hồ sơ" before "hộ kinh doanh", "ban hành" before "bàn" (the spaces were
    once ignored, so "hộkinhdoanh" sorted before "hồsơ")."""
    syllables = []
    for word in unicodedata.normalize("NFC", text).split():
        letters = [_letter_key(c) for c in word]
        syllables.append((tuple(p for p, _t in letters), tuple(t for _p, t in letters)))
    return tuple(syllables), text


# -- the glossary ---------------------------------------------------------------------------------


def _word_pattern(term: str) -> re.Pattern[str]:
    return re.compile(r"(?<![\w-])" + re.escape(term) + r"(?![\w-])", re.IGNORECASE)


def term_used(term: str, text: str) -> bool:
    """``term`` occurs in ``text`` as a whole word (an abbreviation in a code does not count)."""
    return bool(term.strip()) and _word_pattern(term.strip()).search(text) is not None


def entry_terms(entry: GlossaryEntry) -> set[str]:
    return {t.strip() for t in (entry.term.vi, entry.term.en) if t.strip()}


def defined_terms(manifest: Manifest | None, proc: Process | None = None) -> set[str]:
    """Every term and abbreviation the glossary and (when given) the procedure's definitions define."""
    terms: set[str] = set()
    if manifest is not None:
        for entry in manifest.glossary:
            terms |= entry_terms(entry)
    if proc is not None:
        terms |= {d.term.strip() for d in proc.definitions}
    return terms


def used_term(entry: GlossaryEntry, text: str, lang: str) -> str | None:
    """The form of ``entry`` that ``text`` uses: its term in ``lang`` or, failing that, its term in the
    other language (an English text citing "NĐ 23/2015/NĐ-CP" uses the Vietnamese NĐ); None if neither."""
    other = "en" if lang == "vi" else "vi"
    for term in dict.fromkeys((entry.term.get(lang), entry.term.get(other))):
        if term_used(term, text):
            return term.strip()
    return None


def document_text(raw: Any, lang: str | None = None) -> str:
    """All printed text of a document's raw data, one string per line."""
    return "\n".join(text for _ptr, text in text_list(raw, lang))


# -- display names ----------------------------------------------------------------------------------


@dataclass(slots=True)
class DisplayNames:
    """Role, unit, person and agency ids resolved to the names printed for them."""

    lang: str
    names: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, manifest: Manifest | None, lang: str, proc: Process | None = None, *,
           directory: Directory | None = None) -> DisplayNames:
        """The names of ``proc``'s participating agencies and of the organisation's people, units and
        roles (which win over an agency of the same id). Pass ``directory`` when one is at hand."""
        if manifest is None:
            return cls(lang).with_agencies(proc)
        return cls.organisation(directory or Directory.of(manifest), lang).with_agencies(proc)

    @classmethod
    def organisation(cls, directory: Directory, lang: str) -> DisplayNames:
        """The names of the organisation's people, units and roles: build it once, then
        :meth:`with_agencies` for each procedure."""
        d = cls(lang)
        for pid, person in directory.people.items():
            d.names[pid] = person.name
        for uid, unit in directory.units.items():
            d.names[uid] = unit.name.get(lang)
        for rid, role in directory.roles.items():
            d.names[rid] = role.title.get(lang)
        return d

    def with_agencies(self, proc: Process | None) -> DisplayNames:
        """A copy of these names with ``proc``'s participating agencies added under them."""
        d = type(self)(self.lang)
        if proc is not None and proc.administrative is not None:
            for a in proc.administrative.agencies:
                d.names.setdefault(a.id, a.name.get(self.lang))
        d.names.update(self.names)
        return d

    def name(self, ident: str | None) -> str | None:
        """The printed name of ``ident``; ``None`` when it resolves to nothing that can be printed."""
        if not ident:
            return None
        name = self.names.get(ident, "").strip()
        if not name or name == ident:
            return None
        return name
