"""Durations as Vietnamese procedures write them: "02 ngày làm việc", "1/2 ngày", "½ ngày", "04 giờ",
"Trong ngày", "Không quá 15 ngày", "15 ngày (không kể thời gian ...)".

The unit the document states is kept: working days when it says "làm việc", calendar days (``15cd``)
when a whole number of days is written without it, and that reading is flagged "to confirm" because
many documents leave "làm việc" out where working days are meant.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from qms.analysis.legacy import fold
from qms.importer.vocabulary import DURATION_WORDS_EN

_FRACTIONS = {"½": "0.5", "¼": "0.25", "¾": "0.75", "1/2": "0.5", "1/4": "0.25", "3/4": "0.75"}
_NUM = r"(?P<n>\d+(?:[.,]\d+)?|1/2|1/4|3/4|½|¼|¾)"
_DAYS = re.compile(_NUM + r"\s*(?P<unit>ngay|ngay lam viec|ngay lam viec|buoi|tuan|thang|gio|phut)\b")


_ENGLISH = tuple((re.compile(pattern), words) for pattern, words in DURATION_WORDS_EN)


@dataclass(frozen=True, slots=True)
class ReadDuration:
    value: str  # what the draft writes: "2d", "0.5d", "4h", "15cd"
    written: str  # the text as the document wrote it
    to_confirm: bool = False
    note: str = ""  # what the value leaves out ("không kể thời gian ...", "at most")


def _number(text: str) -> float:
    text = _FRACTIONS.get(text, text).replace(",", ".")
    return float(text)


def read_duration(text: str) -> ReadDuration | None:
    """The duration ``text`` states, or None when it states none ("Ngay", "Theo thực tế")."""
    written = " ".join(unicodedata.normalize("NFC", text).split())
    if not written:
        return None
    folded = fold(written)
    for frac, dec in _FRACTIONS.items():
        if len(frac) == 1:
            folded = folded.replace(frac, f" {dec} ")
    for pattern, words in _ENGLISH:  # "2 working days", "4 h", "Same day" as the Vietnamese words
        folded = pattern.sub(words, folded)
    folded = " ".join(folded.split())
    note = ""
    paren = re.search(r"\((.+)\)", written)
    if paren is not None:
        note = paren.group(1).strip()
    if re.fullmatch(r"(trong|ngay trong)\s+ngay( lam viec)?\.?", folded):
        return ReadDuration("1d", written, False, "trong ngày")
    if re.match(r"(trong|ngay trong)\s+ngay( lam viec)?( tiep nhan| nhan)?\b[^;,.]*[;,.]", folded):
        # "Ngay trong ngày tiếp nhận hồ sơ; trường hợp …": the same day, the exceptions kept beside it
        return ReadDuration("1d", written, False, "trong ngày")
    # "sau 15 giờ", "trước 10 giờ": an hour of the clock, not a duration
    m = next((x for x in _DAYS.finditer(folded) if not (x.group("unit") == "gio" and re.search(
        r"\b(sau|truoc|luc|tu|den|qua)\s*$", folded[:x.start()]))), None)
    if m is None:
        return None
    n = _number(m.group("n"))
    if n <= 0 or n > 10_000:
        return None
    unit = m.group("unit")
    if unit.startswith("ngay"):
        hours = re.search(r"ngay(?: lam viec)?\s+(?:va\s+)?(\d+(?:[.,]\d+)?)\s*gio\b", folded[m.start():])
        if hours is not None:
            working_h = "lam viec" in folded[m.start():]
            return ReadDuration(f"{n:g}d {_number(hours.group(1)):g}h", written, not working_h, note)
    at_most = bool(re.search(r"\b(khong qua|toi da|chua qua|trong vong|trong thoi han)\b", folded))
    if at_most:
        note = "; ".join(x for x in ("tối đa" if "toi da" in folded else "không quá", note) if x)
    if unit == "gio":
        return ReadDuration(f"{n:g}h", written, False, note)
    if unit == "phut":
        return ReadDuration(f"{n / 60:g}h", written, False, note)
    if unit == "buoi":
        return ReadDuration(f"{n / 2:g}d", written, False, note)
    if unit in ("tuan", "thang"):
        days = int(n * (7 if unit == "tuan" else 30))
        return ReadDuration(f"{days}cd", written, True, note)
    working = "lam viec" in folded[m.start():]
    if working:
        return ReadDuration(f"{n:g}d", written, False, note)
    if n.is_integer():
        return ReadDuration(f"{int(n)}cd", written, True, note)
    return ReadDuration(f"{n:g}d", written, True, note)
