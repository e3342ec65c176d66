"""Self-announcement records: ``records/announcements/CB-YYYY-NN.yaml`` (written by ``qms announce``)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from qms.store import paths
from qms.store.atomic import atomic_write_text

ANNOUNCEMENT_DIR = paths.ANNOUNCEMENT.folder


def announcement_path(root: Path, announcement_id: str) -> Path:
    """The file of ``announcement_id``: the id is checked first (exit 2 if malformed), the path confined."""
    return paths.record_path(root, paths.ANNOUNCEMENT, announcement_id)


def create_announcement(root: Path, year: int, text_for: Callable[[str], str]) -> Path:
    """Write a new record under the next free ``CB-<year>-NN`` id; never overwrites a file (atomic write)."""
    folder = root / ANNOUNCEMENT_DIR
    folder.mkdir(parents=True, exist_ok=True)
    used = [int(m.group(1)) for p in folder.glob(f"CB-{year}-*.yaml")
            if (m := re.fullmatch(rf"CB-{year}-(\d+)\.yaml", p.name))]
    number = max(used, default=0) + 1
    while True:
        announcement_id = f"CB-{year}-{number:02d}"
        path = announcement_path(root, announcement_id)
        try:
            atomic_write_text(path, text_for(announcement_id), exclusive=True)
        except FileExistsError:
            number += 1
            continue
        return path
