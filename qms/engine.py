"""Select rules, run them, apply severity overrides and waivers, and build the report."""

from __future__ import annotations

import datetime as dt
import fnmatch
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from qms.diagnostics import Diagnostic, Report, Severity
from qms.errors import ConfigError
from qms.i18n import _
from qms.models.organisation import CheckConfig
from qms.rules.base import CheckContext, Rule
from qms.rules.registry import all_rules
from qms.store.workspace import Workspace


@dataclass(slots=True)
class CheckOptions:
    select: Sequence[str] = ()
    ignore: Sequence[str] = ()
    profile: Literal["iso", "strict"] | None = None
    paths: Sequence[str] = ()  # repository-relative prefixes to report on (all when empty)
    today: dt.date = field(default_factory=dt.date.today)


def _matches(rule: type[Rule], patterns: Iterable[str]) -> bool:
    for pattern in patterns:
        p = pattern.strip()
        if not p:
            continue
        if p.upper() == "ALL" or rule.code.startswith(p.upper()) or p.lower() == rule.name:
            return True
    return False


def validate_patterns(patterns: Iterable[str]) -> None:
    rules = all_rules()
    for p in patterns:
        q = p.strip()
        if q.upper() == "ALL":
            continue
        if not any(r.code.startswith(q.upper()) or r.name == q.lower() for r in rules):
            raise ConfigError(_("`{pattern}` matches no rule").format(pattern=p),
                              hint=_("run `qms rules` to list codes and names"))


def select_rules(config: CheckConfig | None, options: CheckOptions) -> list[type[Rule]]:
    profile = options.profile or (config.profile if config else "iso")
    select = list(options.select) or (list(config.select) if config else [])
    ignore = list(options.ignore) + (list(config.ignore) if config else [])
    validate_patterns([*select, *ignore])
    chosen: list[type[Rule]] = []
    for rule in all_rules():
        if profile == "iso" and rule.profile == "strict" and not _matches(rule, options.select):
            continue
        if select and not _matches(rule, select):
            continue
        if _matches(rule, ignore):
            continue
        chosen.append(rule)
    return chosen


def _waiver_applies(d: Diagnostic, code: str, subject: str, path: str) -> bool:
    if d.code != code:
        return False
    if subject and d.subject != subject:
        return False
    return not (path and not fnmatch.fnmatch(d.location.path, path))


def run_check(ws: Workspace, options: CheckOptions) -> Report:
    manifest = ws.manifest
    config = manifest.check if manifest else None
    rules = select_rules(config, options)
    hours = manifest.calendar.hours_per_day() if manifest is not None else 8.0
    ctx = CheckContext(workspace=ws, today=options.today, hours_per_day=hours, catalogue=all_rules())
    report = Report(files_checked=len(ws.docs))
    if options.paths:  # `qms check FILE` reports on FILE: count what it reports on
        wanted = tuple(p.rstrip("/") for p in options.paths)
        report.files_checked = sum(1 for d in ws.docs
                                   if any(d.path == p or d.path.startswith(p + "/") for p in wanted))
    overrides = config.severity if config else {}
    for rule_cls in rules:
        rule = rule_cls()
        override = overrides.get(rule.code) or overrides.get(rule.name)
        if override == "off":
            continue
        for diag in rule.check(ctx):
            if override:
                diag = replace(diag, severity=Severity.parse(override))
            report.diagnostics.append(diag)
    report.diagnostics = suppress_consequences(report.diagnostics)
    _apply_waivers(report, ws, config, options.today)
    if options.paths:
        prefixes = tuple(p.rstrip("/") for p in options.paths)
        report.diagnostics = [
            d for d in report.diagnostics
            if any(d.location.path == p or d.location.path.startswith(p + "/") for p in prefixes)
        ]
    return report.finalise()


#: Loader findings (QMS00x) are root causes: a schema finding (QMS01x) at the very same place only
#: restates them ("cannot read the date" and then "expected a date").
_ROOT_FAMILY = "QMS00"
_CONSEQUENCE_FAMILY = "QMS01"
#: A finding that a more specific finding at the same place explains: an ISO 9001:2008 clause number
#: is "unknown" in 2015 only because it is a 2008 number (QMS802 says which 2015 clauses replace it).
_EXPLAINED_BY: dict[str, frozenset[str]] = {"QMS109": frozenset({"QMS802"})}


def suppress_consequences(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """Report each root cause once: drop findings that follow from another finding at the same place."""
    at: dict[tuple[str, int, int], set[str]] = {}
    for d in diagnostics:
        at.setdefault((d.location.path, d.location.line, d.location.column), set()).add(d.code)

    def explained(d: Diagnostic) -> bool:
        codes = at[(d.location.path, d.location.line, d.location.column)]
        if d.code.startswith(_CONSEQUENCE_FAMILY) and any(c.startswith(_ROOT_FAMILY) for c in codes):
            return True
        return bool(_EXPLAINED_BY.get(d.code, frozenset()) & codes)

    return [d for d in diagnostics if not explained(d)]


def _apply_waivers(report: Report, ws: Workspace, config: CheckConfig | None, today: dt.date) -> None:
    if config is None or not config.waivers:
        return
    kept: list[Diagnostic] = []
    for d in report.diagnostics:
        waiver = next(
            (w for w in config.waivers if w.expires >= today and _waiver_applies(d, w.code, w.subject, w.path)),
            None,
        )
        if waiver is None:
            kept.append(d)
        else:
            report.waived.append(replace(d, waived_by=waiver.approver))
    report.diagnostics = kept


def cache_key(root: Path, options: CheckOptions) -> str:
    """The key of a check result: every file read, the version, language, options, date and rules."""
    import json

    from qms import __version__
    from qms.i18n import get_language
    from qms.store import cache

    return cache.content_key(root, [
        __version__, cache.code_stamp(), get_language(), json.dumps([options.select, options.ignore, options.profile,
                                                 list(options.paths), options.today.isoformat()]),
        ",".join(r.code for r in all_rules()),
    ])


@dataclass(slots=True)
class CheckResult:
    report: Report
    config_fail_on: str  # `check.fail_on` of qms.yaml ("error" when it cannot be read)


def check_repository(root: Path, options: CheckOptions, *, use_cache: bool = True) -> CheckResult:
    """``qms check``: load the repository and run the rules, or reuse the result cached for exactly
    the same files, options, language, date and rules (:mod:`qms.store.cache`)."""
    from qms.store import cache
    from qms.store.workspace import load_workspace

    key = cache_key(root, options) if use_cache else ""
    data = cache.read(root, key) if use_cache else None
    if data is not None:
        return CheckResult(Report.from_dict(data), str(data.get("config_fail_on", "error")))
    ws = load_workspace(root)
    report = run_check(ws, options)
    config_fail_on = ws.manifest.check.fail_on if ws.manifest is not None else "error"
    if use_cache:
        cache.write(root, key, {**report.to_dict(), "config_fail_on": config_fail_on})
    return CheckResult(report, config_fail_on)
