"""What changed in a signed PDF after a signature: qms's own policy on top of pyHanko.

pyHanko's difference analysis (the ``ModificationLevel`` of ``validate_pdf_signature``) judges
whether later incremental updates are harmless, but it accepts some changes qms does not: a
rewritten Info dictionary (``/Title``, ``/Author``) or XMP packet passes as ``LTA_UPDATES``, and
bytes appended after the last ``%%EOF`` are not a revision at all, so the level stays ``NONE``.

This module names the changes itself. For every revision after the signed one it compares the
historical view of the document before and after (pyHanko's ``HistoricalResolver``) with content
digests of the relevant parts:

=================== =====================================================================
``later-signature`` a signature was added (allowed)
``dss-timestamp``   a document timestamp or the ``/DSS`` long-term-validation data (allowed)
``form-fill``       the value of a form field that is not a signature field (allowed)
``metadata``        the Info dictionary or the XMP metadata stream of the catalog
``pages``           pages added, removed or reordered, or a page's content or resources
``annotations``     an annotation other than a form widget added, removed or changed
``appended-bytes``  bytes after the end of the last revision (outside every signed range)
``other``           anything else pyHanko's analysis does not accept
=================== =====================================================================

The walk over the object graph is bounded (:data:`NODE_BUDGET` objects per comparison); a
document too large to compare is reported as ``other``, never as unchanged.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Iterable
from typing import Any

from qms.i18n import _

LATER_SIGNATURE = "later-signature"
DSS_TIMESTAMP = "dss-timestamp"
FORM_FILL = "form-fill"
METADATA = "metadata"
PAGES = "pages"
ANNOTATIONS = "annotations"
APPENDED_BYTES = "appended-bytes"
OTHER = "other"

#: Changes after a signature that leave it OK; every other kind makes the verdict NOT OK.
ALLOWED_KINDS = frozenset({LATER_SIGNATURE, DSS_TIMESTAMP, FORM_FILL})
#: Display order.
ORDER = (METADATA, PAGES, ANNOTATIONS, APPENDED_BYTES, OTHER, FORM_FILL, LATER_SIGNATURE, DSS_TIMESTAMP)
#: Objects visited per comparison of two revisions before the analysis gives up (reported as ``other``).
NODE_BUDGET = 500_000

#: Back-pointers that would make a digest depend on its container.
_SKIP = frozenset({"/Parent", "/P"})
_EOF = re.compile(rb"startxref\s+(\d+)\s+%%EOF[ \t]*(?:\r\n|\r|\n)?")


def kind_label(kind: str) -> str:
    labels = {
        LATER_SIGNATURE: _("later signature"),
        DSS_TIMESTAMP: _("DSS/timestamp"),
        FORM_FILL: _("form fill"),
        METADATA: _("metadata"),
        PAGES: _("pages"),
        ANNOTATIONS: _("annotations"),
        APPENDED_BYTES: _("appended bytes"),
        OTHER: _("other changes"),
    }
    return labels.get(kind, kind)


def ordered(kinds: Iterable[str]) -> list[str]:
    found = set(kinds)
    return [k for k in ORDER if k in found] + sorted(found - set(ORDER))


class TooComplex(Exception):
    """The object graph is larger than :data:`NODE_BUDGET`."""


class _Digester:
    """Content digests of PDF objects as seen in one revision (indirect references resolved)."""

    def __init__(self, resolver: Any, budget: list[int], page_refs: frozenset[tuple[int, int]]) -> None:
        self.resolver = resolver
        self.budget = budget
        self.page_refs = page_refs
        self.memo: dict[tuple[int, int], bytes] = {}
        self.stack: set[tuple[int, int]] = set()

    def _spend(self) -> None:
        self.budget[0] -= 1
        if self.budget[0] < 0:
            raise TooComplex

    def of(self, obj: Any, skip: frozenset[str] = _SKIP) -> bytes:
        from pyhanko.pdf_utils import generic

        self._spend()
        if isinstance(obj, generic.IndirectObject | generic.Reference):
            key = (int(obj.idnum), int(obj.generation))
            if key in self.page_refs:  # a page is named, not expanded (links, destinations)
                return b"page:%d:%d" % key
            if key in self.memo:
                return self.memo[key]
            if key in self.stack:
                return b"cycle"
            self.stack.add(key)
            try:
                digest = self.of(_deref(self.resolver, obj), skip)
            finally:
                self.stack.discard(key)
            self.memo[key] = digest
            return digest
        h = hashlib.sha256()
        if isinstance(obj, generic.DictionaryObject):
            h.update(b"D")
            for key_name in sorted(str(k) for k in obj):
                if key_name in skip:
                    continue
                h.update(key_name.encode("utf-8", "replace") + b"\0" + self.of(obj.raw_get(key_name)))
            if isinstance(obj, generic.StreamObject):
                h.update(b"S" + hashlib.sha256(obj.encoded_data or b"").digest())
            return h.digest()
        if isinstance(obj, generic.ArrayObject):
            h.update(b"A")
            for item in list.__iter__(obj):
                h.update(self.of(item))
            return h.digest()
        buf = io.BytesIO()
        try:
            obj.write_to_stream(buf)
        except Exception:  # an odd primitive: its repr is still a faithful fingerprint
            buf.write(repr(obj).encode("utf-8", "replace"))
        h.update(type(obj).__name__.encode() + b"\0" + buf.getvalue())
        return h.digest()


def _deref(resolver: Any, obj: Any) -> Any:
    """``obj`` itself, or the object it refers to *as of the resolver's revision*.

    Indirect objects reached through a trailer view may still point at the newest revision, so
    every reference is resolved through the historical resolver explicitly.
    """
    from pyhanko.pdf_utils import generic

    seen = 0
    while isinstance(obj, generic.IndirectObject | generic.Reference):
        seen += 1
        if seen > 32:  # a chain of references to references: treat as null
            return None
        ref = obj.reference if isinstance(obj, generic.IndirectObject) else obj
        obj = resolver.get_object(ref)
    return obj


def _get(resolver: Any, obj: Any, key: str) -> Any:
    """``obj[key]`` resolved, or ``None`` (also when ``obj`` is not a dictionary)."""
    from pyhanko.pdf_utils import generic

    if not isinstance(obj, generic.DictionaryObject) or key not in obj:
        return None
    return _deref(resolver, obj.raw_get(key))


class _Snapshot:
    """The parts of one revision that the policy compares."""

    def __init__(self, resolver: Any, budget: list[int]) -> None:
        from pyhanko.pdf_utils import generic

        self.resolver = resolver
        trailer = resolver.trailer_view
        root = _get(resolver, trailer, "/Root")
        self.page_leaves: list[Any] = []
        self.tree_nodes: list[Any] = []
        self._walk_pages(root.raw_get("/Pages") if isinstance(root, generic.DictionaryObject) and "/Pages" in root
                         else None, budget)
        page_refs = frozenset((int(r.idnum), int(r.generation)) for r in self.page_leaves
                              if isinstance(r, generic.IndirectObject))
        d = _Digester(resolver, budget, page_refs)
        info = trailer.raw_get("/Info") if "/Info" in trailer else None
        xmp = root.raw_get("/Metadata") if isinstance(root, generic.DictionaryObject) and "/Metadata" in root else None
        self.metadata = (d.of(info) if info is not None else b"-") + (d.of(xmp) if xmp is not None else b"-")
        dss = root.raw_get("/DSS") if isinstance(root, generic.DictionaryObject) and "/DSS" in root else None
        self.dss = d.of(dss) if dss is not None else b"-"
        self.pages = [d.of(_deref(resolver, p), _SKIP | {"/Annots"}) for p in self.page_leaves]
        self.tree = [d.of(n) for n in self.tree_nodes]
        self.annotations = [self._annotations(d, p) for p in self.page_leaves]
        self.fields = self._field_values(d, _get(resolver, root, "/AcroForm"), budget)

    def _walk_pages(self, raw: Any, budget: list[int], depth: int = 0) -> None:
        from pyhanko.pdf_utils import generic

        seen: set[tuple[int, int]] = set()
        todo: list[tuple[Any, int]] = [(raw, depth)] if raw is not None else []
        while todo:
            budget[0] -= 1
            if budget[0] < 0:
                raise TooComplex
            item, level = todo.pop()
            if isinstance(item, generic.IndirectObject):
                key = (int(item.idnum), int(item.generation))
                if key in seen:
                    continue
                seen.add(key)
            obj = _deref(self.resolver, item)
            if not isinstance(obj, generic.DictionaryObject) or level > 64:
                continue
            kids = _get(self.resolver, obj, "/Kids")
            if isinstance(kids, generic.ArrayObject) and str(obj.get("/Type", "/Pages")) != "/Page":
                self.tree_nodes.append(item)
                todo.extend((kid, level + 1) for kid in reversed(list(list.__iter__(kids))))
            else:
                self.page_leaves.append(item)

    def _annotations(self, d: _Digester, page: Any) -> list[bytes]:
        from pyhanko.pdf_utils import generic

        annots = _get(self.resolver, _deref(self.resolver, page), "/Annots")
        if not isinstance(annots, generic.ArrayObject):
            return []
        out = []
        for raw in list.__iter__(annots):
            annot = _deref(self.resolver, raw)
            if isinstance(annot, generic.DictionaryObject) and str(annot.get("/Subtype", "")) == "/Widget":
                continue  # form widgets: signatures and form fill, judged by pyHanko's analysis
            out.append(d.of(raw))
        return out

    def _field_values(self, d: _Digester, acroform: Any, budget: list[int]) -> dict[str, bytes]:
        """Fully qualified name -> digest of ``/V`` for every field that is not a signature field."""
        from pyhanko.pdf_utils import generic

        fields = _get(self.resolver, acroform, "/Fields")
        if not isinstance(fields, generic.ArrayObject):
            return {}
        out: dict[str, bytes] = {}
        seen: set[tuple[int, int]] = set()
        todo: list[tuple[Any, str, str]] = [(f, "", "") for f in list.__iter__(fields)]
        while todo:
            budget[0] -= 1
            if budget[0] < 0:
                raise TooComplex
            raw, prefix, inherited_ft = todo.pop()
            if isinstance(raw, generic.IndirectObject):
                key = (int(raw.idnum), int(raw.generation))
                if key in seen:
                    continue
                seen.add(key)
            field = _deref(self.resolver, raw)
            if not isinstance(field, generic.DictionaryObject):
                continue
            name = str(field.get("/T", ""))
            fq = f"{prefix}.{name}" if prefix and name else (name or prefix)
            ft = str(field.get("/FT", inherited_ft))
            if ft != "/Sig" and "/V" in field:
                out[fq] = d.of(field.raw_get("/V"))
            kids = _get(self.resolver, field, "/Kids")
            if isinstance(kids, generic.ArrayObject):
                todo.extend((kid, fq, ft) for kid in list.__iter__(kids))
        return out


def revision_changes(reader: Any, before: int, after: int) -> set[str]:
    """The kinds of change (other than signatures) between revision ``before`` and revision ``after``."""
    budget = [NODE_BUDGET]
    try:
        old = _Snapshot(reader.get_historical_resolver(before), budget)
        new = _Snapshot(reader.get_historical_resolver(after), budget)
    except TooComplex:
        return {OTHER}
    kinds: set[str] = set()
    if old.metadata != new.metadata:
        kinds.add(METADATA)
    if old.pages != new.pages or old.tree != new.tree:
        kinds.add(PAGES)
    common = min(len(old.annotations), len(new.annotations))
    if (old.annotations[:common] != new.annotations[:common]
            or any(old.annotations[common:]) or any(new.annotations[common:])):
        kinds.add(ANNOTATIONS)
    if old.dss != new.dss:
        kinds.add(DSS_TIMESTAMP)
    if old.fields != new.fields:
        kinds.add(FORM_FILL)
    return kinds


def trailing_bytes(reader: Any, data: bytes) -> int:
    """How many bytes follow the end (``%%EOF`` and its end-of-line) of the file's last revision."""
    last = int(reader.xrefs.total_revisions) - 1
    startxref = int(reader.xrefs.get_startxref_for_revision(last))
    start = int(reader.xrefs.get_xref_container_info(last).end_location)
    for match in _EOF.finditer(data, max(0, start)):
        if int(match.group(1)) == startxref:
            return len(data) - match.end()
    tail = data.rfind(b"%%EOF")
    if tail < 0:
        return 0
    end = tail + len(b"%%EOF")
    for eol in (b"\r\n", b"\r", b"\n"):
        if data.startswith(eol, end):
            end += len(eol)
            break
    return len(data) - end
