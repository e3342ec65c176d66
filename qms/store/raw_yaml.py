"""Repository YAML files read as plain data, without model validation.

For use cases that need a few fields of many files quickly (the process ids a new NC may name, the KPI
markers already raised, the records that share an id). Files that cannot be read or parsed are
skipped: reporting them is the job of ``qms check``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from qms.store import paths
from qms.store.safe_open import FileRefused, read_yaml_bytes

try:  # pragma: no cover
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]


def folder_files(root: Path, folder: str, patterns: tuple[str, ...], *, confined: bool = True) -> list[Path]:
    """The files of ``root/folder`` matching ``patterns``, sorted; with ``confined``, links that lead
    outside the folder are left out (``qms check`` reports them)."""
    base = root / folder
    if not base.is_dir():
        return []
    found = sorted({p for pattern in patterns for p in base.glob(pattern)})
    return paths.listed(root, found, folder)[0] if confined else found


def raw_mapping(path: Path) -> dict[str, Any] | None:
    """The top-level mapping of ``path`` (bounded read), or None when it is unreadable or not a mapping."""
    try:
        data = yaml.load(read_yaml_bytes(path), Loader=_Loader)
    except (OSError, FileRefused, yaml.YAMLError):
        return None
    return data if isinstance(data, dict) else None


def organisation_language(root: Path) -> str | None:
    """``organisation.default_language`` of ``root/qms.yaml`` read as plain data, for the language of
    messages before a command validates anything; None when the file cannot be read or does not say
    ``vi`` or ``en`` (``qms check`` reports such a file)."""
    data = raw_mapping(root / "qms.yaml")
    org = data.get("organisation") if data is not None else None
    lang = org.get("default_language") if isinstance(org, dict) else None
    return lang if lang in ("vi", "en") else None


def raw_mappings(root: Path, folder: str, patterns: tuple[str, ...]) -> list[tuple[Path, dict[str, Any]]]:
    """``(path, mapping)`` of every readable file of :func:`folder_files` that holds a mapping."""
    out: list[tuple[Path, dict[str, Any]]] = []
    for path in folder_files(root, folder, patterns):
        data = raw_mapping(path)
        if data is not None:
            out.append((path, data))
    return out
