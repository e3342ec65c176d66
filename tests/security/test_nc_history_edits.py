"""F11: hand edits of a nonconformity's history and dates that `qms check` used to miss.

A record is written by the real `qms nc` commands (subprocesses), then edited by hand the way a
careless or dishonest editor would. `qms check` (a subprocess too) must exit 1 and name the rule at
the line of the edited value.
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
TODAY = "2026-06-01"


def _qms(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QMS_LANG": "en"}
    return subprocess.run([sys.executable, "-m", "qms", *args], cwd=root, capture_output=True, text=True,
                          env=env, timeout=120, check=False)


def _ok(root: Path, *args: str) -> None:
    r = _qms(root, *args)
    assert r.returncode == 0, r.stdout + r.stderr


@pytest.fixture(scope="module")
def closed_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A repository holding NC-2026-0001 taken from `nc new` to `nc close` by the command line."""
    root = tmp_path_factory.mktemp("nc-history") / "repo"
    shutil.copytree(BASE, root)
    nc = "NC-2026-0001"
    _ok(root, "nc", "new", "--process", "QT-01", "--title", "Trả kết quả trễ hạn", "--description",
        "Hồ sơ chứng thực trả trễ 1 ngày", "--source", "late_dossier", "--severity", "minor", "--clause",
        "8.5.1", "--by", "Lê Văn Cường", "--date", "2026-03-02")
    _ok(root, "nc", "correct", nc, "--description", "Trả kết quả, xin lỗi công dân", "--by", "Lê Văn Cường",
        "--date", "2026-03-02")
    _ok(root, "nc", "analyse", nc, "--method", "five-why", "--why", "Chờ ký", "--root-cause",
        "Chưa có ủy quyền ký thay", "--similar", "Rà soát QT-01: không có", "--by", "Lê Văn Cường", "--date", "2026-03-03")
    _ok(root, "nc", "plan", nc, "--action", "Ban hành quyết định ủy quyền", "--owner", "chu_tich", "--due",
        "2026-03-20", "--by", "Lê Văn Cường", "--date", "2026-03-04")
    _ok(root, "nc", "implement", nc, "--by", "Lê Văn Cường", "--date", "2026-03-16")
    _ok(root, "nc", "verify", nc, "--effective", "yes", "--evidence", "Sổ theo dõi tháng 4 không có hồ sơ trễ",
        "--by", "Trần Thị Bình", "--date", "2026-04-20")
    _ok(root, "nc", "close", nc, "--by", "Trần Thị Bình", "--date", "2026-04-21")
    return root


def _check(root: Path) -> tuple[int, list[dict[str, object]]]:
    r = _qms(root, "check", "--no-cache", "--select", "QMS5", "--today", TODAY, "--format", "json")
    assert r.returncode in (0, 1), r.stdout + r.stderr
    return r.returncode, json.loads(r.stdout)["diagnostics"]


def _edit(root: Path, pattern: str, replacement: str) -> int:
    """Replace the one match of ``pattern`` in the record; return the (1-based) line it is on."""
    path = root / NC
    text = path.read_text(encoding="utf-8")
    matches = list(re.finditer(pattern, text, flags=re.MULTILINE))
    assert len(matches) == 1, (pattern, text)
    m = matches[0]
    path.write_text(text[:m.start()] + m.expand(replacement) + text[m.end():], encoding="utf-8")
    return text.count("\n", 0, m.start()) + 1


def test_untouched_record_passes(closed_repo: Path, tmp_path: Path) -> None:
    """F11 baseline: the record as `qms nc` wrote it passes every QMS5xx rule."""
    root = tmp_path / "repo"
    shutil.copytree(closed_repo, root)
    assert _check(root) == (0, [])


EDITS = [
    pytest.param(r"^raised_on: 2026-03-02$", "raised_on: 2026-03-05", "QMS510",
                 id="raised_on later than the first history entry"),
    pytest.param(r"^closed_on: 2026-04-21$", "closed_on: 2026-04-15", "QMS510",
                 id="closed_on earlier than the close entry"),
    pytest.param(r"^  done: 2026-03-16\n", "", "QMS511",
                 id="closed with an action that was never implemented"),
    pytest.param(r"^- date: 2026-04-21\n(?=  recorded_at:)", "- date: 2099-04-21\n", "QMS512",
                 id="a history entry dated 2099"),
    pytest.param(r"^  date: 2026-03-02$", "  date: 2026-02-27", "QMS510",
                 id="a correction dated before raised_on"),
    pytest.param(r"^- date: 2026-04-20\n(?=  by:)", "- date: 2026-03-10\n", "QMS510",
                 id="an effectiveness review dated before implementation"),
    pytest.param(r"^- date: 2026-03-03\n(?=  recorded_at:)", "- date: 2026-03-01\n", "QMS508",
                 id="history entries out of chronological order"),
    pytest.param(r"^status: closed$", "status: verified", "QMS508",
                 id="a status that does not match the last transition"),
]


@pytest.mark.parametrize(("pattern", "replacement", "code"), EDITS)
def test_hand_edit_is_found(closed_repo: Path, tmp_path: Path, pattern: str, replacement: str, code: str) -> None:
    """F11: each hand edit of a record written by `qms nc` makes `qms check` exit 1 with the rule at
    the edited line (for a removed `done:`, the action it was removed from)."""
    root = tmp_path / "repo"
    shutil.copytree(closed_repo, root)
    line = _edit(root, pattern, replacement)
    if code == "QMS511":
        line = next(i for i, text in enumerate((root / NC).read_text(encoding="utf-8").splitlines(), 1)
                    if text == "- id: CA-1")
    rc, diagnostics = _check(root)
    assert rc == 1
    found = [(d["code"], d["path"], d["line"]) for d in diagnostics]
    assert (code, NC, line) in found, found
    hit = next(d for d in diagnostics if (d["code"], d["line"]) == (code, line))
    assert hit["hint"], hit
