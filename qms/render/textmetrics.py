"""Text measured with the real metrics of the bundled fonts (the faces WeasyPrint embeds).

The diagrams lay text out themselves (SVG has no line wrapping), so they must know how wide a line
is in the font the PDF will use: advance widths are read with fontTools from the derived Noto Sans
faces of :mod:`qms.render.assets`, once per face, and line widths are cached per face and size.
A character the face lacks is measured as the face's ``.notdef`` glyph, which is what prints.
"""

from __future__ import annotations

import io
import re
import threading
from dataclasses import dataclass
from functools import lru_cache

REGULAR = "fonts/NotoSans-Regular.ttf"
BOLD = "fonts/NotoSans-Bold.ttf"

#: Line height of diagram text, in ems
LINE_HEIGHT = 1.25

_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class Face:
    units_per_em: int
    advances: dict[int, int]
    notdef: int
    ascender: int
    descender: int  # positive: below the baseline


@lru_cache(maxsize=2)
def _face(name: str) -> Face:
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

    from qms.render.assets import asset_bytes

    with _lock:
        font = TTFont(io.BytesIO(asset_bytes(name, None)))
        hmtx = font["hmtx"].metrics
        advances = {code: hmtx[glyph][0] for code, glyph in font.getBestCmap().items() if glyph in hmtx}
        hhea = font["hhea"]
        return Face(int(font["head"].unitsPerEm), advances, int(hmtx[".notdef"][0]),
                    int(hhea.ascent), int(-hhea.descent))


def face(bold: bool = False) -> Face:
    return _face(BOLD if bold else REGULAR)


@lru_cache(maxsize=65536)
def text_width(text: str, size: float, bold: bool = False) -> float:
    """The advance width of ``text`` set in one line at ``size`` points."""
    f = face(bold)
    units = sum(f.advances.get(ord(ch), f.notdef) for ch in text)
    return units * size / f.units_per_em


def ascent(size: float, bold: bool = False) -> float:
    f = face(bold)
    return f.ascender * size / f.units_per_em


def descent(size: float, bold: bool = False) -> float:
    f = face(bold)
    return f.descender * size / f.units_per_em


def block_height(lines: int, size: float, bold: bool = False) -> float:
    """The height of ``lines`` lines of text, from the top of the first line's ascent to the bottom of
    the last line's descent."""
    if lines <= 0:
        return 0.0
    return (lines - 1) * size * LINE_HEIGHT + ascent(size, bold) + descent(size, bold)


def block_width(lines: list[str], size: float, bold: bool = False) -> float:
    return max((text_width(line, size, bold) for line in lines), default=0.0)


#: Where a long word may break: after "/" (legal symbols) or after a space-less run's other
#: separators, never at "-" (codes such as QT-CT-01 stay whole where they can)
_BREAK_AFTER = re.compile(r"(?<=[/_.,;:])")


def _prose_hyphens(part: str) -> list[str]:
    """``part`` split after each hyphen between a lower-case letter and a letter ("sub-" / "department",
    "Vice-" / "Chairperson"): a word of prose may break there, a code (QT-CT-01, TT-BTNMT, NĐ-CP) never does."""
    out: list[str] = []
    start = 0
    for i in range(1, len(part) - 1):
        if part[i] == "-" and part[i - 1].islower() and part[i + 1].isalpha():
            out.append(part[start:i + 1])
            start = i + 1
    out.append(part[start:])
    return out


def _pieces(word: str, width: float, size: float, bold: bool) -> list[str]:
    """Cut a word wider than ``width``: first after "/" and other separators, then (only when a
    piece alone is still too wide) between characters, never right after a hyphen."""
    if text_width(word, size, bold) <= width:
        return [word]
    parts = [q for p in _BREAK_AFTER.split(word) if p for q in _prose_hyphens(p)]
    out: list[str] = []
    current = ""
    for part in parts:
        if current and text_width(current + part, size, bold) > width:
            out.append(current)
            current = ""
        if text_width(part, size, bold) <= width:
            current += part
            continue
        # a run with no separator: cut between characters, but never next to a "-"
        for ch in part:
            if (current and text_width(current + ch, size, bold) > width and not current.endswith("-")
                    and ch != "-"):
                out.append(current)
                current = ""
            current += ch
    if current:
        out.append(current)
    return out


@lru_cache(maxsize=16384)
def _wrap(text: str, width: float, size: float, bold: bool) -> tuple[str, ...]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if text_width(candidate, size, bold) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        pieces = _pieces(word, width, size, bold)
        lines.extend(pieces[:-1])
        current = pieces[-1]
    if current:
        lines.append(current)
    return tuple(lines)


def wrap(text: str, width: float, size: float, bold: bool = False) -> list[str]:
    """``text`` broken into lines no wider than ``width`` points (measured), never cut short."""
    return list(_wrap(text, round(width, 2), size, bold))
