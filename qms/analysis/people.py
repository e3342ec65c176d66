"""Who is who: one index of the organisation's people, roles and units.

Sign-offs, action owners and report recipients name people as a person id (``binh``), a name as
people write it (``Trần Thị Bình``, any case, spacing or Unicode form) or, where a function rather
than a person is meant, a role or unit id. This index answers "who is that?" once, for the
commands that record such names and for the rules that check them.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Literal

from qms.analysis.ids import did_you_mean, plain_name, ranked
from qms.analysis.ids import normalise_name as normalise_name  # re-exported: where names are compared
from qms.errors import UsageError
from qms.i18n import _
from qms.models.organisation import Manifest, Person, Role, Unit

PartyKind = Literal["person", "role", "unit"]


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
    by_folded_id: dict[str, Person] = field(default_factory=dict)  # ids compared case-insensitively
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
            d.by_folded_id.setdefault(normalise_name(p.id), p)
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
        """The person ``text`` names, by id (exactly, else in any case) or by name; ``None`` when nobody
        matches."""
        key = unicodedata.normalize("NFC", text).strip()
        folded = normalise_name(key)
        return self.people.get(key) or self.by_name.get(folded) or self.by_folded_id.get(folded)

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
        """The closest known ids and names, best first (however far: never just the first ones listed);
        a person appears once, by whichever of their id or name is closer."""
        pool: dict[str, str] = {}  # candidate -> who it names (a person's id for both their id and name)
        if "person" in kinds:
            for p in self.people.values():
                pool.setdefault(p.id, p.id)
                pool.setdefault(p.name, p.id)
        if "role" in kinds:
            pool.update({r: "role:" + r for r in self.roles if r not in pool})
        if "unit" in kinds:
            pool.update({u: "unit:" + u for u in self.units if u not in pool})
        out: dict[str, str] = {}
        for candidate in ranked(text, pool, len(pool)):
            out.setdefault(pool[candidate], candidate)
        return list(out.values())[:n]

    def actor(self, text: str, option: str = "--by") -> Person | None:
        """The person ``text`` (given with ``option``: who did something) names, by id or by name (NFC,
        any case or spacing). When the organisation lists people, anyone else is refused with the closest
        names, since the name becomes evidence; when it lists none, ``None`` (anyone is accepted)."""
        person = self.person(text)
        if person is not None or not self.people:
            return person
        key = unicodedata.normalize("NFC", text).strip()
        names = self._closest(key)
        raise UsageError(_("{option} `{name}` is not a person of organisation.people").format(option=option, name=key),
                         _("did you mean {names}? Otherwise add the person to organisation.people in qms.yaml "
                           "first").format(names=names))

    def _closest(self, key: str) -> str:
        """The people ``key`` (naming nobody) may mean, as ``Name (id)``: the one person it names without
        diacritics, or one clear favourite; else the closest three."""
        close = [p for p in (self.person(c) for c in self.suggestions(key, ("person",), 3)) if p is not None]
        same = [p for p in close if plain_name(key) in (plain_name(p.id), plain_name(p.name))]
        favourite = self.person(did_you_mean(key, [*self.people, *(p.name for p in self.people.values())]) or "")
        close = same or ([favourite] if favourite is not None else close)
        return ", ".join(f"{p.name} ({p.id})" for p in close)

    def git_actor_name(self, text: str) -> str:
        """What to record for who did something when git's ``user.name`` (``text``) stands in for ``--by``.

        When the organisation lists people, ``text`` must name one: by id or name (any case or Unicode
        form, as ``actor_name``) or, since git names are often typed without diacritics, by the one
        person it names without them; recorded as qms.yaml spells it. Anyone else is refused with the
        closest names. When it lists none, ``text`` as given."""
        if not self.people:
            return text
        key = unicodedata.normalize("NFC", text).strip()
        person = self.person(key)
        if person is None:
            plain = plain_name(key)
            same = [p for p in self.people.values() if plain in (plain_name(p.id), plain_name(p.name))]
            person = same[0] if len(same) == 1 else None
        if person is not None:
            return person.id if normalise_name(key) == normalise_name(person.id) else person.name
        raise UsageError(_("git's user.name `{name}` is not a person of organisation.people").format(name=key),
                         _("did you mean {names}? Pass --by NAME, or fix git's user.name "
                           "(git config user.name \"Name\")").format(names=self._closest(key)))

    def actor_name(self, text: str, option: str = "--by") -> str:
        """What to record for who did something (``actor``): a person id or a name as qms.yaml spells it
        (``An`` for the id ``an`` is ``an``); when the organisation lists no people, ``text`` as given
        (NFC, trimmed)."""
        key = unicodedata.normalize("NFC", text).strip()
        person = self.actor(key, option)
        if person is None:
            return key
        if normalise_name(key) == normalise_name(person.id) and self.people.get(person.id) is person:
            return person.id
        return person.name

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
