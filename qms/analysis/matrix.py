"""The clause ↔ process/document coverage matrix (ISO 9001:2015 4.4)."""

from __future__ import annotations

from dataclasses import dataclass, field

from qms.standards import Clause, catalogue, normalise_clause, parent_clauses
from qms.store.workspace import Workspace

# Clauses addressed by the manifest itself (qms.yaml sections), not by a process.
MANIFEST_CLAUSES: dict[str, tuple[str, ...]] = {
    "context_issues": ("4.1",),
    "interested_parties": ("4.2",),
    "scope": ("4.3",),
    "policy": ("5.2", "5.2.1", "5.2.2"),
    "objectives": ("6.2", "6.2.1", "6.2.2"),
    "roles": ("5.3",),
    "external_providers": ("8.4", "8.4.1"),
}


@dataclass(slots=True)
class MatrixRow:
    clause: Clause
    applicable: bool
    justification: str
    addressed_by: list[str] = field(default_factory=list)

    @property
    def gap(self) -> bool:
        return self.applicable and not self.addressed_by


@dataclass(slots=True)
class ClauseMatrix:
    rows: list[MatrixRow]
    processes: list[str]

    def gaps(self) -> list[MatrixRow]:
        return [r for r in self.rows if r.gap]


def clause_matrix(ws: Workspace, lang: str = "en") -> ClauseMatrix:
    """Which processes or manifest sections address each ISO 9001:2015 clause.

    A process that lists ``8.5.1`` also addresses ``8.5`` and ``8``; a parent listed by a process
    (``8.5``) covers its sub-clauses. Non-applicable clauses (scope.applicability) are not gaps.
    """
    cat = catalogue("2015")
    manifest = ws.manifest
    not_applicable: dict[str, str] = {}
    if manifest is not None:
        for a in manifest.scope.applicability:
            if not a.applicable:
                not_applicable[normalise_clause(a.clause)] = a.justification.get(lang) if a.justification else ""
    # ordered sets (dict keys): membership stays O(1) with thousands of processes per clause
    covered: dict[str, dict[str, None]] = {cid: {} for cid in cat}
    descendants: dict[str, list[str]] = {cid: [] for cid in cat}
    for cid in cat:
        for parent in parent_clauses(cid)[:-1]:
            if parent in descendants:
                descendants[parent].append(cid)

    def mark(clause: str, who: str) -> None:
        norm = normalise_clause(clause)
        for parent in parent_clauses(norm):
            if parent in covered:
                covered[parent][who] = None
        for cid in descendants.get(norm, ()):
            covered[cid][who] = None

    if manifest is not None:
        present = {
            "context_issues": bool(manifest.context_issues),
            "interested_parties": bool(manifest.interested_parties),
            "scope": True,
            "policy": True,
            "objectives": bool(manifest.objectives),
            "roles": bool(manifest.organisation.roles),
            "external_providers": bool(manifest.external_providers),
        }
        for section, clauses in MANIFEST_CLAUSES.items():
            if present.get(section):
                for c in clauses:
                    mark(c, f"qms.yaml#{section}")
    process_ids: list[str] = []
    for _doc, proc in ws.processes():
        process_ids.append(proc.id)
        for c in proc.clauses:
            mark(c, proc.id)
    rows: list[MatrixRow] = []
    for cid, clause in cat.items():
        na = any(cid == k or cid.startswith(k + ".") for k in not_applicable)
        just = next((v for k, v in not_applicable.items() if cid == k or cid.startswith(k + ".")), "")
        rows.append(MatrixRow(clause, not na, just, list(covered[cid])))
    return ClauseMatrix(rows, process_ids)
