"""Every `qms …` the README and the docs show names a real command and real options.

A reader types what the README shows. Each command line (in a code block or inline code) is walked
through the click command tree: each word that should be a command (or each of ``a|b|c``) must be one,
and each ``--option`` must be an option of the command it follows. Placeholders (``ID``, ``FILE``)
and values are not judged; `test_readme_session.py` runs the session itself.
"""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from qms.cli.main import cli

ROOT = Path(__file__).resolve().parents[2]
DOCS = ("README.md", *sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "docs").glob("*.md")))
_GLOBAL_WITH_VALUE = {"--root", "--lang", "--limit"}


def _command_lines(text: str) -> list[str]:
    found: list[str] = []
    for block in re.findall(r"^```[a-z]*\n(.*?)^```$", text, re.M | re.S):
        for line in block.splitlines():
            line = line.strip().removeprefix("$ ").removeprefix(".venv/bin/")
            if line.startswith("qms "):
                found.append(line.split("  #", 1)[0].split("   ", 1)[0])
    text = re.sub(r"^```[a-z]*\n.*?^```$", "", text, flags=re.M | re.S)
    found += [m.removeprefix(".venv/bin/") for m in re.findall(r"`((?:\.venv/bin/)?qms [^`]+)`", text)]
    return found


def _problems(line: str) -> list[str]:
    words = line.split()[1:]
    ctx = click.Context(cli, info_name="qms")
    command: click.Command = cli
    problems: list[str] = []
    i = 0
    while i < len(words):  # global options, then the command path
        word = words[i].strip("[]")
        if isinstance(command, click.Group) and word in _GLOBAL_WITH_VALUE and command is cli:
            i += 2
            continue
        if not isinstance(command, click.Group) or word.startswith("-"):
            break
        names = word.split("|")
        if not all(n in command.list_commands(ctx) for n in names):
            if word.isupper() or word.endswith(("…", "...")):
                break
            problems.append(f"`{word}` is not a command of `{command.name}`")
            return problems
        sub = command.get_command(ctx, names[0])
        assert sub is not None
        if len(names) > 1:
            return problems  # a list of commands: their options are not given together
        command = sub
        i += 1
    options = {o for p in command.get_params(ctx) for o in (*p.opts, *p.secondary_opts)}
    for word in words[i:]:
        for name in re.findall(r"(?<![\w-])(--?[a-z][\w-]*)", word):
            if name not in options:
                problems.append(f"`{name}` is not an option of `{command.name}`")
    return problems


@pytest.mark.parametrize("doc", DOCS)
def test_every_command_the_docs_show_exists(doc: str) -> None:
    """README and docs: no `qms migrate --from --to` (options of no command) or `qms import docx/xlsx`."""
    lines = _command_lines((ROOT / doc).read_text(encoding="utf-8"))
    bad = {line: p for line in lines if (p := _problems(line))}
    assert not bad, bad


def test_the_walk_finds_what_it_should() -> None:
    """The walk is not vacuous: a wrong command, a wrong option and an option of another command fail."""
    assert _problems("qms chek")
    assert _problems("qms check --formt json")
    assert _problems("qms migrate --from 2008")
    assert not _problems("qms --lang vi check --format json")
    assert not _problems("qms nc new|list|show")
