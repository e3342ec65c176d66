"""`qms due`: hostile record text cannot forge calendar entries, and `-o` never destroys an input."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from ics_reader import parse_ics, unescape

BASE = Path(__file__).resolve().parents[1] / "rules" / "base"


HOSTILE = """\
id: NC-2026-0001
title: {vi: Tiêu đề, en: Title}
description: {vi: Mô tả, en: Description}
source: monitoring
severity: minor
process: QT-01
raised_by: Trần Thị Bình
raised_on: 2026-02-01
status: planned
actions:
- id: CA-1
  description: "Fix it\\r\\nEND:VEVENT\\r\\nBEGIN:VEVENT\\r\\nUID:forged\\r\\nSUMMARY:evil; a, b \\\\ c\\e[31mred\\x07"
  owner: "Nobody\\nDTSTART;VALUE=DATE:19700101"
  due: 2026-05-20
"""


@pytest.fixture
def hostile_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("QMS_LANG", raising=False)
    root = tmp_path / "hostile"
    shutil.copytree(BASE, root)
    ncs = root / "records" / "nonconformities"
    ncs.mkdir(parents=True)
    (ncs / "NC-2026-0001.yaml").write_text(HOSTILE, encoding="utf-8")
    return root


def test_record_text_cannot_inject_calendar_lines(run_qms: Callable[..., Any], hostile_repo: Path) -> None:
    """D1: CR/LF, `;`, `,`, backslash and control characters in an action's text stay inside its SUMMARY
    and DESCRIPTION: no forged VEVENT, UID or DTSTART, and no control character in the file."""
    result = run_qms("--root", str(hostile_repo), "--lang", "en", "due", "--as-of", "2026-06-01",
                     "--within", "12m", "--format", "ics")
    assert result.exit_code == 0, result.stderr
    _cal, events = parse_ics(result.stdout)
    action = [e for e in events if "Fix it" in e["SUMMARY"]]
    assert len(action) == 1
    assert len(events) == 3  # the action, the first management review, the periodic review of QT-01
    assert all(e["UID"] != "forged" and e["UID"].endswith("@qms") for e in events)
    assert action[0]["DTSTART;VALUE=DATE"] == "20260520"
    summary = unescape(action[0]["SUMMARY"])
    assert "END:VEVENT\nBEGIN:VEVENT" in summary  # kept as text, escaped on one logical line
    assert "evil; a, b \\ c" in summary
    stripped = result.stdout.replace("\r\n", "")
    assert not any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in stripped), "no control characters"


def test_text_output_keeps_each_item_on_one_line(run_qms: Callable[..., Any], hostile_repo: Path) -> None:
    """D2: newlines and escape sequences in record text cannot forge agenda rows or drive the terminal."""
    result = run_qms("--root", str(hostile_repo), "--lang", "en", "due", "--as-of", "2026-06-01")
    assert result.exit_code == 0, result.stderr
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    rows = [line for line in result.stdout.splitlines() if "Fix it" in line]
    assert len(rows) == 1 and "OVERDUE" in rows[0]
    assert not any(line.startswith("BEGIN:VEVENT") for line in result.stdout.splitlines())


def test_output_onto_the_manifest_is_refused(run_qms: Callable[..., Any], hostile_repo: Path) -> None:
    """D3: `qms due -o qms.yaml` is refused (exit 2) and the manifest is left as it was."""
    manifest = hostile_repo / "qms.yaml"
    before = manifest.read_bytes()
    result = run_qms("--root", str(hostile_repo), "due", "--format", "ics", "-o", str(manifest))
    assert result.exit_code == 2
    assert "qms.yaml" in result.stderr and "Traceback" not in result.stderr
    assert manifest.read_bytes() == before
    record = hostile_repo / "records" / "nonconformities" / "NC-2026-0001.yaml"
    kept = record.read_bytes()
    result = run_qms("--root", str(hostile_repo), "due", "-o", str(record), "--force")
    assert result.exit_code == 2 and record.read_bytes() == kept
