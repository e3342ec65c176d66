"""``qms flow report`` as a use case: the repository's process maps, calendar and people, the logs read
once, the analysis, nonconformities for bottlenecks (``--raise-nc``) and the report.

The command parses its options, calls :func:`run_flow_report` and prints the outcome.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from qms.errors import QmsError
from qms.flow.labels import HOME
from qms.i18n import _

if TYPE_CHECKING:
    from qms.calendar import WorkingCalendar
    from qms.calendar.settings import CalendarSettings
    from qms.flow.analyse import FlowResult, Setup

CalendarLoader = Callable[["Path | None", "CalendarSettings | None"], "WorkingCalendar"]


@dataclass(frozen=True, slots=True)
class FlowRequest:
    logs: tuple[Path, ...]
    root: Path
    as_of: dt.date
    procedure: str | None = None
    by: str = "step"
    fmt: str = "text"
    output: Path | None = None
    columns_file: Path | None = None
    people_file: Path | None = None
    calendar_file: Path | None = None
    period: tuple[dt.date, dt.date] | None = None
    compare: tuple[dt.date, dt.date] | None = None
    elapsed: bool = False
    raise_nc: bool = False
    nc_share: float = 0.05
    raised_by: str | None = None
    force: bool = False
    lang: str = "en"


@dataclass(slots=True)
class FlowOutcome:
    body: str | None
    written: Path | None
    messages: list[str] = field(default_factory=list)
    findings: bool = False  # a procedure's map looks out of date: exit code 1


def build_setup(req: FlowRequest, load_calendar: CalendarLoader) -> tuple[Setup, Callable[[str], str | None]]:
    """The process maps, clock, limits and people of the repository; and the procedure resolver."""
    from qms.analysis.ids import did_you_mean
    from qms.analysis.people import Directory
    from qms.flow.analyse import Setup
    from qms.flow.clock import WorkClock
    from qms.flow.procmap import ProcMap
    from qms.kpi.repo import load_repo_kpi
    from qms.models.log_columns import procedure_name_key
    from qms.store.workspace import load_workspace

    ws = load_workspace(req.root, kinds=("manifest", "process"))
    repo = load_repo_kpi(req.root, ws)
    manifest = repo.manifest
    settings = repo.calendar
    calendar = load_calendar(req.calendar_file, settings)
    clock = WorkClock.of(calendar, settings, elapsed=req.elapsed)
    hpd = settings.hours_per_day()
    org = manifest.organisation if manifest is not None else None
    home = HOME
    home_names = [t for t in ((org.name.vi, org.name.en, *(
        (org.short_name.vi, org.short_name.en) if org is not None and org.short_name else ()))
        if org is not None else ()) if t]
    maps = {}
    titles = {}
    for _doc, proc in ws.processes():
        if proc.steps:
            maps[proc.id] = ProcMap.of(proc, hpd, home, home_names)
            titles[proc.id] = proc.title.get(req.lang)
    if req.procedure is not None:
        pid = repo.processes.get(req.procedure.strip()) or next(
            (k for k in maps if k.casefold() == req.procedure.strip().casefold()), None)
        if pid is None or pid not in maps:
            close = did_you_mean(req.procedure, sorted(maps))
            raise QmsError(_("--procedure {id}: no process with steps has this id or procedure code").format(
                id=req.procedure), _("did you mean {id}?").format(id=close) if close else
                _("use a process id of processes/, e.g. {example}").format(example=next(iter(sorted(maps)), "QT-01")))
        maps = {pid: maps[pid]}
    folded = {k.casefold(): v for k, v in repo.processes.items()}

    def resolve(cell: str) -> str | None:
        text = cell.strip()
        pid = repo.processes.get(text) or folded.get(text.casefold()) or repo.names.get(procedure_name_key(text))
        return pid if pid in maps else None

    directory = Directory.of(manifest)
    people: dict[str, str] = {}
    if req.people_file is not None:
        from qms.store.dossier_logs import load_people_map

        people = load_people_map(req.people_file)
    from qms.analysis.people import normalise_name

    people_folded = {normalise_name(k): v for k, v in people.items()}

    def role_of(name: str) -> str | None:
        role = people_folded.get(normalise_name(name))
        if role is not None:
            return role
        person = directory.person(name)
        if person is not None:
            return person.role
        key = name.strip()
        return key if key in directory.roles or key in directory.units else None

    limits = {pid: repo.limits[pid] for pid in maps if pid in repo.limits}
    cutoffs = {pid: repo.cutoffs[pid] for pid in maps if pid in repo.cutoffs}
    return Setup(maps, clock, limits, role_of, req.as_of, req.period, titles, cutoffs), resolve


def analyse_logs(req: FlowRequest, load_calendar: CalendarLoader) -> tuple[FlowResult, FlowResult | None]:
    from dataclasses import replace

    from qms.flow.analyse import analyse
    from qms.flow.events import read_events

    columns: dict[str, str] = {}
    if req.columns_file is not None:
        from qms.models.log_columns import FLOW_CANONICAL
        from qms.store.dossier_logs import load_column_map

        columns = load_column_map(req.columns_file, FLOW_CANONICAL)
    if req.procedure is not None:  # the reader needs the process the procedure names
        setup, resolve = build_setup(req, load_calendar)
        events = read_events(req.logs, resolve, column_map=columns or None, only=next(iter(setup.maps)),
                             as_of=req.as_of)
    else:
        # the repository is loaded on a helper thread while the reader finds the logs' headers and
        # polars reads their first rows; the reader waits for it at the first procedure cell it looks up
        from qms.store.batches import in_background

        loading = in_background(lambda _stop: build_setup(req, load_calendar), "qms-flow-setup")
        try:
            events = read_events(req.logs, lambda cell: loading.result()[1](cell), column_map=columns or None,
                                 as_of=req.as_of)
        except BaseException:
            loading.stop()  # the error met first is the one reported; no thread is left behind
            raise
        setup, _resolve = loading.result()
    result = analyse(events, setup, release=req.compare is None)
    compare = analyse(events, replace(setup, period=req.compare)) if req.compare is not None else None
    return result, compare


def run_flow_report(req: FlowRequest, load_calendar: CalendarLoader) -> FlowOutcome:
    if req.fmt == "pdf" and req.output is None:
        raise QmsError(_("--format pdf needs an output file"), _("add -o REPORT.pdf"))
    if req.raise_nc and req.period is None:
        raise QmsError(_("--raise-nc needs a --period"),
                       _("give the period the nonconformities are about, e.g. --period 2026-01..2026-06"))
    if req.output is not None:
        from qms.store.outputs import guard_output

        guard_output(req.output, req.fmt, inputs=[*req.logs, req.columns_file, req.people_file, req.calendar_file],
                     root=req.root, force=req.force)
    result, compare = analyse_logs(req, load_calendar)
    messages: list[str] = []
    if req.raise_nc and req.period is not None:
        from qms.flow.nc_link import raise_bottlenecks

        messages = raise_bottlenecks(req.root, result, req.period, share=req.nc_share, by=req.raised_by,
                                     lang=req.lang)
    findings = bool(result.findings())
    if req.fmt in ("html", "pdf"):
        from qms.flow.html import write_report
        from qms.i18n import use_language

        with use_language(req.lang):
            text = write_report(result, compare, req.fmt, req.output, root=req.root, lang=req.lang, by=req.by)
        if req.output is None:
            return FlowOutcome(text, None, messages, findings)
        return FlowOutcome(None, req.output, messages, findings)
    from qms.flow.report import to_csv, to_json, to_text

    if req.fmt == "json":
        body = to_json(result, compare)
    else:
        from qms.flow.labels import load_labels

        labels = load_labels(req.root, req.lang, HOME)
        body = (to_csv(result, req.by, labels) if req.fmt == "csv" else to_text(result, req.by, compare, labels))
    if req.output is None:
        return FlowOutcome(body, None, messages, findings)
    from qms.store.atomic import atomic_write_text

    atomic_write_text(req.output, body)
    return FlowOutcome(None, req.output, messages, findings)


def export_pnml(root: Path, process: str, output: Path | None = None, *, force: bool = False) -> str | None:
    """The process map of ``process`` as a PNML Petri net; written to ``output`` (atomically) if given."""
    from qms.analysis.ids import did_you_mean
    from qms.flow.pnml import to_pnml
    from qms.flow.procmap import ProcMap
    from qms.store.workspace import load_workspace

    if output is not None:
        from qms.store.outputs import guard_output

        guard_output(output, "text", inputs=[], root=root, force=force)
    ws = load_workspace(root, kinds=("manifest", "process"))
    hours = ws.manifest.calendar.hours_per_day() if ws.manifest is not None else 8.0
    procs = {p.id: p for _d, p in ws.processes() if p.steps}
    proc = procs.get(process) or next((p for k, p in procs.items() if k.casefold() == process.casefold()), None)
    if proc is None:
        close = did_you_mean(process, sorted(procs))
        raise QmsError(_("{id}: no process with steps has this id").format(id=process),
                       _("did you mean {id}?").format(id=close) if close else
                       _("use a process id of processes/, e.g. {example}").format(example=next(iter(sorted(procs)), "QT-01")))
    text = to_pnml(ProcMap.of(proc, hours, HOME))
    if output is None:
        return text
    from qms.store.atomic import atomic_write_text

    atomic_write_text(output, text)
    return None
