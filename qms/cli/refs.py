"""``qms refs``: the legal-reference register — list its documents, show the impact of a change."""

from __future__ import annotations

import datetime as dt
import json

import click

from qms.i18n import _, format_date, get_language
from qms.output.safe import one_line

from .common import as_of_option, repo_root

STATUSES = ("in_force", "amended", "superseded", "expired", "not_yet_in_force")


def status_label(status: str) -> str:
    return {
        "in_force": _("in force"),
        "amended": _("amended"),
        "superseded": _("superseded"),
        "expired": _("expired"),
        "not_yet_in_force": _("not yet in force"),
    }.get(status, status)


def _view(ctx: click.Context):  # type: ignore[no-untyped-def]
    from qms.legal.service import open_view
    from qms.store.workspace import load_workspace

    return open_view(load_workspace(repo_root(ctx)))


@click.group("refs")
def refs() -> None:
    """The register of legal references (legal/register.yaml): statuses, chains and change impact."""


@refs.command("list")
@click.option("--status", "statuses", multiple=True, type=click.Choice(STATUSES),
              help="Only documents with this status on the --as-of day (repeatable).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@as_of_option("The day the statuses are evaluated on (default: today).")
@click.pass_context
def list_(ctx: click.Context, statuses: tuple[str, ...], fmt: str, as_of: dt.date | None) -> None:
    """List the documents of the register with their status, dates and evidence."""
    from qms.legal.register import status_on

    view = _view(ctx)
    day = as_of or dt.date.today()
    lang = get_language()
    rows = []
    for entry in view.index.entries:
        doc = entry.doc
        status = status_on(doc, view.index, day)
        if statuses and status not in statuses:
            continue
        rows.append((doc, status))
    if fmt == "json":
        payload = [{
            "number": doc.number, "kind": doc.kind, "title": {"vi": doc.title.vi, "en": doc.title.en},
            "issued": doc.issued.isoformat() if doc.issued else None,
            "in_force": doc.in_force.isoformat() if doc.in_force else None,
            "declared_status": doc.status, "status": status,
            "superseded_by": [link.document for link in doc.superseded_by],
            "amended_by": [link.document for link in doc.amended_by],
            "evidence": doc.evidence,
        } for doc, status in rows]
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    from qms.legal.register import evidence_label
    from qms.output.table import columns

    table: list[list[str]] = [[_("number"), _("status"), _("in force"), _("evidence"), _("title")]]
    for doc, status in rows:
        shown = status_label(status)
        if doc.superseded_by and status == "superseded":
            shown += " → " + ", ".join(link.document for link in doc.superseded_by)
        table.append([doc.number, shown, format_date(doc.in_force) if doc.in_force else "?",
                      evidence_label(doc.evidence), doc.title.get(lang)])
    for line in columns(table):
        click.echo(line)


@refs.command("impact")
@click.argument("ref")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@as_of_option("The day overdue updates are judged on (default: today).")
@click.pass_context
def impact(ctx: click.Context, ref: str, fmt: str, as_of: dt.date | None) -> None:
    """List the procedures that cite REF, directly or through a document REF replaces, with the day each
    must be updated by (the in-force day of the change plus the update period of qms.yaml, counted as the
    Civil Code 2015 Arts. 147-148 count periods, on the repository calendar)."""
    view = _view(ctx)
    day = as_of or dt.date.today()
    entry = view.find(ref)
    result = view.impact(entry, day)
    if fmt == "json":
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return
    head = f"{entry.doc.number}  {status_label(result.status)}"
    if result.status == "not_yet_in_force" and entry.doc.in_force is not None:
        head += "  " + _("(applies from {date})").format(date=format_date(entry.doc.in_force))
    if result.superseded_by:
        head += "  → " + ", ".join(result.superseded_by)
    click.echo(one_line(head))
    click.echo(one_line(entry.doc.title.get(get_language())))
    click.echo(_("Update period: {months} months ({basis}).").format(months=view.months, basis=view.basis))
    if not result.affected:
        click.echo(_("No procedure cites it."))
        return
    from qms.output.table import columns

    table: list[list[str]] = [[_("procedure"), _("due"), "", _("cites"), _("change")]]
    for a in result.affected:
        change = a.change
        if change is None:
            what = _("nothing to update")
        else:
            kind = {"superseded": _("replaced by {doc}"), "amended": _("amended by {doc}"),
                    "expired": _("expired")}[change.kind].format(doc=change.by)
            when = format_date(change.when) if change.when else _("date to confirm")
            what = f"{kind} ({when})"
        flag = _("OVERDUE") if a.overdue else ""
        table.append([a.citing.process, format_date(a.due) if a.due else "-", flag, a.citing.text, what])
    for line in columns(table):
        click.echo(line)
