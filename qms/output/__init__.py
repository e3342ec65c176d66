"""Report formatters. All of them start from :meth:`Diagnostic.to_dict`.

``FORMATTERS`` is built on first use, so that importing a light module of the package (such as
:mod:`qms.output.safe`) does not import every formatter and the rule registry behind them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qms.diagnostics import Report

    FORMATTERS: dict[str, Callable[[Report], str]]


def __getattr__(name: str) -> Any:
    if name != "FORMATTERS":
        raise AttributeError(name)
    from qms.output import github, jsonfmt, sarif, text

    formatters: dict[str, Callable[[Report], str]] = {
        "text": text.render,
        "json": jsonfmt.render,
        "sarif": sarif.render,
        "github": github.render,
    }
    globals()["FORMATTERS"] = formatters
    return formatters
