"""``qms review``: the management review pack (9.3.2) and the review record (9.3.3)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from qms.cli.common import repo_root
from qms.errors import QmsError
from qms.i18n import _, get_language, use_language

SKELETON = """\
# Management review (Xem xét của lãnh đạo), ISO 9001:2015 9.3.
# Inputs: gather them with `qms review pack --period {period} --logs …` and summarise each one
# below (QMS705 reports those still missing). Outputs: each action needs an owner and a due date.
id: {id}
date: {date}
chair: {chair}
attendees: []
period: {{from: {start}, to: {end}}}
inputs: {{}}
  # previous_actions: {{summary: {{vi: …, en: …}}, refs: []}}
  # context_changes, customer_satisfaction, objectives, process_performance, nonconformities,
  # monitoring, audit_results, external_providers, resources, risk_actions, improvement_opportunities
outputs:
  improvements: []
  qms_changes: []
  resource_needs: []
  # - {{id: A1, description: {{vi: …, en: …}}, owner: ROLE_OR_PERSON, due: YYYY-MM-DD, status: open}}
"""


@click.group("review")
def review() -> None:
    """Management review: the pack of 9.3.2 inputs and the record of its outputs."""


def _span(period: str) -> tuple[dt.date, dt.date]:
    from qms.kpi import parse_period

    return parse_period(period)


@review.command("pack")
@click.option("--period", required=True, help="Period reviewed, e.g. 2026-01..2026-12.")
@click.option("--logs", "logs", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Dossier log (CSV/XLSX) for the KPIs; repeat for several files.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The PDF or HTML file to write.")
@click.option("--format", "fmt", type=click.Choice(["pdf", "html"]), default=None,
              help="Default: from the output file's extension.")
@click.option("--lang", "lang", type=click.Choice(["vi", "en"]), default=None,
              help="Language of the pack (default: the language of messages).")
@click.option("--today", default=None, help="Reference date for overdue actions (default: today).")
@click.pass_context
def pack(ctx: click.Context, period: str, logs: tuple[Path, ...], output: Path, fmt: str | None,
         lang: str | None, today: str | None) -> None:
    """Gather every input of ISO 9001:2015 9.3.2 from the repository into one document."""
    from qms.cli.calendar import parse_day
    from qms.review.pack import render_pack

    root = repo_root(ctx)
    span = _span(period)
    day = parse_day(today, "--today") if today else dt.date.today()
    kind = fmt or ("html" if output.suffix.lower() in (".html", ".htm") else "pdf")
    with use_language(lang or get_language()) as chosen:
        html = render_pack(root, span, list(logs), chosen, today=day)
        if kind == "pdf":
            from qms.render import api

            api.write_pdf(html, output, root)
        else:
            from qms.store.atomic import atomic_write_text

            atomic_write_text(output, html)
    click.echo(_("wrote {path}").format(path=output))


@review.command("new")
@click.option("--period", required=True, help="Period reviewed, e.g. 2026-01..2026-12.")
@click.option("--date", "date", default=None, help="Date of the review meeting (default: today).")
@click.option("--chair", default=None, help="Person id of the chair (default: the first person of qms.yaml).")
@click.pass_context
def new(ctx: click.Context, period: str, date: str | None, chair: str | None) -> None:
    """Create records/reviews/MR-YYYY-NN.yaml for a review, to be completed after the meeting."""
    from qms.cli.calendar import parse_day
    from qms.kpi.repo import load_repo_kpi
    from qms.store.review_store import create_review

    root = repo_root(ctx)
    span = _span(period)
    day = parse_day(date, "--date") if date else dt.date.today()
    manifest = load_repo_kpi(root).manifest
    people = [p.id for p in manifest.organisation.people] if manifest is not None else []
    if chair is None:
        if not people:
            raise QmsError(_("no person is listed in qms.yaml to chair the review"), _("pass --chair PERSON_ID"))
        chair = people[0]
    elif people and chair not in people:
        raise QmsError(_("unknown person {id!r}").format(id=chair),
                       _("known people: {ids}").format(ids=", ".join(people)))
    path = create_review(root, day.year, lambda review_id: SKELETON.format(
        id=review_id, date=day.isoformat(), chair=chair, period=period, start=span[0].isoformat(),
        end=span[1].isoformat()))
    click.echo(_("created {path}").format(path=path.relative_to(root).as_posix()))
