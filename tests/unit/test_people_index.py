"""The one index of people, roles and units (``qms.analysis.people.Directory``), and that nothing scans
``organisation.people``, ``roles`` or ``units`` for a lookup any more."""

from __future__ import annotations

import re
from pathlib import Path

from qms.analysis.people import Directory
from qms.models.common import Text
from qms.models.organisation import Manifest, Person, Role, Unit
from qms.rules.base import CheckContext
from qms.store.workspace import load_manifest, load_workspace

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "qms"


def _example() -> Manifest:
    manifest = load_manifest(REPO)
    assert manifest is not None
    return manifest


def test_the_index_answers_what_the_scans_answered() -> None:
    """Every person, role and unit of the example organisation is found by id, with what qms.yaml says."""
    m = _example()
    d = Directory.of(m)
    org = m.organisation
    assert list(d.people) == [p.id for p in org.people]
    assert list(d.roles) == [r.id for r in org.roles]
    assert list(d.units) == [u.id for u in org.units]
    assert d.auditors() == [p for p in org.people if p.auditor]
    desk_units = {u.id for u in org.units if u.one_stop_desk}
    assert desk_units == {"mot_cua"}
    assert d.desk_owners() == desk_units | {r.id for r in org.roles if r.unit in desk_units}
    for p in org.people:
        role_unit = next(r.unit for r in org.roles if r.id == p.role)
        assert d.unit_of(p) == (p.unit or role_unit)


def test_unit_of_falls_back_to_the_role() -> None:
    d = Directory.of(_example())
    someone = Person(id="x", name="X", role="chu_tich")
    assert d.unit_of(someone) == "lanh_dao"
    assert d.unit_of(Person(id="y", name="Y", role="no_such_role")) is None


def test_first_declaration_wins() -> None:
    """An id declared twice (QMS101 reports it) resolves to its first declaration, for every kind."""
    m = _example()
    org = m.organisation
    twin = org.model_copy(update={
        "people": [*org.people, Person(id=org.people[0].id, name="Someone Else", role=org.roles[-1].id)],
        "roles": [*org.roles, Role(id=org.roles[0].id, title=Text(vi="Khác", en="Other"))],
        "units": [*org.units, Unit(id=org.units[0].id, name=Text(vi="Khác", en="Other"))],
    })
    d = Directory.of(m.model_copy(update={"organisation": twin}))
    assert d.people[org.people[0].id] is org.people[0]
    assert d.roles[org.roles[0].id] is org.roles[0]
    assert d.units[org.units[0].id] is org.units[0]


def test_label_order_and_unknown_text() -> None:
    """A label is a person's name, else a role's title, else a unit's name, in the language asked; else as written."""
    m = _example()
    d = Directory.of(m)
    person, role, unit = m.organisation.people[0], m.organisation.roles[0], m.organisation.units[0]
    assert d.label(person.id, "en") == person.name
    assert d.label(role.id, "en") == role.title.en and d.label(role.id, "vi") == role.title.vi
    assert d.label(unit.id, "vi") == unit.name.vi
    assert d.label("nobody at all", "en") == "nobody at all"
    shouted = person.name.upper()
    assert d.label(shouted, "en") == shouted  # ids only, unless asked
    assert d.label(shouted, "en", by_name=True) == person.name
    assert Directory.of(None).label("chu_tich", "en") == "chu_tich"


def test_a_check_builds_the_index_once() -> None:
    ctx = CheckContext(load_workspace(REPO))
    first = ctx.directory()
    assert ctx.directory() is first
    assert set(first.roles) == {r.id for r in _example().organisation.roles}


# Where a module may still walk the lists of qms.yaml: to report on each entry by its position
# (schema-like checks need the list index for the location), to list them all in a document, or
# to build the index itself. A lookup by id goes through Directory.
WALKS_ALLOWED = {
    "qms/analysis/people.py": "builds the index",
    "qms/analysis/matrix.py": "asks whether any role is defined",
    "qms/rules/identity.py": "duplicate ids and unknown references, reported at each entry's position",
    "qms/rules/style.py": "checks the wording of each role at its position",
    "qms/render/viewmodels.py": "the quality manual lists every role as written",
}
_WALK = re.compile(r"\.organisation\.(people|roles|units)\b|\borg\.(people|roles|units)\b")


def test_no_module_scans_people_roles_or_units_for_a_lookup() -> None:
    """Item 2 of the structure issue: no linear scans of people, roles or units outside the index."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(REPO).as_posix()
        if rel.startswith("qms/models/") or rel in WALKS_ALLOWED:
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if _WALK.search(line.split("#", 1)[0]):
                found.append(f"{rel}:{n}: {line.strip()}")
    assert not found, "use qms.analysis.people.Directory for these lookups:\n" + "\n".join(found)
