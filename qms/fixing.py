"""``qms check --fix`` / ``--unsafe-fixes`` / ``--diff``: apply the fixes diagnostics carry, then check again.

A rule declares a fix by attaching a :class:`~qms.diagnostics.Fix` (text edits plus safe/unsafe) to
its diagnostic. This use case collects the fixes the caller allows, refuses files that are closed
records (evidence is never rewritten), applies the edits of each file through ``store/text_edit.py``
(exact text surgery, atomic write, so comments and layout stay), and checks again. Fixes whose edits
overlap one already applied wait for the next round, up to :data:`MAX_ROUNDS`, as ruff does.
"""

from __future__ import annotations

import contextlib
import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qms.diagnostics import Diagnostic, Report
from qms.engine import CheckOptions, run_check
from qms.errors import QmsError
from qms.i18n import _
from qms.models.nonconformity import FINAL_STATUSES
from qms.store.text_edit import EditableText, apply_edit_groups, read_for_edit, write_edited
from qms.store.workspace import LoadedDoc, Workspace, load_workspace

MAX_ROUNDS = 10
CLOSED_AUDIT_STATES = frozenset({"reported", "closed"})


@dataclass(slots=True)
class FixOutcome:
    report: Report  # after fixing (for a diff: the findings as they are now)
    fixed: int = 0  # fixes applied (for a diff: that would be applied)
    files: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)  # path -> why its fixes were not applied
    diff: str = ""
    config_fail_on: str = "error"


def closed_record(doc: LoadedDoc[Any]) -> str | None:
    """Why ``doc`` must not be edited by a fix (a closed record is evidence), or None."""
    raw = doc.raw if isinstance(doc.raw, dict) else {}
    status = raw.get("status")
    if doc.kind == "nonconformity" and isinstance(status, str) and status in FINAL_STATUSES:
        return _("the nonconformity is {status}; a closed record is evidence and is never rewritten").format(
            status=status)
    state = raw.get("state")
    if doc.kind == "audit" and isinstance(state, str) and state in CLOSED_AUDIT_STATES:
        return _("the audit is {state}; a closed record is evidence and is never rewritten").format(state=state)
    return None


def record_lock(root: Path, kind: str) -> contextlib.AbstractContextManager[None]:
    """The lock the commands that write files of ``kind`` (a kind of :mod:`qms.store.workspace`) hold:
    the register's for a nonconformity, the audits' for an audit or a programme; none for the others."""
    if kind == "nonconformity":
        from qms.store.nc_store import register_lock

        return register_lock(root, create=False)
    if kind in ("audit", "audit-programme"):
        from qms.store.audit_store import audit_lock

        return audit_lock(root)
    return contextlib.nullcontext()


def _wanted(d: Diagnostic, unsafe: bool) -> bool:
    return d.fix is not None and bool(d.fix.edits) and (d.fix.safe or unsafe)


def _diff(before: EditableText, after: str) -> str:
    lines = list(difflib.unified_diff(before.text.splitlines(keepends=True), after.splitlines(keepends=True),
                                      fromfile=f"a/{before.rel}", tofile=f"b/{before.rel}"))
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)


def _round(root: Path, ws: Workspace, report: Report, unsafe: bool, write: bool,
           outcome: FixOutcome, diffs: dict[str, str]) -> bool:
    """Apply one round of fixes; True when anything was applied."""
    docs = {d.path: d for d in ws.docs}
    by_file: dict[str, list[Diagnostic]] = {}
    for d in report.diagnostics:
        if _wanted(d, unsafe):
            by_file.setdefault(d.location.path, []).append(d)
    progress = False
    for rel, diags in sorted(by_file.items()):
        doc = docs.get(rel)
        reason = closed_record(doc) if doc is not None else _("the file is not part of the repository")
        if reason is not None:
            outcome.refused[rel] = reason
            continue
        assert doc is not None
        # a register or an audit is written by its commands under their lock: hold it from reading the
        # file to writing it back, so that a fix and a command never interleave
        try:
            with record_lock(root, doc.kind) if write else contextlib.nullcontext():
                try:
                    current = read_for_edit(root, rel)
                except QmsError as exc:
                    outcome.refused[rel] = exc.message
                    continue
                if current.digest != doc.digest:
                    outcome.refused[rel] = _("the file changed after it was checked; run the command again")
                    continue
                result = apply_edit_groups(current.text, [d.fix.edits for d in diags if d.fix is not None])
                if not result.applied or result.text == current.text:
                    continue
                if write:
                    try:
                        write_edited(root, current, result.text)
                    except QmsError as exc:
                        outcome.refused[rel] = exc.message
                        continue
                else:
                    diffs[rel] = _diff(current, result.text)
        except QmsError as exc:  # the lock could not be taken in time
            outcome.refused[rel] = exc.message
            continue
        outcome.fixed += len(result.applied)
        if rel not in outcome.files:
            outcome.files.append(rel)
        progress = True
    return progress


def fix_repository(root: Path, options: CheckOptions, *, unsafe: bool = False, write: bool = True) -> FixOutcome:
    """Check, apply the allowed fixes, and check again until nothing more applies.

    With ``write=False`` nothing is written: one round is computed and returned as a unified diff.
    """
    diffs: dict[str, str] = {}
    ws = load_workspace(root)
    report = run_check(ws, options)
    outcome = FixOutcome(report, config_fail_on=ws.manifest.check.fail_on if ws.manifest is not None else "error")
    for _round_no in range(MAX_ROUNDS):
        if not _round(root, ws, report, unsafe, write, outcome, diffs) or not write:
            break
        ws = load_workspace(root)
        report = run_check(ws, options)
    outcome.report = report
    outcome.diff = "".join(diffs[rel] for rel in sorted(diffs))
    return outcome
