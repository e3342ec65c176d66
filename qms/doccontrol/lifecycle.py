"""Revise and approve a controlled document by editing its YAML control block in place.

Life cycle of one revision (lần ban hành)::

    approved --revise--> draft --approve --as reviewer--> in_review --approve --as approver--> approved

``revise`` raises the revision number, adds a history row (Lần sửa đổi | Trang | Nội dung thay
đổi | Ngày), removes the effective date and the previous revision's reviewer and approver (the
previous revision stays in force, in git history and in ``approvals``, until the new one is
approved) and sets the state to ``draft``. ``approve`` records approvals in
order, reviewer before approver; the approver must not be the preparer. The approver's approval
sets the effective date and the state ``approved``.

Edits are round-trip (comments and layout kept) and atomic; a refused transition raises
:class:`~qms.errors.InvalidTransition` (exit 1) and leaves the file untouched.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError
from ruamel.yaml.comments import CommentedMap

from qms.analysis.documents import import_source, is_import_comment, open_import_notes, state_label
from qms.analysis.people import Directory, same_person
from qms.doccontrol.catalog import ControlledDoc, resolve
from qms.errors import InvalidTransition, UsageError
from qms.i18n import _
from qms.models.common import DocumentControl
from qms.store.paths import confined
from qms.store.workspace import Workspace
from qms.store.yaml_edit import (
    YamlEditError,
    drop_comments,
    edit_yaml_file,
    flow_map,
    is_flow,
    new_seq,
    set_key,
)
from qms.store.yaml_edit import resolve as resolve_pointer

Role = Literal["reviewer", "approver"]

#: At most this many of the items `qms import` left to check are named when an approval is refused
_NOTES_SHOWN = 8


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a life-cycle command did, for the CLI to report."""

    doc: ControlledDoc  # the document whose control block was edited
    requested: str  # the ID the user gave (a form code resolves to its issuing document)
    revision: int
    state: str
    effective_date: dt.date | None = None
    kept_issued_on: dt.date | None = None  # the imported revision's own date of issue, kept by the approval
    import_comments: int = 0  # comment lines of `qms import` removed by the approval


def person_name(ws: Workspace, who: str) -> str:
    """The name of the person ``who`` names (a person id or a name in ``organisation.people``).

    Sign-offs are evidence of who did what, so they name a person of the organisation; anyone else
    is refused with the closest matches.
    """
    text = unicodedata.normalize("NFC", who).strip()
    if not text:
        raise UsageError(_("--by needs a name"), _("give the person's name or their id from qms.yaml"))
    person = Directory.of(ws.manifest).actor(text)  # an unknown name is refused with the closest ones
    if person is None:  # the organisation lists nobody: a sign-off still needs a person of qms.yaml
        raise UsageError(
            _("nobody called `{name}` is in organisation.people").format(name=text),
            _("give a person's id or name from qms.yaml (closest: {known}), or add the person to "
              "organisation.people first").format(known="-"))
    return person.name


def person_title(ws: Workspace, name: str) -> Any:
    """The position (chức vụ) of the person called ``name``: their role's title as YAML to write into a
    sign-off, so that the approval block shows it; None when the role has no title."""
    directory = Directory.of(ws.manifest)
    person = directory.person(name)
    role = directory.roles.get(person.role) if person is not None else None
    if role is None or not (role.title.vi or role.title.en):
        return None
    if role.title.vi == role.title.en:
        return role.title.vi
    return flow_map({"vi": role.title.vi, "en": role.title.en})


def _drafted_on(control: DocumentControl) -> dt.date | None:
    """The day the current revision was drafted: its history row, or else the preparer's date."""
    entry = next((e for e in reversed(control.history) if e.revision == control.revision), None)
    if entry is not None:
        return entry.date
    return control.prepared_by.date if control.prepared_by is not None else None


def _target(ws: Workspace, ident: str) -> ControlledDoc:
    doc = resolve(ws, ident).controlling
    if doc.control is None or not doc.pointer:
        raise UsageError(
            _("`{id}` has no document control block to edit").format(id=ident),
            _("add a `manual:` block to qms.yaml (forms in qms.yaml are issued with the manual)"))
    return doc


def _block(data: Any, doc: ControlledDoc) -> CommentedMap:
    block = resolve_pointer(data, doc.pointer)
    if not isinstance(block, CommentedMap):
        raise YamlEditError(_("{path}: `{pointer}` is not a mapping").format(path=doc.path, pointer=doc.pointer),
                            _("run `qms check` and fix the file first"))
    return block


def _validate(block: CommentedMap, doc: ControlledDoc) -> DocumentControl:
    try:
        return DocumentControl.model_validate(dict(block))
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = "/".join(str(p) for p in first.get("loc", ()))
        raise YamlEditError(
            _("{path}: the control block would be invalid ({where}: {reason}); nothing was written").format(
                path=doc.path, where=where or doc.pointer, reason=first.get("msg", "")),
            _("run `qms check` and fix the file first")) from None


def _row_like(template: Any, items: dict[str, Any]) -> CommentedMap:
    """A new list row written in the same style (flow or block) as ``template``."""
    row = flow_map(items) if template is None or is_flow(template) else CommentedMap(items)
    for value in row.values():
        if isinstance(value, CommentedMap) and is_flow(row):
            value.fa.set_flow_style()
    return row


def _signatory(block: CommentedMap, key: str, name: str, day: dt.date, title: Any = None) -> None:
    """Record ``name`` (with the position ``title``) as the signatory ``key`` (prepared_by/reviewed_by/
    approved_by) on ``day``."""
    current = block.get(key)
    if isinstance(current, CommentedMap) and same_person(str(current.get("name", "")), name):
        if title is not None and not current.get("title") and not current.get("role"):
            set_key(current, "title", title, after=("name",))
        set_key(current, "date", day, after=("name", "title", "role"))
        return
    after = {"prepared_by": ("state", "effective_date", "revision"),
             "reviewed_by": ("prepared_by", "state", "effective_date", "revision"),
             "approved_by": ("reviewed_by", "prepared_by", "state", "effective_date", "revision")}[key]
    items: dict[str, Any] = {"name": name}
    if title is not None:
        items["title"] = title
    items["date"] = day
    new = flow_map(items)
    if isinstance(current, CommentedMap) and not is_flow(current):
        new.fa.set_block_style()
    set_key(block, key, new, after=after)


def _ensure_seq(block: CommentedMap, key: str, after: tuple[str, ...]) -> Any:
    seq = block.get(key)
    if seq is None:
        seq = new_seq()
        set_key(block, key, seq, after=after)
    if not isinstance(seq, list):
        raise YamlEditError(_("`{key}` must be a list").format(key=key), _("run `qms check` and fix the file first"))
    return seq


def revise(ws: Workspace, ident: str, summary: str, *, summary_en: str = "", pages: str = "",
           by: str = "", today: dt.date | None = None) -> Outcome:
    """Open a new revision of ``ident``: revision + 1, a history row, state ``draft``."""
    day = today or dt.date.today()
    if not summary.strip():
        raise UsageError(_("--summary must describe the change"),
                         _("e.g. --summary \"Cập nhật theo Nghị định 123/2025/NĐ-CP\""))
    doc = _target(ws, ident)
    name = person_name(ws, by) if by else ""
    result: dict[str, Any] = {}

    def mutate(data: Any) -> None:
        block = _block(data, doc)
        control = _validate(block, doc)
        if control.state == "obsolete":
            raise InvalidTransition(_("{code} is obsolete and cannot be revised").format(code=control.code),
                                    _("set `state: approved` first if the document is back in use"))
        if control.state in ("draft", "in_review"):
            raise InvalidTransition(
                _("revision {revision} of {code} is still {state}; approve it before opening another").format(
                    revision=control.revision, code=control.code, state=state_label(control.state)),
                _("qms doc approve {id} --as reviewer|approver --by NAME").format(id=ident))
        new_revision = control.revision + 1
        block["revision"] = new_revision
        # the new revision is unapproved: the previous sign-offs stay in `approvals` and in git, not here
        for key in ("issued_on", "effective_date", "reviewed_by", "approved_by"):
            if key in block:
                del block[key]
        set_key(block, "state", "draft", after=("revision",))
        if name:
            _signatory(block, "prepared_by", name, day, person_title(ws, name))
        history = _ensure_seq(block, "history", after=("approved_by", "reviewed_by", "prepared_by", "last_review",
                                                      "review_interval_months", "state"))
        text: Any = summary.strip()
        if summary_en.strip():
            text = flow_map({"vi": summary.strip(), "en": summary_en.strip()})
        items: dict[str, Any] = {"revision": new_revision, "date": day}
        if pages.strip():
            items["pages"] = pages.strip()
        items["summary"] = text
        if name:
            items["by"] = name
        history.append(_row_like(history[-1] if len(history) else None, items))
        _validate(block, doc)
        result["revision"] = new_revision

    edit_yaml_file(confined(ws.root, ws.root / doc.path), mutate)
    return Outcome(doc, ident, int(result["revision"]), "draft")


def approve(ws: Workspace, ident: str, role: Role, by: str, *, today: dt.date | None = None,
            effective: dt.date | None = None) -> Outcome:
    """Record an approval of the current revision: reviewer first, then approver."""
    day = today or dt.date.today()
    if role not in ("reviewer", "approver"):
        raise UsageError(_("--as must be reviewer or approver"))
    doc = _target(ws, ident)
    name = person_name(ws, by)
    if effective is not None and role != "approver":
        raise UsageError(_("--effective applies to the approver's approval only"))
    if effective is not None and effective < day:
        raise UsageError(_("the effective date {effective} is before the approval date {date}").format(
            effective=effective.isoformat(), date=day.isoformat()),
            _("a document takes effect on or after its approval"))
    result: dict[str, Any] = {}

    def mutate(data: Any) -> None:
        block = _block(data, doc)
        control = _validate(block, doc)
        code, revision = control.code, control.revision
        if control.state == "approved":
            raise InvalidTransition(
                _("revision {revision} of {code} is already approved").format(revision=revision, code=code),
                _("open a new revision first: qms doc revise {id} --summary \"...\"").format(id=ident))
        if control.state == "obsolete":
            raise InvalidTransition(_("{code} is obsolete and cannot be approved").format(code=code))
        drafted = _drafted_on(control)
        if drafted is not None and day < drafted:
            raise InvalidTransition(
                _("the date {date} is before revision {revision} of {code} was drafted ({drafted})").format(
                    date=day.isoformat(), revision=revision, code=code, drafted=drafted.isoformat()),
                _("give the day of the review or approval with --date YYYY-MM-DD"))
        left = open_import_notes(data) if doc.pointer == "/document" else []
        if left:
            # 7.5.2 c / 7.5.3: reviewing or approving says the text is adequate; what the import left to check
            # has not been checked, so it is refused rather than dropped (deleting a note is the person's act)
            shown = ", ".join(left[:_NOTES_SHOWN]) + (" …" if len(left) > _NOTES_SHOWN else "")
            raise InvalidTransition(
                _("{code} ({path}) still has {n} item(s) `qms import` left to check: {items}").format(
                    code=code, path=doc.path, n=len(left), items=shown),
                _("check each field named, correct it, then delete its note from `internal_notes` (a proposed role: "
                  "add it with `qms import --add-roles` or use an existing role, then delete it from "
                  "`proposed_roles`); `qms check` lists them"))
        this = [a for a in control.approvals if a.revision == revision]
        reviewers = [a for a in this if a.as_ == "reviewer"]
        preparer = control.prepared_by.name if control.prepared_by else ""
        if role == "reviewer":
            if same_person(preparer, name):
                raise InvalidTransition(
                    _("{name} prepared {code} and cannot also review it").format(name=name, code=code),
                    _("the reviewer must be someone other than the preparer"))
            if reviewers:
                raise InvalidTransition(
                    _("revision {revision} of {code} was already reviewed by {name} on {date}").format(
                        revision=revision, code=code, name=reviewers[0].by, date=reviewers[0].date.isoformat()),
                    _("the next step is the approver: qms doc approve {id} --as approver --by NAME").format(
                        id=ident))
        else:
            if not reviewers:
                raise InvalidTransition(
                    _("revision {revision} of {code} has not been reviewed yet").format(
                        revision=revision, code=code),
                    _("record the review first: qms doc approve {id} --as reviewer --by NAME").format(id=ident))
            if reviewers[0].date > day:
                raise InvalidTransition(_("the approval date {date} is before the review date {review}").format(
                    date=day.isoformat(), review=reviewers[0].date.isoformat()))
            if same_person(preparer, name):
                raise InvalidTransition(
                    _("{name} prepared {code} and cannot also approve it").format(name=name, code=code),
                    _("the approver must be someone other than the preparer"))
        approvals = _ensure_seq(block, "approvals", after=("history",))
        approvals.append(_row_like(approvals[-1] if len(approvals) else None,
                                   {"revision": revision, "as": role, "by": name, "date": day}))
        if role == "reviewer":
            set_key(block, "state", "in_review", after=("revision",))
            _signatory(block, "reviewed_by", name, day, person_title(ws, name))
        else:
            when = effective or day
            if control.issued_on is not None and control.issued_on <= day:
                # `revise` clears `issued_on`, so a draft that has one carries its own history (the date of issue
                # an imported Word file gives for this revision): the approval is recorded as the approval and
                # does not rewrite when the revision was issued
                result["kept"] = control.issued_on
            else:
                # the approver's signature issues the document (Ngày ban hành); it takes effect on `when`
                set_key(block, "issued_on", day, after=("revision",))
            set_key(block, "effective_date", when, after=("issued_on", "revision"))
            set_key(block, "state", "approved", after=("effective_date", "revision"))
            _signatory(block, "approved_by", name, day, person_title(ws, name))
            result["effective"] = when
            top = getattr(getattr(data, "ca", None), "comment", None)
            source = next((import_source(tok.value.lstrip("# ").strip()) for tok in (top[1] if top and len(top) > 1
                           and top[1] else []) if import_source(tok.value.lstrip("# ").strip())), None)
            if source:  # the import's working comments ("QT-07.docx, table 3, row 4; unit to confirm") go
                result["comments"] = drop_comments(data, lambda text: not is_import_comment(text, source))
        final = _validate(block, doc)
        result["revision"] = revision
        result["state"] = final.state

    edit_yaml_file(confined(ws.root, Path(ws.root) / doc.path), mutate)
    return Outcome(doc, ident, int(result["revision"]), str(result["state"]), result.get("effective"),
                   result.get("kept"), int(result.get("comments", 0)))
