"""`qms --lang vi rules`, `qms --lang vi rule CODE` and SARIF rule descriptions are Vietnamese."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

BASE = Path(__file__).resolve().parents[1] / "rules" / "base"


def _qms(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "QMS_LANG"}
    return subprocess.run([sys.executable, "-m", "qms", *args], capture_output=True, text=True, env=env,
                          timeout=120, check=False)


def test_rule_catalogue_severities_are_vietnamese() -> None:
    """The catalogue (`rules`) and a rule's page (`rule QMS157`) said "warning" and "error" among
    Vietnamese text; they say "cảnh báo", "lỗi", "thông tin". JSON keeps the machine values."""
    listing = _qms("--lang", "vi", "rules")
    assert listing.returncode == 0, listing.stderr
    rows = listing.stdout.splitlines()
    assert len(rows) > 100
    assert not [r for r in rows if re.search(r"\b(error|warning|info)\b", r)], rows[:3]
    by_code = {r.split()[0]: r for r in rows}
    assert " lỗi " in by_code["QMS001"] and " cảnh báo " in by_code["QMS007"]
    assert by_code["QMS001"].index("iso") == by_code["QMS007"].index("iso")  # columns still aligned
    page = _qms("--lang", "vi", "rule", "QMS157")
    assert page.returncode == 0, page.stderr
    assert page.stdout.splitlines()[0] == "QMS157 announcement-out-of-date (cảnh báo, bộ quy tắc iso)"
    machine = json.loads(_qms("--lang", "vi", "rules", "--format", "json").stdout)
    assert {r["severity"] for r in machine} <= {"error", "warning", "info"} and len(machine) == len(rows)


def test_sarif_and_github_output_follow_the_language(tmp_path: Path) -> None:
    """`qms --lang vi check --format sarif|github`: the results were Vietnamese but each rule's short and
    full description (what GitHub code scanning shows beside them) stayed English, and both formats
    introduced the hint with an English "hint:"."""
    from qms.rules.registry import by_code

    root = tmp_path / "repo"
    shutil.copytree(BASE, root)
    out = {}
    for fmt in ("sarif", "github"):
        r = subprocess.run([sys.executable, "-m", "qms", "--lang", "vi", "check", "--no-cache", "--format", fmt],
                           cwd=root, capture_output=True, text=True, timeout=120, check=False)
        assert r.returncode == 1, r.stderr
        assert "hint:" not in r.stdout and "gợi ý: " in r.stdout, r.stdout
        out[fmt] = r.stdout
    rules = json.loads(out["sarif"])["runs"][0]["tool"]["driver"]["rules"]
    assert rules
    for descriptor in rules:
        rule = by_code()[descriptor["id"]]
        assert descriptor["shortDescription"]["text"] != rule.summary(), descriptor
        assert descriptor["fullDescription"]["text"] != rule.doc()["what_it_checks"], descriptor
