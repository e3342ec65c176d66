"""Hostile input against the issue-13 data model: internal notes, the glossary, abbreviations, retention."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

BASE = Path(__file__).resolve().parents[1] / "rules" / "base"

SCRIPT = "<script>alert('note')</script>"


def _qms(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "qms", *args], cwd=root, capture_output=True, text=True,
                          timeout=240, check=False)


def _repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(BASE, root)
    return root


def test_internal_note_markup_never_reaches_issued_html_and_is_escaped_in_drafts(tmp_path: Path) -> None:
    """D1: an internal note holding markup is absent from the issued HTML and escaped under --drafts."""
    root = _repo(tmp_path)
    proc = root / "processes" / "QT-01.yaml"
    proc.write_text(proc.read_text(encoding="utf-8") +
                    f"internal_notes:\n  - {{kind: drafting, about: x, text: \"{SCRIPT} SECRET-NOTE\"}}\n",
                    encoding="utf-8")
    issued, drafts = tmp_path / "issued", tmp_path / "drafts"
    for out, extra in ((issued, []), (drafts, ["--drafts"])):
        r = _qms(root, "render", "procedure", "QT-01", "--format", "html", "-o", str(out), *extra)
        assert r.returncode == 0, r.stdout + r.stderr
    page = (issued / "QT-01.html").read_text(encoding="utf-8")
    assert "SECRET-NOTE" not in page and "alert(" not in page
    draft = (drafts / "QT-01.html").read_text(encoding="utf-8")
    assert "SECRET-NOTE" in draft and SCRIPT not in draft and "&lt;script&gt;" in draft
    assert "class=\"draft-watermark\"" in draft and "class=\"draft-watermark\"" not in page


def test_regex_metacharacters_and_huge_words_are_checked_in_bounded_time(tmp_path: Path) -> None:
    """D2: glossary terms like `(a+)+$` or `C++` are literals, and a 400 000-character word with no
    separator costs linear time in the abbreviation scan (no catastrophic backtracking)."""
    root = _repo(tmp_path)
    manifest = root / "qms.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8") +
                        "  - {term: '(a+)+$', meaning: x}\n  - {term: C++, meaning: y}\n  - {term: '[', meaning: z}\n",
                        encoding="utf-8")
    proc = root / "processes" / "QT-01.yaml"
    long_word = "a" * 400_000 + "-" + "B" * 10
    text = proc.read_text(encoding="utf-8").replace("purpose: {vi: Chứng thực bản sao đúng quy định,",
                                                    f"purpose: {{vi: '{long_word} ZZQ',")
    proc.write_text(text, encoding="utf-8")
    r = _qms(root, "check", "--no-cache", "--profile", "strict", "--select", "QMS120,QMS121,QMS125",
             "--format", "json")
    assert r.returncode in (0, 1), r.stderr
    found = {(d["code"], d["message"]) for d in json.loads(r.stdout)["diagnostics"]}
    assert ("QMS120", "`ZZQ` is used but not defined in the glossary") in found
    assert {m for c, m in found if c == "QMS121"} == {
        "glossary term `(a+)+$` is used by no document", "glossary term `C++` is used by no document",
        "glossary term `[` is used by no document"}


def test_absurd_retention_is_reported_without_a_fix(tmp_path: Path) -> None:
    """D3: "99999 years" or "0 years" is old free text with no structured reading: reported, never
    rewritten into an invalid value, and the file is left byte for byte."""
    root = _repo(tmp_path)
    proc = root / "processes" / "QT-01.yaml"
    text = proc.read_text(encoding="utf-8").replace("retention: {years: 2}", "retention: 99999 years")
    proc.write_text(text, encoding="utf-8")
    r = _qms(root, "check", "--no-cache", "--select", "QMS123", "--unsafe-fixes", "--format", "json")
    assert proc.read_text(encoding="utf-8") == text
    assert r.returncode == 0, r.stderr
    diags = json.loads(r.stdout)["diagnostics"]
    assert [(d["code"], d.get("fix")) for d in diags] == [("QMS123", None)]
