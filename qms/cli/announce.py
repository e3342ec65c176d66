"""``qms announce``: record a self-announcement of conformity to TCVN ISO 9001 (QĐ 19/2014/QĐ-TTg)."""

from __future__ import annotations

import datetime as dt

import click

from qms.i18n import _, format_date
from qms.output.safe import one_line as t

from .common import happened_option, repo_root


@click.command("announce")
@happened_option("--date", "on", "Day of the announcement (YYYY-MM-DD; default today).")
@click.option("--by", default=None, help="Who announced (default: git config user.name).")
@click.option("--note", default="", help="A note kept with the record, e.g. the number of the announcement.")
@click.pass_context
def announce(ctx: click.Context, on: dt.datetime | None, by: str | None, note: str) -> None:
    """Record that the agency announced its quality system conforms to TCVN ISO 9001.

    The record (records/announcements/CB-YYYY-NN.yaml) keeps a fingerprint of the scope, the
    applicability of the clauses and the process list; `qms check` (QMS157) reports when they change.
    """
    from qms.legal.announcement import announce as run
    from qms.registers.nc import resolve_actor

    root = repo_root(ctx)
    path, record = run(root, on=on.date() if on else None, by=resolve_actor(root, by), note=note.strip())
    click.echo(_("recorded announcement {id} of {date}: {path}").format(
        id=record.id, date=format_date(record.date), path=t(path.relative_to(root).as_posix())))
    click.echo(_("fingerprint {fingerprint}").format(fingerprint=record.fingerprint))
