"""Management review records: ``records/reviews/MR-YYYY-NN.yaml``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from qms.store import paths
from qms.store.numbered import create_numbered

REVIEW_DIR = paths.MANAGEMENT_REVIEW.folder


def review_path(root: Path, review_id: str) -> Path:
    """The file of ``review_id``: the id is checked first (exit 2 if malformed), the path confined."""
    return paths.record_path(root, paths.MANAGEMENT_REVIEW, review_id)


def create_review(root: Path, year: int, text_for: Callable[[str], str]) -> Path:
    """Write a new review record under the next free ``MR-<year>-NN`` id; never overwrites a file."""
    return create_numbered(root, paths.MANAGEMENT_REVIEW, "MR", year, text_for)
