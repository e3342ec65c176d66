"""What ``qms kpi report`` takes from a QMS repository: time limits, mechanisms, calendar,
column mapping and the quality objectives measured by the on-time rate."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from qms.calendar.settings import CalendarSettings
from qms.errors import QmsError
from qms.i18n import _
from qms.kpi.columns import procedure_name_key
from qms.models.organisation import Manifest, Objective
from qms.models.process import Process

if TYPE_CHECKING:
    from qms.store.workspace import Workspace

ON_TIME_MEASURES = ("on_time_rate",)
_TARGET = re.compile(r"^\s*(>=|≥|=>|>|<=|≤|<)?\s*(\d+(?:[.,]\d+)?)\s*%?\s*$")
_OPS = {">=": ">=", "≥": ">=", "=>": ">=", ">": ">", "<=": "<=", "≤": "<=", "<": "<"}


def parse_target(text: str) -> tuple[str, float]:
    """``>= 98%``, ``≥ 98%``, ``> 97.5 %`` or ``98%`` (read as ``>=``) -> (operator, percent)."""
    m = _TARGET.match(unicodedata.normalize("NFC", text))
    if m is None:
        raise ValueError(text)
    op = _OPS[m.group(1)] if m.group(1) else ">="
    value = float(m.group(2).replace(",", "."))
    if not 0 <= value <= 100:
        raise ValueError(text)
    return op, value


@dataclass(slots=True)
class ObjectiveTarget:
    """A quality objective measured by the on-time rate, with its parsed target."""

    id: str
    statement_vi: str
    statement_en: str
    target_text: str
    op: str
    value: float
    process: str | None  # the process that owns the objective (for nonconformities)

    def statement(self, lang: str) -> str:
        return self.statement_vi if lang == "vi" else self.statement_en


@dataclass(slots=True)
class RepoKpi:
    root: Path
    calendar: CalendarSettings
    columns: dict[str, str]
    limits: dict[str, float] = field(default_factory=dict)
    mechanisms: dict[str, str] = field(default_factory=dict)
    #: procedure id or code -> cut-off hour (``administrative.cutoff``)
    cutoffs: dict[str, dt.time] = field(default_factory=dict)
    #: procedure id or national code -> process id
    processes: dict[str, str] = field(default_factory=dict)
    objectives: list[ObjectiveTarget] = field(default_factory=list)
    #: process title (vi and en, as :func:`procedure_name_key` writes it) -> process id, for logs that
    #: name the procedure instead of giving its code; titles shared by two processes are left out
    names: dict[str, str] = field(default_factory=dict)
    manifest: Manifest | None = None


def objective_process(objective: Objective, processes: list[Process]) -> str | None:
    """The process whose KPI links to the objective; else one owned by the plan's responsible role."""
    for proc in processes:
        if any(k.objective == objective.id for k in proc.kpis):
            return proc.id
    for proc in processes:
        if proc.owner == objective.plan.responsible:
            return proc.id
    return processes[0].id if processes else None


def objective_targets(manifest: Manifest, processes: list[Process]) -> list[ObjectiveTarget]:
    out: list[ObjectiveTarget] = []
    for obj in manifest.objectives:
        if obj.measure.strip() not in ON_TIME_MEASURES:
            continue
        try:
            op, value = parse_target(obj.target)
        except ValueError:
            raise QmsError(
                _("objective {id}: cannot read the target {target!r}").format(id=obj.id, target=obj.target),
                _("write the target as '>= 98%', '≥ 98%' or '> 97.5 %'"),
            ) from None
        out.append(ObjectiveTarget(obj.id, obj.statement.vi or obj.statement.en, obj.statement.en or obj.statement.vi,
                                   obj.target, op, value, objective_process(obj, processes)))
    return out


def load_repo_kpi(root: Path, ws: Workspace | None = None) -> RepoKpi:
    """Read ``qms.yaml`` and ``processes/`` (invalid process files are skipped; ``qms check`` reports them).
    ``ws``: the repository's manifest and processes when the caller has loaded them already."""
    from qms.store.workspace import load_workspace

    if ws is None:
        ws = load_workspace(root, kinds=("manifest", "process"))
    manifest = ws.manifest
    if manifest is None:
        raise QmsError(
            _("{path}: qms.yaml is not valid, so the repository settings cannot be used").format(path=root),
            _("run `qms check` and fix qms.yaml, or pass the files explicitly (--calendar, --limits, --columns)"),
        )
    hours = manifest.calendar.working_hours_per_day
    repo = RepoKpi(root, manifest.calendar, dict(manifest.kpi_columns), manifest=manifest)
    processes = [p for _d, p in ws.processes()]
    for proc in processes:
        adm = proc.administrative
        if adm is None:
            continue
        days = adm.time_limit.in_days(hours)
        mechanism = adm.mechanism
        for key in (proc.id, adm.code.strip()):
            if key:
                repo.limits.setdefault(key, days)
                repo.mechanisms.setdefault(key, mechanism)
                cut = adm.cutoff_time()
                if cut is not None:
                    repo.cutoffs.setdefault(key, cut)
                repo.processes.setdefault(key, proc.id)
    shared: set[str] = set()
    for proc in processes:
        if proc.administrative is None:
            continue
        for title in {procedure_name_key(t) for t in (proc.title.vi, proc.title.en) if t}:
            if repo.names.setdefault(title, proc.id) != proc.id:
                shared.add(title)
    for title in shared:
        del repo.names[title]
    repo.objectives = objective_targets(manifest, processes)
    return repo
