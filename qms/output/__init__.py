"""Report formatters. All of them start from :meth:`Diagnostic.to_dict`."""

from __future__ import annotations

from collections.abc import Callable

from qms.diagnostics import Report
from qms.output import github, jsonfmt, sarif, text

FORMATTERS: dict[str, Callable[[Report], str]] = {
    "text": text.render,
    "json": jsonfmt.render,
    "sarif": sarif.render,
    "github": github.render,
}
