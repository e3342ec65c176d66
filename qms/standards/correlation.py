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

A row keeps its ``evidence`` tag, and every target of a row is a :class:`Target` with its own
evidence and confidence:

* the clauses of ``to:`` are *published* targets with the row's tag (or a per-target tag
  ``evidence_<clause with _ for .>``, e.g. ``evidence_8_4: inverse``);
* the clauses of ``also_from_inverse:`` are *derived* from the opposite table (the 2015 → 2008
  rows that name this clause); their evidence is ``inverse-of:<tag of that row>``.

Only targets whose tag is in the table's verified set are ``verified``; every other target
(``recalled``, third-party variants, anything obtained by inverting the other direction, unknown or
missing tags) is ``to confirm`` and must never be presented as certain. N1293's two tables are not
exact inverses, so a derived target is verified only when a published row of this direction names
it too. When a file ships only one direction, the other is derived by inverting it (every row to
confirm). A table may declare ``default: identity``: a clause it does not list maps to itself, to
confirm (the path to an edition whose rows cannot be sourced yet).

Adding a table for a future edition therefore needs one YAML file and no code.
"""

from __future__ import annotations

import fnmatch
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
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

#: Where a target comes from: a row of the table (``published``), the opposite table
#: (``inverse``), the row of a parent clause (``parent``) or the table's identity default.
Origin = Literal["published", "inverse", "parent", "identity"]

#: Evidence tags read as verified when a table does not declare ``verified_evidence``:
#: ``seen_n1293``/``seen_dis``, the row was read in the official matrix (or its DIS). Rows obtained by
#: inverting the other direction (``inverse``), third-party variants and ``recalled`` rows are not:
#: N1293's two tables are not exact inverses.
DEFAULT_VERIFIED_EVIDENCE: frozenset[str] = frozenset({"seen_n1293", "seen_dis"})

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
class Target:
    """One clause of the ``to`` edition that a clause corresponds to, with its own evidence."""

    clause: str
    evidence: str
    confidence: Confidence
    origin: Origin = "published"
    via: str = ""  # for an inverse target: the row of the opposite table it comes from ("4.1 → 4, 5.6")

    @property
    def derived(self) -> bool:
        return self.origin != "published"

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"clause": self.clause, "evidence": self.evidence, "confidence": self.confidence,
                               "origin": self.origin}
        if self.via:
            out["via"] = self.via
        return out


def _is_inverse_tag(evidence: str) -> bool:
    return evidence.startswith("inverse")


@dataclass(frozen=True, slots=True)
class Row:
    """One clause of the ``from`` edition and the clauses it corresponds to in the ``to`` edition.

    ``to`` lists the targets of the row itself (its ``to:``), ``targets`` every target with its
    evidence, those derived from the opposite table (``also_from_inverse``) included.
    ``confidence`` is ``verified`` only when every target in ``to`` is.
    """

    clause: str
    to: tuple[str, ...]
    evidence: str
    confidence: Confidence
    title: str = ""
    note: str = ""
    derived: bool = False
    targets: tuple[Target, ...] = ()

    def all_targets(self) -> tuple[Target, ...]:
        """``targets``, or targets made from ``to`` for a row built without them."""
        if self.targets:
            return self.targets
        origin: Origin = "inverse" if _is_inverse_tag(self.evidence) else ("parent" if self.derived else "published")
        return tuple(Target(t, self.evidence, self.confidence, origin) for t in self.to)

    @property
    def also(self) -> tuple[Target, ...]:
        """Targets outside ``to``: derived from the opposite table."""
        return tuple(t for t in self.all_targets() if t.clause not in self.to)

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
    identity_default: bool = False  # an unlisted clause maps to itself, to confirm
    #: ``also_from_inverse`` as written: clause → derived target clauses (resolved by ``build``).
    pending_inverse: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def get(self, clause: str) -> Row | None:
        return self.rows.get(normalise_clause(clause))

    def lookup(self, clause: str) -> Row | None:
        """The row of ``clause``, falling back to its nearest listed parent (marked to confirm)."""
        key = normalise_clause(clause)
        row = self.rows.get(key)
        if row is not None:
            return row
        if self.identity_default:
            return Row(key, (key,), "identity-default", TO_CONFIRM, derived=True,
                       note="not listed; the table maps unlisted clauses to themselves until rows are sourced",
                       targets=(Target(key, "identity-default", TO_CONFIRM, "identity"),))
        parts = key.split(".")
        for i in range(len(parts) - 1, 0, -1):
            parent = self.rows.get(".".join(parts[:i]))
            if parent is not None:
                evidence = f"parent:{parent.clause}:{parent.evidence}"
                return Row(key, parent.to, evidence, TO_CONFIRM,
                           note=f"not listed; mapped through its parent clause {parent.clause}", derived=True,
                           targets=tuple(Target(t.clause, f"parent:{parent.clause}:{t.evidence}", TO_CONFIRM,
                                                "parent", t.via) for t in parent.all_targets()))
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


def _clauses(raw: Any, key: str, clause: str, origin: str) -> tuple[str, ...]:
    value = raw.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise ConfigError(_("{origin}: row {clause!r}: `{key}` must be a list of clause numbers").format(
            origin=origin, clause=clause, key=key))
    return tuple(dict.fromkeys(normalise_clause(str(t)) for t in value if str(t).strip()))


def _row(clause: str, raw: Any, verified: frozenset[str], origin: str) -> tuple[Row, tuple[str, ...]]:
    """The row and the clauses of its ``also_from_inverse`` (resolved against the opposite table later)."""
    if not isinstance(raw, Mapping):
        raise ConfigError(_("{origin}: row {clause!r} must be a mapping with `to:` and `evidence:`").format(
            origin=origin, clause=clause))
    to = _clauses(raw, "to", clause, origin)
    also = tuple(c for c in _clauses(raw, "also_from_inverse", clause, origin) if c not in to)
    evidence = _text(raw.get("evidence", "")).strip() or "none"
    targets: list[Target] = []
    for target in to:
        tag = _text(raw.get("evidence_" + target.replace(".", "_"), "")).strip() or evidence
        targets.append(Target(target, tag, VERIFIED if tag in verified else TO_CONFIRM,
                              "inverse" if _is_inverse_tag(tag) else "published"))
    if targets:
        confidence: Confidence = VERIFIED if all(t.confidence == VERIFIED for t in targets) else TO_CONFIRM
    else:
        confidence = VERIFIED if evidence in verified else TO_CONFIRM
    row = Row(
        clause=clause,
        to=to,
        evidence=evidence,
        confidence=confidence,
        title=_text(raw.get("title", "")),
        note=_text(raw.get("note", "")),
        targets=tuple(targets),
    )
    return row, also


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
    default = data.get("default")
    if default not in (None, "identity"):
        raise ConfigError(_("{origin}: `default` may only be `identity`").format(origin=origin))
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
        if rows is None and default == "identity":
            rows = {}
        if not isinstance(rows, Mapping):
            raise ConfigError(_("{origin}: the rows of the {src}→{dst} table must be a mapping of clause numbers").format(
                origin=origin, src=src, dst=dst))
        table = Table(src, dst, source=source, origin=origin, identity_default=default == "identity")
        for clause, raw in rows.items():
            cid = normalise_clause(str(clause))
            table.rows[cid], also = _row(cid, raw, verified, origin)
            if also:
                table.pending_inverse[cid] = also
        tables.append(table)
    return tables


def _invert(table: Table) -> Table:
    """The opposite direction of a table shipped alone: every row derived, hence to confirm."""
    inverse = Table(table.target_edition, table.source_edition, source=table.source,
                    origin=f"{table.origin} (inverted)", identity_default=table.identity_default)
    collected: dict[str, list[tuple[Row, Target]]] = {}
    for row in table.rows.values():
        for target in row.all_targets():
            if target.origin == "published":
                collected.setdefault(target.clause, []).append((row, target))
    for clause, found in collected.items():
        targets = tuple(Target(r.clause, f"inverse-of:{t.evidence}", TO_CONFIRM, "inverse",
                               f"{r.clause} → {', '.join(r.to)}") for r, t in found)
        evidence = ",".join(sorted({t.evidence for t in targets}))
        inverse.rows[clause] = Row(clause, tuple(t.clause for t in targets), evidence, TO_CONFIRM, derived=True,
                                   targets=targets)
    return inverse


def _opposite_rows(opposite: Table, target: str, clause: str) -> list[Row]:
    """The rows of the opposite table for ``target`` (or its sub-clauses) that name ``clause``."""
    return [r for key, r in opposite.rows.items()
            if (key == target or key.startswith(target + ".")) and clause in r.to]


def _inverse_target(target: str, clause: str, opposite: Table | None, fallback: str) -> Target:
    found = _opposite_rows(opposite, target, clause) if opposite is not None else []
    if not found:
        return Target(target, fallback, TO_CONFIRM, "inverse")
    tags = sorted({next((t.evidence for t in r.all_targets() if t.clause == clause), r.evidence) for r in found})
    via = "; ".join(f"{r.clause} → {', '.join(r.to)}" for r in found)
    return Target(target, ",".join(f"inverse-of:{tag}" for tag in tags), TO_CONFIRM, "inverse", via)


def _resolve_inverse(table: Table, opposite: Table | None) -> None:
    """Give every target derived from the opposite table (``also_from_inverse``, or a ``to`` target
    tagged ``inverse``) the evidence of the opposite rows it comes from; such targets stay to confirm."""
    for clause, row in list(table.rows.items()):
        also = table.pending_inverse.get(clause, ())
        if not also and not any(t.origin == "inverse" for t in row.all_targets()):
            continue
        targets = [_inverse_target(t.clause, clause, opposite, t.evidence) if t.origin == "inverse" else t
                   for t in row.all_targets()]
        targets.extend(_inverse_target(target, clause, opposite, "inverse") for target in also)
        table.rows[clause] = Row(row.clause, row.to, row.evidence, row.confidence, row.title, row.note,
                                 row.derived, tuple(targets))
    table.pending_inverse = {}


def build(tables: Iterable[Table]) -> Correlations:
    result = Correlations()
    for table in tables:
        key = (table.source_edition, table.target_edition)
        if key in result.tables:
            raise ConfigError(_("two correlation tables from {src} to {dst} ({first} and {second})").format(
                src=key[0], dst=key[1], first=result.tables[key].origin, second=table.origin))
        result.tables[key] = table
    for key, table in list(result.tables.items()):
        _resolve_inverse(table, result.tables.get((key[1], key[0])))
    for key, table in list(result.tables.items()):
        back = (key[1], key[0])
        if back not in result.tables:
            result.tables[back] = _invert(table)
    return result


def data_dir() -> Path:
    from qms.standards.editions import data_root

    return Path(str(data_root()))


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
    except (FileNotFoundError, OSError, KeyError, TypeError, UsageError):
        return {"en": "", "vi": ""}
    entry = cat.get(normalise_clause(clause))
    if entry is None:
        return {"en": "", "vi": ""}
    # an untitled subclause (9.2.1) has an English description only: in Vietnamese, its parent's title
    return {"en": entry.title, "vi": entry.title_vi or (entry.label("vi") if entry.untitled else "")}


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
    if len(key) > 24 or not re.fullmatch(r"\d+(?:\.\d+)*", key):
        shown = clause if len(clause) <= 40 else clause[:40] + "…"
        raise UsageError(_("{clause!r} is not a clause number").format(clause=shown),
                         hint=_("write a number such as 4.2.3 or 8.5.1"))
    row = _known(table, table.lookup(key))
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
    targets = row.all_targets()
    return {
        "clause": key,
        "from": table.source_edition,
        "to_edition": table.target_edition,
        "to": list(row.to),
        "evidence": row.evidence,
        "confidence": row.confidence,
        "title": own,
        "to_titles": {t.clause: clause_titles(table.target_edition, t.clause) for t in targets},
        "note": row.note,
        "derived": row.derived,
        "targets": [t.to_dict() for t in targets],
    }


def map_clause(clause: str, from_ed: str, to_ed: str, corr: Correlations | None = None) -> list[Target]:
    """Every clause of ISO 9001:``to_ed`` that ``clause`` of ISO 9001:``from_ed`` corresponds to.

    The public entry point for other parts of qms (e.g. clause references found in imported
    documents): each :class:`Target` carries its evidence, its confidence (only ``verified`` targets
    may be applied without asking a person) and its origin (a published row, the opposite table, a
    parent clause, or the table's identity default). An unlisted clause with no listed parent gives
    an empty list; an unknown edition pair raises :class:`UsageError`.
    """
    corr = corr or correlations()
    key = normalise_clause(clause)
    if len(key) > 24 or not re.fullmatch(r"\d+(?:\.\d+)*", key):
        return []
    table = corr.table(from_ed, to_ed)
    row = _known(table, table.lookup(key))
    return list(row.all_targets()) if row is not None else []


def _known(table: Table, row: Row | None) -> Row | None:
    """``row``, unless it is an identity default for a clause the source edition's catalogue lacks."""
    if row is None or not table.identity_default or row.clause in table.rows:
        return row
    from qms.standards import catalogue

    try:
        known = catalogue(table.source_edition)
    except UsageError:
        return row  # no catalogue shipped for the source edition: any well-formed number maps to itself
    return row if row.clause in known else None


def evidence_words(value: str) -> str:
    """An evidence tag of the correlation table, or a list of them ("8.5.1: recalled, 8.5.5: inverse-of:seen"),
    in the current language: a reader never sees the table's raw tags."""
    def one(tag: str) -> str:
        if tag.startswith("inverse-of:"):  # the row of the opposite table this one was derived from
            return _("its row in the inverse table is {how}").format(how=one(tag[len("inverse-of:"):]))
        if tag.startswith("inverse"):  # inverse, inverse_variant
            return _("derived from the inverse table")
        if tag.startswith("parent:"):
            return _("through the parent clause")
        if tag == "recalled":
            return _("recalled from memory (to confirm)")
        if tag in DEFAULT_VERIFIED_EVIDENCE:
            return _("read in the published table")
        if tag.startswith("seen"):
            return _("read in a secondary source")
        return tag

    out = []
    for part in value.split(", "):
        m = re.fullmatch(r"(\d+(?:\.\d+)*): (.+)", part)
        out.append(f"{m.group(1)}: {one(m.group(2))}" if m is not None else one(part))
    return ", ".join(out)


def former_clause_hint(clause: str) -> str | None:
    """For a clause number that ISO 9001:2015 lacks but ISO 9001:2008 has ("4.2.3", written by an
    officer trained on the 2008 edition): a hint naming the 2008 clause and the 2015 clauses it became;
    None for any other number."""
    from qms.i18n import get_language

    key = normalise_clause(clause)
    try:
        targets = map_clause(key, "2008", "2015")
    except (UsageError, ConfigError):
        return None
    titles = clause_titles("2008", key)
    if not targets or not titles["en"]:
        return None
    title = titles["vi"] if get_language() == "vi" and titles["vi"] else titles["en"]
    clauses = ", ".join(dict.fromkeys(t.clause for t in targets))
    return _("{clause} is the ISO 9001:2008 clause '{title}'; cite the ISO 9001:2015 clause it became: "
             "{clauses}").format(clause=key, title=title, clauses=clauses)
