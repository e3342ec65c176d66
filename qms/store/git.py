"""Small, safe helpers around the ``git`` command line (read-only).

Every call runs ``git`` without a shell, with a fixed locale and with the
repository directory as the working directory. Failures become
:class:`GitError` (a user-facing :class:`~qms.errors.QmsError`), never a
traceback.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from qms.errors import QmsError
from qms.i18n import _

GIT_TIMEOUT = 60.0


class GitError(QmsError):
    """git is missing, the directory is not a git work tree, or a git command failed."""


@dataclass(frozen=True, slots=True)
class FileVersion:
    """One commit that touched a file, with the file's path at that commit."""

    commit: str
    date: dt.datetime
    subject: str
    path: str  # relative to the repository top level, POSIX separators


def _git_executable() -> str:
    exe = shutil.which("git")
    if exe is None:
        raise GitError(_("git is not installed or not on PATH"),
                       _("install git; document history is read from the git log"))
    return exe


def run_git(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[bytes]:
    """Run ``git args...`` in ``cwd`` and return the completed process (stdout as bytes)."""
    env = {**os.environ, "LC_ALL": "C", "GIT_PAGER": "cat", "GIT_TERMINAL_PROMPT": "0"}
    try:
        proc = subprocess.run([_git_executable(), *args], cwd=cwd, env=env, capture_output=True,
                              timeout=GIT_TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise GitError(_("cannot run git: {reason}").format(reason=exc)) from None
    if check and proc.returncode != 0:
        detail = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(_("git {command} failed: {reason}").format(
            command=args[0] if args else "", reason=detail[-1] if detail else proc.returncode))
    return proc


def toplevel(path: Path) -> Path:
    """The top level of the git work tree containing ``path``."""
    proc = run_git(path, "rev-parse", "--show-toplevel", check=False)
    if proc.returncode != 0:
        raise GitError(_("{path} is not inside a git repository").format(path=path),
                       _("document history comes from git: run `git init` and commit the repository"))
    return Path(proc.stdout.decode("utf-8").strip()).resolve()


def is_work_tree(path: Path) -> bool:
    try:
        toplevel(path)
    except GitError:
        return False
    return True


def file_versions(root: Path, rel_path: str) -> list[FileVersion]:
    """Commits that changed ``rel_path`` (relative to ``root``), newest first, following renames."""
    top = toplevel(root)
    target = (root / rel_path).resolve()
    try:
        rel_top = target.relative_to(top).as_posix()
    except ValueError:
        raise GitError(_("{path} is outside the git repository").format(path=rel_path)) from None
    proc = run_git(top, "log", "--follow", "--format=%x1e%H%x1f%cI%x1f%s", "--name-only",
                   "-z", "--", rel_top, check=False)
    if proc.returncode != 0:
        # a repository without commits has no history
        return []
    out: list[FileVersion] = []
    for record in proc.stdout.decode("utf-8", "replace").split("\x1e"):
        if not record.strip("\x00\n"):
            continue
        header, _sep, rest = record.partition("\n")
        fields = header.rstrip("\x00").split("\x1f")
        if len(fields) != 3:
            continue
        commit, date_text, subject = fields
        names = [n.strip("\n") for n in rest.split("\x00") if n.strip("\n")]
        path = names[0] if names else rel_top
        try:
            when = dt.datetime.fromisoformat(date_text)
        except ValueError:
            continue
        out.append(FileVersion(commit, when, subject, path))
    return out


def show_file(root: Path, commit: str, path_from_top: str) -> bytes:
    """The bytes of ``path_from_top`` (relative to the work-tree top level) at ``commit``."""
    top = toplevel(root)
    proc = run_git(top, "show", f"{commit}:{path_from_top}", check=False)
    if proc.returncode != 0:
        raise GitError(_("cannot read {path} at commit {commit}").format(path=path_from_top, commit=commit[:10]))
    return proc.stdout


def relative_to_top(root: Path, rel_path: str) -> str:
    """``rel_path`` (relative to the QMS root) expressed relative to the git top level."""
    top = toplevel(root)
    return (root / rel_path).resolve().relative_to(top).as_posix()


def is_tracked(path: Path) -> bool:
    """Whether ``path`` (or the file a symbolic link at ``path`` points to) is tracked by git.

    False outside a git work tree, or when git is not installed.
    """
    names = {Path(os.path.abspath(path))}
    with contextlib.suppress(OSError, RuntimeError):
        names.add(path.resolve())
    for name in names:
        if not name.parent.is_dir() or shutil.which("git") is None:
            continue
        try:
            proc = run_git(name.parent, "ls-files", "--error-unmatch", "--", name.name, check=False)
        except GitError:
            continue
        if proc.returncode == 0:
            return True
    return False
