"""Issue 16, item 18: every example in the procedure guides (English and Vietnamese) is real.

The complete example procedures of ``docs/procedure-guide.md`` and ``docs/procedure-guide.vi.md``
are written into a new repository made by a real ``qms init`` and checked with a real ``qms check``.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
BASE = ROOT / "tests" / "rules" / "base"
AS_OF = "2026-12-07"  # the day the new repository is made and checked, so the test never ages
GUIDES = (ROOT / "docs" / "procedure-guide.md", ROOT / "docs" / "procedure-guide.vi.md")
_FENCE = re.compile(r"^```yaml\n(.*?)^```$", re.M | re.S)


def yaml_blocks(guide: Path) -> list[str]:
    return _FENCE.findall(guide.read_text(encoding="utf-8"))


def procedures(guide: Path) -> dict[str, str]:
    """id -> text of every complete procedure in the guide (a YAML block with an id, steps and a document)."""
    out: dict[str, str] = {}
    for block in yaml_blocks(guide):
        data = yaml.safe_load(block)
        if isinstance(data, dict) and {"id", "steps", "document"} <= data.keys():
            out[str(data["id"])] = block
    return out


def qms(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "qms", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300, check=False)


def register_entries(guide: Path) -> list[str]:
    """The guide's blocks that are entries to add to ``legal/register.yaml`` (a list of documents)."""
    out = []
    for block in yaml_blocks(guide):
        data = yaml.safe_load(block)
        if isinstance(data, list) and data and all(isinstance(d, dict) and "number" in d for d in data):
            out.append(block)
    return out


@pytest.mark.parametrize("guide", GUIDES, ids=lambda p: p.name)
def test_every_example_procedure_passes_check(tmp_path: Path, guide: Path) -> None:
    """The first hour of a new quality officer: `qms init` makes a repository, the guide's complete
    procedures (a minimal one, a decision with an interconnected hand-over) are written into it as
    printed, with the register entry the guide says to add, and `qms check` passes the whole repository
    in the strict profile with no finding at all in the new procedures; every YAML block parses."""
    for block in yaml_blocks(guide):
        yaml.safe_load(block)
    found = procedures(guide)
    assert len(found) >= 2, "the guide lost its example procedures"
    repo = tmp_path / "repo"
    made = qms(tmp_path, "init", str(repo), "--date", AS_OF)
    assert made.returncode == 0, made.stdout + made.stderr
    files = []
    for pid, text in found.items():
        path = repo / "processes" / f"{pid}.yaml"
        assert not path.exists(), f"{pid} clashes with a process of the `qms init` template"
        path.write_text(text, encoding="utf-8")
        files.append(f"processes/{pid}.yaml")
    register = repo / "legal" / "register.yaml"
    with register.open("a", encoding="utf-8") as out:
        for block in register_entries(guide):
            out.write(block)
    data = [yaml.safe_load(t) for t in found.values()]
    kinds = {s.get("kind", "task") for d in data for s in d["steps"]}
    assert {"start", "decision", "handover", "end"} <= kinds
    assert any(d["administrative"]["mechanism"] == "interconnected" for d in data)
    r = qms(repo, "check", "--no-cache", "--profile", "strict", "--as-of", AS_OF, "--format", "json")
    assert r.returncode == 0, r.stdout + r.stderr
    report = json.loads(r.stdout)
    mine = [d for d in report["diagnostics"] if d["path"] in files or d["path"] == "legal/register.yaml"]
    assert not mine, mine


def test_both_guides_show_the_same_procedures() -> None:
    """The Vietnamese and English guides carry the same examples, and the Vietnamese text is NFC."""
    en, vi = (procedures(g) for g in GUIDES)
    assert en == vi
    text = GUIDES[1].read_text(encoding="utf-8")
    assert unicodedata.is_normalized("NFC", text)


@pytest.mark.parametrize("guide", GUIDES, ids=lambda p: p.name)
def test_every_error_code_in_the_guide_exists(guide: Path, run_qms: Callable[..., Any]) -> None:
    """Each QMS code the guide names is a real rule (`qms rule CODE` answers, through the real entry point
    run in-process: one interpreter for all the codes instead of one subprocess each)."""
    codes = sorted(set(re.findall(r"\bQMS\d{3}\b", guide.read_text(encoding="utf-8"))))
    assert len(codes) >= 10
    for code in codes:
        r = run_qms("rule", code, cwd=ROOT)
        assert r.exit_code == 0 and code in r.stdout, f"{code}: {r.stderr}"


def test_a_broken_example_is_caught(tmp_path: Path) -> None:
    """The check the guide relies on can fail: the comma mistake the guide warns about (QMS011)."""
    pid, text = next(iter(procedures(GUIDES[0]).items()))
    broken = text.replace("purpose: {vi: ", "purpose: {vi: Một, hai, ", 1)
    assert broken != text
    repo = tmp_path / "repo"
    shutil.copytree(BASE, repo)
    (repo / "processes" / f"{pid}.yaml").write_text(broken, encoding="utf-8")
    r = qms(repo, "check", "--no-cache", f"processes/{pid}.yaml")
    assert r.returncode == 1 and "QMS011" in r.stdout, r.stdout + r.stderr


def test_readme_links_the_guides() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/procedure-guide.md" in readme and "docs/procedure-guide.vi.md" in readme
