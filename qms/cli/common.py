"""Helpers shared by the command modules."""

from __future__ import annotations

from pathlib import Path

import click

from qms.store.workspace import find_root


def repo_root(ctx: click.Context) -> Path:
    obj = ctx.find_root().obj or {}
    explicit = obj.get("root") if isinstance(obj, dict) else None
    return find_root(explicit=explicit)


FORMAT_CHOICE = click.Choice(["text", "json", "sarif", "github"])
