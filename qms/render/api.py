"""Public rendering API for other modules' documents (NC register, audit documents, reports).

Typical use::

    from qms.render import api
    html = api.render_html_document("nc_register.j2", {"control": ..., "org": ..., "doc_kind": ...,
                                     "doc_title": ..., "rows": rows}, root, "vi")
    api.write_pdf(html, out, root, attachments=["registers/nc.yaml"], variant="pdf/a-3b")

Templates are looked up in ``qms/render/templates`` or, with ``search_package``, in another package's
``templates`` folder; extend ``"controlled.j2"`` to get the cover, control block, approval block,
revision history and the running header (Mã hiệu, Lần ban hành, Ngày hiệu lực, Trang x/y).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import jinja2

from qms.errors import QmsError
from qms.i18n import _
from qms.render.assets import prepare_fonts
from qms.render.documents import _attachment, document_context
from qms.render.env import environment, protect_codes, strip_bidi
from qms.render.pdf import PdfAttachment, html_to_pdf
from qms.render.viewmodels import ControlView, OrgView, SignatoryView, control_view, org_view
from qms.store.atomic import atomic_write_bytes, atomic_write_text

__all__ = ["ControlView", "OrgView", "PdfAttachment", "SignatoryView", "control_view", "org_view",
           "render_html_document", "write_pdf"]


def render_html_document(template_name: str, context: dict[str, Any], root: Path | None, lang: str, *,
                         search_package: str | None = None, site: bool = False) -> str:
    """Render a template to a complete, NFC-normalised HTML document (autoescaped, strict undefined).

    ``context`` is added to the base context (``lang``, ``_``, ``date``, ``css``, ``asset_base``).
    ``root`` is accepted for symmetry with :func:`write_pdf` (fonts are cached under it).
    """
    import unicodedata

    from qms.render.env import format_date, translator

    env = environment()
    if search_package:
        env = env.overlay(loader=jinja2.ChoiceLoader([jinja2.PackageLoader(search_package, "templates"),
                                                      env.loader or jinja2.DictLoader({})]))
    try:
        template = env.get_template(template_name)
    except jinja2.TemplateNotFound as exc:
        raise QmsError(_("unknown render template {name!r}").format(name=template_name)) from exc
    full = document_context({"lang": lang, "_": translator(lang), "date": lambda d: format_date(d, lang),
                             **context}, site=site)
    if root is not None:
        prepare_fonts(root)
    try:
        return protect_codes(strip_bidi(unicodedata.normalize("NFC", template.render(full))))
    except jinja2.UndefinedError as exc:
        raise QmsError(_("template {name}: {detail}").format(name=template_name, detail=exc.message)) from exc


def write_pdf(html: str, out_path: Path, root: Path | None,
              attachments: Sequence[str | PdfAttachment] = (), variant: str | None = None,
              tagged: bool = False) -> int:
    """Write ``html`` as a PDF atomically; returns the page count.

    ``attachments`` are repository-relative paths (refused if they leave the repository) or
    :class:`PdfAttachment` values. ``variant`` is ``None`` or ``"pdf/a-3b"``.
    """
    items: list[PdfAttachment] = []
    for a in attachments:
        if isinstance(a, PdfAttachment):
            items.append(a)
        else:
            if root is None:
                raise QmsError(_("attachments by path need a repository root"))
            items.append(_attachment(root, a))
    if root is not None:
        prepare_fonts(root)
    result = html_to_pdf(html, root, attachments=items, variant=variant, tagged=tagged)
    atomic_write_bytes(out_path, result.data)
    return result.pages


def write_document(html: str, out_path: Path, kind: str, root: Path | None) -> int:
    """Write a report ``kind`` ``"pdf"`` (through :func:`write_pdf`) or ``"html"`` (the text itself),
    atomically; returns the page count (0 for HTML)."""
    if kind == "pdf":
        return write_pdf(html, out_path, root)
    atomic_write_text(out_path, html)
    return 0
