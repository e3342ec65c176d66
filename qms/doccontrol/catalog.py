"""Which documents are controlled, where their control block lives, and how to find one by ID.

Controlled documents are the quality manual (``qms.yaml: manual``), the quality policy
when it has a ``policy.document`` block, every procedure (``processes/*.yaml: document``)
and every form. Forms have no control block of their own: a form is issued with the
document that lists it (an organisation-wide form with the manual, a process form with
its procedure), so it shares that document's revision, dates and state. A form that does
carry a ``document`` block (should the model grow one) is controlled by it directly.
"""

from __future__ import annotations

import calendar
import datetime as dt
import difflib
import unicodedata
from dataclasses import dataclass
from typing import Any, Literal

from qms.errors import UsageError
from qms.i18n import _, bilingual
from qms.models.common import DocumentControl, Text
from qms.store.workspace import Workspace

Kind = Literal["manual", "policy", "procedure", "form"]
DEFAULT_REVIEW_MONTHS = 12


@dataclass(slots=True)
class ControlledDoc:
    """One controlled document and the place of its control block."""

    id: str
    kind: Kind
    code: str
    title: Text | None
    path: str  # repository-relative file holding the control block
    pointer: str  # JSON pointer of the control block inside ``path`` ("" if none)
    control: DocumentControl | None
    parent: ControlledDoc | None = None  # forms: the document that issues them

    @property
    def controlling(self) -> ControlledDoc:
        """The document whose control block governs this one (itself, or a form's parent)."""
        if self.control is None and self.parent is not None:
            return self.parent
        return self

    def title_text(self, lang: str | None = None) -> str:
        return bilingual(self.title.vi, self.title.en, lang) if self.title is not None else ""


def _form_control(form: Any) -> DocumentControl | None:
    control = getattr(form, "document", None)
    return control if isinstance(control, DocumentControl) else None


def collect(ws: Workspace) -> list[ControlledDoc]:
    """Every controlled document of the repository, manual first, then procedures, then forms."""
    out: list[ControlledDoc] = []
    manifest = ws.manifest
    mdoc = ws.manifest_doc
    manual: ControlledDoc | None = None
    if manifest is not None and mdoc is not None:
        if manifest.manual is not None:
            manual = ControlledDoc(manifest.manual.code, "manual", manifest.manual.code,
                                   Text(vi="Sổ tay chất lượng", en="Quality manual"), mdoc.path, "/manual",
                                   manifest.manual)
            out.append(manual)
        if manifest.policy.document is not None:
            code = manifest.policy.document.code
            out.append(ControlledDoc(code, "policy", code, Text(vi="Chính sách chất lượng", en="Quality policy"),
                                     mdoc.path, "/policy/document", manifest.policy.document))
    procedures: list[ControlledDoc] = []
    for doc, proc in sorted(ws.processes(), key=lambda pair: pair[1].id):
        procedures.append(ControlledDoc(proc.id, "procedure", proc.document.code, proc.title, doc.path,
                                        "/document", proc.document))
    out.extend(procedures)
    if manifest is not None and mdoc is not None:
        for i, form in enumerate(manifest.forms):
            own = _form_control(form)
            out.append(ControlledDoc(form.code, "form", form.code, form.title, mdoc.path,
                                     f"/forms/{i}/document" if own else "", own, None if own else manual))
    for proc_doc, (doc, proc) in zip(procedures, sorted(ws.processes(), key=lambda pair: pair[1].id), strict=True):
        for i, form in enumerate(proc.forms):
            own = _form_control(form)
            out.append(ControlledDoc(form.code, "form", form.code, form.title, doc.path,
                                     f"/forms/{i}/document" if own else "", own, None if own else proc_doc))
    return out


def _key(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip().casefold()


def resolve(ws: Workspace, ident: str) -> ControlledDoc:
    """The controlled document named by ``ident``: a process id, the manual code or a form code."""
    from qms.store.paths import DOCUMENT, check_id

    ident = check_id(DOCUMENT, ident)
    docs = collect(ws)
    wanted = _key(ident)
    # precedence: process id, manual/policy code, procedure document code, form code
    passes: tuple[tuple[tuple[str, ...], bool], ...] = (
        (("procedure",), True), (("manual", "policy"), False), (("procedure",), False), (("form",), False))
    for kinds, by_id in passes:
        found = [d for d in docs if d.kind in kinds and _key(d.id if by_id else d.code) == wanted]
        if found:
            return found[0]
    known = sorted({d.id for d in docs} | {d.code for d in docs})
    close = difflib.get_close_matches(ident, known, n=1, cutoff=0.6)
    hint = (_("did you mean `{value}`?").format(value=close[0]) if close
            else _("run `qms doc status` to list the controlled documents"))
    if ws.manifest is None or any(d.model is None for d in ws.docs if d.kind in ("manifest", "process")):
        hint += "; " + _("some files do not load: run `qms check`")
    raise UsageError(_("no controlled document `{id}`").format(id=ident), hint)


def add_months(day: dt.date, months: int) -> dt.date:
    month0 = day.month - 1 + months
    year = day.year + month0 // 12
    month = month0 % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def review_interval(control: DocumentControl, ws: Workspace) -> int:
    if control.review_interval_months is not None:
        return control.review_interval_months
    manifest = ws.manifest
    return manifest.check.review_interval_months if manifest is not None else DEFAULT_REVIEW_MONTHS


def next_review(control: DocumentControl, ws: Workspace) -> dt.date | None:
    """The next periodic review: the later of the last review and the effective date, plus the interval."""
    if control.state == "obsolete":
        return None
    bases = [d for d in (control.last_review, control.effective_date) if d is not None]
    if not bases:
        return None
    return add_months(max(bases), review_interval(control, ws))
