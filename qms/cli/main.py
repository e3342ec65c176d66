"""The ``qms`` command group and the error handler that maps failures to exit codes.

Exit codes: 0 clean; 1 findings (or a refused register transition); 2 usage,
config or IO error; 3 internal error; 130 interrupted.
"""

from __future__ import annotations

import atexit
import gc
import importlib
import os
import sys
from pathlib import Path
from typing import Any

import click

from qms import __version__
from qms.cli.helptext import QmsContext, QmsGroup, localise_tree, organisation_language, route_click_gettext
from qms.errors import QmsError
from qms.i18n import _, set_language

route_click_gettext()  # "Usage:", "Options:" and click's usage errors in the user's language

# Explicit registry: command name -> "module:attribute". Each module is imported
# only when its command runs, so `qms check` does not pay for WeasyPrint.
SUBCOMMANDS: dict[str, str] = {
    "check": "qms.cli.check:check",
    "rules": "qms.cli.check:rules",
    "rule": "qms.cli.check:rule",
    "schema": "qms.cli.scaffold:schema",
    "init": "qms.cli.scaffold:init",
    "calendar": "qms.cli.calendar:calendar",
    "kpi": "qms.cli.kpi:kpi",
    "migrate": "qms.cli.migrate:migrate",
    "render": "qms.cli.render:render",
    "audit": "qms.cli.audit:audit",
    "nc": "qms.cli.nc:nc",
    "review": "qms.cli.review:review",
    "doc": "qms.cli.doc:doc",
    "sign": "qms.cli.sign:sign",
    "verify": "qms.cli.sign:verify",
    "matrix": "qms.cli.matrix:matrix",
    "due": "qms.cli.due:due",
    "people": "qms.cli.people:people",
    "refs": "qms.cli.refs:refs",
    "announce": "qms.cli.announce:announce",
    "flow": "qms.cli.flow:flow",
    "import": "qms.cli.importer:import_group",
}


class _Interrupted(Exception):
    """Ctrl-C, carried past click's own handler (which prints an empty line before aborting)."""


class LazyGroup(QmsGroup):
    context_class = QmsContext

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            raise _Interrupted() from None

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(SUBCOMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = SUBCOMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        module = importlib.import_module(module_name)
        command = getattr(module, attr)
        assert isinstance(command, click.Command)
        localise_tree(command)
        _startup_done()
        return command


def _language_now(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    # messages: --lang, then QMS_LANG (click reads it into the option), then the organisation's
    # language inside a repository, then English. --root is not parsed yet (this option is eager, for
    # --help): the repository found from the working directory answers here, and cli() again
    set_language(value or organisation_language())
    return value


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="qms")
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="QMS repository root (default: search upward for qms.yaml).",
)
@click.option(
    "--lang",
    type=click.Choice(["vi", "en"]),
    default=None,
    envvar="QMS_LANG",
    is_eager=True,  # before --help, so that `qms --lang vi --help` is Vietnamese
    callback=_language_now,
    help="Language of messages (default: QMS_LANG, else the organisation's language inside a repository, else English).",
)
@click.option(
    "--limit",
    "limit_options",
    multiple=True,
    metavar="NAME=VALUE",
    help="Raise (or lower) a resource limit for this run, e.g. --limit yaml_size=64MiB "
         "(names and defaults: docs/security-limits.md).",
)
@click.pass_context
def cli(ctx: click.Context, root: Path | None, lang: str | None, limit_options: tuple[str, ...]) -> None:
    """qms: an ISO 9001:2015 quality-management system kept as code."""
    from qms.store import limits

    ctx.ensure_object(dict)
    ctx.obj["root"] = root
    ctx.obj["lang"] = lang
    if lang is None and root is not None:
        set_language(organisation_language(root))
    elif lang is not None:
        set_language(lang)
    limits.reset()  # one budget per run
    limits.raise_from_options(limit_options)
    ctx.call_on_close(_print_notices)


def _print_notices() -> None:
    from qms.store.limits import take_notices

    for message in take_notices():
        click.echo(_("warning: {message}").format(message=message), err=True)


def _echo_error(message: str, hint: str = "") -> None:
    from qms.output.safe import one_line  # messages quote user input: keep each on its line

    click.echo(_("error: {message}").format(message=one_line(message)), err=True)
    if hint:
        click.echo(_("  hint: {hint}").format(hint=one_line(hint)), err=True)


# The cyclic garbage collector and a short-lived command. Start-up (importing the command's modules,
# building the pydantic validators) allocates hundreds of thousands of objects and no garbage worth a
# pass, so the collector waits until the command is resolved; commands that only allocate acyclic data
# (`check`, `kpi report`) keep it off. The full collection the interpreter makes at exit would walk every
# object of the process just before the process frees them all: freezing them first skips it (about a
# tenth of a `qms kpi report`).
_collector_was_enabled = False
_freeze_at_exit = False


def _startup(entry_point: bool) -> None:
    global _collector_was_enabled, _freeze_at_exit
    if gc.isenabled():
        _collector_was_enabled = True
        gc.disable()
    if entry_point and not _freeze_at_exit:  # not when a test or a tool calls main() in its own process
        _freeze_at_exit = True
        atexit.register(gc.freeze)  # atexit functions run before the interpreter's last collection


def _startup_done() -> None:
    global _collector_was_enabled
    if _collector_was_enabled:
        _collector_was_enabled = False
        gc.enable()


def main(argv: list[str] | None = None) -> Any:
    """Console entry point; never lets a traceback reach the user unless QMS_DEBUG is set."""
    from qms.cli.interrupt import reliable_sigint

    _startup(entry_point=argv is None)
    try:
        return _main(argv, reliable_sigint)
    finally:
        _startup_done()  # a usage error, --help: no command was resolved


def _main(argv: list[str] | None, reliable_sigint: Any) -> Any:
    try:
        with reliable_sigint():
            rv = cli.main(args=argv, prog_name="qms", standalone_mode=False)
    except QmsError as exc:
        _echo_error(exc.message, exc.hint)
        sys.exit(exc.exit_code)
    except (_Interrupted, KeyboardInterrupt, click.exceptions.Abort):
        # one line; on a terminal, after the "^C" the terminal echoed
        click.echo(("\n" if sys.stderr.isatty() else "") + _("interrupted"), err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2 if exc.exit_code not in (0, 1) else exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except BrokenPipeError:
        sys.exit(0)
    except OSError as exc:  # a full disk, a read-only directory, a link loop: the user's to fix
        from qms.store.oserrors import user_error

        if os.environ.get("QMS_DEBUG"):
            import traceback

            traceback.print_exc()
        error = user_error(exc)
        _echo_error(error.message, error.hint)
        sys.exit(error.exit_code)
    except Exception as exc:  # pragma: no cover - the last line of defence
        from qms.calendar.core import CalendarRangeError

        if isinstance(exc, CalendarRangeError):
            _echo_error(str(exc), _("the calendar covers the years 1901 to 2100"))
            sys.exit(2)
        if os.environ.get("QMS_DEBUG"):
            import traceback

            traceback.print_exc()
        _echo_error(
            _("internal error: {kind}: {detail}").format(kind=type(exc).__name__, detail=exc),
            _("this is a bug in qms; rerun with QMS_DEBUG=1 for details and report it"),
        )
        sys.exit(3)
    # with standalone_mode=False click returns the code given to ctx.exit()
    if isinstance(rv, int) and not isinstance(rv, bool) and rv != 0:
        sys.exit(rv)
    return rv
