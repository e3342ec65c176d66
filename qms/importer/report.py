"""The import review report (HTML or PDF, through the document pipeline of ``qms/render``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from qms.i18n import _, use_language
from qms.importer.run import ImportRun, shown_name
from qms.migrate import wording


def findings(run: ImportRun) -> dict[str, list[dict[str, Any]]]:
    """The findings of ``qms check`` in each written draft, by draft path (relative to the repository)."""
    from qms.engine import CheckOptions, run_check
    from qms.store.workspace import load_workspace

    report = run_check(load_workspace(run.root), CheckOptions())
    out: dict[str, list[dict[str, Any]]] = {}
    for d in report.diagnostics:
        out.setdefault(d.location.path, []).append(
            {"line": d.location.line, "code": d.code, "severity": d.severity.label, "message": d.message})
    return out


def render_html(run: ImportRun, lang: str, with_findings: bool) -> str:
    from qms.render import api

    data = run.to_dict()
    found = findings(run) if with_findings else {}
    docs = []
    with use_language(lang):
        for r, d in zip(run.results, data["documents"], strict=True):
            rel = r.target.resolve().relative_to(run.root.resolve()).as_posix() if _inside(r.target, run.root) else ""
            findings_here = [{**f, "severity": _(f["severity"])} for f in found.get(rel, [])]
            migration = dict(d["migration"] or {})
            if migration.get("changes"):
                migration["changes"] = [{**c, "confidence": wording.label(c["confidence"]),
                                         "before": wording.shown(c["before"]), "after": wording.shown(c["after"])}
                                        for c in migration["changes"]]
            docs.append({**d, "source_name": shown_name(r.source), "findings": findings_here, "migration": migration})
        title = _("Import review report")
        return api.render_html_document("import_report.j2", {"title": title, "documents": docs,
                                                              "proposed_roles": data["proposed_roles"]},
                                        run.root, lang, search_package="qms.importer")


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True


def write_report(run: ImportRun, out: Path, lang: str, kind: str) -> int:
    """Write the report as HTML or PDF; the page count (0 for HTML)."""
    html = render_html(run, lang, with_findings=run.written)
    from qms.render import api

    return api.write_document(html, out, kind, run.root)
