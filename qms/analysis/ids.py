"""Ids as people type them: case-insensitive where that is unambiguous, closest matches first."""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable


def normalise_name(text: str) -> str:
    """A name as people compare names: NFC, case-insensitive, whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def plain_name(text: str) -> str:
    """A name or id as people type it without diacritics: ``normalise_name`` with the marks taken off
    (``đ`` as ``d``) and ``_``, ``-``, ``.`` read as spaces; only for suggesting, never for matching."""
    folded = normalise_name(text.replace("_", " ").replace("-", " ").replace(".", " ")).replace("đ", "d")
    return "".join(c for c in unicodedata.normalize("NFD", folded) if not unicodedata.combining(c))


_fold = normalise_name


def match_id(value: str, known: Iterable[str]) -> str | None:
    """The known id ``value`` names: itself, or the one id equal to it ignoring case (``qt-xd-01``)."""
    ids = list(known)
    text = unicodedata.normalize("NFC", value).strip()
    if text in ids:
        return text
    folded = [k for k in ids if _fold(k) == _fold(text)]
    return folded[0] if len(folded) == 1 else None


def closest_first(value: str, known: Iterable[str], n: int | None = None) -> list[str]:
    """Every known id, the closest to ``value`` first (then in order); the first ``n`` if given."""
    ids = sorted(set(known))
    by_fold = {_fold(k): k for k in ids}
    close = [by_fold[c] for c in difflib.get_close_matches(_fold(value), list(by_fold), n=len(ids), cutoff=0.5)]
    ranked = list(dict.fromkeys([*close, *ids]))
    return ranked if n is None else ranked[:n]


def did_you_mean(value: str, known: Iterable[str]) -> str | None:
    """The one close match worth suggesting, if there is exactly one clear favourite."""
    ids = sorted(set(known))
    by_fold = {_fold(k): k for k in ids}
    close = difflib.get_close_matches(_fold(value), list(by_fold), n=2, cutoff=0.6)
    if len(close) == 1 or (len(close) == 2 and difflib.SequenceMatcher(None, _fold(value), close[0]).ratio()
                           - difflib.SequenceMatcher(None, _fold(value), close[1]).ratio() > 0.1):
        return by_fold[close[0]]
    return None


def ranked(value: str, known: Iterable[str], n: int = 3) -> list[str]:
    """The ``n`` known values closest to ``value``, best first however far they are (ties keep the order
    given): compared NFC, case-folded, without diacritics and with ``_``/``-``/``.`` as spaces, so that
    ``nguyen van an`` finds both ``nguyen_van_an`` and ``Nguyễn Văn An``."""
    target = plain_name(value)
    scored: dict[str, float] = {}
    for k in known:
        if k not in scored:
            candidate = plain_name(k)
            scored[k] = 2.0 if candidate == target else difflib.SequenceMatcher(None, target, candidate).ratio()
    order = {k: i for i, k in enumerate(scored)}
    return sorted(scored, key=lambda k: (-scored[k], order[k]))[:n]
