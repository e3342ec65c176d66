"""The legal register of a loaded repository, for the commands (``qms refs``, ``qms due``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from qms.calendar import WorkingCalendar, calendar_from_settings
from qms.errors import QmsError, UsageError
from qms.i18n import _
from qms.legal.impact import Impact, impact
from qms.legal.register import Entry, Index
from qms.models.legal import LegalRegister
from qms.store.workspace import LoadedDoc, Workspace

REGISTER_PATH = "legal/register.yaml"


@dataclass(slots=True)
class LegalView:
    ws: Workspace
    doc: LoadedDoc[Any]
    register: LegalRegister
    index: Index
    months: int
    basis: str
    calendar: WorkingCalendar | None

    def find(self, ref: str) -> Entry:
        entry = self.index.resolve(ref)
        if entry is not None:
            return entry
        from difflib import get_close_matches

        close = get_close_matches(ref, self.index.names(), n=1, cutoff=0.5)
        hint = (_("did you mean `{name}`?").format(name=close[0]) if close
                else _("`qms refs list` shows the documents of the register"))
        raise UsageError(_("{ref!r} is not in the legal-reference register ({path})").format(
            ref=ref, path=REGISTER_PATH), hint)

    def impact(self, entry: Entry, as_of: dt.date) -> Impact:
        return impact(self.ws, entry, self.index, self.months, self.calendar, as_of)


def optional_view(ws: Workspace) -> LegalView | None:
    """The register of ``ws``, or None when the repository has none or it does not load."""
    docs = ws.of_kind("legal-register")
    if not docs or docs[0].model is None:
        return None
    return _view(ws, docs[0])


def open_view(ws: Workspace) -> LegalView:
    """The register of ``ws``; an error (exit 2) when it is missing or does not load."""
    docs = ws.of_kind("legal-register")
    if not docs:
        raise QmsError(_("this repository has no legal-reference register ({path})").format(path=REGISTER_PATH),
                       _("create {path} with one entry per document the procedures cite "
                         "(see docs/legal-references.md)").format(path=REGISTER_PATH))
    if docs[0].model is None:
        raise QmsError(_("{path} does not load").format(path=REGISTER_PATH),
                       _("run `qms check` to see its problems"))
    return _view(ws, docs[0])


def _view(ws: Workspace, doc: LoadedDoc[Any]) -> LegalView:
    m = ws.manifest
    try:
        cal = calendar_from_settings(m.calendar if m is not None else None)
    except ValueError:
        cal = None
    model = doc.model
    assert isinstance(model, LegalRegister)
    return LegalView(ws, doc, model, Index.build(model), m.legal.update_period_months if m else 3,
                     m.legal.basis if m else "QĐ 19/2014/QĐ-TTg, Điều 4 khoản 4 điểm a", cal)
