"""Self-announcements (công bố HTQLCL phù hợp TCVN ISO 9001, QĐ 19/2014/QĐ-TTg Art. 4(4)(c)).

What an announcement covers is fingerprinted part by part: the scope (statement and sites), the
applicability of the standard's clauses (exclusions), and the process list. Each part is reduced to a
canonical form first (JSON with sorted keys, NFC text, applicability sorted by clause, process ids
sorted), so that re-ordering or re-formatting the YAML never reads as a change. ``qms announce`` stores
the fingerprints; QMS157 compares them with the repository as it is now.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qms.errors import ConfigError
from qms.i18n import _
from qms.models.announcement import AnnouncedParts, Announcement
from qms.models.common import recorded_now
from qms.models.organisation import Manifest

PARTS: tuple[str, ...] = ("scope", "applicability", "processes")


def _nfc(value: Any) -> Any:
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, dict):
        return {_nfc(k): _nfc(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_nfc(v) for v in value]
    return value


def canonical(value: Any) -> str:
    """The canonical text of a JSON-like value: NFC strings, sorted keys, no insignificant space."""
    return json.dumps(_nfc(value), sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def sha256(value: Any) -> str:
    return hashlib.sha256(canonical(value).encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Fingerprints:
    """The fingerprint of the whole and of each part."""

    whole: str
    parts: AnnouncedParts
    processes: list[str]


def fingerprints(manifest: Manifest, process_ids: Iterable[str]) -> Fingerprints:
    """The fingerprints of what an announcement made today would cover."""
    scope = manifest.scope.model_dump(mode="json", exclude={"applicability"})
    applicability = sorted((a.model_dump(mode="json") for a in manifest.scope.applicability),
                           key=lambda a: (str(a.get("clause", "")), canonical(a)))
    ids = sorted(set(process_ids))
    parts = {"scope": scope, "applicability": applicability, "processes": ids}
    return Fingerprints(sha256(parts), AnnouncedParts(**{k: sha256(v) for k, v in parts.items()}), ids)


def changed_parts(announced: Announcement, now: Fingerprints) -> list[str]:
    """The parts (``PARTS`` order) whose fingerprint differs from the announced one."""
    return [p for p in PARTS if getattr(announced.parts, p) != getattr(now.parts, p)]


def latest(announcements: Iterable[tuple[Any, Announcement]]) -> tuple[Any, Announcement] | None:
    """The announcement made last (by date, then id)."""
    ordered = sorted(announcements, key=lambda da: (da[1].date, da[1].id))
    return ordered[-1] if ordered else None


def announce(root: Path, *, on: dt.date | None, by: str, note: str = "") -> tuple[Path, Announcement]:
    """Record a self-announcement of the repository as it is now; returns the new file and its record."""
    from qms.store.announcement_store import create_announcement
    from qms.store.workspace import load_workspace
    from qms.store.yaml_dump import dump_yaml

    ws = load_workspace(root)
    manifest = ws.manifest
    if manifest is None:
        raise ConfigError(_("qms.yaml is not valid, so the scope to announce is unknown"),
                          _("run `qms check` and correct qms.yaml first"))
    now = fingerprints(manifest, ws.declared_process_ids())
    day = on or dt.date.today()
    standard = "TCVN " + manifest.standard
    made: list[Announcement] = []

    def text_for(announcement_id: str) -> str:
        record = Announcement(id=announcement_id, date=day, by=by, note=note, recorded_at=recorded_now(),
                              standard=standard, fingerprint=now.whole, parts=now.parts, processes=now.processes)
        made.append(record)
        return dump_yaml(record.model_dump(mode="json", exclude_defaults=False))

    path = create_announcement(root, day.year, text_for)
    return path, made[-1]
