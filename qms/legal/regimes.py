"""The legal regimes of the one-stop mechanism, read from ``data/regimes.yaml`` (boundaries are data)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

from qms.legal.citation import nfc


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

    def title(self, lang: str) -> str:
        return self.title_vi if lang == "vi" else self.title_en

    def covers(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


@cache
def regimes() -> tuple[Regime, ...]:
    text = (resources.files("qms.legal") / "data" / "regimes.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    out = []
    for raw in data["regimes"]:
        out.append(Regime(str(raw["id"]), tuple(str(a) for a in raw.get("aliases") or ()), raw["title"]["vi"],
                          raw["title"]["en"], raw["from"], raw.get("until"), str(raw["one_stop"]),
                          str(raw["forms"]), str(raw.get("evidence", "to_confirm"))))
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
