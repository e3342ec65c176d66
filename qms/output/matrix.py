"""The clause ↔ process/document matrix of ``qms matrix`` as text, data (JSON) and CSV."""

from __future__ import annotations

from typing import Any

from qms.analysis.matrix import ClauseMatrix, MatrixRow
from qms.i18n import _
from qms.output.safe import one_line as t


def _status(row: MatrixRow) -> str:
    if not row.applicable:
        return _("not applicable")
    return _("GAP") if row.gap else _("covered")


def _rows(m: ClauseMatrix, gaps_only: bool) -> list[MatrixRow]:
    return m.gaps() if gaps_only else list(m.rows)


def render_text(m: ClauseMatrix, lang: str, gaps_only: bool) -> str:
    rows = _rows(m, gaps_only)
    out: list[str] = []
    if not rows:
        out.append(_("No gaps: every applicable clause is addressed."))
        return "\n".join(out) + "\n"
    labels = [("  " * (r.clause.level - 1)) + t(r.clause.id) for r in rows]
    titles = [t(r.clause.label(lang)) for r in rows]
    w_clause = max(len(_("Clause")), *(len(x) for x in labels))
    w_title = min(60, max(len(_("Clause title")), *(len(x) for x in titles)))
    w_status = max(len(_("Coverage")), *(len(_status(r)) for r in rows))
    out.append(f"{_('Clause'):<{w_clause}}  {_('Clause title'):<{w_title}}  {_('Coverage'):<{w_status}}  {_('Addressed by')}")
    out.append(f"{'-' * w_clause}  {'-' * w_title}  {'-' * w_status}  {'-' * len(_('Addressed by'))}")
    for row, label, title in zip(rows, labels, titles, strict=True):
        shown = title if len(title) <= w_title else title[: w_title - 1] + "…"
        detail = t(", ".join(row.addressed_by))
        if not row.applicable and row.justification:
            detail = t(row.justification)
        out.append(f"{label:<{w_clause}}  {shown:<{w_title}}  {_status(row):<{w_status}}  {detail}".rstrip())
    gaps = m.gaps()
    out.append("")
    out.append(_("{n} gap(s) among {total} clauses; {p} processes.").format(
        n=len(gaps), total=len(m.rows), p=len(m.processes)))
    return "\n".join(out) + "\n"


def as_data(m: ClauseMatrix, lang: str, gaps_only: bool) -> dict[str, Any]:
    return {
        "standard": "ISO 9001:2015",
        "lang": lang,
        "processes": list(m.processes),
        "clauses": [
            {
                "clause": r.clause.id,
                "title": r.clause.label(lang),
                "level": r.clause.level,
                "applicable": r.applicable,
                "justification": r.justification,
                "addressed_by": list(r.addressed_by),
                "gap": r.gap,
            }
            for r in _rows(m, gaps_only)
        ],
        "gaps": [r.clause.id for r in m.gaps()],
    }


def render_csv(m: ClauseMatrix, lang: str, gaps_only: bool) -> str:
    from qms.output.csvfmt import rows_to_csv

    return rows_to_csv(
        ["clause", "title", "level", "applicable", "justification", "addressed_by", "gap"],
        ([r.clause.id, r.clause.label(lang), r.clause.level, "yes" if r.applicable else "no",
          r.justification, "; ".join(r.addressed_by), "yes" if r.gap else "no"] for r in _rows(m, gaps_only)))
