"""`qms announce` through the real entry point (a subprocess), and QMS157 on what it wrote."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import yaml


def qms(root: Path, *args: str, lang: str = "en") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QMS_LANG": lang}
    return subprocess.run([sys.executable, "-m", "qms", "--root", str(root), *args], capture_output=True,
                          text=True, env=env, timeout=180, check=False)


def findings(root: Path, today: str | None = None) -> list[dict[str, object]]:
    args = ["check", "--select", "QMS157", "--format", "json"] + (["--as-of", today] if today else [])
    out = qms(root, *args)
    assert out.returncode in (0, 1), out.stderr
    return [d for d in json.loads(out.stdout)["diagnostics"] if d["code"] == "QMS157"]


def test_announce_writes_a_record_and_check_is_clean(example_copy: Path) -> None:
    """The record holds the date, who, the note, the fingerprint and the three parts; check is then clean."""
    for old in (example_copy / "records" / "announcements").glob("*.yaml"):
        old.unlink()
    out = qms(example_copy, "announce", "--date", "2026-02-02", "--by", "nguyen_van_an", "--note", "QĐ số 7")
    assert out.returncode == 0, out.stderr
    path = example_copy / "records" / "announcements" / "CB-2026-01.yaml"
    assert "CB-2026-01" in out.stdout and path.is_file()
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert str(data["date"]) == "2026-02-02" and data["by"] == "nguyen_van_an" and data["note"] == "QĐ số 7"
    assert len(data["fingerprint"]) == 64
    assert set(data["parts"]) == {"scope", "applicability", "processes"}
    assert "QT-HT-01" in data["processes"]
    assert findings(example_copy) == []
    again = qms(example_copy, "announce", "--date", "2026-03-02", "--by", "nguyen_van_an")
    assert again.returncode == 0 and (path.parent / "CB-2026-02.yaml").is_file(), again.stderr
    assert path.read_text(encoding="utf-8").count("QĐ số 7") == 1  # the first record is never overwritten


def test_future_date_is_refused_unless_allowed(example_copy: Path) -> None:
    """A --date after today is refused (exit 2, nothing written) unless --allow-future is given."""
    folder = example_copy / "records" / "announcements"
    before = sorted(p.name for p in folder.glob("*.yaml"))
    future = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    out = qms(example_copy, "announce", "--date", future, "--by", "nguyen_van_an")
    assert out.returncode == 2 and "--allow-future" in out.stderr and "Traceback" not in out.stderr
    assert sorted(p.name for p in folder.glob("*.yaml")) == before
    ok = qms(example_copy, "announce", "--date", future, "--allow-future", "--by", "nguyen_van_an")
    assert ok.returncode == 0, ok.stderr
    assert len(list(folder.glob("*.yaml"))) == len(before) + 1
    bad = qms(example_copy, "announce", "--date", "2026-02-30", "--by", "nguyen_van_an")
    assert bad.returncode == 2 and "YYYY-MM-DD" in bad.stderr


def test_scope_change_warns_and_process_change_informs(example_copy: Path) -> None:
    """QMS157: a changed scope statement is a warning; an added process alone is an info finding."""
    for old in (example_copy / "records" / "announcements").glob("*.yaml"):
        old.unlink()
    assert qms(example_copy, "announce", "--date", "2026-02-02", "--by", "nguyen_van_an").returncode == 0
    proc = example_copy / "processes" / "QT-HT-01.yaml"
    text = proc.read_text(encoding="utf-8").replace("QT-HT-01", "QT-HT-91")
    (example_copy / "processes" / "QT-HT-91.yaml").write_text(text, encoding="utf-8")
    got = findings(example_copy)
    assert [(d["severity"], d["path"]) for d in got] == [
        ("info", "records/announcements/CB-2026-01.yaml")], got
    assert "QT-HT-91" in str(got[0]["message"])
    manifest = example_copy / "qms.yaml"
    data = manifest.read_text(encoding="utf-8")
    statement = yaml.safe_load(data)["scope"]["statement"]["vi"]
    manifest.write_text(data.replace(statement, statement + " và chứng thực", 1), encoding="utf-8")
    got = findings(example_copy)
    assert ("warning", "qms.yaml") in [(d["severity"], d["path"]) for d in got], got
    vi = qms(example_copy, "check", "--select", "QMS157", lang="vi")
    assert "phạm vi đã thay đổi sau lần công bố gần nhất" in vi.stdout, vi.stdout
    # a new announcement covers the change
    assert qms(example_copy, "announce", "--by", "nguyen_van_an").returncode == 0
    assert findings(example_copy) == []


def test_no_announcement_with_a_legal_register_suggests_one(example_copy: Path) -> None:
    """With legal/register.yaml and no announcement at all, QMS157 gives one info finding naming `qms announce`."""
    for old in (example_copy / "records" / "announcements").glob("*.yaml"):
        old.unlink()
    got = findings(example_copy)
    assert [(d["severity"], d["path"]) for d in got] == [("info", "qms.yaml")], got
    assert "qms announce" in str(got[0]["hint"])
