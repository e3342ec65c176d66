"""``qms import docx``: Word procedures → process YAML drafts, with a report of what was read."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qms.analysis.documents import IMPORT_HEADERS
from qms.analysis.people import Directory
from qms.errors import QmsError
from qms.i18n import _, use_language
from qms.importer import vocabulary as voc
from qms.importer.build import _dates, assemble, localise, validate
from qms.importer.document import Grid, Reading, read, relocate
from qms.importer.language import judge_language
from qms.importer.mapping import Draft, Options, map_reading
from qms.importer.roles import RoleMatcher
from qms.store import import_store
from qms.store.paths import PROCESS, check_id, record_path
from qms.store.word import read_word
from qms.store.workspace import MANIFEST, load_manifest
from qms.store.yaml_dump import dump_yaml_commented


@dataclass(slots=True)
class DocResult:
    source: Path
    draft: Draft
    target: Path
    text: str
    before: str | None
    problems: list[str] = field(default_factory=list)

    def diff(self, root: Path) -> str:
        rel = self.target.relative_to(root) if import_store.inside(self.target, root) else self.target
        return "".join(difflib.unified_diff((self.before or "").splitlines(True), self.text.splitlines(True),
                                            fromfile=f"a/{rel}", tofile=f"b/{rel}"))


@dataclass(slots=True)
class ImportRun:
    root: Path
    results: list[DocResult] = field(default_factory=list)
    written: bool = False
    roles_added: list[str] = field(default_factory=list)
    lang: str = "vi"  # the language of the drafts (the organisation's); the report speaks the user's

    def proposed_roles(self) -> list[dict[str, Any]]:
        seen: dict[str, dict[str, Any]] = {}
        for r in self.results:
            for rid, p in r.draft.proposed.items():
                # in the language the document is written in; the organisation's text (a plain string) is both
                title = {"vi": p.title, "en": p.title} if r.draft.language in ("", self.lang) else {r.draft.language: p.title}
                seen.setdefault(rid, {"id": rid, "title": title})
        return list(seen.values())

    def to_dict(self) -> dict[str, Any]:
        return {
            "documents": [{
                "source": _text(str(r.source)), "draft": _text(str(r.target)), "id": r.draft.data.get("id"),
                "edition": r.draft.edition,
                "language": r.draft.language, "language_by": r.draft.language_by,
                "vietnamese_letter_share": round(r.draft.language_share, 3),
                "mapped": [{"field": f, "from": relocate(w, self.lang)} for f, w in r.draft.mapped],
                "unmapped": [{"at": relocate(w, self.lang), "text": t} for w, t in r.draft.unmapped],
                "placeholders": r.draft.placeholders,
                "proposed_roles": sorted(r.draft.proposed),
                **{key: [relocate(x, self.lang) for x in getattr(r.draft, key)] for key in ("kept", "converted",
                                                                                          "dropped")},
                "migration": r.draft.migration,
                "problems": r.problems,
                "warnings": r.draft.warnings,
                "changed": r.before is not None and r.before != r.text,
                "new": r.before is None,
            } for r in self.results],
            "proposed_roles": self.proposed_roles(),
            "roles_added": self.roles_added,
            "written": self.written,
        }


def _legal_index(root: Path) -> Any:
    """The index of ``legal/register.yaml``, or None when the repository has none (or it does not load)."""
    from qms.legal.register import Index
    from qms.store.workspace import FILE_KINDS, load_document

    kind = next(k for k in FILE_KINDS if k.name == "legal-register")
    path = root / "legal" / "register.yaml"
    if not path.is_file():
        return None
    doc = load_document(root, path, kind)
    return Index.build(doc.model) if doc.model is not None else None


def _directory(root: Path) -> tuple[Directory, str, str, str, dict[str, str]]:
    """The people of the repository, its process id pattern, its language (of the drafts), the edition
    of ISO 9001 it declares and the titles of its forms register (by code, in its language)."""
    from qms.standards.editions import edition_of_standard

    manifest = load_manifest(root) if (root / MANIFEST).is_file() else None
    pattern = manifest.document_codes.process_pattern if manifest is not None else r"^QT-[A-Z0-9]+(-[A-Z0-9]+)*$"
    lang = manifest.organisation.default_language if manifest is not None else "vi"
    edition = edition_of_standard(manifest.standard) if manifest is not None else "2015"
    forms = {f.code: f.title.get(lang) for f in manifest.forms} if manifest is not None else {}
    return Directory.of(manifest), pattern, lang, edition, forms


def _text(name: str) -> str:
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def shown_name(path: Path) -> str:
    """The file name as text that can be written: a name that is not UTF-8 (a zip made on Windows, an old
    disk) has its undecodable bytes shown as "\ufffd" instead of stopping every write of the draft."""
    return _text(path.name)


def import_one(path: Path, roles: RoleMatcher, opts: Options, *, convert: bool = False) -> Draft:
    """One Word file as a draft (nothing written).

    What goes into the draft (its comments, locations and notes) is in ``opts.lang``, the organisation's
    language, whatever the language of messages; the report's own lines stay in the language of messages.
    """
    source = path
    temp: Path | None = None
    if (convert and path.suffix.lower() == ".doc") or (convert and _is_legacy(path)):
        temp = import_store.write_converted(import_store.convert_to_docx(path), path)
        source = temp
    try:
        try:
            with use_language(opts.lang):  # the locations ("bảng 3, dòng 4") go into the draft
                word = read_word(source)
        except QmsError:
            read_word(source)  # refused: again, so that the message is in the language of messages
            raise
    finally:
        if temp is not None:
            import_store.remove_temp(temp)
    word.name = shown_name(path)
    reading = read(word)
    if convert and temp is not None:
        reading.converted.append(_("legacy .doc converted with LibreOffice"))
    judged = judge_language(_texts(reading))
    with use_language(opts.lang):
        mapper, _draft = map_reading(reading, roles, opts)
        draft = assemble(mapper, opts)
        draft.language = opts.doc_lang or judged.lang
        draft.language_by = "given" if opts.doc_lang else judged.by
        draft.language_share = judged.share
        localise(draft, draft.language, opts.lang)
    if not mapper.sections:
        draft.warnings.append(_("{file}: no known section heading found (expected headings such as {vi}, or {en}): "
                                "the purpose, scope and steps are placeholders and the text is kept as internal "
                                "notes").format(file=shown_name(path), vi=voc.EXPECTED["vi"], en=voc.EXPECTED["en"]))
    elif not draft.data.get("steps"):
        draft.warnings.append(_("{file}: no steps found (expected a steps table with columns such as Bước / Step, "
                                "Nội dung / Description, Trách nhiệm / Responsibility, or paragraphs \"Bước 1: …\" / "
                                "\"Step 1: …\")").format(file=shown_name(path)))
    return draft


def _texts(reading: Reading) -> Iterator[str]:
    """Every paragraph and cell text of a reading (body and page header), to judge its language."""
    for block in [*reading.header, *reading.blocks]:
        if isinstance(block, Grid):
            for row in block.cells:
                yield from row
        else:
            yield block.text


def _is_legacy(path: Path) -> bool:
    from qms.store.word import is_legacy_doc

    return is_legacy_doc(path)


def import_docx(root: Path, paths: list[Path], *, out: Path | None = None, edition: str | None = None,
                comments: bool = False, defaults: Path | None = None, convert: bool = False,
                dry_run: bool = False, force: bool = False, add_roles: bool = False, diff_only: bool = False,
                progress: Callable[[int, int, str], None] | None = None, doc_lang: str | None = None) -> ImportRun:
    """Import every Word file of ``paths``; write the drafts unless ``dry_run``/``diff_only``. The documents'
    language is ``doc_lang``, else judged per document from its text."""
    directory, pattern, lang, repo_edition, org_forms = _directory(root)
    opts = Options(edition=edition, comments=comments, lang=lang, repo_edition=repo_edition, doc_lang=doc_lang,
                   org_forms=org_forms,
                   defaults=import_store.read_defaults(defaults) if defaults is not None else {},
                   process_pattern=pattern, legal=_legal_index(root))
    matcher = RoleMatcher(directory)
    for ident, name in import_store.known_agencies(root):
        matcher.add_agency(ident, name)
    files = import_store.word_files(paths, legacy=True)  # a .doc in a folder is refused (or converted), never skipped
    if not files:
        raise QmsError(_("no .docx or .docm files found"), _("give .docx files or a folder that holds them"))
    run = ImportRun(root, lang=lang)
    out_dir = out if out is not None else root / "processes"
    for i, path in enumerate(files):
        if progress is not None:
            progress(i, len(files), shown_name(path))
        draft = import_one(path, matcher, opts, convert=convert)
        pid = str(draft.data["id"])
        if out is None:
            target = record_path(root, "process", pid)
        else:
            check_id(PROCESS, pid)
            target = out_dir / f"{pid}.yaml"
        with use_language(opts.lang):
            header = [_(IMPORT_HEADERS[0]).format(
                file=shown_name(path))]
        text = dump_yaml_commented(_dates(draft.data), draft.sources, header)
        problems = validate(draft)
        run.results.append(DocResult(path, draft, target, text, import_store.read_text_if_exists(target), problems))
    if progress is not None:
        progress(len(files), len(files), "")
    if dry_run or diff_only:
        first: dict[Path, DocResult] = {}
        for r in run.results:  # what the real run would refuse, said now
            other = first.setdefault(r.target, r)
            if other is not r:
                r.draft.warnings.append(_("{file}: the same code {id} as {other}: both would write {draft}, so the "
                                          "import would be refused; give them different codes (Mã hiệu) or "
                                          "import them separately with --out").format(
                    file=shown_name(r.source), id=r.draft.data.get("id"), other=shown_name(other.source),
                    draft=_text(str(r.target))))
        return run
    import_store.check_targets([r.target for r in run.results], force, [str(r.source) for r in run.results])
    import_store.write_drafts([(r.target, r.text) for r in run.results])
    run.written = True
    if add_roles:
        roles = run.proposed_roles()
        if roles:
            run.roles_added = import_store.add_roles(root / MANIFEST, roles)
    return run
