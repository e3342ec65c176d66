"""Editions as data: the registry reads edition_*.yaml, amendment_*.yaml, catalogues and correlation tables;
adding an edition adds files, not code."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable, Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml

from qms.errors import ConfigError
from qms.standards import catalogue, editions
from qms.standards.correlation import correlations
from qms.standards.editions import (
    amendments_in_force,
    declarable_standards,
    load_registry,
    mandatory_information,
    registry,
)
from qms.standards.reload import clear_caches

DATA = Path(str(resources.files("qms.standards") / "data"))
BASE = Path(__file__).resolve().parents[1] / "rules" / "base"


def test_the_registry_enumerates_the_edition_files() -> None:
    """E1: one edition per edition_*.yaml, amendments attached to the edition they amend."""
    files = {yaml.safe_load(p.read_text(encoding="utf-8"))["edition"] for p in DATA.glob("edition_*.yaml")}
    assert set(registry().editions) == files == {"2008", "2015", "2026"}
    ed15 = registry().get("2015")
    assert [a.standard for a in ed15.amendments] == ["ISO 9001:2015/Amd 1:2024"]
    assert ed15.amendments[0].published == dt.date(2024, 2, 23)
    assert [d.key for d in ed15.amendments[0].decisions] == ["climate_change"]
    changes = {c.clause: c.kind for c in ed15.amendments[0].changes}
    assert changes == {"4.1": "requirement", "4.2": "note"}


def test_2026_is_prepared_but_not_declarable() -> None:
    """E2: ISO 9001:2026 is to confirm, ships no catalogue and cannot be declared in qms.yaml."""
    ed = registry().get("2026")
    assert ed.to_confirm and not ed.has_catalogue
    assert "ISO 9001:2026" not in declarable_standards()
    assert declarable_standards() == ["ISO 9001:2015", "ISO 9001:2015/Amd 1:2024", "ISO 9001:2008"]
    table = correlations().table("2015", "2026")
    assert table.rows == {} and table.identity_default  # no 2026 row that cannot be sourced
    assert mandatory_information("2026") == {}
    assert {"maintain", "retain"} <= set(mandatory_information("2015"))


def test_amendments_apply_from_their_publication() -> None:
    """E3: Amd 1:2024 applies to ISO 9001:2015 (declared with or without it) from 23/02/2024, never to 2008."""
    assert amendments_in_force("ISO 9001:2015", dt.date(2024, 2, 22)) == []
    assert len(amendments_in_force("ISO 9001:2015", dt.date(2024, 2, 23))) == 1
    assert len(amendments_in_force("ISO 9001:2015/Amd 1:2024", dt.date(2026, 1, 1))) == 1
    assert amendments_in_force("ISO 9001:2008", dt.date(2026, 1, 1)) == []


@pytest.mark.parametrize(("name", "text", "message"), [
    ("edition_x.yaml", "standard: ISO 9001:2030\n", "needs `edition:`"),
    ("edition_x.yaml", "edition: '2030'\nstandard: ISO 9001:2030\nstatus: draft\n", "`status` must be"),
    ("amendment_x.yaml", "amendment: ISO 9001:2030/Amd 1:2031\namends: '2030'\n", "unknown edition"),
    ("amendment_x.yaml", "amendment: A\namends: '2015'\ndecisions: {Bad-Key: {}}\n", "lower-case key"),
    ("edition_x.yaml", "edition: '2030'\nstandard: [unclosed\n", "cannot read standards data edition_x.yaml"),
])
def test_broken_data_is_a_clear_error(tmp_path: Path, name: str, text: str, message: str) -> None:
    """E4: a broken edition or amendment file names the file and what is wrong."""
    for src in DATA.glob("edition_2015.yaml"):
        shutil.copy2(src, tmp_path / src.name)
    (tmp_path / name).write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_registry(tmp_path)


EDITION_2030 = """\
edition: "2030"
standard: "ISO 9001:2030"
status: current
published: 2030-01-01
clauses: iso9001_2030_clauses.yaml
source: synthetic test edition
"""
CLAUSES_2030 = """\
standard: ISO 9001:2030
clauses:
  - {id: "6", title: "Planning", level: 1}
  - {id: "6.1", title: "Risks and opportunities", level: 2}
  - {id: "6.1.1", title: "Risks", level: 3}
  - {id: "6.1.2", title: "Opportunities", level: 3}
  - {id: "8", title: "Operation", level: 1}
  - {id: "8.1", title: "Operational planning and control", level: 2}
  - {id: "8.5.1", title: "Control of service provision", level: 3}
"""
TABLE_2030 = """\
correlation: {from: "2015", to: "2030"}
verified_evidence: [seen]
default: identity
source: synthetic test table
rows:
  "6.1": {to: ["6.1.1", "6.1.2"], evidence: seen}
  "8.1": {to: ["8.1"], evidence: seen}
"""
AMENDMENT_2030 = """\
amendment: "ISO 9001:2030/Amd 1:2031"
amends: "2030"
published: 2031-01-01
decisions:
  water_use: {clause: "4.1", question: {en: "whether water use is a relevant issue", vi: "sử dụng nước"}}
"""


@pytest.fixture
def data_2030(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The shipped data plus the files of a synthetic ISO 9001:2030 edition, and nothing else."""
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    (data / "edition_2030.yaml").write_text(EDITION_2030, encoding="utf-8")
    (data / "iso9001_2030_clauses.yaml").write_text(CLAUSES_2030, encoding="utf-8")
    (data / "correlation_2015_to_2030.yaml").write_text(TABLE_2030, encoding="utf-8")
    (data / "amendment_2030_amd1_2031.yaml").write_text(AMENDMENT_2030, encoding="utf-8")
    monkeypatch.setattr(editions, "data_root", lambda: data)
    clear_caches()
    yield data
    monkeypatch.undo()
    clear_caches()


def test_a_new_edition_is_files_not_code(data_2030: Path, tmp_path: Path,
                                         run_qms: Callable[..., Any]) -> None:
    """E5: with four YAML files (edition, catalogue, table, amendment) the 2030 edition is declarable,
    mappable and migratable, and its amendment's decision is checked: no code changed."""
    assert "ISO 9001:2030" in declarable_standards()
    assert "ISO 9001:2030/Amd 1:2031" in declarable_standards()
    assert catalogue("2030")["6.1.2"].title == "Opportunities"
    result = run_qms("migrate", "map", "6.1", "--from", "2015", "--to", "2030", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert '"to": [\n    "6.1.1",\n    "6.1.2"\n  ]' in result.stdout
    root = tmp_path / "repo"
    shutil.copytree(BASE, root)
    qt = root / "processes" / "QT-01.yaml"
    qt.write_text(qt.read_text(encoding="utf-8").replace('clauses: ["8.1", "8.5.1"]', 'clauses: ["6.1", "8.5.1"]'),
                  encoding="utf-8")
    result = run_qms("--root", str(root), "migrate", "apply", "--from", "2015", "--to", "2030")
    assert result.exit_code == 0, result.stderr
    manifest = yaml.safe_load((root / "qms.yaml").read_text(encoding="utf-8"))
    assert manifest["standard"] == "ISO 9001:2030"
    process = yaml.safe_load(qt.read_text(encoding="utf-8"))
    assert process["clauses"] == ["6.1.1", "6.1.2", "8.5.1"]  # 8.5.1: identity default, unchanged
    log = yaml.safe_load((root / "migration-log.yaml").read_text(encoding="utf-8"))
    assert log["to"] == "ISO 9001:2030"
    change = next(c for c in log["changes"] if c["action"] == "clause")
    assert change["confidence"] == "to confirm"  # two targets: a person keeps those the process serves
    result = run_qms("--root", str(root), "check", "--select", "QMS010,QMS809", "--as-of", "2031-06-01")
    assert "QMS010" not in result.stdout  # the manifest validates with the new edition
    assert "QMS809" in result.stdout and "water use" in result.stdout
    result = run_qms("--root", str(root), "migrate", "apply", "--from", "2015", "--to", "2030")
    assert result.exit_code == 2 and "declares ISO 9001:2030, not ISO 9001:2015" in result.stderr
