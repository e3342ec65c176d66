"""Issue 16 item 9: `qms calendar holidays` names weekdays in the language of messages."""

from __future__ import annotations

import os
import subprocess
import sys


def _holidays(*lang: str) -> str:
    env = {**os.environ, "QMS_LANG": "en"}  # English unless --lang says otherwise
    res = subprocess.run([sys.executable, "-m", "qms", *lang, "calendar", "holidays", "2027"],
                         capture_output=True, text=True, env=env, timeout=120, check=False)
    assert res.returncode == 0, res.stderr
    return res.stdout


def test_weekdays_follow_the_language() -> None:
    """Item 9: 2027-01-01 is "Thứ 6" under --lang vi (it was strftime's English "Fri"); English unchanged."""
    vi = _holidays("--lang", "vi")
    assert "01/01/2027  Thứ 6  ngày nghỉ" in vi, vi
    assert not any(f"  {d}  " in vi for d in ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")), vi
    assert "01/01/2027  Fri  day off" in _holidays()
