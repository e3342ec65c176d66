"""Files of ``qms import``: the Word files of a run, the drafts it writes, ``--defaults``, the role patch,
and the LibreOffice conversion of a legacy .doc (``--convert``).

Nothing is written until every draft of the run is known: a draft that would replace an existing
file is refused (exit 2, nothing written) unless ``--force`` is given.
"""

from __future__ import annotations

import contextlib
import os
import resource
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from qms.errors import QmsError
from qms.i18n import _
from qms.store.atomic import atomic_write_text
from qms.store.limits import current as current_limits
from qms.store.paths import within
from qms.store.safe_open import open_bounded, read_bounded
from qms.store.yaml_edit import edit_yaml_file

WORD_SUFFIXES = (".docx", ".docm")
LEGACY_SUFFIXES = (".doc",)
CONVERT_TIMEOUT = 120  # seconds for one document
CONVERT_MEMORY = 2 << 30  # address space of soffice (bytes)
CONVERT_OUTPUT = 64 << 20  # the converted file may not be larger


class OverwriteRefused(QmsError):
    """A draft would replace an existing file and --force was not given."""


def word_files(paths: Iterable[Path], *, legacy: bool = False) -> list[Path]:
    """The Word files named: a file as given, a folder's .docx/.docm files (and .doc with ``legacy``), sorted."""
    out: list[Path] = []
    suffixes = WORD_SUFFIXES + (LEGACY_SUFFIXES if legacy else ())
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.suffix.lower() in suffixes and p.is_file()
                           and not p.name.startswith("~$") and not p.is_symlink())
            out.extend(found)
        elif path.exists() or path.is_symlink():
            out.append(path)
        else:
            raise QmsError(_("{path}: no such file or folder").format(path=path),
                           _("give .docx files or a folder that holds them"))
    return list(dict.fromkeys(out))


def read_text_if_exists(path: Path) -> str | None:
    if not path.is_file():
        return None
    return read_bounded(path, current_limits().yaml_size, "yaml_size").decode("utf-8", "replace")


def check_targets(targets: list[Path], force: bool, sources: list[str] | None = None) -> None:
    """Refuse a run whose drafts would replace files (without ``force``) or collide with each other
    (``sources[i]``, when given, names what ``targets[i]`` comes from)."""
    seen: dict[Path, list[int]] = {}
    for i, t in enumerate(targets):
        seen.setdefault(t, []).append(i)
    clash = [(t, idx) for t, idx in seen.items() if len(idx) > 1]
    if clash:
        path, idx = clash[0]
        if sources is not None:
            raise OverwriteRefused(
                _("{path}: {first} and {second} of this run would write the same draft").format(
                    path=path, first=sources[idx[0]], second=sources[idx[1]]),
                _("import them separately with --out, or give them different codes (Mã hiệu)"))
        raise OverwriteRefused(
            _("{path}: two documents of this run would write the same draft").format(path=path),
            _("import them separately with --out, or give them different codes (Mã hiệu)"))
    if force:
        return
    existing = [t for t in targets if t.exists() or t.is_symlink()]
    if existing:
        raise OverwriteRefused(
            _("{path}: the draft would replace an existing file; nothing was written").format(path=existing[0]),
            _("look at the changes with --diff, then run again with --force to replace it"))


def write_drafts(drafts: list[tuple[Path, str]]) -> None:
    for path, text in drafts:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(path, text)


def read_defaults(path: Path) -> dict[str, Any]:
    """``--defaults FILE``: a YAML mapping (owner, unit, kind, document: {...})."""
    from qms.store.yaml_io import load_bytes

    raw = read_bounded(path, current_limits().yaml_size, "yaml_size")
    loaded = load_bytes(raw)
    hint = _("write a YAML mapping such as `owner: ROLE`, `unit: UNIT`, `kind: core`")
    if loaded.problems or not isinstance(loaded.data, dict):
        first = loaded.problems[0] if loaded.problems else None
        where = f"{path}:{first.line}:{first.column}" if first is not None else str(path)
        raise QmsError(_("{path}: cannot read the defaults: {reason}").format(
            path=where, reason=first.message if first is not None else _("not a mapping")), hint)
    expected = {"kind": ("management", "core", "support"), "owner": str, "unit": str, "id": str, "document": dict}
    for key, value in loaded.data.items():
        want = expected.get(str(key))
        bad = (isinstance(want, tuple) and value not in want) or (isinstance(want, type) and not isinstance(value, want))
        if bad:
            mark, _pointer = loaded.source_map.locate("/" + str(key))
            what = (_("one of {values}").format(values=", ".join(want)) if isinstance(want, tuple)
                    else _("a mapping") if want is dict else _("a text"))
            raise QmsError(_("{path}: `{key}` in the defaults must be {what}").format(
                path=f"{path}:{mark.line}:{mark.column}", key=key, what=what), hint)
    return dict(loaded.data)


def add_roles(manifest: Path, roles: list[dict[str, Any]]) -> list[str]:
    """Append ``roles`` (id, title, unit) to ``organisation.roles`` of qms.yaml, keeping its layout;
    returns the ids added (a role already there is left alone)."""

    def mutate(doc: Any) -> list[str]:
        org = doc.get("organisation")
        if org is None:
            raise QmsError(_("{path}: no `organisation:` to add roles to").format(path=manifest), "")
        seq = org.get("roles")
        if seq is None:
            org["roles"] = seq = []
        have = {str(r.get("id")) for r in seq if isinstance(r, dict)}
        added: list[str] = []
        for role in roles:
            if role["id"] not in have:
                seq.append(role)
                added.append(role["id"])
        return added

    return edit_yaml_file(manifest, mutate)


def _limit_child() -> None:  # pragma: no cover - runs in the child
    resource.setrlimit(resource.RLIMIT_AS, (CONVERT_MEMORY, CONVERT_MEMORY))
    resource.setrlimit(resource.RLIMIT_FSIZE, (CONVERT_OUTPUT, CONVERT_OUTPUT))
    os.setsid()


def convert_to_docx(path: Path, soffice: str | None = None) -> bytes:
    """``path`` (a legacy .doc) converted by LibreOffice: a throw-away profile, a timeout, a memory cap
    and a bound on the output. Returns the .docx bytes; the temporary folder is removed."""
    exe = soffice or shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        raise QmsError(_("{path}: --convert needs LibreOffice (soffice) on the PATH").format(path=path),
                       _("install libreoffice-writer-nogui, or convert the file by hand and import the .docx"))
    with tempfile.TemporaryDirectory(prefix="qms-convert-") as tmp:
        work = Path(tmp)
        src = work / ("input" + path.suffix.lower())
        src.write_bytes(read_bounded(path, current_limits().archive_unpacked, "archive_unpacked"))
        profile = (work / "profile").as_uri()
        out_dir = work / "out"
        cmd = [exe, f"-env:UserInstallation={profile}", "--headless", "--norestore", "--nolockcheck",
               "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(out_dir), str(src)]
        env = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "LC_ALL", "TZ")}
        env["HOME"] = str(work)
        try:
            proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                                  timeout=CONVERT_TIMEOUT, env=env, cwd=work, preexec_fn=_limit_child, check=False)
        except subprocess.TimeoutExpired:
            raise QmsError(_("{path}: LibreOffice did not convert the file within {n} seconds").format(
                path=path, n=CONVERT_TIMEOUT), _("convert it by hand and import the .docx")) from None
        except OSError as exc:
            raise QmsError(_("{path}: cannot run LibreOffice: {reason}").format(path=path, reason=exc),
                           _("check the soffice installation")) from None
        result = out_dir / "input.docx"
        if proc.returncode != 0 or not result.is_file():
            reason = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [str(proc.returncode)]
            raise QmsError(_("{path}: LibreOffice could not convert the file ({reason})").format(
                path=path, reason=reason[0][:200]), _("open it in LibreOffice and save it as .docx"))
        if result.stat().st_size > CONVERT_OUTPUT:
            raise QmsError(_("{path}: the converted document is larger than {n} MiB").format(
                path=path, n=CONVERT_OUTPUT >> 20), _("convert it by hand and import the .docx"))
        return result.read_bytes()


def write_converted(data: bytes, like: Path) -> Path:
    """The converted bytes as a temporary .docx (the caller removes it with :func:`remove_temp`)."""
    fd, name = tempfile.mkstemp(prefix="qms-import-", suffix=".docx")
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    return Path(name)


def remove_temp(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


def inside(path: Path, root: Path) -> bool:
    return within(path, root)


def read_sheet(path: Path) -> list[list[str]]:
    """The first worksheet of ``path`` as rows of cell texts (container and extent bounded first)."""
    from qms.store.dossier_logs import open_xlsx
    from qms.store.ooxml import check_xlsx

    if not path.is_file():
        raise QmsError(_("{path}: no such file").format(path=path), _("give the .xlsx list of procedures"))
    with open_bounded(path, current_limits().log_size, "log_size") as fh:
        head = fh.read(8)
    if not head.startswith(b"PK"):
        raise QmsError(_("{path}: not an .xlsx workbook").format(path=path),
                       _("save the list as .xlsx (Excel or LibreOffice: Save as > Excel 2007-365)"))
    check_xlsx(path, current_limits())
    with open_xlsx(path) as source:
        return [list(row) for row in source.rows]


def known_agencies(root: Path) -> list[tuple[str, str]]:
    """(id, Vietnamese name) of every participating agency (liên thông) the repository's processes
    declare, so that an imported "Trách nhiệm" cell naming one gets its id back. Processes that do not
    load are skipped (``qms check`` reports them)."""
    from qms.store.workspace import load_workspace

    if not (root / "processes").is_dir():
        return []
    out: list[tuple[str, str]] = []
    for _doc, proc in load_workspace(root, kinds=["process"]).processes():
        if proc.administrative is not None:
            out.extend((a.id, a.name.vi) for a in proc.administrative.agencies)
    return out
