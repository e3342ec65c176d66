"""``qms schema`` (JSON Schema per file kind) and ``qms init`` (a new repository from a template)."""

from __future__ import annotations

import datetime as dt
from importlib import resources
from pathlib import Path

import click

from qms.errors import UsageError
from qms.i18n import _
from qms.output.jsonfmt import to_json
from qms.store.scaffold import TEMPLATES, copy_template, has_entries, schema_documents, write_schemas


@click.command()
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("schemas"),
              show_default=True, help="Directory to write <kind>.schema.json files into.")
@click.option("--kind", "kinds", multiple=True, help="Only these file kinds.")
@click.option("--stdout", is_flag=True, help="Print one kind's schema instead of writing files.")
def schema(out_dir: Path, kinds: tuple[str, ...], stdout: bool) -> None:
    """Write a JSON Schema for each file kind, for editors (yaml-language-server) and CI."""
    docs = schema_documents()
    unknown = [k for k in kinds if k not in docs]
    if unknown:
        raise UsageError(_("unknown file kind {kind}").format(kind=unknown[0]),
                         hint=_("known kinds: {kinds}").format(kinds=", ".join(sorted(docs))))
    chosen = {k: v for k, v in docs.items() if not kinds or k in kinds}
    if stdout:
        if len(chosen) != 1:
            raise UsageError(_("--stdout needs exactly one --kind"))
        click.echo(to_json(next(iter(chosen.values())), indent=2))
        return
    for path in write_schemas(out_dir, chosen):
        click.echo(str(path))


@click.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--template", type=click.Choice(sorted(TEMPLATES)), default="vn-agency", show_default=True,
              help="vn-agency: a Vietnamese public agency; generic-en: a generic English organisation.")
@click.option("--force", is_flag=True, help="Write into a directory that already has files.")
@click.option("--date", "issued", type=click.DateTime(formats=["%Y-%m-%d", "%d/%m/%Y"]), default=None,
              help="Issue date of the new system's documents (default: today); every template date moves with it.")
@click.option("--commit", "commit", is_flag=True, help="Also make the first git commit of the new repository.")
def init(directory: Path, template: str, force: bool, issued: dt.datetime | None, commit: bool) -> None:
    """Create a new QMS repository in DIRECTORY that passes `qms check`, as a git repository."""
    from qms.store import git

    if (directory / "qms.yaml").exists():
        raise UsageError(_("{dir} already holds a qms.yaml").format(dir=directory),
                         hint=_("choose an empty directory"))
    if has_entries(directory) and not force:
        raise UsageError(_("{dir} is not empty").format(dir=directory), hint=_("use --force to write into it"))
    day = issued.date() if issued is not None else dt.date.today()
    written = copy_template(resources.files("qms.store") / "templates" / template, directory, issued=day)
    # the files' `# yaml-language-server: $schema=` comments point here
    written += write_schemas(directory / "schemas", schema_documents())
    click.echo(_("Created {n} files in {dir}, issued on {date}.").format(
        n=len(written), dir=directory, date=day.strftime("%d/%m/%Y")))
    if not git.git_available():
        click.echo(_("warning: git is not installed, so the repository is not under version control; "
                     "`qms doc history` and `qms doc show --revision` need git"), err=True)
    else:
        git.init_repository(directory)
        if commit:
            ref = git.commit_all(directory, f"qms init --template {template}")
            click.echo(_("Committed the new repository as {ref}.").format(ref=ref))
    click.echo(_("Next: cd {dir} && qms check").format(dir=directory))
