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
