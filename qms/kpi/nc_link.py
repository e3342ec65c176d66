"""``qms kpi report --raise-nc``: a missed quality objective becomes a nonconformity, once per period.

A missed objective raises one record per process whose dossiers were late, with that process's
figures. Each record carries a marker in its ``evidence`` (``kpi:MT-01:QT-HT-01:2026-01-01..2026-06-30``
for an objective and a process, ``kpi-late:QT-HT-01:…`` for a procedure below a ``--target``, named by
the process the log's cell resolves to, however the cell spells it); a record with the marker already
in the register is not raised again (nor is an objective whose whole-objective marker
``kpi:MT-01:<period>``, or a procedure whose ``kpi-late:<code>:<period>``, an earlier version wrote).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import partial
from pathlib import Path

from qms.i18n import _, format_date, format_percent, format_target, use_language
from qms.kpi.charts import shown_percent
from qms.kpi.classify import KpiResult
from qms.kpi.repo import RepoKpi
from qms.kpi.report import ObjectiveResult, check_target


def period_key(span: tuple[dt.date, dt.date]) -> str:
    return f"{span[0].isoformat()}..{span[1].isoformat()}"


def recorded(root: Path, candidates: Sequence[str]) -> str | None:
    """The id of a record of the register holding one of the markers ``candidates``, read now (under the
    register lock: another ``--raise-nc`` may have raised it since this one read the register)."""
    found = _scan_markers(root)
    return next((found[m] for m in candidates if m in found), None)


def existing_markers(root: Path) -> dict[str, str]:
    """Marker -> NC id for every record whose evidence or title holds a ``kpi:``/``kpi-late:`` marker."""
    return _scan_markers(root)


def _scan_markers(root: Path) -> dict[str, str]:
    from qms.store.raw_yaml import raw_mappings

    out: dict[str, str] = {}
    for path, data in raw_mappings(root, "records/nonconformities", ("*.yaml",)):
        texts = [str(data.get("evidence") or "")]
        title = data.get("title")
        texts.extend(str(v) for v in (title.values() if isinstance(title, dict) else [title or ""]))
        for text in texts:
            for word in text.split():
                if word.startswith(("kpi:", "kpi-late:")):
                    out.setdefault(word.rstrip(".,;)"), str(data.get("id", path.stem)))
    return out


def process_of(repo: RepoKpi, key: str) -> str | None:
    """The process of a procedure cell of the log: its id or national code, else its title (a log that
    names the procedure; accents, case and spacing do not matter, as for its time limit)."""
    from qms.kpi.columns import procedure_name_key

    return repo.processes.get(key.strip()) or repo.names.get(procedure_name_key(key))


def late_by_process(repo: RepoKpi, series: dict[tuple[str, str, str], list[int]]) -> dict[str, list[int]]:
    """Counters per process, summed over its procedures and months (from the ``procedure`` series)."""
    out: dict[str, list[int]] = {}
    for (name, key, _month), values in series.items():
        if name != "procedure":
            continue
        process = process_of(repo, key)
        if process is None:
            continue
        acc = out.setdefault(process, [0] * len(values))
        for i, v in enumerate(values):
            acc[i] += v
    return out


def raise_missed(repo: RepoKpi, result: KpiResult, objectives: Sequence[ObjectiveResult],
                 span: tuple[dt.date, dt.date], *, target: float | None = None, by: str | None = None,
                 today: dt.date | None = None,
                 series: dict[tuple[str, str, str], list[int]] | None = None) -> list[str]:
    """Raise the nonconformities; returns one message line per record raised or already there.

    A missed objective raises one nonconformity per process whose dossiers were late in the period,
    with that process's own figures, written in the organisation's language.
    """
    from qms.kpi.classify import Counts
    from qms.registers.nc import AlreadyRecorded, create_nc

    key = period_key(span)  # in the markers only: people read the dates
    shown = f"{format_date(span[0])} – {format_date(span[1])}"
    markers = existing_markers(repo.root)
    messages: list[str] = []
    per_process = late_by_process(repo, series or {})
    org_lang = repo.manifest.organisation.default_language if repo.manifest is not None else None
    for obj in objectives:
        if obj.met:
            continue
        legacy = f"kpi:{obj.id}:{key}"  # one record for the whole objective, as earlier versions raised
        if legacy in markers:
            messages.append(_("{id} already records objective {objective} for {period}").format(
                id=markers[legacy], objective=obj.id, period=shown))
            continue
        late_processes = sorted(p for p, values in per_process.items() if Counts(list(values))["late"] > 0)
        if not late_processes:
            messages.append(_("objective {objective} was missed but no late dossier belongs to a process of the "
                              "repository; no nonconformity raised").format(objective=obj.id))
            continue
        for process in late_processes:
            counts = Counts(list(per_process[process]))
            marker = f"kpi:{obj.id}:{process}:{key}"
            if marker in markers:
                messages.append(_("{id} already records objective {objective} for {period}").format(
                    id=markers[marker], objective=obj.id, period=shown))
                continue
            rate = counts.on_time_rate
            with use_language(org_lang):
                title = _("Quality objective {objective} missed for {period}: late dossiers of {process}").format(
                    objective=obj.id, period=shown, process=process)
                description = _("{late} of {resolved} dossiers of {process} resolved late in {period} (on-time "
                                "rate {rate}); the objective's target is {target}.").format(
                    late=counts["late"], resolved=counts.resolved, process=process, period=shown,
                    rate="–" if rate is None else format_percent(shown_percent(rate * 100, [obj.target]), org_lang), target=format_target(obj.target_text, org_lang))
            try:
                nc = create_nc(
                    repo.root,
                    process=process,
                    title=title,
                    description=description,
                    source="monitoring",
                    severity="minor",
                    clause="9.1.3",
                    by=by,
                    evidence=f"{marker} qms kpi report ({', '.join(result.files)})",
                    today=today,
                    unless=partial(recorded, repo.root, (marker, legacy)),
                )
            except AlreadyRecorded as done:
                markers[marker] = done.nc_id
                messages.append(_("{id} already records objective {objective} for {period}").format(
                    id=done.nc_id, objective=obj.id, period=shown))
                continue
            markers[marker] = nc.id
            messages.append(_("raised {id}: objective {objective} missed for {period}").format(
                id=nc.id, objective=obj.id, period=shown))
    if objectives:
        return messages
    # with --target instead of objectives: each procedure below it, for its process. The record's
    # identity is the process the group resolves to, not the cell's text, so another export of the
    # period that spells the procedure's name differently finds the record raised before.
    if result.by == "procedure" and target is not None:
        goal = (">=", target)
        owners: dict[str, tuple[str, Counts]] = {}  # process -> (the name first shown, summed counters)
        spelled: dict[str, list[str]] = {}  # process -> the group keys of the log (for older markers)
        for proc_key, counts in result.groups.items():
            owner = process_of(repo, proc_key)
            if owner is None:
                continue
            _first, acc = owners.setdefault(owner, (proc_key, Counts()))
            for i, v in enumerate(counts.values):
                acc.values[i] += v
            spelled.setdefault(owner, []).append(proc_key)
        for owner, (proc_key, counts) in owners.items():
            if counts.resolved == 0 or check_target(counts, goal[1], goal[0]).met:
                continue
            marker = f"kpi-late:{owner}:{key}"
            # earlier versions wrote the cell's text (a code has no space, so its marker was found again)
            codes = [k for k, p in repo.processes.items() if p == owner]
            candidates = [marker, *(f"kpi-late:{k.strip()}:{key}" for k in (*spelled[owner], *codes))]
            known = next((m for m in candidates if m in markers), None)
            if known is not None:
                messages.append(_("{id} already records the late dossiers of {procedure} for {period}").format(
                    id=markers[known], procedure=proc_key, period=shown))
                continue
            rate = counts.on_time_rate
            with use_language(org_lang):  # the register is written in the organisation's language
                title = _("Late dossiers of procedure {procedure} in {period}").format(procedure=proc_key, period=shown)
                description = _("{late} of {resolved} dossiers resolved late (on-time rate {rate}).").format(
                    late=counts["late"], resolved=counts.resolved,
                    rate="–" if rate is None else format_percent(shown_percent(rate * 100, [goal[1]]), org_lang))
            try:
                nc = create_nc(
                    repo.root,
                    process=owner,
                    title=title,
                    description=description,
                    source="late_dossier",
                    severity="minor",
                    clause="6.2",
                    by=by,
                    evidence=f"{marker} qms kpi report --by procedure",
                    today=today,
                    unless=partial(recorded, repo.root, candidates),
                )
            except AlreadyRecorded as done:
                markers[marker] = done.nc_id
                messages.append(_("{id} already records the late dossiers of {procedure} for {period}").format(
                    id=done.nc_id, procedure=proc_key, period=shown))
                continue
            markers[marker] = nc.id
            messages.append(_("raised {id}: late dossiers of {procedure} for {period}").format(
                id=nc.id, procedure=proc_key, period=shown))
    return messages
