"""A closed record is sealed: a hand edit after closing is reported by `qms check`, `nc show` and `nc list`."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest
from nc_helpers import load_nc

from qms.registers import nc as reg

NC = "NC-2026-0001"
FILE = f"records/nonconformities/{NC}.yaml"
BASE = Path(__file__).resolve().parent.parent / "rules" / "base"


def _close(root: Path, nc_id: str) -> None:
    d = dt.date
    reg.correct(root, nc_id, description="Trả kết quả, xin lỗi", by="Lê Văn Cường", today=d(2026, 3, 2))
    reg.analyse(root, nc_id, method="five_why", whys=["Chờ ký"], root_cause="Chưa ủy quyền ký thay",
                similar="Không có", by="Lê Văn Cường", today=d(2026, 3, 3))
    reg.plan(root, nc_id, action="Ban hành quyết định ủy quyền", owner="chu_tich", due=d(2026, 3, 20),
             by="Lê Văn Cường", today=d(2026, 3, 4))
    reg.implement(root, nc_id, by="Lê Văn Cường", today=d(2026, 3, 16))
    reg.verify(root, nc_id, effective=True, evidence="Không còn hồ sơ trễ", by="Trần Thị Bình", today=d(2026, 4, 20))
    reg.close(root, nc_id, by="Trần Thị Bình", today=d(2026, 4, 21))


@pytest.fixture(scope="module")
def _sealed_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("seal") / "repo"
    shutil.copytree(BASE, root)
    reg.create_nc(root, process="QT-01", title="Trả kết quả trễ hạn", description="Hồ sơ chứng thực trả trễ 1 ngày",
                  source="late_dossier", severity="minor", clause="8.5.1", by="Lê Văn Cường",
                  today=dt.date(2026, 3, 2))
    _close(root, NC)
    return root


@pytest.fixture
def sealed(_sealed_template: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(_sealed_template, tmp_path / "repo"))


def _qms513(run_qms: Any, root: Path) -> Any:
    return run_qms("--root", str(root), "check", "--today", "2026-06-01", "--select", "QMS5",
                   "--format", "json")


def test_hand_edit_of_a_closed_record_is_reported_everywhere(sealed: Path, run_qms: Any) -> None:
    """R8 item 1: closing seals the record; changing its root cause in a text editor afterwards is reported
    by `qms check` (QMS513, path, line, hint), `nc show` and `nc list` (exit 1), and `nc amend` refuses to
    seal the edit over; a layout-only edit (a comment) is not a change."""
    import json

    path = sealed / FILE
    nc = load_nc(path)
    assert nc.status == "closed" and nc.history[-1].seal and nc.history[-1].seal.startswith("sha256:")
    assert json.loads(_qms513(run_qms, sealed).stdout)["diagnostics"] == []
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("closed_on: 2026-04-21", "closed_on: 2026-04-21  # checked by Bình"),
                    encoding="utf-8")
    assert json.loads(_qms513(run_qms, sealed).stdout)["diagnostics"] == []

    path.write_text(text.replace("root_cause: Chưa ủy quyền ký thay", "root_cause: Lỗi của công dân"),
                    encoding="utf-8")
    edited = path.read_bytes()
    r = _qms513(run_qms, sealed)
    assert r.exit_code == 1
    [diag] = json.loads(r.stdout)["diagnostics"]
    assert (diag["code"], diag["path"]) == ("QMS513", FILE)
    seal_line = next(i for i, ln in enumerate(text.splitlines(), 1) if ln.strip().startswith("seal:"))
    assert diag["line"] == seal_line
    assert f"qms nc reopen {NC}" in diag["hint"] and f"git log -p -- {FILE}" in diag["hint"]

    shown = run_qms("--root", str(sealed), "nc", "show", NC)
    assert shown.exit_code == 1 and "QMS513" in shown.stderr and FILE in shown.stderr
    assert "Lỗi của công dân" in shown.stdout
    listed = run_qms("--root", str(sealed), "nc", "list", "--format", "json")
    assert listed.exit_code == 1 and "QMS513" in listed.stderr
    assert json.loads(listed.stdout)[0]["altered"] is True
    amend = run_qms("--root", str(sealed), "nc", "amend", NC, "--field", "severity", "--value", "major",
                    "--reason", "r", "--by", "Trần Thị Bình", "--date", "2026-05-01")
    assert amend.exit_code == 1 and "QMS513" not in amend.stderr and "qms nc reopen" in amend.stderr
    assert path.read_bytes() == edited  # the edit is not sealed over
    copy = sealed / "records" / "nonconformities" / "NC-2026-0009.yaml"
    copy.write_bytes(edited)  # a duplicate of the edited record: renumbering it would seal the edit too
    moved = run_qms("--root", str(sealed), "nc", "renumber", NC, "--by", "Trần Thị Bình")
    assert moved.exit_code == 1 and "qms nc reopen" in moved.stderr and copy.read_bytes() == edited
    copy.unlink()

    reopened = run_qms("--root", str(sealed), "nc", "reopen", NC, "--reason", "root cause revised",
                       "--by", "Trần Thị Bình", "--date", "2026-05-01")
    assert reopened.exit_code == 0, reopened.stderr
    assert json.loads(_qms513(run_qms, sealed).stdout)["diagnostics"] == []


def test_legitimate_steps_on_closed_records_keep_the_seal(sealed: Path, run_qms: Any) -> None:
    """R8 item 1: amend, reject and reopen reseal or unseal as they should and `qms check` stays clean; a
    seal removed from the last step while an earlier step is sealed is reported."""
    import json

    copy = sealed / "records" / "nonconformities" / "NC-2026-0009.yaml"
    shutil.copyfile(sealed / FILE, copy)  # a closed record copied by hand: renumbering moves and reseals it
    r = run_qms("--root", str(sealed), "nc", "renumber", NC, "--by", "Trần Thị Bình", "--date", "2026-05-02")
    assert r.exit_code == 0, r.stderr
    [new_file] = [p for p in copy.parent.glob("NC-*.yaml") if p.name != f"{NC}.yaml"]
    moved = load_nc(new_file)
    assert not copy.exists() and moved.history[-1].transition == "renumber" and moved.history[-1].seal
    r = run_qms("--root", str(sealed), "nc", "amend", NC, "--field", "severity", "--value", "major",
                "--reason", "Đánh giá lại", "--by", "Trần Thị Bình", "--date", "2026-05-04")
    assert r.exit_code == 0, r.stderr
    nc = load_nc(sealed / FILE)
    assert nc.history[-1].transition == "amend" and nc.history[-1].seal not in (None, nc.history[-2].seal)
    reg.reopen(sealed, NC, reason="Phát hiện thêm", by="Trần Thị Bình", today=dt.date(2026, 5, 5))
    assert load_nc(sealed / FILE).history[-1].seal is None
    reg.reject(sealed, NC, reason="Không phải điểm không phù hợp", by="Trần Thị Bình", today=dt.date(2026, 5, 6))
    assert load_nc(sealed / FILE).history[-1].seal
    assert json.loads(_qms513(run_qms, sealed).stdout)["diagnostics"] == []
    listed = run_qms("--root", str(sealed), "nc", "list")
    assert listed.exit_code == 0 and "QMS513" not in listed.stderr

    path = sealed / FILE
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    last_seal = max(i for i, ln in enumerate(lines) if ln.strip().startswith("seal:"))
    path.write_text("".join(lines[:last_seal] + lines[last_seal + 1:]), encoding="utf-8")
    [diag] = json.loads(_qms513(run_qms, sealed).stdout)["diagnostics"]
    assert diag["code"] == "QMS513" and "no seal" in diag["message"]


def test_register_report_refuses_to_leave_out_an_unreadable_record(sealed: Path, run_qms: Any) -> None:
    """R8: `nc report` wrote the register without a record whose file no longer reads (a date that does not
    exist), exit 0; now it names the file, writes nothing and exits 2."""
    path = sealed / FILE
    path.write_text(path.read_text(encoding="utf-8").replace("raised_on: 2026-03-02", "raised_on: 2026-31-12"),
                    encoding="utf-8")
    html = sealed.parent / "register.html"
    r = run_qms("--root", str(sealed), "nc", "report", "-o", str(html))
    assert r.exit_code == 2 and FILE in r.stderr and "qms check" in r.stderr
    assert not html.exists()


def _legacy(root: Path) -> Path:
    """The closed record as an earlier version of qms left it: no seal anywhere in its history."""
    import re

    path = root / FILE
    path.write_text(re.sub(r"(?m)^\s+seal: sha256:[0-9a-f]+\n", "", path.read_text(encoding="utf-8")),
                    encoding="utf-8")
    assert "seal:" not in path.read_text(encoding="utf-8")
    return path


def _git(root: Path, *args: str) -> None:
    import subprocess

    subprocess.run(["git", "-c", "user.name=T", "-c", "user.email=t@example.org", *args], cwd=root, check=True,
                   capture_output=True)


def test_a_record_closed_before_seals_existed_is_sealed_as_it_stands(sealed: Path, run_qms: Any) -> None:
    """`qms nc seal` seals a legacy closed record with a `seal` entry (who, when, the digest): from then on
    a hand edit is reported (QMS513). Sealing again, sealing an open record and giving no id are refused."""
    path = _legacy(sealed)
    assert _qms513(run_qms, sealed).exit_code == 0  # not checked: nothing to check it against
    res = run_qms("--root", str(sealed), "nc", "seal", NC, "--by", "Nguyễn Văn An", "--date", "2026-05-02")
    assert res.exit_code == 0, res.stderr
    assert f"{NC}: sealed (closed)" in res.stdout
    nc = load_nc(path)
    last = nc.history[-1]
    assert (last.transition, last.status, last.by, last.day) == ("seal", "closed", "Nguyễn Văn An",
                                                                 dt.date(2026, 5, 2))
    assert last.seal is not None and "sealed as it stands" in last.note and nc.status == "closed"
    assert _qms513(run_qms, sealed).exit_code == 0  # the sealed record is consistent (history, seal)
    again = run_qms("--root", str(sealed), "nc", "seal", NC)
    assert again.exit_code == 2 and "already sealed" in again.stderr
    assert run_qms("--root", str(sealed), "nc", "seal", "--all").stdout.strip() == "no closed or rejected record is unsealed"
    path.write_text(path.read_text(encoding="utf-8").replace("Chưa ủy quyền ký thay", "Do công dân"), encoding="utf-8")
    edited = _qms513(run_qms, sealed)
    assert edited.exit_code == 1 and "QMS513" in edited.stdout
    reg.create_nc(sealed, process="QT-01", title="Mở", description="Còn mở", source="complaint", severity="minor",
                  by="Lê Văn Cường", today=dt.date(2026, 5, 3))
    open_one = run_qms("--root", str(sealed), "nc", "seal", "NC-2026-0002", "--by", "an")
    assert open_one.exit_code == 1 and "cannot seal" in open_one.stderr
    none = run_qms("--root", str(sealed), "nc", "seal")
    assert none.exit_code == 2 and "--all" in none.stderr and "Traceback" not in none.stderr


def test_in_git_only_a_committed_record_is_sealed(sealed: Path, run_qms: Any) -> None:
    """In a git repository the seal covers what git holds: a record with changes not committed (or never
    committed) is refused, with the path and what to do; committed, it is sealed (`--all`, in Vietnamese)."""
    path = _legacy(sealed)
    _git(sealed, "init", "-q")
    before = path.read_bytes()
    untracked = run_qms("--root", str(sealed), "nc", "seal", "--all", "--by", "Nguyễn Văn An")
    assert untracked.exit_code == 2 and f"{FILE} has changes that are not committed" in untracked.stderr
    assert "git restore" in untracked.stderr and path.read_bytes() == before
    _git(sealed, "add", "-A")
    _git(sealed, "commit", "-q", "-m", "records")
    path.write_text(path.read_text(encoding="utf-8").replace("Chưa ủy quyền ký thay", "Do công dân"), encoding="utf-8")
    edited = run_qms("--root", str(sealed), "nc", "seal", NC, "--by", "Nguyễn Văn An")
    assert edited.exit_code == 2 and "not committed" in edited.stderr
    _git(sealed, "checkout", "--", FILE)
    vi = run_qms("--root", str(sealed), "--lang", "vi", "nc", "seal", "--all", "--by", "Nguyễn Văn An")
    assert vi.exit_code == 0, vi.stderr
    assert f"{NC}: đã niêm phong (đã đóng)" in vi.stdout
    assert load_nc(path).history[-1].transition == "seal"
