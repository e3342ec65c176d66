"""``qms check --fix`` / ``--unsafe-fixes`` / ``--diff``, each fix proved on its rule's case file.

Every test copies a failing case from tests/rules/cases/, runs the real ``qms`` in a subprocess and
reads the file back: the fixed file passes the rule, a second ``--fix`` is byte-identical, comments
survive, and ``--diff`` shows the change without writing.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path
from typing import Any

import pytest
import yaml

from qms.diagnostics import Edit
from qms.store.text_edit import apply_edit_groups

RULES = Path(__file__).resolve().parents[1] / "rules"
TODAY = "2026-06-01"


def case_repo(tmp_path: Path, code: str, name: str) -> Path:
    """The mini-repository of case ``name`` in tests/rules/cases/``code``.yaml."""
    cases = yaml.safe_load((RULES / "cases" / f"{code}.yaml").read_text(encoding="utf-8"))["cases"]
    case = next(c for c in cases if c["name"] == name)
    root = tmp_path / "repo"
    shutil.copytree(RULES / "base", root)
    for rel, content in (case.get("files") or {}).items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if content is None:
            target.unlink()
        else:
            target.write_text(content, encoding="utf-8")
    return root


def qms(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QMS_NO_CACHE": "1", "QMS_LANG": "en"}
    return subprocess.run([sys.executable, "-m", "qms", "--root", str(root), *args], capture_output=True,
                          text=True, env=env, timeout=120, check=False)


def findings(root: Path, code: str) -> list[dict[str, Any]]:
    out = qms(root, "check", "--today", TODAY, "--profile", "strict", "--select", code, "--format", "json",
              "--fail-on", "never")
    assert out.returncode == 0, out.stderr
    return list(json.loads(out.stdout)["diagnostics"])


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def prove_fix(root: Path, code: str, rel: str, *flags: str) -> tuple[str, str]:
    """Run the fix and its checks; returns the file text before and after."""
    path = root / rel
    before = path.read_text(encoding="utf-8")
    assert findings(root, code), "the case must fail before the fix"

    # --diff: shows the change, writes nothing, exits 1
    untouched = snapshot(root)
    shown = qms(root, "check", "--today", TODAY, "--diff", *flags)
    assert shown.returncode == 1, shown.stderr
    assert f"--- a/{rel}" in shown.stdout and f"+++ b/{rel}" in shown.stdout
    assert snapshot(root) == untouched

    fixed = qms(root, "check", "--today", TODAY, "--fix", *flags)
    assert fixed.returncode in (0, 1), fixed.stderr
    assert "Fixed " in fixed.stdout and "remaining)" in fixed.stdout
    after = path.read_text(encoding="utf-8")
    assert after != before
    assert findings(root, code) == [], f"{code} still reported after --fix"

    # idempotent: a second run changes no byte and has nothing to show
    again = snapshot(root)
    second = qms(root, "check", "--today", TODAY, "--fix", *flags)
    assert second.returncode in (0, 1), second.stderr
    assert "Fixed 0 findings" in second.stdout
    assert snapshot(root) == again
    assert qms(root, "check", "--today", TODAY, "--diff", *flags).returncode == 0
    return before, after


def test_qms005_quotes_yaml11_values_keeping_comments(tmp_path: Path) -> None:
    """Safe fix: `purpose: no` and `clauses: [8.10]` are quoted; comments and the rest stay byte for byte."""
    root = case_repo(tmp_path, "QMS005", "unquoted 7.10 style float and a yes/no answer")
    path = root / "processes/QT-01.yaml"
    text = path.read_text(encoding="utf-8")
    text = "# Process file, kept under document control\n" + text.replace("clauses: [8.10]",
                                                                        "clauses: [8.10]   # 8.10, not 8.1")
    path.write_text(text, encoding="utf-8")
    before, after = prove_fix(root, "QMS005", "processes/QT-01.yaml")
    assert after == before.replace("purpose: no", "purpose: 'no'").replace("[8.10]", "['8.10']")
    assert "# Process file, kept under document control\n" in after and "# 8.10, not 8.1" in after


def test_qms007_normalises_to_nfc(tmp_path: Path) -> None:
    """Safe fix: lines typed with combining accents become NFC; nothing else changes."""
    root = case_repo(tmp_path, "QMS007", "a title and a comment typed with combining accents")
    before, after = prove_fix(root, "QMS007", "processes/QT-01.yaml")
    assert not unicodedata.is_normalized("NFC", before)
    assert after == unicodedata.normalize("NFC", before)
    assert "# quy trình mẫu" in after  # the comment survives, normalised


def test_qms007_keeps_bom_and_crlf(tmp_path: Path) -> None:
    """The fix edits characters only: a byte-order mark and CRLF line ends are kept."""
    root = case_repo(tmp_path, "QMS007", "a title and a comment typed with combining accents")
    path = root / "processes/QT-01.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    assert qms(root, "check", "--today", TODAY, "--fix").returncode in (0, 1)
    assert path.read_bytes() == b"\xef\xbb\xbf" + unicodedata.normalize("NFC", text).replace(
        "\n", "\r\n").encode("utf-8")
    assert findings(root, "QMS007") == []


def test_qms103_unknown_role_is_an_unsafe_fix(tmp_path: Path) -> None:
    """Unsafe fix: `--fix` leaves the unknown role alone, `--unsafe-fixes` takes the unique suggestion."""
    root = case_repo(tmp_path, "QMS103", "unknown owner and step responsible")
    rel = "processes/QT-02.yaml"
    original = (root / rel).read_bytes()
    safe_only = qms(root, "check", "--today", TODAY, "--fix")
    assert "Fixed 0 findings" in safe_only.stdout
    assert (root / rel).read_bytes() == original
    # ke_toan has no close match: it has no fix and remains
    (root / rel).write_text((root / rel).read_text(encoding="utf-8").replace(
        "responsible: ke_toan}", "responsible: ke_toan}  # who signs"), encoding="utf-8")
    before = (root / rel).read_text(encoding="utf-8")
    shown = qms(root, "check", "--today", TODAY, "--diff", "--unsafe-fixes")
    assert shown.returncode == 1 and "+owner: chu_tich\n" in shown.stdout
    fixed = qms(root, "check", "--today", TODAY, "--unsafe-fixes")
    after = (root / rel).read_text(encoding="utf-8")
    assert after == before.replace("owner: chu_tich_ubnd", "owner: chu_tich")
    assert "Fixed 1 finding (" in fixed.stdout
    remaining = findings(root, "QMS103")
    assert [d["message"] for d in remaining] == ["unknown role `ke_toan`"]
    assert remaining[0]["fix"] is None
    again = (root / rel).read_bytes()
    qms(root, "check", "--today", TODAY, "--unsafe-fixes")
    assert (root / rel).read_bytes() == again


def test_qms802_replaces_a_2008_clause_with_its_verified_counterpart(tmp_path: Path) -> None:
    """Safe fix: 4.2.1 exists only in 2008 and maps to 7.5.1 (verified); the quotes and comment stay."""
    root = case_repo(tmp_path, "QMS802",
                     "a 2008-only number with one verified counterpart, and a comment (fixable)")
    before, after = prove_fix(root, "QMS802", "processes/QT-01.yaml")
    assert after == before.replace('["8.1", "4.2.1"]', '["8.1", "7.5.1"]')
    assert "# 4.2.1: documentation in general" in after


def test_a_closed_nonconformity_is_never_fixed(tmp_path: Path) -> None:
    """A closed NC is evidence: its unique did-you-mean fix is not applied, and the output says why."""
    root = case_repo(tmp_path, "QMS505", "misspelt process")
    rel = "records/nonconformities/NC-2026-0001.yaml"
    # the fix exists and would apply to an open record ...
    listed = findings(root, "QMS505")
    assert listed and listed[0]["fix"]["applicability"] == "unsafe"
    untouched = snapshot(root)
    for flags in (("--unsafe-fixes",), ("--diff", "--unsafe-fixes")):
        out = qms(root, "check", "--today", TODAY, *flags)
        assert f"{rel}: not fixed: the nonconformity is closed" in out.stdout + out.stderr
        assert "evidence" in out.stdout + out.stderr
        assert snapshot(root) == untouched
    diff = qms(root, "check", "--today", TODAY, "--diff", "--unsafe-fixes")
    assert diff.stdout == "" and diff.returncode == 0


def test_a_reported_audit_is_never_fixed(tmp_path: Path) -> None:
    """A reported (or closed) audit is evidence: even a safe NFC fix is refused there, with the reason."""
    root = case_repo(tmp_path, "QMS605", "the report was issued")
    rel = "audits/AUD-2026-01.yaml"
    path = root / rel
    path.write_text(path.read_text(encoding="utf-8").replace(
        "summary: Done", "summary: " + unicodedata.normalize("NFD", "Đã hoàn thành")), encoding="utf-8")
    assert findings(root, "QMS007")
    untouched = snapshot(root)
    out = qms(root, "check", "--today", TODAY, "--fix")
    assert f"{rel}: not fixed: the audit is reported" in out.stdout
    assert snapshot(root) == untouched
    assert findings(root, "QMS007")


def test_fix_summary_is_translated(tmp_path: Path) -> None:
    """The summary line goes through i18n (Vietnamese with --lang vi)."""
    root = case_repo(tmp_path, "QMS005", "unquoted 7.10 style float and a yes/no answer")
    out = qms(root, "--lang", "vi", "check", "--today", TODAY, "--fix")
    assert "Đã sửa 2 phát hiện" in out.stdout, out.stdout + out.stderr


def test_machine_formats_keep_stdout_clean(tmp_path: Path) -> None:
    """With --format json the document alone is on stdout; the fix summary goes to stderr."""
    root = case_repo(tmp_path, "QMS005", "unquoted 7.10 style float and a yes/no answer")
    out = qms(root, "check", "--today", TODAY, "--fix", "--format", "json")
    data = json.loads(out.stdout)
    assert not [d for d in data["diagnostics"] if d["code"] == "QMS005"]
    assert "Fixed 2 findings" in out.stderr


def test_fix_in_json_and_sarif(tmp_path: Path) -> None:
    """The fix is serialised once (Diagnostic.to_dict): JSON `fix`, SARIF `fixes[].artifactChanges`."""
    root = case_repo(tmp_path, "QMS005", "unquoted 7.10 style float and a yes/no answer")
    data = json.loads(qms(root, "check", "--today", TODAY, "--select", "QMS005", "--format", "json").stdout)
    fixes = [d["fix"] for d in data["diagnostics"]]
    assert fixes[0] == {"applicability": "safe", "message": "quote the value", "edits": [
        {"line": 6, "column": 10, "end_line": 6, "end_column": 12, "content": "'no'", "original": "no"}]}
    sarif = json.loads(qms(root, "check", "--today", TODAY, "--select", "QMS005", "--format", "sarif").stdout)
    result = sarif["runs"][0]["results"][0]
    change = result["fixes"][0]["artifactChanges"][0]
    assert change["artifactLocation"]["uri"] == "processes/QT-01.yaml"
    assert change["replacements"][0] == {
        "deletedRegion": {"startLine": 6, "startColumn": 10, "endLine": 6, "endColumn": 12},
        "insertedContent": {"text": "'no'"},
    }
    assert result["fixes"][0]["properties"]["applicability"] == "safe"


def test_the_result_cache_keeps_the_fix(tmp_path: Path) -> None:
    """A report read back from .qms-cache/ still carries its fixes."""
    root = case_repo(tmp_path, "QMS005", "unquoted 7.10 style float and a yes/no answer")
    env = {**os.environ, "QMS_LANG": "en"}
    env.pop("QMS_NO_CACHE", None)
    cmd = [sys.executable, "-m", "qms", "--root", str(root), "check", "--today", TODAY, "--format", "json"]
    first = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120, check=False)
    second = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120, check=False)
    assert first.stdout == second.stdout
    assert any(d["fix"] for d in json.loads(second.stdout)["diagnostics"])


# -- the edit engine ---------------------------------------------------------------------------

def test_overlapping_fixes_wait_for_the_next_round() -> None:
    """Like ruff: a fix overlapping one already taken is deferred, not merged; the rest apply."""
    text = "a: one\nb: two\n"
    groups = [
        [Edit(1, 4, 1, 7, "ONE", "one")],
        [Edit(1, 5, 1, 6, "N", "n")],  # inside the first: deferred
        [Edit(2, 4, 2, 7, "TWO", "two")],
    ]
    result = apply_edit_groups(text, groups)
    assert result.text == "a: ONE\nb: TWO\n"
    assert result.applied == [0, 2] and result.deferred == [1] and result.stale == []


def test_an_edit_whose_text_changed_is_not_applied() -> None:
    """An edit applies only where the span still holds its `original` text; a whole fix is all or nothing."""
    text = "a: one\nb: two\n"
    groups = [[Edit(1, 4, 1, 7, "ONE", "one"), Edit(2, 4, 2, 7, "TWO", "six")], [Edit(9, 1, 9, 2, "x")]]
    result = apply_edit_groups(text, groups)
    assert result.text == text and result.stale == [0, 1]


@pytest.mark.parametrize("line_end", ["\n", "\r\n"])
def test_edits_count_characters_not_bytes(line_end: str) -> None:
    """Columns are characters of the decoded text (as the loader reports them), on LF or CRLF files."""
    text = f"tên: Hồ sơ{line_end}x: 1{line_end}"
    result = apply_edit_groups(text, [[Edit(1, 6, 1, 11, "'Hồ sơ'", "Hồ sơ")], [Edit(2, 4, 2, 5, "2", "1")]])
    assert result.text == f"tên: 'Hồ sơ'{line_end}x: 2{line_end}"


def test_overlapping_fixes_are_applied_over_several_rounds(tmp_path: Path) -> None:
    """Two fixes on one line overlap (NFC of the line, quoting `no` inside it): both land, in two rounds."""
    root = case_repo(tmp_path, "QMS005", "unquoted 7.10 style float and a yes/no answer")
    path = root / "processes/QT-01.yaml"
    nfd = unicodedata.normalize("NFD", "Tại UBND xã")
    text = path.read_text(encoding="utf-8").replace(
        "scope: {vi: Tại UBND xã, en: At the commune PC}", f"scope: {{vi: {nfd}, en: off}}  # {nfd}")
    path.write_text(text, encoding="utf-8")
    assert findings(root, "QMS007") and len(findings(root, "QMS005")) == 3
    out = qms(root, "check", "--today", TODAY, "--fix")
    assert "Fixed 4 findings" in out.stdout, out.stdout
    after = path.read_text(encoding="utf-8")
    assert "scope: {vi: Tại UBND xã, en: 'off'}  # Tại UBND xã\n" in after
    assert findings(root, "QMS005") == [] and findings(root, "QMS007") == []
