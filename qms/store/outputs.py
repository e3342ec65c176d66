"""The output guard: a file the user names with ``-o``/``--output`` (or a ``--out`` directory) never
destroys an input.

Every command that writes a user-named output calls :func:`guard_output` (or
:func:`guard_site_dir` for an HTML site directory) before it does any work. A named output is
refused (:class:`OutputRefused`, exit 2) when it

1. is one of the command's own inputs, compared by resolved path and by device and inode, so hard
   links and symbolic links are caught (never overridable);
2. is ``qms.yaml`` or an existing file in the repository's ``processes/``, ``records/`` or
   ``audits/`` (never overridable; a *new* file under ``records/``, such as a KPI report kept as
   evidence, is allowed);
3. is an existing file that is read-only or immutable (never silently replaced);
4. is tracked by git (``--force`` overrides);
5. is an existing, non-empty file of another type (``--force`` overrides). The type is told from
   the first bytes: ``%PDF-`` for PDF, ``<!doctype``/``<html`` for HTML, a zip header for xlsx and
   docx; a text output (CSV, JSON, YAML, text) may only replace a text file that is not YAML (or,
   for a YAML output, that is YAML) and not a PDF, zip or HTML file.

A site directory (``--format html -o DIR``) may be new, empty or a site that qms wrote before
(marked with :data:`SITE_MARKER`); anything else needs ``--force``.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterable
from pathlib import Path

from qms.errors import QmsError
from qms.i18n import _

MANIFEST = "qms.yaml"
PROTECTED_DIRS = ("processes", "records", "audits")
SITE_MARKER = ".qms-site"
SITE_MARKER_TEXT = "This directory is an HTML site written by `qms render --format html`.\n"

#: Output kinds and the extensions that name them.
KINDS = ("pdf", "html", "xlsx", "docx", "csv", "json", "yaml", "text")
_TEXT_KINDS = ("csv", "json", "yaml", "text")
_YAML_SUFFIXES = (".yaml", ".yml")
_SNIFF = 8192


class OutputRefused(QmsError):
    """A user-named output that would destroy an input or another file (exit 2, nothing written)."""


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a symlink loop: compare the absolute path instead
        return Path(os.path.abspath(path))


def _stat(path: Path) -> os.stat_result | None:
    try:
        return path.stat()
    except (OSError, ValueError):
        return None


def _stat_output(path: Path) -> os.stat_result | None:
    """``stat`` of the output path: None if it does not exist yet; a name too long, a link loop or a
    permission problem is raised now (exit 2), before any work."""
    try:
        return path.stat()
    except (FileNotFoundError, NotADirectoryError):
        return None


def _repo_of(path: Path) -> Path | None:
    """The nearest ancestor directory of ``path`` that holds ``qms.yaml``."""
    for candidate in path.parents:
        with contextlib.suppress(OSError):
            if (candidate / MANIFEST).is_file():
                return candidate
    return None


def sniff(path: Path) -> str | None:
    """The kind of an existing file from its first bytes: pdf, zip, html, binary, yaml-like text or text."""
    try:
        with path.open("rb") as fh:
            head = fh.read(_SNIFF)
    except OSError:
        return None
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<!doctype html", b"<html")):
        return "html"
    if b"\x00" in head:
        return "binary"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # a multi-byte character cut at the end of the sample is fine
            return "binary"
    return "text"


def _same_type(kind: str, path: Path) -> bool:
    found = sniff(path)
    if found is None:
        return True  # unreadable: the write itself will report it
    if kind == "pdf":
        return found == "pdf"
    if kind == "html":
        return found == "html"
    if kind in ("xlsx", "docx"):
        return found == "zip"
    if found != "text":
        return False
    is_yaml = path.suffix.lower() in _YAML_SUFFIXES
    return is_yaml == (kind == "yaml")


def _refuse(path: Path, why: str, hint: str) -> OutputRefused:
    return OutputRefused(_("refusing to write {path}: {why}").format(path=path, why=why), hint)


def _check_inputs(path: Path, inputs: Iterable[Path | None]) -> None:
    target = _resolved(path)
    target_stat = _stat(path)
    for item in inputs:
        if item is None:
            continue
        item_stat = _stat(item)
        same_file = (target_stat is not None and item_stat is not None
                     and (target_stat.st_dev, target_stat.st_ino) == (item_stat.st_dev, item_stat.st_ino))
        if same_file or _resolved(item) == target:
            raise _refuse(path, _("it is an input of this command ({input})").format(input=item),
                          _("choose another output path; an output never replaces the files it is made from"))


def _check_repository(path: Path, exists: bool, roots: Iterable[Path | None]) -> None:
    target = _resolved(path)
    candidates = {_resolved(r) for r in roots if r is not None}
    found = _repo_of(target)
    if found is not None:
        candidates.add(found)
    for root in candidates:
        try:
            rel = target.relative_to(root)
        except ValueError:
            continue
        parts = rel.parts
        if parts == (MANIFEST,):
            raise _refuse(path, _("it is the repository's {manifest}").format(manifest=MANIFEST),
                          _("choose another output path (outside processes/, records/ and audits/)"))
        if exists and len(parts) > 1 and parts[0] in PROTECTED_DIRS:
            raise _refuse(path, _("it is an existing file in the repository's {folder}/").format(folder=parts[0]),
                          _("choose another output path; an output never replaces a file of the repository (a new file under records/ is allowed)"))


def _check_writable(path: Path, st: os.stat_result) -> None:
    if not stat.S_ISREG(st.st_mode):
        raise _refuse(path, _("it exists and is not a regular file"),
                      _("choose another output path"))
    if not (st.st_mode & 0o222) or not os.access(path, os.W_OK):
        raise _refuse(path, _("the file is read-only (or immutable)"),
                      _("choose another output path, or make the file writable first if it may be replaced"))


def _check_parent(path: Path) -> None:
    """Every existing ancestor must be a directory (``-o afile/out.pdf`` is refused before any work)."""
    for parent in _resolved(path).parents:
        st = _stat(parent)
        if st is None:
            continue
        if not stat.S_ISDIR(st.st_mode):
            raise _refuse(path, _("{parent} is a file, not a directory").format(parent=parent),
                          _("choose an output path in a directory"))
        if not os.access(parent, os.W_OK | os.X_OK):
            raise _refuse(path, _("the directory {parent} is read-only (or immutable)").format(parent=parent),
                          _("choose an output path in a writable directory"))
        return


def kind_from_suffix(path: Path, default: str = "text") -> str:
    suffix = path.suffix.lower()
    return {".pdf": "pdf", ".html": "html", ".htm": "html", ".xlsx": "xlsx", ".docx": "docx",
            ".csv": "csv", ".json": "json", ".yaml": "yaml", ".yml": "yaml"}.get(suffix, default)


def guard_output(path: Path, kind: str, *, inputs: Iterable[Path | None] = (), root: Path | None = None,
                 force: bool = False) -> None:
    """Refuse ``path`` as the output of kind ``kind`` if writing it could destroy something.

    ``inputs`` are every file the command reads from the user (the PDF to sign, the key, the
    password file, logs, ``--limits``/``--columns`` files); ``root`` is the repository the command
    works on, if any (the repository around ``path`` is found as well). ``force`` overrides only
    the git-tracked and other-type checks. Raises :class:`OutputRefused`.
    """
    assert kind in KINDS, kind
    inputs = list(inputs)
    _check_parent(path)
    st = _stat_output(path)
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise _refuse(path, _("it is a directory"), _("give a file name, e.g. -o {name}").format(
            name=path / f"out.{kind if kind not in _TEXT_KINDS else 'txt'}"))
    _check_inputs(path, inputs)
    _check_repository(path, st is not None, [root])
    if st is None:
        return
    _check_writable(path, st)
    if not force:
        from qms.store.git import is_tracked

        if is_tracked(path):
            raise _refuse(path, _("it is tracked by git"),
                          _("choose another output path, or pass --force if the tracked file may be replaced"))
        if st.st_size > 0 and not _same_type(kind, path):
            raise _refuse(path, _("it exists and is not a {kind} file").format(kind=kind.upper()),
                          _("choose another output path, or pass --force if the file may be replaced"))


def guard_site_dir(directory: Path, *, inputs: Iterable[Path | None] = (), root: Path | None = None,
                   force: bool = False) -> None:
    """Refuse an HTML site directory that holds other files, unless it is a previous qms site or ``force``."""
    _check_parent(directory / "index.html")
    st = _stat_output(directory)
    if st is None:
        return
    if not stat.S_ISDIR(st.st_mode):
        raise _refuse(directory, _("it is a file; HTML output needs a directory"),
                      _("give a new or empty directory with -o"))
    target = _resolved(directory)
    for item in inputs:
        if item is not None and _resolved(item).parent == target:
            raise _refuse(directory, _("it holds an input of this command ({input})").format(input=item),
                          _("choose another output directory"))
    candidates = {_resolved(r) for r in (root, _repo_of(target / MANIFEST)) if r is not None}
    for repo in candidates:
        if target == repo or any(target == repo / name for name in PROTECTED_DIRS):
            raise _refuse(directory, _("it is a folder of the repository itself"),
                          _("choose another output directory, e.g. -o out/site"))
    try:
        with os.scandir(directory) as entries:
            names = {e.name for e in entries}
    except OSError:
        return  # the write reports it
    if names and SITE_MARKER not in names and not force:
        raise _refuse(directory, _("the directory is not empty and is not a site written by qms"),
                      _("choose a new or empty directory, or pass --force to write into it anyway"))


def mark_site(directory: Path) -> None:
    """Mark ``directory`` as a site written by qms, so that a later render may replace it."""
    from qms.store.atomic import atomic_write_text

    marker = directory / SITE_MARKER
    if not marker.is_file():
        atomic_write_text(marker, SITE_MARKER_TEXT)
