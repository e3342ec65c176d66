"""Correlation tables between editions of ISO 9001, read as data.

Every file ``correlation_*.yaml`` under ``qms/standards/data/`` contributes one or more
*tables*, each mapping clauses of one edition (``from``) to clauses of another (``to``).
Two spellings of a table are accepted:

* the generic one, one table per file::

      correlation: {from: "2015", to: "2026"}
      verified_evidence: [seen]          # optional: which evidence tags count as verified
      source: "where the rows come from"
      rows:
        "6.1": {to: ["6.1.1", "6.1.2"], evidence: seen, note: "..."}

* the section spelling used by ``correlation_2008_to_2015.yaml``: top-level keys named
  ``iso<FROM>_to_iso<TO>`` holding the rows.

A row keeps its ``evidence`` tag. Only rows whose tag is in the table's verified set are
``verified``; every other row (``recalled``, third-party variants, unknown or missing tags)
is ``to confirm`` and must never be presented as certain. When a file ships only one
direction, the other is derived by inverting it (evidence ``inverse-of:<tag>``; the
confidence of the source row is kept).

Adding a table for a future edition therefore needs one YAML file and no code.
"""

from __future__ import annotations

import fnmatch
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, Literal

import yaml

from qms.errors import ConfigError, UsageError
from qms.i18n import _
from qms.standards import normalise_clause

try:  # pragma: no cover
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

Confidence = Literal["verified", "to confirm"]
VERIFIED: Confidence = "verified"
TO_CONFIRM: Confidence = "to confirm"

#: Evidence tags read as verified when a table does not declare ``verified_evidence``.
#: ``seen_n1293``/``seen_dis``: the row was read in the official matrix (or its DIS);
#: ``inverse``: the exact inverse was read there. Third-party variants and ``recalled`` rows are not.
DEFAULT_VERIFIED_EVIDENCE: frozenset[str] = frozenset({"seen_n1293", "seen_dis", "inverse"})

_SECTION_RE = re.compile(r"^iso(?P<src>\d{4})_to_iso(?P<dst>\d{4})$")
_EDITION_RE = re.compile(r"^(?:ISO\s*9001\s*:\s*)?(?P<year>\d{4})$", re.IGNORECASE)


def edition_of(text: str) -> str:
    """``"ISO 9001:2008"`` or ``"2008"`` → ``"2008"``; anything else is a usage error."""
    m = _EDITION_RE.match(str(text).strip())
    if m is None:
        raise UsageError(_("unknown edition {text!r}").format(text=text),
                         hint=_("write the year of the edition, e.g. 2008 or 2015"))
    return m.group("year")


@dataclass(frozen=True, slots=True)
class Row:
    """One clause of the ``from`` edition and the clauses it corresponds to in the ``to`` edition."""

    clause: str
    to: tuple[str, ...]
    evidence: str
    confidence: Confidence
    title: str = ""
    note: str = ""
    derived: bool = False

    @property
    def certain(self) -> bool:
        """A single verified target: the only kind of row a tool may apply without asking."""
        return self.confidence == VERIFIED and len(self.to) == 1


@dataclass(slots=True)
class Table:
    source_edition: str
    target_edition: str
    rows: dict[str, Row] = field(default_factory=dict)
    source: str = ""
    origin: str = ""  # file name the table was read from

    def get(self, clause: str) -> Row | None:
        return self.rows.get(normalise_clause(clause))

    def lookup(self, clause: str) -> Row | None:
        """The row of ``clause``, falling back to its nearest listed parent (marked to confirm)."""
        key = normalise_clause(clause)
        row = self.rows.get(key)
        if row is not None:
            return row
        parts = key.split(".")
        for i in range(len(parts) - 1, 0, -1):
            parent = self.rows.get(".".join(parts[:i]))
            if parent is not None:
                return Row(key, parent.to, f"parent:{parent.clause}:{parent.evidence}", TO_CONFIRM,
                           note=f"not listed; mapped through its parent clause {parent.clause}", derived=True)
        return None


@dataclass(slots=True)
class Correlations:
    """All tables, keyed by ``(from, to)`` edition."""

    tables: dict[tuple[str, str], Table] = field(default_factory=dict)

    def table(self, source: str, target: str) -> Table:
        key = (edition_of(source), edition_of(target))
        found = self.tables.get(key)
        if found is None:
            pairs = ", ".join(f"{a}→{b}" for a, b in sorted(self.tables)) or "none"
            raise UsageError(_("no correlation table from ISO 9001:{src} to ISO 9001:{dst}").format(src=key[0], dst=key[1]),
                             hint=_("available tables: {tables}").format(tables=pairs))
        return found

    def targets_of(self, source: str) -> list[str]:
        src = edition_of(source)
        return sorted(b for a, b in self.tables if a == src)

    def editions(self) -> list[str]:
        return sorted({e for pair in self.tables for e in pair})


def _text(value: Any) -> str:
    return unicodedata.normalize("NFC", str(value)) if value is not None else ""


def _row(clause: str, raw: Any, verified: frozenset[str], origin: str) -> Row:
    if not isinstance(raw, Mapping):
        raise ConfigError(_("{origin}: row {clause!r} must be a mapping with `to:` and `evidence:`").format(
            origin=origin, clause=clause))
    targets = raw.get("to", [])
    if isinstance(targets, str):
        targets = [targets]
    if not isinstance(targets, list):
        raise ConfigError(_("{origin}: row {clause!r}: `to` must be a list of clause numbers").format(
            origin=origin, clause=clause))
    evidence = _text(raw.get("evidence", "")).strip()
    confidence: Confidence = VERIFIED if evidence in verified else TO_CONFIRM
    return Row(
        clause=clause,
        to=tuple(normalise_clause(str(t)) for t in targets if str(t).strip()),
        evidence=evidence or "none",
        confidence=confidence,
        title=_text(raw.get("title", "")),
        note=_text(raw.get("note", "")),
    )


def parse_tables(data: Any, origin: str) -> list[Table]:
    """The tables of one correlation file (either spelling)."""
    if not isinstance(data, Mapping):
        raise ConfigError(_("{origin}: a correlation file must be a mapping").format(origin=origin))
    verified_raw = data.get("verified_evidence")
    if verified_raw is None:
        verified = DEFAULT_VERIFIED_EVIDENCE
    elif isinstance(verified_raw, list):
        verified = frozenset(str(v) for v in verified_raw)
    else:
        raise ConfigError(_("{origin}: `verified_evidence` must be a list of evidence tags").format(origin=origin))
    source = _text(data.get("source", ""))
    sections: list[tuple[str, str, Any]] = []
    header = data.get("correlation")
    if header is not None:
        if not isinstance(header, Mapping) or "from" not in header or "to" not in header:
            raise ConfigError(_("{origin}: `correlation:` needs `from:` and `to:` editions").format(origin=origin))
        sections.append((edition_of(str(header["from"])), edition_of(str(header["to"])), data.get("rows")))
    for key, value in data.items():
        m = _SECTION_RE.match(str(key))
        if m is not None:
            sections.append((m.group("src"), m.group("dst"), value))
    tables: list[Table] = []
    for src, dst, rows in sections:
        if not isinstance(rows, Mapping):
            raise ConfigError(_("{origin}: the rows of the {src}→{dst} table must be a mapping of clause numbers").format(
                origin=origin, src=src, dst=dst))
        table = Table(src, dst, source=source, origin=origin)
        for clause, raw in rows.items():
            cid = normalise_clause(str(clause))
            table.rows[cid] = _row(cid, raw, verified, origin)
        tables.append(table)
    return tables


def _invert(table: Table) -> Table:
    inverse = Table(table.target_edition, table.source_edition, source=table.source,
                    origin=f"{table.origin} (inverted)")
    collected: dict[str, list[Row]] = {}
    for row in table.rows.values():
        for target in row.to:
            collected.setdefault(target, []).append(row)
    for clause, rows in collected.items():
        confidence: Confidence = VERIFIED if all(r.confidence == VERIFIED for r in rows) else TO_CONFIRM
        evidence = ",".join(sorted({f"inverse-of:{r.evidence}" for r in rows}))
        inverse.rows[clause] = Row(clause, tuple(r.clause for r in rows), evidence, confidence, derived=True)
    return inverse


def build(tables: Iterable[Table]) -> Correlations:
    result = Correlations()
    for table in tables:
        key = (table.source_edition, table.target_edition)
        if key in result.tables:
            raise ConfigError(_("two correlation tables from {src} to {dst} ({first} and {second})").format(
                src=key[0], dst=key[1], first=result.tables[key].origin, second=table.origin))
        result.tables[key] = table
    for key, table in list(result.tables.items()):
        back = (key[1], key[0])
        if back not in result.tables:
            result.tables[back] = _invert(table)
    return result


def data_dir() -> Path:
    return Path(str(resources.files("qms.standards") / "data"))


def load_dir(directory: Traversable) -> Correlations:
    """Every ``correlation_*.yaml`` in ``directory``: the package's own data (``importlib.resources``),
    or a folder of tables (a ``Path`` is a ``Traversable``)."""
    tables: list[Table] = []
    entries = (e for e in directory.iterdir() if fnmatch.fnmatchcase(e.name, "correlation_*.yaml") and e.is_file())
    for path in sorted(entries, key=lambda e: e.name):
        try:
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise ConfigError(_("cannot read correlation table {name}: {detail}").format(name=path.name, detail=exc)) from None
        tables.extend(parse_tables(data, path.name))
    return build(tables)


@cache
def correlations() -> Correlations:
    """The tables shipped with qms."""
    return load_dir(data_dir())


def clause_titles(edition: str, clause: str) -> dict[str, str]:
    """``{"en": ..., "vi": ...}`` from the edition's clause catalogue (empty strings if unknown)."""
    from qms.standards import catalogue

    try:
        cat = catalogue(edition)
    except (FileNotFoundError, OSError, KeyError, TypeError):
        return {"en": "", "vi": ""}
    entry = cat.get(normalise_clause(clause))
    if entry is None:
        return {"en": "", "vi": ""}
    return {"en": entry.title, "vi": entry.title_vi}


def default_target(source: str, corr: Correlations) -> str:
    """2008 ↔ 2015 by default; otherwise the next newer edition, else the newest older one."""
    src = edition_of(source)
    options = corr.targets_of(src)
    if not options:
        raise UsageError(_("no correlation table starts from ISO 9001:{src}").format(src=src),
                         hint=_("known editions: {editions}").format(editions=", ".join(corr.editions())))
    preferred = {"2008": "2015", "2015": "2008"}.get(src)
    if preferred in options:
        return preferred
    newer = [o for o in options if o > src]
    return newer[0] if newer else options[-1]


def lookup(clause: str, source: str = "2008", target: str | None = None,
           corr: Correlations | None = None) -> dict[str, Any]:
    """The answer of ``qms migrate map``: targets, evidence, confidence and titles in both languages."""
    corr = corr or correlations()
    src = edition_of(source)
    if target is None:
        target = default_target(src, corr)
    table = corr.table(src, target)
    key = normalise_clause(clause)
    if not re.fullmatch(r"\d+(?:\.\d+)*", key):
        raise UsageError(_("{clause!r} is not a clause number").format(clause=clause),
                         hint=_("write a number such as 4.2.3 or 8.5.1"))
    row = table.lookup(key)
    if row is None:
        import difflib

        close = difflib.get_close_matches(key, list(table.rows), n=3, cutoff=0.6)
        raise UsageError(
            _("clause {clause} is not in the ISO 9001:{src} → {dst} table").format(
                clause=key, src=table.source_edition, dst=table.target_edition),
            hint=(_("did you mean {clauses}?").format(clauses=", ".join(close)) if close
                  else _("check the clause number and --from")),
        )
    own = clause_titles(table.source_edition, key)
    if not own["en"] and row.title:
        own = {"en": row.title, "vi": ""}
    return {
        "clause": key,
        "from": table.source_edition,
        "to_edition": table.target_edition,
        "to": list(row.to),
        "evidence": row.evidence,
        "confidence": row.confidence,
        "title": own,
        "to_titles": {t: clause_titles(table.target_edition, t) for t in row.to},
        "note": row.note,
        "derived": row.derived,
    }
