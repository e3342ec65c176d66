"""Who is who: one index of the organisation's people, roles and units.

Sign-offs, action owners and report recipients name people as a person id (``binh``), a name as
people write it (``Trần Thị Bình``, any case, spacing or Unicode form) or, where a function rather
than a person is meant, a role or unit id. This index answers "who is that?" once, for the
commands that record such names and for the rules that check them.
"""

from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass, field
from typing import Literal

from qms.models.common import Text
from qms.models.organisation import Manifest, Person

PartyKind = Literal["person", "role", "unit"]


def normalise_name(text: str) -> str:
    """A name as people compare names: NFC, case-insensitive, whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def same_person(a: str | None, b: str | None) -> bool:
    """Two names (or ids) refer to the same person as people read them."""
    if not a or not b:
        return False
    return normalise_name(a) == normalise_name(b)


@dataclass(slots=True)
class Directory:
    """People, roles and units of ``qms.yaml``, indexed by id and by normalised name."""

    people: dict[str, Person] = field(default_factory=dict)
    by_name: dict[str, Person] = field(default_factory=dict)
    roles: dict[str, str] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)
    role_titles: dict[str, Text] = field(default_factory=dict)
    unit_names: dict[str, Text] = field(default_factory=dict)

    @classmethod
    def of(cls, manifest: Manifest | None) -> Directory:
        d = cls()
        if manifest is None:
            return d
        org = manifest.organisation
        for p in org.people:
            d.people.setdefault(p.id, p)
            d.by_name.setdefault(normalise_name(p.name), p)
        d.roles = {r.id: r.title.vi for r in org.roles}
        d.units = {u.id: u.name.vi for u in org.units}
        d.role_titles = {r.id: r.title for r in org.roles}
        d.unit_names = {u.id: u.name for u in org.units}
        return d

    def display(self, text: str | None, lang: str) -> str:
        """How a report shows ``text``: a person's name, a role's title or a unit's name in ``lang``;
        anything else (a name of someone outside the organisation) as written."""
        if not text:
            return ""
        key = unicodedata.normalize("NFC", text).strip()
        person = self.person(key)
        if person is not None:
            return person.name
        if key in self.role_titles:
            return self.role_titles[key].get(lang)
        if key in self.unit_names:
            return self.unit_names[key].get(lang)
        return text

    def person(self, text: str) -> Person | None:
        """The person ``text`` names, by id or by name; ``None`` when nobody matches."""
        key = unicodedata.normalize("NFC", text).strip()
        return self.people.get(key) or self.by_name.get(normalise_name(key))

    def party(self, text: str, kinds: tuple[PartyKind, ...] = ("person", "role", "unit")) -> PartyKind | None:
        """What ``text`` names among ``kinds``: a person (id or name), a role id or a unit id."""
        key = unicodedata.normalize("NFC", text).strip()
        if "person" in kinds and self.person(key) is not None:
            return "person"
        if "role" in kinds and key in self.roles:
            return "role"
        if "unit" in kinds and key in self.units:
            return "unit"
        return None

    def suggestions(self, text: str, kinds: tuple[PartyKind, ...] = ("person",), n: int = 5) -> list[str]:
        """The closest known ids and names, best first."""
        pool: list[str] = []
        if "person" in kinds:
            pool += [p.id for p in self.people.values()] + [p.name for p in self.people.values()]
        if "role" in kinds:
            pool += list(self.roles)
        if "unit" in kinds:
            pool += list(self.units)
        close = difflib.get_close_matches(text, pool, n=n, cutoff=0.5)
        folded = {normalise_name(c): c for c in pool}
        close += [folded[k] for k in difflib.get_close_matches(normalise_name(text), list(folded), n=n, cutoff=0.5)]
        return list(dict.fromkeys(close))[:n] or sorted(pool)[:n]
