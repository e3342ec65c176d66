"""Small, safe helpers around the ``git`` command line (read-only).

Every call runs ``git`` without a shell, with a fixed locale and with the
repository directory as the working directory. Failures become
:class:`GitError` (a user-facing :class:`~qms.errors.QmsError`), never a
traceback.

The repository may have arrived as an archive with its own ``.git/config``
(issue 19, item 13), so no setting of it may run a command:

* the settings that execute programs are overridden on the command line
  (``core.fsmonitor``, ``core.hooksPath``, ``core.pager``, ``log.showSignature``,
  automatic maintenance) and no transport is allowed (``protocol.allow=never``);
* only real git subcommands from :data:`SUBCOMMANDS` are run (an alias never
  shadows one); ``log`` runs with ``--no-ext-diff --no-textconv``, and file
  contents are read with ``cat-file`` (no textconv, no filters);
* the system configuration is not read (``GIT_CONFIG_NOSYSTEM``), nothing
  prompts, nothing pages, and no optional lock is taken;
* a repository that git refuses because another user owns it
  (``safe.directory``) gives a clear message, not a misleading one.
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

#: The only subcommands qms runs: read-only ones, plus ``init``/``add``/``commit`` for the repository
#: that ``qms init`` has just written (hooks stay off: ``core.hooksPath=/dev/null`` and ``--no-verify``).
SUBCOMMANDS = frozenset({"rev-parse", "log", "cat-file", "ls-files", "config", "init", "add", "commit"})

#: Overrides of repository settings that would run a program or touch the network. External diff
#: programs (``diff.external``, ``diff.<driver>.command``) and textconv are switched off per command
#: with ``--no-ext-diff --no-textconv`` instead: ``-c diff.external=`` would name an empty program.
SAFE_CONFIG: tuple[str, ...] = (
    "core.fsmonitor=false",
    "core.hooksPath=/dev/null",
    "core.pager=cat",
    "core.untrackedCache=false",
    "log.showSignature=false",
    "gc.auto=0",
    "maintenance.auto=false",
    "protocol.allow=never",
)

#: Environment variables of the caller that would make git run a program.
_DROPPED_ENV = ("GIT_EXTERNAL_DIFF", "GIT_PAGER", "PAGER", "GIT_SSH", "GIT_SSH_COMMAND", "GIT_ASKPASS",
                "GIT_EDITOR", "GIT_CONFIG_PARAMETERS", "GIT_CONFIG_COUNT")


class GitError(QmsError):
    """git is missing, the directory is not a git work tree, or a git command failed."""


class GitOwnershipError(GitError):
    """git refuses the repository because another user owns it (``safe.directory``)."""


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


def git_command(*args: str) -> list[str]:
    """The argument vector that runs the real git subcommand ``args[0]`` safely."""
    if not args or args[0] not in SUBCOMMANDS:
        raise ValueError(f"qms does not run `git {args[0] if args else ''}`")
    command = [_git_executable(), "--no-pager"]
    for setting in SAFE_CONFIG:
        command += ["-c", setting]
    return [*command, *args]


def git_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _DROPPED_ENV and not k.startswith("GIT_CONFIG_KEY_")
           and not k.startswith("GIT_CONFIG_VALUE_")}
    env.update({"LC_ALL": "C", "GIT_PAGER": "cat", "PAGER": "cat", "GIT_TERMINAL_PROMPT": "0",
                "GIT_CONFIG_NOSYSTEM": "1", "GIT_OPTIONAL_LOCKS": "0", "GIT_ASKPASS": "",
                "SSH_ASKPASS": "", "GIT_NO_REPLACE_OBJECTS": "1"})
    return env


_DUBIOUS = b"detected dubious ownership"


def _ownership_error(cwd: Path) -> GitError:
    return GitOwnershipError(
        _("git refuses to read the repository at {path}: it belongs to another user").format(path=cwd),
        _("run qms as the owner of the repository; if you trust it, mark it safe with "
          "`git config --global --add safe.directory {path}`").format(path=cwd))


def run_git(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[bytes]:
    """Run the real git subcommand ``args`` in ``cwd`` and return the completed process (stdout as bytes)."""
    command = git_command(*args)
    try:
        proc = subprocess.run(command, cwd=cwd, env=git_env(), capture_output=True, stdin=subprocess.DEVNULL,
                              timeout=GIT_TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise GitError(_("cannot run git: {reason}").format(reason=exc)) from None
    if proc.returncode != 0 and _DUBIOUS in proc.stderr:
        raise _ownership_error(cwd)
    if check and proc.returncode != 0:
        detail = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(_("git {command} failed: {reason}").format(
            command=args[0], reason=detail[-1] if detail else proc.returncode))
    return proc


def config_value(cwd: Path, name: str) -> str | None:
    """The value of git setting ``name`` as seen from ``cwd`` (None if unset or git is unavailable)."""
    try:
        proc = run_git(cwd, "config", "--get", "--", name, check=False)
    except GitError:
        return None
    if proc.returncode != 0:
        return None
    value = proc.stdout.decode("utf-8", "replace").strip()
    return value or None


def toplevel(path: Path) -> Path:
    """The top level of the git work tree containing ``path``."""
    proc = run_git(path, "rev-parse", "--show-toplevel", check=False)
    if proc.returncode != 0:
        raise GitError(_("{path} is not inside a git repository").format(path=path),
                       _("document history comes from git: run `git init` and commit the repository"))
    return Path(proc.stdout.decode("utf-8").strip()).resolve()


def is_work_tree(path: Path) -> bool:
    """True inside a git work tree; a repository git refuses to read (another owner) is an error."""
    try:
        toplevel(path)
    except GitOwnershipError:
        raise
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
    proc = run_git(top, "log", "--no-ext-diff", "--no-textconv", "--no-show-signature", "--no-mailmap",
                   "--follow", "--format=%x1e%H%x1f%cI%x1f%s", "--name-only", "-z", "--", rel_top, check=False)
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
    # cat-file (not show): the blob as stored, never through a textconv or filter program
    proc = run_git(top, "cat-file", "blob", f"{commit}:{path_from_top}", check=False)
    if proc.returncode != 0:
        raise GitError(_("cannot read {path} at commit {commit}").format(path=path_from_top, commit=commit[:10]))
    return proc.stdout


def committed_as_is(root: Path, rel_path: str) -> bool | None:
    """Whether ``rel_path`` (relative to ``root``) holds what the last commit holds (line ends aside);
    None outside a git work tree or without git."""
    if not git_available() or not is_work_tree(root):
        return None
    try:
        held = show_file(root, "HEAD", relative_to_top(root, rel_path))
    except (GitError, ValueError):
        return False  # not committed (or no commit yet)
    data = (root / rel_path).read_bytes()
    return data.replace(b"\r\n", b"\n") == held.replace(b"\r\n", b"\n")


def relative_to_top(root: Path, rel_path: str) -> str:
    """``rel_path`` (relative to the QMS root) expressed relative to the git top level."""
    top = toplevel(root)
    return (root / rel_path).resolve().relative_to(top).as_posix()


def git_available() -> bool:
    """Whether a ``git`` executable is on PATH."""
    return shutil.which("git") is not None


def init_repository(path: Path) -> None:
    """``git init`` in ``path`` (a no-op inside an existing work tree)."""
    if not is_work_tree(path):
        run_git(path, "init", "-q")


def commit_all(path: Path, message: str) -> str:
    """Stage everything in ``path`` and commit it; returns the new commit's short hash.

    When git has no identity configured, the commit is refused with what to set.
    """
    run_git(path, "add", "-A")
    proc = run_git(path, "commit", "-q", "--no-verify", "-m", message, check=False)
    if proc.returncode != 0:
        detail = proc.stderr.decode("utf-8", "replace")
        if "user.name" in detail or "user.email" in detail or "identity" in detail:
            raise GitError(_("git does not know who you are, so nothing was committed"),
                           _("set it once: git config --global user.name \"Name\" && "
                             "git config --global user.email you@example.org, then commit"))
        lines = detail.strip().splitlines()
        raise GitError(_("git {command} failed: {reason}").format(
            command="commit", reason=lines[-1] if lines else proc.returncode))
    return run_git(path, "rev-parse", "--short", "HEAD").stdout.decode("utf-8").strip()


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
