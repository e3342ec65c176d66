"""Revision history of a controlled document, and earlier revisions read back from git.

``revisions`` merges the history rows and approvals of the current control block with the
commits that carried each revision. ``version_at`` finds the newest commit in which the
document's control block says ``revision: N`` (preferring a commit where that revision is
approved) and returns the file as it was in that commit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from qms.doccontrol.catalog import ControlledDoc, resolve
from qms.errors import UsageError
from qms.i18n import _
from qms.models.common import Approval, DocumentControl, RevisionEntry
from qms.store import git
from qms.store.paths import confined
from qms.store.safe_open import read_yaml_bytes
from qms.store.workspace import Workspace
from qms.store.yaml_edit import resolve as resolve_pointer

WATERMARK = "Hết hiệu lực / Superseded"


@dataclass(frozen=True, slots=True)
class CommitState:
    commit: str
    date: dt.datetime
    subject: str
    path: str  # relative to the git top level
    revision: int
    state: str


@dataclass(slots=True)
class RevisionInfo:
    revision: int
    entry: RevisionEntry | None
    approvals: list[Approval] = field(default_factory=list)
    commit: CommitState | None = None
    current: bool = False

    def to_dict(self) -> dict[str, Any]:
        e = self.entry
        return {
            "revision": self.revision,
            "current": self.current,
            "date": e.date.isoformat() if e else None,
            "pages": e.pages if e else "",
            "summary": {"vi": e.summary.vi, "en": e.summary.en} if e else None,
            "by": e.by if e else "",
            "approvals": [{"as": a.as_, "by": a.by, "date": a.date.isoformat()} for a in self.approvals],
            "commit": self.commit.commit if self.commit else None,
            "commit_date": self.commit.date.isoformat() if self.commit else None,
            "state_in_commit": self.commit.state if self.commit else None,
        }


@dataclass(frozen=True, slots=True)
class HistoricalVersion:
    """A document as it was in one revision."""

    doc: ControlledDoc
    revision: int
    current_revision: int
    commit: CommitState | None  # None: read from the working tree
    text: str  # the whole YAML file at that commit
    control: DocumentControl
    # the current revision is in force (approved and effective), so every earlier one is superseded;
    # while it is a draft or takes effect later, the revision before it stays in force
    current_in_force: bool = True

    @property
    def superseded(self) -> bool:
        if self.control.state == "obsolete" or self.revision < self.current_revision - 1:
            return True
        return self.revision < self.current_revision and self.current_in_force


def _control_in(raw: bytes, pointer: str) -> DocumentControl | None:
    try:
        data = yaml.safe_load(raw.decode("utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError, RecursionError):
        return None
    block = resolve_pointer(data, pointer)
    if not isinstance(block, dict):
        return None
    try:
        return DocumentControl.model_validate(block)
    except ValidationError:
        return None


def commit_states(root: Path, doc: ControlledDoc) -> list[CommitState]:
    """Every commit of the document's file with the revision and state it carried, newest first."""
    out: list[CommitState] = []
    for version in git.file_versions(root, doc.path):
        try:
            raw = git.show_file(root, version.commit, version.path)
        except git.GitError:
            continue
        control = _control_in(raw, doc.pointer)
        if control is None:
            continue
        out.append(CommitState(version.commit, version.date, version.subject, version.path, control.revision,
                               control.state))
    return out


def _best_commit(states: list[CommitState], revision: int) -> CommitState | None:
    matching = [s for s in states if s.revision == revision]
    approved = [s for s in matching if s.state == "approved"]
    pool = approved or matching
    return pool[0] if pool else None  # newest first


def _target(ws: Workspace, ident: str) -> ControlledDoc:
    doc = resolve(ws, ident).controlling
    if doc.control is None or not doc.pointer:
        raise UsageError(_("`{id}` has no document control block").format(id=ident))
    return doc


def revisions(ws: Workspace, ident: str, *, use_git: bool = True) -> tuple[ControlledDoc, list[RevisionInfo]]:
    """Every known revision of ``ident``, oldest first, with approvals and the commit that holds it."""
    doc = _target(ws, ident)
    control = doc.control
    assert control is not None
    states = commit_states(ws.root, doc) if use_git and git.is_work_tree(ws.root) else []
    numbers = {e.revision for e in control.history} | {a.revision for a in control.approvals}
    numbers |= {s.revision for s in states} | {control.revision}
    out: list[RevisionInfo] = []
    for n in sorted(numbers):
        entry = next((e for e in reversed(control.history) if e.revision == n), None)
        out.append(RevisionInfo(n, entry, [a for a in control.approvals if a.revision == n],
                                _best_commit(states, n), current=n == control.revision))
    return doc, out


def version_at(ws: Workspace, ident: str, revision: int | None = None) -> HistoricalVersion:
    """The document's file as it was in ``revision`` (default: the current one, from the working tree)."""
    doc = _target(ws, ident)
    control = doc.control
    assert control is not None
    if revision is None or revision == control.revision:
        text = read_yaml_bytes(confined(ws.root, ws.root / doc.path), ws.root).decode("utf-8")  # loaded: UTF-8
        return HistoricalVersion(doc, control.revision, control.revision, None, text, control)
    if revision < 0:
        raise UsageError(_("--revision must be 0 or more"))
    if revision > control.revision:
        raise UsageError(_("{code} has no revision {revision} yet (current: {current})").format(
            code=control.code, revision=revision, current=control.revision))
    states = commit_states(ws.root, doc)
    best = _best_commit(states, revision)
    if best is None:
        known = sorted({s.revision for s in states})
        raise UsageError(
            _("no commit of {path} holds revision {revision} of {code}").format(
                path=doc.path, revision=revision, code=control.code),
            _("revisions found in git: {known}").format(known=", ".join(map(str, known)) or "-")
            if known else _("commit each revision (`git commit`) so that it can be shown later"))
    raw = git.show_file(ws.root, best.commit, best.path)
    old = _control_in(raw, doc.pointer)
    assert old is not None
    in_force = control.state == "obsolete" or (
        control.state == "approved" and (control.effective_date is None or control.effective_date <= dt.date.today()))
    return HistoricalVersion(doc, revision, control.revision, best, raw.decode("utf-8"), old, in_force)


def watermarked_yaml(version: HistoricalVersion) -> str:
    """The YAML source, headed by a comment block; superseded revisions carry the watermark line."""
    head: list[str] = []
    if version.superseded:
        head.append(f"# {WATERMARK}")
    where = (_("commit {commit} of {date}").format(commit=version.commit.commit[:12],
                                                    date=version.commit.date.date().isoformat())
             if version.commit else _("working tree"))
    head.append("# " + _("{code} revision {revision} ({where}); current revision: {current}").format(
        code=version.control.code, revision=version.revision, where=where, current=version.current_revision))
    return "\n".join(head) + "\n" + version.text


# top-level keys of a procedure that are not part of its issued text
_NOT_ISSUED = ("internal_notes",)


def _issued_text(raw: bytes, pointer: str) -> Any:
    """The data of a procedure file without its control block and internal notes (None: unreadable)."""
    try:
        data = yaml.safe_load(raw.decode("utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError, RecursionError):
        return None
    if not isinstance(data, dict):
        return None
    return {k: v for k, v in data.items() if f"/{k}" != pointer and k not in _NOT_ISSUED}


@dataclass(frozen=True, slots=True)
class ApprovalCheck:
    """Whether the issued text still is the text that was approved in ``commit``."""

    changed: bool
    commit: CommitState  # the commit that recorded the approval of the current revision


def changed_after_approval(ws: Workspace, doc: ControlledDoc) -> ApprovalCheck | None:
    """Whether an approved procedure was edited after its approval without a new revision (7.5.3.2 c).

    Compares the procedure in the working tree, without its control block and internal notes, with the
    commit that first carried the current revision as approved. None when it cannot be told: not a
    procedure, not approved, no git, or the approval was never committed.
    """
    control = doc.control
    if doc.kind != "procedure" or control is None or control.state != "approved" or not doc.pointer \
            or not git.is_work_tree(ws.root):
        return None
    approved = [s for s in commit_states(ws.root, doc) if s.revision == control.revision and s.state == "approved"]
    if not approved:
        return None
    first = approved[-1]  # newest first: the last is the commit that recorded the approval
    try:
        then = _issued_text(git.show_file(ws.root, first.commit, first.path), doc.pointer)
    except git.GitError:
        return None
    now = _issued_text(read_yaml_bytes(confined(ws.root, ws.root / doc.path), ws.root), doc.pointer)
    if then is None or now is None:
        return None
    return ApprovalCheck(then != now, first)
