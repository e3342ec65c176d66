"""`qms check`, `qms rules`, `qms rule`: exit codes and every output format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

BROKEN = """id: QT-BAD
title: {vi: Hỏng, en: Broken}
kind: core
owner: nobody
unit: tu_phap
purpse: {vi: x, en: x}
purpose: {vi: x, en: x}
scope: {vi: x, en: x}
document: {code: QT-BAD}
"""

UNKNOWN_OWNER = BROKEN.replace("purpse: {vi: x, en: x}\n", "")


def _broken(repo: Path, text: str = BROKEN, name: str = "QT-BAD.yaml") -> Path:
    path = repo / "processes" / name
    path.write_text(text, encoding="utf-8")
    return path


def test_example_is_clean(run_qms, example_copy: Path) -> None:
    r = run_qms("--root", str(example_copy), "check", "--no-cache")
    assert r.exit_code == 0, r.stdout + r.stderr
    assert "All clean" in r.stdout


def test_text_output_has_location_code_and_hint(run_qms, example_copy: Path) -> None:
    _broken(example_copy)
    r = run_qms("--root", str(example_copy), "check", "--no-cache")
    assert r.exit_code == 1
    assert "processes/QT-BAD.yaml:6:1: QMS011 [error] unknown field `purpse`" in r.stdout
    assert "hint: did you mean `purpose`?" in r.stdout
    # the summary line closes the findings (the example's waived count, if any, follows it)
    assert [line for line in r.stdout.splitlines() if line.startswith("Found ")][-1].startswith("Found 1 error")


def test_json_document_shape(run_qms, example_copy: Path) -> None:
    _broken(example_copy, UNKNOWN_OWNER)
    r = run_qms("--root", str(example_copy), "check", "--format", "json", "--no-cache")
    assert r.exit_code == 1
    doc = json.loads(r.stdout)
    assert doc["version"] == 1
    assert doc["tool"]["name"] == "qms"
    assert set(doc["summary"]) >= {"files", "errors", "warnings", "infos"}
    assert doc["summary"]["errors"] == len([d for d in doc["diagnostics"] if d["severity"] == "error"])
    d = next(d for d in doc["diagnostics"] if d["code"] == "QMS103")
    assert set(d) >= {"code", "name", "severity", "message", "path", "line", "column", "pointer", "subject",
                      "clauses", "hint"}
    assert (d["path"], d["line"], d["column"], d["pointer"]) == ("processes/QT-BAD.yaml", 4, 8, "/owner")
    assert d["clauses"] == ["5.3"]


def test_sarif_is_valid_and_fingerprints_are_stable(run_qms, example_copy: Path) -> None:
    _broken(example_copy, UNKNOWN_OWNER)
    first = json.loads(run_qms("--root", str(example_copy), "check", "--format", "sarif", "--no-cache",
                               "--select", "QMS103").stdout)
    # an unrelated edit elsewhere in the file must not change the fingerprint
    _broken(example_copy, "# a new comment line\n" + UNKNOWN_OWNER)
    second = json.loads(run_qms("--root", str(example_copy), "check", "--format", "sarif", "--no-cache",
                                "--select", "QMS103").stdout)
    assert first["version"] == "2.1.0"
    run = first["runs"][0]
    assert run["tool"]["driver"]["name"] == "qms"
    res = run["results"][0]
    assert res["ruleId"] == "QMS103" and res["level"] == "error"
    region = res["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 4, "startColumn": 8}
    assert second["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] == 5
    assert res["partialFingerprints"] == second["runs"][0]["results"][0]["partialFingerprints"]
    assert run["tool"]["driver"]["rules"][res["ruleIndex"]]["id"] == "QMS103"


def test_github_annotations(run_qms, example_copy: Path) -> None:
    _broken(example_copy, UNKNOWN_OWNER)
    r = run_qms("--root", str(example_copy), "check", "--format", "github", "--no-cache", "--select", "QMS103")
    assert r.exit_code == 1
    line = r.stdout.splitlines()[0]
    assert line.startswith("::error file=processes/QT-BAD.yaml,line=4,col=8,title=QMS103 unknown-role::")


@pytest.mark.parametrize(("fail_on", "expected"), [("never", 0), ("error", 1), ("warning", 1)])
def test_fail_on(run_qms, example_copy: Path, fail_on: str, expected: int) -> None:
    _broken(example_copy, UNKNOWN_OWNER)
    r = run_qms("--root", str(example_copy), "check", "--fail-on", fail_on, "--no-cache")
    assert r.exit_code == expected


def test_severity_override_and_fail_on(run_qms, example_copy: Path) -> None:
    _broken(example_copy, UNKNOWN_OWNER)
    manifest = example_copy / "qms.yaml"
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text(text.replace("check:\n", "check:\n  severity: {QMS103: warning}\n", 1), encoding="utf-8")
    r = run_qms("--root", str(example_copy), "check", "--no-cache", "--select", "QMS103")
    assert "QMS103 [warning]" in r.stdout
    assert r.exit_code == 0  # fail_on error in qms.yaml
    assert run_qms("--root", str(example_copy), "check", "--no-cache", "--select", "QMS103",
                   "--fail-on", "warning").exit_code == 1


def test_select_and_ignore(run_qms, example_copy: Path) -> None:
    _broken(example_copy, UNKNOWN_OWNER)
    r = json.loads(run_qms("--root", str(example_copy), "check", "--format", "json", "--no-cache",
                           "--select", "QMS1").stdout)
    assert r["diagnostics"] and all(d["code"].startswith("QMS1") for d in r["diagnostics"])
    r = json.loads(run_qms("--root", str(example_copy), "check", "--format", "json", "--no-cache",
                           "--ignore", "QMS011,unknown-role").stdout)
    assert not [d for d in r["diagnostics"] if d["code"] in ("QMS011", "QMS103")]


def test_unknown_select_is_a_usage_error(run_qms, example_copy: Path) -> None:
    r = run_qms("--root", str(example_copy), "check", "--select", "QMS77x")
    assert r.exit_code == 2
    assert "matches no rule" in r.stderr
    assert "Traceback" not in r.stderr


def test_paths_limit_the_report(run_qms, example_copy: Path) -> None:
    _broken(example_copy, UNKNOWN_OWNER)
    _broken(example_copy, UNKNOWN_OWNER.replace("QT-BAD", "QT-BAD2"), "QT-BAD2.yaml")
    r = run_qms("check", "--format", "json", "--no-cache", "processes/QT-BAD2.yaml", cwd=example_copy)
    paths = {d["path"] for d in json.loads(r.stdout)["diagnostics"]}
    assert paths == {"processes/QT-BAD2.yaml"}


def test_missing_repository(run_qms, tmp_path: Path) -> None:
    r = run_qms("check", cwd=tmp_path)
    assert r.exit_code == 2
    assert "no qms.yaml found" in r.stderr
    assert "qms init" in r.stderr
    r = run_qms("--root", str(tmp_path / "nope"), "check")
    assert r.exit_code == 2


def test_discovery_from_a_subdirectory(run_qms, example_copy: Path) -> None:
    r = run_qms("check", "--no-cache", cwd=example_copy / "processes")
    assert r.exit_code == 0


def test_cache_is_used_and_invalidated(run_qms, example_copy: Path) -> None:
    """The result cache lives outside the working tree (F1), in a private folder, and is invalidated."""
    import os

    from qms.store.cache_dir import base_dir, repository_id

    folder = base_dir() / "repos" / repository_id(example_copy)
    assert run_qms("--root", str(example_copy), "check").exit_code == 0
    cached = list(folder.glob("check-*.json"))
    assert len(cached) == 1
    assert os.stat(folder).st_mode & 0o777 == 0o700
    _broken(example_copy, UNKNOWN_OWNER)
    r = run_qms("--root", str(example_copy), "check")
    assert r.exit_code == 1 and "QMS103" in r.stdout
    again = list(folder.glob("check-*.json"))
    assert len(again) == 1 and again != cached  # the old result is replaced, not kept beside
    assert not (example_copy / ".qms-cache").exists()


def test_internal_error_exit_3(run_qms, example_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from qms.rules import identity

    def boom(self, ctx):  # type: ignore[no-untyped-def]
        raise RuntimeError("kaput")

    monkeypatch.setattr(identity.UnknownUnit, "check", boom)
    r = run_qms("--root", str(example_copy), "check", "--no-cache")
    assert r.exit_code == 3
    assert "internal error" in r.stderr and "Traceback" not in r.stderr


def test_rules_catalogue_and_rule_doc(run_qms) -> None:
    from qms.rules.registry import all_rules

    r = run_qms("rules", "--format", "json")
    codes = [x["code"] for x in json.loads(r.stdout)]
    assert codes == [x.code for x in all_rules()]
    r = run_qms("rule", "QMS011")
    assert r.exit_code == 0
    for section in ("What it checks", "Why", "Example", "Fix"):
        assert section in r.stdout
    assert run_qms("rule", "unknown-role").exit_code == 0
    bad = run_qms("rule", "QMS999")
    assert bad.exit_code == 2 and "qms rules" in bad.stderr


def test_vietnamese_messages(run_qms, tmp_path: Path) -> None:
    r = run_qms("--lang", "vi", "check", cwd=tmp_path)
    assert r.exit_code == 2
    assert "lỗi" in r.stderr


def test_hostile_keys_are_located_and_inert(run_qms, example_copy: Path) -> None:
    _broken(example_copy, 'id: QT-BAD\n"\\e]0;pwned\\a\\e[31mRED": 1\n"a[0]": 2\n')
    r = run_qms("--root", str(example_copy), "check", "--no-cache", "--select", "QMS011")
    assert "\x1b" not in r.stdout and "\x07" not in r.stdout
    assert "processes/QT-BAD.yaml:2:1: QMS011" in r.stdout
    assert "unknown field `\\x1b]0;pwned\\x07\\x1b[31mRED`" in r.stdout
    assert "processes/QT-BAD.yaml:3:1: QMS011" in r.stdout
    gh = run_qms("--root", str(example_copy), "check", "--no-cache", "--select", "QMS011", "--format", "github")
    assert "\x1b" not in gh.stdout
    doc = json.loads(run_qms("--root", str(example_copy), "check", "--no-cache", "--select", "QMS011",
                             "--format", "json").stdout)
    assert {d["pointer"] for d in doc["diagnostics"]} == {"/\x1b]0;pwned\x07\x1b[31mRED", "/a[0]"}
