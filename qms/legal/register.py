"""The index of the legal-reference register: resolve a citation to its entry, follow the chains."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

from qms.i18n import _
from qms.legal.citation import Citation, fold, law_title, parse, symbol_kinds
from qms.models.legal import LegalDocument, LegalLink, LegalRegister


@dataclass(frozen=True, slots=True)
class Entry:
    """A document of the register and its position (index) in ``documents``."""

    index: int
    doc: LegalDocument

    @property
    def number(self) -> str:
        return self.doc.number


def _keys(doc: LegalDocument) -> list[str]:
    keys = [parse(doc.number).key]
    keys.extend(parse(alias).key for alias in doc.aliases)
    if doc.kind in ("law", "code", "constitution"):
        year = ""
        c = parse(doc.number)
        if c.year:
            year = c.year
        elif doc.issued is not None:
            year = str(doc.issued.year)
        for title in (doc.title.vi, doc.title.en):
            if title.strip() and year:
                keys.append(f"law:{law_title(title)}:{year}")
        if doc.title.en.strip() and year:
            # as an English document cites it ("Law on Civil Status 2014", qms.legal.wording)
            keys.append(parse(f"{doc.title.en} {year}").key)
    return list(dict.fromkeys(keys))


@dataclass(slots=True)
class Index:
    """Every entry by each of its canonical keys; duplicates kept in ``clashes``."""

    entries: list[Entry] = field(default_factory=list)
    by_key: dict[str, Entry] = field(default_factory=dict)
    clashes: list[tuple[Entry, Entry, str]] = field(default_factory=list)  # (first, later, key)

    @classmethod
    def build(cls, register: LegalRegister) -> Index:
        index = cls()
        for i, doc in enumerate(register.documents):
            entry = Entry(i, doc)
            index.entries.append(entry)
            for key in _keys(doc):
                first = index.by_key.get(key)
                if first is None:
                    index.by_key[key] = entry
                elif first.index != i:
                    index.clashes.append((first, entry, key))
        return index

    def resolve(self, text: str) -> Entry | None:
        """The entry a citation names, or None. A short form (``NĐ 61/2018``) matches the one document of
        that number and year whose kind fits."""
        return self.resolve_citation(parse(text))

    def resolve_citation(self, c: Citation) -> Entry | None:
        found = self.by_key.get(c.key)
        if found is not None:
            if not c.kinds or found.doc.kind in c.kinds or c.title:
                return found
            return None
        if c.number and c.symbol:
            # the symbol typed without Vietnamese letters ("118/2025/ND-CP" for "118/2025/NĐ-CP")
            prefix = "/".join(p for p in (c.number, c.year) if p) + "/"
            wanted = fold(c.symbol)
            near = {e.index: e for k, e in self.by_key.items()
                    if k.startswith(prefix) and "/" not in k[len(prefix):] and fold(k[len(prefix):]) == wanted}
            if len(near) == 1:
                found = next(iter(near.values()))
                return found if not c.kinds or found.doc.kind in c.kinds else None
        if c.number and c.year and not c.symbol:
            prefix = f"{c.number}/{c.year}/"
            hits = {e.index: e for k, e in self.by_key.items() if k.startswith(prefix)
                    and (not c.kinds or e.doc.kind in c.kinds or symbol_kinds(k[len(prefix):]) & c.kinds)}
            if len(hits) == 1:
                return next(iter(hits.values()))
        return None

    def names(self) -> list[str]:
        """The number of every entry and its aliases, for "did you mean"."""
        out: list[str] = []
        for e in self.entries:
            out.append(e.doc.number)
            out.extend(e.doc.aliases)
        return out

    def link_target(self, link: LegalLink) -> Entry | None:
        return self.resolve(link.document)

    def link_date(self, link: LegalLink) -> dt.date | None:
        """The day a change takes effect: its own ``from``, else the in-force date of the other document."""
        if link.from_ is not None:
            return link.from_
        target = self.link_target(link)
        return target.doc.in_force if target is not None else None

    def superseded_documents(self, entry: Entry) -> Iterator[tuple[Entry, LegalLink]]:
        """The documents ``entry`` replaces (directly), with the link that says so."""
        for other in self.entries:
            for link in other.doc.superseded_by:
                if self.link_target(link) is entry or (
                        (t := self.link_target(link)) is not None and t.index == entry.index):
                    yield other, link

    def predecessors(self, entry: Entry) -> list[Entry]:
        """Every document ``entry`` replaces, directly or along a chain, nearest first."""
        out: list[Entry] = []
        seen = {entry.index}
        todo = [entry]
        while todo:
            current = todo.pop(0)
            for older, _link in self.superseded_documents(current):
                if older.index not in seen:
                    seen.add(older.index)
                    out.append(older)
                    todo.append(older)
        return out

    def successors(self, entry: Entry) -> list[Entry]:
        """The documents that replace ``entry``, along the chain, nearest first."""
        out: list[Entry] = []
        seen = {entry.index}
        todo = [entry]
        while todo:
            current = todo.pop(0)
            for link in current.doc.superseded_by:
                target = self.link_target(link)
                if target is not None and target.index not in seen:
                    seen.add(target.index)
                    out.append(target)
                    todo.append(target)
        return out


def status_on(doc: LegalDocument, index: Index, day: dt.date) -> str:
    """The status of ``doc`` on ``day``: ``not_yet_in_force`` before its in-force date; superseded or expired
    only once the change has taken effect; else ``amended`` when an amendment is in effect."""
    if doc.in_force is not None and day < doc.in_force:
        return "not_yet_in_force"
    for link in doc.superseded_by:
        when = index.link_date(link)
        if when is None or when <= day:
            return "superseded"
    if doc.status == "superseded" and not doc.superseded_by:
        return "superseded"
    if doc.status == "expired" and (doc.expired_on is None or doc.expired_on < day):
        return "expired"
    for link in doc.amended_by:
        when = index.link_date(link)
        if when is None or when <= day:
            return "amended"
    return "in_force"


def evidence_label(evidence: str) -> str:
    """How a reader is told how a fact of the register was verified (the ``evidence`` tag, translated)."""
    return {
        "official": _("official text"),
        "codified": _("legal codification"),
        "secondary": _("legal press"),
        "two_sources": _("two unofficial sources"),
        "recalled": _("recalled, to check"),
        "to_confirm": _("to confirm"),
    }.get(evidence, evidence)
