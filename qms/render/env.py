"""The Jinja2 environment: autoescaping, strict undefined, and language-bound helpers."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable
from functools import cache
from typing import Any

import jinja2
from markupsafe import Markup

from qms.i18n import translate

#: Bumped whenever templates, CSS or view-models change in a way that changes output.
TEMPLATE_VERSION = "render-5"


def format_date(value: dt.date | str | None, lang: str) -> str:
    """``dd/mm/yyyy`` in both languages (:func:`qms.i18n.format_date`); text is passed through."""
    from qms.i18n import format_date as i18n_format_date

    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:  # an ISO date kept as text (summaries read without validation) is still a date
            return i18n_format_date(dt.date.fromisoformat(value), lang) if len(value) == 10 else \
                unicodedata.normalize("NFC", value)
        except ValueError:
            return unicodedata.normalize("NFC", value)
    return i18n_format_date(value, lang)


def format_revision(value: int) -> str:
    return f"{value:02d}"


def translator(lang: str) -> Callable[[str], str]:
    def _(message: str) -> str:
        return translate(message, lang)

    return _


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("qms.render", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["revision"] = format_revision
    return env


def render_template(template_name: str, context: dict[str, Any], lang: str) -> str:
    """Render ``template_name`` with ``context`` plus ``lang``, ``_`` and ``date`` bound to ``lang``."""
    try:
        template = environment().get_template(template_name)
    except jinja2.TemplateNotFound as exc:
        from qms.errors import QmsError

        raise QmsError(translate("unknown render template {name!r}").format(name=template_name)) from exc
    full = {"lang": lang, "_": translator(lang), "date": lambda d: format_date(d, lang), **context}
    return unicodedata.normalize("NFC", template.render(full))


def safe_svg(svg: str) -> Markup:
    """Mark SVG produced by :mod:`qms.render.svg` (which escapes all text) as safe HTML."""
    return Markup(svg)
