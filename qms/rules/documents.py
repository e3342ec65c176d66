"""QMS114, QMS12x: documents as an auditor reads them — names instead of ids, the date of issue,
structured retention, directed interactions, the glossary, and drafting notes kept out of issued text.

Each rule that meets an old form of the data (free-text retention, undirected interactions, a
control block without `issued_on`) accepts it, reports it and offers the new form as a fix.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from qms.analysis.documents import controlled_documents, is_import_placeholder
from qms.analysis.glossary import (
    DisplayNames,
    abbreviations_in,
    defined_terms,
    entry_terms,
    printed_strings,
    term_used,
    text_list,
)
from qms.diagnostics import Applicability, Diagnostic, Edit, Fix, Severity
from qms.i18n import _
from qms.models.common import DocumentControl, Retention, parse_retention_text
from qms.models.process import Interaction
from qms.rules.base import CheckContext, Rule, pointer
from qms.store.workspace import LoadedDoc

_SNAKE = re.compile(r"^[a-z0-9]+(?:_[a-z0-9]+)+$")
ISSUED_STATES = ("approved", "obsolete")


def _raw(doc: LoadedDoc[Any]) -> dict[str, Any]:
    return doc.raw if isinstance(doc.raw, dict) else {}


def _texts(ctx: CheckContext, doc: LoadedDoc[Any]) -> list[tuple[str, str]]:
    """(JSON pointer, text) of every printed string of ``doc``, walked once per check."""
    cache: dict[str, list[tuple[str, str]]] = ctx.cache.setdefault("documents.texts", {})
    found = cache.get(doc.path)
    if found is None:
        found = cache[doc.path] = text_list(_raw(doc))
    return found


def _strings(ctx: CheckContext, doc: LoadedDoc[Any]) -> list[str]:
    """The printed strings of ``doc``: from :func:`_texts` when a rule already walked it, else walked
    without building pointers."""
    found = ctx.cache.get("documents.texts", {}).get(doc.path)
    return [text for _ptr, text in found] if found is not None else printed_strings(_raw(doc))


class NameIsAnId(Rule):
    """A lane or the responsibility column would print an id instead of a name.

    What it checks:
    Every step's `responsible`, `handover_to` and `handover_from` is a role, unit, person or
    participating agency (`administrative.agencies`) whose name, in Vietnamese and in English, is a
    name: not empty, not the id itself and not a snake_case id such as `chi_cuc_thue`. (Ids that name
    nothing at all are QMS103 and QMS111.)

    Why:
    The flowchart's lanes and the "Responsibility" column tell the reader who does each step
    (5.3, 7.5.2 a); an internal id means nothing to a citizen or an auditor.

    Example:
    ```yaml
    administrative:
      agencies:
        - {id: vpdkdd, name: vpdkdd}
    ```

    Fix:
    Give the role, unit or agency its name in both languages, e.g.
    `name: {vi: Chi nhánh Văn phòng đăng ký đất đai, en: Land registration office branch}`.
    """

    code = "QMS114"
    name = "name-is-an-id"
    severity = Severity.ERROR
    clauses = ("5.3", "7.5.2")

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        directory = ctx.directory()
        organisation = {lang: DisplayNames.organisation(directory, lang) for lang in ("vi", "en")}
        for doc, proc in ctx.workspace.processes():
            per_lang = {lang: names.with_agencies(proc) for lang, names in organisation.items()}
            known = set(per_lang["vi"].names)
            seen: set[str] = set()
            for i, step in enumerate(proc.steps):
                for field_name in ("responsible", "handover_to", "handover_from"):
                    ident = getattr(step, field_name)
                    if not ident or ident not in known or ident in seen:
                        continue
                    bad = [lang for lang, names in per_lang.items()
                           if names.name(ident) is None or _SNAKE.match(names.names.get(ident, ""))]
                    if bad:
                        seen.add(ident)
                        yield self.at(doc, pointer("steps", i, field_name),
                                      _("`{id}` has no name to print ({langs}): the flowchart would show the id")
                                      .format(id=ident, langs=", ".join(bad)),
                                      hint=_("give the role, unit or agency a name: {vi: ..., en: ...}"),
                                      subject=proc.id)


class UndefinedAbbreviation(Rule):
    """A procedure uses an abbreviation that neither the glossary nor its definitions explain.

    What it checks:
    Every upper-case abbreviation (two or more capital letters, e.g. `UBND`, `NĐ`, `VPĐKĐĐ`) in the
    printed text of a procedure is a term of qms.yaml `glossary` (in either language) or of the
    procedure's own `definitions`. Codes and legal symbols (`QT-HT-01`, `BM-01`, `NĐ-CP`,
    `01/2018/TT-VPCP`), Roman numerals and `internal_notes` are ignored.

    Why:
    Section 4 "Definitions and abbreviations" is generated from the glossary; an abbreviation it does
    not explain leaves the reader guessing (7.5.2 a, 7.5.3.1 a).

    Example:
    ```yaml
    steps:
      - name: {vi: Chuyển hồ sơ đến VPĐKĐĐ, en: Send the dossier to the LRO}
    ```

    Fix:
    Add the abbreviation to the glossary in qms.yaml
    (`glossary: [{term: {vi: VPĐKĐĐ, en: LRO}, meaning: {vi: Văn phòng đăng ký đất đai, en: Land
    registration office}}]`), or to the procedure's `definitions` when only this procedure uses it.
    """

    code = "QMS120"
    name = "undefined-abbreviation"
    severity = Severity.WARNING
    profile = "strict"
    clauses = ("7.5.2",)

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        manifest = ctx.workspace.manifest
        if manifest is None:  # the glossary is unknown: QMS013 says so
            return
        for doc, proc in ctx.workspace.processes():
            defined = defined_terms(manifest, proc)
            defined_upper = {t.upper() for t in defined}
            first: dict[str, str] = {}
            for ptr, text in _texts(ctx, doc):
                for abbr in abbreviations_in(text):
                    if abbr.upper() not in defined_upper:
                        first.setdefault(abbr, ptr)
            for abbr, ptr in first.items():
                yield self.at(doc, ptr, _("`{abbr}` is used but not defined in the glossary").format(abbr=abbr),
                              hint=_("add `{abbr}` to `glossary` in qms.yaml, or to this procedure's "
                                     "`definitions`").format(abbr=abbr),
                              subject=proc.id)


class UnusedGlossaryTerm(Rule):
    """A glossary term that no document uses.

    What it checks:
    Every entry of qms.yaml `glossary` occurs (its Vietnamese or English term, as a whole word) in the
    printed text of at least one procedure or of qms.yaml.

    Why:
    A glossary that lists terms nobody uses is not maintained; it hides the terms that matter
    (7.5.3.1).

    Example:
    ```yaml
    glossary:
      - {term: BHXH, meaning: {vi: Bảo hiểm xã hội, en: Social insurance}}   # no document says BHXH
    ```

    Fix:
    Remove the entry, or correct its spelling to the form the documents use.
    """

    code = "QMS121"
    name = "unused-glossary-term"
    severity = Severity.WARNING
    profile = "strict"
    clauses = ("7.5.3.1",)

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        mdoc, manifest = ctx.workspace.manifest_doc, ctx.workspace.manifest
        if mdoc is None or manifest is None or not manifest.glossary:
            return
        corpus = [text for _p, text in _texts(ctx, mdoc)]
        for doc, _proc in ctx.workspace.processes():
            corpus.extend(text for _p, text in _texts(ctx, doc))
        joined = "\n".join(corpus)
        for i, entry in enumerate(manifest.glossary):
            terms = entry_terms(entry)
            if not any(term_used(term, joined) for term in terms):
                yield self.at(mdoc, pointer("glossary", i, "term"),
                              _("glossary term `{term}` is used by no document").format(
                                  term=entry.term.vi or entry.term.en),
                              hint=_("remove the entry or spell it as the documents do"))


def _approval_date(dc: DocumentControl) -> Any:
    for a in dc.approvals:
        if a.revision == dc.revision and a.as_ == "approver":
            return a.date
    return dc.approved_by.date if dc.approved_by is not None else None


class IssueDateMissing(Rule):
    """An issued document has no date of issue (Ngày ban hành), or one after its effective date.

    What it checks:
    A control block in state `approved` or `obsolete` gives `issued_on`, the date the document was
    signed and issued, and `issued_on` is not later than `effective_date`. Older repositories without
    `issued_on` are read as before; the finding proposes the approval date (or the effective date).

    Why:
    The header of a Vietnamese controlled document gives both Ngày ban hành and Ngày hiệu lực; the
    date of issue identifies the document (7.5.2 a) and shows it was approved before use (7.5.2 c).

    Example:
    ```yaml
    document:
      code: QT-HT-01
      revision: 1
      effective_date: 2026-01-05   # no issued_on
    ```

    Fix:
    Add `issued_on: 2026-01-02` (the date the approver signed). `qms check --unsafe-fixes` adds the
    approval date, or the effective date when no approval date is recorded.
    """

    code = "QMS122"
    name = "issue-date-missing"
    severity = Severity.WARNING
    clauses = ("7.5.2",)

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        for doc, ptr, dc, raw in controlled_documents(ctx.workspace):
            if dc.state not in ISSUED_STATES:
                continue
            if dc.issued_on is not None:
                if dc.effective_date is not None and dc.issued_on > dc.effective_date:
                    yield self.at(doc, f"{ptr}/issued_on",
                                  _("`{code}` is issued on {issued}, after it takes effect ({effective})").format(
                                      code=dc.code, issued=dc.issued_on.isoformat(),
                                      effective=dc.effective_date.isoformat()),
                                  hint=_("a document takes effect on or after the day it is issued"),
                                  subject=dc.code)
                continue
            proposed = _approval_date(dc) or dc.effective_date
            fix = self._insert(doc, ptr, raw, proposed.isoformat()) if proposed is not None else None
            yield self.at(doc, ptr, _("issued document `{code}` has no date of issue (`issued_on`)").format(
                              code=dc.code),
                          hint=_("add `issued_on:` with the date it was signed and issued"),
                          subject=dc.code, key=True, fix=fix)

    def _insert(self, doc: LoadedDoc[Any], ptr: str, raw: Any, day: str) -> Fix | None:
        """Insert ``issued_on`` before ``effective_date`` (block or flow mapping), from the source map."""
        if not isinstance(raw, dict) or "effective_date" not in raw or "code" not in raw:
            return None
        sm = doc.source_map
        eff, _p1 = sm.locate(f"{ptr}/effective_date", prefer_key=True)
        code, _p2 = sm.locate(f"{ptr}/code", prefer_key=True)
        if eff.line == code.line:  # a flow mapping on one line: {code: ..., effective_date: ...}
            content = f"issued_on: {day}, "
        else:
            content = f"issued_on: {day}\n" + " " * (eff.column - 1)
        edit = Edit(eff.line, eff.column, eff.line, eff.column, content, "")
        return Fix(Applicability.UNSAFE, _("add `issued_on: {day}`").format(day=day), (edit,))


class RetentionFreeText(Rule):
    """A record's retention is free text instead of a structured period.

    What it checks:
    `retention` of a record (a process's `records`, `records/register.yaml`) is `permanent`,
    `until_superseded`, `{years: N}` or `{months: N}`, optionally with `after:` (the event the period
    runs from). Free text such as `5 years` is the old form: it is still read, reported, and rewritten
    by the fix.

    Why:
    Retention must be defined (7.5.3.2 d) and printed in the document's language ("5 năm", "Vĩnh
    viễn"); free text is printed as written, in whatever language it was typed.

    Example:
    ```yaml
    records:
      - {code: HS-01, title: Sổ chứng thực, retention: 5 years, location: Tư pháp}
    ```

    Fix:
    Write `retention: {years: 5}`; `10 năm sau khi hết hiệu lực` becomes
    `{years: 10, after: {vi: hết hiệu lực, en: expiry}}`. `qms check --fix` rewrites unambiguous
    periods ("5 years", "5 năm", "permanent", "vĩnh viễn"); a period after an event needs its English
    event, so that fix is unsafe.
    """

    code = "QMS123"
    name = "retention-free-text"
    severity = Severity.WARNING
    clauses = ("7.5.3.2",)

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        for doc, proc in ctx.workspace.processes():
            for i, rec in enumerate(proc.records):
                yield from self._one(doc, pointer("records", i, "retention"), rec.retention, proc.id)
        for doc, reg in ctx.workspace.models("record-register"):
            for i, entry in enumerate(reg.records):
                yield from self._one(doc, pointer("records", i, "retention"), entry.retention, entry.code)

    def _one(self, doc: LoadedDoc[Any], ptr: str, value: Retention | str, subject: str) -> Iterator[Diagnostic]:
        if isinstance(value, Retention):
            return
        parsed = parse_retention_text(value)
        fix: Fix | None = None
        hint = _("write `permanent`, `until_superseded`, `{years: N}` or `{months: N}` (with `after:` for a "
                 "period after an event)")
        if parsed is not None:
            structured, exact = parsed
            new = structured.to_yaml()
            hint = _("write `retention: {new}`").format(new=new)
            span = doc.source_map.span(ptr)
            edit: Edit | None = None
            if span is not None and span[0].line == span[1].line:
                start, end = span
                width = end.column - start.column
                if width == len(value):  # plain scalar
                    edit = Edit(start.line, start.column, end.line, end.column, new, value)
                elif width == len(value) + 2 and new in ("permanent", "until_superseded"):
                    # quoted: a keyword may stay inside the author's quotes, whichever they are
                    edit = Edit(start.line, start.column + 1, end.line, end.column - 1, new, value)
            if edit is not None:
                fix = Fix(Applicability.SAFE if exact else Applicability.UNSAFE,
                          _("write retention as `{new}`").format(new=new), (edit,))
        yield self.at(doc, ptr, _("retention `{value}` is free text").format(value=value),
                      hint=hint, subject=subject, fix=fix)


class UndirectedInteraction(Rule):
    """A process names an interaction without its direction.

    What it checks:
    Each entry of a process's `interactions` is `{to: PROCESS, what: ...}`: the process this one sends
    something to, and what. A bare process id is the old, undirected form; it is read as "to" and
    reported.

    Why:
    The sequence and interaction of processes (4.4.1 b) is a flow: the interaction map draws an
    arrow from the sender to the receiver, and the reader needs to know what passes.

    Example:
    ```yaml
    interactions: [QT-KP-01, QT-DL-01]
    ```

    Fix:
    Write `interactions: [{to: QT-KP-01, what: {vi: Sự không phù hợp, en: Nonconformities}}]`. The
    fix (unsafe: check the direction) rewrites `QT-KP-01` as `{to: QT-KP-01}`; an interaction this
    process receives belongs to the sending process.
    """

    code = "QMS124"
    name = "undirected-interaction"
    severity = Severity.WARNING
    clauses = ("4.4.1",)

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        for doc, proc in ctx.workspace.processes():
            for i, item in enumerate(proc.interactions):
                if isinstance(item, Interaction):
                    continue
                ptr = pointer("interactions", i)
                fix = None
                span = doc.source_map.span(ptr)
                if span is not None and span[0].line == span[1].line and span[1].column - span[0].column == len(item):
                    fix = Fix(Applicability.UNSAFE, _("write `{{to: {id}}}`").format(id=item),
                              (Edit(span[0].line, span[0].column, span[1].line, span[1].column,
                                    f"{{to: {item}}}", item),))
                yield self.at(doc, ptr, _("interaction with `{id}` has no direction").format(id=item),
                              hint=_("write `{{to: {id}, what: ...}}` if this process sends something to "
                                     "`{id}`; otherwise move it to `{id}` as `{{to: {this}}}`").format(
                                         id=item, this=proc.id),
                              subject=proc.id, fix=fix)


# Words that mark a drafting or research note, not issued text (compared case-insensitively).
DRAFT_MARKERS = ("chưa kiểm chứng", "unverified", "không được mô hình hóa", "not modelled here", "todo",
                 "fixme", "tbd")
_MARKER_RE = re.compile(r"(?<!\w)(" + "|".join(re.escape(m) for m in DRAFT_MARKERS) + r")(?!\w)", re.IGNORECASE)


# str.lower() folds case as the case-insensitive search does, but for three characters the search also
# reads as `i` or `s` (dotless ı, long ſ, and İ, whose lower case is `i` and a combining dot): mapped
# here, a plain substring test on the folded text never misses a marker the search would find.
_FOLDED_MARKERS = tuple(m.lower() for m in DRAFT_MARKERS)


def may_hold_draft_marker(text: str) -> bool:
    """False only when :func:`draft_marker` finds nothing in ``text`` (a quick test before the search)."""
    folded = text.lower().replace("\u0131", "i").replace("\u017f", "s").replace("\u0307", "")
    return any(m in folded for m in _FOLDED_MARKERS)


def draft_marker(text: str) -> str | None:
    """The drafting-note marker ``text`` holds ("CHƯA KIỂM CHỨNG", "UNVERIFIED" ...), or None."""
    m = _MARKER_RE.search(text)
    return m.group(1) if m else None


class DraftNoteInIssuedText(Rule):
    """An issued document prints a drafting or verification note.

    What it checks:
    The printed text of an issued document (a procedure, or qms.yaml with its forms register) holds no
    drafting or research marker: "CHƯA KIỂM CHỨNG", "UNVERIFIED", "không được mô hình hóa",
    "not modelled here", "TODO", "FIXME", "TBD". Drafts (`state: draft` or `in_review`) are not
    issued and are skipped; `internal_notes` are never printed and are not checked.

    Why:
    An issued document must read as issued text: the reader relies on it (7.5.2 c, 7.5.3.1 a).
    Verification status and drafting remarks belong to the people who keep the document.

    Example:
    ```yaml
    legal_basis: Mẫu số 07, Thông tư 03/2025/TT-VPCP (ngày hiệu lực chưa kiểm chứng / in-force date UNVERIFIED)
    ```

    Fix:
    Move the remark to `internal_notes` (`- {kind: verification, about: BM-03, text: ...}`), where
    `qms render --drafts` shows it and an issued document never does.
    """

    code = "QMS125"
    name = "draft-note-in-issued-text"
    severity = Severity.WARNING
    clauses = ("7.5.2", "7.5.3.1")

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        mdoc, manifest = ctx.workspace.manifest_doc, ctx.workspace.manifest
        if mdoc is not None and manifest is not None and (manifest.manual is None or
                                                          manifest.manual.state in ISSUED_STATES):
            yield from self._scan(ctx, mdoc, "")
        for doc, proc in ctx.workspace.processes():
            if proc.document.state in ISSUED_STATES:
                yield from self._scan(ctx, doc, proc.id)

    def _scan(self, ctx: CheckContext, doc: LoadedDoc[Any], subject: str) -> Iterator[Diagnostic]:
        # One quick test over the whole document first: most documents hold no marker at all. A
        # marker never spans two texts, since no marker holds a line break.
        if not may_hold_draft_marker("\n".join(_strings(ctx, doc))):
            return
        for ptr, text in _texts(ctx, doc):
            marker = draft_marker(text)
            if marker is not None:
                yield self.at(doc, ptr, _("issued text holds the drafting note \u201c{marker}\u201d").format(
                                  marker=marker),
                              hint=_("move the remark to `internal_notes`; `qms render --drafts` shows it"),
                              subject=subject)


class ImportPlaceholder(Rule):
    """A field still holds a placeholder that `qms import` wrote.

    What it checks:
    `qms import docx` and `qms import xlsx` fill every field a Word file never holds (kind, owner, unit, a
    missing section or retention) with a placeholder and leave an internal note beside it:
    `{kind: verification, about: /kind, text: "placeholder written by qms import: replace it"}`. Each
    such note still present is a finding at the field it names, even when the placeholder is a valid
    value (such as `kind: core`).

    Why:
    An imported draft is only a starting point: a value nobody chose must not pass for a decision when
    the procedure is approved (7.5.2 c, 7.5.3.2).

    Example:
    ```yaml
    kind: core   # QT-07.docx: placeholder: Word never holds it; set it with --defaults
    internal_notes:
      - {kind: verification, about: /kind, text: "placeholder written by qms import: replace it"}
    ```

    Fix:
    Set the field to the value the agency decided, then delete the note (or import again with
    `--defaults FILE`).
    """

    code = "QMS126"
    name = "import-placeholder"
    severity = Severity.WARNING
    clauses = ("7.5.2", "7.5.3.2")

    def check(self, ctx: CheckContext) -> Iterator[Diagnostic]:
        for doc, proc in ctx.workspace.processes():
            for i, note in enumerate(proc.internal_notes):
                if not note.about.startswith("/"):
                    continue
                if not any(is_import_placeholder(t) for t in (note.text.vi, note.text.en) if t):
                    continue
                _mark, found = doc.source_map.locate(note.about)
                located = note.about if found == note.about else f"/internal_notes/{i}"
                yield self.at(doc, located, _("`{field}` still holds the placeholder `qms import` wrote").format(
                                  field=note.about.lstrip("/")),
                              hint=_("set the value the agency decided, then delete the note about {field}").format(
                                  field=note.about),
                              subject=proc.id)


RULES = (NameIsAnId, UndefinedAbbreviation, UnusedGlossaryTerm, IssueDateMissing, RetentionFreeText,
         UndirectedInteraction, DraftNoteInIssuedText, ImportPlaceholder)
