"""The migration log ``migration-log.yaml`` that ``qms migrate apply`` writes at the repository root."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from qms.errors import QmsError
from qms.store.yaml_io import load_file

LOG_NAME = "migration-log.yaml"


def read_migration_log(root: Path) -> dict[str, Any] | None:
    """The log's mapping, or None when there is none or it cannot be read as a mapping (bounded like
    every YAML file the run reads)."""
    path = root / LOG_NAME
    if not path.is_file():
        return None
    try:
        data = load_file(path, root)
    except QmsError:
        return None
    return data if isinstance(data, dict) else None
