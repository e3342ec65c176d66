"""``qms kpi report --raise-nc``: a missed quality objective becomes a nonconformity, once per period.

Each record carries a marker in its ``evidence`` (``kpi:MT-01:2026-01-01..2026-06-30`` for an
objective, ``kpi-late:1.001193:…`` for a procedure below target); a record with the marker
already in the register is not raised again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from qms.i18n import _
from qms.kpi.classify import KpiResult
from qms.kpi.repo import RepoKpi
from qms.kpi.report import ObjectiveResult, check_target
from qms.store.safe_open import FileRefused, read_yaml_bytes


def period_key(span: tuple[dt.date, dt.date]) -> str:
    return f"{span[0].isoformat()}..{span[1].isoformat()}"


def existing_markers(root: Path) -> dict[str, str]:
    """Marker -> NC id for every record whose evidence or title holds a ``kpi:``/``kpi-late:`` marker."""
    import yaml

    try:
        from yaml import CSafeLoader as Loader
    except ImportError:  # pragma: no cover
        from yaml import SafeLoader as Loader  # type: ignore[assignment]

    out: dict[str, str] = {}
    folder = root / "records" / "nonconformities"
    if not folder.is_dir():
        return out
    for path in sorted(folder.glob("*.yaml")):
        try:
            data = yaml.load(read_yaml_bytes(path), Loader=Loader)
        except (OSError, FileRefused, yaml.YAMLError):
            continue
        if not isinstance(data, dict):
            continue
        texts = [str(data.get("evidence") or "")]
        title = data.get("title")
        texts.extend(str(v) for v in (title.values() if isinstance(title, dict) else [title or ""]))
        for text in texts:
            for word in text.split():
                if word.startswith(("kpi:", "kpi-late:")):
                    out.setdefault(word.rstrip(".,;)"), str(data.get("id", path.stem)))
    return out


def raise_missed(repo: RepoKpi, result: KpiResult, objectives: Sequence[ObjectiveResult],
                 span: tuple[dt.date, dt.date], *, target: float | None = None, by: str | None = None,
                 today: dt.date | None = None) -> list[str]:
    """Raise the nonconformities; returns one message line per record raised or already there."""
    from qms.registers.nc import create_nc

    key = period_key(span)
    markers = existing_markers(repo.root)
    messages: list[str] = []
    targets = {o.id: o for o in repo.objectives}
    for obj in objectives:
        if obj.met:
            continue
        marker = f"kpi:{obj.id}:{key}"
        if marker in markers:
            messages.append(_("{id} already records objective {objective} for {period}").format(
                id=markers[marker], objective=obj.id, period=key))
            continue
        process = targets[obj.id].process if obj.id in targets else None
        if process is None:
            messages.append(_("objective {objective} was missed but no process owns it; no nonconformity raised").format(
                objective=obj.id))
            continue
        actual = "–" if obj.actual is None else f"{obj.actual:.2f}%"
        nc = create_nc(
            repo.root,
            process=process,
            title=_("Quality objective {objective} missed for {period}").format(objective=obj.id, period=key),
            description=_("On-time rate {actual} against the target {target} ({resolved} dossiers resolved, "
                          "{late} late).").format(actual=actual, target=obj.target_text,
                                                  resolved=result.counts.resolved, late=result.counts["late"]),
            source="monitoring",
            severity="minor",
            clause="9.1.3",
            by=by,
            evidence=f"{marker} qms kpi report ({', '.join(result.files)})",
            today=today,
        )
        markers[marker] = nc.id
        messages.append(_("raised {id}: objective {objective} missed for {period}").format(
            id=nc.id, objective=obj.id, period=key))
    # per procedure below the goal: late dossiers of that procedure's process
    goal: tuple[str, float] | None = (">=", target) if target is not None else (
        (objectives[0].op, objectives[0].target) if objectives else None)
    if result.by == "procedure" and goal is not None:
        for proc_key, counts in result.groups.items():
            process = repo.processes.get(proc_key)
            if process is None or counts.resolved == 0 or check_target(counts, goal[1], goal[0]).met:
                continue
            marker = f"kpi-late:{proc_key}:{key}"
            if marker in markers:
                messages.append(_("{id} already records the late dossiers of {procedure} for {period}").format(
                    id=markers[marker], procedure=proc_key, period=key))
                continue
            rate = counts.on_time_rate
            nc = create_nc(
                repo.root,
                process=process,
                title=_("Late dossiers of procedure {procedure} in {period}").format(procedure=proc_key, period=key),
                description=_("{late} of {resolved} dossiers resolved late (on-time rate {rate}).").format(
                    late=counts["late"], resolved=counts.resolved,
                    rate="–" if rate is None else f"{rate * 100:.2f}%"),
                source="late_dossier",
                severity="minor",
                clause="6.2",
                by=by,
                evidence=f"{marker} qms kpi report --by procedure",
                today=today,
            )
            markers[marker] = nc.id
            messages.append(_("raised {id}: late dossiers of {procedure} for {period}").format(
                id=nc.id, procedure=proc_key, period=key))
    return messages
