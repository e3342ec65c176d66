"""Render the rule catalogue as Markdown (``docs/rules.md``).

Regenerate the page with ``python -m qms.rules.docs > docs/rules.md``; a test fails when the page and the
rule docstrings disagree.
"""

from __future__ import annotations

import sys

from qms.rules.base import Rule
from qms.rules.registry import all_rules

SECTIONS: tuple[tuple[str, str], ...] = (
    ("what_it_checks", "What it checks"),
    ("why", "Why"),
    ("example", "Example"),
    ("fix", "Fix"),
    ("use_instead", "Use instead"),
)

FAMILY_TITLES: tuple[tuple[str, str], ...] = (
    ("QMS0", "Loading and schema (QMS0xx)"),
    ("QMS1", "Identity and references (QMS1xx)"),
    ("QMS2", "Process maps (QMS2xx)"),
    ("QMS3", "Leadership and planning (QMS3xx)"),
    ("QMS4", "Documented information (QMS4xx)"),
    ("QMS5", "Nonconformity and corrective action (QMS5xx)"),
    ("QMS6", "Internal audit (QMS6xx)"),
    ("QMS7", "Review and KPIs (QMS7xx)"),
    ("QMS8", "ISO 9001:2008 leftovers (QMS8xx)"),
    ("QMS9", "Configuration (QMS9xx)"),
)


def _anchor(rule: type[Rule]) -> str:
    return f"{rule.code.lower()}-{rule.name}"


def render_rule(rule: type[Rule]) -> str:
    doc = rule.doc()
    clauses = ", ".join(rule.clauses) or "—"
    lines = [
        f"### {rule.code} {rule.name}",
        "",
        f"*{doc.get('summary', '').strip()}*",
        "",
        f"Severity **{rule.severity.label}** · profile **{rule.profile}** · ISO 9001:2015 clauses {clauses}",
        "",
    ]
    for key, title in SECTIONS:
        body = doc.get(key, "").strip()
        if body:
            lines += [f"**{title}**", "", body, ""]
    return "\n".join(lines)


def render() -> str:
    rules = all_rules()
    out = [
        "# Rule reference",
        "",
        "<!-- Generated from the rule docstrings; do not edit by hand.",
        "     Regenerate with: python -m qms.rules.docs > docs/rules.md -->",
        "",
        "Every rule has a permanent code. `qms rule CODE` prints the same page in the terminal;",
        "`qms check --profile strict` adds the house-style rules (profile `strict`) to those the standard",
        "requires (profile `iso`).",
        "",
        "| Code | Name | Severity | Profile | Clauses | Summary |",
        "|---|---|---|---|---|---|",
    ]
    for r in rules:
        summary = r.summary().replace("|", "\\|")
        out.append(f"| [{r.code}](#{_anchor(r)}) | {r.name} | {r.severity.label} | {r.profile} | "
                   f"{', '.join(r.clauses) or '—'} | {summary} |")
    out.append("")
    for prefix, title in FAMILY_TITLES:
        members = [r for r in rules if r.code.startswith(prefix)]
        if not members:
            continue
        out += [f"## {title}", ""]
        out += [render_rule(r) for r in members]
    return "\n".join(out).rstrip() + "\n"


def main() -> None:
    sys.stdout.write(render())


if __name__ == "__main__":  # pragma: no cover
    main()
