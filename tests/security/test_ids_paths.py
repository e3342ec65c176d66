"""F5: ids are validated before they touch a path; record paths are confined to their folder.

Every case runs the real command line on a copy of the example repository and checks three things:
the exit code, the message (the expected id pattern is named), and that nothing was written, inside
the repository or outside it. The issue's own case runs `python -m qms` as a subprocess; the many
variants after it call the same entry point (`qms.cli.main.main`) in-process, which proves the same
refusals without an interpreter start per case.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from ids_helpers import example_repo, snapshot
from ids_helpers import qms as qms_subprocess
from ids_helpers import qms_in_process as qms

NC_ARGS: dict[str, tuple[str, ...]] = {
    "show": (),
    "correct": ("--description", "contained", "--by", "Vũ Thị Giang"),
    "analyse": ("--method", "five-why", "--why", "w", "--root-cause", "r", "--similar", "none", "--by", "x"),
    "plan": ("--action", "a", "--owner", "o", "--due", "10wd", "--by", "x"),
    "implement": ("--by", "x"),
    "verify": ("--effective", "yes", "--evidence", "e", "--by", "x"),
    "close": ("--by", "x"),
    "reject": ("--reason", "r", "--by", "x"),
    "reopen": ("--reason", "r", "--by", "x"),
    "renumber": ("--by", "x"),
}


@pytest.fixture
def world(tmp_path: Path) -> tuple[Path, Path]:
    """The repository and, beside it, a directory outside it holding a valid-looking record."""
    root = example_repo(tmp_path)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    src = root / "records" / "nonconformities" / "NC-2026-0002.yaml"
    (outside / "v.yaml").write_bytes(src.read_bytes())
    return root, outside


def _bad_ids(root: Path, outside: Path) -> list[str]:
    return ["../../../elsewhere/v", str(outside / "v"), "NC-2026-0001/../../x", "NC-2026-0001/../NC-2026-0002",
            "..", "NC-2026-0001\n::error::x"]


@pytest.mark.parametrize("command", sorted(NC_ARGS))
def test_nc_commands_refuse_path_like_ids(world: tuple[Path, Path], command: str) -> None:
    """F5: `qms nc <command> ../../../elsewhere/v` (and absolute, `NC-…/../../x` ids) exits 2, names the
    id pattern and reads or writes nothing."""
    root, outside = world
    for bad in _bad_ids(root, outside):
        before = snapshot(root, outside)
        r = qms(root, "nc", command, bad, *NC_ARGS[command])
        assert r.returncode == 2, (bad, r.stdout, r.stderr)
        assert "is not a valid nonconformity id" in r.stderr
        assert "NC-2026-0001 (pattern" in r.stderr
        assert "Traceback" not in r.stderr
        assert snapshot(root, outside) == before, f"{command} {bad!r} wrote something"
        assert not any(line.lstrip().startswith("::") for line in r.stderr.splitlines())


def test_issue_case_nc_correct_elsewhere(world: tuple[Path, Path]) -> None:
    """F5: the issue's case: `qms nc correct ../../../elsewhere/v` no longer pulls a record into the register."""
    root, outside = world
    register = root / "records" / "nonconformities"
    before = sorted(p.name for p in register.iterdir())
    files = snapshot(root, outside)
    r = qms_subprocess(root, "nc", "correct", "../../../elsewhere/v", "--description", "x", "--by", "y")
    assert r.returncode == 2
    assert "pattern NC-\\d{4}-\\d{4,}" in r.stderr
    assert sorted(p.name for p in register.iterdir()) == before  # not even a .lock
    assert snapshot(root, outside) == files


@pytest.fixture
def linked(world: tuple[Path, Path]) -> tuple[Path, Path, Path]:
    """A record that is a symbolic link to a file outside the repository."""
    root, outside = world
    link = root / "records" / "nonconformities" / "NC-2026-0099.yaml"
    text = (outside / "v.yaml").read_text(encoding="utf-8").replace("NC-2026-0002", "NC-2026-0099")
    (outside / "v.yaml").write_text(text, encoding="utf-8")
    os.symlink(outside / "v.yaml", link)
    return root, outside, link


@pytest.mark.parametrize("command", ["show", "correct", "close", "reopen", "renumber"])
def test_a_record_linked_outside_is_refused(linked: tuple[Path, Path, Path], command: str) -> None:
    """F5: a well-formed id whose file is a link leading out of the repository: exit 2, nothing read or written."""
    root, outside, _link = linked
    before = snapshot(root, outside)
    r = qms(root, "nc", command, "NC-2026-0099", *NC_ARGS[command])
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert "leads outside records/nonconformities/" in r.stderr
    assert snapshot(root, outside) == before


def test_listing_skips_a_record_linked_outside(linked: tuple[Path, Path, Path]) -> None:
    """F5: `nc list` never shows a linked-out record; it warns, and `qms check` reports it as a finding."""
    root, outside, _link = linked
    before = snapshot(outside)
    r = qms(root, "nc", "list", "--format", "json", "--no-cache")
    assert r.returncode == 1, r.stderr  # the listing goes on, but is incomplete: exit 1
    assert "NC-2026-0099" not in r.stdout
    assert "records/nonconformities/NC-2026-0099.yaml is not a readable record" in r.stderr
    r = qms(root, "nc", "stats", "--format", "json")
    assert r.returncode == 1  # the figures leave a file out: warned, and exit 1 as for the listing
    assert "records/nonconformities/NC-2026-0099.yaml is not a readable record" in r.stderr
    assert json.loads(r.stdout)["total"] == len(list((root / "records" / "nonconformities").glob("NC-*.yaml"))) - 1
    check = qms(root, "check", "--no-cache")
    assert check.returncode == 1
    assert "NC-2026-0099.yaml" in check.stdout and "points outside the repository" in check.stdout
    assert snapshot(outside) == before


def test_a_record_linked_elsewhere_inside_the_repository_is_refused(world: tuple[Path, Path]) -> None:
    """F5: confinement is to the kind's folder: a record linked to a file in processes/ is refused too."""
    root, _outside = world
    os.symlink(root / "processes" / "QT-HT-01.yaml", root / "records" / "nonconformities" / "NC-2026-0098.yaml")
    r = qms(root, "nc", "show", "NC-2026-0098")
    assert r.returncode == 2
    assert "leads outside records/nonconformities/" in r.stderr


def test_a_register_folder_linked_outside_is_refused(world: tuple[Path, Path]) -> None:
    """F5: `records/nonconformities` itself a link to another place: every lookup is refused."""
    root, outside = world
    register = root / "records" / "nonconformities"
    moved = outside / "register"
    register.rename(moved)
    os.symlink(moved, register)
    before = snapshot(moved)
    for args in (("nc", "show", "NC-2026-0001"),
                 ("nc", "correct", "NC-2026-0003", "--description", "d", "--by", "x")):
        r = qms(root, *args)
        assert r.returncode == 2, (args, r.stderr)
        assert "leads outside" in r.stderr
    assert snapshot(moved) == before


AUDIT_COMMANDS: list[tuple[str, ...]] = [
    ("show", "{id}"),
    ("show", "{id}", "--format", "json"),
    ("checklist", "{id}"),
    ("record", "{id}", "--remaining", "--result", "conforming"),
    ("finding", "{id}", "--grade", "ofi", "--statement", "s"),
    ("report", "{id}", "--summary", "s", "--conclusions", "c", "--by", "x"),
    ("close", "{id}", "--by", "x"),
    ("plan", "{id}", "--date", "2026-06-01", "--process", "QT-HT-01", "--lead", "x"),
]


@pytest.mark.parametrize("args", AUDIT_COMMANDS, ids=lambda a: "-".join(a[:1] + a[2:3]))
def test_audit_commands_refuse_path_like_ids(world: tuple[Path, Path], args: tuple[str, ...]) -> None:
    """F5: `qms audit <command>` with `../`, absolute and `AUD-…/../../x` ids exits 2 and writes nothing."""
    root, outside = world
    (outside / "a.yaml").write_bytes((root / "audits" / "AUD-2026-01.yaml").read_bytes())
    for bad in ("../../elsewhere/a", str(outside / "a"), "AUD-2026-01/../../../elsewhere/a", "AUD-2026-01/."):
        before = snapshot(root, outside)
        r = qms(root, "audit", *(a.format(id=bad) for a in args))
        assert r.returncode == 2, (bad, r.stdout, r.stderr)
        assert "is not a valid audit id" in r.stderr
        assert "AUD-2026-01 (pattern" in r.stderr
        assert snapshot(root, outside) == before


def test_an_audit_linked_outside_is_refused(world: tuple[Path, Path]) -> None:
    """F5: `audits/AUD-2026-09.yaml` linked to a file outside: `audit show` and `audit list` refuse it (exit 2)."""
    root, outside = world
    text = (root / "audits" / "AUD-2026-01.yaml").read_text(encoding="utf-8").replace("AUD-2026-01", "AUD-2026-09")
    (outside / "a.yaml").write_text(text, encoding="utf-8")
    os.symlink(outside / "a.yaml", root / "audits" / "AUD-2026-09.yaml")
    before = snapshot(outside)
    for args in (("audit", "show", "AUD-2026-09"), ("audit", "list"),
                 ("audit", "close", "AUD-2026-09", "--by", "x")):
        r = qms(root, *args)
        assert r.returncode == 2, (args, r.stdout, r.stderr)
        assert "leads outside audits/" in r.stderr
    assert snapshot(outside) == before


def test_review_new_refuses_a_review_folder_linked_outside(world: tuple[Path, Path]) -> None:
    """F5: `records/reviews` linked to a directory outside: `qms review new` writes nothing there (exit 2)."""
    root, outside = world
    reviews = root / "records" / "reviews"
    target = outside / "reviews"
    if reviews.exists():
        reviews.rename(target)
    else:
        target.mkdir()
    os.symlink(target, reviews)
    before = snapshot(target)
    r = qms(root, "review", "new", "--period", "2026-01..2026-06", "--date", "2026-07-01")
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert "leads outside records/reviews/" in r.stderr
    assert snapshot(target) == before


def test_review_new_writes_inside_its_folder(world: tuple[Path, Path]) -> None:
    """F5 (control case): a plain `records/reviews` folder still gets its new record."""
    root, _outside = world
    r = qms(root, "review", "new", "--period", "2026-01..2026-06", "--date", "2026-07-01")
    assert r.returncode == 0, r.stderr
    assert "created records/reviews/MR-2026-" in r.stdout


@pytest.mark.parametrize("command", [
    ("doc", "history", "{id}"),
    ("doc", "show", "{id}"),
    ("doc", "revise", "{id}", "--summary", "s", "--by", "x"),
    ("doc", "approve", "{id}", "--as", "reviewer", "--by", "x"),
    ("render", "procedure", "{id}", "-o", "{out}"),
], ids=lambda a: "-".join(a[:2]))
def test_document_and_process_ids_are_checked(world: tuple[Path, Path], command: tuple[str, ...]) -> None:
    """F5: doc and render commands refuse ids with path separators or line breaks, exit 2, write nothing."""
    root, outside = world
    out = outside / "out.pdf"
    bad_ids = ["../../etc/passwd", "QT-HT-01\n::error::forged"] + (
        [str(root / "processes" / "QT-HT-01")] if command[0] == "render" else [])
    for bad in bad_ids:
        before = snapshot(root, outside)
        r = qms(root, *(a.format(id=bad, out=out) for a in command))
        assert r.returncode == 2, (bad, r.stdout, r.stderr)
        assert "Traceback" not in r.stderr
        assert not any(line.lstrip().startswith("::") for line in (r.stdout + r.stderr).splitlines())
        assert snapshot(root, outside) == before
        assert not out.exists()


def test_process_file_linked_outside_is_a_finding(world: tuple[Path, Path]) -> None:
    """F5: a process file found by listing that links outside the repository is never loaded; check reports it."""
    root, outside = world
    (outside / "p.yaml").write_bytes((root / "processes" / "QT-HT-01.yaml").read_bytes())
    os.symlink(outside / "p.yaml", root / "processes" / "QT-ZZ-99.yaml")
    r = qms(root, "check", "--no-cache")
    assert r.returncode == 1
    assert "processes/QT-ZZ-99.yaml" in r.stdout and "points outside the repository" in r.stdout


def test_a_record_in_a_symlink_loop_is_refused(world: tuple[Path, Path]) -> None:
    """F5: a record that is a link loop is refused with a message (exit 2), listing skips it, nothing is written."""
    root, _outside = world
    register = root / "records" / "nonconformities"
    os.symlink(register / "NC-2026-0097.yaml", register / "NC-2026-0096.yaml")
    os.symlink(register / "NC-2026-0096.yaml", register / "NC-2026-0097.yaml")
    before = snapshot(root)
    r = qms(root, "nc", "show", "NC-2026-0096")
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert "Traceback" not in r.stderr and "internal error" not in r.stderr
    r = qms(root, "nc", "list", "--no-cache", "--format", "json")
    assert r.returncode == 1, r.stderr
    assert "NC-2026-0096" not in r.stdout
    assert snapshot(root) == before
