"""Ids as people type them: case-insensitive where that is unambiguous, closest matches first."""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable

from qms.analysis.people import normalise_name as _fold


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
