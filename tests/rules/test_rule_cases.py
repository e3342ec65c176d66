"""Runs every case file in tests/rules/cases/ and checks the rule catalogue itself.

A case file is named after its rule code and holds mini-repositories:

    cases:
      - name: what the case shows
        files:                      # overlaid on tests/rules/base/ (null deletes a base file)
          processes/QT-01.yaml: |
            ...
        expect:                     # every finding of THIS code, exactly
          - {path: processes/QT-01.yaml, line: 3, column: 8}
        symlinks: {processes/QT-02.yaml: OUTSIDE}   # optional; OUTSIDE is a file beside the repo
        today: 2026-06-01           # optional
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from qms.engine import CheckOptions, run_check
from qms.rules.registry import all_rules
from qms.store.workspace import load_workspace

HERE = Path(__file__).parent
CASES = HERE / "cases"
BASE = HERE / "base"


def _case_files() -> list[Path]:
    return sorted(CASES.glob("QMS*.yaml"))


def _load(path: Path) -> list[dict[str, Any]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict) and isinstance(data.get("cases"), list), f"{path.name}: needs `cases:`"
    return data["cases"]


def build_repo(tmp: Path, files: dict[str, str | None] | None, symlinks: dict[str, str] | None = None) -> Path:
    root = tmp / "repo"
    shutil.copytree(BASE, root)
    outside = tmp / "outside.yaml"
    outside.write_text("id: outside\n", encoding="utf-8")
    for rel, target in (symlinks or {}).items():
        (root / rel).symlink_to(outside if target == "OUTSIDE" else root / target)
    for rel, content in (files or {}).items():
        target = root / rel
        if content is None:
            target.unlink()
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            target.write_text(content, encoding="utf-8")
        else:
            target.write_bytes(bytes(content))
    return root


def _params() -> list[Any]:
    out = []
    for path in _case_files():
        for i, case in enumerate(_load(path)):
            out.append(pytest.param(path.stem, case, id=f"{path.stem}-{i}-{case.get('name', '')[:40]}"))
    return out


@pytest.mark.parametrize(("code", "case"), _params())
def test_rule_case(code: str, case: dict[str, Any], tmp_path: Path) -> None:
    root = build_repo(tmp_path, case.get("files"), case.get("symlinks"))
    today = case.get("today") or dt.date(2026, 6, 1)
    ws = load_workspace(root)
    report = run_check(ws, CheckOptions(select=[code], profile="strict", today=today))
    got = sorted((d.location.path, d.location.line, d.location.column) for d in report.diagnostics
                 if d.code == code)
    want = sorted((e.get("path", "processes/QT-01.yaml"), e["line"], e["column"]) for e in case.get("expect", []))
    assert got == want, "\n".join(f"{d.location.render()} {d.code} {d.message}" for d in report.diagnostics)


def test_every_rule_has_pass_and_fail_cases() -> None:
    files = {p.stem: _load(p) for p in _case_files()}
    missing = []
    for rule in all_rules():
        cases = files.get(rule.code)
        if not cases:
            missing.append(f"{rule.code}: no case file")
            continue
        if not any(not c.get("expect") for c in cases):
            missing.append(f"{rule.code}: no passing case")
        if not any(c.get("expect") for c in cases):
            missing.append(f"{rule.code}: no failing case")
    assert not missing, "\n".join(missing)


def test_no_orphan_case_files() -> None:
    codes = {r.code for r in all_rules()}
    orphans = [p.name for p in _case_files() if p.stem not in codes]
    assert not orphans


def test_catalogue_codes_names_and_docs() -> None:
    rules = all_rules()
    codes = [r.code for r in rules]
    names = [r.name for r in rules]
    assert len(set(codes)) == len(codes), "duplicate codes"
    assert len(set(names)) == len(names), "duplicate names"
    for r in rules:
        assert re.fullmatch(r"QMS\d{3}", r.code), r.code
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", r.name), r.name
        doc = r.doc()
        for section in ("summary", "what_it_checks", "why", "example", "fix"):
            assert doc.get(section), f"{r.code} docstring lacks {section}"
        assert r.profile in ("iso", "strict")
        for clause in r.clauses:
            from qms.standards import clause_exists

            assert clause_exists(clause), f"{r.code} cites unknown clause {clause}"
