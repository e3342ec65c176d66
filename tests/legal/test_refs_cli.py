"""`qms refs list|impact` on a real repository through the real entry point (issue 15, Deliver 2)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import yaml

BASE = Path(__file__).resolve().parents[1] / "rules" / "base"
CASES = Path(__file__).resolve().parents[1] / "rules" / "cases"


def _repo(tmp_path: Path, citation: str, effective: str = "2026-01-05") -> Path:
    root = tmp_path / "repo"
    shutil.copytree(BASE, root)
    register = yaml.safe_load((CASES / "QMS151.yaml").read_text(encoding="utf-8"))["cases"][0]["files"][
        "legal/register.yaml"]
    (root / "legal").mkdir()
    (root / "legal" / "register.yaml").write_text(register, encoding="utf-8")
    proc = (root / "processes" / "QT-01.yaml").read_text(encoding="utf-8")
    proc = proc.replace("NĐ 23/2015/NĐ-CP", citation).replace("effective_date: 2026-01-05", f"effective_date: {effective}")
    (root / "processes" / "QT-01.yaml").write_text(proc, encoding="utf-8")
    two = proc.replace("id: QT-01", "id: QT-02").replace("code: QT-01", "code: QT-02").replace(citation, "NĐ 118/2025/NĐ-CP")
    (root / "processes" / "QT-02.yaml").write_text(two, encoding="utf-8")
    return root


def test_impact_json_has_exactly_the_issue_keys(run_qms, tmp_path: Path) -> None:
    """Impact of 118/2025: QT-01 cites the replaced 61/2018 (due 01/10/2025, overdue on 2026-04-01); QT-02
    cites 118/2025 itself, amended by 367/2025 in force 01/02/2026 (due 04/05/2026: 02/05 is a Saturday)."""
    root = _repo(tmp_path, "Nghị định số 61/2018/NĐ-CP")
    r = run_qms("--root", str(root), "refs", "impact", "NĐ 118/2025", "--format", "json", "--as-of", "2026-04-01")
    assert r.exit_code == 0, r.stderr
    data = json.loads(r.stdout)
    assert list(data) == ["reference", "status", "superseded_by", "affected"]
    assert data["reference"] == "118/2025/NĐ-CP"
    assert data["status"] == "amended"
    assert data["superseded_by"] == []
    assert data["affected"] == [
        {"process": "QT-01", "due": "2025-10-01", "overdue": True},
        {"process": "QT-02", "due": "2026-05-04", "overdue": False},
    ]


def test_impact_of_the_old_document_and_the_today_alias(run_qms, tmp_path: Path) -> None:
    root = _repo(tmp_path, "NĐ 61/2018/NĐ-CP")
    r = run_qms("--root", str(root), "refs", "impact", "61/2018/NĐ-CP", "--format", "json", "--today", "2025-08-01")
    data = json.loads(r.stdout)
    assert data["status"] == "superseded" and data["superseded_by"] == ["118/2025/NĐ-CP"]
    assert data["affected"] == [{"process": "QT-01", "due": "2025-10-01", "overdue": False}]
    text = run_qms("--root", str(root), "refs", "impact", "NĐ 61/2018/NĐ-CP", "--as-of", "2026-06-01").stdout
    assert "QT-01" in text and "01/10/2025" in text and "OVERDUE" in text


def test_list_by_status(run_qms, tmp_path: Path) -> None:
    root = _repo(tmp_path, "NĐ 61/2018/NĐ-CP")
    r = run_qms("--root", str(root), "refs", "list", "--status", "superseded", "--format", "json",
                "--as-of", "2026-06-01")
    assert [d["number"] for d in json.loads(r.stdout)] == ["61/2018/NĐ-CP"]
    r = run_qms("--root", str(root), "refs", "list", "--status", "not_yet_in_force", "--format", "json",
                "--as-of", "2026-01-15")
    assert [d["number"] for d in json.loads(r.stdout)] == ["367/2025/NĐ-CP"]


def test_unknown_reference_and_missing_register_are_usage_errors(run_qms, tmp_path: Path) -> None:
    root = _repo(tmp_path, "NĐ 61/2018/NĐ-CP")
    r = run_qms("--root", str(root), "refs", "impact", "NĐ 16/2018/NĐ-CP")
    assert r.exit_code == 2
    assert "61/2018/NĐ-CP" in r.stderr  # did you mean
    shutil.rmtree(root / "legal")
    r = run_qms("--root", str(root), "refs", "list")
    assert r.exit_code == 2 and "legal/register.yaml" in r.stderr


def test_check_as_of_and_today_alias_agree(run_qms, tmp_path: Path) -> None:
    """--as-of is the option; --today still works and is hidden from the help."""
    root = _repo(tmp_path, "NĐ 61/2018/NĐ-CP")
    a = run_qms("--root", str(root), "check", "--no-cache", "--select", "QMS151", "--as-of", "2025-08-01",
                "--format", "json")
    b = run_qms("--root", str(root), "check", "--no-cache", "--select", "QMS151", "--today", "2025-08-01",
                "--format", "json")
    assert a.stdout == b.stdout
    assert [d["severity"] for d in json.loads(a.stdout)["diagnostics"]] == ["warning"]
    late = run_qms("--root", str(root), "check", "--no-cache", "--select", "QMS151", "--as-of", "2025-10-02",
                   "--format", "json")
    assert [d["severity"] for d in json.loads(late.stdout)["diagnostics"]] == ["error"]
    assert late.exit_code == 1
    helptext = run_qms("check", "--help").stdout
    assert "--as-of" in helptext and "--today" not in helptext


def test_due_lists_legal_updates(run_qms, tmp_path: Path) -> None:
    """`qms due` gathers the legal updates of the register as items of kind "legal"."""
    root = _repo(tmp_path, "NĐ 61/2018/NĐ-CP")
    r = run_qms("--root", str(root), "due", "--as-of", "2025-08-01", "--within", "3m", "--format", "json")
    assert r.exit_code == 0, r.stderr
    items = [i for i in json.loads(r.stdout)["items"] if i["kind"] == "legal"]
    assert [(i["date"], i["overdue"]) for i in items] == [("2025-10-01", False)]
    assert "QT-01" in items[0]["ref"] and "118/2025/NĐ-CP" in items[0]["summary"]
    shutil.rmtree(root / "legal")
    r = run_qms("--root", str(root), "due", "--as-of", "2025-08-01", "--within", "3m", "--format", "json")
    assert not [i for i in json.loads(r.stdout)["items"] if i["kind"] == "legal"]


def test_a_document_not_yet_in_force_shows_when_it_applies(run_qms, tmp_path: Path) -> None:
    root = _repo(tmp_path, "NĐ 61/2018/NĐ-CP")
    r = run_qms("--root", str(root), "refs", "impact", "NĐ 118/2025", "--as-of", "2025-06-20")
    assert r.stdout.splitlines()[0] == "118/2025/NĐ-CP  not yet in force  (applies from 01/07/2025)"
    data = json.loads(run_qms("--root", str(root), "refs", "impact", "NĐ 118/2025", "--as-of", "2025-06-20",
                              "--format", "json").stdout)
    assert data["status"] == "not_yet_in_force"
    assert {"process": "QT-01", "due": "2025-10-01", "overdue": False} in data["affected"]
    # the register's table shows the in-force day as people read it; JSON keeps ISO dates
    table = run_qms("--root", str(root), "--lang", "vi", "refs", "list").stdout
    assert "01/07/2025" in table and "2025-07-01" not in table, table
