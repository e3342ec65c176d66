"""The legal regimes of the one-stop mechanism, read from ``data/regimes.yaml`` (boundaries are data)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

from qms.legal.citation import nfc


@dataclass(frozen=True, slots=True)
class BasisEntry:
    """A document the one-stop rules cite while it applies: the decree, an amendment, a partial repeal."""

    document: str
    role: str  # "" (the decree itself), "amends" or "repeals"
    part: str
    start: dt.date | None
    end: dt.date | None
    evidence: str

    def applies(self, day: dt.date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


@dataclass(frozen=True, slots=True)
class Regime:
    id: str
    aliases: tuple[str, ...]
    title_vi: str
    title_en: str
    start: dt.date
    end: dt.date | None
    one_stop: str
    forms: str
    evidence: str
    levels: tuple[str, ...] = ("province", "district", "commune")
    basis: tuple[BasisEntry, ...] = ()
    obligations_vi: str = ""  # what the KPI report cites for the one-stop obligations it counts
    obligations_en: str = ""

    def title(self, lang: str) -> str:
        return self.title_vi if lang == "vi" else self.title_en

    def covers(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)

    def basis_on(self, day: dt.date) -> tuple[BasisEntry, ...]:
        """The one-stop documents that apply to a procedure taking effect on ``day``."""
        return tuple(b for b in self.basis if b.applies(day))


@cache
def regimes() -> tuple[Regime, ...]:
    text = (resources.files("qms.legal") / "data" / "regimes.yaml").read_text(encoding="utf-8")
    data = yaml.load(text, Loader=_Loader)
    out = []
    for raw in data["regimes"]:
        obligations = raw.get("obligations") or {}
        basis = tuple(BasisEntry(str(b["document"]), str(b.get("role", "")), str(b.get("part", "")),
                                 b.get("from"), b.get("until"), str(b.get("evidence", "to_confirm")))
                      for b in raw.get("one_stop_basis") or ())
        out.append(Regime(str(raw["id"]), tuple(str(a) for a in raw.get("aliases") or ()), raw["title"]["vi"],
                          raw["title"]["en"], raw["from"], raw.get("until"), str(raw["one_stop"]),
                          str(raw["forms"]), str(raw.get("evidence", "to_confirm")),
                          tuple(str(v) for v in raw.get("levels") or ("province", "district", "commune")),
                          basis, nfc(str(obligations.get("vi", ""))), nfc(str(obligations.get("en", "")))))
    return tuple(out)


def _key(label: str) -> str:
    return " ".join(nfc(label).casefold().split())


def find(label: str) -> tuple[Regime | None, bool]:
    """The regime a label names and whether the label is an alias (an older name) rather than its id."""
    key = _key(label)
    for r in regimes():
        if key == _key(r.id):
            return r, False
    for r in regimes():
        if any(key == _key(a) for a in r.aliases):
            return r, True
    return None, False


def on(day: dt.date) -> Regime | None:
    """The regime in force on ``day``."""
    return next((r for r in regimes() if r.covers(day)), None)


def overlapping(start: dt.date, end: dt.date) -> tuple[Regime, ...]:
    """The regimes in force on some day from ``start`` to ``end`` (inclusive), oldest first."""
    return tuple(r for r in regimes() if r.start <= end and (r.end is None or start <= r.end))


def one_stop_basis(day: dt.date) -> tuple[BasisEntry, ...]:
    """The one-stop documents in force for a procedure that takes effect on ``day`` (empty before 2018)."""
    regime = on(day)
    return regime.basis_on(day) if regime is not None else ()


def level_abolished(level: str, day: dt.date) -> Regime | None:
    """The regime in force on ``day`` when it has no ``level`` of local government (None when it has)."""
    regime = on(day)
    return regime if regime is not None and level not in regime.levels else None
