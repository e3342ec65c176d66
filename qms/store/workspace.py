"""Discovery and loading of a QMS repository into an indexed, located :class:`Workspace`."""

from __future__ import annotations

import difflib
import fnmatch
import functools
import hashlib
import importlib
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from qms.diagnostics import Edit
from qms.errors import QmsError
from qms.i18n import N_, _, ngettext
from qms.models.organisation import Manifest
from qms.models.process import Process
from qms.store.limits import current as current_limits
from qms.store.limits import lower_from_manifest, note
from qms.store.root import MANIFEST as MANIFEST  # re-exported: where they were first defined
from qms.store.root import find_root as find_root
from qms.store.safe_open import FileRefused, read_bounded
from qms.store.yaml_io import (
    LazySourceMap,
    LoadedYaml,
    LoadProblem,
    SourceMap,
    conflict_marker_line,
    load_bytes_fast,
    load_text,
    nfc_problems,
)

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class FileKind:
    """A kind of YAML file in the repository and the model it must satisfy.

    ``model_ref`` (``"module:Class"``) is imported on first use, so a repository without audits,
    registers or reviews never pays for importing their models.
    """

    name: str
    patterns: tuple[str, ...]
    model_ref: str
    schema_name: str

    @property
    def model(self) -> type[BaseModel]:
        return _resolve_model(self.model_ref)


@functools.cache
def _resolve_model(ref: str) -> type[BaseModel]:
    module, attr = ref.split(":")
    model = getattr(importlib.import_module(module), attr)
    assert isinstance(model, type) and issubclass(model, BaseModel)
    return model


FILE_KINDS: list[FileKind] = [
    FileKind("manifest", (MANIFEST,), "qms.models.organisation:Manifest", "qms"),
    FileKind("process", ("processes/*.yaml", "processes/*.yml"), "qms.models.process:Process", "process"),
    FileKind("record-register", ("records/register.yaml",), "qms.models.organisation:RecordRegister",
             "record-register"),
    FileKind("audit-programme", ("audits/programme-*.yaml",), "qms.models.audit:AuditProgramme", "audit-programme"),
    FileKind("audit", ("audits/AUD-*.yaml",), "qms.models.audit:Audit", "audit"),
    FileKind("nonconformity", ("records/nonconformities/*.yaml",), "qms.models.nonconformity:Nonconformity",
             "nonconformity"),
    FileKind("management-review", ("records/reviews/*.yaml",), "qms.models.review:ManagementReview",
             "management-review"),
    FileKind("legal-register", ("legal/register.yaml",), "qms.models.legal:LegalRegister", "legal-register"),
    FileKind("announcement", ("records/announcements/*.yaml",), "qms.models.announcement:Announcement",
             "announcement"),
]


def register_kind(kind: FileKind) -> None:
    """Add a file kind (used by the register, audit and review modules)."""
    if all(k.name != kind.name for k in FILE_KINDS):
        FILE_KINDS.append(kind)


@dataclass(slots=True)
class SchemaProblem:
    """A pydantic error mapped onto the source: the store's raw material for QMS01x diagnostics."""

    kind: str  # unknown-field | missing-field | type | yaml11
    message: str
    pointer: str
    line: int
    column: int
    hint: str = ""
    edits: tuple[Edit, ...] = ()  # text edits that resolve the problem, if the store knows them


@dataclass(slots=True)
class LoadedDoc(Generic[M]):
    path: str  # repository-relative, POSIX separators
    kind: str
    model: M | None
    source_map: SourceMap
    load_problems: list[LoadProblem] = field(default_factory=list)
    schema_problems: list[SchemaProblem] = field(default_factory=list)
    raw: Any = None
    digest: str = ""
    text_problems: list[LoadProblem] = field(default_factory=list)  # not fatal: the file still loads
    # the line of the first marker of an unresolved git merge conflict in the file, else None
    conflict_line: int | None = None


@dataclass(slots=True)
class Workspace:
    root: Path
    docs: list[LoadedDoc[Any]] = field(default_factory=list)
    _listed: dict[str, frozenset[str]] = field(default_factory=dict, repr=False, compare=False)

    def of_kind(self, kind: str) -> list[LoadedDoc[Any]]:
        return [d for d in self.docs if d.kind == kind]

    @property
    def manifest_doc(self) -> LoadedDoc[Manifest] | None:
        docs = self.of_kind("manifest")
        return docs[0] if docs else None

    @property
    def manifest(self) -> Manifest | None:
        doc = self.manifest_doc
        return doc.model if doc is not None else None

    def processes(self) -> list[tuple[LoadedDoc[Process], Process]]:
        return [(d, d.model) for d in self.of_kind("process") if d.model is not None]

    def process_by_id(self) -> dict[str, tuple[LoadedDoc[Process], Process]]:
        out: dict[str, tuple[LoadedDoc[Process], Process]] = {}
        for doc, proc in self.processes():
            out.setdefault(proc.id, (doc, proc))
        return out

    def declared_process_ids(self) -> set[str]:
        """Ids of every process file, valid or not: a file that fails validation still declares its
        process (its ``id:``, else its file name), so references to it are not "unknown" as well."""
        ids: set[str] = set()
        for doc in self.of_kind("process"):
            if doc.model is not None:
                ids.add(doc.model.id)
                continue
            raw_id = doc.raw.get("id") if isinstance(doc.raw, dict) else None
            ids.add(raw_id if isinstance(raw_id, str) and raw_id else PurePosixPath(doc.path).stem)
        return ids

    def models(self, kind: str) -> list[tuple[LoadedDoc[Any], Any]]:
        return [(d, d.model) for d in self.of_kind(kind) if d.model is not None]

    def known_audits(self) -> set[str]:
        """Audit ids present as ``audits/AUD-*.yaml`` files or ``audits/AUD-*/`` folders, listed once:
        rules ask the workspace, never the file system."""
        found = self._listed.get("audits")
        if found is None:
            found = self._listed["audits"] = frozenset(known_audits(self.root))
        return set(found)


def known_audits(root: Path) -> set[str]:
    """Audit ids present as ``audits/AUD-*.yaml`` files or ``audits/AUD-*/`` directories."""
    out: set[str] = set()
    base = root / "audits"
    if not base.is_dir():
        return out
    for entry in base.iterdir():
        if not entry.name.startswith("AUD-"):
            continue
        if entry.is_dir():
            out.add(entry.name)
        elif entry.suffix in (".yaml", ".yml"):
            out.add(entry.stem)
    return out


def _field_names(model: type[BaseModel]) -> list[str]:
    names: list[str] = []
    for name, info in model.model_fields.items():
        names.append(info.alias or name)
    return names


def _model_at(model: type[BaseModel], loc: tuple[int | str, ...]) -> type[BaseModel] | None:
    """The model class that owns the last element of ``loc`` (best effort, for suggestions)."""
    import types
    import typing

    current: Any = model
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        info = current.model_fields.get(str(part))
        if info is None:
            return None
        ann = info.annotation
        # unwrap Optional / list / dict to the first BaseModel found
        stack = [ann]
        found: Any = None
        while stack:
            t = stack.pop(0)
            if isinstance(t, type) and issubclass(t, BaseModel):
                found = t
                break
            origin = typing.get_origin(t)
            if origin is not None or isinstance(t, types.UnionType):
                stack.extend(typing.get_args(t))
        current = found
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _pointer(loc: Iterable[int | str]) -> str:
    from qms.store.yaml_io import escape_pointer_token

    return "".join(f"/{escape_pointer_token(str(p))}" for p in loc)


_MISSING = object()


def _clean_loc(loc: tuple[int | str, ...], data: Any = _MISSING) -> tuple[int | str, ...]:
    """The part of a pydantic ``loc`` that names real keys and indexes of ``data``.

    pydantic inserts union and validator tags (``'str'``, ``'function-before[...]'``) into ``loc``;
    walking the data tells them apart from user keys, whatever characters those keys contain.
    Without data, the tags are recognised by their shape.
    """
    out: list[int | str] = []
    node = data
    for i, part in enumerate(loc):
        if node is not _MISSING:
            if isinstance(node, dict) and part in node:
                node = node[part]
                out.append(part)
                continue
            if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
                node = node[part]
                out.append(part)
                continue
            if i == len(loc) - 1 and isinstance(node, dict) and isinstance(part, str):
                out.append(part)  # a missing field: the key is named but absent
            continue
        if isinstance(part, str) and ("[" in part or part in ("str", "date", "int", "float", "bool")):
            continue
        out.append(part)
    return tuple(out)


def schema_problems(exc: ValidationError, model: type[BaseModel], smap: SourceMap,
                    data: Any = _MISSING) -> list[SchemaProblem]:
    problems: list[SchemaProblem] = []
    seen: set[tuple[str, str]] = set()
    for err in exc.errors(include_url=False):
        loc = _clean_loc(tuple(err.get("loc", ())), data)
        pointer = _pointer(loc)
        etype = str(err.get("type", ""))
        msg = str(err.get("msg", "invalid value"))
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, ") :]
        if etype == "extra_forbidden":
            field_name = str(loc[-1]) if loc else ""
            owner = _model_at(model, loc)
            choices = _field_names(owner) if owner is not None else []
            close = difflib.get_close_matches(field_name, choices, n=1, cutoff=0.6)
            if close:
                hint = _("did you mean `{name}`?").format(name=close[0])
            elif " " in field_name or (not field_name.isascii() and err.get("input") is None):
                # the tail of a text cut by a comma inside `{...}` is a key without a value; a key with
                # a value (`mô_tả: …`) is a field named in Vietnamese, told the allowed fields below
                hint = _("this looks like text: a comma inside `{...}` starts a new field, "
                         "so quote the whole value (\"...\")")
            else:
                hint = (_("allowed fields: {fields}").format(fields=", ".join(choices)) if choices
                        else _("remove the field"))
            mark, _found = smap.locate(pointer, prefer_key=True)
            problems.append(SchemaProblem("unknown-field", _("unknown field `{name}`").format(name=field_name), pointer,
                                          mark.line, mark.column, hint))
            continue
        if etype == "missing":
            field_name = str(loc[-1]) if loc else ""
            parent = pointer.rsplit("/", 1)[0]
            mark, _found = smap.locate(parent)
            where = parent or _("the document")
            problems.append(SchemaProblem("missing-field", _("missing required field `{name}` in {where}").format(name=field_name, where=where),
                                          pointer, mark.line, mark.column,
                                          _("add `{name}:` here").format(name=field_name)))
            continue
        mark, found = smap.locate(pointer)
        surprise = smap.surprise(found) if found == pointer else smap.surprise(pointer)
        if surprise is not None:
            span = smap.span(pointer) if found == pointer else None
            edits = ((Edit(span[0].line, span[0].column, span[1].line, span[1].column, f"'{surprise}'", surprise),)
                     if span is not None and span[0].line == span[1].line
                     and span[1].column - span[0].column == len(surprise) else ())
            problems.append(SchemaProblem(
                "yaml11",
                (_("YAML reads the unquoted `{value}` as a boolean")
                 if surprise.lower() in ("y", "n", "yes", "no", "on", "off")
                 else _("YAML reads the unquoted `{value}` as a number")).format(value=surprise)
                + " (" + _type_message(etype, msg, err.get("ctx")) + ")",
                pointer, mark.line, mark.column, _("quote it: '{value}'").format(value=surprise), edits))
            continue
        key = (pointer, msg)
        if key in seen:
            continue
        seen.add(key)
        got = err.get("input")
        shown = repr(got) if isinstance(got, str | int | float | bool) or got is None else type(got).__name__
        if len(shown) > 80:  # a huge value is named, not echoed
            shown = shown[:77] + "…"
        problems.append(SchemaProblem("type", _("{pointer}: {problem} (got {value})").format(pointer=pointer or "/", problem=_type_message(etype, msg, err.get("ctx")),
                                                                    value=shown), pointer,
                                      mark.line, mark.column, _type_hint(etype, err.get("ctx"))))
    return problems


_TYPE_MESSAGES = {
    "string_type": N_("expected text"),
    "int_parsing": N_("expected a whole number"),
    "int_type": N_("expected a whole number"),
    "int_from_float": N_("expected a whole number"),
    "float_parsing": N_("expected a number"),
    "float_type": N_("expected a number"),
    "date_from_datetime_parsing": N_("expected a date (YYYY-MM-DD)"),
    "date_parsing": N_("expected a date (YYYY-MM-DD)"),
    "date_type": N_("expected a date (YYYY-MM-DD)"),
    "list_type": N_("expected a list"),
    "model_type": N_("expected a mapping of fields"),
    "model_attributes_type": N_("expected a mapping of fields"),
    "dict_type": N_("expected a mapping"),
    "bool_type": N_("expected true or false"),
    "bool_parsing": N_("expected true or false"),
    "string_pattern_mismatch": N_("the value does not have the required form"),
    "too_short": N_("the list or text is too short"),
}


def _type_message(etype: str, msg: str, ctx: Any = None) -> str:
    """A translatable message for the pydantic error types qms's models can raise; pydantic's own
    (English) text only for a type not listed here."""
    ctx = ctx if isinstance(ctx, dict) else {}
    if etype == "literal_error":
        expected = str(ctx.get("expected", ""))
        choices = re.findall(r"'((?:[^'\\]|\\.)*)'", expected) or re.findall(r"'([^']*)'", msg)
        if choices:
            return _("the value must be one of: {choices}").format(choices=", ".join(f"'{c}'" for c in choices))
        return msg
    n = ctx.get("min_length", ctx.get("max_length"))
    if isinstance(n, int):
        if etype == "string_too_short":
            return ngettext("the text must have at least {n} character",
                            "the text must have at least {n} characters", n).format(n=n)
        if etype == "string_too_long":
            return ngettext("the text must have at most {n} character",
                            "the text must have at most {n} characters", n).format(n=n)
        if etype == "too_short":
            return ngettext("the list must have at least {n} item", "the list must have at least {n} items",
                            n).format(n=n)
        if etype == "too_long":
            return ngettext("the list must have at most {n} item", "the list must have at most {n} items",
                            n).format(n=n)
    limits = {
        "greater_than": ("gt", N_("the value must be greater than {limit}")),
        "greater_than_equal": ("ge", N_("the value must be at least {limit}")),
        "less_than": ("lt", N_("the value must be less than {limit}")),
        "less_than_equal": ("le", N_("the value must be at most {limit}")),
    }
    if etype in limits and limits[etype][0] in ctx:
        key, message = limits[etype]
        return _(message).format(limit=ctx[key])
    if etype in _TYPE_MESSAGES:
        return _(_TYPE_MESSAGES[etype])
    return msg


#: The form a pattern asks for, by the start of the pattern (the ids qms allocates, the rule codes,
#: the logo path, the announcement fingerprints); any other pattern is an identifier's.
_PATTERN_HINTS = (
    ("^NC-", N_("write the id as NC-YYYY-NNNN, e.g. NC-2026-0001")),
    ("^AUD-", N_("write the id as AUD-YYYY-NN, e.g. AUD-2026-01")),
    ("^CA-", N_("write the id as CA-N, e.g. CA-1")),
    ("^MR-", N_("write the id as MR-YYYY-NN, e.g. MR-2026-01")),
    ("^CB-", N_("write the id as CB-YYYY-NN, e.g. CB-2026-01")),
    ("^QMS", N_("write a rule code in capitals, e.g. QMS214 (`qms rules` lists them)")),
    ("^[0-9a-f]{64}", N_("a fingerprint is 64 hexadecimal digits written by `qms announce`; record the "
                         "announcement again rather than editing it")),
    ("^[A-Za-z0-9_][A-Za-z0-9_./-]*\\.(?:png", N_("name a PNG, JPEG or SVG file inside the repository by its "
                                                   "relative path, e.g. assets/logo.png")),
)


def _type_hint(etype: str, ctx: Any = None) -> str:
    if etype == "string_pattern_mismatch" and isinstance(ctx, dict):
        pattern = str(ctx.get("pattern", ""))
        for start, hint in _PATTERN_HINTS:
            if pattern.startswith(start):
                return _(hint)
    hints = {
        "string_type": N_("write text, quoted if it looks like a number or yes/no"),
        "int_parsing": N_("write a whole number"),
        "int_type": N_("write a whole number"),
        "date_from_datetime_parsing": N_("write a date as YYYY-MM-DD"),
        "date_parsing": N_("write a date as YYYY-MM-DD"),
        "date_type": N_("write a date as YYYY-MM-DD"),
        "literal_error": N_("use one of the listed values"),
        "list_type": N_("write a list (lines starting with `- `)"),
        "model_type": N_("write a mapping of fields (key: value lines)"),
        "model_attributes_type": N_("write a mapping of fields (key: value lines)"),
        "dict_type": N_("write a mapping (key: value lines)"),
        "string_pattern_mismatch": N_("use letters, digits, '.', '_' or '-' only, starting with a letter or digit"),
        "bool_type": N_("write true or false"),
        "bool_parsing": N_("write true or false"),
        "greater_than_equal": N_("use a larger value"),
        "string_too_short": N_("write a longer text"),
        "too_short": N_("add the missing entries"),
        "less_than_equal": N_("use a smaller value"),
    }
    return _(hints.get(etype, N_("fix the value")))


def parse_document(root: Path, path: Path, kind: FileKind) -> LoadedDoc[Any]:
    """Read and parse one file (no schema validation yet): the part that can run in a worker."""
    rel = path.relative_to(root).as_posix()
    try:
        raw = read_bounded(path, current_limits().yaml_size, "yaml_size")
    except FileRefused as exc:
        return LoadedDoc(rel, kind.name, None, SourceMap(),
                         [LoadProblem("too-large" if exc.kind == "too-large" else "io", exc.reason, hint=exc.hint)])
    digest = hashlib.blake2b(raw, digest_size=16).hexdigest()
    loaded: LoadedYaml = load_bytes_fast(raw)
    doc: LoadedDoc[Any] = LoadedDoc(rel, kind.name, None, loaded.source_map, list(loaded.problems), digest=digest,
                                    text_problems=nfc_problems(raw))
    if b"<<<<<<< " in raw:  # rules read the conflict from the loaded document, never from the file again
        doc.conflict_line = conflict_marker_line(raw.decode("utf-8", errors="replace"))
    if loaded.data is None:
        if not loaded.problems:
            doc.load_problems.append(LoadProblem("empty", _("the file is empty"), hint=_("add the document's fields")))
        return doc
    doc.raw = loaded.data
    if not isinstance(loaded.data, dict):
        doc.load_problems.append(LoadProblem("syntax", _("the file must hold a mapping of fields at the top level"),
                                             hint=_("start the file with `key: value` lines")))
        doc.raw = None
    return doc


def validate_document(doc: LoadedDoc[Any], kind: FileKind) -> LoadedDoc[Any]:
    """Validate a parsed document against its model; a failure is mapped onto the source.

    A file with a duplicate key is still validated: the duplicate is reported, the rest is checked.
    """
    if doc.raw is None:
        return doc
    try:
        doc.model = kind.model.model_validate(doc.raw)
    except ValidationError as exc:
        if isinstance(doc.source_map, LazySourceMap):
            # the fast path skipped the careful checks; run them now for precise problems
            careful = load_text(doc.source_map.text)
            doc.load_problems.extend(careful.problems)
            doc.source_map = careful.source_map
        doc.schema_problems = schema_problems(exc, kind.model, doc.source_map, doc.raw)
    except RecursionError:
        doc.load_problems.append(LoadProblem("depth", _("the document is nested too deeply")))
    return doc


def load_document(root: Path, path: Path, kind: FileKind) -> LoadedDoc[Any]:
    return validate_document(parse_document(root, path, kind), kind)


def iter_files(root: Path, kind: FileKind) -> list[Path]:
    """The files of ``kind`` (links and special files too: reading them reports what they are).

    A folder that exists but cannot be listed is an error, never an empty folder.
    """
    found: list[Path] = []
    for pattern in kind.patterns:
        folder, _sep, name_glob = pattern.rpartition("/")
        directory = root / folder if folder else root
        if not folder:
            path = root / pattern
            if path.is_file() or path.is_symlink():
                found.append(path)
            continue
        try:
            with os.scandir(directory) as entries:
                names = [e.name for e in entries if not e.is_dir()]
        except FileNotFoundError:
            continue
        except NotADirectoryError:
            continue
        except OSError as exc:
            raise UnreadableFolder(
                _("{path}: cannot list the folder: {reason}").format(
                    path=directory, reason=exc.strerror or exc),
                _("make the folder readable (chmod u+rx), or run qms as a user who can read it"),
            ) from None
        found.extend(directory / n for n in fnmatch.filter(names, name_glob))
    return sorted(set(found))


class UnreadableFolder(QmsError):
    """A repository folder that exists but cannot be listed (exit 2: its files would be missed)."""


def _within(root: Path, path: Path, real_folders: dict[Path, Path | None] | None = None) -> bool:
    """Whether ``path`` resolves inside ``root`` (already resolved).

    With ``real_folders`` (a cache of resolved folders shared by one load), a file that is not itself
    a link is its resolved folder plus its name: one ``lstat`` instead of resolving every component
    of the path again for each file.
    """
    from qms.store.paths import escapes, within

    if real_folders is None or path.is_symlink():
        return not escapes(root, path)
    folder = path.parent
    if folder not in real_folders:
        try:
            real_folders[folder] = folder.resolve()
        except (OSError, RuntimeError):
            real_folders[folder] = None
    real = real_folders[folder]
    return real is not None and within(real / path.name, root)


def load_manifest(root: Path) -> Any:
    """``qms.yaml`` alone, as a ``Manifest`` (``None`` when it is missing or does not validate)."""
    path = root / MANIFEST
    if not path.is_file():
        return None
    return load_document(root, path, FILE_KINDS[0]).model


def _folder_problem(root: Path, folder: str) -> tuple[str, LoadProblem] | None:
    """The first part of ``folder`` (say ``processes``) that is a link out of the repository or a file
    where a folder belongs, with the problem to report; None when the folder is sound or absent."""
    from qms.store.paths import escapes

    current = root
    for part in PurePosixPath(folder).parts if folder else ():
        current = current / part
        rel = current.relative_to(root).as_posix()
        if not os.path.lexists(current):
            return None
        if escapes(root, current):
            return rel, LoadProblem("io", _("the folder is a link that points outside the repository; qms does "
                                            "not read the files it leads to"),
                                    hint=_("make {name} a folder of the repository: move the files into it "
                                           "instead of linking to them").format(name=rel + "/"))
        if not current.is_dir():
            return rel, LoadProblem("io", _("{name} is a file, not a folder; the files qms expects in {name}/ "
                                            "are not read").format(name=rel),
                                    hint=_("rename or remove the file {name}, and keep its documents in a "
                                           "folder {name}/").format(name=rel))
    return None


def load_workspace(root: Path, only: Iterable[Path] | None = None,
                   progress: Callable[[str], None] | None = None, kinds: Iterable[str] | None = None) -> Workspace:
    """Load every known file of the repository (always all: cross-file rules need them).

    ``only`` is accepted for symmetry with the CLI; filtering happens on the report. ``kinds``
    (names of :data:`FILE_KINDS`) limits the load to those kinds, for a use case that reads only them.
    """
    root = root.resolve()
    ws = Workspace(root=root)
    items: list[tuple[Path, int]] = []
    wanted = None if kinds is None else set(kinds)
    real_folders: dict[Path, Path | None] = {}
    bad_folders: dict[str, bool] = {}  # folder -> whether it is reported already
    for k, kind in enumerate(FILE_KINDS):
        if wanted is not None and kind.name not in wanted:
            continue
        for pattern in kind.patterns:  # the folder itself (its files, if any, are reported one by one)
            problem = _folder_problem(root, pattern.rpartition("/")[0])
            if problem is not None and not bad_folders.get(problem[0]):
                bad_folders[problem[0]] = True
                ws.docs.append(LoadedDoc(problem[0], kind.name, None, SourceMap(), [problem[1]]))
        for path in iter_files(root, kind):
            if not _within(root, path, real_folders):
                rel = os.path.relpath(path, root)
                ws.docs.append(LoadedDoc(rel, kind.name, None, SourceMap(), [
                    LoadProblem("io", _("the file is a link that points outside the repository"),
                                hint=_("copy the file into the repository instead of linking to it"))]))
                continue
            items.append((path, k))
    for path, k in items:
        if progress:
            progress(path.name)
        doc = load_document(root, path, FILE_KINDS[k])
        ws.docs.append(doc)
        if k == 0 and isinstance(doc.raw, dict) and "limits" in doc.raw:
            note(*lower_from_manifest(doc.raw["limits"]))  # before any other file is read
    return ws
