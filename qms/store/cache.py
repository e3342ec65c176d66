"""A content-addressed cache of check results (safe to delete).

Entries live in the repository's private folder outside the working tree and are authenticated
(:mod:`qms.store.cache_dir`); a forged or foreign entry is a miss.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from qms.store.cache_dir import repository_area
from qms.store.limits import current
from qms.store.safe_open import FileRefused, read_bounded
from qms.store.workspace import FILE_KINDS, iter_files


def _stamp_of(base: Path) -> str:
    """A fingerprint of the files under ``base``: each one's path, size and modification time."""
    import os

    h = hashlib.blake2b(digest_size=16)
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            try:
                st = os.stat(path)
            except OSError:
                continue
            h.update(f"{os.path.relpath(path, base)}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
    return h.hexdigest()


_STAMP: list[str] = []


def code_stamp() -> str:
    """A fingerprint of qms's own files (code, catalogues, templates, data), taken once per process:
    a result cached by another build of qms (an upgrade that kept the version number, a source
    checkout that moved on) is never replayed."""
    if not _STAMP:
        import qms

        _STAMP.append(_stamp_of(Path(qms.__file__).resolve().parent))
    return _STAMP[0]


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
    payload = repository_area(root).read(f"check-{key}.json")
    if payload is None:
        return None
    try:
        data = json.loads(payload.decode("utf-8"))
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def write(root: Path, key: str, data: dict[str, Any]) -> None:
    """Keep ``data`` as the only check result of ``root`` (a read-only cache just is not written)."""
    area = repository_area(root)
    name = f"check-{key}.json"
    if area.write(name, json.dumps(data, ensure_ascii=False).encode("utf-8")):
        for old in area.names("check-"):
            if old != name:
                area.remove(old)
