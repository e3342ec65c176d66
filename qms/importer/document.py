"""The document model of what was read from a Word file: located text blocks, legacy fonts converted.

``store.word`` gives paragraphs (runs with font names) and tables (a grid of merged cells). Here each
becomes a :class:`Line` or a :class:`Grid` of cell texts, in NFC, with legacy-font runs converted and
counted, and the automatic number Word shows put back in front of the text ("Bước 1: ...").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from qms.analysis.legacy import fold
from qms.i18n import N_, _, get_language, translate
from qms.importer.legacy_fonts import convert, font_encoding
from qms.store.word import Para, Table, WordFile


@dataclass(slots=True)
class Line:
    text: str
    where: str
    style: str = ""
    number: str = ""
    comments: list[str] = field(default_factory=list)

    @property
    def folded(self) -> str:
        return fold(self.text)


@dataclass(slots=True)
class Grid:
    number: int
    where: str
    cells: list[list[str]]  # row × column texts; a merged cell repeats
    origins: list[list[tuple[int, int]]]
    comments: list[list[list[str]]]


@dataclass(slots=True)
class Reading:
    """Everything read from one file, in reading order."""

    name: str
    blocks: list[Line | Grid]
    header: list[Line | Grid]
    comments: dict[str, tuple[str, str]]  # id -> (author, text)
    converted_runs: dict[str, int] = field(default_factory=dict)  # encoding -> runs converted
    kept: list[str] = field(default_factory=list)
    converted: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)


def _text(para: Para, reading: Reading) -> str:
    parts: list[str] = []
    for run in para.runs:
        enc = font_encoding(run.font)
        if enc:
            reading.converted_runs[enc] = reading.converted_runs.get(enc, 0) + 1
            parts.append(convert(run.text, enc))
        else:
            parts.append(run.text)
    text = unicodedata.normalize("NFC", "".join(parts))
    return " ".join(text.replace("\t", " ").split()) if "\n" not in text else "\n".join(
        " ".join(line.split()) for line in text.split("\n"))


def _line(para: Para, reading: Reading) -> Line:
    text = _text(para, reading)
    if para.number and para.number != "-":
        text = f"{para.number} {text}".strip()
    elif para.number == "-":
        text = f"- {text}".strip()
    return Line(text, para.where, para.style, para.number, list(para.comments))


def _grid(table: Table, reading: Reading) -> Grid:
    cells: list[list[str]] = []
    origins: list[list[tuple[int, int]]] = []
    comments: list[list[list[str]]] = []
    cache: dict[int, tuple[str, list[str]]] = {}
    for row in table.rows:
        texts, origs, coms = [], [], []
        for cell in row:
            key = id(cell.paras)
            if key not in cache:
                lines = [_line(p, reading) for p in cell.paras]
                cache[key] = ("\n".join(x.text for x in lines if x.text), [c for x in lines for c in x.comments])
            text, cids = cache[key]
            texts.append(text)
            origs.append(cell.origin)
            coms.append(cids)
        cells.append(texts)
        origins.append(origs)
        comments.append(coms)
    return Grid(table.number, table.where, cells, origins, comments)


def _blocks(items: list[Para | Table], reading: Reading) -> list[Line | Grid]:
    out: list[Line | Grid] = []
    for item in items:
        if isinstance(item, Table):
            out.append(_grid(item, reading))
        else:
            line = _line(item, reading)
            if line.text or line.comments:
                out.append(line)
    return out


def read(word: WordFile) -> Reading:
    """The located text of ``word`` and the lists of what was kept, converted and dropped."""
    reading = Reading(word.name, [], [], {c.id: (c.author, c.text) for c in word.comments.values()})
    reading.blocks = _blocks(word.body, reading)
    reading.header = _blocks(word.header, reading)
    if word.macros_dropped:
        reading.dropped.append(_("macros: {parts}").format(parts=", ".join(word.macros_dropped)))
    if word.insertions or word.deletions:
        reading.converted.append(_("tracked changes pending ({ins} insertions, {dels} deletions): read as accepted")
                                 .format(ins=word.insertions, dels=word.deletions))
    if word.numbered:
        reading.converted.append(_("automatic numbering: {n} numbered paragraphs read with their numbers").format(n=word.numbered))
    for enc, n in sorted(reading.converted_runs.items()):
        reading.converted.append(_("legacy font {encoding}: {n} runs converted to Unicode").format(encoding=enc.upper(), n=n))
    if word.header:
        reading.kept.append(_("header part: {n} blocks read").format(n=len(word.header)))
    if word.comments:
        reading.kept.append(_("comments: {n} (brought in with --comments)").format(n=len(word.comments)))
    if word.text_boxes:
        reading.dropped.append(_("text boxes: {n} (not read)").format(n=word.text_boxes))
    if word.drawings:
        reading.dropped.append(_("drawn shapes: {n} (a flowchart drawn in Word is not read)").format(n=word.drawings))
    if word.images:
        reading.dropped.append(_("images: {n} (not read)").format(n=word.images))
    if word.content_controls:
        reading.kept.append(_("content controls: {n} (their text read in place)").format(n=word.content_controls))
    return reading


#: the words of a location ("header, table 3, row 4, column 2", "paragraph 12"), as store.word and the
#: mapper write them
_LOCATION_WORDS = (N_("header"), N_("table {n}"), N_("row {row}, column {col}"), N_("row {n}"), N_("paragraph {n}"))


def relocate(text: str, source: str) -> str:
    """``text`` with its locations, written in language ``source`` (the draft's), in the language of
    messages: the report names "table 3, row 4" as the user reads, the draft as the organisation does."""
    target = get_language()
    if source == target:
        return text
    out = text
    for msgid in _LOCATION_WORDS:
        written = translate(msgid, source)
        names = re.findall(r"\{(\w+)\}", written)
        pattern = re.escape(written)
        for name in names:
            pattern = pattern.replace(re.escape("{" + name + "}"), f"(?P<{name}>\\d+)")
        words = translate(msgid, target)

        def swap(m: re.Match[str], words: str = words) -> str:
            return words.format(**m.groupdict())

        out = re.sub(r"(?<!\w)" + pattern + r"(?!\w)", swap, out)
    return out
