"""``qms due``: one agenda of everything that falls due, as text, JSON or iCalendar."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from qms.i18n import get_language
from qms.store.workspace import load_workspace

from .common import force_option, repo_root


@click.command()
@click.option("--within", default="30d", show_default=True, metavar="PERIOD",
              help="Show what falls due up to this long after --as-of: 30d, 6w or 3m (overdue items always).")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="The day to count from (default: today), e.g. 2026-12-01.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "ics"]), default="text", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file instead of standard output.")
@force_option
@click.pass_context
def due(ctx: click.Context, within: str, as_of: dt.datetime | None, fmt: str, output: Path | None,
        force: bool) -> None:
    """List everything that falls due, by date, with owners.

    Corrective actions and effectiveness reviews of nonconformities, internal audits (planned
    audits and programme entries not yet planned), the next management review and its open
    actions, and documents due for periodic review. Items before --as-of are flagged overdue.
    Text and iCalendar are in the organisation's language (organisation.default_language) unless
    the global --lang says otherwise. `--format ics` writes a calendar file to import. Always exits 0.
    """
    from qms.agenda.due import gather, parse_within, unreadable
    from qms.agenda.formats import to_ics, to_json, to_text

    root = repo_root(ctx)
    if output is not None:
        from qms.store.outputs import guard_output

        guard_output(output, "json" if fmt == "json" else "text", root=root, force=force)
    day = as_of.date() if as_of is not None else dt.date.today()
    until = parse_within(within, day)
    ws = load_workspace(root)
    obj = ctx.find_root().obj or {}
    chosen = obj.get("lang") if isinstance(obj, dict) else None
    if not chosen:
        chosen = ws.manifest.organisation.default_language if ws.manifest is not None else get_language()
    from qms.store.calendar import load_calendar

    agenda = gather(ws, day, until, chosen, load_calendar(root=root) if ws.manifest is not None else None)
    from qms.i18n import _
    from qms.output.safe import one_line

    for path, line, column in unreadable(ws):
        click.echo(_("warning: {path}:{line}:{column}: this file cannot be read, so what falls due in it is "
                     "left out; run `qms check`").format(path=one_line(path), line=line, column=column), err=True)
    if fmt == "ics":
        text = to_ics(agenda, ws.manifest.organisation.name.vi if ws.manifest is not None else root.name)
    elif fmt == "json":
        text = to_json(agenda)
    else:
        text = to_text(agenda)
    if output is None:
        click.echo(text, nl=False)
        return
    from qms.store.atomic import atomic_write_bytes

    atomic_write_bytes(output, text.encode("utf-8"))
    click.echo(_("wrote {path}").format(path=output), err=True)
