"""The management review record (9.3.3): a skeleton to complete after the meeting."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from qms.analysis.people import Directory
from qms.errors import QmsError
from qms.i18n import _, format_date
from qms.models.common import recorded_now
from qms.store.review_store import create_review
from qms.store.workspace import load_manifest

SKELETON = """\
# yaml-language-server: $schema=../../schemas/management-review.schema.json
# Management review (Xem xét của lãnh đạo), ISO 9001:2015 9.3.
# Inputs: gather them with `qms review pack --period {period} --logs …` and summarise each one
# below (QMS705 reports those still missing). Outputs: each action needs an owner and a due date.
id: {id}
date: {date}
recorded_at: {recorded_at}
chair: {chair}
attendees: []
period: {{from: {start}, to: {end}}}
inputs: {{}}
  # previous_actions: {{summary: {{vi: …, en: …}}, refs: []}}
  # context_changes, customer_satisfaction, objectives, process_performance, nonconformities,
  # monitoring, audit_results, external_providers, resources, risk_actions, improvement_opportunities
outputs:
  improvements: []
  qms_changes: []
  resource_needs: []
  # - {{id: A1, description: {{vi: …, en: …}}, owner: ROLE_OR_PERSON, due: YYYY-MM-DD, status: open}}
"""



def new_review(root: Path, period: str, span: tuple[dt.date, dt.date], day: dt.date, chair: str | None) -> Path:
    """Write ``records/reviews/MR-YYYY-NN.yaml`` with the next free number; returns its path.

    The chair is a person of qms.yaml (by id or name; the first person by default).
    """
    if day < span[0]:  # a review of 2026 held on 01/12/2025 has nothing to review yet
        raise QmsError(
            _("the review date {day} is before the period it reviews ({start} – {end})").format(
                day=format_date(day), start=format_date(span[0]), end=format_date(span[1])),
            _("give the date of the meeting with --date, or the period it reviewed with --period"))
    directory = Directory.of(load_manifest(root))
    if chair is None:
        if not directory.people:
            raise QmsError(_("no person is listed in qms.yaml to chair the review"), _("pass --chair PERSON_ID"))
        chair = next(iter(directory.people))
    else:
        person = directory.person(chair)
        if person is None:
            raise QmsError(_("unknown person {id!r}").format(id=chair),
                           _("known people: {ids}").format(ids=", ".join(directory.suggestions(chair))))
        chair = person.id
    recorded_at = recorded_now().isoformat(sep=" ")
    return create_review(root, day.year, lambda review_id: SKELETON.format(
        id=review_id, date=day.isoformat(), recorded_at=recorded_at, chair=chair, period=period, start=span[0].isoformat(),
        end=span[1].isoformat()))
