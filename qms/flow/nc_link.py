"""``qms flow report --raise-nc``: a bottleneck becomes a nonconformity, once per procedure and period.

A procedure is raised when its worst bottleneck step (the most working time over budget) exceeded
its budget in more than ``share`` of the dossiers that went through it. The record cites the step,
the figures and the period, and carries the marker ``flow:<process>:<step>:<from>..<to>`` in its
``evidence``, as the KPI report's records carry ``kpi:…``: a rerun over the same period finds the
record it raised before and raises nothing.
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from pathlib import Path

from qms.flow.analyse import FlowResult
from qms.i18n import _, format_date, format_number, format_percent, use_language
from qms.kpi.nc_link import period_key
from qms.models.process import Process

MARKER = "flow:"


def _step_label(proc: Process | None, step: str, lang: str | None) -> str:
    """``B5 (Xác nhận hiện trạng …)``: the step's id and its name in the record's language."""
    found = proc.step(step) if proc is not None else None
    name = found.name.get(lang or "vi") if found is not None else ""
    return f"{step} ({name})" if name else step


def existing_flow_markers(root: Path) -> dict[str, str]:
    """Marker -> NC id for every record whose evidence holds a ``flow:`` marker."""
    return _scan_markers(root)


def _scan_markers(root: Path) -> dict[str, str]:
    from qms.store.raw_yaml import raw_mappings

    out: dict[str, str] = {}
    for path, data in raw_mappings(root, "records/nonconformities", ("*.yaml",)):
        for word in str(data.get("evidence") or "").split():
            if word.startswith(MARKER):
                out.setdefault(word.rstrip(".,;)"), str(data.get("id", path.stem)))
    return out


def recorded(root: Path, procedure: str, key: str, markers: dict[str, str] | None = None) -> str | None:
    """The id of the record of the bottleneck of ``procedure`` over the period ``key`` (whichever step it
    named), from ``markers`` or, without them, from the register read now (under the register lock:
    another ``--raise-nc`` may have raised it since this one read the register)."""
    found = _scan_markers(root) if markers is None else markers
    return next((v for m, v in found.items() if m.startswith(f"{MARKER}{procedure}:") and m.endswith(f":{key}")),
                None)


def raise_bottlenecks(root: Path, result: FlowResult, span: tuple[dt.date, dt.date], *, share: float = 0.05,
                      by: str | None = None, lang: str | None = None, today: dt.date | None = None) -> list[str]:
    """Raise the nonconformities; one message line per record raised or already there."""
    from qms.registers.nc import AlreadyRecorded, create_nc
    from qms.store.workspace import load_workspace

    key = period_key(span)  # in the marker only: people read the dates
    shown = f"{format_date(span[0])} – {format_date(span[1])}"
    markers = existing_flow_markers(root)
    ws = load_workspace(root, kinds=("manifest", "process"))
    org_lang = ws.manifest.organisation.default_language if ws.manifest is not None else lang
    procs = {proc.id: proc for _d, proc in ws.processes()}
    messages: list[str] = []
    for p in result.procedures:
        if not p.bottlenecks:
            continue
        step = p.step(p.bottlenecks[0])
        if step is None or not step.count or step.over_budget / step.count <= share:
            continue
        marker = f"{MARKER}{p.procedure}:{step.step}:{key}"
        if (found := recorded(root, p.procedure, key, markers)) is not None:
            messages.append(_("{id} already records the bottleneck of {process} for {period}").format(
                id=found, process=p.procedure, period=shown))
            continue
        with use_language(org_lang):
            title = _("Bottleneck at step {step} of {process} in {period}").format(
                step=step.step, process=p.procedure, period=shown)
            description = _(
                "Step {step} exceeded its budget of {budget} working hours in {over} of {count} dossiers ({share}) "
                "received in {period}: median {median} h, 90th percentile {p90} h, {lost} working hours over "
                "budget in total. {late} of {dossiers} dossiers of {process} were late."
            ).format(step=_step_label(procs.get(p.procedure), step.step, org_lang), budget=format_number(step.budget_hours or 0.0, org_lang), over=step.over_budget,
                     count=step.count, share=format_percent(100 * step.over_budget / step.count, org_lang, digits=1),
                     period=shown, median=format_number(step.median_hours, org_lang, digits=1),
                     p90=format_number(step.p90_hours, org_lang, digits=1),
                     lost=format_number(step.hours_over_budget, org_lang, digits=1), late=p.late,
                     dossiers=p.dossiers, process=p.procedure)
        try:
            nc = create_nc(root, process=p.procedure, title=title, description=description, source="monitoring",
                           severity="minor", clause="9.1.3", by=by, evidence=f"{marker} qms flow report", today=today,
                           unless=partial(recorded, root, p.procedure, key))
        except AlreadyRecorded as done:  # another --raise-nc raised it since the register was read
            markers[marker] = done.nc_id
            messages.append(_("{id} already records the bottleneck of {process} for {period}").format(
                id=done.nc_id, process=p.procedure, period=shown))
            continue
        markers[marker] = nc.id
        messages.append(_("raised {id}: bottleneck at step {step} of {process} for {period}").format(
            id=nc.id, step=step.step, process=p.procedure, period=shown))
    return messages
