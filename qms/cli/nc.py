"""``qms nc``: the nonconformity and corrective-action register (ISO 9001:2015 10.2)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from qms.errors import UsageError
from qms.i18n import _, get_language
from qms.models.nonconformity import (
    FISHBONE_CATEGORIES,
    SEVERITIES,
    STATUSES,
    Nonconformity,
)
from qms.output.safe import one_line as t
from qms.registers import nc as reg
from qms.registers import nc_views as views

from .common import (
    as_of_option,
    confirm_working_day,
    document_language,
    force_option,
    happened_option,
    repo_root,
)

F = TypeVar("F", bound=Callable[..., Any])
DATE = click.DateTime(formats=["%Y-%m-%d"])
LIST_FORMATS = click.Choice(["text", "json", "csv"])


def _by(func: F) -> F:
    return click.option("--by", default=None,
                        help="Who does this (default: git config user.name).")(func)


def _date(func: F) -> F:
    return happened_option("--date", "on", "Day the step happened (YYYY-MM-DD; default today).")(func)


def _note(func: F) -> F:
    return click.option("--note", default="", help="A note for the history.")(func)


def _day(value: dt.datetime | None) -> dt.date | None:
    return value.date() if value is not None else None


def _done(nc: Nonconformity) -> None:
    click.echo(_("{id}: {status}").format(id=nc.id, status=reg.label(nc.status)))


@click.group("nc")
def nc() -> None:
    """Nonconformities and corrective actions (10.2): raise, correct, analyse, plan, verify, close."""


@nc.command("new")
@click.option("--process", required=True, help="Process id, e.g. QT-HT-01.")
@click.option("--title", required=True)
@click.option("--description", required=True)
@click.option("--source", required=True, type=click.Choice(sorted(reg.SOURCE_ALIASES)),
              help="internal|audit = internal audit finding; external_audit; complaint (phản ánh, kiến nghị); "
                   "late_dossier; monitoring.")
@click.option("--severity", required=True, type=click.Choice(list(SEVERITIES)))
@click.option("--clause", default=None, help="ISO 9001:2015 clause, e.g. 8.5.1.")
@click.option("--audit", default=None, help="Audit id AUD-YYYY-NN that found it.")
@click.option("--finding", default=None, help="Finding reference within the audit.")
@click.option("--evidence", default=None, help="Objective evidence.")
@_by
@_date
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
def new(ctx: click.Context, process: str, title: str, description: str, source: str, severity: str,
        clause: str | None, audit: str | None, finding: str | None, evidence: str | None, by: str | None,
        on: dt.datetime | None, fmt: str) -> None:
    """Raise a nonconformity; prints its id (or, with --format json, the record on one line)."""
    root = repo_root(ctx)
    record = reg.create_nc(root, process=process, title=title, description=description, source=source,
                           severity=severity, clause=clause, by=by, audit=audit, finding=finding,
                           evidence=evidence, today=_day(on))
    if fmt == "json":
        click.echo(views.record_json(record))
    else:
        click.echo(_("created {id}").format(id=record.id))


# -- list / show / stats -------------------------------------------------------------------


@nc.command("list")
@click.option("--status", multiple=True, type=click.Choice(list(STATUSES)), help="Repeatable.")
@click.option("--process", multiple=True, help="Repeatable.")
@click.option("--source", multiple=True, type=click.Choice(sorted(reg.SOURCE_ALIASES)), help="Repeatable.")
@click.option("--severity", multiple=True, type=click.Choice(list(SEVERITIES)))
@click.option("--overdue", is_flag=True, help="Only records with an overdue action or effectiveness review.")
@as_of_option("Evaluate due dates as of this day.")
@click.option("--format", "fmt", type=LIST_FORMATS, default="text", show_default=True)
@click.option("--no-cache", is_flag=True, help="Do not use the cached listing index.")
@click.pass_context
def list_(ctx: click.Context, status: tuple[str, ...], process: tuple[str, ...], source: tuple[str, ...],
          severity: tuple[str, ...], overdue: bool, as_of: dt.date | None, fmt: str, no_cache: bool) -> None:
    """List the register, filtered by status, process, source, severity or --overdue."""
    root = repo_root(ctx)
    day = as_of or dt.date.today()
    from qms.store.calendar import load_calendar

    calendar = load_calendar(root=root)  # a due date on a day off runs to the next working day
    rows, bad = reg.list_ncs(root, reg.Filters(status, process, source, severity, overdue), today=day,
                             use_cache=not no_cache, calendar=calendar)
    _warn_unreadable(bad)
    altered = [r for r in rows if r.altered]
    _warn_altered(altered)
    _print_list(rows, fmt, day, calendar)
    if bad or altered:  # incomplete or not to be trusted: say so in the exit code too (1, like `qms check`)
        ctx.exit(1)


def _warn_altered(rows: list[Any]) -> None:
    for r in rows:
        click.echo(_("warning: {path}: {id} is `{status}` but was edited by hand after it was sealed (QMS513); "
                     "run `qms check`").format(path=t(f"records/nonconformities/{r.file}"), id=t(r.id),
                                               status=t(r.status)), err=True)


def _warn_unreadable(bad: list[str]) -> None:
    for name in bad:
        click.echo(_("warning: {path} is not a readable record; run `qms check`").format(
            path=t(f"records/nonconformities/{name}")), err=True)


def _print_list(rows: list[Any], fmt: str, day: dt.date, calendar: Any = None) -> None:
    if fmt == "json":
        click.echo(views.list_json(rows, day, calendar))
    elif fmt == "csv":
        click.echo(views.list_csv(rows, day, get_language(), calendar), nl=False)
    else:
        click.echo(views.list_text(rows, day, get_language(), calendar))


@nc.command("show")
@click.argument("nc_id", metavar="ID")
@click.option("--format", "fmt", type=LIST_FORMATS, default="text", show_default=True)
@click.pass_context
def show(ctx: click.Context, nc_id: str, fmt: str) -> None:
    """Show one record in full."""
    root = repo_root(ctx)
    record = reg.get_nc(root, nc_id)
    from qms.models.nonconformity import seal_problem

    rel = reg.find_path(root.resolve(), nc_id).relative_to(root.resolve()).as_posix()
    broken = seal_problem(record, rel)
    if broken is not None:  # shown, but not as if it were intact
        click.echo(_("warning: {path}: {message} (QMS513)").format(path=t(rel), message=t(broken[0])), err=True)
        click.echo(_("hint: {hint}").format(hint=t(broken[1])), err=True)
    if fmt == "json":
        click.echo(views.record_json(record))
    elif fmt == "csv":
        click.echo(views.record_csv(record), nl=False)
    else:
        from qms.analysis.people import Directory
        from qms.store.workspace import load_manifest

        lang = get_language()
        directory = Directory.of(load_manifest(root))
        click.echo(views.record_text(record, lang, lambda text: directory.display(text, lang)))
    if broken is not None:
        ctx.exit(1)


@nc.command("stats")
@click.option("--format", "fmt", type=LIST_FORMATS, default="text", show_default=True)
@click.pass_context
def stats(ctx: click.Context, fmt: str) -> None:
    """Counts by process, clause, source, severity, status and month; mean and 90th-percentile days to close."""
    from qms.registers.nc_stats import compute

    rows, bad = reg.list_ncs(repo_root(ctx))
    _warn_unreadable(bad)
    result = compute(rows)
    if fmt == "json":
        click.echo(views.stats_json(result))
    elif fmt == "csv":
        click.echo(views.stats_csv(result), nl=False)
    else:
        click.echo(views.stats_text(result))
    if bad:  # the figures leave these files out: say so in the exit code too
        ctx.exit(1)


# -- lifecycle --------------------------------------------------------------------------------


@nc.command("correct")
@click.argument("nc_id", metavar="ID")
@click.option("--description", required=True, help="What was done to contain and correct it (10.2.1 a).")
@_by
@_date
@_note
@click.pass_context
def correct(ctx: click.Context, nc_id: str, description: str, by: str | None, on: dt.datetime | None,
            note: str) -> None:
    """Record the correction / containment (10.2.1 a)."""
    _done(reg.correct(repo_root(ctx), nc_id, description=description, by=by, note=note, today=_day(on)))


def _fishbone(factors: tuple[str, ...]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for item in factors:
        cat, sep, text = item.partition(":")
        cat = cat.strip().lower()
        if not sep or cat not in FISHBONE_CATEGORIES or not text.strip():
            raise UsageError(_("--factor {value!r}: write CATEGORY:TEXT").format(value=item),
                             _("categories: {choices}").format(choices=", ".join(FISHBONE_CATEGORIES)))
        out.setdefault(cat, []).append(text.strip())
    return out


@nc.command("analyse")
@click.argument("nc_id", metavar="ID")
@click.option("--method", type=click.Choice(["five-why", "fishbone"]), required=True)
@click.option("--why", "whys", multiple=True, help="One why of the 5-why chain (repeat, first why first).")
@click.option("--factor", "factors", multiple=True,
              help=f"Fishbone cause CATEGORY:TEXT; categories: {', '.join(FISHBONE_CATEGORIES)} (repeat).")
@click.option("--root-cause", required=True)
@click.option("--similar", required=True,
              help="Where similar nonconformities were looked for and what was found (10.2.1 b).")
@click.option("--similar-nc", "similar_ncs", multiple=True, help="A similar nonconformity's id (repeat).")
@_by
@_date
@_note
@click.pass_context
def analyse(ctx: click.Context, nc_id: str, method: str, whys: tuple[str, ...], factors: tuple[str, ...],
            root_cause: str, similar: str, similar_ncs: tuple[str, ...], by: str | None,
            on: dt.datetime | None, note: str) -> None:
    """Record the cause analysis: 5-why or fishbone, root cause, similar nonconformities (10.2.1 b)."""
    _done(reg.analyse(repo_root(ctx), nc_id, method=method, root_cause=root_cause, similar=similar,
                      whys=whys, fishbone=_fishbone(factors), similar_ncs=similar_ncs, by=by, note=note,
                      today=_day(on)))


def _due(value: str) -> dt.date | int:
    text = value.strip().lower()
    for suffix in ("wd", "d", " ngày"):
        if text.endswith(suffix) and text[: -len(suffix)].strip().isdigit():
            return int(text[: -len(suffix)])
    if text.isdigit():
        return int(text)
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(_("--due {value!r} is neither a date nor a number of working days").format(value=value),
                         _("write YYYY-MM-DD, or e.g. 10wd for ten working days")) from None


@nc.command("plan")
@click.argument("nc_id", metavar="ID")
@click.option("--action", required=True, help="The corrective action (10.2.1 c).")
@click.option("--owner", required=True, help="Who carries it out.")
@click.option("--due", required=True, help="YYYY-MM-DD, or N working days from --date (e.g. 10wd).")
@click.option("--risk-update", default=None, help="Update to risks and opportunities (10.2.1 e).")
@click.option("--qms-change", default=None, help="Change to the QMS (10.2.1 f).")
@_by
@_date
@_note
@click.pass_context
def plan(ctx: click.Context, nc_id: str, action: str, owner: str, due: str, risk_update: str | None,
         qms_change: str | None, by: str | None, on: dt.datetime | None, note: str) -> None:
    """Add a corrective action with owner and due date; repeat for more actions (10.2.1 c)."""
    due_value = _due(due)
    if isinstance(due_value, dt.date):
        confirm_working_day(repo_root(ctx), due_value, "--due")
    _done(reg.plan(repo_root(ctx), nc_id, action=action, owner=owner, due=due_value, risk_update=risk_update,
                   qms_change=qms_change, by=by, note=note, today=_day(on)))


@nc.command("implement")
@click.argument("nc_id", metavar="ID")
@click.option("--action", "actions", multiple=True, help="Action id (CA-1 ...) done; default: all pending.")
@click.option("--review-in", type=int, default=reg.DEFAULT_REVIEW_WORKING_DAYS, show_default=True,
              help="Working days until the effectiveness review is due.")
@_by
@_date
@_note
@click.pass_context
def implement(ctx: click.Context, nc_id: str, actions: tuple[str, ...], review_in: int, by: str | None,
              on: dt.datetime | None, note: str) -> None:
    """Mark corrective actions as implemented."""
    _done(reg.implement(repo_root(ctx), nc_id, actions=actions, review_in=review_in, by=by, note=note,
                        today=_day(on)))


@nc.command("verify")
@click.argument("nc_id", metavar="ID")
@click.option("--effective", type=click.Choice(["yes", "no"]), required=True)
@click.option("--evidence", required=True, help="What shows the action worked (or did not).")
@_by
@_date
@_note
@click.pass_context
def verify(ctx: click.Context, nc_id: str, effective: str, evidence: str, by: str | None,
           on: dt.datetime | None, note: str) -> None:
    """Review effectiveness (10.2.1 d); "no" sends the record back to cause analysis."""
    _done(reg.verify(repo_root(ctx), nc_id, effective=effective == "yes", evidence=evidence, by=by, note=note,
                     today=_day(on)))


@nc.command("close")
@click.argument("nc_id", metavar="ID")
@click.option("--risk-update", default=None, help="Update to risks and opportunities (10.2.1 e).")
@click.option("--qms-change", default=None, help="Change to the QMS (10.2.1 f).")
@_by
@_date
@_note
@click.pass_context
def close(ctx: click.Context, nc_id: str, risk_update: str | None, qms_change: str | None, by: str | None,
          on: dt.datetime | None, note: str) -> None:
    """Close a record whose corrective action was found effective."""
    _done(reg.close(repo_root(ctx), nc_id, risk_update=risk_update, qms_change=qms_change, by=by, note=note,
                    today=_day(on)))


@nc.command("reject")
@click.argument("nc_id", metavar="ID")
@click.option("--reason", required=True, help="Why this is not a nonconformity.")
@_by
@_date
@click.pass_context
def reject(ctx: click.Context, nc_id: str, reason: str, by: str | None, on: dt.datetime | None) -> None:
    """Reject: not a nonconformity."""
    _done(reg.reject(repo_root(ctx), nc_id, reason=reason, by=by, today=_day(on)))


@nc.command("reopen")
@click.argument("nc_id", metavar="ID")
@click.option("--reason", required=True)
@_by
@_date
@click.pass_context
def reopen(ctx: click.Context, nc_id: str, reason: str, by: str | None, on: dt.datetime | None) -> None:
    """Reopen a closed record (back to cause analysis) or a rejected one; the reason is logged."""
    _done(reg.reopen(repo_root(ctx), nc_id, reason=reason, by=by, today=_day(on)))


@nc.command("amend")
@click.argument("nc_id", metavar="ID")
@click.option("--field", "field_", required=True,
              help="The field to correct, e.g. title, description, severity, actions/CA-1/owner.")
@click.option("--value", required=True, help="The corrected value.")
@click.option("--reason", required=True, help="Why the record is corrected (kept in the history).")
@_by
@_date
@click.pass_context
def amend(ctx: click.Context, nc_id: str, field_: str, value: str, reason: str, by: str | None,
          on: dt.datetime | None) -> None:
    """Correct a field of a record, closed ones included; the history keeps the old and new values."""
    record = reg.amend(repo_root(ctx), nc_id, field=field_, value=value, reason=reason, by=by, today=_day(on))
    entry = record.history[-1]
    click.echo(_("{id}: {field} amended: {old} → {new}").format(
        id=record.id, field=t(entry.field or ""), old=t(entry.old or "-"), new=t(entry.new or "-")))


@nc.command("seal")
@click.argument("nc_ids", metavar="ID...", nargs=-1)
@click.option("--all", "all_", is_flag=True, help="Every closed or rejected record that carries no seal.")
@_by
@_date
@_note
@click.pass_context
def seal(ctx: click.Context, nc_ids: tuple[str, ...], all_: bool, by: str | None, on: dt.datetime | None,
         note: str) -> None:
    """Seal records closed or rejected before seals existed, as they stand (in git: as committed)."""
    root = repo_root(ctx)
    if all_ == bool(nc_ids):
        raise UsageError(_("give the ids of the records to seal, or --all"),
                         _("e.g. `qms nc seal NC-2026-0001`, or `qms nc seal --all`"))
    ids = list(nc_ids) or reg.unsealed(root)
    if not ids:
        click.echo(_("no closed or rejected record is unsealed"))
        return
    for nc_id in ids:
        record = reg.seal(root, nc_id, note=note, by=by, today=_day(on))
        click.echo(_("{id}: sealed ({status})").format(id=record.id, status=reg.label(record.status)))


@nc.command("renumber")
@click.argument("nc_id", metavar="ID")
@_by
@_date
@click.pass_context
def renumber(ctx: click.Context, nc_id: str, by: str | None, on: dt.datetime | None) -> None:
    """Give a duplicated id (two clones merged, or a copied file) a new, free id; nothing is lost."""
    for moved in reg.renumber(repo_root(ctx), nc_id, by=by, today=_day(on)):
        click.echo(_("{old} ({file}) is now {new} ({new_file})").format(
            old=t(moved.old_id), file=t(moved.old_file), new=moved.new_id, new_file=moved.new_file))


@nc.command("report")
@click.option("-o", "--output", "out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--format", "fmt", type=click.Choice(["pdf", "html"]), default=None,
              help="Default: from the output file's extension.")
@force_option
@click.pass_context
def report(ctx: click.Context, out: Path, fmt: str | None, force: bool) -> None:
    """Render the register: a register table, then one record sheet per nonconformity."""
    from qms.registers.nc_report import write_report
    from qms.store.outputs import guard_output

    chosen = fmt or ("html" if out.suffix.lower() in (".html", ".htm") else "pdf")
    root = repo_root(ctx)
    guard_output(out, chosen, root=root, force=force)
    pages = write_report(root, out, document_language(ctx, root=root), chosen)
    click.echo(_("wrote {path} ({pages} p.)").format(path=out, pages=pages) if pages
               else _("wrote {path}").format(path=out))
    altered = [r for r in reg.list_ncs(root)[0] if r.altered]
    _warn_altered(altered)
    if altered:  # written, but holding closed records changed by hand: not a clean result
        ctx.exit(1)
