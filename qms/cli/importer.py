"""``qms import``: bring an agency's Word procedures and its list of administrative procedures into qms."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from qms.i18n import _, format_percent
from qms.output.jsonfmt import to_json
from qms.output.safe import one_line

from .common import document_language, repo_root


@click.group("import")
def import_group() -> None:
    """Import Word procedures (.docx) or a list of administrative procedures (.xlsx) as process drafts."""


def _progress(enabled: bool) -> Any:
    """A progress bar on stderr for long runs (20 files or more): redrawn in place on a terminal, one line
    per tenth of the run otherwise."""
    if not enabled:
        return None
    tty = sys.stderr.isatty()

    def show(done: int, total: int, name: str) -> None:
        if total < 20:
            return
        step = max(1, total // 10)
        if not tty and done % step and done < total:
            return
        width = 30
        filled = width * done // max(total, 1)
        line = f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {one_line(name)[:40]}"
        sys.stderr.write(f"\r{line:<80}" if tty else line.rstrip() + "\n")
        if tty and done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return show


def _print_text(data: dict[str, Any], show_diff: list[str]) -> None:
    from qms.migrate import wording

    for doc in data["documents"]:
        status = _("new") if doc["new"] else (_("changed") if doc["changed"] else _("unchanged"))
        click.echo(f"{one_line(doc['source'])} → {one_line(doc['draft'])} ({status})")
        click.echo("  " + _("{mapped} fields mapped, {unmapped} texts kept as internal notes, {ph} placeholders")
                   .format(mapped=len(doc["mapped"]), unmapped=len(doc["unmapped"]), ph=len(doc["placeholders"])))
        if doc.get("language"):
            how = {"given": _("given with --lang"), "words": _("judged from its words"),
                   "diacritics": _("judged from its text: {share} of the letters carry Vietnamese diacritics").format(
                       share=format_percent(100 * doc["vietnamese_letter_share"], digits=0))}[doc["language_by"]]
            click.echo("  " + _("language of the document: {lang} ({how})").format(
                lang=_("Vietnamese") if doc["language"] == "vi" else _("English"), how=how))
        for label, key in ((_("kept"), "kept"), (_("converted"), "converted"), (_("dropped"), "dropped")):
            for item in doc[key]:
                click.echo(f"  {label}: {one_line(item)}")
        for item in doc["unmapped"]:
            click.echo("  " + _("unmapped at {where}: {text}").format(where=one_line(item["at"]),
                                                                      text=one_line(item["text"])[:120]))
        for ptr in doc["placeholders"]:
            click.echo("  " + _("placeholder: {field}").format(field=ptr))
        if doc["proposed_roles"]:
            click.echo("  " + _("proposed roles: {roles}").format(roles=", ".join(doc["proposed_roles"])))
        changes = doc["migration"].get("changes", []) if doc["migration"] else []
        for ch in changes:
            click.echo("  " + _("ISO 9001:2008 → 2015: {pointer} {before} → {after} ({confidence})").format(
                pointer=ch["pointer"], before=one_line(wording.shown(ch["before"])),
                after=one_line(wording.shown(ch["after"])),
                confidence=wording.label(ch["confidence"])))
        for w in doc["warnings"]:
            click.echo("  " + _("warning: {text}").format(text=one_line(w)))
        for p in doc["problems"]:
            click.echo("  " + _("schema problem (please report): {problem}").format(problem=one_line(p)))
    for text in show_diff:
        click.echo(text, nl=False)
    if data["proposed_roles"] and not data["roles_added"]:
        click.echo(_("Proposed roles (add them to qms.yaml with --add-roles):"))
        for role in data["proposed_roles"]:
            click.echo(f"  - {{id: {role['id']}, title: {one_line(next(iter(role['title'].values())))}}}")
    if data["roles_added"]:
        click.echo(_("Roles added to qms.yaml: {roles}").format(roles=", ".join(data["roles_added"])))
    if data["written"]:
        click.echo(_("{n} drafts written.").format(n=len(data["documents"])))
    else:
        click.echo(_("Nothing written."))


@import_group.command("docx")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the drafts (default: processes/ of the repository).")
@click.option("--dry-run", is_flag=True, help="Read and report; write nothing.")
@click.option("--from", "edition", type=click.Choice(["2008", "2015"]), default=None,
              help="Edition of ISO 9001 the documents follow (default: judged from the text).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--force", is_flag=True, help="Replace drafts that already exist.")
@click.option("--diff", "show_diff", is_flag=True, help="Show the changes against existing drafts; write nothing.")
@click.option("--comments", is_flag=True, help="Bring reviewers' comments into the internal notes.")
@click.option("--convert", is_flag=True, help="Convert legacy .doc files with LibreOffice (soffice) first.")
@click.option("--defaults", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="YAML file with the fields Word never holds (owner, unit, kind, document).")
@click.option("--add-roles", is_flag=True, help="Add the proposed roles to qms.yaml.")
@click.option("--lang", "--doc-lang", "doc_lang", type=click.Choice(["vi", "en"]), default=None,
              help="Language the documents are written in (default: judged per document from its text).")
@click.option("--report", "report_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the import review report (.html or .pdf): mapped fields, unmapped text, findings.")
@click.pass_context
def docx(ctx: click.Context, paths: tuple[Path, ...], out: Path | None, dry_run: bool, edition: str | None,
         fmt: str, force: bool, show_diff: bool, comments: bool, convert: bool, defaults: Path | None,
         add_roles: bool, doc_lang: str | None, report_path: Path | None) -> None:
    """Import Word procedures (.docx, .docm; a folder imports every one) as process drafts."""
    from qms.importer.run import import_docx

    root = repo_root(ctx)
    report_kind = ""
    if report_path is not None:
        from qms.errors import UsageError
        from qms.store.outputs import guard_output, kind_from_suffix

        report_kind = kind_from_suffix(report_path, "")
        if report_kind not in ("html", "pdf"):
            raise UsageError(_("the report is written as .html or .pdf, not {path}").format(path=report_path),
                             _("name the report file .html or .pdf"))
        guard_output(report_path, report_kind, inputs=list(paths), root=root)
    run = import_docx(root, list(paths), out=out, edition=edition, comments=comments, defaults=defaults,
                      convert=convert, dry_run=dry_run, force=force, add_roles=add_roles, diff_only=show_diff,
                      progress=_progress(True), doc_lang=doc_lang)
    data = run.to_dict()
    if report_path is not None:
        from qms.importer.report import write_report

        pages = write_report(run, report_path, document_language(ctx, root=root), report_kind)
        data["report"] = str(report_path)
        if fmt != "json":
            click.echo(_("Report written to {path} ({pages} p.)").format(path=report_path, pages=pages)
                       if pages else _("Report written to {path}").format(path=report_path), err=True)
    diffs = [r.diff(root) for r in run.results if show_diff and r.before != r.text]
    if fmt == "json":
        if show_diff:
            data["diff"] = "".join(diffs)
        click.echo(to_json(data, indent=2))
    else:
        _print_text(data, diffs)


@import_group.command("xlsx")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the skeletons (default: processes/ of the repository).")
@click.option("--dry-run", is_flag=True, help="Read and report; write nothing.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--force", is_flag=True, help="Replace skeletons that already exist.")
@click.option("--defaults", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="YAML file with the fields the list does not hold (owner, unit, kind, level).")
@click.pass_context
def xlsx(ctx: click.Context, path: Path, out: Path | None, dry_run: bool, fmt: str, force: bool,
         defaults: Path | None) -> None:
    """Create skeleton procedures from a provincial list of administrative procedures (.xlsx)."""
    from qms.importer.xlsx import import_xlsx

    root = repo_root(ctx)
    run = import_xlsx(root, path, out=out, dry_run=dry_run, force=force, defaults=defaults)
    data = run.to_dict()
    if fmt == "json":
        click.echo(to_json(data, indent=2))
        return
    for item in data["skeletons"]:
        click.echo(_("{row}: {id} {title} → {draft}").format(row=item["at"], id=item["id"],
                                                             title=one_line(item["title"]), draft=item["draft"]))
        for w in item["warnings"]:
            click.echo("  " + _("warning: {text}").format(text=one_line(w)))
    for item in data["skipped"]:
        click.echo(_("skipped {row}: {reason}").format(row=item["at"], reason=one_line(item["reason"])))
    click.echo(_("{n} skeletons written.").format(n=len(data["skeletons"])) if data["written"]
               else _("Nothing written."))
