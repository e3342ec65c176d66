"""``qms migrate apply``: rewrite an ISO 9001:2008 repository into ISO 9001:2015 terms.

The plan is computed in memory on round-trip YAML (comments, quotes and layout kept) and only
files that change are written, atomically. Every change, suggestion and anything that could not
be placed is recorded in ``migration-log.yaml``. A second run finds nothing to do.
"""

from __future__ import annotations

import copy
import difflib
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, ScalarString

from qms import __version__
from qms.analysis.legacy import SKIPPED_KEYS, TERMS, Term, find_term, fold, legacy_clauses
from qms.errors import QmsError, UsageError
from qms.i18n import _
from qms.standards import catalogue, normalise_clause
from qms.standards.correlation import TO_CONFIRM, VERIFIED, Table, correlations, edition_of
from qms.standards.editions import edition_of_standard, registry
from qms.store.atomic import atomic_write_text
from qms.store.limits import current as current_limits
from qms.store.migration_log import LOG_NAME as LOG_NAME  # the log this module writes
from qms.store.safe_open import FileRefused, read_bounded
from qms.store.scaffold import copy_repository, has_entries
from qms.store.workspace import FILE_KINDS, MANIFEST, iter_files
from qms.store.yaml_dump import dump_yaml
from qms.store.yaml_edit import loads_roundtrip
from qms.store.yaml_io import load_file, pointer

TEXT_KINDS = ("manifest", "process", "record-register")
CERTAIN = "certain"

_EDITION_TEXT = re.compile(r"ISO\s*9001\s*:\s*2008")
_CLAUSE_IN_TEXT = re.compile(r"(?i)\b(?:mục|điều khoản|điều|khoản|clause|clauses)\s+(\d+(?:\.\d+)+)")
# any clause-like number ("yêu cầu 4.2.3 của TCVN ISO 9001:2008", "điều 8.5.2 và 8.5.3"), read only in a text
# that names ISO 9001:2008; not a part of a date or a longer number ("12.05.2012", "1.2.3.4.5")
_BARE_CLAUSE = re.compile(r"(?<![\w./-])(\d{1,2}(?:\.\d{1,2}){1,3})(?![\w/-]|\.\d)")

# ISO 9001:2008 5.5.2 a)-c), written as 5.3 assignments when the representative's duties are not listed.
MR_DUTIES: tuple[tuple[str, str], ...] = (
    ("Đảm bảo các quá trình cần thiết của hệ thống quản lý chất lượng được thiết lập, thực hiện và duy trì",
     "Ensures that the processes needed for the QMS are established, implemented and maintained"),
    ("Báo cáo lãnh đạo cao nhất về kết quả hoạt động của hệ thống và nhu cầu cải tiến",
     "Reports to top management on the performance of the QMS and any need for improvement"),
    ("Thúc đẩy nhận thức về các yêu cầu của khách hàng trong toàn tổ chức",
     "Promotes awareness of customer requirements throughout the organization"),
)
RISK_INPUT = ("Các vấn đề nội bộ và bên ngoài (4.1); nhu cầu và mong đợi của các bên quan tâm (4.2)",
              "Internal and external issues (4.1); needs and expectations of interested parties (4.2)")
RISK_OUTPUT = ("Danh mục rủi ro và cơ hội; hành động được tích hợp vào các quá trình (6.1.2)",
               "Register of risks and opportunities; actions integrated into the processes (6.1.2)")


@dataclass(slots=True)
class Change:
    file: str
    pointer: str
    action: str  # clause | term | standard | exclusion | representative | skeleton
    before: Any
    after: Any
    confidence: str = CERTAIN  # certain | to confirm
    note: str = ""


@dataclass(slots=True)
class Suggestion:
    file: str
    pointer: str
    found: str
    suggestion: str
    reason: str


@dataclass(slots=True)
class Unplaced:
    file: str
    pointer: str
    value: Any
    reason: str


@dataclass(slots=True)
class FilePlan:
    path: str
    before: str
    after: str

    def diff(self) -> str:
        return "".join(difflib.unified_diff(self.before.splitlines(True), self.after.splitlines(True),
                                            fromfile=f"a/{self.path}", tofile=f"b/{self.path}"))


@dataclass(slots=True)
class Plan:
    root: Path
    edition: str  # the edition the repository declares ("2008", "2015")
    files: list[FilePlan] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    suggestions: list[Suggestion] = field(default_factory=list)
    unplaced: list[Unplaced] = field(default_factory=list)
    source: str = "2008"  # --from
    target: str = "2015"  # --to

    @property
    def table(self) -> Table:
        return correlations().table(self.source, self.target)

    @property
    def target_standard(self) -> str:
        return registry().get(self.target).standard

    @property
    def changed(self) -> bool:
        return bool(self.files)

    def to_confirm(self) -> list[Change]:
        return [c for c in self.changes if c.confidence != CERTAIN]

    def log(self) -> dict[str, Any]:
        return {
            "tool": f"qms {__version__}",
            "from": f"ISO 9001:{self.edition}",
            "to": self.target_standard,
            "correlation": self.table.source,
            "files": [f.path for f in self.files],
            "changes": [_plain(asdict(c)) for c in self.changes],
            "suggestions": [_plain(asdict(s)) for s in self.suggestions],
            "unplaced": [_plain(asdict(u)) for u in self.unplaced],
        }


def _plain(value: Any) -> Any:
    """ruamel containers and scalar strings → plain Python values (for the log and JSON)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    return value


def _same_style(old: Any, new: str) -> str:
    if isinstance(old, ScalarString):
        return type(old)(new)  # type: ignore[no-any-return]
    return new


def _case_like(found: str, replacement: str) -> str:
    if found.isupper() and len(found) > 1:
        return replacement.upper()
    if found[:1].isupper():
        return replacement[:1].upper() + replacement[1:]
    return replacement


def _lang_of(path: tuple[str | int, ...], match_lang: str) -> str:
    last = path[-1] if path else ""
    return last if last in ("vi", "en") else match_lang


class _FileMigrator:
    def __init__(self, plan: Plan, rel: str, source: str = "") -> None:
        self.plan = plan
        self.rel = rel
        self.source = source

    def change(self, path: tuple[str | int, ...], action: str, before: Any, after: Any,
               confidence: str = CERTAIN, note: str = "") -> None:
        self.plan.changes.append(Change(self.rel, pointer(*path), action, _plain(before), _plain(after),
                                        confidence, note))

    def suggest(self, path: tuple[str | int, ...], found: str, suggestion: str, reason: str) -> None:
        self.plan.suggestions.append(Suggestion(self.rel, pointer(*path), found, suggestion, reason))

    def unplaced(self, path: tuple[str | int, ...], value: Any, reason: str) -> None:
        self.plan.unplaced.append(Unplaced(self.rel, pointer(*path), _plain(value), reason))

    # -- text --------------------------------------------------------------------------------
    def rewrite_text(self, value: str, path: tuple[str | int, ...]) -> str:
        text = unicodedata.normalize("NFC", value)
        new = text
        for term in TERMS.values():
            matches = find_term(new, term)
            if not matches:
                continue
            if term.ambiguous:
                for m in matches:
                    self.suggest(path, m.text, term.replacement(_lang_of(path, m.lang)),
                                 f"retired ISO 9001:2008 term; the wording depends on the sentence ({term.clause})")
                continue
            new = self._replace(new, term, path)
        cites_old_number = False
        names_2008 = bool(_EDITION_TEXT.search(new))
        for cm in (_BARE_CLAUSE if names_2008 else _CLAUSE_IN_TEXT).finditer(new):
            number = normalise_clause(cm.group(1))
            row = self.plan.table.lookup(number)
            if row is None or row.to == (number,) or self.plan.source != "2008":
                continue
            # a number in a text that names ISO 9001:2008 is a 2008 number, whatever the repository declares
            cites_old_number = cites_old_number or names_2008
            if self.plan.edition == "2008":
                self.suggest(path, cm.group(0), ", ".join(row.to) or "-",
                             "the text cites an ISO 9001:2008 clause number; check it by hand")
        if not cites_old_number:  # "điều 8.5.3 ISO 9001:2015" would cite the wrong clause: keep 2008 there
            new = _EDITION_TEXT.sub(self.plan.target_standard, new)
        return new

    def _replace(self, text: str, term: Term, path: tuple[str | int, ...]) -> str:
        out: list[str] = []
        last = 0
        for m in find_term(text, term):
            out.append(text[last:m.start])
            out.append(_case_like(m.text, term.replacement(_lang_of(path, m.lang))))
            last = m.end
        out.append(text[last:])
        return "".join(out)

    def walk_text(self, node: Any, path: tuple[str | int, ...], skip: frozenset[str]) -> None:
        items: Iterator[tuple[Any, Any]]
        if isinstance(node, dict):
            items = iter(list(node.items()))
        elif isinstance(node, list):
            items = iter(list(enumerate(node)))
        else:
            return
        for key, value in items:
            if isinstance(key, str) and key in skip:
                continue
            sub = (*path, key)
            if isinstance(value, str):
                new = self.rewrite_text(value, sub)
                if new != unicodedata.normalize("NFC", value):
                    node[key] = _same_style(value, new)
                    self.change(sub, "term", value, new)
            else:
                self.walk_text(value, sub, skip)

    # -- clauses -----------------------------------------------------------------------------
    def rewrite_clauses(self, doc: Any) -> bool:
        """Rewrite 2008 clause numbers; True when this is the preventive-action procedure."""
        seq = doc.get("clauses") if isinstance(doc, dict) else None
        if not isinstance(seq, list):
            return False
        found = {item.index: item for item in legacy_clauses(doc, self.plan.edition)}
        preventive = any(item.clause == "8.5.3" for item in found.values())
        if self.plan.edition == "2008":
            cat08 = catalogue("2008")
            for i, value in enumerate(seq):
                if i not in found and normalise_clause(str(value)) not in cat08:
                    self.unplaced(("clauses", i), value, "not an ISO 9001:2008 clause number; kept as written")
        if not found:
            return preventive
        quoted = any(isinstance(v, DoubleQuotedScalarString) for v in seq)
        new: list[Any] = []
        seen: set[str] = set()
        for i, value in enumerate(seq):
            item = found.get(i)
            if item is None:
                key = normalise_clause(str(value))
                if key not in seen:
                    new.append(value)
                    seen.add(key)
                continue
            sure = item.confidence == VERIFIED and len(item.targets) == 1
            note = f"evidence {item.evidence}"
            row = self.plan.table.lookup(item.clause)
            if row is not None:
                note = "evidence " + ", ".join(f"{t.clause}: {t.evidence}" for t in row.all_targets()
                                               if t.clause in item.targets)
                if row.also:
                    note += ("; also related through the ISO 9001:{dst} → {src} table: {clauses} (to confirm; "
                             "add them only if the process serves them)").format(
                        src=self.plan.source, dst=self.plan.target, clauses=", ".join(t.clause for t in row.also))
            if len(item.targets) > 1:
                note += "; several 2015 clauses: keep those the process really serves"
            if not item.targets:
                self.unplaced(("clauses", i), value, f"ISO 9001:2008 clause {item.clause} has no 2015 counterpart")
                continue
            self.change(("clauses", i), "clause", str(value), list(item.targets),
                        CERTAIN if sure else TO_CONFIRM, note)
            for target in item.targets:
                if target not in seen:
                    new.append(DoubleQuotedScalarString(target) if quoted else target)
                    seen.add(target)
        seq[:] = new
        return preventive

    def risk_skeleton(self, doc: Any) -> None:
        """Turn the preventive-action procedure into a risks-and-opportunities process skeleton."""
        for key, text in (("inputs", RISK_INPUT), ("outputs", RISK_OUTPUT)):
            seq = doc.get(key)
            if seq is None:
                seq = CommentedSeq()
                keys = list(doc)
                anchor = next((k for k in ("outputs", "inputs", "clauses", "scope") if k in keys), None)
                doc.insert(keys.index(anchor) + 1 if anchor is not None else len(keys), key, seq)
            if not isinstance(seq, list):
                continue
            if any(isinstance(v, dict) and fold(str(v.get("en", ""))) == fold(text[1]) for v in seq):
                continue
            entry = CommentedMap([("vi", text[0]), ("en", text[1])])
            entry.fa.set_flow_style()
            seq.append(entry)
            self.change((key, len(seq) - 1), "skeleton", None, {"vi": text[0], "en": text[1]}, TO_CONFIRM,
                        "risks-and-opportunities skeleton (6.1): review and complete")
        if isinstance(doc.get("clauses"), list) and "6.1" not in [normalise_clause(str(c)) for c in doc["clauses"]]:
            doc["clauses"].append("6.1")
            self.change(("clauses",), "skeleton", None, "6.1", TO_CONFIRM, "the process now serves 6.1")


def _text_map(value: Any) -> Any:
    """A justification or duty (plain string or vi/en mapping) copied for reuse."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        out = CommentedMap()
        for k in ("vi", "en"):
            if isinstance(value.get(k), str):
                out[k] = value[k]
        if isinstance(value, CommentedMap) and value.fa.flow_style():
            out.fa.set_flow_style()
        return out if out else None
    return None


def _migrate_manifest(m: _FileMigrator, doc: Any) -> None:
    plan = m.plan
    _migrate_standard(m, doc)
    removed = [k for k in ("exclusions", "management_representative") if k in doc]
    comments = _comments_of(m.source, doc, removed)
    if "exclusions" in doc:
        _migrate_exclusions(m, doc)
    if doc.get("management_representative") is not None:
        _migrate_representative(m, doc)
    elif "management_representative" in doc:
        del doc["management_representative"]
        m.change(("management_representative",), "representative", None, None, note="empty field removed")
    for key, lines in comments.items():
        if key not in doc and lines:
            m.unplaced((key,), lines, "comments of the removed field, kept only in this log")
    del plan  # (kept for symmetry with the process migration)


def _comments_of(source: str, doc: Any, keys: list[str]) -> dict[str, list[str]]:
    """The comment lines written inside (or just above) each top-level field in ``keys``."""
    lines = source.splitlines()
    starts = sorted((doc.lc.key(k)[0], str(k)) for k in doc if hasattr(doc, "lc"))
    out: dict[str, list[str]] = {}
    for i, (line, key) in enumerate(starts):
        if key not in keys:
            continue
        end = starts[i + 1][0] if i + 1 < len(starts) else len(lines)
        found: list[str] = []
        for ln in lines[line:end]:
            stripped = ln.strip()
            if stripped.startswith("#") or " #" in ln:  # end-of-line comments are kept with their line
                found.append(stripped)
        out[key] = found
    return out


def _migrate_exclusions(m: _FileMigrator, doc: Any) -> None:
    raw = doc.get("exclusions")
    items = raw if isinstance(raw, list) else ([] if raw is None else [raw])
    scope = doc.get("scope")
    if not isinstance(scope, dict):
        m.unplaced(("exclusions",), raw, "qms.yaml has no `scope` mapping to receive the applicability entries")
        return
    applicability = scope.get("applicability")
    if not isinstance(applicability, list):
        applicability = CommentedSeq()
        scope["applicability"] = applicability
    present = {normalise_clause(str(a.get("clause", ""))) for a in applicability if isinstance(a, dict)}
    table = m.plan.table
    for i, item in enumerate(items):
        clause_raw = item.get("clause") if isinstance(item, dict) else item
        if not isinstance(clause_raw, str | int | float) or not str(clause_raw).strip():
            m.unplaced(("exclusions", i), item, "no clause number in this exclusion")
            continue
        clause = normalise_clause(str(clause_raw))
        row = table.lookup(clause)
        if row is None or not row.to:
            m.unplaced(("exclusions", i), item, f"ISO 9001:2008 clause {clause} has no 2015 counterpart")
            continue
        reason: Any = None
        extra: dict[str, Any] = {}
        if isinstance(item, dict):
            for key in ("justification", "reason", "ly_do", "lý_do"):
                if item.get(key) is not None:
                    reason = _text_map(item[key])
                    break
            extra = {k: v for k, v in item.items()
                     if k not in ("clause", "title", "justification", "reason", "ly_do", "lý_do")}
        if extra:
            m.unplaced(("exclusions", i), extra, "fields of the exclusion with no place in `scope.applicability`")
        sure = row.confidence == VERIFIED and len(row.to) == 1
        for target in row.to:
            if target in present:
                m.unplaced(("exclusions", i), item,
                           f"`scope.applicability` already has clause {target}; the existing entry was kept")
                continue
            entry = CommentedMap()
            entry["clause"] = DoubleQuotedScalarString(target)
            entry["applicable"] = False
            if reason is not None:
                entry["justification"] = copy.deepcopy(reason)
            applicability.append(entry)
            present.add(target)
            note = f"from exclusion of ISO 9001:2008 {clause} (evidence {row.evidence})"
            if reason is None:
                note += "; no justification was given: add one (4.3)"
            m.change(("scope", "applicability", len(applicability) - 1), "exclusion", item,
                     _plain(entry), CERTAIN if sure and reason is not None else TO_CONFIRM, note)
    del doc["exclusions"]


def _role_of_representative(doc: Any, mr: Any) -> str | None:
    org = doc.get("organisation") if isinstance(doc.get("organisation"), dict) else {}
    roles = {r.get("id") for r in org.get("roles", []) or [] if isinstance(r, dict)}
    people = [p for p in org.get("people", []) or [] if isinstance(p, dict)]
    if isinstance(mr, dict) and isinstance(mr.get("role"), str) and mr["role"] in roles:
        return str(mr["role"])
    who = mr.get("person") if isinstance(mr, dict) else mr
    if isinstance(who, str):
        for p in people:
            if who in (p.get("id"), p.get("name")) and p.get("role") in roles:
                return str(p["role"])
    return None


def _migrate_representative(m: _FileMigrator, doc: Any) -> None:
    mr = doc["management_representative"]
    role_id = _role_of_representative(doc, mr)
    if role_id is None:
        m.unplaced(("management_representative",), mr,
                   "the representative's role is not defined in `organisation.roles`; the field was kept")
        return
    roles = doc["organisation"]["roles"]
    index = next(i for i, r in enumerate(roles) if isinstance(r, dict) and r.get("id") == role_id)
    role = roles[index]
    duties_raw = mr.get("responsibilities") if isinstance(mr, dict) else None
    given = isinstance(duties_raw, list) and bool(duties_raw)
    duties: list[Any] = ([d for d in (_text_map(x) for x in duties_raw) if d is not None]
                         if given and isinstance(duties_raw, list) else [])
    if not given:
        for vi, en in MR_DUTIES:
            entry = CommentedMap([("vi", vi), ("en", en)])
            entry.fa.set_flow_style()
            duties.append(entry)
    existing = role.get("responsibilities")
    if not isinstance(existing, list):
        existing = CommentedSeq()
        role["responsibilities"] = existing
    known = {fold(str(d.get("en", "") if isinstance(d, dict) else d)) for d in existing}
    for duty in duties:
        key = fold(str(duty.get("en", "") if isinstance(duty, dict) else duty))
        if key in known:
            continue
        if isinstance(duty, CommentedMap):
            duty.fa.set_flow_style()
        existing.append(duty)
        known.add(key)
        m.change(("organisation", "roles", index, "responsibilities", len(existing) - 1), "representative",
                 None, duty, CERTAIN if given else TO_CONFIRM,
                 "management representative's duties assigned to the role (5.3)" if given else
                 "ISO 9001:2008 5.5.2 duties written as 5.3 responsibilities: confirm them")
    if isinstance(mr, dict):
        rest = {k: v for k, v in mr.items() if k not in ("role", "person", "responsibilities")}
        if rest:
            m.unplaced(("management_representative",), rest,
                       f"details of the appointment kept only in this log (role `{role_id}`)")
    del doc["management_representative"]
    m.change(("management_representative",), "representative", mr, f"organisation.roles[{role_id}]",
             note="top management stays accountable for the QMS (5.1); responsibilities assigned to roles (5.3)")


def _migrate_standard(m: _FileMigrator, doc: Any) -> None:
    target = m.plan.target_standard
    if isinstance(doc.get("standard"), str) and doc["standard"] != target:
        before = doc["standard"]
        if m.plan.source != "2008" and edition_of_standard(before) == m.plan.target:
            return  # already declares the target edition (e.g. with its amendment)
        doc["standard"] = _same_style(before, target)
        m.change(("standard",), "standard", before, target)


def declared_edition(root: Path) -> str:
    path = root / MANIFEST
    try:
        data = load_file(path, root)
    except QmsError:
        return "2015"
    value = data.get("standard") if isinstance(data, dict) else None
    return edition_of_standard(value) if isinstance(value, str) else "2015"


def check_pair(source: str, target: str, declared: str) -> None:
    """Refuse a migration qms cannot do: no table, a target that cannot be declared, or a repository
    that does not declare the ``--from`` edition (2008 → 2015 also cleans 2008 leftovers of a 2015 repository)."""
    correlations().table(source, target)
    ed = registry().get(target)
    if not ed.has_catalogue:
        raise UsageError(
            _("cannot migrate to ISO 9001:{edition}: qms ships no clause catalogue for it (status: {status})").format(
                edition=target, status=ed.status),
            hint=_("`qms migrate map CLAUSE --from {src} --to {dst}` shows the prepared table").format(
                src=source, dst=target))
    if ed.status == "withdrawn":
        raise UsageError(_("ISO 9001:{edition} is withdrawn; qms does not migrate to it").format(edition=target))
    if (source, target) != ("2008", "2015") and declared != source:
        raise UsageError(_("the repository declares ISO 9001:{declared}, not ISO 9001:{source}").format(
            declared=declared, source=source), hint=_("set --from to the edition qms.yaml declares"))


def _plan_other(plan: Plan) -> Plan:
    """A migration between editions other than 2008 → 2015: the declared standard and the clause
    numbers the correlation table changes (the 2008 terms, exclusions and representative are 2008 only)."""
    for kind, path in _files(plan.root):
        if kind not in ("manifest", "process"):
            continue
        rel = path.relative_to(plan.root).as_posix()
        try:
            before = read_bounded(path, current_limits().yaml_size, "yaml_size", plan.root).decode("utf-8")
        except (FileRefused, UnicodeDecodeError) as exc:
            plan.unplaced.append(Unplaced(rel, "", None, f"file not migrated: cannot read it as UTF-8 ({exc})"))
            continue
        rt = loads_roundtrip(before, source=rel)
        doc = rt.data
        if not isinstance(doc, dict):
            continue
        m = _FileMigrator(plan, rel, before)
        if kind == "manifest":
            _migrate_standard(m, doc)
        else:
            _rewrite_numbers(m, doc)
        after = rt.dump()
        if after != before:
            plan.files.append(FilePlan(rel, before, after))
    return plan


def _rewrite_numbers(m: _FileMigrator, doc: Any) -> None:
    seq = doc.get("clauses")
    if not isinstance(seq, list):
        return
    quoted = any(isinstance(v, DoubleQuotedScalarString) for v in seq)
    new: list[Any] = []
    seen: set[str] = set()
    for i, value in enumerate(seq):
        key = normalise_clause(str(value))
        row = m.plan.table.lookup(key)
        targets = row.to if row is not None else (key,)
        if row is None:
            m.unplaced(("clauses", i), value, f"ISO 9001:{m.plan.source} clause {key} is not in the table; kept")
        elif targets != (key,):
            if not targets:
                m.unplaced(("clauses", i), value,
                           f"ISO 9001:{m.plan.source} clause {key} has no ISO 9001:{m.plan.target} counterpart")
                continue
            evidence = ", ".join(f"{t.clause}: {t.evidence}" for t in row.all_targets() if t.clause in targets)
            m.change(("clauses", i), "clause", str(value), list(targets),
                     CERTAIN if row.certain else TO_CONFIRM, f"evidence {evidence}")
        for target in targets:
            if target not in seen:
                new.append(DoubleQuotedScalarString(target) if quoted and target != key else
                           (value if target == key else target))
                seen.add(target)
    seq[:] = new


def _files(root: Path) -> list[tuple[str, Path]]:
    out: list[tuple[str, Path]] = []
    for kind in FILE_KINDS:
        if kind.name in TEXT_KINDS:
            out.extend((kind.name, p) for p in iter_files(root, kind) if p.is_file() and not p.is_symlink())
    return out


def plan_migration(root: Path, source: str = "2008", target: str = "2015") -> Plan:
    """Everything ``apply --from SOURCE --to TARGET`` would do, computed without writing."""
    src, dst = edition_of(source), edition_of(target)
    plan = Plan(root=root, edition=declared_edition(root), source=src, target=dst)
    check_pair(src, dst, plan.edition)
    if (src, dst) != ("2008", "2015"):
        return _plan_other(plan)
    for kind, path in _files(root):
        rel = path.relative_to(root).as_posix()
        try:
            before = read_bounded(path, current_limits().yaml_size, "yaml_size", root).decode("utf-8")
        except (FileRefused, UnicodeDecodeError) as exc:
            plan.unplaced.append(Unplaced(rel, "", None, f"file not migrated: cannot read it as UTF-8 ({exc})"))
            continue
        rt = loads_roundtrip(before, source=rel)
        doc = rt.data
        if not isinstance(doc, dict):
            continue
        m = _FileMigrator(plan, rel, before)
        skip = SKIPPED_KEYS | (frozenset({"exclusions", "management_representative"}) if kind == "manifest"
                               else frozenset())
        if kind == "manifest":
            _migrate_manifest(m, doc)
        elif kind == "process":
            preventive = m.rewrite_clauses(doc)
            title = doc.get("title")
            titles = [title] if isinstance(title, str) else list(title.values()) if isinstance(title, dict) else []
            if preventive or any(find_term(str(t), TERMS["preventive_action"]) for t in titles):
                m.risk_skeleton(doc)
        m.walk_text(doc, (), skip)
        after = rt.dump()
        if after != before:
            plan.files.append(FilePlan(rel, before, after))
    return plan


def dump_log(plan: Plan) -> str:
    header = ("# qms migrate apply: every change, suggestion and item that could not be placed.\n"
              "# Entries marked \"to confirm\" need a person to check them.\n")
    return header + dump_yaml(plan.log(), width=100)


def write_text(path: Path, text: str) -> None:
    """Atomic write that keeps the mode of an existing file (new files get the umask default)."""
    atomic_write_text(path, text)  # the store's atomic write keeps the replaced file's mode


def write(plan: Plan) -> None:
    """Write the changed files and the log atomically (nothing when nothing changed)."""
    if not plan.changed:
        return
    for f in plan.files:
        write_text(plan.root / f.path, f.after)
    write_text(plan.root / LOG_NAME, dump_log(plan))


def prepare_out(root: Path, out: Path) -> Path:
    """Copy the repository to ``out`` (which must not exist or be empty) and return the copy's root."""
    target = out.resolve()
    if target == root or root in target.parents:
        raise UsageError(_("--out {path} is inside the repository").format(path=out),
                         hint=_("choose a directory outside it"))
    if has_entries(target):
        raise UsageError(_("--out {path} exists and is not empty").format(path=out),
                         hint=_("choose a new or empty directory"))
    try:
        copy_repository(root, target)
    except OSError as exc:
        raise UsageError(_("cannot copy the repository to {path}: {error}").format(path=out, error=exc)) from None
    return target
