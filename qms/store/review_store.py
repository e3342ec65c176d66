"""Management review records: ``records/reviews/MR-YYYY-NN.yaml``."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from qms.store import paths
from qms.store.atomic import atomic_write_text

REVIEW_DIR = paths.MANAGEMENT_REVIEW.folder


def review_path(root: Path, review_id: str) -> Path:
    """The file of ``review_id``: the id is checked first (exit 2 if malformed), the path confined."""
    return paths.record_path(root, paths.MANAGEMENT_REVIEW, review_id)


def create_review(root: Path, year: int, text_for: Callable[[str], str]) -> Path:
    """Write a new review record under the next free ``MR-<year>-NN`` id; never overwrites a file."""
    folder = root / REVIEW_DIR
    folder.mkdir(parents=True, exist_ok=True)
    used = [int(m.group(1)) for p in folder.glob(f"MR-{year}-*.yaml")
            if (m := re.fullmatch(rf"MR-{year}-(\d+)\.yaml", p.name))]
    number = max(used, default=0) + 1
    while True:
        review_id = f"MR-{year}-{number:02d}"
        path = review_path(root, review_id)
        try:
            atomic_write_text(path, text_for(review_id), exclusive=True)
        except FileExistsError:
            number += 1
            continue
        return path
