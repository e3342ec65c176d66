"""QMS7xx: management review (ISO 9001:2015 9.3) and the data behind the quality objectives (6.2, 9.1.3)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from qms.analysis.review import reviews, system_start
from qms.diagnostics import Diagnostic, Severity
from qms.i18n import _, get_language
from qms.rules.base import CheckContext, Rule, pointer
from qms.rules.nonconformity import past_due

ON_TIME_MEASURES = ("on_time_rate",)


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` months earlier (clamped to the month's end)."""
    y, m = divmod(day.year * 12 + day.month - 1 - months, 12)
    m += 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(y, m, d)
        except ValueError:
            continue
    return dt.date(y, m, 28)  # pragma: no cover


class ReviewActionIncomplete(Rule):
    """A management review action has no owner or no due date.

    What it checks:
    Every action under `outputs` (`improvements`, `qms_changes`, `resource_needs`) of a review
    record in `records/reviews/` names an `owner` (a person or role id) and a `due` date.

    Why:
    The outputs of the review are decisions and actions (9.3.3); an action without an owner or a
    date is not planned (6.2.2, 10.1) and cannot be followed up at the next review (9.3.2 a).

    Example:
    ```yaml
    outputs:
      improvements:
        - id: A1
          description: {vi: Mở rộng dịch vụ công trực tuyến, en: Extend online services}
          # no owner, no due
    ```

    Fix:
    Add `owner: chanh_van_phong` and `due: 2027-03-31` to the action.
    """

    code = "QMS701"
    name = "review-action-incomplete"
    clauses = ("9.3.3",)

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        for doc, review in reviews(ctx.workspace):
            for kind, i, action in review.outputs.actions():
                missing = [f for f in ("owner", "due") if getattr(action, f) is None]
                if missing:
                    message = (_("action `{action}` of {review} has no owner and no due date")
                               if len(missing) == 2 else
                               _("action `{action}` of {review} has no owner") if missing == ["owner"] else
                               _("action `{action}` of {review} has no due date"))
                    yield self.at(doc, pointer("outputs", kind, i, "id"),
                                  message.format(action=action.id, review=review.id),
                                  hint=_("add {fields} to the action").format(
                                      fields=" ".join(f"`{f}:`" for f in missing)),
                                  subject=action.id)


class ReviewActionOverdue(Rule):
    """A management review action is past its due date and not done.

    What it checks:
    An action under `outputs` of a review record whose `status` is `open` or `in_progress` and
    whose `due` date has passed. A due date on a day off of the repository calendar runs to the end
    of the next working day (Civil Code 2015 Art. 148(5)).

    Why:
    The status of actions from previous reviews is the first input of the next review (9.3.2 a);
    overdue actions show that decisions are not carried out (9.3.3).

    Example:
    ```yaml
    - {id: A1, description: Train staff, owner: truong_phong_noi_vu, due: 2026-03-31, status: open}
    ```

    Fix:
    Carry out the action and set `status: done` with `done: DATE`, or agree a new due date at the
    next review (`status: cancelled` with a `note` if it was dropped).
    """

    code = "QMS702"
    name = "review-action-overdue"
    severity = Severity.WARNING
    clauses = ("9.3.3",)

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        for doc, review in reviews(ctx.workspace):
            for kind, i, action in review.outputs.actions():
                if (action.status in ("open", "in_progress") and action.due is not None and action.due < ctx.today
                        and past_due(ctx, action.due)):
                    yield self.at(doc, pointer("outputs", kind, i, "due"),
                                  _("action `{action}` of {review} was due on {due} and is still `{status}`").format(
                                      action=action.id, review=review.id, due=action.due.isoformat(),
                                      status=action.status),
                                  hint=_("mark it `done` (with `done: DATE`) or agree a new due date"),
                                  subject=action.id)


class ManagementReviewMissing(Rule):
    """No management review within the review interval.

    What it checks:
    The latest record in `records/reviews/` is dated within `check.review_interval_months` (12 by
    default) before today. Reported on the latest review, or on `qms.yaml` when there is none.
    With `check.annual_reading: calendar_year` the yearly minimum is read as one review in each
    calendar year instead: the last completed year must hold a review (the interval still applies
    when it is shorter than 12 months). The default, `rolling_12_months`, reads it as never more
    than 12 months between reviews.

    Why:
    Top management must review the QMS at planned intervals (9.3.1), and an agency applying
    TCVN ISO 9001 reviews it at least once a year (QĐ 19/2014/QĐ-TTg, Art. 4(4)(b)).

    Example:
    ```yaml
    # records/reviews/MR-2024-01.yaml
    id: MR-2024-01
    date: 2024-12-20
    # ... and nothing since
    ```

    Fix:
    Hold the review, gather its inputs with `qms review pack --period …`, and record it with
    `qms review new`.
    """

    code = "QMS703"
    name = "management-review-missing"
    severity = Severity.WARNING
    clauses = ("9.3.1",)

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        ws = ctx.workspace
        manifest = ws.manifest
        interval = manifest.check.review_interval_months if manifest is not None else 12
        calendar = manifest is not None and manifest.check.annual_reading == "calendar_year"
        held = [(d, r) for d, r in reviews(ws) if r.date <= ctx.today]
        since = months_before(ctx.today, interval)
        started = system_start(ws)
        if calendar:
            yield from self._calendar_year(ctx, held, started)
            if interval >= 12:
                return
        if not held:
            if started is not None and started > since:
                return  # a system younger than the interval: its first review is not due yet
            if calendar:
                return  # reported per calendar year above
            yield self.at(ws.manifest_doc, "", _("no management review is recorded (records/reviews/); one is "
                                                 "due every {interval} months").format(interval=interval),
                          hint=_("record the review with `qms review new`"), path="qms.yaml")
            return
        doc, last = held[-1]
        if last.date < since:
            yield self.at(doc, "/date", _("the last management review ({review}, {date}) is more than {interval} "
                                          "months old").format(review=last.id, date=last.date.isoformat(),
                                                               interval=interval),
                          hint=_("hold the next management review"),
                          subject=last.id)

    def _calendar_year(self, ctx: CheckContext, held: list[tuple[Any, Any]],
                       started: dt.date | None) -> Iterator[Diagnostic]:
        """The last completed calendar year holds a review (unless the system started after it)."""
        year = ctx.today.year - 1
        if started is not None and started > dt.date(year, 12, 31):
            return
        if any(r.date.year == year for _d, r in held):
            return
        where = (held[-1][0], "/date") if held else (ctx.workspace.manifest_doc, "")
        yield self.at(where[0], where[1],
                      _("no management review was held in {year}; one is due in each calendar year").format(year=year),
                      hint=_("hold the next management review"),
                      subject=str(year), path="" if held else "qms.yaml")


class ObjectiveWithoutKpiSource(Rule):
    """A quality objective measured by the on-time rate has no KPI data source.

    What it checks:
    For each objective in `qms.yaml` with `measure: on_time_rate`, some process has a KPI linked to
    it (`kpis[].objective`) and some process is an administrative procedure (`administrative:`),
    whose dossier logs feed `qms kpi report`.

    Why:
    Objectives must be measurable and their results evaluated (6.2.1, 9.1.3); without a KPI and a
    procedure producing dossiers, the on-time rate cannot be measured or reviewed (9.3.2 c 2).

    Example:
    ```yaml
    objectives:
      - id: MT-01
        measure: on_time_rate
        target: ">= 98%"
    # no process has `kpis: [{..., objective: MT-01}]`
    ```

    Fix:
    Add a KPI to the procedure that produces the dossiers:
    `kpis: [{id: KPI-01, name: On-time rate, target: ">= 98%", objective: MT-01}]`.
    """

    code = "QMS704"
    name = "objective-without-kpi-source"
    severity = Severity.WARNING
    clauses = ("6.2.1", "9.1.3")

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        ws = ctx.workspace
        manifest = ws.manifest
        if manifest is None:
            return
        procs = [p for _d, p in ws.processes()]
        linked = {k.objective for p in procs for k in p.kpis if k.objective}
        has_procedure = any(p.administrative is not None for p in procs)
        for i, obj in enumerate(manifest.objectives):
            if obj.measure.strip() not in ON_TIME_MEASURES:
                continue
            if obj.id not in linked:
                yield self.at(ws.manifest_doc, pointer("objectives", i, "measure"),
                              _("objective `{id}` is measured by the on-time rate but no process KPI links to it")
                              .format(id=obj.id),
                              hint=_("add `objective: {id}` to a KPI of the procedure that produces the dossiers")
                              .format(id=obj.id),
                              subject=obj.id)
            elif not has_procedure:
                yield self.at(ws.manifest_doc, pointer("objectives", i, "measure"),
                              _("objective `{id}` is measured by the on-time rate but no process is an "
                                "administrative procedure producing dossiers").format(id=obj.id),
                              hint=_("describe the procedure's `administrative:` fields (time limit, code)"),
                              subject=obj.id)


class ReviewInputMissing(Rule):
    """A management review record does not cover every input of 9.3.2.

    What it checks:
    A review record in `records/reviews/` has a `summary` under `inputs` for each of:
    previous_actions, context_changes, customer_satisfaction, objectives, process_performance,
    nonconformities, monitoring, audit_results, external_providers, resources, risk_actions and
    improvement_opportunities.

    Why:
    The management review shall be planned and carried out taking into consideration every input
    listed in 9.3.2; an input left out is a classic audit finding.

    Example:
    ```yaml
    inputs:
      objectives: {summary: {vi: Đạt 99,2%, en: 99.2% achieved}}
      # the other eleven inputs are missing
    ```

    Fix:
    Generate the pack with `qms review pack --period …`, discuss each section and summarise it
    under `inputs:`; write "none in the period" where there was nothing.
    """

    code = "QMS705"
    name = "review-input-missing"
    clauses = ("9.3.2",)

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        for doc, review in reviews(ctx.workspace):
            from qms.models.review import INPUTS

            missing = [k for k in INPUTS if getattr(review.inputs, k) is None]
            if missing:
                present = isinstance(doc.raw, dict) and "inputs" in doc.raw
                yield self.at(doc, "/inputs" if present else "/id",
                              _("{review} does not record the inputs {inputs} (9.3.2)").format(
                                  review=review.id, inputs=", ".join(missing)),
                              hint=_("summarise each input under `inputs:` (see `qms review pack`)"),
                              subject=review.id, key=present)


class ReviewPersonUnknown(Rule):
    """A management review names a chair, attendee or action owner who is not in the organisation.

    What it checks:
    `chair` and `attendees` are person ids of `organisation.people` in `qms.yaml`; action `owner`s
    are person or role ids.

    Why:
    The review is carried out by top management (9.3.1) and each action needs an accountable owner
    (9.3.3, 5.3); a misspelt id breaks both the record and the follow-up.

    Example:
    ```yaml
    chair: nguyen_van_anh   # the person id is nguyen_van_an
    ```

    Fix:
    Use an id from `organisation.people` (or `organisation.roles` for action owners).
    """

    code = "QMS706"
    name = "review-person-unknown"
    clauses = ("9.3.1",)

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        manifest = ctx.workspace.manifest
        if manifest is None:
            return
        directory = ctx.directory()
        people, roles = directory.people, directory.roles
        for doc, review in reviews(ctx.workspace):
            if review.chair not in people:
                yield self.at(doc, "/chair", _("chair `{who}` of {review} is not a person of the organisation")
                              .format(who=review.chair, review=review.id),
                              hint=_("use an id from organisation.people"), subject=review.chair)
            for i, who in enumerate(review.attendees):
                if who not in people:
                    yield self.at(doc, pointer("attendees", i),
                                  _("attendee `{who}` of {review} is not a person of the organisation").format(
                                      who=who, review=review.id),
                                  hint=_("use an id from organisation.people"), subject=who)
            for kind, i, action in review.outputs.actions():
                if action.owner is not None and action.owner not in people and action.owner not in roles:
                    yield self.at(doc, pointer("outputs", kind, i, "owner"),
                                  _("owner `{who}` of action `{action}` is not a person or role").format(
                                      who=action.owner, action=action.id),
                                  hint=_("use an id from organisation.people or organisation.roles"),
                                  subject=action.owner)


class CalendarOverrideNoEffect(Rule):
    """A calendar override changes nothing.

    What it checks:
    Every date in `calendar.extra_days_off` of `qms.yaml` is a working day without the overrides (not a
    weekend day, not a public holiday or day off of the official schedules), and every date in
    `calendar.extra_working_days` is a day off without them.

    Why:
    An override that repeats what the calendar already says is most likely a slip for another date: the
    day the decision really gave off, or the Saturday really worked, is then counted wrongly, and so are
    the due dates and on-time rates computed on the calendar (9.1.1, 9.1.3).

    Example:
    ```yaml
    calendar:
      extra_days_off:
        - {date: 2026-01-03, reason: Nghỉ bù}   # a Saturday: already a day off
    ```

    Fix:
    Write the date the decision names (check the weekday), or remove the line.
    """

    code = "QMS707"
    name = "calendar-override-no-effect"
    severity = Severity.WARNING
    clauses = ("9.1.1",)

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        manifest = ctx.workspace.manifest
        doc = ctx.workspace.manifest_doc
        if manifest is None or doc is None:
            return
        settings = manifest.calendar
        if not settings.extra_days_off and not settings.extra_working_days:
            return
        from qms.calendar import calendar_from_settings
        from qms.i18n import format_date, format_weekday

        bare = settings.model_copy(update={"extra_days_off": [], "extra_working_days": []})
        try:
            cal = calendar_from_settings(bare)
        except ValueError:
            return  # a broken calendar is reported where it is loaded
        names: dict[dt.date, str] = {}

        def why(day: dt.date) -> str:
            if day.isoweekday() in settings.weekend:
                return format_weekday(day)
            if not names.get(day):
                lang = get_language()
                names.update({h.date: h.name(lang) for h in cal.holidays_in(day.year)})
            return names.get(day) or format_weekday(day)

        for i, over in enumerate(settings.extra_days_off):
            try:
                working = cal.is_working_day(over.date)
            except ValueError:
                continue  # outside the years the calendar covers
            if not working:
                yield self.at(doc, pointer("calendar", "extra_days_off", i, "date"),
                              _("extra day off {day} is already a day off ({why}): the override changes "
                                "nothing").format(day=format_date(over.date), why=why(over.date)),
                              hint=_("check the date against the decision (perhaps another day was meant), "
                                     "or remove the line"), subject=over.date.isoformat())
        for i, over in enumerate(settings.extra_working_days):
            try:
                working = cal.is_working_day(over.date)
            except ValueError:
                continue
            if working:
                yield self.at(doc, pointer("calendar", "extra_working_days", i, "date"),
                              _("extra working day {day} is already a working day ({why}): the override "
                                "changes nothing").format(day=format_date(over.date), why=format_weekday(over.date)),
                              hint=_("check the date against the decision (a make-up working day is usually "
                                     "a Saturday), or remove the line"), subject=over.date.isoformat())


RULES: tuple[type[Rule], ...] = (
    ReviewActionIncomplete,
    ReviewActionOverdue,
    ManagementReviewMissing,
    ObjectiveWithoutKpiSource,
    ReviewInputMissing,
    ReviewPersonUnknown,
    CalendarOverrideNoEffect,
)
