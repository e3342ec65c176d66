"""The transition report: a view-model (plain data) rendered through the shared document pipeline.

The view-model is what any renderer needs: a summary, the correlation rows used (with their
confidence), the gap list with status, the ISO 9001:2008 leftovers and every changed file.
Changes come from the migration log when the repository was migrated, otherwise from a dry run
(marked ``planned``). The HTML comes from ``templates/migration_report.j2`` (autoescaped) in the
document's language, with the bundled fonts.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml

from qms import __version__
from qms.errors import UsageError
from qms.i18n import N_, _, translate
from qms.migrate.apply import plan_migration
from qms.migrate.gaps import GapReport
from qms.standards.correlation import clause_titles, correlations
from qms.store.migration_log import read_migration_log


def _load_log(root: Path) -> dict[str, Any] | None:
    return read_migration_log(root)


def view_model(root: Path, gaps: GapReport, organisation: str = "", source: str = "2008",
               target: str = "2015") -> dict[str, Any]:
    table = correlations().table(source, target)
    blocked = ""
    try:
        plan = plan_migration(root, source, target)
    except UsageError as exc:  # e.g. a target edition whose text is not verified yet
        plan, blocked = None, exc.message
    log = _load_log(root) if (source, target) == ("2008", "2015") else None
    if plan is None:
        state = "not possible yet"
        data: dict[str, Any] = {"changes": [], "files": [], "suggestions": [], "unplaced": []}
    elif plan.changed or log is None:
        state = "planned" if plan.changed else "nothing to migrate"
        data = plan.log()
    else:
        state = "applied"
        data = log
    changes = [c for c in data.get("changes", []) if isinstance(c, dict)]
    used: dict[str, dict[str, Any]] = {}
    for c in changes:
        if c.get("action") != "clause":
            continue
        row = table.lookup(str(c.get("before")))
        if row is None:
            continue
        used[row.clause] = {
            "from": row.clause, "from_title": clause_titles(source, row.clause),
            "to": [{"clause": t.clause, "title": clause_titles(target, t.clause), "evidence": t.evidence,
                    "confidence": t.confidence, "origin": t.origin} for t in row.all_targets()],
            "evidence": row.evidence, "confidence": row.confidence, "note": row.note,
        }
    files: dict[str, list[dict[str, Any]]] = {}
    for c in changes:
        files.setdefault(str(c.get("file")), []).append(c)
    summary = gaps.to_dict()["summary"]
    return {
        "title": f"ISO 9001:{source} → ISO 9001:{target} transition report",
        "from": source,
        "to": target,
        "organisation": organisation,
        "tool": f"qms {__version__}",
        "standard": f"ISO 9001:{gaps.edition}",
        "state": state,
        "blocked": blocked,
        "correlation_source": table.source,
        "summary": {
            **summary,
            "changed_files": len(data.get("files", [])),
            "changes": len(changes),
            "to_confirm": sum(1 for c in changes if c.get("confidence") != "certain"),
            "suggestions": len(data.get("suggestions", [])),
            "unplaced": len(data.get("unplaced", [])),
        },
        "mapping": [used[k] for k in sorted(used, key=lambda s: [int(p) for p in s.split(".") if p.isdigit()])],
        "gaps": [g.to_dict() for g in gaps.gaps],
        "leftovers": [d.to_dict() for d in gaps.leftovers],
        "files": [{"path": p, "changes": cs} for p, cs in sorted(files.items())],
        "suggestions": data.get("suggestions", []),
        "unplaced": data.get("unplaced", []),
    }


_STATES = {"planned": N_("planned"), "applied": N_("applied"), "nothing to migrate": N_("nothing to migrate"),
           "not possible yet": N_("not possible yet")}
_STATUS = {"covered": N_("covered"), "partial": N_("partial"), "missing": N_("missing")}


def _shown(value: Any) -> str:
    """A value of the migration log as one line of text (lists and mappings in YAML flow style)."""
    if isinstance(value, dict | list):
        return str(yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, width=4096).strip())
    return "" if value is None else str(value)


def _title(t: dict[str, str], lang: str) -> str:
    other = "en" if lang == "vi" else "vi"
    return t.get(lang) or t.get(other, "")


def render_html(vm: dict[str, Any], lang: str = "en", root: Path | None = None) -> str:
    """The report through the shared document pipeline (:mod:`qms.render.api`): a Jinja2 template,
    the bundled fonts, the document-control header, in ``lang``."""
    from qms.i18n import use_language
    from qms.migrate import wording
    from qms.render import api
    from qms.render.env import format_date

    with use_language(lang):
        s = vm["summary"]
        mapping = [{"from": f"{r['from']} {_title(r['from_title'], lang)}",
                    "to": [f"{t['clause']} {_title(t['title'], lang)} ("
                           f"{wording.label(_shown(t.get('origin', 'published')))}, "
                           f"{wording.label(_shown(t.get('confidence', '')))}, {wording.evidence(_shown(t.get('evidence', '')))})"
                           for t in r["to"]],
                    "evidence": wording.evidence(_shown(r["evidence"])), "verified": r["confidence"] == "verified",
                    "confidence": wording.label(_shown(r["confidence"]))} for r in vm["mapping"]]
        gaps = [{"clause": f"{g['clause']} {_title(g['title'], lang)}", "requirement": _shown(g["requirement"]),
                 "status": g["status"], "status_label": _(_STATUS[g["status"]]) if g["status"] in _STATUS
                 else _shown(g["status"]), "evidence": [_shown(x) for x in g["evidence"]],
                 "action": _shown(g["action"])} for g in vm["gaps"]]
        leftovers = [{"where": f"{d['path']}:{d['line']}:{d['column']}", "code": _shown(d["code"]),
                      "message": _shown(d["message"]), "hint": _shown(d["hint"])} for d in vm["leftovers"]]
        files = [{"path": f["path"], "changes": [
            {k: _shown(c.get(k)) for k in ("pointer", "before", "after")}
            | {"action": wording.label(_shown(c.get("action"))), "confidence": wording.label(_shown(c.get("confidence"))),
               "note": wording.text(_shown(c.get("note"))), "confirm": c.get("confidence") != "certain"}
            for c in f["changes"]]} for f in vm["files"]]
        summary = [
            (_("Declared standard"), _shown(vm["standard"])),
            (_("Migration"), (_(_STATES[vm["state"]]) if vm["state"] in _STATES else _shown(vm["state"]))
             + (f" ({_shown(vm['blocked'])})" if vm.get("blocked") else "")),
            (_("Gaps"), _("{missing} missing, {partial} partial, {covered} covered").format(
                missing=s["missing"], partial=s["partial"], covered=s["covered"])),
            (_("ISO 9001:2008 leftovers"), str(s["leftovers"])),
            (_("Changed files"), str(s["changed_files"])),
            (_("Changes"), _("{n} ({confirm} to confirm)").format(n=s["changes"], confirm=s["to_confirm"])),
            (_("Suggestions"), str(s["suggestions"])), (_("Not placed"), str(s["unplaced"])),
            # the table's source note is data in English: its translation lives in migrate.po
            (_("Correlation"), translate(_shown(vm["correlation_source"]), lang)),
        ]
        org = api.OrgView(vm["organisation"], vm["organisation"], "")
        today = format_date(dt.date.today(), lang)
        control = api.ControlView("BC-CD-2015", "01", today, "record", None, None, None, [], issued_on=today)
        context = {
            "control": control, "org": org, "doc_kind": _("Report"), "controlled": False,
            "doc_title": _("ISO 9001:{source} → ISO 9001:{target} transition report").format(
                source=vm.get("from", "2008"), target=vm.get("to", "2015")), "summary": summary,
            "mapping": mapping, "gaps": gaps, "leftovers": leftovers, "files": files,
            "suggestions": [{k: _shown(x.get(k)) for k in ("file", "pointer", "found", "suggestion")}
                            | {"reason": wording.text(_shown(x.get("reason")))} for x in vm["suggestions"]],
            "unplaced": [{k: _shown(x.get(k)) for k in ("file", "pointer", "value")}
                         | {"reason": wording.text(_shown(x.get("reason")))} for x in vm["unplaced"]],
            "tool": vm["tool"], "source": vm.get("from", "2008"), "target": vm.get("to", "2015"),
        }
        return api.render_html_document("migration_report.j2", context, root, lang, search_package="qms.migrate")
