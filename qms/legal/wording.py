"""A citation as a reader of the document's language reads it.

Procedures cite legal documents the way Vietnamese officials write them ("NĐ 123/2015/NĐ-CP",
"Luật Hộ tịch 2014", "Mẫu số 01, Thông tư 03/2025/TT-VPCP"). A Vietnamese document prints them as written.
An English document prints them from structured data:

* the **document** from the register (``legal/register.yaml``): a law or code cited by its title as its
  English title and year ("Law on Civil Status 2014"), any other document as its kind's English name and
  its number and symbol ("Decree 123/2015/NĐ-CP", "Circular 03/2025/TT-VPCP"). The number and symbol is a
  code and is printed as it is, Vietnamese letters included;
* a document the register does not hold: the kind named by the word before the number, if any, and the
  number and symbol;
* the **part** cited before it (mẫu số, phụ lục, điều, khoản, điểm) as "Form No. 01", "Appendix III-6",
  "Art. 8", "para. 2", "point a";
* Vietnamese words that are neither (a remark, a free-text title with no number) are left out: the
  number and symbol is what identifies the document. A citation with no number at all and no register
  entry is printed as written (the name of a Vietnamese document, like the name of an agency).

Kind names and part words are labels of the message catalogue; titles are data of the register.
"""

from __future__ import annotations

import re
import unicodedata

from qms.i18n import N_, translate
from qms.legal.citation import locate, parse
from qms.legal.register import Entry, Index
from qms.models.legal import LegalRegister

#: English name of each register kind (a label of the catalogue; the title says the rest)
KIND_NAMES: dict[str, str] = {
    "constitution": N_("Constitution"), "code": N_("Legal code"), "law": N_("Law"),
    "ordinance": N_("Ordinance"), "resolution": N_("Resolution"), "decree": N_("Decree"),
    "decision": N_("Decision"), "tthc_list": N_("Decision"), "circular": N_("Circular"),
    "joint_circular": N_("Joint circular"), "directive": N_("Directive"), "official_letter": N_("Official letter"),
    "standard": N_("Standard"), "other": N_("Document"),
}

# the parts of a document a citation may name before the document itself, in Vietnamese (folded to NFC)
_PARTS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?i)\bmẫu(?:\s+số)?\s+([\w.-]+)"), N_("Form No. {n}")),
    (re.compile(r"(?i)\bphụ\s+lục(?:\s+số)?\s+([\w.-]+)"), N_("Appendix {n}")),
    (re.compile(r"(?i)\bđiều\s+(\d+\w*)"), N_("Art. {n}")),
    (re.compile(r"(?i)\bkhoản\s+(\d+\w*)"), N_("para. {n}")),
    (re.compile(r"(?i)\bđiểm\s+([a-zđ])\b"), N_("point {n}")),
)


# where a law cited by its title starts ("Khoản 2 Điều 89 Luật Xây dựng 2014")
_LAW = re.compile(r"(?i)\b(?:bộ\s+)?luật\b")


def has_vietnamese(text: str) -> bool:
    """True when ``text`` has a letter English does not write: a diacritic or đ."""
    return "đ" in text.lower() or any(unicodedata.combining(c) for c in unicodedata.normalize("NFD", text))


class Citations:
    """Citations of one repository, resolved against its register (which may be missing)."""

    def __init__(self, register: LegalRegister | None = None) -> None:
        self.index = Index.build(register) if register is not None else None

    def entry(self, text: str) -> Entry | None:
        return self.index.resolve(text) if self.index is not None else None

    def title(self, text: str, lang: str) -> str:
        """The register's title of the cited document in ``lang``, or "" when it is not in the register."""
        entry = self.entry(text)
        return entry.doc.title.get(lang) if entry is not None else ""

    def cite(self, text: str, lang: str) -> str:
        """``text`` (a citation, optionally naming a part) as the document's language writes it."""
        if lang == "vi":
            return text
        span = locate(text)
        if span is None:
            law = _LAW.search(text)
            entry = self.entry(text[law.start():]) if law is not None else None
            if law is None or entry is None or entry.doc.kind not in ("law", "code", "constitution"):
                return text  # a name with no number: the Vietnamese name of the document
            title = " ".join(p for p in (entry.doc.title.get(lang), parse(text[law.start():]).year) if p)
            return ", ".join([*_parts(text[:law.start()], lang), title])
        number_start, kind_start, end = span
        document = self._document(text[kind_start:end], text[number_start:end], lang)
        parts = _parts(text[:kind_start], lang)
        tail = text[end:].strip()
        if tail and not has_vietnamese(tail):
            document = f"{document} {tail}"
        return ", ".join([*parts, document])

    def _document(self, cited: str, symbol: str, lang: str) -> str:
        """"Decree 123/2015/NĐ-CP": the kind's name (from the register, else from the word before the
        number) and the number and symbol; a standard by its number alone."""
        entry = self.entry(cited)
        if entry is not None:
            if entry.doc.kind == "standard":
                return entry.doc.number
            return f"{translate(KIND_NAMES[entry.doc.kind], lang)} {entry.doc.number}"
        kinds = parse(cited).kinds
        if kinds:
            return f"{translate(KIND_NAMES[sorted(kinds)[0]], lang)} {symbol}"
        return symbol


def _parts(head: str, lang: str) -> list[str]:
    """The parts named in ``head`` (the text before the document), in English, in their order."""
    found: list[tuple[int, str]] = []
    for pattern, label in _PARTS:
        for m in pattern.finditer(head):
            found.append((m.start(), translate(label, lang).format(n=m.group(1))))
    # Vietnamese names the smallest part first ("khoản 2 Điều 89"), English the largest ("Art. 89, para. 2")
    return [text for _pos, text in sorted(found, reverse=True)]
