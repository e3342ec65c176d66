"""QMS5xx: nonconformity and corrective action (ISO 9001:2015 10.2)."""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterable, Iterator
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from qms.diagnostics import Diagnostic, Location, Severity
from qms.i18n import _
from qms.rules.base import CheckContext, Rule, location_of, pointer
from qms.standards import clause_exists
from qms.store.workspace import LoadedDoc

if TYPE_CHECKING:  # the model and the register store load only when records exist
    from qms.models.nonconformity import Nonconformity

KIND = "nonconformity"


def _ncs(ctx: CheckContext) -> list[tuple[LoadedDoc[Any], Nonconformity]]:
    return ctx.workspace.models(KIND)


def _suggest(value: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(value, sorted(choices), n=1, cutoff=0.6)
    return _("did you mean `{name}`?").format(name=close[0]) if close else ""


class ClosedWithoutRootCause(Rule):
    """A nonconformity is closed without a root cause.

    What it checks:
    A record with `status: closed` has a `cause:` with a non-empty `root_cause`.

    Why:
    10.2.1 b) requires the causes of the nonconformity to be determined before it can be said to be
    eliminated; a record closed without one shows only a correction, not a corrective action (10.2.2).

    Example:
    ```yaml
    id: NC-2026-0003
    status: closed
    correction: {description: Re-issued the certificate, date: 2026-03-02}
    # no cause:
    ```

    Fix:
    Reopen the record (`qms nc reopen NC-2026-0003 --reason ...`) and run `qms nc analyse` with a 5-why
    chain or fishbone causes and the root cause.
    """

    code = "QMS501"
    name = "nc-closed-without-root-cause"
    clauses = ("10.2.1", "10.2.2")

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        for doc, nc in _ncs(ctx):
            if nc.status == "closed" and (nc.cause is None or not nc.cause.root_cause.strip()):
                yield self.at(doc, "/status", _("{id} is closed but has no root cause").format(id=nc.id),
                              hint=_("reopen it and record the cause analysis: `qms nc analyse {id}`").format(id=nc.id),
                              subject=nc.id)


class ActionWithoutReview(Rule):
    """A corrective action was taken but its effectiveness was never shown.

    What it checks:
    A record that is `verified` or `closed` and has corrective actions also has an effectiveness review
    with `effective: true`.

    Why:
    10.2.1 d) requires the effectiveness of any corrective action taken to be reviewed, and 10.2.2 b)
    requires the results to be retained as documented information.

    Example:
    ```yaml
    status: closed
    actions:
      - {id: CA-1, description: Train desk staff, owner: chanh_van_phong, due: 2026-04-01, done: 2026-03-20}
    reviews: []
    ```

    Fix:
    Review the effect (e.g. three months of dossier logs) and record it with
    `qms nc verify ID --effective yes --evidence TEXT`.
    """

    code = "QMS502"
    name = "nc-action-without-effectiveness-review"
    clauses = ("10.2.1", "10.2.2")

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        for doc, nc in _ncs(ctx):
            if nc.status in ("verified", "closed") and nc.actions and not any(r.effective for r in nc.reviews):
                message = (_("{id} is verified but no review found its corrective action effective")
                           if nc.status == "verified"
                           else _("{id} is closed but no review found its corrective action effective"))
                yield self.at(doc, "/actions", message.format(id=nc.id),
                              hint=_("record the review: `qms nc verify {id} --effective yes --evidence TEXT`").format(
                                  id=nc.id), subject=nc.id)


def past_due(ctx: CheckContext, due: dt.date) -> bool:
    """Whether ``due`` has passed on the repository calendar: a date on a day off runs to the end of the next
    working day (Civil Code 2015 Art. 148(5)), as ``qms nc list --overdue`` and the KPI report decide it.
    A calendar that cannot be built (reported by its own rules) leaves the calendar day to decide."""
    cal = ctx.cache.get("nc-calendar")
    if cal is None:
        from qms.calendar import calendar_from_settings

        m = ctx.workspace.manifest
        try:
            cal = calendar_from_settings(m.calendar if m is not None else None)
        except ValueError:
            cal = False
        ctx.cache["nc-calendar"] = cal
    from qms.calendar import WorkingCalendar

    return cal.past_due(due, ctx.today) if isinstance(cal, WorkingCalendar) else due < ctx.today


class ActionOverdue(Rule):
    """A corrective action is past its due date.

    What it checks:
    In records that are neither closed nor rejected, every corrective action without a `done:` date
    has a `due:` date on or after today. A due date on a day off of the repository calendar runs to the
    end of the next working day (Civil Code 2015 Art. 148(5)).

    Why:
    Corrective action must be taken without undue delay (9.2.2 e, 10.2.1 c); an overdue action is a
    nonconformity left uncorrected.

    Example:
    ```yaml
    actions:
      - {id: CA-1, description: Revise form BM-02, owner: chanh_van_phong, due: 2026-02-27}
    ```

    Fix:
    Carry out the action and record it with `qms nc implement ID`, or agree a new date and re-plan.
    """

    code = "QMS503"
    name = "nc-action-overdue"
    severity = Severity.WARNING
    clauses = ("10.2.1",)

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        records = _ncs(ctx)
        if not records:
            return  # the model module is imported only when there is a record to judge
        from qms.models.nonconformity import FINAL_STATUSES

        for doc, nc in records:
            if nc.status in FINAL_STATUSES:
                continue
            for i, action in enumerate(nc.actions):
                if action.done is None and action.due < ctx.today and past_due(ctx, action.due):
                    late = (ctx.today - action.due).days
                    yield self.at(doc, pointer("actions", i, "due"),
                                  _("{id} {action} was due on {due} ({late} days ago)").format(
                                      id=nc.id, action=action.id, due=action.due.isoformat(), late=late),
                                  hint=_("record it done with `qms nc implement {id} --action {action}`, "
                                         "or agree a new date").format(id=nc.id, action=action.id),
                                  subject=f"{nc.id}/{action.id}")


class ReviewDue(Rule):
    """An effectiveness review is due.

    What it checks:
    A record in status `implemented` has a `review_due:` date, and that date has not been reached.

    Why:
    The effectiveness of corrective action must be reviewed (10.2.1 d); the review date is when enough
    evidence exists to judge it.

    Example:
    ```yaml
    status: implemented
    review_due: 2026-04-15
    ```

    Fix:
    Review the evidence and record the result: `qms nc verify ID --effective yes|no --evidence TEXT`.
    """

    code = "QMS504"
    name = "nc-effectiveness-review-due"
    severity = Severity.WARNING
    clauses = ("10.2.1",)

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        for doc, nc in _ncs(ctx):
            if nc.status != "implemented":
                continue
            if nc.review_due is None:
                yield self.at(doc, "/status", _("{id} is implemented but has no effectiveness review date").format(id=nc.id),
                              hint=_("add `review_due: YYYY-MM-DD`"), subject=nc.id)
            elif nc.review_due <= ctx.today:
                yield self.at(doc, "/review_due",
                              _("the effectiveness review of {id} is due (since {date})").format(
                                  id=nc.id, date=nc.review_due.isoformat()),
                              hint=_("`qms nc verify {id} --effective yes|no --evidence TEXT`").format(id=nc.id),
                              subject=nc.id)


class UnknownProcess(Rule):
    """A nonconformity names a process that does not exist.

    What it checks:
    `process:` is the id of a file in `processes/`.

    Why:
    A nonconformity must be traceable to the process that did not conform, so the process owner can act
    and its performance can be evaluated (4.4.1, 10.2.2).

    Example:
    ```yaml
    process: QT-HT-1   # the process is QT-HT-01
    ```

    Fix:
    Correct the id (`qms check` suggests the nearest one).
    """

    code = "QMS505"
    name = "nc-unknown-process"
    clauses = ("10.2.2",)

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        known = ctx.workspace.declared_process_ids()
        for doc, nc in _ncs(ctx):
            if nc.process not in known:
                hint, fix = self.suggest(doc, "/process", nc.process, known)
                yield self.at(doc, "/process", _("unknown process `{value}`").format(value=nc.process),
                              hint=hint or _("use the id of a process in processes/"), subject=nc.process, fix=fix)


class UnknownClause(Rule):
    """A nonconformity cites a clause that ISO 9001:2015 does not have.

    What it checks:
    `clause:` is a clause number of ISO 9001:2015 (e.g. `8.5.1`).

    Why:
    The clause states the requirement that was not fulfilled (3.6.9); a wrong number makes the register's
    clause statistics and the management review input (9.3.2 c) wrong.

    Example:
    ```yaml
    clause: "4.2.3"   # an ISO 9001:2008 number
    ```

    Fix:
    Cite the 2015 clause, e.g. `7.5.3` for control of documented information.
    """

    code = "QMS506"
    name = "nc-unknown-clause"
    clauses = ("10.2.2",)

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        for doc, nc in _ncs(ctx):
            if nc.clause is not None and not clause_exists(nc.clause):
                from qms.standards.correlation import former_clause_hint

                yield self.at(doc, "/clause", _("ISO 9001:2015 has no clause `{clause}`").format(clause=nc.clause),
                              hint=former_clause_hint(nc.clause) or _("cite a 2015 clause such as 8.5.1"),
                              subject=nc.clause)


class UnknownAudit(Rule):
    """A nonconformity refers to an audit that does not exist.

    What it checks:
    `audit: AUD-YYYY-NN` names an audit kept under `audits/` (a file `audits/AUD-YYYY-NN.yaml` or a
    directory `audits/AUD-YYYY-NN/`), and a `finding:` reference comes with its `audit:`.

    Why:
    Nonconformities found by internal audit must be traceable to the audit and its evidence (9.2.2 f,
    10.2.2).

    Example:
    ```yaml
    audit: AUD-2026-07   # no such audit
    finding: F-03
    ```

    Fix:
    Correct the audit id, or add the audit's record under `audits/`.
    """

    code = "QMS507"
    name = "nc-unknown-audit"
    clauses = ("9.2.2", "10.2.2")

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        ncs = _ncs(ctx)
        if not any(nc.audit or nc.finding for _doc, nc in ncs):
            return
        known = ctx.workspace.known_audits()
        for doc, nc in ncs:
            if nc.audit is not None and nc.audit not in known:
                yield self.at(doc, "/audit", _("unknown audit `{value}`").format(value=nc.audit),
                              hint=_suggest(nc.audit, known) or _("no such audit under audits/"), subject=nc.audit)
            if nc.finding is not None and nc.audit is None:
                yield self.at(doc, "/finding", _("{id} gives finding `{finding}` but no `audit:`").format(id=nc.id, finding=nc.finding),
                              hint=_("add `audit: AUD-YYYY-NN`"), subject=nc.id)


class HistoryInconsistent(Rule):
    """A record's history contradicts itself.

    What it checks:
    The history starts with `create`, its timestamps never go backwards, every step is allowed by the
    lifecycle from the status before it (open → contained → analysed → planned → implemented →
    verified → closed, or rejected), and the last step's status is the record's `status:`. An `amend`
    or `reassign` entry keeps the status and records the field, its new value and (amend) the reason.

    Why:
    The register is evidence of the nature of nonconformities and the actions taken (10.2.2); a history
    edited by hand so that it no longer explains the status cannot be relied on (7.5.3.2).

    Example:
    ```yaml
    status: closed
    history:
      - {date: 2026-03-02, recorded_at: 2026-03-02 09:00:00+07:00, by: Giang, transition: create, status: open}
    ```

    Fix:
    Never edit `history:` by hand; move the record with `qms nc` commands, which append to it.
    Corrections go through `qms nc amend`, whose `amend` entry keeps the status and names the field, the
    old and new values and the reason; an `amend` entry without them is reported too.
    """

    code = "QMS508"
    name = "nc-history-inconsistent"
    clauses = ("10.2.2", "7.5.3.2")

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        for doc, nc in _ncs(ctx):
            yield from self._one(doc, nc)

    def _one(self, doc: LoadedDoc[Any], nc: Nonconformity) -> Iterator[Diagnostic]:
        if not nc.history:
            yield self.at(doc, "/status", _("{id} has no history").format(id=nc.id), subject=nc.id,
                          hint=_("records are created with `qms nc new`, which starts the history"))
            return
        from qms.models.nonconformity import TRANSITIONS

        status = ""
        for i, entry in enumerate(nc.history):
            if i > 0 and entry.before(nc.history[i - 1]):
                yield self.at(doc, pointer("history", i, entry.day_key),
                              _("history entry {n} ({at}) is earlier than the one before it").format(
                                  n=i + 1, at=entry.day.isoformat()),
                              hint=_("history entries are appended in time order; do not edit them"),
                              subject=nc.id)
            table = TRANSITIONS.get(entry.transition, {})
            if status not in table or entry.status not in table[status]:
                before = status or _("no record")
                yield self.at(doc, pointer("history", i, "transition"),
                              _("`{transition}` cannot lead from `{before}` to `{status}`").format(
                                  transition=entry.transition, before=before, status=entry.status),
                              hint=_("the lifecycle is open → contained → analysed → planned → implemented → "
                                     "verified → closed"), subject=nc.id)
            yield from self._field_change(doc, nc, i, entry)
            status = entry.status
        if status != nc.status:
            yield self.at(doc, "/status", _("status is `{status}` but the history ends at `{last}`").format(status=nc.status, last=status),
                          hint=_("move the record with `qms nc` commands instead of editing `status:`"),
                          subject=nc.id)


    def _field_change(self, doc: LoadedDoc[Any], nc: Nonconformity, i: int, entry: Any) -> Iterator[Diagnostic]:
        """An amend or reassign entry names the field, its new value and (amend) the reason; no other has them."""
        from qms.models.nonconformity import FIELD_CHANGES, amendable

        if entry.transition not in FIELD_CHANGES:
            for key in ("field", "old", "new", "reason"):
                if getattr(entry, key) is not None:
                    yield self.at(doc, pointer("history", i, key),
                                  _("history entry {n} of {id} is a `{transition}` step but has `{key}:`").format(
                                      n=i + 1, id=nc.id, transition=entry.transition, key=key),
                                  hint=_("only `amend` and `reassign` entries record a changed field"),
                                  subject=nc.id)
            return
        required = ("field", "new", "reason") if entry.transition == "amend" else ("field", "old", "new")
        for key in required:
            if not (getattr(entry, key) or "").strip():
                yield self.at(doc, pointer("history", i, "transition"),
                              _("`{transition}` entry {n} of {id} has no `{key}:`").format(
                                  transition=entry.transition, n=i + 1, id=nc.id, key=key),
                              hint=_("an amendment records the field, the old and new values and the reason; "
                                     "correct records with `qms nc amend`, never by hand"), subject=nc.id)
        if entry.field and entry.transition == "amend" and not amendable(entry.field):
            yield self.at(doc, pointer("history", i, "field"),
                          _("`{field}` in entry {n} of {id} is not an amendable field").format(
                              field=entry.field, n=i + 1, id=nc.id),
                          hint=_("ids, dates, the status and the history are never amended"), subject=nc.id)


class DuplicateNcId(Rule):
    """Two nonconformity records share an id, or a record is not in its own file.

    What it checks:
    Every record's `id` is unique and equals its file name (`NC-2026-0001.yaml` holds `id: NC-2026-0001`);
    no record file holds unresolved git merge conflict markers (two clones that each created the same id).

    Why:
    Each nonconformity must be uniquely identified (7.5.2 a) so that actions, reports and audits refer to
    exactly one record (10.2.2).

    Example:
    Officers in two clones both create `NC-2026-0007` the same day; after `git merge` the file holds
    `<<<<<<<` / `>>>>>>>` blocks with both records.

    Fix:
    Run `qms nc renumber NC-2026-0007`: the record already shared keeps the id, the other gets the next
    free one and its history notes the renumbering. When both sides of the conflict are the same record
    changed in two clones (they share its `create` step), renumbering is refused: resolve the conflict
    by hand and redo one side's steps with `qms nc`.
    """

    code = "QMS509"
    name = "nc-duplicate-id"
    clauses = ("7.5.2", "10.2.2")

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        first: dict[str, LoadedDoc[Any]] = {}
        ncs = _ncs(ctx)
        # files named after their id are looked at first, so the copy is the one reported
        ordered = sorted(ncs, key=lambda item: (PurePosixPath(item[0].path).stem != item[1].id, item[0].path))
        for doc, nc in ordered:
            stem = PurePosixPath(doc.path).stem
            if nc.id in first:
                other = first[nc.id]
                yield self.at(doc, "/id", _("id `{id}` is also used by {path}").format(id=nc.id, path=other.path),
                              hint=_("run `qms nc renumber {id}` to give this record a free id").format(id=nc.id),
                              subject=nc.id, related=(location_of(other, "/id"),))
                continue
            first[nc.id] = doc
            if stem != nc.id:
                yield self.at(doc, "/id", _("record `{id}` is in the file `{file}`").format(id=nc.id, file=f"{stem}.yaml"),
                              hint=_("rename the file to {file}").format(file=f"{nc.id}.yaml"), subject=nc.id)
        for doc in ctx.workspace.of_kind(KIND):
            line = doc.conflict_line if doc.model is None else None
            if line is not None:
                from qms.store import nc_store

                stem = PurePosixPath(doc.path).stem
                if nc_store.conflict_is_one_record(ctx.workspace.root / doc.path):  # one record changed twice
                    message = _("{path} holds an unresolved git merge conflict between two changes of `{id}`").format(
                        path=doc.path, id=stem)
                    hint = nc_store.one_record_hint(doc.path)
                else:
                    message = _("{path} holds an unresolved git merge conflict: two records claim `{id}`").format(
                        path=doc.path, id=stem)
                    hint = _("run `qms nc renumber {id}` to keep both records under distinct ids").format(id=stem)
                yield Diagnostic(
                    code=self.code, name=self.name, severity=self.severity, message=message,
                    location=Location(doc.path, line, 1, ""), subject=stem, clauses=self.clauses, hint=hint)


def _dated_steps(nc: Nonconformity) -> list[tuple[str, dt.date, str]]:
    """The record's own dates of lifecycle steps: (JSON pointer, date, what it dates)."""
    out: list[tuple[str, dt.date, str]] = []
    if nc.correction is not None:
        out.append(("/correction/date", nc.correction.date, _("the correction")))
    for i, analysis in enumerate(nc.previous_analyses):
        out.append((pointer("previous_analyses", i, "date"), analysis.date, _("an earlier cause analysis")))
    if nc.cause is not None:
        out.append(("/cause/date", nc.cause.date, _("the cause analysis")))
    for i, action in enumerate(nc.actions):
        if action.done is not None:
            out.append((pointer("actions", i, "done"), action.done,
                        _("corrective action {action}").format(action=action.id)))
    for i, review in enumerate(nc.reviews):
        out.append((pointer("reviews", i, "date"), review.date, _("effectiveness review {n}").format(n=i + 1)))
    if nc.closed_on is not None:
        out.append(("/closed_on", nc.closed_on, _("the closing")))
    return out


class DatesContradictHistory(Rule):
    """A record's dates contradict its history.

    What it checks:
    The record's dates agree with the history that `qms nc` appended:
    `raised_on` is not later than the first (`create`) entry; no step (correction, cause analysis,
    corrective action done, effectiveness review, closing) is dated before the record was raised;
    each effectiveness review is dated on or after the implementation it reviews (the `implement`
    entry that made the record `implemented`); `closed_on` is the date of the last `close` entry,
    and only a closed record has one.

    Why:
    The register is evidence of the nature of nonconformities, the actions taken and their results
    (10.2.2); a date changed by hand so that the record no longer matches its history cannot be relied
    on (7.5.3.2). An effectiveness review before the action was implemented shows nothing (10.2.1 d).

    Example:
    ```yaml
    raised_on: 2026-03-02
    reviews:
      - {date: 2026-03-10, evidence: ..., effective: true}   # implemented on 2026-03-16
    closed_on: 2026-04-15                                     # closed on 2026-04-21
    history:
      - {date: 2026-03-02, recorded_at: 2026-03-02 09:00:00+07:00, by: Giang, transition: create, status: open}
      - {date: 2026-03-16, recorded_at: 2026-03-16 10:00:00+07:00, by: Giang, transition: implement, status: implemented}
      - {date: 2026-04-21, recorded_at: 2026-04-21 10:00:00+07:00, by: Giang, transition: close, status: closed}
    ```

    Fix:
    Never edit dates by hand; `qms nc` commands stamp each step with the day it is taken. Restore the
    date the history shows (`qms check` names it), or, if the step really happened later, record it
    again through the lifecycle.
    """

    code = "QMS510"
    name = "nc-dates-contradict-history"
    clauses = ("10.2.1", "10.2.2", "7.5.3.2")

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        for doc, nc in _ncs(ctx):
            yield from self._one(doc, nc)

    def _one(self, doc: LoadedDoc[Any], nc: Nonconformity) -> Iterator[Diagnostic]:
        history = nc.history
        floor = nc.raised_on
        if history and history[0].transition == "create" and nc.raised_on > history[0].day:
            first = history[0].day
            yield self.at(doc, "/raised_on",
                          _("{id} is raised on {date} but its history starts on {first}").format(
                              id=nc.id, date=nc.raised_on.isoformat(), first=first.isoformat()),
                          hint=_("`raised_on:` is the day of the `create` entry: set it to {first}").format(
                              first=first.isoformat()),
                          subject=nc.id, related=(location_of(doc, pointer("history", 0, history[0].day_key)),))
            floor = first
        reported: set[str] = set()
        for ptr, day, what in _dated_steps(nc):
            if day < floor:
                reported.add(ptr)
                yield self.at(doc, ptr, _("{what} of {id} is dated {date}, before the record was raised ({raised})").format(
                                  what=what, id=nc.id, date=day.isoformat(), raised=floor.isoformat()),
                              hint=_("no step can come before the nonconformity was raised; restore the date "
                                     "the history shows"), subject=nc.id)
        yield from self._reviews(doc, nc, reported)
        yield from self._closed_on(doc, nc, reported)

    def _reviews(self, doc: LoadedDoc[Any], nc: Nonconformity, reported: set[str]) -> Iterator[Diagnostic]:
        history = nc.history
        verifies = [i for i, entry in enumerate(history) if entry.transition == "verify"]
        done = [a.done for a in nc.actions if a.done is not None]
        for k, review in enumerate(nc.reviews):
            ptr = pointer("reviews", k, "date")
            implemented: dt.date | None = None
            where = ""
            if k < len(verifies):
                before = [j for j in range(verifies[k])
                          if history[j].transition == "implement" and history[j].status == "implemented"]
                if before:
                    implemented = history[before[-1]].day
                    where = pointer("history", before[-1], history[before[-1]].day_key)
            if implemented is None and done:
                implemented = min(done)
            if implemented is None or review.date >= implemented or ptr in reported:
                continue
            yield self.at(doc, ptr,
                          _("effectiveness review {n} of {id} is dated {date}, before the corrective action was "
                            "implemented ({implemented})").format(n=k + 1, id=nc.id, date=review.date.isoformat(),
                                                                  implemented=implemented.isoformat()),
                          hint=_("an action's effectiveness can only be reviewed after it is implemented; restore "
                                 "the review's date, or review it again with `qms nc verify {id}`").format(id=nc.id),
                          subject=nc.id, related=(location_of(doc, where),) if where else ())

    def _closed_on(self, doc: LoadedDoc[Any], nc: Nonconformity, reported: set[str]) -> Iterator[Diagnostic]:
        closes = [i for i, entry in enumerate(nc.history) if entry.transition == "close"]
        if nc.status != "closed":
            if nc.closed_on is not None:
                yield self.at(doc, "/closed_on", _("{id} has a `closed_on:` date but its status is `{status}`").format(
                                  id=nc.id, status=nc.status),
                              hint=_("only a closed record has `closed_on:`; `qms nc reopen` removes it"),
                              subject=nc.id)
            return
        if not closes:
            return  # QMS508 reports a closed record whose history never closed it
        last = closes[-1]
        day = nc.history[last].day
        related = (location_of(doc, pointer("history", last, nc.history[last].day_key)),)
        if nc.closed_on is None:
            yield self.at(doc, "/status", _("{id} is closed but has no `closed_on:` date").format(id=nc.id),
                          hint=_("add `closed_on: {date}`, the day of the `close` entry").format(date=day.isoformat()),
                          subject=nc.id, related=related)
        elif nc.closed_on != day and "/closed_on" not in reported:
            yield self.at(doc, "/closed_on", _("{id} is closed on {date} but its history closes it on {entry}").format(
                              id=nc.id, date=nc.closed_on.isoformat(), entry=day.isoformat()),
                          hint=_("`closed_on:` is the day of the last `close` entry: set it to {entry}").format(
                              entry=day.isoformat()), subject=nc.id, related=related)


class ActionNotImplemented(Rule):
    """A record is implemented, verified or closed with an action that was never done.

    What it checks:
    In a record whose status is `implemented`, `verified` or `closed`, every corrective action has a
    `done:` date.

    Why:
    A record becomes `implemented` only when every planned corrective action is taken (10.2.1 c);
    closing it with an action still open claims an action that was never taken (10.2.2 a).

    Example:
    ```yaml
    status: closed
    actions:
      - {id: CA-1, description: Train desk staff, owner: chanh_van_phong, due: 2026-04-01}   # no done:
    ```

    Fix:
    If the action was carried out, restore its `done:` date (the day of its `implement` entry). If it was
    not, the record is not implemented: send it back (`qms nc reopen ID --reason TEXT` for a closed
    record, `qms nc verify ID --effective no` for an implemented one) and carry the action through.
    """

    code = "QMS511"
    name = "nc-action-not-implemented"
    clauses = ("10.2.1", "10.2.2")

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        for doc, nc in _ncs(ctx):
            if nc.status not in ("implemented", "verified", "closed"):
                continue
            for i, action in enumerate(nc.actions):
                if action.done is None:
                    yield self.at(doc, pointer("actions", i),
                                  _("{id} is `{status}` but corrective action {action} was never implemented").format(
                                      id=nc.id, status=nc.status, action=action.id),
                                  hint=_("if it was carried out, restore its `done:` date; if not, reopen the record "
                                         "and implement it with `qms nc implement {id} --action {action}`").format(
                                      id=nc.id, action=action.id),
                                  subject=f"{nc.id}/{action.id}")


class DatedInFuture(Rule):
    """A record or its history is dated in the future.

    What it checks:
    No history entry and no date of a step (`raised_on`, the correction, the cause analysis, a
    corrective action's `done:`, an effectiveness review, `closed_on`) is later than the day after the
    evaluation date (`--as-of`, by default today). The day's grace allows for time zones: an office in
    Hanoi is a calendar day ahead of a CI runner on UTC for seven hours every night. Due dates
    (`due:`, `review_due:`) are plans and may lie in the future. A history entry's `date:` (the day the
    step happened) is also not later than the day it was recorded (`recorded_at:`).

    Why:
    A record of something that has not happened yet is not evidence (7.5.3.2); a history entry dated
    2099 also hides every later entry from the order check (10.2.2).

    Example:
    ```yaml
    history:
      - {date: 2099-03-02, recorded_at: 2026-03-02 09:00:00+07:00, by: Giang, transition: create, status: open}
    ```

    Fix:
    Restore the real date. `qms nc` commands record the day a step happened (`--date`, never after
    today unless `--allow-future`) and, apart from it, the moment the entry was written.
    """

    code = "QMS512"
    name = "nc-dated-in-future"
    clauses = ("7.5.3.2", "10.2.2")

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        limit = ctx.today + dt.timedelta(days=1)
        for doc, nc in _ncs(ctx):
            hint = _("restore the real date; `qms nc` commands stamp each step with the day it is taken")
            for i, entry in enumerate(nc.history):
                if entry.day > limit:
                    yield self.at(doc, pointer("history", i, entry.day_key),
                                  _("history entry {n} of {id} is dated {date}, after today ({today})").format(
                                      n=i + 1, id=nc.id, date=entry.day.isoformat(), today=ctx.today.isoformat()),
                                  hint=hint, subject=nc.id)
                elif entry.recorded_at is not None and entry.day > entry.recorded_at.date() + dt.timedelta(days=1):
                    yield self.at(doc, pointer("history", i, "date"),
                                  _("history entry {n} of {id} is dated {date} but was recorded on {recorded}, "
                                    "before it happened").format(n=i + 1, id=nc.id, date=entry.day.isoformat(),
                                                                 recorded=entry.recorded_at.date().isoformat()),
                                  hint=_("a step is recorded when or after it happens; record it again with its "
                                         "real date"), subject=nc.id,
                                  related=(location_of(doc, pointer("history", i, "recorded_at")),))
            steps = [("/raised_on", nc.raised_on, _("the raising")), *_dated_steps(nc)]
            for ptr, day, what in steps:
                if day > limit:
                    yield self.at(doc, ptr, _("{what} of {id} is dated {date}, after today ({today})").format(
                                      what=what, id=nc.id, date=day.isoformat(), today=ctx.today.isoformat()),
                                  hint=hint, subject=nc.id)


class ClosedRecordChanged(Rule):
    """A closed or rejected record was edited after the step that closed it.

    What it checks:
    Each step that leaves a record `closed` or `rejected` (`close`, `reject`, and an `amend`,
    `reassign` or `renumber` of such a record) seals it: its history entry gets `seal:`, the SHA-256
    digest of the record's content as that step left it. The record's content still matches the seal
    of its last entry, and a record with sealed entries ends with a sealed one. Layout, quoting and
    comments do not count; every value does. Records closed before qms sealed them carry no seal and
    are not checked until `qms nc seal` seals them as they stand (in git, once committed).

    Why:
    A closed record is evidence of the nature of the nonconformity, the actions taken and their results
    (10.2.2); it is protected from unintended alteration (7.5.3.2 c) and is never rewritten silently.

    Example:
    A record closed with `qms nc close` whose `root_cause:` or `closed_on:` is later changed in a text
    editor and committed.

    Fix:
    Restore the sealed version from git (`git log -p -- FILE` shows the edit), then correct a field with
    `qms nc amend`, which records who, when and why and seals the record again. If the record has to be
    worked on again, reopen it with `qms nc reopen ID --reason TEXT` (logged).
    """

    code = "QMS513"
    name = "nc-closed-record-changed"
    clauses = ("10.2.2", "7.5.3.2")

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        from qms.models.nonconformity import seal_problem

        for doc, nc in _ncs(ctx):
            problem = seal_problem(nc, doc.path)
            if problem is not None:
                message, hint = problem
                last = len(nc.history) - 1
                ptr = pointer("history", last, "seal") if nc.history[last].seal else pointer("history", last)
                yield self.at(doc, ptr, message, hint=hint, subject=nc.id)


RULES: tuple[type[Rule], ...] = (
    ClosedWithoutRootCause,
    ActionWithoutReview,
    ActionOverdue,
    ReviewDue,
    UnknownProcess,
    UnknownClause,
    UnknownAudit,
    HistoryInconsistent,
    DuplicateNcId,
    DatesContradictHistory,
    ActionNotImplemented,
    DatedInFuture,
    ClosedRecordChanged,
)
