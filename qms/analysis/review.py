"""Management reviews held so far, and the day the system started (when the first review falls due).

Read by the QMS7xx rules and by ``qms due``.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from qms.store.workspace import LoadedDoc, Workspace

if TYPE_CHECKING:  # the model loads only when review records exist (see FileKind)
    from qms.models.review import ManagementReview

KIND = "management-review"


def reviews(ws: Workspace) -> list[tuple[LoadedDoc[Any], ManagementReview]]:
    return sorted(((d, m) for d, m in ws.models(KIND)), key=lambda dm: (dm[1].date, dm[1].id))


def system_start(ws: Workspace) -> dt.date | None:
    """The day the system was first issued: the earliest first-issue date of its documents."""
    days: list[dt.date] = []
    manifest = ws.manifest
    controls = [manifest.manual] if manifest is not None and manifest.manual is not None else []
    controls += [proc.document for _d, proc in ws.processes()]
    for control in controls:
        firsts = [h.date for h in control.history if h.revision <= 1]
        if firsts:
            days.append(min(firsts))
        elif control.revision <= 1 and control.effective_date is not None:
            days.append(control.effective_date)
    return min(days) if days else None
