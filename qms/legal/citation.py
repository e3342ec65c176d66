"""Canonical form of a citation of a Vietnamese legal document (or a standard).

"NĐ 61/2018/NĐ-CP", "Nghị định 61/2018/NĐ-CP", "Nghị định số 61/2018/NĐ-CP" and "nghị định 61/2018/nđ-cp"
written in any Unicode normal form are one document. A citation is read as:

* a **number and symbol** (số ký hiệu) found anywhere in the text: ``61/2018/NĐ-CP``, ``1329/QĐ-BTP``,
  ``62/2020/QH14``, ``12729/VPCP-KGVX``; leading zeros of the number do not count (``01/2018`` is
  ``1/2018``); a short form without the symbol (``NĐ 61/2018``) matches the document of that number and
  year whose kind agrees with the word before it;
* otherwise a **law by title and year**: ``Luật Hộ tịch 2014``, ``Bộ luật Dân sự 2015``;
* otherwise **free text** (a standard such as ``TCVN ISO 9001:2015``), compared without case, accents,
  punctuation or repeated spaces.

Pure functions, no I/O: the register (``qms.legal.register``) indexes documents by these keys.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

#: Document kinds of the register (``LegalDocument.kind``).
KINDS = ("constitution", "code", "law", "ordinance", "resolution", "decree", "decision", "tthc_list", "circular",
         "joint_circular", "directive", "official_letter", "standard", "other")

# words in front of a number -> the kinds they may name (folded, see `fold`)
_KIND_WORDS: dict[str, frozenset[str]] = {
    "nd": frozenset({"decree"}),
    "nghi dinh": frozenset({"decree"}),
    "tt": frozenset({"circular", "joint_circular"}),
    "thong tu": frozenset({"circular"}),
    "ttlt": frozenset({"joint_circular"}),
    "thong tu lien tich": frozenset({"joint_circular"}),
    "qd": frozenset({"decision", "tthc_list"}),
    "quyet dinh": frozenset({"decision", "tthc_list"}),
    "nq": frozenset({"resolution"}),
    "nghi quyet": frozenset({"resolution"}),
    "ct": frozenset({"directive"}),
    "chi thi": frozenset({"directive"}),
    "cv": frozenset({"official_letter"}),
    "cong van": frozenset({"official_letter"}),
    "luat": frozenset({"law", "code"}),
    "bo luat": frozenset({"code"}),
    "phap lenh": frozenset({"ordinance"}),
    "decree": frozenset({"decree"}),
    "circular": frozenset({"circular", "joint_circular"}),
    "decision": frozenset({"decision", "tthc_list"}),
    "resolution": frozenset({"resolution"}),
    "law": frozenset({"law", "code"}),
}

_LOOKALIKES = str.maketrans({"\u00d0": "Đ", "\u0189": "Đ", "\u00f0": "đ", "\u2010": "-", "\u2011": "-",
                             "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-", "\uff0f": "/",
                             "\u2215": "/", "\u00a0": " "})

# number / year / symbol, or number / symbol (letters have no year); the symbol starts with a letter
_NUMBER = re.compile(
    r"(?<![\w/])(?P<num>\d{1,6})\s*/\s*(?:(?P<year>(?:19|20)\d{2})\s*(?:/\s*(?P<sym1>[^\W\d_][\w.]*(?:\s*-\s*[\w.]+)*))?"
    r"|(?P<sym2>[^\W\d_][\w.]*(?:\s*-\s*[\w.]+)*))",
    re.UNICODE,
)
_LAW_TITLE = re.compile(r"^(?P<prefix>bo luat|luat)\s+(?P<title>.+?)\s+(?:nam\s+)?(?P<year>(?:19|20)\d{2})$")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text.translate(_LOOKALIKES)).translate(_LOOKALIKES)


def fold(text: str) -> str:
    """Lower case, no accents (đ → d), punctuation as spaces, single spaces."""
    decomposed = unicodedata.normalize("NFD", nfc(text).replace("Đ", "D").replace("đ", "d"))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[^\w:.]+", " ", bare).replace("_", " ").split())


def _symbol(text: str) -> str:
    return re.sub(r"\s*-\s*", "-", nfc(text)).upper().strip(".")


@dataclass(frozen=True, slots=True)
class Citation:
    """A citation read by :func:`parse`. ``key`` identifies the document; ``kinds`` narrows a short form."""

    text: str
    number: str = ""  # "61" (no leading zeros)
    year: str = ""  # "2018", or "" for letters and decisions written without the year
    symbol: str = ""  # "NĐ-CP", upper case, NFC; "" in a short form such as "NĐ 61/2018"
    kinds: frozenset[str] = frozenset()  # kinds named by the word before the number, empty when none
    title: str = ""  # folded title of a law cited by title and year ("ho tich")
    free: str = ""  # folded text of anything else

    @property
    def key(self) -> str:
        """The canonical key: ``61/2018/NĐ-CP``, ``1329/QĐ-BTP``, ``law:ho tich:2014`` or ``text:…``."""
        if self.number:
            return "/".join(p for p in (self.number, self.year, self.symbol) if p)
        if self.title:
            return f"law:{self.title}:{self.year}"
        return f"text:{self.free}"

    @property
    def is_short(self) -> bool:
        """A number and year without the symbol (``NĐ 61/2018``)."""
        return bool(self.number) and bool(self.year) and not self.symbol


def _kinds_before(text: str, start: int) -> frozenset[str]:
    words = fold(text[:start]).split()
    if words and words[-1] == "so":  # "Nghị định số 61/2018/NĐ-CP"
        words = words[:-1]
    for n in (3, 2, 1):
        if len(words) >= n:
            kinds = _KIND_WORDS.get(" ".join(words[-n:]))
            if kinds:
                return kinds
    return frozenset()


def parse(text: str) -> Citation:
    """Read a citation in any of its usual forms (see the module documentation)."""
    clean = nfc(text).strip()
    m = _NUMBER.search(clean)
    if m is not None:
        symbol = m.group("sym1") or m.group("sym2") or ""
        return Citation(clean, str(int(m.group("num"))), m.group("year") or "", _symbol(symbol) if symbol else "",
                        _kinds_before(clean, m.start()))
    folded = fold(clean)
    law = _LAW_TITLE.match(folded)
    if law is not None:
        kinds = _KIND_WORDS[law.group("prefix")]
        return Citation(clean, year=law.group("year"), kinds=kinds, title=law.group("title"))
    return Citation(clean, free=folded)


def law_title(title: str) -> str:
    """The folded title of a law without its leading "Luật"/"Bộ luật" (``Luật Hộ tịch`` → ``ho tich``)."""
    folded = fold(title)
    for prefix in ("bo luat ", "luat "):
        if folded.startswith(prefix):
            return folded[len(prefix):]
    return folded


def symbol_kinds(symbol: str) -> frozenset[str]:
    """The kinds a symbol implies (``NĐ-CP`` → decree), empty when it says nothing."""
    head = fold(symbol.split("-", 1)[0])
    return _KIND_WORDS.get(head, frozenset())


def locate(text: str) -> tuple[int, int, int] | None:
    """Where the number and symbol of ``text`` is: (start of the number, start of the kind words before it,
    end of the symbol), e.g. in "Mẫu số 01, Thông tư 03/2025/TT-VPCP" the positions of "03", "Thông" and
    the end; None when the text has no number. ``text`` is NFC."""
    m = _NUMBER.search(text)
    if m is None:
        return None
    words = list(re.finditer(r"[^\W\d_]+", text[:m.start()]))
    if words and fold(words[-1].group()) == "so":
        words = words[:-1]
    kind_start = m.start()
    for n in (3, 2, 1):
        if len(words) >= n and " ".join(fold(w.group()) for w in words[-n:]) in _KIND_WORDS:
            kind_start = words[-n].start()
            break
    return m.start(), kind_start, m.end()
