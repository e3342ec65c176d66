"""``qms doc status``: the list of controlled documents (danh mục tài liệu) as text, JSON or CSV."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass

from qms.analysis.documents import state_label
from qms.doccontrol.catalog import collect, next_review
from qms.doccontrol.history import ApprovalCheck, changed_after_approval
from qms.i18n import _
from qms.output.table import columns
from qms.store.workspace import Workspace


@dataclass(frozen=True, slots=True)
class StatusRow:
    id: str
    kind: str
    code: str
    title: str
    revision: int | None
    effective_date: str | None
    next_review: str | None
    state: str | None
    path: str
    controlled_by: str | None  # forms: the code of the document that issues them
    # an approved procedure edited after its approval without a new revision (None: cannot be told)
    changed_after_approval: bool | None = None
    approval_commit: str | None = None  # the commit that recorded the approval, when it was changed since


def status_rows(ws: Workspace, lang: str | None = None, *, check_approvals: bool = False) -> list[StatusRow]:
    """One row per controlled document; ``check_approvals`` compares approved procedures with git."""
    rows: list[StatusRow] = []
    checked: dict[str, ApprovalCheck | None] = {}
    for doc in collect(ws):
        governing = doc.controlling
        control = governing.control
        due = next_review(control, ws) if control is not None else None
        if check_approvals and governing.path not in checked:
            checked[governing.path] = changed_after_approval(ws, governing)
        drift = checked.get(governing.path)
        rows.append(StatusRow(
            id=doc.id, kind=doc.kind, code=doc.code, title=doc.title_text(lang),
            revision=control.revision if control else None,
            effective_date=control.effective_date.isoformat() if control and control.effective_date else None,
            next_review=due.isoformat() if due else None,
            state=control.state if control else None,
            path=governing.path,
            controlled_by=governing.code if governing is not doc else None,
            changed_after_approval=drift.changed if drift is not None else None,
            approval_commit=drift.commit.commit if drift is not None and drift.changed else None,
        ))
    return rows


def _shown(day: str | None) -> str:
    """An ISO date of a row as people read it (dd/mm/yyyy); "-" when there is none."""
    if not day:
        return "-"
    from qms.i18n import format_date

    try:
        return format_date(dt.date.fromisoformat(day))
    except ValueError:
        return day


def to_text(rows: list[StatusRow]) -> str:
    headers = [_("Code"), _("Kind"), _("Rev."), _("Effective"), _("Next review"), _("State"), _("Title")]
    kinds = {"manual": _("manual"), "policy": _("policy"), "procedure": _("procedure"), "form": _("form")}
    table = [headers]
    for r in rows:
        title = r.title + (f" ({_('issued with {code}').format(code=r.controlled_by)})" if r.controlled_by else "")
        table.append([r.code, kinds.get(r.kind, r.kind), "-" if r.revision is None else str(r.revision),
                      _shown(r.effective_date), _shown(r.next_review),
                      state_label(r.state) + (" (" + _("changed after approval") + ")"
                                              if r.changed_after_approval else ""), title])
    lines = columns(table)
    if not rows:
        lines.append(_("no controlled documents"))
    return "\n".join(lines) + "\n"


def to_json(rows: list[StatusRow]) -> str:
    return json.dumps({"documents": [asdict(r) for r in rows]}, ensure_ascii=False, indent=2) + "\n"


def to_csv(rows: list[StatusRow]) -> str:
    from qms.output.csvfmt import dicts_to_csv

    def cells(row: StatusRow) -> dict[str, object]:
        out = asdict(row)
        flag = out["changed_after_approval"]
        out["changed_after_approval"] = "" if flag is None else ("true" if flag else "false")
        return out

    return dicts_to_csv(list(StatusRow.__dataclass_fields__), (cells(r) for r in rows))


FORMATS = {"text": to_text, "json": to_json, "csv": to_csv}


def changed_rows(rows: list[StatusRow]) -> list[StatusRow]:
    """The documents edited after their approval, once each (not again for the forms they issue)."""
    return [r for r in rows if r.changed_after_approval and r.controlled_by is None]
