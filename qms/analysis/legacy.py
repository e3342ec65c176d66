"""ISO 9001:2008 leftovers: the retired terms, a diacritic-aware phrase matcher and 2008 clause numbers.

Shared by the QMS8xx rules and ``qms migrate``. The matcher finds Vietnamese and English phrases in
NFC or NFD input, and accepts a Vietnamese word written either with its exact diacritics or with none
at all (``hanh dong phong ngua``), never with other diacritics, so unrelated words are not matched.
The terms themselves are package data (``qms/standards/data/iso9001_2008_terms.yaml``).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from qms.standards import catalogue, load_data, normalise_clause
from qms.standards.correlation import correlations
from qms.standards.editions import edition_of_standard
from qms.store.workspace import LoadedDoc, Workspace

# -- diacritic-aware phrase matching ------------------------------------------------------------

_WORD = re.compile(r"\w+", re.UNICODE)
_GAP = re.compile(r"^[\s\-–]+$")


def fold(text: str) -> str:
    """Lower case without Vietnamese diacritics: ``"Đại diện"`` → ``"dai dien"``."""
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.replace("đ", "d").replace("Đ", "D").casefold()


def _word_matches(word: str, choices: frozenset[str]) -> bool:
    low = word.casefold()
    if low in choices:
        return True
    plain = fold(word)
    # a word written without any diacritic may stand for its accented form; a differently accented word may not
    return plain == low and any(fold(c) == plain for c in choices)


@dataclass(frozen=True, slots=True)
class Phrase:
    """A sequence of words; each position accepts any of its alternatives (NFC, lower case)."""

    words: tuple[frozenset[str], ...]
    lang: str

    @classmethod
    def of(cls, text: str, lang: str) -> Phrase:
        parts = unicodedata.normalize("NFC", text).casefold().split()
        return cls(tuple(frozenset(p.split("|")) for p in parts), lang)


@dataclass(frozen=True, slots=True)
class Match:
    start: int
    end: int
    text: str
    lang: str


def quick_fold(text: str) -> str:
    """A fast over-approximation of :func:`fold`, used only to skip texts that cannot match.

    Letters lose their diacritics, every other non-ASCII character (separators included) is
    dropped; the prefilter therefore allows words to run together.
    """
    plain = text.replace("đ", "d").replace("Đ", "D")
    return unicodedata.normalize("NFKD", plain).encode("ascii", "ignore").decode("ascii").casefold()


@functools.cache
def prefilter(phrases: tuple[Phrase, ...]) -> re.Pattern[str]:
    """A regex over folded text that every true match of ``phrases`` also matches."""
    alternatives = []
    for phrase in phrases:
        words = ["(?:" + "|".join(sorted({re.escape(fold(w)) for w in alts})) + ")" for alts in phrase.words]
        alternatives.append(r"[\s\-]*".join(words))
    return re.compile("|".join(alternatives))


def find_phrases(text: str, phrases: Sequence[Phrase], folded: str | None = None) -> list[Match]:
    """Non-overlapping matches of ``phrases`` in ``text`` (positions refer to the NFC form of ``text``).

    ``folded`` may pass ``quick_fold(text)`` when the caller searches the same text many times.
    """
    if not prefilter(tuple(phrases)).search(quick_fold(text) if folded is None else folded):
        return []
    return find_phrases_exact(text, phrases)


def find_phrases_exact(text: str, phrases: Sequence[Phrase]) -> list[Match]:
    """:func:`find_phrases` without the prefilter (the reference the prefilter is tested against)."""
    nfc = unicodedata.normalize("NFC", text)
    tokens = [(m.start(), m.end(), m.group(0)) for m in _WORD.finditer(nfc)]
    found: list[Match] = []
    i = 0
    while i < len(tokens):
        hit: Match | None = None
        for phrase in phrases:
            n = len(phrase.words)
            if i + n > len(tokens):
                continue
            ok = True
            for k in range(n):
                if k and not _GAP.match(nfc[tokens[i + k - 1][1]: tokens[i + k][0]]):
                    ok = False
                    break
                if not _word_matches(tokens[i + k][2], phrase.words[k]):
                    ok = False
                    break
            if ok:
                start, end = tokens[i][0], tokens[i + n - 1][1]
                if hit is None or end - start > hit.end - hit.start:
                    hit = Match(start, end, nfc[start:end], phrase.lang)
        if hit is not None:
            found.append(hit)
            while i < len(tokens) and tokens[i][0] < hit.end:
                i += 1
        else:
            i += 1
    return found


@dataclass(frozen=True, slots=True)
class Term:
    """A retired ISO 9001:2008 term and its ISO 9001:2015 wording."""

    key: str
    phrases: tuple[Phrase, ...]
    replacement_en: str
    replacement_vi: str
    ambiguous: bool  # True: only suggest, never rewrite
    clause: str

    def replacement(self, lang: str) -> str:
        return self.replacement_vi if lang == "vi" else self.replacement_en


def _load_terms() -> dict[str, Term]:
    rows = load_data("iso9001_2008_terms.yaml")["terms"]
    return {str(row["key"]): Term(
        str(row["key"]),
        tuple(Phrase.of(str(p["text"]), str(p["lang"])) for p in row["phrases"]),
        str(row["replacement"]["en"]), str(row["replacement"]["vi"]),
        ambiguous=bool(row["ambiguous"]), clause=str(row["clause"])) for row in rows}


#: The retired terms by key, from ``qms/standards/data/iso9001_2008_terms.yaml``.
TERMS: dict[str, Term] = _load_terms()


def find_term(text: str, term: Term) -> list[Match]:
    return find_phrases(text, term.phrases)


# -- walking the text values of a document -------------------------------------------------------

#: Subtrees that are records of the past (revision history, approvals) or that other rules report.
SKIPPED_KEYS: frozenset[str] = frozenset({"history", "approvals"})
LEGACY_FIELDS: frozenset[str] = frozenset({"exclusions", "management_representative"})


def string_values(data: Any, skip: frozenset[str] = SKIPPED_KEYS) -> list[str]:
    """The string values of :func:`iter_strings`, without their paths (iterative and cheap)."""
    out: list[str] = []
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, dict):
            stack.extend(v for k, v in item.items() if str(k) not in skip)
        elif isinstance(item, list):
            stack.extend(item)
    return out


def iter_strings(data: Any, base: tuple[str | int, ...] = (),
                 skip: frozenset[str] = SKIPPED_KEYS) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """``(path, value)`` for every string value (keys excluded) outside the skipped subtrees."""
    if isinstance(data, str):
        yield base, data
    elif isinstance(data, dict):
        for key, value in data.items():
            if str(key) in skip:
                continue
            yield from iter_strings(value, (*base, str(key)), skip)
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from iter_strings(value, (*base, i), skip)


def text_docs(ws: Workspace) -> list[LoadedDoc[Any]]:
    return [d for d in ws.docs if d.kind in ("manifest", "process") and isinstance(d.raw, dict)]


# -- editions and clause numbers -----------------------------------------------------------------

def declared_edition(ws: Workspace) -> str:
    """The edition qms.yaml declares (``"2008"``, ``"2015"`` for ISO 9001:2015 with or without its
    amendment, ...), read from the editions data; ``"2015"`` when it declares none."""
    doc = ws.manifest_doc
    raw = doc.raw if doc is not None else None
    value = raw.get("standard") if isinstance(raw, dict) else None
    return edition_of_standard(value) if isinstance(value, str) else "2015"


_GENERIC_TITLES = frozenset({"general", "khai quat"})


@functools.cache
def _title_phrases(clause: str) -> tuple[Phrase, ...]:
    entry = catalogue("2008").get(clause)
    if entry is None:
        return ()
    out = []
    for text, lang in ((entry.title, "en"), (entry.title_vi, "vi")):
        if text and fold(text) not in _GENERIC_TITLES:
            out.append(Phrase.of(re.sub(r"[^\w\s]", " ", text), lang))
    return tuple(out)


@functools.cache
@functools.cache
def _title_prefilter(clause: str) -> re.Pattern[str] | None:
    phrases = _title_phrases(clause)
    return prefilter(phrases) if phrases else None


def _title_used(clause: str, context: str, folded_context: str) -> bool:
    """The process's title or purpose uses the 2008 title of ``clause``: one search for all its title
    phrases together first (an alternation matches where any of them would), then each phrase."""
    pattern = _title_prefilter(clause)
    if pattern is None or not pattern.search(folded_context):
        return False
    return any(find_phrases(context, [p], folded_context) for p in _title_phrases(clause))


@functools.cache
def _title_changed(clause: str) -> bool:
    """The clause exists in both editions under different titles (its meaning changed)."""
    cat08, cat15 = catalogue("2008"), catalogue("2015")
    return cat15[clause].level > 1 and fold(cat08[clause].title) != fold(cat15[clause].title)


@dataclass(frozen=True, slots=True)
class LegacyClause:
    index: int
    clause: str
    reason: str  # "declared" | "2008-only" | "context"
    targets: tuple[str, ...]
    confidence: str
    evidence: str


def process_context(raw: dict[str, Any]) -> str:
    parts: list[str] = []
    for key in ("title", "purpose"):
        value = raw.get(key)
        if isinstance(value, str):
            parts.append(value)
        elif isinstance(value, dict):
            parts.extend(str(v) for v in value.values() if isinstance(v, str))
    return "\n".join(parts)


def legacy_clauses(raw: Any, edition: str) -> list[LegacyClause]:
    """The 2008 clause numbers in a process's ``clauses`` list, with their 2015 targets.

    Under ``standard: ISO 9001:2008`` every number is read as a 2008 number and reported when its
    2015 correspondence differs. Under 2015, numbers that exist only in 2008 are reported, and a
    number that exists in both editions is reported only when the process's title or purpose uses
    the 2008 title of that clause (``8.5.3`` in a "preventive action" procedure).
    """
    if not isinstance(raw, dict) or not isinstance(raw.get("clauses"), list):
        return []
    cat08, cat15 = catalogue("2008"), catalogue("2015")
    table = correlations().table("2008", "2015")
    context = process_context(raw)
    folded_context = quick_fold(context)
    out: list[LegacyClause] = []
    for i, value in enumerate(raw["clauses"]):
        if not isinstance(value, str | int | float):
            continue
        clause = normalise_clause(str(value))
        if clause not in cat08:
            continue
        row = table.lookup(clause)
        if row is None:
            continue
        reason = ""
        if edition == "2008":
            if row.to != (clause,):
                reason = "declared"
        elif clause not in cat15:
            reason = "2008-only"
        elif _title_changed(clause) and _title_used(clause, context, folded_context):
            reason = "context"
        if reason:
            out.append(LegacyClause(i, clause, reason, row.to, row.confidence, row.evidence))
    return out
