"""Writing JSON Schemas and copying repository templates."""

from __future__ import annotations

import json
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


def copy_template(source: Traversable, target: Path) -> list[Path]:
    written: list[Path] = []

    def walk(node: Traversable, dest: Path) -> None:
        for child in sorted(node.iterdir(), key=lambda c: c.name):
            if child.name == "__pycache__":
                continue
            if child.is_dir():
                walk(child, dest / child.name)
            else:
                path = dest / child.name
                atomic_write_text(path, child.read_text(encoding="utf-8"))
                written.append(path)

    target.mkdir(parents=True, exist_ok=True)
    walk(source, target)
    return written
