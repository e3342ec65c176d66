"""Writing JSON Schemas and copying repository templates."""

from __future__ import annotations

import datetime as dt
import json
import re
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from qms.store.atomic import atomic_write_text
from qms.store.workspace import FILE_KINDS

TEMPLATES = ("vn-agency", "generic-en")
SCHEMA_BASE = "https://qms.example/schemas/"


def schema_documents() -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for kind in FILE_KINDS:
        doc = kind.model.model_json_schema(by_alias=True)
        doc["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        doc["$id"] = f"{SCHEMA_BASE}{kind.schema_name}.schema.json"
        out[kind.schema_name] = doc
    return out


def write_schemas(out_dir: Path, docs: dict[str, dict[str, Any]]) -> list[Path]:
    written = []
    for name, doc in sorted(docs.items()):
        path = out_dir / f"{name}.schema.json"
        atomic_write_text(path, json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
        written.append(path)
    return written


#: The day the templates are written as of: ``qms init`` moves every date by the days from here to
#: the day of issue it is given, so a new system is issued today and nothing falls due at once.
TEMPLATE_ISSUE_DATE = dt.date(2026, 1, 5)
_ISO_DATE = re.compile(r"(?<![\d-])(\d{4})-(\d{2})-(\d{2})(?![\d-])")


def shift_dates(text: str, days: int) -> str:
    """Every ISO date (YYYY-MM-DD) in ``text`` moved by ``days`` days."""
    if days == 0:
        return text

    def move(m: re.Match[str]) -> str:
        try:
            day = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return m.group(0)
        return (day + dt.timedelta(days=days)).isoformat()

    return _ISO_DATE.sub(move, text)


def copy_template(source: Traversable, target: Path, issued: dt.date | None = None) -> list[Path]:
    """Write the template into ``target``, its dates moved so that it is issued on ``issued``."""
    written: list[Path] = []
    days = (issued - TEMPLATE_ISSUE_DATE).days if issued is not None else 0

    def walk(node: Traversable, dest: Path, shift: int) -> None:
        for child in sorted(node.iterdir(), key=lambda c: c.name):
            if child.name == "__pycache__":
                continue
            if child.is_dir():
                # the legal register holds facts about the law (issue and in-force dates): never moved
                walk(child, dest / child.name, 0 if dest == target and child.name == "legal" else shift)
            else:
                path = dest / child.name
                atomic_write_text(path, shift_dates(child.read_text(encoding="utf-8"), shift))
                written.append(path)

    target.mkdir(parents=True, exist_ok=True)
    walk(source, target, days)
    return written


def has_entries(directory: Path) -> bool:
    """Whether ``directory`` exists and holds anything (a file in its place counts as not empty)."""
    return directory.exists() and (not directory.is_dir() or any(directory.iterdir()))


#: What a copy of a repository leaves out: git's data, caches, virtual environments, bytecode.
COPY_IGNORE = (".git", ".qms-cache", ".venv", "__pycache__", "*.pyc")


def copy_repository(root: Path, target: Path) -> None:
    """Copy the repository ``root`` into ``target`` (links are copied as links); OSError on failure."""
    import shutil

    shutil.copytree(root, target, ignore=shutil.ignore_patterns(*COPY_IGNORE), dirs_exist_ok=True, symlinks=True)
