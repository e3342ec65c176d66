"""Ids a rendered document would print as written because they name nothing (a typo in `responsible`)."""

from __future__ import annotations

from qms.analysis.documents import IMPORT_PLACEHOLDER_ID
from qms.analysis.ids import did_you_mean
from qms.analysis.people import Directory
from qms.models.organisation import Manifest
from qms.models.process import Process


def unresolved_parties(proc: Process, manifest: Manifest | None) -> list[tuple[str, str, str | None]]:
    """The ids a rendered procedure prints as who does a step or keeps a record that name no role, unit,
    person or participating agency: ``(JSON pointer, id, the one close id or None)`` each. A document
    prints such an id as written ("thu_ky_isoo"), so ``qms render`` warns of them. The roles an imported
    draft proposes print their title, and the import placeholder prints nothing: neither is listed here
    (``qms check`` reports both)."""
    d = Directory.of(manifest)
    agencies = {a.id for a in proc.administrative.agencies} if proc.administrative is not None else set()
    known = set(d.roles) | set(d.units) | set(d.people) | agencies | {r.id for r in proc.proposed_roles}
    known.add(IMPORT_PLACEHOLDER_ID)
    found: list[tuple[str, str, str | None]] = []
    fields = [(f"/steps/{i}/responsible", s.responsible) for i, s in enumerate(proc.steps)]
    fields += [(f"/records/{i}/responsible", r.responsible) for i, r in enumerate(proc.records)]
    for ptr, ident in fields:
        if ident and ident not in known:
            found.append((ptr, ident, did_you_mean(ident, known)))
    return found
