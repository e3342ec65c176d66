"""Help pages in the user's language.

Command docstrings and option ``help=`` texts stay English in the code (they are the msgids); they are
translated through the catalogue (``qms/i18n/locale/<lang>/cli.po``) only while a help page or a
usage line is formatted, then restored, so English help is byte-identical to click's own output.

Click's own words ("Usage:", "Options:", "Show this message and exit.", its usage errors) come from
``gettext.gettext`` imported into each click module; :func:`route_click_gettext` points those names
at our catalogue.
"""

from __future__ import annotations

import contextlib
import difflib
import gettext as std_gettext
import importlib
import inspect
import os
from collections.abc import Iterator
from pathlib import Path

import click

from qms.i18n import _, get_language, ngettext, normalise_language, translate, use_language

#: click modules that call ``_()`` / ``ngettext()`` at run time. Not ``click.decorators``: it translates
#: the default help of --help/--version when the option is built and click caches that option, so a
#: process that formatted Vietnamese help once would keep it; those texts stay English msgids and are
#: translated with every other help text in :func:`localised`.
_CLICK_MODULES = (
    "click.core",
    "click.exceptions",
    "click.formatting",
    "click.parser",
    "click.termui",
    "click.types",
    "click.utils",
)


#: the English names of value types click puts into its messages ("'x' is not a valid integer range.",
#: "File 'a.yaml' does not exist."): translated when the message is formatted, through the same catalogue
_CLICK_TYPE_WORDS = frozenset({"integer", "float", "integer range", "float range", "file", "directory", "path"})
#: the fields of click's messages that hold such a name
_CLICK_TYPE_FIELDS = ("number_type", "name")


class _ClickMessage(str):
    """A translated click message whose ``format`` also translates the type name click fills in."""

    __slots__ = ()

    def format(self, *args: object, **kwargs: object) -> str:
        for field in _CLICK_TYPE_FIELDS:
            value = kwargs.get(field)
            if isinstance(value, str) and value.lower() in _CLICK_TYPE_WORDS:
                shown = translate(value.lower())
                kwargs[field] = shown[:1].upper() + shown[1:] if value[:1].isupper() else shown
        return str(self).format(*args, **kwargs)


def _click_gettext(message: str) -> str:
    return _ClickMessage(translate(message))


def _click_ngettext(singular: str, plural: str, n: int) -> str:
    return _ClickMessage(ngettext(singular, plural, n))


def route_click_gettext() -> None:
    """Make click's own strings go through our catalogue (idempotent)."""
    for name in _CLICK_MODULES:
        module = importlib.import_module(name)
        if getattr(module, "_", None) is std_gettext.gettext:
            module._ = _click_gettext  # type: ignore[attr-defined]
        if getattr(module, "ngettext", None) is std_gettext.ngettext:
            module.ngettext = _click_ngettext  # type: ignore[attr-defined]


def help_key(text: str) -> str:
    """The msgid of a help text: click shows it cleaned of its docstring indentation."""
    return inspect.cleandoc(text)


def _translated(text: str) -> str:
    key = help_key(text)
    out = translate(key)
    return text if out == key else out


def organisation_language(root: Path | None = None) -> str | None:
    """The default language of the organisation whose repository the command runs in (``root``, else
    the nearest ancestor of the working directory holding qms.yaml); None outside a repository or when
    its qms.yaml does not say (messages are then in English; ``qms check`` reports such a file)."""
    from qms.errors import WorkspaceNotFound
    from qms.store.raw_yaml import organisation_language as read_language
    from qms.store.root import find_root

    try:
        return read_language(find_root(explicit=root))
    except (WorkspaceNotFound, OSError):
        return None


def help_language(ctx: click.Context) -> str:
    """``--lang`` when it was parsed (it is eager), else ``QMS_LANG``, else the language of messages
    (the organisation's inside a repository: ``--help`` may come before ``--lang`` is processed)."""
    root = ctx.find_root()
    lang = root.params.get("lang")
    if lang:
        return normalise_language(str(lang))
    env = os.environ.get("QMS_LANG")
    if env:
        return normalise_language(env)
    if "lang" not in root.params:  # --help came first: the language of messages is not set yet
        return normalise_language(organisation_language())
    return get_language()


@contextlib.contextmanager
def localised(command: click.Command, ctx: click.Context) -> Iterator[None]:
    """Translate ``command``'s help, its parameters' help and its subcommands' help for a while."""
    saved: list[tuple[object, str, str]] = []

    def swap(obj: object, attr: str) -> None:
        value = getattr(obj, attr, None)
        if isinstance(value, str) and value:
            saved.append((obj, attr, value))
            setattr(obj, attr, _translated(value))

    commands: list[click.Command] = [command]
    if isinstance(command, click.Group):
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None:
                commands.append(sub)
    placeholders: list[click.Parameter] = []
    try:
        for cmd in commands:
            for attr in ("help", "short_help", "epilog"):
                swap(cmd, attr)
        for param in command.get_params(ctx):
            swap(param, "help")
            # an option's value named after its type ("--by TEXT"): the type's name in the language
            if (isinstance(param, click.Option) and param.metavar is None and not param.is_flag
                    and param.type.get_metavar(param=param, ctx=ctx) is None):
                shown = type_names().get(param.type.name)
                if shown is not None:
                    placeholders.append(param)
                    param.metavar = shown
        yield
    finally:
        for param in placeholders:
            param.metavar = None
        for obj, attr, value in reversed(saved):
            setattr(obj, attr, value)


def type_names() -> dict[str, str]:
    """The placeholders click names after a value's type, in the language of messages."""
    return {"text": _("TEXT"), "integer": _("INTEGER"), "float": _("FLOAT"), "path": _("PATH"), "file": _("FILE"),
            "directory": _("DIRECTORY"), "filename": _("FILENAME")}


@contextlib.contextmanager
def usage_placeholders(command: click.Command) -> Iterator[None]:
    """The usage line's "[OPTIONS]" and "COMMAND [ARGS]..." in the language of messages, for a while."""
    saved: list[tuple[str, str]] = []
    try:
        for attr, english, shown in (("options_metavar", "[OPTIONS]", _("[OPTIONS]")),
                                     ("subcommand_metavar", "COMMAND [ARGS]...", _("COMMAND [ARGS]..."))):
            if getattr(command, attr, None) == english:
                saved.append((attr, english))
                setattr(command, attr, shown)
        yield
    finally:
        for attr, english in saved:
            setattr(command, attr, english)


class QmsContext(click.Context):
    """A context whose help page and usage line are in the user's language."""

    def get_help(self) -> str:
        with use_language(help_language(self)), localised(self.command, self), usage_placeholders(self.command):
            return super().get_help()

    def get_usage(self) -> str:
        with use_language(help_language(self)), usage_placeholders(self.command):
            return super().get_usage()


def no_such_command(ctx: click.Context, name: str, known: list[str]) -> click.UsageError:
    """``qms audti``, ``qms nc clsoe``: there is no such command, in the user's language, with the closest
    command names (any click version; click itself suggests only for some groups, and only since 8.4)."""
    from qms.analysis.ids import did_you_mean, normalise_name

    favourite = did_you_mean(name, known)
    by_fold = {normalise_name(k): k for k in known}
    close = [favourite] if favourite else [by_fold[c] for c in difflib.get_close_matches(
        normalise_name(name), list(by_fold), n=3, cutoff=0.6)]
    message = _("No such command {name!r}.").format(name=name)
    if close:
        shown = ", ".join(repr(c) for c in close)
        message += " " + ngettext("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)",
                                  len(close)).format(possibility=shown, possibilities=shown)
    return click.UsageError(message, ctx)


class QmsGroup(click.Group):
    """A command group whose unknown subcommand is refused with the closest names."""

    def resolve_command(self, ctx: click.Context, args: list[str]) -> tuple[str | None, click.Command | None,
                                                                            list[str]]:
        name = click.utils.make_str(args[0])
        if (not ctx.resilient_parsing and not name.startswith("-") and ctx.token_normalize_func is None
                and self.get_command(ctx, name) is None):
            raise no_such_command(ctx, name, self.list_commands(ctx))
        return super().resolve_command(ctx, args)


def localise_tree(command: click.Command) -> None:
    """Give ``command`` and every command under it the localised context (and, to a group, the closest
    names for an unknown subcommand)."""
    command.context_class = QmsContext
    if isinstance(command, click.Group):
        if type(command) is click.Group:
            command.__class__ = QmsGroup
        for sub in command.commands.values():
            localise_tree(sub)


def walk(command: click.Command, ctx: click.Context) -> Iterator[click.Command]:
    """``command`` and every command under it (for tests and catalogue checks)."""
    yield command
    if isinstance(command, click.Group):
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None:
                yield from walk(sub, ctx)
