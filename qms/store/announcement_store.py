"""Self-announcement records: ``records/announcements/CB-YYYY-NN.yaml`` (written by ``qms announce``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from qms.store import paths
from qms.store.numbered import create_numbered

ANNOUNCEMENT_DIR = paths.ANNOUNCEMENT.folder


def announcement_path(root: Path, announcement_id: str) -> Path:
    """The file of ``announcement_id``: the id is checked first (exit 2 if malformed), the path confined."""
    return paths.record_path(root, paths.ANNOUNCEMENT, announcement_id)


def create_announcement(root: Path, year: int, text_for: Callable[[str], str]) -> Path:
    """Write a new record under the next free ``CB-<year>-NN`` id; never overwrites a file (atomic write)."""
    return create_numbered(root, paths.ANNOUNCEMENT, "CB", year, text_for)
