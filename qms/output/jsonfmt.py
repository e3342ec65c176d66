"""The versioned JSON document: ``{version, tool, summary, diagnostics[]}``."""

from __future__ import annotations

import json
from typing import Any

from qms import TOOL_NAME, __version__
from qms.diagnostics import Report

JSON_VERSION = 1


def document(report: Report) -> dict[str, Any]:
    return {"version": JSON_VERSION, "tool": {"name": TOOL_NAME, "version": __version__}, **report.to_dict()}


def to_json(data: Any, *, indent: int | None = None) -> str:
    """The one JSON writer of command results: UTF-8 text as is (not ``\\u`` escapes)."""
    return json.dumps(data, ensure_ascii=False, indent=indent)


def render(report: Report) -> str:
    return json.dumps(document(report), ensure_ascii=False, indent=2) + "\n"


def from_document(data: dict[str, Any]) -> Report:
    """Rebuild a report from :func:`document` output."""
    return Report.from_dict(data)
