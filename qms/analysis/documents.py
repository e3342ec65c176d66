"""Controlled documents: where each one's control block sits, and the names of its states.

A controlled document is a process's ``document``, and qms.yaml ``manual`` and ``policy.document``.
Document control (``qms doc``), the due-date agenda and the QMS4xx rules all read them from here.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from qms.i18n import N_, _, translate
from qms.models.common import DocumentControl
from qms.store.workspace import LoadedDoc, Workspace


def state_label(state: str | None) -> str:
    """The translated name of a document state."""
    labels = {"draft": _("draft"), "in_review": _("in review"), "approved": _("approved"),
              "obsolete": _("obsolete")}
    return labels.get(state or "", state or "-")


def controlled_documents(ws: Workspace) -> Iterator[tuple[LoadedDoc[Any], str, DocumentControl, Any]]:
    """(file, pointer of the control block, the block, its raw mapping) for every controlled document."""
    mdoc = ws.manifest_doc
    m = ws.manifest
    if mdoc is not None and m is not None:
        raw = mdoc.raw if isinstance(mdoc.raw, dict) else {}
        if m.manual is not None:
            yield mdoc, "/manual", m.manual, raw.get("manual")
        if m.policy.document is not None:
            policy = raw.get("policy")
            yield mdoc, "/policy/document", m.policy.document, (
                policy.get("document") if isinstance(policy, dict) else None)
    for doc, proc in ws.processes():
        raw = doc.raw if isinstance(doc.raw, dict) else {}
        yield doc, "/document", proc.document, raw.get("document")


#: the role and unit id `qms import` writes where Word never says who owns or leads a procedure; a document
#: prints nothing for it (an empty field to fill in), never the id
IMPORT_PLACEHOLDER_ID = "chua_xac_dinh"

#: the internal note `qms import` writes beside every field it had to fill with a placeholder
IMPORT_PLACEHOLDER = N_("placeholder written by qms import: replace it")


def is_import_placeholder(text: str) -> bool:
    """Whether a note's text is the import placeholder note, in whichever language it was written."""
    folded = " ".join(text.split())
    return folded in (IMPORT_PLACEHOLDER, translate(IMPORT_PLACEHOLDER, "vi"))


#: the first comment line of a draft written by `qms import` (docx and xlsx), naming the source file
IMPORT_HEADERS = (N_("Draft imported by qms import docx from {file}; check every commented field."),
                  N_("Skeleton created by qms import xlsx from {file}; steps missing."))


def import_source(header_comment: str) -> str | None:
    """The source file an import draft's header comment names (in either language), else None."""
    text = " ".join(header_comment.split())
    for msgid in IMPORT_HEADERS:
        for pattern in {msgid, translate(msgid, "vi")}:
            head, _sep, tail = pattern.partition("{file}")
            if text.startswith(head) and text.endswith(tail) and len(text) > len(head) + len(tail):
                return text[len(head):len(text) - len(tail)]
    return None


def is_import_comment(text: str, source: str) -> bool:
    """Whether a YAML comment line (without its ``#``) is one `qms import` wrote: the header naming
    ``source``, or a field's comment that starts with the place in ``source`` it came from."""
    return import_source(text) == source or text == source or text.startswith((f"{source},", f"{source};"))


def open_import_notes(raw: Any) -> list[str]:
    """What `qms import` left to check in a procedure draft (its raw mapping): the ``about`` of each
    internal note it wrote that is still there (``from_import``, or the placeholder note of drafts
    imported before that flag), and each role it proposed that is still listed under ``proposed_roles``."""
    if not isinstance(raw, dict):
        return []
    found: list[str] = []
    for note in raw.get("internal_notes") or []:
        if not isinstance(note, dict):
            continue
        text = note.get("text")
        texts = [str(v) for v in text.values()] if isinstance(text, dict) else [str(text or "")]
        if note.get("from_import") is True or any(is_import_placeholder(x) for x in texts):
            found.append(str(note.get("about") or "?"))
    for role in raw.get("proposed_roles") or []:
        if isinstance(role, dict) and role.get("id"):
            found.append(_("proposed role {id}").format(id=role["id"]))
    return list(dict.fromkeys(found))
