"""The migration log's wording, shown in the reader's language.

``migration-log.yaml`` is data: its labels (confidence, origin, action) and its notes and reasons are
written in English, always the same way. Whatever shows them to a person — the transition report, the
summary of ``qms migrate apply``, the notes of a draft that ``qms import docx`` migrated — passes them
through :func:`label` and :func:`text`, which give them in the current language. A note is read piece
by piece (its parts are joined by "; "); a piece that matches none of the known wordings is shown as
it is.
"""

from __future__ import annotations

import re
from functools import cache

from qms.i18n import N_, _
from qms.standards.correlation import evidence_words

_LABELS: dict[str, str] = {
    "certain": N_("certain"),
    "to confirm": N_("to confirm"),
    "verified": N_("verified"),
    "published": N_("published"),
    "inverse": N_("derived from the inverse table"),
    "parent": N_("through the parent clause"),
    "identity": N_("same number"),
    "clause": N_("clause number"),
    "term": N_("retired term"),
    "standard": N_("declared standard"),
    "exclusion": N_("exclusion to applicability"),
    "representative": N_("management representative to roles"),
    "skeleton": N_("risks-and-opportunities skeleton"),
}

#: every wording ``qms.migrate.apply`` writes into a note or a reason (one "; "-separated piece each)
_WORDINGS: tuple[str, ...] = (
    N_("evidence {evidence}"),
    N_("also related through the ISO 9001:{dst} → {src} table: {clauses} (to confirm; add them only if the "
       "process serves them)"),
    N_("several {edition} clauses: keep those the process really serves"),
    N_("from exclusion of ISO 9001:2008 {clause} (evidence {evidence})"),
    N_("no justification was given: add one (4.3)"),
    N_("management representative's duties assigned to the role (5.3)"),
    N_("ISO 9001:2008 5.5.2 duties written as 5.3 responsibilities: confirm them"),
    N_("top management stays accountable for the QMS (5.1)"),
    N_("responsibilities assigned to roles (5.3)"),
    N_("empty field removed"),
    N_("risks-and-opportunities skeleton (6.1): review and complete"),
    N_("the process now serves 6.1"),
    N_("retired ISO 9001:2008 term"),
    N_("the wording depends on the sentence ({clause})"),
    N_("the text cites an ISO 9001:2008 clause number"),
    N_("check it by hand"),
    N_("not an ISO 9001:2008 clause number"),
    N_("kept as written"),
    N_("ISO 9001:2008 clause {clause} has no 2015 counterpart"),
    N_("comments of the removed field, kept only in this log"),
    N_("qms.yaml has no `scope` mapping to receive the applicability entries"),
    N_("no clause number in this exclusion"),
    N_("fields of the exclusion with no place in `scope.applicability`"),
    N_("`scope.applicability` already has clause {clause}"),
    N_("the existing entry was kept"),
    N_("the representative's role is not defined in `organisation.roles`"),
    N_("the field was kept"),
    N_("details of the appointment kept only in this log (role `{role}`)"),
    N_("ISO 9001:{source} clause {clause} is not in the table"),
    N_("kept"),
    N_("ISO 9001:{source} clause {clause} has no ISO 9001:{target} counterpart"),
)


def shown(value: object) -> str:
    """A ``before`` or ``after`` of the log as a reader writes it: a list of clauses as "7.5.2, 7.5.3"."""
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def label(value: str) -> str:
    """A label of the log (confidence, target origin, change action) in the current language."""
    key = _LABELS.get(value)
    return _(key) if key is not None else value


@cache
def _patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    out = []
    for wording in _WORDINGS:
        parts = re.split(r"\{(\w+)\}", wording)
        regex = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts))
        out.append((re.compile(regex + r"\Z"), wording))
    return tuple(out)


def _pieces(note: str) -> list[str]:
    """``note`` split at "; " outside parentheses."""
    pieces: list[str] = []
    depth = start = 0
    for i, ch in enumerate(note):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        elif ch == ";" and depth == 0 and note[i + 1:i + 2] == " ":
            pieces.append(note[start:i])
            start = i + 2
    pieces.append(note[start:])
    return pieces


evidence = evidence_words  # the one wording of an evidence tag (shared with the QMS8xx rules)


def text(note: str) -> str:
    """A note or reason of the log in the current language (pieces of unknown wording are kept)."""
    if not note:
        return note
    out: list[str] = []
    for piece in _pieces(note):
        for pattern, wording in _patterns():
            m = pattern.match(piece)
            if m is not None:
                groups = m.groupdict()
                if "evidence" in groups:
                    groups["evidence"] = evidence(groups["evidence"])
                out.append(_(wording).format(**groups))
                break
        else:
            out.append(piece)
    return "; ".join(out)
