"""``qms matrix``: the ISO 9001:2015 clause ↔ process/document coverage matrix, with its gaps."""

from __future__ import annotations

import click

from qms.analysis.matrix import clause_matrix
from qms.i18n import get_language, use_language
from qms.output.jsonfmt import to_json
from qms.output.matrix import as_data, render_csv, render_text
from qms.store.workspace import load_workspace

from .common import repo_root


@click.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json", "csv"]), default="text", show_default=True)
@click.option("--gaps-only", is_flag=True, help="Only applicable clauses that no process or document addresses.")
@click.option("--lang", type=click.Choice(["vi", "en"]), default=None,
              help="Language of clause titles and labels (default: the global --lang).")
@click.pass_context
def matrix(ctx: click.Context, fmt: str, gaps_only: bool, lang: str | None) -> None:
    """Print the ISO 9001:2015 clause ↔ process/document matrix and its gaps.

    A process addresses the clauses in its `clauses`; qms.yaml sections address context (4.1, 4.2),
    scope (4.3), policy (5.2), roles (5.3), objectives (6.2) and external providers (8.4).
    Clauses declared not applicable in `scope.applicability` are never gaps. Always exits 0.
    """
    root = repo_root(ctx)
    chosen = lang or get_language()
    with use_language(chosen):
        m = clause_matrix(load_workspace(root), chosen)
        if fmt == "json":
            click.echo(to_json(as_data(m, chosen, gaps_only), indent=2))
        elif fmt == "csv":
            click.echo(render_csv(m, chosen, gaps_only), nl=False)
        else:
            click.echo(render_text(m, chosen, gaps_only), nl=False)
