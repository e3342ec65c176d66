"""Fast assembly of the manual from separately rendered PDFs (the front matter and each procedure).

pypdf's ``append`` parses every object of every part into Python objects and writes them back;
at 240 procedures that costs about 12 CPU seconds, ten times what this module needs. The parts
are all written by WeasyPrint (pydyf), so this module treats them as bags of numbered objects:

* each part is read through its cross-reference table or stream (object streams are unpacked);
* only the objects reachable from the part's page tree are kept (its catalogue, outline, XMP and
  output intent are the front matter's business) and they are renumbered by rewriting the
  ``N G R`` references of their dictionaries - stream data is copied byte for byte;
* stream objects that are byte-identical to one already written (the embedded font files, see
  :func:`qms.render.pdf.html_to_pdf`) are written once and shared;
* the part's page-tree root becomes a child of a new page-tree root, so page objects are not
  touched; the front matter's catalogue (PDF/A output intent, XMP metadata, embedded files,
  ``/AF``, structure tree, named destinations) is kept, and one bookmark per procedure is added
  under a "Procedures" bookmark;
* non-stream objects are written into compressed object streams with a cross-reference stream.

Anything unexpected raises :class:`AssemblyError`; the caller then falls back to pypdf.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

__all__ = ["AssemblyError", "SigField", "assemble"]


@dataclass(frozen=True, slots=True)
class SigField:
    """An empty signature field: ``name``, 0-based ``page`` and ``rect`` (x1, y1, x2, y2) in points."""

    name: str
    page: int
    rect: tuple[float, float, float, float]


@dataclass(frozen=True, slots=True)
class Stamps:
    """The manual-wide page numbers, composed from a few pieces rather than one page per number.

    ``pdf`` has one small page per piece, its text set at the page's left edge (for the manual:
    the words before the number, the ten digits, the words after it). ``lines`` has one entry per
    stamped page: the line's width and, for each piece on it, the piece's page in ``pdf`` and its
    distance from the line's left edge. The line is drawn centred on the text column."""

    pdf: bytes
    lines: Sequence[tuple[float, tuple[tuple[int, float], ...]]]


class AssemblyError(ValueError):
    """A part is not in the shape this assembler understands."""


_REF = re.compile(rb"(?<![0-9A-Za-z.+\-#_])(\d+)\s+(\d+)\s+R(?![0-9A-Za-z#_])")
# literal strings (pydyf escapes parentheses), hex strings and comments: references inside them
# are not references
_SKIP = re.compile(rb"\((?:\\.|[^\\()])*\)|<[0-9A-Fa-f\s]*>|%[^\r\n]*", re.S)
_TOKEN = re.compile(_SKIP.pattern + rb"|" + _REF.pattern, re.S)
_OBJ_HEAD = re.compile(rb"\s*(\d+)\s+(\d+)\s+obj\b")
_STREAM_KW = re.compile(rb"stream\r?\n")
_INT = rb"\s+(\d+)"


@dataclass(slots=True)
class _Obj:
    head: bytes  # the dictionary (or whole non-stream object)
    stream: bytes | None  # raw (still encoded) stream data, None for non-stream objects


@dataclass(slots=True)
class _Pdf:
    objects: dict[int, _Obj]
    root: int
    info: int | None
    ident: bytes | None


def _dict_int(head: bytes, key: bytes) -> int | None:
    m = re.search(rb"/" + key + rb"\s+(\d+)(?!\s+\d+\s+R)", head)
    return int(m.group(1)) if m else None


def _dict_ref(head: bytes, key: bytes) -> int | None:
    m = re.search(rb"/" + key + rb"\s+(\d+)\s+\d+\s+R", head)
    return int(m.group(1)) if m else None


def _decode(obj: _Obj) -> bytes:
    assert obj.stream is not None
    if b"/DecodeParms" in obj.head:
        raise AssemblyError("predictors are not supported")
    if re.search(rb"/Filter\s*/FlateDecode", obj.head):
        return zlib.decompress(obj.stream)
    if b"/Filter" in obj.head:
        raise AssemblyError("unsupported stream filter")
    return obj.stream


def _read_object(data: bytes, offset: int) -> tuple[int, _Obj]:
    m = _OBJ_HEAD.match(data, offset)
    if not m:
        raise AssemblyError(f"no object at offset {offset}")
    num, start = int(m.group(1)), m.end()
    end = data.find(b"endobj", start)
    if end < 0:
        raise AssemblyError("unterminated object")
    # a stream object: the dictionary, then `stream`, then /Length bytes
    kw = _STREAM_KW.search(data, start, end + 6)
    if kw is None:
        return num, _Obj(data[start:end].strip(), None)
    head = data[start:kw.start()].strip()
    length = _dict_int(head, b"Length")
    if length is None:
        raise AssemblyError("stream length is not a direct number")
    body = data[kw.end():kw.end() + length]
    if len(body) != length:
        raise AssemblyError("truncated stream")
    return num, _Obj(head, body)


def _parse(data: bytes) -> _Pdf:
    m = re.search(rb"startxref\s+(\d+)\s+%%EOF\s*$", data[-2048:])
    if not m:
        raise AssemblyError("no startxref")
    at = int(m.group(1))
    offsets: dict[int, int] = {}
    packed: dict[int, tuple[int, int]] = {}
    if data.startswith(b"xref", at):
        trailer_at = data.find(b"trailer", at)
        if trailer_at < 0:
            raise AssemblyError("no trailer")
        lines = data[at + 4:trailer_at].split()
        i = 0
        while i < len(lines):
            section, entries_count = int(lines[i]), int(lines[i + 1])
            i += 2
            for n in range(entries_count):
                if lines[i + 2] == b"n":
                    offsets[section + n] = int(lines[i])
                i += 3
        trailer = data[trailer_at:data.find(b"startxref", trailer_at)]
    else:
        _num, xref = _read_object(data, at)
        trailer = xref.head
        w = re.search(rb"/W\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s*\]", trailer)
        if not w:
            raise AssemblyError("xref stream without /W")
        w1, w2, w3 = (int(x) for x in w.groups())
        size = _dict_int(trailer, b"Size")
        idx = re.search(rb"/Index\s*\[([\d\s]*)\]", trailer)
        pairs = [int(x) for x in idx.group(1).split()] if idx else [0, size or 0]
        raw = _decode(xref)
        row = w1 + w2 + w3
        pos = 0
        for k in range(0, len(pairs), 2):
            for n in range(pairs[k], pairs[k] + pairs[k + 1]):
                rec = raw[pos:pos + row]
                pos += row
                kind = int.from_bytes(rec[:w1], "big") if w1 else 1
                f2 = int.from_bytes(rec[w1:w1 + w2], "big")
                f3 = int.from_bytes(rec[w1 + w2:], "big")
                if kind == 1:
                    offsets[n] = f2
                elif kind == 2:
                    packed[n] = (f2, f3)
    if b"/Prev" in trailer or b"/Encrypt" in trailer:
        raise AssemblyError("incremental updates and encryption are not supported")
    root = _dict_ref(trailer, b"Root")
    if root is None:
        raise AssemblyError("no /Root")
    ident = re.search(rb"/ID\s*(\[[^\]]*\])", trailer)
    objects: dict[int, _Obj] = {}
    for n, off in offsets.items():
        num, obj = _read_object(data, off)
        if num != n:
            raise AssemblyError("cross-reference offset points at another object")
        objects[n] = obj
    streams: dict[int, list[tuple[int, bytes]]] = {}
    for container, _index in packed.values():
        if container not in streams:
            holder = objects.get(container)
            if holder is None or holder.stream is None:
                raise AssemblyError("missing object stream")
            body = _decode(holder)
            first_at = _dict_int(holder.head, b"First")
            n_objects = _dict_int(holder.head, b"N")
            if first_at is None or n_objects is None:
                raise AssemblyError("object stream without /First or /N")
            header = [int(x) for x in body[:first_at].split()]
            entries = []
            for k in range(n_objects):
                start = first_at + header[2 * k + 1]
                end = first_at + header[2 * k + 3] if k + 1 < n_objects else len(body)
                entries.append((header[2 * k], body[start:end].strip()))
            streams[container] = entries
    for entries in streams.values():
        for num, body in entries:
            if num in packed:
                objects[num] = _Obj(body, None)
    for container in streams:
        objects.pop(container, None)
    return _Pdf(objects, root, _dict_ref(trailer, b"Info"), ident.group(1) if ident else None)


def _refs(head: bytes) -> Iterator[int]:
    for m in _TOKEN.finditer(head):
        if m.group(1) is not None:
            yield int(m.group(1))


def _renumber(head: bytes, mapping: dict[int, int]) -> bytes:
    def sub(m: re.Match[bytes]) -> bytes:
        if m.group(1) is None:
            return m.group(0)
        new = mapping.get(int(m.group(1)))
        if new is None:
            return b"null"
        return b"%d 0 R" % new

    return _TOKEN.sub(sub, head)


def _reachable(pdf: _Pdf, start: int) -> list[int]:
    seen = {start}
    todo = [start]
    while todo:
        obj = pdf.objects.get(todo.pop())
        if obj is None:
            continue
        for n in _refs(obj.head):
            if n not in seen and n in pdf.objects:
                seen.add(n)
                todo.append(n)
    return sorted(seen)


def _shareable(obj: _Obj) -> bool:
    """Large streams whose dictionary has no references (font files, images) may be shared."""
    return obj.stream is not None and len(obj.stream) > 4096 and _REF.search(obj.head) is None


def _digest(obj: _Obj) -> bytes:
    assert obj.stream is not None
    return hashlib.blake2b(obj.head + b"\0" + obj.stream, digest_size=20).digest()


def _text(title: str) -> bytes:
    return b"<" + ("\ufeff" + title).encode("utf-16-be").hex().encode() + b">"


def _insert(head: bytes, entries: bytes) -> bytes:
    at = head.find(b"<<")
    if at < 0:
        raise AssemblyError("not a dictionary")
    return head[:at + 2] + b" " + entries + b" " + head[at + 2:]


def _set(head: bytes, key: bytes, value: bytes) -> bytes:
    """Replace ``/key value`` (a reference or a number) at the top of ``head``, or add it."""
    pattern = re.compile(rb"/" + key + rb"\s+(?:\d+\s+\d+\s+R|-?\d+)(?![\d.])")
    if pattern.search(head):
        return pattern.sub(lambda _m: b"/" + key + b" " + value, head, count=1)
    return _insert(head, b"/" + key + b" " + value)


class _Writer:
    def __init__(self) -> None:
        self.objects: dict[int, _Obj] = {}
        self.next = 1

    def reserve(self) -> int:
        n = self.next
        self.next += 1
        return n

    def put(self, num: int, head: bytes, stream: bytes | None = None) -> None:
        self.objects[num] = _Obj(head, stream)

    def write(self, root: int, info: int | None, ident: bytes | None) -> bytes:
        out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        offsets: dict[int, tuple[int, int, int]] = {}  # num -> (kind, a, b)
        loose = sorted(n for n, o in self.objects.items() if o.stream is None)
        for n in sorted(n for n, o in self.objects.items() if o.stream is not None):
            obj = self.objects[n]
            assert obj.stream is not None
            offsets[n] = (1, len(out), 0)
            out += b"%d 0 obj\n" % n + obj.head + b"\nstream\n" + obj.stream + b"\nendstream\nendobj\n"
        chunk = 500
        for k in range(0, len(loose), chunk):
            group = loose[k:k + chunk]
            container = self.reserve()
            header = bytearray()
            body = bytearray()
            for i, n in enumerate(group):
                header += b"%d %d " % (n, len(body))
                body += self.objects[n].head + b"\n"
                offsets[n] = (2, container, i)
            packed = zlib.compress(bytes(header) + bytes(body), 6)
            offsets[container] = (1, len(out), 0)
            out += (b"%d 0 obj\n<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
                    % (container, len(group), len(header), len(packed)) + packed + b"\nendstream\nendobj\n")
        xref_num = self.reserve()
        offsets[xref_num] = (1, len(out), 0)
        size = xref_num + 1
        rows = bytearray(b"\x00\x00\x00\x00\x00\xff\xff")
        for n in range(1, size):
            kind, a, b = offsets.get(n, (0, 0, 0))
            rows += bytes([kind]) + a.to_bytes(4, "big") + b.to_bytes(2, "big")
        packed = zlib.compress(bytes(rows), 6)
        trailer = b"/Root %d 0 R" % root
        if info is not None:
            trailer += b" /Info %d 0 R" % info
        if ident is not None:
            trailer += b" /ID " + ident
        start = len(out)
        out += (b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] " % (xref_num, size) + trailer
                + b" /Filter /FlateDecode /Length %d >>\nstream\n" % len(packed) + packed
                + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % start)
        return bytes(out)


def _number_in_output(obj: _Obj, writer: _Writer, shared: dict[bytes, int]) -> int:
    """The number ``obj`` gets in the assembled file: an identical shareable stream (a font, an image)
    gets one number for all the parts that carry it; anything else a new number."""
    if not _shareable(obj):
        return writer.reserve()
    digest = _digest(obj)
    if digest not in shared:
        shared[digest] = writer.reserve()
    return shared[digest]


def _page_list(pdf: _Pdf, node: int) -> list[int]:
    """The page objects under the page-tree node ``node``, in order."""
    head = pdf.objects[node].head
    if re.search(rb"/Type\s*/Page(?![s\w])", head):
        return [node]
    kids = re.search(rb"/Kids\s*\[([^\]]*)\]", head)
    if kids is None:
        raise AssemblyError("a page-tree node without /Kids")
    out: list[int] = []
    for ref in re.findall(rb"(\d+)\s+\d+\s+R", kids.group(1)):
        out += _page_list(pdf, int(ref))
    return out


def _media_box(head: bytes) -> tuple[float, float]:
    m = re.search(rb"/MediaBox\s*\[\s*([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s*\]", head)
    if m is None:
        raise AssemblyError("a page without its own /MediaBox")
    x1, y1, x2, y2 = (float(v) for v in m.groups())
    return x2 - x1, y2 - y1


#: Where a stamp sits: its bottom edge this many points above the bottom of the page (9 mm, the middle
#: of the 18 mm bottom margin of print.css, less half the 4 mm stamp) ...
STAMP_BOTTOM = 19.84
#: ... and centred on the text column, which is 5 mm right of the page's centre (margins 25 mm left, 15 mm right)
STAMP_SHIFT = 14.17


class _Stamper:
    """Draws the ``k``-th line of :class:`Stamps` at the bottom centre of the ``k``-th stamped page
    (the manual-wide page number of :func:`qms.render.documents.render_manual_pdf`).

    Each piece page becomes one form XObject, shared by every page that shows it. The page's own
    content is wrapped in ``q``/``Q`` (WeasyPrint leaves its flipped coordinate system in force)
    and the pieces are drawn after it; the page gets its own copy of its resource dictionary with
    the forms added."""

    def __init__(self, writer: _Writer, stamps: Stamps, shared: dict[bytes, int]) -> None:
        self.writer = writer
        self.lines = stamps.lines
        pdf = _parse(stamps.pdf)
        pages_ref = _dict_ref(pdf.objects[pdf.root].head, b"Pages")
        if pages_ref is None:
            raise AssemblyError("the stamps have no page tree")
        self.forms: list[int] = []
        mapping: dict[int, int] = {}
        for page in _page_list(pdf, pages_ref):
            head = pdf.objects[page].head
            width, height = _media_box(head)
            contents, resources = _dict_ref(head, b"Contents"), _dict_ref(head, b"Resources")
            if contents is None or resources is None or pdf.objects[contents].stream is None:
                raise AssemblyError("a stamp page is not one content stream with indirect resources")
            for n in _reachable(pdf, resources):
                if n not in mapping:
                    mapping[n] = _number_in_output(pdf.objects[n], writer, shared)
            content = pdf.objects[contents]
            filters = re.search(rb"/Filter\s*(/\w+)", content.head)
            form = writer.reserve()
            writer.put(form, b"<< /Type /XObject /Subtype /Form /BBox [0 0 %.3f %.3f] /Resources %d 0 R%s /Length %d >>"
                       % (width, height, mapping[resources], b" /Filter " + filters.group(1) if filters else b"",
                          len(content.stream or b"")), content.stream)
            self.forms.append(form)
        for n, new in mapping.items():
            if new not in writer.objects:
                obj = pdf.objects[n]
                writer.put(new, _renumber(obj.head, mapping), obj.stream)
        if any(piece >= len(self.forms) for _width, pieces in self.lines for piece, _x in pieces):
            raise AssemblyError("a stamp line names a piece the stamps do not have")
        self.open = writer.reserve()
        writer.put(self.open, b"<< /Length 2 >>", b"q\n")
        self.closers: dict[bytes, int] = {}
        self.next = 0

    def stamp(self, page: int) -> None:
        if self.next >= len(self.lines):
            raise AssemblyError("fewer stamps than pages")
        width, pieces = self.lines[self.next]
        self.next += 1
        w = self.writer
        head = w.objects[page].head
        page_width, _height = _media_box(head)
        left = (page_width - width) / 2 + STAMP_SHIFT
        draw = b"Q" + b"".join(b" q 1 0 0 1 %.3f %.3f cm /QmsStamp%d Do Q" % (left + x, STAMP_BOTTOM, piece)
                               for piece, x in pieces) + b"\n"
        closer = self.closers.get(draw)
        if closer is None:
            closer = self.closers[draw] = w.reserve()
            w.put(closer, b"<< /Length %d >>" % len(draw), draw)
        contents = re.search(rb"/Contents\s*(?:(\d+\s+\d+\s+R)|\[([^\]]*)\])", head)
        resources = _dict_ref(head, b"Resources")
        if contents is None or resources is None or resources not in w.objects:
            raise AssemblyError("a page without contents or indirect resources")
        inner = contents.group(1) or contents.group(2)
        head = (head[:contents.start()] + b"/Contents [%d 0 R %s %d 0 R]" % (self.open, inner.strip(), closer)
                + head[contents.end():])
        res = w.objects[resources].head
        xobject = re.search(rb"/XObject\s*<<", res)
        entries = b"".join(b"/QmsStamp%d %d 0 R " % (piece, self.forms[piece]) for piece in sorted({p for p, _x in pieces}))
        if xobject is not None:
            res = res[:xobject.end()] + b" " + entries + res[xobject.end():]
        elif b"/XObject" in res:
            raise AssemblyError("an indirect /XObject dictionary")
        else:
            res = _insert(res, b"/XObject << " + entries + b">>")
        own = w.reserve()
        w.put(own, res)
        w.put(page, _set(head, b"Resources", b"%d 0 R" % own))


def assemble(first: bytes, rest: Sequence[tuple[str, bytes]], *, outline_title: str = "",
             sig_field: SigField | None = None, stamps: Stamps | None = None) -> bytes:
    """The pages of ``first`` followed by the pages of each part of ``rest`` (title, PDF bytes).

    ``first``'s catalogue and document information are kept; each part gets a bookmark under a
    top-level ``outline_title`` bookmark (if given). ``sig_field`` adds an empty signature field
    on a page of ``first`` (``qms sign --field NAME`` fills it). ``stamps`` (one line per page of
    ``rest``) puts its lines, in order, at the bottom centre of the parts' pages.
    """
    front = _parse(first)
    writer = _Writer()
    writer.next = max(front.objects) + 1
    shared: dict[bytes, int] = {}  # digest of identical stream objects -> number in the output
    for n, obj in front.objects.items():
        if b"/Type /XRef" in obj.head or b"/Type/XRef" in obj.head:
            continue
        writer.put(n, obj.head, obj.stream)
        if _shareable(obj):
            shared.setdefault(_digest(obj), n)
    catalog = front.objects[front.root]
    front_pages = _dict_ref(catalog.head, b"Pages")
    if front_pages is None:
        raise AssemblyError("the front matter has no page tree")
    page_root = writer.reserve()
    kids = [front_pages]
    count = _dict_int(front.objects[front_pages].head, b"Count") or 0
    writer.put(front_pages, _insert(front.objects[front_pages].head, b"/Parent %d 0 R" % page_root))
    firsts: list[tuple[str, int]] = []
    stamper = _Stamper(writer, stamps, shared) if stamps is not None else None
    for title, data in rest:
        part = _parse(data)
        pages = _dict_ref(part.objects[part.root].head, b"Pages")
        if pages is None:
            raise AssemblyError("a part has no page tree")
        keep = _reachable(part, pages)
        mapping: dict[int, int] = {}
        for n in keep:
            mapping[n] = _number_in_output(part.objects[n], writer, shared)
        for n in keep:
            new = mapping[n]
            if new in writer.objects:
                continue
            obj = part.objects[n]
            head = _renumber(obj.head, mapping)
            if n == pages:
                head = _insert(head, b"/Parent %d 0 R" % page_root)
            writer.put(new, head, obj.stream)
        part_count = _dict_int(part.objects[pages].head, b"Count") or 0
        first_kid = re.search(rb"/Kids\s*\[\s*(\d+)\s+\d+\s+R", part.objects[pages].head)
        if first_kid is None or part_count == 0:
            raise AssemblyError("a part has no pages")
        kids.append(mapping[pages])
        count += part_count
        if stamper is not None:
            for page in _page_list(part, pages):
                stamper.stamp(mapping[page])
        firsts.append((title, mapping[int(first_kid.group(1))]))
    writer.put(page_root, b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % k for k in kids)
               + b"] /Count %d >>" % count)
    head = _set(catalog.head, b"Pages", b"%d 0 R" % page_root)
    if outline_title and firsts:
        head = _add_outline(writer, front, head, outline_title, firsts)
    if sig_field is not None:
        head = _add_sig_field(writer, front_pages, head, sig_field)
    writer.put(front.root, head)
    return writer.write(front.root, front.info, front.ident)


def _add_outline(writer: _Writer, front: _Pdf, catalog: bytes, title: str,
                 items: list[tuple[str, int]]) -> bytes:
    """Append a top-level bookmark ``title`` with one child per part; returns the new catalogue."""
    outlines = _dict_ref(catalog, b"Outlines")
    if outlines is None:
        outlines = writer.reserve()
        writer.put(outlines, b"<< /Type /Outlines /Count 0 >>")
        catalog = _insert(catalog, b"/Outlines %d 0 R" % outlines)
    top = writer.reserve()
    root_head = writer.objects[outlines].head
    last = _dict_ref(root_head, b"Last")
    children = [writer.reserve() for _ in items]
    top_head = b"<< /Title " + _text(title) + b" /Parent %d 0 R" % outlines
    if last is not None:
        top_head += b" /Prev %d 0 R" % last
        writer.put(last, _set(writer.objects[last].head, b"Next", b"%d 0 R" % top))
    else:
        root_head = _set(root_head, b"First", b"%d 0 R" % top)
    top_head += b" /First %d 0 R /Last %d 0 R /Count %d" % (children[0], children[-1], -len(children))
    top_head += b" /Dest [%d 0 R /Fit] >>" % items[0][1]
    writer.put(top, top_head)
    for i, ((name, page), num) in enumerate(zip(items, children, strict=True)):
        h = b"<< /Title " + _text(name) + b" /Parent %d 0 R /Dest [%d 0 R /Fit]" % (top, page)
        if i:
            h += b" /Prev %d 0 R" % children[i - 1]
        if i + 1 < len(children):
            h += b" /Next %d 0 R" % children[i + 1]
        writer.put(num, h + b" >>")
    old_count = _dict_int(root_head, b"Count") or 0
    root_head = _set(root_head, b"Last", b"%d 0 R" % top)
    root_head = _set(root_head, b"Count", b"%d" % (abs(old_count) + 1))
    writer.put(outlines, root_head)
    return catalog


def _add_sig_field(writer: _Writer, pages: int, catalog: bytes, sig: SigField) -> bytes:
    """An empty, printable signature field (a merged field/widget with an empty appearance, as
    PDF/A requires) on page ``sig.page`` of the front part; returns the new catalogue."""
    if b"/AcroForm" in catalog:
        raise AssemblyError("the document already has a form")
    kids = re.search(rb"/Kids\s*\[([^\]]*)\]", writer.objects[pages].head)
    page_refs = [int(x) for x in re.findall(rb"(\d+)\s+\d+\s+R", kids.group(1))] if kids else []
    if not 0 <= sig.page < len(page_refs):
        raise AssemblyError("the signature field's page is not in the front part")
    page = page_refs[sig.page]
    x1, y1, x2, y2 = sig.rect
    appearance, field = writer.reserve(), writer.reserve()
    writer.put(appearance, b"<< /Type /XObject /Subtype /Form /BBox [0 0 %.2f %.2f] /Resources << >> /Length 0 >>"
               % (x2 - x1, y2 - y1), b"")
    name = sig.name.encode("ascii")
    if not re.fullmatch(rb"[A-Za-z0-9_\-]+", name):
        raise AssemblyError("signature field names are plain ASCII words")
    writer.put(field, b"<< /Type /Annot /Subtype /Widget /FT /Sig /T (" + name + b") /F 4 /P %d 0 R"
               b" /Rect [%.2f %.2f %.2f %.2f] /AP << /N %d 0 R >> >>" % (page, x1, y1, x2, y2, appearance))
    head = writer.objects[page].head
    annots = re.search(rb"/Annots\s*(?:\[|(\d+)\s+\d+\s+R)", head)
    if annots is None:
        writer.put(page, _insert(head, b"/Annots [%d 0 R]" % field))
    elif annots.group(1) is None:
        writer.put(page, head[:annots.end()] + b"%d 0 R " % field + head[annots.end():])
    else:
        holder = int(annots.group(1))
        array = writer.objects[holder].head
        at = array.find(b"[")
        if at < 0:
            raise AssemblyError("unexpected /Annots")
        writer.put(holder, array[:at + 1] + b"%d 0 R " % field + array[at + 1:])
    return _insert(catalog, b"/AcroForm << /Fields [%d 0 R] /SigFlags 0 >>" % field)
