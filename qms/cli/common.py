"""Helpers shared by the command modules."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from qms.store.workspace import find_root

F = TypeVar("F", bound=Callable[..., Any])


def repo_root(ctx: click.Context) -> Path:
    obj = ctx.find_root().obj or {}
    explicit = obj.get("root") if isinstance(obj, dict) else None
    return find_root(explicit=explicit)


FORMAT_CHOICE = click.Choice(["text", "json", "sarif", "github"])


def force_option(func: F) -> F:
    """``--force``: let a named output replace a file that git tracks or that is of another type."""
    return click.option(
        "--force", is_flag=True,
        help="Let -o replace a file that git tracks or that is of another type "
             "(never an input, qms.yaml or an existing repository file).",
    )(func)


def as_of_option(help_text: str) -> Callable[[F], F]:
    """``--as-of YYYY-MM-DD``, the one name of the evaluation date across commands; ``--today`` is kept as a
    hidden alias. The command receives ``as_of`` (a ``datetime.date`` or None)."""
    import datetime as dt
    import functools

    def parse(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
        if value is None:
            return None
        text = value.strip()
        for form in ("%Y-%m-%d", "%d/%m/%Y"):
            try:
                return dt.datetime.strptime(text, form).date()
            except ValueError:
                continue
        from qms.i18n import _

        raise click.BadParameter(_("{value!r} is not a date: write YYYY-MM-DD, e.g. 2026-12-31").format(value=value))

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            alias = kwargs.pop("today_alias", None)
            if kwargs.get("as_of") is None:
                kwargs["as_of"] = alias
            return func(*args, **kwargs)

        with_alias = click.option("--today", "today_alias", default=None, hidden=True, callback=parse,
                                  help="Alias of --as-of.")(wrapper)
        return click.option("--as-of", "as_of", default=None, metavar="YYYY-MM-DD", callback=parse,
                            help=help_text)(with_alias)  # type: ignore[return-value]

    return decorate
