"""The agenda as text (dd/mm/yyyy), JSON (ISO dates) and iCalendar (RFC 5545)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from typing import Any

from qms import __version__
from qms.i18n import _, ngettext, pgettext, use_language
from qms.output.safe import one_line

from .due import Agenda, DueItem, kind_label


def _day(d: dt.date) -> str:
    return d.strftime("%d/%m/%Y")


def to_text(agenda: Agenda) -> str:
    with use_language(agenda.lang):
        out = [_("Due for {organisation} up to {until} (as of {as_of})").format(
            organisation=one_line(agenda.organisation), until=_day(agenda.until), as_of=_day(agenda.as_of))]
        if not agenda.items:
            out.append(_("Nothing falls due."))
            return "\n".join(out) + "\n"
        overdue = _("OVERDUE")
        heads = (pgettext("agenda", "Date"), pgettext("agenda", "Status"), pgettext("agenda", "Kind"),
                 pgettext("agenda", "Owner"), pgettext("agenda", "What"))
        rows = [(_day(i.date), overdue if i.overdue else "", kind_label(i.kind), one_line(i.owner) or "—",
                 one_line(i.summary)) for i in agenda.items]
        widths = [max(len(h), *(len(r[n]) for r in rows)) for n, h in enumerate(heads[:4])]
        out.append("")
        out.append("  ".join(h.ljust(w) for h, w in zip(heads[:4], widths, strict=True)) + "  " + heads[4])
        out.append("  ".join("-" * w for w in widths) + "  " + "-" * len(heads[4]))
        for r in rows:
            out.append(("  ".join(v.ljust(w) for v, w in zip(r[:4], widths, strict=True)) + "  " + r[4]).rstrip())
        n = len(agenda.overdue)
        out.append("")
        out.append(ngettext("{n} item due", "{n} items due", len(rows)).format(n=len(rows)) + "; "
                   + ngettext("{n} overdue", "{n} overdue", n).format(n=n) + ".")
        return "\n".join(out) + "\n"


def item_data(item: DueItem, lang: str) -> dict[str, Any]:
    with use_language(lang):
        label = kind_label(item.kind)
    return {"date": item.date.isoformat(), "kind": item.kind, "kind_label": label, "ref": item.ref,
            "summary": item.summary, "owner": item.owner, "overdue": item.overdue, "path": item.path}


def to_json(agenda: Agenda) -> str:
    data = {
        "as_of": agenda.as_of.isoformat(),
        "until": agenda.until.isoformat(),
        "lang": agenda.lang,
        "organisation": agenda.organisation,
        "items": [item_data(i, agenda.lang) for i in agenda.items],
        "overdue": len(agenda.overdue),
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


# --- iCalendar (RFC 5545) ------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

def escape_text(value: str) -> str:
    """TEXT value escaping (RFC 5545 3.3.11): backslash, semicolon, comma and newlines."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = _CONTROL.sub("", value)  # control characters are not allowed in TEXT (HTAB is)
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n"))


def fold(line: str) -> str:
    """Fold a content line at 75 octets (RFC 5545 3.1), never inside a UTF-8 character."""
    if len(line.encode("utf-8")) <= 75:
        return line
    parts: list[str] = []
    cur, size = "", 0
    for ch in line:
        n = len(ch.encode("utf-8"))
        if size + n > 75:
            parts.append(cur)
            cur, size = " ", 1  # a continuation line starts with one space, which counts
        cur += ch
        size += n
    parts.append(cur)
    return "\r\n".join(parts)


def uid(item: DueItem, repository: str) -> str:
    """Stable across runs: a digest of the repository's identity and the item's key."""
    digest = hashlib.sha256(f"{repository}\x00{item.key}".encode()).hexdigest()[:32]
    return f"{digest}@qms"


def to_ics(agenda: Agenda, repository: str, now: dt.datetime | None = None) -> str:
    """One VEVENT per item, all-day on its due date. ``repository`` identifies the repository in UIDs."""
    stamp = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:-//qms//qms due {__version__}//EN", "CALSCALE:GREGORIAN",
             "METHOD:PUBLISH", "X-WR-CALNAME:" + escape_text(agenda.organisation or "qms")]
    with use_language(agenda.lang):
        overdue = _("OVERDUE")
        for item in agenda.items:
            summary = (f"[{overdue}] " if item.overdue else "") + item.summary
            description = "\n".join(x for x in (
                f"{kind_label(item.kind)}: {item.ref}",
                _("Owner: {owner}").format(owner=item.owner) if item.owner else "",
                _("Source: {path}").format(path=item.path)) if x)
            lines += [
                "BEGIN:VEVENT",
                f"UID:{uid(item, repository)}",
                f"DTSTAMP:{stamp}",
                f"DTSTART;VALUE=DATE:{item.date.strftime('%Y%m%d')}",
                f"DTEND;VALUE=DATE:{(item.date + dt.timedelta(days=1)).strftime('%Y%m%d')}",
                "SUMMARY:" + escape_text(summary),
                "DESCRIPTION:" + escape_text(description),
                "CATEGORIES:" + escape_text(kind_label(item.kind)),
                "TRANSP:TRANSPARENT",
                "END:VEVENT",
            ]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
