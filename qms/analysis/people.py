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

from qms.models.organisation import Manifest, Person, Role, Unit

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
    """People, roles and units of ``qms.yaml``, indexed by id and by normalised name.

    Build it once per workspace (a use case at its start, a rule through ``rules.base.directory``) and
    look things up here instead of scanning ``organisation.people``, ``roles`` or ``units``. When an
    id is declared twice (QMS101 reports it) the first declaration counts, as everywhere else.
    """

    people: dict[str, Person] = field(default_factory=dict)
    by_name: dict[str, Person] = field(default_factory=dict)
    roles: dict[str, Role] = field(default_factory=dict)
    units: dict[str, Unit] = field(default_factory=dict)

    @classmethod
    def of(cls, manifest: Manifest | None) -> Directory:
        d = cls()
        if manifest is None:
            return d
        org = manifest.organisation
        for p in org.people:
            d.people.setdefault(p.id, p)
            d.by_name.setdefault(normalise_name(p.name), p)
        for r in org.roles:
            d.roles.setdefault(r.id, r)
        for u in org.units:
            d.units.setdefault(u.id, u)
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
        if key in self.roles:
            return self.roles[key].title.get(lang)
        if key in self.units:
            return self.units[key].name.get(lang)
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

    def auditors(self) -> list[Person]:
        """The people marked ``auditor: true``, in the order of qms.yaml."""
        return [p for p in self.people.values() if p.auditor]

    def unit_of(self, person: Person) -> str | None:
        """The unit a person works in: their own ``unit``, else their role's."""
        if person.unit:
            return person.unit
        role = self.roles.get(person.role)
        return role.unit if role is not None else None

    def desk_owners(self) -> set[str]:
        """Unit ids flagged ``one_stop_desk`` and the ids of the roles that belong to such a unit."""
        units = {u.id for u in self.units.values() if u.one_stop_desk}
        return units | {r.id for r in self.roles.values() if r.unit in units}

    def label(self, ident: str, lang: str, *, by_name: bool = False) -> str:
        """What people call ``ident``: a person's name, a role's title or a unit's name (in ``lang``), in
        that order; ``ident`` as written when it names none. With ``by_name`` a person may also be
        named by their name as people write it."""
        person = self.person(ident) if by_name else self.people.get(ident)
        if person is not None:
            return person.name
        if ident in self.roles:
            return self.roles[ident].title.get(lang)
        if ident in self.units:
            return self.units[ident].name.get(lang)
        return ident
