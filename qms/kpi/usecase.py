"""``qms kpi report`` as a use case: settings from the repository and side files, one classification
of every log, objectives, nonconformities for missed ones (``--raise-nc``), and the report.

The command parses its options, calls :func:`run_report` and prints the outcome.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from qms.errors import QmsError
from qms.i18n import _

if TYPE_CHECKING:
    from qms.calendar import WorkingCalendar
    from qms.calendar.settings import CalendarSettings

#: ``(calendar file or None, the repository's settings or None) -> calendar``
CalendarLoader = Callable[["Path | None", "CalendarSettings | None"], "WorkingCalendar"]


@dataclass(frozen=True, slots=True)
class ReportRequest:
    logs: tuple[Path, ...]
    as_of: dt.date
    period: tuple[dt.date, dt.date] | None = None
    by: str | None = None
    fmt: str = "text"
    output: Path | None = None
    target: float | None = None
    limits_file: Path | None = None
    columns_file: Path | None = None
    calendar_file: Path | None = None
    raise_nc: bool = False
    raised_by: str | None = None
    force: bool = False
    root: Path | None = None  # the QMS repository the command runs in, if any
    lang: str = "en"


@dataclass(slots=True)
class ReportOutcome:
    body: str | None  # the report for standard output; None when it went to ``written``
    written: Path | None
    #: a line for standard error per nonconformity raised or already recorded
    messages: list[str] = field(default_factory=list)
    missed: bool = False  # an objective (or --target) is missed: exit code 1
    announce_written: bool = False  # html/pdf say where they wrote


def run_report(req: ReportRequest, load_calendar: CalendarLoader) -> ReportOutcome:
    """Classify the logs and build (or write) the report; see :class:`ReportRequest`."""
    from qms.kpi.classify import Classifier
    from qms.kpi.logs import read_logs
    from qms.kpi.report import check_objectives, check_target
    from qms.models.log_columns import CANONICAL
    from qms.store.dossier_logs import load_column_map, load_limits

    if req.period is not None and req.period[0] > req.as_of:
        from qms.i18n import format_date

        raise QmsError(
            _("--period starts on {start}, after the reference day {as_of} (--as-of, default today): no dossier "
              "of the period can be counted yet").format(start=format_date(req.period[0]),
                                                         as_of=format_date(req.as_of)),
            _("check the year of --period, or give a later --as-of"),
        )
    if req.fmt == "pdf" and req.output is None:
        raise QmsError(_("--format pdf needs an output file"), _("add -o REPORT.pdf"))
    if req.output is not None:
        from qms.store.outputs import guard_output

        guard_output(req.output, req.fmt, inputs=[*req.logs, req.limits_file, req.columns_file, req.calendar_file],
                     root=req.root, force=req.force)
    repo = None
    if req.root is not None:
        from qms.kpi.repo import load_repo_kpi

        repo = load_repo_kpi(req.root)
    if req.raise_nc and (repo is None or req.period is None):
        raise QmsError(
            _("--raise-nc needs a QMS repository and a --period"),
            _("run inside the repository (or pass --root) and give the period, e.g. --period 2026-01..2026-06"),
        )
    limits = dict(repo.limits) if repo else {}
    if req.limits_file:
        limits.update(load_limits(req.limits_file))
    columns = dict(repo.columns) if repo else {}
    if req.columns_file:
        columns.update(load_column_map(req.columns_file, CANONICAL))
    cal = load_calendar(req.calendar_file, repo.calendar if repo else None)
    series: tuple[str, ...] = ("procedure", "unit") if req.fmt in ("html", "pdf") else ()
    if req.raise_nc and "procedure" not in series:
        series = (*series, "procedure")  # nonconformities are raised per process with its own figures
    clf = Classifier(cal, limits, as_of=req.as_of, period=req.period, by=req.by, column_map=columns,
                     mechanisms=repo.mechanisms if repo else None, series=series,
                     procedure_names=repo.names if repo else None, cutoffs=repo.cutoffs if repo else None,
                     reason_lang=req.lang if req.fmt in ("html", "pdf") else None)
    read_logs(clf, req.logs)
    result = clf.result()
    objectives = []
    if req.target is None and repo is not None:
        objectives = check_objectives(result.counts, repo.objectives, req.lang)
    messages: list[str] = []
    if req.raise_nc and repo is not None and req.period is not None:
        from qms.kpi.nc_link import raise_missed

        messages = raise_missed(repo, result, objectives, req.period, target=req.target, by=req.raised_by,
                                series=clf.series_counts)
    missed = (req.target is not None and not check_target(result.counts, req.target).met) or any(
        not o.met for o in objectives
    )
    if req.fmt in ("html", "pdf"):
        from qms.i18n import use_language
        from qms.kpi.html import write_report

        with use_language(req.lang):  # the report's labels are in the document's language
            text = write_report(result, clf.series_counts, req.fmt, req.output, target=req.target,
                                objectives=objectives, root=req.root, lang=req.lang)
        if req.output is None:
            return ReportOutcome(text, None, messages, missed)
        return ReportOutcome(None, req.output, messages, missed, announce_written=True)
    from qms.kpi.report import to_csv, to_json, to_text

    render = {"json": to_json, "csv": to_csv, "text": to_text}[req.fmt]
    body = render(result, req.target, objectives)
    if req.output is None:
        return ReportOutcome(body, None, messages, missed)
    from qms.store.atomic import atomic_write_text

    atomic_write_text(req.output, body)
    return ReportOutcome(None, req.output, messages, missed)
