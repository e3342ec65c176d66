"""F12: a `+99:00` offset is not a time zone.

UTC offsets run from -12:00 to +14:00 and their minutes from 00 to 59. Everywhere qms reads a
timestamp with an offset (NC history in YAML, dates in KPI logs, `--as-of`), an offset outside that
range is refused with a message naming it, never wrapped into some other zone (`+13:60` is not
`+14:00`) and never reported as an internal error.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

BASE = Path(__file__).resolve().parent.parent / "rules" / "base"
NC = "records/nonconformities/NC-2026-0001.yaml"
BAD = ["+99:00", "+13:60", "+20:00", "-12:30", "+14:01"]
GOOD = ["+14:00", "-12:00", "+07:00", "+05:45"]


def _qms(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QMS_LANG": "en"}
    return subprocess.run([sys.executable, "-m", "qms", *args], cwd=root, capture_output=True, text=True,
                          env=env, timeout=120, check=False)


@pytest.fixture(scope="module")
def nc_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("tz") / "repo"
    shutil.copytree(BASE, root)
    r = _qms(root, "nc", "new", "--process", "QT-01", "--title", "Trả kết quả trễ hạn", "--description",
             "Hồ sơ trả trễ", "--source", "late_dossier", "--severity", "minor", "--by", "Trần Thị Bình",
             "--date", "2026-03-02")
    assert r.returncode == 0, r.stderr
    return root


def _with_offset(src: Path, dst: Path, offset: str) -> int:
    shutil.copytree(src, dst)
    path = dst / NC
    text = path.read_text(encoding="utf-8")
    # the moment the entry was written (`recorded_at`) is the history's timestamp with an offset
    new, n = re.subn(r"^  recorded_at: (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)\S*$", rf"  recorded_at: \g<1>{offset}", text,
                     flags=re.MULTILINE)
    assert n == 1
    path.write_text(new, encoding="utf-8")
    return next(i for i, line in enumerate(new.splitlines(), 1) if line.startswith("  recorded_at:"))


@pytest.mark.parametrize("offset", BAD)
def test_nc_history_offset_out_of_range_is_a_located_finding(nc_repo: Path, tmp_path: Path, offset: str) -> None:
    """F12: an NC history timestamp with an impossible UTC offset is a located finding of `qms check`
    (exit 1) and a located error of `qms nc show` (exit 2), not accepted and not a traceback."""
    line = _with_offset(nc_repo, tmp_path / "repo", offset)
    root = tmp_path / "repo"
    r = _qms(root, "check", "--no-cache", "--select", "QMS0,QMS5", "--today", "2026-06-01", "--format", "json")
    assert r.returncode == 1, r.stdout + r.stderr
    hits = [d for d in json.loads(r.stdout)["diagnostics"] if d["path"] == NC and d["line"] == line
            and offset in d["message"] and "UTC offset" in d["message"]]
    assert hits and hits[0]["hint"], r.stdout
    show = _qms(root, "nc", "show", "NC-2026-0001")
    assert show.returncode == 2, show.stdout + show.stderr
    assert f"{NC}:{line}:" in show.stderr and "UTC offset" in show.stderr and "Traceback" not in show.stderr


@pytest.mark.parametrize("offset", GOOD)
def test_nc_history_real_offsets_pass(nc_repo: Path, tmp_path: Path, offset: str) -> None:
    """F12 control: the extreme real offsets (-12:00, +14:00) and odd ones (+05:45) are accepted."""
    _with_offset(nc_repo, tmp_path / "repo", offset)
    r = _qms(tmp_path / "repo", "check", "--no-cache", "--select", "QMS0,QMS5", "--today", "2026-06-01")
    assert r.returncode == 0, r.stdout + r.stderr


HEADER = "Mã hồ sơ,Mã thủ tục,Đơn vị,Cơ chế,Ngày tiếp nhận,Ngày hẹn trả,Ngày có kết quả,Ngày trả kết quả,Trạng thái"


def _kpi_log(path: Path) -> None:
    rows = [HEADER]
    for i, offset in enumerate([*GOOD, *BAD]):
        rows.append(f"HS{i:03d},1.001,Phường 1,Một cửa,2019-01-02T08:00:00{offset},2019-01-10,2019-01-04,"
                    "2019-01-04,Đã trả kết quả")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


@pytest.mark.parametrize("engine", ["python", "polars"])
def test_kpi_offset_out_of_range_rejects_the_row(tmp_path: Path, engine: str) -> None:
    """F12: a KPI log date with an impossible UTC offset is a rejected row with its line number and
    the reason, with either reader; the rows with real offsets are counted."""
    log = tmp_path / "log.csv"
    _kpi_log(log)
    r = _qms(tmp_path, "--root", str(BASE), "kpi", "report", str(log), "--as-of", "2019-06-30", "--engine", engine,
             "--target", "0", "--format", "json")
    assert r.returncode == 0, r.stdout + r.stderr
    data = json.loads(r.stdout)
    assert (data["rows_read"], data["total"], data["rejected_rows"]) == (len(GOOD) + len(BAD), len(GOOD), len(BAD))
    got = {row["row"]: row["reason"] for row in data["rejected"]}
    for n, offset in enumerate(BAD, start=len(GOOD) + 2):  # line 1 is the header
        assert n in got and got[n].startswith("Ngày tiếp nhận:") and f"invalid UTC offset {offset}" in got[n], got


def test_as_of_with_offset_out_of_range_is_a_usage_error(tmp_path: Path) -> None:
    """F12: `--as-of 2019-06-30T08:00+99:00` is refused with exit 2 and the reason, not read as a date."""
    log = tmp_path / "log.csv"
    _kpi_log(log)
    r = _qms(tmp_path, "--root", str(BASE), "kpi", "report", str(log), "--as-of", "2019-06-30T08:00+99:00")
    assert r.returncode == 2, r.stdout + r.stderr
    assert "--as-of" in r.stderr and "invalid UTC offset +99:00" in r.stderr and "Traceback" not in r.stderr
    ok = _qms(tmp_path, "--root", str(BASE), "kpi", "report", str(log), "--as-of", "2019-06-30T08:00+14:00",
              "--target", "0")
    assert ok.returncode == 0, ok.stderr


def test_nc_date_option_takes_no_offset(nc_repo: Path, tmp_path: Path) -> None:
    """F12: the `--date` of `qms nc` commands is a plain day; a timestamp with an offset is a usage error."""
    root = tmp_path / "repo"
    shutil.copytree(nc_repo, root)
    r = _qms(root, "nc", "correct", "NC-2026-0001", "--description", "x", "--by", "binh", "--date",
             "2026-03-02T10:00+99:00")
    assert r.returncode == 2, r.stdout + r.stderr
    assert "Traceback" not in r.stderr
