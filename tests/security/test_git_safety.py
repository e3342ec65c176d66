"""Item 13: git is run safely in a repository that arrived with its own, hostile ``.git/config``.

The repository's configuration names a program for every setting that can run one (fsmonitor,
pager, hooks, external diff, textconv, filters, signature checking, editor, ssh) and aliases that
shadow the subcommands qms uses. Each program appends to one marker file. The qms commands that
call git (``check`` with a ``.qms-cache/`` present, ``doc history``, ``doc show --revision``,
``nc new`` without ``--by``) must still work and the marker must never appear. A control step proves
that plain git does run the traps.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

BASE = Path(__file__).resolve().parents[1] / "rules" / "base"
PROC = "processes/QT-01.yaml"
MANUAL = """
manual:
  code: STCL
  revision: 1
  effective_date: 2026-01-05
  prepared_by: {name: Lê Văn Cường}
  approved_by: {name: Nguyễn Văn An}
  history:
    - {revision: 1, date: 2026-01-05, summary: Ban hành lần đầu}
"""
HOOKS = ("pre-commit", "post-commit", "post-checkout", "post-merge", "pre-push", "post-index-change",
         "reference-transaction", "pre-auto-gc", "post-rewrite", "fsmonitor-watchman")


def git(cwd: Path, *args: str, check: bool = True, env: dict[str, str] | None = None) -> str:
    proc = subprocess.run(["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", *args], cwd=cwd,
                          capture_output=True, text=True, check=False, env=env, timeout=60)
    assert proc.returncode == 0 or not check, proc.stderr
    return proc.stdout


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    out = {k: v for k, v in os.environ.items() if k not in ("QMS_LANG",) and not k.startswith("GIT_")}
    out["QMS_CACHE_DIR"] = str(tmp_path / "user-cache")
    out["QMS_CACHE_KEY_FILE"] = str(tmp_path / "user-config" / "cache.key")
    return out


def qms(env: dict[str, str], root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "qms", "--root", str(root), *args], env=env, cwd=root,
                          capture_output=True, text=True, timeout=300, check=False)


@pytest.fixture
def repo(tmp_path: Path, env: dict[str, str]) -> Path:
    """Two approved revisions of QT-01 in git, and a tracked .qms-cache/ (so that `check` asks git)."""
    root = tmp_path / "repo"
    shutil.copytree(BASE, root)
    with (root / "qms.yaml").open("a", encoding="utf-8") as fh:
        fh.write(MANUAL)
    (root / ".qms-cache").mkdir()
    (root / ".qms-cache" / "check-0.json").write_text("{}", encoding="utf-8")
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-qm", "revision 1")
    for args in (("doc", "revise", "QT-01", "--summary", "Cập nhật lệ phí", "--date", "2026-04-01"),
                 ("doc", "approve", "QT-01", "--as", "reviewer", "--by", "cuong", "--date", "2026-04-02"),
                 ("doc", "approve", "QT-01", "--as", "approver", "--by", "an", "--date", "2026-04-03")):
        r = qms(env, root, *args)
        assert r.returncode == 0, r.stderr
    git(root, "commit", "-qam", "revision 2")
    return root


def arm(root: Path, tmp_path: Path) -> Path:
    """Write the hostile configuration; return the marker file every trap appends to."""
    marker = tmp_path / "ran.txt"
    script = tmp_path / "evil.sh"
    script.write_text(f'#!/bin/sh\necho "$0 $*" >> "{marker}"\nexit 0\n', encoding="utf-8")
    script.chmod(0o755)
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    for name in HOOKS:
        (hooks / name).symlink_to(script)
        (root / ".git" / "hooks" / name).symlink_to(script)
    evil = str(script)
    with (root / ".git" / "config").open("a", encoding="utf-8") as fh:
        fh.write(f"""
[user]
    name = Tran Thi Binh
[core]
    fsmonitor = {evil} fsmonitor
    pager = {evil} pager
    hooksPath = {hooks}
    editor = {evil} editor
    sshCommand = {evil} ssh
    askPass = {evil} askpass
[pager]
    log = {evil} pager.log
    show = {evil} pager.show
[diff]
    external = {evil} diff.external
[diff "evil"]
    textconv = {evil} textconv
    command = {evil} diff.command
[filter "evil"]
    clean = {evil} clean
    smudge = {evil} smudge
    process = {evil} process
[log]
    showSignature = true
[gpg]
    program = {evil} gpg
[alias]
    log = !{evil} alias.log
    rev-parse = !{evil} alias.rev-parse
    cat-file = !{evil} alias.cat-file
    ls-files = !{evil} alias.ls-files
    config = !{evil} alias.config
    show = !{evil} alias.show
""")
    (root / ".git" / "info").mkdir(exist_ok=True)
    (root / ".git" / "info" / "attributes").write_text("* diff=evil filter=evil\n", encoding="utf-8")
    return marker


def test_control_plain_git_does_run_the_traps(repo: Path, tmp_path: Path) -> None:
    """Control: the hostile configuration is live; plain git runs fsmonitor, external diff and hooks."""
    marker = arm(repo, tmp_path)
    plain = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    # the fake programs do not speak git's protocols, so git itself may fail: only the traces matter
    git(repo, "status", "--short", env=plain, check=False)
    no_filter = ("-c", "filter.evil.process=", "-c", "filter.evil.clean=", "-c", "core.fsmonitor=false")
    git(repo, *no_filter, "diff", "HEAD~1", "HEAD", env=plain, check=False)
    git(repo, *no_filter, "commit", "-q", "--allow-empty", "-m", "x", env=plain, check=False)
    ran = marker.read_text(encoding="utf-8")
    for trap in ("fsmonitor", "process", "diff.command", "pre-commit"):
        assert trap in ran, ran


def test_git_commands_of_qms_run_no_program_from_the_repository(repo: Path, tmp_path: Path,
                                                                 env: dict[str, str]) -> None:
    """Item 13: check, doc history, doc show --revision and nc new work and run no configured program."""
    first = git(repo, "rev-list", "--max-parents=0", "HEAD").strip()
    old_text = git(repo, "show", f"{first}:{PROC}")
    marker = arm(repo, tmp_path)

    r = qms(env, repo, "check", "--today", "2026-06-01")
    assert r.returncode in (0, 1), r.stderr
    assert ".qms-cache is tracked by git and is ignored" in r.stderr  # `git ls-files` ran and answered

    r = qms(env, repo, "doc", "history", "QT-01", "--format", "json")
    assert r.returncode == 0, r.stderr
    revs = json.loads(r.stdout)["revisions"]
    assert [rev["revision"] for rev in revs] == [1, 2]
    assert revs[0]["commit"] == first

    r = qms(env, repo, "doc", "show", "QT-01", "--revision", "1")
    assert r.returncode == 0, r.stderr
    assert r.stdout.split("\n", 2)[2] == old_text  # the blob as committed, not a textconv of it
    assert yaml.safe_load(r.stdout)["document"]["revision"] == 1

    r = qms(env, repo, "nc", "new", "--process", "QT-01", "--title", "Trả kết quả trễ hạn", "--description",
            "Hồ sơ trả trễ 1 ngày", "--source", "late_dossier", "--severity", "minor", "--format", "json")
    assert r.returncode == 0, r.stderr
    record = next((repo / "records" / "nonconformities").glob("NC-*.yaml"))
    assert yaml.safe_load(record.read_text(encoding="utf-8"))["raised_by"] == "Trần Thị Bình"

    assert not marker.exists(), marker.read_text(encoding="utf-8")


def test_repository_owned_by_another_user_gives_a_clear_message(repo: Path, env: dict[str, str]) -> None:
    """Item 13: a repository git refuses (safe.directory) gives exit 2 and what to do, never a traceback."""
    other = dict(env, GIT_TEST_ASSUME_DIFFERENT_OWNER="1")  # git's own switch for this case
    for args in (("doc", "history", "QT-01"), ("doc", "show", "QT-01", "--revision", "1")):
        r = qms(other, repo, *args)
        assert r.returncode == 2, (args, r.stdout, r.stderr)
        assert "belongs to another user" in r.stderr and "safe.directory" in r.stderr
        assert "Traceback" not in r.stderr and "not inside a git repository" not in r.stderr
    # a command that only asks git whether the cache folder is tracked still works
    r = qms(other, repo, "check", "--today", "2026-06-01")
    assert r.returncode in (0, 1) and "Traceback" not in r.stderr


def test_only_known_git_subcommands_are_run() -> None:
    """Item 13: qms runs only the real git subcommands it names (read-only ones, and init/add/commit for
    `qms init --commit`), with the overrides first."""
    from qms.store import git as qgit

    command = qgit.git_command("log", "--oneline")
    assert command[1] == "--no-pager"
    settings = [command[i + 1] for i, part in enumerate(command) if part == "-c"]
    assert {"core.fsmonitor=false", "core.hooksPath=/dev/null", "core.pager=cat", "log.showSignature=false",
            "protocol.allow=never"} <= set(settings)
    assert command[-2:] == ["log", "--oneline"]
    for name in ("show", "checkout", "status", "diff", "fetch", "push", "my-alias"):
        with pytest.raises(ValueError, match="does not run"):
            qgit.git_command(name)
    env = qgit.git_env()
    assert env["GIT_CONFIG_NOSYSTEM"] == "1" and env["GIT_TERMINAL_PROMPT"] == "0" and env["GIT_PAGER"] == "cat"
