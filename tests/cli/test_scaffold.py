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
    # a new system owes no management review yet (issue 16 item 17)
    assert doc["summary"]["warnings"] == 0, doc["diagnostics"]
    assert doc["summary"]["files"] >= 3


def test_generic_template_is_english(tmp_path: Path, run_qms) -> None:
    target = tmp_path / "generic"
    run_qms("init", str(target), "--template", "generic-en")
    text = "\n".join(p.read_text(encoding="utf-8") for p in [target / "qms.yaml", *sorted(
        (target / "processes").glob("*.yaml"))])
    for word in ("City", "dossier", "one-stop", "Ủy ban", "NĐ ", "TT-VPCP", "Thông tư", "TCVN"):
        assert word not in text, word


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


def test_init_makes_a_git_repository_issued_today_and_commits_on_request(tmp_path: Path, run_qms) -> None:
    """Issue 16 item 17: `qms init` runs git init, `--commit` makes the first commit, and the template's
    dates move to the issue date so that no periodic review or management review falls due at once."""
    import datetime as dt
    import subprocess

    import yaml

    target = tmp_path / "ward"
    r = run_qms("init", str(target), "--date", "2027-03-02", "--commit")
    assert r.exit_code == 0, r.stderr
    assert (target / ".git").is_dir()
    log = subprocess.run(["git", "-C", str(target), "log", "--format=%s"], capture_output=True, text=True,
                         check=True).stdout.split("\n")
    assert log[0] == "qms init --template vn-agency"
    assert subprocess.run(["git", "-C", str(target), "status", "--porcelain"], capture_output=True, text=True,
                          check=True).stdout == ""
    doc = yaml.safe_load((target / "processes" / "QT-HT-01.yaml").read_text(encoding="utf-8"))["document"]
    assert doc["effective_date"] == dt.date(2027, 3, 2)
    check = run_qms("--root", str(target), "check", "--no-cache", "--format", "json", "--today", "2027-12-01")
    summary = json.loads(check.stdout)["summary"]
    assert (summary["errors"], summary["warnings"]) == (0, 0), check.stdout
    # a programme for the first year audits the newly issued processes once, the high-risk ones twice
    r = run_qms("--root", str(target), "audit", "programme", "--year", "2027", "--format", "json",
                "--today", "2027-03-02")
    assert r.exit_code == 0, r.stderr
    proposal = json.loads(r.stdout)
    visits: dict[str, int] = {}
    for audit in proposal["audits"]:
        for proc in audit["processes"]:
            visits[proc] = visits.get(proc, 0) + 1
    risky = {p["process"] for p in proposal["priorities"] if p["priority"]}
    assert all(n == 1 for proc, n in visits.items() if proc not in risky), visits
    assert not any(p["changed"] for p in proposal["priorities"])


def test_init_without_git_says_what_needs_it(tmp_path: Path, run_qms, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 16 item 17: with git missing, init still works and says what will not."""
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    target = tmp_path / "nogit"
    r = run_qms("init", str(target))
    assert r.exit_code == 0, r.stderr
    assert "git" in r.stderr and "qms doc history" in r.stderr
    assert not (target / ".git").exists()
