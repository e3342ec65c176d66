"""Records numbered per year, ``<PREFIX>-<year>-NN.yaml`` (management reviews, self-announcements).

The next free number is taken from the folder and the file is created exclusively (atomic write), so two
writers at once never share a number and no record is ever overwritten.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from qms.store import paths
from qms.store.atomic import atomic_write_text


def create_numbered(root: Path, kind: paths.RecordKind, prefix: str, year: int,
                    text_for: Callable[[str], str]) -> Path:
    """Write ``text_for(id)`` under the next free ``<prefix>-<year>-NN`` id of ``kind``; return the path."""
    folder = root / kind.folder
    folder.mkdir(parents=True, exist_ok=True)
    used = [int(m.group(1)) for p in folder.glob(f"{prefix}-{year}-*.yaml")
            if (m := re.fullmatch(rf"{re.escape(prefix)}-{year}-(\d+)\.yaml", p.name))]
    number = max(used, default=0) + 1
    while True:
        ident = f"{prefix}-{year}-{number:02d}"
        path = paths.record_path(root, kind, ident)  # the id is checked, the path confined
        try:
            atomic_write_text(path, text_for(ident), exclusive=True)
        except FileExistsError:
            number += 1
            continue
        return path
