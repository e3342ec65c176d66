"""``qms migrate``: ISO 9001:2008 → 2015 look-ups, gap analysis, rewrite and transition report."""

from __future__ import annotations

import datetime as dt
import difflib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from qms.errors import UsageError
from qms.i18n import _, get_language, translate
from qms.migrate.apply import write_text
from qms.output.jsonfmt import to_json
from qms.output.safe import one_line

from .common import confirm_working_day, doc_lang_option, document_language, force_option, repo_root


@click.group()
def migrate() -> None:
    """Move a QMS from one edition of ISO 9001 to another (default: 2008 to 2015)."""


def editions_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``--from`` and ``--to`` of check, apply and report (editions from qms/standards/data)."""
    fn = click.option("--to", "target", default="2015", show_default=True,
                      help="Edition to migrate to (a year with a correlation table).")(fn)
    return click.option("--from", "source", default="2008", show_default=True,
                        help="Edition to migrate from.")(fn)


def _pair(source: str, target: str) -> tuple[str, str]:
    from qms.standards.correlation import correlations, edition_of

    pair = edition_of(source), edition_of(target)
    correlations().table(*pair)  # no table: a usage error naming the available ones
    return pair


@migrate.command("map")
@click.argument("clause")
@click.option("--from", "source", default="2008", show_default=True, help="Edition the clause belongs to.")
@click.option("--to", "target", default=None, help="Edition to map to (default: the other of 2008/2015).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def map_clause(clause: str, source: str, target: str | None, fmt: str) -> None:
    """Look CLAUSE up in the correlation table (rows not verified are shown as "to confirm")."""
    from qms.standards.correlation import evidence_words, lookup

    result = lookup(clause, source, target)
    if fmt == "json":
        click.echo(to_json(result, indent=2))
        return
    lang = get_language()

    def label(titles: dict[str, str]) -> str:
        return titles.get(lang) or titles.get("en") or ""

    click.echo(f"ISO 9001:{result['from']} {result['clause']} {label(result['title'])}".rstrip())
    if not result["targets"]:
        click.echo("  → " + _("no ISO 9001:{edition} counterpart").format(edition=result["to_edition"]))
    origins = {
        "published": _("published"),
        "inverse": _("derived from the ISO 9001:{src} → {dst} table").format(
            src=result["to_edition"], dst=result["from"]),
        "parent": _("through the parent clause"),
        "identity": _("same number (identity default)"),
    }
    for t in result["targets"]:
        click.echo(f"  → ISO 9001:{result['to_edition']} {t['clause']} {label(result['to_titles'][t['clause']])}"
                   .rstrip())
        sure = _("verified") if t["confidence"] == "verified" else _("to confirm")
        line = _("{origin}, {confidence} (evidence: {evidence})").format(
            origin=origins.get(t["origin"], t["origin"]), confidence=sure, evidence=evidence_words(t["evidence"]))
        if t.get("via"):
            line += "; " + _("row {row}").format(row=t["via"])
        click.echo("      " + line)
    confidence = _("verified") if result["confidence"] == "verified" else _("to confirm")
    click.echo(_("  confidence: {confidence} (evidence: {evidence})").format(
        confidence=confidence, evidence=evidence_words(result["evidence"])))
    if result["note"]:
        # the table's note is data in English: its translation lives in migrate.po
        click.echo(_("  note: {note}").format(note=translate(result["note"], lang)))


@migrate.command("check")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--actions-out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the open gaps as planned actions (.yaml/.yml or .csv).")
@click.option("--owner", default=None, help="Role id that owns the planned actions.")
@click.option("--due", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, help="Due date, YYYY-MM-DD.")
@force_option
@editions_options
@click.pass_context
def check(ctx: click.Context, fmt: str, actions_out: Path | None, owner: str | None,
          due: dt.datetime | None, force: bool, source: str, target: str) -> None:
    """Report what the --to edition requires that the system does not cover yet, and every 2008 leftover.

    Exit codes: 0 nothing to do, 1 gaps or leftovers remain, 2 usage error.
    """
    from qms.analysis.people import Directory
    from qms.migrate.gaps import actions, actions_csv, actions_yaml, analyse
    from qms.store.workspace import load_workspace

    if actions_out is not None and (owner is None or due is None):
        raise UsageError(_("--actions-out needs --owner ROLE and --due YYYY-MM-DD"))
    source, target = _pair(source, target)
    root = repo_root(ctx)
    if actions_out is not None:
        from qms.store.outputs import guard_output

        if actions_out.suffix.lower() not in (".csv", ".yaml", ".yml"):
            raise UsageError(_("--actions-out must end in .yaml, .yml or .csv"))
        guard_output(actions_out, "csv" if actions_out.suffix.lower() == ".csv" else "yaml", root=root,
                     force=force)
    if actions_out is not None and due is not None:
        confirm_working_day(root, due.date(), "--due")
    ws = load_workspace(root)
    if actions_out is not None and owner is not None:
        roles = set(Directory.of(ws.manifest).roles)
        if roles and owner not in roles:
            close = difflib.get_close_matches(owner, sorted(roles), n=1)
            raise UsageError(_("unknown role {role}").format(role=owner),
                             hint=_("did you mean {role}?").format(role=close[0]) if close
                             else _("roles: {roles}").format(roles=", ".join(sorted(roles))))
    report = analyse(ws, source, target)
    if actions_out is not None and owner is not None and due is not None:
        rows = actions(report, owner, due.date(), get_language())
        suffix = actions_out.suffix.lower()
        if suffix == ".csv":
            text = actions_csv(rows)
        elif suffix in (".yaml", ".yml"):
            text = actions_yaml(rows)
        else:
            raise UsageError(_("--actions-out must end in .yaml, .yml or .csv"))
        try:
            write_text(actions_out, text)
        except OSError as exc:
            raise UsageError(_("cannot write {path}: {error}").format(path=actions_out, error=exc)) from None
    if fmt == "json":
        click.echo(to_json(report.to_dict(), indent=2))
    else:
        lang = get_language()
        click.echo(_("Declared standard: ISO 9001:{edition}").format(edition=report.edition))
        click.echo(_("Requirements new or changed in ISO 9001:{edition}:").format(edition=target))
        for g in report.gaps:
            title = g.title().get(lang) or g.title()["en"]
            click.echo(f"  [{_(g.status)}] {g.clause} {one_line(title)}")
            for ev in g.evidence:
                click.echo(f"      - {one_line(ev)}")
            if g.action:
                click.echo("      " + _("to do: {action}").format(action=one_line(g.action)))
        click.echo(_("ISO 9001:2008 leftovers: {count}").format(count=len(report.leftovers)))
        for d in report.leftovers:
            click.echo(f"  {one_line(d.location.render())}: {d.code} {one_line(d.message)}")
            if d.hint:
                click.echo("      " + _("hint: {hint}").format(hint=one_line(d.hint)))
        if actions_out is not None:
            click.echo(_("{count} planned actions written to {path}").format(
                count=len(report.open_gaps), path=actions_out))
    ctx.exit(1 if report.open_gaps or report.leftovers else 0)


@migrate.command("apply")
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@click.option("--diff", "show_diff", is_flag=True, help="Print a unified diff; write nothing.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Write the migrated repository to this new directory; the original is left untouched.")
@editions_options
@click.pass_context
def apply(ctx: click.Context, dry_run: bool, show_diff: bool, out: Path | None, source: str, target: str) -> None:
    """Rewrite clause numbers, retired terms, exclusions and the management representative.

    Writes are atomic; the log goes to migration-log.yaml. A second run changes nothing.
    """
    from qms.migrate import wording
    from qms.migrate.apply import LOG_NAME, check_pair, declared_edition, plan_migration, prepare_out, write

    source, target = _pair(source, target)
    root = repo_root(ctx)
    preview = dry_run or show_diff
    if out is not None and preview:
        raise UsageError(_("--out cannot be combined with --dry-run or --diff"))
    check_pair(source, target, declared_edition(root))  # before --out copies anything
    where = prepare_out(root, out) if out is not None else root
    plan = plan_migration(where, source, target)
    if show_diff:
        for f in plan.files:
            click.echo(f.diff(), nl=False)
    if not preview:
        write(plan)
    if not plan.changed:
        click.echo(_("Nothing to change: the repository is already in ISO 9001:{edition} terms.").format(
            edition=target))
    else:
        verb = _("would change") if preview else _("changed")
        click.echo(_("{count} files {verb}:").format(count=len(plan.files), verb=verb))
        for f in plan.files:
            click.echo(f"  {one_line(f.path)}")
        click.echo(_("{changes} changes ({confirm} to confirm), {suggestions} suggestions, "
                     "{unplaced} items not placed").format(
            changes=len(plan.changes), confirm=len(plan.to_confirm()), suggestions=len(plan.suggestions),
            unplaced=len(plan.unplaced)))
        if not preview:
            click.echo(_("Log: {path}").format(path=where / LOG_NAME))
    for u in plan.unplaced:
        click.echo(_("  not placed: {file}{pointer}: {reason}").format(file=one_line(u.file), pointer=one_line(u.pointer),
                                                                       reason=one_line(wording.text(u.reason))))


@migrate.command("report")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Output file: .html, .pdf or .json.")
@click.option("--format", "fmt", type=click.Choice(["html", "pdf", "json"]), default=None,
              help="Default: from the file extension.")
@doc_lang_option
@force_option
@editions_options
@click.pass_context
def report(ctx: click.Context, output: Path, fmt: str | None, doc_lang: str | None, force: bool, source: str,
           target: str) -> None:
    """Write the transition report: summary, mapping used, gaps with status and every changed file."""
    from qms.migrate.gaps import analyse
    from qms.migrate.report import render_html, view_model
    from qms.store.workspace import load_workspace

    kind = fmt or {".html": "html", ".htm": "html", ".json": "json", ".pdf": "pdf"}.get(output.suffix.lower())
    if kind is None:
        raise UsageError(_("cannot tell the report format from {path}").format(path=output),
                         hint=_("use a .html, .pdf or .json file name, or --format"))
    source, target = _pair(source, target)
    root = repo_root(ctx)
    from qms.store.outputs import guard_output

    guard_output(output, kind, root=root, force=force)
    ws = load_workspace(root)
    lang = document_language(ctx, doc_lang, manifest=ws.manifest, root=root)
    org = ws.manifest.organisation.name.get(lang) if ws.manifest is not None else ""
    vm = view_model(root, analyse(ws, source, target), org, source, target)
    if kind == "pdf":
        from qms.migrate.apply import LOG_NAME
        from qms.render import api

        attachments = [LOG_NAME] if (root / LOG_NAME).is_file() else []
        pages = api.write_pdf(render_html(vm, lang, root), output, root, attachments=attachments)
        click.echo(_("Report written to {path} ({pages} p.)").format(path=output, pages=pages))
        return
    text = render_html(vm, lang, root) if kind == "html" else json.dumps(vm, ensure_ascii=False, indent=2, default=str)
    try:
        write_text(output, text)
    except OSError as exc:
        raise UsageError(_("cannot write {path}: {error}").format(path=output, error=exc)) from None
    click.echo(_("Report written to {path}").format(path=output))
