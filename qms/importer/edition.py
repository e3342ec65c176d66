"""ISO 9001:2008 documents: the draft goes through the same migration as ``qms migrate apply``.

This is the one place the importer calls the migration: the clause numbers it cited are rewritten
through the 2008 → 2015 correlation table and the retired terms replaced, with the same change log
and confidence ("certain" / "to confirm") as ``qms migrate apply`` writes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from qms.importer.mapping import Draft
from qms.migrate import wording
from qms.migrate.apply import Plan, _FileMigrator

_SKIP = frozenset({"id", "code", "owner", "unit", "responsible", "next", "forms", "records", "clauses",
                   "document", "internal_notes", "references"})


def migrate_draft(data: dict[str, Any], draft: Draft) -> None:
    """Rewrite ``data`` (a process draft) from ISO 9001:2008 to 2015 in place; log into ``draft``."""
    plan = Plan(Path("."), "2008")
    migrator = _FileMigrator(plan, draft.source)
    migrator.rewrite_clauses(data)
    migrator.walk_text(data, (), _SKIP)
    log = plan.log()
    draft.migration = {k: log[k] for k in ("from", "to", "correlation", "changes", "suggestions", "unplaced")}
    for change in plan.changes:
        if change.confidence != "certain":
            draft.note("", f"{change.pointer}: {wording.shown(change.before)} → {wording.shown(change.after)} ({wording.label(change.confidence)}; "
                           f"{wording.text(change.note)})", "verification", change.pointer)
    for s in plan.suggestions:
        draft.note("", f"{s.pointer}: {s.found} → {s.suggestion} ({wording.text(s.reason)})", "verification", s.pointer)
