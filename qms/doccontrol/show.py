"""Rendering one (possibly superseded) revision of a controlled document.

The YAML of the revision comes from git (:func:`qms.doccontrol.history.version_at`). Procedures
are laid out by the render layer (:mod:`qms.render`), exactly like ``qms render``; other documents
get a plain, self-contained HTML page with the control block, the revision history and the YAML
source. PDFs are PDF/A-3b with the revision's YAML attached. Superseded revisions carry the
watermark "Hết hiệu lực / Superseded" (a fixed-position element, so it is on every PDF page).
"""

from __future__ import annotations

import html
from pathlib import Path, PurePosixPath

from pydantic import ValidationError

from qms.doccontrol.history import WATERMARK, HistoricalVersion
from qms.i18n import _, bilingual, get_language, use_language
from qms.models.process import Process
from qms.store.workspace import Workspace
from qms.store.yaml_io import load_bytes

_WATERMARK_CSS = """
.qms-superseded-watermark{position:fixed;top:40%;left:0;right:0;text-align:center;transform:rotate(-30deg);
font-size:44pt;font-weight:bold;color:rgba(200,0,0,.25);pointer-events:none;z-index:1000}
"""


def watermark_html() -> str:
    return f'<div class="qms-superseded-watermark" role="note">{html.escape(WATERMARK)}</div>'


def add_watermark(page: str) -> str:
    """Insert the superseded watermark into a rendered HTML page (after ``<body>``)."""
    style = f"<style>{_WATERMARK_CSS}</style>"
    page = page.replace("</head>", style + "</head>", 1) if "</head>" in page else style + page
    lower = page.lower()
    at = lower.find("<body")
    if at >= 0:
        end = page.find(">", at)
        return page[: end + 1] + watermark_html() + page[end + 1 :]
    return watermark_html() + page


def _fallback_html(version: HistoricalVersion) -> str:
    c = version.control
    lang = get_language()
    esc = html.escape
    rows = "".join(
        f"<tr><td>{e.revision}</td><td>{esc(e.pages)}</td>"
        f"<td>{esc(bilingual(e.summary.vi, e.summary.en, lang))}</td><td>{e.date.isoformat()}</td></tr>"
        for e in c.history)
    sign = "".join(
        f"<tr><th>{esc(label)}</th><td>{esc(s.name) if s else ''}</td>"
        f"<td>{s.date.isoformat() if s and s.date else ''}</td></tr>"
        for label, s in ((_("Prepared by"), c.prepared_by), (_("Reviewed by"), c.reviewed_by),
                         (_("Approved by"), c.approved_by)))
    where = (f"{version.commit.commit[:12]} ({version.commit.date.date().isoformat()})"
             if version.commit else _("working tree"))
    body = (
        f"<h1>{esc(c.code)}</h1>"
        f"<p>{esc(_('Revision'))}: {c.revision} &middot; {esc(_('Effective'))}: "
        f"{c.effective_date.isoformat() if c.effective_date else '-'} &middot; {esc(_('State'))}: {esc(c.state)}"
        f" &middot; {esc(_('Source'))}: {esc(version.doc.path)} @ {esc(where)}</p>"
        f"<table class=\"signatures\">{sign}</table>"
        f"<h2>{esc(_('Revision history'))}</h2>"
        f"<table class=\"history\"><tr><th>Lần sửa đổi</th><th>Trang</th><th>Nội dung thay đổi</th>"
        f"<th>Ngày</th></tr>{rows}</table>"
        f"<h2>{esc(_('Source'))}</h2><pre>{esc(version.text)}</pre>"
    )
    page = (f"<!DOCTYPE html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">"
            f"<title>{esc(c.code)} - {c.revision}</title></head><body>{body}</body></html>\n")
    return add_watermark(page) if version.superseded else page


def _lang(ws: Workspace, lang: str | None) -> str:
    if lang:
        return lang
    manifest = ws.manifest
    return manifest.organisation.default_language if manifest is not None else get_language()


def _procedure_html(ws: Workspace, version: HistoricalVersion, lang: str) -> str | None:
    """The procedure as the render layer lays it out, or ``None`` if that is not possible."""
    if version.doc.kind != "procedure" or ws.manifest is None:
        return None
    try:
        from qms.render import viewmodels
        from qms.render.documents import procedure_html
    except ImportError:  # pragma: no cover - the render layer is part of qms
        return None
    loaded = load_bytes(version.text.encode("utf-8"))
    if loaded.data is None or not isinstance(loaded.data, dict):
        return None
    try:
        proc = Process.model_validate(loaded.data)
    except ValidationError:
        return None  # an old revision that no longer fits today's schema: show the source instead
    view = viewmodels.procedure_view(proc, ws.manifest, lang, version.doc.path)
    return procedure_html(view, lang)


def render_html(ws: Workspace, version: HistoricalVersion, lang: str | None = None) -> str:
    """HTML of the revision, watermarked when superseded.

    Procedures are laid out by the render layer (the same page as ``qms render``); the manual,
    the policy and revisions whose YAML no longer fits the schema get a plain page with the
    control block, the revision history and the YAML source.
    """
    chosen = _lang(ws, lang)
    with use_language(chosen):
        page = _procedure_html(ws, version, chosen)
        if page is None:
            return _fallback_html(version)
    return add_watermark(page) if version.superseded else page


def render_pdf(ws: Workspace, version: HistoricalVersion, output: Path, lang: str | None = None) -> int:
    """PDF/A-3b of the revision with its YAML source attached, watermarked when superseded; returns pages."""
    from qms.render.api import PdfAttachment, write_pdf

    page = render_html(ws, version, lang)
    name = PurePosixPath(version.doc.path).name
    if version.commit is not None:
        name = f"{PurePosixPath(name).stem}.rev{version.revision}.{version.commit.commit[:12]}.yaml"
    attachment = PdfAttachment(name, version.text.encode("utf-8"), "source YAML")
    return write_pdf(page, output, ws.root, attachments=[attachment], variant="pdf/a-3b")
