"""`qms init` templates pass `qms check`; `qms schema` writes one schema per file kind."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qms.store.workspace import FILE_KINDS


@pytest.mark.parametrize("template", ["vn-agency", "generic-en"])
def test_init_templates_pass_check(run_qms, tmp_path: Path, template: str) -> None:
    target = tmp_path / template
    r = run_qms("init", str(target), "--template", template)
    assert r.exit_code == 0, r.stderr
    assert (target / "qms.yaml").is_file()
    assert list((target / "processes").glob("*.yaml"))
    for kind in FILE_KINDS:
        assert (target / "schemas" / f"{kind.schema_name}.schema.json").is_file()
    check = run_qms("--root", str(target), "check", "--no-cache", "--format", "json")
    assert check.exit_code == 0, check.stdout
    doc = json.loads(check.stdout)
    assert doc["summary"]["errors"] == 0
    assert doc["summary"]["files"] >= 3


def test_generic_template_is_english(tmp_path: Path, run_qms) -> None:
    target = tmp_path / "generic"
    run_qms("init", str(target), "--template", "generic-en")
    text = "\n".join(p.read_text(encoding="utf-8") for p in [target / "qms.yaml", *sorted(
        (target / "processes").glob("*.yaml"))])
    for word in ("City", "dossier", "one-stop", "Ủy ban", "NĐ "):
        assert word not in text


def test_init_refuses_to_overwrite(run_qms, tmp_path: Path) -> None:
    target = tmp_path / "repo"
    assert run_qms("init", str(target)).exit_code == 0
    again = run_qms("init", str(target))
    assert again.exit_code == 2
    assert "qms.yaml" in again.stderr
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "notes.txt").write_text("mine")
    assert run_qms("init", str(busy)).exit_code == 2
    assert (busy / "notes.txt").read_text() == "mine"


def test_schema_command(run_qms, tmp_path: Path) -> None:
    r = run_qms("schema", "--out", str(tmp_path / "s"))
    assert r.exit_code == 0
    names = sorted(p.name for p in (tmp_path / "s").iterdir())
    assert names == sorted(f"{k.schema_name}.schema.json" for k in FILE_KINDS)
    one = run_qms("schema", "--kind", "process", "--stdout")
    assert json.loads(one.stdout)["title"] == "Process"
    assert run_qms("schema", "--kind", "nope").exit_code == 2
