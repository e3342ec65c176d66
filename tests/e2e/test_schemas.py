"""The committed JSON Schemas match the models, and the example files validate against them."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from qms.store.scaffold import schema_documents
from qms.store.workspace import FILE_KINDS, iter_files

REPO = Path(__file__).resolve().parents[2]
SCHEMAS = REPO / "schemas"


def test_committed_schemas_are_current() -> None:
    docs = schema_documents()
    committed = {p.name.removesuffix(".schema.json") for p in SCHEMAS.glob("*.schema.json")}
    assert committed == set(docs), "run `qms schema --out schemas`"
    for name, doc in docs.items():
        on_disk = json.loads((SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8"))
        assert on_disk == doc, f"schemas/{name}.schema.json is stale: run `qms schema --out schemas`"


def test_schema_comments_point_at_existing_schemas() -> None:
    pattern = re.compile(r"^# yaml-language-server: \$schema=(\S+)$", re.M)
    seen = 0
    for kind in FILE_KINDS:
        for path in iter_files(REPO, kind):
            m = pattern.search(path.read_text(encoding="utf-8").split("\n", 3)[0])
            if m is None:
                continue
            seen += 1
            target = (path.parent / m.group(1)).resolve()
            assert target == SCHEMAS / f"{kind.schema_name}.schema.json", f"{path}: wrong schema {m.group(1)}"
    assert seen >= 10


@pytest.mark.parametrize(("kind", "pattern"), [("process", "processes/*.yaml"), ("qms", "qms.yaml")])
def test_examples_validate_with_check_jsonschema(kind: str, pattern: str) -> None:
    tool = shutil.which("check-jsonschema") or str(Path(sys.executable).parent / "check-jsonschema")
    if not Path(tool).exists():
        pytest.skip("check-jsonschema is not installed")
    files = sorted(str(p) for p in REPO.glob(pattern))
    proc = subprocess.run([tool, "--schemafile", str(SCHEMAS / f"{kind}.schema.json"), *files],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
