"""The WeasyPrint backend: HTML → PDF with the safe fetcher, PDF/A-3b, tagging and attachments;
and the pypdf assembly of separately rendered documents into one PDF."""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import os
import warnings
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qms.errors import QmsError
from qms.i18n import _
from qms.render.assemble import SigField, Stamps

VARIANTS: tuple[str, ...] = ("pdf/a-3b",)


@dataclass(frozen=True, slots=True)
class PdfAttachment:
    """A file embedded in the PDF: ``name`` as shown in the PDF, ``data`` its bytes."""

    name: str
    data: bytes
    description: str = ""


@dataclass(frozen=True, slots=True)
class PdfResult:
    data: bytes
    pages: int
    refused: tuple[str, ...] = ()
    sig_field: SigField | None = None


#: The approval block's signature cell carries ``data-sig-field="NAME"`` (``_control.j2``).
SIG_ATTRIBUTE = "data-sig-field"


def find_sig_field(document: Any) -> SigField | None:
    """Where the laid-out ``document`` has its first ``data-sig-field`` cell: the field to add.

    WeasyPrint 70 writes text, choice and button form fields but no signature fields, so the
    empty field is added to the PDF afterwards (:func:`qms.render.assemble.assemble`) at the
    cell's border box.
    """
    px = 0.75  # CSS px -> PDF points
    for index, page in enumerate(document.pages):
        for box in page._page_box.descendants():
            element = getattr(box, "element", None)
            if element is None or getattr(box, "element_tag", None) != "td":
                continue
            name = element.get(SIG_ATTRIBUTE)
            if not name:
                continue
            x, y = box.border_box_x(), box.border_box_y()
            w, h = box.border_width(), box.border_height()
            top = page.height
            return SigField(name, index, (round(x * px, 2), round((top - y - h) * px, 2),
                                          round((x + w) * px, 2), round((top - y) * px, 2)))
    return None


@contextlib.contextmanager
def _quiet_weasyprint() -> Iterator[list[str]]:
    """Collect WeasyPrint's log (refused URLs, CSS warnings) instead of printing it."""
    messages: list[str] = []

    class _Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            messages.append(record.getMessage())

    logger = logging.getLogger("weasyprint")
    handler = _Collect(level=logging.WARNING)
    old_propagate, old_level = logger.propagate, logger.level
    logger.addHandler(handler)
    if not os.environ.get("QMS_DEBUG"):
        logger.propagate = False
    logger.setLevel(logging.WARNING)
    try:
        yield messages
    finally:
        logger.removeHandler(handler)
        logger.propagate, logger.level = old_propagate, old_level


def check_variant(variant: str | None) -> str | None:
    if variant is None:
        return None
    if variant.lower() not in VARIANTS:
        raise QmsError(_("unsupported PDF variant {variant!r}").format(variant=variant),
                       hint=_("use one of: {choices}").format(choices=", ".join(VARIANTS)))
    return variant.lower()


class _StreamMemo:
    """Stands in for the ``zlib`` module inside pydyf, which compresses every stream at level 9.

    Every separately rendered procedure embeds the same two font files (see :func:`write_document`);
    compressing them again for each document cost about 30 ms per document. Large inputs
    (>= 64 KiB) are compressed once per process and the result reused; the output is the same bytes
    ``zlib.compressobj(level).compress(data) + flush()`` would give.
    """

    LIMIT = 1 << 16
    KEEP = 8

    def __init__(self) -> None:
        self.memo: dict[tuple[int, bytes], bytes] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(zlib, name)

    def compressobj(self, level: int = -1, *args: Any, **kwargs: Any) -> Any:
        memo = self

        class _Compressor:
            def __init__(self) -> None:
                self.inner = zlib.compressobj(level, *args, **kwargs)
                self.used = False
                self.whole: bytes | None = None

            def compress(self, data: bytes) -> bytes:
                if not self.used and not args and not kwargs and len(data) >= memo.LIMIT:
                    key = (level, hashlib.blake2b(data, digest_size=20).digest())
                    found = memo.memo.get(key)
                    if found is None:
                        found = zlib.compress(data, level)
                        if len(memo.memo) >= memo.KEEP:
                            memo.memo.pop(next(iter(memo.memo)))
                        memo.memo[key] = found
                    self.used, self.whole = True, found
                    return found
                if self.whole is not None:
                    raise RuntimeError("compress() after a memoised one-shot compression")
                self.used = True
                return self.inner.compress(data)

            def flush(self, *a: Any) -> bytes:
                return b"" if self.whole is not None else self.inner.flush(*a)

        return _Compressor()


def _install_stream_memo() -> None:
    import pydyf  # type: ignore[import-untyped]

    if not isinstance(getattr(pydyf, "zlib", None), _StreamMemo):
        pydyf.zlib = _StreamMemo()


_FONT_CONFIG: list[Any] = []


def font_configuration() -> Any:
    """The process's one WeasyPrint font configuration. Every document declares the same bundled
    @font-face fonts, which WeasyPrint registers once per configuration (keyed by the rule), so
    sharing it keeps Pango's font and shaping caches warm from one procedure to the next: about a
    tenth of the CPU time of a manual rendered procedure by procedure (bench/bench_render.py)."""
    if not _FONT_CONFIG:
        from weasyprint.text.fonts import FontConfiguration

        _FONT_CONFIG.append(FontConfiguration())
    return _FONT_CONFIG[0]


def layout(html: str, root: Path | None, *, tagged: bool = False) -> tuple[Any, Any]:
    """Lay out ``html`` with the safe fetcher (base URL: the repository root); returns the WeasyPrint
    document and the fetcher (whose ``refused`` lists the URLs it refused)."""
    from weasyprint import HTML

    from qms.render.fetcher import SafeFetcher

    fetcher = SafeFetcher(root)
    base_url = (root.resolve().as_uri() + "/") if root is not None else None
    with _quiet_weasyprint(), warnings.catch_warnings():
        # every qms document names only the bundled fonts (base.j2): a host without fonts is fine
        warnings.filterwarnings("ignore", "No fonts configured in FontConfig")
        document = HTML(string=html, base_url=base_url, url_fetcher=fetcher).render(
            font_config=font_configuration(), pdf_tags=tagged)
    return document, fetcher


def write_document(document: Any, fetcher: Any, *, attachments: Sequence[PdfAttachment] = (),
                   variant: str | None = None, tagged: bool = False) -> bytes:
    """Serialise a laid-out document to PDF bytes."""
    from weasyprint import Attachment

    _install_stream_memo()
    with _quiet_weasyprint():
        # The derived fonts are already small static subsets: embedding them whole skips a per-document
        # fontTools subset (the main cost of a small document) and makes the font streams of separately
        # rendered procedures identical, so that merge_pdfs() keeps a single copy.
        options: dict[str, Any] = {"pdf_tags": tagged, "full_fonts": True}
        if variant:
            options["pdf_variant"] = variant
        if attachments:
            options["attachments"] = [
                Attachment(string=a.data, name=a.name, description=a.description or a.name,
                           url_fetcher=fetcher, relationship="Source")
                for a in attachments
            ]
        data: bytes = document.write_pdf(**options)
    return data


#: A page left emptier than this (a share of its text block) by a flowchart that moved to the next page is refitted
REFIT_EMPTY = 0.45
#: The room a refitted first sheet leaves for the flowchart's heading and the sheet's margin, in points
_REFIT_HEADING = 42.0
#: A refitted first sheet is at least this tall (points): a few rows, never a sliver
_REFIT_MIN = 150.0


def flowchart_room(document: Any) -> float | None:
    """How tall (points) the first flowchart sheet may be to start on the page before the one it was
    laid out on, when that page is otherwise left more than :data:`REFIT_EMPTY` empty; None when the
    flowchart starts where it should (or there is none, or it starts a page of another size)."""
    from weasyprint.formatting_structure import boxes as wb

    px = 0.75  # CSS px -> points
    previous: tuple[float, float, float] | None = None  # (bottom of the content, bottom of the text block, block height)
    for page in document.pages:
        html = page._page_box.children[0] if page._page_box.children else None
        if html is None:
            return None
        bottom = html.content_box_y()
        first_sheet = None
        for box in html.descendants():
            element = getattr(box, "element", None)
            if (first_sheet is None and element is not None and getattr(box, "element_tag", None) == "div"
                    and "flowchart-sheet" in (element.get("class") or "").split()):
                first_sheet = box
            if isinstance(box, (wb.LineBox, wb.ReplacedBox, wb.TableRowBox)):
                bottom = max(bottom, box.position_y + box.margin_height())
        block_bottom = html.content_box_y() + page._page_box.height
        block = page._page_box.height
        if first_sheet is not None:
            if previous is None or abs(previous[2] - block) > 1:
                return None
            gap = previous[1] - previous[0]
            if gap <= REFIT_EMPTY * block:
                return None
            room = gap * px - _REFIT_HEADING
            return room if room >= _REFIT_MIN else None
        previous = (bottom, block_bottom, block)
    return None


def html_to_pdf(html: str, root: Path | None, *, attachments: Sequence[PdfAttachment] = (),
                variant: str | None = None, tagged: bool = False,
                refit: Callable[[float], str] | None = None) -> PdfResult:
    """Render ``html`` with the safe fetcher; the base URL is the repository root (if any).

    ``refit(height)`` gives the document again with its flowchart's first sheet at most ``height``
    points tall: used when the flowchart, a block that is never split, moved to the next page and
    left its page mostly empty (:func:`flowchart_room`). The refitted layout is kept only if the
    first sheet then starts on that page."""
    variant = check_variant(variant)
    document, fetcher = layout(html, root, tagged=tagged)
    room = flowchart_room(document) if refit is not None else None
    if refit is not None and room is not None:
        second, second_fetcher = layout(refit(room), root, tagged=tagged)
        if flowchart_room(second) is None and len(second.pages) <= len(document.pages):
            document, fetcher = second, second_fetcher
    data = write_document(document, fetcher, attachments=attachments, variant=variant, tagged=tagged)
    return PdfResult(data, len(document.pages), tuple(fetcher.refused), find_sig_field(document))


def page_count(html: str, root: Path | None) -> int:
    """Lay out ``html`` without writing it; returns the number of pages."""
    document, _fetcher = layout(html, root)
    return len(document.pages)


def merge_pdfs(first: bytes, rest: Sequence[tuple[str, bytes]], *, outline_title: str = "",
               sig_field: SigField | None = None, stamps: Stamps | None = None) -> bytes:
    """Append the pages of each ``rest`` PDF to ``first``, keeping ``first``'s catalogue
    (PDF/A output intent, XMP metadata, embedded files, /AF) and adding one bookmark per part.
    ``stamps``: one line per page of ``rest``, drawn at the bottom centre of that page.

    The fast path is :func:`qms.render.assemble.assemble`; PDFs it does not understand are
    merged with pypdf instead (much slower, same pages and bookmarks, but without ``sig_field``).
    """
    from qms.render.assemble import AssemblyError, assemble

    try:
        return assemble(first, rest, outline_title=outline_title, sig_field=sig_field, stamps=stamps)
    except (AssemblyError, KeyError, IndexError, ValueError, zlib.error) as exc:
        logging.getLogger(__name__).debug("fast assembly failed (%s); merging with pypdf", exc)
    return merge_with_pypdf(first, rest, outline_title=outline_title, stamps=stamps)


def merge_with_pypdf(first: bytes, rest: Sequence[tuple[str, bytes]], *, outline_title: str = "",
                     stamps: Stamps | None = None) -> bytes:
    """:func:`merge_pdfs` with pypdf (the fallback, and a reference for the tests)."""
    from pypdf import PdfReader, PdfWriter, Transformation

    from qms.render.assemble import STAMP_BOTTOM, STAMP_SHIFT

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(first)))
    info = dict(writer.metadata or {})
    parent = writer.add_outline_item(title=outline_title, page_number=len(writer.pages)) if outline_title and rest else None
    pieces = list(PdfReader(io.BytesIO(stamps.pdf)).pages) if stamps is not None else []
    lines = iter(stamps.lines if stamps is not None else ())
    for title, data in rest:
        start = len(writer.pages)
        writer.append(PdfReader(io.BytesIO(data)), import_outline=False)
        writer.add_outline_item(title=title, page_number=start, parent=parent)
        for page in writer.pages[start:] if stamps is not None else ():
            line = next(lines, None)
            if line is None:
                raise ValueError("fewer stamps than pages")
            width, placed = line
            left = (float(page.mediabox.width) - width) / 2 + STAMP_SHIFT
            for piece, x in placed:
                page.merge_transformed_page(pieces[piece], Transformation().translate(left + x, STAMP_BOTTOM))
    if info:
        writer.add_metadata({k: v for k, v in info.items() if isinstance(k, str)})
    # identical font file streams of the parts (see html_to_pdf) are kept once
    writer.compress_identical_objects(remove_duplicates=True, remove_unreferenced=True)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()

