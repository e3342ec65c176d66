"""A content-addressed cache of check results under ``.qms-cache/`` (safe to delete)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from qms.store.atomic import atomic_write_text
from qms.store.limits import current
from qms.store.safe_open import FileRefused, read_bounded
from qms.store.workspace import FILE_KINDS, iter_files

CACHE_DIR = ".qms-cache"


def content_key(root: Path, extra: Iterable[str]) -> str:
    """A hash of every repository file qms reads, plus ``extra`` (version, options, date)."""
    h = hashlib.blake2b(digest_size=20)
    for part in extra:
        h.update(part.encode("utf-8"))
        h.update(b"\0")
    for kind in FILE_KINDS:
        for path in iter_files(root, kind):
            h.update(path.relative_to(root).as_posix().encode("utf-8"))
            h.update(b"\0")
            try:  # bounded: a FIFO or a huge sparse file is refused, never read
                h.update(read_bounded(path, current().yaml_size, "yaml_size", root))
            except FileRefused:
                h.update(b"<unreadable>")
            h.update(b"\0")
    return h.hexdigest()


def read(root: Path, key: str) -> dict[str, Any] | None:
    path = root / CACHE_DIR / f"check-{key}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def write(root: Path, key: str, data: dict[str, Any]) -> None:
    directory = root / CACHE_DIR
    try:
        directory.mkdir(exist_ok=True)
        gitignore = directory / ".gitignore"
        if not gitignore.exists():
            atomic_write_text(gitignore, "*\n")
        for old in directory.glob("check-*.json"):
            old.unlink(missing_ok=True)
        atomic_write_text(directory / f"check-{key}.json", json.dumps(data, ensure_ascii=False))
    except OSError:
        pass  # a read-only checkout still checks; it just is not cached
