"""The Jinja2 environment: autoescaping, strict undefined, and language-bound helpers."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import re
import unicodedata
from collections.abc import Callable
from functools import cache
from typing import Any

import jinja2
from markupsafe import Markup, escape

from qms.i18n import translate

#: Bumped whenever templates, CSS or view-models change in a way that changes output.
TEMPLATE_VERSION = "render-12"  # bidi stripped, compound words break at "-", 5.8 after a landscape chart, line breaks kept


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


#: A code or legal symbol: hyphen-joined segments starting with a capital ("QT-CT-01", "BM-01", "NC-2026-003"),
#: optionally after slash-separated parts ("01/2018/TT-VPCP", "24/2014/TT-BTNMT").
_CODE = re.compile(r"(?<![\w\-/])((?:[^\W_][\w.]*/)*)([A-ZĐ][A-ZĐ0-9]*(?:-[^\W_]+)+)(?![\w-])")
#: A comparison and its value stay together ("≥ 98%" never splits after "≥")
_COMPARISON = re.compile(r"(?<![\w>])([≥≤] [^\s<]+)")
_TAG = re.compile(r"(<[^>]*>)")
#: A run of text with no space long enough to widen a table past the page (a role title written without
#: spaces, an e-mail address): it may break between any two letters (``.brk``, ``overflow-wrap: anywhere``)
_LONG_RUN = re.compile(r"[^\s<>]{30,}")
_LONG_CODE = 30
#: Elements whose text is not laid out as HTML text (or must stay plain text)
_RAW_ELEMENTS = ("title", "style", "script", "svg", "textarea")


def _wrap_long_run(m: re.Match[str]) -> str:
    if len(html_lib.unescape(m.group(0))) < _LONG_CODE:  # "&lt;" is one character on the page
        return m.group(0)
    return f'<span class="brk">{m.group(0)}</span>'


def _wrap_code(m: re.Match[str]) -> str:
    if len(m.group(2)) >= _LONG_CODE:  # too long to be kept on one line: a run of text, see _LONG_RUN
        return m.group(0)
    prefix = m.group(1).replace("/", "/<wbr>")
    return f'{prefix}<span class="nb">{m.group(2)}</span>'


def protect_codes(html: str) -> str:
    """Keep codes, legal symbols and comparisons on one line: each hyphenated code in the text of ``html`` goes into a
    ``<span class="nb">`` (``white-space: nowrap``), and a legal symbol may still break after its "/"; "≥ 98%" is kept whole the same way.
    A run of 30 or more characters without a space goes into a ``<span class="brk">`` that may break anywhere, so
    that it never widens a table past the page.

    Only text between tags changes: attributes, ``<title>``, ``<style>`` and SVG stay as they are, and the
    extracted text of the PDF keeps plain hyphens (searching for "QT-CT-01" still finds it)."""
    parts = _TAG.split(html)
    raw: str | None = None
    for i, part in enumerate(parts):
        if i % 2:  # a tag
            name = part[1:].lstrip("/").split(None, 1)[0].rstrip(">/").lower() if len(part) > 2 else ""
            if raw is None and not part.startswith("</") and name in _RAW_ELEMENTS and not part.endswith("/>"):
                raw = name
            elif raw is not None and part.startswith("</") and name == raw:
                raw = None
        elif raw is None:
            part = _LONG_RUN.sub(_wrap_long_run, part)
            if "-" in part:
                part = _CODE.sub(_wrap_code, part)
            if "≥" in part or "≤" in part:
                part = _COMPARISON.sub(r'<span class="nb">\1</span>', part)
            parts[i] = part
    return "".join(parts)


#: The running header (``_control.j2:page_header``) sits in a 34 mm top margin and grows upwards: the title
#: cell (42 % of the 170 mm text block, less its padding) may take these lines at these sizes and still leave
#: 4 mm of paper above the frame; the agency cell (30 %) takes its name at 7.5 pt, under the logo if any.
_HEADER_TITLE_WIDTH = 190.0
_HEADER_TITLE_FITS = ((8.5, 6, ""), (7.5, 6, "nh-small"), (7.0, 7, "nh-smaller"))
_HEADER_AGENCY_WIDTH = 133.0


def header_title_class(title: str, agency: str = "", logo: bool = False) -> str:
    """The class that sets the running header's title in a size at which it fits the top margin ("" for the
    usual 8.5 pt); a title or an agency name that fits at no size is a :class:`~qms.errors.QmsError`."""
    from qms.errors import QmsError
    from qms.i18n import _
    from qms.render import textmetrics as tm

    if agency and len(tm.wrap(agency, _HEADER_AGENCY_WIDTH, 7.5, True)) > (4 if logo else 7):
        raise QmsError(_("the agency's name is too long for the page header ({n} characters): {text}").format(
            n=len(agency), text=agency[:60] + "…"), hint=_("shorten `organisation.name` in qms.yaml"))
    for size, lines, cls in _HEADER_TITLE_FITS:
        if len(tm.wrap(title, _HEADER_TITLE_WIDTH, size, True)) <= lines:
            return cls
    raise QmsError(_("the title is too long for the page header ({n} characters): {text}").format(
        n=len(title), text=title[:60] + "…"), hint=_("shorten the document's title (at most about 350 characters)"))


def format_revision(value: int) -> str:
    return f"{value:02d}"


def text_lines(value: Any) -> Markup:
    """``value`` escaped, its line breaks kept: a description written on several lines (a list of checks,
    two paragraphs) once ran together into one paragraph ("sau: - Tờ khai ...; - Giấy ...")."""
    text = str(value).strip("\n")
    if "\n" not in text:
        return Markup(escape(text))
    return Markup("<br>\n").join(escape(line.rstrip()) for line in text.split("\n"))


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
    env.filters["lines"] = text_lines
    env.globals["header_title_class"] = header_title_class
    return env


#: Bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069): typed into YAML (by mistake
#: or to deceive), an override printed the rest of a line backwards in the PDF and the HTML
#: ("đăng ký" as "ýk gnăđ"). A controlled document shows the text in the order it was written.
BIDI_CONTROLS = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A)])


def strip_bidi(text: str) -> str:
    """``text`` without bidirectional embedding, override and isolate controls."""
    return text.translate(BIDI_CONTROLS)


def render_template(template_name: str, context: dict[str, Any], lang: str) -> str:
    """Render ``template_name`` with ``context`` plus ``lang``, ``_`` and ``date`` bound to ``lang``."""
    try:
        template = environment().get_template(template_name)
    except jinja2.TemplateNotFound as exc:
        from qms.errors import QmsError

        raise QmsError(translate("unknown render template {name!r}").format(name=template_name)) from exc
    full = {"lang": lang, "_": translator(lang), "date": lambda d: format_date(d, lang), **context}
    return protect_codes(strip_bidi(unicodedata.normalize("NFC", template.render(full))))


def safe_svg(svg: str) -> Markup:
    """Mark SVG produced by :mod:`qms.render.svg` (which escapes all text) as safe HTML."""
    return Markup(svg)
