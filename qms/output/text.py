"""Human output: ``path:line:col: CODE [severity] message (name)`` plus a hint line."""

from __future__ import annotations

from qms.diagnostics import Report
from qms.i18n import N_, _, ngettext
from qms.output.safe import one_line

SEVERITY_LABELS = (N_("error"), N_("warning"), N_("info"))
APPLICABILITY_LABELS = (N_("safe"), N_("unsafe"))


def render(report: Report) -> str:
    lines: list[str] = []
    for d in report.diagnostics:
        item = d.to_dict()
        lines.append(
            f"{one_line(item['path'])}:{item['line']}:{item['column']}: {item['code']} "
            f"[{_(item['severity'])}] {one_line(item['message'])} ({item['name']})"
        )
        if item["hint"]:
            lines.append("  " + _("hint: {hint}").format(hint=one_line(item["hint"])))
        if item["fix"]:
            lines.append("  " + _("fix ({applicability}): {message}").format(
                applicability=_(item["fix"]["applicability"]), message=one_line(item["fix"]["message"])))
    s = report.summary()
    if not report.diagnostics:
        lines.append(ngettext("All clean: {files} file checked.", "All clean: {files} files checked.",
                              s["files"]).format(files=s["files"]))
    else:
        lines.append(_("Found {errors}, {warnings} and {infos} in {files}.").format(
            errors=ngettext("{n} error", "{n} errors", s["errors"]).format(n=s["errors"]),
            warnings=ngettext("{n} warning", "{n} warnings", s["warnings"]).format(n=s["warnings"]),
            infos=ngettext("{n} info finding", "{n} info findings", s["infos"]).format(n=s["infos"]),
            files=ngettext("{n} file", "{n} files", s["files"]).format(n=s["files"])))
    if s["waived"]:
        lines.append(ngettext("{waived} finding waived.", "{waived} findings waived.", s["waived"]).format(
            waived=s["waived"]))
    return "\n".join(lines) + "\n"
