"""`qms check` on a hostile pull request: what a file of the repository can make the report say.

Each test builds a small repository from ``tests/rules/base`` (a qms.yaml and one procedure), adds the
hostile part and runs the real command line (``python -m qms``) once per output format it judges.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

from example_repo import copy_example

BASE = Path(__file__).resolve().parents[1] / "rules" / "base"
WORKFLOW = "::error file=x::forged by a file name"
# RFC 3986 URI reference: unreserved, reserved and percent-encoded characters only
_URI_CHARS = re.compile(r"^(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*$")


def _repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(BASE, root)
    return root


def _qms(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QMS_LANG": "en", "NO_COLOR": "1"}
    env.pop("QMS_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "qms", *args], cwd=root, capture_output=True, text=True,
                          env=env, timeout=180, check=False)


def test_a_file_name_cannot_add_a_line_to_the_text_or_break_the_sarif_uri(tmp_path: Path) -> None:
    """F7 (file names): a process file named `QT\\n::error file=x::….yaml` (git holds such names) is
    reported on one line in text output, so the CI runner never reads a forged workflow command, and
    SARIF names it with a valid, percent-encoded URI that decodes back to the file's path."""
    root = _repo(tmp_path)
    name = "QT-02\n" + WORKFLOW + " \x1b[2J é.yaml"
    shutil.copy(root / "processes" / "QT-01.yaml", root / "processes" / name)
    text = _qms(root, "check", "--no-cache", "--select", "QMS101,QMS102")
    assert text.returncode == 1, text.stdout + text.stderr
    assert not [line for line in text.stdout.splitlines() if line.lstrip().startswith("::")], text.stdout
    assert "\x1b" not in text.stdout
    assert "processes/QT-02\\n" + WORKFLOW in text.stdout
    sarif = _qms(root, "check", "--no-cache", "--select", "QMS101,QMS102", "--format", "sarif")
    assert sarif.returncode == 1, sarif.stderr
    results = json.loads(sarif.stdout)["runs"][0]["results"]
    uris = [loc["physicalLocation"]["artifactLocation"]["uri"] for r in results for loc in r["locations"]]
    assert uris and all(_URI_CHARS.match(u) for u in uris), uris
    assert "processes/" + name in {unquote(u) for u in uris}


def test_a_typo_in_qms_yaml_is_reported_alone(tmp_path: Path) -> None:
    """Cascade (qms.yaml): one misspelt top-level key (`organization:`) makes qms.yaml unusable. The
    report names that key and says the rules needing the organisation were skipped (QMS013); it does
    not bury it under dozens of findings in other files that only follow from the missing organisation
    (unknown forms with a wrong "did you mean", one-stop steps "not at the desk", undefined
    abbreviations, uncovered clauses)."""
    root = copy_example(tmp_path / "example")
    manifest = root / "qms.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("\norganisation:", "\norganization:", 1),
                        encoding="utf-8")
    r = _qms(root, "check", "--no-cache", "--profile", "strict", "--fail-on", "info", "--format", "json")
    assert r.returncode == 1, r.stderr
    found = json.loads(r.stdout)["diagnostics"]
    assert {(d["code"], d["path"]) for d in found if d["code"].startswith("QMS0")} >= {
        ("QMS011", "qms.yaml"), ("QMS013", "qms.yaml")}
    follow_ons = sorted({(d["code"], d["path"]) for d in found if not d["code"].startswith("QMS0")})
    assert not follow_ons, follow_ons


def test_a_broken_procedure_does_not_make_its_kpis_unknown(tmp_path: Path) -> None:
    """Cascade (a process file): a procedure with a misspelt field, or one that does not parse at all,
    still declares its KPIs; qms.yaml's objective that lists the KPI is not reported as naming an
    "unknown KPI" with a "did you mean" pointing at another procedure's KPI."""
    root = _repo(tmp_path)
    other = (root / "processes" / "QT-01.yaml").read_text(encoding="utf-8")
    (root / "processes" / "QT-09.yaml").write_text(
        other.replace("QT-01", "QT-09").replace("KPI-01", "KPI-09").replace("HS-01", "HS-09"), encoding="utf-8")
    proc = root / "processes" / "QT-01.yaml"
    good = proc.read_text(encoding="utf-8")
    for broken in (good.replace("\npurpose:", "\npurpse:", 1), good.replace("\nsteps:\n  ", "\nsteps:\n\t", 1)):
        assert broken != good
        proc.write_text(broken, encoding="utf-8")
        r = _qms(root, "check", "--no-cache", "--select", "QMS0,QMS1", "--format", "json")
        assert r.returncode == 1, r.stderr
        found = json.loads(r.stdout)["diagnostics"]
        assert any(d["path"] == "processes/QT-01.yaml" and d["code"].startswith("QMS0") for d in found), found
        cascades = [(d["code"], d["path"], d["message"]) for d in found if d["code"] in ("QMS106", "QMS107", "QMS108")]
        assert not cascades, cascades


def _bad_values(root: Path) -> None:
    """A waiver with a lower-case code and a one-letter reason, a risk likelihood of 9, an empty step
    id and a step kind that does not exist."""
    manifest = root / "qms.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8") + (
        "check:\n  waivers:\n    - {code: qms214, reason: x, approver: an, expires: 2027-01-01}\n"),
        encoding="utf-8")
    proc = root / "processes" / "QT-01.yaml"
    text = proc.read_text(encoding="utf-8")
    text = re.sub(r"likelihood: \d", "likelihood: 9", text, count=1)
    text = text.replace("  - id: B1\n", "  - id: ''\n", 1)
    text = re.sub(r"kind: start", "kind: begin", text, count=1)
    proc.write_text(text, encoding="utf-8")


def test_schema_messages_are_vietnamese(tmp_path: Path) -> None:
    """Messages in Vietnamese (`qms --lang vi check`): a value too small, too large, too short or not in
    the list is explained in Vietnamese, without pydantic's English ("Input should be less than or
    equal to 5", "String should have at least 3 characters", "'start', 'task' or 'end'")."""
    root = _repo(tmp_path)
    _bad_values(root)
    r = _qms(root, "--lang", "vi", "check", "--no-cache", "--select", "QMS010", "--format", "json")
    assert r.returncode == 1, r.stderr
    found = [d for d in json.loads(r.stdout)["diagnostics"] if d["code"] == "QMS010"]
    pointers = {d["pointer"] for d in found}
    assert {"/check/waivers/0/code", "/check/waivers/0/reason", "/risks/0/likelihood", "/steps/0/id",
            "/steps/0/kind"} <= pointers, pointers
    english = re.compile(r"\b(Input|should|String|characters?|less|greater|equal|or)\b")
    leaks = [(d["pointer"], d["message"], d["hint"]) for d in found if english.search(d["message"] + " " + d["hint"])]
    assert not leaks, leaks
    by_pointer = {d["pointer"]: d["message"] for d in found}
    assert "5" in by_pointer["/risks/0/likelihood"] and "3" in by_pointer["/check/waivers/0/reason"]


def test_a_value_of_the_wrong_form_gets_the_right_hint(tmp_path: Path) -> None:
    """Hints: a waiver code written `qms214` is told to be written like `QMS214`, not "use letters,
    digits, '.', '_' or '-' only" (it already is), and a logo given as an absolute path is told to be a
    relative path inside the repository; an identifier keeps the identifier hint."""
    root = _repo(tmp_path)
    _bad_values(root)
    manifest = root / "qms.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace(
        "organisation:\n", "organisation:\n  logo: /etc/passwd\n", 1), encoding="utf-8")
    proc = root / "processes" / "QT-01.yaml"
    proc.write_text(proc.read_text(encoding="utf-8").replace("\nowner: ", "\nowner: -", 1), encoding="utf-8")
    r = _qms(root, "check", "--no-cache", "--select", "QMS010", "--format", "json")
    assert r.returncode == 1, r.stderr
    hints = {d["pointer"]: d["hint"] for d in json.loads(r.stdout)["diagnostics"]}
    assert "QMS214" in hints["/check/waivers/0/code"], hints
    assert "assets/logo.png" in hints["/organisation/logo"], hints
    assert "letters, digits" in hints["/owner"], hints


def test_an_unknown_decree_is_not_said_to_be_a_decree_of_another_year(tmp_path: Path) -> None:
    """QMS150 "did you mean": a citation of NĐ 63/2024/NĐ-CP, which the register lacks, is not told
    "did you mean 30/2020/NĐ-CP?" (another decree, of another year; `--unsafe-fixes` would even cite
    it instead). A slip inside the same year (16/2018 for 61/2018) is still suggested."""
    root = _repo(tmp_path)
    (root / "legal").mkdir()
    (root / "legal" / "register.yaml").write_text(
        "documents:\n"
        "  - {number: 30/2020/NĐ-CP, kind: decree, title: Nghị định về công tác văn thư, evidence: recalled}\n"
        "  - {number: 61/2018/NĐ-CP, kind: decree, title: Nghị định về cơ chế một cửa, evidence: recalled}\n",
        encoding="utf-8")
    proc = root / "processes" / "QT-01.yaml"
    proc.write_text(re.sub(r"\nreferences:\n", "\nreferences:\n  - {id: NĐ 63/2024/NĐ-CP}\n  - {id: NĐ 16/2018/NĐ-CP}\n",
                           proc.read_text(encoding="utf-8"), count=1), encoding="utf-8")
    r = _qms(root, "check", "--no-cache", "--select", "QMS150", "--format", "json")
    assert r.returncode == 0, r.stdout + r.stderr  # QMS150 is a warning
    found = {d["message"]: d for d in json.loads(r.stdout)["diagnostics"]}
    other_year = found["`NĐ 63/2024/NĐ-CP` is not in the legal-reference register"]
    assert "30/2020" not in other_year["hint"] and other_year["fix"] is None, other_year
    same_year = found["`NĐ 16/2018/NĐ-CP` is not in the legal-reference register"]
    assert "61/2018/NĐ-CP" in same_year["hint"], same_year


def test_text_in_nfd_is_quoted_as_whole_words(tmp_path: Path) -> None:
    """NFD text (QMS007): a title pasted with combining accents is quoted as the words the user wrote,
    "Chứng thực bản sao từ bản chính", from the column where the first such word starts, not as a
    fragment cut inside words ("ứng thực bản sao từ bản chí"); `--fix` still makes the file exactly NFC."""
    import unicodedata

    root = _repo(tmp_path)
    proc = root / "processes" / "QT-01.yaml"
    lines = proc.read_text(encoding="utf-8").split("\n")
    n = next(i for i, line in enumerate(lines) if line.startswith("title:"))
    lines[n] = "title: {vi: " + unicodedata.normalize("NFD", "Chứng thực bản sao từ bản chính") + ", en: Copies}"
    proc.write_text("\n".join(lines), encoding="utf-8")
    r = _qms(root, "check", "--no-cache", "--select", "QMS007", "--format", "json")
    assert r.returncode == 0, r.stdout + r.stderr  # QMS007 is a warning
    (found,) = json.loads(r.stdout)["diagnostics"]
    assert "`Chứng thực bản sao từ bản chính`" in found["message"], found
    assert (found["line"], found["column"]) == (n + 1, len("title: {vi: ") + 1)
    fixed = _qms(root, "check", "--no-cache", "--select", "QMS007", "--fix")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert proc.read_text(encoding="utf-8") == unicodedata.normalize("NFC", "\n".join(lines))


def test_a_vietnamese_field_name_is_told_the_field_names(tmp_path: Path) -> None:
    """QMS011 hint: a field named in Vietnamese (`mô_tả: …`) is an attempt at a field, not text split by
    a comma; it is told the allowed fields instead of "a comma inside `{...}` starts a new field". The
    comma case (`{vi: Hồ sơ đầy đủ, hợp lệ?}`) keeps its hint."""
    root = _repo(tmp_path)
    proc = root / "processes" / "QT-01.yaml"
    text = proc.read_text(encoding="utf-8").replace("\nkind: core\n", "\nkind: core\nmô_tả: Quy trình mẫu\n", 1)
    text = re.sub(r"\npurpose: \{vi: ", "\npurpose: {vi: Đầy đủ, hợp lệ?, en: x, vi2: ", text, count=1)
    proc.write_text(text, encoding="utf-8")
    r = _qms(root, "check", "--no-cache", "--select", "QMS011", "--format", "json")
    assert r.returncode == 1, r.stdout + r.stderr
    hints = {d["message"]: d["hint"] for d in json.loads(r.stdout)["diagnostics"]}
    vietnamese = next(h for m, h in hints.items() if "mô_tả" in m)
    assert "comma" not in vietnamese and "purpose" in vietnamese and "steps" in vietnamese, hints
    comma = next(h for m, h in hints.items() if "hợp lệ?" in m)
    assert "comma" in comma, hints


def test_a_folder_that_links_out_or_is_a_file_is_reported(tmp_path: Path) -> None:
    """Symlinked folder: `processes/` replaced by a link to a folder outside the repository (`ln -s
    /etc processes` in a pull request), and `records` committed as a file, were read as empty folders
    without a word: the report then blamed every reference to a process. Each is now reported where it
    is, with what to do."""
    root = _repo(tmp_path)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "notes.txt").write_text("not qms", encoding="utf-8")
    shutil.rmtree(root / "processes")
    (root / "processes").symlink_to(outside, target_is_directory=True)
    (root / "records").write_text("a file where a folder belongs\n", encoding="utf-8")
    r = _qms(root, "check", "--no-cache", "--format", "json")
    assert r.returncode == 1, r.stdout + r.stderr
    found = {d["path"]: d for d in json.loads(r.stdout)["diagnostics"] if d["code"] == "QMS006"}
    assert {"processes", "records"} <= found.keys(), found
    assert "outside the repository" in found["processes"]["message"] and found["processes"]["hint"]
    assert "not a folder" in found["records"]["message"] and found["records"]["hint"]
    assert (found["processes"]["line"], found["processes"]["column"]) == (1, 1)
