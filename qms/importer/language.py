"""The language a Word document is written in, judged from its text.

An agency may import an English procedure into a Vietnamese organisation (or the reverse): the draft's
text then goes into that language's slot (``{en: ...}``), not the organisation's. The strong signal is the
share of letters with a Vietnamese diacritic; a text without diacritics ("Muc dich", an old ASCII file)
is judged by its frequent words. The thresholds and words are data (``vocabulary``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from qms.analysis.legacy import fold
from qms.importer import vocabulary as voc

_VIETNAMESE = frozenset("àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ")


@dataclass(frozen=True, slots=True)
class Judged:
    lang: str  # "vi" | "en"
    share: float  # letters with a Vietnamese diacritic / letters
    by: str  # "diacritics" | "words"


def judge_language(texts: Iterable[str]) -> Judged:
    """The language of ``texts`` (a document's paragraphs and cells)."""
    letters = marked = 0
    counts = {"vi": 0, "en": 0}
    for text in texts:
        low = unicodedata.normalize("NFC", text).lower()
        for ch in low:
            if ch.isalpha():
                letters += 1
                marked += ch in _VIETNAMESE
        for word in re.findall(r"[a-z]+", fold(low)):
            for lang, words in voc.FUNCTION_WORDS.items():
                counts[lang] += word in words
    share = marked / letters if letters else 0.0
    if share >= voc.VIETNAMESE_LETTER_SHARE:
        return Judged("vi", share, "diacritics")
    if counts["vi"] != counts["en"]:
        return Judged("vi" if counts["vi"] > counts["en"] else "en", share, "words")
    return Judged("vi" if share >= voc.VIETNAMESE_LETTER_SHARE / 2 else "en", share, "diacritics")
