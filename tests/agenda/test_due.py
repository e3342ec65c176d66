"""`qms due`: one agenda of everything that falls due, as text, JSON and iCalendar (issue 16 item 21)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from ics_reader import parse_ics, unescape

REPO = Path(__file__).resolve().parents[2]
BASE = REPO / "tests" / "rules" / "base"

NC_PLANNED = """\
id: NC-2026-0001
title: {vi: Trả kết quả trễ hạn, en: Late results}
description: {vi: Ba hồ sơ trễ hạn, en: Three late dossiers}
source: monitoring
severity: minor
process: QT-01
raised_by: Trần Thị Bình
raised_on: 2026-02-01
status: planned
actions:
- {id: CA-1, description: "Train staff, then check; again", owner: binh, due: 2026-05-20}
- {id: CA-2, description: Done already, owner: binh, due: 2026-04-01, done: 2026-03-30}
- {id: CA-3, description: Update the checklist, owner: chu_tich, due: 2026-07-15}
"""

NC_IMPLEMENTED = """\
id: NC-2026-0002
title: {vi: Thiếu biểu mẫu, en: Missing form}
description: {vi: Thiếu biểu mẫu tại quầy, en: Form missing at the desk}
source: complaint
severity: minor
process: QT-01
raised_by: Lê Văn Cường
raised_on: 2026-02-10
status: implemented
actions:
- {id: CA-1, description: Print the forms, owner: cuong, due: 2026-03-01, done: 2026-03-01}
review_due: 2026-06-10
"""

NC_CLOSED = """\
id: NC-2026-0003
title: {vi: Đã đóng, en: Closed one}
description: {vi: Đã đóng, en: Closed one}
source: complaint
severity: minor
process: QT-01
raised_by: Lê Văn Cường
raised_on: 2026-01-10
status: closed
closed_on: 2026-02-01
actions:
- {id: CA-1, description: Never done but closed, owner: cuong, due: 2026-01-20}
"""

PROGRAMME = """\
year: 2026
audits:
- {id: AUD-2026-01, processes: [QT-01], month: 6, auditors: [binh, cuong]}
- {id: AUD-2026-02, processes: [QT-01], month: 11, auditors: [cuong, binh]}
"""

AUDIT = """\
id: AUD-2026-01
state: planned
programme: 2026
plan:
  scope: {vi: Quy trình QT-01, en: Procedure QT-01}
  processes: [QT-01]
  date: 2026-06-15
  lead: binh
  team: [cuong]
"""

# (date, kind, ref, overdue) expected on 2026-06-01 with --within 12m, in this order
EXPECTED = [
    ("2026-05-20", "nc-action", "NC-2026-0001/CA-1", True),
    ("2026-06-10", "nc-review", "NC-2026-0002", False),
    ("2026-06-15", "audit", "AUD-2026-01", False),
    ("2026-07-15", "nc-action", "NC-2026-0001/CA-3", False),
    ("2026-11-30", "audit", "AUD-2026-02", False),
    ("2027-01-05", "review", "first", False),
    ("2027-01-05", "document", "QT-01", False),
]


@pytest.fixture
def small_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A small organisation built from tests/rules/base with NCs, an audit programme and one audit."""
    monkeypatch.delenv("QMS_LANG", raising=False)
    root = tmp_path / "small"
    shutil.copytree(BASE, root)
    ncs = root / "records" / "nonconformities"
    ncs.mkdir(parents=True)
    (ncs / "NC-2026-0001.yaml").write_text(NC_PLANNED, encoding="utf-8")
    (ncs / "NC-2026-0002.yaml").write_text(NC_IMPLEMENTED, encoding="utf-8")
    (ncs / "NC-2026-0003.yaml").write_text(NC_CLOSED, encoding="utf-8")
    (root / "audits").mkdir()
    (root / "audits" / "programme-2026.yaml").write_text(PROGRAMME, encoding="utf-8")
    (root / "audits" / "AUD-2026-01.yaml").write_text(AUDIT, encoding="utf-8")
    return root


def _due_json(run_qms: Callable[..., Any], root: Path, *opts: str, lang: str | None = None) -> dict[str, Any]:
    pre = ["--lang", lang] if lang else []
    result = run_qms("--root", str(root), *pre, "due", "--format", "json", *opts)
    assert result.exit_code == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_small_repo_items_order_owners_and_overdue(run_qms: Callable[..., Any], small_repo: Path) -> None:
    """Every source is gathered, done/closed things are left out, sorted by date, overdue flagged."""
    data = _due_json(run_qms, small_repo, "--as-of", "2026-06-01", "--within", "12m", lang="en")
    got = [(i["date"], i["kind"], i["ref"], i["overdue"]) for i in data["items"]]
    assert got == EXPECTED
    assert data["as_of"] == "2026-06-01" and data["until"] == "2027-06-01" and data["lang"] == "en"
    assert data["overdue"] == 1
    owners = {i["ref"]: i["owner"] for i in data["items"]}
    assert owners["NC-2026-0001/CA-1"] == "Trần Thị Bình"  # a person id becomes the name
    assert owners["NC-2026-0001/CA-3"] == "Chairperson"  # a role id becomes its title
    assert owners["AUD-2026-01"] == "Trần Thị Bình"  # the lead auditor of the planned audit
    assert owners["AUD-2026-02"] == "Lê Văn Cường"  # the first auditor of the programme entry
    assert owners["QT-01"] == "Justice officer"  # the process owner role
    assert owners["NC-2026-0002"] == "Lê Văn Cường"
    for item in data["items"]:
        assert "_" not in item["owner"], item  # never a raw snake_case id
        assert set(item) == {"date", "kind", "kind_label", "ref", "summary", "owner", "overdue", "path"}
    dates = [i["date"] for i in data["items"]]
    assert dates == sorted(dates)


def test_within_filters_but_keeps_overdue(run_qms: Callable[..., Any], small_repo: Path) -> None:
    """--within bounds the future only: overdue items are always listed."""
    data = _due_json(run_qms, small_repo, "--as-of", "2026-06-01", "--within", "13d")
    assert [i["ref"] for i in data["items"]] == ["NC-2026-0001/CA-1", "NC-2026-0002"]
    assert data["until"] == "2026-06-14"
    data = _due_json(run_qms, small_repo, "--as-of", "2026-06-01", "--within", "2w")
    assert [i["ref"] for i in data["items"]] == ["NC-2026-0001/CA-1", "NC-2026-0002", "AUD-2026-01"]
    later = _due_json(run_qms, small_repo, "--as-of", "2026-12-15", "--within", "0d")
    assert [(i["ref"], i["overdue"]) for i in later["items"]] == [
        ("NC-2026-0001/CA-1", True), ("NC-2026-0002", True), ("AUD-2026-01", True),
        ("NC-2026-0001/CA-3", True), ("AUD-2026-02", True)]


def test_bad_within_is_a_usage_error(run_qms: Callable[..., Any], small_repo: Path) -> None:
    result = run_qms("--root", str(small_repo), "due", "--within", "soon")
    assert result.exit_code == 2
    assert "--within `soon`" in result.stderr and "30d" in result.stderr
    assert "Traceback" not in result.stderr


def test_language_is_the_organisations_unless_lang_says_otherwise(
        run_qms: Callable[..., Any], small_repo: Path) -> None:
    """organisation.default_language (vi here) rules the text; the global --lang overrides it."""
    vi = run_qms("--root", str(small_repo), "due", "--as-of", "2026-06-01", "--within", "60d")
    assert vi.exit_code == 0, vi.stderr
    assert "Người phụ trách" in vi.stdout and "QUÁ HẠN" in vi.stdout
    assert "Chủ tịch" in vi.stdout and "20/05/2026" in vi.stdout  # role title in Vietnamese, dd/mm/yyyy
    assert "Hành động khắc phục CA-1 của NC-2026-0001" in vi.stdout
    en = run_qms("--root", str(small_repo), "--lang", "en", "due", "--as-of", "2026-06-01", "--within", "60d")
    assert en.exit_code == 0, en.stderr
    assert "Owner" in en.stdout and "OVERDUE" in en.stdout and "Chairperson" in en.stdout
    assert "Corrective action CA-1 of NC-2026-0001" in en.stdout
    manifest = small_repo / "qms.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace(
        "organisation:\n", "organisation:\n  default_language: en\n", 1), encoding="utf-8")
    data = _due_json(run_qms, small_repo, "--as-of", "2026-06-01")
    assert data["lang"] == "en"
    assert data["items"][0]["summary"].startswith("Corrective action")


def test_ics_is_a_valid_calendar(run_qms: Callable[..., Any], small_repo: Path) -> None:
    """One VEVENT per item, all-day dates, CRLF, folded at 75 octets, escaped text, stable UIDs."""
    args = ("--root", str(small_repo), "due", "--as-of", "2026-06-01", "--within", "12m", "--format", "ics")
    first = run_qms(*args)
    assert first.exit_code == 0, first.stderr
    calendar, events = parse_ics(first.stdout)
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    assert len(events) == len(EXPECTED)
    assert any(len(line.encode()) == 75 for line in first.stdout.split("\r\n")), "long lines are folded"
    data = _due_json(run_qms, small_repo, "--as-of", "2026-06-01", "--within", "12m")
    for event, item in zip(events, data["items"], strict=True):
        assert event["DTSTART;VALUE=DATE"] == item["date"].replace("-", "")
        assert event["DTSTAMP"].endswith("Z") and len(event["DTSTAMP"]) == 16
        summary = unescape(event["SUMMARY"])
        assert summary.endswith(item["summary"])
        assert summary.startswith("[QUÁ HẠN] ") == item["overdue"]
        assert item["owner"] in unescape(event["DESCRIPTION"])
    ca1 = next(e for e, i in zip(events, data["items"], strict=True) if i["ref"] == "NC-2026-0001/CA-1")
    assert "then check\\; again" in ca1["SUMMARY"].replace("\\,", ",")  # `;` and `,` escaped
    uids = [e["UID"] for e in events]
    assert len(set(uids)) == len(uids)
    again = run_qms(*args)
    assert [e["UID"] for e in parse_ics(again.stdout)[1]] == uids  # stable across runs


def test_ics_written_with_o_by_the_real_command(small_repo: Path, tmp_path: Path) -> None:
    """`-o` writes the calendar bytes as they are (CRLF kept), through the real console entry point."""
    out = tmp_path / "due.ics"
    env = {k: v for k, v in os.environ.items() if k != "QMS_LANG"}
    proc = subprocess.run([sys.executable, "-m", "qms", "--root", str(small_repo), "due", "--as-of", "2026-06-01",
                           "--within", "12m", "--format", "ics", "-o", str(out)],
                          capture_output=True, text=True, env=env, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    raw = out.read_bytes()
    assert raw.startswith(b"BEGIN:VCALENDAR\r\n") and raw.endswith(b"END:VCALENDAR\r\n")
    _cal, events = parse_ics(raw.decode("utf-8"))
    assert len(events) == len(EXPECTED)


def test_example_repository(run_qms: Callable[..., Any], example_copy: Path,
                            monkeypatch: pytest.MonkeyPatch) -> None:
    """On the example organisation: open NC actions, review actions, programme audits, overdue flags."""
    monkeypatch.delenv("QMS_LANG", raising=False)
    data = _due_json(run_qms, example_copy, "--as-of", "2026-12-06", "--within", "30d")
    assert data["lang"] == "vi"  # organisation.default_language
    items = {i["ref"]: i for i in data["items"]}
    assert items["NC-2026-0002/CA-1"]["date"] == "2026-12-15" and not items["NC-2026-0002/CA-1"]["overdue"]
    assert items["NC-2026-0002/CA-1"]["owner"] == "Chánh Văn phòng HĐND và UBND"
    assert "NC-2026-0001/CA-1" not in items  # closed NC
    assert items["MR-2026-01/A1"]["date"] == "2026-12-31"
    assert "MR-2026-01/A2" not in items  # done
    assert items["AUD-2026-02"]["overdue"] and items["AUD-2026-02"]["date"] == "2026-01-31"
    assert "AUD-2026-01" not in items  # closed audit
    assert items["QT-HT-01"]["date"] == "2027-01-05" and items["QT-HT-01"]["kind"] == "document"
    assert all(i["date"] <= "2027-01-05" for i in data["items"])
    assert all(i["overdue"] == (i["date"] < "2026-12-06") for i in data["items"])
    dates = [i["date"] for i in data["items"]]
    assert dates == sorted(dates)
    later = _due_json(run_qms, example_copy, "--as-of", "2027-07-01", "--within", "30d")
    review = next(i for i in later["items"] if i["kind"] == "review")
    assert review["date"] == "2027-07-10" and review["ref"] == "after:MR-2026-01"
    assert "_" not in review["owner"]


def test_unreadable_record_is_named_not_silently_dropped(run_qms: Callable[..., Any], example_copy: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A nonconformity or audit file broken by a hand edit is named in a warning (path:line:col), and a
    programme entry whose audit file exists but cannot be read is not announced as "to plan"."""
    monkeypatch.delenv("QMS_LANG", raising=False)
    nc = example_copy / "records" / "nonconformities" / "NC-2026-0002.yaml"
    nc.write_text(nc.read_text(encoding="utf-8").replace("severity: minor", "severity: [minor", 1), encoding="utf-8")
    audit = example_copy / "audits" / "AUD-2026-01.yaml"
    audit.write_text(audit.read_text(encoding="utf-8").replace("  date: 2026-01-27", "  date: 2026-13-45", 1),
                     encoding="utf-8")
    r = run_qms("--lang", "en", "--root", str(example_copy), "due", "--as-of", "2026-12-06", "--format", "json")
    assert r.exit_code == 0, r.stderr
    refs = {i["ref"] for i in json.loads(r.stdout)["items"]}
    assert "AUD-2026-01" not in refs
    assert "warning: records/nonconformities/NC-2026-0002.yaml:" in r.stderr
    assert "warning: audits/AUD-2026-01.yaml:" in r.stderr
    assert "qms check" in r.stderr


def test_a_date_on_a_day_off_is_overdue_after_the_next_working_day(run_qms: Callable[..., Any],
                                                                    small_repo: Path) -> None:
    """An action due on a day off (30/04/2026, then 1/5 and the weekend) runs to the end of the next working
    day, Monday 4/5, as `qms nc list --overdue` decides it: `qms due` on that Monday does not call it
    overdue (it did, from the day after the holiday), the day after does."""
    path = small_repo / "records" / "nonconformities" / "NC-2026-0001.yaml"
    path.write_text(NC_PLANNED.replace("due: 2026-05-20", "due: 2026-04-30"), encoding="utf-8")
    flags = {as_of: {i["ref"]: i["overdue"] for i in _due_json(run_qms, small_repo, "--as-of", as_of)["items"]}
             for as_of in ("2026-05-02", "2026-05-04", "2026-05-05")}
    assert [flags[d]["NC-2026-0001/CA-1"] for d in ("2026-05-02", "2026-05-04", "2026-05-05")] == [False, False, True]
