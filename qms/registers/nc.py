"""The nonconformity register: create, move through the 10.2.1 lifecycle, list, renumber.

Every change happens under the register lock, reads the current record with
full validation, checks the transition against
:data:`qms.models.nonconformity.TRANSITIONS`, appends one history entry and
writes the file atomically. A refused transition raises
:class:`qms.errors.InvalidTransition` (exit 1) before anything is written.
Closed records are evidence: only an explicit ``reopen`` (with a reason,
logged) or a ``renumber`` may touch them.
"""

from __future__ import annotations

import datetime as dt
import difflib
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from qms.errors import InvalidTransition, QmsError, RecordNotFound, UsageError
from qms.i18n import N_, _
from qms.models.common import Text, recorded_now
from qms.models.nonconformity import (
    AMENDABLE_FIELDS,
    FINAL_STATUSES,
    SEVERITIES,
    SOURCES,
    STATUSES,
    TRANSITIONS,
    CauseAnalysis,
    Correction,
    CorrectiveAction,
    EffectivenessReview,
    HistoryEntry,
    Nonconformity,
    allowed_from,
    amendable,
    apply_seal,
    seal_problem,
    seal_state,
)
from qms.standards import catalogue, clause_exists, normalise_clause
from qms.store import nc_store, paths
from qms.store.calendar import load_calendar
from qms.store.nc_store import NcSummary
from qms.store.raw_yaml import raw_mapping, raw_mappings
from qms.store.safe_open import FileRefused

if TYPE_CHECKING:
    from qms.calendar import WorkingCalendar

#: Spellings accepted for ``--source`` (the first four are short forms of the canonical value).
SOURCE_ALIASES: dict[str, str] = {
    "internal": "internal_audit",
    "audit": "internal_audit",
    "external": "external_audit",
    "feedback": "complaint",
    **{s: s for s in SOURCES},
}
DEFAULT_REVIEW_WORKING_DAYS = 20

#: Labels of the codes shown in text and HTML output (json and csv keep the codes). The English
#: label is the code itself, so English output shows the codes; other languages translate them.
CODE_LABELS: dict[str, str] = {
    # statuses
    "open": N_("open"), "contained": N_("contained"), "analysed": N_("analysed"), "planned": N_("planned"),
    "implemented": N_("implemented"), "verified": N_("verified"), "closed": N_("closed"),
    "rejected": N_("rejected"),
    # sources
    "internal_audit": N_("internal_audit"), "external_audit": N_("external_audit"),
    "complaint": N_("complaint"), "late_dossier": N_("late_dossier"), "monitoring": N_("monitoring"),
    # severities
    "major": N_("major"), "minor": N_("minor"),
    # transitions
    "create": N_("create"), "correct": N_("correct"), "analyse": N_("analyse"), "plan": N_("plan"),
    "implement": N_("implement"), "verify": N_("verify"), "close": N_("close"), "reject": N_("reject"),
    "reopen": N_("reopen"), "renumber": N_("renumber"), "amend": N_("amend"), "reassign": N_("reassign"),
    "seal": N_("seal"),
    # cause analysis methods and fishbone categories
    "five_why": N_("five_why"), "fishbone": N_("fishbone"),
    "people": N_("people"), "method": N_("method"), "equipment": N_("equipment"), "material": N_("material"),
    "measurement": N_("measurement"), "environment": N_("environment"),
}


def label(code: str) -> str:
    """The label of a status, source, severity, transition or cause-analysis code in the current language."""
    msgid = CODE_LABELS.get(code)
    return _(msgid) if msgid else code


# -- inputs ----------------------------------------------------------------------------


def normalise_source(value: str) -> str:
    key = value.strip().lower().replace("-", "_")
    if key in SOURCE_ALIASES:
        return SOURCE_ALIASES[key]
    raise UsageError(_("unknown source {value!r}").format(value=value),
                     _("use one of: {choices}").format(choices=", ".join(SOURCES)))


def _check_choice(value: str, choices: Sequence[str], what: str) -> str:
    if value in choices:
        return value
    close = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.5)
    hint = (_("did you mean `{value}`?").format(value=close[0]) if close
            else _("use one of: {choices}").format(choices=", ".join(choices)))
    raise UsageError(_("unknown {what} {value!r}").format(what=what, value=value), hint)


def process_ids(root: Path) -> set[str]:
    """Ids of the repository's processes (``processes/*.yaml``), read without validation."""
    return {data["id"] for _path, data in raw_mappings(root, "processes", ("*.yaml", "*.yml"))
            if isinstance(data.get("id"), str)}


def check_audit(root: Path, audit: str | None, finding: str | None) -> str | None:
    """The internal audit an NC comes from: an existing ``AUD-YYYY-NN``; a finding needs its audit."""
    import re

    from qms.models.nonconformity import AUDIT_ID_PATTERN
    from qms.store.workspace import known_audits

    if not audit:
        if finding:
            raise UsageError(_("--finding {finding} names no audit").format(finding=finding),
                             _("pass --audit AUD-YYYY-NN, the audit the finding belongs to"))
        return None
    audit = audit.strip()
    if not re.match(AUDIT_ID_PATTERN, audit):
        raise UsageError(_("`{value}` is not an audit id").format(value=audit),
                         _("write it as AUD-YYYY-NN, e.g. AUD-2026-01"))
    if audit not in known_audits(root):
        raise UsageError(_("audit {id} does not exist").format(id=audit), _("list audits with `qms audit list`"))
    return audit


def check_process(root: Path, process: str) -> str:
    """The process id ``process`` names (any case, when that is unambiguous), or a usage error."""
    from qms.analysis.ids import closest_first, did_you_mean, match_id

    known = process_ids(root)
    found = match_id(process, known)
    if found is not None:
        return found
    close = did_you_mean(process, known)
    if close:
        hint = _("did you mean `{value}`?").format(value=close)
    elif known:
        hint = _("known processes: {choices}").format(choices=", ".join(closest_first(process, known)))
    else:
        hint = _("the repository has no processes/*.yaml yet")
    raise UsageError(_("unknown process {value!r}").format(value=process), hint)


def check_clause(clause: str | None) -> str | None:
    if clause is None or not clause.strip():
        return None
    value = normalise_clause(clause)
    if clause_exists(value):
        return value
    from qms.standards.correlation import former_clause_hint

    close = difflib.get_close_matches(value, list(catalogue()), n=1, cutoff=0.6)
    hint = former_clause_hint(value) or (
        _("did you mean `{value}`?").format(value=close[0]) if close else _("give an ISO 9001:2015 clause such as 8.5.1"))
    raise UsageError(_("unknown ISO 9001:2015 clause {value!r}").format(value=clause), hint)


def action_owner(root: Path, owner: str) -> str:
    """``owner`` checked against qms.yaml: a person (recorded by name) or a role or unit id."""
    from qms.analysis.people import Directory
    from qms.store.workspace import load_manifest

    text = unicodedata.normalize("NFC", owner).strip()
    directory = Directory.of(load_manifest(root))
    person = directory.person(text)
    if person is not None:
        return person.name
    if directory.party(text, ("role", "unit")) is not None:
        return text
    known = directory.suggestions(text, ("person", "role", "unit"))
    raise UsageError(_("`{owner}` is neither a person nor a role or unit of qms.yaml").format(owner=text),
                     _("give a person's id or name, or a role or unit id (closest: {known})").format(
                         known=", ".join(known) or "-"))


def resolve_actor(root: Path, by: str | None) -> str:
    """``by`` if given (a person of qms.yaml when it lists people: ``Directory.actor_name``), else git's
    ``user.name`` in ``root``, checked the same way (``Directory.git_actor_name``); else a usage error."""
    from qms.analysis.people import Directory
    from qms.store.workspace import load_manifest

    if by is not None and by.strip():
        return Directory.of(load_manifest(root)).actor_name(by)
    from qms.store.git import config_value

    name = config_value(root, "user.name")
    if name:
        return Directory.of(load_manifest(root)).git_actor_name(name)
    raise UsageError(_("who is making this change?"),
                     _("pass --by NAME, or set git's user.name (git config user.name \"Name\")"))


def _validated(data: dict[str, Any]) -> Nonconformity:
    try:
        return Nonconformity.model_validate(data)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in err.get("loc", ()) if not str(p).startswith("function"))
        msg = str(err.get("msg", "invalid value")).removeprefix("Value error, ")
        raise UsageError(_("invalid {field}: {reason}").format(field=where or "record", reason=msg)) from None


# -- create ------------------------------------------------------------------------------


class AlreadyRecorded(Exception):
    """:func:`create_nc` with ``unless``: a record already covers it (``nc_id``); nothing was written."""

    def __init__(self, nc_id: str) -> None:
        super().__init__(nc_id)
        self.nc_id = nc_id


def create_nc(
    root: Path,
    *,
    process: str,
    title: str,
    description: str,
    source: str,
    severity: str,
    clause: str | None = None,
    by: str | None = None,
    audit: str | None = None,
    finding: str | None = None,
    evidence: str | None = None,
    today: dt.date | None = None,
    unless: Callable[[], str | None] | None = None,
) -> Nonconformity:
    """Raise a nonconformity: allocate the next ``NC-YYYY-NNNN`` id and write its file.

    ``unless``: asked under the register lock, before anything is written; when it names a record
    (one raised by another command at the same moment, e.g. for the same objective and period),
    :class:`AlreadyRecorded` is raised instead.

    Safe under concurrency: the id is chosen under the register lock and the
    file is created with an exclusive link, so an existing file is never
    replaced (a clash moves on to the next number).
    """
    root = root.resolve()
    day = today or dt.date.today()
    data: dict[str, Any] = {
        "title": title,
        "description": description,
        "source": normalise_source(source),
        "severity": _check_choice(severity.strip().lower(), SEVERITIES, "severity"),
        "process": check_process(root, process),
        "clause": check_clause(clause),
        "audit": check_audit(root, audit, finding),
        "finding": finding or None,
        "evidence": evidence or None,
        "raised_by": resolve_actor(root, by),
        "raised_on": day,
        "status": "open",
    }
    with nc_store.register_lock(root):
        if unless is not None and (found := unless()) is not None:
            raise AlreadyRecorded(found)
        used = nc_store.numbers_in_use(root, day.year)
        number = max(used, default=0) + 1
        entry = {"date": day, "recorded_at": recorded_now(), "by": data["raised_by"], "transition": "create",
                 "status": "open"}
        while True:
            nc = _validated({"id": nc_store.format_id(day.year, number), **data, "history": [entry]})
            try:
                nc_store.write_record(root, nc, exclusive=True)
            except FileExistsError:
                number += 1  # written by someone not holding the lock: never overwrite
                continue
            return nc


# -- lookup ---------------------------------------------------------------------------------


def _known_ids(root: Path) -> list[str]:
    return [p.stem for p in nc_store.record_paths(root)]


def checked_path(root: Path, nc_id: str) -> Path:
    """The file of ``nc_id``, after its form is checked and the path confined (nothing is read or written)."""
    try:
        return nc_store.path_for(root, nc_id.strip())
    except paths.BadId as exc:  # malformed: a near, well-formed id is still suggested (names only)
        if paths.shown(nc_id) != nc_id:
            raise
        close = difflib.get_close_matches(nc_id.strip(), _known_ids(root), n=1, cutoff=0.7)
        if close:
            exc.hint = _("did you mean `{value}`?").format(value=close[0]) + "; " + exc.hint
        raise


def find_path(root: Path, nc_id: str) -> Path:
    path = checked_path(root, nc_id)
    if path.is_file():
        return path
    close = difflib.get_close_matches(nc_id, _known_ids(root), n=1, cutoff=0.7)
    hint = (_("did you mean `{value}`?").format(value=close[0]) if close
            else _("run `qms nc list` to see the register"))
    raise RecordNotFound(_("no nonconformity {id}").format(id=nc_id), hint)


def get_nc(root: Path, nc_id: str) -> Nonconformity:
    root = root.resolve()
    return nc_store.read_record(root, find_path(root, nc_id))


# -- transitions --------------------------------------------------------------------------------


Apply = Callable[[Nonconformity, dt.date, str], str]


def _refuse(nc: Nonconformity, transition: str) -> InvalidTransition:
    if nc.status == "closed":
        return InvalidTransition(
            _("{id} is closed; a closed record is evidence and is not changed").format(id=nc.id),
            _("to work on it again, run `qms nc reopen {id} --reason TEXT` (the reopening is logged)").format(
                id=nc.id),
        )
    nexts = allowed_from(nc.status)
    return InvalidTransition(
        _("cannot {transition} {id}: its status is `{status}`").format(
            transition=label(transition), id=nc.id, status=label(nc.status)),
        _("allowed next steps: {steps}").format(steps=", ".join(nexts) or "-"),
    )


def transition(root: Path, nc_id: str, name: str, apply: Apply, *, by: str | None = None,
               note: str = "", today: dt.date | None = None,
               details: dict[str, Any] | None = None, locked: bool = False) -> Nonconformity:
    """Run one lifecycle step: lock, read, check, apply, append history, write atomically.

    ``details`` (which ``apply`` may fill in) are extra history fields: ``field``, ``old``, ``new``,
    ``reason`` of an ``amend`` or ``reassign`` entry. ``locked``: the caller already holds the register
    lock (a command that changes several records reads and writes them all under one lock).
    """
    import contextlib

    root = root.resolve()
    checked_path(root, nc_id)  # before the lock: a bad id creates no file at all
    day = today or dt.date.today()
    table = TRANSITIONS[name]
    with contextlib.nullcontext() if locked else nc_store.register_lock(root):
        path = find_path(root, nc_id)
        current = nc_store.read_record(root, path)
        if current.status not in table:
            raise _refuse(current, name)
        # who takes the step once the step is possible at all: a step the record's state refuses is
        # reported as such, not as an unknown git user.name
        actor = resolve_actor(root, by)
        broken = seal_problem(current, path.relative_to(root).as_posix()) if name != "reopen" else None
        if broken is not None:
            message, hint = broken
            raise InvalidTransition(f"{path.relative_to(root).as_posix()}: {message}", hint)
        floor = max([current.raised_on, *([current.history[-1].day] if current.history else [])])
        if day < floor:
            raise UsageError(_("the date {date} is before the record's last step ({floor})").format(
                date=day.isoformat(), floor=floor.isoformat()), _("give a date on or after {floor}").format(
                floor=floor.isoformat()))
        new = current.model_copy(deep=True)
        status = apply(new, day, actor)
        if status not in table[current.status]:  # pragma: no cover - guarded by the apply functions
            raise _refuse(current, name)
        new.status = status  # type: ignore[assignment]
        new.history.append(HistoryEntry.model_validate({"date": day, "recorded_at": recorded_now(), "by": actor, "transition": name,
                                                         "status": status, "note": note.strip(),
                                                         **(details or {})}))
        checked = apply_seal(_validated(new.model_dump()))
        nc_store.write_record(root, checked)
        return checked


def correct(root: Path, nc_id: str, *, description: str, by: str | None = None, note: str = "",
            today: dt.date | None = None) -> Nonconformity:
    """10.2.1 a): record the correction / containment."""
    def apply(nc: Nonconformity, day: dt.date, actor: str) -> str:
        nc.correction = _model(Correction, description=description, by=actor, date=day)
        return "contained"
    return transition(root, nc_id, "correct", apply, by=by, note=note, today=today)


def analyse(root: Path, nc_id: str, *, method: str, root_cause: str, similar: str,
            whys: Sequence[str] = (), fishbone: dict[str, list[str]] | None = None,
            similar_ncs: Sequence[str] = (), by: str | None = None, note: str = "",
            today: dt.date | None = None) -> Nonconformity:
    """10.2.1 b): root cause (5-why or fishbone) and the search for similar nonconformities."""
    method_key = _check_choice(method.strip().lower().replace("-", "_"), ("five_why", "fishbone"), "method")
    if method_key == "five_why" and not any(w.strip() for w in whys):
        raise UsageError(_("a 5-why analysis needs at least one why"),
                         _("pass --why for each why, the first why first"))
    if method_key == "fishbone" and not any(any(x.strip() for x in v) for v in (fishbone or {}).values()):
        raise UsageError(_("a fishbone analysis needs at least one cause"),
                         _("pass --factor CATEGORY:TEXT for each cause (people, method, equipment, material, "
                           "measurement, environment)"))
    known = set(_known_ids(root.resolve()))
    for ref in similar_ncs:
        if ref not in known:
            raise RecordNotFound(_("no nonconformity {id}").format(id=ref),
                                 _("--similar-nc names existing records only"))

    def apply(nc: Nonconformity, day: dt.date, actor: str) -> str:
        if nc.cause is not None:  # re-analysis after an ineffective review: keep the old one
            nc.previous_analyses.append(nc.cause)
        nc.cause = _model(CauseAnalysis, method=method_key, whys=list(whys), fishbone=dict(fishbone or {}),
                          root_cause=root_cause, similar=similar, similar_ncs=list(similar_ncs),
                          by=actor, date=day)
        return "analysed"
    return transition(root, nc_id, "analyse", apply, by=by, note=note, today=today)


def plan(root: Path, nc_id: str, *, action: str, owner: str, due: dt.date | int,
         risk_update: str | None = None, qms_change: str | None = None, by: str | None = None,
         note: str = "", today: dt.date | None = None) -> Nonconformity:
    """10.2.1 c): add a corrective action with owner and due date (a date, or N working days)."""
    from qms.registers.workdays import add_working_days

    if isinstance(due, int) and due < 1:
        raise UsageError(_("a due date in working days must be at least 1"))

    def apply(nc: Nonconformity, day: dt.date, actor: str) -> str:
        who = action_owner(root, owner)  # after the record id is checked: the id is the first thing wrong
        due_date = add_working_days(root, day, due) if isinstance(due, int) else due
        if due_date < day:
            raise UsageError(_("the due date {due} is before {date}").format(due=due_date.isoformat(),
                                                                             date=day.isoformat()))
        nc.actions.append(_model(CorrectiveAction, id=f"CA-{len(nc.actions) + 1}", description=action,
                                 owner=who, due=due_date))
        _update_ef(nc, risk_update, qms_change)
        return "planned"
    return transition(root, nc_id, "plan", apply, by=by, note=note, today=today)


def implement(root: Path, nc_id: str, *, actions: Sequence[str] = (),
              review_in: int = DEFAULT_REVIEW_WORKING_DAYS, by: str | None = None, note: str = "",
              today: dt.date | None = None) -> Nonconformity:
    """Mark corrective actions done (all pending ones by default).

    When none is left pending the record becomes ``implemented`` and its
    effectiveness review falls due ``review_in`` working days later.
    """
    from qms.registers.workdays import add_working_days

    def apply(nc: Nonconformity, day: dt.date, actor: str) -> str:
        pending = {a.id: a for a in nc.pending_actions()}
        chosen = list(actions) or list(pending)
        for action_id in chosen:
            if action_id not in pending:
                done = {a.id for a in nc.actions} - set(pending)
                why = (_("{action} is already done").format(action=action_id) if action_id in done
                       else _("{id} has no corrective action {action}").format(id=nc.id, action=action_id))
                raise UsageError(why, _("pending actions: {ids}").format(ids=", ".join(pending) or "-"))
            pending[action_id].done = day
        if nc.pending_actions():
            return "planned"
        if review_in < 0:
            raise UsageError(_("--review-in must not be negative"))
        nc.review_due = add_working_days(root, day, review_in)
        return "implemented"
    return transition(root, nc_id, "implement", apply, by=by, note=note, today=today)


def verify(root: Path, nc_id: str, *, effective: bool, evidence: str, by: str | None = None, note: str = "",
           today: dt.date | None = None) -> Nonconformity:
    """10.2.1 d): effectiveness review. "Not effective" sends the record back to cause analysis."""
    def apply(nc: Nonconformity, day: dt.date, actor: str) -> str:
        nc.reviews.append(_model(EffectivenessReview, date=day, by=actor, evidence=evidence,
                                 effective=effective, note=note))
        nc.review_due = None
        return "verified" if effective else "contained"
    return transition(root, nc_id, "verify", apply, by=by, note=note, today=today)


def close(root: Path, nc_id: str, *, risk_update: str | None = None, qms_change: str | None = None,
          by: str | None = None, note: str = "", today: dt.date | None = None) -> Nonconformity:
    """Close a verified record, recording any update to risks (e) and to the QMS (f)."""
    def apply(nc: Nonconformity, day: dt.date, actor: str) -> str:
        if nc.cause is None:
            raise InvalidTransition(_("cannot close {id}: it has no root cause").format(id=nc.id),
                                    _("run `qms nc analyse` first"))
        _update_ef(nc, risk_update, qms_change)
        nc.closed_on = day
        return "closed"
    return transition(root, nc_id, "close", apply, by=by, note=note, today=today)


def reject(root: Path, nc_id: str, *, reason: str, by: str | None = None,
           today: dt.date | None = None) -> Nonconformity:
    """Not a nonconformity: record why."""
    if not reason.strip():
        raise UsageError(_("give the reason for rejecting"))

    def apply(nc: Nonconformity, day: dt.date, actor: str) -> str:
        nc.rejection_reason = reason.strip()
        return "rejected"
    return transition(root, nc_id, "reject", apply, by=by, note=reason, today=today)


def reopen(root: Path, nc_id: str, *, reason: str, by: str | None = None,
           today: dt.date | None = None) -> Nonconformity:
    """Explicitly reopen a closed (back to cause analysis) or rejected (back to open) record; logged."""
    if not reason.strip():
        raise UsageError(_("give the reason for reopening"))

    def apply(nc: Nonconformity, day: dt.date, actor: str) -> str:
        if nc.status == "closed":
            nc.closed_on = None
            return "contained"
        nc.rejection_reason = None
        return "open"
    return transition(root, nc_id, "reopen", apply, by=by, note=reason, today=today)


# -- sealing ----------------------------------------------------------------------------------------


def unsealed(root: Path) -> list[str]:
    """The ids of the closed or rejected records that carry no seal (closed before qms sealed records)."""
    out: list[str] = []
    for path in nc_store.record_paths(root):
        try:
            nc = nc_store.read_record(root, path)
        except (QmsError, OSError, FileRefused):
            continue  # `qms check` reports it
        if nc.status in FINAL_STATUSES and seal_state(nc) == "unsealed":
            out.append(nc.id)
    return sorted(out)


def seal(root: Path, nc_id: str, *, note: str = "", by: str | None = None,
         today: dt.date | None = None) -> Nonconformity:
    """Seal a record closed or rejected before qms sealed records, as it stands (a ``seal`` entry).

    From then on rule QMS513 reports any edit of it. In a git repository the record must be as git
    holds it (committed, no change since): the seal then covers the content git keeps the history of,
    not an edit nobody has looked at."""
    from qms.store import git

    def refuse_sealed(nc: Nonconformity) -> None:
        if nc.status in FINAL_STATUSES and seal_state(nc) != "unsealed":
            raise UsageError(_("{id} is already sealed").format(id=nc.id),
                             _("`qms check` reports any change to a sealed record (QMS513)"))

    root = root.resolve()
    path = find_path(root, nc_id)
    rel = path.relative_to(root).as_posix()
    refuse_sealed(nc_store.read_record(root, path))
    if git.committed_as_is(root, rel) is False:
        raise UsageError(_("{path} has changes that are not committed to git: a seal would cover them").format(
            path=rel), _("commit the record as it is to be kept, or restore it with `git restore {path}`, then "
                         "seal it").format(path=rel))

    def apply(nc: Nonconformity, _day: dt.date, _actor: str) -> str:
        refuse_sealed(nc)  # again under the lock: sealed meanwhile by another command
        return nc.status
    return transition(root, nc_id, "seal", apply, by=by, today=today,
                      note=note.strip() or _("closed before records were sealed; sealed as it stands"))


# -- amendment --------------------------------------------------------------------------------------


def _text_value(value: Any) -> str | None:
    """A field's value as recorded in an amend entry (multilingual text as `vi / en` when they differ)."""
    if value is None:
        return None
    if isinstance(value, Text):
        return value.vi if value.vi == value.en or not value.en else (
            value.en if not value.vi else f"{value.vi} / {value.en}")
    return str(value)


def _amend_target(nc: Nonconformity, field: str) -> tuple[Any, str]:
    """The object holding ``field`` and the attribute name, or a usage error."""
    parts = field.split("/")
    if parts[0] in ("title", "description"):
        return (nc, parts[0]) if len(parts) == 1 else (getattr(nc, parts[0]), parts[1])
    if parts[0] == "correction":
        if nc.correction is None:
            raise UsageError(_("{id} has no correction to amend").format(id=nc.id))
        return nc.correction, parts[1]
    if parts[0] == "cause":
        if nc.cause is None:
            raise UsageError(_("{id} has no cause analysis to amend").format(id=nc.id))
        return nc.cause, parts[1]
    if parts[0] == "actions":
        for action in nc.actions:
            if action.id == parts[1]:
                return action, parts[2]
        raise UsageError(_("{id} has no corrective action {action}").format(id=nc.id, action=parts[1]),
                         _("its actions: {ids}").format(ids=", ".join(a.id for a in nc.actions) or "-"))
    if parts[0] == "reviews":
        n = int(parts[1])
        if n > len(nc.reviews):
            raise UsageError(_("{id} has no effectiveness review {n}").format(id=nc.id, n=n),
                             _("it has {count} review(s), numbered from 1").format(count=len(nc.reviews)))
        return nc.reviews[n - 1], parts[2]
    return nc, parts[0]


def _amended_value(root: Path, field: str, value: str) -> Any:
    """``value`` checked as enumerated fields are checked when the record is written by a command."""
    name = field.rsplit("/", 1)[-1]
    if field == "severity":
        return _check_choice(value.strip().lower(), SEVERITIES, "severity")
    if field == "source":
        return normalise_source(value)
    if field == "process":
        return check_process(root, value)
    if field == "clause":
        return check_clause(value)
    if field.startswith("actions/") and name == "owner":
        return action_owner(root, value)
    if field in ("title", "description"):
        return _model(Text, vi=value, en=value)
    return value


def amend(root: Path, nc_id: str, *, field: str, value: str, reason: str, by: str | None = None,
          today: dt.date | None = None) -> Nonconformity:
    """Correct one plain-text or enumerated field of a record, in any status, closed included.

    The record's status is kept; the history gains an ``amend`` entry with who, when, why, the field and
    its old and new values. Ids, dates, the status and the history itself are never amendable.
    """
    path = field.strip().strip("/")
    if not amendable(path):
        raise UsageError(_("`{field}` cannot be amended").format(field=paths.shown(field)),
                         _("amendable fields: {fields} (CA-N: an action id; N: a review number)").format(
                             fields=", ".join(AMENDABLE_FIELDS)))
    text = unicodedata.normalize("NFC", value).strip()
    if not text:
        raise UsageError(_("give the new value with --value"))
    why = unicodedata.normalize("NFC", reason).strip()
    if not why:
        raise UsageError(_("give the reason for the amendment with --reason"))
    details: dict[str, Any] = {"field": path, "reason": why}

    def apply(nc: Nonconformity, day: dt.date, actor: str) -> str:
        target, attr = _amend_target(nc, path)
        if path == "rejection_reason" and nc.status != "rejected":
            raise UsageError(_("{id} is not rejected; it has no rejection reason").format(id=nc.id))
        old = getattr(target, attr)
        new = _amended_value(root, path, text)
        if _text_value(old) == _text_value(new):
            raise UsageError(_("{field} of {id} is already {value!r}; nothing to amend").format(
                field=path, id=nc.id, value=_text_value(new)))
        setattr(target, attr, new)
        details.update(old=_text_value(old), new=_text_value(new))
        return nc.status
    return transition(root, nc_id, "amend", apply, by=by, today=today, details=details)


def _update_ef(nc: Nonconformity, risk_update: str | None, qms_change: str | None) -> None:
    if risk_update and risk_update.strip():
        nc.risk_update = risk_update.strip()
    if qms_change and qms_change.strip():
        nc.qms_change = qms_change.strip()


def _model(cls: Any, **values: Any) -> Any:
    try:
        return cls.model_validate(values)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in err.get("loc", ()))
        msg = str(err.get("msg", "invalid value")).removeprefix("Value error, ")
        raise UsageError(_("invalid {field}: {reason}").format(field=where or cls.__name__, reason=msg)) from None


# -- listing --------------------------------------------------------------------------------------


@dataclass(slots=True)
class Filters:
    statuses: Sequence[str] = ()
    processes: Sequence[str] = ()
    sources: Sequence[str] = ()
    severities: Sequence[str] = ()
    overdue: bool = False


def list_ncs(root: Path, filters: Filters | None = None, *, today: dt.date | None = None,
             use_cache: bool = True, calendar: WorkingCalendar | None = None) -> tuple[list[NcSummary], list[str]]:
    """Matching records (sorted by id) and the files that could not be read. ``--overdue`` counts on
    ``calendar`` (the repository's when not given): a date on a day off runs to the next working day."""
    f = filters or Filters()
    day = today or dt.date.today()
    for s in f.statuses:
        _check_choice(s, STATUSES, "status")
    sources = {normalise_source(s) for s in f.sources}
    for s in f.severities:
        _check_choice(s, SEVERITIES, "severity")
    rows, bad = nc_store.summaries(root.resolve(), use_cache=use_cache)
    if f.overdue and calendar is None:
        calendar = load_calendar(root=root)
    out = [
        r for r in rows
        if (not f.statuses or r.status in f.statuses)
        and (not f.processes or r.process in f.processes)
        and (not sources or r.source in sources)
        and (not f.severities or r.severity in f.severities)
        and (not f.overdue or r.overdue(day, calendar))
    ]
    out.sort(key=lambda r: (r.id, r.file))
    return out, bad


# -- renumbering ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Renumbered:
    old_id: str
    new_id: str
    old_file: str
    new_file: str


def _next_free(root: Path, year: int, taken: Iterable[int] = ()) -> int:
    return max({*nc_store.numbers_in_use(root, year), *taken}, default=0) + 1


def _renumber_model(nc: Nonconformity, new_id: str, actor: str, why: str, day: dt.date) -> Nonconformity:
    moved = nc.model_copy(deep=True)
    last = nc.history[-1].day if nc.history else None
    moved.id = new_id
    moved.history.append(HistoryEntry(date=max(day, last) if last else day, recorded_at=recorded_now(), by=actor,
                                      transition="renumber", status=nc.status,
                                      note=_("renumbered from {old}: {why}").format(old=nc.id, why=why)))
    return apply_seal(_validated(moved.model_dump()))


def renumber(root: Path, nc_id: str, *, by: str | None = None, today: dt.date | None = None) -> list[Renumbered]:
    """Give a duplicated id's extra record(s) the next free id; nothing is deleted before it is rewritten.

    Two cases: ``NC-ID.yaml`` holds a git merge conflict (two clones both created
    ``NC-ID``): the side being merged in (already shared) keeps ``NC-ID`` and the
    local side gets a new id. Or other files declare ``id: NC-ID``: each of them
    moves to a new id and file.
    """
    root = root.resolve()
    checked_path(root, nc_id)  # before the lock: a bad id creates no file at all
    day = today or dt.date.today()
    actor = resolve_actor(root, by)
    done: list[Renumbered] = []
    with nc_store.register_lock(root):
        target = nc_store.path_for(root, nc_id)
        if target.is_file() and nc_store.has_conflict_markers(target):
            rel = target.relative_to(root).as_posix()
            try:
                ours_text, theirs_text = nc_store.conflict_sides(target)
            except ValueError:
                raise UsageError(_("{path}: the merge conflict markers are incomplete").format(path=rel),
                                 _("resolve the file by hand")) from None
            ours = nc_store.parse_text(ours_text, f"{rel} (ours)")
            theirs = nc_store.parse_text(theirs_text, f"{rel} (theirs)")
            if ours.id != nc_id or theirs.id != nc_id:
                raise UsageError(_("{path}: both sides of the conflict must have id {id}").format(path=rel, id=nc_id),
                                 _("resolve the file by hand"))
            if ours.history[:1] == theirs.history[:1] and ours.history and ours.history[0].transition == "create":
                raise InvalidTransition(  # renumbering would make one nonconformity two records
                    _("{path}: both sides of the merge conflict are {id} itself, changed in two clones; renumbering "
                      "would split one nonconformity into two records").format(path=rel, id=nc_id),
                    nc_store.one_record_hint(rel))
            year = ours.year
            new_id = nc_store.format_id(year, _next_free(root, year))
            moved = _renumber_model(ours, new_id, actor, _("duplicate id after a git merge"), day)
            nc_store.write_record(root, moved, exclusive=True)
            nc_store.write_record(root, theirs)  # replaces the conflicted file atomically
            done.append(Renumbered(nc_id, new_id, rel, nc_store.path_for(root, new_id).relative_to(root).as_posix()))
            return done
        others: list[tuple[Path, Nonconformity]] = []
        for path in nc_store.record_paths(root):
            if path == target:
                continue
            data = raw_mapping(path)
            if data is not None and data.get("id") == nc_id:
                others.append((path, nc_store.read_record(root, path)))
        if not others:
            raise RecordNotFound(_("{id} is not duplicated; nothing to renumber").format(id=nc_id),
                                 _("`qms check` reports duplicate ids (QMS509)"))
        for path, nc in others:  # a hand edit of a closed record is not sealed over under a new id
            broken = seal_problem(nc, path.relative_to(root).as_posix())
            if broken is not None:
                raise InvalidTransition(f"{path.relative_to(root).as_posix()}: {broken[0]}", broken[1])
        for path, nc in others:
            year = nc.year
            new_id = nc_store.format_id(year, _next_free(root, year))
            moved = _renumber_model(nc, new_id, actor, _("duplicate id in {file}").format(file=path.name), day)
            nc_store.write_record(root, moved, exclusive=True)
            nc_store.remove_file(path)
            done.append(Renumbered(nc_id, new_id, path.relative_to(root).as_posix(),
                                   nc_store.path_for(root, new_id).relative_to(root).as_posix()))
    return done
