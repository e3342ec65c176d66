"""SARIF 2.1.0 with stable ``partialFingerprints``."""

from __future__ import annotations

import hashlib
import json
from typing import Any
from urllib.parse import quote

from qms import TOOL_NAME, __version__
from qms.diagnostics import Report
from qms.i18n import _, get_language, translate
from qms.i18n.rule_pages import translated
from qms.rules.registry import by_code

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def _fingerprint(item: dict[str, Any]) -> str:
    basis = "\x1f".join([item["code"], item["path"], item["pointer"], item["subject"], item["message"]])
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()[:32]


def _uri(path: str) -> str:
    """A repository path as a relative URI reference (RFC 3986): spaces, line breaks, controls and
    non-ASCII letters percent-encoded, so that a hostile file name cannot break a SARIF consumer."""
    return quote(path, safe="/")


def _fix(item: dict[str, Any]) -> dict[str, Any]:
    """A SARIF ``fix``: one artifact change holding the text replacements (end column exclusive)."""
    fix = item["fix"]
    return {
        "description": {"text": fix["message"]},
        "artifactChanges": [{
            "artifactLocation": {"uri": _uri(item["path"]), "uriBaseId": "%SRCROOT%"},
            "replacements": [{
                "deletedRegion": {"startLine": e["line"], "startColumn": e["column"],
                                  "endLine": e["end_line"], "endColumn": e["end_column"]},
                "insertedContent": {"text": e["content"]},
            } for e in fix["edits"]],
        }],
        "properties": {"applicability": fix["applicability"]},
    }


def document(report: Report) -> dict[str, Any]:
    rules = by_code()
    used = sorted({d.code for d in report.diagnostics})
    rule_index = {code: i for i, code in enumerate(used)}
    descriptors = []
    lang = get_language()
    for code in used:
        rule = rules.get(code)
        doc = rule.doc() if rule else {}
        # the rule's page in the language of the messages (as `qms rule CODE` prints it), else English
        page = (translated(code, doc, lang) if lang != "en" and rule else None) or doc
        descriptors.append({
            "id": code,
            "name": rule.name if rule else code,
            "shortDescription": {"text": translate(rule.summary()) if rule else code},
            "fullDescription": {"text": page.get("what_it_checks", "") or code},
            "properties": {"clauses": list(rule.clauses) if rule else []},
        })
    results = []
    for d in report.diagnostics:
        item = d.to_dict()
        results.append({
            "ruleId": item["code"],
            "ruleIndex": rule_index[item["code"]],
            "level": _LEVEL[item["severity"]],
            "message": {"text": item["message"] + (" (" + _("hint: {hint}").format(hint=item["hint"]) + ")"
                                                   if item["hint"] else "")},
            "locations": [{
                "physicalLocation": {
                    "artifactLocation": {"uri": _uri(item["path"]), "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": item["line"], "startColumn": item["column"]},
                },
                "logicalLocations": [{"fullyQualifiedName": item["pointer"] or "/"}],
            }],
            "partialFingerprints": {"qms/v1": _fingerprint(item)},
            "properties": {"subject": item["subject"], "clauses": item["clauses"]},
            **({"fixes": [_fix(item)]} if item["fix"] else {}),
        })
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": TOOL_NAME, "version": __version__, "rules": descriptors}},
            "results": results,
        }],
    }


def render(report: Report) -> str:
    return json.dumps(document(report), ensure_ascii=False, indent=2) + "\n"
