"""``qms people``: the organisation's people; hand the open work of someone who leaves to a successor."""

from __future__ import annotations

import datetime as dt

import click

from qms.i18n import _
from qms.output.safe import one_line as t

from .common import happened_option, repo_root


@click.group("people")
def people() -> None:
    """People of the organisation: hand open work to a successor."""


@people.command("reassign")
@click.argument("old", metavar="OLD")
@click.argument("new", metavar="NEW")
@click.option("--by", default=None, help="Who does this (default: git config user.name).")
@happened_option("--date", "on", "Day of the hand-over (YYYY-MM-DD; default today).")
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@click.pass_context
def reassign(ctx: click.Context, old: str, new: str, by: str | None, on: dt.datetime | None, dry_run: bool) -> None:
    """Move OLD's open actions, audit roles and draft documents to NEW; closed records keep OLD."""
    from qms.registers.people import reassign as run

    result = run(repo_root(ctx), old, new, by=by, today=on.date() if on else None, dry_run=dry_run)
    for line in result.skipped:
        click.echo(_("skipped: {what}").format(what=t(line)), err=True)
    if not result.changes:
        click.echo(_("nothing to reassign: {old} has no open work").format(old=t(old)))
        return
    for c in result.changes:
        click.echo(f"{t(c.path)}  {t(c.record)}  {t(c.field)}: {t(c.old)} → {t(c.new)}")
    click.echo((_("{count} change(s) would be made (dry run; nothing written)") if dry_run
                else _("{count} change(s) made")).format(count=len(result.changes)))
    click.echo(_("run `qms check`: a successor may, for example, now be due to audit their own work (QMS603)"))
