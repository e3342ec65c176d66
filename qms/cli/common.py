"""Helpers shared by the command modules."""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from qms.errors import Declined, UsageError
from qms.i18n import _
from qms.store.root import find_root

F = TypeVar("F", bound=Callable[..., Any])

#: polars' allocator (jemalloc) hands back memory it has not used for half a second, and a command
#: that works through a log batch by batch then faults the same pages in again (a tenth of the CPU time
#: of a 10,000,000-row `kpi report` was the kernel's). Ten seconds keeps them for the next batches:
#: about 6 % faster, for a peak that grows from 1.1 to 1.3 GB on that log. `flow report`, whose peak
#: is larger and its budget tighter, keeps them five seconds: about 5 % faster on 10,000,000 events,
#: for a peak that grows from 2.3 to 2.6 GB (ten seconds would take it to 2.9 GB).
_KEEP_FREED_MEMORY = "dirty_decay_ms:{ms},muzzy_decay_ms:{ms}"
_ALLOCATOR_ENV = "_RJEM_MALLOC_CONF"


def keep_freed_memory(ms: int = 10_000) -> None:
    """Let polars' allocator keep freed memory for ``ms`` milliseconds (see :data:`_KEEP_FREED_MEMORY`).

    Only before polars is imported (jemalloc reads its options once), and never over the user's own
    setting."""
    if "polars" not in sys.modules:
        os.environ.setdefault(_ALLOCATOR_ENV, _KEEP_FREED_MEMORY.format(ms=ms))


#: glibc's malloc maps each block of 32 MiB or more on its own and unmaps it when freed, so every
#: whole-column numpy array (80 MB for 10,000,000 hand-overs) costs fresh pages from the kernel; on
#: that log, `flow report` spent two seconds of system time on it. Up to this size blocks come from the
#: heap, and freed ones are kept there for the next arrays.
_HEAP_BLOCKS = 1 << 30
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # mallopt parameters (malloc.h)


def keep_large_blocks() -> None:
    """Let the C library's allocator serve large blocks from its heap and keep freed ones (see
    :data:`_HEAP_BLOCKS`). Only with glibc on Linux; elsewhere, and if the call fails, nothing changes."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        libc = ctypes.CDLL(None)  # the process's own C library
        libc.gnu_get_libc_version  # noqa: B018  (glibc's: the parameters below are its own)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    mallopt(_M_MMAP_THRESHOLD, _HEAP_BLOCKS)
    mallopt(_M_TRIM_THRESHOLD, _HEAP_BLOCKS)


def repo_root(ctx: click.Context) -> Path:
    obj = ctx.find_root().obj or {}
    explicit = obj.get("root") if isinstance(obj, dict) else None
    return find_root(explicit=explicit)


def document_language(ctx: click.Context, own: str | None = None, *, root: Path | None = None,
                      manifest: Any = None) -> str:
    """The language of a document the command writes: the command's own ``--lang``, then the top-level
    ``--lang``, then ``QMS_LANG`` (click folds it into the top-level option), then the organisation's
    default language (from ``manifest``, or read from ``root``), then the language of messages."""
    from qms.i18n import get_language, normalise_language

    if own:
        return normalise_language(own)
    obj = ctx.find_root().obj or {}
    top = obj.get("lang") if isinstance(obj, dict) else None
    if top:
        return normalise_language(str(top))
    if manifest is None and root is not None:
        from qms.store.workspace import load_manifest

        manifest = load_manifest(root)
    if manifest is not None:
        return normalise_language(manifest.organisation.default_language)
    return get_language()


FORMAT_CHOICE = click.Choice(["text", "json", "sarif", "github"])


def force_option(func: F) -> F:
    """``--force``: let a named output replace a file that git tracks or that is of another type."""
    return click.option(
        "--force", is_flag=True,
        help="Let -o replace a file that git tracks or that is of another type "
             "(never an input, qms.yaml or an existing repository file).",
    )(func)


def doc_lang_option(func: F) -> F:
    """``--lang``: the language of the document (HTML, PDF) the command writes; see :func:`document_language`."""
    return click.option("--lang", "doc_lang", type=click.Choice(["vi", "en"]), default=None,
                        help="Document language (default: organisation.default_language).")(func)


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


def happened_on(value: dt.date | None, option: str, allow_future: bool) -> dt.date | None:
    """``value`` of an option that records when something happened: never after today, unless allowed."""
    if value is None or allow_future:
        return value
    today = dt.date.today()
    if value > today:
        raise UsageError(
            _("{option} {date} is in the future; it records when something happened").format(
                option=option, date=value.isoformat()),
            _("give the day it happened (today is {today}), or pass --allow-future").format(
                today=today.isoformat()))
    return value


#: the answers a yes/no question accepts in every language (typed in any case; Vietnamese also without marks)
_YES = frozenset({"y", "yes", "c", "có", "co"})
_NO = frozenset({"n", "no", "k", "không", "khong"})


def confirm(question: str, *, default: bool = False) -> bool:
    """Ask a yes/no question on stderr in the user's language: "[c/K]" in Vietnamese, where "c"/"có" and
    "k"/"không" answer as well as y/n (click's own prompt is "[y/N]" and takes only y/n). Enter keeps
    ``default``; an unknown answer asks again; end of input or Ctrl-C aborts (exit 130)."""
    import unicodedata

    suffix = _("[Y/n]") if default else _("[y/N]")
    while True:
        try:
            answer = click.prompt(f"{question} {suffix}", default="", show_default=False, err=True,
                                  prompt_suffix=": ", type=str)
        except (EOFError, KeyboardInterrupt):
            raise click.exceptions.Abort() from None
        word = unicodedata.normalize("NFC", answer).strip().casefold()
        if not word:
            return default
        if word in _YES:
            return True
        if word in _NO:
            return False
        click.echo(_("Error: invalid input"), err=True)


def confirm_working_day(root: Path, value: dt.date | None, option: str) -> None:
    """Warn when a planned or due date falls on a weekend or holiday of the repository's calendar.

    The hint names the next working day. On a terminal the user is asked to keep the date (no:
    nothing is written, exit 1); without a terminal (CI, scripts) the command goes on with the warning.
    """
    if value is None:
        return
    from qms.i18n import format_date, format_weekday, get_language
    from qms.registers.workdays import day_off_reason, next_working_day

    reason = day_off_reason(root, value, get_language())
    if reason is None:
        return
    nxt = next_working_day(root, value)
    click.echo(_("warning: {option} {date} is not a working day ({reason})").format(
        option=option, date=value.isoformat(), reason=reason), err=True)
    click.echo(_("hint: the next working day is {weekday} {day} ({option} {date})").format(
        weekday=format_weekday(nxt), day=format_date(nxt), option=option, date=nxt.isoformat()), err=True)
    if sys.stdin is not None and sys.stdin.isatty() \
            and not confirm(_("Keep {date} anyway?").format(date=value.isoformat()), default=False):
        raise Declined(_("nothing written: {option} {date} was not kept").format(
            option=option, date=value.isoformat()), _("run the command again with {option} {next}").format(
            option=option, next=nxt.isoformat()))


_ALLOW_FUTURE = "qms_allow_future"


def _remember_allow_future(ctx: click.Context, _param: click.Parameter, value: bool) -> bool:
    ctx.meta[_ALLOW_FUTURE] = value
    return value


def _not_in_future(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    option = param.opts[0] if param.opts else "--date"
    try:
        when = dt.datetime.strptime(value.strip(), "%Y-%m-%d")
    except ValueError:
        raise click.BadParameter(_("{value!r} is not a date: write YYYY-MM-DD, e.g. 2026-12-31").format(
            value=value)) from None
    happened_on(when.date(), option, bool(ctx.meta.get(_ALLOW_FUTURE)))
    return when


def happened_option(name: str, dest: str | None, help_text: str) -> Callable[[F], F]:
    """A date option that records when something happened (YYYY-MM-DD), refused after today unless
    ``--allow-future`` (added alongside) is given."""
    def decorate(func: F) -> F:
        decls = [name, dest] if dest else [name]
        func = click.option(*decls, default=None, metavar="YYYY-MM-DD", help=help_text,
                            callback=_not_in_future)(func)
        return click.option("--allow-future", is_flag=True, is_eager=True, expose_value=False,
                            callback=_remember_allow_future,
                            help="Accept a date after today (the step is recorded before it happens).")(func)
    return decorate
