"""The transition report: a view-model (plain data) and a self-contained HTML rendering.

The view-model is what any renderer needs: a summary, the correlation rows used (with their
confidence), the gap list with status, the ISO 9001:2008 leftovers and every changed file.
Changes come from the migration log when the repository was migrated, otherwise from a dry run
(marked ``planned``). All text is escaped in the HTML.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import yaml

from qms import __version__
from qms.errors import UsageError
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


_CSS = """
body{font-family:"Noto Sans",Arial,sans-serif;margin:2em;color:#222}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;width:100%;font-size:.9em}td,th{border:1px solid #ccc;padding:.3em;vertical-align:top}
th{background:#f0f0f0;text-align:left}.covered{color:#17692d}.partial{color:#8a5a00}.missing{color:#a11}
.confirm{color:#8a5a00;font-weight:bold}.verified{color:#17692d}code{font-size:.95em}
"""


def _e(value: Any) -> str:
    if isinstance(value, dict | list):
        value = yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, width=4096).strip()
    return html.escape("" if value is None else str(value), quote=True)


def _title(t: dict[str, str]) -> str:
    return _e(" / ".join(x for x in (t.get("vi", ""), t.get("en", "")) if x))


def render_html(vm: dict[str, Any]) -> str:
    s = vm["summary"]
    out: list[str] = [
        "<!DOCTYPE html>", '<html lang="vi"><head><meta charset="utf-8">',
        f"<title>{_e(vm['title'])}</title><style>{_CSS}</style></head><body>",
        f"<h1>{_e(vm['title'])}</h1>",
        f"<p>{_e(vm['organisation'])}</p>" if vm["organisation"] else "",
        "<h2>Summary / Tóm tắt</h2><ul>",
        f"<li>Declared standard: {_e(vm['standard'])}; migration: {_e(vm['state'])}"
        + (f" ({_e(vm['blocked'])})" if vm.get("blocked") else "") + "</li>",
        f"<li>Gaps: {_e(s['missing'])} missing, {_e(s['partial'])} partial, {_e(s['covered'])} covered</li>",
        f"<li>ISO 9001:2008 leftovers: {_e(s['leftovers'])}</li>",
        f"<li>Changed files: {_e(s['changed_files'])}; changes: {_e(s['changes'])} "
        f"(<span class=\"confirm\">{_e(s['to_confirm'])} to confirm</span>); suggestions: {_e(s['suggestions'])}; "
        f"not placed: {_e(s['unplaced'])}</li>",
        f"<li>Correlation: {_e(vm['correlation_source'])}</li></ul>",
        "<h2>Mapping used / Bảng tương ứng đã dùng</h2>",
        f"<table><tr><th>ISO 9001:{_e(vm.get('from', '2008'))}</th><th>ISO 9001:{_e(vm.get('to', '2015'))}</th>"
        "<th>Evidence</th><th>Confidence</th></tr>",
    ]
    for row in vm["mapping"]:
        targets = "<br>".join(
            f"{_e(t['clause'])} {_title(t['title'])} <small>({_e(t.get('origin', 'published'))}, "
            f"{_e(t.get('confidence', ''))}, {_e(t.get('evidence', ''))})</small>" for t in row["to"])
        cls = "verified" if row["confidence"] == "verified" else "confirm"
        out.append(f"<tr><td>{_e(row['from'])} {_title(row['from_title'])}</td><td>{targets}</td>"
                   f"<td>{_e(row['evidence'])}</td><td class=\"{cls}\">{_e(row['confidence'])}</td></tr>")
    out.append(f"</table><h2>Gaps / Khoảng cách so với ISO 9001:{_e(vm.get('to', '2015'))}</h2>"
               "<table><tr><th>Clause</th><th>Requirement</th><th>Status</th><th>Evidence</th><th>Action</th></tr>")
    for g in vm["gaps"]:
        out.append(f"<tr><td>{_e(g['clause'])} {_title(g['title'])}</td><td>{_e(g['requirement'])}</td>"
                   f"<td class=\"{_e(g['status'])}\">{_e(g['status'])}</td>"
                   f"<td>{'<br>'.join(_e(x) for x in g['evidence'])}</td><td>{_e(g['action'])}</td></tr>")
    out.append("</table><h2>ISO 9001:2008 leftovers</h2><table><tr><th>Where</th><th>Code</th><th>Finding</th>"
               "<th>Replacement</th></tr>")
    for d in vm["leftovers"]:
        out.append(f"<tr><td>{_e(d['path'])}:{_e(d['line'])}:{_e(d['column'])}</td><td>{_e(d['code'])}</td>"
                   f"<td>{_e(d['message'])}</td><td>{_e(d['hint'])}</td></tr>")
    out.append("</table><h2>Changed files / Tệp thay đổi</h2>")
    for f in vm["files"]:
        out.append(f"<h3><code>{_e(f['path'])}</code></h3><table><tr><th>Where</th><th>Action</th><th>Before</th>"
                   "<th>After</th><th>Confidence</th><th>Note</th></tr>")
        for c in f["changes"]:
            cls = "confirm" if c.get("confidence") != "certain" else ""
            out.append(f"<tr><td><code>{_e(c.get('pointer'))}</code></td><td>{_e(c.get('action'))}</td>"
                       f"<td>{_e(c.get('before'))}</td><td>{_e(c.get('after'))}</td>"
                       f"<td class=\"{cls}\">{_e(c.get('confidence'))}</td><td>{_e(c.get('note'))}</td></tr>")
        out.append("</table>")
    out.append("<h2>Suggestions / Đề xuất</h2><table><tr><th>Where</th><th>Found</th><th>Suggestion</th>"
               "<th>Why</th></tr>")
    for sug in vm["suggestions"]:
        out.append(f"<tr><td>{_e(sug.get('file'))} <code>{_e(sug.get('pointer'))}</code></td>"
                   f"<td>{_e(sug.get('found'))}</td><td>{_e(sug.get('suggestion'))}</td>"
                   f"<td>{_e(sug.get('reason'))}</td></tr>")
    out.append("</table><h2>Not placed / Chưa xếp được</h2><table><tr><th>Where</th><th>Content</th><th>Why</th></tr>")
    for u in vm["unplaced"]:
        out.append(f"<tr><td>{_e(u.get('file'))} <code>{_e(u.get('pointer'))}</code></td>"
                   f"<td>{_e(u.get('value'))}</td><td>{_e(u.get('reason'))}</td></tr>")
    out.append(f"</table><p><small>{_e(vm['tool'])}</small></p></body></html>\n")
    return "\n".join(x for x in out if x)
