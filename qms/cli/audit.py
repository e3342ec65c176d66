"""``qms audit``: internal audit programme, plans, checklists, fieldwork, findings and reports."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from qms.cli.common import (
    as_of_option,
    confirm_working_day,
    document_language,
    force_option,
    happened_option,
    repo_root,
)
from qms.errors import QmsError, UsageError
from qms.i18n import N_, _, format_date, get_language, use_language
from qms.output.jsonfmt import to_json
from qms.output.safe import one_line

F = TypeVar("F", bound=Callable[..., Any])
DATE = click.DateTime(formats=["%Y-%m-%d"])


def _day(value: dt.datetime | None) -> dt.date | None:
    return value.date() if value is not None else None


def _date_option(name: str, help_text: str) -> Callable[[F], F]:
    return click.option(name, type=DATE, default=None, help=help_text)


def _emit(text: str | bytes, output: Path | None) -> None:
    if output is None:
        if isinstance(text, bytes):
            raise UsageError(_("this format is binary"), _("write it to a file with -o FILE"))
        click.echo(text, nl=False)
        return
    from qms.store.atomic import atomic_write_bytes

    try:
        atomic_write_bytes(output, text if isinstance(text, bytes) else text.encode("utf-8"))
    except OSError as exc:
        raise QmsError(_("cannot write {path}: {reason}").format(path=output, reason=exc.strerror or exc),
                       _("check that the directory exists and is writable")) from None
    click.echo(_("wrote {path}").format(path=output), err=True)


@click.group("audit")
def audit() -> None:
    """Internal audits (ISO 9001:2015 9.2): programme, plan, checklist, fieldwork, findings, report."""


# -- programme -----------------------------------------------------------------------------------


@audit.command("programme")
@click.option("--year", type=click.IntRange(2000, 2100), required=True, help="Programme year.")
@click.option("--cycle-months", type=click.IntRange(1, 12), default=12, show_default=True,
              help="Every process is audited within this many months.")
@click.option("--kpi-json", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Output of `qms kpi report --format json --by procedure`: late dossiers raise priority.")
@click.option("--team-size", type=click.IntRange(1, 10), default=2, show_default=True,
              help="Auditors per audit (the first leads).")
@click.option("--write", is_flag=True, help="Save the proposal as audits/programme-YEAR.yaml.")
@click.option("--force", is_flag=True, help="With --write: replace an existing programme. With -o: let it replace a "
                                           "file that git tracks or that is of another type.")
@click.option("--from-file", is_flag=True, help="Show the saved programme instead of proposing one.")
@click.option("--prepared-by", default="", help="Name written as the programme's author.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "html", "pdf"]), default="text",
              show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None)
@as_of_option("Plan as of this day (YYYY-MM-DD): recent changes are counted back from it.")
@click.pass_context
def programme(ctx: click.Context, year: int, cycle_months: int, kpi_json: Path | None, team_size: int,
              write: bool, force: bool, from_file: bool, prepared_by: str, fmt: str, output: Path | None,
              as_of: dt.date | None) -> None:
    """Propose a risk-based audit programme covering every process and applicable clause.

    Priority processes (open nonconformities, high risks, late dossiers, recent changes) are
    audited twice as often and earlier; nobody audits their own unit or process.
    """
    from qms.auditing import programme as prog_mod
    from qms.auditing.documents import programme_html
    from qms.store import audit_store
    from qms.store.workspace import load_workspace

    root = repo_root(ctx)
    if output is not None:
        from qms.store.outputs import guard_output

        guard_output(output, fmt, inputs=[kpi_json], root=root, force=force)
    ws = load_workspace(root)
    if from_file:
        if write:
            raise UsageError(_("--from-file and --write cannot be combined"))
        saved = audit_store.load_programme(root, year)
        proposal = prog_mod.Proposal(saved)
    else:
        late = audit_store.load_kpi_json(kpi_json) if kpi_json else {}
        # the reasons are saved with the programme: a record is written in the organisation's language
        with use_language(document_language(ctx, manifest=ws.manifest) if write else get_language()):
            proposal = prog_mod.propose(ws, year, cycle_months=cycle_months, today=as_of, late=late,
                                        nonconformities=audit_store.nonconformity_files(root), team_size=team_size)
        proposal.programme.prepared_by = prepared_by
        for w in proposal.warnings:
            click.echo(_("warning: {message}").format(message=one_line(w)), err=True)
        if write:
            path = audit_store.programme_path(root, year)
            with audit_store.audit_lock(root):  # not between the reading and writing of `people reassign`
                if path.exists() and not force:
                    raise UsageError(_("{path} already exists").format(path=path.relative_to(root).as_posix()),
                                     _("pass --force to replace it, or edit it by hand and run `qms check`"))
                audit_store.save_programme(root, proposal.programme)
            click.echo(_("wrote {path}").format(path=path.relative_to(root).as_posix()), err=True)
    if fmt == "json":
        _emit(to_json(proposal.to_dict(), indent=2) + "\n", output)
    elif fmt == "html":
        _emit(programme_html(proposal.programme, ws, document_language(ctx, manifest=ws.manifest)), output)
    elif fmt == "pdf":
        _write_pdf(programme_html(proposal.programme, ws, document_language(ctx, manifest=ws.manifest)), output, root)
    else:
        from qms.analysis.people import Directory

        directory = Directory.of(ws.manifest)
        _emit(prog_mod.to_text(proposal, lambda x: directory.display(x, get_language())), output)


def _write_pdf(html_text: str, output: Path | None, root: Path) -> None:
    """Render a document through the shared render layer (qms.render.api)."""
    if output is None:
        raise UsageError(_("this format is binary"), _("write it to a file with -o FILE"))
    from qms.render import api

    pages = api.write_pdf(html_text, output, root)
    click.echo(_("wrote {path} ({pages} pages)").format(path=output, pages=pages), err=True)


# -- plan and checklist --------------------------------------------------------------------------


@audit.command("plan")
@click.argument("audit_id", required=False)
@_date_option("--date", "Audit date (YYYY-MM-DD).")
@_date_option("--end-date", "Last day, for audits over several days.")
@click.option("--process", "processes", multiple=True, help="Process in scope (repeatable).")
@click.option("--clause", "clauses", multiple=True, help="System-level clause in scope (repeatable).")
@click.option("--lead", default=None, help="Lead auditor (person id).")
@click.option("--team", multiple=True, help="Other auditor (person id, repeatable).")
@click.option("--auditee", "auditees", multiple=True, help="Person, role or unit audited (repeatable).")
@click.option("--scope", default=None, help="Scope text (default: from the processes).")
@click.option("--criterion", "criteria", multiple=True, help="Audit criterion (repeatable).")
@click.option("--by", default="", help="Who plans the audit.")
@happened_option("--today", None, "Date written in the history (default: today).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "html", "pdf"]), default="text")
@click.pass_context
def plan(ctx: click.Context, audit_id: str | None, date: dt.datetime | None, end_date: dt.datetime | None,
         processes: tuple[str, ...], clauses: tuple[str, ...], lead: str | None, team: tuple[str, ...],
         auditees: tuple[str, ...], scope: str | None, criteria: tuple[str, ...], by: str,
         today: dt.datetime | None, fmt: str) -> None:
    """Plan an audit: creates audits/AUD-YYYY-NN.yaml (state planned).

    With the id of an audit in the programme, its processes, clauses and auditors are the defaults.
    """
    from qms.auditing import lifecycle

    if date is None:
        raise UsageError(_("give the audit date with --date YYYY-MM-DD"))
    root = repo_root(ctx)
    confirm_working_day(root, date.date(), "--date")
    confirm_working_day(root, _day(end_date), "--end-date")
    result = lifecycle.plan(root, date=date.date(), audit_id=audit_id, processes=processes, clauses=clauses,
                            lead=lead, team=team, auditees=auditees, scope=scope, criteria=criteria,
                            end_date=_day(end_date), by=by, today=_day(today))
    click.echo(_("planned {id}: {path}").format(id=result.id, path=f"audits/{result.id}.yaml"), err=True)
    _show(root, result.id, fmt, "plan", None, blank=True, doc_lang=document_language(ctx, root=root))


@audit.command("checklist")
@click.argument("audit_id")
@click.option("--force", is_flag=True, help="Replace an existing checklist (its results are lost).")
@click.pass_context
def checklist(ctx: click.Context, audit_id: str, force: bool) -> None:
    """Generate the checklist of an audit from its processes and clauses."""
    from qms.auditing import lifecycle

    result = lifecycle.make_checklist(repo_root(ctx), audit_id, force=force)
    click.echo(_("{id}: {n} checklist questions").format(id=result.id, n=len(result.checklist)))


# -- fieldwork -----------------------------------------------------------------------------------


@audit.command("record")
@click.argument("audit_id")
@click.argument("items", nargs=-1)
@click.option("--remaining", is_flag=True, help="Also every item that has no result yet.")
@click.option("--result", type=click.Choice(["conforming", "nonconforming", "observation", "not_audited"]),
              required=True)
@click.option("--evidence", default="", help="What was seen: records, sample ids, interviews.")
@click.option("--by", default=None, help="Auditor (person id).")
@happened_option("--date", None, "Date of the observation (default: today).")
@click.pass_context
def record(ctx: click.Context, audit_id: str, items: tuple[str, ...], remaining: bool, result: str, evidence: str,
           by: str | None, date: dt.datetime | None) -> None:
    """Record the fieldwork result of checklist items (e.g. Q01 Q02)."""
    from qms.auditing import lifecycle

    res = lifecycle.record(repo_root(ctx), audit_id, items, result=result, evidence=evidence, by=by,
                           day=_day(date), remaining=remaining)
    done = one_line(", ".join(items)) if items else _("remaining items")
    click.echo(_("{id} {item}: {result} ({state})").format(id=res.id, item=done, result=label(result),
                                                            state=label(res.state)))
    if result == "nonconforming":
        click.echo(_("hint: raise the finding with `qms audit finding {id} --item {item} --grade minor ...`")
                   .format(id=res.id, item=items[0] if items else "Q.."), err=True)


@audit.command("finding")
@click.argument("audit_id")
@click.option("--grade", required=True, help="major, minor, observation or ofi (opportunity for improvement).")
@click.option("--statement", required=True, help="The finding: what does not meet which requirement.")
@click.option("--statement-en", "statement_en", default="", help="The same finding in English (bilingual reports).")
@click.option("--clause", default=None, help="ISO 9001:2015 clause (default: the checklist item's).")
@click.option("--process", default=None, help="Process concerned (default: the item's, or the only one).")
@click.option("--evidence", default="", help="Objective evidence.")
@click.option("--item", default=None, help="Checklist item the finding comes from.")
@click.option("--by", default=None, help="Auditor raising it (person id; default: the lead).")
@happened_option("--date", None, "Date (default: today).")
@click.pass_context
def finding(ctx: click.Context, audit_id: str, grade: str, statement: str, statement_en: str, clause: str | None,
            process: str | None, evidence: str, item: str | None, by: str | None, date: dt.datetime | None) -> None:
    """Record a finding; a major or minor nonconformity opens a record in the NC register."""
    from qms.auditing import lifecycle

    _a, f = lifecycle.add_finding(repo_root(ctx), audit_id, grade=grade, statement=statement, clause=clause,
                                  process=process, evidence=evidence, item=item, by=by, day=_day(date),
                                  statement_en=statement_en)
    from qms.auditing.documents import GRADE_LABELS

    grade = _(GRADE_LABELS[f.grade])
    if f.nc:
        click.echo(_("{id} {finding}: {grade}, nonconformity {nc} opened").format(
            id=audit_id, finding=f.id, grade=grade, nc=f.nc))
    else:
        click.echo(_("{id} {finding}: {grade}").format(id=audit_id, finding=f.id, grade=grade))


@audit.command("report")
@click.argument("audit_id")
@click.option("--summary", required=True)
@click.option("--conclusions", required=True)
@click.option("--by", default=None, help="Auditor issuing the report (default: the lead).")
@click.option("--distribute", "distribution", multiple=True, help="Recipient (person, role or unit id).")
@happened_option("--date", None, "Issue date (default: today).")
@click.pass_context
def report(ctx: click.Context, audit_id: str, summary: str, conclusions: str, by: str | None,
           distribution: tuple[str, ...], date: dt.datetime | None) -> None:
    """Issue the audit report (in_progress → reported)."""
    from qms.auditing import lifecycle

    res = lifecycle.issue_report(repo_root(ctx), audit_id, summary=summary, conclusions=conclusions, by=by,
                                 day=_day(date), distribution=distribution)
    click.echo(_("{id}: report issued ({state})").format(id=res.id, state=label(res.state)))


@audit.command("close")
@click.argument("audit_id")
@click.option("--by", default="", help="Who closes the audit.")
@happened_option("--date", None, "Closing date (default: today).")
@click.pass_context
def close(ctx: click.Context, audit_id: str, by: str, date: dt.datetime | None) -> None:
    """Close a reported audit (reported → closed)."""
    from qms.auditing import lifecycle

    res = lifecycle.close(repo_root(ctx), audit_id, by=by, day=_day(date))
    click.echo(_("{id}: {state}").format(id=res.id, state=label(res.state)))


# -- list and show ----------------------------------------------------------------------------------


#: Labels of the state, checklist-result and finding-grade codes in text output (json keeps the codes);
#: the English label is the code itself.
CODE_LABELS: dict[str, str] = {
    "planned": N_("planned"), "in_progress": N_("in_progress"), "reported": N_("reported"), "closed": N_("closed"),
    "conforming": N_("conforming"), "nonconforming": N_("nonconforming"), "observation": N_("observation"),
    "not_audited": N_("not_audited"), "major": N_("major"), "minor": N_("minor"), "ofi": N_("ofi"),
    "pending": N_("no result"),
}


def label(code: str) -> str:
    msgid = CODE_LABELS.get(code)
    return _(msgid) if msgid else code


def _summary(a: Any) -> dict[str, Any]:
    from qms.auditing.documents import grade_counts, result_counts

    return {
        "id": a.id, "state": a.state, "date": a.plan.date.isoformat(),
        "processes": list(a.plan.processes), "clauses": list(a.plan.clauses),
        "lead": a.plan.lead, "team": list(a.plan.team),
        "checklist": result_counts(a), "findings": grade_counts(a),
        "nonconformities": [f.nc for f in a.findings if f.nc],
    }


@audit.command("list")
@click.option("--year", type=int, default=None)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
def list_(ctx: click.Context, year: int | None, fmt: str) -> None:
    """List audits with their state, scope and findings."""
    from qms.store import audit_store

    audits = [a for a in audit_store.list_audits(repo_root(ctx)) if year is None or a.year == year]
    if fmt == "json":
        click.echo(to_json([_summary(a) for a in audits], indent=2))
        return
    if not audits:
        click.echo(_("no audits"))
        return
    from qms.output.safe import one_line as t

    for a in audits:
        scope = t(", ".join([*a.plan.processes, *a.plan.clauses]))
        click.echo(f"{a.id}  {format_date(a.plan.date)}  {label(a.state):<11}  {scope}  "
                   + _("findings: {n}").format(n=len(a.findings)))


def _show(root: Path, audit_id: str, fmt: str, document: str | None, output: Path | None, *, blank: bool,
          doc_lang: str | None = None) -> None:
    """Print or write one audit; documents (xlsx, html, pdf) are in ``doc_lang`` (default: the messages')."""
    from qms.auditing import documents
    from qms.store import audit_store
    from qms.store.workspace import load_workspace

    a = audit_store.load_audit(root, audit_id)
    lang = get_language()
    if fmt == "json":
        data = a.model_dump(mode="json", by_alias=True)
        data["summary"] = _summary(a)
        _emit(to_json(data, indent=2) + "\n", output)
        return
    if fmt == "text":
        from qms.analysis.people import Directory
        from qms.output.safe import one_line as t
        from qms.store.workspace import load_manifest

        directory = Directory.of(load_manifest(root))
        s = _summary(a)
        def counts(kind: str) -> str:
            return ", ".join(f"{label(k)} {v}" for k, v in s[kind].items() if v) or _("none recorded yet")

        lines = [f"{a.id}  {label(a.state)}", f"  {_('Date')}: {format_date(a.plan.date)}",
                 f"  {_('Scope')}: {t(a.plan.scope.get(lang))}",
                 f"  {_('Audit team')}: {t(', '.join(directory.display(x, lang) for x in a.plan.auditors))}",
                 f"  {_('Checklist')}: {counts('checklist')}", f"  {_('Findings')}: {counts('findings')}"]
        lines += [f"    {t(f.id)} {label(f.grade)} {t(f.clause)} {t(f.statement.get(lang))}"
                  + (f" → {t(f.nc)}" if f.nc else "") for f in a.findings]
        _emit("\n".join(lines) + "\n", output)
        return
    doc = document or ("report" if a.report else "plan")
    ws = load_workspace(root)
    lang = doc_lang or lang
    if fmt == "xlsx":
        if doc != "checklist":
            raise UsageError(_("only the checklist is exported to .xlsx"), _("use --document checklist"))
        _emit(documents.checklist_xlsx(a, ws, lang, blank=blank), output)
        return
    if doc == "plan":
        text = documents.plan_html(a, ws, lang)
    elif doc == "checklist":
        text = documents.checklist_html(a, ws, lang, blank=blank)
    else:
        text = documents.report_html(a, ws, lang)
    if fmt == "pdf":
        _write_pdf(text, output, root)
    else:
        _emit(text, output)


@audit.command("show")
@click.argument("audit_id")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "html", "xlsx", "pdf"]), default="text",
              show_default=True)
@click.option("--document", type=click.Choice(["plan", "checklist", "report"]), default=None,
              help="Document to render with html/xlsx/pdf (default: report, or plan before reporting).")
@click.option("--blank/--filled", default=None,
              help="Checklist: leave the fieldwork columns blank (default: blank in html, filled in xlsx).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None)
@force_option
@click.pass_context
def show(ctx: click.Context, audit_id: str, fmt: str, document: str | None, blank: bool | None,
         output: Path | None, force: bool) -> None:
    """Show an audit, or render its plan, checklist or report."""
    if fmt in ("text", "json") and document is not None:
        raise UsageError(_("--document needs --format html, xlsx or pdf"))
    if output is not None:
        from qms.store.outputs import guard_output

        guard_output(output, fmt, root=repo_root(ctx), force=force)
    root = repo_root(ctx)
    _show(root, audit_id, fmt, document, output, blank=(fmt != "xlsx") if blank is None else blank,
          doc_lang=document_language(ctx, root=root))
