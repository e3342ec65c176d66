"""The versioned JSON document: ``{version, tool, summary, diagnostics[]}``."""

from __future__ import annotations

import json
from typing import Any

from qms import TOOL_NAME, __version__
from qms.diagnostics import Report

JSON_VERSION = 1


def document(report: Report) -> dict[str, Any]:
    return {
        "version": JSON_VERSION,
        "tool": {"name": TOOL_NAME, "version": __version__},
        "summary": report.summary(),
        "diagnostics": [d.to_dict() for d in report.diagnostics],
        "waived": [{**d.to_dict(), "waived_by": d.waived_by} for d in report.waived],
    }


def render(report: Report) -> str:
    return json.dumps(document(report), ensure_ascii=False, indent=2) + "\n"


def from_document(data: dict[str, Any]) -> Report:
    """Rebuild a report from :func:`document` output (used by the result cache)."""
    from qms.diagnostics import Diagnostic, Fix, Location, Severity

    def diag(d: dict[str, Any], waived_by: str = "") -> Diagnostic:
        return Diagnostic(
            code=d["code"], name=d["name"], severity=Severity.parse(d["severity"]), message=d["message"],
            location=Location(d["path"], d["line"], d["column"], d["pointer"]), subject=d["subject"],
            clauses=tuple(d["clauses"]), hint=d["hint"],
            related=tuple(Location(r["path"], r["line"], r["column"], r["pointer"]) for r in d["related"]),
            waived_by=waived_by, fix=Fix.from_dict(d["fix"]) if d.get("fix") else None,
        )

    return Report(
        diagnostics=[diag(d) for d in data["diagnostics"]],
        files_checked=int(data["summary"]["files"]),
        waived=[diag(d, d.get("waived_by", "")) for d in data.get("waived", [])],
    )
