"""Where qms keeps its caches, and how each cache entry is authenticated (issue 19, F1).

Caches are derived data, never evidence, and never trusted from the repository:

* They live outside the working tree, in the platform cache directory (``platformdirs``;
  ``$QMS_CACHE_DIR`` overrides it), in one sub-folder per repository named after a hash of the
  repository's resolved path. Directories are created ``0700``.
* Every entry carries an HMAC-SHA256 made with a per-user secret key. The key lives in the user's
  configuration directory (``$QMS_CACHE_KEY_FILE`` overrides it), mode ``0600``, created
  atomically on first use; it never enters a repository. An entry whose MAC does not verify is a
  miss, and the next write replaces it.
* A ``.qms-cache/`` folder inside the repository (where older versions kept their caches) is never
  read. If git tracks a file in it, one warning says that it is ignored.

All cache file I/O goes through this module (the check cache, the render cache, the derived fonts
and the NC listing index).
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import hmac
import os
import re
import secrets
import shutil
import stat
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from qms.i18n import _
from qms.store.atomic import atomic_write_bytes, fsync_dir

ENV_DIR = "QMS_CACHE_DIR"
ENV_KEY = "QMS_CACHE_KEY_FILE"
LEGACY_DIR = ".qms-cache"
KEY_FILE = "cache.key"
KEY_BYTES = 32
MAGIC = b"qms-cache-1 "
_MAC_HEX = 64
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$")

_warned: set[str] = set()
_areas: dict[tuple[str, str, str], CacheArea] = {}
_keys: dict[str, bytes] = {}
_legacy_checked: set[str] = set()


def warn_once(message: str) -> None:
    """Print one warning line on stderr, once per process."""
    if message in _warned:
        return
    _warned.add(message)
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.write(message + "\n")
        sys.stderr.flush()


def _platformdirs() -> tuple[str, str]:
    import platformdirs  # deferred: only the first cache access of a run pays for it

    return (platformdirs.user_cache_dir("qms", appauthor=False),
            platformdirs.user_config_dir("qms", appauthor=False))


def base_dir() -> Path:
    """The directory that holds every qms cache of this user."""
    override = os.environ.get(ENV_DIR)
    if override:
        return Path(override).expanduser().absolute()
    return Path(_platformdirs()[0])


def key_path() -> Path:
    """The file that holds this user's cache key (never inside a repository)."""
    override = os.environ.get(ENV_KEY)
    if override:
        return Path(override).expanduser().absolute()
    return Path(_platformdirs()[1]) / KEY_FILE


def repository_id(root: Path) -> str:
    """A folder name for ``root``: its name (for people) and a hash of its resolved path."""
    resolved = root.resolve()
    digest = hashlib.sha256(os.fsencode(str(resolved))).hexdigest()[:32]
    name = re.sub(r"[^A-Za-z0-9._-]", "_", resolved.name)[:40].lstrip(".") or "repo"
    return f"{name}-{digest}"


# -- directories ----------------------------------------------------------------------


def _private_dir(path: Path) -> None:
    """Create ``path`` (0700) if needed; refuse a directory that is not this user's."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    st = os.stat(path)
    if not stat.S_ISDIR(st.st_mode):  # pragma: no cover - mkdir(exist_ok) raises first
        raise NotADirectoryError(str(path))
    if hasattr(os, "geteuid") and st.st_uid != os.geteuid():
        raise PermissionError(_("{path} belongs to another user").format(path=path))
    if st.st_mode & 0o077:
        os.chmod(path, 0o700)


# -- the key -----------------------------------------------------------------------------


def _read_key(path: Path) -> tuple[bytes | None, str]:
    """The key in ``path``, or None and the reason it cannot be used ("" when the file is absent)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        return None, ""
    except OSError as exc:
        return None, exc.strerror or str(exc)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return None, _("not a regular file")
        if hasattr(os, "geteuid") and st.st_uid != os.geteuid():
            return None, _("owned by another user")
        if st.st_mode & 0o077:
            return None, _("readable or writable by other users (mode {mode:04o}, needs 0600)").format(
                mode=st.st_mode & 0o7777)
        raw = os.read(fd, 2 * KEY_BYTES + 2)
    finally:
        os.close(fd)
    try:
        key = bytes.fromhex(raw.decode("ascii").strip())
    except ValueError:
        key = b""
    if len(key) != KEY_BYTES:
        return None, _("not a qms cache key")
    return key, ""


def _make_key(path: Path, *, replace: bool) -> bytes:
    """Write a fresh key to ``path`` atomically (mode 0600); without ``replace``, never overwrite."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = secrets.token_bytes(KEY_BYTES)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)  # 0600
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(key.hex().encode("ascii") + b"\n")
            fh.flush()
            os.fsync(fh.fileno())
        if replace:
            os.replace(tmp, path)
        else:
            os.link(tmp, path)  # never overwrites: a concurrent first run keeps its key
            tmp.unlink()
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    fsync_dir(path.parent)
    return key


def cache_key() -> bytes:
    """This user's cache key, created on first use. A key that cannot be trusted is replaced."""
    path = key_path()
    known = _keys.get(str(path))
    if known is not None:
        return known
    key, problem = _read_key(path)
    try:
        if key is None and not problem:
            try:
                key = _make_key(path, replace=False)
            except FileExistsError:  # another qms process made it first
                key, problem = _read_key(path)
        if key is None:
            warn_once(_("warning: the cache key {path} cannot be trusted ({reason}); a new key replaces it "
                        "and every cache entry made with the old one is ignored").format(path=path, reason=problem))
            key = _make_key(path, replace=True)
    except OSError as exc:
        warn_once(_("warning: cannot keep the cache key in {path} ({reason}); results are cached for this "
                    "run only").format(path=path, reason=exc.strerror or exc))
        key = secrets.token_bytes(KEY_BYTES)
    _keys[str(path)] = key
    return key


# -- the legacy in-tree cache ------------------------------------------------------------


def warn_if_tracked_legacy(root: Path) -> None:
    """Warn once if git tracks files in the repository's ``.qms-cache/`` (which is never read)."""
    legacy = root / LEGACY_DIR
    if not os.path.lexists(legacy):
        return
    from qms.store import git

    try:
        proc = git.run_git(root, "ls-files", "-z", "--", LEGACY_DIR, check=False)
    except git.GitError:
        return
    if proc.returncode == 0 and proc.stdout.strip(b"\0"):
        warn_once(_("warning: {path} is tracked by git and is ignored: qms never reads a cache from the "
                    "repository (remove it with `git rm -r --cached {name}`)").format(
                        path=legacy, name=LEGACY_DIR))


# -- areas and entries ---------------------------------------------------------------------


@dataclass(slots=True)
class CacheArea:
    """One private cache folder (a repository's, or the shared font folder) and its key."""

    base: Path
    directory: Path  # ``base`` or a folder below it
    scope: bytes
    key: bytes
    _ready: bool | None = field(default=None)

    def _check_name(self, name: str) -> None:
        if not _NAME_RE.match(name):
            raise ValueError(f"bad cache entry name {name!r}")

    def path(self, name: str) -> Path:
        self._check_name(name)
        return self.directory / name

    def _mac(self, name: str, payload: bytes) -> bytes:
        mac = hmac.new(self.key, self.scope, hashlib.sha256)
        mac.update(b"\0" + name.encode("ascii") + b"\0")
        mac.update(payload)
        return mac.hexdigest().encode("ascii")

    def read(self, name: str) -> bytes | None:
        """The payload of entry ``name``, or None when it is absent, unreadable or forged."""
        path = self.path(name)
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
        except OSError:
            return None
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                return None
            with os.fdopen(fd, "rb", closefd=False) as fh:
                raw = fh.read()
        except OSError:
            return None
        finally:
            os.close(fd)
        head = len(MAGIC) + _MAC_HEX + 1
        if len(raw) < head or not raw.startswith(MAGIC) or raw[head - 1:head] != b"\n":
            return None
        payload = raw[head:]
        if not hmac.compare_digest(raw[len(MAGIC):head - 1], self._mac(name, payload)):
            return None
        return payload

    def ready(self) -> bool:
        """Create the folder (0700) if needed; False if it cannot be used."""
        if self._ready is None:
            try:
                # an existing base (perhaps named by $QMS_CACHE_DIR) keeps its mode; what qms
                # creates below it is private
                self.base.mkdir(mode=0o700, parents=True, exist_ok=True)
                folder = self.base
                for part in self.directory.relative_to(self.base).parts:
                    folder = folder / part
                    _private_dir(folder)
                self._ready = True
            except OSError as exc:
                warn_once(_("warning: cannot use the cache folder {path} ({reason}); this run uses a "
                            "temporary one").format(path=self.directory, reason=exc.strerror or exc))
                self._ready = self._use_temporary()
        return self._ready

    def _use_temporary(self) -> bool:
        try:
            folder = Path(tempfile.mkdtemp(prefix="qms-cache-"))  # 0700
        except OSError:
            return False
        atexit.register(shutil.rmtree, folder, True)
        self.base = self.directory = folder
        return True

    def write(self, name: str, payload: bytes) -> bool:
        """Store ``payload`` as entry ``name`` (atomically); False if the cache cannot be written."""
        path = self.path(name)
        if not self.ready():
            return False
        try:
            atomic_write_bytes(path, MAGIC + self._mac(name, payload) + b"\n" + payload)
        except OSError:
            return False
        return True

    def remove(self, name: str) -> None:
        with contextlib.suppress(OSError):
            self.path(name).unlink()

    def names(self, prefix: str) -> list[str]:
        """Names of the entries that start with ``prefix``."""
        try:
            with os.scandir(self.directory) as entries:
                return sorted(e.name for e in entries if e.name.startswith(prefix) and _NAME_RE.match(e.name))
        except OSError:
            return []


def repository_area(root: Path, sub: str = "") -> CacheArea:
    """The private cache folder of repository ``root`` (``sub`` names a sub-folder, e.g. ``render``).

    The first call of a run for a repository also warns if git tracks a legacy ``.qms-cache/``.
    """
    base = base_dir()
    memo = (str(base), str(root), sub)
    area = _areas.get(memo)
    if area is None:
        repo_id = repository_id(root)
        if str(root) not in _legacy_checked:
            _legacy_checked.add(str(root))
            warn_if_tracked_legacy(root)
        directory = base / "repos" / repo_id
        if sub:
            directory = directory / sub
        area = CacheArea(base, directory, f"repo:{repo_id}:{sub}".encode(), cache_key())
        _areas[memo] = area
    return area


def shared_area(name: str, directory: Path | None = None) -> CacheArea:
    """A cache folder shared by every repository (``name`` under the base, or ``directory``)."""
    base = directory if directory is not None else base_dir()
    folder = directory if directory is not None else base / name
    memo = (str(folder), "", name)
    area = _areas.get(memo)
    if area is None:
        area = CacheArea(base, folder, f"shared:{name}".encode(), cache_key())
        _areas[memo] = area
    return area
