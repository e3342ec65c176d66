"""Matching "Trách nhiệm" text to the organisation's roles and units.

Text is compared folded (case, diacritics, punctuation) after expanding the abbreviations agencies
use ("CB một cửa", "LĐ UBND", "CV phụ trách"). A role or unit matches when its id, title or name
equals the text, or when every word of the shorter contains every word of the other. What matches
nothing becomes a proposed role with an id made from the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from qms.analysis.legacy import fold
from qms.analysis.people import Directory

ABBREVIATIONS: dict[str, str] = {
    "cb": "can bo", "cbcc": "can bo cong chuc", "cc": "cong chuc", "cv": "chuyen vien", "ld": "lanh dao",
    "ubnd": "uy ban nhan dan", "hdnd": "hoi dong nhan dan", "tp": "truong phong", "pp": "pho truong phong",
    "ct": "chu tich", "pct": "pho chu tich", "bp": "bo phan", "mc": "mot cua", "vp": "van phong",
    "tn": "tiep nhan", "tkq": "tra ket qua", "tnvtkq": "tiep nhan va tra ket qua", "vt": "van thu",
    "ttr": "thanh tra", "pgd": "pho giam doc", "gd": "giam doc", "tbp": "truong bo phan", "ks": "kiem soat",
    "tt": "trung tam", "tthc": "thu tuc hanh chinh", "hs": "ho so", "tc": "to chuc", "nv": "nhan vien",
}
_STOP = frozenset({"va", "cua", "the", "cac", "phu", "trach"})


def normalise(text: str) -> str:
    """Folded text with abbreviations expanded: "LĐ UBND" → "lanh dao uy ban nhan dan"."""
    words = re.sub(r"[^\w]+", " ", fold(text)).split()
    return " ".join(ABBREVIATIONS.get(w, w) for w in words)


def _words(text: str) -> set[str]:
    return {w for w in text.split() if w not in _STOP} or set(text.split())


@dataclass(frozen=True, slots=True)
class Proposed:
    id: str
    title: str
    written: str


def role_id(text: str) -> str:
    """An id for a proposed role: the folded words joined by underscores."""
    slug = "_".join(normalise(text).split())[:60].strip("_")
    return slug or "vai_tro_moi"


class RoleMatcher:
    def __init__(self, directory: Directory, lang: str = "vi") -> None:
        self.lang = lang
        self.candidates: list[tuple[str, str]] = []  # (normalised text, id)
        for rid, role in directory.roles.items():
            for text in (rid.replace("_", " "), role.title.vi, role.title.en):
                if text.strip():
                    self.candidates.append((normalise(text), rid))
        for uid, unit in directory.units.items():
            for text in (uid.replace("_", " "), unit.name.vi, unit.name.en):
                if text.strip():
                    self.candidates.append((normalise(text), uid))
        self.exact = dict(reversed(self.candidates))
        self.kinds: dict[str, set[str]] = {"role": set(directory.roles), "unit": set(directory.units)}
        self.agencies: dict[str, str] = {}  # normalised name -> id of a participating agency (liên thông)

    def add_agency(self, ident: str, name: str) -> None:
        """A participating agency the repository knows (a process's ``administrative.agencies``): its
        name then matches its id in "Trách nhiệm" cells."""
        key = normalise(name)
        if key and key not in self.agencies:
            self.agencies[key] = ident

    def match_agency(self, text: str) -> str | None:
        """The id of the agency ``text`` names exactly (case, diacritics and abbreviations aside)."""
        return self.agencies.get(normalise(text))

    def match(self, text: str, kind: str | None = None) -> str | None:
        """The role or unit id ``text`` names, or None (no match, or two equally good ones); ``kind``
        ("role" or "unit") restricts the answer to roles (an owner) or to units (a lead unit)."""
        key = normalise(text)
        if not key:
            return None
        candidates = self.candidates if kind is None else [c for c in self.candidates if c[1] in self.kinds[kind]]
        exact = self.exact if kind is None else dict(reversed(candidates))
        if key in exact:
            return exact[key]
        if key in self.agencies and kind is None:
            return self.agencies[key]
        words = _words(key)
        best: list[tuple[float, str]] = []
        broader: set[str] = set()  # roles and units whose name says more than the text ("Trưởng phòng Kinh tế")
        for cand, ident in candidates:
            cw = _words(cand)
            if words <= cw or cw <= words:
                score = len(words & cw) / max(len(words | cw), 1)
                best.append((score, ident))
                if words < cw:
                    broader.add(ident)
        if not best:
            return None
        if len(broader) > 1 and not any(_words(cand) <= words for cand, _ident in candidates):
            return None  # a generic title ("Trưởng phòng") that fits several roles names none of them
        best.sort(reverse=True)
        if len(best) > 1 and best[0][0] == best[1][0] and best[0][1] != best[1][1]:
            return None
        return best[0][1] if best[0][0] >= 0.4 else None


def split_parties(text: str) -> list[str]:
    """The parties named in a responsibility cell: "CB một cửa, CV phụ trách" → two."""
    parts = re.split(r"\s*(?:[,;/\n+]|\s-\s|\bvà\b|\bva\b)\s*", text.strip())
    return [p.strip(" .-–•") for p in parts if p.strip(" .-–•")]
