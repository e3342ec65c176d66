"""Rendering one (possibly superseded) revision of a controlled document.

The YAML of the revision comes from git (:func:`qms.doccontrol.history.version_at`). Procedures
are laid out by the render layer (:mod:`qms.render`), exactly like ``qms render``; other documents
get a page of their own through the same pipeline (template, bundled fonts, document-control header,
approval block): the control block, the revision history and the YAML source. PDFs are PDF/A-3b with the revision's YAML attached. Superseded revisions carry the
watermark "Hết hiệu lực / Superseded" (a fixed-position element, so it is on every PDF page).
"""

from __future__ import annotations

import html
from pathlib import Path, PurePosixPath

from pydantic import ValidationError

from qms.analysis.documents import state_label
from qms.analysis.people import Directory
from qms.doccontrol.history import WATERMARK, HistoricalVersion
from qms.i18n import _, format_date, get_language, use_language
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


def _fallback_html(ws: Workspace, version: HistoricalVersion, lang: str) -> str:
    """The manual, the policy or an old revision: the control block, the approval block, the revision
    history and the YAML source, through the shared pipeline (``templates/doc_revision.j2``)."""
    from qms.render import api

    c = version.control
    manifest = ws.manifest
    org = api.org_view(manifest, lang) if manifest is not None else api.OrgView("", "", "")
    where = (f"{version.commit.commit[:12]} ({format_date(version.commit.date.date())})"
             if version.commit else _("working tree"))
    shown = c.model_copy(update={"state": "obsolete"}) if version.superseded else c  # an uncontrolled copy
    context = {"control": api.control_view(shown, c.code, lang, directory=Directory.of(manifest)), "org": org,
               "doc_kind": _("Controlled document"),
               "doc_title": f"{c.code} – {_('Revision')} {c.revision:02d}", "controlled": True,
               "facts": [(_("State"), state_label(c.state)), (_("Source"), f"{version.doc.path} @ {where}")],
               "source": version.text}
    return api.render_html_document("doc_revision.j2", context, ws.root, lang, search_package="qms.doccontrol")


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
    if version.superseded and proc.document is not None:
        # a superseded revision is no longer in force: an uncontrolled copy, every revision marked superseded
        proc = proc.model_copy(update={"document": proc.document.model_copy(update={"state": "obsolete"})})
    view = viewmodels.procedure_view(proc, ws.manifest, lang, version.doc.path,
                                     citations=viewmodels.citations_of(ws))
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
            page = _fallback_html(ws, version, chosen)
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
