"""GitHub Actions workflow commands (``::error file=…,line=…,col=…::message``)."""

from __future__ import annotations

from qms.diagnostics import Report
from qms.i18n import _
from qms.output.safe import inert

_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def _escape_data(text: str) -> str:
    return inert(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def _escape_prop(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(report: Report) -> str:
    out: list[str] = []
    for d in report.diagnostics:
        item = d.to_dict()
        msg = f"{item['code']} {item['message']}"
        if item["hint"]:
            msg += "\n" + _("hint: {hint}").format(hint=item["hint"])
        out.append(
            f"::{_LEVEL[item['severity']]} file={_escape_prop(item['path'])},line={item['line']},"
            f"col={item['column']},title={_escape_prop(item['code'] + ' ' + item['name'])}::{_escape_data(msg)}"
        )
    return "\n".join(out) + ("\n" if out else "")
