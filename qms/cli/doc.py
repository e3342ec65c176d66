"""``qms doc``: document control: status, revise, approve, history, show."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from qms.errors import UsageError
from qms.i18n import _, format_date, get_language, ngettext
from qms.output.jsonfmt import to_json
from qms.output.safe import one_line as t
from qms.store.workspace import Workspace, load_workspace

from .common import confirm_working_day, document_language, force_option, happened_option, repo_root


def _day(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise UsageError(_("{option} must be a date written YYYY-MM-DD, not {value!r}").format(
            option=option, value=value)) from None


def _workspace(ctx: click.Context) -> Workspace:
    return load_workspace(repo_root(ctx))


@click.group("doc")
def doc() -> None:
    """Document control: list, revise, approve and trace controlled documents (ISO 9001 7.5)."""


@doc.command("status")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "csv"]), default="text", show_default=True)
@click.pass_context
def status(ctx: click.Context, fmt: str) -> None:
    """List every controlled document: code, revision, effective date, next review and state."""
    from qms.doccontrol.status import FORMATS, changed_rows, status_rows

    rows = status_rows(_workspace(ctx), get_language(), check_approvals=True)
    click.echo(FORMATS[fmt](rows), nl=False)
    changed = changed_rows(rows)
    for r in changed:
        _report_changed(r.code, r.path, r.revision, r.approval_commit or "")
    if changed:
        ctx.exit(1)


def _report_changed(code: str, path: str, revision: int | None, commit: str) -> None:
    """Tell on stderr that an issued document was edited after its approval, and what to do."""
    from qms.output.safe import one_line

    message = _("{code} ({path}) was changed after revision {revision} was approved (commit {commit}), without a "
                "new revision").format(code=code, path=path, revision=revision, commit=commit[:12])
    hint = _("open a new revision for the change (qms doc revise {code} --summary \"...\"), or restore the "
             "approved text (git checkout {commit} -- {path})").format(code=code, commit=commit[:12], path=path)
    click.echo(_("error: {message}").format(message=one_line(message)), err=True)
    click.echo(_("  hint: {hint}").format(hint=one_line(hint)), err=True)


@doc.command("revise")
@click.argument("ident", metavar="ID")
@click.option("--summary", required=True, help="What changed (Nội dung thay đổi), Vietnamese or both languages.")
@click.option("--summary-en", default="", help="English text of the summary, if --summary is Vietnamese.")
@click.option("--pages", default="", help="Pages or sections changed (Trang), e.g. '3-4' or 'all'.")
@click.option("--by", default="", help="Who prepares the revision (name or person id); sets prepared_by.")
@happened_option("--date", "date_value", "Date of the change (default: today), YYYY-MM-DD.")
@click.pass_context
def revise_cmd(ctx: click.Context, ident: str, summary: str, summary_en: str, pages: str, by: str,
               date_value: dt.datetime | None) -> None:
    """Open a new revision of ID (a process id, the manual code or a form code).

    The revision number goes up, a history row is added and the state becomes draft.
    Exit 1 if the current revision is not approved yet.
    """
    from qms.doccontrol.lifecycle import revise

    out = revise(_workspace(ctx), ident, summary, summary_en=summary_en, pages=pages, by=by,
                 today=date_value.date() if date_value is not None else None)
    if out.doc.id != ident and out.doc.code != ident:
        click.echo(_("{id} is issued with {code}; revising {code}").format(id=t(ident), code=t(out.doc.code)))
    click.echo(_("{code}: revision {revision} opened as draft ({path})").format(
        code=t(out.doc.code), revision=out.revision, path=t(out.doc.path)))


@doc.command("approve")
@click.argument("ident", metavar="ID")
@click.option("--as", "role", type=click.Choice(["reviewer", "approver"]), required=True,
              help="reviewer first, then approver.")
@click.option("--by", required=True, help="Name (or person id from qms.yaml) of who approves.")
@happened_option("--date", "date_value", "Date of the approval (default: today), YYYY-MM-DD.")
@click.option("--effective", "effective_text", default=None,
              help="Effective date set by the approver (default: the approval date), YYYY-MM-DD.")
@click.pass_context
def approve_cmd(ctx: click.Context, ident: str, role: str, by: str, date_value: dt.datetime | None,
                effective_text: str | None) -> None:
    """Record a review or approval of the current revision of ID.

    Exit 1 when refused: out of order, already approved, or the approver is the preparer.
    """
    from qms.doccontrol.lifecycle import approve

    effective = _day(effective_text, "--effective")
    confirm_working_day(repo_root(ctx), effective, "--effective")
    out = approve(_workspace(ctx), ident, role, by,  # type: ignore[arg-type]
                  today=date_value.date() if date_value is not None else None, effective=effective)
    if role == "reviewer":
        click.echo(_("{code}: revision {revision} reviewed; now in review").format(
            code=t(out.doc.code), revision=out.revision))
    else:
        click.echo(_("{code}: revision {revision} approved, effective {date}").format(
            code=t(out.doc.code), revision=out.revision,
            date=format_date(out.effective_date) if out.effective_date else "-"))
        if out.kept_issued_on is not None:
            click.echo(_("  date of issue {date} kept (the revision's own, from the imported document); the approval "
                         "is recorded with its own date").format(date=format_date(out.kept_issued_on)))
        if out.import_comments:
            click.echo(ngettext("  removed {n} comment line written by qms import (it is kept in git history)",
                                "  removed {n} comment lines written by qms import (they are kept in git history)",
                                out.import_comments).format(n=out.import_comments))


@doc.command("history")
@click.argument("ident", metavar="ID")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
def history_cmd(ctx: click.Context, ident: str, fmt: str) -> None:
    """Show every revision of ID with its change summary, approvals and git commit."""
    from qms.analysis.documents import state_label
    from qms.doccontrol.history import changed_after_approval, revisions
    from qms.i18n import bilingual

    target, revs = revisions(_workspace(ctx), ident)
    if fmt == "json":
        click.echo(to_json({"id": target.id, "code": target.code, "path": target.path,
                            "revisions": [r.to_dict() for r in revs]}, indent=2))
        return
    click.echo(f"{t(target.code)}  {t(target.title_text(get_language()))}  ({t(target.path)})")
    roles = {"reviewer": _("reviewed"), "approver": _("approved")}
    for r in revs:
        marker = "*" if r.current else " "
        e = r.entry
        if e is not None:
            summary = t(bilingual(e.summary.vi, e.summary.en, get_language()))
            pages = f" [{_('pages')}: {t(e.pages)}]" if e.pages else ""
            click.echo(f"{marker} {_('revision')} {r.revision}  {format_date(e.date)}  {summary}{pages}")
        else:
            click.echo(f"{marker} {_('revision')} {r.revision}  -  {_('(no history row)')}")
        for a in r.approvals:
            click.echo(f"      {roles[a.as_]}: {t(a.by)}, {format_date(a.date)}")
        if r.commit is not None:
            click.echo(f"      {_('commit')} {r.commit.commit[:12]} {format_date(r.commit.date)} "
                       f"({state_label(r.commit.state)}) {t(r.commit.subject)}")
    drift = changed_after_approval(_workspace(ctx), target)
    if drift is not None and drift.changed and target.control is not None:
        _report_changed(target.code, target.path, target.control.revision, drift.commit.commit)
        ctx.exit(1)


@doc.command("show")
@click.argument("ident", metavar="ID")
@click.option("--revision", type=int, default=None, help="Revision to show (default: the current one).")
@click.option("--format", "fmt", type=click.Choice(["yaml", "html", "pdf"]), default="yaml", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file (required for pdf).")
@click.option("--doc-lang", type=click.Choice(["vi", "en"]), default=None,
              help="Language of the rendered document (default: the organisation's default language).")
@force_option
@click.pass_context
def show(ctx: click.Context, ident: str, revision: int | None, fmt: str, output: Path | None,
         doc_lang: str | None, force: bool) -> None:
    """Show ID as it was in an earlier revision, read from git history.

    Superseded revisions are watermarked "Hết hiệu lực / Superseded". PDF output is PDF/A-3b with
    the revision's YAML attached.
    """
    from qms.doccontrol.history import version_at, watermarked_yaml
    from qms.doccontrol.show import render_html, render_pdf
    from qms.store.atomic import atomic_write_bytes

    ws = _workspace(ctx)
    if output is not None:
        from qms.store.outputs import guard_output

        guard_output(output, fmt, root=ws.root, force=force)
    version = version_at(ws, ident, revision)
    doc_lang = document_language(ctx, doc_lang, manifest=ws.manifest)
    if fmt == "pdf":
        if output is None:
            raise UsageError(_("--format pdf needs -o FILE"))
        pages = render_pdf(ws, version, output, doc_lang)
        click.echo(_("wrote {path} ({pages} pages)").format(path=output, pages=pages))
        return
    text = watermarked_yaml(version) if fmt == "yaml" else render_html(ws, version, doc_lang)
    if output is None:
        click.echo(text, nl=not text.endswith("\n"))
    else:
        atomic_write_bytes(output, text.encode("utf-8"))
        click.echo(_("wrote {path}").format(path=output))
