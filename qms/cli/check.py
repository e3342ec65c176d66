"""``qms check``, ``qms rules`` and ``qms rule CODE``."""

from __future__ import annotations

import datetime as dt
import gc
import os
from pathlib import Path

import click

from qms.diagnostics import Severity
from qms.engine import CheckOptions, check_repository
from qms.engine import cache_key as cache_key  # the key of the result cache (tests and tools import it here)
from qms.errors import UsageError
from qms.i18n import _, ngettext, translate
from qms.output import FORMATTERS
from qms.output.jsonfmt import to_json
from qms.output.safe import inert
from qms.rules.registry import all_rules, lookup

from .common import FORMAT_CHOICE, as_of_option, repo_root


def _split(values: tuple[str, ...]) -> list[str]:
    return [v.strip() for item in values for v in item.split(",") if v.strip()]


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=FORMAT_CHOICE, default="text", show_default=True)
@click.option("--select", multiple=True, help="Only these codes, code prefixes (QMS2) or names.")
@click.option("--ignore", multiple=True, help="Skip these codes, prefixes or names.")
@click.option("--profile", type=click.Choice(["iso", "strict"]), default=None,
              help="iso: what the standard requires; strict: adds house style.")
@click.option("--fail-on", type=click.Choice(["error", "warning", "info", "never"]), default=None,
              help="Lowest severity that makes the exit code 1 (default from qms.yaml, else error).")
@as_of_option("Evaluate dates as of this day (YYYY-MM-DD).")
@click.option("--no-cache", is_flag=True, help="Do not read or write the result cache (also QMS_NO_CACHE=1).")
@click.option("--fix", is_flag=True, help="Apply the safe fixes, then report what remains.")
@click.option("--unsafe-fixes", is_flag=True, help="Apply the unsafe fixes too (implies --fix).")
@click.option("--diff", "show_diff", is_flag=True,
              help="Show the fixes as a unified diff and write nothing (exit 1 if there is a change).")
@click.pass_context
def check(ctx: click.Context, paths: tuple[Path, ...], fmt: str, select: tuple[str, ...],
          ignore: tuple[str, ...], profile: str | None, fail_on: str | None, as_of: dt.date | None,
          no_cache: bool, fix: bool, unsafe_fixes: bool, show_diff: bool) -> None:
    """Validate the QMS repository with every rule and report findings.

    Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage or config error, 3 internal error.
    With --diff: 0 when no fix applies, 1 when the diff is not empty.
    """
    # A short-lived process that allocates hundreds of thousands of small acyclic objects: the cyclic
    # collector's repeated full passes cost more than the whole validation (measured: 1.8 s -> 0.3 s
    # at 2,400 processes), and the process exits before garbage could matter.
    gc.disable()
    root = repo_root(ctx)
    rel_paths: list[str] = []
    for p in paths:
        absolute = (Path.cwd() / p).resolve()
        if not absolute.exists():
            raise UsageError(_("path {path} does not exist").format(path=p))
        try:
            rel = absolute.relative_to(root).as_posix()
        except ValueError:
            raise UsageError(_("path {path} is outside the repository {root}").format(path=p, root=root)) from None
        rel_paths.append("" if rel == "." else rel)
    options = CheckOptions(
        select=_split(select), ignore=_split(ignore),
        profile=profile,  # type: ignore[arg-type]
        paths=[p for p in rel_paths if p],
        today=as_of or dt.date.today(),
    )
    if fix or unsafe_fixes or show_diff:
        _fix(ctx, root, options, fmt, fail_on, unsafe=unsafe_fixes, diff=show_diff)
        return
    result = check_repository(root, options, use_cache=not (no_cache or os.environ.get("QMS_NO_CACHE")))
    level = fail_on or result.config_fail_on
    click.echo(FORMATTERS[fmt](result.report), nl=False)
    ctx.exit(result.report.exit_code(None if level == "never" else Severity.parse(level)))


def _fix(ctx: click.Context, root: Path, options: CheckOptions, fmt: str, fail_on: str | None, *,
         unsafe: bool, diff: bool) -> None:
    """``--fix`` / ``--unsafe-fixes`` / ``--diff``: the use case is :func:`qms.fixing.fix_repository`."""
    from qms.fixing import fix_repository

    outcome = fix_repository(root, options, unsafe=unsafe, write=not diff)
    # machine formats keep stdout for the document; notes go to stderr
    notes_to_stderr = diff or fmt != "text"
    notes = [_("{path}: not fixed: {reason}").format(path=inert(path), reason=reason)
             for path, reason in sorted(outcome.refused.items())]
    if diff:
        click.echo(outcome.diff, nl=False)
        notes.append(ngettext("Would fix {fixed} finding.", "Would fix {fixed} findings.",
                              outcome.fixed).format(fixed=outcome.fixed))
        for line in notes:
            click.echo(line, err=True)
        ctx.exit(1 if outcome.diff else 0)
    click.echo(FORMATTERS[fmt](outcome.report), nl=False)
    remaining = len(outcome.report.diagnostics)
    notes.append(ngettext("Fixed {fixed} finding ({remaining} remaining).",
                          "Fixed {fixed} findings ({remaining} remaining).",
                          outcome.fixed).format(fixed=outcome.fixed, remaining=remaining))
    for line in notes:
        click.echo(line, err=notes_to_stderr)
    level = fail_on or outcome.config_fail_on
    ctx.exit(outcome.report.exit_code(None if level == "never" else Severity.parse(level)))


@click.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--profile", type=click.Choice(["iso", "strict", "all"]), default="all", show_default=True)
def rules(fmt: str, profile: str) -> None:
    """List the rule catalogue."""
    chosen = [r for r in all_rules() if profile == "all" or r.profile == profile]
    if fmt == "json":
        click.echo(to_json([
            {"code": r.code, "name": r.name, "severity": r.severity.label, "profile": r.profile,
             "clauses": list(r.clauses), "summary": r.summary()} for r in chosen
        ], indent=2))
        return
    width = max([8, *(len(_(r.severity.label)) for r in chosen)])  # "cảnh báo", "thông tin"
    for r in chosen:
        clauses = ", ".join(r.clauses) or "-"
        severity = _(r.severity.label)
        click.echo(f"{r.code}  {r.name:<34} {severity:<{width}} {r.profile:<6} [{clauses}]  {translate(r.summary())}")


@click.command()
@click.argument("code")
def rule(code: str) -> None:
    """Print one rule's documentation: what it checks, why, an example and the fix."""
    r = lookup(code)
    if r is None:
        raise UsageError(_("no rule {code}").format(code=code), hint=_("run `qms rules` for the list"))
    doc = r.doc()
    click.echo(_("{code} {name} ({severity}, profile {profile})").format(
        code=r.code, name=r.name, severity=_(r.severity.label), profile=r.profile))
    if r.clauses:
        click.echo(_("ISO 9001:2015 clauses: {clauses}").format(clauses=", ".join(r.clauses)))
    click.echo("")
    from qms.i18n import get_language
    from qms.i18n.rule_pages import translated

    # the page in the language of messages (qms/i18n/locale/<lang>/rule_pages.yaml), else in English
    # with the summary's first line translated (rules.po)
    page = translated(r.code, doc, get_language()) if get_language() != "en" else None
    if page is None:
        summary = doc.get("summary", "")
        first, _sep, rest = summary.partition("\n")
        page = {**doc, "summary": translate(first) + _sep + rest}
    click.echo(page.get("summary", ""))
    for section, title in (("what_it_checks", _("What it checks")), ("why", _("Why")),
                           ("example", _("Example")), ("fix", _("Fix")), ("use_instead", _("Use instead"))):
        if page.get(section):
            click.echo(f"\n{title}\n{page[section]}")



