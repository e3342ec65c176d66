"""``qms migrate check``: what ISO 9001:2015 asks that a 2008-era system may not cover yet.

Each requirement that is new or changed in 2015 gets a status:

* ``covered`` – the repository addresses it directly (a 2015 clause claim or the qms.yaml section);
* ``partial`` – only through a 2008 clause mapped by the correlation table, a parent clause, or
  with pieces missing; the ``action`` says what to add;
* ``missing`` – nothing addresses it, or 2008 material stands in its way.

The ISO 9001:2008 leftovers are the QMS8xx findings of the repository.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from qms.analysis.legacy import TERMS, Phrase, declared_edition, find_phrases, find_term, legacy_clauses
from qms.diagnostics import Diagnostic
from qms.engine import CheckOptions, run_check
from qms.i18n import N_, _, get_language, pgettext
from qms.standards import catalogue, normalise_clause
from qms.standards.correlation import correlations
from qms.standards.editions import registry
from qms.store.migration_log import read_migration_log
from qms.store.workspace import Workspace
from qms.store.yaml_dump import dump_yaml

Status = Literal["covered", "partial", "missing"]


def _role_title(role: dict[str, Any]) -> str:
    """A role as the report names it: its title in the message language, never its id (unless it has no title)."""
    title = role.get("title")
    if isinstance(title, dict):
        shown = title.get(get_language()) or title.get("vi") or title.get("en")
        if shown:
            return str(shown)
    elif isinstance(title, str) and title.strip():
        return title
    return str(role.get("id"))


@dataclass(slots=True)
class Gap:
    clause: str
    requirement: str
    status: Status
    evidence: list[str] = field(default_factory=list)
    action: str = ""

    target: str = "2015"

    def title(self) -> dict[str, str]:
        c = catalogue(self.target).get(self.clause) if registry().get(self.target).has_catalogue else None
        return {"en": c.title if c else "", "vi": c.title_vi if c else ""}

    def to_dict(self) -> dict[str, Any]:
        return {"clause": self.clause, "title": self.title(), "requirement": self.requirement,
                "status": self.status, "evidence": self.evidence, "action": self.action}


@dataclass(slots=True)
class GapReport:
    edition: str
    gaps: list[Gap]
    leftovers: list[Diagnostic]
    source: str = "2008"
    target: str = "2015"

    @property
    def open_gaps(self) -> list[Gap]:
        return [g for g in self.gaps if g.status != "covered"]

    def to_dict(self) -> dict[str, Any]:
        return {
            "standard": f"ISO 9001:{self.edition}",
            "from": self.source,
            "to": self.target,
            "summary": {s: sum(1 for g in self.gaps if g.status == s) for s in ("covered", "partial", "missing")}
            | {"leftovers": len(self.leftovers)},
            "gaps": [g.to_dict() for g in self.gaps],
            "leftovers": [d.to_dict() for d in self.leftovers],
        }


@dataclass(slots=True)
class _Claims:
    direct: dict[str, list[str]] = field(default_factory=dict)  # 2015 clause -> process ids
    mapped: dict[str, list[str]] = field(default_factory=dict)  # 2015 clause -> "QT-01 (2008 4.2.3)"

    def status(self, clause: str) -> tuple[Status, list[str]]:
        """Direct claim of the clause or a sub-clause → covered; parent or 2008 mapping → partial."""
        direct = [f"{p} ({c})" for c, ps in self.direct.items() for p in ps
                  if c == clause or c.startswith(clause + ".")]
        if direct:
            return "covered", direct
        parent = [f"{p} ({c})" for c, ps in self.direct.items() for p in ps if clause.startswith(c + ".")]
        mapped = [m for c, ms in self.mapped.items() for m in ms
                  if c == clause or c.startswith(clause + ".") or clause.startswith(c + ".")]
        if parent or mapped:
            return "partial", list(dict.fromkeys(parent + mapped))
        return "missing", []


def _unconfirmed(ws: Workspace) -> dict[tuple[str, str], str]:
    """(file, 2015 clause) → 2008 clause, for clause rewrites the migration log marks "to confirm"."""
    log = read_migration_log(ws.root)
    out: dict[tuple[str, str], str] = {}
    for change in (log or {}).get("changes", []):
        if not isinstance(change, dict) or change.get("action") != "clause" or change.get("confidence") == "certain":
            continue
        for target in change.get("after") or []:
            out[(str(change.get("file")), str(target))] = str(change.get("before"))
    return out


def _claims(ws: Workspace, edition: str) -> _Claims:
    claims = _Claims()
    unconfirmed = _unconfirmed(ws)
    for doc in ws.of_kind("process"):
        raw = doc.raw if isinstance(doc.raw, dict) else {}
        pid = str(raw.get("id", doc.path))
        legacy = {item.index: item for item in legacy_clauses(raw, edition)}
        found = raw.get("clauses")
        values: list[Any] = found if isinstance(found, list) else []
        for i, value in enumerate(values):
            item = legacy.get(i)
            if item is not None:
                for target in item.targets:
                    sure = _("verified") if item.confidence == "verified" else _("to confirm")
                    claims.mapped.setdefault(target, []).append(
                        _("{process} (ISO 9001:2008 {clause} → {target}, {confidence})").format(
                            process=pid, clause=item.clause, target=target, confidence=sure))
            elif edition == "2015":
                clause = normalise_clause(str(value))
                source = unconfirmed.get((doc.path, clause))
                if source is not None:
                    claims.mapped.setdefault(clause, []).append(
                        _("{process} (migrated from ISO 9001:2008 {clause}, to confirm)").format(
                            process=pid, clause=source))
                else:
                    claims.direct.setdefault(clause, []).append(pid)
            else:
                clause = normalise_clause(str(value))
                if clause in catalogue("2015"):  # a 2008 number whose 2015 counterpart is itself
                    claims.mapped.setdefault(clause, []).append(f"{pid} (ISO 9001:2008 {clause})")
    return claims


def _texts(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for v in value.values() for t in _texts(v)]
    if isinstance(value, list):
        return [t for v in value for t in _texts(v)]
    return []


_REVIEW_INPUTS: tuple[tuple[str, str, str], ...] = (
    ("issues", r"issue|context|bối cảnh|vấn đề nội bộ|vấn đề bên ngoài",
     N_("changes in external and internal issues")),
    ("risks", r"risk|rủi ro", N_("effectiveness of actions taken to address risks and opportunities")),
    ("resources", r"resource|nguồn lực", N_("adequacy of resources")),
    ("providers", r"external provider|nhà cung cấp bên ngoài", N_("performance of external providers")),
)


def _is_review(raw: dict[str, Any], edition: str) -> bool:
    values = [normalise_clause(str(c)) for c in raw.get("clauses", []) or [] if isinstance(c, str | int | float)]
    wanted = "5.6" if edition == "2008" else "9.3"
    if any(v == wanted or v.startswith(wanted + ".") for v in values):
        return True
    title = "\n".join(_texts(raw.get("title")))
    return bool(find_phrases(title, [Phrase.of("management review", "en"), Phrase.of("xem xét của lãnh đạo", "vi")]))


def _decisions(manifest: dict[str, Any], target: str, today: dt.date) -> list[Gap]:
    """A gap per decision the amendments of ISO 9001:``target`` ask qms.yaml to record (``context.<key>``)."""
    context = manifest.get("context")
    recorded = context if isinstance(context, dict) else {}
    edition = registry().get(target)
    out: list[Gap] = []
    for amendment in edition.amendments:
        if not amendment.in_force(today):
            continue
        for decision in amendment.decisions:
            question = decision.question.get(get_language()) or decision.question["en"]
            requirement = _("{amendment}: decide {question}").format(amendment=amendment.standard, question=question)
            if isinstance(recorded.get(decision.key), dict):
                out.append(Gap(decision.clause, requirement, "covered", [f"qms.yaml context.{decision.key}"],
                               target=target))
            else:
                out.append(Gap(decision.clause, requirement, "missing", [],
                               _("record the decision in qms.yaml `context.{key}` (relevant: true/false, "
                                 "rationale)").format(key=decision.key), target=target))
    return out


def analyse(ws: Workspace, source: str = "2008", target: str = "2015", today: dt.date | None = None) -> GapReport:
    """The gaps of a move from ISO 9001:``source`` to ``target``: the 2008 → 2015 requirements, or for
    another pair the decisions the target edition's amendments ask for (the other changes of a newer
    edition are in its correlation table, to confirm until the edition is verified)."""
    edition = declared_edition(ws)
    mdoc = ws.manifest_doc
    manifest: dict[str, Any] = mdoc.raw if mdoc is not None and isinstance(mdoc.raw, dict) else {}
    day = today or dt.date.today()
    correlations().table(source, target)  # an unknown pair is a usage error
    if (source, target) != ("2008", "2015"):
        return GapReport(edition, _decisions(manifest, target, day), [], source, target)
    claims = _claims(ws, edition)
    processes = [d.raw for d in ws.of_kind("process") if isinstance(d.raw, dict)]
    gaps: list[Gap] = []

    def by_claim(clause: str, requirement: str, action: str, extra: list[str] | None = None) -> Gap:
        status, evidence = claims.status(clause)
        if extra:
            status, evidence = "covered", extra + evidence
        return Gap(clause, requirement, status, evidence, "" if status == "covered" else action)

    org_raw = manifest.get("organisation")
    org: dict[str, Any] = org_raw if isinstance(org_raw, dict) else {}
    roles = [r for r in org.get("roles", []) or [] if isinstance(r, dict)]
    has_mr = manifest.get("management_representative") is not None
    has_exclusions = manifest.get("exclusions") is not None

    ctx = manifest.get("context_issues") or []
    gaps.append(Gap("4.1", _("Internal and external issues of the organization"),
                    "covered" if ctx else "missing", [f"qms.yaml context_issues ({len(ctx)})"] if ctx else [],
                    "" if ctx else _("list internal and external issues in `context_issues` of qms.yaml, "
                                     "each with the role that monitors it")))
    parties = manifest.get("interested_parties") or []
    gaps.append(Gap("4.2", _("Interested parties and their requirements"),
                    "covered" if parties else "missing",
                    [f"qms.yaml interested_parties ({len(parties)})"] if parties else [],
                    "" if parties else _("list interested parties and their needs in `interested_parties`")))
    scope_raw = manifest.get("scope")
    scope: dict[str, Any] = scope_raw if isinstance(scope_raw, dict) else {}
    applicability = [a for a in scope.get("applicability", []) or [] if isinstance(a, dict)]
    unjustified = [str(a.get("clause")) for a in applicability
                   if a.get("applicable") is False and not a.get("justification")]
    if has_exclusions:
        gaps.append(Gap("4.3", _("Applicability with justification instead of exclusions"), "missing",
                        ["qms.yaml exclusions"],
                        _("turn `exclusions` into `scope.applicability` entries with a justification "
                          "(`qms migrate apply` does it)")))
    elif unjustified:
        gaps.append(Gap("4.3", _("Applicability with justification instead of exclusions"), "partial",
                        [f"scope.applicability {', '.join(unjustified)}"],
                        _("add a justification to every requirement declared not applicable")))
    else:
        gaps.append(Gap("4.3", _("Applicability with justification instead of exclusions"), "covered",
                        [f"scope.applicability ({len(applicability)})"]))
    leadership = by_claim("5.1", _("Leadership and commitment of top management"),
                          _("state top management's accountability and commitments (5.1) and list 5.1 in the "
                            "process that implements them"))
    if has_mr:
        leadership.status = "missing"
        leadership.action = _("top management takes accountability for the QMS instead of a management "
                              "representative; list 5.1 in the leadership process")
    gaps.append(leadership)
    bare = [_role_title(r) for r in roles if not r.get("responsibilities")]
    if has_mr:
        gaps.append(Gap("5.3", _("Roles, responsibilities and authorities instead of a management representative"),
                        "missing", ["qms.yaml management_representative"],
                        _("assign the representative's duties to roles (`qms migrate apply` does it)")))
    else:
        gaps.append(Gap("5.3", _("Roles, responsibilities and authorities instead of a management representative"),
                        "partial" if bare or not roles else "covered",
                        [_("{count} of {total} roles list responsibilities").format(
                            count=len(roles) - len(bare), total=len(roles))],
                        _("list the responsibilities of roles: {roles}").format(roles=", ".join(bare))
                        if bare else ("" if roles else _("define roles in `organisation.roles`"))))
    preventive = [str(p.get("id")) for p in processes
                  if any(i.clause == "8.5.3" for i in legacy_clauses(p, edition))
                  or any(find_term(t, TERMS["preventive_action"]) for t in _texts(p.get("title")))]
    no_risks = [str(p.get("id")) for p in processes if not p.get("risks")]
    risk_gap = by_claim("6.1", _("Actions to address risks and opportunities instead of preventive action"),
                        _("plan actions to address risks and opportunities (6.1) and list 6.1 in that process"))
    if preventive:
        risk_gap.status = "missing"
        risk_gap.evidence.append(_("preventive-action procedure: {ids}").format(ids=", ".join(preventive)))
        risk_gap.action = _("turn the preventive-action procedure into a risks-and-opportunities process "
                            "(`qms migrate apply` writes the skeleton)")
    if no_risks:
        if risk_gap.status == "covered":
            risk_gap.status = "partial"
        risk_gap.evidence.append(_("processes without risks: {ids}").format(ids=", ".join(no_risks)))
        risk_gap.action = (risk_gap.action + "; " if risk_gap.action else "") + _(
            "determine the risks and opportunities of each process (4.4.1 f)")
    gaps.append(risk_gap)
    gaps.append(by_claim("6.3", _("Planning of changes"),
                         _("say how changes to the QMS are planned (purpose, integrity, resources, "
                           "responsibilities) and list 6.3 in that process")))
    knowledge = [_("{process} resources (knowledge)").format(process=p.get("id")) for p in processes
                 if any(isinstance(r, dict) and r.get("kind") == "knowledge" for r in p.get("resources", []) or [])]
    gaps.append(by_claim("7.1.6", _("Organizational knowledge"),
                         _("determine the knowledge needed to operate the processes (resources of kind "
                           "`knowledge`) and list 7.1.6"), knowledge))
    gaps.append(by_claim("7.4", _("Communication: what, when, with whom, how, who"),
                         _("determine internal and external communication and list 7.4 in that process")))
    providers = manifest.get("external_providers") or []
    gaps.append(by_claim("8.4", _("Control of externally provided processes, products and services"),
                         _("list external providers (with their evaluation) in `external_providers` and the "
                           "control of outsourced processes"),
                         [f"qms.yaml external_providers ({len(providers)})"] if providers else None))
    gaps.append(by_claim("8.5.5", _("Post-delivery activities"),
                         _("determine post-delivery activities (complaints, corrections after the result is "
                           "returned) and list 8.5.5")))
    gaps.append(by_claim("8.5.6", _("Control of changes"),
                         _("review and control changes to service provision, retain the results, and list 8.5.6")))
    gaps.append(by_claim("9.1.3", _("Analysis and evaluation"),
                         _("say which data are analysed and evaluated (9.1.3 a-g) and list 9.1.3")))
    reviews = [p for p in processes if _is_review(p, edition)]
    if not reviews:
        gaps.append(Gap("9.3.2", _("New management review inputs"), "missing", [],
                        _("set up a management review process (9.3)")))
    else:
        text = "\n".join(t for p in reviews for t in _texts(p.get("inputs"))).casefold()
        absent = [_(label) for _key, pattern, label in _REVIEW_INPUTS if not re.search(pattern, text)]
        gaps.append(Gap("9.3.2", _("New management review inputs"), "partial" if absent else "covered",
                        [str(p.get("id")) for p in reviews],
                        _("add these inputs to the management review: {inputs}").format(inputs="; ".join(absent))
                        if absent else ""))
    gaps.append(by_claim("10.1", _("Improvement: general"),
                         _("determine opportunities for improvement (10.1) and list 10.1 in that process")))
    for decision in _decisions(manifest, target, day):  # merged into the gap of the same clause (4.1)
        same = next((g for g in gaps if g.clause == decision.clause), None)
        if same is None:
            gaps.append(decision)
            continue
        same.evidence.extend(decision.evidence)
        if decision.status != "covered":
            same.status = "partial" if same.status == "covered" else same.status
            same.action = "; ".join(a for a in (same.action, decision.action) if a)
    report = run_check(ws, CheckOptions(select=["QMS8"], profile="strict"))
    return GapReport(edition, gaps, list(report.diagnostics), source, target)


# -- planned actions ------------------------------------------------------------------------------

ACTION_FIELDS = ("id", "clause", "title", "status", "action", "owner", "due", "source")


def actions(report: GapReport, owner: str, due: dt.date, lang: str = "en") -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for n, gap in enumerate(report.open_gaps, start=1):
        title = gap.title()
        out.append({
            "id": f"MIG-{n:02d}",
            "clause": gap.clause,
            "title": title["vi"] if lang == "vi" and title["vi"] else title["en"],
            "status": gap.status,
            "action": gap.action,
            "owner": owner,
            "due": due.isoformat(),
            "source": "qms migrate check",
        })
    return out


def actions_yaml(rows: list[dict[str, str]]) -> str:
    return ("# Planned actions from `qms migrate check` (ISO 9001:2008 → 2015 transition)\n"
            + dump_yaml({"actions": rows}, width=100))


def actions_csv(rows: list[dict[str, str]]) -> str:
    """The planned actions as a spreadsheet in the current language: the column names and the status are
    words of the catalogue (the English file keeps the field names scripts read)."""
    from qms.output.csvfmt import rows_to_csv

    heads = {"id": pgettext("migration action", "id"), "clause": pgettext("migration action", "clause"),
             "title": pgettext("migration action", "title"), "status": pgettext("migration action", "status"),
             "action": pgettext("migration action", "action"), "owner": pgettext("migration action", "owner"),
             "due": pgettext("migration action", "due"), "source": pgettext("migration action", "source")}
    statuses = {"covered": _("covered"), "partial": _("partial"), "missing": _("missing")}
    return rows_to_csv([heads[f] for f in ACTION_FIELDS],
                       ([statuses.get(row.get(f, ""), row.get(f, "")) if f == "status" else row.get(f)
                         for f in ACTION_FIELDS] for row in rows))


def correlation_source(source: str = "2008", target: str = "2015") -> str:
    return correlations().table(source, target).source
