"""The editions of ISO 9001 and their amendments, read as data.

Every ``edition_*.yaml`` under ``qms/standards/data/`` describes one edition::

    edition: "2015"                      # the year, as used by --from/--to and the correlation tables
    standard: "ISO 9001:2015"            # what qms.yaml's `standard:` says for this edition
    status: current                      # current | withdrawn | to confirm
    published: 2015-09-15
    clauses: iso9001_2015_clauses.yaml   # its clause catalogue (optional: none is shipped for an
                                         # edition whose text cannot be sourced yet)
    mandatory: {file: mandatory_documented_information.yaml, section: iso9001_2015}
    source: "where the facts come from"

and every ``amendment_*.yaml`` one amendment of an edition::

    amendment: "ISO 9001:2015/Amd 1:2024"
    amends: "2015"
    published: 2024-02-23
    changes: [{clause: "4.1", kind: requirement, text: {en: ..., vi: ...}, decision: climate_change}]
    decisions:                            # what a repository must record in qms.yaml `context:`
      climate_change: {clause: "4.1", question: {en: ..., vi: ...}}

A repository may declare an edition (``standard: ISO 9001:2015``) or an amended edition
(``standard: ISO 9001:2015/Amd 1:2024``) when the edition ships a clause catalogue. The amendments
of an edition apply to a repository that declares the edition once they are published (an
amendment is part of the edition it amends). Adding an edition or an amendment adds files, not code.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

import yaml

from qms.errors import ConfigError, UsageError
from qms.i18n import _

try:  # pragma: no cover
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

_YEAR = re.compile(r"^\d{4}$")


def _text(value: Any) -> str:
    return unicodedata.normalize("NFC", str(value)).strip() if value is not None else ""


def _bilingual(value: Any) -> dict[str, str]:
    if isinstance(value, Mapping):
        return {"en": _text(value.get("en", "")), "vi": _text(value.get("vi", ""))}
    return {"en": _text(value), "vi": _text(value)}


def _date(value: Any, origin: str, key: str) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ConfigError(_("{origin}: `{key}` must be a date YYYY-MM-DD").format(origin=origin, key=key)) from None


@dataclass(frozen=True, slots=True)
class Decision:
    """A decision an amendment asks the organisation to record (qms.yaml ``context.<key>``)."""

    key: str
    clause: str
    question: dict[str, str]
    amendment: str
    #: when the decision is "relevant", a context issue or an interested party should mention one of these
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Change:
    clause: str
    kind: str  # requirement | note
    text: dict[str, str]
    decision: str = ""


@dataclass(frozen=True, slots=True)
class Amendment:
    standard: str  # "ISO 9001:2015/Amd 1:2024"
    amends: str  # "2015"
    published: dt.date | None
    changes: tuple[Change, ...] = ()
    decisions: tuple[Decision, ...] = ()
    source: str = ""
    origin: str = ""

    def in_force(self, day: dt.date) -> bool:
        return self.published is None or self.published <= day


@dataclass(frozen=True, slots=True)
class Edition:
    edition: str  # "2015"
    standard: str  # "ISO 9001:2015"
    status: str
    published: dt.date | None = None
    clauses_file: str = ""
    mandatory_file: str = ""
    mandatory_section: str = ""
    source: str = ""
    note: str = ""
    origin: str = ""
    amendments: tuple[Amendment, ...] = ()

    @property
    def has_catalogue(self) -> bool:
        return bool(self.clauses_file)

    @property
    def to_confirm(self) -> bool:
        return self.status == "to confirm"


@dataclass(slots=True)
class Registry:
    editions: dict[str, Edition] = field(default_factory=dict)

    def get(self, edition: str) -> Edition:
        found = self.editions.get(edition)
        if found is None:
            raise UsageError(_("unknown edition ISO 9001:{edition}").format(edition=edition),
                             hint=_("known editions: {editions}").format(editions=", ".join(sorted(self.editions))))
        return found

    def declarable(self) -> list[str]:
        """The values qms.yaml's ``standard:`` may take: editions with a catalogue, and their amendments."""
        out: list[str] = []
        for key in sorted(self.editions, reverse=True):
            ed = self.editions[key]
            if not ed.has_catalogue:
                continue
            out.append(ed.standard)
            out.extend(a.standard for a in ed.amendments)
        return out

    def of_standard(self, standard: str) -> tuple[Edition, Amendment | None]:
        """The edition (and the amendment, if the text names one) of a declared ``standard:``."""
        wanted = _fold(standard)
        for ed in self.editions.values():
            if _fold(ed.standard) == wanted:
                return ed, None
            for amd in ed.amendments:
                if _fold(amd.standard) == wanted:
                    return ed, amd
        raise UsageError(_("unknown standard {standard!r}").format(standard=standard),
                         hint=_("qms knows: {standards}").format(standards=", ".join(self.declarable())))


def _fold(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFC", text)).casefold()


def _load_yaml(entry: Traversable) -> Any:
    try:
        return yaml.load(entry.read_text(encoding="utf-8"), Loader=_Loader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(_("cannot read standards data {name}: {detail}").format(name=entry.name, detail=exc)) from None


def _entries(directory: Traversable, pattern: str) -> list[Traversable]:
    found = [e for e in directory.iterdir() if fnmatch.fnmatchcase(e.name, pattern) and e.is_file()]
    return sorted(found, key=lambda e: e.name)


def _amendment(data: Any, origin: str) -> Amendment:
    if not isinstance(data, Mapping) or not data.get("amendment") or not data.get("amends"):
        raise ConfigError(_("{origin}: an amendment file needs `amendment:` and `amends:`").format(origin=origin))
    standard = _text(data["amendment"])
    changes: list[Change] = []
    for raw in data.get("changes") or []:
        if not isinstance(raw, Mapping) or "clause" not in raw:
            raise ConfigError(_("{origin}: every change needs a `clause:`").format(origin=origin))
        changes.append(Change(_text(raw["clause"]), _text(raw.get("kind", "requirement")), _bilingual(raw.get("text")),
                              _text(raw.get("decision", ""))))
    decisions: list[Decision] = []
    raw_decisions = data.get("decisions") or {}
    if not isinstance(raw_decisions, Mapping):
        raise ConfigError(_("{origin}: `decisions` must be a mapping of keys").format(origin=origin))
    for key, raw in raw_decisions.items():
        if not re.fullmatch(r"[a-z][a-z0-9_]*", str(key)) or not isinstance(raw, Mapping):
            raise ConfigError(_("{origin}: decision {key!r} must be a lower-case key with `clause:` and `question:`")
                              .format(origin=origin, key=key))
        words = raw.get("keywords") or []
        if not isinstance(words, list):
            raise ConfigError(_("{origin}: decision {key!r}: `keywords` must be a list").format(origin=origin, key=key))
        decisions.append(Decision(str(key), _text(raw.get("clause", "")), _bilingual(raw.get("question")), standard,
                                  tuple(_text(w).casefold() for w in words if _text(w))))
    return Amendment(standard, _text(data["amends"]), _date(data.get("published"), origin, "published"),
                     tuple(changes), tuple(decisions), _text(data.get("source", "")), origin)


def _edition(data: Any, origin: str, amendments: list[Amendment]) -> Edition:
    if not isinstance(data, Mapping) or not _YEAR.match(_text(data.get("edition"))) or not data.get("standard"):
        raise ConfigError(_("{origin}: an edition file needs `edition:` (a year) and `standard:`").format(origin=origin))
    year = _text(data["edition"])
    status = _text(data.get("status", "current"))
    if status not in ("current", "withdrawn", "to confirm"):
        raise ConfigError(_("{origin}: `status` must be current, withdrawn or to confirm").format(origin=origin))
    mandatory = data.get("mandatory") or {}
    if not isinstance(mandatory, Mapping):
        raise ConfigError(_("{origin}: `mandatory` must be a mapping with `file:` and `section:`").format(origin=origin))
    return Edition(
        edition=year, standard=_text(data["standard"]), status=status,
        published=_date(data.get("published"), origin, "published"),
        clauses_file=_text(data.get("clauses") or ""),
        mandatory_file=_text(mandatory.get("file", "")), mandatory_section=_text(mandatory.get("section", "")),
        source=_text(data.get("source", "")), note=_text(data.get("note", "")), origin=origin,
        amendments=tuple(a for a in amendments if a.amends == year),
    )


def load_registry(directory: Traversable) -> Registry:
    """Every ``edition_*.yaml`` and ``amendment_*.yaml`` of ``directory``."""
    amendments = [_amendment(_load_yaml(e), e.name) for e in _entries(directory, "amendment_*.yaml")]
    registry = Registry()
    for entry in _entries(directory, "edition_*.yaml"):
        ed = _edition(_load_yaml(entry), entry.name, amendments)
        if ed.edition in registry.editions:
            raise ConfigError(_("two files describe ISO 9001:{edition} ({first} and {second})").format(
                edition=ed.edition, first=registry.editions[ed.edition].origin, second=entry.name))
        registry.editions[ed.edition] = ed
    orphans = [a.standard for a in amendments if a.amends not in registry.editions]
    if orphans:
        raise ConfigError(_("amendments of an unknown edition: {names}").format(names=", ".join(orphans)))
    return registry


def data_root() -> Traversable:
    """The folder of the standards data: the package's own (``importlib.resources``)."""
    return resources.files("qms.standards") / "data"



@cache
def _data_file(name: str) -> Any:
    return _load_yaml(data_root() / name)


@cache
def registry() -> Registry:
    """The editions shipped with qms."""
    return load_registry(data_root())


def declarable_standards() -> list[str]:
    return registry().declarable()


def edition_of_standard(standard: str) -> str:
    """``"ISO 9001:2015/Amd 1:2024"`` → ``"2015"``; an unknown text → the year it names, else ``"2015"``."""
    try:
        return registry().of_standard(standard)[0].edition
    except UsageError:
        m = re.search(r"9001\s*:\s*(\d{4})", standard)
        return m.group(1) if m else "2015"


def amendments_in_force(standard: str, day: dt.date) -> list[Amendment]:
    """The amendments that apply to a repository declaring ``standard`` on ``day``."""
    try:
        edition, _declared = registry().of_standard(standard)
    except UsageError:
        return []
    return [a for a in edition.amendments if a.in_force(day)]


def mandatory_information(edition: str) -> dict[str, Any]:
    """The mandatory-documented-information section of ``edition`` (empty when none is shipped)."""
    ed = registry().get(edition)
    if not ed.mandatory_file or not ed.mandatory_section:
        return {}
    data = _data_file(ed.mandatory_file)
    section = data.get(ed.mandatory_section) if isinstance(data, Mapping) else None
    return dict(section) if isinstance(section, Mapping) else {}
